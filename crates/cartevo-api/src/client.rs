//! The client: tokens, one request with its retries, and each endpoint.

use crate::error::{ApiError, Error};
use crate::wire::{
    Card, CardCreated, CardStatus, Customer, CustomerSummary, Envelope, Meta, NewCard, NewCustomer, Page, Token,
};
use futures::StreamExt;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

/// A secret (client key, token). Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Cartevo's production API.
pub const PRODUCTION_URL: &str = "https://api.cartevo.co/api/v1";

/// A token is fetched again this long before it expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The longest a token is trusted, whatever `expires_in` says.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// An ID document file's limit: 10 MB.
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;

/// The largest answer read: JSON is far smaller; an ID image is at most 10 MB.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The most a `Retry-After` is waited.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// Upload progress: `(bytes sent, total)`.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// How to reach Cartevo.
#[derive(Debug, Clone)]
pub struct Config {
    /// `https://api.cartevo.co/api/v1` (or a sandbox on this machine).
    pub base_url: String,
    /// `client_…`.
    pub client_id: String,
    /// The client key.
    pub client_key: Secret,
    /// Per-request timeout (uploads get more, by size).
    pub timeout: Duration,
    /// Retries after the first attempt, for calls that may be retried.
    pub max_retries: u32,
    /// First backoff (doubles, at most 8 s, minus up to 25 % jitter).
    pub backoff: Duration,
    /// `User-Agent`.
    pub user_agent: String,
}

impl Config {
    /// The defaults for `base_url` and these credentials.
    pub fn new(base_url: impl Into<String>, client_id: impl Into<String>, client_key: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            client_id: client_id.into(),
            client_key: Secret::new(client_key),
            timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff: Duration::from_millis(500),
            user_agent: format!("cartevo-api/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// An ID document file for a registration, in memory.
#[derive(Clone)]
pub struct DocumentFile {
    /// Its name (the last path component).
    pub file_name: String,
    /// Its bytes.
    pub bytes: Arc<Vec<u8>>,
}

impl fmt::Debug for DocumentFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentFile").field("file_name", &self.file_name).field("len", &self.bytes.len()).finish()
    }
}

/// The content type of a PDF, JPEG or PNG from its first bytes.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
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

impl DocumentFile {
    /// Checks a file before anything is sent (named by the form field it fills): at
    /// most 10 MB, a JPEG, PNG or PDF by its bytes.
    pub fn check(&self, field: &str) -> Result<&'static str, Error> {
        let invalid = |message: String| Error::Invalid { field: field.to_owned(), message };
        if self.bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(invalid(format!(
                "the file is {:.1} MB; Cartevo takes at most 10 MB",
                self.bytes.len() as f64 / 1_048_576.0
            )));
        }
        sniff(&self.bytes).ok_or_else(|| invalid("the file must be a JPEG, PNG or PDF".into()))
    }
}

/// What the client has done so far (for tests and diagnostics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP requests sent.
    pub attempts: u64,
    /// Retries among them.
    pub retries: u64,
    /// Tokens fetched.
    pub token_fetches: u64,
}

struct CachedToken {
    token: Secret,
    expires_at: Instant,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    cfg: Config,
    token: Mutex<Option<CachedToken>>,
    attempts: AtomicU64,
    retries: AtomicU64,
    token_fetches: AtomicU64,
}

/// A Cartevo client. Cheap to clone; clones share the connections and the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.inner.base.as_str()).finish_non_exhaustive()
    }
}

/// Whether `url` is on this machine.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// An answer, body read.
struct Raw {
    status: StatusCode,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// What a request carries.
#[derive(Clone)]
enum Payload {
    None,
    Json(Vec<u8>),
    /// A registration: its fields and files.
    Registration {
        fields: Arc<NewCustomer>,
        front: DocumentFile,
        back: Option<DocumentFile>,
        progress: Option<Progress>,
    },
}

/// May a failed attempt be tried again? Only calls that cannot act twice: reads,
/// freezes, and the token. Cartevo's `POST /customers` and `POST /cards` take no
/// idempotency key, so they are sent once.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    Yes,
    Never,
}

