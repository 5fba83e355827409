//! Cross-cutting behaviour of the public API: idempotency keys, the rate limit, and
//! injected faults.

use crate::http::{AppState, Problem, sha256_hex};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

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
