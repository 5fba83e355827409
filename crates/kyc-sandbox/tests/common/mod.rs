//! Helpers for the sandbox's contract tests: a started sandbox, an HTTP client, and a
//! webhook receiver on loopback.
#![allow(dead_code)]

use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const TOKEN: &str = kyc_sandbox::DEFAULT_TOKEN;

pub struct Env {
    pub sb: Sandbox,
    pub http: Client,
}

/// A sandbox with fast reviews and offers, `seed`, and a random admin token (which
/// the admin helpers send).
pub async fn env_with(seed: Seed, tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
    let mut cfg = SandboxConfig {
        seed,
        admin_token: Some(kyc_sandbox::random_admin_token()),
        review_delay: Duration::from_millis(150),
        offer_delay: Duration::from_millis(150),
        webhook_retry_base: Duration::from_millis(50),
        ..SandboxConfig::default()
    };
    tweak(&mut cfg);
    let sb = Sandbox::start_local(cfg).await.expect("sandbox");
    Env { sb, http: Client::new() }
}

pub async fn env() -> Env {
    env_with(Seed::Empty, |_| {}).await
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sb.base_url())
    }
    pub fn admin(&self, path: &str) -> String {
        format!("{}{path}", self.sb.admin_url())
    }
    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).bearer_auth(TOKEN).send().await.expect("GET")
    }
    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.http.post(self.url(path)).bearer_auth(TOKEN).json(&body).send().await.expect("POST")
    }
    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.http.patch(self.url(path)).bearer_auth(TOKEN).json(&body).send().await.expect("PATCH")
    }
    /// An admin request, with the admin token when the sandbox has one.
    pub fn admin_req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let rb = self.http.request(method, self.admin(path));
        match self.sb.admin_token() {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }
    pub async fn admin_get(&self, path: &str) -> Response {
        self.admin_req(reqwest::Method::GET, path).send().await.expect("admin GET")
    }
    pub async fn admin_post(&self, path: &str, body: Value) -> Response {
        self.admin_req(reqwest::Method::POST, path).json(&body).send().await.expect("admin POST")
    }
    /// Registers a customer and returns it.
    pub async fn create(&self, cpf: &str, cnpj: Option<&str>, ext: &str, email: &str) -> Value {
        let r = self
            .post("/customers", json!({"cpf": cpf, "cnpj": cnpj, "name": "Joao Silva", "email": email, "phone": "+5511999999999", "external_id": ext}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.expect("json")
    }
    pub async fn upload(&self, id: &str, doc_type: &str, filename: &str, bytes: Vec<u8>) -> Response {
        let form = reqwest::multipart::Form::new()
            .text("type", doc_type.to_owned())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned()));
        self.http
            .post(self.url(&format!("/customers/{id}/documents")))
            .bearer_auth(TOKEN)
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }
    pub async fn customer(&self, id: &str) -> Value {
        self.get(&format!("/customers/{id}")).await.json().await.expect("json")
    }
    /// Polls the customer until `cond` holds (reviews are asynchronous), up to 10 s.
    pub async fn wait_customer(&self, id: &str, cond: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..200 {
            let c = self.customer(id).await;
            if cond(&c) {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("customer {id} never reached the expected state: {}", self.customer(id).await);
    }
    pub async fn stats(&self) -> Value {
        self.admin_get("/stats").await.json().await.expect("json")
    }
}

pub fn item<'a>(c: &'a Value, t: &str) -> &'a Value {
    c["kyc"].as_array().and_then(|a| a.iter().find(|i| i["type"] == t)).unwrap_or_else(|| panic!("no item {t} in {c}"))
}

/// Asserts an RFC 9457 problem with this status and code; returns its body.
pub async fn problem(r: Response, status: u16, code: &str) -> Value {
    assert_eq!(r.status().as_u16(), status, "status");
    assert!(r.headers().get("x-request-id").is_some(), "every response carries X-Request-Id");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().is_some_and(|t| t.starts_with("https://docs.dinie.com/errors/")), "{body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
    body
}

pub fn png(size: usize) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.resize(size, 7);
    v
}

/// A webhook receiver on loopback: records every delivery; answers `fail_first`
/// deliveries with 500 before accepting.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>,
    pub fail_first: Arc<Mutex<u32>>,
}

impl Receiver {
    pub async fn start(fail_first: u32) -> (Self, String) {
        let r = Receiver { fail_first: Arc::new(Mutex::new(fail_first)), ..Default::default() };
        let r2 = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let r = r2.clone();
                async move {
                    r.got.lock().unwrap().push((headers, body));
                    let mut f = r.fail_first.lock().unwrap();
                    if *f > 0 {
                        *f -= 1;
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (r, url)
    }

    pub fn events(&self) -> Vec<Value> {
        self.got.lock().unwrap().iter().map(|(_, b)| serde_json::from_str(b).unwrap()).collect()
    }

    pub async fn wait_for(&self, event_type: &str) -> Value {
        for _ in 0..200 {
            if let Some(e) = self.events().into_iter().find(|e| e["type"] == event_type) {
                return e;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no {event_type} webhook; got {:?}",
            self.events().iter().map(|e| e["type"].clone()).collect::<Vec<_>>()
        );
    }
}
