//! Live updates from webhooks: a listener on loopback that receives the provider's
//! signed events, has the desk's provider verify and read them
//! ([`crate::Provider::read_webhook`]), and refreshes what they name.
//!
//! An event is a nudge, not the data: the customer it names is re-read from the API
//! into the cache, the same path the in-flight refresh and the detail screen take. The
//! cache's timeline then records each transition once, whichever way it arrived first,
//! so a webhook and a poll that both see a rejection give one notification, and an
//! incremental sync afterwards finds nothing new.
//!
//! The built-in sandbox delivers to this listener; a remote API cannot reach a desktop
//! on loopback, so remote profiles poll (see [`Desk::start_background`]).

use crate::Desk;
use crate::provider::Nudge;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use std::collections::{HashSet, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The path events are posted to.
pub const PATH: &str = "/webhooks";

/// Webhook ids remembered to drop redeliveries.
const REMEMBERED_IDS: usize = 4096;

/// Connections the listener serves at once; more wait to be accepted. The provider
/// delivers one event at a time, so this only bounds what a hostile local process can
/// hold open.
pub const MAX_CONNECTIONS: usize = 16;

/// How often refused webhooks are logged at most: the first of a burst, then one line
/// a minute with how many more were refused, so a flood cannot fill the log files.
const REFUSAL_LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// A bound listener with its own secret, not yet serving.
pub struct WebhookListener {
    listener: tokio::net::TcpListener,
    url: String,
    secret: String,
}

impl std::fmt::Debug for WebhookListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("WebhookListener").field("url", &self.url).finish_non_exhaustive()
    }
}

/// What a served listener has done, for the status line and tests.
#[derive(Debug, Default)]
pub struct ListenerStats {
    /// Events verified and acted on.
    pub accepted: std::sync::atomic::AtomicU64,
    /// Redeliveries of an event already acted on.
    pub duplicates: std::sync::atomic::AtomicU64,
    /// Requests refused (bad or missing signature, stale timestamp, not an event).
    pub refused: std::sync::atomic::AtomicU64,
    /// Connections accepted and still open.
    pub open_connections: std::sync::atomic::AtomicU64,
    /// The most connections that were open at once.
    pub most_open_connections: std::sync::atomic::AtomicU64,
}

impl WebhookListener {
    /// Binds `127.0.0.1` on a free port, with a fresh random secret that lives only in
    /// this process's memory.
    pub async fn bind() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}{PATH}", listener.local_addr()?);
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| std::io::Error::other(e.to_string()))?;
        // Standard Webhooks' form of a signing secret.
        let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key));
        Ok(Self { listener, url, secret })
    }

    /// Where the provider should post events.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The signing secret to give the provider (`whsec_…`). Never log it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Serves until the returned task is aborted: each verified event refreshes, through
    /// `desk`, the customer (or the offers) it names.
    pub fn serve(self, desk: Desk) -> (tokio::task::JoinHandle<()>, Arc<ListenerStats>) {
        let stats = Arc::new(ListenerStats::default());
        let state = Arc::new(Inner {
            secret: self.secret,
            desk,
            seen: Mutex::default(),
            stats: stats.clone(),
            refusals: Mutex::new(RefusalLog { last: None, unlogged: 0 }),
        });
        let app = Router::new()
            .route(PATH, post(receive))
            // Events are small; anything larger is not one of them.
            .layer(DefaultBodyLimit::max(1024 * 1024))
            .with_state(state);
        let listener =
            Limited { inner: self.listener, permits: Arc::new(Semaphore::new(MAX_CONNECTIONS)), stats: stats.clone() };
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "the webhook listener stopped");
            }
        });
        (task, stats)
    }
}

struct Inner {
    secret: String,
    desk: Desk,
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
    stats: Arc<ListenerStats>,
    refusals: Mutex<RefusalLog>,
}

/// When a refusal was last logged, and how many came since.
struct RefusalLog {
    last: Option<std::time::Instant>,
    unlogged: u64,
}

