//! Webhook verification, Standard Webhooks v1, and the typed events.
//!
//! ```
//! use dinie_api::webhook::{WebhookHeaders, WebhookVerifier, EventKind};
//! # let body = br#"{"id":"evt_1","type":"customer.active","api_version":"2026-03-01","created_at":"2026-03-02T10:21:00Z","data":{"id":"cust_1","external_id":"r","status":"active"}}"#;
//! # let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
//! # let now = time::OffsetDateTime::from_unix_timestamp(1_772_446_860).unwrap();
//! # let sig = dinie_api::webhook::sign(secret, "msg_1", 1_772_446_860, body).unwrap();
//! # let signature = format!("v1,{sig}");
//! let verifier = WebhookVerifier::new(secret)?;
//! let headers = WebhookHeaders { id: "msg_1", timestamp: "1772446860", signature: &signature };
//! let event = verifier.verify(&headers, body, now)?;
//! if let EventKind::CustomerActive(c) = event.kind {
//!     println!("{} is active", c.id);
//! }
//! # Ok::<(), dinie_api::webhook::WebhookError>(())
//! ```

use crate::wire::{CreditOffer, Customer, KycItem, timestamp};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use std::time::Duration;
use time::OffsetDateTime;

type HmacSha256 = Hmac<sha2::Sha256>;

/// How far a webhook's timestamp may be from now, either way.
pub const TOLERANCE: Duration = Duration::from_secs(300);

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The secret is not `whsec_<base64>`.
    #[error("the webhook secret must be whsec_ followed by base64")]
    InvalidSecret,
    /// A required header is missing or empty.
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not a number.
    #[error("the webhook-timestamp header is not a number of seconds")]
    BadTimestamp,
    /// Older or newer than the tolerance: a replay, or a clock far off.
    #[error("the webhook timestamp is {0} s away from now (more than 300 s)")]
    OutsideTolerance(i64),
    /// No listed signature matches.
    #[error("no webhook signature matches: wrong secret or altered body")]
    NoValidSignature,
    /// Signed, but not a webhook event this client can read.
    #[error("the webhook body is not an event: {0}")]
    Payload(String),
}

/// The three Standard Webhooks headers.
#[derive(Debug, Clone, Copy)]
pub struct WebhookHeaders<'a> {
    /// `webhook-id`: de-duplicate by it.
    pub id: &'a str,
    /// `webhook-timestamp`: epoch seconds.
    pub timestamp: &'a str,
    /// `webhook-signature`: space-separated `v1,<base64>` entries.
    pub signature: &'a str,
}

/// A customer as short events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomerRef {
    /// `cust_…`.
    pub id: String,
    /// The partner's reference.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Status at the time of the event.
    #[serde(default)]
    pub status: String,
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// `customer.created`: the full customer.
    CustomerCreated(Box<Customer>),
    /// `customer.under_review`.
    CustomerUnderReview(CustomerRef),
    /// `customer.kyc_updated`: the customer and its kyc array.
    CustomerKycUpdated {
        /// The customer.
        customer: CustomerRef,
        /// Its kyc items.
        kyc: Vec<KycItem>,
    },
    /// `customer.active`.
    CustomerActive(CustomerRef),
    /// `credit_offer.available`.
    CreditOfferAvailable(CreditOffer),
    /// An event type this client does not know, kept as it came.
    Unknown {
        /// Its `type`.
        event_type: String,
        /// Its `data`.
        data: serde_json::Value,
    },
}

/// A verified event.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// The `webhook-id` header: the same on every retry of this event.
    pub webhook_id: String,
    /// The event's `id` (`evt_…`).
    pub id: String,
    /// API version of the payload.
    pub api_version: Option<String>,
    /// When it happened.
    pub created_at: Option<OffsetDateTime>,
    /// What happened.
    pub kind: EventKind,
}

#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default, with = "timestamp::option")]
    created_at: Option<OffsetDateTime>,
    #[serde(default)]
    data: serde_json::Value,
}

#[derive(Deserialize)]
struct KycUpdated {
    #[serde(flatten)]
    customer: CustomerRef,
    #[serde(default)]
    kyc: Vec<KycItem>,
}

fn decode_secret(secret: &str) -> Result<Vec<u8>, WebhookError> {
    let b64 = secret.strip_prefix("whsec_").ok_or(WebhookError::InvalidSecret)?;
    base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| WebhookError::InvalidSecret)
}

