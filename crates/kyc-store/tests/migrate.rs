//! A cache file made by the release before the provider-neutral schema
//! (`fixtures/cache-0.1-dinie.sqlite`, see `fixtures/README.md`), opened by today's
//! code: upgraded in place, nothing lost.

use kyc_model::{IdKind, Party, Stage};
use kyc_store::{OutboxState, SearchQuery, Store};

async fn upgraded() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache-0.1-dinie.sqlite"), &path).unwrap();
    let store = Store::open(&path).await.expect("the old cache opens and is upgraded");
    (dir, store)
}

#[tokio::test]
async fn every_customer_survives_with_its_identifiers_party_and_stage() {
    let (_dir, store) = upgraded().await;
    assert_eq!(store.count_customers().await.unwrap(), 3);

    let ana = store.get_customer("cust_ana").await.unwrap().unwrap();
    assert_eq!(
        (ana.name.as_str(), ana.email.as_str(), ana.phone.as_str()),
        ("Ana Luísa Souza", "ana@example.com", "+5511999990001")
    );
    assert_eq!(ana.identifier(&IdKind::Cpf), Some("12345678909"));
    assert_eq!(ana.identifiers.len(), 1);
    assert_eq!(ana.party, Party::Person);
    assert_eq!((ana.status.as_str(), ana.stage), ("pending_kyc", Stage::AwaitingCustomer));
    assert_eq!(ana.external_id.as_deref(), Some("REF-ANA-1"));
    assert_eq!(ana.kyc.len(), 3);
    assert_eq!(ana.kyc[0].status.as_str(), "rejected");
    assert_eq!(ana.kyc[0].message.as_deref(), Some("Documento ilegível"));

    let bruno = store.get_customer("cust_bruno").await.unwrap().unwrap();
    assert_eq!(bruno.party, Party::Business, "a CNPJ makes a business");
    assert_eq!(bruno.identifier(&IdKind::Cnpj), Some("11222333000181"));
    assert_eq!(bruno.identifier(&IdKind::Cpf), Some("52998224725"));
    assert_eq!(bruno.trading_name.as_deref(), Some("Lima Pães ME"));
    assert_eq!((bruno.status.as_str(), bruno.stage), ("active", Stage::Approved));

    let carla = store.get_customer("cust_carla").await.unwrap().unwrap();
    assert_eq!((carla.status.as_str(), carla.stage), ("denied", Stage::Rejected), "the status kept verbatim");

    // The search index and the per-stage totals were rebuilt from the rows.
    let find = |text: &str| SearchQuery { text: text.into(), limit: 10, ..Default::default() };
    let ids = |r: kyc_store::SearchResult| r.customers.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(store.search(&find("11.222.333/0001")).await.unwrap()), ["cust_bruno"]);
    assert_eq!(ids(store.search(&find("123.456")).await.unwrap()), ["cust_ana"]);
    assert_eq!(ids(store.search(&find("paes")).await.unwrap()), ["cust_bruno"]);
    assert_eq!(ids(store.search(&find("ref-carla")).await.unwrap()), ["cust_carla"]);
    let mut counts = store.stage_counts().await.unwrap();
    counts.sort();
    assert_eq!(counts, [("approved".into(), 1), ("awaiting_customer".into(), 1), ("rejected".into(), 1)]);
}

