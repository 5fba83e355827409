//! Phone numbers as people type them, in the context of a country.
//!
//! Staff type numbers the way they are written where they live: `11 99999-9999` or
//! `(11) 99999-9999` in Brazil, `0803 123 4567` in Nigeria. Read as E.164 without a
//! country, `11 99999-9999` would become `+11999999999`, a plausible number in another
//! country. So every phone field names its country ([`Phone::parse_in`]): a national
//! number gets that country's code, an international one (`+…`, `00…`) keeps its own,
//! and a number that cannot belong where it is said to be is refused, saying why.

use crate::FieldError;

/// How a country writes its phone numbers: its calling code, the trunk prefix dialled
/// before national numbers (`0` in Brazil), and which national numbers exist.
#[derive(Debug, Clone, Copy)]
pub struct DialPlan {
    /// ISO 3166-1 alpha-2, e.g. `BR`.
    pub country: &'static str,
    /// The calling code without `+`, e.g. `55`.
    pub code: &'static str,
    /// Dialled before a national number within the country, if any.
    pub trunk: Option<&'static str>,
    /// Whether `national` (digits after the calling code) can be a number here; the
    /// error says what such numbers look like.
    pub national: fn(&str) -> Result<(), &'static str>,
    /// The country's name in English, for messages.
    pub name: &'static str,
}

/// Brazilian area codes (DDD) in use.
const BR_DDD: &[u8] = &[
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42, 43, 44, 45, 46, 47, 48,
    49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89,
    91, 92, 93, 94, 95, 96, 97, 98, 99,
];

fn brazil(n: &str) -> Result<(), &'static str> {
    const SHAPE: &str =
        "a Brazilian number is a 2-digit area code (DDD) and 8 digits, or 9 starting with 9 for mobiles";
    let ddd: u8 = n.get(..2).and_then(|d| d.parse().ok()).ok_or(SHAPE)?;
    if !BR_DDD.contains(&ddd) {
        return Err("no Brazilian area code (DDD) starts this number");
    }
    match (n.len(), n.as_bytes().get(2)) {
        (11, Some(b'9')) | (10, Some(b'2'..=b'5')) => Ok(()),
        _ => Err(SHAPE),
    }
}

fn nanp(n: &str) -> Result<(), &'static str> {
    let b = n.as_bytes();
    if n.len() == 10 && (b'2'..=b'9').contains(&b[0]) && (b'2'..=b'9').contains(&b[3]) {
        Ok(())
    } else {
        Err("a North American number is a 3-digit area code and 7 digits, neither part starting with 0 or 1")
    }
}

fn nigeria(n: &str) -> Result<(), &'static str> {
    match n.len() {
        10 if matches!(n.as_bytes()[0], b'7'..=b'9') => Ok(()),
        8 if n.as_bytes()[0] != b'0' => Ok(()),
        _ => {
            Err("a Nigerian number is 10 digits after the 0 (mobiles start 070, 080, 081, 090, 091) or 8 for landlines")
        }
    }
}

fn nine_digits(n: &str) -> Result<(), &'static str> {
    if n.len() == 9 && !n.starts_with('0') { Ok(()) } else { Err("a number here is 9 digits after the leading 0") }
}

fn uk(n: &str) -> Result<(), &'static str> {
    if (9..=10).contains(&n.len()) && !n.starts_with('0') {
        Ok(())
    } else {
        Err("a UK number is 9 or 10 digits after the leading 0")
    }
}

/// The countries whose national formats the desk reads. Numbers elsewhere are typed
/// with their country code.
pub const DIAL_PLANS: &[DialPlan] = &[
    DialPlan { country: "BR", code: "55", trunk: Some("0"), national: brazil, name: "Brazil" },
    DialPlan { country: "NG", code: "234", trunk: Some("0"), national: nigeria, name: "Nigeria" },
    DialPlan { country: "US", code: "1", trunk: Some("1"), national: nanp, name: "the United States" },
    DialPlan { country: "CA", code: "1", trunk: Some("1"), national: nanp, name: "Canada" },
    DialPlan { country: "GB", code: "44", trunk: Some("0"), national: uk, name: "the United Kingdom" },
    DialPlan { country: "GH", code: "233", trunk: Some("0"), national: nine_digits, name: "Ghana" },
    DialPlan { country: "KE", code: "254", trunk: Some("0"), national: nine_digits, name: "Kenya" },
    DialPlan { country: "ZA", code: "27", trunk: Some("0"), national: nine_digits, name: "South Africa" },
];

