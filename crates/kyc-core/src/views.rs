//! What the UI shows, shaped for it. The TypeScript types in `ui/src/bindings/` are
//! generated from these by ts-rs (`cargo xtask bindings`); never edit them by hand.

use kyc_model::{Customer, mask_cnpj, mask_cpf};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use ts_rs::TS;

/// One row of the customer list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerRow {
    /// Provider id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Trading name, for companies.
    pub trading_name: Option<String>,
    /// CPF in its display mask, `123.456.789-09`.
    pub cpf: String,
    /// CNPJ in its display mask.
    pub cnpj: Option<String>,
    /// Partner reference.
    pub external_id: Option<String>,
    /// Status, verbatim (unknown values included).
    pub status: String,
    /// Mandatory kyc items approved.
    pub kyc_done: u32,
    /// Mandatory kyc items.
    pub kyc_total: u32,
    /// Last change, RFC 3339.
    pub updated_at: String,
}

/// RFC 3339 for the UI (which formats it with `Intl`).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

impl From<&Customer> for CustomerRow {
    fn from(c: &Customer) -> Self {
        let (done, total) = c.kyc_progress();
        Self {
            id: c.id.clone(),
            name: c.name.clone(),
            trading_name: c.trading_name.clone(),
            cpf: mask_cpf(&c.cpf),
            cnpj: c.cnpj.as_deref().map(mask_cnpj),
            external_id: c.external_id.clone(),
            status: c.status.as_str().to_owned(),
            kyc_done: u32::try_from(done).unwrap_or(u32::MAX),
            kyc_total: u32::try_from(total).unwrap_or(u32::MAX),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// Sort orders the list offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum CustomerSort {
    /// Newest registration first.
    #[default]
    Newest,
    /// Most recently changed first.
    RecentlyUpdated,
    /// By name.
    Name,
}

/// A request for a page of the list.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerListQuery {
    /// Rows to skip.
    pub offset: u32,
    /// Rows wanted (capped at 500).
    pub limit: u32,
    /// Order.
    #[serde(default)]
    pub sort: CustomerSort,
    /// Search text: name, trading name, e-mail, external id, CPF or CNPJ (by prefix).
    #[serde(default)]
    pub text: String,
    /// Only these statuses; empty for all.
    #[serde(default)]
    pub statuses: Vec<String>,
}

/// How many cached customers have a status (for the filter chips).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StatusCount {
    /// The status, verbatim.
    pub status: String,
    /// Customers with it.
    pub count: u32,
}

/// A page of the list, with what the header needs.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerPage {
    /// The rows.
    pub rows: Vec<CustomerRow>,
    /// Customers matching the query: exact for the whole list or a status filter,
    /// counted up to 1,000 for a text search.
    pub total: u32,
    /// Whether `total` stopped at 1,000.
    pub total_capped: bool,
    /// When the last successful sync finished (RFC 3339), if ever.
    pub last_sync_at: Option<String>,
    /// Cached customers per status.
    pub status_counts: Vec<StatusCount>,
    /// Whether the API answered the last call.
    pub online: bool,
}

/// Which connection the app is using.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileView {
    /// Profile name, e.g. "Built-in sandbox".
    pub name: String,
    /// Provider, e.g. `dinie`.
    pub provider: String,
    /// API base URL.
    pub base_url: String,
    /// Whether this is the built-in demo sandbox (the UI shows a badge).
    pub is_demo: bool,
    /// Whether changes arrive as webhooks the moment they happen (the built-in
    /// sandbox); otherwise they are polled.
    pub webhooks: bool,
}

/// One requirement of the kyc checklist, with what it needs from staff.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KycItemView {
    /// `document` or `data` (unknown kinds verbatim).
    pub kind: String,
    /// The requirement key, e.g. `selfie`, `email`.
    pub item_type: String,
    /// The provider's label (Portuguese for Dinie).
    pub description: String,
    /// Review state, verbatim.
    pub status: String,
    /// Reviewer feedback when rejected or pending correction.
    pub message: Option<String>,
    /// Last submission, RFC 3339.
    pub uploaded_at: Option<String>,
    /// Whether activation waits for it.
    pub mandatory: bool,
    /// What staff should do: `upload`, `correct`, `biometrics`, `wait` or `none`.
    pub action: String,
}

impl From<&kyc_model::KycItem> for KycItemView {
    fn from(i: &kyc_model::KycItem) -> Self {
        use kyc_model::{KycItemStatus as S, KycKind as K};
        let needs_input = matches!(i.status, S::Pending | S::Rejected | S::PendingCorrection);
        let action = match (&i.kind, needs_input, &i.status) {
            (_, false, S::InReview) => "wait",
            (_, false, _) => "none",
            (K::Data, true, _) => "correct",
            (_, true, _) if i.item_type == "biometrics" => "biometrics",
            (_, true, _) => "upload",
        };
        Self {
            kind: i.kind.as_str().to_owned(),
            item_type: i.item_type.clone(),
            description: i.description.clone(),
            status: i.status.as_str().to_owned(),
            message: i.message.clone(),
            uploaded_at: i.uploaded_at.map(rfc3339),
            mandatory: i.mandatory,
            action: action.to_owned(),
        }
    }
}