#[tokio::test]
async fn timeline_products_documents_outbox_and_drafts_survive() {
    let (_dir, store) = upgraded().await;
    let timeline = store.changes_for("cust_bruno").await.unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!((timeline[0].kind.as_str(), timeline[0].new_value.as_str()), ("status", "active"));
    assert_eq!(store.changes_for("cust_ana").await.unwrap().len(), 1);

    let products = store.products_for("cust_bruno").await.unwrap();
    assert_eq!(products.len(), 1, "the credit offer is a product now");
    let offer = &products[0];
    assert_eq!(
        (offer.id.as_str(), offer.kind.as_str(), offer.status.as_str()),
        ("offer_1", "credit_offer", "available")
    );
    let amount = offer.amount.as_ref().unwrap();
    assert_eq!((amount.amount.as_str(), amount.currency.as_str()), ("15000.00", "BRL"));
    assert_eq!(offer.rate_percent.as_deref(), Some("3.5"));
    assert!(offer.expires_at.is_some());

    assert_eq!(store.documents_for("cust_bruno").await.unwrap().len(), 1);
    assert_eq!(store.documents_for("cust_ana").await.unwrap().len(), 1, "the queued upload's document");

    let open = store.outbox_open().await.unwrap();
    assert_eq!(open.iter().map(|e| e.op.as_str()).collect::<Vec<_>>(), ["register", "correct", "upload"]);
    assert!(open.iter().all(|e| e.state == OutboxState::Pending));
    let register: serde_json::Value = serde_json::from_str(&open[0].payload).unwrap();
    assert_eq!(
        register,
        serde_json::json!({"register": {"cpf": "390.533.447-05", "cnpj": "", "name": "Davi Rocha",
            "email": "davi@example.com", "phone": "+5511911112222", "trading_name": "Rocha Bikes",
            "external_id": "REF-DAVI"}}),
        "the queued registration takes the form's keys, every value kept"
    );
    let correct: serde_json::Value = serde_json::from_str(&open[1].payload).unwrap();
    assert_eq!(correct, serde_json::json!({"correct": {"email": "ana.souza@example.com"}}), "only what it changes");
    assert!(
        open[2].file_path.as_deref().is_some_and(|p| p.ends_with("-rg.pdf")),
        "the upload still points at its copy"
    );
    let keys: std::collections::HashSet<_> = open.iter().map(|e| e.idempotency_key.clone()).collect();
    assert_eq!(keys.len(), 3, "each write keeps its idempotency key");

    let draft: serde_json::Value = serde_json::from_str(&store.draft("register").await.unwrap().unwrap()).unwrap();
    assert_eq!(draft["trading_name"], "Eva Doces");
    assert_eq!(draft["external_id"], "REF-EVA");
    assert_eq!(draft["name"], "Eva Prado");
    assert!(draft.get("tradingName").is_none());
    assert!(store.last_sync().await.unwrap().is_some());
}

#[tokio::test]
async fn an_upgraded_cache_opens_again_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache-0.1-dinie.sqlite"), &path).unwrap();
    let first = Store::open(&path).await.unwrap();
    let before = first.get_customer("cust_bruno").await.unwrap();
    first.close().await;
    let again = Store::open(&path).await.unwrap();
    assert_eq!(again.get_customer("cust_bruno").await.unwrap(), before);
    assert_eq!(again.outbox_open().await.unwrap().len(), 3);
}

/// What waits on the partner is worked out for the customers an older version cached,
/// as the store writes it for new ones: the queue finds them without re-syncing.
#[tokio::test]
async fn customers_cached_before_are_found_by_the_work_queue() {
    let (_dir, store) = upgraded().await;
    let now = time::OffsetDateTime::now_utc();
    let read = store.waiting(now, true, None, None, 50).await.unwrap();
    let all = store.search(&kyc_store::SearchQuery { limit: 50, ..Default::default() }).await.unwrap().customers;
    for c in &all {
        let listed = read.oldest.iter().find(|w| w.id == c.id && w.reason != "long_review" && w.reason != "next_step");
        match c.attention() {
            Some(a) => {
                let w = listed.unwrap_or_else(|| panic!("{} waits for {}", c.id, a.reason));
                assert_eq!(
                    (w.reason.as_str(), w.detail.as_deref(), w.since),
                    (a.reason, Some(a.detail.as_str()), a.since)
                );
            }
            None => assert!(listed.is_none(), "{} waits on nothing in its checklist", c.id),
        }
    }
    assert!(read.oldest.iter().any(|w| w.id == "cust_ana" && w.reason == "document_rejected"), "{:?}", read.oldest);
}
