//! The desk on Cartevo, against the Cartevo sandbox over loopback and a real SQLite
//! file: the sync of a list without KYC statuses, registration with the ID files
//! (online, and offline through the outbox), hosted ID images copied for offline
//! viewing, cards issued exactly once through injected faults, freeze and unfreeze.

mod common;

use kyc_core::events::CoreEvent;
use kyc_core::views::CreatedView;
use kyc_core::{Created, Desk, ProfileInfo, WriteResult};
use kyc_model::{FormValues, Stage};
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Events = Arc<Mutex<Vec<CoreEvent>>>;

fn config(seed: Seed) -> SandboxConfig {
    SandboxConfig { seed, review_delay: Duration::from_millis(100), ..SandboxConfig::cartevo() }
}

async fn desk_at(base_url: &str, dir: &Path) -> (Desk, Events) {
    let events: Events = Arc::default();
    let sink = events.clone();
    let info = ProfileInfo { name: "cartevo".into(), base_url: base_url.to_owned(), is_demo: true, webhooks: false };
    let creds = kyc_core::connectors::builtin_sandbox_credentials("cartevo").unwrap();
    let key = kyc_store::CacheKey::from_bytes([7; 32]);
    let desk = Desk::connect("cartevo", info, &creds, dir, Some(&key), Arc::new(move |e| sink.lock().unwrap().push(e)))
        .await
        .unwrap();
    (desk, events)
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 200) as u8, (y % 200) as u8, 40]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn registration(d: &Desk, email: &str, doc: &str, birth: &str) -> FormValues {
    let front = d.attach_file("id_document_front", "front.png", png(500, 320)).unwrap();
    let back = d.attach_file("id_document_back", "back.png", png(500, 320)).unwrap();
    FormValues::of([
        ("first_name", "Amara"),
        ("last_name", "Nwosu"),
        ("email", email),
        ("date_of_birth", birth),
        ("country_phone_code", "+234"),
        ("phone_number", "803 123 4567"),
        ("street", "4 Adeola Odeku"),
        ("city", "Lagos"),
        ("state", "Lagos"),
        ("postal_code", "101241"),
        ("country", "Nigeria"),
        ("country_iso_code", "ng"),
        ("id_document_type", doc),
        ("identification_number", "70123456789"),
        ("id_document_front", &front.id),
        ("id_document_back", &back.id),
    ])
}