/// The dial plan of a country (ISO alpha-2, any case).
pub fn dial_plan(country: &str) -> Option<&'static DialPlan> {
    DIAL_PLANS.iter().find(|p| p.country.eq_ignore_ascii_case(country.trim()))
}

/// Whether a number typed in a field must belong to the field's country, or may be
/// any country's when typed with its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Belongs {
    /// The number must be the country's (the wallets platform: the billing country).
    Required,
    /// National numbers are the country's; `+…` may be anywhere (Dinie: customers
    /// are in Brazil, some with a foreign mobile).
    Preferred,
}

/// A phone number in E.164 form (`+5511999999999`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

fn bad(message: impl Into<String>) -> FieldError {
    FieldError::new("phone", "invalid_phone", message)
}

/// Codes of the ways a typed number is wrong (the UI words them in each language).
mod code {
    /// Characters a phone number does not have, or a `+` inside it.
    pub const CHARACTERS: &str = "phone_characters";
    /// Not one of the field's country's numbers (wrong area code or length).
    pub const NOT_NATIONAL: &str = "phone_not_national";
    /// Another country's code where the number must be the field's country's.
    pub const WRONG_COUNTRY: &str = "phone_wrong_country";
    /// Typed without a country code where the desk cannot tell the country.
    pub const NEEDS_CODE: &str = "phone_needs_country_code";
}

fn wrong(code: &str, message: impl Into<String>) -> FieldError {
    FieldError::new("phone", code, message)
}

impl Phone {
    /// Parses a number already in E.164: `+`, a non-zero first digit, 8 to 15 digits.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        let wrong = || bad("phone must be in E.164 format, e.g. +5511999999999");
        let digits = s.strip_prefix('+').ok_or_else(wrong)?;
        if !(8..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) || digits.starts_with('0') {
            return Err(wrong());
        }
        Ok(Self(s.to_owned()))
    }

    /// Reads a number as typed in a field whose country is `country` (ISO alpha-2):
    /// spaces, dots, dashes and parentheses are ignored; `+…` or `00…` is international;
    /// anything else is national, with or without the trunk prefix (`011 99999-9999`,
    /// `11 99999-9999`), and gets the country's code. A number with the country's code
    /// must be one of its numbers; with another code it is refused when `belongs` is
    /// [`Belongs::Required`].
    pub fn parse_in(input: &str, country: &str, belongs: Belongs) -> Result<Self, FieldError> {
        let s = input.trim();
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_digit() || " .-()/+".contains(*c))) {
            return Err(wrong(code::CHARACTERS, format!("a phone number has digits only ({c:?} is not one)")));
        }
        if s.chars().skip(1).any(|c| c == '+') {
            return Err(wrong(code::CHARACTERS, "'+' may only start the number"));
        }
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return Err(bad("type the phone number"));
        }
        let plan = dial_plan(country);
        let international =
            if s.starts_with('+') { Some(digits.clone()) } else { digits.strip_prefix("00").map(str::to_owned) };
        let full = match (international, plan) {
            (Some(d), _) => d,
            (None, None) => {
                return Err(wrong(code::NEEDS_CODE, "type the number with its country code, e.g. +44 20 7946 0000"));
            }
            (None, Some(p)) => {
                let national = p.trunk.and_then(|t| digits.strip_prefix(t)).unwrap_or(&digits);
                match (p.national)(national) {
                    Ok(()) => format!("{}{national}", p.code),
                    // Typed with the country code but no '+' (5511999999999).
                    Err(_) if digits.starts_with(p.code) && (p.national)(&digits[p.code.len()..]).is_ok() => {
                        digits.clone()
                    }
                    Err(why) => {
                        return Err(wrong(code::NOT_NATIONAL, format!("not a phone number in {}: {why}", p.name)));
                    }
                }
            }
        };
        let e164 = Self::parse(&format!("+{full}"))
            .map_err(|_| bad("a phone number has 8 to 15 digits with its country code, which does not start with 0"))?;
        if let Some(p) = plan {
            match full.strip_prefix(p.code) {
                Some(national) => (p.national)(national)
                    .map_err(|why| wrong(code::NOT_NATIONAL, format!("not a phone number in {}: {why}", p.name)))?,
                None if belongs == Belongs::Required => {
                    return Err(wrong(
                        code::WRONG_COUNTRY,
                        format!(
                            "+{} is not the calling code of {} (+{}): the number must be one of its numbers",
                            calling_code(&full).unwrap_or(&full[..full.len().min(3)]),
                            p.name,
                            p.code
                        ),
                    ));
                }
                None => {}
            }
        }
        Ok(e164)
    }

    /// The number as `+` and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as people read it: `+55 11 99999-9999` for Brazil, `+234 803 123
    /// 4567` for Nigeria, the calling code apart for the rest.
    pub fn formatted(&self) -> String {
        let d = &self.0[1..];
        if let Some(n) = d.strip_prefix("55").filter(|n| brazil(n).is_ok()) {
            let (ddd, sub) = n.split_at(2);
            let cut = sub.len() - 4;
            return format!("+55 {ddd} {}-{}", &sub[..cut], &sub[cut..]);
        }
        if let Some(n) = d.strip_prefix("234").filter(|n| n.len() == 10) {
            return format!("+234 {} {} {}", &n[..3], &n[3..6], &n[6..]);
        }
        if let Some(n) = d.strip_prefix('1').filter(|n| nanp(n).is_ok()) {
            return format!("+1 {} {}-{}", &n[..3], &n[3..6], &n[6..]);
        }
        match calling_code(d) {
            Some(code) => format!("+{code} {}", &d[code.len()..]),
            None => self.0.clone(),
        }
    }
}

