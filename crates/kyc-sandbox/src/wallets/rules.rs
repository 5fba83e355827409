//! The field rules of the wallets flavour (seed 002's table and the contract): a new
//! customer, a customer's changes, the phone against the billing country, BVNs and
//! wallet requests. Each rule broken is one [`FieldError`] naming its field.

use super::db::{Address, CustomerType, WalletStatus};
use super::wire::FieldError;
use super::{CURRENCIES, MAX_NAME_CHARS, MAX_REASON_CHARS, MAX_TEXT_CHARS};
use crate::util::ISO_ALPHA2;
use kyc_model::{Belongs, Email, Phone, dial_plan};
use serde_json::{Map, Value};

/// A string field: absent or null → `Ok(None)`; blank → `Ok(Some(""))`; another type →
/// the error naming it.
fn string_of(m: &Map<String, Value>, field: &str, name: &str) -> Result<Option<String>, FieldError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(FieldError::invalid(name, format!("{name} must be a string"))),
    }
}

/// A required string field (absent, null or blank is missing).
fn required(m: &Map<String, Value>, field: &str, name: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match string_of(m, field, name) {
        Ok(Some(v)) if !v.is_empty() => Some(v),
        Ok(_) => {
            errors.push(FieldError::missing(name));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// A first or last name: at most 100 characters, letters (any script), spaces,
/// hyphens and apostrophes, with at least one letter.
pub(crate) fn name_error(field: &str, v: &str) -> Option<FieldError> {
    if v.chars().count() > MAX_NAME_CHARS {
        return Some(FieldError::invalid(field, format!("{field} must be at most {MAX_NAME_CHARS} characters")));
    }
    let allowed = |c: char| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '’';
    if !v.chars().all(allowed) || !v.chars().any(char::is_alphabetic) {
        return Some(FieldError::invalid(
            field,
            format!("{field} may contain only letters, spaces, hyphens and apostrophes"),
        ));
    }
    None
}

fn email_error(v: &str) -> Option<FieldError> {
    Email::parse(v).err().map(|_| FieldError::invalid("email", "email must be a valid email address"))
}

/// Whether `country` is an assigned ISO 3166-1 alpha-2 code (upper case).
pub(crate) fn is_country(country: &str) -> bool {
    ISO_ALPHA2.contains(&country)
}

/// The phone in `field`: E.164 (`+` and 8 to 15 digits), and one of `country`'s
/// numbers where `kyc-model` knows its dial plan.
pub(crate) fn phone_error(field: &str, phone: &str, country: Option<&str>) -> Option<FieldError> {
    if Phone::parse(phone).is_err() {
        return Some(FieldError::invalid(field, "Invalid phone number format (E.164 expected, e.g. +2348031234567)"));
    }
    let country = country.filter(|c| is_country(c))?;
    let plan = dial_plan(country)?;
    if !phone[1..].starts_with(plan.code) {
        return Some(FieldError::invalid(field, format!("{field} must be a +{} number for {country}", plan.code)));
    }
    Phone::parse_in(phone, country, Belongs::Required)
        .err()
        .map(|e| FieldError::invalid(field, format!("{field} is not a valid number for {country}: {}", e.message)))
}

/// Which phone field a body uses: `phone_number`, else `phone` (the WaaS page's name),
/// else `None`.
fn phone_field(m: &Map<String, Value>) -> Option<&'static str> {
    ["phone_number", "phone"].into_iter().find(|f| m.get(*f).is_some_and(|v| !v.is_null()))
}

/// A new customer once every rule holds.
#[derive(Debug, Clone)]
pub(crate) struct NewCustomer {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: String,
    pub kind: CustomerType,
    pub billing_address: Address,
}

/// The text fields of a billing address and whether each is required.
const ADDRESS_FIELDS: [(&str, bool); 6] =
    [("line1", true), ("line2", false), ("city", true), ("state", true), ("zip_code", true), ("country", true)];

/// One address field's rules once it is there.
fn address_value_error(field: &str, v: &str) -> Option<FieldError> {
    let name = format!("billing_address.{field}");
    if v.chars().count() > MAX_TEXT_CHARS {
        return Some(FieldError::invalid(&name, format!("{name} must be at most {MAX_TEXT_CHARS} characters")));
    }
    if field == "country" && !is_country(v) {
        return Some(FieldError::invalid(&name, format!("{name} must be an ISO 3166-1 alpha-2 country code")));
    }
    None
}

/// `billing_address` of a new customer.
fn new_address(m: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<Address> {
    let a = match m.get("billing_address") {
        None | Some(Value::Null) => {
            errors.push(FieldError::missing("billing_address"));
            return None;
        }
        Some(Value::Object(a)) => a,
        Some(_) => {
            errors.push(FieldError::invalid("billing_address", "billing_address must be an object"));
            return None;
        }
    };
    let mut values: Vec<Option<String>> = Vec::new();
    for (field, is_required) in ADDRESS_FIELDS {
        let name = format!("billing_address.{field}");
        let v = if is_required {
            required(a, field, &name, errors)
        } else {
            string_of(a, field, &name).map_err(|e| errors.push(e)).ok().flatten().filter(|v| !v.is_empty())
        };
        let v = v.map(|v| if field == "country" { v.to_ascii_uppercase() } else { v });
        if let Some(e) = v.as_deref().and_then(|v| address_value_error(field, v)) {
            errors.push(e);
        }
        values.push(v);
    }
    let mut it = values.into_iter();
    let mut next = || it.next().flatten();
    let (line1, line2, city, state, zip_code, country) = (next(), next(), next(), next(), next(), next());
    Some(Address { line1: line1?, line2, city: city?, state: state?, zip_code: zip_code?, country: country? })
}

/// `POST /customers`: every rule at once (the phone against the country only when
/// both are there).
pub(crate) fn new_customer(m: &Map<String, Value>) -> Result<NewCustomer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let first_name = required(m, "first_name", "first_name", &mut errors);
    if let Some(e) = first_name.as_deref().and_then(|v| name_error("first_name", v)) {
        errors.push(e);
    }
    let last_name = required(m, "last_name", "last_name", &mut errors);
    if let Some(e) = last_name.as_deref().and_then(|v| name_error("last_name", v)) {
        errors.push(e);
    }
    let email = required(m, "email", "email", &mut errors);
    if let Some(e) = email.as_deref().and_then(email_error) {
        errors.push(e);
    }
    let pf = phone_field(m).unwrap_or("phone_number");
    let phone = required(m, pf, pf, &mut errors);
    // Checked against the billing country as sent (skipped when that is not a country).
    let country = m
        .get("billing_address")
        .and_then(|a| a.get("country"))
        .and_then(Value::as_str)
        .map(|c| c.trim().to_ascii_uppercase());
    if let Some(e) = phone.as_deref().and_then(|p| phone_error(pf, p, country.as_deref())) {
        errors.push(e);
    }
    let kind = required(m, "type", "type", &mut errors).and_then(|t| {
        let k = CustomerType::parse(&t);
        if k.is_none() {
            errors.push(FieldError::invalid("type", "type must be one of individual, business"));
        }
        k
    });
    let address = new_address(m, &mut errors);
    match (first_name, last_name, email, phone, kind, address) {
        (Some(first_name), Some(last_name), Some(email), Some(phone_number), Some(kind), Some(billing_address))
            if errors.is_empty() =>
        {
            Ok(NewCustomer { first_name, last_name, email, phone_number, kind, billing_address })
        }
        _ => Err(errors),
    }
}

/// The changes of `PATCH /customers/{id}`, each `None` when not asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct CustomerPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// The field it came in (`phone_number` or `phone`) and the number.
    pub phone: Option<(&'static str, String)>,
    /// Address fields to set (`line2` may be `None`: cleared).
    pub address: Vec<(&'static str, Option<String>)>,
}

impl CustomerPatch {
    /// The address with the changes merged in.
    pub fn merged_address(&self, old: &Address) -> Address {
        let mut a = old.clone();
        for (field, v) in &self.address {
            let v = v.clone();
            match *field {
                "line1" => a.line1 = v.unwrap_or_default(),
                "line2" => a.line2 = v,
                "city" => a.city = v.unwrap_or_default(),
                "state" => a.state = v.unwrap_or_default(),
                "zip_code" => a.zip_code = v.unwrap_or_default(),
                _ => a.country = v.unwrap_or_default(),
            }
        }
        a
    }
}

/// An optional field of a change: absent → `None`; null or blank → "cannot be empty"
/// (`line2` alone may be cleared).
fn changed(m: &Map<String, Value>, field: &str, name: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    if !m.contains_key(field) {
        return None;
    }
    match string_of(m, field, name) {
        Ok(Some(v)) if !v.is_empty() => Some(v),
        Ok(_) => {
            errors.push(FieldError::invalid(name, format!("{name} cannot be empty")));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// `PATCH /customers/{id}`: the fields' own rules, all at once (the phone against
/// the country is checked on the merged customer). `type` and `status` cannot change.
pub(crate) fn customer_patch(m: &Map<String, Value>) -> Result<CustomerPatch, Vec<FieldError>> {
    let mut errors = Vec::new();
    for fixed in ["type", "status"] {
        if m.contains_key(fixed) {
            errors.push(FieldError::invalid(fixed, format!("{fixed} cannot be updated")));
        }
    }
    let mut p = CustomerPatch::default();
    for field in ["first_name", "last_name"] {
        let v = changed(m, field, field, &mut errors);
        if let Some(e) = v.as_deref().and_then(|v| name_error(field, v)) {
            errors.push(e);
        }
        if field == "first_name" {
            p.first_name = v;
        } else {
            p.last_name = v;
        }
    }
    p.email = changed(m, "email", "email", &mut errors);
    if let Some(e) = p.email.as_deref().and_then(email_error) {
        errors.push(e);
    }
    for pf in ["phone_number", "phone"] {
        if m.contains_key(pf)
            && p.phone.is_none()
            && let Some(v) = changed(m, pf, pf, &mut errors)
        {
            if let Some(e) = phone_error(pf, &v, None) {
                errors.push(e);
            }
            p.phone = Some((pf, v));
        }
    }
    match m.get("billing_address") {
        None => {}
        Some(Value::Object(a)) => {
            for (field, is_required) in ADDRESS_FIELDS {
                let name = format!("billing_address.{field}");
                if !a.contains_key(field) {
                    continue;
                }
                let v = if is_required {
                    changed(a, field, &name, &mut errors)
                } else {
                    match string_of(a, field, &name) {
                        Ok(v) => Some(v.unwrap_or_default()),
                        Err(e) => {
                            errors.push(e);
                            None
                        }
                    }
                };
                let Some(v) = v.map(|v| if field == "country" { v.to_ascii_uppercase() } else { v }) else {
                    continue;
                };
                if let Some(e) = address_value_error(field, &v) {
                    errors.push(e);
                }
                p.address.push((field, Some(v).filter(|v| !v.is_empty())));
            }
        }
        Some(_) => errors.push(FieldError::invalid("billing_address", "billing_address must be an object")),
    }
    if errors.is_empty() { Ok(p) } else { Err(errors) }
}

/// A BVN: 11 digits.
pub(crate) fn bvn(m: &Map<String, Value>) -> Result<String, FieldError> {
    let mut errors = Vec::new();
    let v = required(m, "bvn", "bvn", &mut errors);
    match (v, errors.pop()) {
        (_, Some(e)) => Err(e),
        (Some(v), None) if v.len() == 11 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
        _ => Err(FieldError::invalid("bvn", "bvn must be 11 digits")),
    }
}

/// Whether a currency is one a wallet can hold.
pub(crate) fn is_currency(c: &str) -> bool {
    CURRENCIES.contains(&c)
}

/// `POST /wallets`: `customer_id` and `currency` (whose value is checked apart, as
/// `invalid_currency`).
pub(crate) fn new_wallet(m: &Map<String, Value>) -> Result<(String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let customer = required(m, "customer_id", "customer_id", &mut errors);
    let currency = required(m, "currency", "currency", &mut errors);
    match (customer, currency) {
        (Some(a), Some(b)) if errors.is_empty() => Ok((a, b)),
        _ => Err(errors),
    }
}

/// `PATCH /wallets/{id}/status`: the status, and the reason (required to freeze or
/// delete, at most 255 characters).
pub(crate) fn status_change(m: &Map<String, Value>) -> Result<(WalletStatus, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let status = required(m, "status", "status", &mut errors).and_then(|s| {
        let st = WalletStatus::parse(&s);
        if st.is_none() {
            errors.push(FieldError::invalid("status", "status must be one of active, frozen, deleted"));
        }
        st
    });
    let reason = string_of(m, "reason", "reason").map_err(|e| errors.push(e)).ok().flatten().filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        errors.push(FieldError::invalid("reason", format!("reason must be at most {MAX_REASON_CHARS} characters")));
    }
    if let Some(s) = status.filter(|s| s.needs_reason() && reason.is_none()) {
        errors.push(FieldError {
            field: "reason".into(),
            message: format!("reason is required to set the status to {}", s.as_str()),
            missing: true,
        });
    }
    match status {
        Some(s) if errors.is_empty() => Ok((s, reason)),
        _ => Err(errors),
    }
}

/// `POST /wallets/{id}/payment-method`: `type` must be `bank_account`.
pub(crate) fn payment_method(m: &Map<String, Value>) -> Result<(), FieldError> {
    let mut errors = Vec::new();
    match (required(m, "type", "type", &mut errors), errors.pop()) {
        (_, Some(e)) => Err(e),
        (Some(t), None) if t == "bank_account" => Ok(()),
        _ => Err(FieldError::invalid("type", "type must be bank_account")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn valid() -> Value {
        json!({
            "first_name": "Ada", "last_name": "O'Neil-Okafor", "email": "ada@example.com",
            "phone_number": "+2348031234567", "type": "individual",
            "billing_address": {"line1": "1 Allen Avenue", "city": "Ikeja", "state": "Lagos", "zip_code": "100001", "country": "NG"},
        })
    }

    fn fields(e: &[FieldError]) -> Vec<(&str, bool)> {
        e.iter().map(|e| (e.field.as_str(), e.missing)).collect()
    }

    #[test]
    fn the_seed_example_is_valid_and_phone_may_be_called_phone() {
        let c = new_customer(&obj(valid())).unwrap();
        assert_eq!((c.phone_number.as_str(), c.billing_address.line2), ("+2348031234567", None));
        let mut v = valid();
        let phone = v.as_object_mut().unwrap().remove("phone_number").unwrap();
        v["phone"] = phone;
        v["first_name"] = json!("Zoë Ñúñez");
        assert!(new_customer(&obj(v)).is_ok());
    }

    #[test]
    fn every_broken_rule_is_named_by_its_field() {
        let mut v = valid();
        v["first_name"] = json!("Ad4");
        v["last_name"] = json!("x".repeat(101));
        v["email"] = json!("nope");
        v["phone_number"] = json!("+233241234567");
        v["type"] = json!("person");
        v["billing_address"]["country"] = json!("XX");
        v["billing_address"].as_object_mut().unwrap().remove("city");
        let e = new_customer(&obj(v)).unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("first_name", false),
                ("last_name", false),
                ("email", false),
                ("type", false),
                ("billing_address.city", true),
                ("billing_address.country", false),
            ],
            "{e:?}"
        );
        // Ghanaian phone, Nigerian address.
        let mut v = valid();
        v["phone_number"] = json!("+233241234567");
        let e = new_customer(&obj(v)).unwrap_err();
        assert_eq!(e[0].message, "phone_number must be a +234 number for NG");
        let mut v = valid();
        v["phone_number"] = json!("0803 123 4567");
        assert_eq!(new_customer(&obj(v)).unwrap_err()[0].message.split(' ').next(), Some("Invalid"));
        let e = new_customer(&obj(json!({}))).unwrap_err();
        assert!(e.iter().all(|e| e.missing));
        assert_eq!(e.len(), 6);
    }

    #[test]
    fn a_patch_refuses_type_and_status_and_merges_the_address() {
        let p = customer_patch(&obj(json!({"billing_address": {"city": "Abuja", "line2": null}}))).unwrap();
        let old = new_customer(&obj(valid())).unwrap().billing_address;
        let a = p.merged_address(&Address { line2: Some("Flat 2".into()), ..old.clone() });
        assert_eq!((a.city.as_str(), a.line2, a.line1), ("Abuja", None, old.line1));
        let e = customer_patch(&obj(json!({"type": "business", "status": "active", "email": ""}))).unwrap_err();
        assert_eq!(fields(&e), [("type", false), ("status", false), ("email", false)]);
    }

    #[test]
    fn status_changes_need_a_reason_to_freeze_or_delete() {
        assert!(status_change(&obj(json!({"status": "active"}))).is_ok());
        let e = status_change(&obj(json!({"status": "frozen"}))).unwrap_err();
        assert_eq!(fields(&e), [("reason", true)]);
        let e = status_change(&obj(json!({"status": "gone", "reason": "x".repeat(256)}))).unwrap_err();
        assert_eq!(fields(&e), [("status", false), ("reason", false)]);
        assert!(bvn(&obj(json!({"bvn": "12345"}))).is_err());
        assert!(bvn(&obj(json!({}))).unwrap_err().missing);
        assert_eq!(bvn(&obj(json!({"bvn": "22123456789"}))).unwrap(), "22123456789");
    }
}
