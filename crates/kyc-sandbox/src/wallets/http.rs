//! The wallets flavour's public API at the root path: routes, the API key, `{"data"}`
//! bodies and `{"error"}` bodies.

use super::db::{
    BvnRecord, Cursor, Customer, CustomerFilter, CustomerStatus, PaymentMethod, Txn, TxnKind, UnknownCursor, Wallet,
    WalletEvent, WalletFilter, WalletStatus,
};
use super::rules;
use super::wire::{self, ApiError, FieldError, amount, data, list};
use super::{
    CURRENCIES, DEFAULT_PAGE_SIZE, HOLD_MARK, MAX_JSON_BYTES, MAX_PAGE_SIZE, State as AppState, UNKNOWN_BVN,
    WalletsShared, random_id,
};
use crate::middleware as mw;
use crate::seed::Rng;
use crate::util::{constant_time_eq, ms, timestamp};
use axum::{
    Json, Router,
    body::to_bytes,
    extract::{OriginalUri, Path, RawQuery, Request, State},
    http::{Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, patch, post},
};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};

/// Every route of the wallets flavour's public API, as `(method, path)` at the root:
/// its OpenAPI document ([`crate::WALLETS_OPENAPI`]) describes exactly these (a test
/// checks it).
pub const WALLETS_PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("get", "/customers"),
    ("post", "/customers"),
    ("get", "/customers/{customer_id}"),
    ("patch", "/customers/{customer_id}"),
    ("post", "/payment-methods/resolve-bvn"),
    ("post", "/wallets"),
    ("get", "/wallets/all"),
    ("get", "/wallets/transactions"),
    ("get", "/wallets/{wallet_id}"),
    ("patch", "/wallets/{wallet_id}/status"),
    ("post", "/wallets/{wallet_id}/payment-method"),
    ("get", "/openapi.json"),
];

pub(crate) fn router(st: AppState) -> Router {
    let authed = Router::new()
        .route("/customers", get(list_customers).post(create_customer))
        .route("/customers/{id}", get(get_customer).patch(update_customer))
        .route("/payment-methods/resolve-bvn", post(resolve_bvn))
        .route("/wallets", post(create_wallet))
        .route("/wallets/all", get(list_wallets))
        .route("/wallets/transactions", get(list_transactions))
        .route("/wallets/{id}", get(get_wallet))
        .route("/wallets/{id}/status", patch(set_wallet_status))
        .route("/wallets/{id}/payment-method", post(add_payment_method))
        .layer(middleware::from_fn(wire::error_shape))
        .layer(middleware::from_fn_with_state(st.clone(), mw::idempotency::<WalletsShared>))
        .route_layer(middleware::from_fn_with_state(st.clone(), require_key));
    // The rate limit (and its headers) and the faults cover unknown routes too; not the
    // admin surface.
    let api = Router::new()
        .merge(authed)
        .route("/openapi.json", get(openapi))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(st.clone(), mw::faults::<WalletsShared>))
        .layer(middleware::from_fn_with_state(st.clone(), mw::rate_limit::<WalletsShared>));
    Router::new()
        .nest("/_sandbox", super::admin::router(&st))
        .merge(api)
        .layer(middleware::from_fn(wire::request_id_in_5xx))
        .layer(middleware::from_fn_with_state(st.clone(), mw::host_allowlist::<WalletsShared>))
        .layer(middleware::from_fn(mw::linger))
        .layer(middleware::from_fn_with_state(st.clone(), mw::request_id::<WalletsShared>))
        .with_state(st)
}

async fn no_route(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::not_found(format!("No route for {method} {}", uri.path()))
}

async fn wrong_method(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// The API key, bare (`Authorization: <key>`) or as a bearer token; 401 otherwise.
async fn require_key(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let given = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(|v| {
        let v = v.trim();
        match v.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => v[7..].trim(),
            _ => v,
        }
    });
    match given {
        Some(k) if constant_time_eq(k.as_bytes(), st.config.token.as_bytes()) => next.run(req).await,
        _ => ApiError::unauthorized().into_response(),
    }
}

async fn openapi(State(st): State<AppState>) -> Response {
    let mut doc: Value = serde_json::from_str(crate::WALLETS_OPENAPI).unwrap_or_default();
    doc["servers"] = json!([{"url": st.origin, "description": "this sandbox"}]);
    Json(doc).into_response()
}

// ------------------------------------------------------------------ wire shapes

