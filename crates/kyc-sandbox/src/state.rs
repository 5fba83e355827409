//! The sandbox's data and the contract's rules over it: registration identity
//! (201 / 200 / 409), the kyc state machine, documents, biometric sessions and credit
//! offers. Every mutation returns its [`Effects`] (webhook events, reviews to
//! schedule, offers to make) for the HTTP layer to carry out.

use crate::Seed;
pub use crate::records::{BiometricSession, CreditOffer, Document, DocumentMeta, KycItemRecord, SandboxCustomer};
use std::collections::{BTreeSet, HashMap};
use time::{Duration, OffsetDateTime};

/// A webhook event to deliver.
#[derive(Debug, Clone)]
pub struct Event {
    /// `customer.created`, …
    pub event_type: &'static str,
    /// The `data` object.
    pub data: serde_json::Value,
}

/// A review to run later: the item's outcome once the review delay has passed.
#[derive(Debug, Clone)]
pub struct ReviewJob {
    /// Customer.
    pub customer_id: String,
    /// Item type.
    pub item_type: String,
    /// The item's review sequence number when scheduled; a later submission or an admin
    /// decision bumps it, and a stale job then does nothing.
    pub seq: u64,
    /// Outcome status (`approved`, `rejected`, `pending_correction`).
    pub status: String,
    /// Message for a negative outcome.
    pub message: Option<String>,
}

/// What a mutation asks the server to do next.
#[derive(Debug, Default)]
#[must_use]
pub struct Effects {
    /// Webhook events, in order.
    pub events: Vec<Event>,
    /// Reviews to schedule.
    pub reviews: Vec<ReviewJob>,
    /// Customers that just became active (an offer follows).
    pub activated: Vec<String>,
}

impl Effects {
    fn merge(&mut self, other: Effects) {
        self.events.extend(other.events);
        self.reviews.extend(other.reviews);
        self.activated.extend(other.activated);
    }
}

/// A registration as posted, already validated.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    /// CPF digits.
    pub cpf: kyc_model::Cpf,
    /// CNPJ digits.
    pub cnpj: Option<kyc_model::Cnpj>,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Trading name.
    pub trading_name: Option<String>,
    /// Partner reference.
    pub external_id: Option<String>,
}

/// The three outcomes of `POST /customers`.
#[derive(Debug)]
pub enum CreateOutcome {
    /// 201.
    Created(SandboxCustomer),
    /// 200: same CPF/CNPJ, same external_id.
    Existing(SandboxCustomer),
    /// 409: same CPF/CNPJ, another external_id (the existing customer's id).
    Conflict(String),
}

/// Sort key as `(timestamp in nanoseconds, id)`: unique, so a cursor is exact.
type Key = (i128, String);

/// Registration identity: CPF digits and CNPJ digits.
type Identity = (String, Option<String>);

/// All state.
#[derive(Debug, Default)]
pub struct Db {
    by_id: HashMap<String, SandboxCustomer>,
    by_created: BTreeSet<Key>,
    by_updated: BTreeSet<Key>,
    by_identity: HashMap<Identity, String>,
    /// Uploaded documents by id.
    pub documents: HashMap<String, Document>,
    /// Document ids per customer, in upload order.
    pub documents_of: HashMap<String, Vec<String>>,
    /// Credit offers per customer.
    pub offers: HashMap<String, Vec<CreditOffer>>,
    /// Biometric sessions by id.
    pub sessions: HashMap<String, BiometricSession>,
    review_seq: HashMap<(String, String), u64>,
    /// Outcomes forced by the admin API for the next review of an item.
    pub forced: HashMap<(String, String), (String, Option<String>)>,
    /// Set on every change; the persister clears it.
    pub dirty: bool,
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

fn identity(c: &SandboxCustomer) -> Identity {
    (kyc_model::only_digits(&c.cpf), c.cnpj.as_deref().map(kyc_model::only_digits))
}

/// A new random id with a prefix, ULID-alphabet style.
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let n = uuid::Uuid::new_v4().as_u128();
    let mut id = String::from(prefix);
    id.push_str("01J");
    for i in 0..23 {
        id.push(ALPHABET[((n >> (i * 5)) & 31) as usize] as char);
    }
    id
}

