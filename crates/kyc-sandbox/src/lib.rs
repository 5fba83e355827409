//! A local server that speaks the Dinie V3 Customers API, on loopback.
//!
//! Tests, benchmarks and the app's built-in demo all run against it, and a partner's
//! developer can run it alone (`kyc-sandbox --addr 127.0.0.1:8080`) to try an
//! integration offline. It follows `CONTRACT.md` down to status codes and problem
//! bodies.
//!
//! May depend on `kyc-model` (to share its validators) and on nothing else of this
//! workspace: in particular not on `dinie-api`, so that the client is tested against
//! an independent implementation of the contract.

mod http;
pub mod seed;
mod state;

pub use state::{KycItemRecord, SandboxCustomer};

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{RwLock, oneshot};

/// The bearer token accepted by default.
pub const DEFAULT_TOKEN: &str = "dinie_at_sandbox";

/// How many customers the demo seed creates by default.
pub const DEFAULT_DEMO_SIZE: usize = 60;

/// What the sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// No customers.
    Empty,
    /// `n` realistic demo customers from [`seed::demo`].
    Demo(usize),
}

/// Sandbox settings.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The bearer token it accepts.
    pub token: String,
    /// Initial data.
    pub seed: Seed,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self { token: DEFAULT_TOKEN.to_owned(), seed: Seed::Demo(DEFAULT_DEMO_SIZE) }
    }
}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    _shutdown: oneshot::Sender<()>,
}

impl Sandbox {
    /// Binds `addr` (use port 0 for any free port) and serves until dropped.
    pub async fn start(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(state::Shared { token: config.token, db: RwLock::new(state::Db::with_seed(config.seed)) });
        let (tx, rx) = oneshot::channel::<()>();
        let app = http::router(state);
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = served.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        Ok(Self { addr, _shutdown: tx })
    }

    /// Starts on a free loopback port.
    pub async fn start_local(config: SandboxConfig) -> std::io::Result<Self> {
        Self::start(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// The socket it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base URL, e.g. `http://127.0.0.1:40123/api/v3`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v3", self.addr)
    }
}