async fn wait_for(d: &Desk, id: &str, stage: Stage) -> kyc_model::Customer {
    for _ in 0..100 {
        d.refresh_customer(id).await.unwrap();
        let c = d.store().get_customer(id).await.unwrap().unwrap();
        if c.stage == stage {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{id} never reached {stage:?}");
}

#[tokio::test]
async fn a_full_sync_reads_each_summary_in_full_and_a_second_reads_only_what_is_new() {
    let sb = Sandbox::start_local(config(Seed::Demo(40))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&sb.base_url(), dir.path()).await;
    d.full_sync().await.unwrap();
    assert_eq!(d.store().count_customers().await.unwrap(), 40);
    let page = d.list_customers(&common::everything()).await.unwrap();
    // Statuses, identities and addresses come from each customer's own read.
    let stages: std::collections::HashSet<String> = page.rows.iter().map(|r| r.stage.clone()).collect();
    for s in ["approved", "in_review", "rejected"] {
        assert!(stages.contains(s), "{s} in {stages:?}");
    }
    assert!(page.rows.iter().all(|r| !r.identifiers.is_empty()), "every customer has its ID number");
    // Nothing changed: the next sync reads no customer in full.
    let before = stats(&sb).await["requests"].as_u64().unwrap();
    d.sync().await.unwrap();
    let reads = stats(&sb).await["requests"].as_u64().unwrap() - before;
    assert!(reads <= 4, "an unchanged list costs its pages, not a read per customer ({reads})");
}

#[tokio::test]
async fn a_full_sync_while_customers_are_created_caches_everyone_once() {
    let sb = Sandbox::start_local(config(Seed::Demo(230))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&sb.base_url(), dir.path()).await;
    // Every list call first creates a customer before all the others: the pages shift
    // under the walk (the last of one page comes again first on the next).
    admin(&sb, "/churn", serde_json::json!({"per_list": 1, "at": "start"})).await;
    let progress = d.full_sync().await.unwrap();
    admin(&sb, "/churn", serde_json::json!({"per_list": 0})).await;
    let cached = d.store().count_customers().await.unwrap();
    let total = stats(&sb).await["customers"].as_u64().unwrap();
    assert!(cached > 230, "nobody there before the sync is lost, newcomers read ({cached})");
    assert_eq!(u64::from(progress.customers), cached, "each customer counted once");
    // The walk went round again for the newcomers; only those made during its last
    // round wait for the next walk, which reads them.
    d.full_sync().await.unwrap();
    assert_eq!(d.store().count_customers().await.unwrap(), total, "the next sync has everyone");
}

async fn stats(sb: &Sandbox) -> serde_json::Value {
    reqwest::get(format!("{}/stats", sb.admin_url())).await.unwrap().json().await.unwrap()
}

async fn admin(sb: &Sandbox, path: &str, body: serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", sb.admin_url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

#[tokio::test]
async fn registering_sends_both_files_and_keeps_them_as_the_customers_documents() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, events) = desk_at(&sb.base_url(), dir.path()).await;
    let values = registration(&d, "amara@example.com", "NIN", "1990-04-02");
    assert!(d.validate("register", &values).unwrap().is_empty());
    let WriteResult::Done { customer_id, created: true } = d.register(values).await.unwrap() else { panic!() };
    let c = d.store().get_customer(&customer_id).await.unwrap().unwrap();
    assert_eq!((c.stage, c.phone.as_str()), (Stage::InReview, "+2348031234567"));
    // The files went out with progress and are now the customer's, readable here.
    assert!(events.lock().unwrap().iter().any(|e| matches!(e, CoreEvent::UploadProgress { item_type, sent, total, .. } if item_type == "register" && sent == total)));
    let docs = d.customer_detail(&customer_id).await.unwrap().documents;
    assert_eq!(docs.len(), 2);
    let front = docs.iter().find(|x| x.item_type == "id_document_front").unwrap();
    assert!(front.local_copy && front.thumbnail.is_some() && front.uploaded_at.is_some());
    let bytes = d.document_bytes(&customer_id, &front.id).await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    // Cartevo's review ends: approved.
    wait_for(&d, &customer_id, Stage::Approved).await;
}

#[tokio::test]
async fn a_refused_registration_names_its_fields_and_a_missing_file_is_asked_again() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&sb.base_url(), dir.path()).await;
    // Under 18: refused here, before anything is sent, with the age.
    let young = registration(&d, "young@example.com", "NIN", "2012-01-01");
    let errors = d.validate("register", &young).unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "date_of_birth");
    assert!(errors[0].message.contains("the customer is 14"), "{}", errors[0].message);
    assert!(matches!(d.register(young).await, Err(kyc_core::CoreError::Invalid(_))));
    assert_eq!(stats(&sb).await["customers_created"], 0);
    // The back is required for a NIN, and a file id the desk no longer holds is asked again.
    let mut no_back = registration(&d, "a@example.com", "NIN", "1990-01-01");
    no_back.0.remove("id_document_back");
    assert_eq!(d.validate("register", &no_back).unwrap()[0].field, "id_document_back");
    let mut stale = registration(&d, "a@example.com", "PASSPORT", "1990-01-01");
    stale.0.insert("id_document_front".into(), "file-gone".into());
    assert_eq!(d.validate("register", &stale).unwrap()[0].code, "file_missing");
    // A 409 from Cartevo lands on the e-mail and keeps nothing queued.
    let first = registration(&d, "taken@example.com", "PASSPORT", "1990-01-01");
    assert!(matches!(d.register(first).await.unwrap(), WriteResult::Done { .. }));
    let mut again = registration(&d, "TAKEN@example.com", "PASSPORT", "1990-01-01");
    again.0.insert("identification_number".into(), "A9999999".into());
    let WriteResult::Refused(e) = d.register(again).await.unwrap() else { panic!("a 409") };
    assert_eq!((e.status, e.field_errors[0].field.as_str()), (Some(409), "email"));
    assert_eq!(kyc_core::outbox::summary(d.store()).await.unwrap().pending, 0);
}

