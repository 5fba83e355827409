//! Forms as data: each provider declares its registration and correction forms (the
//! fields, their kinds, what is required, limits, help), the UI draws them from that,
//! and the values typed are checked here, one rule in one place, every error named so
//! a form can show them all at once.

use crate::{Belongs, Email, FieldError, IdKind, Phone};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// What a field holds, and so how it is drawn and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum FieldKind {
    /// Free text.
    Text,
    /// An e-mail address.
    Email,
    /// A phone, read in a country's national format when typed without `+`.
    #[serde(rename_all = "camelCase")]
    Phone {
        /// The country (ISO 3166-1 alpha-2) a number typed without `+` belongs to.
        country: Option<String>,
        /// Or: the key of the form's field holding that country.
        country_field: Option<String>,
        /// The number must be that country's (a billing country's), not just read in it.
        must_belong: bool,
    },
    /// A name: letters (any script), spaces, hyphens and apostrophes only.
    Name,
    /// The customer's consent, confirmed by staff: checked (`yes`) or not.
    Consent,
    /// An identity document's number of a kind (`cpf`, `passport`, …).
    Identifier {
        /// The kind's name.
        kind: String,
        /// The mask it is typed in (`000.000.000-00`, `0` a digit), if the kind has one.
        mask: Option<String>,
    },
    /// A date, `YYYY-MM-DD`.
    #[serde(rename_all = "camelCase")]
    Date {
        /// The youngest age allowed, for a date of birth.
        min_age: Option<u8>,
    },
    /// A country, ISO 3166-1 alpha-2.
    Country,
    /// One of a few values.
    Choice {
        /// The values, each shown through the translation key `choice.<value>`.
        options: Vec<String>,
    },
    /// A file: PDF, JPEG or PNG, at most 10 MB. Its value in a form is the id of the
    /// file as the desk holds it (attached, checked, not yet sent).
    File,
    /// A telephone country code: `+` and 1 to 4 digits (`+234`).
    DialCode,
    /// A public `https://` address.
    Url,
    /// A local telephone number without its country code: digits, spaces, dots and
    /// dashes allowed as typed, kept as digits.
    LocalNumber,
    /// An amount of money in `currency`, a decimal with at most 2 places, between
    /// `min` and `max` (decimal strings) when given. Never read through a float.
    Amount {
        /// ISO 4217.
        currency: String,
        /// The least allowed.
        min: Option<String>,
        /// The most allowed.
        max: Option<String>,
    },
}

/// A condition on another field of the form: its value is one of `any_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Condition {
    /// The other field's key.
    pub field: String,
    /// The values (compared ignoring case) that make it true.
    pub any_of: Vec<String>,
}

impl Condition {
    /// Whether `values` meet it.
    pub fn holds(&self, values: &FormValues) -> bool {
        values.get(&self.field).is_some_and(|v| self.any_of.iter().any(|a| a.eq_ignore_ascii_case(v)))
    }
}

/// The host of an `https://` address, if `value` is one (no spaces, a dotted host).
fn url_host(value: &str) -> Option<&str> {
    let rest = value.trim().strip_prefix("https://")?;
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let name = host.split(':').next()?;
    let ok = name.contains('.')
        && !name.starts_with('.')
        && !name.ends_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !rest.chars().any(char::is_whitespace);
    ok.then_some(name)
}

