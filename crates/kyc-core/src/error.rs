//! The core's error, and [`ErrorView`]: how any error reaches people.

use kyc_model::FieldError;
use serde::Serialize;
use ts_rs::TS;

/// A provider's API failing, in the same terms whatever the provider: each connector
/// maps its client's errors into it (`impl From<…> for CoreError` in its module), and
/// the core's offline, retry and refused decisions read only this.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiFailure {
    /// The API could not be reached (connection refused or dropped, DNS, TLS) or did
    /// not answer in time: the desk goes offline and writes wait.
    #[error("{message}")]
    Unreachable {
        /// What happened, for people.
        message: String,
    },
    /// The API answered with an error.
    #[error("{}", .0.message)]
    Refused(Box<ApiRefusal>),
    /// The client refused to send it: an argument is not acceptable.
    #[error("{field}: {message}")]
    Invalid {
        /// The argument, e.g. `file`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// Anything else: an answer that cannot be read, an unusable address, a cancel.
    #[error("{message}")]
    Other {
        /// What happened, for people.
        message: String,
        /// The response's request id, when there was one.
        request_id: Option<String>,
    },
}

/// An error the API answered with.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRefusal {
    /// The HTTP status.
    pub status: u16,
    /// The API's machine-readable code, if it gave one.
    pub code: Option<String>,
    /// What the API said, for people.
    pub message: String,
    /// Errors naming the fields at fault.
    pub field_errors: Vec<FieldError>,
    /// The API's request id, to quote to support.
    pub request_id: Option<String>,
    /// How long the API asked to wait before trying again, if it said.
    pub retry_after: Option<std::time::Duration>,
}

impl ApiFailure {
    /// Whether the API could not be reached at all.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    /// The HTTP status, when the API answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Refused(r) => Some(r.status),
            _ => None,
        }
    }

    /// Whether the API refused the connection's credentials (401, 403): every other
    /// call will be refused too until the secret is entered again.
    pub fn credentials_refused(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// Whether the failure says nothing about the request itself, so a write must wait
    /// and be sent again later: unreachable, overloaded or failing (408 after retries,
    /// 429, 5xx), or credentials refused.
    pub fn is_transient(&self) -> bool {
        self.is_unreachable() || matches!(self.status(), Some(401 | 403 | 408 | 429 | 500..))
    }
}

/// Everything a use-case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The provider's API answered with an error or could not be reached.
    #[error(transparent)]
    Api(#[from] ApiFailure),
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
            CoreError::Api(ApiFailure::Refused(r)) => Self {
                code: r.code.unwrap_or_else(|| "api_error".into()),
                message: r.message,
                field_errors: r.field_errors,
                request_id: r.request_id,
                status: Some(r.status),
            },
            CoreError::Api(ApiFailure::Invalid { field, message }) => Self {
                field_errors: vec![FieldError::new(&field, "invalid", message.clone())],
                ..Self::new("invalid", format!("{field}: {message}"))
            },
            CoreError::Api(e @ ApiFailure::Unreachable { .. }) => Self::new("offline", e.to_string()),
            CoreError::Api(ApiFailure::Other { message, request_id }) => {
                Self { request_id, ..Self::new("api_error", message) }
            }
            CoreError::Store(kyc_store::StoreError::Refused(m)) => Self::new("refused", m),
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
    fn api_refusals_keep_code_fields_and_request_id() {
        let refusal = ApiRefusal {
            status: 422,
            code: Some("validation_failed".into()),
            message: "1 field is invalid".into(),
            field_errors: vec![FieldError::new("cpf", "invalid_cpf", "CPF check digits do not match")],
            request_id: Some("req_9".into()),
            retry_after: None,
        };
        let v = ErrorView::from(CoreError::Api(ApiFailure::Refused(Box::new(refusal))));
        assert_eq!(
            (v.code.as_str(), v.message.as_str(), v.status),
            ("validation_failed", "1 field is invalid", Some(422))
        );
        assert_eq!(v.field_errors, vec![FieldError::new("cpf", "invalid_cpf", "CPF check digits do not match")]);
        assert_eq!(v.request_id.as_deref(), Some("req_9"));
    }

    #[test]
    fn what_waits_and_what_is_refused() {
        let unreachable = ApiFailure::Unreachable { message: "the API did not answer in time".into() };
        assert_eq!(ErrorView::from(CoreError::Api(unreachable.clone())).code, "offline");
        let refused = |status| {
            ApiFailure::Refused(Box::new(ApiRefusal {
                status,
                code: None,
                message: String::new(),
                field_errors: vec![],
                request_id: None,
                retry_after: None,
            }))
        };
        assert!(unreachable.is_transient() && unreachable.is_unreachable());
        for waits in [401, 403, 408, 429, 500, 503] {
            assert!(refused(waits).is_transient(), "{waits}");
        }
        for refused_for_good in [400, 404, 409, 413, 415, 422] {
            assert!(!refused(refused_for_good).is_transient(), "{refused_for_good}");
        }
        assert!(refused(401).credentials_refused() && !refused(500).credentials_refused());
    }
}
