//! The sandbox listens on loopback, where every program on the machine and every web
//! page its browser opens can reach it: the admin token, the `Host` allowlist, the
//! same-origin rule, capped counts, secrets never sent back, webhooks only to loopback,
//! answers that survive a client writing its whole body first, and every form of the
//! client-credentials token request.

mod common;

use common::*;
use kyc_sandbox::{Sandbox, SandboxConfig, Seed, WebhookEndpoint};
use reqwest::Method;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A valid CPF, masked, different for each `n` below 1000.
fn cpf(n: u32) -> String {
    let digits = format!("{:09}", 300_200_100 + n * 1_003);
    let base: [u8; 9] = std::array::from_fn(|i| digits.as_bytes()[i] - b'0');
    kyc_model::Cpf::from_base(base).formatted()
}

/// Sends `request` as is on a new connection and reads the answer until the server
/// closes it (send `Connection: close`).
async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(request).await.expect("the request is written");
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut out))
        .await
        .expect("the server answers and closes")
        .expect("the answer is read");
    String::from_utf8_lossy(&out).into_owned()
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or_default()
}

fn body_of(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("a JSON body ({e}): {answer}"))
}

// ------------------------------------------------------------------ 1. admin token

#[tokio::test]
async fn every_admin_call_needs_the_admin_token_but_the_capture_page_does_not() {
    let e = env().await;
    let token = e.sb.admin_token().expect("the test sandbox has an admin token").to_owned();
    assert_eq!(token.len(), 64, "32 random bytes in hex");
    assert!(!format!("{:?}", e.sb).contains(&token), "Debug does not show the token");
    let guarded: &[(Method, &str, Value)] = &[
        (Method::GET, "/stats", Value::Null),
        (Method::POST, "/reset", json!({})),
        (Method::POST, "/seed", json!({"count": 3})),
        (Method::POST, "/customers/cust_x/kyc/selfie", json!({"status": "approved"})),
        (Method::GET, "/customers/cust_x/documents", Value::Null),
        (Method::GET, "/documents/doc_x", Value::Null),
        (Method::POST, "/faults", json!({"fail_next": 1})),
        (Method::DELETE, "/faults", Value::Null),
        (Method::GET, "/webhooks", Value::Null),
        (Method::POST, "/webhooks", json!({"url": "http://127.0.0.1:9/hook"})),
        (Method::POST, "/tokens/expire", json!({})),
    ];
    for (method, path, body) in guarded {
        let send = |auth: Option<&str>| {
            let mut rb = e.http.request(method.clone(), e.admin(path));
            if let Some(t) = auth {
                rb = rb.bearer_auth(t);
            }
            if !body.is_null() {
                rb = rb.json(body);
            }
            rb.send()
        };
        let p = problem(send(None).await.unwrap(), 401, "unauthorized").await;
        assert!(p["detail"].as_str().unwrap().contains("Bearer"), "{method} {path}: {p}");
        problem(send(Some("wrong")).await.unwrap(), 401, "unauthorized").await;
        // The API's token is not the admin token.
        problem(send(Some(TOKEN)).await.unwrap(), 401, "unauthorized").await;
    }
    assert_eq!(e.stats().await["customers"], 0, "nothing above was carried out");
    assert_eq!(e.admin_post("/seed", json!({"count": 3})).await.status(), 200, "with the token it works");
    assert_eq!(e.stats().await["customers"], 3);

    // The capture page and its buttons: what the customer's browser opens, no token.
    let id = e.create(&cpf(1), None, "ext-1", "a@example.com").await["id"].as_str().unwrap().to_owned();
    let s: Value = e.post(&format!("/customers/{id}/biometrics"), json!({})).await.json().await.unwrap();
    let url = s["session_url"].as_str().unwrap().to_owned();
    let page = e.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("/complete"));
    assert_eq!(e.http.post(format!("{url}/complete")).send().await.unwrap().status(), 200);
    e.wait_customer(&id, |c| item(c, "biometrics")["status"] == "approved").await;
}

