//! The customer and its KYC checklist, as every provider's data is mapped into.

use time::OffsetDateTime;

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
    /// Where a customer is in onboarding.
    CustomerStatus {
        /// Created, awaiting documents and biometrics.
        PendingKyc = "pending_kyc",
        /// Every mandatory item submitted; analysis in progress.
        UnderReview = "under_review",
        /// Verified and eligible for credit offers.
        Active = "active",
    }
);

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

/// A borrower, provider-neutral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// The provider's id (`cust_…` for Dinie).
    pub id: String,
    /// Onboarding status.
    pub status: CustomerStatus,
    /// CPF digits as the provider sent them (normally 11 digits).
    pub cpf: String,
    /// CNPJ digits, for companies / MEI.
    pub cnpj: Option<String>,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Phone, E.164.
    pub phone: String,
    /// Trading name of the company, if any.
    pub trading_name: Option<String>,
    /// The partner's own reference.
    pub external_id: Option<String>,
    /// The KYC checklist.
    pub kyc: Vec<KycItem>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl Customer {
    /// `(approved, total)` over the mandatory items: the "3/6" progress staff watch.
    pub fn kyc_progress(&self) -> (usize, usize) {
        let mandatory = self.kyc.iter().filter(|i| i.mandatory);
        let total = mandatory.clone().count();
        let done = mandatory.filter(|i| i.status == KycItemStatus::Approved).count();
        (done, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_statuses_are_kept_verbatim() {
        assert_eq!(CustomerStatus::from("active"), CustomerStatus::Active);
        let denied = CustomerStatus::from("denied");
        assert_eq!(denied, CustomerStatus::Other("denied".into()));
        assert_eq!(denied.as_str(), "denied");
        assert_eq!(KycItemStatus::from("pending_correction"), KycItemStatus::PendingCorrection);
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
            status: CustomerStatus::PendingKyc,
            cpf: "12345678909".into(),
            cnpj: None,
            name: "A".into(),
            email: "a@b.co".into(),
            phone: "+5511999999999".into(),
            trading_name: None,
            external_id: None,
            kyc: vec![item("approved", true), item("pending", true), item("approved", false)],
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(c.kyc_progress(), (1, 2));
    }
}

/// A credit offer to a customer.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditOffer {
    /// Provider id.
    pub id: String,
    /// Customer.
    pub customer_id: String,
    /// `available`, `expired`, `accepted`, or as the provider says.
    pub status: String,
    /// Amount in BRL as a decimal string (`"50000.00"`): money is never a float.
    pub approved_amount: String,
    /// Monthly interest rate, in percent.
    pub interest_rate: f64,
    /// Offer expiry.
    pub expires_at: Option<OffsetDateTime>,
    /// Creation.
    pub created_at: Option<OffsetDateTime>,
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
