//! Sync from the real sandbox over loopback into a real SQLite file.

mod common;

use common::*;
use kyc_core::events::CoreEvent;
use kyc_core::sync::{META_FULL_SYNC_CURSOR, SyncKind};
use kyc_core::views::CustomerListQuery;
use kyc_sandbox::Seed;
use serde_json::json;

#[tokio::test]
async fn full_sync_caches_every_customer_once_and_reports_progress() {
    let sb = sandbox(Seed::Demo(250)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, events) = desk(&sb, dir.path()).await;
    let report = d.sync().await.unwrap();
    assert_eq!(
        (report.customers, report.pages, report.done, report.resumed, report.kind),
        (250, 3, true, false, SyncKind::Full)
    );
    let progress: Vec<u32> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| if let CoreEvent::SyncProgress(p) = e { Some(p.customers) } else { None })
        .collect();
    // The first page is written (and shown) at once; the rest in batches of up to 1,000.
    assert_eq!(progress, [100, 250]);
    // Told with the customers themselves (as the list shows them), each once it is cached.
    let told = || {
        let mut rows: Vec<(String, String)> = events
            .lock()
            .unwrap()
            .iter()
            .filter_map(
                |e| if let CoreEvent::CustomersUpdated { customers } = e { Some(customers.clone()) } else { None },
            )
            .flatten()
            .map(|r| (r.id, r.name))
            .collect();
        rows.sort();
        rows.dedup();
        rows
    };
    let t = std::time::Instant::now();
    while told().len() < 250 {
        assert!(t.elapsed() < std::time::Duration::from_secs(10), "the UI heard of {} customers", told().len());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(told().iter().all(|(_, name)| !name.is_empty()), "rows, not just ids");
    assert!(
        events.lock().unwrap().iter().all(|e| !matches!(e, CoreEvent::CustomersChanged { .. })),
        "the window never gets ids to read again"
    );

    let page = d.list_customers(&everything()).await.unwrap();
    assert_eq!((page.total, page.rows.len()), (250, 250));
    assert!(page.last_sync_at.is_some() && page.online);
    let mut expected: Vec<String> =
        kyc_sandbox::seed::demo(250, time::OffsetDateTime::now_utc()).into_iter().map(|c| c.name).collect();
    expected.sort_by_key(|n| n.to_lowercase());
    let mut got: Vec<String> = page.rows.iter().map(|r| r.name.clone()).collect();
    got.sort_by_key(|n| n.to_lowercase());
    assert_eq!(got, expected, "the cache holds exactly the sandbox's customers");
    let cpf = &page.rows[0].identifiers[0];
    assert_eq!((cpf.kind.as_str(), cpf.value.len()), ("cpf", 14), "CPF shown in its mask: {}", cpf.value);
    let counts: u32 = page.stage_counts.iter().map(|s| s.count).sum();
    assert_eq!(counts, 250);
    assert_eq!(d.store().meta(META_FULL_SYNC_CURSOR).await.unwrap(), None, "a finished sync leaves no cursor");
}

