//! The cache against a real SQLite file on disk.

use kyc_model::{Customer, CustomerStatus, KycItem, KycItemStatus, KycKind};
use kyc_store::{ListOrder, ListQuery, Store};
use time::{Duration, OffsetDateTime};

fn customer(i: i64, name: &str, status: &str) -> Customer {
    let t = OffsetDateTime::from_unix_timestamp(1_772_445_600 + i * 60).unwrap();
    Customer {
        id: format!("cust_{i:04}"),
        status: CustomerStatus::from(status),
        cpf: "12345678909".into(),
        cnpj: (i % 2 == 0).then(|| "12345678000195".into()),
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
    assert_eq!(store.get_customer("cust_0002").await.unwrap().unwrap().status, CustomerStatus::Other("denied".into()));
    let last = store.last_sync().await.unwrap().unwrap();
    assert_eq!(last.unix_timestamp(), now.unix_timestamp());

    // Same id again: replaced, not duplicated.
    store.upsert_customers(&[customer(1, "Bruno Lima", "active")], now).await.unwrap();
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
