//! The cache against a real SQLite file on disk.

use kyc_model::{Customer, IdKind, Identifier, KycItem, KycItemStatus, KycKind, Party, Stage};
use kyc_store::{ListOrder, ListQuery, OutboxState, SearchQuery, Store};
use time::{Duration, OffsetDateTime};

/// The stage of a Dinie status, as the connector places it (the test's own copy).
fn stage(status: &str) -> Stage {
    match status {
        "pending_kyc" => Stage::AwaitingCustomer,
        "under_review" => Stage::InReview,
        "active" => Stage::Approved,
        _ => Stage::Unknown,
    }
}

fn cpf(c: &mut Customer, digits: &str) {
    c.identifiers[0] = Identifier::new(IdKind::Cpf, digits);
}

fn customer(i: i64, name: &str, status: &str) -> Customer {
    let t = OffsetDateTime::from_unix_timestamp(1_772_445_600 + i * 60).unwrap();
    let mut identifiers = vec![Identifier::new(IdKind::Cpf, "12345678909")];
    if i % 2 == 0 {
        identifiers.push(Identifier::new(IdKind::Cnpj, "12345678000195"));
    }
    Customer {
        id: format!("cust_{i:04}"),
        party: if i % 2 == 0 { Party::Business } else { Party::Person },
        status: status.into(),
        stage: stage(status),
        identifiers,
        birth_date: (i == 1).then_some(time::macros::date!(1990 - 01 - 15)),
        address: (i == 1).then(|| kyc_model::Address {
            line1: "Rua A, 1".into(),
            city: "São Paulo".into(),
            country: "BR".into(),
            ..Default::default()
        }),
        given_name: None,
        family_name: None,
        name: name.into(),
        email: format!("c{i}@example.com"),
        phone: "+5511999999999".into(),
        trading_name: None,
        external_id: Some(format!("ref-{i}")),
        kyc: vec![KycItem {
            kind: KycKind::Document,
            item_type: "selfie".into(),
            description: "Selfie".into(),
            status: KycItemStatus::Rejected,
            message: Some("Foto escura".into()),
            uploaded_at: Some(t + Duration::minutes(3)),
            mandatory: true,
        }],
        created_at: t,
        updated_at: t + Duration::hours(1),
    }
}

#[tokio::test]
async fn customers_survive_reopening_the_file_and_upserts_replace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles/demo/cache.sqlite");
    let now = OffsetDateTime::now_utc();
    {
        let store = Store::open(&path).await.unwrap();
        store
            .upsert_customers(&[customer(1, "Bruno", "pending_kyc"), customer(2, "ana", "denied")], now)
            .await
            .unwrap();
        store.set_last_sync(now).await.unwrap();
        store.close().await;
    }
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.count_customers().await.unwrap(), 2);
    let got = store.get_customer("cust_0001").await.unwrap().unwrap();
    assert_eq!(got, customer(1, "Bruno", "pending_kyc"), "a round trip through SQLite must not change a customer");
    assert_eq!(store.get_customer("cust_0002").await.unwrap().unwrap().status, "denied");
    let last = store.last_sync().await.unwrap().unwrap();
    assert_eq!(last.unix_timestamp(), now.unix_timestamp());

    // Same id, newer updated_at: replaced, not duplicated.
    let mut newer = customer(1, "Bruno Lima", "active");
    newer.updated_at += Duration::minutes(5);
    store.upsert_customers(&[newer], now).await.unwrap();
    assert_eq!(store.count_customers().await.unwrap(), 2);
    assert_eq!(store.get_customer("cust_0001").await.unwrap().unwrap().name, "Bruno Lima");
}

#[tokio::test]
async fn listing_orders_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.sqlite")).await.unwrap();
    let names = ["carla", "Ana", "bia", "Davi", "edu"];
    let cs: Vec<_> = names.iter().enumerate().map(|(i, n)| customer(i as i64, n, "active")).collect();
    store.upsert_customers(&cs, OffsetDateTime::now_utc()).await.unwrap();

    let by_name = store.list_customers(&ListQuery { offset: 0, limit: 10, order: ListOrder::NameAsc }).await.unwrap();
    let got: Vec<_> = by_name.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(got, ["Ana", "bia", "carla", "Davi", "edu"]);

    let newest = store.list_customers(&ListQuery { offset: 0, limit: 2, order: ListOrder::CreatedDesc }).await.unwrap();
    assert_eq!(newest.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["edu", "Davi"]);
    let next = store.list_customers(&ListQuery { offset: 2, limit: 2, order: ListOrder::CreatedDesc }).await.unwrap();
    assert_eq!(next.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["bia", "Ana"]);
}

