//! Client for the Dinie V3 Customers API.
//!
//! Keeps its own wire types ([`wire`]) and depends on no crate of this workspace:
//! `kyc-core` maps wire types into the provider-neutral model. What this crate owns:
//! authentication, retries exactly as the contract says ([`retry`]), RFC 9457 problem
//! bodies as typed errors ([`Error`]), cursor pagination ([`Client::customer_pages`]),
//! and the latest rate-limit snapshot ([`Client::rate_limit`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), dinie_api::Error> {
//! use dinie_api::{Auth, Client, ClientConfig, ListCustomers};
//! let client = Client::new(ClientConfig::new(
//!     "http://127.0.0.1:8080/api/v3",
//!     Auth::bearer("dinie_at_sandbox"),
//! ))?;
//! let page = client.list_customers(&ListCustomers { limit: Some(50), ..Default::default() }).await?;
//! for c in &page.data {
//!     println!("{} {}", c.id, c.status);
//! }
//! # Ok(()) }
//! ```

mod client;
mod error;
pub mod retry;
pub mod wire;

pub use client::{Auth, Client, ClientConfig, ListCustomers, Order, RateLimit, Secret, Sort};
pub use error::{ApiError, Error, FieldProblem};
pub use wire::{Customer, KycItem, List};

/// The API version this client speaks, sent in the `User-Agent`.
pub const API_VERSION: &str = "2026-03-01";
