//! Live updates: the real sandbox delivers signed webhooks over loopback HTTP to the
//! desk's listener; nothing polls in these tests, so whatever reaches the cache came
//! through a webhook.

mod common;

use common::*;
use kyc_core::live::WebhookListener;
use kyc_core::notices::Notice;
use kyc_sandbox::{Seed, WebhookEndpoint};
use serde_json::json;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

/// Waits up to 10 s for `ok`.
async fn eventually(what: &str, mut ok: impl AsyncFnMut() -> bool) {
    let t = std::time::Instant::now();
    while !ok().await {
        assert!(t.elapsed() < Duration::from_secs(10), "{what} did not happen within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn webhooks_update_the_cache_and_announce_rejections_and_activations() {
    let listener = WebhookListener::bind().await.unwrap();
    let endpoint = WebhookEndpoint { url: listener.url().to_owned(), secret: listener.secret().to_owned() };
    let sb = sandbox_with(Seed::Demo(40), |c| {
        c.webhooks = vec![endpoint];
        c.offer_delay = Duration::from_millis(10);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (d, events) = desk(&sb, dir.path()).await;
    d.sync().await.unwrap();
    let (_task, stats) = listener.serve(d.clone());

    // A reviewer rejects a selfie: the cache has it, and staff are told, with no poll.
    let rows = d.list_customers(&everything()).await.unwrap().rows;
    let pending = rows.iter().find(|r| r.status == "pending_kyc").unwrap();
    admin(
        &sb,
        &format!("/customers/{}/kyc/selfie", pending.id),
        json!({"status": "rejected", "message": "Rosto encoberto"}),
    )
    .await;
    eventually("the rejection notice", async || !notices(&events).is_empty()).await;
    let told = notices(&events);
    assert!(
        matches!(&told[..], [Notice::ItemRejected { customer_id, item_type, message, .. }]
            if customer_id == &pending.id && item_type == "selfie" && message.as_deref() == Some("Rosto encoberto")),
        "{told:?}"
    );
    let cached = d.store().get_customer(&pending.id).await.unwrap().unwrap();
    assert_eq!(cached.kyc.iter().find(|i| i.item_type == "selfie").unwrap().status.as_str(), "rejected");

    // Every open item of a customer under review is approved: one activation notice,
    // and the offer that follows is cached.
    let reviewing = rows.iter().find(|r| r.status == "under_review").unwrap();
    let c = d.store().get_customer(&reviewing.id).await.unwrap().unwrap();
    for item in c.kyc.iter().filter(|i| i.status.as_str() != "approved") {
        admin(&sb, &format!("/customers/{}/kyc/{}", c.id, item.item_type), json!({"status": "approved"})).await;
    }
    eventually("the activation notice", async || {
        notices(&events)
            .iter()
            .any(|n| matches!(n, Notice::CustomerApproved { customer_id, .. } if *customer_id == c.id))
    })
    .await;
    eventually("the offer in the cache", async || !d.store().products_for(&c.id).await.unwrap().is_empty()).await;
    assert_eq!(d.store().get_customer(&c.id).await.unwrap().unwrap().status.as_str(), "active");
    let activations = notices(&events).iter().filter(|n| matches!(n, Notice::CustomerApproved { .. })).count();
    assert_eq!(activations, 1, "told once, though several webhooks named the customer");
    assert_eq!(stats.refused.load(Relaxed), 0);
    assert!(stats.accepted.load(Relaxed) >= 3);
}

#[tokio::test]
async fn forged_stale_and_repeated_webhooks_change_nothing() {
    let listener = WebhookListener::bind().await.unwrap();
    let (url, secret) = (listener.url().to_owned(), listener.secret().to_owned());
    let sb = sandbox(Seed::Demo(10)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, events) = desk(&sb, dir.path()).await;
    d.sync().await.unwrap();
    let (_task, stats) = listener.serve(d.clone());
    let target =
        d.list_customers(&everything()).await.unwrap().rows.into_iter().find(|r| r.status == "pending_kyc").unwrap();
    // The change is on the server; only a webhook the desk believes will fetch it.
    admin(&sb, &format!("/customers/{}/kyc/selfie", target.id), json!({"status": "rejected", "message": "x"})).await;
    let body = json!({
        "id": "evt_1", "type": "customer.kyc_updated", "api_version": "2026-03-01",
        "created_at": "2026-11-23T10:00:00Z",
        "data": {"id": target.id, "external_id": target.external_id, "status": "pending_kyc", "kyc": []}
    })
    .to_string();
    let http = reqwest::Client::new();
    let post = async |id: &str, ts: i64, signature: String| {
        http.post(&url)
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signature)
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sign = |id: &str, ts: i64, key: &str| {
        format!("v1,{}", dinie_api::webhook::sign(key, id, ts, body.as_bytes()).unwrap())
    };

    let forged = sign("msg_1", now, kyc_sandbox::webhooks::DEFAULT_SECRET);
    assert_eq!(post("msg_1", now, forged).await, 401, "signed with another secret");
    assert_eq!(post("msg_2", now - 3600, sign("msg_2", now - 3600, &secret)).await, 401, "an hour old: a replay");
    assert_eq!(post("msg_3", now, String::new()).await, 401, "unsigned");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(notices(&events).is_empty());
    let cached = d.store().get_customer(&target.id).await.unwrap().unwrap();
    assert_ne!(cached.kyc.iter().find(|i| i.item_type == "selfie").unwrap().status.as_str(), "rejected");
    assert_eq!(stats.refused.load(Relaxed), 3);

    // The genuine one is acted on once, however often it is delivered.
    assert_eq!(post("msg_4", now, sign("msg_4", now, &secret)).await, 204);
    assert_eq!(post("msg_4", now, sign("msg_4", now, &secret)).await, 200, "a redelivery is acknowledged");
    eventually("the rejection notice", async || notices(&events).len() == 1).await;
    assert_eq!((stats.accepted.load(Relaxed), stats.duplicates.load(Relaxed)), (1, 1));
}

/// A local process opening connections by the hundred cannot make the listener hold
/// them all: it accepts at most `MAX_CONNECTIONS` at once, and serves events again as
/// soon as they close.
#[tokio::test]
async fn the_listener_holds_a_bounded_number_of_connections() {
    let listener = WebhookListener::bind().await.unwrap();
    let url = listener.url().to_owned();
    let addr = url.trim_start_matches("http://").trim_end_matches(kyc_core::live::PATH).to_owned();
    let sb = sandbox(Seed::Empty).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    let (_task, stats) = listener.serve(d);

    // (Fewer than the kernel's accept backlog, 128 here, so every connect completes.)
    let mut idle = Vec::new();
    for _ in 0..100 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        stats.most_open_connections.load(Relaxed),
        kyc_core::live::MAX_CONNECTIONS as u64,
        "the listener takes up to its limit and no more"
    );
    drop(idle);
    // Served again once they are gone: an unsigned post is refused (401), not left hanging.
    let answer = tokio::time::timeout(Duration::from_secs(10), reqwest::Client::new().post(&url).body("{}").send())
        .await
        .expect("served again after the idle connections closed")
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(stats.refused.load(Relaxed), 1);
    assert!(stats.most_open_connections.load(Relaxed) <= kyc_core::live::MAX_CONNECTIONS as u64);
}
