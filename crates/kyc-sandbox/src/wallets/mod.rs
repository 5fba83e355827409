//! The wallets flavour: Juicyway's wallet-as-a-service (WaaS) API at the root path, as
//! `CONTRACT-wallets.md` describes it (seed 002 for `POST /customers`).
//!
//! - Every route but `GET /openapi.json` needs the API key
//!   ([`crate::SandboxConfig::token`], default [`crate::WALLETS_API_KEY`]) in
//!   `Authorization`, bare (`Authorization: <key>`, what Juicyway documents) or as
//!   `Bearer <key>` (what some of its examples show); 401 otherwise.
//! - Successes are `{"data": …}` (lists add `pagination {before, after, limit}`, with
//!   opaque cursors: the id of the first or last item); errors are
//!   `{"error":{"code","message","type", …}}` ([`wire`]), server errors add the
//!   `request_id` (the response's `X-Request-Id`).
//! - Customers start `pending_kyc` and become `active` after
//!   [`crate::SandboxConfig::review_delay`], unless their e-mail's local part contains
//!   [`HOLD_MARK`] (then only `POST /_sandbox/customers/{id}/status` moves them).
//!   Wallets (one per currency and customer) need an active customer; their status
//!   follows the machine of [`db::WalletStatus::can_become`].
//! - Every POST honours `Idempotency-Key` for 24 h (the middleware shared with Dinie);
//!   the rate limit defaults to 100 requests a minute.
//! - The admin surface under `/_sandbox` ([`admin`]) resets, seeds, forces a customer's
//!   status, lists the demo BVNs and injects faults.
//!
//! ## The two validation shapes
//!
//! Juicyway's pages show two bodies for invalid fields, and a client must read both:
//!
//! - `errors[]`: `{"error":{"code":"validation_error","message":"The request was
//!   invalid","type":"invalid_request_error","errors":[{"field":"email","message":"…"}]}}`;
//! - `details{}`: the same with `"details":{"phone_number":["Invalid phone number
//!   format"]}` (every message of a field under its name) instead of `errors`.
//!
//! Which one the sandbox answers is deterministic: the request header
//! `X-Sandbox-Error-Shape: details` or `X-Sandbox-Error-Shape: errors` chooses; without
//! it, an answer whose invalid fields are all the phone (`phone_number` or `phone`)
//! uses `details{}` and every other one `errors[]` ([`wire::Shape`]). Missing required
//! fields are 400 and invalid values 422, each listing every broken rule at once;
//! nested fields are named with a dot (`billing_address.city`).
//!
//! ## Decisions of ours
//!
//! What Juicyway does not document (marked **ours** in the contract) is the constants
//! and functions of this file, so that they are easy to change in one place:
//! [`HOLD_MARK`], [`DEFAULT_PAGE_SIZE`], [`MAX_PAGE_SIZE`], [`CURRENCIES`],
//! [`MAX_NAME_CHARS`], [`MAX_TEXT_CHARS`], [`MAX_REASON_CHARS`], [`UNKNOWN_BVN`],
//! [`new_id`]. Also ours: the whole customer in the 201 and in `GET` (with `type` and
//! `status`); a phone is checked against the billing country only where `kyc-model`
//! has the country's dial plan (NG, GH, KE, ZA, GB, US, CA, BR), any E.164 number
//! passing elsewhere; `created_after` and `created_before` are strict bounds; an
//! unknown cursor is a 422 naming it; wallets and transactions are listed newest first.
//!
//! ## Demo data
//!
//! [`seed`] makes `Seed::Demo(n)` customers: about one in four a business (its
//! `first_name` is the trading name and its `last_name` the legal suffix, so that the
//! two read as the registered name: `Adebayo Foods` + `Ltd`), in NG, GH, KE, GB, US, ZA
//! and CA with phones of their country; most `active` (with NGN and often USD wallets,
//! some frozen, a few deleted, bank accounts and 3 to 12 transactions each), some
//! `pending_kyc` (which stay pending until an admin call). Nigerian individuals have a
//! BVN ([`crate::demo_bvns`]): two in three match the customer, every third differs
//! in its surname or its phone.

pub(crate) mod admin;
pub(crate) mod db;
pub(crate) mod http;
pub(crate) mod rules;
pub(crate) mod seed;
pub(crate) mod wire;

use crate::SandboxConfig;
use crate::middleware::{self as mw, Bucket, Faults, Guarded, IdemCache, IdemRefusal, Idempotent};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::{RwLock, oneshot};

pub use http::WALLETS_PUBLIC_ROUTES;

// ------------------------------------------------------------------ ours

/// **Ours**: a customer whose e-mail's local part contains this (any case) is never
/// activated by the review: it stays `pending_kyc` until an admin call.
pub(crate) const HOLD_MARK: &str = "hold";

/// **Ours** (Juicyway's documented default): the page size of a list without `limit`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 15;

/// The largest `limit` of a list (more is 422).
pub(crate) const MAX_PAGE_SIZE: usize = 100;

