//! Property tests of the client's readers of outside input: whatever a server or a
//! webhook sender sends, they answer with a value or an error, never a panic.

use dinie_api::retry::{RETRY_AFTER_CEILING, RetryPolicy, parse_retry_after};
use dinie_api::webhook::{WebhookError, WebhookHeaders, WebhookVerifier, sign};
use dinie_api::wire::{Customer, KycItem, List};
use dinie_api::{ApiError, CreditOffer};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

const SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const NOW: i64 = 1_772_446_860;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW).unwrap()
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object whose keys are drawn from `keys` (each present or not) with any values,
/// so readers meet their own field names holding the wrong types.
fn object_with(
    keys: &'static [&'static str],
    value: impl Strategy<Value = Value> + Clone,
) -> impl Strategy<Value = Value> {
    prop::collection::vec(prop::option::of(value), keys.len()).prop_map(move |vals| {
        let mut m = Map::new();
        for (k, v) in keys.iter().zip(vals) {
            if let Some(v) = v {
                m.insert((*k).to_owned(), v);
            }
        }
        Value::Object(m)
    })
}

/// Strings that look like timestamps, valid or not.
fn timestamp_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i128>().prop_map(|n| n.to_string()),
        (
            0u32..100_000,
            0u32..20,
            0u32..40,
            0u32..30,
            0u32..70,
            0u32..70,
            prop::option::of(0u32..2_000_000_000),
            "(Z|[+-][0-9]{2}:[0-9]{2}|)"
        )
            .prop_map(|(y, mo, d, h, mi, s, frac, tz)| {
                let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{tz}")
            }),
        "[0-9TZ:.+-]{0,32}",
        ".{0,32}",
    ]
}

fn timestamp_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        timestamp_like().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        any_json(),
    ]
}

/// Values a field of these shapes might hold: mostly plausible, sometimes anything.
fn field_value() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        3 => ".{0,16}".prop_map(Value::from),
        2 => timestamp_json(),
        1 => any::<bool>().prop_map(Value::from),
        1 => any_json(),
    ]
}

const ITEM_KEYS: &[&str] = &[
    "kind",
    "type",
    "description",
    "status",
    "message",
    "uploaded_at",
    "mandatory",
    "requirement_id",
    "requirement_type",
    "label",
    "subject",
    "submitted",
];

fn kyc_item_json() -> impl Strategy<Value = Value> {
    let submitted = object_with(&["evidence_type", "review_status", "review_reason", "attachments"], field_value());
    let value = prop_oneof![4 => field_value(), 1 => submitted];
    object_with(ITEM_KEYS, value)
}

#[derive(Debug, Deserialize)]
struct Stamp {
    #[serde(with = "dinie_api::wire::timestamp")]
    #[allow(dead_code)]
    at: OffsetDateTime,
}

#[derive(Debug, Deserialize)]
struct MaybeStamp {
    #[serde(default, with = "dinie_api::wire::timestamp::option")]
    #[allow(dead_code)]
    at: Option<OffsetDateTime>,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn webhook_verification_never_panics_on_any_headers_or_body(
        id in ".{0,40}",
        timestamp in prop_oneof![timestamp_like(), Just(i64::MIN.to_string()), Just(i64::MAX.to_string())],
        signature in prop_oneof![".{0,80}", "(v1,[A-Za-z0-9+/=]{0,60} ?){0,4}"],
        body in prop::collection::vec(any::<u8>(), 0..512),
        now_secs in prop_oneof![Just(NOW), -377_705_116_800i64..253_402_300_799],
    ) {
        let v = WebhookVerifier::new(SECRET).unwrap();
        let now = OffsetDateTime::from_unix_timestamp(now_secs).unwrap();
        let r = v.verify(&WebhookHeaders { id: &id, timestamp: &timestamp, signature: &signature }, &body, now);
        // Without the secret nobody can produce a valid signature.
        prop_assert!(r.is_err());
    }

