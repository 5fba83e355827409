//! [`Desk`]: the use-cases the shell calls, for one connection profile.

use crate::events::{CoreEvent, EventSink};
use crate::outbox::{self, Operation, Outcome, ReplayReport};
use crate::sealed::DocumentSeal;
use crate::sync::{self, SyncProgress};
use crate::views::{
    BiometricsView, ChangeView, CustomerDetail, CustomerListQuery, CustomerPage, CustomerRow, CustomerSort,
    DocumentView, IdentifierView, KycItemView, ProductView, ProfileView, StageCount, WriteView, rfc3339,
};
use crate::{CoreError, ErrorView, Provider};
use kyc_model::{FieldError, FormSpec, FormValues, Product, ProviderSpec, Stage};
use kyc_store::{ListOrder, SearchQuery, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

/// Today, for the forms' date checks (ages).
pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// Which connection a desk serves.
#[derive(Debug, Clone)]
pub struct ProfileInfo {
    /// Display name.
    pub name: String,
    /// API base URL.
    pub base_url: String,
    /// Whether this is the built-in demo sandbox.
    pub is_demo: bool,
    /// Whether the provider delivers webhooks to this desk (see [`crate::live`]).
    pub webhooks: bool,
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
    /// Seals the document copies (when the cache is encrypted).
    seal: Option<DocumentSeal>,
    /// The customer open in the window (see [`Desk::watch`]).
    watched: Arc<std::sync::Mutex<Watched>>,
    /// Files attached to forms, not sent yet.
    pub(crate) attached: crate::after_kyc::AttachedFiles,
    /// Where its actions are journaled (set by the shell).
    recorder: Arc<std::sync::RwLock<Option<crate::workbench::Recorder>>>,
    /// Who is at the desk (set by the shell; the OS user until then).
    author: Arc<std::sync::RwLock<Option<crate::workbench::AuthorSource>>>,
}

/// The customer the window shows, and until when a biometric capture of theirs may be
/// running.
#[derive(Debug, Default)]
struct Watched {
    id: Option<String>,
    capture_until: Option<time::OffsetDateTime>,
}

/// How often the customer open in the window is re-read while something about them is
/// pending: a document in review, a biometric capture, the offer that follows activation.
/// (Webhooks, where the provider can send them, usually tell sooner.)
pub const WATCH_EVERY: Duration = Duration::from_secs(3);

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("provider", &self.provider.name()).field("profile", &self.profile).finish()
    }
}

/// The forms that keep drafts.
pub const DRAFT_KINDS: &[&str] = &["register"];

/// The largest draft kept (a form's fields, not files).
const MAX_DRAFT_BYTES: usize = 64 * 1024;