/// A customer as every route answers it.
pub(crate) fn customer_json(c: &Customer) -> Value {
    let a = &c.billing_address;
    json!({
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "phone_number": c.phone_number,
        "type": c.kind.as_str(),
        "status": c.status.as_str(),
        "billing_address": {
            "line1": a.line1,
            "line2": a.line2,
            "city": a.city,
            "state": a.state,
            "zip_code": a.zip_code,
            "country": a.country,
        },
        "created_at": timestamp(c.created_at),
        "updated_at": timestamp(c.updated_at),
    })
}

fn wallet_json(w: &Wallet) -> Value {
    json!({
        "id": w.id,
        "account_id": w.account_id,
        "customer_id": w.customer_id,
        "currency": w.currency,
        "balance": {"amount": amount(w.balance), "currency": w.currency},
        "status": w.status.as_str(),
        "created_at": timestamp(w.created_at),
        "updated_at": timestamp(w.updated_at),
    })
}

fn payment_method_json(pm: &PaymentMethod) -> Value {
    let mut v = json!({
        "id": pm.id,
        "type": "bank_account",
        "bank_name": pm.bank_name,
        "account_number": pm.account_number,
        "account_name": pm.account_name,
        "currency": pm.currency,
        "created_at": timestamp(pm.created_at),
    });
    for (k, x) in [("routing_number", &pm.routing_number), ("sort_code", &pm.sort_code), ("iban", &pm.iban)] {
        if let Some(x) = x {
            v[k] = json!(x);
        }
    }
    v
}

fn event_json(e: &WalletEvent) -> Value {
    let mut v = json!({"type": e.kind, "at": timestamp(e.at)});
    if let Some(s) = e.status {
        v["status"] = json!(s.as_str());
    }
    if let Some(r) = &e.reason {
        v["reason"] = json!(r);
    }
    v
}

/// A wallet as `GET /wallets/{id}` shows it: with its bank accounts and events.
fn wallet_detail(w: &Wallet) -> Value {
    let mut v = wallet_json(w);
    v["payment_methods"] = w.payment_methods.iter().map(payment_method_json).collect();
    v["events"] = w.events.iter().map(event_json).collect();
    v
}

fn txn_json(t: &Txn) -> Value {
    json!({
        "id": t.id,
        "wallet_id": t.wallet_id,
        "type": t.kind.as_str(),
        "amount": amount(t.amount),
        "currency": t.currency,
        "status": t.status.as_str(),
        "description": t.description,
        "created_at": timestamp(t.created_at),
    })
}

/// A BVN record as `resolve-bvn` answers it.
pub(crate) fn bvn_json(b: &BvnRecord) -> Value {
    json!({
        "first_name": b.first_name,
        "middle_name": b.middle_name,
        "surname": b.surname,
        "date_of_birth": b.date_of_birth.to_string(),
        "mobile_number": b.mobile_number,
    })
}

/// A JSON object body (at most 1 MB), or a 400 / 413 saying what is wrong with it.
pub(crate) async fn json_object(req: Request) -> Result<Map<String, Value>, ApiError> {
    let bytes = to_bytes(req.into_body(), MAX_JSON_BYTES).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The request body is too large")
    })?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad("The request body must be a JSON object")),
        Err(e) => Err(ApiError::bad(format!("The request body is not valid JSON: {e}"))),
    }
}

// ------------------------------------------------------------------ lists

/// The query of a list: its pairs, and the paging ones read.
struct ListQuery {
    pairs: Vec<(String, String)>,
    limit: usize,
    after: Option<String>,
    before: Option<String>,
    errors: Vec<FieldError>,
}

impl ListQuery {
    fn parse(q: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut lq = ListQuery { pairs, limit: DEFAULT_PAGE_SIZE, after: None, before: None, errors: Vec::new() };
        if let Some(v) = lq.get("limit") {
            match v.trim().parse::<usize>() {
                Ok(n @ 1..=MAX_PAGE_SIZE) => lq.limit = n,
                _ => lq
                    .errors
                    .push(FieldError::invalid("limit", format!("limit must be an integer from 1 to {MAX_PAGE_SIZE}"))),
            }
        }
        lq.after = lq.get("after").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        lq.before = lq.get("before").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        if lq.after.is_some() && lq.before.is_some() {
            lq.errors.push(FieldError::invalid("before", "use after or before, not both"));
        }
        lq
    }

    /// The last value of a parameter.
    fn get(&self, k: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
    }

