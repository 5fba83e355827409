//! The Cartevo flavour's data and the rules over it: customers in `created_at` order
//! with unique e-mails and identification numbers, their documents, their KYC status
//! and its reviews, and cards with their states. No HTTP here.

use super::ChurnAt;
use crate::Seed;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use time::{Date, Duration, OffsetDateTime};

/// A customer's KYC status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kyc {
    /// Under review (where every customer starts).
    Pending,
    /// Cards may be issued.
    Approved,
    /// Refused.
    Rejected,
}

impl Kyc {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Kyc::Pending => "PENDING",
            Kyc::Approved => "APPROVED",
            Kyc::Rejected => "REJECTED",
        }
    }
    /// From the wire value.
    pub fn parse(s: &str) -> Option<Self> {
        [Kyc::Pending, Kyc::Approved, Kyc::Rejected].into_iter().find(|k| k.as_str() == s)
    }
}

/// The front or the back of an ID document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Front (`image`).
    Front,
    /// Back (`photo`).
    Back,
}

impl Side {
    fn suffix(self) -> &'static str {
        match self {
            Side::Front => "front",
            Side::Back => "back",
        }
    }
}

/// Where a document's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DocFile {
    /// Uploaded: the id of a stored file.
    Stored(String),
    /// Seeded, or given as a URL to `/customers/enroll`: a generated picture of a card,
    /// served as `{customer id}-{front|back}`.
    Placeholder,
}

/// A customer as the sandbox keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub country: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    /// As registered; Cartevo's `GET /customers/{id}` does not return it.
    #[allow(dead_code)]
    pub country_iso_code: String,
    pub phone_country_code: String,
    pub phone_number: String,
    pub identification_number: String,
    pub id_document_type: String,
    pub date_of_birth: Date,
    pub front: DocFile,
    pub back: Option<DocFile>,
    pub is_active: bool,
    pub kyc_status: Kyc,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Customer {
    /// The id of the file of one side of its document, if it has that side.
    pub fn file_id(&self, side: Side) -> Option<String> {
        let doc = match side {
            Side::Front => Some(&self.front),
            Side::Back => self.back.as_ref(),
        }?;
        Some(match doc {
            DocFile::Stored(id) => id.clone(),
            DocFile::Placeholder => format!("{}-{}", self.id, side.suffix()),
        })
    }
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub content_type: &'static str,
    pub bytes: Arc<Vec<u8>>,
}

/// What `GET /files/{id}` serves.
#[derive(Debug)]
pub(crate) enum FileBody {
    /// Stored bytes and their content type.
    Stored(StoredFile),
    /// A picture to generate: the holder, the document type, the side and a seed.
    Placeholder { holder: String, doc_type: String, side: Side, seed: String },
}

/// A card's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardStatus {
    Pending,
    Active,
    Frozen,
    Suspended,
    Terminated,
    Failed,
}

impl CardStatus {
    /// Every status.
    pub const ALL: [CardStatus; 6] = [
        CardStatus::Pending,
        CardStatus::Active,
        CardStatus::Frozen,
        CardStatus::Suspended,
        CardStatus::Terminated,
        CardStatus::Failed,
    ];

    /// From the wire value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CardStatus::Pending => "PENDING",
            CardStatus::Active => "ACTIVE",
            CardStatus::Frozen => "FROZEN",
            CardStatus::Suspended => "SUSPENDED",
            CardStatus::Terminated => "TERMINATED",
            CardStatus::Failed => "FAILED",
        }
    }
}

/// A virtual card.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub id: String,
    pub customer_id: String,
    pub status: CardStatus,
    /// USD cents.
    pub balance_cents: u64,
    pub last4: String,
    pub brand: String,
    pub name_on_card: String,
    pub created_at: OffsetDateTime,
}

/// `created_at` order: (milliseconds, id).
type Key = (i128, String);

fn key(c: &Customer) -> Key {
    (c.created_at.unix_timestamp_nanos(), c.id.clone())
}

pub(crate) use crate::util::ms;

/// All state.
#[derive(Debug, Default)]
pub(crate) struct Db {
    customers: HashMap<String, Customer>,
    order: BTreeSet<Key>,
    by_email: HashMap<String, String>,
    by_number: HashMap<String, String>,
    files: HashMap<String, StoredFile>,
    cards: HashMap<String, Card>,
    cards_of: HashMap<String, Vec<String>>,
    review_seq: HashMap<String, u64>,
    /// Customers inserted by the churn so far (their names and numbers follow it).
    churned: u64,
}

