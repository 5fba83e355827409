//! Local look-alike servers of the providers' APIs, on loopback, in three flavours
//! chosen by [`SandboxConfig::flavour`]:
//!
//! - **Dinie** ([`Flavour::Dinie`], the default): the Dinie V3 Customers API under
//!   `/api/v3`, following `CONTRACT.md` down to status codes and problem bodies:
//!   registration (201 / 200 / 409), listing with filters and cursors, updates,
//!   document uploads judged by their bytes with a simulated review, biometric
//!   sessions, credit offers, client-credentials tokens, idempotency keys, rate limits,
//!   signed webhooks with retries.
//! - **Cartevo** ([`Flavour::Cartevo`], [`SandboxConfig::cartevo`]): Cartevo's
//!   customers and cards API under `/api/v1`, following `CONTRACT-cartevo.md`: tokens
//!   from client id and key, the `{success, statusCode, message, data}` envelope and
//!   NestJS error bodies, multipart registration with its documents and an asynchronous
//!   KYC review, page-numbered lists, cards for approved customers (no idempotency),
//!   freeze and unfreeze.
//! - **Wallets** ([`Flavour::Wallets`], [`SandboxConfig::wallets`]): Juicyway's
//!   wallet-as-a-service API at the root path, following `CONTRACT-wallets.md`: an API
//!   key in `Authorization` (bare or `Bearer`), `{"data"}` bodies and `{"error"}` bodies
//!   in both of Juicyway's validation shapes (`errors[]` and `details{}`), customers
//!   activated after a delay, cursor lists, BVN look-ups ([`demo_bvns`]), wallets with
//!   their status machine, bank accounts and transactions, idempotency keys on every
//!   POST, a 100-a-minute rate limit.
//!
//! Tests, benchmarks and the app's built-in demos run against them, and a partner's
//! developer can run one alone (`kyc-sandbox --addr 127.0.0.1:8080`, or with
//! `--provider cartevo` or `--provider wallets`) to try an integration offline. The
//! flavours share the middleware (request id, `Host` allowlist, rate limit, injected
//! faults, admin token, and idempotency keys for those that have them) and each has an
//! admin surface (`/_sandbox/`) for resets, seeds, forced outcomes and fault injection.
//!
//! Hardening, since anything on the machine (and any web page its browser opens) can
//! reach loopback: every request must name the bound address in its `Host` header
//! (421 otherwise, which defeats DNS rebinding); the admin surface takes a bearer token
//! when [`SandboxConfig::admin_token`] is set, and refuses state-changing calls from
//! another web origin (403); counts are capped; webhook secrets are never sent back.
//!
//! May depend on `kyc-model` (to share its validators) and on nothing else of this
//! workspace: in particular not on `dinie-api`, so that the client is tested against
//! an independent implementation of the contract.

mod admin;
mod cartevo;
pub mod docs;
mod effects;
mod http;
mod middleware;
mod persist;
mod problem;
mod records;
pub mod seed;
mod state;
mod util;
mod wallets;
pub mod webhooks;

pub use cartevo::CARTEVO_PUBLIC_ROUTES;
pub use http::PUBLIC_ROUTES;
pub use records::{CreditOffer, DocumentMeta, KycItemRecord, SandboxCustomer};
pub use wallets::WALLETS_PUBLIC_ROUTES;
pub use webhooks::WebhookEndpoint;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{RwLock, oneshot};

/// The OpenAPI 3.1 document of the Dinie flavour's public API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// The OpenAPI 3.1 document of the Cartevo flavour's public API (served at
/// `GET /api/v1/openapi.json`).
pub const CARTEVO_OPENAPI: &str = include_str!("../openapi-cartevo.json");

/// The OpenAPI 3.1 document of the wallets flavour's public API (served at
/// `GET /openapi.json`).
pub const WALLETS_OPENAPI: &str = include_str!("../openapi-wallets.json");

/// The API key the wallets flavour accepts by default (in `Authorization`, bare or as
/// `Bearer`).
pub const WALLETS_API_KEY: &str = "test_sandbox_key";

