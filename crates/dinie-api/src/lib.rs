//! Client for the Dinie V3 Customers API.
//!
//! Keeps its own wire types ([`wire`]) and depends on no crate of this workspace:
//! `kyc-core` maps wire types into the provider-neutral model. What this crate owns:
//!
//! - **Auth**: a static bearer token, or OAuth2 client credentials: `POST
//!   {base}/auth/token` with the JSON body the official SDKs send
//!   (`{"grant_type":"client_credentials","client_id":…,"client_secret":…}`, no Basic
//!   header), the token cached (at most a day, whatever `expires_in` says), refreshed
//!   300 s before expiry, one refresh shared by concurrent callers, and one retry with
//!   a fresh token after a 401.
//! - **Transport**: `https://` only; plain `http://` only to this machine (127.0.0.0/8,
//!   `localhost`, `[::1]`), anything else is [`Error::InvalidBaseUrl`]. Redirects are
//!   never followed: a 3xx is an [`ApiError`] naming the status (code
//!   `redirect_not_followed`), not retried, so a body never goes to another origin.
//!   Bodies are read as a stream, at most [`MAX_RESPONSE_BYTES`] (16 MiB) for a
//!   success ([`Error::Decode`] past it) and 1 MiB kept of an error.
//! - **Hostile input** never panics: `Retry-After`, `expires_in` and webhook
//!   timestamps are clamped or compared with saturating arithmetic.
//! - **Retries** exactly as the contract says ([`retry`]): network errors and 408, 429,
//!   500, 502, 503, 504; at most 3; `Retry-After` (capped at 60 s) or exponential
//!   backoff with jitter; cancellable at any point ([`RequestOptions::cancel`]).
//! - **Idempotency**: every POST and PATCH carries an `Idempotency-Key`, the caller's
//!   ([`RequestOptions::idempotency_key`], so a queued operation keeps its key across
//!   restarts) or one minted per call, reused on every retry.
//! - **Errors**: RFC 9457 problem bodies as [`ApiError`] (status, code, title, detail,
//!   field errors, request id), kept apart from transport and timeout errors.
//! - **Listing** as a stream following `starting_after` ([`Client::customer_pages`]).
//! - **Uploads** streamed from disk with progress ([`Client::upload_document`]).
//! - **Webhooks** verified as Standard Webhooks v1 into typed events ([`webhook`]).
//! - A **tolerant reader**: both kyc item shapes, both timestamp forms, unknown values
//!   kept ([`wire`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), dinie_api::Error> {
//! use dinie_api::{Auth, Client, ClientConfig, ListCustomers};
//! let client = Client::new(ClientConfig::new(
//!     "https://sandbox.api.dinie.com.br/api/v3",
//!     Auth::client_credentials("my-client-id", "my-client-secret"),
//! ))?;
//! let page = client.list_customers(&ListCustomers { limit: Some(50), ..Default::default() }).await?;
//! for c in &page.data {
//!     println!("{} {}", c.id, c.status);
//! }
//! println!("rate limit: {:?}", client.rate_limit());
//! # Ok(()) }
//! ```

mod auth;
mod client;
mod error;
pub mod retry;
pub mod webhook;
pub mod wire;

pub use auth::REFRESH_MARGIN;
pub use client::{
    Auth, Client, ClientConfig, ClientStats, ListCustomers, MAX_DOCUMENT_BYTES, MAX_RESPONSE_BYTES, Order, Progress,
    RateLimit, RequestOptions, Secret, Sort, new_idempotency_key, sniff_document,
};
pub use error::{ApiError, Error, FieldProblem};
pub use tokio_util::sync::CancellationToken;
pub use wire::{
    BiometricsSession, CreditOffer, Customer, CustomerUpdate, Document, KycItem, List, NewCustomer, Registration,
};

/// The API version this client speaks, sent in the `User-Agent`.
pub const API_VERSION: &str = "2026-03-01";
