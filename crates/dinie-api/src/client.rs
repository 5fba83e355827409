//! The HTTP client: auth, retries, idempotency, error mapping, pagination, uploads.

use crate::auth::{Cached, OAuth};
use crate::error::{ApiError, Error};
use crate::retry::{Attempt, RetryPolicy, is_retryable_status, parse_retry_after};
use crate::wire::{
    BiometricsSession, CreditOffer, Customer, CustomerUpdate, Document, List, NewCustomer, Registration, TokenResponse,
};
use futures::{Stream, StreamExt, TryStreamExt};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// A secret string (token, client secret). Its `Debug` never shows the value, so it
/// cannot leak into logs or error messages by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A static bearer token (`dinie_at_…`).
    Bearer(Secret),
    /// OAuth2 client credentials: tokens from `POST {base}/auth/token`, cached and
    /// refreshed 300 s before they expire.
    ClientCredentials {
        /// Client id.
        client_id: String,
        /// Client secret.
        client_secret: Secret,
    },
}

impl Auth {
    /// A static bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::Bearer(Secret::new(token))
    }

    /// OAuth2 client credentials.
    pub fn client_credentials(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self::ClientCredentials { client_id: client_id.into(), client_secret: Secret::new(client_secret) }
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL including the version prefix, e.g. `https://api.dinie.com.br/api/v3`.
    pub base_url: String,
    /// Credentials.
    pub auth: Auth,
    /// Per-request timeout (uploads get this plus a minute per 10 MB).
    pub timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Product name and version for the `User-Agent`, e.g. `KYCDesk/0.1.0`.
    pub product: String,
}

impl ClientConfig {
    /// Settings with the contract's defaults (30 s timeout, 3 retries).
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        Self {
            base_url: base_url.into(),
            auth,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            product: format!("dinie-api-rs/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// The latest `X-RateLimit-*` values the API sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u64,
    /// Requests left in this window.
    pub remaining: u64,
    /// When the window resets (epoch seconds).
    pub reset: u64,
}

/// Counters of what the client did, for diagnostics and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent (every attempt counts).
    pub attempts: u64,
    /// Of those, retries.
    pub retries: u64,
    /// Access tokens fetched.
    pub token_fetches: u64,
}

/// Sort key for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By creation time (the API's default).
    #[default]
    CreatedAt,
    /// By last change: what an incremental sync walks.
    UpdatedAt,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Oldest first.
    Asc,
    /// Newest first (the API's default).
    #[default]
    Desc,
}

/// Filters and paging for `GET /customers`.
#[derive(Debug, Clone, Default)]
pub struct ListCustomers {
    /// Exact CPF.
    pub cpf: Option<String>,
    /// Exact external id.
    pub external_id: Option<String>,
    /// Status filter.
    pub status: Option<String>,
    /// Page size, 1–100 (API default 20).
    pub limit: Option<u32>,
    /// Cursor: the id of the last customer of the previous page.
    pub starting_after: Option<String>,
    /// Sort key.
    pub sort: Option<Sort>,
    /// Sort direction.
    pub order: Option<Order>,
}

impl ListCustomers {
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        for (k, v) in [
            ("cpf", &self.cpf),
            ("external_id", &self.external_id),
            ("status", &self.status),
            ("starting_after", &self.starting_after),
        ] {
            if let Some(v) = v {
                q.push((k, v.clone()));
            }
        }
        if let Some(l) = self.limit {
            q.push(("limit", l.to_string()));
        }
        if let Some(s) = self.sort {
            q.push(("sort", if s == Sort::CreatedAt { "created_at" } else { "updated_at" }.into()));
        }
        if let Some(o) = self.order {
            q.push(("order", if o == Order::Asc { "asc" } else { "desc" }.into()));
        }
        q
    }
}

/// Per-call options.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// The `Idempotency-Key` of a POST or PATCH. Mint one per logical operation with
    /// [`new_idempotency_key`] and keep it with the operation, so a retry after an app
    /// restart reuses it; `None` mints one for this call (reused on its retries).
    pub idempotency_key: Option<String>,
    /// Cancels the call, during a request or a backoff sleep.
    pub cancel: Option<CancellationToken>,
}