/// Message of a data item whose e-mail bounced.
pub const EMAIL_INVALID_MESSAGE: &str = "E-mail retornou como inexistente";

/// Whether an e-mail fails the sandbox's verification (domain `invalid.test`).
pub fn email_fails_verification(email: &str) -> bool {
    email.to_ascii_lowercase().ends_with("@invalid.test")
}

/// The customer's status the contract's state machine gives for its items.
pub fn status_for(kyc: &[KycItemRecord]) -> &'static str {
    if kyc.iter().all(|i| i.status == "approved") {
        "active"
    } else if kyc.iter().any(|i| matches!(i.status.as_str(), "pending" | "rejected" | "pending_correction")) {
        "pending_kyc"
    } else {
        "under_review"
    }
}

fn short(c: &SandboxCustomer) -> serde_json::Value {
    serde_json::json!({"id": c.id, "external_id": c.external_id, "status": c.status})
}

fn full(c: &SandboxCustomer) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_default()
}

impl Db {
    /// A database holding the given seed.
    pub fn with_seed(seed: Seed) -> Self {
        let mut db = Self::default();
        if let Seed::Demo(n) = seed {
            let now = OffsetDateTime::now_utc();
            for c in crate::seed::demo(n, now) {
                if c.status == "active" {
                    let offer = crate::seed::offer_for(&c, c.updated_at);
                    db.offers.entry(c.id.clone()).or_default().push(offer);
                }
                db.insert(c);
            }
        }
        db.dirty = false;
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
        self.by_identity.insert(identity(&c), c.id.clone());
        self.by_id.insert(c.id.clone(), c);
        self.dirty = true;
    }

    /// One customer.
    pub fn get(&self, id: &str) -> Option<&SandboxCustomer> {
        self.by_id.get(id)
    }

    /// Every customer (for persistence).
    pub fn customers(&self) -> impl Iterator<Item = &SandboxCustomer> {
        self.by_id.values()
    }

