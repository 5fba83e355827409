//! The work queue over a synced demo cache: who waits on the partner, why, oldest first.

mod common;

use kyc_core::queue::QueueReason;
use kyc_sandbox::Seed;

#[tokio::test]
async fn the_queue_lists_who_waits_with_the_reason_oldest_first() {
    let sb = common::sandbox(Seed::Demo(60)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::desk(&sb, dir.path()).await;
    d.full_sync().await.unwrap();
    let source = kyc_core::fleet::Source {
        profile_id: "p".into(),
        connection: "Demo".into(),
        provider: "dinie".into(),
        provider_name: "Dinie".into(),
    };
    let now = time::OffsetDateTime::now_utc();
    let part = kyc_core::queue::read(d.store(), true, 24, now, &source, None, None).await.unwrap();
    let q = part.items;
    assert!(!q.is_empty(), "the demo has customers waiting on the partner");
    assert!(q.windows(2).all(|w| w[0].waited_secs >= w[1].waited_secs), "oldest first");
    let reasons: std::collections::HashSet<QueueReason> = q.iter().map(|i| i.reason).collect();
    assert!(
        reasons.contains(&QueueReason::DocumentRejected) || reasons.contains(&QueueReason::Correction),
        "{reasons:?}"
    );
    // Every item is a customer the cache has, at a stage that fits its reason.
    for i in &q {
        let c = d.store().get_customer(&i.customer_id).await.unwrap().unwrap();
        match i.reason {
            QueueReason::NextStep => assert_eq!(c.stage, kyc_model::Stage::Approved),
            QueueReason::LongReview => assert_eq!(c.stage, kyc_model::Stage::InReview),
            _ => assert_ne!(c.stage, kyc_model::Stage::Approved),
        }
    }
    // A longer threshold takes slow reviews out, never adds any.
    let patient = kyc_core::queue::read(d.store(), true, 720, now, &source, None, None).await.unwrap().items;
    assert!(patient.len() <= q.len());
    assert!(patient.iter().all(|i| i.reason != QueueReason::LongReview || i.waited_secs > 720 * 3600));
    // The counts add up to what is listed (the demo waits on fewer than a page).
    assert_eq!(part.counts.values().sum::<u64>(), q.len() as u64);
    // One reason alone: only its items, its count.
    let fix =
        kyc_core::queue::read(d.store(), true, 24, now, &source, Some(QueueReason::Correction), None).await.unwrap();
    assert!(fix.items.iter().all(|i| i.reason == QueueReason::Correction));
    assert_eq!(fix.items.len() as u64, part.counts.get(&QueueReason::Correction).copied().unwrap_or(0));
    // Among a tag's customers only.
    let some: Vec<String> = q.iter().take(2).map(|i| i.customer_id.clone()).collect();
    let tagged = kyc_core::queue::read(d.store(), true, 24, now, &source, None, Some(&some)).await.unwrap();
    assert_eq!(tagged.items.iter().map(|i| i.customer_id.clone()).collect::<Vec<_>>(), some);
}
