//! Client for Cartevo's customers and cards API (card issuing with KYC at registration).
//!
//! Keeps its own wire types ([`wire`]) and depends on no crate of this workspace;
//! `kyc-core`'s Cartevo connector maps them into the provider-neutral model. Follows
//! `CONTRACT-cartevo.md`:
//!
//! - **Auth**: `POST {base}/auth/token` with `{"client_id","client_key"}` (no
//!   Authorization header); the token is cached, fetched again 5 minutes before it
//!   expires (one fetch shared by concurrent callers), and once more after a 401.
//! - **Transport**: `https://`, or `http://` on this machine only; redirects are not
//!   followed; answers read up to 16 MiB.
//! - **Errors**: NestJS bodies (`message` a string or an array, `error`), the older
//!   `{"error":{"code","message"}}`, or text, as [`ApiError`]; each message is placed on
//!   the field it names ([`error::field_of`]).
//! - **Retries**: network errors and 408, 429, 5xx, at most 3, `Retry-After` (≤ 60 s) or
//!   backoff with jitter, for reads, freezes and the token. `POST /customers` and
//!   `POST /cards` take no idempotency key and are **never** retried: after an
//!   ambiguous failure ([`Error::is_unreachable`]) the caller reads the cards (or finds
//!   the customer) to learn what happened.
//! - **Registration** as one multipart request, the files streamed with progress over
//!   both ([`Client::create_customer`]), each checked first (≤ 10 MB, JPEG/PNG/PDF by
//!   its bytes); or by hosted URLs ([`Client::enroll_customer`]).
//! - **Listing**: a page/limit walk with no cursor; [`Client::all_customers`] dedupes by
//!   id and walks again when the total moved under it.
//! - **Cards**: list (a 404 for "no cards" is an empty list), issue, freeze, unfreeze;
//!   balances kept as the decimals Cartevo wrote.
//! - **ID images** fetched with the token only from the API's own origin
//!   ([`Client::fetch_document`]).
//! - **Webhooks** verified ([`webhook`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), cartevo_api::Error> {
//! use cartevo_api::{Client, Config};
//! let client = Client::new(Config::new(cartevo_api::PRODUCTION_URL, "client_abc", "key"))?;
//! for c in client.all_customers(100).await? {
//!     let full = client.get_customer(&c.id).await?;
//!     println!("{} {:?}", full.id, full.kyc_status);
//! }
//! # Ok(()) }
//! ```

mod client;
pub mod error;
pub mod webhook;
pub mod wire;

pub use client::{
    Client, Config, DocumentFile, MAX_DOCUMENT_BYTES, PRODUCTION_URL, Progress, REFRESH_MARGIN, Secret, Stats, sniff,
};
pub use error::{ApiError, Error, FieldMessage};
pub use wire::{Card, CardStatus, Customer, CustomerSummary, Meta, NewCard, NewCustomer, Page};
