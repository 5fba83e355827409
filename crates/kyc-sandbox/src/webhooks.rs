//! Webhook delivery, signed as Standard Webhooks v1.
//!
//! Each event goes to every registered endpoint as
//! `{"id","type","api_version","created_at","data"}` with the headers `webhook-id`
//! (one per event, the same on every retry, so receivers can de-duplicate),
//! `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256>`. A delivery that
//! fails (no 2xx, or no answer) is retried with exponential backoff.

use crate::state::Event;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// Attempts per delivery (the first and five retries).
pub const MAX_ATTEMPTS: u32 = 6;

/// An endpoint events are delivered to.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Where to POST.
    pub url: String,
    /// `whsec_<base64 key>`.
    pub secret: String,
}

/// The secret a sandbox uses when none is given: `whsec_` and the base64 of the
/// bytes 0..32 (the same key as the contract's fixture).
pub const DEFAULT_SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// The signature of a message: base64 HMAC-SHA256 over `{id}.{timestamp}.{body}` with
/// the key inside `secret` (`whsec_…`). `None` when the secret is not base64.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).ok()?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{msg_id}.{timestamp}.{body}").as_bytes());
    Some(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// Delivery counters.
#[derive(Debug, Default)]
pub struct HookStats {
    /// Events enqueued.
    pub events: AtomicU64,
    /// HTTP attempts made.
    pub attempts: AtomicU64,
    /// Deliveries that got a 2xx.
    pub delivered: AtomicU64,
    /// Deliveries given up after every attempt.
    pub abandoned: AtomicU64,
}

/// The dispatcher: register endpoints, send events.
#[derive(Debug)]
pub struct Hooks {
    endpoints: RwLock<Vec<WebhookEndpoint>>,
    tx: mpsc::UnboundedSender<Event>,
    /// Counters.
    pub stats: Arc<HookStats>,
}

impl Hooks {
    /// Starts the delivery worker. `retry_base` is the first retry's delay.
    pub fn start(endpoints: Vec<WebhookEndpoint>, retry_base: Duration) -> Arc<Self> {
        let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
        let hooks = Arc::new(Self { endpoints: RwLock::new(endpoints), tx, stats: Arc::default() });
        let weak = Arc::downgrade(&hooks);
        // No redirects: a loopback endpoint must not bounce customer records elsewhere.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                let Some(hooks) = weak.upgrade() else { break };
                let endpoints = hooks.endpoints.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
                let id = crate::state::new_id("evt_");
                let envelope = serde_json::json!({
                    "id": id,
                    "type": event.event_type,
                    "api_version": "2026-03-01",
                    "created_at": OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                    "data": event.data,
                });
                let body = envelope.to_string();
                let msg_id = format!("msg_{}", id.trim_start_matches("evt_"));
                for ep in endpoints {
                    tokio::spawn(deliver(
                        http.clone(),
                        ep,
                        msg_id.clone(),
                        body.clone(),
                        retry_base,
                        hooks.stats.clone(),
                    ));
                }
            }
        });
        hooks
    }

    /// Queues an event for every endpoint.
    pub fn send(&self, e: Event) {
        self.stats.events.fetch_add(1, Ordering::Relaxed);
        let _ = self.tx.send(e);
    }

    /// Adds an endpoint.
    pub fn register(&self, ep: WebhookEndpoint) {
        let mut eps = self.endpoints.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        eps.retain(|e| e.url != ep.url);
        eps.push(ep);
    }

    /// The endpoints.
    pub fn endpoints(&self) -> Vec<WebhookEndpoint> {
        self.endpoints.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

async fn deliver(
    http: reqwest::Client,
    ep: WebhookEndpoint,
    msg_id: String,
    body: String,
    base: Duration,
    stats: Arc<HookStats>,
) {
    for attempt in 0..MAX_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(base.saturating_mul(2u32.pow(attempt - 1))).await;
        }
        stats.attempts.fetch_add(1, Ordering::Relaxed);
        let ts = OffsetDateTime::now_utc().unix_timestamp();
        let Some(sig) = sign(&ep.secret, &msg_id, ts, &body) else {
            tracing::warn!(url = %ep.url, "webhook secret is not whsec_<base64>; not delivering");
            return;
        };
        let sent = http
            .post(&ep.url)
            .header("content-type", "application/json")
            .header("webhook-id", &msg_id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", format!("v1,{sig}"))
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => {
                stats.delivered.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(r) => tracing::debug!(url = %ep.url, status = %r.status(), attempt, "webhook delivery refused"),
            Err(e) => tracing::debug!(url = %ep.url, error = %e, attempt, "webhook delivery failed"),
        }
    }
    stats.abandoned.fetch_add(1, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    #[test]
    fn signs_like_the_contracts_fixture() {
        let body = include_str!("../../dinie-api/tests/fixtures/webhook-kyc-updated.body.json").trim_end_matches('\n');
        let sig = super::sign(super::DEFAULT_SECRET, "msg_01JD8W9K2M", 1_772_446_860, body).unwrap();
        assert_eq!(sig, "cJRdXjNMjRnZjYoQ5MeXFcvb6NSWHJIuzr+htxTAU2I=");
    }
}
