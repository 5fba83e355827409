//! The Cartevo connector: [`cartevo_api`] behind the [`Provider`] port, wire → model.
//!
//! Cartevo registers a customer in one multipart call with the ID document files, runs
//! KYC on its own (`PENDING` → `APPROVED` | `REJECTED`), lists customers as summaries
//! (no KYC status) by page and limit, and issues cards to approved customers. It has no
//! correction, no resubmission, no checklist and no rejection reason: the spec says so,
//! and the desk offers none of them.

use crate::provider::{Created, FormFile, HostedDocument, Progress};
use crate::{CoreError, Page, Provider};
use cartevo_api::{Client, Config, DocumentFile, NewCard, NewCustomer};
use futures::FutureExt;
use futures::future::BoxFuture;
use kyc_model::{
    Address, Capabilities, Customer, FieldKind, FieldSpec, FormSpec, FormValues, IdKind, Identifier, Money, Party,
    Product, ProductAction, ProductSpec, ProviderSpec, Stage,
};
use std::sync::Arc;
use time::OffsetDateTime;

/// Cartevo's API (one host: pre-production or production is decided by the keys).
pub const PRODUCTION_URL: &str = cartevo_api::PRODUCTION_URL;

/// How the ID's images go: as files (the default), or as the addresses where they are
/// already hosted.
pub const FILES: &str = "FILES";
/// See [`FILES`].
pub const URLS: &str = "URLS";

/// The document types whose back is required (CONTRACT-cartevo.md; optional for a
/// voter's card is ours, unused for a passport is Cartevo's).
const BACK_REQUIRED: [&str; 2] = ["DRIVERS_LICENSE", "NIN"];

/// The ID document types Cartevo takes.
pub const DOCUMENT_TYPES: [&str; 4] = ["NIN", "PASSPORT", "VOTERS_CARD", "DRIVERS_LICENSE"];

/// Cartevo as a [`Provider`].
#[derive(Debug, Clone)]
pub struct CartevoProvider {
    client: Client,
    spec: ProviderSpec,
}

/// How to reach Cartevo: one URL, client id and key, and a sandbox built into the app.
pub fn connector() -> crate::connection::ConnectorInfo {
    use crate::connection::{ConnectorInfo, Environment};
    ConnectorInfo {
        id: "cartevo".into(),
        name: "Cartevo".into(),
        environments: vec![Environment { key: "production".into(), base_url: PRODUCTION_URL.into() }],
        auth_methods: vec!["clientCredentials".into()],
        builtin_sandbox: true,
    }
}

/// Cartevo at `base_url` as a [`Provider`].
pub fn connect(base_url: &str, c: &crate::connection::Credentials) -> Result<Arc<dyn Provider>, CoreError> {
    use crate::connection::AuthMethod;
    let AuthMethod::ClientCredentials { client_id } = &c.auth else {
        return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
            "auth",
            "unsupported",
            "Cartevo takes a client id and client key",
        )]));
    };
    let mut cfg = Config::new(base_url, client_id.clone(), c.secret.clone());
    cfg.user_agent = format!("KYCDesk/{}", env!("CARGO_PKG_VERSION"));
    Ok(Arc::new(CartevoProvider::new(Client::new(cfg)?)))
}

/// The built-in sandbox's credentials (they open a local demo, not a secret).
pub fn builtin_sandbox_credentials() -> crate::connection::Credentials {
    crate::connection::AuthMethod::ClientCredentials { client_id: "client_sandbox".into() }.with_secret("sandbox-key")
}

/// The issue-card form (CONTRACT-cartevo.md: VISA or MASTERCARD, name on card at most
/// 50 characters, amount ≥ 0 USD, cards at most 10,000 USD).
fn card_form() -> FormSpec {
    FormSpec {
        id: "create_card".into(),
        partial: false,
        fields: vec![
            FieldSpec::new("brand", FieldKind::Choice { options: vec!["VISA".into(), "MASTERCARD".into()] }).required(),
            FieldSpec::new("name_on_card", FieldKind::Text).required().max(50).help("help.name_on_card"),
            FieldSpec::new(
                "amount",
                FieldKind::Amount { currency: "USD".into(), min: Some("0".into()), max: Some("10000".into()) },
            )
            .required()
            .help("help.card_amount"),
        ],
    }
}

