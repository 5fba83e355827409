//! The client: one request with its key, idempotency and retries, and each endpoint.

use crate::error::{ApiError, Error};
use crate::wire::{BvnRecord, Customer, CustomerUpdate, Data, NewCustomer, Page, Transaction, Wallet};
use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use url::Url;

/// The API key; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// How the key is written in `Authorization`: bare, as the platform documents, or after
/// `Bearer`, as some of its examples do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthStyle {
    /// `Authorization: <key>`.
    #[default]
    Bare,
    /// `Authorization: Bearer <key>`.
    Bearer,
}

/// The platform's API.
pub const PRODUCTION_URL: &str = "https://api.spendjuice.com";

/// The most a retry delay is waited.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// The largest answer read.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// How to reach the platform.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base URL (`https://`, or `http://` on this machine).
    pub base_url: String,
    /// The API key.
    pub api_key: ApiKey,
    /// How the key is sent.
    pub auth_style: AuthStyle,
    /// Per request (the platform's own limit is 30 s).
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff (doubles, at most 8 s, minus up to 25 % jitter).
    pub backoff: Duration,
    /// `User-Agent`.
    pub user_agent: String,
}

impl Config {
    /// The defaults for `base_url` and `api_key`.
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_key: ApiKey::new(api_key),
            auth_style: AuthStyle::Bare,
            timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff: Duration::from_millis(500),
            user_agent: format!("wallets-api/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// A fresh idempotency key (UUID v4), for one logical operation.
pub fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A query for `GET /customers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCustomers {
    /// 1–100 (15 by default).
    pub limit: Option<u32>,
    /// The page after this cursor.
    pub after: Option<String>,
    /// The page before this cursor.
    pub before: Option<String>,
    /// Only this e-mail.
    pub email: Option<String>,
    /// Created at or after (ISO 8601).
    pub created_after: Option<String>,
    /// Created before (ISO 8601).
    pub created_before: Option<String>,
    /// Oldest first (`created_at:asc`); newest first otherwise.
    pub oldest_first: bool,
}

/// What the client has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP requests sent.
    pub attempts: u64,
    /// Retries among them.
    pub retries: u64,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    cfg: Config,
    attempts: AtomicU64,
    retries: AtomicU64,
}

/// A client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.inner.base.as_str()).finish_non_exhaustive()
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

struct Raw {
    status: StatusCode,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl Raw {
    fn error(&self) -> ApiError {
        ApiError::from_response(self.status.as_u16(), self.request_id.clone(), self.retry_after, &self.body)
    }
}

fn parse_retry_after(v: &str) -> Option<Duration> {
    let s = v.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0)?;
    Duration::try_from_secs_f64(s.min(86_400.0)).ok()
}

fn path_id(prefix: &str, id: &str, suffix: &str) -> Result<String, Error> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(Error::Invalid { field: "id".into(), message: format!("{id:?} is not an id of this platform") });
    }
    Ok(format!("{prefix}/{id}{suffix}"))
}

impl Client {
    /// Builds a client; fails only on an unusable base URL.
    pub fn new(cfg: Config) -> Result<Self, Error> {
        let mut base =
            Url::parse(cfg.base_url.trim()).map_err(|e| Error::InvalidBaseUrl(format!("{:?}: {e}", cfg.base_url)))?;
        if !(base.scheme() == "https" || (base.scheme() == "http" && is_loopback(&base))) || base.host().is_none() {
            return Err(Error::InvalidBaseUrl(format!(
                "{:?}: use https:// (http:// only on this machine)",
                cfg.base_url
            )));
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let http = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Error::from_reqwest)?;
        Ok(Self { inner: Arc::new(Inner { http, base, cfg, attempts: AtomicU64::new(0), retries: AtomicU64::new(0) }) })
    }

    /// What the client has done so far.
    pub fn stats(&self) -> Stats {
        Stats {
            attempts: self.inner.attempts.load(Ordering::Relaxed),
            retries: self.inner.retries.load(Ordering::Relaxed),
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        body: Option<&[u8]>,
        key: Option<&str>,
    ) -> Result<Raw, Error> {
        self.inner.attempts.fetch_add(1, Ordering::Relaxed);
        let secret = &self.inner.cfg.api_key.0;
        let auth = match self.inner.cfg.auth_style {
            AuthStyle::Bare => secret.clone(),
            AuthStyle::Bearer => format!("Bearer {secret}"),
        };
        let mut rb = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .header("authorization", auth)
            .query(query)
            .timeout(self.inner.cfg.timeout);
        if let Some(k) = key {
            rb = rb.header("idempotency-key", k);
        }
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b.to_vec());
        }
        let resp = rb.send().await.map_err(Error::from_reqwest)?;
        let status = resp.status();
        let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let request_id = header("x-request-id");
        let retry_after = header("retry-after").as_deref().and_then(parse_retry_after);
        if status.is_redirection() {
            return Err(Error::Api(Box::new(ApiError::from_response(
                status.as_u16(),
                request_id,
                None,
                b"the server answered with a redirect; redirects are not followed, check the base URL",
            ))));
        }
        let mut stream = resp.bytes_stream();
        let mut buf = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(Error::from_reqwest)?;
            if buf.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Error::Decode { message: "the answer is larger than 16 MiB".into(), request_id });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Raw { status, request_id, retry_after, body: buf })
    }

    /// One call, with retries on network errors, 408, 429 and 5xx. A POST carries
    /// `key` (the same on every retry, so the platform answers a repeat from its
    /// idempotency cache instead of acting twice); other methods change nothing twice.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        key: Option<&str>,
    ) -> Result<Raw, Error> {
        let url = self.inner.base.join(path).map_err(|e| Error::InvalidBaseUrl(e.to_string()))?;
        let mut n = 0u32;
        loop {
            let outcome = self.attempt(&method, &url, query, body.as_deref(), key).await;
            let again = match &outcome {
                Ok(raw) => matches!(raw.status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504),
                Err(e) => e.is_unreachable(),
            };
            if !again || n >= self.inner.cfg.max_retries {
                return outcome;
            }
            let asked = match &outcome {
                Ok(raw) => raw.error().retry_after,
                Err(_) => None,
            };
            let delay = match asked {
                Some(d) => d.min(RETRY_AFTER_CAP),
                None => self
                    .inner
                    .cfg
                    .backoff
                    .saturating_mul(2u32.saturating_pow(n.min(16)))
                    .min(Duration::from_secs(8))
                    .mul_f64(1.0 - 0.25 * fastrand::f64()),
            };
            self.inner.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(attempt = n, ?delay, "retrying a wallets platform request");
            tokio::time::sleep(delay).await;
            n += 1;
        }
    }

    fn read<T: DeserializeOwned>(raw: Raw) -> Result<T, Error> {
        if !raw.status.is_success() {
            return Err(Error::Api(Box::new(raw.error())));
        }
        serde_json::from_slice(&raw.body)
            .map_err(|e| Error::Decode { message: e.to_string(), request_id: raw.request_id })
    }

    fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, Error> {
        serde_json::to_vec(v).map_err(|e| Error::Decode { message: e.to_string(), request_id: None })
    }

    /// Checks the key with one cheap call.
    pub async fn check_key(&self) -> Result<(), Error> {
        self.list_customers(&ListCustomers { limit: Some(1), ..Default::default() }).await.map(drop)
    }

    /// One page of customers.
    pub async fn list_customers(&self, q: &ListCustomers) -> Result<Page<Customer>, Error> {
        let mut query = vec![("limit", q.limit.unwrap_or(15).clamp(1, 100).to_string())];
        let opt = [
            ("after", &q.after),
            ("before", &q.before),
            ("email", &q.email),
            ("created_after", &q.created_after),
            ("created_before", &q.created_before),
        ];
        for (name, v) in opt {
            if let Some(v) = v {
                query.push((name, v.clone()));
            }
        }
        query.push(("sort", if q.oldest_first { "created_at:asc" } else { "created_at:desc" }.into()));
        Self::read(self.call(Method::GET, "customers", &query, None, None).await?)
    }

    /// Every customer, oldest first, following `after` to its end.
    pub async fn all_customers(&self) -> Result<Vec<Customer>, Error> {
        let mut out = Vec::new();
        let mut q = ListCustomers { limit: Some(100), oldest_first: true, ..Default::default() };
        loop {
            let page = self.list_customers(&q).await?;
            let next = page.next().map(str::to_owned);
            out.extend(page.data);
            match next {
                Some(a) => q.after = Some(a),
                None => return Ok(out),
            }
        }
    }

    /// One customer.
    pub async fn get_customer(&self, id: &str) -> Result<Customer, Error> {
        let raw = self.call(Method::GET, &path_id("customers", id, "")?, &[], None, None).await?;
        Ok(Self::read::<Data<Customer>>(raw)?.data)
    }

    /// Creates a customer with the operation's idempotency key (kept by the caller so
    /// a repeat after a crash is recognised). Reads the customer back when the 201 says
    /// only its id.
    pub async fn create_customer(&self, c: &NewCustomer, key: &str) -> Result<Customer, Error> {
        let raw = self.call(Method::POST, "customers", &[], Some(Self::json(c)?), Some(key)).await?;
        let made: Customer = Self::read::<Data<Customer>>(raw)?.data;
        if made.email.is_none() && made.billing_address.is_none() {
            self.get_customer(&made.id).await
        } else {
            Ok(made)
        }
    }

    /// Corrects a customer (`PATCH`): only what `u` carries changes.
    pub async fn update_customer(&self, id: &str, u: &CustomerUpdate) -> Result<Customer, Error> {
        let raw = self.call(Method::PATCH, &path_id("customers", id, "")?, &[], Some(Self::json(u)?), None).await?;
        Ok(Self::read::<Data<Customer>>(raw)?.data)
    }

    /// Looks up a BVN (11 digits); the caller has the customer's consent.
    pub async fn resolve_bvn(&self, bvn: &str, key: &str) -> Result<BvnRecord, Error> {
        if bvn.len() != 11 || !bvn.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Invalid { field: "bvn".into(), message: "a BVN is 11 digits".into() });
        }
        let body = Self::json(&serde_json::json!({ "bvn": bvn }))?;
        let raw = self.call(Method::POST, "payment-methods/resolve-bvn", &[], Some(body), Some(key)).await?;
        Ok(Self::read::<Data<BvnRecord>>(raw)?.data)
    }

    /// Creates a wallet in `currency` for an active customer.
    pub async fn create_wallet(&self, customer_id: &str, currency: &str, key: &str) -> Result<Wallet, Error> {
        let body = Self::json(&serde_json::json!({ "customer_id": customer_id, "currency": currency }))?;
        let raw = self.call(Method::POST, "wallets", &[], Some(body), Some(key)).await?;
        Ok(Self::read::<Data<Wallet>>(raw)?.data)
    }

    /// A wallet with its payment methods and events.
    pub async fn get_wallet(&self, id: &str) -> Result<Wallet, Error> {
        let raw = self.call(Method::GET, &path_id("wallets", id, "")?, &[], None, None).await?;
        Ok(Self::read::<Data<Wallet>>(raw)?.data)
    }

    /// A customer's wallets (every page).
    pub async fn customer_wallets(&self, customer_id: &str) -> Result<Vec<Wallet>, Error> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut query = vec![("customer_id", customer_id.to_owned()), ("limit", "100".to_owned())];
            if let Some(a) = &after {
                query.push(("after", a.clone()));
            }
            let page: Page<Wallet> = Self::read(self.call(Method::GET, "wallets/all", &query, None, None).await?)?;
            after = page.next().map(str::to_owned);
            out.extend(page.data);
            if after.is_none() {
                return Ok(out);
            }
        }
    }

    /// Sets a wallet's status (`active`, `frozen`, `deleted`), with a reason.
    pub async fn set_wallet_status(&self, id: &str, status: &str, reason: Option<&str>) -> Result<Wallet, Error> {
        let mut body = serde_json::json!({ "status": status });
        if let Some(r) = reason {
            body["reason"] = r.into();
        }
        let raw =
            self.call(Method::PATCH, &path_id("wallets", id, "/status")?, &[], Some(Self::json(&body)?), None).await?;
        Ok(Self::read::<Data<Wallet>>(raw)?.data)
    }

    /// A wallet's most recent transactions, newest first.
    pub async fn transactions(&self, wallet_id: &str, limit: u32) -> Result<Vec<Transaction>, Error> {
        let query = [("wallet_id", wallet_id.to_owned()), ("limit", limit.clamp(1, 100).to_string())];
        Ok(Self::read::<Page<Transaction>>(self.call(Method::GET, "wallets/transactions", &query, None, None).await?)?
            .data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_this_machine_and_the_key_never_prints() {
        assert!(Client::new(Config::new("https://api.spendjuice.com", "k")).is_ok());
        assert!(Client::new(Config::new("http://127.0.0.1:9", "k")).is_ok());
        assert!(Client::new(Config::new("http://api.spendjuice.com", "k")).is_err());
        assert!(!format!("{:?}", Config::new("https://x.y", "live_secret")).contains("live_secret"));
    }

    #[test]
    fn ids_cannot_walk_out_of_their_path() {
        assert!(path_id("wallets", "../admin", "").is_err());
        assert_eq!(path_id("wallets", "wal_1", "/status").unwrap(), "wallets/wal_1/status");
    }
}
