//! Sync from the real sandbox over loopback into a real SQLite file.

use dinie_api::{Auth, Client, ClientConfig};
use kyc_core::dinie::DinieProvider;
use kyc_core::sync::{META_FULL_SYNC_CURSOR, SyncProgress};
use kyc_core::views::{CustomerListQuery, CustomerSort};
use kyc_core::{Desk, ProfileInfo};
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use kyc_store::Store;
use std::sync::{Arc, Mutex};

async fn desk(sb: &Sandbox, dir: &std::path::Path) -> Desk {
    let client = Client::new(ClientConfig::new(sb.base_url(), Auth::bearer(kyc_sandbox::DEFAULT_TOKEN))).unwrap();
    let store = Store::open(&dir.join("cache.sqlite")).await.unwrap();
    let profile = ProfileInfo { name: "test".into(), base_url: sb.base_url(), is_demo: true };
    Desk::new(Arc::new(DinieProvider::new(client)), store, profile)
}

#[tokio::test]
async fn full_sync_caches_every_customer_once_and_reports_progress() {
    let sb = Sandbox::start_local(SandboxConfig { seed: Seed::Demo(250), ..Default::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk(&sb, dir.path()).await;
    let seen = Arc::new(Mutex::new(Vec::<SyncProgress>::new()));
    let s2 = seen.clone();
    let report = d.sync(&move |p| s2.lock().unwrap().push(p.clone())).await.unwrap();
    assert_eq!((report.customers, report.pages, report.done, report.resumed), (250, 3, true, false));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|p| p.customers).collect::<Vec<_>>(), [100, 200, 250]);
    assert!(seen.last().unwrap().done);

    let page = d.list_customers(&CustomerListQuery { offset: 0, limit: 500, sort: CustomerSort::Name }).await.unwrap();
    assert_eq!((page.total, page.rows.len()), (250, 250));
    assert!(page.last_sync_at.is_some());
    let mut expected: Vec<String> =
        kyc_sandbox::seed::demo(250, time::OffsetDateTime::now_utc()).into_iter().map(|c| c.name).collect();
    expected.sort_by_key(|n| n.to_lowercase());
    let mut got: Vec<String> = page.rows.iter().map(|r| r.name.clone()).collect();
    got.sort_by_key(|n| n.to_lowercase());
    assert_eq!(got, expected, "the cache holds exactly the sandbox's customers");
    let row = &page.rows[0];
    assert_eq!(row.cpf.len(), 14, "CPF shown in its mask: {}", row.cpf);
    assert!(row.kyc_total >= 5);

    // A second sync replaces rows instead of adding them.
    d.sync(&|_| {}).await.unwrap();
    assert_eq!(d.store().count_customers().await.unwrap(), 250);
    assert_eq!(d.store().meta(META_FULL_SYNC_CURSOR).await.unwrap(), None, "a finished sync leaves no cursor");
}

#[tokio::test]
async fn an_interrupted_sync_resumes_after_its_last_page() {
    let sb = Sandbox::start_local(SandboxConfig { seed: Seed::Demo(230), ..Default::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk(&sb, dir.path()).await;
    // What a run killed after its first page leaves behind: 100 rows and their cursor.
    let first = DinieProvider::new(
        Client::new(ClientConfig::new(sb.base_url(), Auth::bearer(kyc_sandbox::DEFAULT_TOKEN))).unwrap(),
    );
    let page = kyc_core::Provider::list_page(&first, None, 100).await.unwrap();
    d.store().upsert_customers(&page.customers, time::OffsetDateTime::now_utc()).await.unwrap();
    d.store().set_meta(META_FULL_SYNC_CURSOR, page.next_cursor.as_deref().unwrap()).await.unwrap();

    let report = d.sync(&|_| {}).await.unwrap();
    assert!(report.resumed);
    assert_eq!(report.customers, 130, "only what was left is fetched");
    assert_eq!(d.store().count_customers().await.unwrap(), 230);
}

#[tokio::test]
async fn the_cache_answers_with_the_api_gone_and_sync_says_why_it_failed() {
    let sb = Sandbox::start_local(SandboxConfig { seed: Seed::Demo(30), ..Default::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk(&sb, dir.path()).await;
    d.sync(&|_| {}).await.unwrap();
    drop(sb);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;

    let page = d.list_customers(&CustomerListQuery { offset: 0, limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!((page.total, page.rows.len()), (30, 10));
    let err = d.sync(&|_| {}).await.unwrap_err();
    match err {
        kyc_core::CoreError::Api(e) => assert!(e.is_unreachable(), "{e}"),
        other => panic!("expected an unreachable API, got {other:?}"),
    }
    assert_eq!(d.store().count_customers().await.unwrap(), 30, "a failed sync loses nothing");
}
