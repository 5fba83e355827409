//! Cross-cutting behaviour: the request id, the `Host` allowlist and the lingering
//! drain of unread request bodies (every route), the admin token and the same-origin
//! rule (the admin surface), idempotency keys, the rate limit and injected faults (the
//! public API).
//!
//! Every flavour shares them: the request id, `Host` allowlist, admin token, same-origin
//! rule, rate limit and faults are generic over [`Guarded`], which gives them the
//! flavour's settings and its error bodies (RFC 9457 problems for Dinie, NestJS bodies
//! for Cartevo, `{"error":{…}}` for the wallets flavour). Idempotency keys are generic
//! over [`Idempotent`], for the flavours that have them (Dinie and wallets; Cartevo has
//! none).

use crate::MAX_COUNT;
use crate::util::{constant_time_eq, sha256_hex};
use axum::{
    body::{Body, BodyDataStream, Bytes, HttpBody, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

// ------------------------------------------------------------------ the flavour's side

/// What the shared middleware needs from a flavour's state.
pub(crate) trait Guarded: Send + Sync + 'static {
    /// The `Host` values accepted; `None` when bound to an unspecified address.
    fn allowed_hosts(&self) -> Option<&[String]>;
    /// The admin token the `/_sandbox` calls need, if any.
    fn admin_token(&self) -> Option<&str>;
    /// The public API's rate limit.
    fn bucket(&self) -> &Mutex<Bucket>;
    /// The faults the admin API asked for.
    fn faults(&self) -> &Mutex<Faults>;
    /// Counts one injected fault.
    fn fault_injected(&self);
    /// Counts one request.
    fn request_seen(&self);
    /// An error in the flavour's shape: `code` is a machine-readable code (Dinie's
    /// problem `code`), `message` the text for people; `retry_after` seconds become a
    /// `Retry-After` header.
    fn error(&self, status: StatusCode, code: &'static str, message: String, retry_after: Option<u64>) -> Response;
}

/// What the shared idempotency middleware needs from a flavour that has keys.
pub(crate) trait Idempotent: Guarded {
    /// The keys seen.
    fn idem(&self) -> &Mutex<IdemCache>;
    /// Counts one replayed response.
    fn idempotent_replay(&self);
    /// The methods whose requests honour `Idempotency-Key`.
    fn keyed_methods(&self) -> &'static [Method];
    /// The largest body read to fingerprint a request: a request declared larger goes
    /// straight to its handler (which refuses it), one larger than declared is 413.
    fn max_keyed_body(&self) -> usize;
    /// A refusal in the flavour's shape; by default [`Guarded::error`] with the
    /// refusal's status, code and message.
    fn idem_refusal(&self, refusal: IdemRefusal) -> Response {
        self.error(refusal.status(), refusal.code(), refusal.message().to_owned(), None)
    }
}

/// Why the idempotency middleware refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdemRefusal {
    /// `400 invalid_request`: the key is empty or longer than 255 characters.
    BadKey,
    /// `413 payload_too_large`: the body is larger than [`Idempotent::max_keyed_body`].
    TooLarge,
    /// `409 idempotency_key_reused`: the key came with another request.
    Reused,
    /// `409 idempotency_key_in_use`: the first request with the key is still running
    /// after 30 s.
    InUse,
}

impl IdemRefusal {
    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            IdemRefusal::BadKey => StatusCode::BAD_REQUEST,
            IdemRefusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            IdemRefusal::Reused | IdemRefusal::InUse => StatusCode::CONFLICT,
        }
    }
    /// The machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            IdemRefusal::BadKey => "invalid_request",
            IdemRefusal::TooLarge => "payload_too_large",
            IdemRefusal::Reused => "idempotency_key_reused",
            IdemRefusal::InUse => "idempotency_key_in_use",
        }
    }
    /// The text for people.
    pub fn message(self) -> &'static str {
        match self {
            IdemRefusal::BadKey => "Idempotency-Key must be 1 to 255 characters",
            IdemRefusal::TooLarge => "the request body is too large",
            IdemRefusal::Reused => {
                "this Idempotency-Key was used with a different request; use a new key for a new operation"
            }
            IdemRefusal::InUse => "a request with this key is still being processed",
        }
    }
}

