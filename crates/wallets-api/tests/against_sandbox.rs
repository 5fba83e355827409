//! The client against the wallets sandbox (an independent implementation of the
//! contract) over loopback: both auth header forms, both error shapes, cursor walks,
//! retries with one idempotency key, customers, BVN lookups and wallets.

use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use std::time::Duration;
use wallets_api::{
    AuthStyle, BillingAddress, Client, Config, CustomerUpdate, Error, ListCustomers, NewCustomer, new_idempotency_key,
};

fn config(seed: Seed) -> SandboxConfig {
    SandboxConfig { seed, review_delay: Duration::from_millis(100), ..SandboxConfig::wallets() }
}

fn client(sb: &Sandbox, style: AuthStyle) -> Client {
    let mut cfg = Config::new(sb.base_url(), kyc_sandbox::WALLETS_API_KEY);
    cfg.auth_style = style;
    cfg.backoff = Duration::from_millis(10);
    Client::new(cfg).unwrap()
}

async fn admin(sb: &Sandbox, path: &str, body: serde_json::Value) -> serde_json::Value {
    let r = reqwest::Client::new().post(format!("{}{path}", sb.admin_url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or_default()
}

fn person(email: &str) -> NewCustomer {
    NewCustomer {
        first_name: "Tunde".into(),
        last_name: "Bakare".into(),
        email: email.into(),
        phone_number: "+2348031234567".into(),
        kind: "individual".into(),
        billing_address: BillingAddress {
            line1: "12 Allen Avenue".into(),
            line2: None,
            city: "Ikeja".into(),
            state: "Lagos".into(),
            zip_code: "100271".into(),
            country: "NG".into(),
        },
    }
}

#[tokio::test]
async fn both_ways_of_writing_the_key_work_and_a_wrong_key_is_401() {
    let sb = Sandbox::start_local(config(Seed::Demo(5))).await.unwrap();
    for style in [AuthStyle::Bare, AuthStyle::Bearer] {
        let page = client(&sb, style).list_customers(&ListCustomers::default()).await.unwrap();
        assert_eq!(page.data.len(), 5, "{style:?}");
    }
    let mut cfg = Config::new(sb.base_url(), "wrong");
    cfg.max_retries = 0;
    let e = Client::new(cfg).unwrap().check_key().await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 401);
}

#[tokio::test]
async fn refusals_name_their_fields_in_both_shapes_and_a_taken_email_is_409() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let c = client(&sb, AuthStyle::Bare);
    let mut bad = person("bad@example.com");
    bad.first_name = "Tunde2".into();
    bad.billing_address.city = String::new();
    bad.phone_number = "+233241234567".into();
    let e = c.create_customer(&bad, &new_idempotency_key()).await.unwrap_err();
    let api = e.api().unwrap();
    let fields: Vec<&str> = api.fields.iter().map(|f| f.field.as_str()).collect();
    for f in ["first_name", "city", "phone_number"] {
        assert!(fields.contains(&f), "{f} in {fields:?} ({api:?})");
    }
    c.create_customer(&person("taken@example.com"), &new_idempotency_key()).await.unwrap();
    let e = c.create_customer(&person("TAKEN@example.com"), &new_idempotency_key()).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 409);
    // Checked before sending: a BVN is 11 digits.
    assert!(matches!(c.resolve_bvn("123", &new_idempotency_key()).await, Err(Error::Invalid { .. })));
}

#[tokio::test]
async fn two_hundred_registrations_through_a_third_of_requests_failing_make_two_hundred_customers() {
    // The faults are the test; the platform's 100 requests a minute are not.
    let sb = Sandbox::start_local(SandboxConfig {
        rate_limit_burst: 100_000,
        rate_limit_per_second: 100_000.0,
        ..config(Seed::Empty)
    })
    .await
    .unwrap();
    admin(&sb, "/faults", serde_json::json!({"ratio": 0.33, "kinds": ["503", "drop"]})).await;
    let c = client(&sb, AuthStyle::Bare);
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let c = c.clone();
            tokio::spawn(async move {
                // One key per registration, kept across every attempt, as the outbox does.
                let key = new_idempotency_key();
                let mut p = person(&format!("many{i}@example.com"));
                p.first_name = format!("Tunde {}", ["A", "B", "C", "D", "E"][i % 5]);
                loop {
                    match c.create_customer(&p, &key).await {
                        Ok(made) => return made.id,
                        Err(e) if e.is_unreachable() || e.api().is_some_and(|a| a.status >= 500) => continue,
                        Err(e) => panic!("registration {i}: {e}"),
                    }
                }
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap());
    }
    reqwest::Client::new().delete(format!("{}/faults", sb.admin_url())).send().await.unwrap();
    assert_eq!(ids.len(), 200);
    let all = c.all_customers().await.unwrap();
    assert_eq!(all.len(), 200, "exactly 200 customers, none doubled");
    assert!(c.stats().retries > 0, "faults were met and retried");
}

