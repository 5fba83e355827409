//! Every connection at once: the work queue, the customer list and exports across the
//! caches of every connection this desk has, each still in its own (encrypted) cache
//! file with its own key. Read-only: writes go through the desk of the connection in
//! use, and a row of another connection opens by switching to it.

use crate::CoreError;
use crate::views::{CustomerListQuery, CustomerPage, CustomerRow, CustomerSort, StageCount};
use kyc_store::{CacheKey, ListOrder, SearchQuery, Store};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use ts_rs::TS;

/// Which connection a row or a queue item comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Source {
    /// The profile (connection) id.
    pub profile_id: String,
    /// The connection's name.
    pub connection: String,
    /// The provider's id (`dinie`, …).
    pub provider: String,
    /// The provider's name as shown.
    pub provider_name: String,
}

/// A connection whose cache can be read: what [`crate::profiles::Profiles::connections`]
/// gives.
#[derive(Clone)]
pub struct Connection {
    /// The profile id.
    pub profile_id: String,
    /// Its name.
    pub name: String,
    /// Its provider's id.
    pub provider: String,
    /// Its cache file.
    pub cache: PathBuf,
    /// Its cache's key (`None`: an unencrypted cache).
    pub key: Option<CacheKey>,
}

/// One connection's cache, open.
pub struct Member {
    /// Where its rows come from.
    pub source: Source,
    cache: PathBuf,
    /// Its cache.
    pub store: Store,
    /// Whether its provider offers a step after KYC (an offer, card, wallet).
    pub products_expected: bool,
}

/// The caches of every connection, opened once and kept open.
#[derive(Clone, Default)]
pub struct Fleet {
    members: Arc<tokio::sync::Mutex<HashMap<String, Arc<Member>>>>,
}

/// The most rows one connection is asked for to place a page of the merged list.
const MAX_MERGE_DEPTH: u32 = 200_000;

impl Fleet {
    /// Closes the cache of the connection `profile_id` (before it is removed: an open
    /// file cannot be deleted on Windows).
    pub async fn forget(&self, profile_id: &str) {
        let gone = self.members.lock().await.remove(profile_id);
        if let Some(m) = gone {
            m.store.close().await;
        }
    }

    /// The members for `connections`, in their order: caches opened the first time
    /// (a cache that cannot be opened is left out, with a warning), those of
    /// connections gone closed.
    pub async fn members(&self, connections: &[Connection]) -> Vec<Arc<Member>> {
        let mut open = self.members.lock().await;
        // Gone, moved or renamed: opened again (a rename shows in the rows' source).
        open.retain(|id, m| {
            connections.iter().any(|c| &c.profile_id == id && c.cache == m.cache && c.name == m.source.connection)
        });
        let mut out = Vec::with_capacity(connections.len());
        for c in connections {
            if let Some(m) = open.get(&c.profile_id) {
                out.push(m.clone());
                continue;
            }
            match open_member(c).await {
                Ok(m) => {
                    let m = Arc::new(m);
                    open.insert(c.profile_id.clone(), m.clone());
                    out.push(m);
                }
                Err(e) => tracing::warn!(profile = %c.profile_id, error = %e, "a connection's cache could not be read"),
            }
        }
        out
    }

