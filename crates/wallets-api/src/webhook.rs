//! The platform's webhook checksum: uppercase hex HMAC-SHA256, keyed with the business
//! id, over `event + "|" + JSON(data)` with keys sorted and no spaces.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// A delivery's body: `{"event","data","checksum"}`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Event {
    /// Its name.
    pub event: String,
    /// Its data.
    #[serde(default)]
    pub data: Value,
    /// Its checksum.
    #[serde(default)]
    pub checksum: String,
}

/// The checksum of `event` and `data` for the business `business_id`.
pub fn checksum(business_id: &str, event: &str, data: &Value) -> String {
    // serde_json keeps object keys sorted and writes no spaces: the signed form.
    let signed = format!("{event}|{data}");
    let mut m = Hmac::<Sha256>::new_from_slice(business_id.as_bytes()).expect("HMAC takes any key length");
    m.update(signed.as_bytes());
    m.finalize().into_bytes().iter().map(|b| format!("{b:02X}")).collect()
}

/// Reads and checks a delivery (constant-time comparison).
pub fn verify(business_id: &str, body: &[u8]) -> Result<Event, String> {
    let e: Event = serde_json::from_slice(body).map_err(|e| format!("not an event: {e}"))?;
    let want = checksum(business_id, &e.event, &e.data);
    let given = e.checksum.to_ascii_uppercase();
    let same = want.len() == given.len() && want.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same { Ok(e) } else { Err("the checksum does not match".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_checks_whatever_the_order_of_its_keys() {
        let data: Value = serde_json::from_str(r#"{"b":2,"a":{"y":1,"x":"é"}}"#).unwrap();
        let sum = checksum("biz_1", "payment.completed", &data);
        assert!(sum.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        let body =
            format!(r#"{{"event":"payment.completed","data":{{"a":{{"x":"é","y":1}},"b":2}},"checksum":"{sum}"}}"#);
        assert!(verify("biz_1", body.as_bytes()).is_ok());
        assert!(verify("biz_2", body.as_bytes()).is_err());
        let tampered = body.replace("\"b\":2", "\"b\":3");
        assert!(verify("biz_1", tampered.as_bytes()).is_err());
    }
}