fn check_draft_kind(kind: &str) -> Result<(), CoreError> {
    if DRAFT_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(CoreError::Invalid(vec![kyc_model::FieldError::new("kind", "unknown", format!("no draft {kind:?}"))]))
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
        let watched: Arc<std::sync::Mutex<Watched>> = Arc::default();
        let (changed, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(announce_changes(rx, store.clone(), watched.clone(), events.clone()));
        let events: Arc<dyn EventSink> = Arc::new(Announcer { inner: events, changed });
        Self {
            provider,
            store,
            profile,
            documents_dir,
            events,
            online: Arc::new(AtomicBool::new(true)),
            sync_lock: Arc::default(),
            outbox_lock: Arc::default(),
            seal: None,
            watched,
            attached: Arc::default(),
            recorder: Arc::default(),
            author: Arc::default(),
        }
    }

    /// Asks `who` for the name of whoever is at the desk from now on.
    pub fn set_author(&self, who: crate::workbench::AuthorSource) {
        *self.author.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(who);
    }

    /// Who is at the desk: the shell's answer, else the OS user.
    pub(crate) fn author(&self) -> String {
        match self.author.read().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            Some(who) => who(),
            None => crate::author(),
        }
    }

    /// Journals this desk's actions with `r` from now on.
    pub fn set_recorder(&self, r: crate::workbench::Recorder) {
        *self.recorder.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(r);
    }

    /// Journals an action: the customer (ids only), what, and how it ended.
    pub(crate) fn record(&self, customer: Option<&str>, action: &str, outcome: &str) {
        if let Some(r) = self.recorder.read().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            r(customer, action, outcome);
        }
    }

    /// Journals a write's outcome.
    fn record_write(&self, customer: Option<&str>, action: &str, r: &Result<WriteResult, CoreError>) {
        let (id, outcome) = match r {
            Ok(WriteResult::Done { customer_id, created: true }) => (Some(customer_id.as_str()), "created"),
            Ok(WriteResult::Done { customer_id, created: false }) => (Some(customer_id.as_str()), "done"),
            Ok(WriteResult::Queued { .. }) => (customer, "queued"),
            Ok(WriteResult::Refused(_)) => (customer, "refused"),
            Err(_) => (customer, "invalid"),
        };
        self.record(id, action, outcome);
    }

    pub(crate) fn provider(&self) -> &dyn Provider {
        self.provider.as_ref()
    }

    pub(crate) fn documents_dir(&self) -> &Path {
        &self.documents_dir
    }

    pub(crate) fn seal(&self) -> Option<&DocumentSeal> {
        self.seal.as_ref()
    }

    pub(crate) fn emit(&self, e: CoreEvent) {
        self.events.emit(e);
    }

    /// A desk on the provider `provider` at the profile's address, with its
    /// credentials (see [`crate::connectors`]).
    pub async fn connect(
        provider: &str,
        profile: ProfileInfo,
        credentials: &crate::connection::Credentials,
        profile_dir: &Path,
        cache_key: Option<&kyc_store::CacheKey>,
        events: Arc<dyn EventSink>,
    ) -> Result<Self, CoreError> {
        let provider = crate::connectors::open(provider, &profile.base_url, credentials)?;
        Self::open(provider, profile, profile_dir, cache_key, events).await
    }

    /// A desk on `provider`, with its cache and documents in `profile_dir`.
    ///
    /// With `cache_key` the cache is encrypted (an unencrypted one from an earlier
    /// version is encrypted in place first) and document copies are sealed.
    pub async fn open(
        provider: Arc<dyn Provider>,
        profile: ProfileInfo,
        profile_dir: &Path,
        cache_key: Option<&kyc_store::CacheKey>,
        events: Arc<dyn EventSink>,
    ) -> Result<Self, CoreError> {
        let path = profile_dir.join("cache.sqlite");
        if cache_key.is_none() && kyc_store::is_encrypted(&path)? {
            // Encrypted with a key the keychain no longer gives. Demo data is set aside
            // (never deleted) and the demo starts afresh; a real profile's cache (its
            // outbox above all) is not to be lost behind the user's back.
            if !profile.is_demo {
                return Err(CoreError::Keychain(
                    "this connection's cache is encrypted and the keychain does not give its key; \
                     unlock the keychain, or remove the connection and add it again"
                        .into(),
                ));
            }
            let aside = profile_dir.join("cache.sqlite.unreadable");
            tracing::warn!("the demo cache's key is not in the keychain; starting a fresh demo cache");
            std::fs::rename(&path, &aside).map_err(|e| CoreError::Io(format!("{}: {e}", path.display())))?;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(profile_dir.join(format!("cache.sqlite{suffix}")));
            }
        }
        let store = match cache_key {
            Some(key) => Store::open_encrypted(&path, key).await?,
            None => Store::open(&path).await?,
        };
        let documents = profile_dir.join("documents");
        let swept = outbox::sweep_strays(&store, &documents).await?;
        if swept > 0 {
            tracing::info!(swept, "removed upload copies left by a crash before they were queued");
        }
        let seal = cache_key.map(DocumentSeal::new);
        if let Some(seal) = &seal {
            let sealed = outbox::seal_old_copies(&store, seal).await?;
            if sealed > 0 {
                tracing::info!(sealed, "sealed document copies an earlier version kept in the clear");
            }
        }
        let desk = Self::new(provider, store, profile, documents, events);
        Ok(Self { seal, ..desk })
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
    pub(crate) fn observe<T>(&self, r: &Result<T, CoreError>) {
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
            webhooks: self.profile.webhooks && self.provider.describe().capabilities.webhooks,
        }
    }

    /// A page of cached customers, searched and filtered. Reads only the cache, so it
    /// works offline.
    pub async fn list_customers(&self, q: &CustomerListQuery) -> Result<CustomerPage, CoreError> {
        self.list_customers_among(q, None).await
    }

    /// [`Desk::list_customers`] among `only` these customers (a tag's), when given.
    pub async fn list_customers_among(
        &self,
        q: &CustomerListQuery,
        only: Option<Vec<String>>,
    ) -> Result<CustomerPage, CoreError> {
        let order = match q.sort {
            CustomerSort::Newest => ListOrder::CreatedDesc,
            CustomerSort::RecentlyUpdated => ListOrder::UpdatedDesc,
            CustomerSort::Name => ListOrder::NameAsc,
        };
        let result = self
            .store
            .search(&SearchQuery {
                text: q.text.clone(),
                stages: q.stages.clone(),
                order,
                offset: q.offset,
                limit: q.limit.clamp(1, MAX_LIST_LIMIT),
                only,
            })
            .await?;
        Ok(CustomerPage {
            rows: result.customers.iter().map(CustomerRow::from).collect(),
            total: u32::try_from(result.total).unwrap_or(u32::MAX),
            total_capped: result.total_capped,
            last_sync_at: self.store.last_sync().await?.map(rfc3339),
            stage_counts: self
                .store
                .stage_counts()
                .await?
                .into_iter()
                .map(|(stage, count)| StageCount { stage, count: u32::try_from(count).unwrap_or(u32::MAX) })
                .collect(),
            online: self.is_online(),
        })
    }

    /// Forwards a sync's progress to the UI and keeps the transitions it recorded, to
    /// be announced when it ends.
    fn progress_events<'a>(
        &'a self,
        changes: &'a std::sync::Mutex<Vec<kyc_store::Change>>,
    ) -> impl Fn(&SyncProgress) + Send + Sync + 'a {
        move |p: &SyncProgress| {
            self.events.emit(CoreEvent::SyncProgress(p.clone()));
            if !p.changed.is_empty() {
                self.events.emit(CoreEvent::CustomersChanged { ids: p.changed.clone() });
            }
            changes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(p.changes.iter().cloned());
        }
    }

    /// Tells the UI what among `changes` deserves a notification (if anything).
    async fn announce(&self, changes: &[kyc_store::Change]) {
        match crate::notices::from_changes(&self.store, changes).await {
            Ok(notices) if !notices.is_empty() => {
                tracing::info!(count = notices.len(), "notices");
                self.events.emit(CoreEvent::Notices { notices });
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not work out notices"),
        }
    }

    /// Syncs: a full sync the first time (or to finish an interrupted one), an
    /// incremental one after that. Concurrent calls wait for the running sync.
    pub async fn sync(&self) -> Result<SyncProgress, CoreError> {
        let _guard = self.sync_lock.lock().await;
        let full =
            self.store.last_sync().await?.is_none() || self.store.meta(sync::META_FULL_SYNC_CURSOR).await?.is_some();
        let changes = std::sync::Mutex::default();
        let on_progress = self.progress_events(&changes);
        let r = if full {
            sync::full_sync(self.provider.as_ref(), &self.store, &on_progress).await
        } else {
            sync::incremental_sync(self.provider.as_ref(), &self.store, &on_progress).await
        };
        self.observe(&r);
        drop(on_progress);
        self.announce(&changes.into_inner().unwrap_or_default()).await;
        r
    }

    /// Walks every customer again (e.g. after a long time offline).
    pub async fn full_sync(&self) -> Result<SyncProgress, CoreError> {
        let _guard = self.sync_lock.lock().await;
        let changes = std::sync::Mutex::default();
        let r = sync::full_sync(self.provider.as_ref(), &self.store, &self.progress_events(&changes)).await;
        self.observe(&r);
        self.announce(&changes.into_inner().unwrap_or_default()).await;
        r
    }

    /// Re-reads the customers with an item in review; returns the ids that changed.
    pub async fn refresh_in_flight(&self) -> Result<Vec<String>, CoreError> {
        let r = sync::refresh_in_flight(self.provider.as_ref(), &self.store, 50).await;
        self.observe(&r);
        let report = r?;
        if !report.updated.is_empty() {
            self.events.emit(CoreEvent::CustomersChanged { ids: report.updated.clone() });
        }
        self.announce(&report.changes).await;
        Ok(report.updated)
    }

    /// A customer's products (credit offers, cards, wallets): fresh from the API (and
    /// cached), or from the cache when the API cannot be reached.
    pub async fn products(&self, customer_id: &str) -> Result<Vec<Product>, CoreError> {
        if self.provider.describe().products.is_empty() {
            return Ok(Vec::new());
        }
        let fresh = self.provider.products(customer_id).await;
        self.observe(&fresh);
        match fresh {
            Ok(products) => {
                let cached = self.store.products_for(customer_id).await?;
                let same = cached.len() == products.len() && products.iter().all(|p| cached.contains(p));
                if !same {
                    self.store.replace_products(customer_id, &products).await?;
                    self.events.emit(CoreEvent::CustomersChanged { ids: vec![customer_id.to_owned()] });
                }
                Ok(products)
            }
            Err(CoreError::Api(e)) if e.is_unreachable() => Ok(self.store.products_for(customer_id).await?),
            Err(e) => Err(e),
        }
    }

    /// A provider said a customer has new products: cache them (the UI is told when
    /// they differ from the cached ones).
    pub async fn products_arrived(&self, customer_id: &str) -> Result<(), CoreError> {
        self.products(customer_id).await.map(drop)
    }

    /// The writes the API refused in the background, with why and what they were.
    pub async fn refused_writes(&self) -> Result<Vec<outbox::RefusedWrite>, CoreError> {
        outbox::refused(&self.store).await
    }

    /// Takes a refused write out of the outbox (the user has read it, or redoes it).
    pub async fn dismiss_write(&self, seq: i64) -> Result<(), CoreError> {
        outbox::dismiss(&self.store, seq).await?;
        self.events.emit(CoreEvent::OutboxChanged(outbox::summary(&self.store).await?));
        Ok(())
    }

    /// A form's draft (what was typed and not yet sent), from the encrypted cache.
    pub async fn draft(&self, kind: &str) -> Result<Option<String>, CoreError> {
        check_draft_kind(kind)?;
        Ok(self.store.draft(kind).await?)
    }

    /// Keeps a form's draft in the encrypted cache (not in the webview's storage).
    pub async fn save_draft(&self, kind: &str, draft: &str) -> Result<(), CoreError> {
        check_draft_kind(kind)?;
        if draft.len() > MAX_DRAFT_BYTES {
            return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
                "draft",
                "too_long",
                format!("a draft is at most {} KB", MAX_DRAFT_BYTES / 1024),
            )]));
        }
        Ok(self.store.set_draft(kind, draft).await?)
    }

    /// Drops a form's draft.
    pub async fn clear_draft(&self, kind: &str) -> Result<(), CoreError> {
        check_draft_kind(kind)?;
        Ok(self.store.clear_draft(kind).await?)
    }

    /// The outbox at a glance (the toolbar's counts at start).
    pub async fn outbox_summary(&self) -> Result<crate::events::OutboxSummary, CoreError> {
        outbox::summary(&self.store).await
    }

    /// Sends the outbox (one replay at a time).
    pub async fn replay_outbox(&self) -> Result<ReplayReport, CoreError> {
        let _guard = self.outbox_lock.lock().await;
        let r = outbox::replay(self.provider.as_ref(), &self.store, &self.events, self.seal.as_ref()).await;
        match &r {
            Ok(report) if report.offline => self.online.store(false, Ordering::Relaxed),
            _ => self.observe(&r),
        }
        if let Ok(ReplayReport { credentials_refused: Some(error), .. }) = &r {
            tracing::warn!(code = %error.code, "the API refused the credentials; queued writes wait");
            self.events.emit(CoreEvent::CredentialsRefused { error: error.clone() });
        }
        r
    }

    /// Sends a refused write again (after what was wrong was fixed on the API's side).
    pub async fn retry_write(&self, seq: i64) -> Result<ReplayReport, CoreError> {
        outbox::retry(&self.store, seq).await?;
        self.events.emit(CoreEvent::OutboxChanged(outbox::summary(&self.store).await?));
        self.replay_outbox().await
    }

    async fn write(
        &self,
        customer_id: Option<&str>,
        op: Operation,
        file: Option<outbox::Attachment>,
        form_files: Vec<(String, outbox::Attachment)>,
    ) -> Result<WriteResult, CoreError> {
        let entry =
            outbox::enqueue(&self.store, customer_id, &op, file, form_files, &self.documents_dir, self.seal.as_ref())
                .await?;
        self.events.emit(CoreEvent::OutboxChanged(outbox::summary(&self.store).await?));
        let report = self.replay_outbox().await?;
        let outcome = report.outcomes.iter().find(|(seq, _)| *seq == entry.seq).map(|(_, o)| o.clone());
        Ok(match outcome {
            Some(Outcome::Done { customer_id, created }) => WriteResult::Done { customer_id, created },
            Some(Outcome::Failed(view)) => {
                // Refused while the user waits: the form or the upload shows why and keeps
                // what was typed or picked, so the outbox need not keep it as well.
                outbox::dismiss(&self.store, entry.seq).await?;
                self.events.emit(CoreEvent::OutboxChanged(outbox::summary(&self.store).await?));
                WriteResult::Refused(view)
            }
            Some(Outcome::Queued) | None => WriteResult::Queued { seq: entry.seq },
        })
    }

    /// Verifies and reads a webhook for this desk's provider (see
    /// [`Provider::read_webhook`]).
    pub fn read_webhook(
        &self,
        secret: &str,
        header: crate::provider::Header<'_>,
        body: &[u8],
    ) -> Result<crate::provider::Webhook, String> {
        self.provider.read_webhook(secret, header, body, time::OffsetDateTime::now_utc())
    }

    /// What the provider can do and the forms it takes.
    pub fn describe(&self) -> &ProviderSpec {
        self.provider.describe()
    }

    /// The form `form` (`register` or `correct`) of this provider.
    fn form(&self, form: &str) -> Result<&FormSpec, CoreError> {
        let spec = self.provider.describe();
        let found = match form {
            "register" if spec.capabilities.register => Some(&spec.register),
            "correct" if spec.capabilities.correct => spec.correct.as_ref(),
            _ => spec.products.iter().filter_map(|p| p.create.as_ref()).find(|f| f.id == form),
        };
        found.ok_or_else(|| {
            CoreError::Invalid(vec![FieldError::new(
                "form",
                "unsupported",
                format!("{} takes no {form} form", spec.name),
            )])
        })
    }

    /// Every problem with a form's values, field by field (live validation; empty if
    /// it can be sent).
    pub fn validate(&self, form: &str, values: &FormValues) -> Result<Vec<FieldError>, CoreError> {
        let spec = self.form(form)?;
        let mut errors = spec.validate(values, today());
        for missing in self.missing_files(spec, values) {
            if !errors.iter().any(|e| e.field == missing.field) {
                errors.push(missing);
            }
        }
        Ok(errors)
    }

    /// Which fields of a form are in use and required with these values.
    pub fn layout(&self, form: &str, values: &FormValues) -> Result<crate::views::FormLayout, CoreError> {
        let spec = self.form(form)?;
        let keys = |keep: &dyn Fn(&kyc_model::FieldSpec) -> bool| {
            spec.fields.iter().filter(|f| keep(f)).map(|f| f.key.clone()).collect::<Vec<_>>()
        };
        Ok(crate::views::FormLayout {
            hidden: keys(&|f| !f.in_use(values)),
            required: keys(&|f| f.is_required(values)),
            ages: spec.ages(values, today()),
        })
    }

    /// A phone as typed into a form's field, read in its country (`11 99999-9999` in
    /// Brazil): formatted for reading, or `None` when it is not a number there.
    pub fn read_phone(&self, form: &str, field: &str, values: &FormValues) -> Result<Option<String>, CoreError> {
        Ok(self.form(form)?.read_phone(field, values))
    }

    /// Checks a form's values and gives them as the provider takes them.
    fn checked(&self, form: &str, values: &FormValues) -> Result<FormValues, CoreError> {
        let spec = self.form(form)?;
        let errors = self.validate(form, values)?;
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        Ok(spec.normalized(values, today()))
    }

    /// Registers a customer from the registration form's values. Invalid fields are
    /// refused here, all at once; a valid registration is queued (with its idempotency
    /// key) and sent at once, or when the API answers again.
    /// File fields hold the ids of files attached with [`Desk::attach_file`]: they
    /// are sealed into the outbox with the registration and sent with it.
    pub async fn register(&self, values: FormValues) -> Result<WriteResult, CoreError> {
        let mut values = self.checked("register", &values)?;
        let (files, ids) = self.take_files(&self.provider.describe().register, &mut values);
        let r = self.write(None, Operation::Register(values), None, files).await;
        self.record_write(None, "register", &r);
        let r = r?;
        if !matches!(r, WriteResult::Refused(_)) {
            // Sent or queued with it: the outbox holds them now (a refused form keeps
            // its files attached, to send again).
            ids.iter().for_each(|id| self.detach_file(id));
        }
        Ok(r)
    }

    /// Corrects a customer's data from the correction form's values.
    pub async fn correct(&self, customer_id: &str, values: FormValues) -> Result<WriteResult, CoreError> {
        let values = self.checked("correct", &values)?;
        let r = self.write(Some(customer_id), Operation::Correct(values), None, Vec::new()).await;
        self.record_write(Some(customer_id), "correct", &r);
        r
    }

    /// Uploads a document for a kyc item. The file is checked (PDF/JPEG/PNG by its
    /// bytes, at most 10 MB) and copied into the app's data dir before anything is sent.
    pub async fn upload(&self, customer_id: &str, item_type: &str, file: &Path) -> Result<WriteResult, CoreError> {
        let invalid = |e: std::io::Error| {
            CoreError::Invalid(vec![kyc_model::FieldError::new(
                "file",
                "invalid_file",
                format!("cannot read {}: {e}", file.display()),
            )])
        };
        // Too large: refused before it is read (the type is checked on its bytes below).
        check_document_size(tokio::fs::metadata(file).await.map_err(invalid)?.len())?;
        let filename = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
        let bytes = tokio::fs::read(file).await.map_err(invalid)?;
        self.upload_bytes(customer_id, item_type, &filename, bytes).await
    }

    /// Uploads a document given as bytes (what the window sends): checked (at most
    /// 10 MB, PDF/JPEG/PNG by its bytes) before anything is written, then sealed straight
    /// into the outbox; nothing is ever written to disk in the clear. Only the last
    /// component of `filename` is kept.
    pub async fn upload_bytes(
        &self,
        customer_id: &str,
        item_type: &str,
        filename: &str,
        bytes: Vec<u8>,
    ) -> Result<WriteResult, CoreError> {
        check_document_size(bytes.len() as u64)?;
        if kyc_model::sniff_document(&bytes).is_none() {
            return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
                "file",
                "invalid_file",
                "the file must be a PDF, JPEG or PNG",
            )]));
        }
        let filename = Path::new(filename)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "document".into());
        let op = Operation::Upload { item_type: item_type.to_owned(), filename: filename.clone() };
        let r = self.write(Some(customer_id), op, Some(outbox::Attachment { filename, bytes }), Vec::new()).await;
        self.record_write(Some(customer_id), "upload", &r);
        r
    }

    /// Everything the detail screen shows of a cached customer: data, checklist,
    /// timeline, documents uploaded from here and products. Reads only the cache.
    pub async fn customer_detail(&self, id: &str) -> Result<CustomerDetail, CoreError> {
        detail_of(&self.store, id).await
    }

    /// The bytes of a document uploaded from this machine, for the viewer (offline too).
    pub async fn document_bytes(&self, customer_id: &str, document_id: &str) -> Result<Vec<u8>, CoreError> {
        let doc = self
            .store
            .documents_for(customer_id)
            .await?
            .into_iter()
            .find(|d| d.id == document_id)
            .ok_or_else(|| CoreError::Io(format!("no document {document_id} for this customer")))?;
        let path = doc.local_path.ok_or_else(|| CoreError::Io("this document has no copy on this machine".into()))?;
        crate::sealed::read(Path::new(&path), self.seal.as_ref()).await
    }

    /// Re-reads one customer from the API into the cache (the detail screen does this
    /// while an item is in review); offline, the cache stays as it is.
    pub async fn refresh_customer(&self, id: &str) -> Result<bool, CoreError> {
        let r = sync::refresh_customer(self.provider.as_ref(), &self.store, id).await;
        self.observe(&r);
        match r {
            Ok(report) => {
                let changed = !report.updated.is_empty() || !report.inserted.is_empty();
                if changed {
                    self.events.emit(CoreEvent::CustomersChanged { ids: vec![id.to_owned()] });
                }
                self.announce(&report.changes).await;
                Ok(changed)
            }
            Err(CoreError::Api(e)) if e.is_unreachable() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Starts a biometric capture session for the customer (needs the API).
    pub async fn start_biometrics(&self, id: &str) -> Result<BiometricsView, CoreError> {
        let key = crate::new_idempotency_key();
        let r = self.provider.start_biometrics(id, &key).await;
        self.observe(&r);
        self.record(Some(id), "biometrics", if r.is_ok() { "started" } else { "refused" });
        let (url, expires) = r?;
        let mut w = self.watched.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.id.as_deref() == Some(id) {
            w.capture_until = Some(expires);
        }
        drop(w);
        Ok(BiometricsView { session_url: url, expires_at: rfc3339(expires) })
    }

    /// Says which customer the window shows (`None`: none). While something about them
    /// is pending — a document in review, a biometric capture started from here, an
    /// active customer's offer not arrived yet — the background schedule re-reads them
    /// every [`WATCH_EVERY`] and tells what changed (`CustomersChanged`): the window
    /// itself never polls.
    pub fn watch(&self, id: Option<&str>) {
        let mut w = self.watched.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.id.as_deref() != id {
            *w = Watched { id: id.map(str::to_owned), capture_until: None };
        }
    }

    /// One look at the watched customer (see [`Desk::watch`]).
    async fn watch_round(&self) {
        let (id, capturing) = {
            let w = self.watched.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            (w.id.clone(), w.capture_until.is_some_and(|t| t > time::OffsetDateTime::now_utc()))
        };
        let Some(id) = id else { return };
        let Ok(Some(c)) = self.store.get_customer(&id).await else { return };
        let _ = self.cache_hosted_documents(&id).await;
        if capturing || c.stage == Stage::InReview || c.kyc.iter().any(|i| i.status.as_str() == "in_review") {
            let _ = self.refresh_customer(&id).await;
        }
        let waiting_for_products = c.stage == Stage::Approved
            && !self.provider.describe().products.is_empty()
            && self.store.products_for(&id).await.is_ok_and(|o| o.is_empty());
        if waiting_for_products {
            // Told to the window by `products` when they arrive.
            let _ = self.products(&id).await;
        }
    }

    /// Runs the background schedule until the returned handle is aborted: every
    /// `every`, send the outbox and refresh customers in flight; every fourth time,
    /// an incremental sync; and every [`WATCH_EVERY`], the watched customer (see
    /// [`Desk::watch`]).
    ///
    /// Supervised: each round runs as a task of its own, so a panic in it (a bug, or a
    /// hostile answer that slipped through) ends that round only. The schedule goes on
    /// after a pause that doubles with each failed round in a row (up to 32 × `every`),
    /// and the UI is told ([`CoreEvent::Background`]) that rounds are failing and when
    /// they run again.
    pub fn start_background(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let desk = self.clone();
        tokio::spawn(async move {
            // The watch lane: its own timer, aborted with the schedule.
            let watcher = desk.clone();
            let _watch = AbortOnDrop(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(WATCH_EVERY).await;
                    let d = watcher.clone();
                    // A round of its own, so a panic in one ends only that round.
                    let _ = tokio::spawn(async move { d.watch_round().await }).await;
                }
            }));
            let mut tick = 0u64;
            let mut failures = 0u32;
            loop {
                tokio::time::sleep(every.saturating_mul(1 << failures.min(5))).await;
                tick += 1;
                let d = desk.clone();
                // Aborted with the schedule (a profile switch), not left running.
                let mut round = AbortOnDrop(tokio::spawn(async move { d.background_round(tick).await }));
                match (&mut round.0).await {
                    Ok(()) if failures > 0 => {
                        failures = 0;
                        tracing::info!("background rounds run again");
                        desk.events.emit(CoreEvent::Background { failing: false, retry_in_secs: 0 });
                    }
                    Ok(()) => {}
                    Err(e) if e.is_panic() => {
                        failures = failures.saturating_add(1);
                        let retry_in = every.saturating_mul(1 << failures.min(5));
                        tracing::error!(failures, retry_in_secs = retry_in.as_secs(), "a background round panicked");
                        desk.events.emit(CoreEvent::Background { failing: true, retry_in_secs: retry_in.as_secs() });
                    }
                    Err(_) => return,
                }
            }
        })
    }

    /// One round of the background schedule.
    async fn background_round(&self, tick: u64) {
        let _ = self.replay_outbox().await;
        if tick.is_multiple_of(4) || !self.is_online() {
            let _ = self.sync().await;
        } else {
            let _ = self.refresh_in_flight().await;
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl WriteResult {
    /// The UI's view of it; `registration` tells a 201 from an accepted correction.
    pub fn view(self, registration: bool) -> WriteView {
        match self {
            Self::Done { customer_id, created: true } if registration => WriteView::Created { customer_id },
            Self::Done { customer_id, .. } if registration => WriteView::Existed { customer_id },
            Self::Done { customer_id, .. } => WriteView::Accepted { customer_id },
            Self::Queued { seq } => WriteView::Queued { seq: u32::try_from(seq).unwrap_or(u32::MAX) },
            Self::Refused(error) => WriteView::Refused { error },
        }
    }
}

/// Refuses a document over the 10 MB limit (checked before a file is written anywhere).
pub fn check_document_size(len: u64) -> Result<(), CoreError> {
    if len > kyc_model::MAX_DOCUMENT_BYTES {
        return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
            "file",
            "invalid_file",
            format!("{:.1} MB is over the 10 MB limit", len as f64 / 1_048_576.0),
        )]));
    }
    Ok(())
}