fn is_retryable(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs = v.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0)?;
    Duration::try_from_secs_f64(secs.min(86_400.0)).ok()
}

impl Client {
    /// Builds a client. Fails only on an unusable base URL: `https://`, or `http://`
    /// on this machine.
    pub fn new(cfg: Config) -> Result<Self, Error> {
        let mut base =
            Url::parse(cfg.base_url.trim()).map_err(|e| Error::InvalidBaseUrl(format!("{:?}: {e}", cfg.base_url)))?;
        let ok = base.scheme() == "https" || (base.scheme() == "http" && is_loopback(&base));
        if !ok || base.host().is_none() {
            return Err(Error::InvalidBaseUrl(format!(
                "{:?}: use https:// (http:// only on this machine)",
                cfg.base_url
            )));
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        // Redirects are not followed: a body (the client key, a customer's data)
        // never goes to another origin.
        let http = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Error::from_reqwest)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                cfg,
                token: Mutex::new(None),
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

    /// What the client has done so far.
    pub fn stats(&self) -> Stats {
        Stats {
            attempts: self.inner.attempts.load(Ordering::Relaxed),
            retries: self.inner.retries.load(Ordering::Relaxed),
            token_fetches: self.inner.token_fetches.load(Ordering::Relaxed),
        }
    }

    fn url(&self, path: &str) -> Result<Url, Error> {
        self.inner.base.join(path.trim_start_matches('/')).map_err(|e| Error::InvalidBaseUrl(e.to_string()))
    }

    fn id_path(prefix: &str, id: &str, suffix: &str) -> Result<String, Error> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(Error::Invalid { field: "id".into(), message: format!("{id:?} is not a Cartevo id") });
        }
        Ok(format!("{prefix}/{id}{suffix}"))
    }

    /// One attempt, body read (at most 16 MiB).
    async fn attempt(&self, rb: RequestBuilder) -> Result<Raw, Error> {
        self.inner.attempts.fetch_add(1, Ordering::Relaxed);
        let resp = rb.send().await.map_err(Error::from_reqwest)?;
        let status = resp.status();
        let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let request_id = header("x-request-id");
        let retry_after = header("retry-after").as_deref().and_then(parse_retry_after);
        let content_type = header("content-type");
        if status.is_redirection() {
            return Err(Error::Api(Box::new(ApiError::from_response(
                status.as_u16(),
                request_id,
                b"the server answered with a redirect; redirects are not followed, check the base URL",
            ))));
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(Error::from_reqwest)?;
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Error::Decode { message: "the answer is larger than 16 MiB".into(), request_id });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Raw { status, request_id, retry_after, content_type, body })
    }

    /// Runs `attempt` with the retry rules (network errors and 408/429/5xx; at most
    /// `max_retries`; `Retry-After` capped at 60 s, else backoff with jitter).
    async fn with_retries<F, Fut>(&self, retry: Retry, mut attempt: F) -> Result<Raw, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Raw, Error>>,
    {
        let mut n = 0u32;
        loop {
            let outcome = attempt().await;
            let again = match &outcome {
                Ok(raw) => is_retryable(raw.status.as_u16()),
                Err(e) => e.is_unreachable(),
            };
            if !again || retry == Retry::Never || n >= self.inner.cfg.max_retries {
                return outcome;
            }
            let delay = match &outcome {
                Ok(Raw { retry_after: Some(ra), .. }) => (*ra).min(RETRY_AFTER_CAP),
                _ => {
                    let exp = self.inner.cfg.backoff.saturating_mul(2u32.saturating_pow(n.min(16)));
                    exp.min(Duration::from_secs(8)).mul_f64(1.0 - 0.25 * fastrand::f64())
                }
            };
            self.inner.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(attempt = n, ?delay, "retrying Cartevo request");
            tokio::time::sleep(delay).await;
            n += 1;
        }
    }

    /// A token: the cached one while it has more than 5 minutes left, else a fresh one
    /// (one fetch shared by concurrent callers).
    async fn token(&self) -> Result<Secret, Error> {
        let mut cached = self.inner.token.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| Instant::now() + REFRESH_MARGIN < c.expires_at) {
            return Ok(c.token.clone());
        }
        let url = self.url("auth/token")?;
        let body = serde_json::to_vec(&serde_json::json!({
            "client_id": self.inner.cfg.client_id,
            "client_key": self.inner.cfg.client_key.expose(),
        }))
        .map_err(|e| Error::Decode { message: e.to_string(), request_id: None })?;
        let raw = self
            .with_retries(Retry::Yes, || {
                let rb = self
                    .inner
                    .http
                    .post(url.clone())
                    .timeout(self.inner.cfg.timeout)
                    .header("content-type", "application/json")
                    .body(body.clone());
                self.attempt(rb)
            })
            .await?;
        let t: Token = Self::read(raw)?;
        self.inner.token_fetches.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let life = Duration::from_secs(t.expires_in).min(MAX_TOKEN_LIFETIME);
        let fresh =
            CachedToken { token: Secret::new(t.access_token), expires_at: now.checked_add(life).unwrap_or(now) };
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    async fn forget_token(&self, refused: &Secret) {
        let mut cached = self.inner.token.lock().await;
        if cached.as_ref().is_some_and(|c| &c.token == refused) {
            *cached = None;
        }
    }

    fn build(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        payload: &Payload,
        token: &Secret,
    ) -> Result<RequestBuilder, Error> {
        let rb = self.inner.http.request(method.clone(), url.clone()).bearer_auth(token.expose()).query(query);
        Ok(match payload {
            Payload::None => rb.timeout(self.inner.cfg.timeout),
            Payload::Json(b) => {
                rb.timeout(self.inner.cfg.timeout).header("content-type", "application/json").body(b.clone())
            }
            Payload::Registration { fields, front, back, progress } => {
                let size = front.bytes.len() as u64 + back.as_ref().map_or(0, |b| b.bytes.len() as u64);
                let form = registration_form(fields, front, back.as_ref(), progress.clone())?;
                rb.timeout(self.inner.cfg.timeout + Duration::from_secs(60 * (1 + size / MAX_DOCUMENT_BYTES)))
                    .multipart(form)
            }
        })
    }

    /// Sends a request with a token (fetching one again and retrying once after a
    /// 401: a refused token means nothing was done) and the retry rules.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: Payload,
        retry: Retry,
    ) -> Result<Raw, Error> {
        let url = self.url(path)?;
        let mut fresh = false;
        loop {
            let token = self.token().await?;
            let raw = self
                .with_retries(retry, || {
                    let built = self.build(&method, &url, query, &payload, &token);
                    async move { self.attempt(built?).await }
                })
                .await?;
            if raw.status == StatusCode::UNAUTHORIZED && !fresh {
                fresh = true;
                self.forget_token(&token).await;
                continue;
            }
            return Ok(raw);
        }
    }

    fn read<T: DeserializeOwned>(raw: Raw) -> Result<T, Error> {
        if !raw.status.is_success() {
            return Err(Error::Api(Box::new(ApiError::from_response(raw.status.as_u16(), raw.request_id, &raw.body))));
        }
        serde_json::from_slice(&raw.body)
            .map_err(|e| Error::Decode { message: e.to_string(), request_id: raw.request_id })
    }

    fn data<T: DeserializeOwned>(raw: Raw) -> Result<T, Error> {
        Ok(Self::read::<Envelope<T>>(raw)?.data)
    }

    /// Checks the credentials: fetches a token now.
    pub async fn check_credentials(&self) -> Result<(), Error> {
        *self.inner.token.lock().await = None;
        self.token().await.map(drop)
    }

    /// One page of customers (`page` from 1, `limit` 1–100), oldest first.
    pub async fn list_customers(&self, page: u32, limit: u32) -> Result<Page<CustomerSummary>, Error> {
        let query = [("page", page.max(1).to_string()), ("limit", limit.clamp(1, 100).to_string())];
        let raw = self.send(Method::GET, "customers", &query, Payload::None, Retry::Yes).await?;
        let env: Envelope<Vec<CustomerSummary>> = Self::read(raw)?;
        let n = env.data.len();
        let meta = env.meta.unwrap_or(Meta { page, limit, total: n as u64, total_pages: 1 });
        Ok(Page { items: env.data, meta })
    }

    /// Every customer: walks the pages to the last one, each customer once. The list
    /// has no cursor, so a customer created during the walk can shift the pages: when
    /// the total at the end is not the number of customers seen, it walks again (at
    /// most three times), keeping what it has seen.
    pub async fn all_customers(&self, limit: u32) -> Result<Vec<CustomerSummary>, Error> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for _pass in 0..3 {
            let mut page = 1;
            let total = loop {
                let p = self.list_customers(page, limit).await?;
                for c in p.items {
                    if seen.insert(c.id.clone()) {
                        out.push(c);
                    }
                }
                if page >= p.meta.total_pages {
                    break p.meta.total;
                }
                page += 1;
            };
            if out.len() as u64 >= total {
                break;
            }
        }
        Ok(out)
    }

    /// One customer in full, with its KYC status when Cartevo sends it.
    pub async fn get_customer(&self, id: &str) -> Result<Customer, Error> {
        let raw = self.send(Method::GET, &Self::id_path("customers", id, "")?, &[], Payload::None, Retry::Yes).await?;
        Self::data(raw)
    }

    /// Registers a customer with the ID files (multipart, streamed, with progress over
    /// both files). Sent once: Cartevo takes no idempotency key, and a second send is
    /// refused with 409 (same e-mail) rather than doubled.
    pub async fn create_customer(
        &self,
        customer: &NewCustomer,
        front: DocumentFile,
        back: Option<DocumentFile>,
        enroll: bool,
        progress: Option<Progress>,
    ) -> Result<Customer, Error> {
        front.check("id_document_front")?;
        if let Some(b) = &back {
            b.check("id_document_back")?;
        }
        let payload = Payload::Registration { fields: Arc::new(customer.clone()), front, back, progress };
        let raw =
            self.send(Method::POST, "customers", &[("enroll", enroll.to_string())], payload, Retry::Never).await?;
        Self::data(raw)
    }

    /// Registers a customer whose ID images are at public HTTPS URLs
    /// (`POST /customers/enroll`). Sent once.
    pub async fn enroll_customer(
        &self,
        customer: &NewCustomer,
        front_url: &str,
        back_url: Option<&str>,
    ) -> Result<Customer, Error> {
        for (field, url) in [("id_document_front_url", Some(front_url)), ("id_document_back_url", back_url)] {
            if let Some(u) = url
                && !Url::parse(u).is_ok_and(|u| u.scheme() == "https" && u.host().is_some())
            {
                return Err(Error::Invalid {
                    field: field.into(),
                    message: "must be a public https:// address".into(),
                });
            }
        }
        let mut body =
            serde_json::to_value(customer).map_err(|e| Error::Decode { message: e.to_string(), request_id: None })?;
        body["id_document_front_url"] = front_url.into();
        if let Some(b) = back_url {
            body["id_document_back_url"] = b.into();
        }
        let bytes =
            serde_json::to_vec(&body).map_err(|e| Error::Decode { message: e.to_string(), request_id: None })?;
        let raw = self.send(Method::POST, "customers/enroll", &[], Payload::Json(bytes), Retry::Never).await?;
        Self::data(raw)
    }

    /// A customer's cards. Cartevo answers an empty list with 404: for a customer
    /// that exists, that is no cards.
    pub async fn list_cards(&self, customer_id: &str) -> Result<Vec<Card>, Error> {
        let path = Self::id_path("customers", customer_id, "/cards")?;
        let raw = self.send(Method::GET, &path, &[], Payload::None, Retry::Yes).await?;
        if raw.status == StatusCode::NOT_FOUND {
            // Only "no cards": an unknown customer is still an error.
            let e = ApiError::from_response(404, raw.request_id.clone(), &raw.body);
            if e.message().to_ascii_lowercase().contains("card") {
                return Ok(Vec::new());
            }
            self.get_customer(customer_id).await?;
            return Ok(Vec::new());
        }
        Self::data(raw)
    }

    /// Issues a card. Sent exactly once, never retried (no idempotency key): after a
    /// timeout or a dropped connection the card may or may not exist, and the caller
    /// must read the customer's cards to know ([`Error::is_unreachable`]).
    pub async fn create_card(&self, card: &NewCard) -> Result<Card, Error> {
        if !crate::wire::is_decimal(&card.amount) || card.amount.starts_with('-') {
            return Err(Error::Invalid {
                field: "amount".into(),
                message: "must be a number of dollars, 0 or more".into(),
            });
        }
        let body = format!(
            r#"{{"customer_id":{},"brand":{},"name_on_card":{},"amount":{}}}"#,
            serde_json::Value::from(card.customer_id.as_str()),
            serde_json::Value::from(card.brand.as_str()),
            serde_json::Value::from(card.name_on_card.as_str()),
            card.amount
        );
        let raw = self.send(Method::POST, "cards", &[], Payload::Json(body.into_bytes()), Retry::Never).await?;
        Ok(Self::read::<CardCreated>(raw)?.card)
    }

    /// Freezes a card (retried: freezing twice is freezing once).
    pub async fn freeze_card(&self, card_id: &str) -> Result<CardStatus, Error> {
        let raw = self
            .send(Method::PUT, &Self::id_path("cards", card_id, "/freeze")?, &[], Payload::None, Retry::Yes)
            .await?;
        Self::data(raw)
    }

    /// Unfreezes a card.
    pub async fn unfreeze_card(&self, card_id: &str) -> Result<CardStatus, Error> {
        let raw = self
            .send(Method::PUT, &Self::id_path("cards", card_id, "/unfreeze")?, &[], Payload::None, Retry::Yes)
            .await?;
        Self::data(raw)
    }

    /// An ID image Cartevo hosts (`image` / `photo`): its bytes and content type. The
    /// token goes only to the API's own origin; another origin is read without it,
    /// over https only.
    pub async fn fetch_document(&self, url: &str) -> Result<(Vec<u8>, String), Error> {
        let u = Url::parse(url).map_err(|e| Error::Invalid { field: "url".into(), message: e.to_string() })?;
        let own = u.origin() == self.inner.base.origin();
        if !own && u.scheme() != "https" {
            return Err(Error::Invalid {
                field: "url".into(),
                message: "a document outside the API is read over https only".into(),
            });
        }
        let raw = if own {
            let path = u.path().to_owned();
            let base_path = self.inner.base.path().to_owned();
            let rel = path.strip_prefix(&base_path).unwrap_or(&path).to_owned();
            let query: Vec<(String, String)> = u.query_pairs().into_owned().collect();
            let q: Vec<(&str, String)> = query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            if path.starts_with(&base_path) {
                self.send(Method::GET, &rel, &q, Payload::None, Retry::Yes).await?
            } else {
                // On the API's host but outside its path: still the same origin.
                let token = self.token().await?;
                self.with_retries(Retry::Yes, || {
                    self.attempt(
                        self.inner.http.get(u.clone()).bearer_auth(token.expose()).timeout(self.inner.cfg.timeout),
                    )
                })
                .await?
            }
        } else {
            self.with_retries(Retry::Yes, || {
                self.attempt(self.inner.http.get(u.clone()).timeout(self.inner.cfg.timeout))
            })
            .await?
        };
        if !raw.status.is_success() {
            return Err(Error::Api(Box::new(ApiError::from_response(raw.status.as_u16(), raw.request_id, &raw.body))));
        }
        let content_type = sniff(&raw.body)
            .map(str::to_owned)
            .or(raw.content_type)
            .unwrap_or_else(|| "application/octet-stream".into());
        Ok((raw.body, content_type))
    }
}

