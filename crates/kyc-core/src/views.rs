//! What the UI shows, shaped for it. The TypeScript types in `ui/src/bindings/` are
//! generated from these by ts-rs (`cargo xtask bindings`); never edit them by hand.

use kyc_model::{Customer, Identifier, Product};
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
    /// Identity documents' numbers in their display masks (`123.456.789-09`).
    pub identifiers: Vec<IdentifierView>,
    /// Partner reference.
    pub external_id: Option<String>,
    /// The provider's status, verbatim (unknown values included).
    pub status: String,
    /// The neutral stage: `awaiting_customer`, `in_review`, `approved`, `rejected`, `unknown`.
    pub stage: String,
    /// Mandatory kyc items approved.
    pub kyc_done: u32,
    /// Mandatory kyc items.
    pub kyc_total: u32,
    /// Last change, RFC 3339.
    pub updated_at: String,
    /// The connection, in a list across every connection.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::fleet::Source>,
}

/// An identity document's number, for showing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IdentifierView {
    /// The kind: `cpf`, `cnpj`, `nin`, `passport`, `voters_card`, `drivers_licence`,
    /// `bvn`, or an unknown kind verbatim (the UI translates known ones).
    pub kind: String,
    /// The number in its display mask.
    pub value: String,
}

impl From<&Identifier> for IdentifierView {
    fn from(i: &Identifier) -> Self {
        Self { kind: i.kind.as_str().to_owned(), value: i.display() }
    }
}

/// A postal address, for showing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AddressView {
    /// Street and number.
    pub line1: String,
    /// Complement.
    pub line2: String,
    /// City.
    pub city: String,
    /// State or region.
    pub state: String,
    /// Postal code.
    pub postal_code: String,
    /// Country code or name.
    pub country: String,
}

impl From<kyc_model::Address> for AddressView {
    fn from(a: kyc_model::Address) -> Self {
        Self {
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            state: a.state,
            postal_code: a.postal_code,
            country: a.country,
        }
    }
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
            identifiers: c.identifiers.iter().map(IdentifierView::from).collect(),
            external_id: c.external_id.clone(),
            status: c.status.clone(),
            stage: c.stage.as_str().to_owned(),
            kyc_done: u32::try_from(done).unwrap_or(u32::MAX),
            kyc_total: u32::try_from(total).unwrap_or(u32::MAX),
            updated_at: rfc3339(c.updated_at),
            source: None,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
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
    /// Search text: name, trading name, e-mail, external id, any identifier (by prefix).
    #[serde(default)]
    pub text: String,
    /// Only these stages; empty for all.
    #[serde(default)]
    pub stages: Vec<String>,
    /// Only the customers with this tag.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub tag: Option<i64>,
    /// Every connection at once (each row says which), instead of the one in use.
    #[serde(default)]
    pub everywhere: bool,
    /// Across every connection, only these providers' (`dinie`, …); empty for all.
    #[serde(default)]
    pub providers: Vec<String>,
}

/// How many cached customers are at a stage (for the filter chips).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StageCount {
    /// The stage.
    pub stage: String,
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
    /// Customers matching the query: exact for the whole list or a stage filter,
    /// counted up to 1,000 for a text search.
    pub total: u32,
    /// Whether `total` stopped at 1,000.
    pub total_capped: bool,
    /// When the last successful sync finished (RFC 3339), if ever.
    pub last_sync_at: Option<String>,
    /// Cached customers per stage.
    pub stage_counts: Vec<StageCount>,
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
    /// The provider's own copy (an ID image it hosts), copied here for the viewer.
    pub hosted: bool,
    /// A small PNG of an image, as a `data:` URL.
    pub thumbnail: Option<String>,
}

/// A product after KYC (a credit offer, a card, a wallet), for the detail screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProductView {
    /// Provider id.
    pub id: String,
    /// `credit_offer`, `card`, `wallet`, …
    pub kind: String,
    /// The provider's status, verbatim.
    pub status: String,
    /// The amount (an offer) or balance, a decimal string as the API sent it
    /// (`"15000.00"`): money is never a float.
    pub amount: Option<String>,
    /// Its currency, ISO 4217.
    pub currency: Option<String>,
    /// A rate in percent as the API sent it: `3.5` is 3.5 % a month.
    pub rate_percent: Option<String>,
    /// A card's masked number, a wallet's account.
    pub reference: Option<String>,
    /// Expiry, RFC 3339.
    pub expires_at: Option<String>,
}

