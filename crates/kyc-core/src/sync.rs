//! Sync: page a provider into the cache.
//!
//! A **full sync** walks every customer oldest first and writes each page in one
//! transaction, then records the page's cursor. Killed at any point, the next run
//! starts after the last recorded cursor instead of from the beginning; a page written
//! but not yet recorded is fetched again, which the upsert makes harmless.
//!
//! An **incremental sync** walks customers most recently changed first and stops at the
//! first one the cache already has at that `updated_at`: what changed since the last
//! sync, and nothing more. Killed, it simply runs again.
//!
//! **In-flight refresh** re-reads, one by one, the customers with an item in review:
//! what staff are waiting on, refreshed more often than the rest.

use crate::{CoreError, Page, Provider};
use futures::StreamExt;
use kyc_model::Stage;
use kyc_store::Store;
use serde::Serialize;
use std::time::Instant;
use time::OffsetDateTime;
use ts_rs::TS;

/// Meta key holding the cursor of the last page a full sync wrote.
pub const META_FULL_SYNC_CURSOR: &str = "full_sync_cursor";

/// Customers per page requested from the provider (the API's maximum).
pub const PAGE_SIZE: u32 = 100;

/// Customers a full sync writes per transaction.
pub const WRITE_BATCH: usize = 1000;

/// How a sync is going, sent to the UI after every page.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncProgress {
    /// Pages written so far.
    pub pages: u32,
    /// Customers written so far.
    pub customers: u32,
    /// Time since the sync started, in milliseconds.
    pub elapsed_ms: u32,
    /// Customers per second so far.
    pub per_second: f64,
    /// Whether this run resumed an interrupted one.
    pub resumed: bool,
    /// Full or incremental.
    pub kind: SyncKind,
    /// Ids written in the last page (new or changed), for the UI to refresh.
    #[serde(skip)]
    #[ts(skip)]
    pub changed: Vec<String>,
    /// Timeline entries the last page recorded (transitions of cached customers).
    #[serde(skip)]
    #[ts(skip)]
    pub changes: Vec<kyc_store::Change>,
    /// Whether the sync has finished.
    pub done: bool,
}

/// Which walk a sync takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SyncKind {
    /// Every customer.
    Full,
    /// What changed since the last sync.
    Incremental,
}

impl SyncProgress {
    fn new(kind: SyncKind, resumed: bool) -> Self {
        Self {
            pages: 0,
            customers: 0,
            elapsed_ms: 0,
            per_second: 0.0,
            resumed,
            kind,
            changed: Vec::new(),
            changes: Vec::new(),
            done: false,
        }
    }

    /// Counts a written page of `n` customers and what the write reported.
    fn page_written(&mut self, n: usize, report: kyc_store::UpsertReport, started: Instant) {
        self.pages_written(1, n, report, started);
    }

    fn pages_written(&mut self, pages: u32, n: usize, report: kyc_store::UpsertReport, started: Instant) {
        self.changed = report.inserted.into_iter().chain(report.updated).collect();
        self.changes = report.changes;
        self.pages += pages;
        self.customers += u32::try_from(n).unwrap_or(u32::MAX);
        let elapsed = started.elapsed();
        self.elapsed_ms = u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX);
        self.per_second = f64::from(self.customers) / elapsed.as_secs_f64().max(1e-3);
    }
}

/// How many customers are read in full at once from a provider that lists summaries.
const FULL_READS_AT_ONCE: usize = 8;

