//! [`Desk`]: the use-cases the shell calls, for one connection profile.

use crate::dinie::DinieProvider;
use crate::events::{CoreEvent, EventSink};
use crate::outbox::{self, Operation, Outcome, ReplayReport};
use crate::sync::{self, SyncProgress};
use crate::views::{CustomerListQuery, CustomerPage, CustomerRow, CustomerSort, ProfileView, StatusCount, rfc3339};
use crate::{CoreError, ErrorView, Provider};
use kyc_model::{Correction, Registration};
use kyc_store::{ListOrder, SearchQuery, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
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

/// How a write ended.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteResult {
    /// The API accepted it.
    Done {
        /// The customer.
        customer_id: String,
        /// For a registration: `true` if created (201), `false` if it already existed (200).
        created: bool,
    },
    /// The API could not be reached: it is queued and will be sent when it answers.
    Queued {
        /// Its place in the outbox.
        seq: i64,
    },
    /// The API refused it: its error, with field errors and request id.
    Refused(ErrorView),
}

/// The application for one connection profile: its provider, its cache, its outbox.
#[derive(Clone)]
pub struct Desk {
    provider: Arc<dyn Provider>,
    store: Store,
    profile: ProfileInfo,
    documents_dir: PathBuf,
    events: Arc<dyn EventSink>,
    online: Arc<AtomicBool>,
    sync_lock: Arc<Mutex<()>>,
    outbox_lock: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("provider", &self.provider.name()).field("profile", &self.profile).finish()
    }
}

/// The largest page the list may ask for.
pub const MAX_LIST_LIMIT: u32 = 500;

impl Desk {
    /// A desk over `provider`, caching into `store`, keeping upload copies in
    /// `documents_dir`, telling `events` what happens.
    pub fn new(
        provider: Arc<dyn Provider>,
        store: Store,
        profile: ProfileInfo,
        documents_dir: PathBuf,
        events: Arc<dyn EventSink>,
    ) -> Self {
        Self {
            provider,
            store,
            profile,
            documents_dir,
            events,
            online: Arc::new(AtomicBool::new(true)),
            sync_lock: Arc::default(),
            outbox_lock: Arc::default(),
        }
    }

    /// A desk on a Dinie API, with its cache and documents in `profile_dir`.
    pub async fn open_dinie(
        profile: ProfileInfo,
        auth: crate::dinie::Auth,
        profile_dir: &Path,
        events: Arc<dyn EventSink>,
    ) -> Result<Self, CoreError> {
        let mut cfg = dinie_api::ClientConfig::new(&profile.base_url, auth);
        cfg.product = format!("KYCDesk/{}", env!("CARGO_PKG_VERSION"));
        let client = dinie_api::Client::new(cfg)?;
        let store = Store::open(&profile_dir.join("cache.sqlite")).await?;
        Ok(Self::new(Arc::new(DinieProvider::new(client)), store, profile, profile_dir.join("documents"), events))
    }

    /// The cache.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the API answered the last call.
    pub fn is_online(&self) -> bool {
        self.online.load(Ordering::Relaxed)
    }

    /// Notes whether the API was reachable, telling the UI when that changes.
    fn observe<T>(&self, r: &Result<T, CoreError>) {
        let reachable = !matches!(r, Err(CoreError::Api(e)) if e.is_unreachable());
        if self.online.swap(reachable, Ordering::Relaxed) != reachable {
            tracing::info!(online = reachable, "API connectivity changed");
            self.events.emit(CoreEvent::Connectivity { online: reachable });
        }
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

    /// A page of cached customers, searched and filtered. Reads only the cache, so it
    /// works offline.
    pub async fn list_customers(&self, q: &CustomerListQuery) -> Result<CustomerPage, CoreError> {
        let order = match q.sort {
            CustomerSort::Newest => ListOrder::CreatedDesc,
            CustomerSort::RecentlyUpdated => ListOrder::UpdatedDesc,
            CustomerSort::Name => ListOrder::NameAsc,
        };
        let result = self
            .store
            .search(&SearchQuery {
                text: q.text.clone(),
                statuses: q.statuses.clone(),
                order,
                offset: q.offset,
                limit: q.limit.clamp(1, MAX_LIST_LIMIT),
            })
            .await?;
        Ok(CustomerPage {
            rows: result.customers.iter().map(CustomerRow::from).collect(),
            total: u32::try_from(result.total).unwrap_or(u32::MAX),
            total_capped: result.total_capped,
            last_sync_at: self.store.last_sync().await?.map(rfc3339),
            status_counts: self
                .store
                .status_counts()
                .await?
                .into_iter()
                .map(|(status, count)| StatusCount { status, count: u32::try_from(count).unwrap_or(u32::MAX) })
                .collect(),
            online: self.is_online(),
        })
    }

    fn progress_events(&self) -> impl Fn(&SyncProgress) + Send + Sync + '_ {
        move |p: &SyncProgress| {
            self.events.emit(CoreEvent::SyncProgress(p.clone()));
            if !p.changed.is_empty() {
                self.events.emit(CoreEvent::CustomersChanged { ids: p.changed.clone() });
            }
        }
    }

    /// Syncs: a full sync the first time (or to finish an interrupted one), an
    /// incremental one after that. Concurrent calls wait for the running sync.
    pub async fn sync(&self) -> Result<SyncProgress, CoreError> {
        let _guard = self.sync_lock.lock().await;
        let full =
            self.store.last_sync().await?.is_none() || self.store.meta(sync::META_FULL_SYNC_CURSOR).await?.is_some();
        let on_progress = self.progress_events();
        let r = if full {
            sync::full_sync(self.provider.as_ref(), &self.store, &on_progress).await
        } else {
            sync::incremental_sync(self.provider.as_ref(), &self.store, &on_progress).await
        };
        self.observe(&r);
        r
    }

