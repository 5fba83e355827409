//! The platform's JSON, read tolerantly.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;

fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.and_then(|s| OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339).ok()))
}

/// `{"data": …}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Data<T> {
    /// The payload.
    pub data: T,
}

/// A list's cursors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Pagination {
    /// The cursor of the page before, if any.
    #[serde(default)]
    pub before: Option<String>,
    /// The cursor of the page after; empty or absent at the end.
    #[serde(default)]
    pub after: Option<String>,
}

/// A page of a list.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// Where it sits.
    #[serde(default)]
    pub pagination: Pagination,
}

impl<T> Page<T> {
    /// The cursor of the next page, `None` at the end.
    pub fn next(&self) -> Option<&str> {
        self.pagination.after.as_deref().filter(|a| !a.is_empty())
    }
}

/// A billing address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingAddress {
    /// Street address.
    #[serde(default)]
    pub line1: String,
    /// More of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    #[serde(default)]
    pub city: String,
    /// State or region.
    #[serde(default)]
    pub state: String,
    /// Postal code.
    #[serde(default)]
    pub zip_code: String,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country: String,
}

/// A customer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Customer {
    /// Its id.
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
    /// E.164 phone (`phone` on some pages).
    #[serde(default, alias = "phone")]
    pub phone_number: Option<String>,
    /// `individual` or `business`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `pending_kyc`, `active`, …; absent: unknown.
    #[serde(default)]
    pub status: Option<String>,
    /// Where the customer is billed.
    #[serde(default)]
    pub billing_address: Option<BillingAddress>,
    /// Created.
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
    /// Last changed.
    #[serde(default, deserialize_with = "opt_time")]
    pub updated_at: Option<OffsetDateTime>,
}

/// A customer to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewCustomer {
    /// Letters, spaces, hyphens, apostrophes; at most 100.
    pub first_name: String,
    /// Same rules.
    pub last_name: String,
    /// Unique per integration.
    pub email: String,
    /// E.164, matching the billing country.
    pub phone_number: String,
    /// `individual` or `business`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where the customer is billed.
    pub billing_address: BillingAddress,
}

/// What a correction changes (absent fields stay as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CustomerUpdate {
    /// New given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// New family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// New e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// New phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// The address parts that change (merged by the platform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What the BVN lookup found.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BvnRecord {
    /// Given name.
    #[serde(default)]
    pub first_name: String,
    /// Middle name.
    #[serde(default)]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub surname: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// The phone on record.
    #[serde(default)]
    pub mobile_number: Option<String>,
}

/// An amount as the platform writes it: the decimal's own digits, never read through
/// a float.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Balance {
    /// The decimal, as written (`"1500.00"`, or a JSON number's digits).
    #[serde(deserialize_with = "decimal")]
    pub amount: String,
    /// ISO 4217.
    #[serde(default)]
    pub currency: String,
}

fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw: Box<RawValue> = Deserialize::deserialize(d)?;
    let t = raw.get().trim();
    Ok(t.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(t).to_owned())
}

/// A wallet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Wallet {
    /// Its id.
    pub id: String,
    /// Its account.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Its holder.
    #[serde(default)]
    pub customer_id: String,
    /// ISO 4217.
    #[serde(default)]
    pub currency: Option<String>,
    /// What is in it.
    #[serde(default)]
    pub balance: Option<Balance>,
    /// `active`, `frozen`, `deleted`.
    #[serde(default)]
    pub status: String,
    /// Created.
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
    /// Its payment methods (on `GET /wallets/{id}`).
    #[serde(default)]
    pub payment_methods: Vec<PaymentMethod>,
    /// What happened to it (on `GET /wallets/{id}`).
    #[serde(default)]
    pub events: Vec<WalletEvent>,
}

/// A way to pay into a wallet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentMethod {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// `bank_account`, …
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The bank.
    #[serde(default)]
    pub bank_name: Option<String>,
    /// The account number.
    #[serde(default)]
    pub account_number: Option<String>,
    /// The account's name.
    #[serde(default)]
    pub account_name: Option<String>,
    /// ISO 4217.
    #[serde(default)]
    pub currency: Option<String>,
}

/// Something that happened to a wallet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WalletEvent {
    /// What.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The status it led to.
    #[serde(default)]
    pub status: Option<String>,
    /// Why, as staff said.
    #[serde(default)]
    pub reason: Option<String>,
    /// When (`at`, or `created_at`).
    #[serde(default, alias = "created_at", deserialize_with = "opt_time")]
    pub at: Option<OffsetDateTime>,
}

/// A wallet's transaction.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Transaction {
    /// Its id.
    pub id: String,
    /// `credit` or `debit`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The decimal, as written.
    #[serde(deserialize_with = "decimal")]
    pub amount: String,
    /// ISO 4217.
    #[serde(default)]
    pub currency: String,
    /// `completed`, `pending`, `failed`.
    #[serde(default)]
    pub status: String,
    /// What it was.
    #[serde(default)]
    pub description: Option<String>,
    /// When.
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_digits_and_customers_read_either_phone_name() {
        let w: Wallet = serde_json::from_str(
            r#"{"id":"wal_1","customer_id":"cus_1","status":"active","balance":{"amount":1500.10,"currency":"NGN"}}"#,
        )
        .unwrap();
        assert_eq!(w.balance.unwrap().amount, "1500.10");
        let c: Customer = serde_json::from_str(r#"{"id":"cus_1","phone":"+2348031234567","type":"business"}"#).unwrap();
        assert_eq!(
            (c.phone_number.as_deref(), c.kind.as_deref(), c.status),
            (Some("+2348031234567"), Some("business"), None)
        );
        let p: Page<Customer> = serde_json::from_str(r#"{"data":[],"pagination":{"after":"","before":null}}"#).unwrap();
        assert_eq!(p.next(), None, "an empty cursor ends the walk");
    }
}