    /// How many customers there are.
    pub fn count(&self) -> usize {
        self.by_id.len()
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

    /// `POST /customers` after validation: 201, 200 or 409 as the contract says.
    pub fn create(&mut self, new: NewCustomer, now: OffsetDateTime) -> (CreateOutcome, Effects) {
        let ident = (new.cpf.digits().to_owned(), new.cnpj.as_ref().map(|c| c.digits().to_owned()));
        if let Some(existing) = self.by_identity.get(&ident).and_then(|id| self.by_id.get(id)) {
            let outcome = if existing.external_id == new.external_id {
                CreateOutcome::Existing(existing.clone())
            } else {
                CreateOutcome::Conflict(existing.id.clone())
            };
            return (outcome, Effects::default());
        }
        let mut kyc: Vec<KycItemRecord> = crate::seed::required_items(new.cnpj.is_some())
            .into_iter()
            .map(|(t, d)| KycItemRecord {
                kind: "document".into(),
                item_type: t.into(),
                description: d.into(),
                status: "pending".into(),
                message: None,
                uploaded_at: None,
            })
            .collect();
        if email_fails_verification(&new.email) {
            kyc.push(KycItemRecord {
                kind: "data".into(),
                item_type: "email".into(),
                description: "E-mail".into(),
                status: "pending_correction".into(),
                message: Some(EMAIL_INVALID_MESSAGE.into()),
                uploaded_at: None,
            });
        }
        let c = SandboxCustomer {
            id: new_id("cust_"),
            status: "pending_kyc".into(),
            cpf: new.cpf.formatted(),
            cnpj: new.cnpj.map(|c| c.formatted()),
            name: new.name,
            email: new.email,
            phone: new.phone,
            trading_name: new.trading_name,
            external_id: new.external_id,
            kyc,
            created_at: now,
            updated_at: now,
        };
        let effects =
            Effects { events: vec![Event { event_type: "customer.created", data: full(&c) }], ..Effects::default() };
        self.insert(c.clone());
        (CreateOutcome::Created(c), effects)
    }

    fn bump_seq(&mut self, customer: &str, item: &str) -> u64 {
        let seq = self.review_seq.entry((customer.to_owned(), item.to_owned())).or_default();
        *seq += 1;
        *seq
    }

    /// Whether `seq` is still the item's latest review.
    pub fn review_is_current(&self, customer: &str, item: &str, seq: u64) -> bool {
        self.review_seq.get(&(customer.to_owned(), item.to_owned())) == Some(&seq)
    }

    /// Sets one item's status (and message), bumps `updated_at`, moves the customer
    /// along the state machine and returns the events that follow.
    pub fn set_item(
        &mut self,
        customer: &str,
        item: &str,
        status: &str,
        message: Option<String>,
        now: OffsetDateTime,
    ) -> Effects {
        let mut effects = Effects::default();
        let Some(mut c) = self.by_id.get(customer).cloned() else { return effects };
        let Some(it) = c.kyc.iter_mut().find(|i| i.item_type == item) else { return effects };
        it.status = status.to_owned();
        it.message = message;
        if status == "in_review" {
            it.uploaded_at = Some(now);
        }
        let before = c.status.clone();
        c.status = status_for(&c.kyc).to_owned();
        c.updated_at = now.max(c.updated_at + Duration::nanoseconds(1));
        if matches!(status, "approved" | "rejected" | "pending_correction") {
            effects.events.push(Event {
                event_type: "customer.kyc_updated",
                data: serde_json::json!({"id": c.id, "external_id": c.external_id, "status": c.status, "kyc": c.kyc}),
            });
        }
        if before != c.status {
            match c.status.as_str() {
                "under_review" => effects.events.push(Event { event_type: "customer.under_review", data: short(&c) }),
                "active" => {
                    effects.events.push(Event { event_type: "customer.active", data: short(&c) });
                    effects.activated.push(c.id.clone());
                }
                _ => {}
            }
        }
        self.insert(c);
        effects
    }

    /// Puts an item in review now and schedules its outcome.
    pub fn submit_for_review(
        &mut self,
        customer: &str,
        item: &str,
        outcome: (&str, Option<String>),
        now: OffsetDateTime,
    ) -> Effects {
        let seq = self.bump_seq(customer, item);
        let mut effects = self.set_item(customer, item, "in_review", None, now);
        let (status, message) = self
            .forced
            .remove(&(customer.to_owned(), item.to_owned()))
            .unwrap_or_else(|| (outcome.0.to_owned(), outcome.1));
        effects.reviews.push(ReviewJob {
            customer_id: customer.to_owned(),
            item_type: item.to_owned(),
            seq,
            status,
            message,
        });
        effects
    }

    /// An admin decision: the item's status now, superseding any review in flight.
    pub fn decide(&mut self, customer: &str, item: &str, status: &str, message: Option<String>) -> Effects {
        self.bump_seq(customer, item);
        self.set_item(customer, item, status, message, OffsetDateTime::now_utc())
    }

    /// Stores an uploaded document and puts its item in review.
    pub fn add_document(&mut self, doc: Document, outcome: (&str, Option<String>)) -> (DocumentMeta, Effects) {
        let meta = doc.meta.clone();
        let (customer, item) = (doc.customer_id.clone(), meta.doc_type.clone());
        self.documents_of.entry(customer.clone()).or_default().push(meta.id.clone());
        self.documents.insert(meta.id.clone(), doc);
        let effects = self.submit_for_review(&customer, &item, outcome, meta.uploaded_at);
        (meta, effects)
    }

    /// `PATCH /customers/{id}` after validation. Correcting a field whose `data` item is
    /// pending correction puts that item back in review.
    pub fn patch(
        &mut self,
        id: &str,
        fields: &[(&'static str, String)],
        now: OffsetDateTime,
    ) -> Option<(SandboxCustomer, Effects)> {
        let mut c = self.by_id.get(id).cloned()?;
        let mut corrected = Vec::new();
        for (field, value) in fields {
            match *field {
                "name" => c.name = value.clone(),
                "email" => c.email = value.clone(),
                "phone" => c.phone = value.clone(),
                "trading_name" => c.trading_name = Some(value.clone()).filter(|v| !v.is_empty()),
                _ => continue,
            }
            if c.kyc.iter().any(|i| i.kind == "data" && i.item_type == *field && i.status == "pending_correction") {
                corrected.push(((*field).to_owned(), value.clone()));
            }
        }
        c.updated_at = now.max(c.updated_at + Duration::nanoseconds(1));
        self.insert(c);
        let mut effects = Effects::default();
        for (field, value) in corrected {
            let outcome = if field == "email" && email_fails_verification(&value) {
                ("pending_correction", Some(EMAIL_INVALID_MESSAGE.to_owned()))
            } else {
                ("approved", None)
            };
            effects.merge(self.submit_for_review(id, &field, outcome, now));
        }
        Some((self.by_id.get(id)?.clone(), effects))
    }

    /// Makes an offer for a customer that became active.
    pub fn make_offer(&mut self, customer: &str, now: OffsetDateTime) -> Option<Event> {
        let c = self.by_id.get(customer)?;
        if c.status != "active" || self.offers.get(customer).is_some_and(|o| !o.is_empty()) {
            return None;
        }
        let offer = crate::seed::offer_for(c, now);
        let event = Event { event_type: "credit_offer.available", data: serde_json::to_value(&offer).ok()? };
        self.offers.entry(customer.to_owned()).or_default().push(offer);
        self.dirty = true;
        Some(event)
    }

    /// Documents of a customer: uploads, then samples for seeded items that show an
    /// upload but have no stored file.
    pub fn documents_for(&self, customer: &str) -> Vec<DocumentMeta> {
        let Some(c) = self.by_id.get(customer) else { return Vec::new() };
        let mut out: Vec<DocumentMeta> = self
            .documents_of
            .get(customer)
            .into_iter()
            .flatten()
            .filter_map(|id| self.documents.get(id).map(|d| d.meta.clone()))
            .collect();
        for item in &c.kyc {
            let Some(at) = item.uploaded_at else { continue };
            if item.kind != "document"
                || item.item_type == "biometrics"
                || out.iter().any(|d| d.doc_type == item.item_type)
            {
                continue;
            }
            let (filename, content_type, bytes) = crate::docs::sample(&item.item_type, &c.name);
            out.push(DocumentMeta {
                id: format!("doc_seed_{}_{}", c.id, item.item_type),
                doc_type: item.item_type.clone(),
                filename,
                content_type: content_type.into(),
                size: bytes.len() as u64,
                sha256: crate::util::sha256_hex(&bytes),
                uploaded_at: at,
            });
        }
        out
    }

    /// A document's metadata and bytes, uploaded or sample.
    pub fn document(&self, doc_id: &str) -> Option<(DocumentMeta, std::sync::Arc<Vec<u8>>)> {
        if let Some(d) = self.documents.get(doc_id) {
            return Some((d.meta.clone(), d.bytes.clone()));
        }
        // Sample ids are `doc_seed_{customer id}_{item type}`; customer ids are
        // `cust_` and a run without underscores.
        let rest = doc_id.strip_prefix("doc_seed_")?;
        let tail = rest.strip_prefix("cust_")?;
        let split = "cust_".len() + tail.find('_')?;
        let (customer, item) = (&rest[..split], &rest[split + 1..]);
        let c = self.by_id.get(customer)?;
        c.kyc.iter().find(|i| i.item_type == item && i.uploaded_at.is_some())?;
        let meta = self.documents_for(customer).into_iter().find(|d| d.id == doc_id)?;
        let (_, _, bytes) = crate::docs::sample(item, &c.name);
        Some((meta, std::sync::Arc::new(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_customer(cpf: &str, cnpj: Option<&str>, ext: &str, email: &str) -> NewCustomer {
        NewCustomer {
            cpf: kyc_model::Cpf::parse(cpf).unwrap(),
            cnpj: cnpj.map(|c| kyc_model::Cnpj::parse(c).unwrap()),
            name: "Joao Silva".into(),
            email: email.into(),
            phone: "+5511999999999".into(),
            trading_name: None,
            external_id: Some(ext.into()),
        }
    }

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

    #[test]
    fn the_state_machine_follows_the_contract() {
        let mut db = Db::default();
        let now = OffsetDateTime::now_utc();
        let (CreateOutcome::Created(c), fx) = db.create(new_customer("123.456.789-09", None, "a", "a@b.co"), now)
        else {
            panic!("created")
        };
        assert_eq!(fx.events[0].event_type, "customer.created");
        assert_eq!(c.kyc.len(), 5);
        let items: Vec<String> = c.kyc.iter().map(|i| i.item_type.clone()).collect();
        for (n, t) in items.iter().enumerate() {
            let fx = db.submit_for_review(&c.id, t, ("approved", None), now);
            let last = n + 1 == items.len();
            assert_eq!(db.get(&c.id).unwrap().status, if last { "under_review" } else { "pending_kyc" });
            assert_eq!(fx.events.iter().any(|e| e.event_type == "customer.under_review"), last);
        }
        let fx = db.set_item(&c.id, &items[0], "rejected", Some("Foto escura".into()), now);
        assert_eq!(db.get(&c.id).unwrap().status, "pending_kyc", "a rejection sends it back");
        assert_eq!(fx.events[0].event_type, "customer.kyc_updated");
        let mut last = Effects::default();
        for t in &items {
            last = db.set_item(&c.id, t, "approved", None, now);
        }
        assert_eq!(db.get(&c.id).unwrap().status, "active");
        assert_eq!(last.activated, vec![c.id.clone()]);
        assert!(db.make_offer(&c.id, now).is_some());
        assert!(db.make_offer(&c.id, now).is_none(), "one offer per activation");
    }

    #[test]
    fn registration_identity_gives_201_200_409() {
        let mut db = Db::default();
        let now = OffsetDateTime::now_utc();
        let (a, _) = db.create(new_customer("123.456.789-09", None, "ext-1", "a@b.co"), now);
        assert!(matches!(a, CreateOutcome::Created(_)));
        let (b, fx) = db.create(new_customer("12345678909", None, "ext-1", "a@b.co"), now);
        assert!(matches!(b, CreateOutcome::Existing(_)) && fx.events.is_empty());
        assert!(matches!(
            db.create(new_customer("123.456.789-09", None, "ext-2", "a@b.co"), now).0,
            CreateOutcome::Conflict(_)
        ));
        // Another CNPJ is another registration.
        let (d, _) = db.create(new_customer("123.456.789-09", Some("12.345.678/0001-95"), "ext-2", "a@b.co"), now);
        let CreateOutcome::Created(d) = d else { panic!("created") };
        assert_eq!(d.kyc.len(), 6, "a CNPJ adds the MEI certificate");
        assert_eq!(db.count(), 2);
    }

    #[test]
    fn a_bounced_email_is_corrected_by_patch() {
        let mut db = Db::default();
        let now = OffsetDateTime::now_utc();
        let (CreateOutcome::Created(c), _) =
            db.create(new_customer("123.456.789-09", None, "x", "joao@invalid.test"), now)
        else {
            panic!()
        };
        let email = c.kyc.iter().find(|i| i.kind == "data").unwrap();
        assert_eq!((email.item_type.as_str(), email.status.as_str()), ("email", "pending_correction"));
        let (after, fx) = db.patch(&c.id, &[("email", "joao@example.com".into())], now).unwrap();
        assert_eq!(after.kyc.iter().find(|i| i.kind == "data").unwrap().status, "in_review");
        assert_eq!(fx.reviews[0].status, "approved");
    }

    #[test]
    fn seeded_documents_can_be_listed_and_fetched() {
        let db = Db::with_seed(Seed::Demo(20));
        let c = db.customers().find(|c| c.status == "active").unwrap();
        let docs = db.documents_for(&c.id);
        assert!(!docs.is_empty());
        for d in docs {
            let (meta, bytes) = db.document(&d.id).unwrap();
            assert_eq!(crate::docs::sniff(&bytes), Some(meta.content_type.as_str()));
            assert_eq!(meta.size, bytes.len() as u64);
        }
    }
}
