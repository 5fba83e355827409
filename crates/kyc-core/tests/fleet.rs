//! Every connection at once: three caches (one per provider, one of them encrypted with
//! its own key) read as one list, one work queue and one CSV export.

use kyc_core::CacheKey;
use kyc_core::export::{Jobs, csv};
use kyc_core::fleet::{Connection, Fleet};
use kyc_core::queue::QueueReason;
use kyc_core::views::{CustomerListQuery, CustomerSort};
use kyc_model::{Customer, Stage};
use time::{Duration, OffsetDateTime};

async fn cache(
    dir: &std::path::Path,
    id: &str,
    provider: &str,
    key: Option<CacheKey>,
    people: &[Customer],
) -> Connection {
    let path = dir.join(format!("{id}.sqlite"));
    let store = match &key {
        Some(k) => kyc_store::Store::open_encrypted(&path, k).await.unwrap(),
        None => kyc_store::Store::open(&path).await.unwrap(),
    };
    store.upsert_customers(people, OffsetDateTime::now_utc()).await.unwrap();
    store.close().await;
    Connection { profile_id: id.into(), name: format!("{provider} desk"), provider: provider.into(), cache: path, key }
}

fn person(id: &str, name: &str, stage: Stage, minutes_ago: i64) -> Customer {
    let at = OffsetDateTime::now_utc() - Duration::minutes(minutes_ago);
    Customer { id: id.into(), name: name.into(), stage, created_at: at, updated_at: at, ..Customer::default() }
}

async fn three(dir: &std::path::Path) -> Vec<Connection> {
    let key = CacheKey::from_bytes([7; 32]);
    vec![
        cache(
            dir,
            "p-dinie",
            "dinie",
            None,
            &[
                person("d1", "Ana Souza", Stage::Approved, 10),
                person("d2", "Caio Lima", Stage::InReview, 60 * 30),
                person("d3", "=cmd|' /C calc'!A0", Stage::AwaitingCustomer, 5),
            ],
        )
        .await,
        cache(dir, "p-cartevo", "cartevo", Some(key), &[person("c1", "Bruna Dias", Stage::InReview, 60 * 50)]).await,
        cache(dir, "p-wallets", "wallets", None, &[person("w1", "Davi Rocha", Stage::AwaitingCustomer, 1)]).await,
    ]
}

fn query(sort: CustomerSort, offset: u32, limit: u32) -> CustomerListQuery {
    CustomerListQuery { offset, limit, sort, ..CustomerListQuery::default() }
}

#[tokio::test]
async fn one_list_across_connections_merges_in_order_and_says_where_each_row_is() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet::default();
    let members = fleet.members(&three(dir.path()).await).await;
    assert_eq!(members.len(), 3, "the encrypted cache is read with its own key");
    let all: Vec<_> = members.iter().map(|m| (m.clone(), None)).collect();

    let page = fleet.list(&all, &query(CustomerSort::Name, 0, 50), true).await.unwrap();
    let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["=cmd|' /C calc'!A0", "Ana Souza", "Bruna Dias", "Caio Lima", "Davi Rocha"]);
    assert_eq!(page.total, 5);
    let bruna = &page.rows[2];
    let source = bruna.source.as_ref().expect("each row names its connection");
    assert_eq!((source.profile_id.as_str(), source.provider_name.as_str()), ("p-cartevo", "Cartevo"));
    let in_review = page.stage_counts.iter().find(|s| s.stage == "in_review").unwrap();
    assert_eq!(in_review.count, 2, "stage counts add up across connections");

    // Pages walk the merged order without losing or repeating anyone.
    let mut walked = Vec::new();
    for offset in (0..5).step_by(2) {
        let p = fleet.list(&all, &query(CustomerSort::Newest, offset, 2), true).await.unwrap();
        walked.extend(p.rows.into_iter().map(|r| r.id));
    }
    assert_eq!(walked, ["w1", "d3", "d1", "d2", "c1"], "newest first across every cache");

    // A provider filter is a choice of members; a search runs in each.
    let wallets: Vec<_> = all.iter().filter(|(m, _)| m.source.provider == "wallets").cloned().collect();
    let p = fleet.list(&wallets, &query(CustomerSort::Name, 0, 50), true).await.unwrap();
    assert_eq!(p.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["w1"]);
    let q = CustomerListQuery { text: "bruna".into(), ..query(CustomerSort::Newest, 0, 50) };
    let p = fleet.list(&all, &q, true).await.unwrap();
    assert_eq!(p.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["c1"]);
    // A tag's customers, per connection.
    let tagged: Vec<_> = members.iter().map(|m| (m.clone(), Some(vec!["d2".to_owned(), "w1".to_owned()]))).collect();
    let p = fleet.list(&tagged, &query(CustomerSort::Name, 0, 50), true).await.unwrap();
    assert_eq!(p.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["d2", "w1"]);
}

