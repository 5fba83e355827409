//! What a provider says of itself: what it can do and the forms it takes. The UI draws
//! the registration and correction forms, the detail screen's sections and its actions
//! from this, so nothing in the UI names a provider.

use crate::FormSpec;
use serde::Serialize;

/// What a provider can do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Capabilities {
    /// Register customers from the desk.
    pub register: bool,
    /// Correct a customer's data after registration.
    pub correct: bool,
    /// Upload a document for a checklist item.
    pub upload: bool,
    /// Start a biometric capture session.
    pub biometrics: bool,
    /// Publish a KYC checklist per customer.
    pub checklist: bool,
    /// Send signed webhooks (to the desk's loopback listener, from a local sandbox).
    pub webhooks: bool,
    /// Identity documents hosted by the provider, previewed from its copies.
    pub hosted_documents: bool,
}

/// Something staff can do to a product, and the statuses it can be done from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProductAction {
    /// `freeze`, `unfreeze`, … (label `action.<name>`).
    pub name: String,
    /// The provider's statuses it is offered in.
    pub from: Vec<String>,
    /// Staff must say why (a reason is sent with it).
    pub needs_reason: bool,
}

impl ProductAction {
    /// Whether it can be done to a product in `status`.
    pub fn allowed_from(&self, status: &str) -> bool {
        self.from.iter().any(|s| s.eq_ignore_ascii_case(status))
    }
}

/// A kind of product offered after KYC, and the actions on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProductSpec {
    /// `credit_offer`, `card`, `wallet`, …
    pub kind: String,
    /// What staff can do to one; empty for read-only.
    pub actions: Vec<ProductAction>,
    /// The form to create one from the desk (issue a card), when staff can.
    pub create: Option<FormSpec>,
    /// The stage (its name, `approved`) a customer must be at for one to be created.
    pub create_at: Option<String>,
}

impl ProductSpec {
    /// A read-only kind.
    pub fn read_only(kind: &str) -> Self {
        Self { kind: kind.into(), actions: Vec::new(), create: None, create_at: None }
    }
}

/// A provider's description of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProviderSpec {
    /// Stable id: `dinie`, …
    pub id: String,
    /// Its name as shown.
    pub name: String,
    /// What it can do.
    pub capabilities: Capabilities,
    /// The registration form.
    pub register: FormSpec,
    /// The correction form, when corrections exist.
    pub correct: Option<FormSpec>,
    /// What comes after KYC.
    pub products: Vec<ProductSpec>,
    /// A check of a customer's identity against an outside record (a BVN lookup), when
    /// the provider offers one.
    pub identity_check: Option<IdentityCheckSpec>,
}

/// An identity check staff can run: its form (the number to look up, the customer's
/// consent) and which declared facts the record found is compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IdentityCheckSpec {
    /// `bvn`, … (label `check.<id>`).
    pub id: String,
    /// What staff fill in.
    pub form: FormSpec,
}
