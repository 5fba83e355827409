//! Routes, auth and RFC 9457 problem bodies.

use crate::state::{Filter, Shared, SortKey};
use axum::{
    Json, Router,
    extract::{Path, Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

type AppState = Arc<Shared>;

/// An RFC 9457 problem response.
pub struct Problem {
    status: StatusCode,
    code: &'static str,
    detail: String,
    param: Option<&'static str>,
}

impl Problem {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), param: None }
    }
    fn param(mut self, p: &'static str) -> Self {
        self.param = Some(p);
        self
    }
}

/// Dinie's error catalog: one type URI and title per class of error.
fn type_and_title(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("invalid-request", "Invalid request"),
        401 => ("authentication-failed", "Authentication failed"),
        403 => ("forbidden", "Forbidden"),
        404 => ("not-found", "Not found"),
        409 => ("conflict", "Conflict"),
        413 => ("payload-too-large", "Payload too large"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        422 => ("validation-failed", "Validation failed"),
        429 => ("rate-limit-exceeded", "Rate limit exceeded"),
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
        let mut resp = (self.status, Json(body)).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        resp
    }
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/customers", get(list_customers))
        .route("/customers/{id}", get(get_customer))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_bearer));
    Router::new()
        .nest("/api/v3", api)
        .fallback(|| async { Problem::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// Every response carries an `X-Request-Id`.
async fn request_id(req: Request, next: Next) -> Response {
    let id = format!("req_{}", uuid::Uuid::new_v4().simple());
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

async fn require_bearer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let given = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    match given.and_then(|v| v.strip_prefix("Bearer ")) {
        None => Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing bearer token: send Authorization: Bearer <token>",
        )
        .into_response(),
        Some(t) if constant_time_eq(t.as_bytes(), st.token.as_bytes()) => next.run(req).await,
        Some(_) => {
            Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "the bearer token is not valid").into_response()
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize)]
struct ListParams {
    cpf: Option<String>,
    external_id: Option<String>,
    status: Option<String>,
    limit: Option<String>,
    starting_after: Option<String>,
    sort: Option<String>,
    order: Option<String>,
}

async fn list_customers(State(st): State<AppState>, Query(p): Query<ListParams>) -> Result<Response, Problem> {
    let bad = |param: &'static str, detail: &str| {
        Problem::new(StatusCode::BAD_REQUEST, "invalid_request", detail).param(param)
    };
    let limit = match p.limit.as_deref() {
        None => 20,
        Some(l) => match l.parse::<usize>() {
            Ok(n @ 1..=100) => n,
            _ => return Err(bad("limit", "limit must be a whole number from 1 to 100")),
        },
    };
    let sort = match p.sort.as_deref() {
        None | Some("created_at") => SortKey::Created,
        Some("updated_at") => SortKey::Updated,
        Some(_) => return Err(bad("sort", "sort must be created_at or updated_at")),
    };
    let desc = match p.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(bad("order", "order must be asc or desc")),
    };
    let filter = Filter {
        cpf_digits: p.cpf.as_deref().map(kyc_model::only_digits),
        external_id: p.external_id,
        status: p.status,
    };
    let db = st.db.read().await;
    let (data, has_more) = db
        .page(sort, desc, p.starting_after.as_deref(), limit, &filter)
        .map_err(|()| bad("starting_after", "starting_after must be the id of an existing customer"))?;
    Ok(Json(json!({ "object": "list", "data": data, "has_more": has_more })).into_response())
}

async fn get_customer(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let db = st.db.read().await;
    match db.get(&id) {
        Some(c) => Ok(Json(c).into_response()),
        None => {
            Err(Problem::new(StatusCode::NOT_FOUND, "not_found", format!("no customer with id {id}"))
                .param("customer_id"))
        }
    }
}
