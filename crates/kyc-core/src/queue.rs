//! The work queue: the customers that need the partner, with why and since when,
//! oldest first. Read from the cache (it works offline) and re-read when the core says
//! customers changed (no polling).

use crate::CoreError;
use kyc_model::{Customer, KycItemStatus, KycKind, Stage};
use kyc_store::{OutboxState, Store};
use serde::Serialize;
use time::OffsetDateTime;
use ts_rs::TS;

/// Why a customer is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum QueueReason {
    /// A document was rejected: send it again.
    DocumentRejected,
    /// Data failed verification: correct it.
    Correction,
    /// The biometric capture was not started (or did not end).
    Biometrics,
    /// A write was refused by the API in the background.
    RefusedWrite,
    /// In review for longer than the threshold set in Settings.
    LongReview,
    /// Approved, without the step after KYC yet (no offer, card or wallet).
    NextStep,
}

impl QueueReason {
    /// Every reason, in the order shown.
    pub const ALL: [QueueReason; 6] = [
        Self::RefusedWrite,
        Self::DocumentRejected,
        Self::Correction,
        Self::Biometrics,
        Self::LongReview,
        Self::NextStep,
    ];
}

/// One customer waiting on the partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct QueueItem {
    /// The connection the customer is in.
    pub source: crate::fleet::Source,
    /// The customer.
    pub customer_id: String,
    /// Their name.
    pub name: String,
    /// The stage.
    pub stage: String,
    /// Why (the first reason of [`QueueReason::ALL`] that applies).
    pub reason: QueueReason,
    /// What it concerns, when an item: its label (`Selfie`).
    pub detail: Option<String>,
    /// Waiting since, RFC 3339.
    pub since: String,
    /// Seconds waited.
    #[ts(type = "number")]
    pub waited_secs: u64,
}

/// The reasons a customer is waiting on the partner, and since when.
pub fn reasons(
    c: &Customer,
    refused: bool,
    has_products: bool,
    products_expected: bool,
    review_threshold: time::Duration,
    now: OffsetDateTime,
) -> Option<(QueueReason, Option<String>, OffsetDateTime)> {
    let item = |pred: &dyn Fn(&kyc_model::KycItem) -> bool| c.kyc.iter().find(|i| pred(i));
    let since_item = |i: &kyc_model::KycItem| i.uploaded_at.unwrap_or(c.updated_at);
    if refused {
        return Some((QueueReason::RefusedWrite, None, c.updated_at));
    }
    let open = !matches!(c.stage, Stage::Approved | Stage::Rejected);
    if open {
        if let Some(i) = item(&|i| i.status == KycItemStatus::Rejected && i.kind == KycKind::Document) {
            return Some((QueueReason::DocumentRejected, Some(i.description.clone()), since_item(i)));
        }
        if let Some(i) = item(&|i| i.status == KycItemStatus::PendingCorrection) {
            return Some((QueueReason::Correction, Some(i.description.clone()), since_item(i)));
        }
        if let Some(i) = item(&|i| i.item_type == "biometrics" && i.status == KycItemStatus::Pending) {
            return Some((QueueReason::Biometrics, Some(i.description.clone()), c.updated_at));
        }
    }
    if c.stage == Stage::InReview && now - c.updated_at > review_threshold {
        return Some((QueueReason::LongReview, None, c.updated_at));
    }
    if c.stage == Stage::Approved && products_expected && !has_products {
        return Some((QueueReason::NextStep, None, c.updated_at));
    }
    None
}

