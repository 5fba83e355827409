//! The admin surface for tests and demos, under `/_sandbox/` (off the public API).
//!
//! With an admin token configured every call needs it as a bearer token, except the
//! biometric capture page and its two buttons, which the customer opens in a browser
//! from the `session_url` the API hands out (its unguessable session id is the
//! credential). State-changing calls from another web origin are refused (403).

use crate::AppState;
use crate::Shared;
use crate::middleware::{self as mw, Faults, FaultsBody};
use crate::problem::Problem;
use crate::state::Db;
use crate::webhooks::WebhookEndpoint;
use crate::{Seed, effects};
use axum::{
    Json, Router,
    extract::{FromRequest, Path, Request, State, rejection::JsonRejection},
    http::{StatusCode, header},
    middleware,
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

pub fn router(state: &AppState) -> Router<AppState> {
    let guarded = Router::new()
        .route("/stats", get(stats))
        .route("/reset", post(reset))
        .route("/seed", post(seed))
        .route("/customers/{id}/kyc/{item}", post(decide))
        .route("/customers/{id}/documents", get(list_documents))
        .route("/documents/{doc_id}", get(get_document))
        .route("/faults", post(set_faults).delete(clear_faults))
        .route("/webhooks", get(list_webhooks).post(add_webhook))
        .route("/tokens/expire", post(expire_tokens))
        .route_layer(middleware::from_fn_with_state(state.clone(), mw::require_admin::<Shared>));
    // What the customer's browser opens: no admin token.
    let capture = Router::new()
        .route("/biometrics/{sid}", get(biometrics_page))
        .route("/biometrics/{sid}/complete", post(|st, p| finish_biometrics(st, p, true)))
        .route("/biometrics/{sid}/fail", post(|st, p| finish_biometrics(st, p, false)));
    guarded.merge(capture).layer(middleware::from_fn_with_state(state.clone(), mw::same_origin::<Shared>))
}

/// A JSON body, with its problems as problem+json (400 syntax, 415 content type, 422
/// a field of the wrong type, naming it).
struct Body<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(e) => {
                let (status, code) = match (&e, e.status()) {
                    (JsonRejection::MissingJsonContentType(_), _) => {
                        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
                    }
                    (JsonRejection::JsonDataError(_), _) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
                    (_, StatusCode::PAYLOAD_TOO_LARGE) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
                    _ => (StatusCode::BAD_REQUEST, "invalid_request"),
                };
                Err(Problem::new(status, code, e.body_text()))
            }
        }
    }
}

/// A count from a request: at most [`crate::MAX_COUNT`], or 422 naming `field`.
fn count(field: &str, n: u64) -> Result<u32, Problem> {
    mw::checked_count(field, n).map_err(|m| Problem::field(field, m))
}

async fn stats(State(st): State<AppState>) -> Response {
    let s = &st.stats;
    let h = &st.hooks.stats;
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    Json(json!({
        "customers": st.db.read().await.count(),
        "requests": n(&s.requests),
        "customers_created": n(&s.customers_created),
        "documents_stored": n(&s.documents_stored),
        "idempotent_replays": n(&s.idempotent_replays),
        "faults_injected": n(&s.faults_injected),
        "tokens_issued": n(&s.tokens_issued),
        "webhook_events": n(&h.events),
        "webhook_attempts": n(&h.attempts),
        "webhook_delivered": n(&h.delivered),
        "webhook_abandoned": n(&h.abandoned),
    }))
    .into_response()
}

/// Empties the sandbox (customers, documents, offers, sessions, idempotency keys).
async fn reset(State(st): State<AppState>) -> Response {
    *st.db.write().await = Db::with_seed(Seed::Empty);
    st.db.write().await.dirty = true;
    st.idem.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct SeedBody {
    count: u64,
}

/// Replaces everything with `count` demo customers (at most [`crate::MAX_COUNT`]).
async fn seed(State(st): State<AppState>, Body(b): Body<SeedBody>) -> Result<Response, Problem> {
    let n = count("count", b.count)? as usize;
    // Generating a large seed takes a while: off the async workers.
    let mut db = tokio::task::spawn_blocking(move || Db::with_seed(Seed::Demo(n)))
        .await
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("seeding failed: {e}")))?;
    db.dirty = true;
    *st.db.write().await = db;
    Ok(Json(json!({"customers": n})).into_response())
}

