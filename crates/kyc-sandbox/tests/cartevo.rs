//! The Cartevo flavour against `CONTRACT-cartevo.md`, rule by rule, over real HTTP on
//! loopback: tokens, the envelope, NestJS errors, multipart registration and its order
//! of checks, the asynchronous review, documents behind the token, cards, the churn,
//! faults, the rate limit, the OpenAPI document and the command line.

use kyc_sandbox::{Flavour, Sandbox, SandboxConfig, Seed};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

// ------------------------------------------------------------------ helpers

struct Cv {
    sb: Sandbox,
    http: Client,
    token: String,
}

/// A Cartevo sandbox with `seed`, a 100 ms review, an admin token, and a token already
/// issued (`self.token`).
async fn cv_with(seed: Seed, tweak: impl FnOnce(&mut SandboxConfig)) -> Cv {
    let mut cfg = SandboxConfig {
        seed,
        review_delay: Duration::from_millis(100),
        admin_token: Some(kyc_sandbox::random_admin_token()),
        ..SandboxConfig::cartevo()
    };
    tweak(&mut cfg);
    let sb = Sandbox::start_local(cfg).await.expect("sandbox");
    let http = Client::new();
    let r = http
        .post(format!("{}/auth/token", sb.base_url()))
        .json(&json!({"client_id": kyc_sandbox::CARTEVO_CLIENT_ID, "client_key": kyc_sandbox::CARTEVO_CLIENT_KEY}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let token = r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    Cv { sb, http, token }
}

async fn cv() -> Cv {
    cv_with(Seed::Empty, |_| {}).await
}

impl Cv {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sb.base_url())
    }
    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(&self.token)
    }
    async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.expect("GET")
    }
    async fn post(&self, path: &str, body: Value) -> Response {
        self.req(Method::POST, path).json(&body).send().await.expect("POST")
    }
    async fn put(&self, path: &str) -> Response {
        self.req(Method::PUT, path).send().await.expect("PUT")
    }
    async fn register(&self, form: Form) -> Response {
        self.req(Method::POST, "/customers?enroll=false").multipart(form).send().await.expect("register")
    }
    fn admin(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let rb = self.http.request(method, format!("{}{path}", self.sb.admin_url()));
        match self.sb.admin_token() {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }
    async fn admin_post(&self, path: &str, body: Value) -> Response {
        self.admin(Method::POST, path).json(&body).send().await.expect("admin POST")
    }
    async fn stats(&self) -> Value {
        self.admin(Method::GET, "/stats").send().await.unwrap().json().await.unwrap()
    }
    async fn customer(&self, id: &str) -> Value {
        let r = self.get(&format!("/customers/{id}")).await;
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()["data"].clone()
    }
    /// Polls the customer until `cond` holds (the review is asynchronous), up to 10 s.
    async fn wait_customer(&self, id: &str, cond: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..200 {
            let c = self.customer(id).await;
            if cond(&c) {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("customer {id} never reached the expected state: {}", self.customer(id).await);
    }
    /// Registers a valid customer (`n` makes its e-mail and number unique) and returns
    /// the 201's data.
    async fn create(&self, n: u32, front_name: &str) -> Value {
        let r = self.register(form(&fields(n), &[("id_document_front", front_name, png(320, 200))])).await;
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
        r.json::<Value>().await.unwrap()["data"].clone()
    }
    /// An approved customer's id.
    async fn approved(&self, n: u32) -> String {
        let id = self.create(n, "front.png").await["id"].as_str().unwrap().to_owned();
        let r = self.admin_post(&format!("/customers/{id}/kyc"), json!({"status": "APPROVED"})).await;
        assert_eq!(r.status(), 200);
        id
    }
}

/// Asserts a NestJS error with this status; returns its body.
async fn nest(r: Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status, "status");
    assert!(r.headers().get("x-request-id").is_some(), "every response carries X-Request-Id");
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: Value = r.json().await.expect("error body");
    assert_eq!(body["statusCode"], status, "{body}");
    let reason = reqwest::StatusCode::from_u16(status).unwrap().canonical_reason().unwrap();
    assert_eq!(body["error"], reason, "{body}");
    assert!(body["message"].is_string() || body["message"].is_array(), "{body}");
    body
}

/// A real PNG of `w`×`h` pixels.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The seed's example registration, unique by `n`.
fn fields(n: u32) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", "John".into()),
        ("last_name", "Doe".into()),
        ("email", format!("john.doe{n}@example.com")),
        ("country", "Nigeria".into()),
        ("street", "123 Main Street".into()),
        ("city", "Lagos".into()),
        ("state", "Lagos State".into()),
        ("postal_code", "100001".into()),
        ("country_iso_code", "NG".into()),
        ("country_phone_code", "+234".into()),
        ("phone_number", "8012345678".into()),
        ("identification_number", format!("1234567{n:04}")),
        ("id_document_type", "PASSPORT".into()),
        ("date_of_birth", "1990-01-15".into()),
    ]
}

fn with(mut f: Vec<(&'static str, String)>, changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    for (k, v) in changes {
        f.retain(|(name, _)| name != k);
        f.push((k, (*v).to_owned()));
    }
    f
}

