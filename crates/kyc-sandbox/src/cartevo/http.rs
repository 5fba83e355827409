//! The Cartevo flavour's public API under `/api/v1`: routes, tokens, the envelope and
//! NestJS errors.

use super::db::{Card, CardStatus, Customer, DocFile, FileBody, Kyc, Side, ms};
use super::nest::{Nest, envelope, page};
use super::rules::{self, BRANDS, Registration};
use super::{CartevoShared, State as AppState, lock};
use crate::docs::{MAX_DOCUMENT_BYTES, sniff};
use crate::middleware as mw;
use crate::util::constant_time_eq;
pub(crate) use crate::util::timestamp;
use axum::{
    Json, Router,
    body::{Bytes, to_bytes},
    extract::{
        DefaultBodyLimit, Multipart, OriginalUri, Path, RawQuery, Request, State, multipart::MultipartRejection,
    },
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

/// Every route of the Cartevo flavour's public API, as `(method, path)` under
/// `/api/v1`: its OpenAPI document ([`crate::CARTEVO_OPENAPI`]) describes exactly
/// these (a test checks it).
pub const CARTEVO_PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("post", "/auth/token"),
    ("get", "/customers"),
    ("post", "/customers"),
    ("post", "/customers/enroll"),
    ("get", "/customers/{customer_id}"),
    ("get", "/customers/{customer_id}/cards"),
    ("post", "/cards"),
    ("put", "/cards/{card_id}/freeze"),
    ("put", "/cards/{card_id}/unfreeze"),
    ("get", "/files/{file_id}"),
    ("get", "/openapi.json"),
];

/// The largest JSON body the API reads.
const MAX_JSON_BYTES: usize = 1 << 20;

/// The largest text field of a multipart registration read.
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;

/// The most parts a multipart registration may have.
const MAX_PARTS: usize = 64;

pub(crate) fn router(st: AppState) -> Router {
    let authed = Router::new()
        .route(
            "/customers",
            // The handler enforces the 10 MB limit per file itself, while reading.
            get(list_customers).post(create_customer).layer(DefaultBodyLimit::disable()),
        )
        .route("/customers/enroll", post(enroll_customer))
        .route("/customers/{id}", get(get_customer))
        .route("/customers/{id}/cards", get(list_cards))
        .route("/cards", post(create_card))
        .route("/cards/{id}/freeze", put(|st, p| set_frozen(st, p, true)))
        .route("/cards/{id}/unfreeze", put(|st, p| set_frozen(st, p, false)))
        .route("/files/{file_id}", get(get_file))
        .route_layer(middleware::from_fn_with_state(st.clone(), require_token));
    let api = Router::new()
        .merge(authed)
        .route("/auth/token", post(issue_token))
        .route("/openapi.json", get(openapi))
        .layer(middleware::from_fn_with_state(st.clone(), mw::faults::<CartevoShared>))
        .layer(middleware::from_fn_with_state(st.clone(), mw::rate_limit::<CartevoShared>));
    Router::new()
        .nest("/api/v1", api)
        .nest("/_sandbox", super::admin::router(&st))
        .fallback(no_route)
        .method_not_allowed_fallback(no_route)
        .layer(middleware::from_fn_with_state(st.clone(), mw::host_allowlist::<CartevoShared>))
        .layer(middleware::from_fn(mw::linger))
        .layer(middleware::from_fn_with_state(st.clone(), mw::request_id::<CartevoShared>))
        .with_state(st)
}

/// NestJS's answer to a route it does not have.
async fn no_route(method: Method, OriginalUri(uri): OriginalUri) -> Nest {
    Nest::not_found(format!("Cannot {method} {}", uri.path()))
}

// ------------------------------------------------------------------ wire shapes

/// A customer as `GET /customers` lists it.
fn list_item(c: &Customer) -> Value {
    json!({
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "country": c.country,
        "phone_country_code": c.phone_country_code,
        "phone_number": c.phone_number,
        "is_active": c.is_active,
        "created_at": timestamp(c.created_at),
        "updated_at": timestamp(c.updated_at),
    })
}

