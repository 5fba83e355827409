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