fn form(fields: &[(&'static str, String)], files: &[(&'static str, &str, Vec<u8>)]) -> Form {
    let mut f = Form::new();
    for (k, v) in fields {
        f = f.text(*k, v.clone());
    }
    for (k, name, bytes) in files {
        f = f.part(*k, Part::bytes(bytes.clone()).file_name((*name).to_owned()));
    }
    f
}

fn messages(body: &Value) -> Vec<String> {
    body["message"]
        .as_array()
        .unwrap_or_else(|| panic!("a message array: {body}"))
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

fn is_timestamp(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    let b = s.as_bytes();
    s.len() == 24
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && s.ends_with('Z')
        && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

// ------------------------------------------------------------------ tokens

#[tokio::test]
async fn a_token_comes_from_the_client_id_and_key_and_stops_working_once_expired() {
    let e = cv().await;
    assert_eq!(e.sb.flavour(), Flavour::Cartevo);
    assert!(e.sb.base_url().ends_with("/api/v1"));
    let token_req = |body: Value| e.http.post(e.url("/auth/token")).json(&body).send();

    let r = token_req(json!({"client_id": "client_sandbox", "client_key": "sandbox-key"})).await.unwrap();
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap();
    assert_eq!((t["token_type"].as_str(), t["expires_in"].as_u64()), (Some("Bearer"), Some(3600)));
    assert!(t.get("success").is_none(), "not in the envelope");
    let token = t["access_token"].as_str().unwrap().to_owned();
    assert_ne!(token, e.token, "a new token each time");

    let bad = nest(token_req(json!({"client_id": "client_sandbox", "client_key": "nope"})).await.unwrap(), 401).await;
    assert_eq!(bad, json!({"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"}));
    let missing = nest(token_req(json!({"client_id": "client_sandbox"})).await.unwrap(), 400).await;
    assert_eq!(messages(&missing), ["client_key is required"]);

    // No token, a wrong one, the Dinie static one: 401.
    for auth in [None, Some("eyJ.nope.x"), Some(kyc_sandbox::DEFAULT_TOKEN)] {
        let mut rb = e.http.get(e.url("/customers"));
        if let Some(a) = auth {
            rb = rb.bearer_auth(a);
        }
        let body = nest(rb.send().await.unwrap(), 401).await;
        assert_eq!(body["message"], "Unauthorized");
    }
    assert_eq!(e.http.get(e.url("/customers")).bearer_auth(&token).send().await.unwrap().status(), 200);

    assert_eq!(e.admin_post("/tokens/expire", json!({})).await.status(), 204);
    for t in [&token, &e.token] {
        let body = nest(e.http.get(e.url("/customers")).bearer_auth(t).send().await.unwrap(), 401).await;
        assert_eq!(body, json!({"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"}));
    }
    let fresh: Value = token_req(json!({"client_id": "client_sandbox", "client_key": "sandbox-key"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fresh = fresh["access_token"].as_str().unwrap();
    assert_eq!(e.http.get(e.url("/customers")).bearer_auth(fresh).send().await.unwrap().status(), 200);
    assert_eq!(e.stats().await["tokens_issued"], 3);
}

// ------------------------------------------------------------------ lists

#[tokio::test]
async fn lists_come_in_the_envelope_with_meta() {
    let e = cv_with(Seed::Demo(25), |_| {}).await;
    let r = e.get("/customers?page=2&limit=10&sync=false").await;
    assert_eq!(r.status(), 200);
    for h in ["x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"] {
        assert!(r.headers().get(h).is_some(), "{h}");
    }
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["success"].as_bool(), body["statusCode"].as_u64()), (Some(true), Some(200)));
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(body["meta"], json!({"page": 2, "limit": 10, "total": 25, "totalPages": 3}));
    let items = body["data"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let keys: BTreeSet<&str> = items[0].as_object().unwrap().keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = [
        "id",
        "first_name",
        "last_name",
        "email",
        "country",
        "phone_country_code",
        "phone_number",
        "is_active",
        "created_at",
        "updated_at",
    ]
    .into();
    assert_eq!(keys, expected);
    assert!(items.iter().all(|c| is_timestamp(&c["created_at"]) && is_timestamp(&c["updated_at"])), "{items:?}");

    let last: Value = e.get("/customers?page=3&limit=10").await.json().await.unwrap();
    assert_eq!(last["data"].as_array().unwrap().len(), 5);
    let beyond: Value = e.get("/customers?page=9&limit=10").await.json().await.unwrap();
    assert!(beyond["data"].as_array().unwrap().is_empty());
    let default: Value = e.get("/customers").await.json().await.unwrap();
    assert_eq!(default["meta"], json!({"page": 1, "limit": 10, "total": 25, "totalPages": 3}));

    for (q, field) in [("limit=0", "limit"), ("limit=101", "limit"), ("page=0", "page"), ("page=x", "page")] {
        let body = nest(e.get(&format!("/customers?{q}")).await, 400).await;
        let m = messages(&body);
        assert!(m.len() == 1 && m[0].starts_with(field), "{q}: {m:?}");
    }

    assert_eq!(e.admin_post("/reset", json!({})).await.status(), 204);
    let empty: Value = e.get("/customers").await.json().await.unwrap();
    assert_eq!(empty["meta"], json!({"page": 1, "limit": 10, "total": 0, "totalPages": 1}), "at least one page");
}

#[tokio::test]
async fn a_page_walk_sees_every_customer_once_oldest_first() {
    let e = cv_with(Seed::Demo(25), |_| {}).await;
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut page = 1;
    loop {
        let body: Value = e.get(&format!("/customers?page={page}&limit=7")).await.json().await.unwrap();
        for c in body["data"].as_array().unwrap() {
            seen.push((c["created_at"].as_str().unwrap().to_owned(), c["id"].as_str().unwrap().to_owned()));
        }
        if page >= body["meta"]["totalPages"].as_u64().unwrap() {
            break;
        }
        page += 1;
    }
    assert_eq!(page, 4);
    assert_eq!(seen.len(), 25);
    assert_eq!(seen.iter().map(|(_, id)| id).collect::<HashSet<_>>().len(), 25);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "ordered by created_at, then id");

    // A new customer comes last.
    let id = e.create(1, "front.png").await["id"].as_str().unwrap().to_owned();
    let body: Value = e.get("/customers?page=26&limit=1").await.json().await.unwrap();
    assert_eq!(body["data"][0]["id"], id.as_str());
}

#[tokio::test]
async fn the_churn_inserts_during_a_walk_and_a_deduplicating_walk_loses_nothing() {
    let e = cv_with(Seed::Demo(25), |_| {}).await;
    let original: HashSet<String> = {
        let body: Value = e.get("/customers?limit=100").await.json().await.unwrap();
        body["data"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(original.len(), 25);
    for (at, per_list) in [("start", 3), ("end", 2)] {
        let r = e.admin_post("/churn", json!({"per_list": per_list, "at": at})).await;
        assert_eq!(r.status(), 204);
        let before = e.stats().await["customers"].as_u64().unwrap();
        let mut seen: HashSet<String> = HashSet::new();
        let (mut page, mut calls, mut duplicates) = (1, 0, 0);
        loop {
            let body: Value = e.get(&format!("/customers?page={page}&limit=10")).await.json().await.unwrap();
            calls += 1;
            for c in body["data"].as_array().unwrap() {
                if !seen.insert(c["id"].as_str().unwrap().to_owned()) {
                    duplicates += 1;
                }
            }
            if page >= body["meta"]["totalPages"].as_u64().unwrap() {
                break;
            }
            page += 1;
        }
        assert!(original.is_subset(&seen), "{at}: the walk lost a customer");
        let after = e.stats().await["customers"].as_u64().unwrap();
        assert_eq!(after, before + calls * per_list, "{at}: {per_list} inserted per list call");
        if at == "start" {
            assert!(duplicates > 0, "inserts at the start push customers onto the next page");
        } else {
            assert_eq!(duplicates, 0, "inserts at the end move nobody");
        }
    }
    assert_eq!(e.admin_post("/churn", json!({"per_list": 0})).await.status(), 204);
    let a = e.stats().await["customers"].clone();
    e.get("/customers").await;
    assert_eq!(e.stats().await["customers"], a, "per_list 0 stops it");
    let body = nest(e.admin_post("/churn", json!({"per_list": 1, "at": "middle"})).await, 400).await;
    assert_eq!(messages(&body), ["at must be one of start, end"]);
}

// ------------------------------------------------------------------ registration

#[tokio::test]
async fn a_multipart_registration_is_201_without_kyc_status_and_its_documents_need_the_token() {
    let e = cv().await;
    let (front, back) = (png(400, 250), png(420, 260));
    let r = e
        .register(form(
            &with(fields(1), &[("id_document_type", "NIN")]),
            &[("id_document_front", "front.png", front.clone()), ("id_document_back", "back.png", back.clone())],
        ))
        .await;
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("x-request-id").is_some());
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["success"].as_bool(), body["statusCode"].as_u64()), (Some(true), Some(201)));
    let c = &body["data"];
    let keys: BTreeSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = [
        "id",
        "first_name",
        "last_name",
        "email",
        "country",
        "street",
        "city",
        "state",
        "postal_code",
        "phone_country_code",
        "phone_number",
        "identification_number",
        "type",
        "number",
        "image",
        "photo",
        "date_of_birth",
        "is_active",
        "created_at",
        "updated_at",
    ]
    .into();
    assert_eq!(keys, expected, "no kyc_status in the 201");
    assert_eq!(c["is_active"], true);
    assert_eq!((c["type"].as_str(), c["number"].as_str()), (Some("NIN"), Some("12345670001")));
    assert_eq!(c["phone_country_code"], "+234");
    assert_eq!(c["date_of_birth"], "1990-01-15T00:00:00.000Z");
    assert!(uuid::Uuid::parse_str(c["id"].as_str().unwrap()).is_ok(), "a UUID");
    let origin = format!("http://{}", e.sb.addr());
    for (field, bytes) in [("image", &front), ("photo", &back)] {
        let url = c[field].as_str().unwrap();
        assert!(url.starts_with(&format!("{origin}/api/v1/files/")), "{url}");
        let r = e.http.get(url).bearer_auth(&e.token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(&r.bytes().await.unwrap()[..], &bytes[..], "{field}: the uploaded bytes");
        nest(e.http.get(url).send().await.unwrap(), 401).await;
        nest(e.http.get(url).bearer_auth("wrong").send().await.unwrap(), 401).await;
    }
    nest(e.get("/files/nope").await, 404).await;

    let detail = e.customer(c["id"].as_str().unwrap()).await;
    assert_eq!(detail["image"], c["image"]);
    assert!(["PENDING", "APPROVED"].contains(&detail["kyc_status"].as_str().unwrap()));
    assert_eq!(e.stats().await["customers_created"], 1);
    let body = nest(e.get("/customers/00000000-0000-4000-8000-000000000000").await, 404).await;
    assert_eq!(body["message"], "Customer not found");
}

#[tokio::test]
async fn every_broken_field_rule_is_one_message_naming_its_field() {
    let e = cv().await;
    let bad = with(
        fields(1),
        &[
            ("first_name", "Jo"),
            ("email", "john@"),
            ("country_iso_code", "XX"),
            ("country_phone_code", "234"),
            ("date_of_birth", "15/01/1990"),
            ("id_document_type", "ID_CARD"),
        ],
    );
    let body = nest(e.register(form(&bad, &[])).await, 400).await;
    let m = messages(&body);
    for expected in [
        "first_name must be at least 3 characters",
        "email must be an email",
        "country_iso_code must be a valid ISO 3166-1 alpha-2 code",
        "country_phone_code must start with +",
        "date_of_birth must be a date YYYY-MM-DD",
        "id_document_type must be one of NIN, PASSPORT, VOTERS_CARD, DRIVERS_LICENSE",
        "id_document_front is required",
    ] {
        assert!(m.contains(&expected.to_owned()), "{expected} in {m:?}");
    }
    assert_eq!(m.len(), 7, "{m:?}");
    let names: Vec<&str> = fields(0).iter().map(|(k, _)| *k).chain(["id_document_front", "id_document_back"]).collect();
    assert!(m.iter().all(|msg| names.iter().any(|n| msg.starts_with(&format!("{n} ")))), "{m:?}");

    // Missing fields, lengths.
    let long = "x".repeat(256);
    let mut few = with(fields(2), &[("street", &long), ("postal_code", "10")]);
    few.retain(|(k, _)| *k != "city");
    let body = nest(e.register(form(&few, &[("id_document_front", "f.png", png(300, 300))])).await, 400).await;
    assert_eq!(
        messages(&body),
        ["street must be at most 255 characters", "city is required", "postal_code must be at least 3 characters"]
    );

    // A body that is not multipart.
    let body = nest(e.post("/customers", json!({"first_name": "John"})).await, 400).await;
    assert!(body["message"].as_str().unwrap().contains("multipart"));
    assert_eq!(e.stats().await["customers_created"], 0, "nothing invalid is created");
}

#[tokio::test]
async fn the_back_is_required_for_nin_and_drivers_licenses_only() {
    let e = cv().await;
    let front = || ("id_document_front", "front.png", png(300, 200));
    for t in ["NIN", "DRIVERS_LICENSE"] {
        let body = nest(e.register(form(&with(fields(1), &[("id_document_type", t)]), &[front()])).await, 400).await;
        assert_eq!(messages(&body), ["id_document_back is required for DRIVERS_LICENSE and NIN"], "{t}");
    }
    // PASSPORT: no back needed, and one sent is ignored (even a bad one).
    let r = e.register(form(&fields(2), &[front(), ("id_document_back", "notes.txt", b"hello".to_vec())])).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["data"]["photo"], Value::Null);
    // VOTERS_CARD: optional.
    let r = e.register(form(&with(fields(3), &[("id_document_type", "VOTERS_CARD")]), &[front()])).await;
    assert_eq!(r.status(), 201);
    let r = e
        .register(form(
            &with(fields(4), &[("id_document_type", "VOTERS_CARD")]),
            &[front(), ("id_document_back", "back.pdf", b"%PDF-1.4\n%%EOF\n".to_vec())],
        ))
        .await;
    assert_eq!(r.status(), 201);
    let photo = r.json::<Value>().await.unwrap()["data"]["photo"].as_str().unwrap().to_owned();
    let served = e.http.get(&photo).bearer_auth(&e.token).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "application/pdf");
}

#[tokio::test]
async fn an_under_18_customer_is_refused_after_the_field_rules() {
    let e = cv().await;
    let today = time::OffsetDateTime::now_utc().date();
    let dob = time::Date::from_calendar_date(today.year() - 17, today.month(), today.day().min(28)).unwrap();
    let young = with(fields(1), &[("date_of_birth", &dob.to_string())]);
    let front = || ("id_document_front", "front.png", png(300, 200));
    let body = nest(e.register(form(&young, &[front()])).await, 400).await;
    assert_eq!(body["message"], "Customer must be 18 or older", "a single string");
    // With a broken field too, the field rules answer first.
    let body = nest(e.register(form(&with(young, &[("first_name", "Jo")]), &[front()])).await, 400).await;
    assert_eq!(messages(&body), ["first_name must be at least 3 characters"]);
}

#[tokio::test]
async fn a_duplicate_email_or_identification_number_is_409() {
    let e = cv().await;
    e.create(1, "front.png").await;
    let front = || ("id_document_front", "front.png", png(300, 200));
    let same_email = with(fields(2), &[("email", "JOHN.DOE1@Example.com")]);
    let body = nest(e.register(form(&same_email, &[front()])).await, 409).await;
    assert_eq!(
        body,
        json!({"statusCode": 409, "message": "Customer with this email already exists", "error": "Conflict"})
    );
    let same_number = with(fields(3), &[("identification_number", "12345670001")]);
    let body = nest(e.register(form(&same_number, &[front()])).await, 409).await;
    assert_eq!(body["message"], "Customer with this identification_number already exists");
    assert_eq!(e.stats().await["customers"], 1);
}

#[tokio::test]
async fn documents_are_judged_by_size_bytes_and_readability_before_the_fields() {
    let e = cv().await;
    let broken = with(fields(1), &[("first_name", "Jo")]);

    let mut huge = png(300, 300);
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let body = nest(e.register(form(&broken, &[("id_document_front", "big.png", huge)])).await, 413).await;
    assert_eq!(body["message"], "File too large");
    let mut max = png(300, 300);
    max.resize(10 * 1024 * 1024, 0);
    let r = e.register(form(&fields(9), &[("id_document_front", "max.png", max)])).await;
    assert_eq!(r.status(), 201, "exactly 10 MB is accepted");

    let body = nest(
        e.register(form(&broken, &[("id_document_front", "id.png", b"just some text, not a picture".to_vec())])).await,
        415,
    )
    .await;
    assert_eq!(body["message"], "Unsupported file type");

    for (name, bytes) in [("tiny.png", png(150, 300)), ("scan-unreadable.png", png(400, 400))] {
        let body = nest(e.register(form(&broken, &[("id_document_front", name, bytes)])).await, 422).await;
        assert_eq!(body["message"], "KYC document unreadable", "{name}");
    }
    // A PNG header with nothing decodable behind it is unreadable too.
    let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
    fake.resize(5000, 7);
    nest(e.register(form(&broken, &[("id_document_front", "fake.png", fake)])).await, 422).await;
    // The back is judged too.
    let nin = with(fields(2), &[("id_document_type", "NIN")]);
    let files = [("id_document_front", "f.png", png(300, 300)), ("id_document_back", "b.gif", b"GIF89a....".to_vec())];
    nest(e.register(form(&nin, &files)).await, 415).await;
    assert_eq!(e.stats().await["customers_created"], 1);
}

#[tokio::test]
async fn the_review_approves_after_its_delay_or_rejects_a_front_named_reject() {
    let e = cv_with(Seed::Empty, |c| c.review_delay = Duration::from_millis(400)).await;
    let id = e.create(1, "front.png").await["id"].as_str().unwrap().to_owned();
    let pending = e.customer(&id).await;
    assert_eq!(pending["kyc_status"], "PENDING");
    let approved = e.wait_customer(&id, |c| c["kyc_status"] != "PENDING").await;
    assert_eq!(approved["kyc_status"], "APPROVED");
    assert!(approved["updated_at"].as_str() > pending["updated_at"].as_str(), "updated_at moves with kyc_status");
    assert_eq!(approved["created_at"], pending["created_at"]);

    let id = e.create(2, "Passport-REJECT-me.png").await["id"].as_str().unwrap().to_owned();
    let rejected = e.wait_customer(&id, |c| c["kyc_status"] != "PENDING").await;
    assert_eq!(rejected["kyc_status"], "REJECTED");

    // An admin decision supersedes the review in flight.
    let id = e.create(3, "front.png").await["id"].as_str().unwrap().to_owned();
    let c: Value =
        e.admin_post(&format!("/customers/{id}/kyc"), json!({"status": "REJECTED"})).await.json().await.unwrap();
    assert_eq!(c["kyc_status"], "REJECTED");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(e.customer(&id).await["kyc_status"], "REJECTED");
    nest(e.admin_post(&format!("/customers/{id}/kyc"), json!({"status": "DONE"})).await, 400).await;
    nest(e.admin_post("/customers/nope/kyc", json!({"status": "APPROVED"})).await, 404).await;
}

#[tokio::test]
async fn enroll_takes_https_document_urls_and_serves_generated_pictures() {
    let e = cv().await;
    let mut body: serde_json::Map<String, Value> =
        fields(1).into_iter().map(|(k, v)| (k.to_owned(), json!(v))).collect();
    body.insert("id_document_type".into(), json!("NIN"));
    body.insert("id_document_front_url".into(), json!("http://example.com/front.png"));
    let r = nest(e.post("/customers/enroll", Value::Object(body.clone())).await, 400).await;
    assert_eq!(
        messages(&r),
        ["id_document_back_url is required for DRIVERS_LICENSE and NIN", "id_document_front_url must be a URL address"]
    );
    body.insert("id_document_front_url".into(), json!("https://example.com/front.png"));
    body.insert("id_document_back_url".into(), json!("https://example.com/back.png"));
    body.insert("first_name".into(), json!(12));
    let r = nest(e.post("/customers/enroll", Value::Object(body.clone())).await, 400).await;
    assert_eq!(messages(&r), ["first_name must be a string", "first_name is required"]);
    body.insert("first_name".into(), json!("John"));
    let r = e.post("/customers/enroll", Value::Object(body)).await;
    assert_eq!(r.status(), 201);
    let c = r.json::<Value>().await.unwrap()["data"].clone();
    assert!(c.get("kyc_status").is_none());
    for field in ["image", "photo"] {
        let r = e.http.get(c[field].as_str().unwrap()).bearer_auth(&e.token).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "image/png");
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert!(img.width() >= 200 && img.height() >= 200);
    }
    let id = c["id"].as_str().unwrap();
    assert_eq!(e.wait_customer(id, |c| c["kyc_status"] != "PENDING").await["kyc_status"], "APPROVED");
}

