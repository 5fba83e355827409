//! Errors: what Cartevo said (its NestJS bodies) kept apart from what the network did.

use serde_json::Value;
use std::fmt;

/// The request fields of Cartevo's customer and card calls: a message that starts
/// with one of these is about that field.
pub const FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "country_iso_code",
    "country_phone_code",
    "country",
    "street",
    "city",
    "state",
    "postal_code",
    "phone_number",
    "identification_number",
    "id_document_type",
    "date_of_birth",
    "id_document_front_url",
    "id_document_back_url",
    "id_document_front",
    "id_document_back",
    "customer_id",
    "brand",
    "name_on_card",
    "amount",
];

/// One message of an error, and the field it names when it names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    /// The request field, e.g. `first_name`.
    pub field: String,
    /// Cartevo's message, as sent (English or French).
    pub message: String,
}

/// An error response from Cartevo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Every message sent (a validation error sends one per broken rule).
    pub messages: Vec<String>,
    /// The short reason (`Conflict`, `Bad Request`), or the older shape's `code`.
    pub error: Option<String>,
    /// The messages that name a field, by field.
    pub fields: Vec<FieldMessage>,
    /// The `X-Request-Id` of the response, to quote to support.
    pub request_id: Option<String>,
}

/// Which field a message is about, if it names one: it starts with the field's name
/// (`"first_name must be…"`), or, for a duplicate (409), mentions it (`"Customer with
/// this email already exists"`). Other rules the seed lists: under 18 is the date of
/// birth; a file too large, of the wrong type or unreadable is the front unless the
/// back is named.
pub fn field_of(status: u16, message: &str) -> Option<&'static str> {
    let lower = message.trim().to_ascii_lowercase();
    let starts = |f: &str| {
        lower.starts_with(f) && !lower[f.len()..].starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric())
    };
    if let Some(f) = FIELDS.iter().find(|f| starts(f)) {
        return Some(f);
    }
    let words: Vec<&str> = lower.split(|c: char| !(c == '_' || c.is_ascii_alphanumeric())).collect();
    let mentions = |f: &str| words.contains(&f);
    match status {
        409 => FIELDS.iter().copied().find(|f| mentions(f)),
        400 if lower.contains("18") => Some("date_of_birth"),
        413 | 415 | 422 if mentions("id_document_back") || mentions("back") => Some("id_document_back"),
        413 | 415 | 422 => Some("id_document_front"),
        _ => None,
    }
}

impl ApiError {
    /// Builds the error from a response's status, request id and raw body. Never
    /// fails: reads NestJS's `{"statusCode","message": string | [string],"error"}`,
    /// the older `{"error":{"code","message"}}`, and any other body as text.
    pub fn from_response(status: u16, request_id: Option<String>, body: &[u8]) -> Self {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let mut messages = Vec::new();
        let mut error = None;
        match v.get("message") {
            Some(Value::String(s)) => messages.push(s.clone()),
            Some(Value::Array(items)) => messages.extend(items.iter().filter_map(|m| m.as_str().map(str::to_owned))),
            _ => {}
        }
        match v.get("error") {
            Some(Value::String(s)) => error = Some(s.clone()),
            Some(Value::Object(o)) => {
                error = o.get("code").and_then(Value::as_str).map(str::to_owned);
                if let Some(m) = o.get("message").and_then(Value::as_str) {
                    messages.push(m.to_owned());
                }
            }
            _ => {}
        }
        if messages.is_empty() {
            let text: String = String::from_utf8_lossy(body).trim().chars().take(300).collect();
            messages.push(if text.is_empty() || v.is_object() { reason(status).to_owned() } else { text });
        }
        let fields = messages
            .iter()
            .filter_map(|m| field_of(status, m).map(|f| FieldMessage { field: f.to_owned(), message: m.clone() }))
            .collect();
        Self { status, messages, error, fields, request_id }
    }

    /// The messages as one sentence.
    pub fn message(&self) -> String {
        self.messages.join("; ")
    }
}

/// The standard reason of a status.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cartevo answered {}: {}", self.status, self.message())?;
        if let Some(id) = &self.request_id {
            write!(f, " (request {id})")?;
        }
        Ok(())
    }
}

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Cartevo answered with an error.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request did not reach Cartevo, or its answer did not come back whole.
    #[error("could not reach Cartevo: {0}")]
    Transport(String),
    /// No answer in time.
    #[error("Cartevo did not answer in time")]
    Timeout,
    /// An answer this client cannot read.
    #[error("Cartevo sent an answer this app cannot read: {message}")]
    Decode {
        /// What was wrong.
        message: String,
        /// The response's request id.
        request_id: Option<String>,
    },
    /// The request was refused before sending: `field` is wrong.
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
    /// The API's error, when Cartevo answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(a) => Some(a),
            _ => None,
        }
    }

    /// Whether nothing can be said of what the server did: the request may or may not
    /// have been carried out (a dropped connection or a timeout).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Timeout)
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::Timeout
        } else {
            // Without the URL: a query may carry personal data.
            Self::Transport(e.without_url().to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nest_validation_arrays_name_their_fields() {
        let body = br#"{"statusCode":400,"message":["first_name must be at least 3 characters","country_iso_code must be a valid ISO 3166-1 alpha-2 code","something else"],"error":"Bad Request"}"#;
        let e = ApiError::from_response(400, Some("req_1".into()), body);
        assert_eq!(e.messages.len(), 3);
        assert_eq!(e.error.as_deref(), Some("Bad Request"));
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "country_iso_code"], "country_iso_code is not read as country");
    }

    #[test]
    fn conflicts_age_and_files_are_placed_on_their_fields() {
        let one = |status, m: &str| {
            let body = serde_json::json!({"statusCode": status, "message": m, "error": "x"}).to_string();
            ApiError::from_response(status, None, body.as_bytes()).fields.first().map(|f| f.field.clone())
        };
        assert_eq!(one(409, "Customer with this email already exists").as_deref(), Some("email"));
        assert_eq!(
            one(409, "Customer with this identification_number already exists").as_deref(),
            Some("identification_number")
        );
        assert_eq!(one(400, "Customer must be 18 or older").as_deref(), Some("date_of_birth"));
        assert_eq!(one(413, "File too large").as_deref(), Some("id_document_front"));
        assert_eq!(one(415, "id_document_back: Unsupported file type").as_deref(), Some("id_document_back"));
        assert_eq!(one(404, "Customer not found"), None);
    }

    #[test]
    fn the_older_shape_and_plain_text_are_read_too() {
        let e = ApiError::from_response(409, None, br#"{"error":{"code":"DUPLICATE","message":"email already used"}}"#);
        assert_eq!((e.error.as_deref(), e.message().as_str()), (Some("DUPLICATE"), "email already used"));
        assert_eq!(e.fields[0].field, "email");
        let e = ApiError::from_response(502, None, b"<html>bad gateway</html>");
        assert_eq!(e.message(), "<html>bad gateway</html>");
        let e = ApiError::from_response(503, None, b"");
        assert_eq!(e.message(), "Service Unavailable");
    }
}