// ------------------------------------------------------------------ request id

/// The id of the request being handled, in its extensions (for bodies that repeat it).
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

/// Every response carries an `X-Request-Id` (and every request is counted); inner
/// layers find it in the request's extensions as [`RequestId`].
pub(crate) async fn request_id<S: Guarded>(State(st): State<Arc<S>>, mut req: Request, next: Next) -> Response {
    st.request_seen();
    let id = format!("req_{}", uuid::Uuid::new_v4().simple());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

// ------------------------------------------------------------------ host allowlist

/// The `Host` header values a sandbox bound to `addr` answers: the address itself and,
/// on loopback, `localhost`, each with the port (and without it on port 80).
///
/// `None` when bound to an unspecified address (`0.0.0.0`, `[::]`, only through the
/// command line's `--addr`): the sandbox is then reachable under any of the machine's
/// names and addresses, which cannot be listed, so the check is skipped.
pub fn allowed_hosts(addr: SocketAddr) -> Option<Vec<String>> {
    let ip = addr.ip();
    if ip.is_unspecified() {
        return None;
    }
    let mut names = vec![match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }];
    if ip.is_loopback() {
        names.push("localhost".to_owned());
    }
    let port = addr.port();
    let mut hosts: Vec<String> = names.iter().map(|n| format!("{n}:{port}")).collect();
    if port == 80 {
        hosts.extend(names);
    }
    Some(hosts)
}

/// The request's `Host` (or, over HTTP/2, its `:authority`).
fn host_of(req: &Request) -> Option<String> {
    req.headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| h.trim().to_owned())
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()))
}

/// Every request must name the address the sandbox bound in its `Host` header; any
/// other name is `421 misdirected_request`. A page on `http://evil.example:8080` whose
/// name is re-pointed to 127.0.0.1 (DNS rebinding) sends `Host: evil.example:8080`, so
/// it never reaches the API or the admin surface.
pub(crate) async fn host_allowlist<S: Guarded>(State(st): State<Arc<S>>, req: Request, next: Next) -> Response {
    let Some(allowed) = st.allowed_hosts() else { return next.run(req).await };
    match host_of(&req) {
        Some(h) if allowed.iter().any(|a| a.eq_ignore_ascii_case(&h)) => next.run(req).await,
        given => st.error(
            StatusCode::MISDIRECTED_REQUEST,
            "misdirected_request",
            format!(
                "this sandbox answers only to Host {} (got {})",
                allowed.join(", "),
                given.as_deref().map_or_else(|| "none".to_owned(), |h| format!("{h:?}"))
            ),
            None,
        ),
    }
}

// ------------------------------------------------------------------ admin surface

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

/// With an admin token configured, the admin call needs `Authorization: Bearer <it>`
/// (`401 unauthorized` otherwise).
pub(crate) async fn require_admin<S: Guarded>(State(st): State<Arc<S>>, req: Request, next: Next) -> Response {
    let Some(expected) = st.admin_token() else { return next.run(req).await };
    match bearer_token(req.headers()) {
        Some(t) if constant_time_eq(t.trim().as_bytes(), expected.as_bytes()) => next.run(req).await,
        given => st.error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            if given.is_some() {
                "the admin token is not valid".to_owned()
            } else {
                "the admin surface needs Authorization: Bearer <admin token> (kyc-sandbox prints it at start)"
                    .to_owned()
            },
            None,
        ),
    }
}

/// A state-changing call (anything but GET and HEAD) that carries an `Origin` other
/// than the sandbox's own (`http://` and the `Host` it was called by, which the host
/// allowlist has checked) is `403 forbidden`: a web page cannot reset or re-seed the
/// sandbox with a simple cross-origin form or `fetch`. Clients that are not browsers
/// send no `Origin` and are not affected.
pub(crate) async fn same_origin<S: Guarded>(State(st): State<Arc<S>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let own = host_of(&req).map(|h| format!("http://{h}"));
        let same = origin.to_str().ok().zip(own).is_some_and(|(o, own)| o.trim().eq_ignore_ascii_case(&own));
        if !same {
            return st.error(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "admin calls are refused from another web origin ({})",
                    String::from_utf8_lossy(origin.as_bytes())
                ),
                None,
            );
        }
    }
    next.run(req).await
}