// ------------------------------------------------------------------ cards

#[tokio::test]
async fn cards_are_issued_only_to_approved_customers_and_an_empty_list_is_404() {
    let e = cv_with(Seed::Empty, |c| c.review_delay = Duration::from_secs(60)).await;
    let pending = e.create(1, "front.png").await["id"].as_str().unwrap().to_owned();
    let body = nest(e.get(&format!("/customers/{pending}/cards")).await, 404).await;
    assert_eq!(body, json!({"statusCode": 404, "message": "No cards found for this customer", "error": "Not Found"}));
    let body = nest(e.get("/customers/nope/cards").await, 404).await;
    assert_eq!(body["message"], "Customer not found");

    let card = |id: &str| json!({"customer_id": id, "brand": "VISA", "name_on_card": "JOHN DOE", "amount": "25.5"});
    let body = nest(e.post("/cards", card(&pending)).await, 400).await;
    assert_eq!(body["message"], "Customer KYC is not approved");
    let body = nest(e.post("/cards", card("nope")).await, 404).await;
    assert_eq!(body["message"], "Customer not found");
    let body = nest(
        e.post(
            "/cards",
            json!({"customer_id": pending, "brand": "AMEX", "name_on_card": "x".repeat(51), "amount": 10000.01}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(
        messages(&body),
        [
            "brand must be one of VISA, MASTERCARD",
            "name_on_card must be at most 50 characters",
            "amount must not be greater than 10000"
        ]
    );
    let body = nest(e.post("/cards", json!({})).await, 400).await;
    assert_eq!(messages(&body).len(), 4);

    let id = e.approved(2).await;
    let r = e.post("/cards", card(&id)).await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        (created["status"].as_str(), created["message"].as_str()),
        (Some("success"), Some("Card created successfully!"))
    );
    assert!(created.get("data").is_none(), "not the envelope");
    let c = &created["card"];
    assert_eq!(
        (c["status"].as_str(), c["balance"].as_str(), c["currency"].as_str()),
        (Some("ACTIVE"), Some("25.50"), Some("USD"))
    );
    assert_eq!(
        (c["brand"].as_str(), c["name_on_card"].as_str(), c["customer_id"].as_str()),
        (Some("VISA"), Some("JOHN DOE"), Some(id.as_str()))
    );
    let masked = c["masked_number"].as_str().unwrap();
    assert!(masked.starts_with("**** **** **** ") && masked.len() == 19, "{masked}");
    assert!(is_timestamp(&c["created_at"]));

    // No idempotency: the same call again is a second card.
    let r = e
        .post("/cards", json!({"customer_id": id, "brand": "MASTERCARD", "name_on_card": "JOHN DOE", "amount": 0}))
        .await;
    assert_eq!(r.status(), 201);
    let r = e.get(&format!("/customers/{id}/cards")).await;
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    assert_eq!((list["success"].as_bool(), list["statusCode"].as_u64()), (Some(true), Some(200)));
    let cards = list["data"].as_array().unwrap();
    assert_eq!(cards.len(), 2);
    assert_eq!(cards[0]["id"], c["id"], "oldest first");
    assert_eq!(cards[1]["balance"], "0.00");
    let stats = e.stats().await;
    assert_eq!((stats["cards"].as_u64(), stats["cards_created"].as_u64()), (Some(2), Some(2)));
}

#[tokio::test]
async fn cards_freeze_from_active_and_unfreeze_from_frozen_only() {
    let e = cv().await;
    let id = e.approved(1).await;
    let card: Value = e
        .post("/cards", json!({"customer_id": id, "brand": "VISA", "name_on_card": "JOHN DOE", "amount": 10}))
        .await
        .json()
        .await
        .unwrap();
    let card_id = card["card"]["id"].as_str().unwrap().to_owned();

    let r = e.put(&format!("/cards/{card_id}/freeze")).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["data"], json!({"card_id": card_id, "card_status": "FROZEN"}));
    let body = nest(e.put(&format!("/cards/{card_id}/freeze")).await, 400).await;
    assert_eq!(body["message"], "Card cannot be frozen from status FROZEN");

    let body: Value = e.put(&format!("/cards/{card_id}/unfreeze")).await.json().await.unwrap();
    assert_eq!(body["data"], json!({"card_id": card_id, "card_status": "ACTIVE"}));
    let body = nest(e.put(&format!("/cards/{card_id}/unfreeze")).await, 400).await;
    assert_eq!(body["message"], "Card cannot be unfrozen from status ACTIVE");

    let r = e.admin_post(&format!("/cards/{card_id}/status"), json!({"status": "TERMINATED"})).await;
    assert_eq!(r.status(), 200);
    let body = nest(e.put(&format!("/cards/{card_id}/freeze")).await, 400).await;
    assert_eq!(body["message"], "Card cannot be frozen from status TERMINATED");
    let list: Value = e.get(&format!("/customers/{id}/cards")).await.json().await.unwrap();
    assert_eq!(list["data"][0]["status"], "TERMINATED");

    let body = nest(e.put("/cards/nope/freeze").await, 404).await;
    assert_eq!(body["message"], "Card not found");
}

#[tokio::test]
async fn the_demo_seed_has_every_kyc_status_and_cards_in_several_states() {
    let e = cv_with(Seed::Demo(40), |_| {}).await;
    let list: Value = e.get("/customers?limit=100").await.json().await.unwrap();
    let (mut statuses, mut types, mut countries, mut card_statuses) =
        (HashSet::new(), HashSet::new(), HashSet::new(), HashSet::new());
    let (mut with_cards, mut pending) = (0, Vec::new());
    for item in list["data"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let c = e.customer(id).await;
        if c["kyc_status"] == "PENDING" {
            pending.push(id.to_owned());
        }
        statuses.insert(c["kyc_status"].as_str().unwrap().to_owned());
        types.insert(c["type"].as_str().unwrap().to_owned());
        countries.insert(c["country"].as_str().unwrap().to_owned());
        let r = e.get(&format!("/customers/{id}/cards")).await;
        if r.status() == 200 {
            with_cards += 1;
            assert_eq!(c["kyc_status"], "APPROVED");
            for card in r.json::<Value>().await.unwrap()["data"].as_array().unwrap() {
                card_statuses.insert(card["status"].as_str().unwrap().to_owned());
            }
        }
    }
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    assert_eq!(types.len(), 4, "{types:?}");
    assert!(countries.len() >= 5, "{countries:?}");
    assert!(with_cards > 5);
    for s in ["ACTIVE", "FROZEN", "TERMINATED"] {
        assert!(card_statuses.contains(s), "{s} in {card_statuses:?}");
    }
    // Seeded pending customers stay pending (no review job; the review delay is 100 ms).
    tokio::time::sleep(Duration::from_millis(300)).await;
    for id in &pending {
        assert_eq!(e.customer(id).await["kyc_status"], "PENDING");
    }
    let r = e.admin_post("/seed", json!({"count": 5})).await;
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"customers": 5}));
    assert_eq!(e.stats().await["customers"], 5);
}

