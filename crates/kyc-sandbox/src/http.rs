//! The public API under `/api/v3`: routes, auth and RFC 9457 problem bodies.

use crate::docs::{MAX_DOCUMENT_BYTES, TINY_DOCUMENT_BYTES, sniff};
use crate::problem::Problem;
use crate::state::{BiometricSession, CreateOutcome, Document, DocumentMeta, Filter, NewCustomer, SortKey, new_id};
use crate::util::{constant_time_eq, sha256_hex};
use crate::{AppState, Shared, middleware as mw};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

/// Every route of the public API, as `(method, path)`: the OpenAPI document must
/// describe exactly these (a test checks it).
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("post", "/auth/token"),
    ("get", "/customers"),
    ("post", "/customers"),
    ("get", "/customers/{customer_id}"),
    ("patch", "/customers/{customer_id}"),
    ("post", "/customers/{customer_id}/documents"),
    ("post", "/customers/{customer_id}/biometrics"),
    ("get", "/customers/{customer_id}/credit-offers"),
    ("get", "/openapi.json"),
];

pub fn router(state: AppState) -> Router {
    let customers = Router::new()
        .route("/customers", get(list_customers).post(create_customer))
        .route("/customers/{id}", get(get_customer).patch(update_customer))
        .route(
            "/customers/{id}/documents",
            // The handler enforces the 10 MB limit itself (413 before reading the rest).
            post(upload_document).layer(DefaultBodyLimit::disable()),
        )
        .route("/customers/{id}/biometrics", post(create_biometrics))
        .route("/customers/{id}/credit-offers", get(list_offers))
        .layer(middleware::from_fn_with_state(state.clone(), mw::idempotency::<Shared>))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_bearer));
    let api = Router::new()
        .merge(customers)
        .route("/auth/token", post(issue_token))
        .route("/openapi.json", get(openapi))
        .layer(middleware::from_fn_with_state(state.clone(), mw::faults::<Shared>))
        .layer(middleware::from_fn_with_state(state.clone(), mw::rate_limit::<Shared>));
    Router::new()
        .nest("/api/v3", api)
        .nest("/_sandbox", crate::admin::router(&state))
        .fallback(|| async { Problem::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .layer(middleware::from_fn_with_state(state.clone(), mw::host_allowlist::<Shared>))
        .layer(middleware::from_fn(mw::linger))
        .layer(middleware::from_fn_with_state(state.clone(), mw::request_id::<Shared>))
        .with_state(state)
}

async fn require_bearer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let unauthorized = |d: &str| Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", d).into_response();
    let Some(token) = mw::bearer_token(req.headers()) else {
        return unauthorized("missing bearer token: send Authorization: Bearer <token>");
    };
    if constant_time_eq(token.as_bytes(), st.config.token.as_bytes()) {
        return next.run(req).await;
    }
    let expiry = st.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(token).copied();
    match expiry {
        Some(exp) if exp > OffsetDateTime::now_utc() => next.run(req).await,
        Some(_) => unauthorized("the access token has expired: request a new one from POST /auth/token"),
        None => unauthorized("the bearer token is not valid"),
    }
}

/// The fields of a token request body: JSON (what the official SDKs send) or
/// form-encoded (RFC 6749). Which one comes from `Content-Type`, else from the first
/// byte.
fn token_request_fields(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, Problem> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let is_json = if content_type.contains("json") {
        true
    } else if content_type.contains("x-www-form-urlencoded") {
        false
    } else {
        body.trim_ascii_start().starts_with(b"{")
    };
    if !is_json {
        return Ok(url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect());
    }
    let m = json_object(body)?;
    let mut fields = Vec::new();
    for field in ["grant_type", "client_id", "client_secret"] {
        match m.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) => fields.push((field.to_owned(), v.clone())),
            Some(_) => return Err(Problem::bad(field, format!("{field} must be a string"))),
        }
    }
    Ok(fields)
}