impl RequestOptions {
    /// Options with this idempotency key.
    pub fn with_key(key: impl Into<String>) -> Self {
        Self { idempotency_key: Some(key.into()), cancel: None }
    }
}

/// A fresh idempotency key (UUID v4).
pub fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Upload progress: `(bytes sent, total bytes)`.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// The documents limit: 10 MB.
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;

/// The largest successful response body the client reads (16 MiB): every answer of
/// this API is JSON, far smaller. A larger one is refused with [`Error::Decode`] as
/// soon as it passes the cap, without buffering the rest.
pub const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// How much of an error response's body is kept (1 MiB): a problem body is small, and
/// the status alone decides retries, so a longer one is cut rather than refused.
const MAX_ERROR_BODY_BYTES: u64 = 1024 * 1024;

/// The longest an access token is trusted, whatever `expires_in` says: one day.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Whether `url` points at this machine: 127.0.0.0/8, `localhost` or `[::1]`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The error for a 3xx answer: redirects are not followed, so a request body never
/// goes to another origin. Names the status and where it pointed (origin only: a
/// query string may carry a CPF).
fn redirect_error(status: StatusCode, location: Option<&str>, request_id: Option<String>) -> Error {
    let target = location
        .and_then(|l| Url::parse(l).ok())
        .map(|u| format!(" to {}", u.origin().ascii_serialization()))
        .unwrap_or_default();
    let detail = format!(
        "the server answered {} with a redirect{target}; redirects are not followed, check the base URL",
        status.as_u16()
    );
    Error::Api(Box::new(ApiError {
        status: status.as_u16(),
        problem_type: None,
        code: Some("redirect_not_followed".into()),
        title: format!("Redirect not followed ({status})"),
        detail,
        instance: None,
        param: None,
        errors: Vec::new(),
        request_id,
    }))
}

