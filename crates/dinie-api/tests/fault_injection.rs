//! The client under fire: the real sandbox failing a third of requests with 503, 429
//! (with Retry-After) and dropped connections. Operations keep their idempotency key
//! across every attempt, and a caller re-sends an operation that ran out of retries
//! with the same key (as the app's outbox does), so nothing is created twice and
//! nothing is lost.

use dinie_api::{Auth, Client, ClientConfig, Error, NewCustomer, RequestOptions, new_idempotency_key};
use futures::future::join_all;
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

/// How many times a caller re-sends one logical operation that exhausted its retries.
const MAX_SENDS: u32 = 10;

async fn stats(sb: &Sandbox) -> Value {
    reqwest::get(format!("{}/stats", sb.admin_url())).await.unwrap().json().await.unwrap()
}

async fn faults(sb: &Sandbox, body: Value) {
    let r = reqwest::Client::new().post(format!("{}/faults", sb.admin_url())).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 204);
}

/// A third of requests fail: 503, 429 with `Retry-After: 1`, or a dropped connection.
async fn one_in_three(sb: &Sandbox) {
    faults(sb, json!({"ratio": 0.33, "kinds": ["503", "429", "drop"], "retry_after": 1})).await;
}

fn valid_cpf(i: u32) -> String {
    let digits = format!("{:09}", 200_000_000 + i * 7_919);
    kyc_model::Cpf::from_base(std::array::from_fn(|k| digits.as_bytes()[k] - b'0')).formatted()
}

fn cnpj(base12: &str) -> String {
    kyc_model::Cnpj::from_base(std::array::from_fn(|k| base12.as_bytes()[k] - b'0')).formatted()
}

/// Sends one logical operation until it succeeds, with one key for every send.
async fn until_done<T, F, Fut>(mut op: F) -> (T, u32)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    for send in 1..=MAX_SENDS {
        match op().await {
            Ok(v) => return (v, send),
            Err(e)
                if e.is_unreachable() || e.api().is_some_and(|a| matches!(a.status, 429 | 500 | 502 | 503 | 504)) => {}
            Err(e) => panic!("a final error under injected faults: {e}"),
        }
    }
    panic!("still failing after {MAX_SENDS} sends");
}

fn client(sb: &Sandbox) -> Client {
    let mut cfg = ClientConfig::new(sb.base_url(), Auth::bearer(kyc_sandbox::DEFAULT_TOKEN));
    cfg.timeout = Duration::from_secs(10);
    Client::new(cfg).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_registrations_create_exactly_two_hundred() {
    let sb = Sandbox::start_local(SandboxConfig { seed: Seed::Empty, ..Default::default() }).await.unwrap();
    let c = client(&sb);
    one_in_three(&sb).await;
    let ops = (0..200u32).map(|i| {
        let c = c.clone();
        async move {
            let key = new_idempotency_key();
            let new = NewCustomer { cpf: valid_cpf(i), external_id: Some(format!("load-{i}")), ..Default::default() };
            until_done(|| {
                let (c, new, opts) = (c.clone(), new.clone(), RequestOptions::with_key(key.clone()));
                async move { c.create_customer(&new, &opts).await }
            })
            .await
        }
    });
    let results = join_all(ops).await;
    let ids: HashSet<String> = results.iter().map(|((cust, _), _)| cust.id.clone()).collect();
    let resends: u32 = results.iter().map(|(_, sends)| sends - 1).sum();
    faults(&sb, json!({})).await;

    let s = stats(&sb).await;
    let listed = c.list_customers(&dinie_api::ListCustomers { limit: Some(100), ..Default::default() }).await.unwrap();
    let mut total = 0;
    let mut pages =
        std::pin::pin!(c.customer_pages(dinie_api::ListCustomers { limit: Some(100), ..Default::default() }));
    while let Some(p) = futures::TryStreamExt::try_next(&mut pages).await.unwrap() {
        total += p.data.len();
    }
    println!(
        "registrations under faults: requests {}, faults injected {}, client attempts {}, client retries {}, caller re-sends {}, \
         idempotent replays {}, customers created {}",
        s["requests"],
        s["faults_injected"],
        c.stats().attempts,
        c.stats().retries,
        resends,
        s["idempotent_replays"],
        s["customers_created"]
    );
    assert_eq!(ids.len(), 200, "200 distinct customers came back");
    assert_eq!(s["customers_created"], 200, "exactly 200 created: no duplicate, none lost");
    assert_eq!(total, 200);
    assert!(!listed.data.is_empty());
    assert!(s["faults_injected"].as_u64().unwrap() > 30, "the faults really happened: {s}");
    assert!(c.stats().retries > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_uploads_under_faults_leave_exactly_fifty_documents() {
    let sb = Sandbox::start_local(SandboxConfig {
        seed: Seed::Empty,
        review_delay: Duration::from_secs(600),
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&sb);
    // Ten MEI customers: five document items each (CNPJ adds the certificate).
    let mut customers = Vec::new();
    for i in 0..10u32 {
        let cnpj_base = format!("{:08}0001", 11_222_333 + i * 101);
        let new = NewCustomer {
            cpf: valid_cpf(1000 + i),
            cnpj: Some(cnpj(&cnpj_base)),
            external_id: Some(format!("mei-{i}")),
            ..Default::default()
        };
        customers.push(c.create_customer(&new, &Default::default()).await.unwrap().0.id);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.pdf");
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.resize(200 * 1024, b'x');
    std::fs::write(&file, &bytes).unwrap();
    one_in_three(&sb).await;
    let ops = customers.iter().flat_map(|id| {
        ["ccmei", "identity_card_front", "identity_card_back", "selfie", "proof_of_address"].map(|t| {
            let (c, id, file) = (c.clone(), id.clone(), file.clone());
            async move {
                let key = new_idempotency_key();
                until_done(|| {
                    let (c, id, file, opts) =
                        (c.clone(), id.clone(), file.clone(), RequestOptions::with_key(key.clone()));
                    async move { c.upload_document(&id, t, &file, &opts, None).await }
                })
                .await
            }
        })
    });
    let results = join_all(ops.collect::<Vec<_>>()).await;
    faults(&sb, json!({})).await;
    let s = stats(&sb).await;
    println!(
        "uploads under faults: requests {}, faults injected {}, client attempts {}, client retries {}, caller re-sends {}, \
         idempotent replays {}, documents stored {}",
        s["requests"],
        s["faults_injected"],
        c.stats().attempts,
        c.stats().retries,
        results.iter().map(|(_, n)| n - 1).sum::<u32>(),
        s["idempotent_replays"],
        s["documents_stored"]
    );
    let doc_ids: HashSet<String> = results.iter().map(|(d, _)| d.id.clone()).collect();
    assert_eq!(doc_ids.len(), 50);
    assert_eq!(s["documents_stored"], 50, "exactly 50 stored: no duplicate, none lost");
    for id in &customers {
        let docs: Value =
            reqwest::get(format!("{}/customers/{id}/documents", sb.admin_url())).await.unwrap().json().await.unwrap();
        assert_eq!(docs["data"].as_array().unwrap().len(), 5, "{id}");
    }
}
