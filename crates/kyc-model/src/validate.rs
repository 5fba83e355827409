//! Value types with validation. Each parser returns a [`FieldError`] naming the field
//! and saying what is wrong, in words a member of staff can act on.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A validation failure for one field: which field, a stable code, and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's wire name, e.g. `cpf`.
    pub field: String,
    /// A stable machine-readable code, e.g. `invalid_cpf`.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// The ASCII digits of `s`, in order, everything else dropped.
pub fn only_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn check_digit(digits: &[u32], weights: impl Iterator<Item = u32>) -> u32 {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    let r = sum % 11;
    if r < 2 { 0 } else { 11 - r }
}

fn digits_of(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// Characters allowed around the digits of a CPF/CNPJ: punctuation of the usual mask.
fn only_mask_chars(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | ' '))
}

/// A Brazilian individual taxpayer number (CPF), kept as its 11 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpf(String);

impl Cpf {
    /// Parses a CPF given masked (`123.456.789-09`) or as 11 digits, checking its
    /// check digits.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        Self::parse_field("cpf", input)
    }

    /// As [`Cpf::parse`], reporting errors against `field`.
    pub fn parse_field(field: &str, input: &str) -> Result<Self, FieldError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(FieldError::new(field, "required", "CPF is required"));
        }
        if !only_mask_chars(input) {
            return Err(FieldError::new(field, "invalid_cpf", "CPF may contain only digits, '.' and '-'"));
        }
        let d = digits_of(input);
        if d.len() != 11 {
            return Err(FieldError::new(field, "invalid_cpf", format!("CPF must have 11 digits, got {}", d.len())));
        }
        if d.iter().all(|x| *x == d[0]) {
            return Err(FieldError::new(field, "invalid_cpf", "CPF cannot be a repeated digit"));
        }
        let d1 = check_digit(&d[..9], (2..=10).rev());
        let d2 = check_digit(&d[..10], (2..=11).rev());
        if d[9] != d1 || d[10] != d2 {
            return Err(FieldError::new(field, "invalid_cpf", "CPF check digits do not match"));
        }
        Ok(Self(only_digits(input)))
    }

    /// Builds a valid CPF from its first nine digits by computing the check digits.
    pub fn from_base(base: [u8; 9]) -> Self {
        let mut d: Vec<u32> = base.iter().map(|x| u32::from(*x % 10)).collect();
        d.push(check_digit(&d, (2..=10).rev()));
        d.push(check_digit(&d, (2..=11).rev()));
        Self(d.iter().map(|x| char::from_digit(*x, 10).unwrap_or('0')).collect())
    }

    /// The 11 digits.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The usual mask: `123.456.789-09`.
    pub fn formatted(&self) -> String {
        let s = &self.0;
        format!("{}.{}.{}-{}", &s[0..3], &s[3..6], &s[6..9], &s[9..11])
    }
}

impl fmt::Display for Cpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

/// A Brazilian company taxpayer number (CNPJ), kept as its 14 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnpj(String);

const CNPJ_W1: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W2: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

impl Cnpj {
    /// Parses a CNPJ given masked (`12.345.678/0001-95`) or as 14 digits, checking its
    /// check digits.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(FieldError::new("cnpj", "required", "CNPJ is empty"));
        }
        if !only_mask_chars(input) {
            return Err(FieldError::new("cnpj", "invalid_cnpj", "CNPJ may contain only digits, '.', '/' and '-'"));
        }
        let d = digits_of(input);
        if d.len() != 14 {
            return Err(FieldError::new("cnpj", "invalid_cnpj", format!("CNPJ must have 14 digits, got {}", d.len())));
        }
        if d.iter().all(|x| *x == d[0]) {
            return Err(FieldError::new("cnpj", "invalid_cnpj", "CNPJ cannot be a repeated digit"));
        }
        let d1 = check_digit(&d[..12], CNPJ_W1.into_iter());
        let d2 = check_digit(&d[..13], CNPJ_W2.into_iter());
        if d[12] != d1 || d[13] != d2 {
            return Err(FieldError::new("cnpj", "invalid_cnpj", "CNPJ check digits do not match"));
        }
        Ok(Self(only_digits(input)))
    }

    /// Builds a valid CNPJ from its first twelve digits by computing the check digits.
    pub fn from_base(base: [u8; 12]) -> Self {
        let mut d: Vec<u32> = base.iter().map(|x| u32::from(*x % 10)).collect();
        d.push(check_digit(&d, CNPJ_W1.into_iter()));
        d.push(check_digit(&d, CNPJ_W2.into_iter()));
        Self(d.iter().map(|x| char::from_digit(*x, 10).unwrap_or('0')).collect())
    }

    /// The 14 digits.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The usual mask: `12.345.678/0001-95`.
    pub fn formatted(&self) -> String {
        let s = &self.0;
        format!("{}.{}.{}/{}-{}", &s[0..2], &s[2..5], &s[5..8], &s[8..12], &s[12..14])
    }
}

