//! The HTTP client: auth, retries, error mapping, pagination.

use crate::error::{ApiError, Error};
use crate::retry::{RetryPolicy, is_retryable_status, parse_retry_after};
use crate::wire::{Customer, List};
use futures::Stream;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
type Bytes = Vec<u8>;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// One attempt's outcome, body fully read.
struct Raw {
    status: StatusCode,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    body: Bytes,
}

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
}

impl Auth {
    /// A static bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::Bearer(Secret::new(token))
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL including the version prefix, e.g. `https://api.dinie.com.br/api/v3`.
    pub base_url: String,
    /// Credentials.
    pub auth: Auth,
    /// Per-request timeout.
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
        let mut push = |k, v: &Option<String>| {
            if let Some(v) = v {
                q.push((k, v.clone()));
            }
        };
        push("cpf", &self.cpf);
        push("external_id", &self.external_id);
        push("status", &self.status);
        push("starting_after", &self.starting_after);
        if let Some(l) = self.limit {
            q.push(("limit", l.to_string()));
        }
        if let Some(s) = self.sort {
            q.push((
                "sort",
                match s {
                    Sort::CreatedAt => "created_at",
                    Sort::UpdatedAt => "updated_at",
                }
                .into(),
            ));
        }
        if let Some(o) = self.order {
            q.push((
                "order",
                match o {
                    Order::Asc => "asc",
                    Order::Desc => "desc",
                }
                .into(),
            ));
        }
        q
    }
}

/// A Dinie V3 client. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    auth: Auth,
    retry: RetryPolicy,
    rate: Arc<Mutex<Option<RateLimit>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client. Fails only on an unusable base URL.
    pub fn new(cfg: ClientConfig) -> Result<Self, Error> {
        let mut base =
            Url::parse(cfg.base_url.trim()).map_err(|e| Error::InvalidBaseUrl(format!("{:?}: {e}", cfg.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::InvalidBaseUrl(format!("{:?}: must start with https:// or http://", cfg.base_url)));
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let ua = format!("{} (api-version={}; {})", cfg.product, crate::API_VERSION, std::env::consts::OS);
        let http = reqwest::Client::builder()
            .user_agent(ua)
            .timeout(cfg.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(Error::from_reqwest)?;
        Ok(Self { http, base, auth: cfg.auth, retry: cfg.retry, rate: Arc::default() })
    }

    /// The base URL, ending in `/`.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The most recent rate-limit headers seen, if any.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        *self.rate.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn url(&self, path: &str) -> Result<Url, Error> {
        self.base.join(path.trim_start_matches('/')).map_err(|e| Error::InvalidBaseUrl(e.to_string()))
    }

    fn authed(&self, rb: RequestBuilder) -> RequestBuilder {
        match &self.auth {
            Auth::Bearer(t) => rb.bearer_auth(t.expose()),
        }
    }

    fn record_rate_limit(&self, resp: &Response) {
        let h = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        if let (Some(limit), Some(remaining), Some(reset)) =
            (h("x-ratelimit-limit"), h("x-ratelimit-remaining"), h("x-ratelimit-reset"))
        {
            *self.rate.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(RateLimit { limit, remaining, reset });
        }
    }

    /// Sends a request built by `build` (called again for each attempt) and reads its
    /// body, retrying as the contract says. A connection dropped while the body is
    /// being read counts as a network error, so it is retried too. Every request this
    /// client sends is safe to repeat: GETs, and POST/PATCH with an idempotency key.
    async fn send(&self, build: impl Fn() -> RequestBuilder) -> Result<Raw, Error> {
        let mut attempt = 0;
        loop {
            let retry_after = match self.attempt(build()).await {
                Ok(raw) if raw.status.is_success() || !is_retryable_status(raw.status.as_u16()) => return Ok(raw),
                Ok(raw) if attempt >= self.retry.max_retries => return Ok(raw),
                Ok(raw) => raw.retry_after,
                Err(e) if attempt >= self.retry.max_retries || !e.is_unreachable() => return Err(e),
                Err(_) => None,
            };
            let delay = self.retry.delay(attempt, retry_after, fastrand::f64());
            tracing::debug!(attempt, ?delay, "retrying Dinie request");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, rb: RequestBuilder) -> Result<Raw, Error> {
        let resp = self.authed(rb).send().await.map_err(Error::from_reqwest)?;
        self.record_rate_limit(&resp);
        let status = resp.status();
        let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let request_id = header("x-request-id");
        let retry_after = header("retry-after").as_deref().and_then(parse_retry_after);
        let body = resp.bytes().await.map_err(Error::from_reqwest)?.to_vec();
        Ok(Raw { status, request_id, retry_after, body })
    }

    fn json<T: DeserializeOwned>(raw: Raw) -> Result<T, Error> {
        if !raw.status.is_success() {
            return Err(Error::Api(Box::new(ApiError::from_response(raw.status.as_u16(), raw.request_id, &raw.body))));
        }
        serde_json::from_slice(&raw.body)
            .map_err(|e| Error::Decode { message: e.to_string(), request_id: raw.request_id })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&'static str, String)]) -> Result<T, Error> {
        let url = self.url(path)?;
        Self::json(self.send(|| self.http.request(Method::GET, url.clone()).query(query)).await?)
    }

    /// `GET /customers`: one page.
    pub async fn list_customers(&self, params: &ListCustomers) -> Result<List<Customer>, Error> {
        self.get("customers", &params.query()).await
    }

    /// `GET /customers/{id}`.
    pub async fn get_customer(&self, id: &str) -> Result<Customer, Error> {
        if id.is_empty() || id.contains('/') {
            return Err(Error::Api(Box::new(ApiError::from_response(
                StatusCode::NOT_FOUND.as_u16(),
                None,
                br#"{"title":"Not found","detail":"customer id is empty or malformed"}"#,
            ))));
        }
        self.get(&format!("customers/{id}"), &[]).await
    }

    /// Every page of a listing, following `starting_after` until `has_more` is false.
    /// `params.starting_after` is where to begin (e.g. a resumed sync's cursor).
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
}