/// Reads a response body chunk by chunk, never holding more than the cap: a
/// successful answer over [`MAX_RESPONSE_BYTES`] is an error, an error answer is cut
/// at [`MAX_ERROR_BODY_BYTES`].
async fn read_capped(
    mut resp: reqwest::Response,
    status: StatusCode,
    request_id: Option<&str>,
) -> Result<Vec<u8>, Error> {
    let success = status.is_success();
    let cap = if success { MAX_RESPONSE_BYTES } else { MAX_ERROR_BODY_BYTES };
    let too_large = || Error::Decode {
        message: format!(
            "the response body is larger than {} MiB; stopped reading it",
            MAX_RESPONSE_BYTES / (1024 * 1024)
        ),
        request_id: request_id.map(str::to_owned),
    };
    if success && resp.content_length().is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    let hint = resp.content_length().unwrap_or(0).min(cap);
    let mut body = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await.map_err(Error::from_reqwest)? {
        let room = usize::try_from(cap).unwrap_or(usize::MAX).saturating_sub(body.len());
        if chunk.len() > room {
            if success {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// One attempt's outcome, body fully read.
struct Raw {
    status: StatusCode,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

/// What a request carries.
enum Payload<'a> {
    None,
    Json(Vec<u8>),
    File(&'a FileUpload),
}

struct FileUpload {
    doc_type: String,
    source: Source,
    file_name: String,
    content_type: &'static str,
    size: u64,
    progress: Option<Progress>,
}

/// Where an upload's bytes come from.
enum Source {
    /// A file, streamed from disk.
    Path(PathBuf),
    /// Bytes in memory (a copy the caller keeps encrypted on disk).
    Bytes(Arc<Vec<u8>>),
}

enum AuthState {
    Bearer(Secret),
    OAuth(OAuth),
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: AuthState,
    retry: RetryPolicy,
    timeout: Duration,
    rate: Mutex<Option<RateLimit>>,
    attempts: AtomicU64,
    retries: AtomicU64,
    token_fetches: AtomicU64,
}

/// A Dinie V3 client. Cheap to clone; clones share the connection pool, the cached
/// access token and the counters.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.inner.base.as_str()).finish_non_exhaustive()
    }
}

/// The content type of a PDF, JPEG or PNG from its first bytes.
pub fn sniff_document(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

impl Client {
    /// Builds a client. Fails only on an unusable base URL.
    pub fn new(cfg: ClientConfig) -> Result<Self, Error> {
        let mut base =
            Url::parse(cfg.base_url.trim()).map_err(|e| Error::InvalidBaseUrl(format!("{:?}: {e}", cfg.base_url)))?;
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => {
                return Err(Error::InvalidBaseUrl(format!(
                    "{:?}: plain http:// is allowed only on this machine (127.0.0.1, localhost, [::1]); \
                     use https:// for any other host",
                    cfg.base_url
                )));
            }
            _ => {
                return Err(Error::InvalidBaseUrl(format!(
                    "{:?}: must start with https:// (or http:// on this machine)",
                    cfg.base_url
                )));
            }
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let ua = format!("{} (api-version={}; {})", cfg.product, crate::API_VERSION, std::env::consts::OS);
        // Redirects are never followed: a 307/308 would re-send the body (a CPF, the
        // client secret) to wherever the server points. A 3xx is an error instead.
        let http = reqwest::Client::builder()
            .user_agent(ua)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Error::from_reqwest)?;
        let auth = match cfg.auth {
            Auth::Bearer(t) => AuthState::Bearer(t),
            Auth::ClientCredentials { client_id, client_secret } => {
                AuthState::OAuth(OAuth::new(client_id, client_secret))
            }
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                retry: cfg.retry,
                timeout: cfg.timeout,
                rate: Mutex::new(None),
                attempts: AtomicU64::new(0),
                retries: AtomicU64::new(0),
                token_fetches: AtomicU64::new(0),
            }),
        })
    }

    /// The base URL, ending in `/`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The most recent rate-limit headers seen, if any.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        *self.inner.rate.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What the client has done so far.
    pub fn stats(&self) -> ClientStats {
        ClientStats {
            attempts: self.inner.attempts.load(Ordering::Relaxed),
            retries: self.inner.retries.load(Ordering::Relaxed),
            token_fetches: self.inner.token_fetches.load(Ordering::Relaxed),
        }
    }

    fn url(&self, path: &str) -> Result<Url, Error> {
        self.inner.base.join(path.trim_start_matches('/')).map_err(|e| Error::InvalidBaseUrl(e.to_string()))
    }

    fn record_rate_limit(&self, headers: &reqwest::header::HeaderMap) {
        let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        if let (Some(limit), Some(remaining), Some(reset)) =
            (h("x-ratelimit-limit"), h("x-ratelimit-remaining"), h("x-ratelimit-reset"))
        {
            *self.inner.rate.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(RateLimit { limit, remaining, reset });
        }
    }

    /// Sends one request and reads its whole body, up to [`MAX_RESPONSE_BYTES`]. A
    /// connection dropped while the body is being read is a network error like any
    /// other, so it is retried too. A redirect is an error (not followed, not retried).
    async fn attempt(&self, rb: RequestBuilder) -> Attempt<Raw> {
        self.inner.attempts.fetch_add(1, Ordering::Relaxed);
        let result = async {
            let resp = rb.send().await.map_err(Error::from_reqwest)?;
            self.record_rate_limit(resp.headers());
            let status = resp.status();
            let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let request_id = header("x-request-id");
            if status.is_redirection() {
                return Err(redirect_error(status, header("location").as_deref(), request_id));
            }
            let retry_after = header("retry-after").as_deref().and_then(parse_retry_after);
            let body = read_capped(resp, status, request_id.as_deref()).await?;
            Ok::<_, Error>(Raw { status, request_id, retry_after, body })
        }
        .await;
        match result {
            Ok(raw) if is_retryable_status(raw.status.as_u16()) => {
                let retry_after = raw.retry_after;
                Attempt::Retry { outcome: Ok(raw), retry_after }
            }
            Ok(raw) => Attempt::Done(Ok(raw)),
            Err(e) if e.is_unreachable() => Attempt::Retry { outcome: Err(e), retry_after: None },
            Err(e) => Attempt::Done(Err(e)),
        }
    }

    /// A bearer token for the next request: the static one, or a cached or fresh
    /// OAuth token (one refresh shared by concurrent callers).
    async fn bearer(&self, cancel: Option<&CancellationToken>) -> Result<Secret, Error> {
        let oauth = match &self.inner.auth {
            AuthState::Bearer(t) => return Ok(t.clone()),
            AuthState::OAuth(o) => o,
        };
        let mut cached = oauth.cached.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| OAuth::usable(c)) {
            return Ok(c.token.clone());
        }
        let url = self.url("auth/token")?;
        // Exactly what the official SDKs send (dinie-sdk 1.1.0, runtime/token_manager.py):
        // the credentials in a JSON body, no Authorization header.
        let body = serde_json::to_vec(&serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": oauth.client_id,
            "client_secret": oauth.client_secret.expose(),
        }))
        .map_err(|e| Error::Decode { message: e.to_string(), request_id: None })?;
        let raw = crate::retry::run(
            &self.inner.retry,
            cancel,
            |_| {
                let rb = self
                    .inner
                    .http
                    .post(url.clone())
                    .timeout(self.inner.timeout)
                    .header("content-type", "application/json")
                    .body(body.clone());
                self.attempt(rb)
            },
            |_, _| {
                self.inner.retries.fetch_add(1, Ordering::Relaxed);
            },
        )
        .await?;
        let t: TokenResponse = Self::json(raw)?;
        self.inner.token_fetches.fetch_add(1, Ordering::Relaxed);
        // A server may send any number: a lifetime past a day is read as a day, so the
        // sum cannot overflow (and a bogus value cannot pin a token forever).
        let now = tokio::time::Instant::now();
        let lifetime = Duration::from_secs(t.expires_in).min(MAX_TOKEN_LIFETIME);
        let fresh = Cached { token: Secret::new(t.access_token), expires_at: now.checked_add(lifetime).unwrap_or(now) };
        *cached = Some(fresh.clone());
        Ok(fresh.token)
    }

    /// Drops the cached token if it is the one that was refused.
    async fn forget_token(&self, refused: &Secret) {
        if let AuthState::OAuth(o) = &self.inner.auth {
            let mut cached = o.cached.lock().await;
            if cached.as_ref().is_some_and(|c| &c.token == refused) {
                *cached = None;
            }
        }
    }

    fn build(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        payload: &Payload<'_>,
        key: Option<&str>,
        token: &Secret,
    ) -> Result<RequestBuilder, Error> {
        let mut rb = self.inner.http.request(method.clone(), url.clone()).bearer_auth(token.expose()).query(query);
        if let Some(k) = key {
            rb = rb.header("Idempotency-Key", k);
        }
        let timeout = match payload {
            Payload::File(f) => self.inner.timeout + Duration::from_secs(60 * (1 + f.size / MAX_DOCUMENT_BYTES)),
            _ => self.inner.timeout,
        };
        rb = rb.timeout(timeout);
        Ok(match payload {
            Payload::None => rb,
            Payload::Json(body) => rb.header("content-type", "application/json").body(body.clone()),
            Payload::File(f) => rb.multipart(f.form()?),
        })
    }

    /// Sends a request with retries, the idempotency key on POST/PATCH, and (with
    /// client credentials) one retry with a fresh token after a 401.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: Payload<'_>,
        opts: &RequestOptions,
    ) -> Result<Raw, Error> {
        let url = self.url(path)?;
        let key = matches!(method, Method::POST | Method::PATCH)
            .then(|| opts.idempotency_key.clone().unwrap_or_else(new_idempotency_key));
        let mut fresh_token_tried = false;
        loop {
            let token = self.bearer(opts.cancel.as_ref()).await?;
            let raw = crate::retry::run(
                &self.inner.retry,
                opts.cancel.as_ref(),
                |_| {
                    let built = self.build(&method, &url, query, &payload, key.as_deref(), &token);
                    async move {
                        match built {
                            Ok(rb) => self.attempt(rb).await,
                            Err(e) => Attempt::Done(Err(e)),
                        }
                    }
                },
                |attempt, delay| {
                    self.inner.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(attempt, ?delay, %method, path, "retrying Dinie request");
                },
            )
            .await?;
            if raw.status == StatusCode::UNAUTHORIZED
                && matches!(self.inner.auth, AuthState::OAuth(_))
                && !fresh_token_tried
            {
                fresh_token_tried = true;
                self.forget_token(&token).await;
                continue;
            }
            return Ok(raw);
        }
    }

    fn json<T: DeserializeOwned>(raw: Raw) -> Result<T, Error> {
        if !raw.status.is_success() {
            return Err(Error::Api(Box::new(ApiError::from_response(raw.status.as_u16(), raw.request_id, &raw.body))));
        }
        serde_json::from_slice(&raw.body)
            .map_err(|e| Error::Decode { message: e.to_string(), request_id: raw.request_id })
    }

    fn json_body<T: serde::Serialize>(v: &T) -> Result<Payload<'static>, Error> {
        serde_json::to_vec(v).map(Payload::Json).map_err(|e| Error::Decode { message: e.to_string(), request_id: None })
    }

    fn customer_path(id: &str) -> Result<String, Error> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(Error::Invalid {
                field: "customer_id".into(),
                message: format!("{id:?} is not a customer id"),
            });
        }
        Ok(format!("customers/{id}"))
    }

    /// `POST /customers`: registers a customer, or finds it already registered with
    /// the same CPF/CNPJ and `external_id`. A different `external_id` for the same
    /// CPF/CNPJ is an [`ApiError`] with code `customer_conflict` (409).
    ///
    /// ```no_run
    /// # async fn demo(client: dinie_api::Client) -> Result<(), dinie_api::Error> {
    /// use dinie_api::{NewCustomer, RequestOptions, Registration, new_idempotency_key};
    /// let key = new_idempotency_key(); // store it with the pending operation
    /// let new = NewCustomer {
    ///     cpf: "123.456.789-09".into(),
    ///     name: Some("Joao Silva".into()),
    ///     email: Some("joao@example.com".into()),
    ///     phone: Some("+5511999999999".into()),
    ///     external_id: Some("partner-ref-123".into()),
    ///     ..Default::default()
    /// };
    /// let (customer, how) = client.create_customer(&new, &RequestOptions::with_key(key)).await?;
    /// assert!(matches!(how, Registration::Created | Registration::AlreadyExisted));
    /// println!("{} is {}", customer.id, customer.status);
    /// # Ok(()) }
    /// ```
    pub async fn create_customer(
        &self,
        new: &NewCustomer,
        opts: &RequestOptions,
    ) -> Result<(Customer, Registration), Error> {
        let raw = self.send(Method::POST, "customers", &[], Self::json_body(new)?, opts).await?;
        let how = if raw.status == StatusCode::CREATED { Registration::Created } else { Registration::AlreadyExisted };
        Ok((Self::json(raw)?, how))
    }

    /// `GET /customers`: one page.
    ///
    /// ```no_run
    /// # async fn demo(client: dinie_api::Client) -> Result<(), dinie_api::Error> {
    /// use dinie_api::ListCustomers;
    /// let page = client.list_customers(&ListCustomers { status: Some("active".into()), limit: Some(50), ..Default::default() }).await?;
    /// println!("{} customers, more: {}", page.data.len(), page.has_more);
    /// # Ok(()) }
    /// ```
    pub async fn list_customers(&self, params: &ListCustomers) -> Result<List<Customer>, Error> {
        Self::json(
            self.send(Method::GET, "customers", &params.query(), Payload::None, &RequestOptions::default()).await?,
        )
    }

    /// `GET /customers/{id}`.
    ///
    /// ```no_run
    /// # async fn demo(client: dinie_api::Client) -> Result<(), dinie_api::Error> {
    /// let c = client.get_customer("cust_01JD8W5R8Q9T3V6X2Y4Z7A1B3C").await?;
    /// for item in &c.kyc {
    ///     println!("{}: {}", item.description, item.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_customer(&self, id: &str) -> Result<Customer, Error> {
        let path = Self::customer_path(id)?;
        Self::json(self.send(Method::GET, &path, &[], Payload::None, &RequestOptions::default()).await?)
    }

    /// `PATCH /customers/{id}`: corrects `name`, `email`, `phone`, `trading_name`.
    ///
    /// ```no_run
    /// # async fn demo(client: dinie_api::Client) -> Result<(), dinie_api::Error> {
    /// use dinie_api::{CustomerUpdate, RequestOptions};
    /// let fix = CustomerUpdate { email: Some("joao@example.com".into()), ..Default::default() };
    /// let c = client.update_customer("cust_01JD8W5R8Q9T3V6X2Y4Z7A1B3C", &fix, &RequestOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_customer(
        &self,
        id: &str,
        update: &CustomerUpdate,
        opts: &RequestOptions,
    ) -> Result<Customer, Error> {
        let path = Self::customer_path(id)?;
        Self::json(self.send(Method::PATCH, &path, &[], Self::json_body(update)?, opts).await?)
    }

    /// `POST /customers/{id}/documents`: uploads a file from disk, streamed (memory
    /// does not grow with its size), with `progress(sent, total)` as it goes. The
    /// content type is judged from the file's bytes; a file that is not a PDF, JPEG
    /// or PNG, or is over 10 MB, is refused before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: dinie_api::Client) -> Result<(), dinie_api::Error> {
    /// use dinie_api::RequestOptions;
    /// use std::sync::Arc;
    /// let progress = Arc::new(|sent: u64, total: u64| println!("{sent}/{total}"));
    /// let doc = client
    ///     .upload_document("cust_01JD8W5R8Q9T3V6X2Y4Z7A1B3C", "selfie", "selfie.jpg".as_ref(), &RequestOptions::default(), Some(progress))
    ///     .await?;
    /// println!("{} stored, sha256 {}", doc.id, doc.sha256);
    /// # Ok(()) }
    /// ```
    pub async fn upload_document(
        &self,
        customer_id: &str,
        doc_type: &str,
        path: &Path,
        opts: &RequestOptions,
        progress: Option<Progress>,
    ) -> Result<Document, Error> {
        let upload = FileUpload::prepare(doc_type, path, progress).await?;
        let path = format!("{}/documents", Self::customer_path(customer_id)?);
        Self::json(self.send(Method::POST, &path, &[], Payload::File(&upload), opts).await?)
    }

    /// [`Client::upload_document`] from bytes in memory, named `file_name`: for callers
    /// that keep their copy encrypted on disk and must not write it out in the clear.
    /// The same checks (PDF, JPEG or PNG by the bytes, at most 10 MB) and retries.
    pub async fn upload_document_bytes(
        &self,
        customer_id: &str,
        doc_type: &str,
        file_name: &str,
        bytes: Arc<Vec<u8>>,
        opts: &RequestOptions,
        progress: Option<Progress>,
    ) -> Result<Document, Error> {
        let invalid = |message: String| Error::Invalid { field: "file".into(), message };
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(invalid(format!(
                "the file is {:.1} MB; documents may be at most 10 MB",
                bytes.len() as f64 / 1_048_576.0
            )));
        }
        let content_type =
            sniff_document(&bytes).ok_or_else(|| invalid("the file must be a PDF, JPEG or PNG".into()))?;
        let upload = FileUpload {
            doc_type: doc_type.to_owned(),
            size: bytes.len() as u64,
            source: Source::Bytes(bytes),
            file_name: file_name.to_owned(),
            content_type,
            progress,
        };
        let path = format!("{}/documents", Self::customer_path(customer_id)?);
        Self::json(self.send(Method::POST, &path, &[], Payload::File(&upload), opts).await?)
    }

    /// `POST /customers/{id}/biometrics`: a capture session to open in the system
    /// browser.
    ///
    /// ```no_run
    /// # async fn demo(client: dinie_api::Client) -> Result<(), dinie_api::Error> {
    /// let s = client.create_biometrics_session("cust_01JD8W5R8Q9T3V6X2Y4Z7A1B3C", &Default::default()).await?;
    /// println!("open {} before {}", s.session_url, s.expires_at);
    /// # Ok(()) }
    /// ```
    pub async fn create_biometrics_session(
        &self,
        customer_id: &str,
        opts: &RequestOptions,
    ) -> Result<BiometricsSession, Error> {
        let path = format!("{}/biometrics", Self::customer_path(customer_id)?);
        Self::json(self.send(Method::POST, &path, &[], Payload::Json(b"{}".to_vec()), opts).await?)
    }

    /// `GET /customers/{id}/credit-offers`.
    ///
    /// ```no_run
    /// # async fn demo(client: dinie_api::Client) -> Result<(), dinie_api::Error> {
    /// for o in client.list_credit_offers("cust_01JD8W5R8Q9T3V6X2Y4Z7A1B3C").await? {
    ///     println!("R$ {} at {}% a month", o.approved_amount, o.interest_rate);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_credit_offers(&self, customer_id: &str) -> Result<Vec<CreditOffer>, Error> {
        let path = format!("{}/credit-offers", Self::customer_path(customer_id)?);
        let list: List<CreditOffer> =
            Self::json(self.send(Method::GET, &path, &[], Payload::None, &RequestOptions::default()).await?)?;
        Ok(list.data)
    }

    /// Checks the credentials: fetches a token (client credentials) and one customer.
    /// For a settings screen's "Test connection".
    pub async fn check_connection(&self) -> Result<(), Error> {
        self.list_customers(&ListCustomers { limit: Some(1), ..Default::default() }).await.map(|_| ())
    }

    /// Every page of a listing, following `starting_after` until `has_more` is false.
    /// `params.starting_after` is where to begin (e.g. a resumed sync's cursor).
    ///
    /// ```no_run
    /// # async fn demo(client: dinie_api::Client) -> Result<(), dinie_api::Error> {
    /// use futures::TryStreamExt;
    /// use dinie_api::{ListCustomers, Sort, Order};
    /// let params = ListCustomers { limit: Some(100), sort: Some(Sort::UpdatedAt), order: Some(Order::Desc), ..Default::default() };
    /// let mut pages = std::pin::pin!(client.customer_pages(params));
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} customers", page.data.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn customer_pages(&self, params: ListCustomers) -> impl Stream<Item = Result<List<Customer>, Error>> + '_ {
        futures::stream::try_unfold(Some(params), move |state| async move {
            let Some(params) = state else { return Ok(None) };
            let page = self.list_customers(&params).await?;
            let next = match (page.has_more, page.data.last()) {
                (true, Some(last)) => Some(ListCustomers { starting_after: Some(last.id.clone()), ..params }),
                _ => None,
            };
            Ok(Some((page, next)))
        })
    }

    /// Every customer of a listing, one by one (pages fetched as needed).
    pub fn customers(&self, params: ListCustomers) -> impl Stream<Item = Result<Customer, Error>> + '_ {
        self.customer_pages(params).map_ok(|p| futures::stream::iter(p.data.into_iter().map(Ok))).try_flatten()
    }
}

