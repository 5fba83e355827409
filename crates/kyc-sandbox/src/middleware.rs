//! Cross-cutting behaviour: the `Host` allowlist and the lingering drain of unread
//! request bodies (every route), the admin token and the same-origin rule (the admin
//! surface), idempotency keys, the rate limit and injected faults (the public API).

use crate::AppState;
use crate::problem::Problem;
use crate::util::{constant_time_eq, sha256_hex};
use axum::{
    body::{Body, BodyDataStream, Bytes, HttpBody, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

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
pub async fn host_allowlist(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(allowed) = &st.allowed_hosts else { return next.run(req).await };
    match host_of(&req) {
        Some(h) if allowed.iter().any(|a| a.eq_ignore_ascii_case(&h)) => next.run(req).await,
        given => Problem::new(
            StatusCode::MISDIRECTED_REQUEST,
            "misdirected_request",
            format!(
                "this sandbox answers only to Host {} (got {})",
                allowed.join(", "),
                given.as_deref().map_or_else(|| "none".to_owned(), |h| format!("{h:?}"))
            ),
        )
        .into_response(),
    }
}

// ------------------------------------------------------------------ admin surface

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

/// With an admin token configured, the admin call needs `Authorization: Bearer <it>`
/// (`401 unauthorized` otherwise).
pub async fn require_admin(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(expected) = st.config.admin_token.as_deref() else { return next.run(req).await };
    match bearer_token(req.headers()) {
        Some(t) if constant_time_eq(t.trim().as_bytes(), expected.as_bytes()) => next.run(req).await,
        given => Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            if given.is_some() {
                "the admin token is not valid"
            } else {
                "the admin surface needs Authorization: Bearer <admin token> (kyc-sandbox prints it at start)"
            },
        )
        .into_response(),
    }
}

/// A state-changing call (anything but GET and HEAD) that carries an `Origin` other
/// than the sandbox's own (`http://` and the `Host` it was called by, which the host
/// allowlist has checked) is `403 forbidden`: a web page cannot reset or re-seed the
/// sandbox with a simple cross-origin form or `fetch`. Clients that are not browsers
/// send no `Origin` and are not affected.
pub async fn same_origin(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let own = host_of(&req).map(|h| format!("http://{h}"));
        let same = origin.to_str().ok().zip(own).is_some_and(|(o, own)| o.trim().eq_ignore_ascii_case(&own));
        if !same {
            return Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "admin calls are refused from another web origin ({})",
                    String::from_utf8_lossy(origin.as_bytes())
                ),
            )
            .into_response();
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

/// POST and PATCH with an `Idempotency-Key`: the same key and body replay the first
/// response; the same key with another body is `409 idempotency_key_reused`. Server
/// errors are not remembered, so a retry runs again.
pub async fn idempotency(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PATCH) {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 255 {
        return Problem::new(StatusCode::BAD_REQUEST, "invalid_request", "Idempotency-Key must be 1 to 255 characters")
            .param("Idempotency-Key")
            .into_response();
    }
    // An upload declared larger than the limit goes straight to the handler's 413.
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > crate::docs::MAX_DOCUMENT_BYTES + 64 * 1024) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, crate::docs::MAX_DOCUMENT_BYTES + 64 * 1024).await else {
        return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "documents may be at most 10 MB")
            .into_response();
    };
    let fingerprint = fingerprint(&parts, &bytes);

    // A twin of a request still in flight waits for it (up to 30 s), then replays it.
    enum Decision {
        Proceed,
        Respond(Response),
        Wait,
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let decision = {
            let mut cache = st.idem.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
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
                    Decision::Respond(
                        Problem::new(
                            StatusCode::CONFLICT,
                            "idempotency_key_reused",
                            "this Idempotency-Key was used with a different request; use a new key for a new operation",
                        )
                        .param("Idempotency-Key")
                        .into_response(),
                    )
                }
                Some(IdemEntry::Done { status, content_type, body, .. }) => {
                    st.stats.idempotent_replays.fetch_add(1, Ordering::Relaxed);
                    let mut resp = Response::new(Body::from(body.clone()));
                    *resp.status_mut() = *status;
                    if let Some(ct) = content_type {
                        resp.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
                    }
                    resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
                    Decision::Respond(resp)
                }
                Some(IdemEntry::InFlight { .. }) if Instant::now() < deadline => Decision::Wait,
                Some(IdemEntry::InFlight { .. }) => Decision::Respond(
                    Problem::new(
                        StatusCode::CONFLICT,
                        "idempotency_key_in_use",
                        "a request with this key is still being processed",
                    )
                    .into_response(),
                ),
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
        let mut cache = st.idem.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
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
pub async fn rate_limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (taken, capacity, reset) = {
        let mut b = st.bucket.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let taken = b.take();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        (taken, b.capacity, now + b.seconds_to_full().ceil() as i64)
    };
    let (mut resp, remaining) = match taken {
        Ok(remaining) => (next.run(req).await, remaining),
        Err(wait) => {
            let mut p = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests: slow down and retry after the delay given",
            );
            p.retry_after = Some(wait.ceil().max(1.0) as u64);
            (p.into_response(), 0.0)
        }
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

fn fastrand_f64() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

pub async fn faults(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (kind, latency, retry_after) = {
        let mut f = st.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (f.pick(), f.latency, f.retry_after)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(kind) = kind else { return next.run(req).await };
    st.stats.faults_injected.fetch_add(1, Ordering::Relaxed);
    match kind {
        FaultKind::RateLimited => {
            let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "injected fault: rate limited");
            p.retry_after = Some(retry_after);
            p.into_response()
        }
        FaultKind::Status(s) => {
            let status = StatusCode::from_u16(s).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let code = if status == StatusCode::SERVICE_UNAVAILABLE { "unavailable" } else { "internal" };
            let mut p = Problem::new(status, code, format!("injected fault: {status}"));
            if status == StatusCode::SERVICE_UNAVAILABLE && retry_after > 0 {
                p.retry_after = Some(retry_after);
            }
            p.into_response()
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
