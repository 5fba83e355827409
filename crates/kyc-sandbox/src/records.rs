//! The sandbox's records as the API sends them: customers, kyc items, documents,
//! offers, biometric sessions. Data only; the rules over them are `state.rs`'s.

use serde::Serialize;
use time::OffsetDateTime;

/// One item of a customer's kyc array, as the API sends it (seed 000 shape).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct KycItemRecord {
    /// `document` or `data`.
    pub kind: String,
    /// Requirement key.
    #[serde(rename = "type")]
    pub item_type: String,
    /// Portuguese label.
    pub description: String,
    /// Review status.
    pub status: String,
    /// Review feedback.
    pub message: Option<String>,
    /// Last submission.
    #[serde(with = "time::serde::rfc3339::option")]
    pub uploaded_at: Option<OffsetDateTime>,
}

/// A customer as the sandbox stores and sends it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct SandboxCustomer {
    /// `cust_…`.
    pub id: String,
    /// Status.
    pub status: String,
    /// Masked CPF.
    pub cpf: String,
    /// Masked CNPJ.
    pub cnpj: Option<String>,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// E.164 phone.
    pub phone: String,
    /// Trading name.
    pub trading_name: Option<String>,
    /// Partner reference.
    pub external_id: Option<String>,
    /// KYC checklist.
    pub kyc: Vec<KycItemRecord>,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Metadata of a stored document, as `POST /documents` answers it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct DocumentMeta {
    /// `doc_…`.
    pub id: String,
    /// The kyc item type it was uploaded for.
    #[serde(rename = "type")]
    pub doc_type: String,
    /// The file name given by the uploader.
    pub filename: String,
    /// Judged from the bytes.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// When it arrived.
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

/// A stored document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Owner.
    pub customer_id: String,
    /// Metadata.
    pub meta: DocumentMeta,
    /// The bytes.
    pub bytes: std::sync::Arc<Vec<u8>>,
}

/// A credit offer.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct CreditOffer {
    /// `co_…`.
    pub id: String,
    /// Customer.
    pub customer_id: String,
    /// Partner reference.
    pub external_id: Option<String>,
    /// `available`, `expired` or `accepted`.
    pub status: String,
    /// BRL, decimal string.
    pub approved_amount: String,
    /// % a month.
    pub interest_rate: f64,
    /// Offer expiry.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Creation.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A biometric capture session.
#[derive(Debug, Clone)]
pub struct BiometricSession {
    /// `bio_…`.
    pub id: String,
    /// Customer.
    pub customer_id: String,
    /// When the link stops working.
    pub expires_at: OffsetDateTime,
    /// `open`, `completed` or `failed`.
    pub state: &'static str,
}
