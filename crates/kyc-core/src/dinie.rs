//! The Dinie connector: [`dinie_api`] behind the [`Provider`] port, wire → model.

use crate::provider::{DocumentUpload, Progress};
use crate::{CoreError, Page, Provider};
pub use dinie_api::Auth;
use dinie_api::{Client, CustomerUpdate, ListCustomers, NewCustomer, Order, Registration as How, RequestOptions, Sort};
use futures::FutureExt;
use futures::future::BoxFuture;
use kyc_model::{
    Capabilities, Customer, DocumentInfo, FieldKind, FieldSpec, FormSpec, FormValues, IdKind, Identifier, KycItem,
    KycItemStatus, KycKind, Money, Party, Product, ProductSpec, ProviderSpec, Stage,
};
use time::OffsetDateTime;

/// Dinie V3 as a [`Provider`].
#[derive(Debug, Clone)]
pub struct DinieProvider {
    client: Client,
    spec: ProviderSpec,
}

/// Dinie's sandbox API.
pub const SANDBOX_URL: &str = "https://sandbox.api.dinie.com.br/api/v3";
/// Dinie's production API.
pub const PRODUCTION_URL: &str = "https://api.dinie.com.br/api/v3";

/// How to reach Dinie: its sandbox and production, bearer tokens or client credentials,
/// and a sandbox built into the app.
pub fn connector() -> crate::connection::ConnectorInfo {
    use crate::connection::{ConnectorInfo, Environment};
    let env = |key: &str, url: &str| Environment { key: key.into(), base_url: url.into() };
    ConnectorInfo {
        id: "dinie".into(),
        name: "Dinie".into(),
        environments: vec![env("sandbox", SANDBOX_URL), env("production", PRODUCTION_URL)],
        auth_methods: vec!["bearer".into(), "clientCredentials".into()],
        builtin_sandbox: true,
    }
}

/// The client's credentials from a profile's.
fn auth(c: &crate::connection::Credentials) -> Result<Auth, CoreError> {
    use crate::connection::AuthMethod;
    match &c.auth {
        AuthMethod::Bearer => Ok(Auth::bearer(&c.secret)),
        AuthMethod::ClientCredentials { client_id } => Ok(Auth::client_credentials(client_id.clone(), &c.secret)),
        AuthMethod::ApiKey => Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
            "auth",
            "unsupported",
            "Dinie takes a bearer token or client credentials, not an API key",
        )])),
    }
}

/// Dinie at `base_url` as a [`Provider`].
pub fn connect(
    base_url: &str,
    credentials: &crate::connection::Credentials,
) -> Result<std::sync::Arc<dyn Provider>, CoreError> {
    let mut cfg = dinie_api::ClientConfig::new(base_url, auth(credentials)?);
    cfg.product = format!("KYCDesk/{}", env!("CARGO_PKG_VERSION"));
    Ok(std::sync::Arc::new(DinieProvider::new(Client::new(cfg)?)))
}

/// The built-in sandbox's credentials: its fixed token, which only opens the local
/// demo server (not a secret).
pub fn builtin_sandbox_credentials() -> crate::connection::Credentials {
    crate::connection::AuthMethod::Bearer.with_secret("dinie_at_sandbox")
}

/// The country Dinie's customers' phones are read in when typed without `+`.
pub const PHONE_COUNTRY: &str = "BR";

