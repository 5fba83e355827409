//! The wallets platform connector (Juicyway's wallet-as-a-service): [`wallets_api`]
//! behind the [`Provider`] port.
//!
//! The platform registers individuals and businesses with a billing address, lets their
//! data be corrected, reports `pending_kyc` → `active` without documenting how KYC is
//! submitted (so the desk shows what it reports and polls the pending), looks up a BVN
//! for a reviewer's identity check, and keeps wallets per currency once a customer is
//! active.

use crate::provider::{Created, FormFile, Progress};
use crate::{CoreError, Page, Provider};
use futures::FutureExt;
use futures::future::BoxFuture;
use kyc_model::{
    Address, Capabilities, Customer, FieldKind, FieldSpec, FormSpec, FormValues, IdKind, IdentityCheckSpec,
    IdentityRecord, Money, Movement, Party, PaymentMethod, Product, ProductAction, ProductDetail, ProductEvent,
    ProductSpec, ProviderSpec, Stage,
};
use std::sync::Arc;
use time::OffsetDateTime;
use wallets_api::{BillingAddress, Client, Config, CustomerUpdate, ListCustomers, NewCustomer};

/// The platform's API.
pub const PRODUCTION_URL: &str = wallets_api::PRODUCTION_URL;

/// The currencies a wallet can be opened in.
pub const CURRENCIES: [&str; 7] = ["NGN", "USD", "GBP", "EUR", "CAD", "KES", "GHS"];

/// The wallets platform as a [`Provider`].
#[derive(Debug, Clone)]
pub struct WalletsProvider {
    client: Client,
    spec: ProviderSpec,
}

/// How to reach the platform: one URL (test and live keys differ), an API key, and a
/// sandbox built into the app.
pub fn connector() -> crate::connection::ConnectorInfo {
    use crate::connection::{ConnectorInfo, Environment};
    ConnectorInfo {
        id: "wallets".into(),
        name: "Juicyway wallets".into(),
        environments: vec![Environment { key: "production".into(), base_url: PRODUCTION_URL.into() }],
        auth_methods: vec!["apiKey".into()],
        builtin_sandbox: true,
    }
}

/// The platform at `base_url` as a [`Provider`].
pub fn connect(base_url: &str, c: &crate::connection::Credentials) -> Result<Arc<dyn Provider>, CoreError> {
    if c.auth != crate::connection::AuthMethod::ApiKey {
        return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
            "auth",
            "unsupported",
            "the wallets platform takes an API key",
        )]));
    }
    let mut cfg = Config::new(base_url, c.secret.clone());
    cfg.user_agent = format!("KYCDesk/{}", env!("CARGO_PKG_VERSION"));
    Ok(Arc::new(WalletsProvider { client: Client::new(cfg)?, spec: spec() }))
}

/// The built-in sandbox's key (it opens a local demo, not a secret).
pub fn builtin_sandbox_credentials() -> crate::connection::Credentials {
    crate::connection::AuthMethod::ApiKey.with_secret("test_sandbox_key")
}

fn address_fields(required: bool) -> Vec<FieldSpec> {
    let req = |f: FieldSpec| if required { f.required() } else { f };
    vec![
        req(FieldSpec::new("country", FieldKind::Country)).help("help.billing_country"),
        req(FieldSpec::new(
            "phone_number",
            FieldKind::Phone { country: None, country_field: Some("country".into()), must_belong: true },
        ))
        .help("help.phone_billing"),
        req(FieldSpec::new("line1", FieldKind::Text).max(255)),
        FieldSpec::new("line2", FieldKind::Text).max(255),
        req(FieldSpec::new("city", FieldKind::Text).max(100)),
        req(FieldSpec::new("state", FieldKind::Text).max(100)),
        req(FieldSpec::new("zip_code", FieldKind::Text).max(20)),
    ]
}