#[tokio::test]
async fn the_after_cursor_walks_to_the_end_in_order() {
    let sb = Sandbox::start_local(config(Seed::Demo(36))).await.unwrap();
    let c = client(&sb, AuthStyle::Bare);
    let all = c.all_customers().await.unwrap();
    assert_eq!(all.len(), 36);
    let times: Vec<_> = all.iter().map(|c| c.created_at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    let one = &all[5];
    let found = c.list_customers(&ListCustomers { email: one.email.clone(), ..Default::default() }).await.unwrap();
    assert_eq!(found.data.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [one.id.as_str()]);
}

#[tokio::test]
async fn a_correction_changes_only_what_it_carries_and_a_customer_becomes_active() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let c = client(&sb, AuthStyle::Bare);
    let made = c.create_customer(&person("fix@example.com"), &new_idempotency_key()).await.unwrap();
    assert_eq!(made.status.as_deref(), Some("pending_kyc"));
    let mut address = serde_json::Map::new();
    address.insert("city".into(), "Yaba".into());
    let fixed = c
        .update_customer(
            &made.id,
            &CustomerUpdate {
                last_name: Some("Bakare-Ojo".into()),
                billing_address: Some(address),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(fixed.last_name, "Bakare-Ojo");
    let a = fixed.billing_address.unwrap();
    assert_eq!((a.city.as_str(), a.line1.as_str()), ("Yaba", "12 Allen Avenue"), "merged, not replaced");
    let mut status = None;
    for _ in 0..50 {
        status = c.get_customer(&made.id).await.unwrap().status;
        if status.as_deref() == Some("active") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status.as_deref(), Some("active"));
}

#[tokio::test]
async fn wallets_open_once_active_follow_their_status_machine_and_keep_decimal_balances() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let c = client(&sb, AuthStyle::Bare);
    let made = c.create_customer(&person("wal@example.com"), &new_idempotency_key()).await.unwrap();
    let e = c.create_wallet(&made.id, "NGN", &new_idempotency_key()).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 422, "not active yet");
    admin(&sb, &format!("/customers/{}/status", made.id), serde_json::json!({"status": "active"})).await;
    let w = c.create_wallet(&made.id, "NGN", &new_idempotency_key()).await.unwrap();
    assert_eq!(w.balance.as_ref().map(|b| b.amount.as_str()), Some("0.00"));
    let e = c.create_wallet(&made.id, "NGN", &new_idempotency_key()).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 409, "one wallet per currency");
    assert_eq!(c.set_wallet_status(&w.id, "frozen", Some("suspected fraud")).await.unwrap().status, "frozen");
    assert_eq!(c.set_wallet_status(&w.id, "active", None).await.unwrap().status, "active");
    assert_eq!(c.set_wallet_status(&w.id, "deleted", Some("closed by the customer")).await.unwrap().status, "deleted");
    let e = c.set_wallet_status(&w.id, "active", None).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 422, "nothing comes out of deleted");
    assert_eq!(c.customer_wallets(&made.id).await.unwrap().len(), 1);
    assert!(c.get_wallet(&w.id).await.unwrap().events.len() >= 3, "each change recorded");
}

#[tokio::test]
async fn a_bvn_lookup_returns_the_record_on_file() {
    let sb = Sandbox::start_local(config(Seed::Demo(36))).await.unwrap();
    let c = client(&sb, AuthStyle::Bare);
    let r = c.resolve_bvn("22212345678", &new_idempotency_key()).await.unwrap();
    assert!(!r.first_name.is_empty() && !r.surname.is_empty());
    let again = c.resolve_bvn("22212345678", &new_idempotency_key()).await.unwrap();
    assert_eq!(r, again, "deterministic per BVN");
    let e = c.resolve_bvn("00000000000", &new_idempotency_key()).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 404);
}

#[tokio::test]
async fn a_429_is_waited_out_as_the_platform_asks() {
    let sb = Sandbox::start_local(config(Seed::Demo(2))).await.unwrap();
    admin(&sb, "/faults", serde_json::json!({"fail_next": 1, "status": 429, "retry_after": 1})).await;
    let c = client(&sb, AuthStyle::Bare);
    let t = std::time::Instant::now();
    c.list_customers(&ListCustomers::default()).await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(900), "waited the second it was told ({:?})", t.elapsed());
    assert_eq!(c.stats().retries, 1);
}
