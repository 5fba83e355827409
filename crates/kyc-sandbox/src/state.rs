//! The sandbox's data: customers indexed for cursor pagination on either sort key.

use crate::Seed;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use time::OffsetDateTime;
use tokio::sync::RwLock;

/// One item of a customer's kyc array, as the API sends it (seed 000 shape).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KycItemRecord {
    /// `document` or `data`.
    pub kind: String,
    /// Requirement key.
    #[serde(rename = "type")]
    pub item_type: String,
    /// Portuguese label.
    pub description: String,
    /// Review status.
    pub status: String,
    /// Review feedback.
    pub message: Option<String>,
    /// Last submission.
    #[serde(with = "time::serde::rfc3339::option")]
    pub uploaded_at: Option<OffsetDateTime>,
}

/// A customer as the sandbox stores and sends it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SandboxCustomer {
    /// `cust_…`.
    pub id: String,
    /// Status.
    pub status: String,
    /// Masked CPF.
    pub cpf: String,
    /// Masked CNPJ.
    pub cnpj: Option<String>,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// E.164 phone.
    pub phone: String,
    /// Trading name.
    pub trading_name: Option<String>,
    /// Partner reference.
    pub external_id: Option<String>,
    /// KYC checklist.
    pub kyc: Vec<KycItemRecord>,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Sort key as `(timestamp in nanoseconds, id)`: unique, so a cursor is exact.
type Key = (i128, String);

/// All customers, with an ordered index per sort key.
#[derive(Debug, Default)]
pub struct Db {
    by_id: HashMap<String, SandboxCustomer>,
    by_created: BTreeSet<Key>,
    by_updated: BTreeSet<Key>,
}

/// Which index a listing walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// `created_at`.
    Created,
    /// `updated_at`.
    Updated,
}

/// Filters of `GET /customers`.
#[derive(Debug, Default)]
pub struct Filter {
    /// CPF digits.
    pub cpf_digits: Option<String>,
    /// Exact external id.
    pub external_id: Option<String>,
    /// Exact status.
    pub status: Option<String>,
}

impl Filter {
    fn matches(&self, c: &SandboxCustomer) -> bool {
        self.status.as_ref().is_none_or(|s| &c.status == s)
            && self.external_id.as_ref().is_none_or(|e| c.external_id.as_ref() == Some(e))
            && self.cpf_digits.as_ref().is_none_or(|d| &kyc_model::only_digits(&c.cpf) == d)
    }
}

fn key(t: OffsetDateTime, id: &str) -> Key {
    (t.unix_timestamp_nanos(), id.to_owned())
}

impl Db {
    /// A database holding the given seed.
    pub fn with_seed(seed: Seed) -> Self {
        let mut db = Self::default();
        if let Seed::Demo(n) = seed {
            for c in crate::seed::demo(n, OffsetDateTime::now_utc()) {
                db.insert(c);
            }
        }
        db
    }

    /// Inserts or replaces a customer, keeping the indexes in step.
    pub fn insert(&mut self, c: SandboxCustomer) {
        if let Some(old) = self.by_id.remove(&c.id) {
            self.by_created.remove(&key(old.created_at, &old.id));
            self.by_updated.remove(&key(old.updated_at, &old.id));
        }
        self.by_created.insert(key(c.created_at, &c.id));
        self.by_updated.insert(key(c.updated_at, &c.id));
        self.by_id.insert(c.id.clone(), c);
    }

    /// One customer.
    pub fn get(&self, id: &str) -> Option<&SandboxCustomer> {
        self.by_id.get(id)
    }

    /// A page of at most `limit` customers after the cursor `after` (an id), in the
    /// given order, and whether more follow. `Err(())` when the cursor is unknown.
    pub fn page(
        &self,
        sort: SortKey,
        desc: bool,
        after: Option<&str>,
        limit: usize,
        filter: &Filter,
    ) -> Result<(Vec<SandboxCustomer>, bool), ()> {
        let index = match sort {
            SortKey::Created => &self.by_created,
            SortKey::Updated => &self.by_updated,
        };
        let cursor = match after {
            None => None,
            Some(id) => {
                let c = self.by_id.get(id).ok_or(())?;
                Some(match sort {
                    SortKey::Created => key(c.created_at, id),
                    SortKey::Updated => key(c.updated_at, id),
                })
            }
        };
        use std::ops::Bound::{Excluded, Unbounded};
        let iter: Box<dyn Iterator<Item = &Key>> = match (desc, cursor) {
            (false, None) => Box::new(index.iter()),
            (false, Some(k)) => Box::new(index.range((Excluded(k), Unbounded))),
            (true, None) => Box::new(index.iter().rev()),
            (true, Some(k)) => Box::new(index.range((Unbounded, Excluded(k))).rev()),
        };
        let mut matching = iter.filter_map(|(_, id)| self.by_id.get(id)).filter(|c| filter.matches(c));
        let page: Vec<SandboxCustomer> = matching.by_ref().take(limit).cloned().collect();
        let has_more = matching.next().is_some();
        Ok((page, has_more))
    }
}

/// State shared by every request.
#[derive(Debug)]
pub struct Shared {
    /// Accepted bearer token.
    pub token: String,
    /// The data.
    pub db: RwLock<Db>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_everything_once_in_both_orders() {
        let db = Db::with_seed(Seed::Demo(57));
        for sort in [SortKey::Created, SortKey::Updated] {
            for desc in [false, true] {
                let mut seen = Vec::new();
                let mut after: Option<String> = None;
                loop {
                    let (page, more) = db.page(sort, desc, after.as_deref(), 10, &Filter::default()).unwrap();
                    after = page.last().map(|c| c.id.clone());
                    seen.extend(page.into_iter().map(|c| c.id));
                    if !more {
                        break;
                    }
                }
                assert_eq!(seen.len(), 57);
                let unique: std::collections::HashSet<_> = seen.iter().collect();
                assert_eq!(unique.len(), 57);
            }
        }
        assert!(db.page(SortKey::Created, true, Some("cust_nope"), 10, &Filter::default()).is_err());
    }
}