    /// Walks every customer again (e.g. after a long time offline).
    pub async fn full_sync(&self) -> Result<SyncProgress, CoreError> {
        let _guard = self.sync_lock.lock().await;
        let r = sync::full_sync(self.provider.as_ref(), &self.store, &self.progress_events()).await;
        self.observe(&r);
        r
    }

    /// Re-reads the customers with an item in review.
    pub async fn refresh_in_flight(&self) -> Result<Vec<String>, CoreError> {
        let r = sync::refresh_in_flight(self.provider.as_ref(), &self.store, 50).await;
        self.observe(&r);
        if let Ok(ids) = &r
            && !ids.is_empty()
        {
            self.events.emit(CoreEvent::CustomersChanged { ids: ids.clone() });
        }
        r
    }

    /// A customer's credit offers: fresh from the API (and cached), or from the cache
    /// when the API cannot be reached.
    pub async fn credit_offers(&self, customer_id: &str) -> Result<Vec<kyc_model::CreditOffer>, CoreError> {
        let fresh = self.provider.credit_offers(customer_id).await;
        self.observe(&fresh);
        match fresh {
            Ok(offers) => {
                self.store.replace_offers(customer_id, &offers).await?;
                Ok(offers)
            }
            Err(CoreError::Api(e)) if e.is_unreachable() => Ok(self.store.offers_for(customer_id).await?),
            Err(e) => Err(e),
        }
    }

    /// Sends the outbox (one replay at a time).
    pub async fn replay_outbox(&self) -> Result<ReplayReport, CoreError> {
        let _guard = self.outbox_lock.lock().await;
        let r = outbox::replay(self.provider.as_ref(), &self.store, self.events.as_ref()).await;
        match &r {
            Ok(report) if report.offline => self.online.store(false, Ordering::Relaxed),
            _ => self.observe(&r),
        }
        r
    }

    async fn write(
        &self,
        customer_id: Option<&str>,
        op: Operation,
        file: Option<&Path>,
    ) -> Result<WriteResult, CoreError> {
        let entry = outbox::enqueue(&self.store, customer_id, &op, file, &self.documents_dir).await?;
        self.events.emit(CoreEvent::OutboxChanged(outbox::summary(&self.store).await?));
        let report = self.replay_outbox().await?;
        let outcome = report.outcomes.iter().find(|(seq, _)| *seq == entry.seq).map(|(_, o)| o.clone());
        Ok(match outcome {
            Some(Outcome::Done { customer_id, created }) => WriteResult::Done { customer_id, created },
            Some(Outcome::Failed(view)) => WriteResult::Refused(view),
            Some(Outcome::Queued) | None => WriteResult::Queued { seq: entry.seq },
        })
    }

    /// Registers a customer. Invalid fields are refused here, all at once; a valid
    /// registration is queued (with its idempotency key) and sent at once, or when the
    /// API answers again.
    pub async fn register(&self, r: Registration) -> Result<WriteResult, CoreError> {
        let errors = r.validate();
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        self.write(None, Operation::Register(r), None).await
    }

    /// Corrects a customer's data (name, e-mail, phone, trading name).
    pub async fn correct(&self, customer_id: &str, c: Correction) -> Result<WriteResult, CoreError> {
        let errors = c.validate();
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        self.write(Some(customer_id), Operation::Correct(c), None).await
    }

    /// Uploads a document for a kyc item. The file is checked (PDF/JPEG/PNG by its
    /// bytes, at most 10 MB) and copied into the app's data dir before anything is sent.
    pub async fn upload(&self, customer_id: &str, item_type: &str, file: &Path) -> Result<WriteResult, CoreError> {
        check_document(file).await?;
        let filename = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
        self.write(Some(customer_id), Operation::Upload { item_type: item_type.to_owned(), filename }, Some(file)).await
    }

    /// Runs the background schedule until the returned handle is aborted: every
    /// `every`, send the outbox and refresh customers in flight; every fourth time,
    /// an incremental sync.
    pub fn start_background(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let desk = self.clone();
        tokio::spawn(async move {
            let mut tick = 0u64;
            loop {
                tokio::time::sleep(every).await;
                tick += 1;
                let _ = desk.replay_outbox().await;
                if tick.is_multiple_of(4) || !desk.is_online() {
                    let _ = desk.sync().await;
                } else {
                    let _ = desk.refresh_in_flight().await;
                }
            }
        })
    }
}

/// Checks a file as the API will: PDF, JPEG or PNG by its bytes, at most 10 MB.
pub async fn check_document(file: &Path) -> Result<(), CoreError> {
    use kyc_model::FieldError;
    use tokio::io::AsyncReadExt;
    let invalid = |m: String| CoreError::Invalid(vec![FieldError::new("file", "invalid_file", m)]);
    let meta = tokio::fs::metadata(file).await.map_err(|e| invalid(format!("cannot read {}: {e}", file.display())))?;
    if meta.len() > dinie_api::MAX_DOCUMENT_BYTES {
        return Err(invalid(format!("{:.1} MB is over the 10 MB limit", meta.len() as f64 / 1_048_576.0)));
    }
    let mut head = [0u8; 8];
    let n = tokio::fs::File::open(file)
        .await
        .map_err(|e| invalid(e.to_string()))?
        .read(&mut head)
        .await
        .map_err(|e| invalid(e.to_string()))?;
    if dinie_api::sniff_document(&head[..n]).is_none() {
        return Err(invalid("the file must be a PDF, JPEG or PNG".into()));
    }
    Ok(())
}