#[tokio::test]
async fn a_registration_can_point_at_id_images_already_hosted() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&sb.base_url(), dir.path()).await;
    let mut v = registration(&d, "hosted@example.com", "DRIVERS_LICENSE", "1979-02-11");
    v.0.insert("document_source".into(), "URLS".into());
    // The files attached are not used; the addresses are required instead.
    let missing: Vec<String> = d.validate("register", &v).unwrap().into_iter().map(|e| e.field).collect();
    assert_eq!(missing, ["id_document_front_url", "id_document_back_url"]);
    v.0.insert("id_document_front_url".into(), "http://cdn.example.com/front.png".into());
    assert_eq!(d.validate("register", &v).unwrap()[0].code, "invalid_url", "https only");
    v.0.insert("id_document_front_url".into(), "https://cdn.example.com/front.png".into());
    v.0.insert("id_document_back_url".into(), "https://cdn.example.com/back.png".into());
    let WriteResult::Done { customer_id, created: true } = d.register(v).await.unwrap() else { panic!() };
    assert!(d.customer_detail(&customer_id).await.unwrap().documents.is_empty(), "no file was sent");
    assert_eq!(stats(&sb).await["customers_created"], 1);
    wait_for(&d, &customer_id, Stage::Approved).await;
}

#[tokio::test]
async fn offline_the_registration_and_its_files_wait_in_the_outbox_and_go_once() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&format!("http://{addr}/api/v1"), dir.path()).await;
    let r = d.register(registration(&d, "off@example.com", "DRIVERS_LICENSE", "1985-06-30")).await.unwrap();
    assert!(matches!(r, WriteResult::Queued { .. }), "{r:?}");
    // The files are sealed on disk, not in the clear.
    let mut sealed = 0;
    for e in std::fs::read_dir(dir.path().join("documents")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        assert!(!bytes.windows(4).any(|w| w == b"IHDR"), "a clear PNG on disk");
        sealed += 1;
    }
    assert_eq!(sealed, 2);
    let sb = Sandbox::start(addr, config(Seed::Empty)).await.unwrap();
    let report = d.replay_outbox().await.unwrap();
    let [(_, kyc_core::outbox::Outcome::Done { customer_id, created: true })] = report.outcomes.as_slice() else {
        panic!("{report:?}")
    };
    assert_eq!(stats(&sb).await["customers_created"], 1);
    assert_eq!(d.customer_detail(customer_id).await.unwrap().documents.len(), 2);
    assert!(d.replay_outbox().await.unwrap().outcomes.is_empty(), "sent once");
}

#[tokio::test]
async fn the_id_images_cartevo_hosts_are_copied_once_and_read_offline() {
    let sb = Sandbox::start_local(config(Seed::Demo(12))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&sb.base_url(), dir.path()).await;
    d.full_sync().await.unwrap();
    let rows = d.list_customers(&common::everything()).await.unwrap().rows;
    let nin = rows.iter().find(|r| r.identifiers.iter().any(|i| i.kind == "nin")).expect("a NIN holder");
    assert_eq!(d.cache_hosted_documents(&nin.id).await.unwrap(), 2, "front and back");
    assert_eq!(d.cache_hosted_documents(&nin.id).await.unwrap(), 0, "once");
    let docs = d.customer_detail(&nin.id).await.unwrap().documents;
    assert!(docs.iter().all(|x| x.hosted && x.local_copy));
    drop(sb);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let bytes = d.document_bytes(&nin.id, &docs[0].id).await.unwrap();
    assert!(!bytes.is_empty(), "readable with the API gone");
}

