//! The wallets flavour's data and the rules over it: customers in `created_at` order
//! with unique e-mails (case-insensitive) and their activation, wallets (one live
//! wallet per customer and currency) with their status machine, bank accounts and
//! events, seeded transactions, and the BVN records. No HTTP here.

use crate::Seed;
use crate::util::ms;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use time::{Date, Duration, OffsetDateTime};

// ------------------------------------------------------------------ ordered lists

/// `created_at` order: (nanoseconds, id).
type Key = (i128, String);

/// Something listed in `created_at` order and found by its id.
pub(crate) trait Keyed {
    /// Its id (the cursor that points at it).
    fn id(&self) -> &str;
    /// When it was created (never changes).
    fn created_at(&self) -> OffsetDateTime;
}

fn key_of<T: Keyed>(t: &T) -> Key {
    (t.created_at().unix_timestamp_nanos(), t.id().to_owned())
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cursor<'a> {
    /// At the start of the list.
    Start,
    /// Just after the item with this id.
    After(&'a str),
    /// Just before the item with this id.
    Before(&'a str),
}

/// A page of a list and the cursors to its neighbours (`None` at either end).
#[derive(Debug)]
pub(crate) struct Page<'a, T> {
    pub items: Vec<&'a T>,
    /// The first item's id, when there are items before it.
    pub before: Option<String>,
    /// The last item's id, when there are items after it.
    pub after: Option<String>,
}

/// A cursor naming no item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnknownCursor;

/// Items by id, kept in `created_at` order (then id).
#[derive(Debug)]
pub(crate) struct Ordered<T> {
    items: HashMap<String, T>,
    order: BTreeSet<Key>,
}

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Self { items: HashMap::new(), order: BTreeSet::new() }
    }
}

impl<T: Keyed> Ordered<T> {
    /// Inserts or replaces an item.
    pub fn insert(&mut self, t: T) {
        if let Some(old) = self.items.remove(t.id()) {
            self.order.remove(&key_of(&old));
        }
        self.order.insert(key_of(&t));
        self.items.insert(t.id().to_owned(), t);
    }

    /// One item.
    pub fn get(&self, id: &str) -> Option<&T> {
        self.items.get(id)
    }

    /// One item, to change (but not its id or `created_at`).
    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.items.get_mut(id)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The newest.
    pub fn newest(&self) -> Option<&T> {
        self.order.last().and_then(|(_, id)| self.items.get(id))
    }

    /// The items strictly after `k` in ascending (`desc == false`) or descending order,
    /// nearest first.
    fn beyond<'a>(&'a self, k: &Key, desc: bool) -> Box<dyn Iterator<Item = &'a T> + 'a> {
        let keys: Box<dyn Iterator<Item = &'a Key> + 'a> = if desc {
            Box::new(self.order.range((Bound::Unbounded, Bound::Excluded(k.clone()))).rev())
        } else {
            Box::new(self.order.range((Bound::Excluded(k.clone()), Bound::Unbounded)))
        };
        Box::new(keys.filter_map(|(_, id)| self.items.get(id)))
    }

    /// Every item, ascending or descending.
    fn all<'a>(&'a self, desc: bool) -> Box<dyn Iterator<Item = &'a T> + 'a> {
        let keys: Box<dyn Iterator<Item = &'a Key> + 'a> =
            if desc { Box::new(self.order.iter().rev()) } else { Box::new(self.order.iter()) };
        Box::new(keys.filter_map(|(_, id)| self.items.get(id)))
    }

    /// Up to `limit` items that `keep` keeps, in `created_at` order (newest first when
    /// `desc`), from `cursor`. The cursor is an item's id, whether `keep` keeps it or
    /// not; an unknown one is refused.
    pub fn page(
        &self,
        desc: bool,
        cursor: Cursor<'_>,
        limit: usize,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Page<'_, T>, UnknownCursor> {
        let limit = limit.max(1);
        let key = |id: &str| self.items.get(id).map(key_of).ok_or(UnknownCursor);
        let (items, more_before, more_after) = match cursor {
            Cursor::Start => {
                let mut v: Vec<&T> = self.all(desc).filter(|t| keep(t)).take(limit + 1).collect();
                let more = v.len() > limit;
                v.truncate(limit);
                (v, false, more)
            }
            Cursor::After(id) => {
                let k = key(id)?;
                let mut v: Vec<&T> = self.beyond(&k, desc).filter(|t| keep(t)).take(limit + 1).collect();
                let more = v.len() > limit;
                v.truncate(limit);
                let before = v.first().is_some_and(|f| self.beyond(&key_of(*f), !desc).any(&keep));
                (v, before, more)
            }
            Cursor::Before(id) => {
                let k = key(id)?;
                let mut v: Vec<&T> = self.beyond(&k, !desc).filter(|t| keep(t)).take(limit + 1).collect();
                let more = v.len() > limit;
                v.truncate(limit);
                v.reverse();
                let after = v.last().is_some_and(|l| self.beyond(&key_of(*l), desc).any(&keep));
                (v, more, after)
            }
        };
        let before = more_before.then(|| items.first().map(|t| t.id().to_owned())).flatten();
        let after = more_after.then(|| items.last().map(|t| t.id().to_owned())).flatten();
        Ok(Page { items, before, after })
    }
}

