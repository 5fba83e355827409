//! The desk on the wallets platform, against its sandbox over loopback and a real
//! SQLite file: sync, registering a business, a refusal naming its fields, a correction
//! of the billing address, a BVN check (record shown, never kept), wallets opened,
//! frozen with a reason and deleted, and customers pending polled until active.

use kyc_core::views::CreatedView;
use kyc_core::{CoreError, Desk, ProfileInfo, WriteResult};
use kyc_model::{FormValues, Stage};
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn config(seed: Seed) -> SandboxConfig {
    SandboxConfig { seed, review_delay: Duration::from_millis(200), ..SandboxConfig::wallets() }
}

async fn desk_at(base_url: &str, dir: &Path) -> Desk {
    let info = ProfileInfo { name: "wallets".into(), base_url: base_url.to_owned(), is_demo: true, webhooks: false };
    let creds = kyc_core::connectors::builtin_sandbox_credentials("wallets").unwrap();
    let key = kyc_store::CacheKey::from_bytes([9; 32]);
    Desk::connect("wallets", info, &creds, dir, Some(&key), Arc::new(|_| {})).await.unwrap()
}

async fn admin_get(sb: &Sandbox, path: &str) -> serde_json::Value {
    reqwest::get(format!("{}{path}", sb.admin_url())).await.unwrap().json().await.unwrap()
}

async fn admin(sb: &Sandbox, path: &str, body: serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", sb.admin_url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

fn business(email: &str) -> FormValues {
    FormValues::of([
        ("type", "business"),
        ("first_name", "Adebayo"),
        ("last_name", "Foods"),
        ("email", email),
        ("country", "ng"),
        ("phone_number", "0803 123 4567"),
        ("line1", "5 Broad Street"),
        ("city", "Lagos Island"),
        ("state", "Lagos"),
        ("zip_code", "102273"),
    ])
}

#[tokio::test]
async fn a_business_is_registered_corrected_and_polled_until_active() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk_at(&sb.base_url(), dir.path()).await;
    let WriteResult::Done { customer_id, created: true } = d.register(business("ops@adebayo.example")).await.unwrap()
    else {
        panic!()
    };
    let c = d.store().get_customer(&customer_id).await.unwrap().unwrap();
    assert_eq!((c.party, c.stage, c.phone.as_str()), (kyc_model::Party::Business, Stage::InReview, "+2348031234567"));
    // The platform decides; the desk polls customers still pending.
    for _ in 0..50 {
        d.refresh_in_flight().await.unwrap();
        if d.store().get_customer(&customer_id).await.unwrap().unwrap().stage == Stage::Approved {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(d.store().get_customer(&customer_id).await.unwrap().unwrap().status, "active");
    // Corrected: only the city changes, with the rest of the address kept.
    let r = d.correct(&customer_id, FormValues::of([("city", "Victoria Island")])).await.unwrap();
    assert!(matches!(r, WriteResult::Done { .. }), "{r:?}");
    let a = d.store().get_customer(&customer_id).await.unwrap().unwrap().address.unwrap();
    assert_eq!((a.city.as_str(), a.line1.as_str()), ("Victoria Island", "5 Broad Street"));
}

#[tokio::test]
async fn refusals_name_their_fields_and_nothing_is_queued() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk_at(&sb.base_url(), dir.path()).await;
    // Checked here first: a name with digits, a phone of another country.
    let mut bad = business("x@example.com");
    bad.0.insert("first_name".into(), "Ad3bayo".into());
    bad.0.insert("phone_number".into(), "+233 24 123 4567".into());
    let Err(CoreError::Invalid(errors)) = d.register(bad).await else { panic!("refused before sending") };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["first_name", "phone_number"]);
    // The platform's own 409 on the e-mail.
    d.register(business("taken@example.com")).await.unwrap();
    let WriteResult::Refused(e) = d.register(business("TAKEN@example.com")).await.unwrap() else { panic!() };
    assert_eq!(e.status, Some(409));
    assert_eq!(kyc_core::outbox::summary(d.store()).await.unwrap().pending, 0);
    // Sent again with another e-mail: created.
    let r = d.register(business("other@example.com")).await.unwrap();
    assert!(matches!(r, WriteResult::Done { created: true, .. }), "{r:?}");
}