    #[test]
    fn a_signed_webhook_with_any_body_is_read_or_refused_as_a_payload(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            any_json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
            (
                prop::sample::select(vec![
                    "customer.created", "customer.under_review", "customer.kyc_updated",
                    "customer.active", "credit_offer.available", "loan.created",
                ]),
                object_with(&["id", "created_at", "api_version"], field_value()),
                prop_oneof![
                    any_json(),
                    object_with(&["id", "external_id", "status", "cpf", "name", "created_at", "updated_at",
                                  "customer_id", "approved_amount", "interest_rate", "expires_at"], field_value()),
                    prop::collection::vec(kyc_item_json(), 0..4).prop_map(|k| json!({"id": "cust_1", "status": "x", "kyc": k})),
                ],
            ).prop_map(|(t, mut env, data)| {
                env["type"] = t.into();
                env["data"] = data;
                serde_json::to_vec(&env).unwrap()
            }),
        ],
        skew in -300i64..=300,
    ) {
        let ts = NOW + skew;
        let sig = format!("v1,{}", sign(SECRET, "msg_p", ts, &body).unwrap());
        let v = WebhookVerifier::new(SECRET).unwrap();
        let ts = ts.to_string();
        match v.verify(&WebhookHeaders { id: "msg_p", timestamp: &ts, signature: &sig }, &body, now()) {
            Ok(e) => prop_assert_eq!(e.webhook_id, "msg_p"),
            Err(e) => prop_assert!(matches!(e, WebhookError::Payload(_)), "{:?}", e),
        }
    }

    #[test]
    fn any_webhook_secret_is_accepted_or_refused_without_panicking(secret in prop_oneof![".{0,64}", "whsec_[A-Za-z0-9+/=]{0,64}"]) {
        if let Ok(v) = WebhookVerifier::new(&secret) {
            let _ = v.verify(&WebhookHeaders { id: "m", timestamp: "1", signature: "v1,AAAA" }, b"{}", now());
        }
        let _ = sign(&secret, "m", i64::MIN, b"");
    }

    #[test]
    fn problem_bodies_of_any_bytes_give_an_error_with_the_status(
        status in 100u16..1000,
        body in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let e = ApiError::from_response(status, Some("req_1".into()), &body);
        prop_assert!(!e.to_string().is_empty());
        prop_assert_eq!(e.request_id.as_deref(), Some("req_1"));
    }

    #[test]
    fn problem_bodies_of_any_json_give_an_error(
        status in 100u16..1000,
        body in prop_oneof![
            any_json(),
            object_with(&["type", "title", "status", "detail", "instance", "code", "param", "errors"], field_value()),
            (
                object_with(&["title", "detail", "status"], field_value()),
                prop::collection::vec(object_with(&["param", "detail", "code"], field_value()), 0..4),
            )
                .prop_map(|(mut p, errs)| {
                    p["errors"] = Value::Array(errs);
                    p
                }),
        ],
    ) {
        let e = ApiError::from_response(status, None, &serde_json::to_vec(&body).unwrap());
        prop_assert!(!e.to_string().is_empty());
        prop_assert!(e.detail.len() < 100_000);
    }

    #[test]
    fn retry_after_of_any_string_is_a_bounded_delay_or_none(
        value in prop_oneof![
            ".{0,40}",
            any::<f64>().prop_map(|f| f.to_string()),
            any::<f64>().prop_map(|f| format!("{f:e}")),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i128>().prop_map(|n| n.to_string()),
            (0u32..400).prop_map(|e| format!("1e{e}")),
            "[ ]{0,3}[0-9.eE+-]{1,20}[ ]{0,3}",
        ],
        attempt in any::<u32>(),
        jitter in any::<f64>(),
    ) {
        let parsed = parse_retry_after(&value);
        if let Some(d) = parsed {
            prop_assert!(d <= RETRY_AFTER_CEILING);
        }
        let p = RetryPolicy::default();
        let jitter = if jitter.is_finite() { jitter } else { 0.5 };
        prop_assert!(p.delay(attempt, parsed, jitter) <= p.retry_after_cap.max(p.max_backoff));
    }

    #[test]
    fn timestamps_of_any_json_are_read_or_refused(at in timestamp_json()) {
        let doc = json!({ "at": at });
        let _ = serde_json::from_value::<Stamp>(doc.clone());
        let _ = serde_json::from_value::<MaybeStamp>(doc.clone());
        let text = serde_json::to_string(&doc).unwrap();
        let _ = serde_json::from_str::<Stamp>(&text);
        let _ = serde_json::from_str::<MaybeStamp>(&text);
    }

    #[test]
    fn timestamps_in_epoch_range_read_back_exactly(secs in -377_705_116_800i64..253_402_300_799) {
        let s: Stamp = serde_json::from_value(json!({ "at": secs })).unwrap();
        prop_assert_eq!(s.at.unix_timestamp(), secs);
        let s: Stamp = serde_json::from_value(json!({ "at": secs.to_string() })).unwrap();
        prop_assert_eq!(s.at.unix_timestamp(), secs);
    }

    #[test]
    fn kyc_items_of_any_json_are_read_or_refused(item in prop_oneof![any_json(), kyc_item_json()]) {
        // Read or refused, never a panic; what is read is kept as sent (an empty or
        // unknown status included: the desk shows unknown values, it does not guess).
        let text = serde_json::to_string(&item).unwrap();
        let from_text = serde_json::from_str::<KycItem>(&text).map(|k| k.status);
        let from_value = serde_json::from_value::<KycItem>(item).map(|k| k.status);
        prop_assert_eq!(from_text.ok(), from_value.ok(), "the same item read two ways");
    }

    #[test]
    fn customers_lists_and_offers_of_any_json_are_read_or_refused(
        customer in object_with(&["id", "status", "cpf", "cnpj", "name", "email", "phone", "trading_name",
                                  "external_id", "created_at", "updated_at"], field_value()),
        kyc in prop::collection::vec(kyc_item_json(), 0..4),
        offer in object_with(&["id", "customer_id", "external_id", "status", "approved_amount", "interest_rate",
                               "expires_at", "created_at"], field_value()),
        has_more in any_json(),
    ) {
        let mut customer = customer;
        customer["kyc"] = Value::Array(kyc);
        let _ = serde_json::from_value::<Customer>(customer.clone());
        let _ = serde_json::from_value::<List<Customer>>(json!({"object": "list", "data": [customer], "has_more": has_more}));
        let _ = serde_json::from_value::<CreditOffer>(offer.clone());
        let _ = serde_json::from_str::<List<CreditOffer>>(&json!({"data": [offer]}).to_string());
    }
}
