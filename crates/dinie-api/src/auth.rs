//! OAuth2 client credentials: a cached token, refreshed 300 s before it expires, one
//! refresh shared by every concurrent caller.

use crate::Secret;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How long before expiry a token is refreshed.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub(crate) struct Cached {
    pub token: Secret,
    pub expires_at: Instant,
}

/// The client-credentials state.
#[derive(Debug)]
pub(crate) struct OAuth {
    pub client_id: String,
    pub client_secret: Secret,
    /// The cached token. Holding this lock while fetching is what makes concurrent
    /// callers share one refresh: they wait, then find the fresh token.
    pub cached: Mutex<Option<Cached>>,
}

impl OAuth {
    pub fn new(client_id: String, client_secret: Secret) -> Self {
        Self { client_id, client_secret, cached: Mutex::new(None) }
    }

    /// Whether a cached token is still good for a request now.
    pub fn usable(c: &Cached) -> bool {
        Instant::now().checked_add(REFRESH_MARGIN).is_some_and(|t| t < c.expires_at)
    }
}