/// What Dinie can do, and its forms (CONTRACT.md: `POST /customers`, `PATCH
/// /customers/{id}`; only the CPF is required by the API, the desk also asks for name,
/// e-mail and phone, which every KYC needs).
pub fn spec() -> ProviderSpec {
    let phone = || FieldKind::Phone { country: Some(PHONE_COUNTRY.into()), country_field: None, must_belong: false };
    let id = |kind: IdKind| FieldKind::identifier(&kind);
    ProviderSpec {
        id: "dinie".into(),
        name: "Dinie".into(),
        capabilities: Capabilities {
            register: true,
            correct: true,
            upload: true,
            biometrics: true,
            checklist: true,
            webhooks: true,
            hosted_documents: false,
        },
        register: FormSpec {
            id: "register".into(),
            partial: false,
            fields: vec![
                FieldSpec::new("cpf", id(IdKind::Cpf)).required().help("help.cpf"),
                FieldSpec::new("cnpj", id(IdKind::Cnpj)).help("help.cnpj"),
                FieldSpec::new("name", FieldKind::Text).required().max(200),
                FieldSpec::new("email", FieldKind::Email).required(),
                FieldSpec::new("phone", phone()).required().help("help.phone_br"),
                FieldSpec::new("trading_name", FieldKind::Text).max(200),
                FieldSpec::new("external_id", FieldKind::Text).max(255).help("help.external_id"),
            ],
        },
        correct: Some(FormSpec {
            id: "correct".into(),
            partial: true,
            fields: vec![
                FieldSpec::new("name", FieldKind::Text).required().max(200),
                FieldSpec::new("email", FieldKind::Email).required(),
                FieldSpec::new("phone", phone()).required().help("help.phone_br"),
                FieldSpec::new("trading_name", FieldKind::Text).max(200),
            ],
        }),
        products: vec![ProductSpec::read_only("credit_offer")],
        identity_check: None,
    }
}

/// Where a Dinie status sits in the neutral lifecycle (CONTRACT.md: `pending_kyc` →
/// `under_review` → `active`; the SDKs also know `creating` and `denied`).
pub fn stage(status: &str) -> Stage {
    match status {
        "pending_kyc" | "creating" => Stage::AwaitingCustomer,
        "under_review" => Stage::InReview,
        "active" => Stage::Approved,
        "denied" => Stage::Rejected,
        _ => Stage::Unknown,
    }
}

impl DinieProvider {
    /// Wraps a configured client.
    pub fn new(client: Client) -> Self {
        Self { client, spec: spec() }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn page(
        &self,
        cursor: Option<String>,
        page_size: u32,
        sort: Sort,
        order: Order,
    ) -> BoxFuture<'_, Result<Page, CoreError>> {
        async move {
            let params = ListCustomers {
                limit: Some(page_size.clamp(1, 100)),
                starting_after: cursor,
                sort: Some(sort),
                order: Some(order),
                ..Default::default()
            };
            let page = self.client.list_customers(&params).await?;
            let next_cursor = if page.has_more { page.data.last().map(|c| c.id.clone()) } else { None };
            Ok(Page { customers: page.data.into_iter().map(to_model).collect(), next_cursor, summaries: false })
        }
        .boxed()
    }
}

