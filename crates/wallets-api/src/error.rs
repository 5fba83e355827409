//! Errors: what the platform said (both of its error shapes) kept apart from what the
//! network did.

use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// One message about a request field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    /// The field, as the desk's forms name it: a billing address's part without its
    /// `billing_address.` prefix (`city`), `phone` read as `phone_number`.
    pub field: String,
    /// The platform's message.
    pub message: String,
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `validation_error`, `not_found`, `customer_exists`, …
    pub code: Option<String>,
    /// For people.
    pub message: String,
    /// `invalid_request_error`, `authentication_error`, …
    pub kind: Option<String>,
    /// Field errors from `errors[]` or from `details{}`.
    pub fields: Vec<FieldMessage>,
    /// `X-Request-Id`, or the body's `request_id`.
    pub request_id: Option<String>,
    /// How long to wait before trying again (429): `Retry-After` or `retry_after`.
    pub retry_after: Option<Duration>,
}

/// The desk's name of a field the platform names.
pub fn form_field(name: &str) -> String {
    let name = name.trim();
    let name = name.strip_prefix("billing_address.").unwrap_or(name);
    if name == "phone" { "phone_number".into() } else { name.to_owned() }
}

fn seconds(v: &Value) -> Option<Duration> {
    let s = v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))?;
    (s.is_finite() && s >= 0.0).then(|| Duration::from_secs_f64(s.min(86_400.0)))
}

impl ApiError {
    /// Reads an error body; never fails (a body that is not JSON is kept as text).
    pub fn from_response(status: u16, request_id: Option<String>, retry_after: Option<Duration>, body: &[u8]) -> Self {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let e = v.get("error").filter(|e| e.is_object()).unwrap_or(&v);
        let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut fields = Vec::new();
        for item in e.get("errors").and_then(Value::as_array).into_iter().flatten() {
            if let (Some(f), Some(m)) =
                (item.get("field").and_then(Value::as_str), item.get("message").and_then(Value::as_str))
            {
                fields.push(FieldMessage { field: form_field(f), message: m.to_owned() });
            }
        }
        if let Some(details) = e.get("details").and_then(Value::as_object) {
            for (f, m) in details {
                let messages: Vec<String> = match m {
                    Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect(),
                    Value::String(s) => vec![s.clone()],
                    _ => Vec::new(),
                };
                fields.extend(messages.into_iter().map(|message| FieldMessage { field: form_field(f), message }));
            }
        }
        let message = text("message").unwrap_or_else(|| {
            let t: String = String::from_utf8_lossy(body).trim().chars().take(300).collect();
            if t.is_empty() || v.is_object() { format!("the platform answered {status}") } else { t }
        });
        Self {
            status,
            code: text("code"),
            message,
            kind: text("type"),
            fields,
            request_id: text("request_id").or(request_id),
            retry_after: retry_after.or_else(|| e.get("retry_after").and_then(seconds)),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the wallets platform answered {}: {}", self.status, self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request {id})")?;
        }
        Ok(())
    }
}

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The platform answered with an error.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request did not reach the platform, or its answer did not come back whole.
    #[error("could not reach the wallets platform: {0}")]
    Transport(String),
    /// No answer in time.
    #[error("the wallets platform did not answer in time")]
    Timeout,
    /// An answer this client cannot read.
    #[error("the wallets platform sent an answer this app cannot read: {message}")]
    Decode {
        /// What was wrong.
        message: String,
        /// The response's request id.
        request_id: Option<String>,
    },
    /// Refused before sending: `field` is wrong.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The base URL cannot be used.
    #[error("invalid base URL {0}")]
    InvalidBaseUrl(String),
}

impl Error {
    /// The platform's error, when it answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(a) => Some(a),
            _ => None,
        }
    }

    /// Whether the platform could not be reached (the request may or may not have
    /// been carried out).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Timeout)
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() { Self::Timeout } else { Self::Transport(e.without_url().to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_validation_shapes_become_field_errors() {
        let errors = br#"{"error":{"code":"validation_error","message":"The request was invalid","type":"invalid_request_error",
            "errors":[{"field":"email","message":"must be an e-mail"},{"field":"billing_address.city","message":"is required"}]}}"#;
        let e = ApiError::from_response(422, Some("req_1".into()), None, errors);
        assert_eq!((e.code.as_deref(), e.kind.as_deref()), (Some("validation_error"), Some("invalid_request_error")));
        let f: Vec<(&str, &str)> = e.fields.iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
        assert_eq!(f, [("email", "must be an e-mail"), ("city", "is required")]);
        let details = br#"{"error":{"code":"validation_error","message":"bad","details":{"phone":["Invalid phone number format"]}}}"#;
        let e = ApiError::from_response(422, None, None, details);
        assert_eq!(
            e.fields,
            [FieldMessage { field: "phone_number".into(), message: "Invalid phone number format".into() }]
        );
    }

    #[test]
    fn a_retry_delay_comes_from_the_header_or_the_body() {
        let body = br#"{"error":{"code":"rate_limited","message":"slow down","retry_after":7}}"#;
        assert_eq!(ApiError::from_response(429, None, None, body).retry_after, Some(Duration::from_secs(7)));
        assert_eq!(
            ApiError::from_response(429, None, Some(Duration::from_secs(2)), body).retry_after,
            Some(Duration::from_secs(2)),
            "the header wins"
        );
        let e = ApiError::from_response(
            500,
            None,
            None,
            br#"{"error":{"code":"internal","message":"x","request_id":"req_9"}}"#,
        );
        assert_eq!(e.request_id.as_deref(), Some("req_9"));
        assert_eq!(ApiError::from_response(502, None, None, b"bad gateway").message, "bad gateway");
    }
}
