//! The field rules of Cartevo's customer registration (seed 003's table) and card
//! issuing, as NestJS validation messages: one per broken rule, each starting with the
//! field's name so a client can show it beside the field.

use crate::util::ISO_ALPHA2;
use serde_json::Value;
use std::collections::HashMap;
use time::{Date, Month};

/// The document types a customer can register with.
pub(crate) const DOCUMENT_TYPES: [&str; 4] = ["NIN", "PASSPORT", "VOTERS_CARD", "DRIVERS_LICENSE"];

/// The card brands.
pub(crate) const BRANDS: [&str; 2] = ["VISA", "MASTERCARD"];

/// The largest card amount, in cents (10,000 USD).
pub(crate) const MAX_CARD_CENTS: u64 = 1_000_000;

/// The longest a text field may be.
const MAX_LEN: usize = 255;

/// A registration's fields once every rule holds (the documents aside).
#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub country: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country_iso_code: String,
    pub country_phone_code: String,
    pub phone_number: String,
    pub identification_number: String,
    pub id_document_type: String,
    pub date_of_birth: Date,
}

/// The text fields in the seed's order, with their minimum length (`0`: a rule of its
/// own).
const TEXT_FIELDS: [(&str, usize); 14] = [
    ("first_name", 3),
    ("last_name", 3),
    ("email", 0),
    ("country", 2),
    ("street", 2),
    ("city", 2),
    ("state", 2),
    ("postal_code", 3),
    ("country_iso_code", 0),
    ("country_phone_code", 0),
    ("phone_number", 3),
    ("identification_number", 1),
    ("id_document_type", 0),
    ("date_of_birth", 0),
];

/// The names of the text fields of a registration.
pub(crate) fn text_field_names() -> impl Iterator<Item = &'static str> {
    TEXT_FIELDS.iter().map(|(f, _)| *f)
}