    fn cursor(&self) -> Cursor<'_> {
        match (&self.after, &self.before) {
            (Some(a), _) => Cursor::After(a),
            (None, Some(b)) => Cursor::Before(b),
            _ => Cursor::Start,
        }
    }

    /// The 422 for a cursor that names nothing in the list.
    fn unknown_cursor(&self, _: UnknownCursor) -> ApiError {
        let field = if self.after.is_some() { "after" } else { "before" };
        ApiError::field(FieldError::invalid(field, format!("{field} is not a cursor of this list")))
    }

    fn check(&mut self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::validation(std::mem::take(&mut self.errors))) }
    }
}

/// An ISO 8601 instant (`2026-03-01T12:00:00Z`, any offset) or date (midnight UTC). A
/// `+` of an offset that arrived as a space (an unencoded query) is read as `+`.
fn instant(v: &str) -> Option<OffsetDateTime> {
    let v = v.trim();
    OffsetDateTime::parse(v, &Rfc3339)
        .ok()
        .or_else(|| OffsetDateTime::parse(&v.replace(' ', "+"), &Rfc3339).ok())
        .or_else(|| Date::parse(v, format_description!("[year]-[month]-[day]")).ok().map(|d| d.midnight().assume_utc()))
}

async fn list_customers(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let mut lq = ListQuery::parse(q.as_deref());
    let mut filter = CustomerFilter {
        email: lq.get("email").map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()),
        ..CustomerFilter::default()
    };
    for field in ["created_after", "created_before"] {
        let Some(v) = lq.get(field).filter(|v| !v.trim().is_empty()) else { continue };
        match instant(v) {
            Some(t) if field == "created_after" => filter.created_after = Some(t),
            Some(t) => filter.created_before = Some(t),
            None => lq.errors.push(FieldError::invalid(field, format!("{field} must be an ISO 8601 date or time"))),
        }
    }
    let desc = match lq.get("sort").map(str::trim) {
        None | Some("") | Some("created_at:desc") => true,
        Some("created_at:asc") => false,
        Some(_) => {
            lq.errors.push(FieldError::invalid("sort", "sort must be created_at:asc or created_at:desc"));
            true
        }
    };
    lq.check()?;
    let db = st.db.read().await;
    let page = db.list_customers(&filter, desc, lq.cursor(), lq.limit).map_err(|e| lq.unknown_cursor(e))?;
    let items = page.items.iter().map(|c| customer_json(c)).collect();
    Ok(list(items, page.before, page.after, lq.limit))
}

async fn list_wallets(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let mut lq = ListQuery::parse(q.as_deref());
    let mut filter = WalletFilter {
        customer_id: lq.get("customer_id").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()),
        ..WalletFilter::default()
    };
    if let Some(c) = lq.get("currency").map(str::trim).filter(|v| !v.is_empty()) {
        if rules::is_currency(c) {
            filter.currency = Some(c.to_owned());
        } else {
            let e = FieldError::invalid("currency", format!("currency must be one of {}", CURRENCIES.join(", ")));
            lq.errors.push(e);
        }
    }
    if let Some(s) = lq.get("status").map(str::trim).filter(|v| !v.is_empty()) {
        match WalletStatus::parse(s) {
            Some(s) => filter.status = Some(s),
            None => lq.errors.push(FieldError::invalid("status", "status must be one of active, frozen, deleted")),
        }
    }
    lq.check()?;
    let db = st.db.read().await;
    let page = db.list_wallets(&filter, lq.cursor(), lq.limit).map_err(|e| lq.unknown_cursor(e))?;
    let items = page.items.iter().map(|w| wallet_json(w)).collect();
    Ok(list(items, page.before, page.after, lq.limit))
}

/// `GET /wallets/transactions`: newest first, of one wallet (`wallet_id`) or of all.
async fn list_transactions(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let mut lq = ListQuery::parse(q.as_deref());
    let wallet = lq.get("wallet_id").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut kind = None;
    if let Some(t) = lq.get("type").map(str::trim).filter(|v| !v.is_empty()) {
        match TxnKind::parse(t) {
            Some(k) => kind = Some(k),
            None => lq.errors.push(FieldError::invalid("type", "type must be credit or debit")),
        }
    }
    lq.check()?;
    let db = st.db.read().await;
    if let Some(w) = &wallet {
        db.wallet(w).ok_or_else(|| ApiError::not_found("Wallet not found"))?;
    }
    let txns = db.transactions(wallet.as_deref());
    drop(db);
    let page = txns
        .page(true, lq.cursor(), lq.limit, |t| kind.is_none_or(|k| t.kind == k))
        .map_err(|e| lq.unknown_cursor(e))?;
    let items = page.items.iter().map(|t| txn_json(t)).collect();
    Ok(list(items, page.before, page.after, lq.limit))
}