/// How many customers the wallets flavour's demo seed creates by default.
pub const WALLETS_DEMO_SIZE: usize = 36;

/// The demo BVNs of the wallets flavour's default seed (`Seed::Demo(WALLETS_DEMO_SIZE)`):
/// `(bvn, customer id, whether the BVN record matches the customer)`. See
/// [`demo_bvns_for`].
pub fn demo_bvns() -> Vec<(String, String, bool)> {
    demo_bvns_for(WALLETS_DEMO_SIZE)
}

/// The demo BVNs of the wallets flavour's `Seed::Demo(n)`: every Nigerian individual
/// has one (`22` and 9 digits, the same for the same customer whatever `n`); two in
/// three match the customer (first name, surname and phone), every third differs in
/// its surname or its phone. `POST /payment-methods/resolve-bvn` answers any other
/// well-formed BVN with a person derived from its digits, and `00000000000` with 404;
/// `GET /_sandbox/bvns` lists the current data's.
pub fn demo_bvns_for(n: usize) -> Vec<(String, String, bool)> {
    wallets::seed::demo_bvns(n)
}

/// The client id the Cartevo flavour accepts by default.
pub const CARTEVO_CLIENT_ID: &str = "client_sandbox";
/// The client key the Cartevo flavour accepts by default.
pub const CARTEVO_CLIENT_KEY: &str = "sandbox-key";

/// How many customers the Cartevo flavour's demo seed creates by default.
pub const CARTEVO_DEMO_SIZE: usize = 40;

/// The bearer token accepted by default.
pub const DEFAULT_TOKEN: &str = "dinie_at_sandbox";
/// The OAuth client id accepted by default.
pub const DEFAULT_CLIENT_ID: &str = "sandbox";
/// The OAuth client secret accepted by default.
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-secret";

/// How many customers the demo seed creates by default.
pub const DEFAULT_DEMO_SIZE: usize = 60;

/// The largest count the admin API and the command line accept (customers to seed,
/// requests to fail or drop): larger ones are refused with 422 before anything is
/// allocated. `cargo xtask bench` seeds 100,000.
pub const MAX_COUNT: u64 = 1_000_000;

/// The environment variable the app reads its built-in sandbox's admin token from
/// (`cargo xtask e2e` sets it so the end-to-end tests can use the admin surface).
pub const ADMIN_TOKEN_ENV: &str = "KYC_SANDBOX_ADMIN_TOKEN";

/// A fresh random admin token (64 hex digits).
pub fn random_admin_token() -> String {
    util::random_token()
}

/// What the sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// No customers.
    Empty,
    /// `n` realistic demo customers from [`seed::demo`].
    Demo(usize),
}

/// Which provider's API a sandbox speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// Dinie V3 Customers, under `/api/v3` (`CONTRACT.md`).
    #[default]
    Dinie,
    /// Cartevo customers and cards, under `/api/v1` (`CONTRACT-cartevo.md`).
    Cartevo,
    /// Juicyway's wallet-as-a-service API, at the root (`CONTRACT-wallets.md`).
    Wallets,
}