// ------------------------------------------------------------------ faults, rate limit

#[tokio::test]
async fn injected_faults_answer_in_the_nestjs_shape_and_a_drop_still_handles_the_request() {
    let e = cv().await;
    let id = e.approved(1).await;
    assert_eq!(e.admin_post("/faults", json!({"fail_next": 1})).await.status(), 204);
    let r = e.get("/customers").await;
    assert_eq!(r.headers()["retry-after"], "1");
    let body = nest(r, 503).await;
    assert!(body["message"].as_str().unwrap().contains("injected fault"));
    assert_eq!(e.get("/customers").await.status(), 200, "only the next one");

    assert_eq!(e.admin_post("/faults", json!({"drop_next": 1})).await.status(), 204);
    let sent = e
        .req(Method::POST, "/cards")
        .json(&json!({"customer_id": id, "brand": "VISA", "name_on_card": "J D", "amount": 1}))
        .send()
        .await;
    let lost = match sent {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(lost, "the connection is dropped halfway through the answer");
    assert_eq!(e.stats().await["cards_created"], 1, "the request was handled");
    let cards: Value = e.get(&format!("/customers/{id}/cards")).await.json().await.unwrap();
    assert_eq!(cards["data"].as_array().unwrap().len(), 1);

    assert_eq!(e.admin_post("/faults", json!({"fail_next": 1, "status": 429, "retry_after": 7})).await.status(), 204);
    let r = e.get("/customers").await;
    assert_eq!(r.headers()["retry-after"], "7");
    nest(r, 429).await;
    assert_eq!(e.stats().await["faults_injected"], 3);

    assert_eq!(e.admin_post("/faults", json!({"ratio": 1.0, "kinds": ["500"]})).await.status(), 204);
    nest(e.get("/customers").await, 500).await;
    assert_eq!(e.admin(Method::DELETE, "/faults").send().await.unwrap().status(), 204);
    assert_eq!(e.get("/customers").await.status(), 200);
    let body = nest(e.admin_post("/faults", json!({"kinds": ["teapot"]})).await, 400).await;
    assert!(messages(&body)[0].starts_with("kinds"));
}

#[tokio::test]
async fn over_the_rate_limit_is_429_with_retry_after() {
    let e = cv_with(Seed::Empty, |c| {
        c.rate_limit_burst = 3;
        c.rate_limit_per_second = 0.5;
    })
    .await;
    // The token request took one.
    for _ in 0..2 {
        let r = e.get("/customers").await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-ratelimit-limit"], "3");
    }
    let r = e.get("/customers").await;
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let body = nest(r, 429).await;
    assert!(body["message"].is_string());
    // The admin surface is not limited.
    assert_eq!(e.admin(Method::GET, "/stats").send().await.unwrap().status(), 200);
}

// ------------------------------------------------------------------ admin, hardening

#[tokio::test]
async fn the_admin_surface_needs_its_token_and_refuses_other_origins() {
    let e = cv_with(Seed::Demo(3), |_| {}).await;
    for (method, path) in [
        (Method::GET, "/stats"),
        (Method::POST, "/reset"),
        (Method::POST, "/seed"),
        (Method::POST, "/faults"),
        (Method::DELETE, "/faults"),
        (Method::POST, "/tokens/expire"),
        (Method::POST, "/customers/x/kyc"),
        (Method::POST, "/churn"),
        (Method::POST, "/cards/x/status"),
    ] {
        let r = e
            .http
            .request(method.clone(), format!("{}{path}", e.sb.admin_url()))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        nest(r, 401).await;
        let r = e
            .http
            .request(method.clone(), format!("{}{path}", e.sb.admin_url()))
            .bearer_auth(&e.token)
            .send()
            .await
            .unwrap();
        nest(r, 401).await;
    }
    let stats = e.stats().await;
    let keys: BTreeSet<&str> = stats.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["cards", "cards_created", "customers", "customers_created", "faults_injected", "requests", "tokens_issued"]
            .into()
    );
    let r = e.admin(Method::POST, "/reset").header("origin", "http://evil.example").send().await.unwrap();
    nest(r, 403).await;
    assert_eq!(e.stats().await["customers"], 3, "not reset");
    assert_eq!(e.admin(Method::POST, "/reset").send().await.unwrap().status(), 204);
    assert_eq!(e.stats().await["customers"], 0);
    let body = nest(e.admin_post("/seed", json!({"count": 2_000_000})).await, 400).await;
    assert!(messages(&body)[0].starts_with("count"));

    // Unknown routes and methods are NestJS 404s.
    let body = nest(e.get("/nope").await, 404).await;
    assert_eq!(body["message"], "Cannot GET /api/v1/nope");
    let body = nest(e.req(Method::DELETE, "/customers").send().await.unwrap(), 404).await;
    assert_eq!(body["message"], "Cannot DELETE /api/v1/customers");
}

