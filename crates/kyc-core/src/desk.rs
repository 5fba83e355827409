//! [`Desk`]: the use-cases the shell calls.

use crate::dinie::DinieProvider;
use crate::sync::{SyncProgress, full_sync};
use crate::views::{CustomerListQuery, CustomerPage, CustomerRow, CustomerSort, ProfileView, rfc3339};
use crate::{CoreError, Provider};
use kyc_store::{ListOrder, ListQuery, Store};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Which connection a desk serves.
#[derive(Debug, Clone)]
pub struct ProfileInfo {
    /// Display name.
    pub name: String,
    /// API base URL.
    pub base_url: String,
    /// Whether this is the built-in demo sandbox.
    pub is_demo: bool,
}

/// The application for one connection profile: its provider and its cache.
#[derive(Clone)]
pub struct Desk {
    provider: Arc<dyn Provider>,
    store: Store,
    profile: ProfileInfo,
    sync_lock: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("provider", &self.provider.name()).field("profile", &self.profile).finish()
    }
}

/// The largest page the list may ask for.
pub const MAX_LIST_LIMIT: u32 = 500;

impl Desk {
    /// A desk over `provider`, caching into `store`.
    pub fn new(provider: Arc<dyn Provider>, store: Store, profile: ProfileInfo) -> Self {
        Self { provider, store, profile, sync_lock: Arc::default() }
    }

    /// A desk on a Dinie API: builds the client and opens (or creates) the cache file.
    pub async fn open_dinie(profile: ProfileInfo, auth: crate::dinie::Auth, cache: &Path) -> Result<Self, CoreError> {
        let mut cfg = dinie_api::ClientConfig::new(&profile.base_url, auth);
        cfg.product = format!("KYCDesk/{}", env!("CARGO_PKG_VERSION"));
        let client = dinie_api::Client::new(cfg)?;
        let store = Store::open(cache).await?;
        Ok(Self::new(Arc::new(DinieProvider::new(client)), store, profile))
    }

    /// The cache.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// What the header shows about the connection.
    pub fn profile(&self) -> ProfileView {
        ProfileView {
            name: self.profile.name.clone(),
            provider: self.provider.name().to_owned(),
            base_url: self.profile.base_url.clone(),
            is_demo: self.profile.is_demo,
        }
    }

    /// A page of cached customers. Reads only the cache, so it works offline.
    pub async fn list_customers(&self, q: &CustomerListQuery) -> Result<CustomerPage, CoreError> {
        let order = match q.sort {
            CustomerSort::Newest => ListOrder::CreatedDesc,
            CustomerSort::RecentlyUpdated => ListOrder::UpdatedDesc,
            CustomerSort::Name => ListOrder::NameAsc,
        };
        let limit = q.limit.clamp(1, MAX_LIST_LIMIT);
        let customers = self.store.list_customers(&ListQuery { offset: q.offset, limit, order }).await?;
        Ok(CustomerPage {
            rows: customers.iter().map(CustomerRow::from).collect(),
            total: u32::try_from(self.store.count_customers().await?).unwrap_or(u32::MAX),
            last_sync_at: self.store.last_sync().await?.map(rfc3339),
        })
    }

    /// Syncs every customer from the provider into the cache. Concurrent calls wait
    /// for the running sync instead of starting a second one.
    pub async fn sync(&self, on_progress: &(dyn Fn(&SyncProgress) + Send + Sync)) -> Result<SyncProgress, CoreError> {
        let _guard = self.sync_lock.lock().await;
        full_sync(self.provider.as_ref(), &self.store, on_progress).await
    }
}
