//! The Cartevo flavour: Cartevo's customers and cards API under `/api/v1`, as
//! `CONTRACT-cartevo.md` describes it (seed 003 for `POST /customers`).
//!
//! - `POST /auth/token` trades the client id and key for a bearer token (not in the
//!   envelope); every other route but the OpenAPI document needs one.
//! - Successes are `{"success":true,"statusCode","message","data"}` (lists add `meta`),
//!   errors NestJS bodies `{"statusCode","message","error"}` whose `message` is an array
//!   of strings, each starting with the field it is about, on validation errors.
//! - `POST /customers` (multipart, documents judged by their bytes) and
//!   `POST /customers/enroll` (JSON, document URLs) register a customer whose KYC review
//!   ends after [`crate::SandboxConfig::review_delay`]; cards are issued to approved
//!   customers only, with no idempotency, and can be frozen and unfrozen.
//! - The admin surface under `/_sandbox` ([`admin`]) resets, seeds, forces KYC outcomes,
//!   expires tokens, injects faults and makes the customer list churn during a walk.
//!
//! The decisions Cartevo does not document (marked **ours** in the contract) are the
//! constants and functions of this file, so they are easy to change in one place.

mod admin;
mod db;
mod http;
mod nest;
mod rules;
mod seed;

use crate::SandboxConfig;
use crate::middleware::{self as mw, Bucket, Faults, Guarded};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::{RwLock, oneshot};

pub use http::CARTEVO_PUBLIC_ROUTES;

// ------------------------------------------------------------------ ours

/// **Ours**: the API answers 422 "KYC document unreadable" for an image whose width or
/// height is under this many pixels.
pub(crate) const MIN_DOCUMENT_PIXELS: u32 = 200;

/// **Ours**: a document whose file name (or URL, for `/customers/enroll`) contains this
/// is unreadable (422).
pub(crate) const UNREADABLE_MARK: &str = "unreadable";

/// **Ours**: a customer whose front document's file name (or URL) contains this is
/// REJECTED by the review; every other one is APPROVED.
pub(crate) const REJECT_MARK: &str = "reject";

/// **Ours**: `id_document_back` is required for these document types, ignored for
/// PASSPORT and optional for VOTERS_CARD.
pub(crate) const BACK_REQUIRED_FOR: [&str; 2] = ["DRIVERS_LICENSE", "NIN"];

/// **Ours**: the page size of `GET /customers` when `limit` is not given.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 10;

/// **Ours**: `meta.totalPages` is `ceil(total / limit)` but at least 1, so that a walk
/// that stops at `page == totalPages` also stops on an empty list.
pub(crate) fn total_pages(total: usize, limit: usize) -> usize {
    total.div_ceil(limit.max(1)).max(1)
}

/// **Ours**: how a bearer token looks: the shape of a JWT (header, claims, and a
/// random signature), opaque to clients, which must read `expires_in` instead.
pub(crate) fn new_access_token(client_id: &str, now: OffsetDateTime, ttl_secs: u64) -> String {
    use base64::Engine;
    let b64 = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
    let iat = now.unix_timestamp();
    let claims = serde_json::json!({
        "sub": client_id,
        "iat": iat,
        "exp": iat.saturating_add(i64::try_from(ttl_secs).unwrap_or(i64::MAX)),
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let signature = b64(crate::util::random_token().as_bytes());
    format!("{header}.{}.{signature}", b64(claims.to_string().as_bytes()))
}

// ------------------------------------------------------------------ state

/// Counters exposed at `GET /_sandbox/stats`.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    requests: AtomicU64,
    customers_created: AtomicU64,
    cards_created: AtomicU64,
    faults_injected: AtomicU64,
    tokens_issued: AtomicU64,
}

/// Where `POST /_sandbox/churn` inserts customers before each list call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChurnAt {
    /// Before every existing customer (created earlier than all of them).
    Start,
    /// After every existing customer (created now).
    End,
}

/// The churn the admin API asked for: `per_list` new customers before every
/// `GET /customers`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Churn {
    per_list: u32,
    at: ChurnAt,
}

impl Default for Churn {
    fn default() -> Self {
        Self { per_list: 0, at: ChurnAt::End }
    }
}

/// State shared by every request of a Cartevo sandbox.
#[derive(Debug)]
pub(crate) struct CartevoShared {
    config: SandboxConfig,
    /// `http://ADDR`: the origin document URLs are built on.
    origin: String,
    allowed_hosts: Option<Vec<String>>,
    db: RwLock<db::Db>,
    faults: Mutex<Faults>,
    bucket: Mutex<Bucket>,
    /// Issued access tokens and their expiry.
    tokens: Mutex<HashMap<String, OffsetDateTime>>,
    churn: Mutex<Churn>,
    stats: Stats,
}

/// What every handler and middleware of the flavour shares.
type State = Arc<CartevoShared>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Guarded for CartevoShared {
    fn allowed_hosts(&self) -> Option<&[String]> {
        self.allowed_hosts.as_deref()
    }
    fn admin_token(&self) -> Option<&str> {
        self.config.admin_token.as_deref()
    }
    fn bucket(&self) -> &Mutex<Bucket> {
        &self.bucket
    }
    fn faults(&self) -> &Mutex<Faults> {
        &self.faults
    }
    fn fault_injected(&self) {
        self.stats.faults_injected.fetch_add(1, Ordering::Relaxed);
    }
    fn request_seen(&self) {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
    }
    fn error(&self, status: StatusCode, _code: &'static str, message: String, retry_after: Option<u64>) -> Response {
        let mut e = nest::Nest::new(status, message);
        e.retry_after = retry_after;
        e.into_response()
    }
}

/// Serves the Cartevo flavour on `listener` (bound to `addr`) until the returned sender
/// fires or is dropped; the receiver fires once the server has stopped.
pub(crate) fn serve(
    listener: TcpListener,
    addr: SocketAddr,
    config: SandboxConfig,
) -> (oneshot::Sender<()>, oneshot::Receiver<()>) {
    let db = db::Db::with_seed(config.seed, OffsetDateTime::now_utc());
    let st = Arc::new(CartevoShared {
        origin: format!("http://{addr}"),
        allowed_hosts: mw::allowed_hosts(addr),
        db: RwLock::new(db),
        faults: Mutex::default(),
        bucket: Mutex::new(Bucket::new(config.rate_limit_burst, config.rate_limit_per_second)),
        tokens: Mutex::default(),
        churn: Mutex::default(),
        stats: Stats::default(),
        config,
    });
    let app = http::router(st);
    let (tx, rx) = oneshot::channel::<()>();
    let (stopped_tx, stopped_rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = served.await {
            tracing::error!(error = %e, "cartevo sandbox stopped");
        }
        let _ = stopped_tx.send(());
    });
    (tx, stopped_rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_pages_is_at_least_one() {
        assert_eq!(total_pages(0, 10), 1);
        assert_eq!(total_pages(10, 10), 1);
        assert_eq!(total_pages(11, 10), 2);
        assert_eq!(total_pages(100, 1), 100);
    }

    #[test]
    fn access_tokens_look_like_jwts_and_differ() {
        let now = OffsetDateTime::now_utc();
        let (a, b) = (new_access_token("client_sandbox", now, 3600), new_access_token("client_sandbox", now, 3600));
        assert_ne!(a, b);
        assert_eq!(a.split('.').count(), 3);
        assert!(a.starts_with("eyJ"));
    }
}
