//! The client against the Cartevo sandbox (an independent implementation of the
//! contract, over loopback HTTP): auth, every error shape, the multipart registration
//! with progress, the page walk under churn, cards, retries and what is never retried.

use cartevo_api::{Client, Config, DocumentFile, Error, NewCard, NewCustomer};
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn sandbox(cfg: SandboxConfig) -> Sandbox {
    Sandbox::start_local(cfg).await.unwrap()
}

fn client(sb: &Sandbox) -> Client {
    let mut cfg = Config::new(sb.base_url(), kyc_sandbox::CARTEVO_CLIENT_ID, kyc_sandbox::CARTEVO_CLIENT_KEY);
    cfg.backoff = Duration::from_millis(10);
    Client::new(cfg).unwrap()
}

async fn admin(sb: &Sandbox, path: &str, body: serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", sb.admin_url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

/// A PNG of `w`×`h` pixels.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 255) as u8, (y % 255) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn file(name: &str, bytes: Vec<u8>) -> DocumentFile {
    DocumentFile { file_name: name.into(), bytes: Arc::new(bytes) }
}

fn person(email: &str, id_number: &str, doc: &str) -> NewCustomer {
    NewCustomer {
        first_name: "Ngozi".into(),
        last_name: "Okafor".into(),
        email: email.into(),
        country: "Nigeria".into(),
        street: "12 Marina Road".into(),
        city: "Lagos".into(),
        state: "Lagos State".into(),
        postal_code: "100001".into(),
        country_iso_code: "NG".into(),
        country_phone_code: "+234".into(),
        phone_number: "8031234567".into(),
        identification_number: id_number.into(),
        id_document_type: doc.into(),
        date_of_birth: "1990-01-15".into(),
    }
}

fn empty() -> SandboxConfig {
    SandboxConfig { seed: Seed::Empty, review_delay: Duration::from_millis(100), ..SandboxConfig::cartevo() }
}

#[tokio::test]
async fn registers_with_both_files_streamed_with_progress_then_kyc_is_approved() {
    let sb = sandbox(empty()).await;
    let c = client(&sb);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let progress: cartevo_api::Progress = Arc::new(move |sent, total| s2.lock().unwrap().push((sent, total)));
    let (front, back) = (png(640, 400), png(640, 400));
    let total = (front.len() + back.len()) as u64;
    let created = c
        .create_customer(
            &person("ngozi@example.com", "12345678901", "NIN"),
            file("front.png", front.clone()),
            Some(file("back.png", back)),
            false,
            Some(progress),
        )
        .await
        .unwrap();
    assert_eq!(created.first_name, "Ngozi");
    assert!(created.kyc_status.is_none(), "the 201 carries no KYC status");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.last(), Some(&(total, total)), "progress reaches the total of both files");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "progress only grows");
    // The review ends (100 ms here): APPROVED, and the front image is the bytes sent.
    let mut full = c.get_customer(&created.id).await.unwrap();
    for _ in 0..50 {
        if full.kyc_status.as_deref() != Some("PENDING") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        full = c.get_customer(&created.id).await.unwrap();
    }
    assert_eq!(full.kyc_status.as_deref(), Some("APPROVED"));
    assert_eq!((full.birth_date(), full.id_number()), (Some("1990-01-15"), Some("12345678901")));
    let (bytes, content_type) = c.fetch_document(full.image.as_deref().unwrap()).await.unwrap();
    assert_eq!((bytes, content_type.as_str()), (front, "image/png"));
}

