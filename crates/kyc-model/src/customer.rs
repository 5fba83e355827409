//! The customer and its KYC checklist, as every provider's data is mapped into.

use crate::{IdKind, Identifier};
use time::{Date, OffsetDateTime};

/// Declares a string-backed status enum whose unknown values are kept, not rejected:
/// providers add statuses (`creating`, `denied`, …) and the app must show them as
/// they come rather than fail.
macro_rules! open_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)+
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(s) => s,
                }
            }

            /// Every known value, in lifecycle order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum!(
    /// The state of one KYC requirement.
    KycItemStatus {
        /// Nothing submitted yet.
        Pending = "pending",
        /// Submitted, being reviewed.
        InReview = "in_review",
        /// Accepted by the reviewer.
        Approved = "approved",
        /// A document was refused; a new upload is allowed.
        Rejected = "rejected",
        /// A data field failed verification; fix it with a correction.
        PendingCorrection = "pending_correction",
    }
);

open_enum!(
    /// What satisfies a KYC item: a file, or corrected registration data.
    KycKind {
        /// Satisfied by uploading a document (or completing a capture).
        Document = "document",
        /// Satisfied by correcting a registration field.
        Data = "data",
    }
);

/// One requirement of a customer's KYC checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KycItem {
    /// Document or data.
    pub kind: KycKind,
    /// The requirement key, e.g. `ccmei`, `selfie`, `email`.
    pub item_type: String,
    /// Human label (Portuguese in Dinie's data).
    pub description: String,
    /// Review state.
    pub status: KycItemStatus,
    /// Reviewer feedback, present when rejected or pending correction.
    pub message: Option<String>,
    /// When the last submission arrived.
    pub uploaded_at: Option<OffsetDateTime>,
    /// Whether activation waits for this item.
    pub mandatory: bool,
}

/// Where a customer is in KYC, whatever the provider calls it: what filters, the
/// list's chips and the work queue use. Each connector maps its provider's statuses
/// here; the provider's own status is kept beside it, verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Stage {
    /// Waiting for the customer (documents, biometrics, data to correct).
    AwaitingCustomer,
    /// Everything submitted; the provider is reviewing.
    InReview,
    /// Verified: the step after KYC (offers, cards, wallets) is open.
    Approved,
    /// Refused by the provider.
    Rejected,
    /// A status the connector cannot place (shown verbatim beside this).
    #[default]
    Unknown,
}

impl Stage {
    /// Every stage, in lifecycle order.
    pub const ALL: [Stage; 5] =
        [Stage::AwaitingCustomer, Stage::InReview, Stage::Approved, Stage::Rejected, Stage::Unknown];

    /// The stable name: `awaiting_customer`, `in_review`, `approved`, `rejected`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingCustomer => "awaiting_customer",
            Self::InReview => "in_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Unknown => "unknown",
        }
    }

    /// Reads a stage's name; anything else is [`Stage::Unknown`].
    pub fn parse(name: &str) -> Self {
        Self::ALL.into_iter().find(|s| s.as_str() == name).unwrap_or(Self::Unknown)
    }
}

/// A person, or a business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Party {
    /// A person.
    #[default]
    Person,
    /// A company (for Dinie, an MEI or company with a CNPJ).
    Business,
}

impl Party {
    /// `person` or `business`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Business => "business",
        }
    }

    /// Reads `person`/`individual` or `business`; anything else is a person.
    pub fn parse(name: &str) -> Self {
        if name.eq_ignore_ascii_case("business") { Self::Business } else { Self::Person }
    }
}

/// A postal address, as the provider keeps it (fields it does not have are empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Address {
    /// Street and number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub line1: String,
    /// Complement.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub line2: String,
    /// City.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub city: String,
    /// State or region.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// Postal code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub postal_code: String,
    /// Country: ISO 3166-1 alpha-2 where the provider gives it, else its name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
}