/// What the platform can do, and its forms (CONTRACT-wallets.md).
pub fn spec() -> ProviderSpec {
    let name = |key: &str| FieldSpec::new(key, FieldKind::Name).required().max(100);
    let mut register = vec![
        FieldSpec::new("type", FieldKind::Choice { options: vec!["individual".into(), "business".into()] }).required(),
        name("first_name"),
        name("last_name"),
        FieldSpec::new("email", FieldKind::Email).required(),
    ];
    register.extend(address_fields(true));
    let mut correct = vec![name("first_name"), name("last_name"), FieldSpec::new("email", FieldKind::Email).required()];
    correct.extend(address_fields(false));
    let action = |name: &str, from: &[&str], needs_reason| ProductAction {
        name: name.into(),
        from: from.iter().map(|s| (*s).into()).collect(),
        needs_reason,
    };
    ProviderSpec {
        id: "wallets".into(),
        name: "Juicyway wallets".into(),
        capabilities: Capabilities { register: true, correct: true, ..Capabilities::default() },
        register: FormSpec { id: "register".into(), partial: false, fields: register },
        correct: Some(FormSpec { id: "correct".into(), partial: true, fields: correct }),
        products: vec![ProductSpec {
            kind: "wallet".into(),
            actions: vec![
                action("freeze", &["active"], true),
                action("unfreeze", &["frozen"], false),
                action("delete", &["active", "frozen"], true),
            ],
            create: Some(FormSpec {
                id: "create_wallet".into(),
                partial: false,
                fields: vec![
                    FieldSpec::new("currency", FieldKind::Choice { options: CURRENCIES.map(Into::into).to_vec() })
                        .required(),
                ],
            }),
            create_at: Some(Stage::Approved.as_str().into()),
        }],
        identity_check: Some(IdentityCheckSpec {
            id: "bvn".into(),
            form: FormSpec {
                id: "identity_check".into(),
                partial: false,
                fields: vec![
                    FieldSpec::new("bvn", FieldKind::identifier(&IdKind::Bvn)).required().help("help.bvn"),
                    FieldSpec::new("declared_birth_date", FieldKind::Date { min_age: None })
                        .help("help.declared_birth_date"),
                    FieldSpec::new("consent", FieldKind::Consent).required(),
                ],
            },
        }),
    }
}

/// Where a status sits: `pending_kyc` is the platform verifying (polled until it
/// decides), `active` approved; anything else is shown as the platform wrote it.
pub fn stage(status: &str) -> Stage {
    match status {
        "pending_kyc" => Stage::InReview,
        "active" => Stage::Approved,
        "rejected" | "declined" => Stage::Rejected,
        _ => Stage::Unknown,
    }
}

/// A customer into the model.
pub fn to_model(c: wallets_api::Customer) -> Customer {
    let status = c.status.clone().unwrap_or_default();
    let address = c.billing_address.clone().map(|a| Address {
        line1: a.line1,
        line2: a.line2.unwrap_or_default(),
        city: a.city,
        state: a.state,
        postal_code: a.zip_code,
        country: a.country,
    });
    let epoch = OffsetDateTime::UNIX_EPOCH;
    Customer {
        stage: stage(&status),
        status,
        party: if c.kind.as_deref() == Some("business") { Party::Business } else { Party::Person },
        name: format!("{} {}", c.first_name.trim(), c.last_name.trim()).trim().to_owned(),
        given_name: Some(c.first_name.clone()).filter(|s| !s.is_empty()),
        family_name: Some(c.last_name.clone()).filter(|s| !s.is_empty()),
        identifiers: Vec::new(),
        email: c.email.unwrap_or_default(),
        phone: c.phone_number.unwrap_or_default(),
        address,
        birth_date: None,
        trading_name: None,
        external_id: None,
        kyc: Vec::new(),
        created_at: c.created_at.unwrap_or(epoch),
        updated_at: c.updated_at.or(c.created_at).unwrap_or(epoch),
        id: c.id,
    }
}

fn wallet_to_model(w: wallets_api::Wallet) -> Product {
    let currency = w.currency.clone().or_else(|| w.balance.as_ref().map(|b| b.currency.clone())).unwrap_or_default();
    Product {
        id: w.id,
        customer_id: w.customer_id,
        kind: "wallet".into(),
        status: w.status,
        amount: w.balance.map(|b| Money {
            amount: b.amount,
            currency: if b.currency.is_empty() { currency.clone() } else { b.currency },
        }),
        rate_percent: None,
        reference: w.account_id,
        expires_at: None,
        created_at: w.created_at,
    }
}

fn value(v: &FormValues, key: &str) -> String {
    v.get(key).unwrap_or_default().to_owned()
}

/// A correction's value: absent leaves the field, `""` clears it.
fn change(v: &FormValues, key: &str) -> Option<String> {
    v.0.get(key).map(|s| s.trim().to_owned())
}