/// Signs a message as a sender would: base64 HMAC-SHA256 over
/// `{id}.{timestamp}.{body}`. For tests and local senders.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Result<String, WebhookError> {
    let mut mac = HmacSha256::new_from_slice(&decode_secret(secret)?).map_err(|_| WebhookError::InvalidSecret)?;
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// Verifies webhooks signed with one secret.
#[derive(Clone)]
pub struct WebhookVerifier {
    key: Vec<u8>,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookVerifier(***)")
    }
}

impl WebhookVerifier {
    /// A verifier for `whsec_<base64 key>`.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Ok(Self { key: decode_secret(secret)? })
    }

    /// Checks the timestamp (±300 s of `now`) and that one of the listed `v1`
    /// signatures matches, comparing in constant time; then reads the event.
    pub fn verify(
        &self,
        h: &WebhookHeaders<'_>,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<WebhookEvent, WebhookError> {
        if h.id.is_empty() {
            return Err(WebhookError::MissingHeader("webhook-id"));
        }
        if h.timestamp.is_empty() {
            return Err(WebhookError::MissingHeader("webhook-timestamp"));
        }
        if h.signature.is_empty() {
            return Err(WebhookError::MissingHeader("webhook-signature"));
        }
        let ts: i64 = h.timestamp.trim().parse().map_err(|_| WebhookError::BadTimestamp)?;
        // Saturating: a hostile timestamp such as i64::MIN must not overflow.
        let skew = now.unix_timestamp().saturating_sub(ts);
        if skew.unsigned_abs() > TOLERANCE.as_secs() {
            return Err(WebhookError::OutsideTolerance(skew));
        }
        let mut mac = HmacSha256::new_from_slice(&self.key).map_err(|_| WebhookError::InvalidSecret)?;
        mac.update(format!("{}.{ts}.", h.id).as_bytes());
        mac.update(body);
        let matched = h.signature.split_whitespace().filter_map(|s| s.strip_prefix("v1,")).any(|sig| {
            base64::engine::general_purpose::STANDARD
                .decode(sig)
                .is_ok_and(|bytes| mac.clone().verify_slice(&bytes).is_ok())
        });
        if !matched {
            return Err(WebhookError::NoValidSignature);
        }
        let env: Envelope = serde_json::from_slice(body).map_err(|e| WebhookError::Payload(e.to_string()))?;
        let bad = |e: serde_json::Error| WebhookError::Payload(format!("{}: {e}", env.event_type));
        let kind = match env.event_type.as_str() {
            "customer.created" => EventKind::CustomerCreated(Box::new(serde_json::from_value(env.data).map_err(bad)?)),
            "customer.under_review" => EventKind::CustomerUnderReview(serde_json::from_value(env.data).map_err(bad)?),
            "customer.active" => EventKind::CustomerActive(serde_json::from_value(env.data).map_err(bad)?),
            "customer.kyc_updated" => {
                let k: KycUpdated = serde_json::from_value(env.data).map_err(bad)?;
                EventKind::CustomerKycUpdated { customer: k.customer, kyc: k.kyc }
            }
            "credit_offer.available" => EventKind::CreditOfferAvailable(serde_json::from_value(env.data).map_err(bad)?),
            _ => EventKind::Unknown { event_type: env.event_type.clone(), data: env.data },
        };
        Ok(WebhookEvent {
            webhook_id: h.id.to_owned(),
            id: env.id,
            api_version: env.api_version,
            created_at: env.created_at,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../tests/fixtures/webhook-kyc-updated.json");
    const BODY: &str = include_str!("../tests/fixtures/webhook-kyc-updated.body.json");

    fn fixture() -> (String, String, String, String, &'static [u8]) {
        let f: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
        let h = &f["headers"];
        let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
        // The signature covers the body as sent: the file's content without its final newline.
        (
            s(&f["secret"]),
            s(&h["webhook-id"]),
            s(&h["webhook-timestamp"]),
            s(&h["webhook-signature"]),
            BODY.trim_end_matches('\n').as_bytes(),
        )
    }

    fn at(ts: &str, offset: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(ts.parse::<i64>().unwrap() + offset).unwrap()
    }

    #[test]
    fn the_fixture_verifies_with_its_second_signature_and_reads_as_kyc_updated() {
        let (secret, id, ts, sig, body) = fixture();
        let v = WebhookVerifier::new(&secret).unwrap();
        let e = v.verify(&WebhookHeaders { id: &id, timestamp: &ts, signature: &sig }, body, at(&ts, 0)).unwrap();
        assert_eq!((e.webhook_id.as_str(), e.id.as_str()), ("msg_01JD8W9K2M", "evt_01JD8W9K2M"));
        let EventKind::CustomerKycUpdated { customer, kyc } = e.kind else { panic!("kyc_updated expected") };
        assert_eq!(
            (customer.id.as_str(), customer.status.as_str()),
            ("cust_01JD8W5R8Q9T3V6X2Y4Z7A1B3C", "pending_kyc")
        );
        assert_eq!((kyc[0].item_type.as_str(), kyc[0].status.as_str()), ("identity_card_front", "rejected"));
    }

    #[test]
    fn tampering_old_timestamps_and_wrong_secrets_are_refused() {
        let (secret, id, ts, sig, body) = fixture();
        let v = WebhookVerifier::new(&secret).unwrap();
        let h = WebhookHeaders { id: &id, timestamp: &ts, signature: &sig };
        let mut tampered = body.to_vec();
        tampered[10] ^= 1;
        assert_eq!(v.verify(&h, &tampered, at(&ts, 0)).unwrap_err(), WebhookError::NoValidSignature);
        assert_eq!(v.verify(&h, body, at(&ts, 301)).unwrap_err(), WebhookError::OutsideTolerance(301));
        assert_eq!(v.verify(&h, body, at(&ts, -301)).unwrap_err(), WebhookError::OutsideTolerance(-301));
        assert!(v.verify(&h, body, at(&ts, 300)).is_ok() && v.verify(&h, body, at(&ts, -300)).is_ok());
        let other = WebhookVerifier::new("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh4=").unwrap();
        assert_eq!(other.verify(&h, body, at(&ts, 0)).unwrap_err(), WebhookError::NoValidSignature);
        let wrong_id = WebhookHeaders { id: "msg_other", ..h };
        assert_eq!(v.verify(&wrong_id, body, at(&ts, 0)).unwrap_err(), WebhookError::NoValidSignature);
        let only_bad = WebhookHeaders { signature: "v1,AAAAinvalidAAAA=", ..h };
        assert_eq!(v.verify(&only_bad, body, at(&ts, 0)).unwrap_err(), WebhookError::NoValidSignature);
        assert_eq!(
            v.verify(&WebhookHeaders { timestamp: "soon", ..h }, body, at(&ts, 0)).unwrap_err(),
            WebhookError::BadTimestamp
        );
        assert_eq!(
            v.verify(&WebhookHeaders { signature: "", ..h }, body, at(&ts, 0)).unwrap_err(),
            WebhookError::MissingHeader("webhook-signature")
        );
        assert_eq!(WebhookVerifier::new("AAEC").unwrap_err(), WebhookError::InvalidSecret);
        assert!(!format!("{v:?}").contains(&secret[6..]), "Debug hides the key");
    }

    #[test]
    fn extreme_timestamps_are_outside_the_tolerance_not_an_overflow() {
        let (secret, id, ts, sig, body) = fixture();
        let v = WebhookVerifier::new(&secret).unwrap();
        let now = at(&ts, 0);
        for (extreme, skew) in [
            (i64::MIN.to_string(), i64::MAX),
            (i64::MAX.to_string(), now.unix_timestamp() - i64::MAX),
            ((i64::MIN + 1).to_string(), i64::MAX),
        ] {
            let h = WebhookHeaders { id: &id, timestamp: &extreme, signature: &sig };
            assert_eq!(v.verify(&h, body, now).unwrap_err(), WebhookError::OutsideTolerance(skew), "{extreme}");
        }
        // And at the far ends of what `now` can be.
        for now in [
            OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT),
            OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT),
        ] {
            for extreme in [i64::MIN.to_string(), i64::MAX.to_string()] {
                let h = WebhookHeaders { id: &id, timestamp: &extreme, signature: &sig };
                assert!(matches!(v.verify(&h, body, now), Err(WebhookError::OutsideTolerance(_))));
            }
        }
    }

    #[test]
    fn unknown_event_types_are_kept() {
        let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let body = br#"{"id":"evt_9","type":"loan.disbursed","data":{"amount":"10.00"}}"#;
        let sig = format!("v1,{}", sign(secret, "msg_9", 1_000, body).unwrap());
        let e = WebhookVerifier::new(secret)
            .unwrap()
            .verify(&WebhookHeaders { id: "msg_9", timestamp: "1000", signature: &sig }, body, at("1000", 5))
            .unwrap();
        assert_eq!(
            e.kind,
            EventKind::Unknown { event_type: "loan.disbursed".into(), data: serde_json::json!({"amount": "10.00"}) }
        );
    }
}