#[tokio::test]
async fn an_interrupted_sync_resumes_after_its_last_page() {
    let sb = sandbox(Seed::Demo(230)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    // What a run killed after its first page leaves behind: 100 rows and their cursor.
    let client = dinie_api::Client::new(dinie_api::ClientConfig::new(
        sb.base_url(),
        dinie_api::Auth::bearer(kyc_sandbox::DEFAULT_TOKEN),
    ))
    .unwrap();
    let page = kyc_core::Provider::list_page(&kyc_core::dinie::DinieProvider::new(client), None, 100).await.unwrap();
    d.store().upsert_customers(&page.customers, time::OffsetDateTime::now_utc()).await.unwrap();
    d.store().set_meta(META_FULL_SYNC_CURSOR, page.next_cursor.as_deref().unwrap()).await.unwrap();

    let report = d.sync().await.unwrap();
    assert!(report.resumed);
    assert_eq!(report.customers, 130, "only what was left is fetched");
    assert_eq!(d.store().count_customers().await.unwrap(), 230);
}

#[tokio::test]
async fn an_incremental_sync_fetches_only_what_changed_and_records_the_timeline() {
    let sb = sandbox(Seed::Demo(300)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, events) = desk(&sb, dir.path()).await;
    d.sync().await.unwrap();
    assert!(notices(&events).is_empty(), "a first sync of customers never seen announces nothing");
    // Three customers change on the server.
    let all = d.list_customers(&everything()).await.unwrap().rows;
    let pending: Vec<_> = all.iter().filter(|r| r.status == "pending_kyc").take(3).map(|r| r.id.clone()).collect();
    for id in &pending {
        admin(&sb, &format!("/customers/{id}/kyc/selfie"), json!({"status": "rejected", "message": "Rosto encoberto"}))
            .await;
    }
    let report = d.sync().await.unwrap();
    assert_eq!((report.kind, report.customers, report.pages), (SyncKind::Incremental, 3, 1), "only the changed ones");
    for id in &pending {
        let c = d.store().get_customer(id).await.unwrap().unwrap();
        let selfie = c.kyc.iter().find(|i| i.item_type == "selfie").unwrap();
        assert_eq!(selfie.message.as_deref(), Some("Rosto encoberto"));
        let tl = d.store().changes_for(id).await.unwrap();
        assert!(tl.iter().any(|ch| ch.item_type.as_deref() == Some("selfie") && ch.new_value == "rejected"), "{tl:?}");
    }
    let told = notices(&events);
    assert_eq!(told.len(), 3, "one notice per rejection: {told:?}");
    // Oldest first, as they happened (the sync read them newest first).
    for (n, id) in told.iter().zip(&pending) {
        let kyc_core::notices::Notice::ItemRejected { customer_id, item_type, message, description, .. } = n else {
            panic!("{n:?}")
        };
        assert_eq!((customer_id, item_type.as_str(), message.as_deref()), (id, "selfie", Some("Rosto encoberto")));
        assert!(!description.is_empty());
    }
    let again = d.sync().await.unwrap();
    assert_eq!(again.customers, 0, "nothing new: nothing fetched but the first page");
    assert_eq!(notices(&events).len(), 3, "and nothing told twice");
}

#[tokio::test]
async fn a_customer_who_becomes_active_gets_its_offers_cached_for_offline_reading() {
    let sb = sandbox_with(Seed::Demo(40), |c| c.offer_delay = std::time::Duration::from_millis(10)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    d.sync().await.unwrap();
    let pending =
        d.list_customers(&everything()).await.unwrap().rows.into_iter().find(|r| r.status == "under_review").unwrap();
    let c = d.store().get_customer(&pending.id).await.unwrap().unwrap();
    for item in c.kyc.iter().filter(|i| i.status.as_str() != "approved") {
        admin(&sb, &format!("/customers/{}/kyc/{}", c.id, item.item_type), json!({"status": "approved"})).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    d.sync().await.unwrap();
    let cached = d.store().products_for(&c.id).await.unwrap();
    assert_eq!(cached.len(), 1, "the new offer is cached with the activation");
    assert_eq!(cached[0].kind, "credit_offer");
    let amount = cached[0].amount.as_ref().unwrap();
    assert!(amount.amount.ends_with(".00") && amount.currency == "BRL", "{amount:?}");
    drop(sb);
    let offline = d.products(&c.id).await.unwrap();
    assert_eq!(offline, cached, "offline, offers come from the cache");
}

#[tokio::test]
async fn search_and_filters_work_on_the_synced_cache() {
    let sb = sandbox(Seed::Demo(120)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    d.sync().await.unwrap();
    let demo = kyc_sandbox::seed::demo(120, time::OffsetDateTime::now_utc());
    let target = &demo[37];
    let by_cpf = d
        .list_customers(&CustomerListQuery { text: target.cpf[..7].to_owned(), limit: 50, ..Default::default() })
        .await
        .unwrap();
    assert!(by_cpf.rows.iter().any(|r| r.id == target.id), "masked CPF prefix finds {}", target.cpf);
    let digits: String = target.cpf.chars().filter(char::is_ascii_digit).collect();
    let exact = d.list_customers(&CustomerListQuery { text: digits, limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(exact.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [target.id.as_str()]);
    let active = d
        .list_customers(&CustomerListQuery { stages: vec!["approved".into()], limit: 500, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(active.total as usize, demo.iter().filter(|c| c.status == "active").count());
    assert!(active.rows.iter().all(|r| r.status == "active" && r.stage == "approved"));
}

#[tokio::test]
async fn the_cache_answers_with_the_api_gone_and_says_it_is_offline() {
    let sb = sandbox(Seed::Demo(30)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, events) = desk(&sb, dir.path()).await;
    d.sync().await.unwrap();
    drop(sb);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;

    let err = d.sync().await.unwrap_err();
    assert!(matches!(&err, kyc_core::CoreError::Api(e) if e.is_unreachable()), "{err:?}");
    let page = d.list_customers(&CustomerListQuery { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!((page.total, page.rows.len(), page.online), (30, 10, false));
    assert!(page.last_sync_at.is_some(), "the time of the last good sync is still there");
    assert!(events.lock().unwrap().contains(&CoreEvent::Connectivity { online: false }));
    assert_eq!(d.store().count_customers().await.unwrap(), 30, "a failed sync loses nothing");
}