#[derive(Deserialize)]
struct Decision {
    status: String,
    message: Option<String>,
    /// `now` (default): set it at once; `next_review`: the outcome of the item's next review.
    #[serde(default)]
    when: Option<String>,
}

/// Forces an item's review outcome.
async fn decide(
    State(st): State<AppState>,
    Path((id, item)): Path<(String, String)>,
    Body(d): Body<Decision>,
) -> Result<Response, Problem> {
    if !matches!(d.status.as_str(), "pending" | "in_review" | "approved" | "rejected" | "pending_correction") {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "status must be pending, in_review, approved, rejected or pending_correction",
        )
        .param("status"));
    }
    let mut db = st.db.write().await;
    let c = db
        .get(&id)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not_found", format!("no customer with id {id}")))?;
    if !c.kyc.iter().any(|i| i.item_type == item) {
        return Err(Problem::new(StatusCode::NOT_FOUND, "not_found", format!("customer {id} has no kyc item {item}")));
    }
    if d.when.as_deref() == Some("next_review") {
        db.forced.insert((id, item), (d.status, d.message));
        return Ok(StatusCode::ACCEPTED.into_response());
    }
    let fx = db.decide(&id, &item, &d.status, d.message);
    let c = db.get(&id).cloned();
    drop(db);
    effects::apply(&st, fx);
    Ok(Json(c).into_response())
}

async fn list_documents(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let db = st.db.read().await;
    db.get(&id).ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not_found", format!("no customer with id {id}")))?;
    Ok(Json(json!({"object": "list", "data": db.documents_for(&id), "has_more": false})).into_response())
}

async fn get_document(State(st): State<AppState>, Path(doc_id): Path<String>) -> Result<Response, Problem> {
    let (meta, bytes) = st
        .db
        .read()
        .await
        .document(&doc_id)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not_found", format!("no document with id {doc_id}")))?;
    Ok(([(header::CONTENT_TYPE, meta.content_type)], bytes.as_ref().clone()).into_response())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The capture page a customer is sent to: complete or fail the capture.
async fn biometrics_page(State(st): State<AppState>, Path(sid): Path<String>) -> Response {
    let db = st.db.read().await;
    let Some(s) = db.sessions.get(&sid) else {
        return (StatusCode::NOT_FOUND, Html("<h1>Sessão não encontrada</h1>".to_owned())).into_response();
    };
    let name = db.get(&s.customer_id).map(|c| c.name.clone()).unwrap_or_default();
    if s.expires_at < OffsetDateTime::now_utc() {
        return (
            StatusCode::GONE,
            Html("<h1>Sessão expirada</h1><p>Gere uma nova sessão de biometria.</p>".to_owned()),
        )
            .into_response();
    }
    let body = if s.state == "open" {
        format!(
            r#"<form method="post" action="/_sandbox/biometrics/{sid}/complete"><button id="complete">Concluir captura</button></form>
               <form method="post" action="/_sandbox/biometrics/{sid}/fail"><button id="fail">Simular falha</button></form>"#,
            sid = escape(&sid)
        )
    } else {
        format!("<p id=\"state\">Sessão {}</p>", if s.state == "completed" { "concluída" } else { "com falha" })
    };
    Html(format!(
        "<!doctype html><html lang=\"pt-BR\"><meta charset=\"utf-8\"><title>Biometria facial — kyc-sandbox</title>\
         <body style=\"font-family:system-ui;max-width:32rem;margin:3rem auto\"><h1>Biometria facial</h1>\
         <p>Cliente: {}</p><p>Este é o sandbox: nenhuma câmera é usada.</p>{body}</body></html>",
        escape(&name)
    ))
    .into_response()
}

async fn finish_biometrics(State(st): State<AppState>, Path(sid): Path<String>, ok: bool) -> Result<Response, Problem> {
    let mut db = st.db.write().await;
    let session = db
        .sessions
        .get_mut(&sid)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not_found", "no such biometrics session"))?;
    if session.expires_at < OffsetDateTime::now_utc() {
        return Err(Problem::new(StatusCode::GONE, "session_expired", "this biometrics session has expired"));
    }
    if session.state != "open" {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "session_finished",
            "this biometrics session is already finished",
        ));
    }
    session.state = if ok { "completed" } else { "failed" };
    let customer = session.customer_id.clone();
    let fx = if ok {
        db.decide(&customer, "biometrics", "approved", None)
    } else {
        db.decide(
            &customer,
            "biometrics",
            "rejected",
            Some("Captura biométrica não concluída: tente novamente com boa iluminação".into()),
        )
    };
    drop(db);
    effects::apply(&st, fx);
    Ok(Html(format!("<p id=\"state\">{}</p>", if ok { "Captura concluída" } else { "Captura com falha" }))
        .into_response())
}