impl fmt::Display for Cnpj {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

/// A well-formed e-mail address (one `@`, a local part, a dotted domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an e-mail address.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        let bad = || FieldError::new("email", "invalid_email", "e-mail must look like name@example.com");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty() || domain.contains('@') || !domain.contains('.') {
            return Err(bad());
        }
        if domain.split('.').any(|label| label.is_empty() || label.starts_with('-') || label.ends_with('-')) {
            return Err(bad());
        }
        Ok(Self(s.to_owned()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf_accepts_masked_and_bare_and_formats() {
        let a = Cpf::parse("123.456.789-09").unwrap();
        let b = Cpf::parse("12345678909").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.formatted(), "123.456.789-09");
    }

    #[test]
    fn cpf_rejects_wrong_check_digits_naming_the_field() {
        let e = Cpf::parse("123.456.789-00").unwrap_err();
        assert_eq!(e.field, "cpf");
        assert_eq!(e.code, "invalid_cpf");
        assert!(e.message.contains("check digits"));
        assert!(Cpf::parse("111.111.111-11").is_err());
        assert!(Cpf::parse("1234567890").unwrap_err().message.contains("got 10"));
        assert!(Cpf::parse("123.456.789-0a").is_err());
        assert_eq!(Cpf::parse("  ").unwrap_err().code, "required");
    }

    #[test]
    fn cpf_from_base_is_always_valid() {
        for i in 0..2000u32 {
            let n = i.wrapping_mul(2_654_435_761);
            let base: [u8; 9] = std::array::from_fn(|k| ((n >> (k * 3)) % 10) as u8);
            let cpf = Cpf::from_base(base);
            if cpf.digits().chars().all(|c| c == cpf.digits().as_bytes()[0] as char) {
                continue;
            }
            assert!(Cpf::parse(cpf.digits()).is_ok(), "{cpf}");
        }
    }

    #[test]
    fn cnpj_checks_digits() {
        let c = Cnpj::parse("12.345.678/0001-95").unwrap();
        assert_eq!(c.formatted(), "12.345.678/0001-95");
        assert!(Cnpj::parse("11.222.333/0001-81").is_ok());
        assert_eq!(Cnpj::parse("12.345.678/0001-90").unwrap_err().code, "invalid_cnpj");
        assert_eq!(Cnpj::from_base([1, 1, 2, 2, 2, 3, 3, 3, 0, 0, 0, 1]).formatted(), "11.222.333/0001-81");
    }

    #[test]
    fn email_is_well_formed() {
        assert!(Email::parse("joao@example.com").is_ok());
        for bad in ["joao", "joao@", "@example.com", "joao@example", "jo ao@example.com", "a@b@c.com", "a@.com"] {
            assert_eq!(Email::parse(bad).unwrap_err().field, "email", "{bad}");
        }
    }
}

/// Display form of CPF digits: `123.456.789-09` when there are 11 digits, the input
/// unchanged otherwise (an odd value from a provider is shown, not hidden).
pub fn mask_cpf(digits: &str) -> String {
    if digits.len() == 11 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!("{}.{}.{}-{}", &digits[0..3], &digits[3..6], &digits[6..9], &digits[9..11])
    } else {
        digits.to_owned()
    }
}

/// Display form of CNPJ digits: `12.345.678/0001-95` when there are 14 digits, the
/// input unchanged otherwise.
pub fn mask_cnpj(digits: &str) -> String {
    if digits.len() == 14 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!("{}.{}.{}/{}-{}", &digits[0..2], &digits[2..5], &digits[5..8], &digits[8..12], &digits[12..14])
    } else {
        digits.to_owned()
    }
}

#[cfg(test)]
mod mask_tests {
    #[test]
    fn masks_only_well_sized_digit_strings() {
        assert_eq!(super::mask_cpf("12345678909"), "123.456.789-09");
        assert_eq!(super::mask_cpf("123"), "123");
        assert_eq!(super::mask_cnpj("12345678000195"), "12.345.678/0001-95");
        assert_eq!(super::mask_cnpj("1234567800019x"), "1234567800019x");
    }
}
