//! The wallets flavour (Juicyway WaaS) against `CONTRACT-wallets.md`, rule by rule, over
//! real HTTP on loopback: the API key in both forms, `{"data"}` and `{"error"}` bodies
//! in both validation shapes, customers and their activation, cursor lists, BVNs,
//! wallets and their status machine, bank accounts, transactions, idempotency keys
//! (also under injected faults), the rate limit, the admin surface, the OpenAPI
//! document and the command line.

use kyc_sandbox::{Flavour, Sandbox, SandboxConfig, Seed, WALLETS_API_KEY};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

// ------------------------------------------------------------------ helpers

struct Wt {
    sb: Sandbox,
    http: Client,
}

/// A wallets sandbox with `seed`, a 100 ms activation, an admin token and no
/// practical rate limit.
async fn wt_with(seed: Seed, tweak: impl FnOnce(&mut SandboxConfig)) -> Wt {
    let mut cfg = SandboxConfig {
        seed,
        review_delay: Duration::from_millis(100),
        admin_token: Some(kyc_sandbox::random_admin_token()),
        rate_limit_burst: 100_000,
        rate_limit_per_second: 100_000.0,
        ..SandboxConfig::wallets()
    };
    tweak(&mut cfg);
    let sb = Sandbox::start_local(cfg).await.expect("sandbox");
    Wt { sb, http: Client::new() }
}

async fn wt() -> Wt {
    wt_with(Seed::Empty, |_| {}).await
}

impl Wt {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sb.base_url())
    }
    /// A request with the API key, bare (as Juicyway documents it).
    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).header("authorization", WALLETS_API_KEY)
    }
    async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.expect("GET")
    }
    async fn post(&self, path: &str, body: Value) -> Response {
        self.req(Method::POST, path).json(&body).send().await.expect("POST")
    }
    async fn patch(&self, path: &str, body: Value) -> Response {
        self.req(Method::PATCH, path).json(&body).send().await.expect("PATCH")
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
    /// Polls the customer until `cond` holds, up to 10 s.
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
    /// Registers `registration(n)` and returns the 201's data.
    async fn create(&self, n: u32) -> Value {
        let r = self.post("/customers", registration(n)).await;
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
        r.json::<Value>().await.unwrap()["data"].clone()
    }
    /// A registered customer made active by the admin API; its id.
    async fn active(&self, n: u32) -> String {
        let id = self.create(n).await["id"].as_str().unwrap().to_owned();
        let r = self.admin_post(&format!("/customers/{id}/status"), json!({"status": "active"})).await;
        assert_eq!(r.status(), 200);
        id
    }
    /// Opens a wallet; the 201's data.
    async fn wallet(&self, customer: &str, currency: &str) -> Value {
        let r = self.post("/wallets", json!({"customer_id": customer, "currency": currency})).await;
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
        r.json::<Value>().await.unwrap()["data"].clone()
    }
}

/// A valid Nigerian individual; `n` makes the e-mail unique.
fn registration(n: u32) -> Value {
    json!({
        "first_name": "Adaeze",
        "last_name": "Okafor",
        "email": format!("adaeze.okafor{n}@example.com"),
        "phone_number": "+2348031234567",
        "type": "individual",
        "billing_address": {
            "line1": "12 Allen Avenue",
            "city": "Ikeja",
            "state": "Lagos",
            "zip_code": "100271",
            "country": "NG",
        },
    })
}

/// Asserts an error with this status and code; returns the `error` object.
async fn err(r: Response, status: u16, code: &str) -> Value {
    assert_eq!(r.status().as_u16(), status, "status");
    assert!(r.headers().get("x-request-id").is_some(), "every response carries X-Request-Id");
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: Value = r.json().await.expect("error body");
    let e = body["error"].clone();
    assert_eq!(e["code"], code, "{body}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(e["type"].as_str().is_some_and(|m| m.ends_with("_error")), "{body}");
    e
}

/// The fields of an `errors[]` validation error, in order.
fn error_fields(e: &Value) -> Vec<String> {
    assert_eq!(e["message"], "The request was invalid");
    assert_eq!(e["type"], "invalid_request_error");
    assert!(e.get("details").is_none(), "errors[] shape: {e}");
    e["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors[] in {e}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

/// The fields of a `details{}` validation error.
fn detail_fields(e: &Value) -> BTreeSet<String> {
    assert!(e.get("errors").is_none(), "details{{}} shape: {e}");
    e["details"].as_object().unwrap_or_else(|| panic!("no details{{}} in {e}")).keys().cloned().collect()
}

fn is_timestamp(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 24
            && s.ends_with('Z')
            && s.as_bytes()[19] == b'.'
            && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
    })
}

fn has_id(v: &Value, prefix: &str) -> bool {
    v.as_str().is_some_and(|s| {
        s.strip_prefix(prefix).is_some_and(|r| r.len() == 24 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
    })
}

// ------------------------------------------------------------------ auth

#[tokio::test]
async fn the_api_key_goes_bare_or_as_bearer_and_anything_else_is_401() {
    let e = wt().await;
    assert_eq!(e.get("/customers").await.status(), 200, "bare");
    let r = e.http.get(e.url("/customers")).bearer_auth(WALLETS_API_KEY).send().await.unwrap();
    assert_eq!(r.status(), 200, "Bearer");
    let expected =
        json!({"error": {"code": "unauthorized", "message": "Invalid API key", "type": "authentication_error"}});
    for auth in [None, Some("wrong"), Some("Bearer wrong"), Some("Basic dGVzdA==")] {
        let mut rb = e.http.get(e.url("/customers"));
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status(), 401, "{auth:?}");
        assert_eq!(r.json::<Value>().await.unwrap(), expected);
    }
    // POSTs too, before anything is read.
    let r = e.http.post(e.url("/customers")).json(&registration(1)).send().await.unwrap();
    err(r, 401, "unauthorized").await;
    assert_eq!(e.stats().await["customers_created"], 0);
    // The OpenAPI document needs no key.
    assert_eq!(e.http.get(e.url("/openapi.json")).send().await.unwrap().status(), 200);
}

// ------------------------------------------------------------------ registration

#[tokio::test]
async fn a_registration_is_201_with_the_whole_customer_pending_kyc() {
    let e = wt_with(Seed::Empty, |c| c.review_delay = Duration::from_secs(60)).await;
    let r = e.post("/customers", registration(1)).await;
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("x-ratelimit-limit").is_some());
    let c = r.json::<Value>().await.unwrap()["data"].clone();
    assert!(has_id(&c["id"], "cus_"), "{c}");
    assert_eq!(c["status"], "pending_kyc");
    assert_eq!(c["type"], "individual");
    assert_eq!(c["phone_number"], "+2348031234567");
    assert_eq!(c["billing_address"]["line2"], Value::Null);
    assert_eq!(c["billing_address"]["country"], "NG");
    assert!(is_timestamp(&c["created_at"]) && c["created_at"] == c["updated_at"], "{c}");
    assert_eq!(e.customer(c["id"].as_str().unwrap()).await, c, "GET shows the same customer");

    // A business, with the WaaS page's `phone`, a Unicode name and a lower-case country.
    let mut b = registration(2);
    let o = b.as_object_mut().unwrap();
    o.remove("phone_number");
    o.insert("phone".into(), json!("+447700900123"));
    o.insert("type".into(), json!("business"));
    o.insert("first_name".into(), json!("Zoë's Café"));
    o.insert("last_name".into(), json!("Ltd"));
    o.insert(
        "billing_address".into(),
        json!({"line1": "1 Deansgate", "line2": "Floor 3", "city": "Manchester", "state": "Greater Manchester", "zip_code": "M1 1AE", "country": "gb"}),
    );
    let r = e.post("/customers", b).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let c = r.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!((c["type"].as_str(), c["phone_number"].as_str()), (Some("business"), Some("+447700900123")));
    assert_eq!((c["first_name"].as_str(), c["billing_address"]["country"].as_str()), (Some("Zoë's Café"), Some("GB")));
    assert_eq!(c["billing_address"]["line2"], "Floor 3");
    assert_eq!(e.stats().await["customers_created"], 2);
}