impl Address {
    /// Whether nothing is known of it.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A customer, whichever provider registered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// The provider's id (`cust_…` for Dinie).
    pub id: String,
    /// Person or business.
    pub party: Party,
    /// The name as shown: the full name, or given and family names joined.
    pub name: String,
    /// Given name(s), where the provider keeps them apart.
    pub given_name: Option<String>,
    /// Family name(s), where the provider keeps them apart.
    pub family_name: Option<String>,
    /// Trading name of a business, if any.
    pub trading_name: Option<String>,
    /// Identity documents' numbers (CPF, CNPJ, NIN, passport, …).
    pub identifiers: Vec<Identifier>,
    /// E-mail address (empty when the provider has none).
    pub email: String,
    /// Phone, E.164 (empty when the provider has none).
    pub phone: String,
    /// Postal address.
    pub address: Option<Address>,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// The partner's own reference.
    pub external_id: Option<String>,
    /// The provider's status, verbatim (`pending_kyc`, `PENDING`, `denied`, …).
    pub status: String,
    /// The status placed in the neutral lifecycle.
    pub stage: Stage,
    /// The KYC checklist (empty for providers that publish none).
    pub kyc: Vec<KycItem>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl Default for Customer {
    /// An empty customer (times at the Unix epoch), for building one field by field.
    fn default() -> Self {
        Self {
            id: String::new(),
            party: Party::Person,
            name: String::new(),
            given_name: None,
            family_name: None,
            trading_name: None,
            identifiers: Vec::new(),
            email: String::new(),
            phone: String::new(),
            address: None,
            birth_date: None,
            external_id: None,
            status: String::new(),
            stage: Stage::Unknown,
            kyc: Vec::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }
}

/// What in a customer's own checklist waits on the partner (see [`Customer::attention`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attention {
    /// `document_rejected`, `correction` or `biometrics`.
    pub reason: &'static str,
    /// The item's description.
    pub detail: String,
    /// Waiting since: the item's upload, else the customer's last change.
    pub since: OffsetDateTime,
}

impl Customer {
    /// What in this customer's checklist waits on the partner, the most pressing first:
    /// a rejected document to send again, data to correct, a biometric capture not
    /// started. Only while KYC is open (not approved nor rejected). Kept beside each
    /// cached customer, so the work queue reads it from an index.
    pub fn attention(&self) -> Option<Attention> {
        if matches!(self.stage, Stage::Approved | Stage::Rejected) {
            return None;
        }
        let find = |pred: &dyn Fn(&KycItem) -> bool| self.kyc.iter().find(|i| pred(i));
        let since = |i: &KycItem| i.uploaded_at.unwrap_or(self.updated_at);
        if let Some(i) = find(&|i| i.status == KycItemStatus::Rejected && i.kind == KycKind::Document) {
            return Some(Attention { reason: "document_rejected", detail: i.description.clone(), since: since(i) });
        }
        if let Some(i) = find(&|i| i.status == KycItemStatus::PendingCorrection) {
            return Some(Attention { reason: "correction", detail: i.description.clone(), since: since(i) });
        }
        if let Some(i) = find(&|i| i.item_type == "biometrics" && i.status == KycItemStatus::Pending) {
            return Some(Attention { reason: "biometrics", detail: i.description.clone(), since: self.updated_at });
        }
        None
    }

    /// `(approved, total)` over the mandatory items: the "3/6" progress staff watch.
    pub fn kyc_progress(&self) -> (usize, usize) {
        let mandatory = self.kyc.iter().filter(|i| i.mandatory);
        let total = mandatory.clone().count();
        let done = mandatory.filter(|i| i.status == KycItemStatus::Approved).count();
        (done, total)
    }

    /// The value of the first identifier of `kind`, if any.
    pub fn identifier(&self, kind: &IdKind) -> Option<&str> {
        self.identifiers.iter().find(|i| &i.kind == kind).map(|i| i.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_statuses_are_kept_verbatim() {
        let odd = KycItemStatus::from("expired");
        assert_eq!(odd, KycItemStatus::Other("expired".into()));
        assert_eq!(odd.as_str(), "expired");
        assert_eq!(KycItemStatus::from("pending_correction"), KycItemStatus::PendingCorrection);
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), s);
        }
        assert_eq!(Stage::parse("denied"), Stage::Unknown);
    }