#[tokio::test]
async fn fifty_cards_through_a_third_of_requests_failing_are_exactly_fifty() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&sb.base_url(), dir.path()).await;
    let WriteResult::Done { customer_id, .. } =
        d.register(registration(&d, "cards@example.com", "PASSPORT", "1980-01-01")).await.unwrap()
    else {
        panic!()
    };
    wait_for(&d, &customer_id, Stage::Approved).await;
    let provider = kyc_core::connectors::open(
        "cartevo",
        &sb.base_url(),
        &kyc_core::connectors::builtin_sandbox_credentials("cartevo").unwrap(),
    )
    .unwrap();
    // A third of requests fail: half before they are handled (503), half after (the
    // answer dropped). The user asks again only when the desk says none was made.
    admin(&sb, "/faults", serde_json::json!({"ratio": 0.33, "kinds": ["503", "drop"]})).await;
    let values = FormValues::of([("brand", "MASTERCARD"), ("name_on_card", "AMARA NWOSU"), ("amount", "10")]);
    let (mut made, mut recovered, mut asked) = (0, 0, 0);
    while made < 50 {
        asked += 1;
        assert!(asked < 500, "too many attempts");
        match provider.create_product(&customer_id, "card", &values).await {
            Ok(Created::Made(_)) => made += 1,
            Ok(Created::Recovered(_)) => {
                made += 1;
                recovered += 1;
            }
            // Not made (the answer lost and no new card), or the cards could not even
            // be read before sending: asked again.
            Ok(Created::NotMade(_)) => {}
            Err(e) => {
                let e = kyc_core::ErrorView::from(e);
                assert!(!e.message.contains("may have been issued"), "an unknown outcome: {}", e.message);
            }
        }
    }
    admin(&sb, "/faults", serde_json::json!({"ratio": 0.0})).await;
    let cards = provider.products(&customer_id).await.unwrap();
    assert_eq!(cards.len(), 50, "exactly the 50 intended ({asked} attempts, {recovered} recovered)");
    assert!(recovered > 0, "some answers were lost and recovered by reading the cards");
    // Through the desk: the product shows, and freezing follows the allowed transitions.
    d.products(&customer_id).await.unwrap();
    let card = d.store().products_for(&customer_id).await.unwrap().remove(0);
    d.product_action(&customer_id, &card.id, "freeze", None).await.unwrap();
    let frozen = d.store().products_for(&customer_id).await.unwrap().into_iter().find(|p| p.id == card.id).unwrap();
    assert_eq!(frozen.status, "FROZEN");
    assert!(d.product_action(&customer_id, &card.id, "freeze", None).await.is_err(), "not offered from FROZEN");
    d.product_action(&customer_id, &card.id, "unfreeze", None).await.unwrap();
}

#[tokio::test]
async fn a_card_is_only_for_an_approved_customer_and_the_desk_says_what_it_made() {
    let sb = Sandbox::start_local(SandboxConfig { review_delay: Duration::from_secs(60), ..config(Seed::Empty) })
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&sb.base_url(), dir.path()).await;
    let WriteResult::Done { customer_id, .. } =
        d.register(registration(&d, "wait@example.com", "PASSPORT", "1980-01-01")).await.unwrap()
    else {
        panic!()
    };
    let values = FormValues::of([("brand", "VISA"), ("name_on_card", "AMARA NWOSU"), ("amount", "0")]);
    let e = d.create_product(&customer_id, "card", values.clone()).await.unwrap_err();
    assert!(matches!(e, kyc_core::CoreError::Invalid(ref f) if f[0].field == "stage"), "{e:?}");
    admin(&sb, &format!("/customers/{customer_id}/kyc"), serde_json::json!({"status": "APPROVED"})).await;
    d.refresh_customer(&customer_id).await.unwrap();
    let bad = FormValues::of([("brand", "AMEX"), ("name_on_card", &"X".repeat(51)), ("amount", "-1")]);
    let Err(kyc_core::CoreError::Invalid(errors)) = d.create_product(&customer_id, "card", bad).await else { panic!() };
    assert_eq!(errors.len(), 3, "{errors:?}");
    let CreatedView::Made { product } = d.create_product(&customer_id, "card", values).await.unwrap() else { panic!() };
    assert_eq!(
        (product.status.as_str(), product.amount.as_deref()),
        ("ACTIVE", Some("0.00")),
        "the balance as Cartevo wrote it"
    );
    assert_eq!(d.customer_detail(&customer_id).await.unwrap().products.len(), 1);
}