/// An amount as hundredths (`"10.5"` → 1050), if it is a decimal with at most two
/// places; no float on the way.
pub fn hundredths(s: &str) -> Option<i128> {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || whole.len() > 30 || frac.len() > 2 || (digits.contains('.') && frac.is_empty()) {
        return None;
    }
    if !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v = whole.parse::<i128>().ok()? * 100 + format!("{frac:0<2}").parse::<i128>().ok()?;
    Some(if neg { -v } else { v })
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldSpec {
    /// The field's key: in values, drafts and errors (`cpf`, `given_name`, …).
    pub key: String,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether the form cannot go without it.
    pub required: bool,
    /// Fewest characters, when not empty.
    pub min_len: Option<u32>,
    /// Most characters.
    pub max_len: Option<u32>,
    /// The translation key of its label (`field.<key>` unless said otherwise).
    pub label: String,
    /// The translation key of a line of help under it, if any.
    pub help: Option<String>,
    /// Required only when this holds (e.g. the back of an ID for some document types).
    pub required_if: Option<Condition>,
    /// Not used (not shown, not checked, not sent) when any of these holds.
    pub hidden_if: Vec<Condition>,
    /// Used only when this holds.
    pub shown_if: Option<Condition>,
}

impl FieldKind {
    /// An identifier of `kind`, with the kind's input mask.
    pub fn identifier(kind: &IdKind) -> Self {
        Self::Identifier { kind: kind.as_str().into(), mask: kind.input_mask().map(Into::into) }
    }
}

impl FieldSpec {
    /// A field of `kind`, optional, labelled `field.<key>`.
    pub fn new(key: &str, kind: FieldKind) -> Self {
        Self {
            key: key.into(),
            kind,
            required: false,
            min_len: None,
            max_len: None,
            label: format!("field.{key}"),
            help: None,
            required_if: None,
            hidden_if: Vec::new(),
            shown_if: None,
        }
    }

    /// Required when `field` is one of `any_of`.
    pub fn required_if(mut self, field: &str, any_of: &[&str]) -> Self {
        self.required_if =
            Some(Condition { field: field.into(), any_of: any_of.iter().map(|v| (*v).into()).collect() });
        self
    }

    /// Not used when `field` is one of `any_of` (one more condition that hides it).
    pub fn hidden_if(mut self, field: &str, any_of: &[&str]) -> Self {
        self.hidden_if.push(Condition { field: field.into(), any_of: any_of.iter().map(|v| (*v).into()).collect() });
        self
    }

    /// Used only when `field` is one of `any_of`.
    pub fn shown_if(mut self, field: &str, any_of: &[&str]) -> Self {
        self.shown_if = Some(Condition { field: field.into(), any_of: any_of.iter().map(|v| (*v).into()).collect() });
        self
    }

    /// Whether the field is used with these values.
    pub fn in_use(&self, values: &FormValues) -> bool {
        self.shown_if.as_ref().is_none_or(|c| c.holds(values)) && !self.hidden_if.iter().any(|c| c.holds(values))
    }

    /// Whether the field must be filled with these values.
    pub fn is_required(&self, values: &FormValues) -> bool {
        self.in_use(values) && (self.required || self.required_if.as_ref().is_some_and(|c| c.holds(values)))
    }

    /// Required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// At most `max` characters.
    pub fn max(mut self, max: u32) -> Self {
        self.max_len = Some(max);
        self
    }

    /// At least `min` characters.
    pub fn min(mut self, min: u32) -> Self {
        self.min_len = Some(min);
        self
    }

    /// With a line of help (a translation key).
    pub fn help(mut self, key: &str) -> Self {
        self.help = Some(key.into());
        self
    }
}

/// A form: its fields in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FormSpec {
    /// `register` or `correct`.
    pub id: String,
    /// The fields, in the order they are shown.
    pub fields: Vec<FieldSpec>,
    /// A correction: only what was filled in is sent, and nothing filled is an error.
    pub partial: bool,
}

/// What was typed into a form, by field key. Empty values are kept (a draft), and a
/// `null` from an older draft or outbox entry reads as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export, type = "Record<string, string>")]
pub struct FormValues(pub BTreeMap<String, String>);

impl<'de> Deserialize<'de> for FormValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, Option<String>>::deserialize(d)?;
        Ok(Self(raw.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect()))
    }
}

impl FormValues {
    /// From pairs.
    pub fn of<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self(pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
    }

    /// The trimmed value of `key`, `None` when absent or blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

/// A date `YYYY-MM-DD`.
fn parse_date(field: &str, value: &str) -> Result<time::Date, FieldError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, format)
        .map_err(|_| FieldError::new(field, "invalid_date", format!("{field} must be a date as YYYY-MM-DD")))
}

fn years_between(born: time::Date, today: time::Date) -> i32 {
    let mut age = today.year() - born.year();
    if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    age
}