#[tokio::test]
async fn missing_fields_are_400_and_invalid_values_422_each_naming_its_field() {
    let e = wt().await;
    // Everything missing.
    let r = e.post("/customers", json!({})).await;
    let er = err(r, 400, "validation_error").await;
    assert_eq!(error_fields(&er), ["first_name", "last_name", "email", "phone_number", "type", "billing_address"]);
    assert_eq!(er["errors"][0]["message"], "first_name is required");

    // A nested field missing.
    let mut b = registration(1);
    b["billing_address"].as_object_mut().unwrap().remove("city");
    b["billing_address"]["zip_code"] = json!("  ");
    let er = err(e.post("/customers", b).await, 400, "validation_error").await;
    assert_eq!(error_fields(&er), ["billing_address.city", "billing_address.zip_code"]);

    // Missing and invalid together: 400, listing both.
    let mut b = registration(1);
    b.as_object_mut().unwrap().remove("email");
    b["first_name"] = json!("R2D2");
    let er = err(e.post("/customers", b).await, 400, "validation_error").await;
    assert_eq!(error_fields(&er), ["first_name", "email"]);

    // Every invalid value at once: 422.
    let mut b = registration(1);
    b["first_name"] = json!("Ada1");
    b["last_name"] = json!("x".repeat(101));
    b["email"] = json!("not-an-email");
    b["phone_number"] = json!("+233241234567");
    b["type"] = json!("person");
    let er = err(e.post("/customers", b).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["first_name", "last_name", "email", "phone_number", "type"]);
    let msg = |f: &str| {
        er["errors"].as_array().unwrap().iter().find(|x| x["field"] == f).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(msg("first_name").contains("letters"), "{er}");
    assert!(msg("last_name").contains("100"), "{er}");
    assert_eq!(msg("phone_number"), "phone_number must be a +234 number for NG");

    // A country that is not an assigned ISO code, and a name with a symbol.
    let mut b = registration(1);
    b["billing_address"]["country"] = json!("XX");
    b["last_name"] = json!("Okafor!");
    let er = err(e.post("/customers", b).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["last_name", "billing_address.country"]);

    // Wrong types and a body that is not JSON.
    let mut b = registration(1);
    b["first_name"] = json!(7);
    b["billing_address"] = json!("Lagos");
    let er = err(e.post("/customers", b).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["first_name", "billing_address"]);
    let r = e.req(Method::POST, "/customers").body("{not json").send().await.unwrap();
    err(r, 400, "invalid_request").await;
    assert_eq!(e.stats().await["customers"], 0);
}

#[tokio::test]
async fn phone_errors_alone_use_the_details_shape_and_a_header_chooses_either_shape() {
    let e = wt().await;
    // Not E.164.
    let mut b = registration(1);
    b["phone_number"] = json!("0803 123 4567");
    let er = err(e.post("/customers", b.clone()).await, 422, "validation_error").await;
    assert_eq!(er["message"], "The request was invalid");
    assert_eq!(detail_fields(&er), ["phone_number".to_owned()].into());
    assert!(er["details"]["phone_number"][0].as_str().unwrap().starts_with("Invalid phone number format"), "{er}");

    // Another country's number, sent as `phone`: named `phone`.
    let mut b2 = registration(1);
    let o = b2.as_object_mut().unwrap();
    o.remove("phone_number");
    o.insert("phone".into(), json!("+254712345678"));
    let er = err(e.post("/customers", b2).await, 422, "validation_error").await;
    assert_eq!(er["details"]["phone"], json!(["phone must be a +234 number for NG"]));

    // The header turns it into errors[]…
    let r = e.req(Method::POST, "/customers").header("x-sandbox-error-shape", "errors").json(&b).send().await.unwrap();
    let er = err(r, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["phone_number"]);

    // …and any other error into details{}, every message under its field.
    let mut b3 = registration(1);
    b3["email"] = json!("nope");
    b3["billing_address"]["country"] = json!("ZZ");
    let r =
        e.req(Method::POST, "/customers").header("x-sandbox-error-shape", "details").json(&b3).send().await.unwrap();
    let er = err(r, 422, "validation_error").await;
    assert_eq!(detail_fields(&er), ["billing_address.country".to_owned(), "email".to_owned()].into());
    assert!(er["details"]["email"][0].as_str().unwrap().contains("email"));
    // Without the header the same body is errors[].
    let er = err(e.post("/customers", b3).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["email", "billing_address.country"]);
}

#[tokio::test]
async fn a_taken_email_is_409_whatever_its_case() {
    let e = wt().await;
    e.create(1).await;
    let mut b = registration(1);
    b["email"] = json!("ADAEZE.Okafor1@Example.com");
    let r = e.post("/customers", b).await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": {"code": "customer_exists", "message": "A customer with this email already exists", "type": "invalid_request_error"}})
    );
    assert_eq!(e.stats().await["customers"], 1);
}

