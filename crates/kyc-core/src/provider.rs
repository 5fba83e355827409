//! The provider-neutral port every connector implements.

use crate::CoreError;
use futures::future::BoxFuture;
use kyc_model::Customer;

/// One page of customers from a provider, and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page {
    /// Customers, mapped into the model.
    pub customers: Vec<Customer>,
    /// Opaque cursor of the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// A KYC provider (Dinie, Cartevo, a wallets platform) as the core sees it.
pub trait Provider: Send + Sync {
    /// A short name for logs and the UI, e.g. `dinie`.
    fn name(&self) -> &'static str;

    /// One page of every customer, oldest first, starting after `cursor`.
    fn list_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>>;
}
