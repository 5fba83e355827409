//! Every endpoint, both auth modes, idempotency and cancellation, against the real
//! sandbox over loopback.

use dinie_api::{
    Auth, CancellationToken, Client, ClientConfig, CustomerUpdate, Error, NewCustomer, Registration, RequestOptions,
};
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn sandbox(seed: Seed, tweak: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut cfg = SandboxConfig { seed, review_delay: Duration::from_millis(100), ..Default::default() };
    tweak(&mut cfg);
    Sandbox::start_local(cfg).await.unwrap()
}

fn bearer(sb: &Sandbox) -> Client {
    Client::new(ClientConfig::new(sb.base_url(), Auth::bearer(kyc_sandbox::DEFAULT_TOKEN))).unwrap()
}

fn oauth(sb: &Sandbox, secret: &str) -> Client {
    Client::new(ClientConfig::new(sb.base_url(), Auth::client_credentials("sandbox", secret))).unwrap()
}

async fn stats(sb: &Sandbox) -> Value {
    reqwest::get(format!("{}/stats", sb.admin_url())).await.unwrap().json().await.unwrap()
}

async fn admin(sb: &Sandbox, path: &str, body: Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", sb.admin_url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

fn new_customer(cpf: &str, ext: &str) -> NewCustomer {
    NewCustomer {
        cpf: cpf.into(),
        name: Some("Joao Silva".into()),
        email: Some("joao@example.com".into()),
        phone: Some("+5511999999999".into()),
        external_id: Some(ext.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn registering_created_already_existed_and_conflict() {
    let sb = sandbox(Seed::Empty, |_| {}).await;
    let c = bearer(&sb);
    let (created, how) =
        c.create_customer(&new_customer("123.456.789-09", "ref-1"), &RequestOptions::default()).await.unwrap();
    assert_eq!((how, created.status.as_str(), created.kyc.len()), (Registration::Created, "pending_kyc", 5));
    let (again, how) =
        c.create_customer(&new_customer("12345678909", "ref-1"), &RequestOptions::default()).await.unwrap();
    assert_eq!((how, again.id), (Registration::AlreadyExisted, created.id.clone()));
    let e = c.create_customer(&new_customer("123.456.789-09", "ref-2"), &RequestOptions::default()).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!((api.status, api.code.as_deref()), (409, Some("customer_conflict")));
    assert_eq!(c.stats().attempts, 3, "a 409 is never retried");

    let bad = NewCustomer { phone: Some("11 99999".into()), ..new_customer("123.456.789-00", "x") };
    let e = c.create_customer(&bad, &RequestOptions::default()).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.code.as_deref(), Some("validation_failed"));
    let fields: Vec<&str> = api.errors.iter().map(|f| f.param.as_str()).collect();
    assert_eq!(fields, ["cpf", "phone"]);
    assert!(api.request_id.is_some());
}

#[tokio::test]
async fn the_callers_idempotency_key_makes_a_repeat_a_replay() {
    let sb = sandbox(Seed::Empty, |_| {}).await;
    let c = bearer(&sb);
    let opts = RequestOptions::with_key(dinie_api::new_idempotency_key());
    let (a, how_a) = c.create_customer(&new_customer("123.456.789-09", "r"), &opts).await.unwrap();
    // The same logical operation sent again, e.g. by an outbox after a restart.
    let (b, how_b) = c.create_customer(&new_customer("123.456.789-09", "r"), &opts).await.unwrap();
    assert_eq!(
        (a.id, how_a, how_b),
        (b.id, Registration::Created, Registration::Created),
        "the first answer, replayed"
    );
    let s = stats(&sb).await;
    assert_eq!((s["customers_created"].as_u64(), s["idempotent_replays"].as_u64()), (Some(1), Some(1)));
    // Another operation under the same key is refused.
    let e = c.create_customer(&new_customer("529.982.247-25", "z"), &opts).await.unwrap_err();
    assert_eq!(e.api().unwrap().code.as_deref(), Some("idempotency_key_reused"));
}

#[tokio::test]
async fn updating_uploading_biometrics_and_offers() {
    let sb = sandbox(Seed::Demo(10), |_| {}).await;
    let c = bearer(&sb);
    let (cust, _) = c.create_customer(&new_customer("123.456.789-09", "r"), &RequestOptions::default()).await.unwrap();
    let fix = CustomerUpdate { name: Some("Joana Silva".into()), ..Default::default() };
    assert_eq!(c.update_customer(&cust.id, &fix, &RequestOptions::default()).await.unwrap().name, "Joana Silva");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rg-frente.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(3 * 1024 * 1024 + 17, 0xAB);
    std::fs::write(&path, &bytes).unwrap();
    let seen = Arc::new(Mutex::new(Vec::<(u64, u64)>::new()));
    let s2 = seen.clone();
    let doc = c
        .upload_document(
            &cust.id,
            "identity_card_front",
            &path,
            &RequestOptions::default(),
            Some(Arc::new(move |a, b| s2.lock().unwrap().push((a, b)))),
        )
        .await
        .unwrap();
    assert_eq!(
        (doc.doc_type.as_str(), doc.content_type.as_str(), doc.size),
        ("identity_card_front", "image/png", bytes.len() as u64)
    );
    let sha: String = <sha2::Sha256 as sha2::Digest>::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(doc.sha256, sha, "the server stored exactly the file");
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 48, "streamed in chunks, reporting as it goes ({} reports)", seen.len());
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "progress only grows");
    assert_eq!(*seen.last().unwrap(), (bytes.len() as u64, bytes.len() as u64));
    assert_eq!(c.get_customer(&cust.id).await.unwrap().kyc[0].status, "in_review");

    let s = c.create_biometrics_session(&cust.id, &RequestOptions::default()).await.unwrap();
    assert!(s.session_url.contains("/_sandbox/biometrics/bio_"));
    assert!(s.expires_at > time::OffsetDateTime::now_utc());

    let active = c
        .list_customers(&dinie_api::ListCustomers { status: Some("active".into()), ..Default::default() })
        .await
        .unwrap();
    let offers = c.list_credit_offers(&active.data[0].id).await.unwrap();
    assert_eq!(offers.len(), 1);
    assert!(offers[0].approved_amount.ends_with(".00") && offers[0].interest_rate > 0.0);
    assert!(c.list_credit_offers(&cust.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn bad_files_are_refused_before_anything_is_sent() {
    let sb = sandbox(Seed::Empty, |_| {}).await;
    let c = bearer(&sb);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pdf");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(dinie_api::MAX_DOCUMENT_BYTES + 1).unwrap();
    drop(f);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"%PDF-1.4"))
        .unwrap();
    let gif = dir.path().join("photo.png");
    std::fs::write(&gif, b"GIF89a.................").unwrap();
    let before = stats(&sb).await["requests"].as_u64().unwrap();
    for (path, what) in [(big, "10 MB"), (gif, "PDF, JPEG or PNG"), (dir.path().join("missing.pdf"), "cannot read")] {
        match c.upload_document("cust_x", "selfie", &path, &RequestOptions::default(), None).await {
            Err(Error::Invalid { field, message }) => assert!(field == "file" && message.contains(what), "{message}"),
            other => panic!("expected a local refusal for {}, got {other:?}", path.display()),
        }
    }
    assert_eq!(
        stats(&sb).await["requests"].as_u64().unwrap(),
        before + 1,
        "only the stats call itself reached the server"
    );
}

#[tokio::test]
async fn client_credentials_share_one_token_across_concurrent_callers() {
    let sb = sandbox(Seed::Demo(3), |_| {}).await;
    let c = oauth(&sb, "sandbox-secret");
    let calls = (0..20).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.list_customers(&Default::default()).await.map(|p| p.data.len()) })
    });
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().unwrap(), 3);
    }
    assert_eq!(stats(&sb).await["tokens_issued"], 1, "one refresh shared by 20 callers");
    assert_eq!(c.stats().token_fetches, 1);
}

