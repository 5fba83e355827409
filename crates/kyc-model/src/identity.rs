//! Identity documents as typed identifiers: a kind (CPF, CNPJ, NIN, passport, voter's
//! card, driver's licence, BVN, or a kind this version does not know, kept) and its
//! value, with each kind's validation, the form it is kept in, and its display mask.

use crate::{Cnpj, Cpf, FieldError, mask_cnpj, mask_cpf};
use serde::{Deserialize, Serialize};

/// What kind of identity document an identifier is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// Brazil: individual taxpayer number, 11 digits.
    Cpf,
    /// Brazil: company taxpayer number, 14 digits.
    Cnpj,
    /// Nigeria: National Identification Number, 11 digits.
    Nin,
    /// A passport number.
    Passport,
    /// A voter's card.
    VotersCard,
    /// A driver's licence.
    DriversLicence,
    /// Nigeria: Bank Verification Number, 11 digits.
    Bvn,
    /// A kind this version does not know, kept verbatim.
    Other(String),
}

impl IdKind {
    /// Every known kind.
    pub const KNOWN: [IdKind; 7] = [
        IdKind::Cpf,
        IdKind::Cnpj,
        IdKind::Nin,
        IdKind::Passport,
        IdKind::VotersCard,
        IdKind::DriversLicence,
        IdKind::Bvn,
    ];

    /// The kind's stable name (`cpf`, `voters_card`, …; unknown kinds verbatim).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Cpf => "cpf",
            Self::Cnpj => "cnpj",
            Self::Nin => "nin",
            Self::Passport => "passport",
            Self::VotersCard => "voters_card",
            Self::DriversLicence => "drivers_licence",
            Self::Bvn => "bvn",
            Self::Other(s) => s,
        }
    }

    /// Reads a kind's name; anything unknown is kept.
    pub fn parse(name: &str) -> Self {
        Self::KNOWN.into_iter().find(|k| k.as_str() == name).unwrap_or_else(|| Self::Other(name.to_owned()))
    }

    /// How values of this kind are kept: digits for the numeric kinds, upper-case
    /// letters and digits for document numbers (`ab-12 345` → `AB12345`), the trimmed
    /// text for unknown kinds.
    pub fn normalize(&self, value: &str) -> String {
        match self {
            Self::Cpf | Self::Cnpj | Self::Nin | Self::Bvn => crate::only_digits(value),
            Self::Passport | Self::VotersCard | Self::DriversLicence => {
                value.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
            }
            Self::Other(_) => value.trim().to_owned(),
        }
    }

    /// Checks a value as typed, reporting against `field`; the kept form when valid.
    pub fn validate(&self, field: &str, value: &str) -> Result<String, FieldError> {
        let value = value.trim();
        let label = self.label();
        if value.is_empty() {
            return Err(FieldError::new(field, "required", format!("{label} is required")));
        }
        let bad = |code: &str, message: String| Err(FieldError::new(field, code, message));
        match self {
            Self::Cpf => Cpf::parse_field(field, value).map(|c| c.digits().to_owned()),
            Self::Cnpj => Cnpj::parse(value).map(|c| c.digits().to_owned()).map_err(|mut e| {
                e.field = field.to_owned();
                e
            }),
            Self::Nin | Self::Bvn => {
                if !value.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
                    return bad("invalid_identifier", format!("{label} may contain only digits"));
                }
                let digits = crate::only_digits(value);
                if digits.len() != 11 {
                    return bad("invalid_identifier", format!("{label} must have 11 digits, got {}", digits.len()));
                }
                Ok(digits)
            }
            Self::Passport | Self::VotersCard | Self::DriversLicence => {
                if !value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '/' | '.')) {
                    return bad(
                        "invalid_identifier",
                        format!("{label} may contain only letters, digits, spaces and - / ."),
                    );
                }
                let kept = self.normalize(value);
                let (min, max) = if *self == Self::Passport { (6, 9) } else { (5, 20) };
                if !(min..=max).contains(&kept.len()) {
                    return bad(
                        "invalid_identifier",
                        format!("{label} must have {min} to {max} letters and digits, got {}", kept.len()),
                    );
                }
                Ok(kept)
            }
            Self::Other(_) => {
                if value.chars().count() > 255 {
                    return bad("too_long", format!("{label} must be at most 255 characters"));
                }
                Ok(value.to_owned())
            }
        }
    }

    /// The value as people read it: `123.456.789-09`, `12.345.678/0001-95`; other kinds
    /// as kept. A value that does not fit its kind is shown unchanged, never hidden.
    pub fn display(&self, value: &str) -> String {
        match self {
            Self::Cpf => mask_cpf(value),
            Self::Cnpj => mask_cnpj(value),
            _ => value.to_owned(),
        }
    }

    /// The mask a value is typed in, `0` standing for a digit (`000.000.000-00`), for
    /// kinds written with punctuation; `None` for the rest.
    pub fn input_mask(&self) -> Option<&'static str> {
        match self {
            Self::Cpf => Some("000.000.000-00"),
            Self::Cnpj => Some("00.000.000/0000-00"),
            _ => None,
        }
    }

    /// The kind's name for messages (English; the UI translates by [`IdKind::as_str`]).
    pub fn label(&self) -> &str {
        match self {
            Self::Cpf => "CPF",
            Self::Cnpj => "CNPJ",
            Self::Nin => "NIN",
            Self::Passport => "Passport number",
            Self::VotersCard => "Voter's card number",
            Self::DriversLicence => "Driver's licence number",
            Self::Bvn => "BVN",
            Self::Other(s) => s,
        }
    }
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for IdKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IdKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

