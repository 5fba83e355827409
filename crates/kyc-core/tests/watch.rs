//! The customer open in the window is followed by the core's schedule, not by the
//! window: while a document of theirs is in review the core re-reads them and says so;
//! a customer not watched is left to the slower rounds. The real sandbox, no webhooks.

mod common;

use common::*;
use kyc_core::WriteResult;
use kyc_core::events::CoreEvent;
use kyc_model::FormValues;
use kyc_sandbox::Seed;
use std::time::Duration;

async fn register_and_upload(d: &kyc_core::Desk, dir: &std::path::Path, cpf: &str, ext: &str) -> String {
    let email = format!("{ext}@example.com");
    let r = FormValues::of([
        ("cpf", cpf),
        ("name", "Cliente Observado"),
        ("email", email.as_str()),
        ("phone", "+5511988887777"),
        ("external_id", ext),
    ]);
    let WriteResult::Done { customer_id, .. } = d.register(r).await.unwrap() else { panic!("created") };
    let src = dir.join(format!("{ext}.jpg"));
    std::fs::write(&src, kyc_sandbox::docs::sample("selfie", "Cliente").2).unwrap();
    assert!(matches!(d.upload(&customer_id, "selfie", &src).await.unwrap(), WriteResult::Done { .. }));
    customer_id
}

async fn selfie(d: &kyc_core::Desk, id: &str) -> String {
    let c = d.store().get_customer(id).await.unwrap().unwrap();
    c.kyc.iter().find(|i| i.item_type == "selfie").unwrap().status.as_str().to_owned()
}

#[tokio::test]
async fn the_watched_customer_is_followed_by_the_core_and_the_window_told() {
    let sb = sandbox_with(Seed::Empty, |c| c.review_delay = Duration::from_millis(300)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, events) = desk(&sb, dir.path()).await;
    let watched = register_and_upload(&d, dir.path(), "529.982.247-25", "w1").await;
    let other = register_and_upload(&d, dir.path(), "123.456.789-09", "w2").await;
    assert_eq!((selfie(&d, &watched).await, selfie(&d, &other).await), ("in_review".into(), "in_review".into()));
    events.lock().unwrap().clear();

    // The slow rounds never come in this test: only the watch lane can act.
    let schedule = d.start_background(Duration::from_secs(3600));
    d.watch(Some(&watched));
    let t = std::time::Instant::now();
    while selfie(&d, &watched).await != "approved" {
        assert!(t.elapsed() < Duration::from_secs(15), "the watched customer was never re-read");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The window is told with the data: the row, and the whole detail of the customer
    // it shows, the approved selfie in it.
    let t = std::time::Instant::now();
    let detail = loop {
        let found = events.lock().unwrap().iter().rev().find_map(|e| match e {
            CoreEvent::CustomerDetail { detail } if detail.id == watched => Some(detail.clone()),
            _ => None,
        });
        if let Some(d) = found.filter(|d| d.kyc.iter().any(|i| i.item_type == "selfie" && i.status == "approved")) {
            break d;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "the shown customer's detail was never pushed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!detail.timeline.is_empty(), "with its timeline");
    assert!(
        events.lock().unwrap().iter().any(
            |e| matches!(e, CoreEvent::CustomersUpdated { customers } if customers.iter().any(|r| r.id == watched))
        )
    );
    assert!(
        !events.lock().unwrap().iter().any(|e| matches!(e, CoreEvent::CustomerDetail { detail } if detail.id == other)),
        "only the shown customer's detail is pushed"
    );
    assert_eq!(selfie(&d, &other).await, "in_review", "a customer not watched is left to the slower rounds");

    // Watching nothing: nothing more is re-read.
    d.watch(None);
    events.lock().unwrap().clear();
    tokio::time::sleep(kyc_core::WATCH_EVERY + Duration::from_secs(1)).await;
    assert!(events.lock().unwrap().iter().all(|e| !matches!(e, CoreEvent::CustomersUpdated { .. })));
    schedule.abort();
}
