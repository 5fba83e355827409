//! What staff should hear about without looking: a customer whose KYC was approved, a kyc
//! item the reviewer rejected. Worked out from the timeline entries a write to the cache
//! recorded, so each transition is told once, whichever way it arrived (a webhook, the
//! in-flight refresh, an incremental sync). A customer seen for the first time records
//! no transition: a first sync of 100,000 customers announces nothing.

use crate::CoreError;
use kyc_model::Stage;
use kyc_store::{Change, Store};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// One thing worth a desktop notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum Notice {
    /// KYC approved: the step after it (offers, cards, wallets) is open.
    #[serde(rename_all = "camelCase")]
    CustomerApproved {
        /// The customer.
        customer_id: String,
        /// Their name, as registered.
        name: String,
    },
    /// A reviewer rejected a kyc item.
    #[serde(rename_all = "camelCase")]
    ItemRejected {
        /// The customer.
        customer_id: String,
        /// Their name.
        name: String,
        /// The item's key, e.g. `selfie`.
        item_type: String,
        /// The provider's label for it.
        description: String,
        /// The reviewer's reason, verbatim (plain text).
        message: Option<String>,
    },
}

/// Whether a timeline entry may be worth telling: any status change (told when it
/// put the customer in the approved stage), an item rejected.
fn notable(ch: &Change) -> bool {
    ch.kind == "status" || (ch.kind == "kyc" && ch.new_value == "rejected")
}

/// The notices among `changes`, oldest first (an incremental sync reads newest first),
/// with names and labels from the cache.
pub async fn from_changes(store: &Store, changes: &[Change]) -> Result<Vec<Notice>, CoreError> {
    let mut notable: Vec<&Change> = changes.iter().filter(|c| notable(c)).collect();
    notable.sort_by_key(|c| c.at);
    let mut customers = HashMap::new();
    let mut out = Vec::new();
    for ch in notable {
        if !customers.contains_key(&ch.customer_id) {
            let c = store.get_customer(&ch.customer_id).await?;
            customers.insert(ch.customer_id.clone(), c);
        }
        let Some(c) = customers.get(&ch.customer_id).and_then(Option::as_ref) else { continue };
        let (customer_id, name) = (c.id.clone(), c.name.clone());
        out.push(match ch.kind.as_str() {
            // The stage is the customer's now: told when this change is what put it there.
            "status" if c.stage == Stage::Approved && c.status == ch.new_value => {
                Notice::CustomerApproved { customer_id, name }
            }
            "status" => continue,
            _ => {
                let item_type = ch.item_type.clone().unwrap_or_default();
                let description = c
                    .kyc
                    .iter()
                    .find(|i| i.item_type == item_type)
                    .map_or_else(|| item_type.clone(), |i| i.description.clone());
                Notice::ItemRejected { customer_id, name, item_type, description, message: ch.message.clone() }
            }
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn change(kind: &str, item: Option<&str>, new: &str) -> Change {
        Change {
            customer_id: "cust_1".into(),
            at: OffsetDateTime::UNIX_EPOCH,
            kind: kind.into(),
            item_type: item.map(Into::into),
            old_value: Some("in_review".into()),
            new_value: new.into(),
            message: Some("Documento ilegível".into()),
        }
    }

    #[test]
    fn status_changes_and_item_rejections_are_looked_at() {
        assert!(notable(&change("status", None, "active")));
        assert!(notable(&change("kyc", Some("selfie"), "rejected")));
        assert!(!notable(&change("kyc", Some("selfie"), "approved")));
        assert!(!notable(&change("kyc", Some("email"), "pending_correction")));
    }
}