// ------------------------------------------------------------------ customers

/// A customer's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CustomerStatus {
    /// Where every customer starts.
    PendingKyc,
    /// Verified: wallets may be opened.
    Active,
}

impl CustomerStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::PendingKyc => "pending_kyc",
            CustomerStatus::Active => "active",
        }
    }
    /// From the wire value.
    pub fn parse(s: &str) -> Option<Self> {
        [CustomerStatus::PendingKyc, CustomerStatus::Active].into_iter().find(|c| c.as_str() == s)
    }
}

/// A customer's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CustomerType {
    Individual,
    Business,
}

impl CustomerType {
    /// Every type.
    pub const ALL: [CustomerType; 2] = [CustomerType::Individual, CustomerType::Business];
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerType::Individual => "individual",
            CustomerType::Business => "business",
        }
    }
    /// From the wire value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A billing address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub state: String,
    pub zip_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
}

/// A customer as the sandbox keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// E.164.
    pub phone_number: String,
    pub kind: CustomerType,
    pub status: CustomerStatus,
    pub billing_address: Address,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Keyed for Customer {
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }
}

/// The filters of `GET /customers`.
#[derive(Debug, Default, Clone)]
pub(crate) struct CustomerFilter {
    /// Exact, case-insensitive.
    pub email: Option<String>,
    /// Strictly after.
    pub created_after: Option<OffsetDateTime>,
    /// Strictly before.
    pub created_before: Option<OffsetDateTime>,
}

impl CustomerFilter {
    fn keeps(&self, c: &Customer) -> bool {
        self.email.as_ref().is_none_or(|e| c.email.eq_ignore_ascii_case(e))
            && self.created_after.is_none_or(|t| c.created_at > t)
            && self.created_before.is_none_or(|t| c.created_at < t)
    }
}

// ------------------------------------------------------------------ wallets

/// A wallet's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WalletStatus {
    Active,
    Frozen,
    Deleted,
}

impl WalletStatus {
    /// Every status.
    pub const ALL: [WalletStatus; 3] = [WalletStatus::Active, WalletStatus::Frozen, WalletStatus::Deleted];
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            WalletStatus::Active => "active",
            WalletStatus::Frozen => "frozen",
            WalletStatus::Deleted => "deleted",
        }
    }
    /// From the wire value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
    /// Whether a change to `to` needs a reason (freezing and deleting do).
    pub fn needs_reason(self) -> bool {
        matches!(self, WalletStatus::Frozen | WalletStatus::Deleted)
    }
    /// The status machine: active ↔ frozen, active or frozen → deleted, nothing out of
    /// deleted, and no change to the same status; `Err` says why not.
    pub fn can_become(self, to: WalletStatus) -> Result<(), String> {
        use WalletStatus::{Active, Deleted, Frozen};
        match (self, to) {
            (Deleted, _) => Err("A deleted wallet cannot change status".to_owned()),
            (from, to) if from == to => Err(format!("The wallet is already {}", to.as_str())),
            (Active, Frozen | Deleted) | (Frozen, Active | Deleted) => Ok(()),
            (from, to) => Err(format!("A wallet cannot go from {} to {}", from.as_str(), to.as_str())),
        }
    }
}

