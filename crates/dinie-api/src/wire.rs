//! Wire types of the Dinie V3 Customers API, read tolerantly.
//!
//! Timestamps come as RFC 3339 strings (the seeds, the sandbox) or integer epoch
//! seconds (the official SDKs); both decode. KYC items come in the seed shape
//! (`kind`, `type`, `description`, `status`, …) or the richer SDK shape
//! (`requirement_type`, `label`, `submitted.review_status`, …); both decode into one
//! [`KycItem`]. Unknown statuses and item types are kept as strings.

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

/// Reads RFC 3339 strings and integer epoch seconds; writes RFC 3339.
pub mod timestamp {
    use super::*;
    use time::format_description::well_known::Rfc3339;

    /// A timestamp in either form, read in one pass (an untagged enum would buffer the
    /// value and build an error for every form it is not, on every timestamp of every
    /// customer of a sync).
    struct Raw(OffsetDateTime);

    struct RawVisitor;

    impl serde::de::Visitor<'_> for RawVisitor {
        type Value = Raw;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an RFC 3339 timestamp or epoch seconds")
        }

        fn visit_i64<E: serde::de::Error>(self, s: i64) -> Result<Raw, E> {
            OffsetDateTime::from_unix_timestamp(s).map(Raw).map_err(E::custom)
        }

        fn visit_u64<E: serde::de::Error>(self, s: u64) -> Result<Raw, E> {
            self.visit_i64(i64::try_from(s).map_err(E::custom)?)
        }

        #[allow(clippy::cast_possible_truncation)]
        fn visit_f64<E: serde::de::Error>(self, s: f64) -> Result<Raw, E> {
            self.visit_i64(s as i64)
        }

        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Raw, E> {
            match s.parse::<i64>() {
                Ok(n) => self.visit_i64(n),
                Err(_) => OffsetDateTime::parse(s, &Rfc3339)
                    .map(Raw)
                    .map_err(|e| E::custom(format!("timestamp {s:?} is neither RFC 3339 nor epoch seconds: {e}"))),
            }
        }
    }

    impl<'de> Deserialize<'de> for Raw {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(RawVisitor)
        }
    }

    fn convert<E: serde::de::Error>(raw: Raw) -> Result<OffsetDateTime, E> {
        Ok(raw.0)
    }

    /// Deserializes a required timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        convert(Raw::deserialize(d)?)
    }

    /// Serializes as RFC 3339.
    pub fn serialize<S: serde::Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        time::serde::rfc3339::serialize(t, s)
    }

    /// The same for optional timestamps (`null` or absent → `None`).
    pub mod option {
        use super::*;

        /// Deserializes an optional timestamp.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
            Option::<Raw>::deserialize(d)?.map(convert).transpose()
        }

        /// Serializes as RFC 3339 or `null`.
        pub fn serialize<S: serde::Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
            time::serde::rfc3339::option::serialize(t, s)
        }
    }
}

/// A list envelope: `{"object":"list","data":[…],"has_more":bool}`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct List<T> {
    /// The page's items.
    pub data: Vec<T>,
    /// Whether another page follows. The end of a listing is `has_more == false`,
    /// never a short page.
    #[serde(default)]
    pub has_more: bool,
}

/// A customer as the API sends it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Customer {
    /// `cust_…`.
    pub id: String,
    /// `pending_kyc`, `under_review`, `active`, or one this client does not know.
    pub status: String,
    /// CPF as sent (masked).
    #[serde(default)]
    pub cpf: String,
    /// CNPJ as sent (masked), for companies.
    #[serde(default)]
    pub cnpj: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Phone, E.164.
    #[serde(default)]
    pub phone: String,
    /// Trading name.
    #[serde(default)]
    pub trading_name: Option<String>,
    /// The partner's reference.
    #[serde(default)]
    pub external_id: Option<String>,
    /// KYC checklist.
    #[serde(default)]
    pub kyc: Vec<KycItem>,
    /// Creation time.
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "timestamp")]
    pub updated_at: OffsetDateTime,
}