impl From<&Product> for ProductView {
    fn from(p: &Product) -> Self {
        Self {
            id: p.id.clone(),
            kind: p.kind.clone(),
            status: p.status.clone(),
            amount: p.amount.as_ref().map(|m| m.amount.clone()),
            currency: p.amount.as_ref().map(|m| m.currency.clone()),
            rate_percent: p.rate_percent.clone(),
            reference: p.reference.clone(),
            expires_at: p.expires_at.map(rfc3339),
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
    /// `person` or `business`.
    pub party: String,
    /// The name as shown.
    pub name: String,
    /// Given name(s), where the provider keeps them apart.
    pub given_name: Option<String>,
    /// Family name(s), where the provider keeps them apart.
    pub family_name: Option<String>,
    /// Trading name.
    pub trading_name: Option<String>,
    /// Identity documents' numbers, masked for display.
    pub identifiers: Vec<IdentifierView>,
    /// E-mail.
    pub email: String,
    /// Phone, E.164.
    pub phone: String,
    /// Postal address.
    pub address: Option<AddressView>,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Partner reference.
    pub external_id: Option<String>,
    /// The provider's status, verbatim.
    pub status: String,
    /// The neutral stage.
    pub stage: String,
    /// Offers, cards, wallets (cached; fresh ones arrive as events).
    pub products: Vec<ProductView>,
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
    /// The customer already existed (the provider recognised the registration).
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

/// A file attached to a form, checked and held by the desk until the form is sent.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AttachedFileView {
    /// What the form's field holds for it.
    pub id: String,
    /// Its name.
    pub filename: String,
    /// PDF, JPEG or PNG, by its bytes.
    pub content_type: String,
    /// Bytes.
    pub size: u32,
    /// A small PNG of an image, as a `data:` URL.
    pub thumbnail: Option<String>,
}

/// What creating a product (issuing a card) came to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "outcome")]
#[ts(export)]
pub enum CreatedView {
    /// Made.
    Made {
        /// The product.
        product: ProductView,
    },
    /// The answer was lost, the provider's list was read again, and this is the one
    /// made (nothing was sent twice).
    Recovered {
        /// The product.
        product: ProductView,
    },
    /// The answer was lost and the list read again shows it was not made. Nothing
    /// was retried.
    NotMade {
        /// Why the answer was lost.
        message: String,
    },
}

/// Which of a form's fields are in use and which must be filled, given what is typed
/// (a field may depend on another's value: the back of an ID on the document type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FormLayout {
    /// Fields not used with these values (not shown, not sent).
    pub hidden: Vec<String>,
    /// Fields that must be filled with these values.
    pub required: Vec<String>,
    /// The age today of each date of birth typed, by field.
    pub ages: std::collections::BTreeMap<String, u32>,
}

/// More about one product, read live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProductDetailView {
    /// Ways to pay in: `(kind, institution, number, holder)`.
    pub payment_methods: Vec<PaymentMethodView>,
    /// Recent movements, newest first.
    pub movements: Vec<MovementView>,
    /// Events, as they happened.
    pub events: Vec<ProductEventView>,
}

/// A way to pay in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PaymentMethodView {
    /// `bank_account`, …
    pub kind: String,
    /// A bank's name.
    pub institution: Option<String>,
    /// Its number.
    pub reference: Option<String>,
    /// The name on it.
    pub holder: Option<String>,
}

/// A money movement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MovementView {
    /// `credit` or `debit`.
    pub direction: String,
    /// A decimal string, as the provider wrote it.
    pub amount: String,
    /// ISO 4217.
    pub currency: String,
    /// The provider's status.
    pub status: String,
    /// What it was.
    pub description: Option<String>,
    /// RFC 3339.
    pub at: Option<String>,
}

/// An event of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProductEventView {
    /// What.
    pub kind: String,
    /// The status it led to.
    pub status: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// RFC 3339.
    pub at: Option<String>,
}

impl From<&kyc_model::ProductDetail> for ProductDetailView {
    fn from(d: &kyc_model::ProductDetail) -> Self {
        Self {
            payment_methods: d
                .payment_methods
                .iter()
                .map(|p| PaymentMethodView {
                    kind: p.kind.clone(),
                    institution: p.institution.clone(),
                    reference: p.reference.clone(),
                    holder: p.holder.clone(),
                })
                .collect(),
            movements: d
                .transactions
                .iter()
                .map(|m| MovementView {
                    direction: m.direction.clone(),
                    amount: m.amount.amount.clone(),
                    currency: m.amount.currency.clone(),
                    status: m.status.clone(),
                    description: m.description.clone(),
                    at: m.at.map(rfc3339),
                })
                .collect(),
            events: d
                .events
                .iter()
                .map(|e| ProductEventView {
                    kind: e.kind.clone(),
                    status: e.status.clone(),
                    reason: e.reason.clone(),
                    at: e.at.map(rfc3339),
                })
                .collect(),
        }
    }
}

/// One fact of an identity check: found, declared, and whether they match (`None`:
/// nothing declared to compare with).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IdentityFact {
    /// `given_name`, `middle_name`, `family_name`, `birth_date`, `phone` (label `fact.<key>`).
    pub key: String,
    /// In the record found.
    pub found: String,
    /// As the customer declared it.
    pub declared: Option<String>,
    /// Whether they are the same.
    pub matches: Option<bool>,
}

/// An identity check's outcome: the record beside the declared data. Shown, never
/// stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IdentityCheckView {
    /// Fact by fact.
    pub facts: Vec<IdentityFact>,
    /// No fact that could be compared differs.
    pub matches: bool,
}