/// Everything the detail screen shows of a cached customer (see [`Desk::customer_detail`]).
async fn detail_of(store: &Store, id: &str) -> Result<CustomerDetail, CoreError> {
    let c = store.get_customer(id).await?.ok_or_else(|| {
        CoreError::Invalid(vec![kyc_model::FieldError::new("id", "not_found", format!("no cached customer {id}"))])
    })?;
    let (done, total) = c.kyc_progress();
    // The store gives them oldest first; the screen wants the newest on top.
    let timeline: Vec<ChangeView> = store
        .changes_for(id)
        .await?
        .into_iter()
        .map(|ch| ChangeView {
            at: rfc3339(ch.at),
            kind: ch.kind,
            item_type: ch.item_type,
            old_value: ch.old_value,
            new_value: ch.new_value,
            message: ch.message,
        })
        .rev()
        .collect();
    let documents = store
        .documents_for(id)
        .await?
        .into_iter()
        .map(|d| DocumentView {
            hosted: d.id.starts_with("hosted-"),
            id: d.id,
            item_type: d.item_type,
            filename: d.filename,
            content_type: d.content_type,
            size: u32::try_from(d.size).unwrap_or(u32::MAX),
            uploaded_at: d.uploaded_at.map(rfc3339),
            local_copy: d.local_path.as_deref().is_some_and(|p| Path::new(p).is_file()),
            thumbnail: d.thumbnail.as_deref().map(|png| {
                use base64::Engine;
                format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png))
            }),
        })
        .collect();
    let products = store.products_for(id).await?.iter().map(ProductView::from).collect();
    Ok(CustomerDetail {
        id: c.id.clone(),
        party: c.party.as_str().to_owned(),
        name: c.name.clone(),
        given_name: c.given_name.clone(),
        family_name: c.family_name.clone(),
        trading_name: c.trading_name.clone(),
        identifiers: c.identifiers.iter().map(IdentifierView::from).collect(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        address: c.address.clone().map(Into::into),
        birth_date: c.birth_date.map(|d| d.to_string()),
        external_id: c.external_id.clone(),
        status: c.status.clone(),
        stage: c.stage.as_str().to_owned(),
        products,
        kyc_done: u32::try_from(done).unwrap_or(u32::MAX),
        kyc_total: u32::try_from(total).unwrap_or(u32::MAX),
        kyc: c.kyc.iter().map(KycItemView::from).collect(),
        timeline,
        documents,
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
    })
}