/// One KYC requirement, whichever shape it arrived in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KycItem {
    /// `document` or `data` (or a value this client does not know).
    pub kind: String,
    /// The requirement key: `ccmei`, `selfie`, `email`, …
    #[serde(rename = "type")]
    pub item_type: String,
    /// Human label.
    pub description: String,
    /// `pending`, `in_review`, `approved`, `rejected`, `pending_correction`, or other.
    pub status: String,
    /// Review feedback.
    pub message: Option<String>,
    /// When the last submission arrived.
    #[serde(with = "timestamp::option")]
    pub uploaded_at: Option<OffsetDateTime>,
    /// Whether activation waits for it (seed-shape items are all mandatory).
    pub mandatory: bool,
}

/// Either item shape's fields, read in one pass: seed shape (`type`, `description`,
/// `status`, …) or SDK shape (`requirement_type`, `label`, `submitted`, …).
#[derive(Deserialize)]
struct AnyItem {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default, rename = "type")]
    item_type: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, with = "timestamp::option")]
    uploaded_at: Option<OffsetDateTime>,
    #[serde(default)]
    mandatory: Option<bool>,
    #[serde(default)]
    requirement_type: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    submitted: Option<SdkSubmitted>,
}

#[derive(Deserialize)]
struct SdkSubmitted {
    #[serde(default)]
    review_status: Option<String>,
    #[serde(default)]
    review_reason: Option<String>,
}

/// Requirement types that are satisfied by correcting data rather than a file.
const DATA_TYPES: &[&str] = &["email", "phone", "name", "address", "trading_name"];

impl<'de> Deserialize<'de> for KycItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = AnyItem::deserialize(d)?;
        if let Some(requirement_type) = s.requirement_type {
            let kind = if DATA_TYPES.contains(&requirement_type.as_str()) { "data" } else { "document" };
            let (status, message) = match s.submitted {
                None => ("pending".to_owned(), None),
                Some(sub) => {
                    let status = match sub.review_status.as_deref() {
                        None | Some("pending") => "in_review".to_owned(),
                        Some("accepted") => "approved".to_owned(),
                        Some("rejected") if kind == "data" => "pending_correction".to_owned(),
                        Some("rejected") => "rejected".to_owned(),
                        Some(other) => other.to_owned(),
                    };
                    (status, sub.review_reason)
                }
            };
            Ok(Self {
                kind: kind.to_owned(),
                description: s.label.unwrap_or_else(|| requirement_type.clone()),
                item_type: requirement_type,
                status,
                message,
                uploaded_at: None,
                mandatory: s.mandatory.unwrap_or(true),
            })
        } else {
            let item_type = s.item_type.ok_or_else(|| serde::de::Error::missing_field("type"))?;
            Ok(Self {
                kind: s.kind.unwrap_or_else(|| "document".to_owned()),
                description: s.description.unwrap_or_else(|| item_type.clone()),
                item_type,
                status: s.status.unwrap_or_else(|| "pending".to_owned()),
                message: s.message,
                uploaded_at: s.uploaded_at,
                mandatory: s.mandatory.unwrap_or(true),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_shape_fixture() {
        let c: Customer = serde_json::from_str(include_str!("../tests/fixtures/customer-seed-shape.json")).unwrap();
        assert_eq!(c.status, "pending_kyc");
        assert_eq!(c.created_at.unix_timestamp(), 1_772_445_600);
        assert_eq!(c.kyc.len(), 5);
        let front = &c.kyc[1];
        assert_eq!(
            (front.kind.as_str(), front.item_type.as_str(), front.status.as_str()),
            ("document", "identity_card_front", "rejected")
        );
        assert_eq!(front.message.as_deref(), Some("Documento ilegível: envie uma foto sem reflexo"));
        assert!(front.uploaded_at.is_some());
        assert_eq!(c.kyc[4].status, "pending_correction");
        assert_eq!(c.kyc[4].kind, "data");
    }

    #[test]
    fn reads_the_sdk_shape_fixture_with_epoch_timestamps() {
        let c: Customer = serde_json::from_str(include_str!("../tests/fixtures/customer-sdk-shape.json")).unwrap();
        assert_eq!(c.created_at.unix_timestamp(), 1_772_445_600);
        let by_type = |t: &str| c.kyc.iter().find(|i| i.item_type == t).unwrap();
        let id = by_type("identity");
        assert_eq!((id.status.as_str(), id.description.as_str()), ("rejected", "Documento de identidade"));
        assert_eq!(id.message.as_deref(), Some("Foto cortada"));
        assert_eq!(by_type("ei_mei_documents").status, "approved");
        assert_eq!(by_type("selfie").status, "pending");
        let email = by_type("email");
        assert_eq!((email.kind.as_str(), email.status.as_str(), email.mandatory), ("data", "in_review", false));
    }

    #[test]
    fn unknown_statuses_and_types_are_kept() {
        let json = r#"{"id":"cust_x","status":"denied","cpf":"","kyc":[{"kind":"video","type":"liveness","status":"escalated"}],
                      "created_at":"2026-03-02T10:00:00Z","updated_at":1772449260}"#;
        let c: Customer = serde_json::from_str(json).unwrap();
        assert_eq!(c.status, "denied");
        assert_eq!((c.kyc[0].kind.as_str(), c.kyc[0].status.as_str()), ("video", "escalated"));
        assert_eq!(c.kyc[0].description, "liveness");
    }

    #[test]
    fn a_bad_timestamp_names_itself() {
        let json = r#"{"id":"c","status":"active","created_at":"yesterday","updated_at":0}"#;
        let e = serde_json::from_str::<Customer>(json).unwrap_err().to_string();
        assert!(e.contains("yesterday"), "{e}");
    }
}

/// `POST /customers` body. Only `cpf` is required; masked or bare digits are accepted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewCustomer {
    /// CPF.
    pub cpf: String,
    /// CNPJ, for companies / MEI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
    /// Full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone, E.164.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Trading name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trading_name: Option<String>,
    /// The partner's reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// `PATCH /customers/{id}` body: only the fields that may change. `None` leaves a
/// field as it is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CustomerUpdate {
    /// Full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone, E.164.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Trading name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trading_name: Option<String>,
}

