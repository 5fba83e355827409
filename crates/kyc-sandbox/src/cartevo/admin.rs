//! The Cartevo flavour's admin surface for tests and demos, under `/_sandbox/` (off the
//! public API), behind the shared admin token and same-origin rule. Errors are NestJS
//! bodies, like the API's.
//!
//! - `GET /stats`: counters.
//! - `POST /reset`: no customers, cards or churn (issued tokens stay valid).
//! - `POST /seed {"count": N}`: `N` demo customers instead of everything.
//! - `POST /faults`, `DELETE /faults`: fault injection, as the Dinie flavour's.
//! - `POST /tokens/expire`: every issued token expires now.
//! - `POST /customers/{id}/kyc {"status": "APPROVED"|"REJECTED"|"PENDING"}`: the KYC
//!   status now, superseding a review in flight.
//! - `POST /churn {"per_list": N, "at": "start"|"end"}`: before every `GET /customers`,
//!   insert `N` customers before or after all others (`0` stops).
//! - `POST /cards/{id}/status {"status": "PENDING"|"ACTIVE"|"FROZEN"|"SUSPENDED"|
//!   "TERMINATED"|"FAILED"}`: a card's status now (for the states the API cannot reach).

use super::db::{CardStatus, Db, Kyc};
use super::nest::Nest;
use super::{CartevoShared, Churn, ChurnAt, State as AppState, lock};
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

/// The most customers one list call may have the churn insert.
const MAX_CHURN_PER_LIST: u64 = 1000;

pub(crate) fn router(st: &AppState) -> Router<AppState> {
    Router::new()
        .route("/stats", get(stats))
        .route("/reset", post(reset))
        .route("/seed", post(seed))
        .route("/faults", post(set_faults).delete(clear_faults))
        .route("/tokens/expire", post(expire_tokens))
        .route("/customers/{id}/kyc", post(decide))
        .route("/churn", post(set_churn))
        .route("/cards/{id}/status", post(set_card_status))
        .route_layer(middleware::from_fn_with_state(st.clone(), mw::require_admin::<CartevoShared>))
        .layer(middleware::from_fn_with_state(st.clone(), mw::same_origin::<CartevoShared>))
}

/// A JSON body (at most 64 KB) as `T`, or a NestJS 400.
async fn body<T: DeserializeOwned>(req: Request) -> Result<T, Nest> {
    let bytes = to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| Nest::new(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large"))?;
    serde_json::from_slice(&bytes).map_err(|e| Nest::fields(vec![format!("the body is not valid: {e}")]))
}

async fn stats(State(st): State<AppState>) -> Response {
    let s = &st.stats;
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    let (customers, cards) = {
        let db = st.db.read().await;
        (db.count(), db.card_count())
    };
    Json(json!({
        "customers": customers,
        "cards": cards,
        "requests": n(&s.requests),
        "customers_created": n(&s.customers_created),
        "cards_created": n(&s.cards_created),
        "faults_injected": n(&s.faults_injected),
        "tokens_issued": n(&s.tokens_issued),
    }))
    .into_response()
}

/// Empties the sandbox and stops the churn.
async fn reset(State(st): State<AppState>) -> Response {
    *st.db.write().await = Db::default();
    *lock(&st.churn) = Churn::default();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct SeedBody {
    count: u64,
}

/// Replaces everything with `count` demo customers (at most [`crate::MAX_COUNT`]).
async fn seed(State(st): State<AppState>, req: Request) -> Result<Response, Nest> {
    let b: SeedBody = body(req).await?;
    let n = mw::checked_count("count", b.count).map_err(|m| Nest::fields(vec![m]))? as usize;
    let db = tokio::task::spawn_blocking(move || Db::with_seed(Seed::Demo(n), OffsetDateTime::now_utc()))
        .await
        .map_err(|e| Nest::new(StatusCode::INTERNAL_SERVER_ERROR, format!("seeding failed: {e}")))?;
    *st.db.write().await = db;
    Ok(Json(json!({"customers": n})).into_response())
}

/// Sets fault injection (the body of the Dinie flavour's `POST /_sandbox/faults`).
async fn set_faults(State(st): State<AppState>, req: Request) -> Result<Response, Nest> {
    let b: FaultsBody = body(req).await?;
    let faults = b.into_faults().map_err(|r| Nest::fields(vec![r.message]))?;
    *lock(&st.faults) = faults;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn clear_faults(State(st): State<AppState>) -> Response {
    *lock(&st.faults) = Faults::default();
    StatusCode::NO_CONTENT.into_response()
}

/// Expires every token issued by `POST /auth/token` (to test a client's renewal).
async fn expire_tokens(State(st): State<AppState>) -> Response {
    let past = OffsetDateTime::now_utc() - time::Duration::seconds(1);
    for exp in lock(&st.tokens).values_mut() {
        *exp = past;
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Decision {
    status: String,
}

/// Sets a customer's KYC status now (superseding a review in flight); answers the
/// customer as `GET /customers/{id}` shows it.
async fn decide(State(st): State<AppState>, Path(id): Path<String>, req: Request) -> Result<Response, Nest> {
    let d: Decision = body(req).await?;
    let status = Kyc::parse(&d.status)
        .ok_or_else(|| Nest::fields(vec!["status must be one of APPROVED, REJECTED, PENDING".into()]))?;
    let mut db = st.db.write().await;
    if db.get(&id).is_none() {
        return Err(Nest::not_found("Customer not found"));
    }
    db.bump_review(&id);
    db.set_kyc(&id, status, OffsetDateTime::now_utc());
    let c = db.get(&id).map(|c| super::http::detail(c, &st.origin, true));
    Ok(Json(c).into_response())
}

#[derive(Deserialize)]
struct ChurnBody {
    per_list: u64,
    #[serde(default)]
    at: Option<String>,
}

/// Before every `GET /customers` from now on, `per_list` new customers (at most 1000)
/// are inserted at the `start` (created before every other) or the `end` (created now,
/// the default); `0` stops.
async fn set_churn(State(st): State<AppState>, req: Request) -> Result<Response, Nest> {
    let b: ChurnBody = body(req).await?;
    let mut errors = Vec::new();
    if b.per_list > MAX_CHURN_PER_LIST {
        errors.push(format!("per_list must be at most {MAX_CHURN_PER_LIST}"));
    }
    let at = match b.at.as_deref() {
        None | Some("end") => ChurnAt::End,
        Some("start") => ChurnAt::Start,
        Some(_) => {
            errors.push("at must be one of start, end".into());
            ChurnAt::End
        }
    };
    if !errors.is_empty() {
        return Err(Nest::fields(errors));
    }
    *lock(&st.churn) = Churn { per_list: b.per_list as u32, at };
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sets a card's status now, whatever it was (SUSPENDED, TERMINATED, FAILED and PENDING
/// cannot be reached through the API); answers `{card_id, card_status}`.
async fn set_card_status(State(st): State<AppState>, Path(id): Path<String>, req: Request) -> Result<Response, Nest> {
    let d: Decision = body(req).await?;
    let status = CardStatus::parse(&d.status).ok_or_else(|| {
        let all: Vec<&str> = CardStatus::ALL.iter().map(|s| s.as_str()).collect();
        Nest::fields(vec![format!("status must be one of {}", all.join(", "))])
    })?;
    let mut db = st.db.write().await;
    let card = db.card_mut(&id).ok_or_else(|| Nest::not_found("Card not found"))?;
    card.status = status;
    Ok(Json(json!({"card_id": card.id, "card_status": status.as_str()})).into_response())
}