impl WalletsProvider {
    async fn page(&self, cursor: Option<String>, page_size: u32, oldest_first: bool) -> Result<Page, CoreError> {
        let q =
            ListCustomers { limit: Some(page_size.clamp(1, 100)), after: cursor, oldest_first, ..Default::default() };
        let page = self.client.list_customers(&q).await?;
        let next_cursor = page.next().map(str::to_owned);
        Ok(Page { customers: page.data.into_iter().map(to_model).collect(), next_cursor, summaries: false })
    }
}

impl Provider for WalletsProvider {
    fn name(&self) -> &'static str {
        "wallets"
    }

    fn describe(&self) -> &ProviderSpec {
        &self.spec
    }

    fn list_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        self.page(cursor, page_size, true).boxed()
    }

    /// Newest first: a new customer is read at once; a status the platform changes on
    /// an older one is read by polling the customers still pending.
    fn changes_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        self.page(cursor, page_size, false).boxed()
    }

    fn get_customer<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Customer, CoreError>> {
        async move { Ok(to_model(self.client.get_customer(id).await?)) }.boxed()
    }

    fn register<'a>(
        &'a self,
        v: &'a FormValues,
        _files: Vec<FormFile>,
        key: &'a str,
        _progress: Option<Progress>,
    ) -> BoxFuture<'a, Result<(Customer, bool), CoreError>> {
        async move {
            let new = NewCustomer {
                first_name: value(v, "first_name"),
                last_name: value(v, "last_name"),
                email: value(v, "email"),
                phone_number: value(v, "phone_number"),
                kind: value(v, "type"),
                billing_address: BillingAddress {
                    line1: value(v, "line1"),
                    line2: v.get("line2").map(str::to_owned),
                    city: value(v, "city"),
                    state: value(v, "state"),
                    zip_code: value(v, "zip_code"),
                    country: value(v, "country"),
                },
            };
            Ok((to_model(self.client.create_customer(&new, key).await?), true))
        }
        .boxed()
    }

    fn correct<'a>(
        &'a self,
        id: &'a str,
        v: &'a FormValues,
        _key: &'a str,
    ) -> BoxFuture<'a, Result<Customer, CoreError>> {
        async move {
            let mut address = serde_json::Map::new();
            for part in ["line1", "line2", "city", "state", "zip_code", "country"] {
                if let Some(x) = change(v, part) {
                    address.insert(part.into(), x.into());
                }
            }
            let update = CustomerUpdate {
                first_name: change(v, "first_name"),
                last_name: change(v, "last_name"),
                email: change(v, "email"),
                phone_number: change(v, "phone_number"),
                billing_address: (!address.is_empty()).then_some(address),
            };
            Ok(to_model(self.client.update_customer(id, &update).await?))
        }
        .boxed()
    }

    fn products<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<Product>, CoreError>> {
        async move { Ok(self.client.customer_wallets(id).await?.into_iter().map(wallet_to_model).collect()) }.boxed()
    }

    /// Opens a wallet: the POST carries its own idempotency key, so the client's
    /// retries cannot open two.
    fn create_product<'a>(
        &'a self,
        customer_id: &'a str,
        kind: &'a str,
        v: &'a FormValues,
    ) -> BoxFuture<'a, Result<Created, CoreError>> {
        async move {
            if kind != "wallet" {
                return Err(crate::provider::unsupported("the wallets platform", &format!("create a {kind}")));
            }
            let key = crate::new_idempotency_key();
            let w = self.client.create_wallet(customer_id, &value(v, "currency"), &key).await?;
            Ok(Created::Made(wallet_to_model(w)))
        }
        .boxed()
    }

    fn product_action<'a>(
        &'a self,
        _customer_id: &'a str,
        product_id: &'a str,
        action: &'a str,
        reason: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), CoreError>> {
        async move {
            let status = match action {
                "freeze" => "frozen",
                "unfreeze" => "active",
                "delete" => "deleted",
                other => return Err(crate::provider::unsupported("the wallets platform", other)),
            };
            self.client.set_wallet_status(product_id, status, reason).await?;
            Ok(())
        }
        .boxed()
    }

    fn product_detail<'a>(
        &'a self,
        _customer_id: &'a str,
        product_id: &'a str,
    ) -> BoxFuture<'a, Result<ProductDetail, CoreError>> {
        async move {
            let w = self.client.get_wallet(product_id).await?;
            let moves = self.client.transactions(product_id, 10).await?;
            Ok(ProductDetail {
                payment_methods: w
                    .payment_methods
                    .into_iter()
                    .map(|p| PaymentMethod {
                        kind: p.kind,
                        institution: p.bank_name,
                        reference: p.account_number,
                        holder: p.account_name,
                    })
                    .collect(),
                transactions: moves
                    .into_iter()
                    .map(|t| Movement {
                        direction: t.kind,
                        amount: Money { amount: t.amount, currency: t.currency },
                        status: t.status,
                        description: t.description,
                        at: t.created_at,
                    })
                    .collect(),
                events: w
                    .events
                    .into_iter()
                    .map(|e| ProductEvent { kind: e.kind, status: e.status, reason: e.reason, at: e.at })
                    .collect(),
            })
        }
        .boxed()
    }

    fn identity_check<'a>(
        &'a self,
        _customer_id: &'a str,
        v: &'a FormValues,
        key: &'a str,
    ) -> BoxFuture<'a, Result<IdentityRecord, CoreError>> {
        async move {
            let r = self.client.resolve_bvn(&value(v, "bvn"), key).await?;
            let mut facts = vec![("given_name".to_owned(), r.first_name)];
            if let Some(m) = r.middle_name.filter(|m| !m.is_empty()) {
                facts.push(("middle_name".into(), m));
            }
            facts.push(("family_name".into(), r.surname));
            facts.extend(r.date_of_birth.map(|d| ("birth_date".to_owned(), d)));
            facts.extend(r.mobile_number.map(|p| ("phone".to_owned(), p)));
            Ok(IdentityRecord { facts })
        }
        .boxed()
    }
}