/// A `YYYY-MM-DD` date.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(5..7)?).ok()?).ok()?;
    let day = u8::try_from(digits(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Whether someone born on `dob` is 18 or older on `today` (born on 29 February: from
/// 1 March of the year they turn 18, in a year without one).
pub(crate) fn is_adult(dob: Date, today: Date) -> bool {
    let year = dob.year() + 18;
    let eighteenth = Date::from_calendar_date(year, dob.month(), dob.day())
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(Date::MAX);
    today >= eighteenth
}

/// Checks the text fields (trimmed) and returns the registration, or every broken
/// rule's message in the seed's field order.
pub(crate) fn registration(values: &HashMap<String, String>) -> Result<Registration, Vec<String>> {
    let mut errors = Vec::new();
    let get = |f: &str| values.get(f).map(|v| v.trim()).filter(|v| !v.is_empty());
    for (field, min) in TEXT_FIELDS {
        let Some(v) = get(field) else {
            errors.push(format!("{field} is required"));
            continue;
        };
        let len = v.chars().count();
        if len > MAX_LEN {
            errors.push(format!("{field} must be at most {MAX_LEN} characters"));
            continue;
        }
        if len < min {
            errors.push(format!("{field} must be at least {min} characters"));
            continue;
        }
        let broken = match field {
            "email" => kyc_model::Email::parse(v).is_err().then(|| "email must be an email".to_owned()),
            "country_iso_code" => (!ISO_ALPHA2.contains(&v))
                .then(|| "country_iso_code must be a valid ISO 3166-1 alpha-2 code".to_owned()),
            "country_phone_code" => match v.strip_prefix('+') {
                None => Some("country_phone_code must start with +".to_owned()),
                Some(d) if d.is_empty() || d.len() > 4 || !d.bytes().all(|c| c.is_ascii_digit()) => {
                    Some("country_phone_code must be + followed by 1 to 4 digits".to_owned())
                }
                Some(_) => None,
            },
            "id_document_type" => (!DOCUMENT_TYPES.contains(&v))
                .then(|| format!("id_document_type must be one of {}", DOCUMENT_TYPES.join(", "))),
            "date_of_birth" => parse_date(v).is_none().then(|| "date_of_birth must be a date YYYY-MM-DD".to_owned()),
            _ => None,
        };
        errors.extend(broken);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let s = |f: &str| get(f).unwrap_or_default().to_owned();
    Ok(Registration {
        first_name: s("first_name"),
        last_name: s("last_name"),
        email: s("email"),
        country: s("country"),
        street: s("street"),
        city: s("city"),
        state: s("state"),
        postal_code: s("postal_code"),
        country_iso_code: s("country_iso_code"),
        country_phone_code: s("country_phone_code"),
        phone_number: s("phone_number"),
        identification_number: s("identification_number"),
        id_document_type: s("id_document_type"),
        date_of_birth: get("date_of_birth").and_then(parse_date).unwrap_or(Date::MIN),
    })
}

/// Whether `s` is a public HTTPS URL (what `/customers/enroll` takes for documents).
pub(crate) fn is_https_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()))
}

/// A card amount: a JSON number or a numeric string, from 0 to 10,000 with at most two
/// decimals, in cents.
pub(crate) fn amount_cents(v: &Value) -> Result<u64, String> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err("amount must be a number".into()),
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let numeric = !whole.is_empty()
        && whole.bytes().all(|c| c.is_ascii_digit())
        && frac.bytes().all(|c| c.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    if !numeric {
        return Err("amount must be a number".into());
    }
    let zero = whole.bytes().all(|c| c == b'0') && frac.bytes().all(|c| c == b'0');
    if negative && !zero {
        return Err("amount must not be less than 0".into());
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 2 {
        return Err("amount must have at most 2 decimal places".into());
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 6 {
        return Err("amount must not be greater than 10000".into());
    }
    let cents = whole.parse::<u64>().unwrap_or(0) * 100 + format!("{frac:0<2}").parse::<u64>().unwrap_or(0);
    if cents > MAX_CARD_CENTS {
        return Err("amount must not be greater than 10000".into());
    }
    Ok(cents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> HashMap<String, String> {
        [
            ("first_name", "John"),
            ("last_name", "Doe"),
            ("email", "john.doe@example.com"),
            ("country", "Nigeria"),
            ("street", "123 Main Street"),
            ("city", "Lagos"),
            ("state", "Lagos State"),
            ("postal_code", "100001"),
            ("country_iso_code", "NG"),
            ("country_phone_code", "+234"),
            ("phone_number", "8012345678"),
            ("identification_number", "12345678901"),
            ("id_document_type", "NIN"),
            ("date_of_birth", "1990-01-15"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn the_seed_example_is_valid() {
        let r = registration(&valid()).unwrap();
        assert_eq!(r.date_of_birth.to_string(), "1990-01-15");
    }

    #[test]
    fn every_broken_rule_is_named_by_its_field() {
        let mut v = valid();
        for (k, val) in [
            ("first_name", "Jo"),
            ("email", "john@"),
            ("country_iso_code", "XX"),
            ("country_phone_code", "234"),
            ("id_document_type", "ID_CARD"),
            ("date_of_birth", "15/01/1990"),
            ("street", &"x".repeat(256)),
        ] {
            v.insert(k.into(), val.into());
        }
        v.remove("city");
        let errors = registration(&v).unwrap_err();
        assert_eq!(
            errors,
            [
                "first_name must be at least 3 characters",
                "email must be an email",
                "street must be at most 255 characters",
                "city is required",
                "country_iso_code must be a valid ISO 3166-1 alpha-2 code",
                "country_phone_code must start with +",
                "id_document_type must be one of NIN, PASSPORT, VOTERS_CARD, DRIVERS_LICENSE",
                "date_of_birth must be a date YYYY-MM-DD",
            ]
        );
        for (code, ok) in [("+23456", false), ("+2345", true), ("+", false), ("+1", true), ("+23a", false)] {
            v = valid();
            v.insert("country_phone_code".into(), code.into());
            assert_eq!(registration(&v).is_ok(), ok, "{code}");
        }
        for (iso, ok) in [("ng", false), ("NGA", false), ("CI", true), ("ZZ", false)] {
            v = valid();
            v.insert("country_iso_code".into(), iso.into());
            assert_eq!(registration(&v).is_ok(), ok, "{iso}");
        }
        assert!(parse_date("2001-02-29").is_none());
        assert!(parse_date("2000-02-29").is_some());
    }

    #[test]
    fn adulthood_starts_on_the_eighteenth_birthday() {
        let d = |s| parse_date(s).unwrap();
        assert!(is_adult(d("2000-06-15"), d("2018-06-15")));
        assert!(!is_adult(d("2000-06-15"), d("2018-06-14")));
        assert!(!is_adult(d("2000-02-29"), d("2018-02-28")));
        assert!(is_adult(d("2000-02-29"), d("2018-03-01")));
    }

    #[test]
    fn amounts_are_numbers_or_numeric_strings_up_to_10000() {
        assert_eq!(amount_cents(&json!(25)), Ok(2500));
        assert_eq!(amount_cents(&json!(25.5)), Ok(2550));
        assert_eq!(amount_cents(&json!("0.07")), Ok(7));
        assert_eq!(amount_cents(&json!("10000.00")), Ok(1_000_000));
        assert_eq!(amount_cents(&json!(0)), Ok(0));
        assert!(amount_cents(&json!(10000.01)).unwrap_err().contains("greater"));
        assert!(amount_cents(&json!(-1)).unwrap_err().contains("less than 0"));
        assert!(amount_cents(&json!("1.234")).unwrap_err().contains("decimal"));
        assert!(amount_cents(&json!("abc")).unwrap_err().contains("must be a number"));
        assert!(amount_cents(&json!(true)).is_err());
        assert!(amount_cents(&json!("1e3")).is_err());
        assert!(amount_cents(&json!(1e30)).is_err());
    }
}
