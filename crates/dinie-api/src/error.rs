//! Errors: what the API said (RFC 9457) kept apart from what the network did.

use serde::Deserialize;
use std::fmt;

/// One field-level problem from a problem body's `errors[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldProblem {
    /// The request field it concerns, e.g. `cpf`.
    pub param: String,
    /// What is wrong with it.
    pub detail: String,
    /// Machine-readable subtype, e.g. `invalid_cpf`.
    #[serde(default)]
    pub code: Option<String>,
}

/// An error response from the API, parsed from its `application/problem+json` body
/// (or, when the body is not one, built from the status and whatever text came).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Problem type URI.
    pub problem_type: Option<String>,
    /// Machine-readable code, e.g. `customer_conflict`.
    pub code: Option<String>,
    /// Short summary.
    pub title: String,
    /// What happened this time, for people.
    pub detail: String,
    /// The occurrence URI.
    pub instance: Option<String>,
    /// The parameter at fault, when one.
    pub param: Option<String>,
    /// Field-level errors.
    pub errors: Vec<FieldProblem>,
    /// The `X-Request-Id` of the response, to quote to support.
    pub request_id: Option<String>,
}

#[derive(Deserialize)]
struct ProblemBody {
    #[serde(rename = "type")]
    problem_type: Option<String>,
    title: Option<String>,
    status: Option<u16>,
    detail: Option<String>,
    instance: Option<String>,
    code: Option<String>,
    param: Option<String>,
    #[serde(default)]
    errors: Vec<FieldProblem>,
}

impl ApiError {
    /// Builds the error from a response's status, request id and raw body. Never
    /// fails: a body that is not problem+json still yields a useful message.
    pub fn from_response(status: u16, request_id: Option<String>, body: &[u8]) -> Self {
        match serde_json::from_slice::<ProblemBody>(body) {
            Ok(p) if p.title.is_some() || p.detail.is_some() => Self {
                status: p.status.unwrap_or(status),
                problem_type: p.problem_type,
                code: p.code,
                title: p.title.unwrap_or_else(|| reason(status).to_owned()),
                detail: p.detail.unwrap_or_default(),
                instance: p.instance,
                param: p.param,
                errors: p.errors,
                request_id,
            },
            _ => {
                let text = String::from_utf8_lossy(body);
                let text: String = text.trim().chars().take(300).collect();
                Self {
                    status,
                    problem_type: None,
                    code: None,
                    title: reason(status).to_owned(),
                    detail: if text.is_empty() {
                        format!("the server answered {status} with no explanation")
                    } else {
                        format!("the server answered {status}: {text}")
                    },
                    instance: None,
                    param: None,
                    errors: Vec::new(),
                    request_id,
                }
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Invalid request",
        401 => "Authentication failed",
        403 => "Forbidden",
        404 => "Not found",
        408 => "Request timeout",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Validation failed",
        429 => "Too many requests",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Unexpected response",
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = if self.detail.is_empty() { &self.title } else { &self.detail };
        write!(f, "{detail} (HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, ", {code}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        f.write_str(")")
    }
}

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request did not complete: connection refused, reset, DNS, TLS.
    #[error("could not reach the API: {0}")]
    Transport(String),
    /// No answer within the timeout.
    #[error("the API did not answer in time")]
    Timeout,
    /// The API answered 2xx with a body this client cannot read.
    #[error("the API sent a response this app cannot read: {message}")]
    Decode {
        /// What did not parse.
        message: String,
        /// The response's request id.
        request_id: Option<String>,
    },
    /// The configured base URL is not usable.
    #[error("invalid base URL: {0}")]
    InvalidBaseUrl(String),
    /// The caller cancelled the operation.
    #[error("cancelled")]
    Cancelled,
    /// The request was refused before sending: an argument is not acceptable.
    #[error("{field}: {message}")]
    Invalid {
        /// The argument, e.g. `file`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// The API error, when the API answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }

    /// True when the API could not be reached at all (the app should go offline).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Timeout)
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            return Self::Timeout;
        }
        // reqwest's Display omits the cause ("error sending request"); walk the chain
        // so staff see "connection refused" rather than a riddle. URLs are left out:
        // the base URL is shown elsewhere and a query string may carry a CPF.
        let e = e.without_url();
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            src = s.source();
        }
        Self::Transport(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_problem_fixture_with_field_errors() {
        let body = include_bytes!("../tests/fixtures/problem-422.json");
        let e = ApiError::from_response(422, Some("req_1".into()), body);
        assert_eq!(e.status, 422);
        assert_eq!(e.code.as_deref(), Some("validation_failed"));
        assert_eq!(e.errors.len(), 2);
        assert_eq!(e.errors[0].param, "cpf");
        assert_eq!(e.errors[1].code.as_deref(), Some("invalid_phone"));
        assert_eq!(e.to_string(), "2 fields are invalid (HTTP 422, validation_failed, request id req_1)");
    }

    #[test]
    fn a_body_that_is_not_a_problem_still_explains() {
        let e = ApiError::from_response(502, None, b"<html>Bad Gateway</html>");
        assert_eq!(e.title, "Bad gateway");
        assert!(e.detail.contains("502"), "{}", e.detail);
        let e = ApiError::from_response(503, Some("r".into()), b"");
        assert!(e.detail.contains("no explanation"));
        assert_eq!(e.request_id.as_deref(), Some("r"));
    }
}