    /// The work queue across `parts` (each connection with the customers of the tag
    /// there, when filtered by one), oldest first, narrowed by `filter`'s reason and
    /// providers; the counts say how many wait for each reason and in each provider.
    pub async fn queue(
        &self,
        parts: &[(Arc<Member>, Option<Vec<String>>)],
        review_hours: u32,
        filter: &crate::queue::QueueFilter,
    ) -> Result<crate::queue::QueuePage, CoreError> {
        use crate::queue::{ProviderCount, QueuePage, QueueReason, ReasonCount};
        let now = time::OffsetDateTime::now_utc();
        let reads = parts.iter().map(|(m, only)| {
            crate::queue::read(
                &m.store,
                m.products_expected,
                review_hours,
                now,
                &m.source,
                filter.reason,
                only.as_deref(),
            )
        });
        let read = futures::future::try_join_all(reads).await?;
        let mut page = QueuePage::default();
        let mut counts: HashMap<QueueReason, u64> = HashMap::new();
        for ((m, _), part) in parts.iter().zip(read) {
            let waiting = match filter.reason {
                Some(r) => part.counts.get(&r).copied().unwrap_or(0),
                None => part.counts.values().sum(),
            };
            match page.providers.iter_mut().find(|p| p.provider == m.source.provider) {
                Some(p) => p.count += waiting,
                None => page.providers.push(ProviderCount {
                    provider: m.source.provider.clone(),
                    provider_name: m.source.provider_name.clone(),
                    count: waiting,
                }),
            }
            if !filter.providers.is_empty() && !filter.providers.contains(&m.source.provider) {
                continue;
            }
            page.total += waiting;
            for (r, n) in part.counts {
                *counts.entry(r).or_default() += n;
            }
            page.items.extend(part.items);
        }
        crate::queue::sort(&mut page.items);
        page.items.truncate(crate::queue::QUEUE_PAGE as usize);
        page.counts = QueueReason::ALL
            .into_iter()
            .filter_map(|reason| Some(ReasonCount { reason, count: *counts.get(&reason)? }))
            .collect();
        Ok(page)
    }

    /// A page of the list across `members` (each searched with its own `only`, the
    /// customers of a tag there), merged in the list's order.
    pub async fn list(
        &self,
        members: &[(Arc<Member>, Option<Vec<String>>)],
        q: &CustomerListQuery,
        online: bool,
    ) -> Result<CustomerPage, CoreError> {
        let order = list_order(q.sort);
        let limit = q.limit.clamp(1, crate::MAX_LIST_LIMIT);
        let search = |only: &Option<Vec<String>>, limit: u32| search_query(q, only, limit);
        let mut total = 0u64;
        let mut capped = false;
        let mut stages: HashMap<String, u64> = HashMap::new();
        let mut last_sync: Option<time::OffsetDateTime> = None;
        let mut never_synced = false;
        for (m, only) in members {
            let counted = m.store.search(&search(only, 1)).await?;
            total += counted.total;
            capped |= counted.total_capped;
            for (stage, n) in m.store.stage_counts().await? {
                *stages.entry(stage).or_default() += n;
            }
            match m.store.last_sync().await? {
                Some(t) => last_sync = Some(last_sync.map_or(t, |l| l.min(t))),
                None => never_synced = true,
            }
        }
        // Read from either end, every row of a list up to twice the depth merged is
        // placed; of a longer one, its first rows ("200,000+").
        if total > 2 * u64::from(MAX_MERGE_DEPTH) {
            total = u64::from(MAX_MERGE_DEPTH);
            capped = true;
        }
        // Where each member's rows fall in the merged order, from their sort keys only:
        // read from the start, or from the end for a page nearer the end (End on 100,000
        // rows reads 200 keys per cache, not 100,000), when the count is exact.
        let after = total.saturating_sub(u64::from(q.offset));
        let from_end = !capped && after < u64::from(q.offset) + u64::from(limit);
        let upto = if from_end { after } else { u64::from(q.offset) + u64::from(limit) };
        let upto = u32::try_from(upto).unwrap_or(u32::MAX).min(MAX_MERGE_DEPTH);
        let mut keys = Vec::new();
        for (i, (m, only)) in members.iter().enumerate() {
            let read = m.store.search_keys(&search(only, upto), upto, from_end).await?;
            keys.extend(read.into_iter().map(|k| (i, k)));
        }
        let page: Vec<(usize, String)> = if from_end {
            keys.sort_by(|a, b| b.1.cmp_in(&a.1, order).then_with(|| b.0.cmp(&a.0)));
            keys.truncate(usize::try_from(after).unwrap_or(usize::MAX));
            keys.into_iter().rev().take(limit as usize).map(|(i, k)| (i, k.id)).collect()
        } else {
            keys.sort_by(|a, b| a.1.cmp_in(&b.1, order).then_with(|| a.0.cmp(&b.0)));
            keys.into_iter().skip(q.offset as usize).take(limit as usize).map(|(i, k)| (i, k.id)).collect()
        };
        // The page's customers, read in full from their own caches.
        let mut rows: Vec<Option<CustomerRow>> = vec![None; page.len()];
        for (i, (m, _)) in members.iter().enumerate() {
            let ids: Vec<String> = page.iter().filter(|(at, _)| *at == i).map(|(_, id)| id.clone()).collect();
            if ids.is_empty() {
                continue;
            }
            for c in m.store.get_customers(&ids).await? {
                if let Some(slot) = page.iter().position(|(at, id)| *at == i && *id == c.id) {
                    let mut row = CustomerRow::from(&c);
                    row.source = Some(m.source.clone());
                    rows[slot] = Some(row);
                }
            }
        }
        let mut stage_counts: Vec<StageCount> = stages
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(stage, n)| StageCount { stage, count: u32::try_from(n).unwrap_or(u32::MAX) })
            .collect();
        stage_counts.sort_by(|a, b| a.stage.cmp(&b.stage));
        Ok(CustomerPage {
            rows: rows.into_iter().flatten().collect(),
            total: u32::try_from(total).unwrap_or(u32::MAX),
            total_capped: capped,
            last_sync_at: if never_synced { None } else { last_sync.map(crate::views::rfc3339) },
            stage_counts,
            online,
        })
    }
}

