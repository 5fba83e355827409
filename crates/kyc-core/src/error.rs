//! The core's error: what failed, kept typed so the shell can map it for people.

/// Everything a use-case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The provider's API answered with an error or could not be reached.
    #[error(transparent)]
    Api(#[from] dinie_api::Error),
    /// The local cache failed.
    #[error(transparent)]
    Store(#[from] kyc_store::StoreError),
    /// The request itself is not acceptable (bad field), before anything was sent.
    #[error(transparent)]
    Invalid(#[from] kyc_model::FieldError),
}