#[tokio::test]
async fn without_an_admin_token_the_admin_surface_stays_open_for_tests() {
    let sb = Sandbox::start_local(SandboxConfig { seed: Seed::Demo(2), ..SandboxConfig::default() }).await.unwrap();
    assert!(SandboxConfig::default().admin_token.is_none());
    assert!(sb.admin_token().is_none());
    let r = reqwest::get(format!("{}/stats", sb.admin_url())).await.unwrap();
    assert_eq!(r.status(), 200);
    let cfg = SandboxConfig::default().with_random_admin_token();
    let other = SandboxConfig::default().with_random_admin_token();
    assert_ne!(cfg.admin_token, other.admin_token, "random each time");
}

// ------------------------------------------------------------------ 2. webhooks

#[tokio::test]
async fn the_webhook_list_never_shows_a_secret_and_webhooks_only_go_to_loopback() {
    let secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==";
    let e = env_with(Seed::Empty, |c| {
        c.webhooks = vec![WebhookEndpoint { url: "http://127.0.0.1:9/configured".into(), secret: secret.into() }]
    })
    .await;
    let r = e.admin_post("/webhooks", json!({"url": "http://localhost:9/added", "secret": secret})).await;
    assert_eq!(r.status(), 201);
    let added = r.text().await.unwrap();
    assert!(!added.contains("whsec_"), "the answer to a registration has no secret: {added}");
    let listed = e.admin_get("/webhooks").await.text().await.unwrap();
    assert!(!listed.contains("whsec_") && !listed.contains("c2VjcmV0"), "{listed}");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let data = listed["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0], json!({"url": "http://127.0.0.1:9/configured", "secret_set": true}));
    assert_eq!(data[1], json!({"url": "http://localhost:9/added", "secret_set": true}));

    for url in ["http://127.0.0.2:9/h", "https://127.0.0.1:9/h", "http://[::1]:9/h", "http://LOCALHOST:9/h"] {
        assert_eq!(e.admin_post("/webhooks", json!({"url": url})).await.status(), 201, "{url}");
    }
    for url in [
        "http://example.com/hook",
        "https://api.dinie.com.br/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0:9/h",
        "http://localhost.example.com/h",
        "http://127.0.0.1.nip.io/h",
        "ftp://127.0.0.1/h",
        "file:///etc/passwd",
        "not a url",
    ] {
        let p = problem(e.admin_post("/webhooks", json!({"url": url})).await, 422, "validation_failed").await;
        assert_eq!(p["param"], "url", "{url}");
    }
    assert_eq!(e.admin_get("/webhooks").await.json::<Value>().await.unwrap()["data"].as_array().unwrap().len(), 6);
}

// ------------------------------------------------------------------ 3. Host allowlist

#[tokio::test]
async fn a_host_other_than_the_bound_address_is_421_on_every_route() {
    let e = env_with(Seed::Demo(2), |_| {}).await;
    let addr = e.sb.addr();
    let admin = e.sb.admin_token().unwrap().to_owned();
    let get = |path: &str, host: Option<&str>, auth: &str| {
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        format!("GET {path} HTTP/1.1\r\n{host}Authorization: Bearer {auth}\r\nConnection: close\r\n\r\n")
    };
    let port = addr.port();
    let routes = [
        ("/api/v3/customers?limit=1", TOKEN),
        ("/api/v3/openapi.json", TOKEN),
        ("/_sandbox/stats", admin.as_str()),
        ("/_sandbox/biometrics/bio_nope", ""),
        ("/nowhere", ""),
    ];
    for (path, auth) in routes {
        for host in [
            Some("evil.example".to_owned()),
            Some(format!("evil.example:{port}")),
            Some(format!("127.0.0.1:{}", port.wrapping_add(1))),
            Some(format!("[::1]:{port}")),
            Some("127.0.0.1".to_owned()),
            None,
        ] {
            let answer = raw(addr, get(path, host.as_deref(), auth).as_bytes()).await;
            assert!(status_line(&answer).starts_with("HTTP/1.1 421"), "{path} Host {host:?}: {answer}");
            assert!(answer.to_lowercase().contains("content-type: application/problem+json"), "{answer}");
            let p = body_of(&answer);
            assert_eq!((p["status"].as_u64(), p["code"].as_str()), (Some(421), Some("misdirected_request")), "{p}");
            assert_eq!(p["type"], "https://docs.dinie.com/errors/misdirected-request");
        }
        for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("LocalHost:{port}")] {
            let answer = raw(addr, get(path, Some(&host), auth).as_bytes()).await;
            assert!(!status_line(&answer).contains(" 421 "), "{path} Host {host}: {answer}");
        }
    }
    // The POST routes too.
    let body = r#"{"grant_type":"client_credentials","client_id":"sandbox","client_secret":"sandbox-secret"}"#;
    let token_req = |host: &str| {
        format!(
            "POST /api/v3/auth/token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    assert!(status_line(&raw(addr, token_req("attacker.test").as_bytes()).await).starts_with("HTTP/1.1 421"));
    assert!(status_line(&raw(addr, token_req(&addr.to_string()).as_bytes()).await).starts_with("HTTP/1.1 200"));
    let reset = format!(
        "POST /_sandbox/reset HTTP/1.1\r\nHost: attacker.test:{port}\r\nAuthorization: Bearer {admin}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert!(status_line(&raw(addr, reset.as_bytes()).await).starts_with("HTTP/1.1 421"));
    assert_eq!(e.stats().await["customers"], 2, "the reset was not carried out");
}

#[tokio::test]
async fn on_ipv6_loopback_the_host_is_the_bracketed_address_or_localhost() {
    let Ok(sb) = Sandbox::start("[::1]:0".parse().unwrap(), SandboxConfig::default()).await else {
        eprintln!("no IPv6 loopback here: skipped");
        return;
    };
    let port = sb.addr().port();
    for (host, ok) in [
        (format!("[::1]:{port}"), true),
        (format!("localhost:{port}"), true),
        (format!("127.0.0.1:{port}"), false),
        (format!("rebind.example:{port}"), false),
    ] {
        let req = format!("GET /api/v3/openapi.json HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let answer = raw(sb.addr(), req.as_bytes()).await;
        assert_eq!(status_line(&answer).starts_with("HTTP/1.1 200"), ok, "{host}: {}", status_line(&answer));
    }
}

// ------------------------------------------------------------------ 4. counts

#[tokio::test]
async fn absurd_counts_are_refused_with_422_naming_the_field() {
    let e = env_with(Seed::Demo(4), |_| {}).await;
    let quick = Duration::from_secs(5);
    for (path, field, body) in [
        ("/seed", "count", json!({"count": 1_000_000_000u64})),
        ("/seed", "count", json!({"count": kyc_sandbox::MAX_COUNT + 1})),
        ("/seed", "count", json!({"count": u64::MAX})),
        ("/faults", "fail_next", json!({"fail_next": 1_000_000_000u64})),
        ("/faults", "drop_next", json!({"drop_next": 1_000_000_000_000u64})),
        ("/faults", "latency_ms", json!({"latency_ms": 1_000_000_000u64})),
    ] {
        let r = tokio::time::timeout(quick, e.admin_post(path, body.clone())).await.expect("refused at once");
        let p = problem(r, 422, "validation_failed").await;
        assert_eq!(p["param"], field, "{path} {body}: {p}");
        assert_eq!(p["errors"][0]["param"], field, "{p}");
    }
    // Not a count at all: still a problem naming it.
    let p = problem(e.admin_post("/seed", json!({"count": "many"})).await, 422, "validation_failed").await;
    assert!(p["detail"].as_str().unwrap().contains("count"), "{p}");
    assert_eq!(e.stats().await["customers"], 4, "nothing was replaced");
    assert_eq!(e.stats().await["faults_injected"], 0);
    // What the end-to-end tests and the benches use still works.
    assert_eq!(e.admin_post("/faults", json!({"drop_next": 1_000_000})).await.status(), 204);
    assert_eq!(e.admin_req(Method::DELETE, "/faults").send().await.unwrap().status(), 204);
    assert_eq!(e.admin_post("/seed", json!({"count": 7})).await.json::<Value>().await.unwrap()["customers"], 7);
}

// ------------------------------------------------------------------ 5. same origin

#[tokio::test]
async fn state_changing_admin_calls_from_another_web_origin_are_403() {
    // Even with the admin surface open (no token), a web page cannot reset the sandbox.
    for with_token in [true, false] {
        let e = env_with(Seed::Demo(3), |c| {
            if !with_token {
                c.admin_token = None;
            }
        })
        .await;
        let own = format!("http://{}", e.sb.addr());
        for origin in ["http://evil.example", "null", "http://127.0.0.1:1", "https://localhost"] {
            let r = e.admin_req(Method::POST, "/reset").header("origin", origin).json(&json!({})).send().await.unwrap();
            problem(r, 403, "forbidden").await;
            let r = e.admin_req(Method::DELETE, "/faults").header("origin", origin).send().await.unwrap();
            problem(r, 403, "forbidden").await;
        }
        assert_eq!(e.stats().await["customers"], 3, "no reset happened");
        // The sandbox's own pages (and clients that send no Origin) may.
        let r = e.admin_req(Method::POST, "/reset").header("origin", &own).json(&json!({})).send().await.unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(e.admin_post("/seed", json!({"count": 2})).await.status(), 200);

        // The capture page's buttons: from its own page yes, from another site no.
        let id = e.create(&cpf(2), None, "ext-2", "b@example.com").await["id"].as_str().unwrap().to_owned();
        let s: Value = e.post(&format!("/customers/{id}/biometrics"), json!({})).await.json().await.unwrap();
        let url = s["session_url"].as_str().unwrap().to_owned();
        let r = e.http.post(format!("{url}/fail")).header("origin", "http://evil.example").send().await.unwrap();
        problem(r, 403, "forbidden").await;
        let r = e.http.post(format!("{url}/complete")).header("origin", &own).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
}

// ------------------------------------------------------------------ 6. lingering close

/// A multipart upload of `size` bytes of PNG, as `(head, body)`.
fn upload_request(addr: SocketAddr, id: &str, token: &str, size: usize, chunked: bool) -> (String, Vec<u8>) {
    let mut body = b"--B\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nselfie\r\n--B\r\n\
Content-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n"
        .to_vec();
    body.extend_from_slice(&png(size));
    body.extend_from_slice(b"\r\n--B--\r\n");
    let framing =
        if chunked { "Transfer-Encoding: chunked".to_owned() } else { format!("Content-Length: {}", body.len()) };
    let head = format!(
        "POST /api/v3/customers/{id}/documents HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary=B\r\n{framing}\r\nConnection: close\r\n\r\n"
    );
    if chunked {
        let mut framed = Vec::with_capacity(body.len() + 1024);
        for piece in body.chunks(64 * 1024) {
            framed.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            framed.extend_from_slice(piece);
            framed.extend_from_slice(b"\r\n");
        }
        framed.extend_from_slice(b"0\r\n\r\n");
        body = framed;
    }
    (head, body)
}

#[tokio::test]
async fn a_client_that_writes_its_whole_oversized_body_before_reading_gets_the_answer() {
    let e = env().await;
    let addr = e.sb.addr();
    let id = e.create(&cpf(3), None, "ext-3", "c@example.com").await["id"].as_str().unwrap().to_owned();
    // 30 MB: far more than the socket buffers hold, so the client blocks writing until
    // the server reads. Declared up front, streamed without a length, and refused for
    // its token before anything is read.
    for (token, chunked, expected) in
        [(TOKEN, false, "HTTP/1.1 413"), (TOKEN, true, "HTTP/1.1 413"), ("dinie_at_wrong", false, "HTTP/1.1 401")]
    {
        let (head, body) = upload_request(addr, &id, token, 30 * 1024 * 1024, chunked);
        let mut request = head.into_bytes();
        request.extend_from_slice(&body);
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::time::timeout(Duration::from_secs(30), s.write_all(&request))
            .await
            .expect("the body is read within 30 s")
            .unwrap_or_else(|err| panic!("writing the whole body (chunked {chunked}): {err}"));
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut answer))
            .await
            .expect("the answer within 20 s")
            .unwrap_or_else(|err| panic!("reading the answer (chunked {chunked}): {err}"));
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with(expected), "chunked {chunked}: {}", status_line(&answer));
        let code = if expected.ends_with("413") { "payload_too_large" } else { "unauthorized" };
        assert_eq!(body_of(&answer)["code"], code);
    }
    assert_eq!(e.stats().await["documents_stored"], 0);
    // A normal upload on the same sandbox still works.
    assert_eq!(e.upload(&id, "selfie", "s.png", png(5000)).await.status(), 201);
}

// ------------------------------------------------------------------ 7. token request forms

#[tokio::test]
async fn the_token_endpoint_takes_a_json_body_a_form_body_or_http_basic() {
    let e = env().await;
    let url = e.url("/auth/token");
    let works = |t: Value| {
        let token = t["access_token"].as_str().unwrap_or_else(|| panic!("a token: {t}")).to_owned();
        assert_eq!((t["token_type"].as_str(), t["expires_in"].as_u64()), (Some("Bearer"), Some(3600)));
        let http = e.http.clone();
        let customers = e.url("/customers");
        async move { assert_eq!(http.get(customers).bearer_auth(token).send().await.unwrap().status(), 200) }
    };
    let creds = json!({"grant_type": "client_credentials", "client_id": "sandbox", "client_secret": "sandbox-secret"});

    // 1. JSON, as dinie-sdk sends it (and without a Content-Type: judged by its first byte).
    let r = e.http.post(&url).json(&creds).send().await.unwrap();
    assert_eq!(r.status(), 200);
    works(r.json().await.unwrap()).await;
    let r = e.http.post(&url).body(creds.to_string()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // 2. Form-encoded with the credentials in it.
    let form = [("grant_type", "client_credentials"), ("client_id", "sandbox"), ("client_secret", "sandbox-secret")];
    let r = e.http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    works(r.json().await.unwrap()).await;
    // 3. HTTP Basic, with a form or a JSON body carrying only grant_type.
    let basic = || e.http.post(&url).basic_auth("sandbox", Some("sandbox-secret"));
    let r = basic().form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    works(r.json().await.unwrap()).await;
    let r = basic().json(&json!({"grant_type": "client_credentials"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    works(r.json().await.unwrap()).await;

    // A wrong or missing secret is 401, whatever the form.
    let mut wrong = creds.clone();
    wrong["client_secret"] = json!("nope");
    problem(e.http.post(&url).json(&wrong).send().await.unwrap(), 401, "unauthorized").await;
    let mut no_secret = creds.clone();
    no_secret.as_object_mut().unwrap().remove("client_secret");
    problem(e.http.post(&url).json(&no_secret).send().await.unwrap(), 401, "unauthorized").await;
    let mut wrong_id = creds.clone();
    wrong_id["client_id"] = json!("someone");
    problem(e.http.post(&url).json(&wrong_id).send().await.unwrap(), 401, "unauthorized").await;
    let wrong_form = [("grant_type", "client_credentials"), ("client_id", "sandbox"), ("client_secret", "nope")];
    problem(e.http.post(&url).form(&wrong_form).send().await.unwrap(), 401, "unauthorized").await;
    let r = e.http.post(&url).basic_auth("sandbox", Some("nope")).form(&[("grant_type", "client_credentials")]);
    problem(r.send().await.unwrap(), 401, "unauthorized").await;
    let r = e.http.post(&url).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    problem(r, 401, "unauthorized").await;

    // Another grant type, or none, is 400 naming grant_type.
    let mut password = creds.clone();
    password["grant_type"] = json!("password");
    let p = problem(e.http.post(&url).json(&password).send().await.unwrap(), 400, "invalid_request").await;
    assert_eq!(p["param"], "grant_type");
    let p = problem(basic().form(&[("grant_type", "password")]).send().await.unwrap(), 400, "invalid_request").await;
    assert_eq!(p["param"], "grant_type");
    let p = problem(basic().json(&json!({})).send().await.unwrap(), 400, "invalid_request").await;
    assert_eq!(p["param"], "grant_type");
    // Malformed JSON is 400 too.
    let r = e.http.post(&url).header("content-type", "application/json").body("{not json").send().await.unwrap();
    problem(r, 400, "invalid_request").await;
    assert_eq!(e.stats().await["tokens_issued"], 5);
}

// ------------------------------------------------------------------ 8. layering

#[test]
fn the_state_layer_does_not_import_the_http_layer() {
    let state = include_str!("../src/state.rs");
    for needle in ["crate::http", "http::", "super::http"] {
        assert!(!state.contains(needle), "src/state.rs mentions {needle}");
    }
}