/// Sandbox settings. [`SandboxConfig::default`] is the Dinie flavour the binary and the
/// app use; [`SandboxConfig::cartevo`] the Cartevo flavour's defaults,
/// [`SandboxConfig::wallets`] the wallets flavour's.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Which provider's API it speaks (default [`Flavour::Dinie`]).
    pub flavour: Flavour,
    /// The static bearer token it accepts (Dinie), or the API key (wallets: bare or
    /// as `Bearer`). Cartevo accepts only the tokens it issued.
    pub token: String,
    /// OAuth client id for `POST /auth/token` (Cartevo: `client_id`).
    pub client_id: String,
    /// OAuth client secret (Cartevo: the `client_key`).
    pub client_secret: String,
    /// Lifetime of issued access tokens (`expires_in`).
    pub token_ttl: Duration,
    /// Initial data (ignored when `data_file` already holds a saved sandbox).
    pub seed: Seed,
    /// Time from an upload (or correction) to its review outcome (Dinie), from a
    /// registration to its KYC outcome (Cartevo), from a customer's creation to its
    /// activation (wallets).
    pub review_delay: Duration,
    /// Time from activation to the credit offer (Dinie only).
    pub offer_delay: Duration,
    /// Lifetime of a biometric session link (Dinie only).
    pub biometrics_ttl: Duration,
    /// Token bucket: burst size.
    pub rate_limit_burst: u32,
    /// Token bucket: requests per second sustained.
    pub rate_limit_per_second: f64,
    /// Endpoints to deliver webhooks to (Dinie only).
    pub webhooks: Vec<WebhookEndpoint>,
    /// First webhook retry delay (doubles each retry; Dinie only).
    pub webhook_retry_base: Duration,
    /// A SQLite file to keep state in across restarts; memory only when `None`. Dinie
    /// only: a Cartevo or wallets sandbox refuses to start with one.
    pub data_file: Option<PathBuf>,
    /// When set, every `/_sandbox/*` call except the biometric capture page (and the
    /// two buttons on it) needs `Authorization: Bearer <admin token>` (401 otherwise).
    /// `None` (the default) leaves the admin surface open, for tests.
    pub admin_token: Option<String>,
}

impl SandboxConfig {
    /// The Cartevo flavour's defaults: client id [`CARTEVO_CLIENT_ID`], client key
    /// [`CARTEVO_CLIENT_KEY`], [`CARTEVO_DEMO_SIZE`] demo customers, a 2 s review; the
    /// rest as [`SandboxConfig::default`].
    #[must_use]
    pub fn cartevo() -> Self {
        Self {
            flavour: Flavour::Cartevo,
            client_id: CARTEVO_CLIENT_ID.to_owned(),
            client_secret: CARTEVO_CLIENT_KEY.to_owned(),
            seed: Seed::Demo(CARTEVO_DEMO_SIZE),
            review_delay: Duration::from_secs(2),
            ..Self::default()
        }
    }

    /// The wallets flavour's defaults: API key [`WALLETS_API_KEY`] (in
    /// [`SandboxConfig::token`]), [`WALLETS_DEMO_SIZE`] demo customers, activation 3 s
    /// after creation, 100 requests a minute (a burst of 100, refilled at 100/60 a
    /// second); the rest as [`SandboxConfig::default`].
    #[must_use]
    pub fn wallets() -> Self {
        Self {
            flavour: Flavour::Wallets,
            token: WALLETS_API_KEY.to_owned(),
            seed: Seed::Demo(WALLETS_DEMO_SIZE),
            review_delay: Duration::from_secs(3),
            rate_limit_burst: 100,
            rate_limit_per_second: 100.0 / 60.0,
            ..Self::default()
        }
    }

    /// The defaults of the flavour that imitates the provider `id` (`dinie`, `cartevo`,
    /// `wallets`), if this sandbox has one: what the app's built-in sandbox starts for a
    /// profile.
    pub fn for_provider(id: &str) -> Option<Self> {
        match id {
            "dinie" => Some(Self::default()),
            "cartevo" => Some(Self::cartevo()),
            "wallets" => Some(Self::wallets()),
            _ => None,
        }
    }

    /// This configuration with a rate limit of `n` requests a minute: a burst of `n`,
    /// refilled at `n / 60` a second (`n` at least 1).
    #[must_use]
    pub fn with_rate_limit_per_minute(mut self, n: u32) -> Self {
        let n = n.max(1);
        self.rate_limit_burst = n;
        self.rate_limit_per_second = f64::from(n) / 60.0;
        self
    }

