//! The work queue: the customers that need the partner, with why and since when,
//! oldest first, across every connection ([`crate::fleet::Fleet::queue`]). Read from the
//! caches (it works offline) and re-read when the core says customers changed (no
//! polling). Each cache answers from indexes: how many wait for each reason, and the
//! oldest few; nobody's checklist is read, so 100,000 customers answer as fast as 100.

use crate::CoreError;
use kyc_store::{OutboxState, Store};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;
use ts_rs::TS;

/// Why a customer is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
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

    /// Its name, as the store and the window spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DocumentRejected => "document_rejected",
            Self::Correction => "correction",
            Self::Biometrics => "biometrics",
            Self::RefusedWrite => "refused_write",
            Self::LongReview => "long_review",
            Self::NextStep => "next_step",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
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
    /// Why (the most pressing reason).
    pub reason: QueueReason,
    /// What it concerns, when an item: its label (`Selfie`).
    pub detail: Option<String>,
    /// Waiting since, RFC 3339.
    pub since: String,
    /// Seconds waited.
    #[ts(type = "number")]
    pub waited_secs: u64,
}

/// How many wait for a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReasonCount {
    /// The reason.
    pub reason: QueueReason,
    /// How many.
    #[ts(type = "number")]
    pub count: u64,
}

/// How many wait in a provider's connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProviderCount {
    /// The provider's id.
    pub provider: String,
    /// Its name as shown.
    pub provider_name: String,
    /// How many wait there (for the reason chosen, if any).
    #[ts(type = "number")]
    pub count: u64,
}

/// The work queue as the window shows it: the oldest items and how many wait.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct QueuePage {
    /// The oldest waiting (at most [`QUEUE_PAGE`]), oldest first.
    pub items: Vec<QueueItem>,
    /// How many wait, for the filters chosen.
    #[ts(type = "number")]
    pub total: u64,
    /// How many wait for each reason (the reason filter aside), in the order shown.
    pub counts: Vec<ReasonCount>,
    /// How many wait per provider (the provider filter aside).
    pub providers: Vec<ProviderCount>,
}

/// The most items the queue lists at once (the oldest; the counts say how many more).
pub const QUEUE_PAGE: u32 = 200;

/// What the queue is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct QueueFilter {
    /// Only this reason.
    #[serde(default)]
    pub reason: Option<QueueReason>,
    /// Only these providers' connections (`dinie`, …); empty for all.
    #[serde(default)]
    pub providers: Vec<String>,
    /// Only the customers with this tag.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub tag: Option<i64>,
}

/// One cache's part of the queue.
#[derive(Debug, Default)]
pub struct QueuePart {
    /// Its oldest items (for the reason chosen), oldest first.
    pub items: Vec<QueueItem>,
    /// How many wait there for each reason.
    pub counts: HashMap<QueueReason, u64>,
}

/// One connection's cache's part of the work queue. `review_hours`: how long a review
/// may take before it counts as waiting on the partner; `products_expected`: whether
/// the provider offers a step after KYC; `only`: among these customers (a tag's).
pub async fn read(
    store: &Store,
    products_expected: bool,
    review_hours: u32,
    now: OffsetDateTime,
    source: &crate::fleet::Source,
    reason: Option<QueueReason>,
    only: Option<&[String]>,
) -> Result<QueuePart, CoreError> {
    let review_before = now - time::Duration::hours(i64::from(review_hours));
    // A write the API refused wins over any other reason (it is what staff must act on).
    let mut refused: Vec<String> = store
        .outbox_unfinished()
        .await?
        .into_iter()
        .filter(|e| e.state == OutboxState::Failed)
        .filter_map(|e| e.customer_id)
        .filter(|id| only.is_none_or(|o| o.contains(id)))
        .collect();
    refused.sort();
    refused.dedup();
    let refused_rows = store.waiting_reasons(&refused, review_before, products_expected).await?;
    // (Only refused writes asked for: the store lists none of its reasons, counts them all.)
    let read =
        store.waiting(review_before, products_expected, reason.map(QueueReason::as_str), only, QUEUE_PAGE).await?;
    let mut counts: HashMap<QueueReason, u64> =
        read.counts.iter().filter_map(|(r, n)| Some((QueueReason::parse(r)?, *n))).collect();
    for (_, was) in &refused_rows {
        if let Some(r) = was.as_deref().and_then(QueueReason::parse)
            && let Some(n) = counts.get_mut(&r)
        {
            *n = n.saturating_sub(1);
        }
    }
    counts.retain(|_, n| *n > 0);
    if !refused_rows.is_empty() {
        counts.insert(QueueReason::RefusedWrite, refused_rows.len() as u64);
    }
    let refused: HashSet<&str> = refused_rows.iter().map(|(w, _)| w.id.as_str()).collect();
    let item = |w: &kyc_store::Waiting, reason: QueueReason| QueueItem {
        source: source.clone(),
        customer_id: w.id.clone(),
        name: w.name.clone(),
        stage: w.stage.clone(),
        reason,
        detail: w.detail.clone(),
        since: crate::views::rfc3339(w.since),
        waited_secs: u64::try_from((now - w.since).whole_seconds()).unwrap_or(0),
    };
    let mut items: Vec<QueueItem> = read
        .oldest
        .iter()
        .filter(|w| !refused.contains(w.id.as_str()))
        .filter_map(|w| Some(item(w, QueueReason::parse(&w.reason)?)))
        .collect();
    if reason.is_none_or(|r| r == QueueReason::RefusedWrite) {
        items.extend(refused_rows.iter().map(|(w, _)| item(w, QueueReason::RefusedWrite)));
    }
    sort(&mut items);
    items.truncate(QUEUE_PAGE as usize);
    Ok(QueuePart { items, counts })
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
    use kyc_model::{Customer, KycItem, KycItemStatus, KycKind, Stage};
    use time::OffsetDateTime;

    fn customer(stage: Stage, items: Vec<KycItem>) -> Customer {
        Customer { id: "c".into(), name: "C".into(), stage, kyc: items, ..Customer::default() }
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
    fn what_in_a_checklist_waits_on_the_partner_the_most_pressing_first() {
        let reason = |c: &Customer| c.attention().map(|a| a.reason);
        let rejected = customer(
            Stage::AwaitingCustomer,
            vec![
                item(KycKind::Data, "email", KycItemStatus::PendingCorrection),
                item(KycKind::Document, "selfie", KycItemStatus::Rejected),
            ],
        );
        assert_eq!(reason(&rejected), Some("document_rejected"));
        let uploaded = OffsetDateTime::UNIX_EPOCH + time::Duration::days(3);
        let mut sent = rejected.clone();
        sent.kyc[1].uploaded_at = Some(uploaded);
        assert_eq!(sent.attention().map(|a| (a.detail, a.since)), Some(("selfie".into(), uploaded)));
        let fix =
            customer(Stage::AwaitingCustomer, vec![item(KycKind::Data, "email", KycItemStatus::PendingCorrection)]);
        assert_eq!(reason(&fix), Some("correction"));
        let bio = customer(Stage::InReview, vec![item(KycKind::Document, "biometrics", KycItemStatus::Pending)]);
        assert_eq!(reason(&bio), Some("biometrics"));
        let done =
            customer(Stage::AwaitingCustomer, vec![item(KycKind::Document, "biometrics", KycItemStatus::Approved)]);
        assert_eq!(reason(&done), None);
        let approved = customer(Stage::Approved, rejected.kyc.clone());
        assert_eq!(reason(&approved), None, "an ended KYC waits on nothing in its checklist");
    }
}