/// Maps a wire customer into the model. CPF and CNPJ become identifiers kept as digits
/// (a CNPJ makes a business); statuses and item types the model does not know are kept
/// verbatim.
pub fn to_model(c: dinie_api::Customer) -> Customer {
    let mut identifiers = vec![Identifier::new(IdKind::Cpf, &c.cpf)];
    let cnpj = c.cnpj.as_deref().map(|d| Identifier::new(IdKind::Cnpj, d)).filter(|i| !i.value.is_empty());
    let party = if cnpj.is_some() { Party::Business } else { Party::Person };
    identifiers.extend(cnpj);
    Customer {
        id: c.id,
        party,
        stage: stage(&c.status),
        status: c.status,
        identifiers,
        name: c.name,
        given_name: None,
        family_name: None,
        email: c.email,
        phone: c.phone,
        address: None,
        birth_date: None,
        trading_name: c.trading_name.filter(|t| !t.is_empty()),
        external_id: c.external_id,
        kyc: c
            .kyc
            .into_iter()
            .map(|i| KycItem {
                kind: KycKind::from(i.kind.as_str()),
                item_type: i.item_type,
                description: i.description,
                status: KycItemStatus::from(i.status.as_str()),
                message: i.message,
                uploaded_at: i.uploaded_at,
                mandatory: i.mandatory,
            })
            .collect(),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

fn value(v: &FormValues, key: &str) -> Option<String> {
    v.get(key).map(str::to_owned)
}

/// A correction's value: absent leaves the field, `""` clears it.
fn change(v: &FormValues, key: &str) -> Option<String> {
    v.0.get(key).map(|s| s.trim().to_owned())
}

impl Provider for DinieProvider {
    fn name(&self) -> &'static str {
        "dinie"
    }

    fn describe(&self) -> &ProviderSpec {
        &self.spec
    }

    fn list_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        self.page(cursor, page_size, Sort::CreatedAt, Order::Asc)
    }

    fn changes_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        self.page(cursor, page_size, Sort::UpdatedAt, Order::Desc)
    }

    fn get_customer<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Customer, CoreError>> {
        async move { Ok(to_model(self.client.get_customer(id).await?)) }.boxed()
    }

    fn register<'a>(
        &'a self,
        v: &'a FormValues,
        _files: Vec<crate::provider::FormFile>,
        key: &'a str,
        _progress: Option<Progress>,
    ) -> BoxFuture<'a, Result<(Customer, bool), CoreError>> {
        async move {
            let new = NewCustomer {
                cpf: value(v, "cpf").unwrap_or_default(),
                cnpj: value(v, "cnpj"),
                name: value(v, "name"),
                email: value(v, "email"),
                phone: value(v, "phone"),
                trading_name: value(v, "trading_name"),
                external_id: value(v, "external_id"),
            };
            let (c, how) = self.client.create_customer(&new, &RequestOptions::with_key(key)).await?;
            Ok((to_model(c), how == How::Created))
        }
        .boxed()
    }

    fn correct<'a>(
        &'a self,
        id: &'a str,
        v: &'a FormValues,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Customer, CoreError>> {
        async move {
            let update = CustomerUpdate {
                name: change(v, "name"),
                email: change(v, "email"),
                phone: change(v, "phone"),
                trading_name: change(v, "trading_name"),
            };
            Ok(to_model(self.client.update_customer(id, &update, &RequestOptions::with_key(key)).await?))
        }
        .boxed()
    }

    fn upload<'a>(
        &'a self,
        id: &'a str,
        item_type: &'a str,
        document: DocumentUpload,
        key: &'a str,
        progress: Option<Progress>,
    ) -> BoxFuture<'a, Result<DocumentInfo, CoreError>> {
        async move {
            let opts = RequestOptions::with_key(key);
            let d = self
                .client
                .upload_document_bytes(id, item_type, &document.filename, document.bytes, &opts, progress)
                .await?;
            Ok(DocumentInfo {
                id: d.id,
                item_type: d.doc_type,
                filename: d.filename,
                content_type: d.content_type,
                size: d.size,
                sha256: d.sha256,
                uploaded_at: d.uploaded_at,
            })
        }
        .boxed()
    }

    fn start_biometrics<'a>(
        &'a self,
        id: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<(String, OffsetDateTime), CoreError>> {
        async move {
            let s = self.client.create_biometrics_session(id, &RequestOptions::with_key(key)).await?;
            Ok((s.session_url, s.expires_at))
        }
        .boxed()
    }

    fn read_webhook(
        &self,
        secret: &str,
        header: crate::provider::Header<'_>,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<crate::provider::Webhook, String> {
        use crate::provider::{Nudge, Webhook};
        use dinie_api::webhook::{EventKind, WebhookHeaders, WebhookVerifier};
        let verifier = WebhookVerifier::new(secret).map_err(|e| e.to_string())?;
        let h = WebhookHeaders {
            id: header("webhook-id").unwrap_or(""),
            timestamp: header("webhook-timestamp").unwrap_or(""),
            signature: header("webhook-signature").unwrap_or(""),
        };
        let event = verifier.verify(&h, body, now).map_err(|e| e.to_string())?;
        let nudge = match event.kind {
            EventKind::CustomerCreated(c) => Nudge::Customer(c.id),
            EventKind::CustomerUnderReview(c)
            | EventKind::CustomerActive(c)
            | EventKind::CustomerKycUpdated { customer: c, .. } => Nudge::Customer(c.id),
            EventKind::CreditOfferAvailable(o) => Nudge::Products(o.customer_id),
            EventKind::Unknown { event_type, .. } => Nudge::Nothing(event_type),
        };
        Ok(Webhook { id: event.webhook_id, nudge })
    }

    fn products<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<Product>, CoreError>> {
        async move {
            Ok(self
                .client
                .list_credit_offers(id)
                .await?
                .into_iter()
                .map(|o| Product {
                    id: o.id,
                    customer_id: o.customer_id,
                    kind: "credit_offer".into(),
                    status: o.status,
                    // Dinie's offers are in reais (CONTRACT.md), the amount a decimal string.
                    amount: Some(Money { amount: o.approved_amount, currency: "BRL".into() }),
                    // The wire's number, printed as the shortest decimal that reads back
                    // the same (3.5 → "3.5"); never computed with.
                    rate_percent: Some(o.interest_rate.to_string()),
                    reference: None,
                    expires_at: o.expires_at,
                    created_at: o.created_at,
                })
                .collect())
        }
        .boxed()
    }
}

