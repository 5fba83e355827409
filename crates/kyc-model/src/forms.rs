//! What staff type to register or correct a customer, and its validation: every field
//! checked, every error named, so a form can show them all at once.

use crate::{Belongs, Cnpj, Cpf, Email, FieldError, Phone};

/// The country a registration's phone is read in when typed without `+`: the Dinie
/// customers registered here are in Brazil.
pub const PHONE_COUNTRY: &str = "BR";

/// A phone as typed, read in [`PHONE_COUNTRY`].
fn phone(typed: &str) -> Result<Phone, FieldError> {
    Phone::parse_in(typed, PHONE_COUNTRY, Belongs::Preferred)
}
use serde::{Deserialize, Serialize};

/// A registration as typed. Only the CPF is required by the API; the app also asks
/// for name, e-mail and phone, which every KYC needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Registration {
    /// CPF, masked or digits.
    pub cpf: String,
    /// CNPJ, for MEI / companies; empty for none.
    #[serde(default)]
    pub cnpj: String,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Phone, E.164.
    pub phone: String,
    /// Trading name; empty for none.
    #[serde(default)]
    pub trading_name: String,
    /// The partner's reference; empty for none.
    #[serde(default)]
    pub external_id: String,
}

/// A correction of the fields that may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Correction {
    /// Full name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// Trading name.
    pub trading_name: Option<String>,
}

fn required(errors: &mut Vec<FieldError>, field: &str, value: &str, label: &str) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, "required", format!("{label} is required")));
    }
}

fn too_long(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(field, "too_long", format!("{field} must be at most {max} characters")));
    }
}

impl Registration {
    /// Every problem with the form, in field order; empty when it can be sent.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Err(e) = Cpf::parse(&self.cpf) {
            errors.push(e);
        }
        if !self.cnpj.trim().is_empty()
            && let Err(e) = Cnpj::parse(&self.cnpj)
        {
            errors.push(e);
        }
        required(&mut errors, "name", &self.name, "name");
        too_long(&mut errors, "name", &self.name, 200);
        if self.email.trim().is_empty() {
            required(&mut errors, "email", &self.email, "e-mail");
        } else if let Err(e) = Email::parse(&self.email) {
            errors.push(e);
        }
        if self.phone.trim().is_empty() {
            required(&mut errors, "phone", &self.phone, "phone");
        } else if let Err(e) = phone(&self.phone) {
            errors.push(e);
        }
        too_long(&mut errors, "trading_name", &self.trading_name, 200);
        too_long(&mut errors, "external_id", &self.external_id, 255);
        errors
    }
}

impl Registration {
    /// The registration as the API takes it: the phone in E.164 (`11 99999-9999` →
    /// `+5511999999999`). Call after [`Registration::validate`] found nothing.
    pub fn normalized(mut self) -> Self {
        if let Ok(p) = phone(&self.phone) {
            self.phone = p.as_str().to_owned();
        }
        self
    }
}

impl Correction {
    /// The correction as the API takes it (the phone in E.164).
    pub fn normalized(mut self) -> Self {
        if let Some(p) = self.phone.as_deref().and_then(|p| phone(p).ok()) {
            self.phone = Some(p.as_str().to_owned());
        }
        self
    }

    /// Every problem with the correction; empty when it can be sent.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(n) = &self.name {
            required(&mut errors, "name", n, "name");
            too_long(&mut errors, "name", n, 200);
        }
        if let Some(e) = &self.email
            && let Err(err) = Email::parse(e)
        {
            errors.push(err);
        }
        if let Some(p) = &self.phone
            && let Err(err) = phone(p)
        {
            errors.push(err);
        }
        if self.name.is_none() && self.email.is_none() && self.phone.is_none() && self.trading_name.is_none() {
            errors.push(FieldError::new("correction", "empty", "nothing to correct"));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_reports_every_bad_field_at_once() {
        let r = Registration {
            cpf: "123.456.789-00".into(),
            cnpj: "11.111.111/1111-11".into(),
            email: "x@".into(),
            phone: "1199".into(),
            ..Default::default()
        };
        let fields: Vec<(String, String)> = r.validate().into_iter().map(|e| (e.field, e.code)).collect();
        let expected = [
            ("cpf", "invalid_cpf"),
            ("cnpj", "invalid_cnpj"),
            ("name", "required"),
            ("email", "invalid_email"),
            ("phone", "phone_not_national"),
        ];
        assert_eq!(fields, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
        let ok = Registration {
            cpf: "123.456.789-09".into(),
            name: "Joao".into(),
            email: "j@example.com".into(),
            phone: "+5511999999999".into(),
            ..Default::default()
        };
        assert!(ok.validate().is_empty());
        // As Brazilians write it: valid, and sent as E.164 with Brazil's code.
        let national = Registration { phone: "(11) 99999-9999".into(), ..ok };
        assert!(national.validate().is_empty());
        assert_eq!(national.normalized().phone, "+5511999999999");
    }

    #[test]
    fn a_correction_checks_only_what_it_changes() {
        assert!(Correction { email: Some("ok@example.com".into()), ..Default::default() }.validate().is_empty());
        assert_eq!(Correction { phone: Some("9".into()), ..Default::default() }.validate()[0].field, "phone");
        assert_eq!(Correction::default().validate()[0].code, "empty");
    }
}
