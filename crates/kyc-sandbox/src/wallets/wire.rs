//! The wallets flavour's wire shapes around the data: `{"data": …}`, lists with their
//! `pagination`, and `{"error":{…}}` bodies in their two validation shapes.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// The header a request chooses the shape of its validation errors with.
pub(crate) const ERROR_SHAPE_HEADER: &str = "x-sandbox-error-shape";

/// The fields whose errors, alone, use the `details{}` shape by default.
pub(crate) const PHONE_FIELDS: [&str; 2] = ["phone_number", "phone"];

/// How invalid fields are listed in a validation error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `details{}` when every invalid field is the phone, `errors[]` otherwise.
    Auto,
    /// `"errors":[{"field","message"}]`.
    Errors,
    /// `"details":{"field":["message", …]}`.
    Details,
}

impl Shape {
    /// From the `X-Sandbox-Error-Shape` header's value (`details` or `errors`).
    pub fn parse(v: &str) -> Option<Self> {
        match v.trim().to_ascii_lowercase().as_str() {
            "details" => Some(Shape::Details),
            "errors" => Some(Shape::Errors),
            "auto" => Some(Shape::Auto),
            _ => None,
        }
    }
}

/// A broken rule about one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    /// The field, nested ones with a dot (`billing_address.city`).
    pub field: String,
    /// What is wrong, for people.
    pub message: String,
    /// Whether the field is missing (400) rather than invalid (422).
    pub missing: bool,
}

impl FieldError {
    /// A required field that is missing (or blank).
    pub fn missing(field: &str) -> Self {
        Self { field: field.to_owned(), message: format!("{field} is required"), missing: true }
    }
    /// A field whose value breaks a rule.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into(), missing: false }
    }
}

/// An error: `{"error":{"code","message","type", "errors"|"details"?, "retry_after"?,
/// "request_id"?}}` (`type` follows from the status), with `Retry-After` when
/// `retry_after` is set.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Invalid fields (validation errors only).
    pub fields: Vec<FieldError>,
    /// Extra context (`details` of an error that is not about fields).
    pub details: Option<Value>,
    pub retry_after: Option<u64>,
    pub shape: Shape,
}

/// The `type` of an error with this status.
fn kind_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        s if s >= 500 => "api_error",
        _ => "invalid_request_error",
    }
}

impl ApiError {
    /// An error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            details: None,
            retry_after: None,
            shape: Shape::Auto,
        }
    }
    /// `validation_error` listing the broken rules: 400 when a field is missing, 422
    /// when every field is there but some are invalid.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let status =
            if fields.iter().any(|f| f.missing) { StatusCode::BAD_REQUEST } else { StatusCode::UNPROCESSABLE_ENTITY };
        let mut e = Self::new(status, "validation_error", "The request was invalid");
        e.fields = fields;
        e
    }
    /// A validation error about one field.
    pub fn field(field: FieldError) -> Self {
        Self::validation(vec![field])
    }
    /// `404 not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// `400 invalid_request`: a body that cannot be read.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }
    /// 401 as the API key guard answers it.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Invalid API key")
    }
    /// With `details`.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// The shape its fields are listed in.
    fn resolved_shape(&self) -> Shape {
        match self.shape {
            Shape::Auto if self.fields.iter().all(|f| PHONE_FIELDS.contains(&f.field.as_str())) => Shape::Details,
            Shape::Auto => Shape::Errors,
            s => s,
        }
    }

    /// The body.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        e.insert("code".into(), json!(self.code));
        e.insert("message".into(), json!(self.message));
        e.insert("type".into(), json!(kind_of(self.status)));
        if !self.fields.is_empty() {
            match self.resolved_shape() {
                Shape::Details => {
                    let mut d = Map::new();
                    for f in &self.fields {
                        let list = d.entry(f.field.clone()).or_insert_with(|| json!([]));
                        if let Value::Array(a) = list {
                            a.push(json!(f.message));
                        }
                    }
                    e.insert("details".into(), Value::Object(d));
                }
                _ => {
                    let list: Vec<Value> =
                        self.fields.iter().map(|f| json!({"field": f.field, "message": f.message})).collect();
                    e.insert("errors".into(), json!(list));
                }
            }
        } else if let Some(d) = &self.details {
            e.insert("details".into(), d.clone());
        }
        if let Some(s) = self.retry_after {
            e.insert("retry_after".into(), json!(s));
        }
        json!({ "error": e })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body())).into_response();
        if let Some(s) = self.retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            resp.headers_mut().insert(header::RETRY_AFTER, s);
        }
        if !self.fields.is_empty() {
            // For `error_shape`, which may list the fields the other way.
            resp.extensions_mut().insert(self);
        }
        resp
    }
}

