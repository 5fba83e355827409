//! Sync: page a provider into the cache.
//!
//! A full sync walks every customer oldest first and writes each page in one
//! transaction, then records the page's cursor. Killed at any point, the next run
//! starts after the last recorded cursor instead of from the beginning; a page written
//! but not yet recorded is fetched again, which the upsert makes harmless.

use crate::{CoreError, Provider};
use kyc_store::Store;
use serde::Serialize;
use std::time::Instant;
use time::OffsetDateTime;
use ts_rs::TS;

/// Meta key holding the cursor of the last page a full sync wrote.
pub const META_FULL_SYNC_CURSOR: &str = "full_sync_cursor";

/// Customers per page requested from the provider (the API's maximum).
pub const PAGE_SIZE: u32 = 100;

/// How a sync is going, sent to the UI after every page.
#[derive(Debug, Clone, Serialize, TS)]
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
    /// Whether the sync has finished.
    pub done: bool,
}

/// Runs a full sync, reporting progress after each page.
pub async fn full_sync(
    provider: &dyn Provider,
    store: &Store,
    on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<SyncProgress, CoreError> {
    let started = Instant::now();
    let mut cursor = store.meta(META_FULL_SYNC_CURSOR).await?;
    let mut progress =
        SyncProgress { pages: 0, customers: 0, elapsed_ms: 0, per_second: 0.0, resumed: cursor.is_some(), done: false };
    if progress.resumed {
        tracing::info!(provider = provider.name(), "resuming an interrupted full sync");
    }
    loop {
        let page = provider.list_page(cursor.clone(), PAGE_SIZE).await?;
        store.upsert_customers(&page.customers, OffsetDateTime::now_utc()).await?;
        progress.pages += 1;
        progress.customers += u32::try_from(page.customers.len()).unwrap_or(u32::MAX);
        let elapsed = started.elapsed();
        progress.elapsed_ms = u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX);
        progress.per_second = f64::from(progress.customers) / elapsed.as_secs_f64().max(1e-3);
        let Some(next) = page.next_cursor else { break };
        store.set_meta(META_FULL_SYNC_CURSOR, &next).await?;
        cursor = Some(next);
        on_progress(&progress);
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