// ------------------------------------------------------------------ lingering drain

/// At most this much of an unread request body is read (and thrown away) after the
/// answer, so a client that sends its whole body before reading gets the answer.
pub const LINGER_MAX_BYTES: usize = 64 << 20;
/// And for at most this long…
pub const LINGER_MAX_TIME: Duration = Duration::from_secs(10);
/// …with no more than this between two pieces.
pub const LINGER_IDLE: Duration = Duration::from_secs(2);

/// The request body as the handler sees it; when dropped before its end it hands the
/// rest back through `slot`.
struct Reclaim {
    inner: Option<BodyDataStream>,
    ended: bool,
    slot: Arc<Mutex<Option<BodyDataStream>>>,
}

impl Stream for Reclaim {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else { return Poll::Ready(None) };
        let next = inner.poll_next_unpin(cx);
        if matches!(next, Poll::Ready(None)) {
            self.ended = true;
        }
        next
    }
}

impl Drop for Reclaim {
    fn drop(&mut self) {
        if let Some(rest) = self.inner.take().filter(|_| !self.ended) {
            *self.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(rest);
        }
    }
}

/// An answer given before the request body was read (a 413 from `Content-Length`, a
/// 401 on an upload, a 413 halfway through a stream) would otherwise close the
/// connection with the rest of the body unread: the kernel then resets it, and a
/// client that writes its whole body before reading (Python's `urllib`, many others)
/// gets "broken pipe" instead of the answer. Like nginx's lingering close, the rest of
/// the body is read and discarded after the answer, up to [`LINGER_MAX_BYTES`] and
/// [`LINGER_MAX_TIME`].
pub async fn linger(req: Request, next: Next) -> Response {
    if req.body().is_end_stream() {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let slot: Arc<Mutex<Option<BodyDataStream>>> = Arc::default();
    let body = Body::from_stream(Reclaim { inner: Some(body.into_data_stream()), ended: false, slot: slot.clone() });
    let resp = next.run(Request::from_parts(parts, body)).await;
    let rest = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    if let Some(rest) = rest {
        tokio::spawn(drain(rest));
    }
    resp
}

async fn drain(mut rest: BodyDataStream) {
    let deadline = tokio::time::Instant::now() + LINGER_MAX_TIME;
    let mut read = 0usize;
    while read < LINGER_MAX_BYTES {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left.min(LINGER_IDLE), rest.next()).await {
            Ok(Some(Ok(chunk))) => read += chunk.len(),
            _ => break,
        }
    }
}

// ------------------------------------------------------------------ idempotency

/// How long a key is remembered.
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);

/// A remembered request.
#[derive(Debug, Clone)]
pub enum IdemEntry {
    /// The first request with this key is still being handled.
    InFlight { fingerprint: String, since: Instant },
    /// Its response, to replay.
    Done {
        fingerprint: String,
        status: StatusCode,
        content_type: Option<HeaderValue>,
        body: axum::body::Bytes,
        at: Instant,
    },
}

/// Keys seen, by key.
pub type IdemCache = HashMap<String, IdemEntry>;

/// What makes two requests "the same": method, path and body. A multipart body's
/// boundary is chosen at random by each client attempt, so it is replaced by a fixed
/// token first: a retried upload of the same file is the same request.
fn fingerprint(parts: &axum::http::request::Parts, body: &[u8]) -> String {
    let mut input = format!("{} {}\n", parts.method, parts.uri.path()).into_bytes();
    let boundary = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').find_map(|p| p.trim().strip_prefix("boundary=")))
        .map(|b| b.trim_matches('"').as_bytes().to_vec())
        .filter(|b| !b.is_empty());
    match boundary {
        Some(b) => {
            let mut rest = body;
            while let Some(at) = rest.windows(b.len()).position(|w| w == b.as_slice()) {
                input.extend_from_slice(&rest[..at]);
                input.extend_from_slice(b"BOUNDARY");
                rest = &rest[at + b.len()..];
            }
            input.extend_from_slice(rest);
        }
        None => input.extend_from_slice(body),
    }
    sha256_hex(&input)
}