/// The work queue of one connection's cache, oldest first. `review_hours`: how long a
/// review may take before it counts as waiting on the partner; `products_expected`:
/// whether the provider offers a step after KYC.
pub async fn read(
    store: &Store,
    products_expected: bool,
    review_hours: u32,
    now: OffsetDateTime,
    source: &crate::fleet::Source,
) -> Result<Vec<QueueItem>, CoreError> {
    let review_threshold = time::Duration::hours(i64::from(review_hours));
    let refused: std::collections::HashSet<String> = store
        .outbox_unfinished()
        .await?
        .into_iter()
        .filter(|e| e.state == OutboxState::Failed)
        .filter_map(|e| e.customer_id)
        .collect();
    let mut candidates = store.queue_candidates(now - review_threshold, products_expected).await?;
    let missing: Vec<String> = refused.iter().filter(|id| !candidates.iter().any(|c| &c.id == *id)).cloned().collect();
    candidates.extend(store.get_customers(&missing).await?);
    let mut items = Vec::new();
    for c in candidates {
        // An approved candidate is one without products (the query's last branch) or
        // one with a refused write, whose reason wins whatever it has: no need to
        // read anyone's products.
        let has_products = false;
        if let Some((reason, detail, since)) =
            reasons(&c, refused.contains(&c.id), has_products, products_expected, review_threshold, now)
        {
            items.push(QueueItem {
                source: source.clone(),
                customer_id: c.id.clone(),
                name: c.name.clone(),
                stage: c.stage.as_str().into(),
                reason,
                detail,
                since: crate::views::rfc3339(since),
                waited_secs: u64::try_from((now - since).whole_seconds()).unwrap_or(0),
            });
        }
    }
    sort(&mut items);
    Ok(items)
}

/// Oldest first; ties in a stable order.
pub fn sort(items: &mut [QueueItem]) {
    items.sort_by(|a, b| {
        b.waited_secs
            .cmp(&a.waited_secs)
            .then_with(|| a.source.profile_id.cmp(&b.source.profile_id))
            .then_with(|| a.customer_id.cmp(&b.customer_id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyc_model::KycItem;

    fn customer(stage: Stage, items: Vec<KycItem>, updated: OffsetDateTime) -> Customer {
        Customer { id: "c".into(), name: "C".into(), stage, kyc: items, updated_at: updated, ..Customer::default() }
    }

    fn item(kind: KycKind, t: &str, status: KycItemStatus) -> KycItem {
        KycItem {
            kind,
            item_type: t.into(),
            description: t.into(),
            status,
            message: None,
            uploaded_at: None,
            mandatory: true,
        }
    }

    #[test]
    fn each_reason_is_found_and_the_most_pressing_wins() {
        let now = OffsetDateTime::now_utc();
        let day = time::Duration::days(1);
        let r = |c: &Customer, refused, has| reasons(c, refused, has, true, day, now).map(|x| x.0);
        let rejected = customer(
            Stage::AwaitingCustomer,
            vec![
                item(KycKind::Document, "selfie", KycItemStatus::Rejected),
                item(KycKind::Data, "email", KycItemStatus::PendingCorrection),
            ],
            now,
        );
        assert_eq!(r(&rejected, false, false), Some(QueueReason::DocumentRejected));
        assert_eq!(r(&rejected, true, false), Some(QueueReason::RefusedWrite));
        let fix = customer(
            Stage::AwaitingCustomer,
            vec![item(KycKind::Data, "email", KycItemStatus::PendingCorrection)],
            now,
        );
        assert_eq!(r(&fix, false, false), Some(QueueReason::Correction));
        let bio =
            customer(Stage::AwaitingCustomer, vec![item(KycKind::Document, "biometrics", KycItemStatus::Pending)], now);
        assert_eq!(r(&bio, false, false), Some(QueueReason::Biometrics));
        let slow = customer(Stage::InReview, Vec::new(), now - time::Duration::hours(30));
        assert_eq!(r(&slow, false, false), Some(QueueReason::LongReview));
        let quick = customer(Stage::InReview, Vec::new(), now - time::Duration::hours(2));
        assert_eq!(r(&quick, false, false), None);
        let approved = customer(Stage::Approved, Vec::new(), now);
        assert_eq!(r(&approved, false, false), Some(QueueReason::NextStep));
        assert_eq!(r(&approved, false, true), None, "it has its offer, card or wallet");
        assert_eq!(reasons(&approved, false, false, false, day, now), None, "the provider offers nothing after KYC");
    }
}