/// `POST /auth/token`: the client credentials in a JSON body (`grant_type`,
/// `client_id`, `client_secret`), in a form-encoded body, or with HTTP Basic and a body
/// (JSON or form) carrying only `grant_type`.
async fn issue_token(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, Problem> {
    use base64::Engine;
    let unauthorized = || Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "client credentials are not valid");
    let fields = token_request_fields(&headers, &body)?;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    match field("grant_type") {
        Some("client_credentials") => {}
        None | Some("") => return Err(Problem::bad("grant_type", "grant_type is required (client_credentials)")),
        Some(_) => return Err(Problem::bad("grant_type", "grant_type must be client_credentials")),
    }
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let (id, secret) = match authorization.and_then(|v| v.strip_prefix("Basic ")) {
        Some(basic) => {
            let decoded = base64::engine::general_purpose::STANDARD.decode(basic.trim()).map_err(|_| unauthorized())?;
            let decoded = String::from_utf8(decoded).map_err(|_| unauthorized())?;
            let (id, secret) = decoded.split_once(':').ok_or_else(unauthorized)?;
            (id.to_owned(), secret.to_owned())
        }
        None => match (field("client_id"), field("client_secret")) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
            _ => {
                return Err(Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "send client_id and client_secret in the body, or with HTTP Basic auth",
                ));
            }
        },
    };
    if !(constant_time_eq(id.as_bytes(), st.config.client_id.as_bytes())
        && constant_time_eq(secret.as_bytes(), st.config.client_secret.as_bytes()))
    {
        return Err(unauthorized());
    }
    let token = format!("dinie_at_{}", uuid::Uuid::new_v4().simple());
    let ttl = st.config.token_ttl;
    let expires = OffsetDateTime::now_utc() + ttl;
    st.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(token.clone(), expires);
    st.stats.tokens_issued.fetch_add(1, Ordering::Relaxed);
    Ok(Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl.as_secs()})).into_response())
}

async fn openapi(State(st): State<AppState>) -> Response {
    let mut doc: Value = serde_json::from_str(crate::OPENAPI).unwrap_or_default();
    doc["servers"] = json!([{"url": format!("{}/api/v3", st.base_url), "description": "this sandbox"}]);
    Json(doc).into_response()
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
    let limit = match p.limit.as_deref() {
        None => 20,
        Some(l) => match l.parse::<usize>() {
            Ok(n @ 1..=100) => n,
            _ => return Err(Problem::bad("limit", "limit must be a whole number from 1 to 100")),
        },
    };
    let sort = match p.sort.as_deref() {
        None | Some("created_at") => SortKey::Created,
        Some("updated_at") => SortKey::Updated,
        Some(_) => return Err(Problem::bad("sort", "sort must be created_at or updated_at")),
    };
    let desc = match p.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(Problem::bad("order", "order must be asc or desc")),
    };
    let filter = Filter {
        cpf_digits: p.cpf.as_deref().map(kyc_model::only_digits),
        external_id: p.external_id,
        status: p.status,
    };
    let db = st.db.read().await;
    let (data, has_more) = db
        .page(sort, desc, p.starting_after.as_deref(), limit, &filter)
        .map_err(|()| Problem::bad("starting_after", "starting_after must be the id of an existing customer"))?;
    // Serialized straight from the records: no intermediate JSON tree per page.
    #[derive(serde::Serialize)]
    struct ListBody<'a> {
        object: &'static str,
        data: &'a [crate::SandboxCustomer],
        has_more: bool,
    }
    Ok(Json(ListBody { object: "list", data: &data, has_more }).into_response())
}

async fn get_customer(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let db = st.db.read().await;
    db.get(&id).map(|c| Json(c).into_response()).ok_or_else(|| Problem::not_found(&id))
}

/// Parses a JSON object body, or says what is wrong with it.
fn json_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Problem> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Problem::new(StatusCode::BAD_REQUEST, "invalid_request", "the body must be a JSON object")),
        Err(e) => {
            Err(Problem::new(StatusCode::BAD_REQUEST, "invalid_request", format!("the body is not valid JSON: {e}")))
        }
    }
}

/// A string field: absent or null → `None`; another type → 400 naming the field.
fn string_field(m: &serde_json::Map<String, Value>, field: &str) -> Result<Option<String>, Problem> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(Problem::bad(field, format!("{field} must be a string"))),
    }
}

type FieldErrors = Vec<(String, String, String)>;

fn check<T>(errors: &mut FieldErrors, r: Result<T, kyc_model::FieldError>) -> Option<T> {
    r.map_err(|e| errors.push((e.field, e.message, e.code))).ok()
}