/// A validation error answered to a request with `X-Sandbox-Error-Shape` is listed in
/// the shape it names.
pub(crate) async fn error_shape(req: Request, next: Next) -> Response {
    let wanted = req.headers().get(ERROR_SHAPE_HEADER).and_then(|v| v.to_str().ok()).and_then(Shape::parse);
    let mut resp = next.run(req).await;
    let Some(shape) = wanted else { return resp };
    match resp.extensions_mut().remove::<ApiError>() {
        Some(mut e) => {
            let mut headers = std::mem::take(resp.headers_mut());
            headers.remove(header::CONTENT_LENGTH);
            e.shape = shape;
            let mut again = e.into_response();
            again.extensions_mut().remove::<ApiError>();
            *again.headers_mut() = headers;
            again
        }
        None => resp,
    }
}

/// A server error's body names its `request_id` (the `X-Request-Id` of the response).
pub(crate) async fn request_id_in_5xx(req: Request, next: Next) -> Response {
    let id = req.extensions().get::<crate::middleware::RequestId>().map(|r| r.0.clone());
    let resp = next.run(req).await;
    let Some(id) = id.filter(|_| resp.status().is_server_error()) else { return resp };
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let bytes = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut v) if v["error"].is_object() => {
            v["error"]["request_id"] = json!(id);
            parts.headers.remove(header::CONTENT_LENGTH);
            serde_json::to_vec(&v).map(Into::into).unwrap_or(bytes)
        }
        _ => bytes,
    };
    Response::from_parts(parts, Body::from(bytes))
}

/// `{"data": data}` with this status.
pub(crate) fn data(status: StatusCode, data: Value) -> Response {
    (status, Json(json!({ "data": data }))).into_response()
}

/// A page of a list: `{"data":[…],"pagination":{"before","after","limit"}}`.
pub(crate) fn list(items: Vec<Value>, before: Option<String>, after: Option<String>, limit: usize) -> Response {
    Json(json!({
        "data": items,
        "pagination": {"before": before, "after": after, "limit": limit},
    }))
    .into_response()
}

/// Minor units as a decimal string with two places: `123456` → `"1234.56"`.
pub(crate) fn amount(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_two_places() {
        assert_eq!(amount(0), "0.00");
        assert_eq!(amount(5), "0.05");
        assert_eq!(amount(123_456), "1234.56");
        assert_eq!(amount(-150), "-1.50");
    }

    #[test]
    fn phone_only_errors_use_details_and_the_rest_errors() {
        let phone = ApiError::field(FieldError::invalid("phone_number", "Invalid phone number format"));
        assert_eq!(phone.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(phone.body()["error"]["details"]["phone_number"][0], "Invalid phone number format");
        assert!(phone.body()["error"].get("errors").is_none());
        let both =
            ApiError::validation(vec![FieldError::invalid("phone", "x"), FieldError::missing("billing_address.city")]);
        assert_eq!(both.status, StatusCode::BAD_REQUEST);
        let body = both.body();
        assert_eq!(body["error"]["errors"][1]["field"], "billing_address.city");
        assert_eq!(body["error"]["type"], "invalid_request_error");
        let mut forced = both.clone();
        forced.shape = Shape::Details;
        assert_eq!(forced.body()["error"]["details"]["billing_address.city"][0], "billing_address.city is required");
    }
}