/// The flavour's keyed methods (Dinie: POST and PATCH; wallets: POST) with an
/// `Idempotency-Key`: the same key and body replay the first response (with
/// `Idempotent-Replayed: true`); the same key with another body is
/// `409 idempotency_key_reused`. Server errors are not remembered, so a retry runs
/// again. A twin of a request still in flight waits for it, then replays it.
pub(crate) async fn idempotency<S: Idempotent>(State(st): State<Arc<S>>, req: Request, next: Next) -> Response {
    if !st.keyed_methods().contains(req.method()) {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 255 {
        return st.idem_refusal(IdemRefusal::BadKey);
    }
    // A body declared larger than the limit goes straight to the handler's 413.
    let max = st.max_keyed_body();
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, max).await else {
        return st.idem_refusal(IdemRefusal::TooLarge);
    };
    let fingerprint = fingerprint(&parts, &bytes);

    enum Decision {
        Proceed,
        Respond(Response),
        Wait,
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let decision = {
            let mut cache = st.idem().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            cache.retain(|_, e| match e {
                IdemEntry::Done { at, .. } => at.elapsed() < IDEMPOTENCY_TTL,
                IdemEntry::InFlight { since, .. } => since.elapsed() < Duration::from_secs(120),
            });
            match cache.get(&key) {
                None => {
                    cache.insert(
                        key.clone(),
                        IdemEntry::InFlight { fingerprint: fingerprint.clone(), since: Instant::now() },
                    );
                    Decision::Proceed
                }
                Some(IdemEntry::InFlight { fingerprint: f, .. } | IdemEntry::Done { fingerprint: f, .. })
                    if *f != fingerprint =>
                {
                    Decision::Respond(st.idem_refusal(IdemRefusal::Reused))
                }
                Some(IdemEntry::Done { status, content_type, body, .. }) => {
                    st.idempotent_replay();
                    let mut resp = Response::new(Body::from(body.clone()));
                    *resp.status_mut() = *status;
                    if let Some(ct) = content_type {
                        resp.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
                    }
                    resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
                    Decision::Respond(resp)
                }
                Some(IdemEntry::InFlight { .. }) if Instant::now() < deadline => Decision::Wait,
                Some(IdemEntry::InFlight { .. }) => Decision::Respond(st.idem_refusal(IdemRefusal::InUse)),
            }
        };
        match decision {
            Decision::Proceed => break,
            Decision::Respond(resp) => return resp,
            Decision::Wait => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (rparts, rbody) = resp.into_parts();
    let body = to_bytes(rbody, usize::MAX).await.unwrap_or_default();
    {
        let mut cache = st.idem().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if rparts.status.is_server_error() {
            cache.remove(&key);
        } else {
            cache.insert(
                key,
                IdemEntry::Done {
                    fingerprint,
                    status: rparts.status,
                    content_type: rparts.headers.get(header::CONTENT_TYPE).cloned(),
                    body: body.clone(),
                    at: Instant::now(),
                },
            );
        }
    }
    Response::from_parts(rparts, Body::from(body))
}

// ------------------------------------------------------------------ rate limit

/// A token bucket: `capacity` requests at once, refilled at `per_second`.
#[derive(Debug)]
pub struct Bucket {
    pub capacity: f64,
    pub per_second: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(capacity: u32, per_second: f64) -> Self {
        Self { capacity: f64::from(capacity), per_second, tokens: f64::from(capacity), last: Instant::now() }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.per_second).min(self.capacity);
        self.last = now;
    }

    /// Takes one token: `Ok(remaining)`, or `Err(seconds until one is back)`.
    pub fn take(&mut self) -> Result<f64, f64> {
        self.refill();
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(self.tokens)
        } else {
            Err((1.0 - self.tokens) / self.per_second)
        }
    }

    /// Seconds until the bucket is full again.
    fn seconds_to_full(&self) -> f64 {
        (self.capacity - self.tokens) / self.per_second
    }
}