#[tokio::test]
async fn the_work_queue_spans_every_connection_oldest_first() {
    use kyc_core::queue::QueueFilter;
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet::default();
    let connections = three(dir.path()).await;
    let parts: Vec<_> = fleet.members(&connections).await.into_iter().map(|m| (m, None)).collect();
    let q = fleet.queue(&parts, 24, &QueueFilter::default()).await.unwrap();
    let got: Vec<(&str, QueueReason)> = q.items.iter().map(|i| (i.customer_id.as_str(), i.reason)).collect();
    assert_eq!(
        got,
        [("c1", QueueReason::LongReview), ("d2", QueueReason::LongReview), ("d1", QueueReason::NextStep)],
        "Cartevo's 50-hour review first; Dinie's approved customer lacks its offer"
    );
    assert_eq!(q.items[0].source.provider, "cartevo");
    assert_eq!(q.total, 3);
    let count = |r| q.counts.iter().find(|c| c.reason == r).map(|c| c.count);
    assert_eq!((count(QueueReason::LongReview), count(QueueReason::NextStep)), (Some(2), Some(1)));
    let cartevo = q.providers.iter().find(|p| p.provider == "cartevo").unwrap();
    assert_eq!((cartevo.provider_name.as_str(), cartevo.count), ("Cartevo", 1));

    // Narrowed to a provider, and to a reason: the provider counts stay for the choice.
    let dinie = QueueFilter { providers: vec!["dinie".into()], ..QueueFilter::default() };
    let q = fleet.queue(&parts, 24, &dinie).await.unwrap();
    assert!(q.items.iter().all(|i| i.source.profile_id == "p-dinie"));
    assert_eq!((q.total, q.providers.len()), (2, 3));
    let next = QueueFilter { reason: Some(QueueReason::NextStep), ..QueueFilter::default() };
    let q = fleet.queue(&parts, 24, &next).await.unwrap();
    assert_eq!(q.items.iter().map(|i| i.customer_id.as_str()).collect::<Vec<_>>(), ["d1"]);
    assert_eq!(q.total, 1);

    // A connection removed is no longer read.
    let first: Vec<_> = fleet.members(&connections[..1]).await.into_iter().map(|m| (m, None)).collect();
    let q = fleet.queue(&first, 24, &QueueFilter::default()).await.unwrap();
    assert!(q.items.iter().all(|i| i.source.profile_id == "p-dinie"));
}

#[tokio::test]
async fn the_view_is_exported_as_csv_with_formulas_neutralized_and_a_cancel_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet::default();
    let members = fleet.members(&three(dir.path()).await).await;
    let all: Vec<_> = members.iter().map(|m| (m.clone(), None)).collect();
    let jobs = Jobs::default();
    let path = dir.path().join("view.csv");
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |done, total| seen.lock().unwrap().push((done, total));
    let done = csv(&all, &query(CustomerSort::Name, 0, 50), &path, &jobs.start("j1"), &progress).await.unwrap();
    assert_eq!((done.rows, done.cancelled), (5, false));
    assert_eq!(seen.lock().unwrap().last(), Some(&(5, 5)));
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "connection,provider,id,name,trading_name,documents,email,phone,external_id,stage,status,kyc_done,kyc_total,created_at,updated_at"
    );
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().any(|l| l.starts_with("cartevo desk,Cartevo,c1,Bruna Dias,")), "{lines:?}");
    let evil = lines.iter().find(|l| l.contains(",d3,")).unwrap();
    assert!(evil.contains(",\"'=cmd|' /C calc'!A0\","), "a formula is shown as text: {evil}");

    // Cancelled before it starts writing rows: no file, not even a partial one.
    let job = jobs.start("j2");
    assert!(jobs.cancel("j2"));
    let other = dir.path().join("cancelled.csv");
    let done = csv(&all, &query(CustomerSort::Name, 0, 50), &other, &job, &|_, _| {}).await.unwrap();
    assert!(done.cancelled);
    assert!(!other.exists());
    assert_eq!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().to_string_lossy().ends_with(".part"))
            .count(),
        0
    );
}

/// Pages near the end are placed from the end: every page of every order, whatever its
/// size, is the same slice of the whole merged list read at once.
#[tokio::test]
async fn pages_read_from_the_end_are_the_same_rows_as_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let many = |prefix: &str, n: i64| -> Vec<Customer> {
        (0..n)
            .map(|i| {
                // Some times and names shared, so ties are broken by id as SQLite does.
                let mut c = person(&format!("{prefix}{i:03}"), &format!("Nome {}", i % 7), Stage::InReview, i % 5);
                c.updated_at = c.created_at - Duration::minutes(i % 3);
                c
            })
            .collect()
    };
    let connections = vec![
        cache(dir.path(), "a", "dinie", None, &many("a", 37)).await,
        cache(dir.path(), "b", "cartevo", Some(CacheKey::from_bytes([3; 32])), &many("b", 23)).await,
        cache(dir.path(), "c", "wallets", None, &many("c", 11)).await,
    ];
    let fleet = Fleet::default();
    let all: Vec<_> = fleet.members(&connections).await.into_iter().map(|m| (m, None)).collect();
    for sort in [CustomerSort::Newest, CustomerSort::RecentlyUpdated, CustomerSort::Name] {
        let whole: Vec<String> =
            fleet.list(&all, &query(sort, 0, 500), true).await.unwrap().rows.into_iter().map(|r| r.id).collect();
        assert_eq!(whole.len(), 71);
        for limit in [1, 7, 10] {
            for offset in 0..71 {
                let page = fleet.list(&all, &query(sort, offset, limit), true).await.unwrap();
                let got: Vec<String> = page.rows.into_iter().map(|r| r.id).collect();
                let end = (offset + limit).min(71) as usize;
                assert_eq!(got, whole[offset as usize..end], "{sort:?} at {offset}, {limit} a page");
            }
        }
    }
}