/// A bank account that pays into a wallet.
#[derive(Debug, Clone)]
pub(crate) struct PaymentMethod {
    pub id: String,
    pub bank_name: String,
    pub account_number: String,
    pub account_name: String,
    pub currency: &'static str,
    /// US accounts: the ABA routing number.
    pub routing_number: Option<String>,
    /// UK accounts: the sort code.
    pub sort_code: Option<String>,
    /// Euro accounts: the IBAN.
    pub iban: Option<String>,
    pub created_at: OffsetDateTime,
}

/// Something that happened to a wallet.
#[derive(Debug, Clone)]
pub(crate) struct WalletEvent {
    /// `wallet.created`, `wallet.status_changed` or `wallet.payment_method_added`.
    pub kind: &'static str,
    /// The new status (status changes).
    pub status: Option<WalletStatus>,
    /// Why (status changes).
    pub reason: Option<String>,
    pub at: OffsetDateTime,
}

/// How a seeded wallet's transactions are generated again when listed (they are not
/// kept: a large seed would hold millions).
#[derive(Debug, Clone, Copy)]
pub(crate) struct History {
    pub seed: u64,
    pub count: usize,
    /// The latest a transaction may be.
    pub until: OffsetDateTime,
    /// Whether a last debit empties the wallet (deleted wallets).
    pub sweep: bool,
}

/// A wallet.
#[derive(Debug, Clone)]
pub(crate) struct Wallet {
    pub id: String,
    pub account_id: String,
    pub customer_id: String,
    pub currency: &'static str,
    /// Minor units.
    pub balance: i64,
    pub status: WalletStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub payment_methods: Vec<PaymentMethod>,
    pub events: Vec<WalletEvent>,
    pub history: Option<History>,
}

impl Keyed for Wallet {
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }
}

/// The filters of `GET /wallets/all`.
#[derive(Debug, Default, Clone)]
pub(crate) struct WalletFilter {
    pub customer_id: Option<String>,
    pub currency: Option<String>,
    pub status: Option<WalletStatus>,
}

impl WalletFilter {
    fn keeps(&self, w: &Wallet) -> bool {
        self.customer_id.as_ref().is_none_or(|c| w.customer_id == *c)
            && self.currency.as_ref().is_none_or(|c| w.currency == c)
            && self.status.is_none_or(|s| w.status == s)
    }
}

/// Credit or debit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxnKind {
    Credit,
    Debit,
}

impl TxnKind {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            TxnKind::Credit => "credit",
            TxnKind::Debit => "debit",
        }
    }
    /// From the wire value.
    pub fn parse(s: &str) -> Option<Self> {
        [TxnKind::Credit, TxnKind::Debit].into_iter().find(|k| k.as_str() == s)
    }
}

/// A transaction's status (only completed ones count in the balance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxnStatus {
    Completed,
    Pending,
    Failed,
}

impl TxnStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            TxnStatus::Completed => "completed",
            TxnStatus::Pending => "pending",
            TxnStatus::Failed => "failed",
        }
    }
}

/// A wallet transaction.
#[derive(Debug, Clone)]
pub(crate) struct Txn {
    pub id: String,
    pub wallet_id: String,
    pub kind: TxnKind,
    /// Minor units, positive.
    pub amount: i64,
    pub currency: &'static str,
    pub status: TxnStatus,
    pub description: String,
    pub created_at: OffsetDateTime,
}

impl Keyed for Txn {
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }
}

// ------------------------------------------------------------------ BVNs

/// What `POST /payment-methods/resolve-bvn` answers for a BVN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BvnRecord {
    pub bvn: String,
    pub first_name: String,
    pub middle_name: String,
    pub surname: String,
    pub date_of_birth: Date,
    /// E.164.
    pub mobile_number: String,
    /// The demo customer it belongs to (`None` for a generated person).
    pub customer_id: Option<String>,
    /// What differs from that customer (`surname` or `phone`), `None` when it matches.
    pub mismatch: Option<&'static str>,
}

// ------------------------------------------------------------------ the database

/// All state.
#[derive(Debug, Default)]
pub(crate) struct Db {
    customers: Ordered<Customer>,
    /// Lower-cased e-mail → customer id.
    by_email: HashMap<String, String>,
    wallets: Ordered<Wallet>,
    /// Customer id → its wallets' ids.
    wallets_of: HashMap<String, Vec<String>>,
    bvns: BTreeMap<String, BvnRecord>,
    /// The latest activation scheduled per customer (a later one, or an admin
    /// decision, supersedes it).
    review_seq: HashMap<String, u64>,
}

