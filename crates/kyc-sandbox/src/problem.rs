//! The sandbox's errors as RFC 9457 problem documents, in the provider's catalog: what
//! every layer (routes, middleware, admin) answers with when it refuses.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An RFC 9457 problem response.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub param: Option<String>,
    pub errors: Vec<Value>,
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), param: None, errors: Vec::new(), retry_after: None }
    }
    pub fn param(mut self, p: &str) -> Self {
        self.param = Some(p.to_owned());
        self
    }
    /// 422 `validation_failed` naming one field.
    pub fn field(param: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut p = Self::invalid(vec![(param.to_owned(), detail.clone(), "invalid".to_owned())]);
        p.detail = detail;
        p.param(param)
    }
    pub(crate) fn bad(param: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", detail).param(param)
    }
    pub(crate) fn not_found(id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("no customer with id {id}")).param("customer_id")
    }
    /// 422 with field errors `(param, detail, code)`.
    pub(crate) fn invalid(errors: Vec<(String, String, String)>) -> Self {
        let n = errors.len();
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            if n == 1 { "1 field is invalid".to_owned() } else { format!("{n} fields are invalid") },
        );
        p.errors = errors
            .into_iter()
            .map(|(param, detail, code)| json!({"param": param, "detail": detail, "code": code}))
            .collect();
        p
    }
}

/// Dinie's error catalog: one type URI and title per class of error.
pub fn type_and_title(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("invalid-request", "Invalid request"),
        401 => ("authentication-failed", "Authentication failed"),
        403 => ("forbidden", "Forbidden"),
        404 => ("not-found", "Not found"),
        409 => ("conflict", "Conflict"),
        410 => ("gone", "Gone"),
        421 => ("misdirected-request", "Misdirected request"),
        413 => ("payload-too-large", "Payload too large"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        422 => ("validation-failed", "Validation failed"),
        429 => ("rate-limit-exceeded", "Rate limit exceeded"),
        503 => ("service-unavailable", "Service unavailable"),
        _ => ("internal", "Internal server error"),
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let (ty, title) = type_and_title(self.status);
        let mut body = json!({
            "type": format!("https://docs.dinie.com/errors/{ty}"),
            "title": title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        if let Some(p) = self.param {
            body["param"] = json!(p);
        }
        if !self.errors.is_empty() {
            body["errors"] = json!(self.errors);
        }
        let mut resp = (self.status, Json(body)).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(s) = self.retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            resp.headers_mut().insert(header::RETRY_AFTER, s);
        }
        resp
    }
}
