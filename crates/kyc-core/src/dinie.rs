//! The Dinie connector: [`dinie_api`] behind the [`Provider`] port, wire → model.

use crate::provider::{DocumentUpload, Progress};
use crate::{CoreError, Page, Provider};
pub use dinie_api::Auth;
use dinie_api::{Client, CustomerUpdate, ListCustomers, NewCustomer, Order, Registration as How, RequestOptions, Sort};
use futures::FutureExt;
use futures::future::BoxFuture;
use kyc_model::{
    Correction, CreditOffer, Customer, CustomerStatus, DocumentInfo, KycItem, KycItemStatus, KycKind, Registration,
    only_digits,
};
use time::OffsetDateTime;

/// Dinie V3 as a [`Provider`].
#[derive(Debug, Clone)]
pub struct DinieProvider {
    client: Client,
}

impl DinieProvider {
    /// Wraps a configured client.
    pub fn new(client: Client) -> Self {
        Self { client }
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
            Ok(Page { customers: page.data.into_iter().map(to_model).collect(), next_cursor })
        }
        .boxed()
    }
}

/// Maps a wire customer into the model. CPF and CNPJ are kept as digits; statuses and
/// item types the model does not know are kept verbatim.
pub fn to_model(c: dinie_api::Customer) -> Customer {
    Customer {
        id: c.id,
        status: CustomerStatus::from(c.status.as_str()),
        cpf: only_digits(&c.cpf),
        cnpj: c.cnpj.as_deref().map(only_digits).filter(|d| !d.is_empty()),
        name: c.name,
        email: c.email,
        phone: c.phone,
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

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl Provider for DinieProvider {
    fn name(&self) -> &'static str {
        "dinie"
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

    fn register<'a>(&'a self, r: &'a Registration, key: &'a str) -> BoxFuture<'a, Result<(Customer, bool), CoreError>> {
        async move {
            let new = NewCustomer {
                cpf: r.cpf.trim().to_owned(),
                cnpj: non_empty(&r.cnpj),
                name: non_empty(&r.name),
                email: non_empty(&r.email),
                phone: non_empty(&r.phone),
                trading_name: non_empty(&r.trading_name),
                external_id: non_empty(&r.external_id),
            };
            let (c, how) = self.client.create_customer(&new, &RequestOptions::with_key(key)).await?;
            Ok((to_model(c), how == How::Created))
        }
        .boxed()
    }

    fn correct<'a>(
        &'a self,
        id: &'a str,
        c: &'a Correction,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Customer, CoreError>> {
        async move {
            let update = CustomerUpdate {
                name: c.name.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                trading_name: c.trading_name.clone(),
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

    fn credit_offers<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<CreditOffer>, CoreError>> {
        async move {
            Ok(self
                .client
                .list_credit_offers(id)
                .await?
                .into_iter()
                .map(|o| CreditOffer {
                    id: o.id,
                    customer_id: o.customer_id,
                    status: o.status,
                    approved_amount: o.approved_amount,
                    interest_rate: o.interest_rate,
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