/// Sets fault injection: `fail_next` requests answer `status` (default 503);
/// `drop_next` responses lose their connection halfway; `latency_ms` before each;
/// `ratio` of requests fail at random with one of `kinds` (`"503"`, `"500"`, `"429"`,
/// `"drop"`); `retry_after` seconds on 429/503 (default 1). Counts are at most
/// [`crate::MAX_COUNT`], the latency at most a minute, `retry_after` at most an hour.
async fn set_faults(State(st): State<AppState>, Body(b): Body<FaultsBody>) -> Result<Response, Problem> {
    let faults = b.into_faults().map_err(|r| {
        if r.bound {
            Problem::field(r.field, r.message)
        } else {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", r.message).param(r.field)
        }
    })?;
    *st.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = faults;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn clear_faults(State(st): State<AppState>) -> Response {
    *st.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Faults::default();
    StatusCode::NO_CONTENT.into_response()
}

/// An endpoint as the admin API shows it: never its secret.
fn endpoint_view(ep: &WebhookEndpoint) -> serde_json::Value {
    json!({"url": ep.url, "secret_set": !ep.secret.is_empty()})
}

/// The endpoints, without their secrets.
async fn list_webhooks(State(st): State<AppState>) -> Response {
    let data: Vec<serde_json::Value> = st.hooks.endpoints().iter().map(endpoint_view).collect();
    Json(json!({"data": data})).into_response()
}

/// Whether webhooks may be sent to `url`: http(s) on this machine only (127.0.0.0/8,
/// `localhost`, `[::1]`), so the admin API cannot make the sandbox post to others.
fn loopback_http(url: &reqwest::Url) -> bool {
    matches!(url.scheme(), "http" | "https")
        && match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        }
}

#[derive(Deserialize)]
struct NewWebhook {
    url: String,
    secret: Option<String>,
}

/// Registers an endpoint on loopback; answers its URL (not its secret).
async fn add_webhook(State(st): State<AppState>, Body(b): Body<NewWebhook>) -> Result<Response, Problem> {
    let url = reqwest::Url::parse(&b.url).ok().filter(loopback_http).ok_or_else(|| {
        Problem::field("url", "url must be an http(s) URL on this machine (127.0.0.1, localhost or [::1])")
    })?;
    let secret = b.secret.unwrap_or_else(|| crate::webhooks::DEFAULT_SECRET.to_owned());
    if crate::webhooks::sign(&secret, "x", 0, "").is_none() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "secret must be whsec_<base64>",
        )
        .param("secret"));
    }
    let ep = WebhookEndpoint { url: url.to_string(), secret };
    st.hooks.register(ep.clone());
    Ok((StatusCode::CREATED, Json(endpoint_view(&ep))).into_response())
}

/// Expires every token issued by `POST /auth/token` (to test a client's refresh).
async fn expire_tokens(State(st): State<AppState>) -> Response {
    let past = OffsetDateTime::now_utc() - time::Duration::seconds(1);
    for exp in st.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values_mut() {
        *exp = past;
    }
    StatusCode::NO_CONTENT.into_response()
}