// ------------------------------------------------------------------ customers

fn customer_exists() -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "customer_exists", "A customer with this email already exists")
}

fn customer_not_found() -> ApiError {
    ApiError::not_found("Customer not found")
}

/// Whether an e-mail's local part holds the customer in `pending_kyc`.
fn is_held(email: &str) -> bool {
    email.rsplit_once('@').is_some_and(|(local, _)| local.to_lowercase().contains(HOLD_MARK))
}

/// `POST /customers`: the field rules (400 / 422, all at once), then the e-mail (409).
async fn create_customer(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let m = json_object(req).await?;
    let nc = rules::new_customer(&m).map_err(ApiError::validation)?;
    let mut db = st.db.write().await;
    if db.email_owner(&nc.email).is_some() {
        return Err(customer_exists());
    }
    let created_at = db.next_at_end(OffsetDateTime::now_utc());
    let c = Customer {
        id: random_id("cus"),
        first_name: nc.first_name,
        last_name: nc.last_name,
        email: nc.email,
        phone_number: nc.phone_number,
        kind: nc.kind,
        status: CustomerStatus::PendingKyc,
        billing_address: nc.billing_address,
        created_at,
        updated_at: created_at,
    };
    let body = customer_json(&c);
    let (id, held) = (c.id.clone(), is_held(&c.email));
    db.insert_customer(c);
    let seq = db.bump_review(&id);
    drop(db);
    st.stats.customers_created.fetch_add(1, Ordering::Relaxed);
    if !held {
        schedule_activation(&st, id, seq);
    }
    Ok(data(StatusCode::CREATED, body))
}

/// The customer becomes active after the review delay, unless an admin decision came
/// first.
fn schedule_activation(st: &Arc<WalletsShared>, id: String, seq: u64) {
    let st = st.clone();
    tokio::spawn(async move {
        tokio::time::sleep(st.config.review_delay).await;
        let mut db = st.db.write().await;
        if db.review_is_current(&id, seq) {
            db.set_status(&id, CustomerStatus::Active, OffsetDateTime::now_utc());
        }
    });
}

async fn get_customer(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let db = st.db.read().await;
    let c = db.customer(&id).ok_or_else(customer_not_found)?;
    Ok(data(StatusCode::OK, customer_json(c)))
}

/// `PATCH /customers/{id}`: the customer (404), the fields' rules (422), the phone
/// against the merged billing country (422), the e-mail (409); 200 with the whole
/// customer.
async fn update_customer(
    State(st): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let m = json_object(req).await?;
    let mut db = st.db.write().await;
    let old = db.customer(&id).ok_or_else(customer_not_found)?.clone();
    let p = rules::customer_patch(&m).map_err(ApiError::validation)?;
    let mut c = old.clone();
    c.billing_address = p.merged_address(&old.billing_address);
    if p.phone.is_some() || !p.address.is_empty() {
        let (field, phone) = p.phone.clone().unwrap_or(("phone_number", old.phone_number.clone()));
        if let Some(e) = rules::phone_error(field, &phone, Some(&c.billing_address.country)) {
            return Err(ApiError::field(e));
        }
        c.phone_number = phone;
    }
    if let Some(e) = &p.email {
        if db.email_owner(e).is_some_and(|owner| owner != id) {
            return Err(customer_exists());
        }
        c.email = e.clone();
    }
    if let Some(f) = &p.first_name {
        c.first_name = f.clone();
    }
    if let Some(l) = &p.last_name {
        c.last_name = l.clone();
    }
    let changed = (&c.first_name, &c.last_name, &c.email, &c.phone_number, &c.billing_address)
        != (&old.first_name, &old.last_name, &old.email, &old.phone_number, &old.billing_address);
    if changed {
        c.updated_at = ms(OffsetDateTime::now_utc()).max(old.updated_at + Duration::milliseconds(1));
    }
    let body = customer_json(&c);
    db.insert_customer(c);
    Ok(data(StatusCode::OK, body))
}

/// `POST /payment-methods/resolve-bvn`: a demo BVN's record, 404 for
/// [`UNKNOWN_BVN`], a person derived from the digits for any other.
async fn resolve_bvn(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let m = json_object(req).await?;
    let bvn = rules::bvn(&m).map_err(ApiError::field)?;
    if bvn == UNKNOWN_BVN {
        return Err(ApiError::not_found("BVN not found"));
    }
    let record = st.db.read().await.bvn(&bvn).cloned().unwrap_or_else(|| super::seed::generated_bvn(&bvn));
    Ok(data(StatusCode::OK, bvn_json(&record)))
}

