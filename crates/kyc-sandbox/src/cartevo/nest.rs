//! Cartevo's wire shapes around the data: the success envelope and NestJS error bodies.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The `message` of an error: one string, or one string per broken rule.
#[derive(Debug)]
pub(crate) enum Message {
    /// One message.
    One(String),
    /// Validation errors, each starting with the field it is about.
    Many(Vec<String>),
}

/// A NestJS error: `{"statusCode","message","error"}` (`error` is the status's reason
/// phrase), with `Retry-After` when set.
#[derive(Debug)]
pub(crate) struct Nest {
    pub status: StatusCode,
    pub message: Message,
    pub retry_after: Option<u64>,
}

impl Nest {
    /// An error with one message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: Message::One(message.into()), retry_after: None }
    }
    /// 400 with one message (a business rule, or a body that cannot be read).
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    /// 400 with the broken rules.
    pub fn fields(messages: Vec<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, message: Message::Many(messages), retry_after: None }
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    /// 401, as Cartevo's guard answers it.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized")
    }
}

impl IntoResponse for Nest {
    fn into_response(self) -> Response {
        let message = match self.message {
            Message::One(m) => json!(m),
            Message::Many(ms) => json!(ms),
        };
        let body = json!({
            "statusCode": self.status.as_u16(),
            "message": message,
            "error": self.status.canonical_reason().unwrap_or("Error"),
        });
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            resp.headers_mut().insert(header::RETRY_AFTER, s);
        }
        resp
    }
}

/// The success envelope `{"success":true,"statusCode","message","data"}`.
pub(crate) fn envelope(status: StatusCode, message: &str, data: Value) -> Response {
    let body = json!({"success": true, "statusCode": status.as_u16(), "message": message, "data": data});
    (status, Json(body)).into_response()
}

/// A page of a list: the envelope with `meta {page, limit, total, totalPages}`.
pub(crate) fn page(message: &str, data: Vec<Value>, page: usize, limit: usize, total: usize) -> Response {
    let body = json!({
        "success": true,
        "statusCode": 200,
        "message": message,
        "data": data,
        "meta": {"page": page, "limit": limit, "total": total, "totalPages": super::total_pages(total, limit)},
    });
    Json(body).into_response()
}