#[tokio::test]
async fn a_bvn_check_flags_what_differs_and_keeps_only_who_checked() {
    let sb = Sandbox::start_local(config(Seed::Demo(36))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk_at(&sb.base_url(), dir.path()).await;
    d.full_sync().await.unwrap();
    let bvns = admin_get(&sb, "/bvns").await;
    let list = bvns.as_array().or_else(|| bvns["data"].as_array()).cloned().expect("the demo BVNs");
    let pick = |matches: bool| {
        list.iter()
            .find(|b| b["matches"].as_bool() == Some(matches))
            .map(|b| (b["bvn"].as_str().unwrap().to_owned(), b["customer_id"].as_str().unwrap().to_owned()))
            .expect("a demo BVN")
    };
    let check = |bvn: &str, consent: &str| FormValues::of([("bvn", bvn), ("consent", consent)]);
    let (bvn, customer) = pick(true);
    // No consent, no lookup.
    let Err(CoreError::Invalid(e)) = d.identity_check(&customer, check(&bvn, "")).await else { panic!() };
    assert_eq!(e[0].field, "consent");
    let ok = d.identity_check(&customer, check(&bvn, "yes")).await.unwrap();
    assert!(ok.matches, "{ok:?}");
    let (bvn, other) = pick(false);
    let differs = d.identity_check(&other, check(&bvn, "yes")).await.unwrap();
    assert!(!differs.matches);
    assert!(differs.facts.iter().any(|f| f.matches == Some(false)), "{differs:?}");
    // The timeline says who checked and the verdict; the record itself is nowhere.
    let timeline = d.customer_detail(&other).await.unwrap().timeline;
    let entry = timeline.iter().find(|c| c.kind == "identity_check").expect("recorded");
    assert_eq!(entry.new_value, "mismatch");
    assert_eq!(entry.message.as_deref(), Some(kyc_core::author().as_str()));
    let found: Vec<&str> = differs.facts.iter().map(|f| f.found.as_str()).collect();
    for c in &timeline {
        for f in &found {
            assert!(
                !c.message.as_deref().unwrap_or("").contains(f) || f.is_empty(),
                "the record leaked into the timeline"
            );
        }
    }
}

#[tokio::test]
async fn wallets_open_for_active_customers_freeze_with_a_reason_and_say_what_they_hold() {
    let sb = Sandbox::start_local(config(Seed::Empty)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk_at(&sb.base_url(), dir.path()).await;
    let mut v = business("hold.wallets@example.com");
    v.0.insert("type".into(), "individual".into());
    v.0.insert("last_name".into(), "Okoro".into());
    let WriteResult::Done { customer_id, .. } = d.register(v).await.unwrap() else { panic!() };
    let usd = FormValues::of([("currency", "USD")]);
    let e = d.create_product(&customer_id, "wallet", usd.clone()).await.unwrap_err();
    assert!(matches!(e, CoreError::Invalid(ref f) if f[0].field == "stage"), "only once active: {e:?}");
    admin(&sb, &format!("/customers/{customer_id}/status"), serde_json::json!({"status": "active"})).await;
    d.refresh_customer(&customer_id).await.unwrap();
    let CreatedView::Made { product } = d.create_product(&customer_id, "wallet", usd.clone()).await.unwrap() else {
        panic!()
    };
    assert_eq!((product.currency.as_deref(), product.amount.as_deref()), (Some("USD"), Some("0.00")));
    // A second USD wallet: the platform's 409, explained.
    let Err(CoreError::Api(f)) = d.create_product(&customer_id, "wallet", usd).await else { panic!("409") };
    assert_eq!(f.status(), Some(409));
    let wallet = product.id.clone();
    // Freezing needs a reason; unfreezing does not; a deleted wallet offers nothing.
    let Err(CoreError::Invalid(e)) = d.product_action(&customer_id, &wallet, "freeze", None).await else { panic!() };
    assert_eq!(e[0].field, "reason");
    d.product_action(&customer_id, &wallet, "freeze", Some("card reported stolen".into())).await.unwrap();
    assert!(d.product_action(&customer_id, &wallet, "freeze", Some("again".into())).await.is_err(), "not from frozen");
    d.product_action(&customer_id, &wallet, "unfreeze", None).await.unwrap();
    d.product_action(&customer_id, &wallet, "delete", Some("customer left".into())).await.unwrap();
    let status =
        d.store().products_for(&customer_id).await.unwrap().into_iter().find(|p| p.id == wallet).unwrap().status;
    assert_eq!(status, "deleted");
    assert!(d.product_action(&customer_id, &wallet, "unfreeze", None).await.is_err());
    let detail = d.product_detail(&customer_id, &wallet).await.unwrap();
    assert!(detail.events.iter().any(|e| e.reason.as_deref() == Some("card reported stolen")), "{detail:?}");
}

#[tokio::test]
async fn a_sync_reads_individuals_and_businesses_and_wallets_arrive_with_the_approved() {
    let sb = Sandbox::start_local(config(Seed::Demo(36))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk_at(&sb.base_url(), dir.path()).await;
    d.full_sync().await.unwrap();
    assert_eq!(d.store().count_customers().await.unwrap(), 36);
    let rows =
        d.list_customers(&kyc_core::views::CustomerListQuery { limit: 100, ..Default::default() }).await.unwrap().rows;
    let stages: std::collections::HashSet<&str> = rows.iter().map(|r| r.stage.as_str()).collect();
    assert!(stages.contains("approved") && stages.contains("in_review"), "{stages:?}");
    let approved = rows.iter().find(|r| r.stage == "approved").unwrap();
    let wallets = d.products(&approved.id).await.unwrap();
    assert!(wallets.iter().all(|w| w.kind == "wallet" && w.amount.as_ref().is_some_and(|m| m.amount.contains('.'))));
}