/// An identity document's number, of a kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// The kind.
    pub kind: IdKind,
    /// The value in its kept form (see [`IdKind::normalize`]).
    pub value: String,
}

impl Identifier {
    /// An identifier, its value put in the kind's kept form.
    pub fn new(kind: IdKind, value: &str) -> Self {
        let value = kind.normalize(value);
        Self { kind, value }
    }

    /// The value as people read it.
    pub fn display(&self) -> String {
        self.kind.display(&self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_checked_kept_and_shown_in_its_own_way() {
        assert_eq!(IdKind::Cpf.validate("cpf", "123.456.789-09").unwrap(), "12345678909");
        assert_eq!(IdKind::Cpf.validate("doc", "123.456.789-00").unwrap_err().field, "doc");
        assert_eq!(IdKind::Cnpj.validate("tax_id", "11.222.333/0001-81").unwrap(), "11222333000181");
        assert_eq!(IdKind::Cnpj.validate("tax_id", "11.222.333/0001-80").unwrap_err().field, "tax_id");
        assert_eq!(IdKind::Bvn.validate("bvn", "2234 5678 901").unwrap(), "22345678901");
        assert_eq!(IdKind::Nin.validate("nin", "1234").unwrap_err().code, "invalid_identifier");
        assert_eq!(IdKind::Passport.validate("n", "a12-34567").unwrap(), "A1234567");
        assert!(IdKind::Passport.validate("n", "A1").is_err());
        assert!(IdKind::DriversLicence.validate("n", "ABC<123").is_err());
        assert_eq!(IdKind::Other("tin".into()).validate("n", " 99/1 ").unwrap(), "99/1");
        assert_eq!(IdKind::Cpf.validate("cpf", " ").unwrap_err().code, "required");
        assert_eq!(Identifier::new(IdKind::Cpf, "123.456.789-09").display(), "123.456.789-09");
        assert_eq!(Identifier::new(IdKind::Cnpj, "11222333000181").display(), "11.222.333/0001-81");
    }

    #[test]
    fn unknown_kinds_are_kept_by_name() {
        for k in IdKind::KNOWN {
            assert_eq!(IdKind::parse(k.as_str()), k);
        }
        let odd = IdKind::parse("tax_card");
        assert_eq!(odd, IdKind::Other("tax_card".into()));
        assert_eq!(serde_json::to_string(&odd).unwrap(), "\"tax_card\"");
    }
}
