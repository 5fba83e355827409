//! KYC Desk without a window.
//!
//! The application's use-cases, testable with `cargo test`: provider connectors behind
//! one [`Provider`] trait (Dinie first; Cartevo and the wallets platform later), the
//! [`sync`] engine (full, incremental, in-flight refresh), the [`outbox`] that keeps
//! writes through a dropped connection or a crash, connection [`profiles`] with their
//! secrets in the OS keychain, [`events`] for the UI, and the [`views`] the UI shows
//! (their TypeScript types are generated from here by ts-rs).
//!
//! Depends on `kyc-model`, `dinie-api` and `kyc-store`. Knows nothing of Tauri or any
//! window: the shell (`src-tauri`) calls [`Desk`] and forwards its events.

mod after_kyc;
pub mod cartevo;
pub mod connection;
pub mod connectors;
mod desk;
pub mod dinie;
pub mod durable;
mod error;
pub mod events;
pub mod export;
pub mod fleet;
pub mod live;
pub mod logcap;
pub mod notices;
pub mod outbox;
pub mod profiles;
pub mod provider;
pub mod queue;
pub mod redact;
pub mod report;
pub mod sealed;
mod secrets;
pub mod sync;
mod thumbnail;
pub mod views;
pub mod wallets;
pub mod workbench;

pub use desk::{Desk, MAX_LIST_LIMIT, ProfileInfo, WATCH_EVERY, WriteResult, check_document_size};
pub use error::{ApiFailure, ApiRefusal, CoreError, ErrorView};
/// The provider-neutral model the views and forms are made of.
pub use kyc_model as model;
pub use kyc_store::CacheKey;
pub use provider::{Created, FormFile, HostedDocument, Page, Progress, Provider};

/// Who is at the desk, for the timeline: `KYC_DESK_AUTHOR`, else the OS user.
pub fn author() -> String {
    ["KYC_DESK_AUTHOR", "USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        // Started without a login environment (a service, a test driver): the home
        // folder's name is the account's.
        .or_else(|| {
            std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .and_then(|h| std::path::Path::new(&h).file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| "unknown".into())
}

/// A fresh key for one logical write (a UUID v4): kept with the outbox entry and sent
/// on every attempt, so the provider recognises a retry (where it takes one).
pub fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}
