//! Any JSON body posted to `/customers` yields a customer or a problem body: never a
//! 500, never a hang.

use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// Arbitrary JSON, nested.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Objects with the real field names and wild values: reaches the validators.
fn registration_like() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        Just("cpf"),
        Just("cnpj"),
        Just("name"),
        Just("email"),
        Just("phone"),
        Just("trading_name"),
        Just("external_id")
    ];
    let value = prop_oneof![
        any_json(),
        "[0-9.\\-/]{0,20}".prop_map(Value::String),
        Just(json!("123.456.789-09")),
        Just(json!("12.345.678/0001-95")),
        "\\+[0-9]{0,16}".prop_map(Value::String),
        "[a-z]{0,8}@[a-z.]{0,10}".prop_map(Value::String),
    ];
    prop::collection::vec((field, value), 0..8).prop_map(|kv| {
        let mut m = Map::new();
        for (k, v) in kv {
            m.insert(k.to_owned(), v);
        }
        Value::Object(m)
    })
}

#[test]
fn any_json_posted_to_customers_gets_a_customer_or_a_problem() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt.block_on(Sandbox::start_local(SandboxConfig { seed: Seed::Empty, ..Default::default() })).unwrap();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let url = format!("{}/customers", sb.base_url());
    let mut runner = TestRunner::new(Config { cases: 300, ..Config::default() });
    let strategy = prop_oneof![any_json(), registration_like()];
    runner
        .run(&strategy, |body| {
            let (status, ct, parsed) = rt.block_on(async {
                let r = http
                    .post(&url)
                    .bearer_auth(kyc_sandbox::DEFAULT_TOKEN)
                    .json(&body)
                    .send()
                    .await
                    .expect("an answer in time");
                let status = r.status().as_u16();
                let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let parsed: Value = r.json().await.expect("a JSON body");
                (status, ct, parsed)
            });
            prop_assert!([200, 201, 400, 409, 422].contains(&status), "status {status} for {body}: {parsed}");
            if status >= 400 {
                prop_assert_eq!(ct.as_str(), "application/problem+json");
                prop_assert!(parsed["detail"].is_string() && parsed["code"].is_string(), "{parsed}");
            } else {
                prop_assert!(parsed["id"].as_str().is_some_and(|id| id.starts_with("cust_")), "{parsed}");
            }
            Ok(())
        })
        .unwrap();
}

/// Bytes that look like a multipart upload, more or less: the boundary right or
/// wrong, parts cut short, headers mangled, a file of any bytes.
fn multipart_like() -> impl Strategy<Value = (String, Vec<u8>)> {
    let boundary = "[A-Za-z0-9'()+_,./:=?-]{1,40}";
    let part_type = prop_oneof![Just("selfie".to_owned()), Just("rg_front".to_owned()), ".{0,20}"];
    let file = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|mut v| {
            let mut jpeg = vec![0xFF, 0xD8, 0xFF];
            jpeg.append(&mut v);
            jpeg
        }),
    ];
    (boundary, boundary, part_type, file, any::<bool>(), 0usize..600).prop_map(
        |(declared, used, item, file, truncate, cut)| {
            let mut body = Vec::new();
            body.extend_from_slice(
                format!("--{used}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n{item}\r\n").as_bytes(),
            );
            body.extend_from_slice(
                format!(
                    "--{used}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(&file);
            body.extend_from_slice(format!("\r\n--{used}--\r\n").as_bytes());
            if truncate {
                body.truncate(cut.min(body.len()));
            }
            (format!("multipart/form-data; boundary={declared}"), body)
        },
    )
}

/// Any body posted as an upload, with any idempotency key and any repeat of it, gets a
/// document or a problem: never a 500, never a hang. The idempotency fingerprint (key,
/// method, path, body) reads every body.
#[test]
fn any_multipart_upload_and_idempotency_key_gets_a_document_or_a_problem() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt.block_on(Sandbox::start_local(SandboxConfig { seed: Seed::Demo(3), ..Default::default() })).unwrap();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let list: Value = rt.block_on(async {
        http.get(format!("{}/customers", sb.base_url()))
            .bearer_auth(kyc_sandbox::DEFAULT_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let url = format!("{}/customers/{id}/documents", sb.base_url());
    let key = prop_oneof![Just(None), ".{0,80}".prop_map(Some), Just(Some("same-key".to_owned()))];
    let mut runner = TestRunner::new(Config { cases: 200, ..Config::default() });
    runner
        .run(&(multipart_like(), key, any::<bool>()), |((content_type, body), key, twice)| {
            for _ in 0..if twice { 2 } else { 1 } {
                let status = rt.block_on(async {
                    let mut rb = http
                        .post(&url)
                        .bearer_auth(kyc_sandbox::DEFAULT_TOKEN)
                        .header("content-type", content_type.clone())
                        .body(body.clone());
                    if let Some(k) = key.as_deref().filter(|k| reqwest::header::HeaderValue::from_str(k).is_ok()) {
                        rb = rb.header("idempotency-key", k);
                    }
                    let r = rb.send().await.expect("an answer in time");
                    r.status().as_u16()
                });
                prop_assert!(status < 500, "status {status} for a {}-byte body", body.len());
            }
            Ok(())
        })
        .unwrap();
}