/// What Cartevo can do, and its forms (the seed's table, field for field: the keys
/// are Cartevo's, so its errors land on the fields they name).
pub fn spec() -> ProviderSpec {
    let text = |key: &str, min: u32| FieldSpec::new(key, FieldKind::Text).required().min(min).max(255);
    ProviderSpec {
        id: "cartevo".into(),
        name: "Cartevo".into(),
        capabilities: Capabilities {
            register: true,
            correct: false,
            upload: false,
            biometrics: false,
            checklist: false,
            webhooks: false,
            hosted_documents: true,
        },
        register: FormSpec {
            id: "register".into(),
            partial: false,
            fields: vec![
                text("first_name", 3),
                text("last_name", 3),
                FieldSpec::new("email", FieldKind::Email).required(),
                FieldSpec::new("date_of_birth", FieldKind::Date { min_age: Some(18) }).required(),
                FieldSpec::new("country_phone_code", FieldKind::DialCode).required().help("help.dial_code"),
                FieldSpec::new("phone_number", FieldKind::LocalNumber).required().min(3).max(255),
                text("street", 2),
                text("city", 2),
                text("state", 2),
                text("postal_code", 3),
                text("country", 2).help("help.country_name"),
                FieldSpec::new("country_iso_code", FieldKind::Country).required(),
                FieldSpec::new(
                    "id_document_type",
                    FieldKind::Choice { options: DOCUMENT_TYPES.map(Into::into).to_vec() },
                )
                .required(),
                text("identification_number", 1),
                // The files (`POST /customers`), or where they are already hosted
                // (`POST /customers/enroll`).
                FieldSpec::new("document_source", FieldKind::Choice { options: vec![FILES.into(), URLS.into()] })
                    .help("help.document_source"),
                FieldSpec::new("id_document_front", FieldKind::File).required().hidden_if("document_source", &[URLS]),
                FieldSpec::new("id_document_back", FieldKind::File)
                    .required_if("id_document_type", &BACK_REQUIRED)
                    .hidden_if("id_document_type", &["PASSPORT"])
                    .hidden_if("document_source", &[URLS])
                    .help("help.id_document_back"),
                FieldSpec::new("id_document_front_url", FieldKind::Url).required().shown_if("document_source", &[URLS]),
                FieldSpec::new("id_document_back_url", FieldKind::Url)
                    .required_if("id_document_type", &BACK_REQUIRED)
                    .hidden_if("id_document_type", &["PASSPORT"])
                    .shown_if("document_source", &[URLS])
                    .help("help.id_document_back"),
            ],
        },
        correct: None,
        products: vec![ProductSpec {
            kind: "card".into(),
            actions: vec![
                ProductAction { name: "freeze".into(), from: vec!["ACTIVE".into()], needs_reason: false },
                ProductAction { name: "unfreeze".into(), from: vec!["FROZEN".into()], needs_reason: false },
            ],
            create: Some(card_form()),
            create_at: Some(Stage::Approved.as_str().into()),
        }],
        identity_check: None,
    }
}

/// Where a KYC status sits in the neutral lifecycle. Documents go in with the
/// registration, so `PENDING` is Cartevo reviewing them; a missing status is unknown.
pub fn stage(kyc_status: &str) -> Stage {
    match kyc_status.to_ascii_uppercase().as_str() {
        "PENDING" => Stage::InReview,
        "APPROVED" => Stage::Approved,
        "REJECTED" => Stage::Rejected,
        _ => Stage::Unknown,
    }
}

fn id_kind(document_type: &str) -> IdKind {
    match document_type.to_ascii_uppercase().as_str() {
        "NIN" => IdKind::Nin,
        "PASSPORT" => IdKind::Passport,
        "VOTERS_CARD" => IdKind::VotersCard,
        "DRIVERS_LICENSE" => IdKind::DriversLicence,
        other => IdKind::parse(&other.to_ascii_lowercase()),
    }
}

fn phone(code: Option<&str>, number: Option<&str>) -> Option<String> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let number = digits(number?);
    if number.is_empty() {
        return None;
    }
    Some(match code.map(digits).filter(|c| !c.is_empty()) {
        Some(c) => format!("+{c}{number}"),
        None => number,
    })
}