/// The store's search for the view `q` in one cache (`only`: a tag's customers there).
pub(crate) fn search_query(q: &CustomerListQuery, only: &Option<Vec<String>>, limit: u32) -> SearchQuery {
    SearchQuery {
        text: q.text.clone(),
        stages: q.stages.clone(),
        order: list_order(q.sort),
        offset: 0,
        limit,
        only: only.clone(),
    }
}

/// Every customer the view `q` lists in `parts`, up to `max`: "select all in view".
pub async fn ids(
    parts: &[(Arc<Member>, Option<Vec<String>>)],
    q: &CustomerListQuery,
    max: usize,
) -> Result<Vec<crate::export::RowRef>, CoreError> {
    let mut out = Vec::new();
    for (m, only) in parts {
        if out.len() >= max {
            break;
        }
        m.store
            .search_each(&search_query(q, only, 0), |c| {
                out.push(crate::export::RowRef { profile_id: m.source.profile_id.clone(), id: c.id });
                out.len() < max
            })
            .await?;
    }
    Ok(out)
}

/// The store's order for the list's sort.
pub fn list_order(sort: CustomerSort) -> ListOrder {
    match sort {
        CustomerSort::Newest => ListOrder::CreatedDesc,
        CustomerSort::RecentlyUpdated => ListOrder::UpdatedDesc,
        CustomerSort::Name => ListOrder::NameAsc,
    }
}

async fn open_member(c: &Connection) -> Result<Member, CoreError> {
    let info = crate::connectors::info(&c.provider);
    let store = match &c.key {
        Some(key) => Store::open_encrypted(&c.cache, key).await?,
        // A cache the keychain has no key for is read only when it is not encrypted.
        None if kyc_store::is_encrypted(&c.cache)? => {
            return Err(CoreError::Keychain("the keychain does not give this cache's key".into()));
        }
        None => Store::open(&c.cache).await?,
    };
    Ok(Member {
        source: Source {
            profile_id: c.profile_id.clone(),
            connection: c.name.clone(),
            provider: c.provider.clone(),
            provider_name: info.map_or_else(|| c.provider.clone(), |i| i.name),
        },
        cache: c.cache.clone(),
        store,
        products_expected: crate::connectors::spec(&c.provider).is_some_and(|s| !s.products.is_empty()),
    })
}
