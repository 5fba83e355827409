//! The wallets flavour's admin surface for tests and demos, under `/_sandbox/` (off the
//! public API), behind the shared admin token and same-origin rule. Errors are the
//! API's `{"error":{…}}` bodies.
//!
//! - `GET /stats`: `{customers, wallets, requests, customers_created, wallets_created,
//!   idempotent_replays, faults_injected}`.
//! - `POST /reset`: no customers, wallets, BVNs or idempotency keys (204).
//! - `POST /seed {"count": N}`: `N` demo customers instead of everything (and no keys).
//! - `POST /faults`, `DELETE /faults`: fault injection, as the other flavours'.
//! - `POST /customers/{id}/status {"status": "active"|"pending_kyc"}`: the customer's
//!   status now, superseding a pending activation; answers `{"data": customer}`.
//! - `GET /bvns`: `{"data":[{bvn, customer_id, matches, mismatch, record}]}`, the demo
//!   BVNs of the current data (`mismatch` is `surname`, `phone` or null; `record` what
//!   `resolve-bvn` answers).

use super::db::{CustomerStatus, Db};
use super::wire::{ApiError, FieldError};
use super::{State as AppState, WalletsShared, lock};
use crate::Seed;
use crate::middleware::{self as mw, Faults, FaultsBody};
use axum::{
    Json, Router,
    body::to_bytes,
    extract::{Path, Request, State},
    http::StatusCode,
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

pub(crate) fn router(st: &AppState) -> Router<AppState> {
    Router::new()
        .route("/stats", get(stats))
        .route("/reset", post(reset))
        .route("/seed", post(seed))
        .route("/faults", post(set_faults).delete(clear_faults))
        .route("/customers/{id}/status", post(set_status))
        .route("/bvns", get(bvns))
        .route_layer(middleware::from_fn_with_state(st.clone(), mw::require_admin::<WalletsShared>))
        .layer(middleware::from_fn_with_state(st.clone(), mw::same_origin::<WalletsShared>))
}

/// A JSON body (at most 64 KB) as `T`, or a 400 / 422.
async fn body<T: DeserializeOwned>(req: Request) -> Result<T, ApiError> {
    let bytes = to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The body is too large"))?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::bad(format!("The body is not valid: {e}")))
}

async fn stats(State(st): State<AppState>) -> Response {
    let s = &st.stats;
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    let (customers, wallets) = {
        let db = st.db.read().await;
        (db.customer_count(), db.wallet_count())
    };
    Json(json!({
        "customers": customers,
        "wallets": wallets,
        "requests": n(&s.requests),
        "customers_created": n(&s.customers_created),
        "wallets_created": n(&s.wallets_created),
        "idempotent_replays": n(&s.idempotent_replays),
        "faults_injected": n(&s.faults_injected),
    }))
    .into_response()
}

/// Empties the sandbox and forgets the idempotency keys.
async fn reset(State(st): State<AppState>) -> Response {
    *st.db.write().await = Db::default();
    lock(&st.idem).clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct SeedBody {
    count: u64,
}

/// Replaces everything with `count` demo customers (at most [`crate::MAX_COUNT`]).
async fn seed(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let b: SeedBody = body(req).await?;
    let n = mw::checked_count("count", b.count).map_err(|m| ApiError::field(FieldError::invalid("count", m)))? as usize;
    let db =
        tokio::task::spawn_blocking(move || Db::with_seed(Seed::Demo(n), OffsetDateTime::now_utc())).await.map_err(
            |e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", format!("seeding failed: {e}")),
        )?;
    *st.db.write().await = db;
    lock(&st.idem).clear();
    Ok(Json(json!({"customers": n})).into_response())
}

/// Sets fault injection (the body of the other flavours' `POST /_sandbox/faults`).
async fn set_faults(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let b: FaultsBody = body(req).await?;
    let faults = b.into_faults().map_err(|r| ApiError::field(FieldError::invalid(r.field, r.message)))?;
    *lock(&st.faults) = faults;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn clear_faults(State(st): State<AppState>) -> Response {
    *lock(&st.faults) = Faults::default();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct StatusBody {
    status: String,
}

/// Sets a customer's status now, superseding a pending activation.
async fn set_status(State(st): State<AppState>, Path(id): Path<String>, req: Request) -> Result<Response, ApiError> {
    let b: StatusBody = body(req).await?;
    let status = CustomerStatus::parse(&b.status)
        .ok_or_else(|| ApiError::field(FieldError::invalid("status", "status must be one of active, pending_kyc")))?;
    let mut db = st.db.write().await;
    if db.customer(&id).is_none() {
        return Err(ApiError::not_found("Customer not found"));
    }
    db.bump_review(&id);
    db.set_status(&id, status, OffsetDateTime::now_utc());
    let c = db.customer(&id).map(super::http::customer_json);
    Ok(Json(json!({ "data": c })).into_response())
}

/// The demo BVNs, the customer each belongs to and whether it matches.
async fn bvns(State(st): State<AppState>) -> Response {
    let db = st.db.read().await;
    let list: Vec<_> = db
        .bvns()
        .map(|b| {
            json!({
                "bvn": b.bvn,
                "customer_id": b.customer_id,
                "matches": b.mismatch.is_none(),
                "mismatch": b.mismatch,
                "record": super::http::bvn_json(b),
            })
        })
        .collect();
    Json(json!({ "data": list })).into_response()
}