/// The calling code a number starts with, among the dial plans the desk knows.
fn calling_code(digits: &str) -> Option<&'static str> {
    DIAL_PLANS.iter().map(|p| p.code).find(|c| digits.starts_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn br(s: &str) -> Result<String, String> {
        Phone::parse_in(s, "BR", Belongs::Preferred).map(|p| p.as_str().to_owned()).map_err(|e| e.message)
    }

    #[test]
    fn brazilian_numbers_as_brazilians_write_them() {
        for typed in [
            "11 99999-9999",
            "(11) 99999-9999",
            "11999999999",
            "011 99999-9999",
            "+55 11 99999-9999",
            "+5511999999999",
            "5511999999999",
            "0055 11 99999-9999",
        ] {
            assert_eq!(br(typed).as_deref(), Ok("+5511999999999"), "{typed}");
        }
        assert_eq!(br("(21) 3456-7890").as_deref(), Ok("+552134567890"), "a landline");
    }

    #[test]
    fn a_number_that_cannot_be_brazilian_says_why() {
        // The bug this fixes: read as E.164 it was +11999999999, a number in the US.
        assert_ne!(br("11 99999-9999").as_deref(), Ok("+11999999999"));
        for (typed, says) in [
            ("11 9999-999", "2-digit area code"),
            ("10 99999-9999", "area code"),
            ("11 89999-9999", "starting with 9"),
            ("+55 11 1234", "Brazil"),
            ("11 9999a-9999", "digits only"),
            ("11+99999", "'+'"),
        ] {
            let e = br(typed).unwrap_err();
            assert!(e.contains(says), "{typed}: {e}");
        }
        for (typed, code) in [("11 9999-999", "phone_not_national"), ("11 9a", "phone_characters")] {
            assert_eq!(Phone::parse_in(typed, "BR", Belongs::Preferred).unwrap_err().code, code);
        }
    }

    #[test]
    fn foreign_numbers_are_kept_where_allowed_and_refused_where_they_must_belong() {
        assert_eq!(br("+1 415 555 2671").as_deref(), Ok("+14155552671"));
        let e = Phone::parse_in("+1 415 555 2671", "NG", Belongs::Required).unwrap_err();
        assert!(e.message.contains("+1 is not the calling code of Nigeria (+234)"), "{}", e.message);
        let ng = Phone::parse_in("0803 123 4567", "NG", Belongs::Required).unwrap();
        assert_eq!((ng.as_str(), ng.formatted().as_str()), ("+2348031234567", "+234 803 123 4567"));
        assert_eq!(Phone::parse_in("(415) 555-2671", "US", Belongs::Required).unwrap().as_str(), "+14155552671");
        assert!(
            Phone::parse_in("0803 123 4567", "FR", Belongs::Preferred).unwrap_err().message.contains("country code")
        );
    }

    #[test]
    fn formatted_for_reading() {
        assert_eq!(Phone::parse("+5511999999999").unwrap().formatted(), "+55 11 99999-9999");
        assert_eq!(Phone::parse("+552134567890").unwrap().formatted(), "+55 21 3456-7890");
        assert_eq!(Phone::parse("+14155552671").unwrap().formatted(), "+1 415 555-2671");
        assert_eq!(Phone::parse("+447911123456").unwrap().formatted(), "+44 7911123456");
    }

    #[test]
    fn phone_is_e164() {
        assert!(Phone::parse("+5511999999999").is_ok());
        for bad in ["5511999999999", "+0511999999", "+55 11 99999-9999", "+55", "+5511999999999999"] {
            assert_eq!(Phone::parse(bad).unwrap_err().field, "phone", "{bad}");
        }
    }
}