/// Every response carries `X-RateLimit-Limit`, `-Remaining` and `-Reset` (epoch s);
/// over the limit the answer is `429 rate_limited` with `Retry-After`.
pub(crate) async fn rate_limit<S: Guarded>(State(st): State<Arc<S>>, req: Request, next: Next) -> Response {
    let (taken, capacity, reset) = {
        let mut b = st.bucket().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let taken = b.take();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        (taken, b.capacity, now + b.seconds_to_full().ceil() as i64)
    };
    let (mut resp, remaining) = match taken {
        Ok(remaining) => (next.run(req).await, remaining),
        Err(wait) => (
            st.error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests: slow down and retry after the delay given".to_owned(),
                Some(wait.ceil().max(1.0) as u64),
            ),
            0.0,
        ),
    };
    let h = resp.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", capacity as u64),
        ("x-ratelimit-remaining", remaining.floor() as u64),
        ("x-ratelimit-reset", reset.max(0) as u64),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            h.insert(name, v);
        }
    }
    resp
}

// ------------------------------------------------------------------ faults

/// A fault to inject into one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum FaultKind {
    /// Answer with this status (and a problem body) without handling the request.
    #[serde(rename = "status")]
    Status(u16),
    /// `429 rate_limited` with `Retry-After`, without handling the request.
    #[serde(rename = "429")]
    RateLimited,
    /// Handle the request, then drop the connection halfway through the response.
    #[serde(rename = "drop")]
    Drop,
}

/// What the admin API asked for.
#[derive(Debug, Default)]
pub struct Faults {
    /// Fail this many of the next requests with `fail_status`.
    pub fail_next: u32,
    /// The status for `fail_next`.
    pub fail_status: u16,
    /// Drop the connection of this many of the next responses.
    pub drop_next: u32,
    /// Added before every request.
    pub latency: Duration,
    /// Fraction of requests (0–1) to fail at random with one of `kinds`.
    pub ratio: f64,
    /// What a random failure is.
    pub kinds: Vec<FaultKind>,
    /// `Retry-After` for 429 and 503, in seconds.
    pub retry_after: u64,
}

impl Faults {
    fn pick(&mut self) -> Option<FaultKind> {
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return Some(if self.fail_status == 429 {
                FaultKind::RateLimited
            } else {
                FaultKind::Status(self.fail_status)
            });
        }
        if self.drop_next > 0 {
            self.drop_next -= 1;
            return Some(FaultKind::Drop);
        }
        if self.ratio > 0.0 && !self.kinds.is_empty() && fastrand_f64() < self.ratio {
            return Some(self.kinds[(fastrand_f64() * self.kinds.len() as f64) as usize % self.kinds.len()]);
        }
        None
    }
}

/// The body of `POST /_sandbox/faults`, the same for every flavour.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct FaultsBody {
    #[serde(default)]
    fail_next: u64,
    #[serde(default, alias = "fail_status")]
    status: Option<u16>,
    #[serde(default)]
    drop_next: u64,
    #[serde(default)]
    latency_ms: u64,
    #[serde(default)]
    ratio: f64,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    retry_after: Option<u64>,
}

/// Why a [`FaultsBody`] was refused: the field and what is wrong with it.
#[derive(Debug)]
pub(crate) struct FaultsRefusal {
    /// The field.
    pub field: &'static str,
    /// For people.
    pub message: String,
    /// Whether the refusal is a bound on a number (Dinie lists those as field errors).
    pub bound: bool,
}

/// A count from a request: at most [`MAX_COUNT`], else the message naming `field`.
pub(crate) fn checked_count(field: &str, n: u64) -> Result<u32, String> {
    if n > MAX_COUNT {
        return Err(format!("{field} must be at most {MAX_COUNT} (got {n})"));
    }
    u32::try_from(n).map_err(|_| format!("{field} is too large"))
}