#[tokio::test]
async fn the_file_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let store = Store::open(&path).await.unwrap();
    store.set_meta("k", "v").await.unwrap();
    assert!(dir.path().join("c.sqlite-wal").exists(), "WAL file expected beside the database");
    assert_eq!(store.meta("k").await.unwrap().as_deref(), Some("v"));
}

#[tokio::test]
async fn search_finds_by_name_document_email_and_external_id_by_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.sqlite")).await.unwrap();
    let mut a = customer(1, "Márcia Gonçalves", "pending_kyc");
    cpf(&mut a, "52998224725");
    a.trading_name = Some("Ateliê da Márcia".into());
    let mut b = customer(2, "Marcos Lima", "active");
    cpf(&mut b, "11144477735");
    b.email = "marcos.lima@empresa.com.br".into();
    let mut c = customer(3, "Ana Souza", "active");
    c.identifiers.push(Identifier::new(IdKind::Passport, "a1234567"));
    store.upsert_customers(&[a, b, c], OffsetDateTime::now_utc()).await.unwrap();

    let names = |q: SearchQuery| {
        let store = store.clone();
        async move { store.search(&q).await.unwrap().customers.into_iter().map(|c| c.name).collect::<Vec<_>>() }
    };
    let q = |text: &str| SearchQuery { text: text.into(), limit: 10, ..Default::default() };
    assert_eq!(names(q("mar")).await, ["Marcos Lima", "Márcia Gonçalves"], "prefix, accents ignored, newest first");
    assert_eq!(names(q("marcia gon")).await, ["Márcia Gonçalves"], "every word must match");
    assert_eq!(names(q("atelie")).await, ["Márcia Gonçalves"], "trading name");
    assert_eq!(names(q("529.982")).await, ["Márcia Gonçalves"], "CPF with punctuation");
    assert_eq!(names(q("529982247")).await, ["Márcia Gonçalves"], "CPF digits");
    assert_eq!(names(q("12.345.678/0001")).await, ["Marcos Lima"], "CNPJ prefix (even ids have one)");
    assert_eq!(names(q("empresa.com")).await, ["Marcos Lima"], "e-mail");
    assert_eq!(names(q("ref-3")).await, ["Ana Souza"], "external id");
    assert_eq!(names(q("a12-34")).await, ["Ana Souza"], "passport number, punctuated, by prefix");
    assert_eq!(names(q("A1234567")).await, ["Ana Souza"], "passport number as kept");
    assert!(names(q("zzz")).await.is_empty());
    assert!(names(q("\" OR 1=1 --")).await.is_empty(), "input is never FTS syntax");
    // Letters the index's tokenizer (Unicode 6.1) splits on but today's Unicode calls
    // letters (U+19B0, U+D7B0): found by the property test below; still a search, in
    // the words it can tell apart.
    assert_eq!(names(q("Aᦰힰ")).await, names(q("A")).await);
    assert!(store.search(&q("Márcia ᦰ")).await.is_ok());

    let active = SearchQuery { text: "mar".into(), stages: vec!["approved".into()], limit: 10, ..Default::default() };
    let r = store.search(&active).await.unwrap();
    assert_eq!((r.customers.len(), r.total, r.total_capped), (1, 1, false));
    let all_active =
        SearchQuery { stages: vec!["approved".into()], order: ListOrder::NameAsc, limit: 10, ..Default::default() };
    assert_eq!(names(all_active).await, ["Ana Souza", "Marcos Lima"]);
    assert_eq!(
        store.stage_counts().await.unwrap(),
        vec![("approved".to_owned(), 2), ("awaiting_customer".to_owned(), 1)]
    );
    assert!(names(q("approved")).await.is_empty(), "typed words never match the stage");
    let pending_or_active = SearchQuery {
        text: "mar".into(),
        stages: vec!["awaiting_customer".into(), "in_review".into()],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(names(pending_or_active).await, ["Márcia Gonçalves"], "text and several statuses");

    // The totals the triggers keep follow inserts and status changes.
    let total = |stages: Vec<String>| {
        let store = store.clone();
        async move { store.search(&SearchQuery { stages, limit: 1, ..Default::default() }).await.unwrap().total }
    };
    assert_eq!((total(vec![]).await, total(vec!["approved".into()]).await), (3, 2));

    // A status change moves the customer between filters.
    let mut promoted = store.get_customer("cust_0001").await.unwrap().unwrap();
    promoted.status = "active".into();
    promoted.stage = Stage::Approved;
    promoted.updated_at += Duration::minutes(1);
    store.upsert_customers(&[promoted], OffsetDateTime::now_utc()).await.unwrap();
    let active_mar =
        SearchQuery { text: "mar".into(), stages: vec!["approved".into()], limit: 10, ..Default::default() };
    assert_eq!(names(active_mar).await, ["Marcos Lima", "Márcia Gonçalves"]);
    assert_eq!((total(vec![]).await, total(vec!["approved".into()]).await), (3, 3));
    assert_eq!(store.stage_counts().await.unwrap(), vec![("approved".to_owned(), 3)]);

    // Renaming moves the search entry with it.
    let mut renamed = store.get_customer("cust_0003").await.unwrap().unwrap();
    renamed.name = "Ana Beatriz".into();
    renamed.updated_at += Duration::minutes(1);
    store.upsert_customers(&[renamed], OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(names(q("beatriz")).await, ["Ana Beatriz"]);
    assert!(names(q("souza")).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_of_one_customer_all_succeed_and_record_the_change_once() {
    // A webhook, the in-flight refresh and a sync can write the same customer at once.
    // Each write reads what the cache has before writing: two such transactions that
    // both start as readers cannot both upgrade (SQLITE_BUSY_SNAPSHOT), so they must
    // take the write lock first and wait their turn.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.sqlite")).await.unwrap();
    let first = customer(1, "Bruno", "pending_kyc");
    store.upsert_customers(std::slice::from_ref(&first), OffsetDateTime::now_utc()).await.unwrap();
    let mut next = first.clone();
    next.status = "active".to_owned();
    next.updated_at += Duration::hours(2);
    for round in 0..20 {
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (store, c) = (store.clone(), next.clone());
            tasks.push(tokio::spawn(async move { store.upsert_customers(&[c], OffsetDateTime::now_utc()).await }));
        }
        let mut changes = 0;
        for t in tasks {
            changes += t.await.unwrap().unwrap_or_else(|e| panic!("round {round}: {e}")).changes.len();
        }
        assert_eq!(changes, 1, "the transition is recorded by exactly one writer");
        next.status = if round % 2 == 0 { "under_review".to_owned() } else { "active".to_owned() };
        next.updated_at += Duration::minutes(1);
    }
}

#[tokio::test]
async fn a_changed_customer_leaves_a_timeline_and_an_unchanged_one_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.sqlite")).await.unwrap();
    let first = customer(1, "Bruno", "pending_kyc");
    let r = store.upsert_customers(std::slice::from_ref(&first), OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!((r.inserted.len(), r.changes.len()), (1, 0), "a first sighting is the baseline");
    let r = store.upsert_customers(std::slice::from_ref(&first), OffsetDateTime::now_utc()).await.unwrap();
    assert!(r.inserted.is_empty() && r.updated.is_empty(), "same updated_at: left alone");

    let mut next = first.clone();
    next.status = "under_review".to_owned();
    next.kyc[0].status = KycItemStatus::Approved;
    next.kyc[0].message = None;
    next.updated_at += Duration::hours(2);
    let r = store.upsert_customers(&[next], OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(r.updated, vec!["cust_0001".to_owned()]);
    let tl = store.changes_for("cust_0001").await.unwrap();
    let got: Vec<(&str, Option<&str>, Option<&str>, &str)> = tl
        .iter()
        .map(|c| (c.kind.as_str(), c.item_type.as_deref(), c.old_value.as_deref(), c.new_value.as_str()))
        .collect();
    assert_eq!(
        got,
        [("status", None, Some("pending_kyc"), "under_review"), ("kyc", Some("selfie"), Some("rejected"), "approved")]
    );

    // A refresh that read the API earlier but writes later brings an older version: it
    // must neither put the cache back nor record the transition backwards (and so tell
    // the forward one a second time when the newer version comes again).
    let r = store.upsert_customers(std::slice::from_ref(&first), OffsetDateTime::now_utc()).await.unwrap();
    assert!(r.updated.is_empty() && r.changes.is_empty(), "an older version is ignored: {r:?}");
    assert_eq!(store.get_customer("cust_0001").await.unwrap().unwrap().status, "under_review".to_owned());
    assert_eq!(store.changes_for("cust_0001").await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_outbox_keeps_order_keys_and_state_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    {
        let store = Store::open(&path).await.unwrap();
        let a = store.enqueue("register", None, r#"{"cpf":"1"}"#, "key-a", None).await.unwrap();
        let b = store.enqueue("upload", Some("cust_1"), "{}", "key-b", Some("/tmp/f.pdf")).await.unwrap();
        assert!(a.seq < b.seq);
        store.outbox_sending(a.seq).await.unwrap();
        assert!(store.enqueue("register", None, "{}", "key-a", None).await.is_err(), "a key is used once");
        store.close().await;
    }
    let store = Store::open(&path).await.unwrap();
    let open = store.outbox_open().await.unwrap();
    assert_eq!(
        open.iter().map(|e| (e.idempotency_key.as_str(), e.state)).collect::<Vec<_>>(),
        [("key-a", OutboxState::Sending), ("key-b", OutboxState::Pending)]
    );
    assert_eq!(open[0].attempts, 1);
    store.outbox_done(open[0].seq, "{}").await.unwrap();
    store.outbox_failed(open[1].seq, r#"{"code":"unknown_document_type"}"#).await.unwrap();
    assert!(store.outbox_open().await.unwrap().is_empty());
    let unfinished = store.outbox_unfinished().await.unwrap();
    assert_eq!((unfinished.len(), unfinished[0].state), (1, OutboxState::Failed));
    assert!(unfinished[0].last_error.as_deref().unwrap().contains("unknown_document_type"));
    store.outbox_retry(unfinished[0].seq).await.unwrap();
    assert_eq!(store.outbox_open().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_sent_writes_personal_data_is_not_kept_and_commits_are_durable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.sqlite")).await.unwrap();
    let cpf = r#"{"register":{"cpf":"12345678909","name":"Joana Lima"}}"#;
    let e = store.enqueue("register", None, cpf, "key-p", Some("/data/documents/key-p-rg.pdf")).await.unwrap();
    store.outbox_done(e.seq, r#"{"customer_id":"cus_1"}"#).await.unwrap();
    let kept = store.outbox_entry(e.seq).await.unwrap().unwrap();
    assert_eq!(kept.payload, "", "the API has it; the cache keeps no copy");
    assert_eq!(store.referenced_files().await.unwrap(), ["/data/documents/key-p-rg.pdf"]);
    // The outbox commits with synchronous=FULL (on disk before the commit returns);
    // sync pages with NORMAL (durable at the next checkpoint).
    assert_eq!(store.synchronous().await.unwrap(), (2, 1));
}

fn key(b: u8) -> kyc_store::CacheKey {
    kyc_store::CacheKey::from_bytes([b; 32])
}

fn file_mentions(path: &std::path::Path, needle: &str) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn an_encrypted_cache_holds_no_readable_personal_data_and_needs_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    let store = Store::open_encrypted(&path, &key(7)).await.unwrap();
    store.upsert_customers(&[customer(1, "Joana Segredo", "active")], OffsetDateTime::now_utc()).await.unwrap();
    store.close().await;
    for needle in ["SQLite format 3", "Joana Segredo", "c1@example.com", "12345678909"] {
        assert!(!file_mentions(&path, needle), "{needle:?} readable in the cache file");
    }
    let store = Store::open_encrypted(&path, &key(7)).await.unwrap();
    assert_eq!(store.get_customer("cust_0001").await.unwrap().unwrap().name, "Joana Segredo");
    assert!(store.size_bytes().await.unwrap() > 0, "sized like an unencrypted one");
    store.close().await;
    // A form draft is kept in the cache, so encrypted with it.
    let store = Store::open_encrypted(&path, &key(7)).await.unwrap();
    store.set_draft("register", r#"{"name":"Rascunho Confidencial"}"#).await.unwrap();
    assert_eq!(store.draft("register").await.unwrap().as_deref(), Some(r#"{"name":"Rascunho Confidencial"}"#));
    store.close().await;
    assert!(!file_mentions(&path, "Rascunho Confidencial"));
    let store = Store::open_encrypted(&path, &key(7)).await.unwrap();
    assert!(store.draft("register").await.unwrap().is_some(), "kept across a restart");
    store.clear_draft("register").await.unwrap();
    assert_eq!(store.draft("register").await.unwrap(), None);
    store.close().await;
    assert!(Store::open_encrypted(&path, &key(8)).await.is_err(), "another key opens nothing");
    assert!(Store::open(&path).await.is_err(), "nor does no key");
    assert_eq!(format!("{:?}", key(7)), "CacheKey(…)", "a key is never printed");
    assert_eq!(kyc_store::CacheKey::from_hex(&key(7).to_hex()), Some(key(7)));
}

#[tokio::test]
async fn an_unencrypted_cache_is_encrypted_in_place_losing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    let now = OffsetDateTime::now_utc();
    {
        // As an earlier version left it.
        let store = Store::open(&path).await.unwrap();
        store.upsert_customers(&[customer(1, "Márcia Gonçalves", "pending_kyc")], now).await.unwrap();
        let mut later = customer(1, "Márcia Gonçalves", "active");
        later.updated_at += Duration::minutes(5);
        store.upsert_customers(&[later], now).await.unwrap();
        store.enqueue("register", None, r#"{"register":{"cpf":"52998224725"}}"#, "key-1", None).await.unwrap();
        store.set_last_sync(now).await.unwrap();
        store.close().await;
    }
    assert!(file_mentions(&path, "SQLite format 3"));
    let store = Store::open_encrypted(&path, &key(3)).await.unwrap();
    assert!(!file_mentions(&path, "SQLite format 3"), "encrypted in place");
    assert!(!dir.path().join("cache.sqlite.encrypting").exists());
    assert_eq!(store.count_customers().await.unwrap(), 1);
    assert_eq!(store.get_customer("cust_0001").await.unwrap().unwrap().status.as_str(), "active");
    assert_eq!(store.changes_for("cust_0001").await.unwrap().len(), 1, "the timeline");
    assert_eq!(store.outbox_open().await.unwrap().len(), 1, "the queued write");
    assert!(store.last_sync().await.unwrap().is_some());
    let found = store.search(&SearchQuery { text: "marcia".into(), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(found.customers.len(), 1, "the search index");
    // And it keeps working: writes go to the encrypted file.
    store.upsert_customers(&[customer(2, "Bruno", "pending_kyc")], now).await.unwrap();
    assert_eq!(
        store
            .search(&SearchQuery { text: "bru".into(), limit: 10, ..Default::default() })
            .await
            .unwrap()
            .customers
            .len(),
        1
    );
}

/// Whatever is typed in the search box (FTS5 syntax, quotes, SQL, control characters)
/// is a search, never an error or a panic.
#[test]
fn any_search_text_is_a_search_never_an_error() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = rt.block_on(async {
        let s = Store::open(&dir.path().join("c.sqlite")).await.unwrap();
        s.upsert_customers(&[customer(1, "Márcia Gonçalves", "active")], OffsetDateTime::now_utc()).await.unwrap();
        s
    });
    let text = prop_oneof![
        "\\PC{0,40}",
        "[\"*():^+.,/ a-z0-9-]{0,30}",
        Just("\" OR 1=1 --".to_owned()),
        Just("NEAR(a b) AND NOT c*".to_owned()),
        Just("'; DROP TABLE customers; --".to_owned()),
    ];
    TestRunner::new(Config { cases: 300, ..Config::default() })
        .run(&(text, any::<bool>()), |(text, with_status)| {
            let stages = if with_status { vec!["approved".to_owned()] } else { vec![] };
            let q = SearchQuery { text, stages, limit: 5, ..Default::default() };
            let r = rt.block_on(store.search(&q));
            prop_assert!(r.is_ok(), "{:?}: {:?}", q.text, r.err());
            Ok(())
        })
        .unwrap();
    assert_eq!(rt.block_on(store.count_customers()).unwrap(), 1, "nothing dropped");
}

#[tokio::test]
async fn a_search_can_be_kept_to_some_customers() {
    let dir = tempfile::tempdir().unwrap();
    let store = kyc_store::Store::open(&dir.path().join("c.sqlite")).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let people: Vec<kyc_model::Customer> = (0..5)
        .map(|i| kyc_model::Customer {
            id: format!("c{i}"),
            name: format!("Maria {i}"),
            created_at: now,
            updated_at: now,
            ..Default::default()
        })
        .collect();
    store.upsert_customers(&people, now).await.unwrap();
    let q = |only: Option<Vec<String>>, text: &str| SearchQuery {
        text: text.into(),
        limit: 10,
        only,
        ..Default::default()
    };
    let ids = |r: kyc_store::SearchResult| {
        let mut v = r.customers.into_iter().map(|c| c.id).collect::<Vec<_>>();
        v.sort();
        v
    };
    let some = Some(vec!["c1".to_owned(), "c3".to_owned()]);
    let r = store.search(&q(some.clone(), "")).await.unwrap();
    assert_eq!((r.total, ids(r.clone())), (2, vec!["c1".to_owned(), "c3".to_owned()]));
    let r = store.search(&q(some, "maria")).await.unwrap();
    assert_eq!(r.total, 2, "with a search too");
    let r = store.search(&q(Some(Vec::new()), "")).await.unwrap();
    assert_eq!(r.total, 0, "an empty tag is nobody");
    // A selection of 40,000 ids (past SQLite's limit of parameters): none left out.
    let mut many: Vec<String> = (0..40_000).map(|i| format!("x{i}")).collect();
    many.push("c4".into());
    let r = store.search(&q(Some(many.clone()), "")).await.unwrap();
    assert_eq!(ids(r), vec!["c4".to_owned()]);
    let w = store.waiting(now, true, None, Some(&many), 10).await.unwrap();
    assert!(w.oldest.iter().all(|x| x.id == "c4"));
}

/// An export walks every match of the view in the list's order, counts exactly past the
/// list's search cap, and stops when told (a cancel).
#[tokio::test]
async fn a_walk_hands_over_every_match_in_order_and_stops_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let store = kyc_store::Store::open(&dir.path().join("c.sqlite")).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let people: Vec<kyc_model::Customer> = (0..1_500)
        .map(|i| kyc_model::Customer {
            id: format!("c{i:04}"),
            name: if i % 3 == 0 { format!("Ana {i}") } else { format!("Bruno {i}") },
            created_at: now + time::Duration::seconds(i),
            updated_at: now,
            ..Default::default()
        })
        .collect();
    store.upsert_customers(&people, now).await.unwrap();
    let q = |text: &str| SearchQuery { text: text.into(), limit: 10, ..Default::default() };

    let mut seen = Vec::new();
    let n = store
        .search_each(&q("ana"), |c| {
            seen.push(c.id);
            true
        })
        .await
        .unwrap();
    assert_eq!(n, 500);
    assert_eq!(store.count_matching(&q("ana")).await.unwrap(), 500);
    assert_eq!(seen.first().map(String::as_str), Some("c1497"), "newest first, as the list shows");
    assert!(seen.iter().all(|id| id[1..].parse::<u32>().unwrap() % 3 == 0));

    let everyone = store.count_matching(&q("")).await.unwrap();
    assert_eq!(everyone, 1_500, "counted exactly, beyond the list's cap of a search");
    let mut kept = 0;
    let n = store
        .search_each(&q(""), |_| {
            kept += 1;
            kept < 10
        })
        .await
        .unwrap();
    assert_eq!((n, kept), (10, 10), "stopped at the tenth");
    assert_eq!(store.search_each(&q("zzz"), |_| true).await.unwrap(), 0);
}