    /// This configuration with a fresh random admin token (read it back from
    /// [`SandboxConfig::admin_token`] or [`Sandbox::admin_token`]).
    #[must_use]
    pub fn with_random_admin_token(mut self) -> Self {
        self.admin_token = Some(random_admin_token());
        self
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            flavour: Flavour::Dinie,
            token: DEFAULT_TOKEN.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            token_ttl: Duration::from_secs(3600),
            seed: Seed::Demo(DEFAULT_DEMO_SIZE),
            review_delay: Duration::from_secs(2),
            offer_delay: Duration::from_secs(3),
            biometrics_ttl: Duration::from_secs(15 * 60),
            rate_limit_burst: 1000,
            rate_limit_per_second: 500.0,
            webhooks: Vec::new(),
            webhook_retry_base: Duration::from_secs(1),
            data_file: None,
            admin_token: None,
        }
    }
}

/// Counters exposed at `GET /_sandbox/stats`.
#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    customers_created: AtomicU64,
    documents_stored: AtomicU64,
    idempotent_replays: AtomicU64,
    faults_injected: AtomicU64,
    tokens_issued: AtomicU64,
}

/// What every handler and middleware of the server shares.
pub(crate) type AppState = Arc<Shared>;

/// State shared by every request.
#[derive(Debug)]
pub struct Shared {
    config: SandboxConfig,
    base_url: String,
    /// The `Host` values accepted; `None` when bound to an unspecified address.
    allowed_hosts: Option<Vec<String>>,
    db: RwLock<state::Db>,
    idem: Mutex<middleware::IdemCache>,
    faults: Mutex<middleware::Faults>,
    bucket: Mutex<middleware::Bucket>,
    tokens: Mutex<std::collections::HashMap<String, time::OffsetDateTime>>,
    hooks: Arc<webhooks::Hooks>,
    stats: Stats,
}