impl FaultsBody {
    /// Checks the body and turns it into [`Faults`]: counts at most [`MAX_COUNT`], the
    /// latency at most a minute, `retry_after` at most an hour (default 1), `kinds`
    /// `"drop"`, `"429"` or a 5xx status, `ratio` from 0 to 1, `status` default 503.
    pub(crate) fn into_faults(self) -> Result<Faults, FaultsRefusal> {
        let bound = |field: &'static str, message: String| FaultsRefusal { field, message, bound: true };
        let fail_next = checked_count("fail_next", self.fail_next).map_err(|m| bound("fail_next", m))?;
        let drop_next = checked_count("drop_next", self.drop_next).map_err(|m| bound("drop_next", m))?;
        if self.latency_ms > 60_000 {
            return Err(bound("latency_ms", "latency_ms must be at most 60000".into()));
        }
        if self.retry_after.is_some_and(|s| s > 3600) {
            return Err(bound("retry_after", "retry_after must be at most 3600".into()));
        }
        let kinds = self
            .kinds
            .iter()
            .map(|k| match k.as_str() {
                "drop" => Ok(FaultKind::Drop),
                "429" => Ok(FaultKind::RateLimited),
                s => s.parse::<u16>().ok().filter(|n| (500..600).contains(n)).map(FaultKind::Status).ok_or(()),
            })
            .collect::<Result<Vec<_>, ()>>()
            .map_err(|()| FaultsRefusal {
                field: "kinds",
                message: "kinds are \"drop\", \"429\" or a 5xx status".into(),
                bound: false,
            })?;
        if !(0.0..=1.0).contains(&self.ratio) {
            return Err(FaultsRefusal { field: "ratio", message: "ratio must be from 0 to 1".into(), bound: false });
        }
        Ok(Faults {
            fail_next,
            fail_status: self.status.unwrap_or(503),
            drop_next,
            latency: Duration::from_millis(self.latency_ms),
            ratio: self.ratio,
            kinds,
            retry_after: self.retry_after.unwrap_or(1),
        })
    }
}

fn fastrand_f64() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

/// Injects what the admin API asked for ([`Faults`]) into the public API's responses.
pub(crate) async fn faults<S: Guarded>(State(st): State<Arc<S>>, req: Request, next: Next) -> Response {
    let (kind, latency, retry_after) = {
        let mut f = st.faults().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (f.pick(), f.latency, f.retry_after)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(kind) = kind else { return next.run(req).await };
    st.fault_injected();
    match kind {
        FaultKind::RateLimited => st.error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "injected fault: rate limited".to_owned(),
            Some(retry_after),
        ),
        FaultKind::Status(s) => {
            let status = StatusCode::from_u16(s).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let code = if status == StatusCode::SERVICE_UNAVAILABLE { "unavailable" } else { "internal" };
            let retry = (status == StatusCode::SERVICE_UNAVAILABLE && retry_after > 0).then_some(retry_after);
            st.error(status, code, format!("injected fault: {status}"), retry)
        }
        FaultKind::Drop => {
            // The request is handled (and, with a key, remembered); only the answer is lost.
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let stream = futures::stream::iter(vec![
                Ok::<_, std::io::Error>(half),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected fault: connection dropped")),
            ]);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from_stream(stream))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::allowed_hosts;

    #[test]
    fn the_allowed_hosts_follow_the_bound_address() {
        let hosts = |a: &str| allowed_hosts(a.parse().unwrap());
        assert_eq!(hosts("127.0.0.1:8080").unwrap(), ["127.0.0.1:8080", "localhost:8080"]);
        assert_eq!(hosts("[::1]:9").unwrap(), ["[::1]:9", "localhost:9"]);
        assert_eq!(hosts("127.0.0.1:80").unwrap(), ["127.0.0.1:80", "localhost:80", "127.0.0.1", "localhost"]);
        assert_eq!(hosts("192.168.1.5:8080").unwrap(), ["192.168.1.5:8080"], "no localhost off loopback");
        assert_eq!(hosts("0.0.0.0:8080"), None, "every interface: no check");
        assert_eq!(hosts("[::]:8080"), None);
    }
}