#[tokio::test]
async fn a_token_is_refreshed_300_s_before_it_expires() {
    // Tokens that live 301 s are due for refresh one second after they are issued.
    let sb = sandbox(Seed::Empty, |cfg| cfg.token_ttl = Duration::from_secs(301)).await;
    let c = oauth(&sb, "sandbox-secret");
    c.list_customers(&Default::default()).await.unwrap();
    c.list_customers(&Default::default()).await.unwrap();
    assert_eq!(stats(&sb).await["tokens_issued"], 1, "still fresh");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.list_customers(&Default::default()).await.unwrap();
    assert_eq!(stats(&sb).await["tokens_issued"], 2, "refreshed ahead of expiry");
}

#[tokio::test]
async fn a_401_gets_one_retry_with_a_fresh_token() {
    let sb = sandbox(Seed::Empty, |_| {}).await;
    let c = oauth(&sb, "sandbox-secret");
    c.list_customers(&Default::default()).await.unwrap();
    admin(&sb, "/tokens/expire", json!({})).await;
    c.list_customers(&Default::default()).await.unwrap();
    assert_eq!(stats(&sb).await["tokens_issued"], 2);

    let wrong = oauth(&sb, "not-the-secret");
    let e = wrong.list_customers(&Default::default()).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 401);
    assert!(!e.to_string().contains("not-the-secret"), "no secret in errors: {e}");
    assert_eq!(wrong.stats().attempts, 1, "a refused token request is not retried");
}