/// The platform's errors in the core's terms.
impl From<wallets_api::Error> for CoreError {
    fn from(e: wallets_api::Error) -> Self {
        use crate::{ApiFailure, ApiRefusal};
        let failure = match e {
            wallets_api::Error::Api(api) => {
                let api = *api;
                ApiFailure::Refused(Box::new(ApiRefusal {
                    status: api.status,
                    code: api.code.clone(),
                    message: api.message.clone(),
                    field_errors: api
                        .fields
                        .iter()
                        .map(|f| kyc_model::FieldError::new(&f.field, "refused", f.message.clone()))
                        .collect(),
                    request_id: api.request_id,
                    retry_after: api.retry_after,
                }))
            }
            e @ (wallets_api::Error::Transport(_) | wallets_api::Error::Timeout) => {
                ApiFailure::Unreachable { message: e.to_string() }
            }
            wallets_api::Error::Invalid { field, message } => ApiFailure::Invalid { field, message },
            wallets_api::Error::Decode { message, request_id } => ApiFailure::Other {
                message: format!("the wallets platform sent a response this app cannot read: {message}"),
                request_id,
            },
            e @ wallets_api::Error::InvalidBaseUrl(_) => ApiFailure::Other { message: e.to_string(), request_id: None },
        };
        Self::Api(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_business_with_its_billing_address_maps_into_the_model() {
        let c: wallets_api::Customer = serde_json::from_value(serde_json::json!({
            "id": "cus_1", "first_name": "Adebayo", "last_name": "Foods", "email": "ops@adebayo.ng",
            "phone_number": "+2348031234567", "type": "business", "status": "pending_kyc",
            "billing_address": {"line1": "5 Broad St", "city": "Lagos", "state": "Lagos", "zip_code": "100001", "country": "NG"},
            "created_at": "2026-11-01T10:00:00.000Z", "updated_at": "2026-11-02T10:00:00.000Z"
        }))
        .unwrap();
        let m = to_model(c);
        assert_eq!((m.party, m.stage, m.status.as_str()), (Party::Business, Stage::InReview, "pending_kyc"));
        assert_eq!(m.address.unwrap().postal_code, "100001");
    }

    #[test]
    fn the_registration_checks_names_and_the_billing_countrys_phone() {
        let today = time::macros::date!(2026 - 11 - 24);
        let v = FormValues::of([
            ("type", "individual"),
            ("first_name", "Chi1"),
            ("last_name", "O'Neil"),
            ("email", "a@b.co"),
            ("country", "NG"),
            ("phone_number", "+233 24 123 4567"),
            ("line1", "1 A St"),
            ("city", "Lagos"),
            ("state", "Lagos"),
            ("zip_code", "100001"),
        ]);
        let fields: Vec<String> = spec().register.validate(&v, today).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["first_name", "phone_number"]);
    }
}
