//! Cartevo's JSON, as it arrives: tolerant of missing fields (a reader accepts what the
//! contract allows and keeps values it does not know).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;

/// The success envelope: `{"success","statusCode","message","data","meta"}` (some of
/// Cartevo's samples say `pagination` for `meta`).
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    /// The payload.
    pub data: T,
    /// A list's position.
    #[serde(default, alias = "pagination")]
    pub meta: Option<Meta>,
    /// Cartevo's message.
    #[serde(default)]
    pub message: Option<String>,
}

/// Where a page sits in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Meta {
    /// 1-based page.
    pub page: u32,
    /// Items per page.
    pub limit: u32,
    /// Items in the whole list.
    pub total: u64,
    /// Pages in the whole list.
    #[serde(rename = "totalPages", alias = "total_pages")]
    pub total_pages: u32,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where it sits (a list without one is read as a single page).
    pub meta: Meta,
}

fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.and_then(|s| OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339).ok()))
}

/// A customer as the list gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomerSummary {
    /// Cartevo's id (UUID).
    pub id: String,
    /// Given name.
    #[serde(default)]
    pub first_name: String,
    /// Family name.
    #[serde(default)]
    pub last_name: String,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Country, full name.
    #[serde(default)]
    pub country: Option<String>,
    /// Dial code, `+237`.
    #[serde(default)]
    pub phone_country_code: Option<String>,
    /// Local number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Whether the customer is active.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Created.
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
    /// Last changed.
    #[serde(default, deserialize_with = "opt_time")]
    pub updated_at: Option<OffsetDateTime>,
}

/// A customer in full (`GET /customers/{id}`, and the 201 of a registration).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Customer {
    /// Cartevo's id (UUID).
    pub id: String,
    /// Given name.
    #[serde(default)]
    pub first_name: String,
    /// Family name.
    #[serde(default)]
    pub last_name: String,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Country, full name.
    #[serde(default)]
    pub country: Option<String>,
    /// ISO 3166-1 alpha-2, when sent.
    #[serde(default)]
    pub country_iso_code: Option<String>,
    /// Street.
    #[serde(default)]
    pub street: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Dial code, `+237`.
    #[serde(default, alias = "country_phone_code")]
    pub phone_country_code: Option<String>,
    /// Local number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// The identification number (also as `number`).
    #[serde(default)]
    pub identification_number: Option<String>,
    /// The ID document's type: `NIN`, `PASSPORT`, `VOTERS_CARD`, `DRIVERS_LICENSE`.
    #[serde(default, rename = "type", alias = "id_document_type")]
    pub document_type: Option<String>,
    /// The identification number as submitted.
    #[serde(default)]
    pub number: Option<String>,
    /// URL of the front of the ID.
    #[serde(default)]
    pub image: Option<String>,
    /// URL of the back of the ID.
    #[serde(default)]
    pub photo: Option<String>,
    /// `1990-01-15T00:00:00.000Z` or `1990-01-15`.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// Whether the customer is active.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// `PENDING`, `APPROVED`, `REJECTED`; absent when Cartevo does not say (then
    /// unknown, never guessed).
    #[serde(default)]
    pub kyc_status: Option<String>,
    /// Created.
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
    /// Last changed.
    #[serde(default, deserialize_with = "opt_time")]
    pub updated_at: Option<OffsetDateTime>,
}

impl Customer {
    /// The date of birth as `YYYY-MM-DD`, from either form.
    pub fn birth_date(&self) -> Option<&str> {
        let d = self.date_of_birth.as_deref()?.get(..10)?;
        let b = d.as_bytes();
        (b[4] == b'-' && b[7] == b'-' && d.chars().filter(char::is_ascii_digit).count() == 8).then_some(d)
    }

    /// The identification number, from either field.
    pub fn id_number(&self) -> Option<&str> {
        self.identification_number.as_deref().or(self.number.as_deref()).filter(|n| !n.is_empty())
    }
}

/// A registration's fields (the seed's table), sent as multipart text parts or, for
/// `POST /customers/enroll`, as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewCustomer {
    /// 3–255 chars.
    pub first_name: String,
    /// 3–255 chars.
    pub last_name: String,
    /// A valid e-mail.
    pub email: String,
    /// Full country name, 2–255 chars.
    pub country: String,
    /// 2–255 chars.
    pub street: String,
    /// 2–255 chars.
    pub city: String,
    /// 2–255 chars.
    pub state: String,
    /// 3–255 chars.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country_iso_code: String,
    /// Dial code with `+`.
    pub country_phone_code: String,
    /// Local number, 3–255 chars.
    pub phone_number: String,
    /// 1–255 chars.
    pub identification_number: String,
    /// `NIN`, `PASSPORT`, `VOTERS_CARD`, `DRIVERS_LICENSE`.
    pub id_document_type: String,
    /// `YYYY-MM-DD`, 18 or older.
    pub date_of_birth: String,
}