#[tokio::test]
async fn retries_follow_the_contract_on_real_faults() {
    let sb = sandbox(Seed::Demo(2), |_| {}).await;
    let mut cfg = ClientConfig::new(sb.base_url(), Auth::bearer(kyc_sandbox::DEFAULT_TOKEN));
    cfg.retry.base = Duration::from_millis(5);
    let c = Client::new(cfg).unwrap();
    admin(&sb, "/faults", json!({"fail_next": 2, "status": 503, "retry_after": 0})).await;
    assert_eq!(c.list_customers(&Default::default()).await.unwrap().data.len(), 2);
    assert_eq!((c.stats().attempts, c.stats().retries), (3, 2));
    assert!(c.rate_limit().is_some_and(|r| r.limit == 1000 && r.remaining < 1000));

    admin(&sb, "/faults", json!({"fail_next": 4, "status": 500, "retry_after": 0})).await;
    let e = c.list_customers(&Default::default()).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 500, "after 3 retries the last error is returned");
    assert_eq!(c.stats().attempts, 3 + 4);
}

#[tokio::test]
async fn a_cancelled_call_stops_waiting() {
    let sb = sandbox(Seed::Empty, |_| {}).await;
    let c = bearer(&sb);
    admin(&sb, "/faults", json!({"latency_ms": 10_000})).await;
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c2.cancel();
    });
    let opts = RequestOptions { cancel: Some(cancel), ..Default::default() };
    let e = c.create_customer(&new_customer("123.456.789-09", "r"), &opts).await.unwrap_err();
    assert!(matches!(e, Error::Cancelled), "{e:?}");
}

#[tokio::test]
async fn customers_stream_one_by_one_across_pages() {
    use futures::TryStreamExt;
    let sb = sandbox(Seed::Demo(230), |_| {}).await;
    let c = bearer(&sb);
    let params = dinie_api::ListCustomers { limit: Some(100), status: Some("active".into()), ..Default::default() };
    let all: Vec<_> = c.customers(params).try_collect().await.unwrap();
    assert_eq!(all.len(), 46, "every active customer of 230 (one in five)");
    assert!(all.iter().all(|c| c.status == "active"));
}
