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