fn time_or_epoch(t: Option<OffsetDateTime>) -> OffsetDateTime {
    t.unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A customer in full into the model.
pub fn to_model(c: cartevo_api::Customer) -> Customer {
    let identifiers = match (c.document_type.as_deref(), c.id_number()) {
        (Some(t), Some(n)) => vec![Identifier::new(id_kind(t), n)],
        _ => Vec::new(),
    };
    let address = Address {
        line1: c.street.clone().unwrap_or_default(),
        line2: String::new(),
        city: c.city.clone().unwrap_or_default(),
        state: c.state.clone().unwrap_or_default(),
        postal_code: c.postal_code.clone().unwrap_or_default(),
        country: c.country_iso_code.clone().or_else(|| c.country.clone()).unwrap_or_default(),
    };
    let has_address =
        [&address.line1, &address.city, &address.postal_code, &address.country].iter().any(|s| !s.is_empty());
    let status = c.kyc_status.clone().unwrap_or_default();
    Customer {
        stage: stage(&status),
        status,
        party: Party::Person,
        name: format!("{} {}", c.first_name.trim(), c.last_name.trim()).trim().to_owned(),
        given_name: Some(c.first_name.clone()).filter(|s| !s.is_empty()),
        family_name: Some(c.last_name.clone()).filter(|s| !s.is_empty()),
        identifiers,
        email: c.email.clone().unwrap_or_default(),
        phone: phone(c.phone_country_code.as_deref(), c.phone_number.as_deref()).unwrap_or_default(),
        address: has_address.then_some(address),
        birth_date: c
            .birth_date()
            .and_then(|d| time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok()),
        trading_name: None,
        external_id: None,
        kyc: Vec::new(),
        created_at: time_or_epoch(c.created_at),
        updated_at: time_or_epoch(c.updated_at.or(c.created_at)),
        id: c.id,
    }
}

/// A registration's answer into the model: the 201 carries no KYC status, and Cartevo
/// starts every registration `PENDING`.
fn registered(c: cartevo_api::Customer) -> Customer {
    let mut customer = to_model(c);
    if customer.status.is_empty() {
        customer.status = "PENDING".into();
        customer.stage = Stage::InReview;
    }
    customer
}

/// A list summary into the model: what the list says; the sync reads the rest.
fn summary_to_model(c: cartevo_api::CustomerSummary) -> Customer {
    to_model(cartevo_api::Customer {
        id: c.id,
        first_name: c.first_name,
        last_name: c.last_name,
        email: c.email,
        country: c.country,
        country_iso_code: None,
        street: None,
        city: None,
        state: None,
        postal_code: None,
        phone_country_code: c.phone_country_code,
        phone_number: c.phone_number,
        identification_number: None,
        document_type: None,
        number: None,
        image: None,
        photo: None,
        date_of_birth: None,
        is_active: c.is_active,
        kyc_status: None,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// A card into the model: balance as the decimal Cartevo wrote, in its currency.
fn card_to_model(c: cartevo_api::Card, customer_id: &str) -> Product {
    let currency = c.currency.clone().unwrap_or_else(|| "USD".into());
    let reference = match (&c.brand, &c.masked_number) {
        (Some(b), Some(m)) => Some(format!("{b} {m}")),
        (None, Some(m)) => Some(m.clone()),
        (Some(b), None) => Some(b.clone()),
        _ => None,
    };
    Product {
        id: c.id,
        customer_id: if c.customer_id.is_empty() { customer_id.to_owned() } else { c.customer_id },
        kind: "card".into(),
        status: c.status,
        amount: c.balance.map(|amount| Money { amount, currency }),
        rate_percent: None,
        reference,
        expires_at: None,
        created_at: c.created_at,
    }
}

/// The page cursor: `"<pass>:<page>:<total when the pass began>"`.
fn read_cursor(cursor: Option<&str>) -> (u32, u32, Option<u64>) {
    let mut parts = cursor.unwrap_or("").split(':');
    let mut next = || parts.next().and_then(|p| p.parse::<u64>().ok());
    let pass = next().unwrap_or(0) as u32;
    let page = next().unwrap_or(1).max(1) as u32;
    (pass, page, next())
}

impl CartevoProvider {
    /// Wraps a configured client.
    pub fn new(client: Client) -> Self {
        Self { client, spec: spec() }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// One page of the walk. Cartevo lists by page and limit with no cursor, oldest
    /// first: a customer created during a walk lands at the end (read on the last
    /// page) or shifts the pages (one read twice, which changes nothing in the cache,
    /// and one missed). So when the total at the last page is not the total the walk
    /// began with, it walks once more.
    async fn walk(&self, cursor: Option<String>, page_size: u32) -> Result<Page, CoreError> {
        let (pass, page, started_total) = read_cursor(cursor.as_deref());
        let limit = page_size.clamp(1, 100);
        let p = self.client.list_customers(page, limit).await?;
        let started_total = started_total.unwrap_or(p.meta.total);
        let next_cursor = if page < p.meta.total_pages {
            Some(format!("{pass}:{}:{started_total}", page + 1))
        } else if p.meta.total != started_total && pass < 2 {
            Some(format!("{}:1:{}", pass + 1, p.meta.total))
        } else {
            None
        };
        Ok(Page { customers: p.items.into_iter().map(summary_to_model).collect(), next_cursor, summaries: true })
    }

    async fn cards(&self, customer_id: &str) -> Result<Vec<Product>, CoreError> {
        Ok(self.client.list_cards(customer_id).await?.into_iter().map(|c| card_to_model(c, customer_id)).collect())
    }
}

fn value(v: &FormValues, key: &str) -> String {
    v.get(key).unwrap_or_default().to_owned()
}

impl Provider for CartevoProvider {
    fn name(&self) -> &'static str {
        "cartevo"
    }

    fn describe(&self) -> &ProviderSpec {
        &self.spec
    }

    fn list_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        self.walk(cursor, page_size).boxed()
    }

    /// Cartevo has no "changed since": new customers are at the end of its list (oldest
    /// first), so the changes are read from the last page back, newest first; KYC
    /// outcomes of older customers are read by polling the customers in review.
    fn changes_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        async move {
            let limit = page_size.clamp(1, 100);
            let page = match cursor.as_deref().and_then(|c| c.strip_prefix("back:")).and_then(|p| p.parse().ok()) {
                Some(p) => p,
                None => self.client.list_customers(1, limit).await?.meta.total_pages.max(1),
            };
            let p = self.client.list_customers(page, limit).await?;
            let mut customers: Vec<Customer> = p.items.into_iter().map(summary_to_model).collect();
            customers.reverse();
            let next_cursor = (page > 1).then(|| format!("back:{}", page - 1));
            Ok(Page { customers, next_cursor, summaries: true })
        }
        .boxed()
    }

    fn get_customer<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Customer, CoreError>> {
        async move { Ok(to_model(self.client.get_customer(id).await?)) }.boxed()
    }

    fn register<'a>(
        &'a self,
        v: &'a FormValues,
        files: Vec<FormFile>,
        _key: &'a str,
        progress: Option<Progress>,
    ) -> BoxFuture<'a, Result<(Customer, bool), CoreError>> {
        async move {
            let new = NewCustomer {
                first_name: value(v, "first_name"),
                last_name: value(v, "last_name"),
                email: value(v, "email"),
                country: value(v, "country"),
                street: value(v, "street"),
                city: value(v, "city"),
                state: value(v, "state"),
                postal_code: value(v, "postal_code"),
                country_iso_code: value(v, "country_iso_code"),
                country_phone_code: value(v, "country_phone_code"),
                phone_number: value(v, "phone_number"),
                identification_number: value(v, "identification_number"),
                id_document_type: value(v, "id_document_type"),
                date_of_birth: value(v, "date_of_birth"),
            };
            if v.get("document_source") == Some(URLS) {
                let front = v.get("id_document_front_url").unwrap_or_default();
                let back = v.get("id_document_back_url").filter(|_| new.id_document_type != "PASSPORT");
                let c = self.client.enroll_customer(&new, front, back).await?;
                return Ok((registered(c), true));
            }
            let file = |field: &str| {
                files
                    .iter()
                    .find(|f| f.field == field)
                    .map(|f| DocumentFile { file_name: f.filename.clone(), bytes: f.bytes.clone() })
            };
            let front = file("id_document_front").ok_or_else(|| {
                CoreError::Invalid(vec![kyc_model::FieldError::new(
                    "id_document_front",
                    "required",
                    "id_document_front is required",
                )])
            })?;
            let back = if new.id_document_type == "PASSPORT" { None } else { file("id_document_back") };
            let c = self.client.create_customer(&new, front, back, false, progress).await?;
            Ok((registered(c), true))
        }
        .boxed()
    }

    fn products<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<Product>, CoreError>> {
        self.cards(id).boxed()
    }

    /// Issues a card: sent once (Cartevo takes no idempotency key). When the answer is
    /// lost, the customer's cards are read again (reads are retried) and a card that
    /// was not there before, of the brand and name asked, is the one made.
    fn create_product<'a>(
        &'a self,
        customer_id: &'a str,
        kind: &'a str,
        v: &'a FormValues,
    ) -> BoxFuture<'a, Result<Created, CoreError>> {
        async move {
            if kind != "card" {
                return Err(crate::provider::unsupported("Cartevo", &format!("create a {kind}")));
            }
            let before = self.cards(customer_id).await?;
            let card = NewCard {
                customer_id: customer_id.to_owned(),
                brand: value(v, "brand"),
                name_on_card: value(v, "name_on_card"),
                amount: value(v, "amount"),
            };
            match self.client.create_card(&card).await {
                Ok(c) => Ok(Created::Made(card_to_model(c, customer_id))),
                Err(e) if e.is_unreachable() => {
                    let why = e.to_string();
                    // Knowing matters more than speed here: the read is tried again
                    // (each read is itself retried by the client) before giving up.
                    let mut after = self.cards(customer_id).await;
                    for wait in [200, 400, 800, 1600] {
                        if !matches!(&after, Err(CoreError::Api(f)) if f.is_transient()) {
                            break;
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                        after = self.cards(customer_id).await;
                    }
                    let after = after.map_err(|e| {
                        CoreError::Api(crate::ApiFailure::Other {
                            message: format!(
                                "the card may have been issued: the answer was lost ({why}) and the cards could not be \
                                 read ({}); read them again before issuing another",
                                crate::ErrorView::from(e).message
                            ),
                            request_id: None,
                        })
                    })?;
                    let known: std::collections::HashSet<&str> = before.iter().map(|p| p.id.as_str()).collect();
                    let brand = card.brand.as_str();
                    Ok(
                        match after.into_iter().find(|p| {
                            !known.contains(p.id.as_str())
                                && p.reference.as_deref().is_none_or(|r| r.starts_with(brand))
                        }) {
                            Some(p) => Created::Recovered(p),
                            None => Created::NotMade(why),
                        },
                    )
                }
                Err(e) => Err(e.into()),
            }
        }
        .boxed()
    }

    fn product_action<'a>(
        &'a self,
        _customer_id: &'a str,
        product_id: &'a str,
        action: &'a str,
        _reason: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), CoreError>> {
        async move {
            match action {
                "freeze" => self.client.freeze_card(product_id).await.map(drop)?,
                "unfreeze" => self.client.unfreeze_card(product_id).await.map(drop)?,
                other => return Err(crate::provider::unsupported("Cartevo", other)),
            }
            Ok(())
        }
        .boxed()
    }

    fn hosted_documents<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<HostedDocument>, CoreError>> {
        async move {
            let c = self.client.get_customer(id).await?;
            let mut out = Vec::new();
            for (item_type, url) in [("id_document_front", c.image), ("id_document_back", c.photo)] {
                let Some(url) = url.filter(|u| !u.is_empty()) else { continue };
                let (bytes, content_type) = self.client.fetch_document(&url).await?;
                let ext = match content_type.as_str() {
                    "application/pdf" => "pdf",
                    "image/jpeg" => "jpg",
                    _ => "png",
                };
                out.push(HostedDocument { item_type: item_type.into(), filename: format!("{item_type}.{ext}"), bytes });
            }
            Ok(out)
        }
        .boxed()
    }
}

