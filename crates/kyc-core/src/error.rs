//! The core's error, and [`ErrorView`]: how any error reaches people.

use kyc_model::FieldError;
use serde::Serialize;
use ts_rs::TS;

/// Everything a use-case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The provider's API answered with an error or could not be reached.
    #[error(transparent)]
    Api(#[from] dinie_api::Error),
    /// The local cache failed.
    #[error(transparent)]
    Store(#[from] kyc_store::StoreError),
    /// The request itself is not acceptable (bad fields), before anything was sent.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// A local file could not be read or written.
    #[error("{0}")]
    Io(String),
    /// The OS keychain refused or failed.
    #[error("keychain: {0}")]
    Keychain(String),
    /// A connection profile is missing or malformed.
    #[error("profile: {0}")]
    Profile(String),
}

impl From<FieldError> for CoreError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

/// An error as the UI receives it: a stable code, a message for people, errors to
/// show beside the fields they name, and the API's request id. Built from errors
/// that never hold a token or a URL, so no secret can reach it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
#[error("{message}")]
pub struct ErrorView {
    /// The API's code (`not_found`, `validation_failed`, …) or the app's own
    /// (`offline`, `cache_error`, `invalid`, `startup`).
    pub code: String,
    /// What happened, for people.
    pub message: String,
    /// Field-level errors.
    pub field_errors: Vec<FieldError>,
    /// The API's request id, to quote to support.
    pub request_id: Option<String>,
    /// The HTTP status, when the API answered.
    pub status: Option<u16>,
}

impl ErrorView {
    /// An error of the app's own.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), field_errors: Vec::new(), request_id: None, status: None }
    }
}

impl From<CoreError> for ErrorView {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Api(dinie_api::Error::Api(api)) => Self {
                code: api.code.clone().unwrap_or_else(|| "api_error".into()),
                message: if api.detail.is_empty() { api.title.clone() } else { api.detail.clone() },
                field_errors: api
                    .errors
                    .iter()
                    .map(|f| FieldError::new(&f.param, f.code.as_deref().unwrap_or("invalid"), f.detail.clone()))
                    .collect(),
                request_id: api.request_id.clone(),
                status: Some(api.status),
            },
            CoreError::Api(dinie_api::Error::Invalid { field, message }) => Self {
                field_errors: vec![FieldError::new(&field, "invalid", message.clone())],
                ..Self::new("invalid", format!("{field}: {message}"))
            },
            CoreError::Api(e) if e.is_unreachable() => Self::new("offline", e.to_string()),
            CoreError::Api(e) => Self::new("api_error", e.to_string()),
            CoreError::Store(e) => Self::new("cache_error", e.to_string()),
            CoreError::Invalid(fields) => {
                let message = fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ");
                Self { field_errors: fields, ..Self::new("invalid", message) }
            }
            CoreError::Io(m) => Self::new("file_error", m),
            CoreError::Keychain(m) => Self::new("keychain_error", m),
            CoreError::Profile(m) => Self::new("profile_error", m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_problems_keep_code_fields_and_request_id() {
        let body = br#"{"type":"https://docs.dinie.com/errors/validation-failed","title":"Validation failed","status":422,
            "detail":"1 field is invalid","code":"validation_failed","errors":[{"param":"cpf","detail":"CPF check digits do not match","code":"invalid_cpf"}]}"#;
        let api = dinie_api::ApiError::from_response(422, Some("req_9".into()), body);
        let v = ErrorView::from(CoreError::Api(dinie_api::Error::Api(Box::new(api))));
        assert_eq!(
            (v.code.as_str(), v.message.as_str(), v.status),
            ("validation_failed", "1 field is invalid", Some(422))
        );
        assert_eq!(v.field_errors, vec![FieldError::new("cpf", "invalid_cpf", "CPF check digits do not match")]);
        assert_eq!(v.request_id.as_deref(), Some("req_9"));
    }

    #[test]
    fn unreachable_is_offline() {
        let v = ErrorView::from(CoreError::Api(dinie_api::Error::Timeout));
        assert_eq!(v.code, "offline");
    }
}
