//! Cartevo's webhooks: `X-Cartevo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`
//! over `"{t}.{raw body}"` (the signed string and the ±300 s tolerance are our reading
//! where Cartevo's page is cut off: CONTRACT-cartevo.md; kept in this one function).

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// How far a signature's time may be from now.
pub const TOLERANCE_SECONDS: i64 = 300;

/// A verified event: `{"event":"customer.created","data":{…}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Event {
    /// Its name: `customer.created`, `card.created`, `card.fund`, `card.withdraw`, …
    pub event: String,
    /// Its data.
    #[serde(default)]
    pub data: serde_json::Value,
}

impl Event {
    /// The customer it is about, when it names one (`data.customer_id`, or `data.id`
    /// of a customer event).
    pub fn customer_id(&self) -> Option<&str> {
        self.data.get("customer_id").and_then(|v| v.as_str()).or_else(|| {
            self.event.starts_with("customer.").then(|| self.data.get("id").and_then(|v| v.as_str())).flatten()
        })
    }
}

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No usable `X-Cartevo-Signature`.
    #[error("the X-Cartevo-Signature header is missing or malformed")]
    Malformed,
    /// Signed too long ago, or in the future.
    #[error("the signature's time is more than 5 minutes from now")]
    Stale,
    /// The signature does not match.
    #[error("the signature does not match")]
    Mismatch,
    /// Signed, but not an event.
    #[error("the body is not a Cartevo event: {0}")]
    Body(String),
}

/// The signature header for `body` at `t` (for senders and tests).
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex(&mac(secret, t, body)))
}

fn mac(secret: &str, t: i64, body: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// Verifies a delivery (`now` in unix seconds) and reads its event. Any `v1` of the
/// header may match (a secret being rotated); compared in constant time.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<Event, WebhookError> {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.trim().parse::<i64>().ok(),
            Some(("v1", v)) => sigs.extend(unhex(v.trim())),
            _ => {}
        }
    }
    let t = t.ok_or(WebhookError::Malformed)?;
    if sigs.is_empty() {
        return Err(WebhookError::Malformed);
    }
    if now.saturating_sub(t).saturating_abs() > TOLERANCE_SECONDS {
        return Err(WebhookError::Stale);
    }
    let ok = sigs.iter().any(|s| {
        let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
        m.update(t.to_string().as_bytes());
        m.update(b".");
        m.update(body);
        m.verify_slice(s).is_ok()
    });
    if !ok {
        return Err(WebhookError::Mismatch);
    }
    serde_json::from_slice(body).map_err(|e| WebhookError::Body(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"event":"customer.created","data":{"id":"c-1","email":"a@b.co"}}"#;

    #[test]
    fn a_signed_event_is_read_and_names_its_customer() {
        let h = sign("whsec", 1_700_000_000, BODY);
        let e = verify("whsec", &h, BODY, 1_700_000_100).unwrap();
        assert_eq!((e.event.as_str(), e.customer_id()), ("customer.created", Some("c-1")));
    }

    #[test]
    fn tampering_staleness_and_garbage_are_refused() {
        let h = sign("whsec", 1_700_000_000, BODY);
        assert_eq!(verify("other", &h, BODY, 1_700_000_000), Err(WebhookError::Mismatch));
        assert_eq!(verify("whsec", &h, b"{}", 1_700_000_000), Err(WebhookError::Mismatch));
        assert_eq!(verify("whsec", &h, BODY, 1_700_000_301), Err(WebhookError::Stale));
        assert_eq!(verify("whsec", &h, BODY, 1_699_999_699), Err(WebhookError::Stale));
        assert_eq!(verify("whsec", "v1=abc", BODY, 0), Err(WebhookError::Malformed));
        assert_eq!(verify("whsec", "t=1", BODY, 1), Err(WebhookError::Malformed));
        // Extreme times compare without overflow.
        let h = sign("whsec", i64::MIN, BODY);
        assert_eq!(verify("whsec", &h, BODY, i64::MAX), Err(WebhookError::Stale));
    }

    #[test]
    fn card_events_name_their_holder() {
        let body = br#"{"event":"card.fund","data":{"id":"card-1","customer_id":"c-9"}}"#;
        let e = verify("k", &sign("k", 5, body), body, 5).unwrap();
        assert_eq!(e.customer_id(), Some("c-9"));
    }
}