/// The currencies a wallet can hold (any other is `400 invalid_currency`).
pub(crate) const CURRENCIES: [&str; 7] = ["NGN", "USD", "GBP", "EUR", "CAD", "KES", "GHS"];

/// The longest a first or last name may be, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 100;

/// **Ours**: the longest any other text field (address lines, city, …) may be.
pub(crate) const MAX_TEXT_CHARS: usize = 255;

/// The longest a wallet status change's `reason` may be.
pub(crate) const MAX_REASON_CHARS: usize = 255;

/// **Ours**: the BVN that `POST /payment-methods/resolve-bvn` does not find (404).
pub(crate) const UNKNOWN_BVN: &str = "00000000000";

/// The largest JSON body the API reads.
pub(crate) const MAX_JSON_BYTES: usize = 1 << 20;

/// **Ours**: an id, `prefix` and 24 lowercase letters and digits drawn from `bits`
/// (`cus_…`, `wal_…`, `acc_…`, `pm_…`, `txn_…`).
pub(crate) fn new_id(prefix: &str, mut bits: u128) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut id = String::with_capacity(prefix.len() + 25);
    id.push_str(prefix);
    id.push('_');
    for _ in 0..24 {
        id.push(ALPHABET[(bits % 36) as usize] as char);
        bits /= 36;
    }
    id
}

/// A fresh random id with this prefix.
pub(crate) fn random_id(prefix: &str) -> String {
    new_id(prefix, uuid::Uuid::new_v4().as_u128())
}

// ------------------------------------------------------------------ state

/// Counters exposed at `GET /_sandbox/stats`.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    requests: AtomicU64,
    customers_created: AtomicU64,
    wallets_created: AtomicU64,
    idempotent_replays: AtomicU64,
    faults_injected: AtomicU64,
}

/// State shared by every request of a wallets sandbox.
#[derive(Debug)]
pub(crate) struct WalletsShared {
    config: SandboxConfig,
    /// `http://ADDR`: the server URL the OpenAPI document names.
    origin: String,
    allowed_hosts: Option<Vec<String>>,
    db: RwLock<db::Db>,
    idem: Mutex<IdemCache>,
    faults: Mutex<Faults>,
    bucket: Mutex<Bucket>,
    stats: Stats,
}

/// What every handler and middleware of the flavour shares.
type State = Arc<WalletsShared>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Guarded for WalletsShared {
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
    fn error(&self, status: StatusCode, code: &'static str, message: String, retry_after: Option<u64>) -> Response {
        let mut e = wire::ApiError::new(status, code, message);
        e.retry_after = retry_after;
        e.into_response()
    }
}

impl Idempotent for WalletsShared {
    fn idem(&self) -> &Mutex<IdemCache> {
        &self.idem
    }
    fn idempotent_replay(&self) {
        self.stats.idempotent_replays.fetch_add(1, Ordering::Relaxed);
    }
    fn keyed_methods(&self) -> &'static [Method] {
        const KEYED: &[Method] = &[Method::POST];
        KEYED
    }
    fn max_keyed_body(&self) -> usize {
        MAX_JSON_BYTES
    }
    fn idem_refusal(&self, refusal: IdemRefusal) -> Response {
        let message = match refusal {
            IdemRefusal::Reused => "This Idempotency-Key was already used with a different request body",
            IdemRefusal::InUse => "A request with this Idempotency-Key is still being processed",
            IdemRefusal::BadKey => "Idempotency-Key must be 1 to 255 characters",
            IdemRefusal::TooLarge => "The request body is too large",
        };
        wire::ApiError::new(refusal.status(), refusal.code(), message).into_response()
    }
}

/// Serves the wallets flavour on `listener` (bound to `addr`) until the returned sender
/// fires or is dropped; the receiver fires once the server has stopped.
pub(crate) fn serve(
    listener: TcpListener,
    addr: SocketAddr,
    config: SandboxConfig,
) -> (oneshot::Sender<()>, oneshot::Receiver<()>) {
    let db = db::Db::with_seed(config.seed, OffsetDateTime::now_utc());
    let st = Arc::new(WalletsShared {
        origin: format!("http://{addr}"),
        allowed_hosts: mw::allowed_hosts(addr),
        db: RwLock::new(db),
        idem: Mutex::default(),
        faults: Mutex::default(),
        bucket: Mutex::new(Bucket::new(config.rate_limit_burst, config.rate_limit_per_second)),
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
            tracing::error!(error = %e, "wallets sandbox stopped");
        }
        let _ = stopped_tx.send(());
    });
    (tx, stopped_rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_prefix_and_24_characters() {
        let id = new_id("cus", u128::MAX);
        assert!(id.starts_with("cus_"));
        assert_eq!(id.len(), 28);
        assert!(id[4..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_ne!(random_id("wal"), random_id("wal"));
        assert_eq!(new_id("x", 0), "x_000000000000000000000000");
    }
}