impl Db {
    /// A database holding the given seed, created over the weeks before `now`.
    pub fn with_seed(seed: Seed, now: OffsetDateTime) -> Self {
        let mut db = Self::default();
        if let Seed::Demo(n) = seed {
            for i in 0..n {
                let demo = super::seed::demo_customer(i, n, now);
                db.insert_customer(demo.customer);
                for w in demo.wallets {
                    db.insert_wallet(w);
                }
                if let Some(b) = demo.bvn {
                    db.bvns.insert(b.bvn.clone(), b);
                }
            }
        }
        db
    }

    /// Inserts or replaces a customer, keeping the e-mail index in step.
    pub fn insert_customer(&mut self, c: Customer) {
        if let Some(old) = self.customers.get(&c.id) {
            self.by_email.remove(&old.email.to_lowercase());
        }
        self.by_email.insert(c.email.to_lowercase(), c.id.clone());
        self.customers.insert(c);
    }

    /// One customer.
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.get(id)
    }

    /// How many customers there are.
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }

    /// How many wallets there are (deleted ones too).
    pub fn wallet_count(&self) -> usize {
        self.wallets.len()
    }

    /// The id of the customer with this e-mail (case-insensitive).
    pub fn email_owner(&self, email: &str) -> Option<&str> {
        self.by_email.get(&email.to_lowercase()).map(String::as_str)
    }

    /// A `created_at` for a customer added now: now, or just after the newest one (so
    /// that it comes last).
    pub fn next_at_end(&self, now: OffsetDateTime) -> OffsetDateTime {
        match self.customers.newest().map(|c| c.created_at) {
            Some(t) if t >= ms(now) => t + Duration::milliseconds(1),
            _ => ms(now),
        }
    }

    /// A page of customers.
    pub fn list_customers(
        &self,
        filter: &CustomerFilter,
        desc: bool,
        cursor: Cursor<'_>,
        limit: usize,
    ) -> Result<Page<'_, Customer>, UnknownCursor> {
        self.customers.page(desc, cursor, limit, |c| filter.keeps(c))
    }

    /// Sets a customer's status; `updated_at` moves when it changes. `false` for an
    /// unknown customer.
    pub fn set_status(&mut self, id: &str, status: CustomerStatus, now: OffsetDateTime) -> bool {
        let Some(c) = self.customers.get_mut(id) else { return false };
        if c.status != status {
            c.status = status;
            c.updated_at = ms(now).max(c.updated_at + Duration::milliseconds(1));
        }
        true
    }

    /// Schedules a new activation of a customer (superseding any in flight) and
    /// returns its sequence number.
    pub fn bump_review(&mut self, id: &str) -> u64 {
        let seq = self.review_seq.entry(id.to_owned()).or_default();
        *seq += 1;
        *seq
    }

    /// Whether `seq` is still the customer's latest scheduled activation.
    pub fn review_is_current(&self, id: &str, seq: u64) -> bool {
        self.review_seq.get(id) == Some(&seq)
    }

    /// Inserts or replaces a wallet.
    pub fn insert_wallet(&mut self, w: Wallet) {
        let of = self.wallets_of.entry(w.customer_id.clone()).or_default();
        if !of.contains(&w.id) {
            of.push(w.id.clone());
        }
        self.wallets.insert(w);
    }

    /// One wallet.
    pub fn wallet(&self, id: &str) -> Option<&Wallet> {
        self.wallets.get(id)
    }

    /// One wallet, to change.
    pub fn wallet_mut(&mut self, id: &str) -> Option<&mut Wallet> {
        self.wallets.get_mut(id)
    }

    /// The customer's wallet in this currency that is not deleted, if any.
    pub fn live_wallet(&self, customer: &str, currency: &str) -> Option<&Wallet> {
        self.wallets_of
            .get(customer)
            .into_iter()
            .flatten()
            .filter_map(|id| self.wallets.get(id))
            .find(|w| w.currency == currency && w.status != WalletStatus::Deleted)
    }

    /// A page of wallets, newest first.
    pub fn list_wallets(
        &self,
        filter: &WalletFilter,
        cursor: Cursor<'_>,
        limit: usize,
    ) -> Result<Page<'_, Wallet>, UnknownCursor> {
        self.wallets.page(true, cursor, limit, |w| filter.keeps(w))
    }

    /// The transactions of one wallet, or of every wallet, in `created_at` order.
    pub fn transactions(&self, wallet: Option<&str>) -> Ordered<Txn> {
        let mut all = Ordered::default();
        let wallets: Box<dyn Iterator<Item = &Wallet>> = match wallet {
            Some(id) => Box::new(self.wallets.get(id).into_iter()),
            None => self.wallets.all(false),
        };
        for w in wallets {
            for t in super::seed::history(w) {
                all.insert(t);
            }
        }
        all
    }

    /// The record of a demo BVN.
    pub fn bvn(&self, bvn: &str) -> Option<&BvnRecord> {
        self.bvns.get(bvn)
    }

    /// Every demo BVN record, by BVN.
    pub fn bvns(&self) -> impl Iterator<Item = &BvnRecord> {
        self.bvns.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Item(String, OffsetDateTime);
    impl Keyed for Item {
        fn id(&self) -> &str {
            &self.0
        }
        fn created_at(&self) -> OffsetDateTime {
            self.1
        }
    }

    fn list(n: usize) -> Ordered<Item> {
        let mut o = Ordered::default();
        for i in 0..n {
            o.insert(Item(format!("i{i:02}"), OffsetDateTime::UNIX_EPOCH + Duration::seconds(i as i64)));
        }
        o
    }

    fn ids<'a>(p: &Page<'a, Item>) -> Vec<&'a str> {
        p.items.iter().map(|i| i.0.as_str()).collect()
    }

    #[test]
    fn cursors_walk_forward_and_back_in_either_order() {
        let o = list(5);
        let all = |_: &Item| true;
        let p = o.page(false, Cursor::Start, 2, all).unwrap();
        assert_eq!((ids(&p), p.before.as_deref(), p.after.as_deref()), (vec!["i00", "i01"], None, Some("i01")));
        let p = o.page(false, Cursor::After("i01"), 2, all).unwrap();
        assert_eq!((ids(&p), p.before.as_deref(), p.after.as_deref()), (vec!["i02", "i03"], Some("i02"), Some("i03")));
        let p = o.page(false, Cursor::After("i03"), 2, all).unwrap();
        assert_eq!((ids(&p), p.after.as_deref()), (vec!["i04"], None));
        let p = o.page(false, Cursor::Before("i04"), 2, all).unwrap();
        assert_eq!((ids(&p), p.before.as_deref(), p.after.as_deref()), (vec!["i02", "i03"], Some("i02"), Some("i03")));
        let p = o.page(false, Cursor::Before("i02"), 5, all).unwrap();
        assert_eq!((ids(&p), p.before.as_deref()), (vec!["i00", "i01"], None));

        let p = o.page(true, Cursor::Start, 2, all).unwrap();
        assert_eq!(ids(&p), vec!["i04", "i03"]);
        let p = o.page(true, Cursor::After("i03"), 2, all).unwrap();
        assert_eq!(ids(&p), vec!["i02", "i01"]);
        let p = o.page(true, Cursor::Before("i01"), 2, all).unwrap();
        assert_eq!((ids(&p), p.before.as_deref()), (vec!["i03", "i02"], Some("i03")));

        let odd = |i: &Item| i.0.ends_with(['1', '3']);
        let p = o.page(false, Cursor::After("i00"), 1, odd).unwrap();
        assert_eq!((ids(&p), p.before.as_deref(), p.after.as_deref()), (vec!["i01"], None, Some("i01")));
        assert_eq!(o.page(false, Cursor::After("nope"), 1, all).unwrap_err(), UnknownCursor);
    }

    #[test]
    fn the_wallet_status_machine() {
        use WalletStatus::*;
        for (from, to, ok) in [
            (Active, Frozen, true),
            (Frozen, Active, true),
            (Active, Deleted, true),
            (Frozen, Deleted, true),
            (Active, Active, false),
            (Frozen, Frozen, false),
            (Deleted, Active, false),
            (Deleted, Frozen, false),
            (Deleted, Deleted, false),
        ] {
            assert_eq!(from.can_become(to).is_ok(), ok, "{from:?} → {to:?}");
        }
    }
}