#[tokio::test]
async fn every_refusal_arrives_on_the_field_it_names() {
    let sb = sandbox(empty()).await;
    let c = client(&sb);
    let front = || file("front.png", png(400, 300));
    // Field validation: an array of messages, each placed on its field.
    let mut bad = person("x@example.com", "1", "PASSPORT");
    bad.first_name = "Al".into();
    bad.country_iso_code = "Nigeria".into();
    let e = c.create_customer(&bad, front(), None, false, None).await.unwrap_err();
    let api = e.api().expect("an API error");
    assert_eq!(api.status, 400);
    let fields: Vec<&str> = api.fields.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"first_name") && fields.contains(&"country_iso_code"), "{api:?}");
    // Under 18: a business rule, on the date of birth.
    let mut young = person("young@example.com", "2", "PASSPORT");
    young.date_of_birth = "2015-01-01".into();
    let e = c.create_customer(&young, front(), None, false, None).await.unwrap_err();
    assert_eq!(e.api().unwrap().fields[0].field, "date_of_birth");
    // Unreadable document: 422 on the front.
    let e = c
        .create_customer(
            &person("u@example.com", "3", "PASSPORT"),
            file("unreadable.png", png(400, 300)),
            None,
            false,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!((e.api().unwrap().status, e.api().unwrap().fields[0].field.as_str()), (422, "id_document_front"));
    // A duplicate e-mail: 409 on the e-mail; a duplicate ID number: on it.
    c.create_customer(&person("dup@example.com", "4", "PASSPORT"), front(), None, false, None).await.unwrap();
    let e =
        c.create_customer(&person("DUP@example.com", "5", "PASSPORT"), front(), None, false, None).await.unwrap_err();
    assert_eq!((e.api().unwrap().status, e.api().unwrap().fields[0].field.as_str()), (409, "email"));
    let e =
        c.create_customer(&person("other@example.com", "4", "PASSPORT"), front(), None, false, None).await.unwrap_err();
    assert_eq!(e.api().unwrap().fields[0].field, "identification_number");
    // Files are checked before anything is sent.
    let before = c.stats().attempts;
    let e = c
        .create_customer(
            &person("t@example.com", "6", "PASSPORT"),
            file("a.png", b"not an image".to_vec()),
            None,
            false,
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "id_document_front"));
    assert_eq!(c.stats().attempts, before, "nothing sent");
    // An unknown customer is a 404 with a message.
    let e = c.get_customer("00000000-0000-0000-0000-000000000000").await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 404);
}

#[tokio::test]
async fn tokens_are_reused_refreshed_ahead_of_expiry_and_fetched_again_after_a_401() {
    let sb = sandbox(SandboxConfig { seed: Seed::Demo(5), ..SandboxConfig::cartevo() }).await;
    let c = client(&sb);
    c.list_customers(1, 10).await.unwrap();
    c.list_customers(1, 10).await.unwrap();
    assert_eq!(c.stats().token_fetches, 1, "one token for both calls");
    // Revoked under it: the 401 is answered by one fresh token and one retry.
    admin(&sb, "/tokens/expire", serde_json::json!({})).await;
    c.list_customers(1, 10).await.unwrap();
    assert_eq!(c.stats().token_fetches, 2);
    // A token with less than 5 minutes left is not used: fetched again each time.
    let short =
        sandbox(SandboxConfig { seed: Seed::Demo(2), token_ttl: Duration::from_secs(200), ..SandboxConfig::cartevo() })
            .await;
    let c = client(&short);
    c.list_customers(1, 10).await.unwrap();
    c.list_customers(1, 10).await.unwrap();
    assert_eq!(c.stats().token_fetches, 2, "refreshed ahead of expiry");
    // Wrong credentials: a 401, not a loop.
    let mut cfg = Config::new(short.base_url(), "client_sandbox", "wrong");
    cfg.backoff = Duration::from_millis(10);
    let e = Client::new(cfg).unwrap().list_customers(1, 10).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 401);
}