impl RefusalLog {
    /// Whether to log this refusal now; `Some(n)` with the refusals left unlogged
    /// since the last line.
    fn log_now(&mut self, now: std::time::Instant) -> Option<u64> {
        if self.last.is_some_and(|t| now.duration_since(t) < REFUSAL_LOG_EVERY) {
            self.unlogged = self.unlogged.saturating_add(1);
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.unlogged))
    }
}

/// A TCP listener that holds at most [`MAX_CONNECTIONS`] open connections: each
/// accepted one carries a permit, returned when it closes.
struct Limited {
    inner: tokio::net::TcpListener,
    permits: Arc<Semaphore>,
    stats: Arc<ListenerStats>,
}

impl axum::serve::Listener for Limited {
    type Io = LimitedStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // The semaphore is never closed.
        let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else { std::future::pending().await };
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    use std::sync::atomic::Ordering::Relaxed;
                    let open = self.stats.open_connections.fetch_add(1, Relaxed) + 1;
                    self.stats.most_open_connections.fetch_max(open, Relaxed);
                    let stats = Arc::clone(&self.stats);
                    return (LimitedStream { stream, _permit: permit, stats }, addr);
                }
                // Out of file descriptors and the like: wait, as axum's own listener does.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// An accepted connection and its permit.
struct LimitedStream {
    stream: tokio::net::TcpStream,
    _permit: OwnedSemaphorePermit,
    stats: Arc<ListenerStats>,
}

impl Drop for LimitedStream {
    fn drop(&mut self) {
        self.stats.open_connections.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl AsyncRead for LimitedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for LimitedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Inner {
    /// `true` the first time a webhook id is seen.
    fn first_time(&self, id: &str) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (set, order) = &mut *guard;
        if !set.insert(id.to_owned()) {
            return false;
        }
        order.push_back(id.to_owned());
        if order.len() > REMEMBERED_IDS
            && let Some(old) = order.pop_front()
        {
            set.remove(&old);
        }
        true
    }
}

async fn receive(State(st): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    use std::sync::atomic::Ordering::Relaxed;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let event = match st.desk.read_webhook(&st.secret, &header, &body) {
        Ok(e) => e,
        Err(e) => {
            st.stats.refused.fetch_add(1, Relaxed);
            let log_now = st
                .refusals
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .log_now(std::time::Instant::now());
            if let Some(unlogged) = log_now {
                tracing::warn!(reason = %e, refused_since_last_line = unlogged, "webhook refused");
            }
            return StatusCode::UNAUTHORIZED;
        }
    };
    if !st.first_time(&event.id) {
        st.stats.duplicates.fetch_add(1, Relaxed);
        return StatusCode::OK;
    }
    st.stats.accepted.fetch_add(1, Relaxed);
    tracing::debug!(webhook_id = %event.id, "webhook accepted");
    // Answered at once; the refresh runs on its own so a slow API never makes the
    // sender time out and retry.
    let desk = st.desk.clone();
    tokio::spawn(async move {
        let result = match event.nudge {
            Nudge::Customer(id) => desk.refresh_customer(&id).await.map(drop),
            Nudge::Products(customer_id) => desk.products_arrived(&customer_id).await,
            Nudge::Nothing(event_type) => {
                tracing::debug!(%event_type, "webhook of a type this version does not act on");
                Ok(())
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "acting on a webhook failed; polling will catch up");
        }
    });
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_refusals_logs_one_line_a_minute_with_the_count() {
        let mut log = RefusalLog { last: None, unlogged: 0 };
        let t0 = std::time::Instant::now();
        assert_eq!(log.log_now(t0), Some(0), "the first is logged");
        for i in 1..10_000 {
            assert_eq!(log.log_now(t0 + std::time::Duration::from_millis(i)), None);
        }
        assert_eq!(log.log_now(t0 + REFUSAL_LOG_EVERY), Some(9_999), "then a line with how many were not");
    }
}