impl Db {
    /// A database holding the given seed, created over the weeks before `now`.
    pub fn with_seed(seed: Seed, now: OffsetDateTime) -> Self {
        let mut db = Self::default();
        if let Seed::Demo(n) = seed {
            for i in 0..n {
                let (c, cards) = super::seed::demo_customer(i, n, now);
                db.insert(c);
                for card in cards {
                    db.add_card(card);
                }
            }
        }
        db
    }

    /// Inserts or replaces a customer, keeping the indexes in step.
    pub fn insert(&mut self, c: Customer) {
        if let Some(old) = self.customers.remove(&c.id) {
            self.order.remove(&key(&old));
            self.by_email.remove(&old.email.to_lowercase());
            self.by_number.remove(&old.identification_number);
        }
        self.order.insert(key(&c));
        self.by_email.insert(c.email.to_lowercase(), c.id.clone());
        self.by_number.insert(c.identification_number.clone(), c.id.clone());
        self.customers.insert(c.id.clone(), c);
    }

    /// One customer.
    pub fn get(&self, id: &str) -> Option<&Customer> {
        self.customers.get(id)
    }

    /// How many customers there are.
    pub fn count(&self) -> usize {
        self.customers.len()
    }

    /// How many cards there are.
    pub fn card_count(&self) -> usize {
        self.cards.len()
    }

    /// Page `page` (1-based) of `limit` customers in `created_at` order (then id), and
    /// the total.
    pub fn page(&self, page: usize, limit: usize) -> (Vec<&Customer>, usize) {
        let skip = page.saturating_sub(1).saturating_mul(limit);
        let items = self.order.iter().skip(skip).take(limit).filter_map(|(_, id)| self.customers.get(id)).collect();
        (items, self.customers.len())
    }

    /// Whether a customer has this e-mail (case-insensitive).
    pub fn email_taken(&self, email: &str) -> bool {
        self.by_email.contains_key(&email.to_lowercase())
    }

    /// Whether a customer has this identification number.
    pub fn number_taken(&self, number: &str) -> bool {
        self.by_number.contains_key(number)
    }

    /// A `created_at` for a customer added now: now, or just after the newest one (so
    /// that it comes last).
    pub fn next_at_end(&self, now: OffsetDateTime) -> OffsetDateTime {
        let newest = self.order.last().and_then(|(_, id)| self.customers.get(id)).map(|c| c.created_at);
        match newest {
            Some(t) if t >= ms(now) => t + Duration::milliseconds(1),
            _ => ms(now),
        }
    }

    /// A `created_at` earlier than every customer's.
    fn next_at_start(&self, now: OffsetDateTime) -> OffsetDateTime {
        let oldest = self.order.first().and_then(|(_, id)| self.customers.get(id)).map(|c| c.created_at);
        oldest.unwrap_or(ms(now)) - Duration::milliseconds(1)
    }

    /// Stores an uploaded file and returns its id.
    pub fn store_file(&mut self, content_type: &'static str, bytes: Vec<u8>) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.files.insert(id.clone(), StoredFile { content_type, bytes: Arc::new(bytes) });
        id
    }

    /// What `GET /files/{id}` serves for this id.
    pub fn file(&self, id: &str) -> Option<FileBody> {
        if let Some(f) = self.files.get(id) {
            return Some(FileBody::Stored(f.clone()));
        }
        let (customer, side) = id.rsplit_once('-')?;
        let side = match side {
            "front" => Side::Front,
            "back" => Side::Back,
            _ => return None,
        };
        let c = self.customers.get(customer)?;
        let doc = match side {
            Side::Front => Some(&c.front),
            Side::Back => c.back.as_ref(),
        };
        (doc == Some(&DocFile::Placeholder)).then(|| FileBody::Placeholder {
            holder: format!("{} {}", c.first_name, c.last_name),
            doc_type: c.id_document_type.clone(),
            side,
            seed: c.id.clone(),
        })
    }