/// A page of summaries made whole: each customer new to the cache or changed since
/// (by `updated_at`) is read in full; the others are the cache's own copies, so the
/// upsert changes nothing. One gone between the list and its read is left out.
async fn complete(provider: &dyn Provider, store: &Store, mut page: Page) -> Result<Page, CoreError> {
    if !page.summaries {
        return Ok(page);
    }
    let ids: Vec<String> = page.customers.iter().map(|c| c.id.clone()).collect();
    let cached: std::collections::HashMap<String, kyc_model::Customer> =
        store.get_customers(&ids).await?.into_iter().map(|c| (c.id.clone(), c)).collect();
    let ms = |t: OffsetDateTime| t.unix_timestamp_nanos() / 1_000_000;
    let mut reads = Vec::new();
    for (i, c) in page.customers.iter_mut().enumerate() {
        match cached.get(&c.id) {
            Some(known) if ms(known.updated_at) == ms(c.updated_at) => *c = known.clone(),
            _ => reads.push((i, c.id.clone())),
        }
    }
    let read: Vec<(usize, Result<kyc_model::Customer, CoreError>)> = futures::stream::iter(reads)
        .map(|(i, id)| async move { (i, provider.get_customer(&id).await) })
        .buffer_unordered(FULL_READS_AT_ONCE)
        .collect()
        .await;
    let mut gone = std::collections::HashSet::new();
    for (i, r) in read {
        match r {
            Ok(c) => page.customers[i] = c,
            Err(CoreError::Api(f)) if f.status() == Some(404) => {
                gone.insert(i);
            }
            Err(e) => return Err(e),
        }
    }
    if !gone.is_empty() {
        let mut i = 0;
        page.customers.retain(|_| {
            i += 1;
            !gone.contains(&(i - 1))
        });
    }
    Ok(page)
}

