//! Live updates from webhooks: a listener on loopback that receives the provider's
//! signed events (Standard Webhooks v1, as the Dinie contract sends them), verifies
//! them, and refreshes what they name.
//!
//! An event is a nudge, not the data: the customer it names is re-read from the API
//! into the cache, the same path the in-flight refresh and the detail screen take. The
//! cache's timeline then records each transition once, whichever way it arrived first,
//! so a webhook and a poll that both see a rejection give one notification, and an
//! incremental sync afterwards finds nothing new.
//!
//! The built-in sandbox delivers to this listener; a remote API cannot reach a desktop
//! on loopback, so remote profiles poll (see [`Desk::start_background`]).

use crate::Desk;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use dinie_api::webhook::{EventKind, WebhookHeaders, WebhookVerifier};
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// The path events are posted to.
pub const PATH: &str = "/webhooks";

/// Webhook ids remembered to drop redeliveries.
const REMEMBERED_IDS: usize = 4096;

/// A bound listener with its own secret, not yet serving.
pub struct WebhookListener {
    listener: tokio::net::TcpListener,
    url: String,
    secret: String,
    verifier: WebhookVerifier,
}

impl std::fmt::Debug for WebhookListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("WebhookListener").field("url", &self.url).finish_non_exhaustive()
    }
}

/// What a served listener has done, for the status line and tests.
#[derive(Debug, Default)]
pub struct ListenerStats {
    /// Events verified and acted on.
    pub accepted: std::sync::atomic::AtomicU64,
    /// Redeliveries of an event already acted on.
    pub duplicates: std::sync::atomic::AtomicU64,
    /// Requests refused (bad or missing signature, stale timestamp, not an event).
    pub refused: std::sync::atomic::AtomicU64,
}

impl WebhookListener {
    /// Binds `127.0.0.1` on a free port, with a fresh random secret that lives only in
    /// this process's memory.
    pub async fn bind() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}{PATH}", listener.local_addr()?);
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| std::io::Error::other(e.to_string()))?;
        let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key));
        let verifier = WebhookVerifier::new(&secret).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(Self { listener, url, secret, verifier })
    }

    /// Where the provider should post events.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The signing secret to give the provider (`whsec_…`). Never log it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Serves until the returned task is aborted: each verified event refreshes, through
    /// `desk`, the customer (or the offers) it names.
    pub fn serve(self, desk: Desk) -> (tokio::task::JoinHandle<()>, Arc<ListenerStats>) {
        let stats = Arc::new(ListenerStats::default());
        let state = Arc::new(Inner { verifier: self.verifier, desk, seen: Mutex::default(), stats: stats.clone() });
        let app = Router::new()
            .route(PATH, post(receive))
            // Events are small; anything larger is not one of them.
            .layer(DefaultBodyLimit::max(1024 * 1024))
            .with_state(state);
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(self.listener, app).await {
                tracing::warn!(error = %e, "the webhook listener stopped");
            }
        });
        (task, stats)
    }
}

struct Inner {
    verifier: WebhookVerifier,
    desk: Desk,
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
    stats: Arc<ListenerStats>,
}

impl Inner {
    /// `true` the first time a webhook id is seen.
    fn first_time(&self, id: &str) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (set, order) = &mut *guard;
        if !set.insert(id.to_owned()) {
            return false;
        }
        order.push_back(id.to_owned());
        if order.len() > REMEMBERED_IDS
            && let Some(old) = order.pop_front()
        {
            set.remove(&old);
        }
        true
    }
}

async fn receive(State(st): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    use std::sync::atomic::Ordering::Relaxed;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let h = WebhookHeaders {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
    };
    let event = match st.verifier.verify(&h, &body, OffsetDateTime::now_utc()) {
        Ok(e) => e,
        Err(e) => {
            st.stats.refused.fetch_add(1, Relaxed);
            tracing::warn!(reason = %e, "webhook refused");
            return StatusCode::UNAUTHORIZED;
        }
    };
    if !st.first_time(&event.webhook_id) {
        st.stats.duplicates.fetch_add(1, Relaxed);
        return StatusCode::OK;
    }
    st.stats.accepted.fetch_add(1, Relaxed);
    tracing::debug!(webhook_id = %event.webhook_id, "webhook accepted");
    // Answered at once; the refresh runs on its own so a slow API never makes the
    // sender time out and retry.
    let desk = st.desk.clone();
    tokio::spawn(async move {
        let result = match event.kind {
            EventKind::CustomerCreated(c) => desk.refresh_customer(&c.id).await.map(drop),
            EventKind::CustomerUnderReview(c)
            | EventKind::CustomerActive(c)
            | EventKind::CustomerKycUpdated { customer: c, .. } => desk.refresh_customer(&c.id).await.map(drop),
            EventKind::CreditOfferAvailable(o) => desk.offers_arrived(&o.customer_id).await,
            EventKind::Unknown { event_type, .. } => {
                tracing::debug!(%event_type, "webhook of a type this version does not act on");
                Ok(())
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "acting on a webhook failed; polling will catch up");
        }
    });
    StatusCode::NO_CONTENT
}