    /// Sets a customer's KYC status; `updated_at` moves when it changes. `false` for an
    /// unknown customer.
    pub fn set_kyc(&mut self, id: &str, status: Kyc, now: OffsetDateTime) -> bool {
        let Some(c) = self.customers.get_mut(id) else { return false };
        if c.kyc_status != status {
            c.kyc_status = status;
            c.updated_at = ms(now).max(c.updated_at + Duration::milliseconds(1));
        }
        true
    }

    /// Starts a new review of a customer (superseding any in flight) and returns its
    /// sequence number.
    pub fn bump_review(&mut self, id: &str) -> u64 {
        let seq = self.review_seq.entry(id.to_owned()).or_default();
        *seq += 1;
        *seq
    }

    /// Whether `seq` is still the customer's latest review.
    pub fn review_is_current(&self, id: &str, seq: u64) -> bool {
        self.review_seq.get(id) == Some(&seq)
    }

    /// Adds a card.
    pub fn add_card(&mut self, card: Card) {
        self.cards_of.entry(card.customer_id.clone()).or_default().push(card.id.clone());
        self.cards.insert(card.id.clone(), card);
    }

    /// A customer's cards, oldest first.
    pub fn cards_for(&self, customer: &str) -> Vec<&Card> {
        let mut cards: Vec<&Card> =
            self.cards_of.get(customer).into_iter().flatten().filter_map(|id| self.cards.get(id)).collect();
        // Stable: two cards issued in the same millisecond stay in the order they were
        // issued (their random ids would order them by chance).
        cards.sort_by_key(|c| c.created_at);
        cards
    }

    /// One card, to change.
    pub fn card_mut(&mut self, id: &str) -> Option<&mut Card> {
        self.cards.get_mut(id)
    }

    /// Inserts `n` new approved customers before every existing one (`Start`) or after
    /// (`End`).
    pub fn churn(&mut self, n: u32, at: ChurnAt, now: OffsetDateTime) {
        for _ in 0..n {
            let created_at = match at {
                ChurnAt::Start => self.next_at_start(now),
                ChurnAt::End => self.next_at_end(now),
            };
            let c = loop {
                self.churned += 1;
                let c = super::seed::churn_customer(self.churned, created_at);
                if !self.email_taken(&c.email) && !self.number_taken(&c.identification_number) {
                    break c;
                }
            };
            self.insert(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_the_created_order_once() {
        let now = OffsetDateTime::now_utc();
        let db = Db::with_seed(Seed::Demo(23), now);
        let mut seen = Vec::new();
        for page in 1..=3 {
            let (items, total) = db.page(page, 10);
            assert_eq!(total, 23);
            seen.extend(items.into_iter().map(|c| (c.created_at, c.id.clone())));
        }
        assert_eq!(seen.len(), 23);
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "ascending created_at");
        assert!(db.page(4, 10).0.is_empty());
    }

    #[test]
    fn churn_inserts_at_either_end() {
        let now = OffsetDateTime::now_utc();
        let mut db = Db::with_seed(Seed::Demo(5), now);
        let first = db.page(1, 100).0[0].id.clone();
        db.churn(2, ChurnAt::Start, now);
        let all: Vec<String> = db.page(1, 100).0.into_iter().map(|c| c.id.clone()).collect();
        assert_eq!(all.len(), 7);
        assert_eq!(all[2], first, "two new ones before the oldest");
        db.churn(3, ChurnAt::End, now);
        let all: Vec<&Customer> = db.page(1, 100).0;
        assert_eq!(all.len(), 10);
        assert!(all[7..].iter().all(|c| c.created_at >= ms(now)), "three new ones at the end");
    }

    #[test]
    fn a_kyc_change_moves_updated_at_and_a_new_review_supersedes_the_old() {
        let now = OffsetDateTime::now_utc();
        let mut db = Db::with_seed(Seed::Demo(10), now);
        let c = db.page(1, 10).0.into_iter().find(|c| c.kyc_status == Kyc::Pending).unwrap().clone();
        assert!(db.set_kyc(&c.id, Kyc::Approved, now));
        assert!(db.get(&c.id).unwrap().updated_at > c.updated_at);
        let a = db.bump_review(&c.id);
        let b = db.bump_review(&c.id);
        assert!(!db.review_is_current(&c.id, a) && db.review_is_current(&c.id, b));
        assert!(!db.set_kyc("nope", Kyc::Approved, now));
    }
}