/// Runs a full sync, reporting progress after each page.
pub async fn full_sync(
    provider: &dyn Provider,
    store: &Store,
    on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<SyncProgress, CoreError> {
    let started = Instant::now();
    let cursor = store.meta(META_FULL_SYNC_CURSOR).await?;
    let mut progress = SyncProgress::new(SyncKind::Full, cursor.is_some());
    if progress.resumed {
        tracing::info!(provider = provider.name(), "resuming an interrupted full sync");
    }
    // The next page is always being fetched while SQLite writes: its cursor is known
    // before the write, so the network and the disk work at the same time. Pages are
    // written WRITE_BATCH customers to a transaction (one commit instead of ten), after
    // a first page that is written alone.
    let mut page = complete(provider, store, provider.list_page(cursor.clone(), PAGE_SIZE).await?).await?;
    let mut batch: Vec<kyc_model::Customer> = Vec::with_capacity(WRITE_BATCH + PAGE_SIZE as usize);
    let mut pages_in_batch = 0u32;
    // A list walked by page number shifts when customers are created during the walk,
    // so one can come twice: written and counted once.
    let mut seen = std::collections::HashSet::new();
    loop {
        let next_cursor = page.next_cursor.clone();
        page.customers.retain(|c| seen.insert(c.id.clone()));
        batch.append(&mut page.customers);
        pages_in_batch += 1;
        // The first page is written alone, so a first start shows customers at once.
        let flush = batch.len() >= WRITE_BATCH || next_cursor.is_none() || progress.pages == 0;
        let fetch = async {
            match &next_cursor {
                Some(c) => Some(match provider.list_page(Some(c.clone()), PAGE_SIZE).await {
                    Ok(p) => complete(provider, store, p).await,
                    Err(e) => Err(e),
                }),
                None => None,
            }
        };
        let next_page = if flush {
            let write = store.upsert_customers(&batch, OffsetDateTime::now_utc());
            let (report, next_page) = tokio::join!(write, fetch);
            let report = report?;
            progress.pages_written(pages_in_batch, batch.len(), report, started);
            batch.clear();
            pages_in_batch = 0;
            if let Some(next) = &next_cursor {
                // Recorded only once its pages are written: a crash re-fetches at most
                // one batch, and writing a customer twice changes nothing.
                store.set_meta(META_FULL_SYNC_CURSOR, next).await?;
                on_progress(&progress);
            }
            next_page
        } else {
            fetch.await
        };
        let Some(next_page) = next_page else { break };
        page = next_page?;
    }
    store.set_last_sync(OffsetDateTime::now_utc()).await?;
    store.delete_meta(META_FULL_SYNC_CURSOR).await?;
    progress.done = true;
    on_progress(&progress);
    tracing::info!(
        provider = provider.name(),
        customers = progress.customers,
        pages = progress.pages,
        "full sync done"
    );
    Ok(progress)
}

/// Runs an incremental sync: newest changes first, until it reaches a customer the cache
/// already has at that `updated_at`. With an empty cache it is a full walk.
pub async fn incremental_sync(
    provider: &dyn Provider,
    store: &Store,
    on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<SyncProgress, CoreError> {
    let started = Instant::now();
    let high_water = store.max_updated_at().await?;
    let mut progress = SyncProgress::new(SyncKind::Incremental, false);
    let mut cursor = None;
    loop {
        let page = provider.changes_page(cursor.take(), PAGE_SIZE).await?;
        // Summaries are compared by their `updated_at` first: only what is new is read.
        // Everything up to the first customer not newer than what the cache has, compared
        // at the cache's precision (milliseconds), so equal times are equal.
        let ms = |t: OffsetDateTime| t.unix_timestamp_nanos() / 1_000_000;
        let reached = page.customers.iter().position(|c| high_water.is_some_and(|hw| ms(c.updated_at) <= ms(hw)));
        let page = Page {
            customers: page.customers[..reached.unwrap_or(page.customers.len())].to_vec(),
            next_cursor: page.next_cursor,
            summaries: page.summaries,
        };
        let page = complete(provider, store, page).await?;
        let fresh = &page.customers[..];
        let report = store.upsert_customers(fresh, OffsetDateTime::now_utc()).await?;
        cache_products_of_newly_approved(provider, store, &report).await?;
        progress.page_written(fresh.len(), report, started);
        match (reached, page.next_cursor) {
            (None, Some(next)) => {
                cursor = Some(next);
                on_progress(&progress);
            }
            _ => break,
        }
    }
    store.set_last_sync(OffsetDateTime::now_utc()).await?;
    progress.done = true;
    on_progress(&progress);
    tracing::info!(provider = provider.name(), changed = progress.customers, "incremental sync done");
    Ok(progress)
}

/// Re-reads up to `limit` customers with an item in review; reports what changed.
pub async fn refresh_in_flight(
    provider: &dyn Provider,
    store: &Store,
    limit: u32,
) -> Result<kyc_store::UpsertReport, CoreError> {
    let mut all = kyc_store::UpsertReport::default();
    for id in store.in_flight_ids(limit).await? {
        let report = refresh_customer(provider, store, &id).await?;
        all.updated.extend(report.updated);
        all.changes.extend(report.changes);
    }
    Ok(all)
}

/// Re-reads one customer into the cache (its timeline records what changed), and its
/// offers if it just became active.
pub async fn refresh_customer(
    provider: &dyn Provider,
    store: &Store,
    id: &str,
) -> Result<kyc_store::UpsertReport, CoreError> {
    let c = provider.get_customer(id).await?;
    let report = store.upsert_customers(&[c], OffsetDateTime::now_utc()).await?;
    cache_products_of_newly_approved(provider, store, &report).await?;
    Ok(report)
}

/// A customer whose KYC was just approved is when products appear (offers, cards,
/// wallets): cache them.
async fn cache_products_of_newly_approved(
    provider: &dyn Provider,
    store: &Store,
    report: &kyc_store::UpsertReport,
) -> Result<(), CoreError> {
    if provider.describe().products.is_empty() {
        return Ok(());
    }
    for ch in report.changes.iter().filter(|c| c.kind == "status") {
        let approved = store.get_customer(&ch.customer_id).await?.is_some_and(|c| c.stage == Stage::Approved);
        if approved {
            let products = provider.products(&ch.customer_id).await?;
            store.replace_products(&ch.customer_id, &products).await?;
        }
    }
    Ok(())
}