async fn create_customer(State(st): State<AppState>, body: Bytes) -> Result<Response, Problem> {
    let m = json_object(&body)?;
    let cpf =
        string_field(&m, "cpf")?.filter(|s| !s.is_empty()).ok_or_else(|| Problem::bad("cpf", "cpf is required"))?;
    let mut errors = FieldErrors::new();
    let cpf = check(&mut errors, kyc_model::Cpf::parse(&cpf));
    let cnpj = match string_field(&m, "cnpj")?.filter(|s| !s.is_empty()) {
        Some(c) => check(&mut errors, kyc_model::Cnpj::parse(&c).map(Some)).flatten(),
        None => None,
    };
    let name = string_field(&m, "name")?.unwrap_or_default();
    let email = string_field(&m, "email")?.unwrap_or_default();
    let phone = string_field(&m, "phone")?.unwrap_or_default();
    if !email.is_empty() {
        check(&mut errors, kyc_model::Email::parse(&email));
    }
    if !phone.is_empty() {
        check(&mut errors, kyc_model::Phone::parse(&phone));
    }
    for (field, max) in [("name", 200), ("trading_name", 200), ("external_id", 255)] {
        if string_field(&m, field)?.is_some_and(|v| v.chars().count() > max) {
            errors.push((field.into(), format!("{field} must be at most {max} characters"), "too_long".into()));
        }
    }
    let (Some(cpf), true) = (cpf, errors.is_empty()) else { return Err(Problem::invalid(errors)) };
    let new = NewCustomer {
        cpf,
        cnpj,
        name,
        email,
        phone,
        trading_name: string_field(&m, "trading_name")?.filter(|s| !s.is_empty()),
        external_id: string_field(&m, "external_id")?.filter(|s| !s.is_empty()),
    };
    let (outcome, fx) = st.db.write().await.create(new, OffsetDateTime::now_utc());
    crate::effects::apply(&st, fx);
    match outcome {
        CreateOutcome::Created(c) => {
            st.stats.customers_created.fetch_add(1, Ordering::Relaxed);
            Ok((StatusCode::CREATED, Json(c)).into_response())
        }
        CreateOutcome::Existing(c) => Ok((StatusCode::OK, Json(c)).into_response()),
        CreateOutcome::Conflict(id) => Err(Problem::new(
            StatusCode::CONFLICT,
            "customer_conflict",
            format!("a customer with this CPF/CNPJ already exists with another external_id ({id})"),
        )
        .param("external_id")),
    }
}