/// The registration as multipart: the text fields, then the files streamed in 64 KiB
/// chunks, `progress(sent, total)` counted over both.
fn registration_form(
    fields: &NewCustomer,
    front: &DocumentFile,
    back: Option<&DocumentFile>,
    progress: Option<Progress>,
) -> Result<reqwest::multipart::Form, Error> {
    const CHUNK: usize = 64 * 1024;
    let total = front.bytes.len() as u64 + back.map_or(0, |b| b.bytes.len() as u64);
    let sent = Arc::new(AtomicU64::new(0));
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields.pairs() {
        form = form.text(name, value.to_owned());
    }
    for (name, file) in [("id_document_front", Some(front)), ("id_document_back", back)] {
        let Some(file) = file else { continue };
        let (sent, progress) = (sent.clone(), progress.clone());
        let bytes = file.bytes.clone();
        let chunks = (0..bytes.len().div_ceil(CHUNK)).map(move |i| {
            let chunk = bytes::Bytes::copy_from_slice(&bytes[i * CHUNK..((i + 1) * CHUNK).min(bytes.len())]);
            if let Some(p) = &progress {
                p(sent.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64, total);
            }
            Ok::<_, std::io::Error>(chunk)
        });
        let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
        let part = reqwest::multipart::Part::stream_with_length(body, file.bytes.len() as u64)
            .file_name(file.file_name.clone())
            .mime_str(sniff(&file.bytes).unwrap_or("application/octet-stream"))
            .map_err(Error::from_reqwest)?;
        form = form.part(name, part);
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_this_machine() {
        let c = |u: &str| Client::new(Config::new(u, "client_x", "k"));
        assert!(c("https://api.cartevo.co/api/v1").is_ok());
        assert!(c("http://127.0.0.1:9/api/v1").is_ok());
        assert!(matches!(c("http://api.cartevo.co/api/v1"), Err(Error::InvalidBaseUrl(_))));
        assert!(matches!(c("ftp://x/"), Err(Error::InvalidBaseUrl(_))));
        assert_eq!(c("https://api.cartevo.co/api/v1").unwrap().base_url().as_str(), "https://api.cartevo.co/api/v1/");
    }

    #[test]
    fn the_client_key_never_shows_in_debug() {
        let cfg = Config::new("https://api.cartevo.co/api/v1", "client_x", "very-secret-key");
        assert!(!format!("{cfg:?}").contains("very-secret-key"));
    }

    #[test]
    fn files_are_checked_by_their_bytes_and_size() {
        let f = |b: Vec<u8>| DocumentFile { file_name: "a.png".into(), bytes: Arc::new(b) };
        assert_eq!(f(b"\x89PNG\r\n\x1a\nxxxx".to_vec()).check("id_document_front").unwrap(), "image/png");
        let Err(Error::Invalid { field, .. }) = f(b"hello".to_vec()).check("id_document_back") else { panic!() };
        assert_eq!(field, "id_document_back");
        let mut big = b"%PDF-".to_vec();
        big.resize(10 * 1024 * 1024 + 1, 0);
        assert!(f(big).check("id_document_front").is_err());
    }
}
