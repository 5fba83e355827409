//! The Dinie connector: [`dinie_api`] behind the [`Provider`] port, wire → model.

use crate::{CoreError, Page, Provider};
pub use dinie_api::Auth;
use dinie_api::{Client, ListCustomers, Order, Sort};
use futures::FutureExt;
use futures::future::BoxFuture;
use kyc_model::{Customer, CustomerStatus, KycItem, KycItemStatus, KycKind, only_digits};

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

impl Provider for DinieProvider {
    fn name(&self) -> &'static str {
        "dinie"
    }

    fn list_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        async move {
            let params = ListCustomers {
                limit: Some(page_size.clamp(1, 100)),
                starting_after: cursor,
                sort: Some(Sort::CreatedAt),
                order: Some(Order::Asc),
                ..Default::default()
            };
            let page = self.client.list_customers(&params).await?;
            let next_cursor = if page.has_more { page.data.last().map(|c| c.id.clone()) } else { None };
            Ok(Page { customers: page.data.into_iter().map(to_model).collect(), next_cursor })
        }
        .boxed()
    }
}