/// Whether `POST /customers` created the customer or found it already registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// 201: a new customer.
    Created,
    /// 200: the same CPF/CNPJ and `external_id` were already registered.
    AlreadyExisted,
}

/// A stored document, as `POST /customers/{id}/documents` answers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Document {
    /// `doc_…`.
    pub id: String,
    /// The kyc item type.
    #[serde(rename = "type")]
    pub doc_type: String,
    /// File name as sent.
    #[serde(default)]
    pub filename: String,
    /// Judged by the server from the bytes.
    #[serde(default)]
    pub content_type: String,
    /// Bytes.
    #[serde(default)]
    pub size: u64,
    /// Hex SHA-256.
    #[serde(default)]
    pub sha256: String,
    /// When it arrived.
    #[serde(with = "timestamp")]
    pub uploaded_at: OffsetDateTime,
}

/// A biometric capture session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BiometricsSession {
    /// Where to send the customer (open in the system browser).
    pub session_url: String,
    /// When the link stops working.
    #[serde(with = "timestamp")]
    pub expires_at: OffsetDateTime,
}

/// A credit offer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CreditOffer {
    /// `co_…`.
    pub id: String,
    /// Customer.
    pub customer_id: String,
    /// The partner's reference.
    #[serde(default)]
    pub external_id: Option<String>,
    /// `available`, `expired`, `accepted`, or one this client does not know.
    #[serde(default)]
    pub status: String,
    /// Amount in BRL as a decimal string, e.g. `"50000.00"` (kept as a string: no
    /// floating point for money).
    pub approved_amount: String,
    /// Monthly interest rate, in percent.
    pub interest_rate: f64,
    /// Offer expiry.
    #[serde(default, with = "timestamp::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Creation.
    #[serde(default, with = "timestamp::option")]
    pub created_at: Option<OffsetDateTime>,
}

/// `POST /auth/token` answer.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}