/// The desk's sink: what the core says changed reaches the window as the customers
/// themselves ([`announce_changes`]); everything else passes through.
struct Announcer {
    inner: Arc<dyn EventSink>,
    changed: tokio::sync::mpsc::UnboundedSender<Vec<String>>,
}

impl EventSink for Announcer {
    fn emit(&self, event: CoreEvent) {
        match event {
            CoreEvent::CustomersChanged { ids } => {
                let _ = self.changed.send(ids);
            }
            other => self.inner.emit(other),
        }
    }
}

/// Reads the customers the core said changed from the cache, in order, and tells the
/// window: their rows, and the detail of the one it shows. Changes that arrive while
/// one batch is read go out together in the next. Ends with the desk.
async fn announce_changes(
    mut changed: tokio::sync::mpsc::UnboundedReceiver<Vec<String>>,
    store: Store,
    watched: Arc<std::sync::Mutex<Watched>>,
    events: Arc<dyn EventSink>,
) {
    while let Some(mut ids) = changed.recv().await {
        while let Ok(more) = changed.try_recv() {
            ids.extend(more);
        }
        ids.sort_unstable();
        ids.dedup();
        match store.get_customers(&ids).await {
            Ok(customers) if !customers.is_empty() => {
                let customers = customers.iter().map(CustomerRow::from).collect();
                events.emit(CoreEvent::CustomersUpdated { customers });
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not read changed customers"),
        }
        let shown = watched.lock().unwrap_or_else(std::sync::PoisonError::into_inner).id.clone();
        if let Some(id) = shown.filter(|id| ids.binary_search(id).is_ok()) {
            match detail_of(&store, &id).await {
                Ok(detail) => events.emit(CoreEvent::CustomerDetail { detail: Box::new(detail) }),
                Err(e) => tracing::warn!(error = %e, "could not read the shown customer"),
            }
        }
    }
}