impl NewCustomer {
    /// The fields as `(name, value)` pairs, in the seed's order.
    pub fn pairs(&self) -> [(&'static str, &str); 14] {
        [
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("email", &self.email),
            ("country", &self.country),
            ("street", &self.street),
            ("city", &self.city),
            ("state", &self.state),
            ("postal_code", &self.postal_code),
            ("country_iso_code", &self.country_iso_code),
            ("country_phone_code", &self.country_phone_code),
            ("phone_number", &self.phone_number),
            ("identification_number", &self.identification_number),
            ("id_document_type", &self.id_document_type),
            ("date_of_birth", &self.date_of_birth),
        ]
    }
}

/// A card.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Card {
    /// Cartevo's id.
    pub id: String,
    /// Its holder.
    #[serde(default)]
    pub customer_id: String,
    /// `PENDING`, `ACTIVE`, `FROZEN`, `SUSPENDED`, `TERMINATED`, `FAILED`.
    #[serde(default)]
    pub status: String,
    /// The balance as the decimal Cartevo wrote (a JSON number's own digits, or a
    /// string): never read through a float.
    #[serde(default, deserialize_with = "decimal")]
    pub balance: Option<String>,
    /// `**** **** **** 1234`.
    #[serde(default, alias = "masked_pan")]
    pub masked_number: Option<String>,
    /// `VISA` or `MASTERCARD`.
    #[serde(default)]
    pub brand: Option<String>,
    /// `USD`.
    #[serde(default)]
    pub currency: Option<String>,
    /// The name printed on it.
    #[serde(default)]
    pub name_on_card: Option<String>,
    /// Created.
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
}

/// Whether `s` is a plain decimal: digits, at most one `.` between digits, an optional
/// leading `-`.
pub fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw: Option<Box<RawValue>> = Option::deserialize(d)?;
    Ok(raw.and_then(|r| {
        let text = r.get().trim();
        let text = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
        is_decimal(text).then(|| text.to_owned())
    }))
}

/// A card to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCard {
    /// The holder (KYC `APPROVED`).
    pub customer_id: String,
    /// `VISA` or `MASTERCARD`.
    pub brand: String,
    /// At most 50 characters.
    pub name_on_card: String,
    /// USD to load, a decimal ≥ 0 (sent as a JSON number with exactly these digits).
    pub amount: String,
}

/// `POST /cards`'s answer (not the envelope).
#[derive(Debug, Clone, Deserialize)]
pub struct CardCreated {
    /// The card.
    pub card: Card,
}

/// A freeze or unfreeze's answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CardStatus {
    /// The card.
    pub card_id: String,
    /// Its status now.
    pub card_status: String,
}

/// `POST /auth/token`'s answer (not the envelope).
#[derive(Debug, Clone, Deserialize)]
pub struct Token {
    /// The JWT.
    pub access_token: String,
    /// Seconds it lasts.
    #[serde(default = "default_expiry")]
    pub expires_in: u64,
}

fn default_expiry() -> u64 {
    3600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balances_keep_their_digits_from_numbers_and_strings() {
        for (json, want) in [
            (r#"{"id":"c","balance":25.50}"#, Some("25.50")),
            (r#"{"id":"c","balance":"0.10"}"#, Some("0.10")),
            (r#"{"id":"c","balance":12345678901234567890.01}"#, Some("12345678901234567890.01")),
            (r#"{"id":"c","balance":null}"#, None),
            (r#"{"id":"c","balance":"abc"}"#, None),
            (r#"{"id":"c"}"#, None),
        ] {
            let card: Card = serde_json::from_str(json).unwrap();
            assert_eq!(card.balance.as_deref(), want, "{json}");
        }
        let c: Card = serde_json::from_str(r#"{"id":"c","masked_pan":"**** 1"}"#).unwrap();
        assert_eq!(c.masked_number.as_deref(), Some("**** 1"));
    }

    #[test]
    fn both_list_position_spellings_and_dates_of_birth_read() {
        let e: Envelope<Vec<CustomerSummary>> = serde_json::from_str(
            r#"{"success":true,"statusCode":200,"message":"ok","data":[],"pagination":{"page":2,"limit":10,"total":11,"totalPages":2}}"#,
        )
        .unwrap();
        assert_eq!(e.meta.unwrap().total_pages, 2);
        let c: Customer =
            serde_json::from_str(r#"{"id":"x","date_of_birth":"1990-01-15T00:00:00.000Z","number":"A1"}"#).unwrap();
        assert_eq!((c.birth_date(), c.id_number(), c.kyc_status.as_deref()), (Some("1990-01-15"), Some("A1"), None));
    }

    #[test]
    fn decimals_are_plain() {
        for ok in ["0", "10", "10.5", "-3.25"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", ".5", "5.", "1e3", "1.2.3", "NaN", "+1", " 1"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }
}