// ------------------------------------------------------------------ wallets

fn wallet_not_found() -> ApiError {
    ApiError::not_found("Wallet not found")
}

/// `POST /wallets`: the fields (400), the currency (400 `invalid_currency`), the
/// customer (404, then 422 `customer_not_active`), then one live wallet per currency
/// (409 `wallet_exists`).
async fn create_wallet(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let m = json_object(req).await?;
    let (customer_id, currency) = rules::new_wallet(&m).map_err(ApiError::validation)?;
    let Some(currency) = CURRENCIES.iter().copied().find(|c| *c == currency) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_currency",
            format!("currency must be one of {}", CURRENCIES.join(", ")),
        ));
    };
    let mut db = st.db.write().await;
    let c = db.customer(&customer_id).ok_or_else(customer_not_found)?;
    if c.status != CustomerStatus::Active {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "customer_not_active",
            format!("The customer must be active (KYC complete) to open a wallet; it is {}", c.status.as_str()),
        ));
    }
    if let Some(w) = db.live_wallet(&customer_id, currency) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "wallet_exists",
            format!("The customer already has a {currency} wallet"),
        )
        .with_details(json!({"wallet_id": w.id})));
    }
    let now = ms(OffsetDateTime::now_utc());
    let w = Wallet {
        id: random_id("wal"),
        account_id: random_id("acc"),
        customer_id,
        currency,
        balance: 0,
        status: WalletStatus::Active,
        created_at: now,
        updated_at: now,
        payment_methods: Vec::new(),
        events: vec![WalletEvent { kind: "wallet.created", status: None, reason: None, at: now }],
        history: None,
    };
    let body = wallet_json(&w);
    db.insert_wallet(w);
    drop(db);
    st.stats.wallets_created.fetch_add(1, Ordering::Relaxed);
    Ok(data(StatusCode::CREATED, body))
}

async fn get_wallet(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let db = st.db.read().await;
    let w = db.wallet(&id).ok_or_else(wallet_not_found)?;
    Ok(data(StatusCode::OK, wallet_detail(w)))
}

/// `PATCH /wallets/{id}/status`: the fields (400 / 422), the wallet (404), the status
/// machine (422 `invalid_status_transition`); records an event; 200 with the wallet.
async fn set_wallet_status(
    State(st): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let m = json_object(req).await?;
    let (to, reason) = rules::status_change(&m).map_err(ApiError::validation)?;
    let mut db = st.db.write().await;
    let w = db.wallet_mut(&id).ok_or_else(wallet_not_found)?;
    w.status
        .can_become(to)
        .map_err(|why| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_status_transition", why))?;
    let now = ms(OffsetDateTime::now_utc()).max(w.updated_at + Duration::milliseconds(1));
    w.status = to;
    w.updated_at = now;
    w.events.push(WalletEvent { kind: "wallet.status_changed", status: Some(to), reason, at: now });
    Ok(data(StatusCode::OK, wallet_detail(w)))
}

/// `POST /wallets/{id}/payment-method`: a new bank account for an active wallet.
async fn add_payment_method(
    State(st): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let m = json_object(req).await?;
    rules::payment_method(&m).map_err(ApiError::field)?;
    let mut db = st.db.write().await;
    let w = db.wallet(&id).ok_or_else(wallet_not_found)?;
    if w.status != WalletStatus::Active {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wallet_not_active",
            format!("Payment methods can be added to active wallets only; this one is {}", w.status.as_str()),
        ));
    }
    let holder = db.customer(&w.customer_id).map(|c| format!("{} {}", c.first_name, c.last_name)).unwrap_or_default();
    let now = ms(OffsetDateTime::now_utc());
    let mut r = Rng(uuid::Uuid::new_v4().as_u128() as u64);
    let pm = super::seed::bank_account(&mut r, w.currency, &holder, now);
    let body = payment_method_json(&pm);
    if let Some(w) = db.wallet_mut(&id) {
        w.updated_at = now.max(w.updated_at + Duration::milliseconds(1));
        w.events.push(WalletEvent { kind: "wallet.payment_method_added", status: None, reason: None, at: now });
        w.payment_methods.push(pm);
    }
    Ok(data(StatusCode::CREATED, body))
}
