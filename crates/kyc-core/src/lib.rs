//! KYC Desk without a window.
//!
//! The application's use-cases, testable with `cargo test`: provider connectors behind
//! one [`Provider`] trait (Dinie first; Cartevo and the wallets platform later), the
//! [`sync`] engine that pages a provider into the cache, and the [`views`] the UI
//! shows (their TypeScript types are generated from here by ts-rs).
//!
//! Depends on `kyc-model`, `dinie-api` and `kyc-store`. Knows nothing of Tauri or any
//! window: the shell (`src-tauri`) calls [`Desk`] and forwards its events.

mod desk;
pub mod dinie;
mod error;
pub mod provider;
pub mod sync;
pub mod views;

pub use desk::{Desk, ProfileInfo};
pub use error::{CoreError, ErrorView};
pub use provider::{Page, Provider};
