//! The contract, rule by rule, over real HTTP on loopback.

mod common;

use common::*;
use kyc_sandbox::{Seed, WebhookEndpoint};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// A valid CPF, masked, different for each `n` below 1000.
fn cpf(n: u32) -> String {
    let digits = format!("{:09}", 100_200_300 + n * 1_001);
    let base: [u8; 9] = std::array::from_fn(|i| digits.as_bytes()[i] - b'0');
    kyc_model::Cpf::from_base(base).formatted()
}

// ------------------------------------------------------------------ auth

#[tokio::test]
async fn a_missing_or_wrong_bearer_token_is_401() {
    let e = env().await;
    let r = e.http.get(e.url("/customers")).send().await.unwrap();
    assert!(problem(r, 401, "unauthorized").await["detail"].as_str().unwrap().contains("missing"));
    let r = e.http.get(e.url("/customers")).bearer_auth("dinie_at_wrong").send().await.unwrap();
    problem(r, 401, "unauthorized").await;
    assert_eq!(e.get("/customers").await.status(), 200);
}

#[tokio::test]
async fn client_credentials_issue_a_token_that_works_until_it_expires() {
    let e = env().await;
    let token_req = |id: &str, secret: &str, grant: &str| {
        e.http.post(e.url("/auth/token")).basic_auth(id, Some(secret)).form(&[("grant_type", grant)]).send()
    };
    problem(token_req("sandbox", "nope", "client_credentials").await.unwrap(), 401, "unauthorized").await;
    let body = problem(token_req("sandbox", "sandbox-secret", "password").await.unwrap(), 400, "invalid_request").await;
    assert_eq!(body["param"], "grant_type");
    let r = token_req("sandbox", "sandbox-secret", "client_credentials").await.unwrap();
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap();
    assert_eq!((t["token_type"].as_str(), t["expires_in"].as_u64()), (Some("Bearer"), Some(3600)));
    let token = t["access_token"].as_str().unwrap();
    assert!(token.starts_with("dinie_at_"));
    assert_eq!(e.http.get(e.url("/customers")).bearer_auth(token).send().await.unwrap().status(), 200);

    e.admin_post("/tokens/expire", json!({})).await;
    let r = e.http.get(e.url("/customers")).bearer_auth(token).send().await.unwrap();
    assert!(problem(r, 401, "unauthorized").await["detail"].as_str().unwrap().contains("expired"));
}

// ------------------------------------------------------------------ registration