/// A customer as `GET /customers/{id}` shows it (`with_kyc`), or as its registration
/// answers (no `kyc_status`). Document URLs are under `origin`.
pub(crate) fn detail(c: &Customer, origin: &str, with_kyc: bool) -> Value {
    let url = |side| c.file_id(side).map(|id| format!("{origin}/api/v1/files/{id}"));
    let mut v = json!({
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "country": c.country,
        "street": c.street,
        "city": c.city,
        "state": c.state,
        "postal_code": c.postal_code,
        "phone_country_code": c.phone_country_code,
        "phone_number": c.phone_number,
        "identification_number": c.identification_number,
        "type": c.id_document_type,
        "number": c.identification_number,
        "image": url(Side::Front),
        "photo": url(Side::Back),
        "date_of_birth": format!("{}T00:00:00.000Z", c.date_of_birth),
        "is_active": c.is_active,
        "created_at": timestamp(c.created_at),
        "updated_at": timestamp(c.updated_at),
    });
    if with_kyc {
        v["kyc_status"] = json!(c.kyc_status.as_str());
    }
    v
}

fn card_json(c: &Card) -> Value {
    json!({
        "id": c.id,
        "customer_id": c.customer_id,
        "status": c.status.as_str(),
        "balance": format!("{}.{:02}", c.balance_cents / 100, c.balance_cents % 100),
        "masked_number": format!("**** **** **** {}", c.last4),
        "brand": c.brand,
        "currency": "USD",
        "name_on_card": c.name_on_card,
        "created_at": timestamp(c.created_at),
    })
}

/// A JSON object body (at most 1 MB), or a NestJS 400 saying what is wrong with it.
async fn json_object(req: Request) -> Result<Map<String, Value>, Nest> {
    let bytes = to_bytes(req.into_body(), MAX_JSON_BYTES)
        .await
        .map_err(|_| Nest::new(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large"))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Nest::bad("the body must be a JSON object")),
        Err(e) => Err(Nest::bad(format!("the body is not valid JSON: {e}"))),
    }
}

/// A string field of a JSON body: absent or null → `Ok(None)`; another type → the
/// message naming it.
fn string_of(m: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{field} must be a string")),
    }
}

// ------------------------------------------------------------------ auth

/// Every route but the token and the OpenAPI document needs a token this sandbox
/// issued that has not expired: `401 {"statusCode":401,"message":"Unauthorized",…}`.
async fn require_token(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = mw::bearer_token(req.headers()).map(str::trim) else {
        return Nest::unauthorized().into_response();
    };
    let expiry = lock(&st.tokens).get(token).copied();
    match expiry {
        Some(exp) if exp > OffsetDateTime::now_utc() => next.run(req).await,
        _ => Nest::unauthorized().into_response(),
    }
}

/// `POST /auth/token` with `{"client_id","client_key"}` → the token, not in the envelope.
async fn issue_token(State(st): State<AppState>, req: Request) -> Result<Response, Nest> {
    let m = json_object(req).await?;
    let mut errors = Vec::new();
    let mut field = |name: &str| match string_of(&m, name) {
        Ok(Some(v)) if !v.is_empty() => Some(v),
        Ok(_) => {
            errors.push(format!("{name} is required"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let (id, key) = (field("client_id"), field("client_key"));
    let (Some(id), Some(key)) = (id, key) else { return Err(Nest::fields(errors)) };
    if !(constant_time_eq(id.as_bytes(), st.config.client_id.as_bytes())
        && constant_time_eq(key.as_bytes(), st.config.client_secret.as_bytes()))
    {
        return Err(Nest::unauthorized());
    }
    let ttl = st.config.token_ttl.as_secs();
    let now = OffsetDateTime::now_utc();
    let token = super::new_access_token(&id, now, ttl);
    {
        let mut tokens = lock(&st.tokens);
        // Forget tokens that expired more than a day ago.
        tokens.retain(|_, exp| *exp > now - time::Duration::days(1));
        tokens.insert(token.clone(), now + st.config.token_ttl);
    }
    st.stats.tokens_issued.fetch_add(1, Ordering::Relaxed);
    Ok(Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl})).into_response())
}

async fn openapi(State(st): State<AppState>) -> Response {
    let mut doc: Value = serde_json::from_str(crate::CARTEVO_OPENAPI).unwrap_or_default();
    doc["servers"] = json!([{"url": format!("{}/api/v1", st.origin), "description": "this sandbox"}]);
    Json(doc).into_response()
}

// ------------------------------------------------------------------ customers

/// `page` and `limit` of a list: 1-based page, limit 1..=100; `sync` is accepted and
/// ignored.
fn page_params(query: Option<&str>) -> Result<(usize, usize), Nest> {
    let mut page = 1;
    let mut limit = super::DEFAULT_PAGE_SIZE;
    let mut errors = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "page" => match v.trim().parse::<usize>() {
                Ok(n) if n >= 1 => page = n,
                _ => errors.push("page must be an integer of at least 1".to_owned()),
            },
            "limit" => match v.trim().parse::<usize>() {
                Ok(n @ 1..=100) => limit = n,
                _ => errors.push("limit must be an integer from 1 to 100".to_owned()),
            },
            _ => {}
        }
    }
    if errors.is_empty() { Ok((page, limit)) } else { Err(Nest::fields(errors)) }
}