impl middleware::Guarded for Shared {
    fn allowed_hosts(&self) -> Option<&[String]> {
        self.allowed_hosts.as_deref()
    }
    fn admin_token(&self) -> Option<&str> {
        self.config.admin_token.as_deref()
    }
    fn bucket(&self) -> &Mutex<middleware::Bucket> {
        &self.bucket
    }
    fn faults(&self) -> &Mutex<middleware::Faults> {
        &self.faults
    }
    fn fault_injected(&self) {
        self.stats.faults_injected.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn request_seen(&self) {
        self.stats.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn error(
        &self,
        status: axum::http::StatusCode,
        code: &'static str,
        message: String,
        retry_after: Option<u64>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        let mut p = problem::Problem::new(status, code, message);
        p.retry_after = retry_after;
        p.into_response()
    }
}

impl middleware::Idempotent for Shared {
    fn idem(&self) -> &Mutex<middleware::IdemCache> {
        &self.idem
    }
    fn idempotent_replay(&self) {
        self.stats.idempotent_replays.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn keyed_methods(&self) -> &'static [axum::http::Method] {
        const KEYED: &[axum::http::Method] = &[axum::http::Method::POST, axum::http::Method::PATCH];
        KEYED
    }
    fn max_keyed_body(&self) -> usize {
        docs::MAX_DOCUMENT_BYTES + 64 * 1024
    }
    fn idem_refusal(&self, refusal: middleware::IdemRefusal) -> axum::response::Response {
        use axum::response::IntoResponse;
        use middleware::IdemRefusal;
        let message = match refusal {
            IdemRefusal::TooLarge => "documents may be at most 10 MB",
            r => r.message(),
        };
        let p = problem::Problem::new(refusal.status(), refusal.code(), message);
        match refusal {
            IdemRefusal::BadKey | IdemRefusal::Reused => p.param("Idempotency-Key"),
            _ => p,
        }
        .into_response()
    }
}

/// A running sandbox. Dropping it stops the server (after a last save to its file).
pub struct Sandbox {
    addr: SocketAddr,
    flavour: Flavour,
    admin_token: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    stopped: Option<oneshot::Receiver<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .field("flavour", &self.flavour)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Binds `addr` (use port 0 for any free port) and serves the flavour
    /// [`SandboxConfig::flavour`] names until dropped.
    ///
    /// A Cartevo or wallets sandbox keeps its state in memory only: with a
    /// [`SandboxConfig::data_file`] it is an `InvalidInput` error.
    pub async fn start(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Self> {
        let flavour = config.flavour;
        if matches!(flavour, Flavour::Cartevo | Flavour::Wallets) {
            if config.data_file.is_some() {
                let name = if flavour == Flavour::Cartevo { "cartevo" } else { "wallets" };
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("--data is not supported for {name}"),
                ));
            }
            let listener = TcpListener::bind(addr).await?;
            let addr = listener.local_addr()?;
            let admin_token = config.admin_token.clone();
            let (shutdown, stopped) = if flavour == Flavour::Cartevo {
                cartevo::serve(listener, addr, config)
            } else {
                wallets::serve(listener, addr, config)
            };
            return Ok(Self { addr, flavour, admin_token, shutdown: Some(shutdown), stopped: Some(stopped) });
        }
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let persist = match &config.data_file {
            Some(path) => Some(persist::Persist::open(path).await.map_err(std::io::Error::other)?),
            None => None,
        };
        let db = match &persist {
            Some(p) if !p.is_empty().await.map_err(std::io::Error::other)? => {
                p.load().await.map_err(std::io::Error::other)?
            }
            _ => {
                let mut db = state::Db::with_seed(config.seed);
                db.dirty = persist.is_some();
                db
            }
        };
        let shared = Arc::new(Shared {
            base_url: format!("http://{addr}"),
            allowed_hosts: middleware::allowed_hosts(addr),
            db: RwLock::new(db),
            idem: Mutex::default(),
            faults: Mutex::default(),
            bucket: Mutex::new(middleware::Bucket::new(config.rate_limit_burst, config.rate_limit_per_second)),
            tokens: Mutex::default(),
            hooks: webhooks::Hooks::start(config.webhooks.clone(), config.webhook_retry_base),
            stats: Stats::default(),
            config,
        });
        let admin_token = shared.config.admin_token.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let (stopped_tx, stopped_rx) = oneshot::channel::<()>();
        let app = http::router(shared.clone());
        let saver = persist.clone().map(|p| tokio::spawn(save_loop(shared.clone(), p)));
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = served.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
            if let (Some(saver), Some(p)) = (saver, persist) {
                saver.abort();
                let db = shared.db.read().await;
                if let Err(e) = p.save(&db, &mut Default::default()).await {
                    tracing::error!(error = %e, "could not save the sandbox");
                }
            }
            let _ = stopped_tx.send(());
        });
        Ok(Self { addr, flavour: Flavour::Dinie, admin_token, shutdown: Some(tx), stopped: Some(stopped_rx) })
    }

    /// Starts on a free loopback port.
    pub async fn start_local(config: SandboxConfig) -> std::io::Result<Self> {
        Self::start(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// The socket it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Which provider's API it speaks.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    /// The API base URL: `http://127.0.0.1:40123/api/v3` for Dinie,
    /// `http://127.0.0.1:40123/api/v1` for Cartevo, `http://127.0.0.1:40123` for
    /// wallets.
    pub fn base_url(&self) -> String {
        match self.flavour {
            Flavour::Dinie => format!("http://{}/api/v3", self.addr),
            Flavour::Cartevo => format!("http://{}/api/v1", self.addr),
            Flavour::Wallets => format!("http://{}", self.addr),
        }
    }

    /// The admin base URL, e.g. `http://127.0.0.1:40123/_sandbox`.
    pub fn admin_url(&self) -> String {
        format!("http://{}/_sandbox", self.addr)
    }

    /// The admin token its `/_sandbox` calls need, if any.
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// Stops serving and waits until the state is saved (when it has a file).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(rx) = self.stopped.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), rx).await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn save_loop(st: Arc<Shared>, p: persist::Persist) {
    let mut written = std::collections::HashSet::new();
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let mut db = st.db.write().await;
        if !db.dirty {
            continue;
        }
        match p.save(&db, &mut written).await {
            Ok(()) => db.dirty = false,
            Err(e) => tracing::error!(error = %e, "could not save the sandbox"),
        }
    }
}