#[tokio::test]
async fn registration_creates_then_returns_then_conflicts() {
    let e = env().await;
    let body = json!({"cpf": "12345678909", "name": "Joao Silva", "email": "joao@example.com", "phone": "+5511999999999",
                      "cnpj": "12.345.678/0001-95", "trading_name": "Loja do Joao", "external_id": "partner-ref-123"});
    let r = e.post("/customers", body.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c: Value = r.json().await.unwrap();
    assert!(c["id"].as_str().unwrap().starts_with("cust_"));
    assert_eq!(c["status"], "pending_kyc");
    assert_eq!(c["cpf"], "123.456.789-09", "CPF echoed masked");
    let types: Vec<&str> = c["kyc"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["ccmei", "identity_card_front", "identity_card_back", "selfie", "proof_of_address", "biometrics"]
    );
    assert!(c["kyc"].as_array().unwrap().iter().all(|i| i["status"] == "pending" && i["kind"] == "document"));

    let r = e.post("/customers", body.clone()).await;
    assert_eq!(r.status(), StatusCode::OK, "same CPF/CNPJ and external_id returns the existing customer");
    assert_eq!(r.json::<Value>().await.unwrap()["id"], c["id"]);

    let mut other = body.clone();
    other["external_id"] = json!("partner-ref-999");
    let p = problem(e.post("/customers", other).await, 409, "customer_conflict").await;
    assert_eq!(p["type"], "https://docs.dinie.com/errors/conflict");

    // Without a CNPJ: the individual profile, five items.
    let r = e.post("/customers", json!({"cpf": cpf(7), "external_id": "x"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["kyc"].as_array().unwrap().len(), 5);
    assert_eq!(e.stats().await["customers_created"], 2);
}

#[tokio::test]
async fn registration_validates_every_field_and_names_it() {
    let e = env().await;
    let p = problem(
        e.post(
            "/customers",
            json!({"cpf": "123.456.789-00", "cnpj": "12.345.678/0001-90", "email": "joao@", "phone": "11999999999"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let errors: Vec<(&str, &str)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["param"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [("cpf", "invalid_cpf"), ("cnpj", "invalid_cnpj"), ("email", "invalid_email"), ("phone", "invalid_phone")]
    );
    assert_eq!(p["detail"], "4 fields are invalid");

    let p = problem(e.post("/customers", json!({"name": "Sem CPF"})).await, 400, "invalid_request").await;
    assert_eq!(p["param"], "cpf");
    let r = e
        .http
        .post(e.url("/customers"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    problem(r, 400, "invalid_request").await;
    problem(e.post("/customers", json!([1, 2])).await, 400, "invalid_request").await;
    let p = problem(e.post("/customers", json!({"cpf": 12345678909u64})).await, 400, "invalid_request").await;
    assert_eq!(p["param"], "cpf");
    assert_eq!(e.stats().await["customers_created"], 0, "nothing invalid is created");
}

#[tokio::test]
async fn a_bounced_email_appears_as_a_data_item_and_a_patch_resolves_it() {
    let e = env().await;
    let c = e.create(&cpf(1), None, "ext", "joao@invalid.test").await;
    let id = c["id"].as_str().unwrap();
    let email = item(&c, "email");
    assert_eq!((email["kind"].as_str(), email["status"].as_str()), (Some("data"), Some("pending_correction")));
    assert_eq!(email["message"], "E-mail retornou como inexistente");

    let r = e.patch(&format!("/customers/{id}"), json!({"email": "joao@example.com"})).await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["email"], "joao@example.com");
    assert_eq!(item(&c, "email")["status"], "in_review");
    e.wait_customer(id, |c| item(c, "email")["status"] == "approved").await;
}

#[tokio::test]
async fn patch_changes_data_and_refuses_the_identity_fields() {
    let e = env().await;
    let c = e.create(&cpf(2), None, "ext", "a@example.com").await;
    let id = c["id"].as_str().unwrap();
    let r = e.patch(&format!("/customers/{id}"), json!({"name": "Joana Silva", "phone": "+5521988887777"})).await;
    let c2: Value = r.json().await.unwrap();
    assert_eq!((c2["name"].as_str(), c2["phone"].as_str()), (Some("Joana Silva"), Some("+5521988887777")));
    assert!(c2["updated_at"].as_str().unwrap() > c["updated_at"].as_str().unwrap());

    for field in ["cpf", "cnpj", "external_id"] {
        let p =
            problem(e.patch(&format!("/customers/{id}"), json!({field: "x"})).await, 422, "field_not_updatable").await;
        assert_eq!(p["errors"][0]["param"], field);
    }
    let p =
        problem(e.patch(&format!("/customers/{id}"), json!({"phone": "123"})).await, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["param"], "phone");
    problem(e.patch("/customers/cust_nope", json!({"name": "x"})).await, 404, "not_found").await;
    assert_eq!(e.customer(id).await["name"], "Joana Silva", "a refused patch changes nothing");
}

// ------------------------------------------------------------------ listing

#[tokio::test]
async fn listing_filters_pages_sorts_and_refuses_bad_parameters() {
    let e = env_with(Seed::Demo(45), |_| {}).await;
    let all: Value = e.get("/customers?limit=100").await.json().await.unwrap();
    assert_eq!(
        (all["object"].as_str(), all["data"].as_array().unwrap().len(), all["has_more"].as_bool()),
        (Some("list"), 45, Some(false))
    );
    let first = &all["data"][0];
    let digits: String = first["cpf"].as_str().unwrap().chars().filter(char::is_ascii_digit).collect();
    for q in [format!("cpf={}", first["cpf"].as_str().unwrap()), format!("cpf={digits}")] {
        let r: Value = e.get(&format!("/customers?{q}")).await.json().await.unwrap();
        assert_eq!(r["data"][0]["id"], first["id"], "{q}");
    }
    let r: Value = e
        .get(&format!("/customers?external_id={}", first["external_id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"].as_array().unwrap().len(), 1);
    let active: Value = e.get("/customers?status=active&limit=100").await.json().await.unwrap();
    assert!(!active["data"].as_array().unwrap().is_empty());
    assert!(active["data"].as_array().unwrap().iter().all(|c| c["status"] == "active"));

    // Default order is created_at desc; asc reverses it; a page ends with has_more.
    let p1: Value = e.get("/customers?limit=20").await.json().await.unwrap();
    assert_eq!((p1["data"].as_array().unwrap().len(), p1["has_more"].as_bool()), (20, Some(true)));
    let created: Vec<&str> = p1["data"].as_array().unwrap().iter().map(|c| c["created_at"].as_str().unwrap()).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]));
    let last = p1["data"][19]["id"].as_str().unwrap();
    let p2: Value = e.get(&format!("/customers?limit=20&starting_after={last}")).await.json().await.unwrap();
    assert!(p2["data"][0]["created_at"].as_str().unwrap() <= created[19]);
    let asc: Value = e.get("/customers?limit=1&order=asc&sort=updated_at").await.json().await.unwrap();
    assert_eq!(asc["data"].as_array().unwrap().len(), 1);

    for (q, param) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("sort=name", "sort"),
        ("order=up", "order"),
        ("starting_after=cust_nope", "starting_after"),
    ] {
        let p = problem(e.get(&format!("/customers?{q}")).await, 400, "invalid_request").await;
        assert_eq!(p["param"], param, "{q}");
    }
    problem(e.get("/customers/cust_nope").await, 404, "not_found").await;
}

// ------------------------------------------------------------------ documents

#[tokio::test]
async fn an_upload_goes_in_review_then_is_approved_and_can_be_fetched_back() {
    let e = env().await;
    let c = e.create(&cpf(3), None, "ext", "a@example.com").await;
    let id = c["id"].as_str().unwrap();
    let bytes = png(5000);
    let r = e.upload(id, "selfie", "selfie.png", bytes.clone()).await;
    assert_eq!(r.status(), 201);
    let meta: Value = r.json().await.unwrap();
    assert!(meta["id"].as_str().unwrap().starts_with("doc_"));
    assert_eq!(
        (meta["type"].as_str(), meta["content_type"].as_str(), meta["size"].as_u64()),
        (Some("selfie"), Some("image/png"), Some(5000))
    );
    let sha: String = <sha2::Sha256 as sha2::Digest>::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(meta["sha256"], sha);
    let c = e.customer(id).await;
    assert_eq!(item(&c, "selfie")["status"], "in_review");
    assert!(item(&c, "selfie")["uploaded_at"].is_string());
    e.wait_customer(id, |c| item(c, "selfie")["status"] == "approved").await;

    let back = e.admin_get(&format!("/documents/{}", meta["id"].as_str().unwrap())).await;
    assert_eq!(back.headers()["content-type"], "image/png");
    assert_eq!(back.bytes().await.unwrap().to_vec(), bytes);
    problem(e.upload(id, "selfie", "again.png", png(5000)).await, 409, "document_already_submitted").await;
}

#[tokio::test]
async fn tiny_files_and_files_named_reject_are_rejected_in_portuguese() {
    let e = env().await;
    let id = e.create(&cpf(4), None, "ext", "a@example.com").await["id"].as_str().unwrap().to_owned();
    assert_eq!(e.upload(&id, "identity_card_front", "rg.png", png(200)).await.status(), 201);
    assert_eq!(e.upload(&id, "identity_card_back", "please-REJECT-me.png", png(5000)).await.status(), 201);
    let c = e
        .wait_customer(&id, |c| {
            item(c, "identity_card_front")["status"] == "rejected"
                && item(c, "identity_card_back")["status"] == "rejected"
        })
        .await;
    assert!(item(&c, "identity_card_front")["message"].as_str().unwrap().contains("pequeno"));
    assert!(item(&c, "identity_card_back")["message"].as_str().unwrap().contains("ilegível"));
    assert_eq!(c["status"], "pending_kyc");
    // A rejected document may be sent again.
    assert_eq!(e.upload(&id, "identity_card_front", "rg.png", png(4000)).await.status(), 201);
}

#[tokio::test]
async fn uploads_are_judged_by_their_bytes_and_their_type() {
    let e = env().await;
    let id = e.create(&cpf(5), None, "ext", "a@example.com").await["id"].as_str().unwrap().to_owned();
    let p = problem(
        e.upload(&id, "selfie", "selfie.png", b"GIF89a............".repeat(100)).await,
        415,
        "unsupported_media_type",
    )
    .await;
    assert_eq!(p["param"], "file");
    let p =
        problem(e.upload(&id, "ccmei", "ccmei.pdf", b"%PDF-1.4 ...".repeat(200)).await, 422, "unknown_document_type")
            .await;
    assert!(p["detail"].as_str().unwrap().contains("identity_card_front"), "lists what it expects: {p}");
    problem(e.upload(&id, "biometrics", "face.png", png(5000)).await, 422, "unknown_document_type").await;
    problem(e.upload("cust_nope", "selfie", "s.png", png(5000)).await, 404, "not_found").await;
    let form = reqwest::multipart::Form::new().text("type", "selfie");
    let r = e
        .http
        .post(e.url(&format!("/customers/{id}/documents")))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 400, "invalid_request").await["param"], "file");
    assert_eq!(e.stats().await["documents_stored"], 0);
}

#[tokio::test]
async fn more_than_10_mb_is_413_streamed_or_declared() {
    let e = env().await;
    let id = e.create(&cpf(6), None, "ext", "a@example.com").await["id"].as_str().unwrap().to_owned();
    problem(e.upload(&id, "selfie", "big.png", png(10 * 1024 * 1024 + 1)).await, 413, "payload_too_large").await;

    // Declared too large: answered from the headers, before the body is sent.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(e.sb.addr()).await.unwrap();
    let head = format!(
        "POST /api/v3/customers/{id}/documents HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 50000000\r\n\r\n--B\r\n",
        e.sb.addr()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut head = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut head)).await.expect("an answer").unwrap();
    assert!(String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 413"), "{}", String::from_utf8_lossy(&head[..n]));
    assert_eq!(e.stats().await["documents_stored"], 0);
}

// ------------------------------------------------------------------ lifecycle, offers, webhooks

#[tokio::test]
async fn the_whole_lifecycle_with_signed_webhooks() {
    let (rx, url) = Receiver::start(0).await;
    let e = env_with(Seed::Empty, |c| {
        c.webhooks = vec![WebhookEndpoint { url, secret: kyc_sandbox::webhooks::DEFAULT_SECRET.into() }]
    })
    .await;
    let c = e.create(&cpf(8), None, "ext-8", "a@example.com").await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(rx.wait_for("customer.created").await["data"]["id"], id.as_str());
    let offers: Value = e.get(&format!("/customers/{id}/credit-offers")).await.json().await.unwrap();
    assert_eq!(offers["data"], json!([]), "no offer before activation");

    for t in ["identity_card_front", "identity_card_back", "selfie", "proof_of_address"] {
        assert_eq!(e.upload(&id, t, &format!("{t}.png"), png(3000)).await.status(), 201);
    }
    let r = e.post(&format!("/customers/{id}/biometrics"), json!({})).await;
    assert_eq!(r.status(), 200, "an action: 200, not 201");
    let s: Value = r.json().await.unwrap();
    let session_url = s["session_url"].as_str().unwrap();
    assert!(session_url.starts_with(&format!("http://{}/_sandbox/biometrics/bio_", e.sb.addr())));
    assert!(s["expires_at"].as_str().unwrap() > c["created_at"].as_str().unwrap());
    let page = e.http.get(session_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Concluir captura"));
    assert_eq!(e.http.post(format!("{session_url}/complete")).send().await.unwrap().status(), 200);
    assert_eq!(
        e.http.post(format!("{session_url}/complete")).send().await.unwrap().status(),
        409,
        "a session finishes once"
    );

    let c = e.wait_customer(&id, |c| c["status"] == "active").await;
    assert!(c["kyc"].as_array().unwrap().iter().all(|i| i["status"] == "approved"));
    let offer = rx.wait_for("credit_offer.available").await;
    let offers: Value = e.get(&format!("/customers/{id}/credit-offers")).await.json().await.unwrap();
    let o = &offers["data"][0];
    assert_eq!(
        (o["customer_id"].as_str(), o["external_id"].as_str(), o["status"].as_str()),
        (Some(id.as_str()), Some("ext-8"), Some("available"))
    );
    assert!(o["approved_amount"].as_str().unwrap().ends_with(".00"));
    assert!(o["interest_rate"].as_f64().unwrap() > 0.0);
    assert_eq!(offer["data"]["id"], o["id"]);

    rx.wait_for("customer.under_review").await;
    rx.wait_for("customer.active").await;
    let kyc_updated = rx.wait_for("customer.kyc_updated").await;
    assert!(kyc_updated["data"]["kyc"].is_array(), "kyc_updated carries the kyc array");
    // Every delivery is signed as Standard Webhooks v1 with a unique webhook-id.
    let got = rx.got.lock().unwrap().clone();
    let mut ids = std::collections::HashSet::new();
    for (h, body) in &got {
        let msg_id = h["webhook-id"].to_str().unwrap();
        let ts: i64 = h["webhook-timestamp"].to_str().unwrap().parse().unwrap();
        let expected = kyc_sandbox::webhooks::sign(kyc_sandbox::webhooks::DEFAULT_SECRET, msg_id, ts, body).unwrap();
        assert_eq!(h["webhook-signature"].to_str().unwrap(), format!("v1,{expected}"));
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["api_version"], "2026-03-01");
        assert!(v["id"].as_str().unwrap().starts_with("evt_"));
        assert!(ids.insert(msg_id.to_owned()), "webhook-id {msg_id} delivered twice");
    }
}

#[tokio::test]
async fn a_failing_webhook_endpoint_gets_retries_with_the_same_id() {
    let (rx, url) = Receiver::start(2).await;
    let e = env().await;
    assert_eq!(e.admin_post("/webhooks", json!({"url": url})).await.status(), 201);
    e.create(&cpf(9), None, "ext", "a@example.com").await;
    for _ in 0..100 {
        if rx.got.lock().unwrap().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "two refusals, then accepted, then no more");
    let ids: std::collections::HashSet<_> =
        got.iter().map(|(h, _)| h["webhook-id"].to_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(e.stats().await["webhook_delivered"], 1);
}

#[tokio::test]
async fn biometric_sessions_expire() {
    let e = env_with(Seed::Empty, |c| c.biometrics_ttl = Duration::from_millis(100)).await;
    let id = e.create(&cpf(10), None, "ext", "a@example.com").await["id"].as_str().unwrap().to_owned();
    let s: Value = e.post(&format!("/customers/{id}/biometrics"), json!({})).await.json().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let url = s["session_url"].as_str().unwrap();
    assert_eq!(e.http.get(url).send().await.unwrap().status(), 410);
    problem(e.http.post(format!("{url}/complete")).send().await.unwrap(), 410, "session_expired").await;
    problem(e.post("/customers/cust_nope/biometrics", json!({})).await, 404, "not_found").await;
    problem(e.get("/customers/cust_nope/credit-offers").await, 404, "not_found").await;
}

// ------------------------------------------------------------------ idempotency, headers, limits, faults

#[tokio::test]
async fn an_idempotency_key_replays_and_refuses_another_body() {
    let e = env().await;
    let send = |body: Value| {
        e.http.post(e.url("/customers")).bearer_auth(TOKEN).header("Idempotency-Key", "k-1").json(&body).send()
    };
    let body = json!({"cpf": cpf(11), "external_id": "a"});
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), 201, "the first response is replayed, status included");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    problem(send(json!({"cpf": cpf(12), "external_id": "b"})).await.unwrap(), 409, "idempotency_key_reused").await;
    assert_eq!(e.stats().await["customers_created"], 1);

    // PATCH too.
    let id = first["id"].as_str().unwrap();
    let patch = |name: &str| {
        e.http
            .patch(e.url(&format!("/customers/{id}")))
            .bearer_auth(TOKEN)
            .header("Idempotency-Key", "k-2")
            .json(&json!({"name": name}))
            .send()
    };
    assert_eq!(patch("A").await.unwrap().status(), 200);
    problem(patch("B").await.unwrap(), 409, "idempotency_key_reused").await;
}

#[tokio::test]
async fn every_response_has_a_request_id_and_rate_limit_headers() {
    let e = env().await;
    for r in [
        e.get("/customers").await,
        e.get("/customers/cust_nope").await,
        e.http.get(e.url("/customers")).send().await.unwrap(),
    ] {
        let h = r.headers();
        assert!(h["x-request-id"].to_str().unwrap().starts_with("req_"));
        for name in ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"] {
            assert!(h[name].to_str().unwrap().parse::<u64>().is_ok(), "{name}");
        }
    }
    let a = e.get("/customers").await.headers()["x-request-id"].clone();
    let b = e.get("/customers").await.headers()["x-request-id"].clone();
    assert_ne!(a, b);
}

#[tokio::test]
async fn over_the_rate_limit_is_429_with_retry_after() {
    let e = env_with(Seed::Empty, |c| {
        c.rate_limit_burst = 3;
        c.rate_limit_per_second = 0.5;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let r = e.get("/customers").await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
            assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
            problem(r, 429, "rate_limited").await;
        }
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
}

#[tokio::test]
async fn injected_faults_fail_drop_and_delay() {
    let e = env().await;
    assert_eq!(e.admin_post("/faults", json!({"fail_next": 2, "status": 503, "retry_after": 2})).await.status(), 204);
    let r = e.get("/customers").await;
    assert_eq!(r.headers()["retry-after"], "2");
    problem(r, 503, "unavailable").await;
    problem(e.get("/customers").await, 503, "unavailable").await;
    assert_eq!(e.get("/customers").await.status(), 200);

    e.admin_post("/faults", json!({"fail_next": 1, "status": 429})).await;
    problem(e.get("/customers").await, 429, "rate_limited").await;

    // A dropped response: the request was handled (and its key remembered), only the
    // answer is lost; the retry with the same key gets the replay.
    e.admin_post("/faults", json!({"drop_next": 1})).await;
    let body = json!({"cpf": cpf(13), "external_id": "d"});
    let send =
        || e.http.post(e.url("/customers")).bearer_auth(TOKEN).header("Idempotency-Key", "drop-1").json(&body).send();
    let lost = match send().await {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(lost, "the connection is dropped mid-response");
    let r = send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["idempotent-replayed"].to_str().unwrap()), (201, "true"));
    assert_eq!(e.stats().await["customers_created"], 1);

    let p = problem(e.admin_post("/faults", json!({"ratio": 2.0})).await, 422, "validation_failed").await;
    assert_eq!(p["param"], "ratio");
    assert_eq!(e.admin_req(reqwest::Method::DELETE, "/faults").send().await.unwrap().status(), 204);
    assert!(e.stats().await["faults_injected"].as_u64().unwrap() >= 4);
}

// ------------------------------------------------------------------ admin, seed, openapi, persistence

#[tokio::test]
async fn admin_can_seed_reset_and_force_outcomes() {
    let e = env().await;
    assert_eq!(e.admin_post("/seed", json!({"count": 12})).await.status(), 200);
    let all: Value = e.get("/customers?limit=100").await.json().await.unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 12);
    let cust = all["data"].as_array().unwrap().iter().find(|c| c["status"] == "active").unwrap();
    let docs: Value =
        e.admin_get(&format!("/customers/{}/documents", cust["id"].as_str().unwrap())).await.json().await.unwrap();
    let kinds: std::collections::HashSet<&str> =
        docs["data"].as_array().unwrap().iter().map(|d| d["content_type"].as_str().unwrap()).collect();
    assert!(
        kinds.contains("image/png") && kinds.contains("image/jpeg") && kinds.contains("application/pdf"),
        "{kinds:?}"
    );

    let id = e.create(&cpf(14), None, "ext", "a@example.com").await["id"].as_str().unwrap().to_owned();
    let r = e
        .admin_post(
            &format!("/customers/{id}/kyc/selfie"),
            json!({"status": "rejected", "message": "Rosto coberto", "when": "next_review"}),
        )
        .await;
    assert_eq!(r.status(), 202);
    e.upload(&id, "selfie", "fine.png", png(9000)).await;
    let c = e.wait_customer(&id, |c| item(c, "selfie")["status"] == "rejected").await;
    assert_eq!(item(&c, "selfie")["message"], "Rosto coberto");
    let c: Value =
        e.admin_post(&format!("/customers/{id}/kyc/selfie"), json!({"status": "approved"})).await.json().await.unwrap();
    assert_eq!(item(&c, "selfie")["status"], "approved");

    assert_eq!(e.admin_post("/reset", json!({})).await.status(), 204);
    let all: Value = e.get("/customers").await.json().await.unwrap();
    assert!(all["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_public_routes() {
    let e = env().await;
    let r = e.http.get(e.url("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
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
        kyc_sandbox::PUBLIC_ROUTES.iter().map(|(m, p)| ((*m).into(), (*p).into())).collect();
    served.sort();
    assert_eq!(described, served);
    // And each is really served (no 404/405 for the route itself).
    for (method, path) in &served {
        let url = e.url(&path.replace("{customer_id}", "cust_nope"));
        let r = e.http.request(method.to_uppercase().parse().unwrap(), url).bearer_auth(TOKEN).send().await.unwrap();
        assert_ne!(r.status(), 405, "{method} {path}");
        if r.status() == 404 {
            assert_eq!(r.json::<Value>().await.unwrap()["param"], "customer_id", "{method} {path} is routed");
        }
    }
    let codes: Vec<&str> = doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in [
        "customer_conflict",
        "idempotency_key_reused",
        "payload_too_large",
        "unsupported_media_type",
        "unknown_document_type",
        "field_not_updatable",
        "rate_limited",
    ] {
        assert!(codes.contains(&c), "{c}");
    }
}

#[tokio::test]
async fn a_sandbox_with_a_data_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.sqlite");
    let e = env_with(Seed::Demo(5), |c| c.data_file = Some(file.clone())).await;
    let id = e.create(&cpf(15), None, "ext", "a@example.com").await["id"].as_str().unwrap().to_owned();
    let meta: Value = e.upload(&id, "selfie", "s.png", png(4321)).await.json().await.unwrap();
    e.sb.stop().await;

    let e2 = env_with(Seed::Demo(50), |c| c.data_file = Some(file.clone())).await;
    let all: Value = e2.get("/customers?limit=100").await.json().await.unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 6, "the saved sandbox, not a new seed");
    assert_eq!(e2.customer(&id).await["id"], id.as_str());
    let back = e2.admin_get(&format!("/documents/{}", meta["id"].as_str().unwrap())).await;
    assert_eq!(back.bytes().await.unwrap().len(), 4321);
}
