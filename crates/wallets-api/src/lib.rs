//! Client for Juicyway's wallet-as-a-service API (customers, a BVN identity lookup,
//! wallets), as `CONTRACT-wallets.md` describes it.
//!
//! Depends on no crate of this workspace; `kyc-core`'s wallets connector maps its wire
//! types into the model.
//!
//! - **Auth**: the API key in `Authorization`, bare (the documented form) or after
//!   `Bearer` ([`AuthStyle`]).
//! - **Transport**: `https://`, or `http://` on this machine; redirects not followed;
//!   a 30 s timeout.
//! - **Errors**: both shapes the platform writes — `error.errors[]` and
//!   `error.details{}` — as field errors ([`ApiError`]), nested address fields named as
//!   the desk's forms name them, the retry delay from `Retry-After` or `retry_after`.
//! - **Idempotency and retries**: every POST carries the caller's `Idempotency-Key`,
//!   the same on every retry; network errors, 408, 429 and 5xx are retried (at most 3,
//!   the platform's delay up to 60 s, else backoff with jitter).
//! - **Listing** with the `after` cursor to its end ([`Client::all_customers`]).
//! - **Amounts** kept as the decimals written, never read through a float.
//! - **Webhooks**: the checksum ([`webhook`]).

mod client;
pub mod error;
pub mod webhook;
pub mod wire;

pub use client::{AuthStyle, Client, Config, ListCustomers, PRODUCTION_URL, Stats, new_idempotency_key};
pub use error::{ApiError, Error, FieldMessage};
pub use wire::{
    BillingAddress, BvnRecord, Customer, CustomerUpdate, NewCustomer, Page, PaymentMethod, Transaction, Wallet,
    WalletEvent,
};