#[tokio::test]
async fn another_host_is_421_and_a_data_file_is_refused() {
    let e = cv().await;
    let addr = e.sb.addr();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    s.write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 421"), "{out}");
    let body: Value = serde_json::from_str(out.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!((body["statusCode"].as_u64(), body["error"].as_str()), (Some(421), Some("Misdirected Request")));

    let cfg = SandboxConfig { data_file: Some("x.sqlite".into()), ..SandboxConfig::cartevo() };
    let err = Sandbox::start_local(cfg).await.unwrap_err();
    assert_eq!(err.to_string(), "--data is not supported for cartevo");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

// ------------------------------------------------------------------ OpenAPI, CLI

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_public_routes() {
    let e = cv().await;
    let r = e.http.get(e.url("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200, "public, like Dinie's");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], e.sb.base_url());
    let mut described: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            described.push((method.clone(), path.clone()));
        }
    }
    described.sort();
    let mut served: Vec<(String, String)> =
        kyc_sandbox::CARTEVO_PUBLIC_ROUTES.iter().map(|(m, p)| ((*m).into(), (*p).into())).collect();
    served.sort();
    assert_eq!(described, served);
    let constant: Value = serde_json::from_str(kyc_sandbox::CARTEVO_OPENAPI).unwrap();
    assert_eq!(constant["paths"], doc["paths"]);
    // And each is really served (an unknown id's 404 is the handler's, not "Cannot …").
    for (method, path) in &served {
        let url =
            e.url(&path.replace("{customer_id}", "nope").replace("{card_id}", "nope").replace("{file_id}", "nope"));
        let r = e.http.request(method.to_uppercase().parse().unwrap(), url).bearer_auth(&e.token).send().await.unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(
            !body["message"].as_str().is_some_and(|m| m.starts_with("Cannot ")),
            "{method} {path} is routed: {status} {body}"
        );
    }
}

#[tokio::test]
async fn the_binary_serves_the_cartevo_flavour_with_provider_cartevo() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kyc-sandbox"))
        .args(["--provider", "cartevo", "--addr", "127.0.0.1:0", "--seed", "3", "--admin-token", "adm"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Read its first line, then keep draining its output so that it never writes to a
    // closed pipe.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        let _ = tx.send(lines.next().and_then(Result::ok).unwrap_or_default());
        lines.for_each(drop);
    });
    let first = tokio::time::timeout(Duration::from_secs(30), rx).await;
    let outcome = async {
        let first = first.expect("it prints its address").unwrap();
        let base =
            first.trim().strip_prefix("kyc-sandbox listening on ").unwrap_or_else(|| panic!("{first}")).to_owned();
        assert!(base.ends_with("/api/v1"), "{base}");
        let http = Client::new();
        let t: Value = http
            .post(format!("{base}/auth/token"))
            .json(&json!({"client_id": "client_sandbox", "client_key": "sandbox-key"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        http.get(format!("{base}/customers"))
            .bearer_auth(t["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let list = tokio::spawn(outcome).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(list.expect("the calls succeed")["meta"]["total"], 3);
}