/// One entry of a customer's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChangeView {
    /// When, RFC 3339.
    pub at: String,
    /// `status` or `kyc`.
    pub kind: String,
    /// The kyc item, for `kyc`.
    pub item_type: Option<String>,
    /// Before (none when first seen).
    pub old_value: Option<String>,
    /// After.
    pub new_value: String,
    /// Review message.
    pub message: Option<String>,
}

/// A document uploaded (or queued) from this machine.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentView {
    /// The API's id, or the outbox key while queued.
    pub id: String,
    /// Kyc item type.
    pub item_type: String,
    /// File name.
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Bytes.
    pub size: u32,
    /// When the API stored it; none while queued.
    pub uploaded_at: Option<String>,
    /// Whether a copy is kept on this machine (the viewer works offline).
    pub local_copy: bool,
}

/// A credit offer, for the detail screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OfferView {
    /// Provider id.
    pub id: String,
    /// Status, verbatim.
    pub status: String,
    /// Amount in BRL as the API sent it (a decimal string, e.g. `"15000.00"`).
    pub approved_amount: String,
    /// Monthly interest rate in percent, as the contract says: `3.5` is 3.5 % a month.
    pub interest_rate: f64,
    /// Expiry, RFC 3339.
    pub expires_at: Option<String>,
}

impl From<&kyc_model::CreditOffer> for OfferView {
    fn from(o: &kyc_model::CreditOffer) -> Self {
        Self {
            id: o.id.clone(),
            status: o.status.clone(),
            approved_amount: o.approved_amount.clone(),
            interest_rate: o.interest_rate,
            expires_at: o.expires_at.map(rfc3339),
        }
    }
}

/// Everything the detail screen shows of one cached customer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerDetail {
    /// Provider id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Trading name.
    pub trading_name: Option<String>,
    /// CPF, masked.
    pub cpf: String,
    /// CNPJ, masked.
    pub cnpj: Option<String>,
    /// E-mail.
    pub email: String,
    /// Phone, E.164.
    pub phone: String,
    /// Partner reference.
    pub external_id: Option<String>,
    /// Status, verbatim.
    pub status: String,
    /// Mandatory items approved.
    pub kyc_done: u32,
    /// Mandatory items.
    pub kyc_total: u32,
    /// The checklist.
    pub kyc: Vec<KycItemView>,
    /// Status transitions and item outcomes, newest first.
    pub timeline: Vec<ChangeView>,
    /// Documents uploaded from this machine.
    pub documents: Vec<DocumentView>,
    /// Registered, RFC 3339.
    pub created_at: String,
    /// Last change, RFC 3339.
    pub updated_at: String,
}

/// How a registration, correction or upload ended, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "camelCase")]
#[ts(export)]
pub enum WriteView {
    /// The API created the customer (201).
    #[serde(rename_all = "camelCase")]
    Created {
        /// The new customer.
        customer_id: String,
    },
    /// The customer already existed with this CPF/CNPJ and external id (200).
    #[serde(rename_all = "camelCase")]
    Existed {
        /// The existing customer.
        customer_id: String,
    },
    /// A correction or upload was accepted.
    #[serde(rename_all = "camelCase")]
    Accepted {
        /// The customer.
        customer_id: String,
    },
    /// The API could not be reached: queued, and sent when it answers again.
    #[serde(rename_all = "camelCase")]
    Queued {
        /// Place in the outbox.
        seq: u32,
    },
    /// The API refused it (a 409 conflict among them).
    Refused {
        /// What it said.
        error: crate::ErrorView,
    },
}

/// A biometric capture session.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BiometricsView {
    /// Where the customer completes the capture.
    pub session_url: String,
    /// When the link stops working, RFC 3339.
    pub expires_at: String,
}

/// The connection profiles, for Settings.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfilesView {
    /// Every profile (secrets are in the keychain, never here).
    pub profiles: Vec<crate::profiles::Profile>,
    /// The one in use.
    pub active_id: String,
    /// Profiles whose secret is not in the keychain: Settings asks for it again.
    pub missing_secrets: Vec<String>,
}

/// A profile as typed in Settings. The secret goes to the OS keychain and nowhere else.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewProfile {
    /// Name shown to staff.
    pub name: String,
    /// Dinie's sandbox, Dinie production, or a custom URL.
    pub kind: crate::profiles::ProfileKind,
    /// The API base URL, for a custom profile.
    #[serde(default)]
    pub base_url: String,
    /// Bearer token or client credentials.
    pub auth: crate::profiles::AuthMethod,
    /// The token or client secret.
    pub secret: String,
}

impl std::fmt::Debug for NewProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewProfile")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl NewProfile {
    /// The base URL it points at (fixed for Dinie's own).
    pub fn resolved_url(&self) -> String {
        use crate::profiles::{DINIE_PRODUCTION_URL, DINIE_SANDBOX_URL, ProfileKind};
        match self.kind {
            ProfileKind::DinieSandbox => DINIE_SANDBOX_URL.to_owned(),
            ProfileKind::DinieProduction => DINIE_PRODUCTION_URL.to_owned(),
            ProfileKind::Custom | ProfileKind::BuiltinSandbox => self.base_url.trim().trim_end_matches('/').to_owned(),
        }
    }
}