/// Cartevo's client errors in the core's terms.
impl From<cartevo_api::Error> for CoreError {
    fn from(e: cartevo_api::Error) -> Self {
        use crate::{ApiFailure, ApiRefusal};
        let failure = match e {
            cartevo_api::Error::Api(api) => {
                let api = *api;
                let code = api
                    .error
                    .as_deref()
                    .map(|e| e.to_ascii_lowercase().replace(' ', "_"))
                    .unwrap_or_else(|| format!("http_{}", api.status));
                ApiFailure::Refused(Box::new(ApiRefusal {
                    status: api.status,
                    code: Some(code),
                    message: api.message(),
                    field_errors: api
                        .fields
                        .iter()
                        .map(|f| kyc_model::FieldError::new(&f.field, "refused", f.message.clone()))
                        .collect(),
                    request_id: api.request_id,
                    retry_after: None,
                }))
            }
            e @ (cartevo_api::Error::Transport(_) | cartevo_api::Error::Timeout) => {
                ApiFailure::Unreachable { message: e.to_string() }
            }
            cartevo_api::Error::Invalid { field, message } => ApiFailure::Invalid { field, message },
            cartevo_api::Error::Decode { message, request_id } => ApiFailure::Other {
                message: format!("Cartevo sent a response this app cannot read: {message}"),
                request_id,
            },
            e @ cartevo_api::Error::InvalidBaseUrl(_) => ApiFailure::Other { message: e.to_string(), request_id: None },
        };
        Self::Api(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kyc_statuses_map_to_stages_and_a_missing_one_is_unknown() {
        assert_eq!(stage("PENDING"), Stage::InReview);
        assert_eq!(stage("APPROVED"), Stage::Approved);
        assert_eq!(stage("REJECTED"), Stage::Rejected);
        assert_eq!(stage(""), Stage::Unknown);
    }

    #[test]
    fn a_full_customer_maps_name_phone_address_and_id() {
        let c: cartevo_api::Customer = serde_json::from_value(serde_json::json!({
            "id": "3f1c", "first_name": "Ngozi", "last_name": "Okafor", "email": "ngozi@example.com",
            "country": "Nigeria", "street": "12 Marina", "city": "Lagos", "state": "Lagos State",
            "postal_code": "100001", "phone_country_code": "+234", "phone_number": "8031234567",
            "type": "NIN", "number": "12345678901", "date_of_birth": "1990-01-15T00:00:00.000Z",
            "kyc_status": "APPROVED", "created_at": "2026-01-01T10:00:00.000Z", "updated_at": "2026-01-02T10:00:00.000Z"
        }))
        .unwrap();
        let m = to_model(c);
        assert_eq!(m.name, "Ngozi Okafor");
        assert_eq!(m.phone, "+2348031234567");
        assert_eq!(m.birth_date, Some(time::macros::date!(1990 - 01 - 15)));
        assert_eq!(m.identifiers[0].kind, IdKind::Nin);
        assert_eq!(m.address.unwrap().city, "Lagos");
        assert_eq!(m.stage, Stage::Approved);
    }

    #[test]
    fn the_walk_cursor_reads_back() {
        assert_eq!(read_cursor(None), (0, 1, None));
        assert_eq!(read_cursor(Some("1:3:250")), (1, 3, Some(250)));
    }

    #[test]
    fn the_back_of_an_id_is_required_by_type() {
        let spec = spec();
        let today = time::macros::date!(2026 - 11 - 24);
        let base = |t: &str| {
            FormValues::of([
                ("first_name", "Ngozi"),
                ("last_name", "Okafor"),
                ("email", "n@example.com"),
                ("date_of_birth", "1990-01-15"),
                ("country_phone_code", "+234"),
                ("phone_number", "8031234567"),
                ("street", "12 Marina"),
                ("city", "Lagos"),
                ("state", "Lagos"),
                ("postal_code", "100001"),
                ("country", "Nigeria"),
                ("country_iso_code", "NG"),
                ("id_document_type", t),
                ("identification_number", "12345678901"),
                ("id_document_front", "file-1"),
            ])
        };
        for (t, needs_back) in [("NIN", true), ("DRIVERS_LICENSE", true), ("PASSPORT", false), ("VOTERS_CARD", false)] {
            let errors = spec.register.validate(&base(t), today);
            assert_eq!(errors.iter().any(|e| e.field == "id_document_back"), needs_back, "{t}: {errors:?}");
        }
    }
}