#[tokio::test]
async fn a_walk_loses_no_customer_and_counts_none_twice_while_customers_are_created() {
    let sb = sandbox(SandboxConfig { seed: Seed::Demo(95), ..SandboxConfig::cartevo() }).await;
    let c = client(&sb);
    let plain = c.all_customers(10).await.unwrap();
    assert_eq!(plain.len(), 95);
    for at in ["end", "start"] {
        // Every list call now first inserts a customer (at the end, or before all).
        admin(&sb, "/churn", serde_json::json!({"per_list": 1, "at": at})).await;
        let walked = c.all_customers(10).await.unwrap();
        admin(&sb, "/churn", serde_json::json!({"per_list": 0})).await;
        let truth = c.all_customers(100).await.unwrap();
        let ids: std::collections::HashSet<&str> = walked.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), walked.len(), "{at}: nobody twice");
        // Everyone there when the walk began, and everyone it was told of, is in it.
        for p in &plain {
            assert!(ids.contains(p.id.as_str()), "{at}: {} lost", p.id);
        }
        if at == "end" {
            // Created at the end: read on the last page, all but one made after it.
            assert!(truth.len() - walked.len() <= 1, "{at}: {} missing", truth.len() - walked.len());
        } else {
            // Created before everyone: the pages shift under the walk, so the same
            // customers come again on the next page (read once) and the walk goes round
            // again for the newcomers; those made after its last round wait for the next sync.
            assert!(walked.len() > plain.len(), "{at}: newcomers read");
        }
    }
}

#[tokio::test]
async fn reads_and_freezes_are_retried_but_an_issue_is_sent_once() {
    let sb = sandbox(SandboxConfig { seed: Seed::Demo(20), ..SandboxConfig::cartevo() }).await;
    let c = client(&sb);
    admin(&sb, "/faults", serde_json::json!({"fail_next": 2, "fail_status": 503})).await;
    c.list_customers(1, 10).await.unwrap();
    assert_eq!(c.stats().retries, 2);
    // An approved customer without cards: a 404 there is no cards.
    let mut approved = None;
    for s in c.all_customers(100).await.unwrap() {
        let full = c.get_customer(&s.id).await.unwrap();
        if full.kyc_status.as_deref() == Some("APPROVED") && c.list_cards(&s.id).await.unwrap().is_empty() {
            approved = Some(full);
            break;
        }
    }
    let approved = approved.expect("the demo seed has an approved customer without cards");
    let card = NewCard {
        customer_id: approved.id.clone(),
        brand: "VISA".into(),
        name_on_card: "NGOZI OKAFOR".into(),
        amount: "25.50".into(),
    };
    admin(&sb, "/faults", serde_json::json!({"fail_next": 1, "fail_status": 503})).await;
    let before = c.stats().attempts;
    let e = c.create_card(&card).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 503);
    assert_eq!(c.stats().attempts - before, 1, "POST /cards is never retried");
    let made = c.create_card(&card).await.unwrap();
    assert_eq!((made.status.as_str(), made.balance.as_deref()), ("ACTIVE", Some("25.50")));
    assert_eq!(c.list_cards(&approved.id).await.unwrap().len(), 1);
    admin(&sb, "/faults", serde_json::json!({"fail_next": 1, "fail_status": 503})).await;
    assert_eq!(c.freeze_card(&made.id).await.unwrap().card_status, "FROZEN");
    let e = c.freeze_card(&made.id).await.unwrap_err();
    assert_eq!(e.api().unwrap().status, 400, "only an active card can be frozen");
    assert_eq!(c.unfreeze_card(&made.id).await.unwrap().card_status, "ACTIVE");
}

#[tokio::test]
async fn the_token_goes_only_to_the_apis_own_origin() {
    let sb = sandbox(empty()).await;
    let c = client(&sb);
    // Plain http to another host is refused before anything is sent.
    let e = c.fetch_document("http://example.com/front.png").await.unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }));
    // The sandbox's own file URLs need the token: without it, 401.
    let created = c
        .create_customer(&person("f@example.com", "7", "PASSPORT"), file("front.png", png(300, 300)), None, false, None)
        .await
        .unwrap();
    let url = created.image.clone().unwrap();
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 401);
    assert!(c.fetch_document(&url).await.is_ok());
}