impl crate::Desk {
    /// A desk on a Dinie API (see [`crate::Desk::open`]).
    pub async fn open_dinie(
        profile: crate::ProfileInfo,
        auth: Auth,
        profile_dir: &std::path::Path,
        cache_key: Option<&kyc_store::CacheKey>,
        events: std::sync::Arc<dyn crate::events::EventSink>,
    ) -> Result<Self, CoreError> {
        let mut cfg = dinie_api::ClientConfig::new(&profile.base_url, auth);
        cfg.product = format!("KYCDesk/{}", env!("CARGO_PKG_VERSION"));
        let provider = std::sync::Arc::new(DinieProvider::new(Client::new(cfg)?));
        Self::open(provider, profile, profile_dir, cache_key, events).await
    }
}

/// Dinie's client errors in the core's terms.
impl From<dinie_api::Error> for CoreError {
    fn from(e: dinie_api::Error) -> Self {
        use crate::{ApiFailure, ApiRefusal};
        let failure = match e {
            dinie_api::Error::Api(api) => {
                let api = *api;
                ApiFailure::Refused(Box::new(ApiRefusal {
                    status: api.status,
                    code: api.code,
                    message: if api.detail.is_empty() { api.title } else { api.detail },
                    field_errors: api
                        .errors
                        .into_iter()
                        .map(|f| kyc_model::FieldError::new(&f.param, f.code.as_deref().unwrap_or("invalid"), f.detail))
                        .collect(),
                    request_id: api.request_id,
                    // The client waits as Retry-After asks before giving up; it does
                    // not report the value.
                    retry_after: None,
                }))
            }
            e @ (dinie_api::Error::Transport(_) | dinie_api::Error::Timeout) => {
                ApiFailure::Unreachable { message: e.to_string() }
            }
            dinie_api::Error::Invalid { field, message } => ApiFailure::Invalid { field, message },
            dinie_api::Error::Decode { message, request_id } => ApiFailure::Other {
                message: format!("the API sent a response this app cannot read: {message}"),
                request_id,
            },
            e @ (dinie_api::Error::InvalidBaseUrl(_) | dinie_api::Error::Cancelled) => {
                ApiFailure::Other { message: e.to_string(), request_id: None }
            }
        };
        Self::Api(failure)
    }
}

#[cfg(test)]
mod error_tests {
    use crate::{CoreError, ErrorView};

    #[test]
    fn dinie_problems_keep_code_fields_and_request_id() {
        let body = br#"{"type":"https://docs.dinie.com/errors/validation-failed","title":"Validation failed","status":422,
            "detail":"1 field is invalid","code":"validation_failed","errors":[{"param":"cpf","detail":"CPF check digits do not match","code":"invalid_cpf"}]}"#;
        let api = dinie_api::ApiError::from_response(422, Some("req_9".into()), body);
        let v = ErrorView::from(CoreError::from(dinie_api::Error::Api(Box::new(api))));
        assert_eq!(
            (v.code.as_str(), v.message.as_str(), v.status),
            ("validation_failed", "1 field is invalid", Some(422))
        );
        assert_eq!(
            v.field_errors,
            vec![kyc_model::FieldError::new("cpf", "invalid_cpf", "CPF check digits do not match")]
        );
        assert_eq!(v.request_id.as_deref(), Some("req_9"));
    }

    #[test]
    fn dinie_timeouts_and_dropped_connections_are_unreachable() {
        for e in [dinie_api::Error::Timeout, dinie_api::Error::Transport("reset".into())] {
            let CoreError::Api(f) = CoreError::from(e) else { panic!("an API failure") };
            assert!(f.is_unreachable());
        }
    }
}