impl FormSpec {
    /// The field of `key`.
    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The country a phone field reads national numbers in, given the other values.
    fn phone_country<'a>(&'a self, kind: &'a FieldKind, values: &'a FormValues) -> Option<&'a str> {
        match kind {
            FieldKind::Phone { country: Some(c), .. } => Some(c),
            FieldKind::Phone { country_field: Some(f), .. } => values.get(f),
            _ => None,
        }
    }

    /// Checks one field's value as typed; the form it is sent in when valid.
    fn check(&self, f: &FieldSpec, value: &str, values: &FormValues, today: time::Date) -> Result<String, FieldError> {
        let key = f.key.as_str();
        let len = value.chars().count();
        if let Some(max) = f.max_len
            && len > max as usize
        {
            return Err(FieldError::new(key, "too_long", format!("{key} must be at most {max} characters")));
        }
        if let Some(min) = f.min_len
            && len < min as usize
        {
            return Err(FieldError::new(key, "too_short", format!("{key} must be at least {min} characters")));
        }
        match &f.kind {
            FieldKind::Text | FieldKind::File => Ok(value.to_owned()),
            FieldKind::Email => Email::parse(value).map(|e| e.as_str().to_owned()).map_err(|mut e| {
                e.field = key.to_owned();
                e
            }),
            FieldKind::Phone { .. } => {
                let belongs = if matches!(f.kind, FieldKind::Phone { must_belong: true, .. }) {
                    Belongs::Required
                } else {
                    Belongs::Preferred
                };
                let parsed = match self.phone_country(&f.kind, values) {
                    Some(country) => Phone::parse_in(value, country, belongs),
                    None => Phone::parse(value),
                };
                parsed.map(|p| p.as_str().to_owned()).map_err(|mut e| {
                    e.field = key.to_owned();
                    e
                })
            }
            FieldKind::Identifier { kind, .. } => IdKind::parse(kind).validate(key, value),
            FieldKind::Date { min_age } => {
                let d = parse_date(key, value)?;
                if d > today {
                    return Err(FieldError::new(key, "in_future", format!("{key} cannot be in the future")));
                }
                if let Some(min) = min_age
                    && years_between(d, today) < i32::from(*min)
                {
                    let age = years_between(d, today);
                    return Err(FieldError::new(
                        key,
                        "too_young",
                        format!("the customer is {age}; they must be {min} or older"),
                    ));
                }
                Ok(value.to_owned())
            }
            FieldKind::Country => {
                let upper = value.to_ascii_uppercase();
                if upper.len() == 2 && upper.chars().all(|c| c.is_ascii_uppercase()) {
                    Ok(upper)
                } else {
                    Err(FieldError::new(key, "invalid_country", format!("{key} must be a two-letter country code")))
                }
            }
            FieldKind::Name => {
                if value.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '’') {
                    Ok(value.trim().to_owned())
                } else {
                    Err(FieldError::new(
                        key,
                        "invalid_name",
                        format!("{key} may have letters, spaces, hyphens and apostrophes only"),
                    ))
                }
            }
            FieldKind::Consent => {
                if value == "yes" {
                    Ok(value.to_owned())
                } else {
                    Err(FieldError::new(key, "consent_required", format!("{key}: the customer's consent is required")))
                }
            }
            FieldKind::Url => match url_host(value) {
                Some(_) => Ok(value.trim().to_owned()),
                None => Err(FieldError::new(key, "invalid_url", format!("{key} must be a public https:// address"))),
            },
            FieldKind::DialCode => {
                let digits = value.trim().strip_prefix('+').unwrap_or("");
                if (1..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(format!("+{digits}"))
                } else {
                    Err(FieldError::new(
                        key,
                        "invalid_dial_code",
                        format!("{key} must be + and the country's code, e.g. +234"),
                    ))
                }
            }
            FieldKind::LocalNumber => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                let allowed = value.chars().all(|c| c.is_ascii_digit() || " .-()".contains(c));
                if !allowed || digits.is_empty() {
                    return Err(FieldError::new(
                        key,
                        "invalid_local_number",
                        format!("{key} must be digits, without the country code"),
                    ));
                }
                if let Some(min) = f.min_len
                    && digits.len() < min as usize
                {
                    return Err(FieldError::new(key, "too_short", format!("{key} must be at least {min} digits")));
                }
                Ok(digits)
            }
            FieldKind::Amount { min, max, .. } => {
                let v = hundredths(value).ok_or_else(|| {
                    FieldError::new(key, "invalid_amount", format!("{key} must be an amount such as 25 or 25.50"))
                })?;
                if let Some(m) = min.as_deref().and_then(hundredths)
                    && v < m
                {
                    return Err(FieldError::new(
                        key,
                        "too_small",
                        format!("{key} must be at least {}", min.as_deref().unwrap_or_default()),
                    ));
                }
                if let Some(m) = max.as_deref().and_then(hundredths)
                    && v > m
                {
                    return Err(FieldError::new(
                        key,
                        "too_large",
                        format!("{key} must be at most {}", max.as_deref().unwrap_or_default()),
                    ));
                }
                Ok(value.trim().to_owned())
            }
            FieldKind::Choice { options } => match options.iter().find(|o| o.eq_ignore_ascii_case(value)) {
                Some(o) => Ok(o.clone()),
                None => {
                    Err(FieldError::new(key, "invalid_choice", format!("{key} must be one of {}", options.join(", "))))
                }
            },
        }
    }

    /// Every problem with `values`, in field order; empty when the form can be sent.
    /// In a partial form (a correction) a field present but blank clears it, which an
    /// optional field allows and a required one refuses.
    /// `today` is the date ages are counted at.
    pub fn validate(&self, values: &FormValues, today: time::Date) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut filled = 0;
        for f in self.fields.iter().filter(|f| f.in_use(values)) {
            let present = values.0.contains_key(&f.key);
            match values.get(&f.key) {
                None if f.is_required(values) && (!self.partial || present) => {
                    let why = match &f.required_if {
                        Some(c) if !f.required => format!(" for {}", values.get(&c.field).unwrap_or_default()),
                        _ => String::new(),
                    };
                    errors.push(FieldError::new(&f.key, "required", format!("{} is required{why}", f.key)))
                }
                None if self.partial && present => filled += 1,
                None => {}
                Some(v) => {
                    filled += 1;
                    if let Err(e) = self.check(f, v, values, today) {
                        errors.push(e);
                    }
                }
            }
        }
        if self.partial && filled == 0 && errors.is_empty() {
            errors.push(FieldError::new("correction", "empty", "nothing to correct"));
        }
        errors
    }

    /// The values as the provider takes them: each in its kept form (phones in E.164,
    /// `11 99999-9999` → `+5511999999999`; identifiers as digits), keys not in the form
    /// dropped; blanks dropped, except in a partial form, where a blank clears its
    /// field and is kept as `""`. Call after [`FormSpec::validate`] found nothing.
    pub fn normalized(&self, values: &FormValues, today: time::Date) -> FormValues {
        let mut out = BTreeMap::new();
        for f in self.fields.iter().filter(|f| f.in_use(values)) {
            match values.get(&f.key) {
                Some(v) => {
                    let kept = self.check(f, v, values, today).unwrap_or_else(|_| v.to_owned());
                    out.insert(f.key.clone(), kept);
                }
                None if self.partial && values.0.contains_key(&f.key) => {
                    out.insert(f.key.clone(), String::new());
                }
                None => {}
            }
        }
        FormValues(out)
    }

    /// The age today of each date-of-birth field (a date with a youngest age) typed as
    /// a valid past date, by field.
    pub fn ages(&self, values: &FormValues, today: time::Date) -> BTreeMap<String, u32> {
        self.fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Date { min_age: Some(_) }))
            .filter_map(|f| {
                let d = parse_date(&f.key, values.get(&f.key)?).ok().filter(|d| *d <= today)?;
                Some((f.key.clone(), u32::try_from(years_between(d, today)).ok()?))
            })
            .collect()
    }

    /// A phone as typed into the field `key`, read in its country: formatted for
    /// reading (`+55 11 99999-9999`), or `None` when it is not a number there.
    pub fn read_phone(&self, key: &str, values: &FormValues) -> Option<String> {
        let f = self.field(key)?;
        let typed = values.get(key)?;
        let parsed = match self.phone_country(&f.kind, values) {
            Some(country) => Phone::parse_in(typed, country, Belongs::Preferred),
            None => Phone::parse(typed),
        };
        parsed.ok().map(|p| p.formatted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: time::Date = date!(2026 - 11 - 24);

    fn register() -> FormSpec {
        FormSpec {
            id: "register".into(),
            partial: false,
            fields: vec![
                FieldSpec::new("cpf", FieldKind::identifier(&IdKind::Cpf)).required(),
                FieldSpec::new("cnpj", FieldKind::identifier(&IdKind::Cnpj)),
                FieldSpec::new("name", FieldKind::Text).required().min(3).max(200),
                FieldSpec::new("email", FieldKind::Email).required(),
                FieldSpec::new(
                    "phone",
                    FieldKind::Phone { country: Some("BR".into()), country_field: None, must_belong: false },
                )
                .required(),
                FieldSpec::new("birth", FieldKind::Date { min_age: Some(18) }),
                FieldSpec::new("country", FieldKind::Country),
                FieldSpec::new("doc", FieldKind::Choice { options: vec!["NIN".into(), "PASSPORT".into()] }),
            ],
        }
    }

    #[test]
    fn a_form_reports_every_bad_field_at_once() {
        let v = FormValues::of([
            ("cpf", "123.456.789-00"),
            ("cnpj", "11.111.111/1111-11"),
            ("email", "x@"),
            ("phone", "1199"),
            ("birth", "2010-01-01"),
            ("country", "Brazil"),
            ("doc", "licence"),
        ]);
        let fields: Vec<(String, String)> =
            register().validate(&v, TODAY).into_iter().map(|e| (e.field, e.code)).collect();
        let expected = [
            ("cpf", "invalid_cpf"),
            ("cnpj", "invalid_cnpj"),
            ("name", "required"),
            ("email", "invalid_email"),
            ("phone", "phone_not_national"),
            ("birth", "too_young"),
            ("country", "invalid_country"),
            ("doc", "invalid_choice"),
        ];
        assert_eq!(fields, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
        let short = register().validate(&FormValues::of([("name", "Jo")]), TODAY);
        assert!(short.iter().any(|e| (e.field.as_str(), e.code.as_str()) == ("name", "too_short")), "{short:?}");
    }

    #[test]
    fn values_are_sent_as_the_provider_takes_them() {
        // As Brazilians write it: valid, and sent as E.164 with Brazil's code.
        let v = FormValues::of([
            ("cpf", "123.456.789-09"),
            ("name", "Joao"),
            ("email", "j@example.com"),
            ("phone", "(11) 99999-9999"),
            ("country", "br"),
            ("doc", "passport"),
            ("stray", "x"),
        ]);
        let spec = register();
        assert!(spec.validate(&v, TODAY).is_empty());
        let n = spec.normalized(&v, TODAY);
        assert_eq!(n.get("phone"), Some("+5511999999999"));
        assert_eq!(n.get("cpf"), Some("12345678909"));
        assert_eq!(n.get("country"), Some("BR"));
        assert_eq!(n.get("doc"), Some("PASSPORT"));
        assert_eq!(n.get("stray"), None);
        assert_eq!(spec.read_phone("phone", &v).as_deref(), Some("+55 11 99999-9999"));
    }

    #[test]
    fn a_phone_can_take_its_country_from_another_field() {
        let spec = FormSpec {
            id: "register".into(),
            partial: false,
            fields: vec![
                FieldSpec::new("country", FieldKind::Country).required(),
                FieldSpec::new(
                    "phone",
                    FieldKind::Phone { country: None, country_field: Some("country".into()), must_belong: true },
                )
                .required(),
            ],
        };
        let ng = FormValues::of([("country", "NG"), ("phone", "0803 123 4567")]);
        assert!(spec.validate(&ng, TODAY).is_empty(), "{:?}", spec.validate(&ng, TODAY));
        assert_eq!(spec.normalized(&ng, TODAY).get("phone"), Some("+2348031234567"));
        // The billing country's number, not another's.
        let gh_number = FormValues::of([("country", "NG"), ("phone", "+233 24 123 4567")]);
        assert_eq!(spec.validate(&gh_number, TODAY)[0].field, "phone");
    }

    #[test]
    fn a_correction_checks_only_what_it_changes() {
        let spec = FormSpec { partial: true, id: "correct".into(), ..register() };
        assert!(spec.validate(&FormValues::of([("email", "ok@example.com")]), TODAY).is_empty());
        assert_eq!(spec.validate(&FormValues::of([("phone", "9")]), TODAY)[0].field, "phone");
        assert_eq!(spec.validate(&FormValues::default(), TODAY)[0].code, "empty");
        assert_eq!(spec.validate(&FormValues::of([("name", " ")]), TODAY)[0].code, "required");
        // Clearing an optional field is a correction of its own, sent as "".
        let clear = FormValues::of([("cnpj", " ")]);
        assert!(spec.validate(&clear, TODAY).is_empty());
        assert_eq!(spec.normalized(&clear, TODAY), FormValues::of([("cnpj", "")]));
    }

    #[test]
    fn conditions_require_or_drop_a_field_by_another_ones_value() {
        let spec = FormSpec {
            id: "register".into(),
            partial: false,
            fields: vec![
                FieldSpec::new(
                    "type",
                    FieldKind::Choice { options: vec!["NIN".into(), "PASSPORT".into(), "VOTERS_CARD".into()] },
                )
                .required(),
                FieldSpec::new("back", FieldKind::File).required_if("type", &["NIN"]).hidden_if("type", &["PASSPORT"]),
            ],
        };
        let e = spec.validate(&FormValues::of([("type", "NIN")]), TODAY);
        assert_eq!((e[0].field.as_str(), e[0].message.as_str()), ("back", "back is required for NIN"));
        assert!(spec.validate(&FormValues::of([("type", "VOTERS_CARD")]), TODAY).is_empty(), "optional there");
        let passport = FormValues::of([("type", "PASSPORT"), ("back", "file-1")]);
        assert!(spec.validate(&passport, TODAY).is_empty());
        assert_eq!(spec.normalized(&passport, TODAY).get("back"), None, "not used for a passport: not sent");
    }

    #[test]
    fn dial_codes_local_numbers_and_amounts() {
        let spec = FormSpec {
            id: "x".into(),
            partial: false,
            fields: vec![
                FieldSpec::new("code", FieldKind::DialCode),
                FieldSpec::new("local", FieldKind::LocalNumber).min(3),
                FieldSpec::new(
                    "amount",
                    FieldKind::Amount { currency: "USD".into(), min: Some("0".into()), max: Some("10000".into()) },
                ),
            ],
        };
        let ok = FormValues::of([("code", "+234"), ("local", "803-123 4567"), ("amount", "25.5")]);
        assert!(spec.validate(&ok, TODAY).is_empty());
        let n = spec.normalized(&ok, TODAY);
        assert_eq!((n.get("code"), n.get("local"), n.get("amount")), (Some("+234"), Some("8031234567"), Some("25.5")));
        let bad = FormValues::of([("code", "234"), ("local", "12"), ("amount", "10000.01")]);
        let codes: Vec<String> = spec.validate(&bad, TODAY).into_iter().map(|e| e.code).collect();
        assert_eq!(codes, ["invalid_dial_code", "too_short", "too_large"]);
        for bad in ["-1", "1.234", "1e3", "abc", "1."] {
            let e = spec.validate(&FormValues::of([("amount", bad)]), TODAY);
            assert_eq!(e.len(), 1, "{bad}");
        }
        assert_eq!(hundredths("12.3"), Some(1230));
        assert_eq!(hundredths("0.05"), Some(5));
    }

    #[test]
    fn addresses_are_public_https_ones() {
        for ok in ["https://cdn.example.com/id/front.png", "https://a.b.co/x?y=1"] {
            assert!(url_host(ok).is_some(), "{ok}");
        }
        for bad in
            ["http://cdn.example.com/a.png", "https://localhost/a", "ftp://x.y/z", "https://a b.com/", "https://.com/"]
        {
            assert!(url_host(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_field_can_be_shown_only_for_a_value_of_another() {
        let spec = FormSpec {
            id: "x".into(),
            partial: false,
            fields: vec![
                FieldSpec::new("how", FieldKind::Choice { options: vec!["FILES".into(), "URLS".into()] }),
                FieldSpec::new("file", FieldKind::File).required().hidden_if("how", &["URLS"]),
                FieldSpec::new("url", FieldKind::Url).required().shown_if("how", &["URLS"]),
            ],
        };
        assert_eq!(spec.validate(&FormValues::default(), TODAY)[0].field, "file", "files by default");
        let by_url = FormValues::of([("how", "URLS"), ("file", "f-1")]);
        assert_eq!(spec.validate(&by_url, TODAY)[0].field, "url");
        assert_eq!(spec.normalized(&by_url, TODAY).get("file"), None, "a hidden file is not sent");
    }

    #[test]
    fn names_and_consent() {
        let spec = FormSpec {
            id: "x".into(),
            partial: false,
            fields: vec![
                FieldSpec::new("first_name", FieldKind::Name).required().max(100),
                FieldSpec::new("consent", FieldKind::Consent).required(),
            ],
        };
        assert!(
            spec.validate(&FormValues::of([("first_name", "Ngozi-O’Neil Émilie"), ("consent", "yes")]), TODAY)
                .is_empty()
        );
        let e = spec.validate(&FormValues::of([("first_name", "R2D2"), ("consent", "no")]), TODAY);
        let codes: Vec<&str> = e.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["invalid_name", "consent_required"]);
    }

    #[test]
    fn an_under_age_date_says_the_age() {
        let e = register().validate(&FormValues::of([("birth", "2010-01-01")]), TODAY);
        let young = e.iter().find(|e| e.field == "birth").unwrap();
        assert_eq!(young.message, "the customer is 16; they must be 18 or older");
    }

    #[test]
    fn nulls_from_older_drafts_read_as_absent() {
        let v: FormValues = serde_json::from_str(r#"{"name":null,"email":"a@b.co"}"#).unwrap();
        assert_eq!(v, FormValues::of([("email", "a@b.co")]));
    }
}