// ------------------------------------------------------------------ idempotency

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let e = wt().await;
    let send = |body: Value, key: &'static str| {
        e.req(Method::POST, "/customers").header("idempotency-key", key).json(&body).send()
    };
    let first = send(registration(1), "k-1").await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = send(registration(1), "k-1").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first, "the same customer, not a 409");
    let er = err(send(registration(2), "k-1").await.unwrap(), 409, "idempotency_key_reused").await;
    assert_eq!(er["type"], "invalid_request_error");
    // A 4xx is remembered too; a new key runs again.
    err(send(registration(1), "k-2").await.unwrap(), 409, "customer_exists").await;
    let r = send(registration(1), "k-2").await.unwrap();
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    err(r, 409, "customer_exists").await;
    let s = e.stats().await;
    assert_eq!((s["customers"].as_u64(), s["idempotent_replays"].as_u64()), (Some(1), Some(2)));
    // Every POST honours keys: wallets too.
    let id = first["data"]["id"].as_str().unwrap().to_owned();
    e.admin_post(&format!("/customers/{id}/status"), json!({"status": "active"})).await;
    let open = || {
        e.req(Method::POST, "/wallets")
            .header("idempotency-key", "w-1")
            .json(&json!({"customer_id": id, "currency": "NGN"}))
            .send()
    };
    let a: Value = open().await.unwrap().json().await.unwrap();
    let b = open().await.unwrap();
    assert_eq!((b.status().as_u16(), b.headers()["idempotent-replayed"].to_str().unwrap()), (201, "true"));
    assert_eq!(b.json::<Value>().await.unwrap(), a);
    assert_eq!(e.stats().await["wallets_created"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_retried_registrations_through_faults_make_exactly_two_hundred_customers() {
    let e = wt().await;
    let r = e.admin_post("/faults", json!({"ratio": 0.33, "kinds": ["503", "drop"], "retry_after": 0})).await;
    assert_eq!(r.status(), 204);
    let mut tasks = Vec::new();
    for n in 0..200u32 {
        let (http, url) = (e.http.clone(), e.url("/customers"));
        tasks.push(tokio::spawn(async move {
            let key = format!("registration-{n}");
            let mut failures = 0;
            for _ in 0..60 {
                let sent = http
                    .post(&url)
                    .header("authorization", WALLETS_API_KEY)
                    .header("idempotency-key", &key)
                    .json(&registration(n))
                    .send()
                    .await;
                let Ok(r) = sent else {
                    failures += 1;
                    continue;
                };
                let status = r.status().as_u16();
                let replayed = r.headers().contains_key("idempotent-replayed");
                match r.bytes().await {
                    Ok(b) if status == 201 => {
                        let v: Value = serde_json::from_slice(&b).unwrap();
                        return (v["data"]["id"].as_str().unwrap().to_owned(), replayed, failures);
                    }
                    Ok(b) if status >= 500 => {
                        let v: Value = serde_json::from_slice(&b).unwrap();
                        assert!(v["error"]["request_id"].as_str().is_some_and(|r| r.starts_with("req_")), "{v}");
                        failures += 1;
                    }
                    Ok(b) => panic!("registration {n}: {status} {}", String::from_utf8_lossy(&b)),
                    Err(_) => failures += 1, // dropped halfway: handled, so the retry replays it
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            panic!("registration {n} never succeeded");
        }));
    }
    let mut ids = HashSet::new();
    let (mut replays, mut failures) = (0, 0);
    for t in tasks {
        let (id, replayed, f) = t.await.expect("the task");
        assert!(ids.insert(id), "one customer per registration");
        replays += u32::from(replayed);
        failures += f;
    }
    assert_eq!(ids.len(), 200);
    assert!(failures > 20, "the faults were injected ({failures})");
    assert!(replays > 0, "some drops were answered by a replay");
    assert_eq!(e.admin(Method::DELETE, "/faults").send().await.unwrap().status(), 204);
    let s = e.stats().await;
    assert_eq!((s["customers"].as_u64(), s["customers_created"].as_u64()), (Some(200), Some(200)), "{s}");
    assert!(s["faults_injected"].as_u64().unwrap() > 20);
    assert!(s["idempotent_replays"].as_u64().unwrap() >= u64::from(replays));
}

// ------------------------------------------------------------------ lists

/// Walks `path` (with a query) by `after` to the end; the ids and every page's
/// pagination.
async fn walk(e: &Wt, path: &str) -> (Vec<Value>, Vec<Value>) {
    let (mut items, mut pages) = (Vec::new(), Vec::new());
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &after {
            Some(a) => format!("{path}{sep}after={a}"),
            None => path.to_owned(),
        };
        let r = e.get(&url).await;
        assert_eq!(r.status(), 200, "{url}");
        let v: Value = r.json().await.unwrap();
        items.extend(v["data"].as_array().unwrap().iter().cloned());
        pages.push(v["pagination"].clone());
        match v["pagination"]["after"].as_str() {
            Some(a) if !a.is_empty() => after = Some(a.to_owned()),
            _ => return (items, pages),
        }
    }
    panic!("the walk never ended");
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn customer_lists_walk_by_cursors_both_ways_sorted_and_filtered() {
    let e = wt_with(Seed::Demo(40), |_| {}).await;
    let (items, pages) = walk(&e, "/customers?limit=7").await;
    assert_eq!(items.len(), 40);
    assert_eq!(pages.len(), 6);
    assert_eq!(pages[0]["before"], Value::Null);
    assert_eq!(pages[0]["limit"], 7);
    assert_eq!(pages[5]["after"], Value::Null, "the end of the walk");
    let desc = ids(&items);
    assert_eq!(desc.iter().collect::<HashSet<_>>().len(), 40, "each once");
    let key = |c: &Value| (c["created_at"].as_str().unwrap().to_owned(), c["id"].as_str().unwrap().to_owned());
    assert!(items.windows(2).all(|w| key(&w[0]) > key(&w[1])), "newest first by default");

    // Ascending is the reverse.
    let (asc, _) = walk(&e, "/customers?limit=9&sort=created_at:asc").await;
    let mut rev = ids(&asc);
    rev.reverse();
    assert_eq!(rev, desc);

    // `before` walks back from the last page.
    let mut back = Vec::new();
    let mut before = pages[5]["before"].as_str().map(str::to_owned);
    while let Some(b) = before {
        let v: Value = e.get(&format!("/customers?limit=7&before={b}")).await.json().await.unwrap();
        let mut page = ids(v["data"].as_array().unwrap());
        page.extend(back);
        back = page;
        before = v["pagination"]["before"].as_str().map(str::to_owned);
    }
    let last_page = desc.len() - desc.len() % 7;
    assert_eq!(back, desc[..last_page], "every page before the last, in order");

    // Default and largest limits.
    let v: Value = e.get("/customers").await.json().await.unwrap();
    assert_eq!((v["data"].as_array().unwrap().len(), v["pagination"]["limit"].as_u64()), (15, Some(15)));
    let v: Value = e.get("/customers?limit=100").await.json().await.unwrap();
    assert_eq!((v["data"].as_array().unwrap().len(), v["pagination"]["after"].clone()), (40, Value::Null));
    for bad in ["limit=101", "limit=0", "limit=x", "sort=name", "created_after=yesterday", "after=cus_nope"] {
        let er = err(e.get(&format!("/customers?{bad}")).await, 422, "validation_error").await;
        assert_eq!(error_fields(&er), [bad.split('=').next().unwrap()], "{bad}");
    }

    // The e-mail filter is exact and case-insensitive.
    let email = items[3]["email"].as_str().unwrap().to_uppercase();
    let v: Value = e
        .http
        .get(e.url("/customers"))
        .header("authorization", WALLETS_API_KEY)
        .query(&[("email", &email)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(v["data"].as_array().unwrap()), [desc[3].clone()]);
    let v: Value = e.get("/customers?email=nobody@example.com").await.json().await.unwrap();
    assert_eq!((v["data"].as_array().unwrap().len(), v["pagination"]["after"].clone()), (0, Value::Null));

    // created_after / created_before: strict bounds, any offset.
    let pivot = time::OffsetDateTime::parse(
        items[10]["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let shifted = pivot.to_offset(time::UtcOffset::from_hms(1, 0, 0).unwrap());
    let iso = shifted.format(&time::format_description::well_known::Rfc3339).unwrap();
    assert!(iso.contains("+01:00"));
    let e = &e;
    let q = |k: &'static str| {
        let iso = iso.clone();
        async move {
            let v: Value = e
                .http
                .get(e.url("/customers"))
                .header("authorization", WALLETS_API_KEY)
                .query(&[(k, iso.as_str()), ("limit", "100")])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids(v["data"].as_array().unwrap())
        }
    };
    assert_eq!(q("created_after").await, desc[..10]);
    assert_eq!(q("created_before").await, desc[11..]);
    let day = &items[0]["created_at"].as_str().unwrap()[..10];
    let v: Value = e.get(&format!("/customers?created_after={day}&limit=100")).await.json().await.unwrap();
    assert!(!v["data"].as_array().unwrap().is_empty(), "a date is midnight UTC");
}

// ------------------------------------------------------------------ updates

#[tokio::test]
async fn a_patch_changes_fields_merges_the_address_and_keeps_the_phone_in_the_country() {
    let e = wt().await;
    let c = e.create(1).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/customers/{id}");
    tokio::time::sleep(Duration::from_millis(5)).await;

    let r = e.patch(&path, json!({"first_name": "Ada", "billing_address": {"city": "Lekki", "line2": "Flat 4"}})).await;
    assert_eq!(r.status(), 200);
    let u = r.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(u["first_name"], "Ada");
    assert_eq!(u["last_name"], "Okafor");
    assert_eq!(u["billing_address"]["city"], "Lekki");
    assert_eq!(u["billing_address"]["line2"], "Flat 4");
    assert_eq!(u["billing_address"]["line1"], c["billing_address"]["line1"], "merged, not replaced");
    assert_eq!(u["billing_address"]["country"], "NG");
    assert!(u["updated_at"].as_str() > c["updated_at"].as_str());
    assert_eq!(u["created_at"], c["created_at"]);
    let u2 = e.patch(&path, json!({"billing_address": {"line2": null}})).await.json::<Value>().await.unwrap()["data"]
        .clone();
    assert_eq!(u2["billing_address"]["line2"], Value::Null);

    // A new country needs a phone of that country.
    let er = err(e.patch(&path, json!({"billing_address": {"country": "GH"}})).await, 422, "validation_error").await;
    assert_eq!(er["details"]["phone_number"], json!(["phone_number must be a +233 number for GH"]));
    let er = err(e.patch(&path, json!({"phone_number": "+254712345678"})).await, 422, "validation_error").await;
    assert_eq!(er["details"]["phone_number"], json!(["phone_number must be a +234 number for NG"]));
    let r = e.patch(&path, json!({"phone": "+233241234567", "billing_address": {"country": "GH", "city": "Accra", "state": "Greater Accra", "zip_code": "GA-184"}})).await;
    assert_eq!(r.status(), 200);
    let u = r.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(
        (u["phone_number"].as_str(), u["billing_address"]["country"].as_str()),
        (Some("+233241234567"), Some("GH"))
    );
    assert_eq!(e.customer(id).await, u);

    // type and status cannot change; fields keep their rules.
    let er = err(
        e.patch(&path, json!({"type": "business", "status": "active", "last_name": "0"})).await,
        422,
        "validation_error",
    )
    .await;
    assert_eq!(error_fields(&er), ["type", "status", "last_name"]);
    assert!(er["errors"][0]["message"].as_str().unwrap().contains("cannot be updated"));
    let er = err(e.patch(&path, json!({"billing_address": {"city": ""}})).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["billing_address.city"]);

    // Another customer's e-mail is 409; its own in another case is fine.
    let other = e.create(2).await;
    err(e.patch(&path, json!({"email": other["email"]})).await, 409, "customer_exists").await;
    let r = e.patch(&path, json!({"email": "ADAEZE.OKAFOR1@example.com"})).await;
    assert_eq!(r.status(), 200);
    err(e.patch("/customers/cus_nope", json!({"first_name": "X"})).await, 404, "not_found").await;
    err(e.get("/customers/cus_nope").await, 404, "not_found").await;
}

// ------------------------------------------------------------------ activation

#[tokio::test]
async fn customers_become_active_after_the_delay_unless_held() {
    let e = wt_with(Seed::Empty, |c| c.review_delay = Duration::from_millis(300)).await;
    let c = e.create(1).await;
    let id = c["id"].as_str().unwrap();
    assert_eq!(e.customer(id).await["status"], "pending_kyc");
    let a = e.wait_customer(id, |c| c["status"] == "active").await;
    assert!(a["updated_at"].as_str() > a["created_at"].as_str(), "updated_at moves");

    let mut held = registration(2);
    held["email"] = json!("kyc.HOLD.me@example.com");
    let r = e.post("/customers", held).await;
    let h = r.json::<Value>().await.unwrap()["data"].clone();
    let hid = h["id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(e.customer(hid).await["status"], "pending_kyc", "held");
    // Only an admin call moves it (both ways).
    let r = e.admin_post(&format!("/customers/{hid}/status"), json!({"status": "active"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["data"]["status"], "active");
    let r = e.admin_post(&format!("/customers/{id}/status"), json!({"status": "pending_kyc"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(e.customer(id).await["status"], "pending_kyc");
    let er =
        err(e.admin_post(&format!("/customers/{id}/status"), json!({"status": "gone"})).await, 422, "validation_error")
            .await;
    assert_eq!(error_fields(&er), ["status"]);
    err(e.admin_post("/customers/cus_nope/status", json!({"status": "active"})).await, 404, "not_found").await;

    // An admin decision supersedes an activation in flight.
    let c = e.create(3).await;
    let id = c["id"].as_str().unwrap();
    e.admin_post(&format!("/customers/{id}/status"), json!({"status": "pending_kyc"})).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(e.customer(id).await["status"], "pending_kyc");
}

// ------------------------------------------------------------------ BVN

#[tokio::test]
async fn resolve_bvn_answers_demo_records_that_match_or_not_and_generated_people() {
    let n = 36;
    let e = wt_with(Seed::Demo(n), |_| {}).await;
    let demo = kyc_sandbox::demo_bvns();
    assert_eq!(demo, kyc_sandbox::demo_bvns_for(n));
    let listed: Value = e.admin(Method::GET, "/bvns").send().await.unwrap().json().await.unwrap();
    let listed: BTreeSet<(String, String, bool)> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["bvn"].as_str().unwrap().into(),
                b["customer_id"].as_str().unwrap().into(),
                b["matches"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, demo.iter().cloned().collect());
    let matching: Vec<_> = demo.iter().filter(|d| d.2).collect();
    let differing: Vec<_> = demo.iter().filter(|d| !d.2).collect();
    assert!(matching.len() >= 3 && differing.len() >= 2, "{demo:?}");

    let resolve = |bvn: String| e.post("/payment-methods/resolve-bvn", json!({ "bvn": bvn }));
    for (bvn, customer, matches) in &demo {
        let r = resolve(bvn.clone()).await;
        assert_eq!(r.status(), 200);
        let rec = r.json::<Value>().await.unwrap()["data"].clone();
        let c = e.customer(customer).await;
        let keys: BTreeSet<&str> = rec.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["date_of_birth", "first_name", "middle_name", "mobile_number", "surname"].into());
        assert_eq!(rec["first_name"], c["first_name"]);
        let same = rec["surname"] == c["last_name"] && rec["mobile_number"] == c["phone_number"];
        assert_eq!(same, *matches, "{rec} vs {c}");
        assert!(
            time::Date::parse(
                rec["date_of_birth"].as_str().unwrap(),
                time::macros::format_description!("[year]-[month]-[day]")
            )
            .is_ok()
        );
    }

    // Any other well-formed BVN: a person derived from its digits, the same each time.
    let a: Value = resolve("12345678901".into()).await.json().await.unwrap();
    let b: Value = resolve("12345678901".into()).await.json().await.unwrap();
    assert_eq!(a, b);
    assert!(a["data"]["mobile_number"].as_str().unwrap().starts_with("+234"));
    let c: Value = resolve("12345678902".into()).await.json().await.unwrap();
    assert_ne!(a, c);

    let er = err(resolve("00000000000".into()).await, 404, "not_found").await;
    assert_eq!(er["message"], "BVN not found");
    for bad in ["123", "1234567890a", "123456789012"] {
        let er = err(resolve(bad.into()).await, 422, "validation_error").await;
        assert_eq!(error_fields(&er), ["bvn"]);
    }
    let er = err(e.post("/payment-methods/resolve-bvn", json!({})).await, 400, "validation_error").await;
    assert_eq!(error_fields(&er), ["bvn"]);
}

// ------------------------------------------------------------------ wallets

#[tokio::test]
async fn wallets_open_for_active_customers_once_per_currency() {
    let e = wt_with(Seed::Empty, |c| c.review_delay = Duration::from_secs(60)).await;
    let pending = e.create(1).await["id"].as_str().unwrap().to_owned();
    let er =
        err(e.post("/wallets", json!({"customer_id": pending, "currency": "NGN"})).await, 422, "customer_not_active")
            .await;
    assert_eq!(er["type"], "invalid_request_error");
    err(e.post("/wallets", json!({"customer_id": "cus_nope", "currency": "NGN"})).await, 404, "not_found").await;
    err(e.post("/wallets", json!({"customer_id": pending, "currency": "XYZ"})).await, 400, "invalid_currency").await;
    err(e.post("/wallets", json!({"customer_id": pending, "currency": "ngn"})).await, 400, "invalid_currency").await;
    let er = err(e.post("/wallets", json!({})).await, 400, "validation_error").await;
    assert_eq!(error_fields(&er), ["customer_id", "currency"]);

    let id = e.active(2).await;
    let w = e.wallet(&id, "NGN").await;
    assert!(has_id(&w["id"], "wal_") && has_id(&w["account_id"], "acc_"), "{w}");
    assert_eq!(w["customer_id"], id.as_str());
    assert_eq!(w["currency"], "NGN");
    assert_eq!(w["balance"], json!({"amount": "0.00", "currency": "NGN"}));
    assert_eq!(w["status"], "active");
    assert!(is_timestamp(&w["created_at"]) && is_timestamp(&w["updated_at"]));
    let er = err(e.post("/wallets", json!({"customer_id": id, "currency": "NGN"})).await, 409, "wallet_exists").await;
    assert_eq!(er["details"]["wallet_id"], w["id"]);
    let usd = e.wallet(&id, "USD").await;
    for c in ["GBP", "EUR", "CAD", "KES", "GHS"] {
        e.wallet(&id, c).await;
    }

    let wid = w["id"].as_str().unwrap();
    let d: Value = e.get(&format!("/wallets/{wid}")).await.json().await.unwrap();
    assert_eq!(d["data"]["payment_methods"], json!([]));
    assert_eq!(d["data"]["events"][0]["type"], "wallet.created");
    err(e.get("/wallets/wal_nope").await, 404, "not_found").await;

    let v: Value = e.get(&format!("/wallets/all?customer_id={id}&limit=3")).await.json().await.unwrap();
    assert_eq!(v["data"].as_array().unwrap().len(), 3);
    let (all, _) = walk(&e, &format!("/wallets/all?customer_id={id}&limit=3")).await;
    assert_eq!(all.len(), 7);
    let v: Value = e.get(&format!("/wallets/all?customer_id={id}&currency=USD")).await.json().await.unwrap();
    assert_eq!(ids(v["data"].as_array().unwrap()), [usd["id"].as_str().unwrap().to_owned()]);
    let er = err(e.get("/wallets/all?status=closed&currency=BTC").await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["currency", "status"]);
}

#[tokio::test]
async fn the_wallet_status_machine_needs_reasons_and_has_no_way_out_of_deleted() {
    let e = wt().await;
    let id = e.active(1).await;
    let w = e.wallet(&id, "NGN").await;
    let path = format!("/wallets/{}/status", w["id"].as_str().unwrap());

    let er = err(e.patch(&path, json!({"status": "frozen"})).await, 400, "validation_error").await;
    assert_eq!(error_fields(&er), ["reason"]);
    err(e.patch(&path, json!({"status": "deleted", "reason": ""})).await, 400, "validation_error").await;
    let er = err(e.patch(&path, json!({"status": "frozen", "reason": "x".repeat(256)})).await, 422, "validation_error")
        .await;
    assert_eq!(error_fields(&er), ["reason"]);
    let er = err(e.patch(&path, json!({"status": "closed"})).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["status"]);
    err(e.patch(&path, json!({})).await, 400, "validation_error").await;
    let er = err(e.patch(&path, json!({"status": "active"})).await, 422, "invalid_status_transition").await;
    assert!(er["message"].as_str().unwrap().contains("already active"));

    let r = e.patch(&path, json!({"status": "frozen", "reason": "Suspicious activity"})).await;
    assert_eq!(r.status(), 200);
    let f = r.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(f["status"], "frozen");
    let last = f["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["type"].as_str(), last["status"].as_str()), (Some("wallet.status_changed"), Some("frozen")));
    assert_eq!(last["reason"], "Suspicious activity");
    assert!(is_timestamp(&last["at"]));
    err(e.patch(&path, json!({"status": "frozen", "reason": "again"})).await, 422, "invalid_status_transition").await;

    // A frozen wallet takes no bank account.
    let pm = format!("/wallets/{}/payment-method", w["id"].as_str().unwrap());
    err(e.post(&pm, json!({"type": "bank_account"})).await, 422, "wallet_not_active").await;

    let r = e.patch(&path, json!({"status": "active"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["data"]["status"], "active", "no reason needed to unfreeze");
    let r = e.patch(&path, json!({"status": "deleted", "reason": "Closed at the customer's request"})).await;
    assert_eq!(r.status(), 200);
    for (to, reason) in [("active", None), ("frozen", Some("x")), ("deleted", Some("x"))] {
        let mut b = json!({ "status": to });
        if let Some(r) = reason {
            b["reason"] = json!(r);
        }
        let er = err(e.patch(&path, b).await, 422, "invalid_status_transition").await;
        assert!(er["message"].as_str().unwrap().contains("deleted"), "{er}");
    }
    err(e.patch("/wallets/wal_nope/status", json!({"status": "active"})).await, 404, "not_found").await;
    let d: Value = e.get(&format!("/wallets/{}", w["id"].as_str().unwrap())).await.json().await.unwrap();
    let kinds: Vec<&str> =
        d["data"]["events"].as_array().unwrap().iter().filter_map(|e| e["status"].as_str()).collect();
    assert_eq!(kinds, ["frozen", "active", "deleted"]);

    // The currency is free again once the wallet is deleted.
    let again = e.wallet(&id, "NGN").await;
    assert_ne!(again["id"], w["id"]);
    let v: Value = e.get(&format!("/wallets/all?customer_id={id}&status=deleted")).await.json().await.unwrap();
    assert_eq!(ids(v["data"].as_array().unwrap()), [w["id"].as_str().unwrap().to_owned()]);
}

#[tokio::test]
async fn bank_accounts_are_generated_per_currency_for_active_wallets() {
    let e = wt().await;
    let id = e.active(1).await;
    let ngn = e.wallet(&id, "NGN").await;
    let path = format!("/wallets/{}/payment-method", ngn["id"].as_str().unwrap());
    let r = e.post(&path, json!({"type": "bank_account"})).await;
    assert_eq!(r.status(), 201);
    let pm = r.json::<Value>().await.unwrap()["data"].clone();
    assert!(has_id(&pm["id"], "pm_"));
    assert_eq!((pm["type"].as_str(), pm["currency"].as_str()), (Some("bank_account"), Some("NGN")));
    let nuban = pm["account_number"].as_str().unwrap();
    assert!(nuban.len() == 10 && nuban.bytes().all(|b| b.is_ascii_digit()), "{pm}");
    assert!(!pm["bank_name"].as_str().unwrap().is_empty());
    assert_eq!(pm["account_name"], "Adaeze Okafor");
    assert!(is_timestamp(&pm["created_at"]));

    let usd = e.wallet(&id, "USD").await;
    let r = e
        .post(&format!("/wallets/{}/payment-method", usd["id"].as_str().unwrap()), json!({"type": "bank_account"}))
        .await;
    let pm = r.json::<Value>().await.unwrap()["data"].clone();
    let routing = pm["routing_number"].as_str().unwrap();
    assert_eq!(routing.len(), 9);
    assert!(pm["account_number"].as_str().unwrap().len() >= 8);

    let d: Value = e.get(&format!("/wallets/{}", ngn["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(d["data"]["payment_methods"].as_array().unwrap().len(), 1);
    assert_eq!(d["data"]["events"][1]["type"], "wallet.payment_method_added");
    let er = err(e.post(&path, json!({"type": "card"})).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["type"]);
    err(e.post(&path, json!({})).await, 400, "validation_error").await;
    err(e.post("/wallets/wal_nope/payment-method", json!({"type": "bank_account"})).await, 404, "not_found").await;
}

#[tokio::test]
async fn the_demo_has_wallets_in_every_state_and_transactions_newest_first() {
    let e = wt_with(Seed::Demo(36), |_| {}).await;
    let s = e.stats().await;
    assert_eq!(s["customers"], 36);
    let (customers, _) = walk(&e, "/customers?limit=100").await;
    let statuses: BTreeSet<&str> = customers.iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["active", "pending_kyc"].into());
    let types: BTreeSet<&str> = customers.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["business", "individual"].into());
    let countries: BTreeSet<&str> =
        customers.iter().map(|c| c["billing_address"]["country"].as_str().unwrap()).collect();
    assert_eq!(countries, ["CA", "GB", "GH", "KE", "NG", "US", "ZA"].into());

    let (wallets, _) = walk(&e, "/wallets/all?limit=25").await;
    assert_eq!(wallets.len() as u64, s["wallets"].as_u64().unwrap());
    let wstatuses: BTreeSet<&str> = wallets.iter().map(|w| w["status"].as_str().unwrap()).collect();
    assert_eq!(wstatuses, ["active", "deleted", "frozen"].into());
    let currencies: BTreeSet<&str> = wallets.iter().map(|w| w["currency"].as_str().unwrap()).collect();
    assert_eq!(currencies, ["NGN", "USD"].into());
    let active_ids: HashSet<&str> =
        customers.iter().filter(|c| c["status"] == "active").map(|c| c["id"].as_str().unwrap()).collect();
    assert!(wallets.iter().all(|w| active_ids.contains(w["customer_id"].as_str().unwrap())));

    // A seeded wallet's transactions: 3 to 12, newest first, the completed ones summing
    // to the balance.
    let w = wallets.iter().find(|w| w["status"] == "active").unwrap();
    let wid = w["id"].as_str().unwrap();
    let (txns, pages) = walk(&e, &format!("/wallets/transactions?wallet_id={wid}&limit=2")).await;
    assert!((3..=12).contains(&txns.len()), "{}", txns.len());
    assert_eq!(pages.last().unwrap()["after"], Value::Null);
    assert!(txns.windows(2).all(|p| p[0]["created_at"].as_str() >= p[1]["created_at"].as_str()));
    let cents = |t: &Value| {
        let a = t["amount"].as_str().unwrap();
        let (units, frac) = a.split_once('.').unwrap();
        assert_eq!(frac.len(), 2, "{a}");
        units.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
    };
    let sum: i64 = txns
        .iter()
        .filter(|t| t["status"] == "completed")
        .map(|t| if t["type"] == "credit" { cents(t) } else { -cents(t) })
        .sum();
    assert_eq!(sum, cents(&w["balance"]));
    for t in &txns {
        assert_eq!((t["wallet_id"].as_str(), t["currency"].as_str()), (Some(wid), w["currency"].as_str()));
        assert!(has_id(&t["id"], "txn_") && is_timestamp(&t["created_at"]));
        assert!(["completed", "pending", "failed"].contains(&t["status"].as_str().unwrap()));
        assert!(!t["description"].as_str().unwrap().is_empty());
    }
    let v: Value =
        e.get(&format!("/wallets/transactions?wallet_id={wid}&type=credit&limit=100")).await.json().await.unwrap();
    let credits = v["data"].as_array().unwrap();
    assert!(!credits.is_empty() && credits.iter().all(|t| t["type"] == "credit"));
    let deleted = wallets.iter().find(|w| w["status"] == "deleted").unwrap();
    assert_eq!(deleted["balance"]["amount"], "0.00");

    // All wallets' transactions, and the errors.
    let (every, _) = walk(&e, "/wallets/transactions?limit=100").await;
    assert!(every.len() >= 3 * wallets.len());
    err(e.get("/wallets/transactions?wallet_id=wal_nope").await, 404, "not_found").await;
    let er = err(e.get("/wallets/transactions?type=refund").await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["type"]);
    // A new wallet has none.
    let id = e.active(1).await;
    let nw = e.wallet(&id, "NGN").await;
    let v: Value =
        e.get(&format!("/wallets/transactions?wallet_id={}", nw["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(v, json!({"data": [], "pagination": {"before": null, "after": null, "limit": 15}}));
}

// ------------------------------------------------------------------ rate limit, faults

#[tokio::test]
async fn over_the_rate_limit_is_429_with_retry_after_in_the_header_and_the_body() {
    let cfg = SandboxConfig::wallets();
    assert_eq!((cfg.rate_limit_burst, cfg.token.as_str()), (100, WALLETS_API_KEY), "100 a minute by default");
    assert!((cfg.rate_limit_per_second - 100.0 / 60.0).abs() < 1e-9);

    let e = wt_with(Seed::Empty, |c| *c = c.clone().with_rate_limit_per_minute(3)).await;
    for left in ["2", "1", "0"] {
        let r = e.get("/customers").await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-ratelimit-limit"], "3");
        assert_eq!(r.headers()["x-ratelimit-remaining"], left);
        let reset: i64 = r.headers()["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
        assert!(reset >= time::OffsetDateTime::now_utc().unix_timestamp() - 1);
    }
    let r = e.get("/customers").await;
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert!(r.headers().get("x-ratelimit-reset").is_some());
    let er = err(r, 429, "rate_limited").await;
    assert_eq!(er["type"], "rate_limit_error");
    assert_eq!(er["retry_after"], retry);
    // The admin surface is not limited.
    assert_eq!(e.admin(Method::GET, "/stats").send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn injected_faults_answer_in_this_shape_with_the_request_id() {
    let e = wt().await;
    assert_eq!(e.admin_post("/faults", json!({"fail_next": 1})).await.status(), 204);
    let r = e.get("/customers").await;
    assert_eq!(r.headers()["retry-after"], "1");
    let rid = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let er = err(r, 503, "unavailable").await;
    assert_eq!((er["type"].as_str(), er["request_id"].as_str()), (Some("api_error"), Some(rid.as_str())));
    assert_eq!(e.admin_post("/faults", json!({"fail_next": 1, "status": 500})).await.status(), 204);
    let er = err(e.get("/customers").await, 500, "internal").await;
    assert!(er["request_id"].as_str().unwrap().starts_with("req_"));
    assert_eq!(e.get("/customers").await.status(), 200);
    assert_eq!(e.admin_post("/faults", json!({"fail_next": 1, "status": 429, "retry_after": 7})).await.status(), 204);
    let r = e.get("/customers").await;
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(err(r, 429, "rate_limited").await["retry_after"], 7);
    let er = err(e.admin_post("/faults", json!({"kinds": ["teapot"]})).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["kinds"]);
    assert_eq!(e.stats().await["faults_injected"], 3);
}

// ------------------------------------------------------------------ admin, hardening

#[tokio::test]
async fn the_admin_surface_needs_its_token_resets_seeds_and_refuses_other_origins() {
    let e = wt_with(Seed::Demo(5), |_| {}).await;
    for (method, path) in [
        (Method::GET, "/stats"),
        (Method::POST, "/reset"),
        (Method::POST, "/seed"),
        (Method::POST, "/faults"),
        (Method::DELETE, "/faults"),
        (Method::POST, "/customers/x/status"),
        (Method::GET, "/bvns"),
    ] {
        let url = format!("{}{path}", e.sb.admin_url());
        err(e.http.request(method.clone(), &url).json(&json!({})).send().await.unwrap(), 401, "unauthorized").await;
        let r = e.http.request(method.clone(), &url).header("authorization", WALLETS_API_KEY).send().await.unwrap();
        err(r, 401, "unauthorized").await;
    }
    let stats = e.stats().await;
    let keys: BTreeSet<&str> = stats.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "customers",
            "customers_created",
            "faults_injected",
            "idempotent_replays",
            "requests",
            "wallets",
            "wallets_created"
        ]
        .into()
    );
    assert_eq!(stats["customers"], 5);
    let r = e.admin(Method::POST, "/reset").header("origin", "http://evil.example").send().await.unwrap();
    err(r, 403, "forbidden").await;
    assert_eq!(e.admin(Method::POST, "/reset").send().await.unwrap().status(), 204);
    let s = e.stats().await;
    assert_eq!((s["customers"].as_u64(), s["wallets"].as_u64()), (Some(0), Some(0)));
    let r = e.admin_post("/seed", json!({"count": 12})).await;
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"customers": 12}));
    assert_eq!(e.stats().await["customers"], 12);
    let er = err(e.admin_post("/seed", json!({"count": 2_000_000})).await, 422, "validation_error").await;
    assert_eq!(error_fields(&er), ["count"]);
    err(e.admin_post("/seed", json!({"count": "x"})).await, 400, "invalid_request").await;

    // Unknown routes and methods.
    let r = e.get("/nope").await;
    assert!(r.headers().get("x-ratelimit-remaining").is_some(), "every API response");
    let er = err(r, 404, "not_found").await;
    assert_eq!(er["message"], "No route for GET /nope");
    err(e.admin(Method::GET, "/nope").send().await.unwrap(), 404, "not_found").await;
    err(e.req(Method::DELETE, "/customers").send().await.unwrap(), 405, "method_not_allowed").await;
}

#[tokio::test]
async fn another_host_is_421_and_a_data_file_is_refused() {
    let e = wt().await;
    let mut s = tokio::net::TcpStream::connect(e.sb.addr()).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    s.write_all(b"GET /openapi.json HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 421"), "{out}");
    let body: Value = serde_json::from_str(out.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["error"]["code"], "misdirected_request");

    let cfg = SandboxConfig { data_file: Some("x.sqlite".into()), ..SandboxConfig::wallets() };
    let err = Sandbox::start_local(cfg).await.unwrap_err();
    assert_eq!(err.to_string(), "--data is not supported for wallets");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);

    let cfg = SandboxConfig::for_provider("wallets").unwrap();
    assert_eq!((cfg.flavour, cfg.seed, cfg.review_delay), (Flavour::Wallets, Seed::Demo(36), Duration::from_secs(3)));
    assert_eq!(e.sb.flavour(), Flavour::Wallets);
    assert_eq!(e.sb.base_url(), format!("http://{}", e.sb.addr()), "at the root");
}

// ------------------------------------------------------------------ OpenAPI, CLI

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_public_routes() {
    let e = wt().await;
    let r = e.http.get(e.url("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], e.sb.base_url());
    let mut described: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys().filter(|k| *k != "parameters") {
            described.push((method.clone(), path.clone()));
        }
    }
    described.sort();
    let mut served: Vec<(String, String)> =
        kyc_sandbox::WALLETS_PUBLIC_ROUTES.iter().map(|(m, p)| ((*m).into(), (*p).into())).collect();
    served.sort();
    assert_eq!(described, served);
    let constant: Value = serde_json::from_str(kyc_sandbox::WALLETS_OPENAPI).unwrap();
    assert_eq!(constant["paths"], doc["paths"]);
    // Every $ref resolves.
    let text = kyc_sandbox::WALLETS_OPENAPI;
    for part in text.split("\"$ref\": \"#/").skip(1) {
        let pointer = format!("/{}", &part[..part.find('"').unwrap()]);
        assert!(constant.pointer(&pointer).is_some(), "{pointer}");
    }
    // And each is really served (an unknown id's 404 is the handler's).
    for (method, path) in &served {
        let path = path.replace("{customer_id}", "nope").replace("{wallet_id}", "nope");
        let r = e.req(method.to_uppercase().parse().unwrap(), &path).json(&json!({})).send().await.unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(
            !body["error"]["message"].as_str().is_some_and(|m| m.starts_with("No route")) && status != 405,
            "{method} {path} is routed: {status} {body}"
        );
    }
}

#[tokio::test]
async fn the_binary_serves_the_wallets_flavour_with_provider_wallets() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kyc-sandbox"))
        .args([
            "--provider",
            "wallets",
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "3",
            "--api-key",
            "k1",
            "--admin-token",
            "adm",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
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
        assert!(!base.contains("/api"), "{base}");
        let http = Client::new();
        let unauthorized =
            http.get(format!("{base}/customers")).header("authorization", WALLETS_API_KEY).send().await.unwrap();
        assert_eq!(unauthorized.status(), 401, "--api-key replaces the default");
        let r = http.get(format!("{base}/customers")).header("authorization", "k1").send().await.unwrap();
        assert_eq!(r.headers()["x-ratelimit-limit"], "100");
        r.json::<Value>().await.unwrap()
    };
    let list = tokio::spawn(outcome).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(list.expect("the calls succeed")["data"].as_array().unwrap().len(), 3);
}