impl FileUpload {
    /// Checks the file before anything is sent: it exists, is at most 10 MB, and its
    /// bytes say PDF, JPEG or PNG.
    async fn prepare(doc_type: &str, path: &Path, progress: Option<Progress>) -> Result<Self, Error> {
        use tokio::io::AsyncReadExt;
        let invalid = |message: String| Error::Invalid { field: "file".into(), message };
        let meta =
            tokio::fs::metadata(path).await.map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(invalid(format!("{} is not a file", path.display())));
        }
        if meta.len() > MAX_DOCUMENT_BYTES {
            return Err(invalid(format!(
                "the file is {:.1} MB; documents may be at most 10 MB",
                meta.len() as f64 / 1_048_576.0
            )));
        }
        let mut head = [0u8; 8];
        let mut f =
            tokio::fs::File::open(path).await.map_err(|e| invalid(format!("cannot open {}: {e}", path.display())))?;
        let n = f.read(&mut head).await.map_err(|e| invalid(e.to_string()))?;
        let content_type =
            sniff_document(&head[..n]).ok_or_else(|| invalid("the file must be a PDF, JPEG or PNG".into()))?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
        Ok(Self {
            doc_type: doc_type.to_owned(),
            source: Source::Path(path.to_owned()),
            file_name,
            content_type,
            size: meta.len(),
            progress,
        })
    }

    /// A multipart form that streams the file in 64 KiB chunks, reporting progress.
    fn form(&self) -> Result<reqwest::multipart::Form, Error> {
        const CHUNK: usize = 64 * 1024;
        let total = self.size;
        let sent = Arc::new(AtomicU64::new(0));
        let progress = self.progress.clone();
        let report = move |chunk: &Result<bytes::Bytes, std::io::Error>| {
            if let (Ok(c), Some(p)) = (chunk, &progress) {
                let now = sent.fetch_add(c.len() as u64, Ordering::Relaxed) + c.len() as u64;
                p(now, total);
            }
        };
        let body = match &self.source {
            Source::Path(path) => {
                let file = std::fs::File::open(path).map_err(|e| Error::Invalid {
                    field: "file".into(),
                    message: format!("cannot open {}: {e}", path.display()),
                })?;
                let stream = tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), CHUNK);
                reqwest::Body::wrap_stream(stream.inspect(report))
            }
            Source::Bytes(bytes) => {
                let chunks: Vec<Result<bytes::Bytes, std::io::Error>> =
                    bytes.chunks(CHUNK).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
                reqwest::Body::wrap_stream(futures::stream::iter(chunks).inspect(report))
            }
        };
        let part = reqwest::multipart::Part::stream_with_length(body, total)
            .file_name(self.file_name.clone())
            .mime_str(self.content_type)
            .map_err(Error::from_reqwest)?;
        Ok(reqwest::multipart::Form::new().text("type", self.doc_type.clone()).part("file", part))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> Result<Client, Error> {
        Client::new(ClientConfig::new(url, Auth::bearer("t")))
    }

    #[test]
    fn plain_http_only_on_this_machine() {
        for ok in [
            "https://api.dinie.com.br/api/v3",
            "https://10.0.0.1/api/v3",
            "http://127.0.0.1:8080/api/v3",
            "http://127.1.2.3/api/v3",
            "http://localhost:9/api/v3",
            "http://LOCALHOST/api/v3",
            "http://[::1]:8080/api/v3",
        ] {
            assert!(base(ok).is_ok(), "{ok} must be accepted");
        }
        for bad in [
            "http://api.dinie.com.br/api/v3",
            "http://10.0.0.1/api/v3",
            "http://192.168.0.10:8080/api/v3",
            "http://128.0.0.1/api/v3",
            "http://localhost.evil.example/api/v3",
            "http://[::2]/api/v3",
            "http://0.0.0.0:8080/api/v3",
        ] {
            let Err(Error::InvalidBaseUrl(msg)) = base(bad) else { panic!("{bad} must be refused") };
            assert!(msg.contains("https://") && msg.contains("only on this machine"), "{bad}: {msg}");
        }
        let Err(Error::InvalidBaseUrl(msg)) = base("ftp://example.com") else { panic!("ftp must be refused") };
        assert!(msg.contains("https://"), "{msg}");
    }
}