    #[test]
    fn progress_counts_mandatory_approved_items() {
        let item = |status: &str, mandatory| KycItem {
            kind: KycKind::Document,
            item_type: "x".into(),
            description: "X".into(),
            status: status.into(),
            message: None,
            uploaded_at: None,
            mandatory,
        };
        let c = Customer {
            id: "cust_1".into(),
            identifiers: vec![Identifier::new(IdKind::Cpf, "123.456.789-09")],
            kyc: vec![item("approved", true), item("pending", true), item("approved", false)],
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            ..Default::default()
        };
        assert_eq!(c.identifier(&IdKind::Cpf), Some("12345678909"));
        assert_eq!(c.kyc_progress(), (1, 2));
    }
}

/// An amount of money: a decimal string in the currency's major units (`"15000.00"`)
/// and its ISO 4217 code. Money is never a float.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Money {
    /// Decimal, major units, as the provider sent it.
    pub amount: String,
    /// `BRL`, `USD`, `NGN`, …
    pub currency: String,
}

/// What a provider offers after KYC: a credit offer (Dinie), a card (Cartevo), a wallet
/// (the wallets platform). One shape for the detail screen and the cache; what each
/// kind allows is the connector's to declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// The provider's id.
    pub id: String,
    /// The customer it belongs to.
    pub customer_id: String,
    /// `credit_offer`, `card`, `wallet`, or as the connector names it.
    pub kind: String,
    /// The provider's status, verbatim (`available`, `ACTIVE`, `frozen`, …).
    pub status: String,
    /// The offer's amount, the card's or wallet's balance.
    pub amount: Option<Money>,
    /// A rate in percent (a credit offer's monthly interest), as a decimal string.
    pub rate_percent: Option<String>,
    /// What identifies it to people: a card's masked number, a wallet's account.
    pub reference: Option<String>,
    /// When it stops being available.
    pub expires_at: Option<OffsetDateTime>,
    /// When it was made.
    pub created_at: Option<OffsetDateTime>,
}

/// More about one product, read live: how money gets in, what moved, what happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductDetail {
    /// Ways to pay in (a wallet's bank accounts).
    pub payment_methods: Vec<PaymentMethod>,
    /// Recent money movements, newest first.
    pub transactions: Vec<Movement>,
    /// Status changes and other events, oldest first.
    pub events: Vec<ProductEvent>,
}

/// A way to pay into a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod {
    /// `bank_account`, …
    pub kind: String,
    /// Who holds it (a bank's name).
    pub institution: Option<String>,
    /// Its number.
    pub reference: Option<String>,
    /// The name on it.
    pub holder: Option<String>,
}

/// A money movement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// `credit` or `debit`.
    pub direction: String,
    /// How much, in which currency (a decimal string).
    pub amount: Money,
    /// The provider's status of it.
    pub status: String,
    /// What it was.
    pub description: Option<String>,
    /// When.
    pub at: Option<OffsetDateTime>,
}

/// Something that happened to a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductEvent {
    /// What.
    pub kind: String,
    /// The status it led to.
    pub status: Option<String>,
    /// Why, as staff said.
    pub reason: Option<String>,
    /// When.
    pub at: Option<OffsetDateTime>,
}

/// A record found by an identity check (a BVN lookup), fact by fact under the names
/// the desk compares (`given_name`, `family_name`, `middle_name`, `birth_date`, `phone`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityRecord {
    /// The facts, in the order shown.
    pub facts: Vec<(String, String)>,
}

/// A document the provider stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    /// Provider id.
    pub id: String,
    /// The kyc item it satisfies.
    pub item_type: String,
    /// File name.
    pub filename: String,
    /// PDF, JPEG or PNG.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256.
    pub sha256: String,
    /// When it was stored.
    pub uploaded_at: OffsetDateTime,
}