async fn update_customer(State(st): State<AppState>, Path(id): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let m = json_object(&body)?;
    if st.db.read().await.get(&id).is_none() {
        return Err(Problem::not_found(&id));
    }
    let mut errors = FieldErrors::new();
    let mut fields: Vec<(&'static str, String)> = Vec::new();
    for (k, _) in &m {
        match k.as_str() {
            "cpf" | "cnpj" | "external_id" => {
                errors.push((
                    k.clone(),
                    format!("{k} cannot be changed after registration"),
                    "field_not_updatable".into(),
                ));
            }
            "name" | "email" | "phone" | "trading_name" => {}
            other => {
                errors.push((other.to_owned(), format!("{other} is not a customer field"), "unknown_field".into()))
            }
        }
    }
    if errors.iter().any(|e| e.2 == "field_not_updatable") {
        let mut p = Problem::invalid(errors);
        p.code = "field_not_updatable";
        p.detail = "cpf, cnpj and external_id cannot be updated".into();
        return Err(p);
    }
    for field in ["name", "email", "phone", "trading_name"] {
        let Some(v) = string_field(&m, field)? else { continue };
        match field {
            "email" => check(&mut errors, kyc_model::Email::parse(&v)).map(|_| ()),
            "phone" => check(&mut errors, kyc_model::Phone::parse(&v)).map(|_| ()),
            "name" if v.is_empty() => {
                errors.push(("name".into(), "name cannot be empty".into(), "required".into()));
                None
            }
            _ => Some(()),
        };
        fields.push((field, v));
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let (c, fx) =
        st.db.write().await.patch(&id, &fields, OffsetDateTime::now_utc()).ok_or_else(|| Problem::not_found(&id))?;
    crate::effects::apply(&st, fx);
    Ok(Json(c).into_response())
}

async fn upload_document(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, Problem> {
    let too_large = || {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "documents may be at most 10 MB").param("file")
    };
    // Refuse an oversized upload from its declared length, before reading it.
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_DOCUMENT_BYTES + 64 * 1024) {
        return Err(too_large());
    }
    let items: Vec<(String, String, String)> = {
        let db = st.db.read().await;
        let c = db.get(&id).ok_or_else(|| Problem::not_found(&id))?;
        c.kyc.iter().map(|i| (i.item_type.clone(), i.kind.clone(), i.status.clone())).collect()
    };
    let mut doc_type: Option<String> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let malformed = |e: axum::extract::multipart::MultipartError| {
        Problem::new(StatusCode::BAD_REQUEST, "invalid_request", format!("the multipart body cannot be read: {e}"))
    };
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        match field.name() {
            Some("type") => doc_type = Some(field.text().await.map_err(malformed)?.trim().to_owned()),
            Some("file") => {
                let name = field.file_name().unwrap_or("document").to_owned();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                    if bytes.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let doc_type = doc_type.filter(|t| !t.is_empty()).ok_or_else(|| Problem::bad("type", "type is required"))?;
    let (filename, bytes) = file.ok_or_else(|| Problem::bad("file", "file is required"))?;
    let known_documents: Vec<&str> =
        items.iter().filter(|(t, k, _)| k == "document" && t != "biometrics").map(|(t, _, _)| t.as_str()).collect();
    if !known_documents.contains(&doc_type.as_str()) {
        let detail = if doc_type == "biometrics" {
            "biometrics is captured through POST /customers/{id}/biometrics, not uploaded".to_owned()
        } else {
            format!("{doc_type} is not a document this customer needs; expected one of: {}", known_documents.join(", "))
        };
        return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_document_type", detail).param("type"));
    }
    if items.iter().any(|(t, _, status)| *t == doc_type && status == "approved") {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "document_already_submitted",
            format!("{doc_type} is already approved for this customer"),
        )
        .param("type"));
    }
    let content_type = sniff(&bytes).ok_or_else(|| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the file must be a PDF, JPEG or PNG",
        )
        .param("file")
    })?;
    let outcome = if bytes.len() < TINY_DOCUMENT_BYTES {
        ("rejected", Some("Arquivo muito pequeno: envie uma imagem nítida do documento inteiro".to_owned()))
    } else if filename.to_lowercase().contains("reject") {
        ("rejected", Some("Documento ilegível: envie uma foto sem reflexo".to_owned()))
    } else {
        ("approved", None)
    };
    let meta = DocumentMeta {
        id: new_id("doc_"),
        doc_type,
        filename,
        content_type: content_type.into(),
        size: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
        uploaded_at: OffsetDateTime::now_utc(),
    };
    let doc = Document { customer_id: id, meta, bytes: Arc::new(bytes) };
    let (meta, fx) = st.db.write().await.add_document(doc, outcome);
    st.stats.documents_stored.fetch_add(1, Ordering::Relaxed);
    crate::effects::apply(&st, fx);
    Ok((StatusCode::CREATED, Json(meta)).into_response())
}

async fn create_biometrics(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let mut db = st.db.write().await;
    let c = db.get(&id).ok_or_else(|| Problem::not_found(&id))?;
    if !c.kyc.iter().any(|i| i.item_type == "biometrics") {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_document_type",
            "this customer does not need biometrics",
        ));
    }
    let session = BiometricSession {
        id: new_id("bio_"),
        customer_id: id,
        expires_at: OffsetDateTime::now_utc() + st.config.biometrics_ttl,
        state: "open",
    };
    let url = format!("{}/_sandbox/biometrics/{}", st.base_url, session.id);
    let expires_at = session.expires_at;
    db.sessions.insert(session.id.clone(), session);
    let expires_at = expires_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    Ok(Json(json!({"session_url": url, "expires_at": expires_at})).into_response())
}

async fn list_offers(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let db = st.db.read().await;
    db.get(&id).ok_or_else(|| Problem::not_found(&id))?;
    let offers = db.offers.get(&id).cloned().unwrap_or_default();
    Ok(Json(json!({"object": "list", "data": offers, "has_more": false})).into_response())
}