async fn list_customers(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, Nest> {
    let (p, limit) = page_params(q.as_deref())?;
    let churn = *lock(&st.churn);
    if churn.per_list > 0 {
        st.db.write().await.churn(churn.per_list, churn.at, OffsetDateTime::now_utc());
    }
    let db = st.db.read().await;
    let (items, total) = db.page(p, limit);
    let data = items.into_iter().map(list_item).collect();
    Ok(page("Customers retrieved successfully", data, p, limit, total))
}

async fn get_customer(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, Nest> {
    let db = st.db.read().await;
    let c = db.get(&id).ok_or_else(|| Nest::not_found("Customer not found"))?;
    Ok(envelope(StatusCode::OK, "Customer retrieved successfully", detail(c, &st.origin, true)))
}

/// An uploaded document: its file name and bytes.
struct Upload {
    name: String,
    bytes: Vec<u8>,
}

fn too_large() -> Nest {
    Nest::new(StatusCode::PAYLOAD_TOO_LARGE, "File too large")
}

/// 415 for anything but a PDF, JPEG or PNG (judged by its bytes); 422 for a file named
/// `…unreadable…` or an image under 200×200 pixels (or that cannot be decoded).
fn check_document(up: &Upload) -> Result<&'static str, Nest> {
    let content_type =
        sniff(&up.bytes).ok_or_else(|| Nest::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported file type"))?;
    let unreadable = || Nest::new(StatusCode::UNPROCESSABLE_ENTITY, "KYC document unreadable");
    if up.name.to_lowercase().contains(super::UNREADABLE_MARK) {
        return Err(unreadable());
    }
    if content_type != "application/pdf" {
        let dims = image::ImageReader::new(std::io::Cursor::new(&up.bytes))
            .with_guessed_format()
            .ok()
            .and_then(|r| r.into_dimensions().ok());
        match dims {
            Some((w, h)) if w >= super::MIN_DOCUMENT_PIXELS && h >= super::MIN_DOCUMENT_PIXELS => {}
            _ => return Err(unreadable()),
        }
    }
    Ok(content_type)
}

/// The fields for the two documents, checked after the text fields: the front is
/// required; the back is required for NIN and DRIVERS_LICENSE.
fn document_messages(doc_type: Option<&str>, front: bool, back: bool, suffix: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if !front {
        errors.push(format!("id_document_front{suffix} is required"));
    }
    if !back && doc_type.is_some_and(|t| super::BACK_REQUIRED_FOR.contains(&t)) {
        errors.push(format!("id_document_back{suffix} is required for DRIVERS_LICENSE and NIN"));
    }
    errors
}

/// Whether the back is used for this document type (not for PASSPORT).
fn back_used(doc_type: Option<&str>) -> bool {
    doc_type != Some("PASSPORT")
}

/// `POST /customers` (multipart): files first (413 while reading, then 415 and 422),
/// then every field rule (400, all at once), then 18+ (400), then duplicates (409).
async fn create_customer(
    State(st): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, Nest> {
    // Refuse an upload declared larger than two documents and their fields, unread.
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > 2 * MAX_DOCUMENT_BYTES + (1 << 20)) {
        return Err(too_large());
    }
    let mut multipart = multipart.map_err(|e| Nest::bad(format!("the body must be multipart/form-data: {e}")))?;
    let malformed = |e: axum::extract::multipart::MultipartError| {
        Nest::bad(format!("the multipart body cannot be read: {}", e.body_text()))
    };
    let mut values: HashMap<String, String> = HashMap::new();
    let (mut front, mut back): (Option<Upload>, Option<Upload>) = (None, None);
    let mut parts = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(Nest::bad(format!("the body may have at most {MAX_PARTS} parts")));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let is_document = matches!(name.as_str(), "id_document_front" | "id_document_back");
        let file_name = field.file_name().map(str::to_owned);
        let limit = if is_document { MAX_DOCUMENT_BYTES } else { MAX_TEXT_FIELD_BYTES };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            if bytes.len() + chunk.len() > limit {
                return Err(if is_document {
                    too_large()
                } else {
                    Nest::new(StatusCode::PAYLOAD_TOO_LARGE, format!("{name} is too large"))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_document {
            // An empty part without a file name is no file.
            if bytes.is_empty() && file_name.is_none() {
                continue;
            }
            let up = Upload { name: file_name.unwrap_or_default(), bytes };
            if name == "id_document_front" {
                front = Some(up);
            } else {
                back = Some(up);
            }
        } else {
            values.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let doc_type = values.get("id_document_type").map(|t| t.trim().to_owned());
    let doc_type = doc_type.as_deref();
    if !back_used(doc_type) {
        back = None;
    }
    let front_type = front.as_ref().map(check_document).transpose()?;
    let back_type = back.as_ref().map(check_document).transpose()?;
    let registration = rules::registration(&values);
    let doc_errors = document_messages(doc_type, front.is_some(), back.is_some(), "");
    let reg = match registration {
        Ok(reg) if doc_errors.is_empty() => reg,
        Ok(_) => return Err(Nest::fields(doc_errors)),
        Err(mut errors) => {
            errors.extend(doc_errors);
            return Err(Nest::fields(errors));
        }
    };
    let Some((front, front_type)) = front.zip(front_type) else {
        return Err(Nest::fields(vec!["id_document_front is required".into()]));
    };
    let reject = front.name.to_lowercase().contains(super::REJECT_MARK);
    let back = back.zip(back_type).map(|(b, t)| Doc::Upload(t, b.bytes));
    register(&st, reg, Doc::Upload(front_type, front.bytes), back, reject).await
}

/// `POST /customers/enroll` (JSON): the same rules, with `https://` document URLs that
/// the sandbox does not fetch (the documents are then generated pictures).
async fn enroll_customer(State(st): State<AppState>, req: Request) -> Result<Response, Nest> {
    let m = json_object(req).await?;
    let mut errors = Vec::new();
    let mut values = HashMap::new();
    for f in rules::text_field_names().chain(["id_document_front_url", "id_document_back_url"]) {
        match string_of(&m, f) {
            Ok(Some(v)) => {
                values.insert(f.to_owned(), v);
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    let doc_type = values.get("id_document_type").map(|t| t.trim().to_owned());
    let doc_type = doc_type.as_deref();
    let url = |f: &str| values.get(f).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let front = url("id_document_front_url");
    let back = url("id_document_back_url").filter(|_| back_used(doc_type));
    if front.as_deref().is_some_and(|u| u.to_lowercase().contains(super::UNREADABLE_MARK)) {
        return Err(Nest::new(StatusCode::UNPROCESSABLE_ENTITY, "KYC document unreadable"));
    }
    let registration = rules::registration(&values);
    if let Err(e) = &registration {
        errors.extend(e.iter().cloned());
    }
    errors.extend(document_messages(doc_type, front.is_some(), back.is_some(), "_url"));
    for (f, v) in [("id_document_front_url", &front), ("id_document_back_url", &back)] {
        if v.as_deref().is_some_and(|u| !rules::is_https_url(u)) {
            errors.push(format!("{f} must be a URL address"));
        }
    }
    let reg = match registration {
        Ok(reg) if errors.is_empty() => reg,
        _ => return Err(Nest::fields(errors)),
    };
    let reject = front.as_deref().is_some_and(|u| u.to_lowercase().contains(super::REJECT_MARK));
    register(&st, reg, Doc::Placeholder, back.map(|_| Doc::Placeholder), reject).await
}

/// A document of a new customer.
enum Doc {
    /// An uploaded file: its content type and bytes.
    Upload(&'static str, Vec<u8>),
    /// Given as a URL: served as a generated picture.
    Placeholder,
}

/// The rules after the fields (18+, then the duplicates), then the customer, whose
/// review is scheduled.
async fn register(
    st: &Arc<CartevoShared>,
    reg: Registration,
    front: Doc,
    back: Option<Doc>,
    reject: bool,
) -> Result<Response, Nest> {
    let now = OffsetDateTime::now_utc();
    if !rules::is_adult(reg.date_of_birth, now.date()) {
        return Err(Nest::bad("Customer must be 18 or older"));
    }
    let mut db = st.db.write().await;
    if db.email_taken(&reg.email) {
        return Err(Nest::new(StatusCode::CONFLICT, "Customer with this email already exists"));
    }
    if db.number_taken(&reg.identification_number) {
        return Err(Nest::new(StatusCode::CONFLICT, "Customer with this identification_number already exists"));
    }
    let mut keep = |d: Doc| match d {
        Doc::Upload(ct, bytes) => DocFile::Stored(db.store_file(ct, bytes)),
        Doc::Placeholder => DocFile::Placeholder,
    };
    let front = keep(front);
    let back = back.map(keep);
    let created_at = db.next_at_end(now);
    let c = Customer {
        id: uuid::Uuid::new_v4().to_string(),
        first_name: reg.first_name,
        last_name: reg.last_name,
        email: reg.email,
        country: reg.country,
        street: reg.street,
        city: reg.city,
        state: reg.state,
        postal_code: reg.postal_code,
        country_iso_code: reg.country_iso_code,
        phone_country_code: reg.country_phone_code,
        phone_number: reg.phone_number,
        identification_number: reg.identification_number,
        id_document_type: reg.id_document_type,
        date_of_birth: reg.date_of_birth,
        front,
        back,
        is_active: true,
        kyc_status: Kyc::Pending,
        created_at,
        updated_at: created_at,
    };
    let body = detail(&c, &st.origin, false);
    let seq = db.bump_review(&c.id);
    let id = c.id.clone();
    db.insert(c);
    drop(db);
    st.stats.customers_created.fetch_add(1, Ordering::Relaxed);
    schedule_review(st, id, seq, if reject { Kyc::Rejected } else { Kyc::Approved });
    Ok(envelope(StatusCode::CREATED, "Customer created successfully", body))
}

/// The review's outcome after the review delay, unless an admin decision came first.
fn schedule_review(st: &Arc<CartevoShared>, id: String, seq: u64, outcome: Kyc) {
    let st = st.clone();
    tokio::spawn(async move {
        tokio::time::sleep(st.config.review_delay).await;
        let mut db = st.db.write().await;
        if db.review_is_current(&id, seq) {
            db.set_kyc(&id, outcome, OffsetDateTime::now_utc());
        }
    });
}

/// `GET /files/{id}`: a document's bytes (generated ones drawn on the spot).
async fn get_file(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, Nest> {
    let body = st.db.read().await.file(&id).ok_or_else(|| Nest::not_found("File not found"))?;
    let (content_type, bytes): (&'static str, Bytes) = match body {
        FileBody::Stored(f) => (f.content_type, Bytes::from(f.bytes.as_ref().clone())),
        FileBody::Placeholder { holder, doc_type, side, seed } => {
            let png = tokio::task::spawn_blocking(move || super::seed::document_png(&holder, &doc_type, side, &seed))
                .await
                .map_err(|e| Nest::new(StatusCode::INTERNAL_SERVER_ERROR, format!("drawing failed: {e}")))?;
            ("image/png", Bytes::from(png))
        }
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(resp)
}

// ------------------------------------------------------------------ cards

/// `GET /customers/{id}/cards`: an empty list is a 404, as Cartevo answers it.
async fn list_cards(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, Nest> {
    let db = st.db.read().await;
    db.get(&id).ok_or_else(|| Nest::not_found("Customer not found"))?;
    let cards = db.cards_for(&id);
    if cards.is_empty() {
        return Err(Nest::not_found("No cards found for this customer"));
    }
    let data: Vec<Value> = cards.into_iter().map(card_json).collect();
    Ok(envelope(StatusCode::OK, "Cards retrieved successfully", json!(data)))
}

/// `POST /cards`: field rules (400), then the customer (404), then its KYC (400). No
/// idempotency: every call that passes makes a card.
async fn create_card(State(st): State<AppState>, req: Request) -> Result<Response, Nest> {
    let m = json_object(req).await?;
    let mut errors = Vec::new();
    let mut required = |f: &str| match string_of(&m, f) {
        Ok(Some(v)) if !v.trim().is_empty() => Some(v.trim().to_owned()),
        Ok(_) => {
            errors.push(format!("{f} is required"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let customer_id = required("customer_id");
    let brand = required("brand");
    let name_on_card = required("name_on_card");
    if brand.as_deref().is_some_and(|b| !BRANDS.contains(&b)) {
        errors.push(format!("brand must be one of {}", BRANDS.join(", ")));
    }
    if name_on_card.as_deref().is_some_and(|n| n.chars().count() > 50) {
        errors.push("name_on_card must be at most 50 characters".into());
    }
    let amount = match m.get("amount") {
        None | Some(Value::Null) => {
            errors.push("amount is required".into());
            None
        }
        Some(v) => rules::amount_cents(v).map_err(|e| errors.push(e)).ok(),
    };
    let (Some(customer_id), Some(brand), Some(name_on_card), Some(amount), true) =
        (customer_id, brand, name_on_card, amount, errors.is_empty())
    else {
        return Err(Nest::fields(errors));
    };
    let mut db = st.db.write().await;
    let c = db.get(&customer_id).ok_or_else(|| Nest::not_found("Customer not found"))?;
    if c.kyc_status != Kyc::Approved {
        return Err(Nest::bad("Customer KYC is not approved"));
    }
    let last4 = format!("{:04}", uuid::Uuid::new_v4().as_u128() % 10_000);
    let card = Card {
        id: uuid::Uuid::new_v4().to_string(),
        customer_id,
        status: CardStatus::Active,
        balance_cents: amount,
        last4,
        brand,
        name_on_card,
        created_at: ms(OffsetDateTime::now_utc()),
    };
    let body = card_json(&card);
    db.add_card(card);
    drop(db);
    st.stats.cards_created.fetch_add(1, Ordering::Relaxed);
    Ok((StatusCode::CREATED, Json(json!({"status": "success", "message": "Card created successfully!", "card": body})))
        .into_response())
}

/// `PUT /cards/{id}/freeze` (from ACTIVE only) and `/unfreeze` (from FROZEN only).
async fn set_frozen(State(st): State<AppState>, Path(id): Path<String>, freeze: bool) -> Result<Response, Nest> {
    let mut db = st.db.write().await;
    let card = db.card_mut(&id).ok_or_else(|| Nest::not_found("Card not found"))?;
    let (from, to, verb) = if freeze {
        (CardStatus::Active, CardStatus::Frozen, "frozen")
    } else {
        (CardStatus::Frozen, CardStatus::Active, "unfrozen")
    };
    if card.status != from {
        return Err(Nest::bad(format!("Card cannot be {verb} from status {}", card.status.as_str())));
    }
    card.status = to;
    let data = json!({"card_id": card.id, "card_status": to.as_str()});
    Ok(envelope(StatusCode::OK, &format!("Card {verb} successfully"), data))
}
