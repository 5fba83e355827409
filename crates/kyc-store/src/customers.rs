//! Customers: upsert with change detection, listing, search.

use crate::{Result, Store, StoreError, from_millis, millis};
use kyc_model::{Address, Customer, IdKind, Identifier, KycItem, KycItemStatus, KycKind, Party, Stage};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use time::OffsetDateTime;

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// Newest registration first.
    #[default]
    CreatedDesc,
    /// Most recently changed first.
    UpdatedDesc,
    /// By name, A–Z (case-insensitive).
    NameAsc,
}

impl ListOrder {
    fn sql(self) -> &'static str {
        match self {
            Self::CreatedDesc => "c.created_at DESC, c.id DESC",
            Self::UpdatedDesc => "c.updated_at DESC, c.id DESC",
            Self::NameAsc => "c.name COLLATE NOCASE ASC, c.id ASC",
        }
    }

    /// The same order read from its end.
    fn sql_from_end(self) -> &'static str {
        match self {
            Self::CreatedDesc => "c.created_at ASC, c.id ASC",
            Self::UpdatedDesc => "c.updated_at ASC, c.id ASC",
            Self::NameAsc => "c.name COLLATE NOCASE DESC, c.id DESC",
        }
    }
}

/// A page request over the cache.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return.
    pub limit: u32,
    /// Order.
    pub order: ListOrder,
}

/// A search over the cache: text (name, trading name, e-mail, external id, any
/// identifier with or without its punctuation, each word by prefix), stages, order, page.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// What was typed; empty for everything.
    pub text: String,
    /// Only these stages (`awaiting_customer`, …); empty for all.
    pub stages: Vec<String>,
    /// Order. With text, "newest" is newest first in the cache (cheap: the index's order).
    pub order: ListOrder,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return.
    pub limit: u32,
    /// Only these customers (a tag's, a selection), when given.
    pub only: Option<Vec<String>>,
}

/// A customer waiting on the partner (see [`Store::waiting`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The customer.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their stage.
    pub stage: String,
    /// Why.
    pub reason: String,
    /// The item concerned, when one is.
    pub detail: Option<String>,
    /// Since when.
    pub since: OffsetDateTime,
}

/// What [`Store::waiting`] read.
#[derive(Debug, Clone, Default)]
pub struct WaitingRead {
    /// How many wait for each reason (reasons with none left out).
    pub counts: Vec<(String, u64)>,
    /// The oldest of each reason asked for, each reason's oldest first.
    pub oldest: Vec<Waiting>,
}

/// Where a customer sits in a listing's order (see [`Store::search_keys`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// The customer.
    pub id: String,
    /// Creation, Unix milliseconds.
    pub created_at: i64,
    /// Last change, Unix milliseconds.
    pub updated_at: i64,
    /// The name.
    pub name: String,
}

impl SortKey {
    /// The order `order` lists these in, as SQLite sorts it (`NOCASE` folds ASCII only).
    pub fn cmp_in(&self, other: &Self, order: ListOrder) -> std::cmp::Ordering {
        match order {
            ListOrder::CreatedDesc => other.created_at.cmp(&self.created_at).then_with(|| other.id.cmp(&self.id)),
            ListOrder::UpdatedDesc => other.updated_at.cmp(&self.updated_at).then_with(|| other.id.cmp(&self.id)),
            ListOrder::NameAsc => self
                .name
                .bytes()
                .map(|b| b.to_ascii_lowercase())
                .cmp(other.name.bytes().map(|b| b.to_ascii_lowercase()))
                .then_with(|| self.id.cmp(&other.id)),
        }
    }
}

/// A page of results.
#[derive(Debug, Clone)]
pub struct SearchResult {
    /// The page.
    pub customers: Vec<Customer>,
    /// How many match: exact for the whole list or a stage filter; for a text search
    /// counted up to [`SearchResult::COUNT_CAP`].
    pub total: u64,
    /// Whether `total` stopped at the cap.
    pub total_capped: bool,
}

impl SearchResult {
    /// A search's count stops here: "1,000+ customers" says "narrow it down" as well as
    /// the exact figure would, and stopping early keeps every search under 20 ms.
    pub const COUNT_CAP: u64 = 1_000;
}

/// One entry of a customer's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Customer.
    pub customer_id: String,
    /// When (the customer's `updated_at` at the change).
    pub at: OffsetDateTime,
    /// `status` or `kyc`.
    pub kind: String,
    /// The kyc item, for `kyc`.
    pub item_type: Option<String>,
    /// Before.
    pub old_value: Option<String>,
    /// After.
    pub new_value: String,
    /// Review message, when there is one.
    pub message: Option<String>,
}

/// What an upsert did.
#[derive(Debug, Clone, Default)]
pub struct UpsertReport {
    /// Customers seen for the first time.
    pub inserted: Vec<String>,
    /// Customers whose data changed.
    pub updated: Vec<String>,
    /// Timeline entries recorded.
    pub changes: Vec<Change>,
}

/// The compact kyc encoding: `[kind, type, description, status, message, uploaded_ms, mandatory]`.
type CompactItem = (String, String, String, String, Option<String>, Option<i64>, bool);

fn encode_kyc(items: &[KycItem]) -> Result<String> {
    let compact: Vec<CompactItem> = items
        .iter()
        .map(|i| {
            (
                i.kind.as_str().to_owned(),
                i.item_type.clone(),
                i.description.clone(),
                i.status.as_str().to_owned(),
                i.message.clone(),
                i.uploaded_at.map(millis),
                i.mandatory,
            )
        })
        .collect();
    serde_json::to_string(&compact).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode_kyc(s: &str) -> Result<Vec<KycItem>> {
    let compact: Vec<CompactItem> = serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("kyc: {e}")))?;
    compact
        .into_iter()
        .map(|(kind, item_type, description, status, message, uploaded, mandatory)| {
            Ok(KycItem {
                kind: KycKind::from(kind.as_str()),
                item_type,
                description,
                status: KycItemStatus::from(status.as_str()),
                message,
                uploaded_at: uploaded.map(from_millis).transpose()?,
                mandatory,
            })
        })
        .collect()
}

/// The compact identifiers encoding: `[[kind, value], …]`.
fn encode_ids(ids: &[Identifier]) -> Result<String> {
    let compact: Vec<(&str, &str)> = ids.iter().map(|i| (i.kind.as_str(), i.value.as_str())).collect();
    serde_json::to_string(&compact).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode_ids(s: &str) -> Result<Vec<Identifier>> {
    let compact: Vec<(String, String)> =
        serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("identifiers: {e}")))?;
    Ok(compact.into_iter().map(|(kind, value)| Identifier { kind: IdKind::parse(&kind), value }).collect())
}

fn encode_address(a: Option<&Address>) -> Result<Option<String>> {
    a.filter(|a| !a.is_empty())
        .map(|a| serde_json::to_string(a).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

const DATE: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub(crate) fn row_to_customer(r: &SqliteRow) -> Result<Customer> {
    let address: Option<String> = r.try_get("address")?;
    let birth: Option<String> = r.try_get("birth_date")?;
    Ok(Customer {
        id: r.try_get("id")?,
        party: Party::parse(r.try_get("party")?),
        name: r.try_get("name")?,
        given_name: r.try_get("given_name")?,
        family_name: r.try_get("family_name")?,
        trading_name: r.try_get("trading_name")?,
        identifiers: decode_ids(r.try_get("ids")?)?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        address: address
            .map(|a| serde_json::from_str(&a).map_err(|e| StoreError::Corrupt(format!("address: {e}"))))
            .transpose()?,
        birth_date: birth.and_then(|b| time::Date::parse(&b, DATE).ok()),
        external_id: r.try_get("external_id")?,
        status: r.try_get("status")?,
        stage: Stage::parse(r.try_get("stage")?),
        kyc: decode_kyc(r.try_get("kyc")?)?,
        created_at: from_millis(r.try_get("created_at")?)?,
        updated_at: from_millis(r.try_get("updated_at")?)?,
    })
}

/// The FTS5 expression for a stage filter (stages are indexed without underscores:
/// `in_review` → `inreview`); `None` for no filter.
fn stage_expression(stages: &[String]) -> Option<String> {
    let terms: Vec<String> = stages
        .iter()
        .map(|s| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
        .filter(|s| !s.is_empty())
        .map(|s| format!("\"{s}\""))
        .collect();
    (!terms.is_empty()).then(|| format!("stage : ({})", terms.join(" OR ")))
}

/// The FTS5 expression for what someone typed. Digits with or without an identifier's
/// punctuation (`123.456.789-0`) search the identifiers by prefix; letters and digits
/// together (`A12-345`) search them as one kept value *or* as words; words search every
/// text column (not the stage), each by prefix, all required. `None` when nothing
/// searchable was typed.
pub fn match_expression(text: &str) -> Option<String> {
    expression(text, is_word_char)
}

/// As [`match_expression`], words made of letters and numbers below U+0800 only (Latin,
/// Greek, Cyrillic, Hebrew, Arabic, …, whose categories have not moved since the
/// tokenizer's Unicode 6.1): for the rare text whose characters the tokenizer reads
/// otherwise than today's Unicode says.
fn strict_expression(text: &str) -> Option<String> {
    expression(text, |c| u32::from(c) < 0x800 && is_word_char(c))
}

fn expression(text: &str, is_word_char: fn(char) -> bool) -> Option<String> {
    let t = text.trim();
    let looks_like_document = t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/' | ' '));
    let document = looks_like_document.then(|| {
        let kept: String = t.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
        format!("docs : \"{kept}\"*")
    });
    if document.is_some() && !t.chars().any(|c| c.is_ascii_alphabetic()) {
        return document;
    }
    let words: Vec<String> = t
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(|w| format!("{{name trading_name email external_id docs}} : \"{}\"*", w.replace('"', "")))
        .collect();
    match (document, words.is_empty()) {
        (Some(d), false) => Some(format!("({d}) OR ({})", words.join(" "))),
        (d, true) => d,
        (None, false) => Some(words.join(" ")),
    }
}

/// Whether `c` is part of a word as the index's tokenizer reads it: unicode61 keeps
/// letters and numbers (general categories L* and N*) and splits on everything else,
/// marks included (Rust's `is_alphanumeric` also counts many vowel signs, which the
/// tokenizer splits on). Its tables are Unicode 6.1's: letters outside the Basic
/// Multilingual Plane, mostly assigned since, split words too. A quoted prefix the
/// tokenizer reads as two tokens would be a phrase, which this index refuses.
fn is_word_char(c: char) -> bool {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    u32::from(c) < 0x1_0000
        && matches!(c.general_category_group(), GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number)
}

/// Appends ` IN (?, ?, …)` binding `values`.
/// Text and stage together: the stage is matched in the index as well.
fn with_stages(expr: Option<String>, stages: &[String]) -> Option<String> {
    expr.map(|e| match stage_expression(stages) {
        Some(st) => format!("({e}) AND {st}"),
        None => e,
    })
}

/// A search's FROM and WHERE. The FTS match runs first and drives the join (CROSS JOIN
/// fixes the order), so a stage filter never turns the search into a scan.
fn push_from(b: &mut QueryBuilder<'_, Sqlite>, expr: Option<&str>, q: &SearchQuery) {
    match expr {
        Some(e) => {
            b.push(" FROM customers_fts f CROSS JOIN customers c ON c.rowid = f.rowid WHERE customers_fts MATCH ");
            b.push_bind(e.to_owned());
        }
        None => {
            b.push(" FROM customers c WHERE 1");
        }
    }
    if !q.stages.is_empty() {
        b.push(" AND c.stage");
        push_in_list(b, &q.stages);
    }
    if let Some(only) = &q.only {
        push_among(b, only);
    }
}

/// `AND c.id` among `ids`, however many: bound once, as a JSON array (a tag's or a
/// selection's 100,000 ids are one parameter, never past SQLite's limit of them).
fn push_among(b: &mut QueryBuilder<'_, Sqlite>, ids: &[String]) {
    if ids.is_empty() {
        b.push(" AND 0");
    } else {
        b.push(" AND c.id IN (SELECT value FROM json_each(");
        b.push_bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
        b.push("))");
    }
}

fn push_in_list(b: &mut QueryBuilder<'_, Sqlite>, values: &[String]) {
    b.push(" IN (");
    let mut sep = b.separated(", ");
    for v in values {
        sep.push_bind(v.clone());
    }
    b.push(")");
}

/// Rows per multi-row INSERT: 21 parameters each stays far below SQLite's limit.
const ROWS_PER_STATEMENT: usize = 100;

impl Store {
    /// Writes customers (insert or update) in one transaction. A customer whose
    /// `updated_at` is not newer than the cached one is left alone; for one that changed, status transitions
    /// and kyc item outcomes go to the timeline.
    pub async fn upsert_customers(&self, customers: &[Customer], synced_at: OffsetDateTime) -> Result<UpsertReport> {
        let mut report = UpsertReport::default();
        // IMMEDIATE: the write lock first, then the read of what the cache has. Two
        // deferred transactions that both read could not both upgrade to writing
        // (SQLITE_BUSY, which no busy timeout waits out); this way a second writer waits
        // its turn and then sees the first one's rows, so a transition is recorded once.
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        // What the cache has of these customers, in one query.
        let mut existing = std::collections::HashMap::new();
        for chunk in customers.chunks(500) {
            let mut q = QueryBuilder::<Sqlite>::new("SELECT id, status, kyc, updated_at FROM customers WHERE id IN (");
            let mut sep = q.separated(", ");
            for c in chunk {
                sep.push_bind(&c.id);
            }
            q.push(")");
            for row in q.build().fetch_all(&mut *tx).await? {
                existing.insert(row.try_get::<String, _>("id")?, row);
            }
        }
        // Only customers whose `updated_at` moved are written; their timeline entries
        // are worked out against what the cache had.
        let mut writes: Vec<(&Customer, String, String, Option<String>)> = Vec::with_capacity(customers.len());
        for c in customers {
            let old = existing.get(&c.id);
            let mut changes = Vec::new();
            match old {
                // The same version, or an older one: a refresh that read the API before
                // another one did may write after it, and must not put the cache back.
                Some(row) if row.try_get::<i64, _>("updated_at")? >= millis(c.updated_at) => continue,
                Some(row) => {
                    let old_status: String = row.try_get("status")?;
                    let at = c.updated_at;
                    if old_status != c.status {
                        changes.push(Change {
                            customer_id: c.id.clone(),
                            at,
                            kind: "status".into(),
                            item_type: None,
                            old_value: Some(old_status),
                            new_value: c.status.clone(),
                            message: None,
                        });
                    }
                    let old_items = decode_kyc(row.try_get("kyc")?).unwrap_or_default();
                    for item in &c.kyc {
                        let before = old_items
                            .iter()
                            .find(|o| o.item_type == item.item_type)
                            .map(|o| o.status.as_str().to_owned());
                        if before.as_deref() != Some(item.status.as_str()) {
                            changes.push(Change {
                                customer_id: c.id.clone(),
                                at,
                                kind: "kyc".into(),
                                item_type: Some(item.item_type.clone()),
                                old_value: before,
                                new_value: item.status.as_str().to_owned(),
                                message: item.message.clone(),
                            });
                        }
                    }
                    report.updated.push(c.id.clone());
                }
                None => report.inserted.push(c.id.clone()),
            }
            writes.push((c, encode_kyc(&c.kyc)?, encode_ids(&c.identifiers)?, encode_address(c.address.as_ref())?));
            report.changes.extend(changes);
        }
        // Many rows per statement: each statement is a round trip to SQLite's thread.
        for chunk in writes.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO customers (id, party, name, given_name, family_name, trading_name, ids, email, phone, address, birth_date, external_id, status, stage, kyc, created_at, updated_at, synced_at, attention, attention_detail, attention_since) ",
            );
            q.push_values(chunk, |mut b, (c, kyc, ids, address)| {
                b.push_bind(&c.id)
                    .push_bind(c.party.as_str())
                    .push_bind(&c.name)
                    .push_bind(&c.given_name)
                    .push_bind(&c.family_name)
                    .push_bind(&c.trading_name)
                    .push_bind(ids.as_str())
                    .push_bind(&c.email)
                    .push_bind(&c.phone)
                    .push_bind(address.as_deref())
                    .push_bind(c.birth_date.and_then(|d| d.format(DATE).ok()))
                    .push_bind(&c.external_id)
                    .push_bind(&c.status)
                    .push_bind(c.stage.as_str())
                    .push_bind(kyc.as_str())
                    .push_bind(millis(c.created_at))
                    .push_bind(millis(c.updated_at))
                    .push_bind(millis(synced_at));
                let attention = c.attention();
                b.push_bind(attention.as_ref().map(|a| a.reason))
                    .push_bind(attention.as_ref().map(|a| a.detail.clone()))
                    .push_bind(attention.as_ref().map(|a| millis(a.since)));
            });
            q.push(
                " ON CONFLICT (id) DO UPDATE SET
                   party = excluded.party, name = excluded.name, given_name = excluded.given_name,
                   family_name = excluded.family_name, trading_name = excluded.trading_name, ids = excluded.ids,
                   email = excluded.email, phone = excluded.phone, address = excluded.address,
                   birth_date = excluded.birth_date, external_id = excluded.external_id, status = excluded.status,
                   stage = excluded.stage, kyc = excluded.kyc, created_at = excluded.created_at,
                   updated_at = excluded.updated_at, synced_at = excluded.synced_at,
                   attention = excluded.attention, attention_detail = excluded.attention_detail,
                   attention_since = excluded.attention_since",
            );
            q.build().execute(&mut *tx).await?;
        }
        for chunk in report.changes.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO changes (customer_id, at, kind, item_type, old_value, new_value, message) ",
            );
            q.push_values(chunk, |mut b, ch| {
                b.push_bind(&ch.customer_id)
                    .push_bind(millis(ch.at))
                    .push_bind(&ch.kind)
                    .push_bind(&ch.item_type)
                    .push_bind(&ch.old_value)
                    .push_bind(&ch.new_value)
                    .push_bind(&ch.message);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// A page of cached customers.
    pub async fn list_customers(&self, q: &ListQuery) -> Result<Vec<Customer>> {
        let r = self
            .search(&SearchQuery {
                text: String::new(),
                stages: Vec::new(),
                order: q.order,
                offset: q.offset,
                limit: q.limit,
                only: None,
            })
            .await?;
        Ok(r.customers)
    }

    /// Searches the cache (see [`SearchQuery`]). What was typed is always a search, never
    /// an error: a word the index's tokenizer would split where this version cannot
    /// tell (a phrase, which this index refuses) is searched again in stricter words,
    /// and failing that finds nothing.
    pub async fn search(&self, q: &SearchQuery) -> Result<SearchResult> {
        let phrase = |e: &StoreError| e.to_string().contains("phrase queries are not supported");
        match self.search_with(q, match_expression(&q.text)).await {
            Err(e) if phrase(&e) => match self.search_with(q, strict_expression(&q.text)).await {
                Err(e) if phrase(&e) => Ok(SearchResult { customers: Vec::new(), total: 0, total_capped: false }),
                r => r,
            },
            r => r,
        }
    }

    /// The match expression (with the stages) for what was typed: `Ok(None)` when it
    /// can match nothing; a phrase this index refuses becomes stricter words (as in
    /// [`Store::search`]).
    async fn walk_expression(&self, q: &SearchQuery) -> Result<Option<Option<String>>> {
        let Some(e) = match_expression(&q.text) else {
            return Ok(if q.text.trim().is_empty() { Some(with_stages(None, &q.stages)) } else { None });
        };
        let probe = "SELECT 1 FROM customers_fts WHERE customers_fts MATCH ? LIMIT 1";
        let e = match sqlx::query(probe).bind(&e).fetch_optional(self.pool()).await {
            Ok(_) => e,
            Err(err) if err.to_string().contains("phrase queries are not supported") => {
                match strict_expression(&q.text) {
                    Some(e) => e,
                    None => return Ok(None),
                }
            }
            Err(err) => return Err(err.into()),
        };
        Ok(Some(with_stages(Some(e), &q.stages)))
    }

    /// How many customers [`Store::search_each`] would walk: exact, never capped.
    pub async fn count_matching(&self, q: &SearchQuery) -> Result<u64> {
        let Some(expr) = self.walk_expression(q).await? else { return Ok(0) };
        let mut b = QueryBuilder::<Sqlite>::new("SELECT COUNT(*)");
        push_from(&mut b, expr.as_deref(), q);
        let n: i64 = b.build_query_scalar().fetch_one(self.pool()).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The first `upto` matches of `q` in its order (the last `upto`, last first, with
    /// `from_end`), as their sort keys only (no JSON read): what merging several caches'
    /// lists into one needs to place a page.
    pub async fn search_keys(&self, q: &SearchQuery, upto: u32, from_end: bool) -> Result<Vec<SortKey>> {
        let Some(expr) = self.walk_expression(q).await? else { return Ok(Vec::new()) };
        let mut b = QueryBuilder::<Sqlite>::new("SELECT c.id, c.created_at, c.updated_at, c.name");
        push_from(&mut b, expr.as_deref(), q);
        let order = if from_end { q.order.sql_from_end() } else { q.order.sql() };
        b.push(format!(" ORDER BY {order} LIMIT "));
        b.push_bind(i64::from(upto));
        let rows = b.build().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(SortKey {
                    id: r.try_get("id")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// Every customer [`Store::search`] would list for `q` (its offset and limit aside),
    /// in its order, handed to `each` one at a time as SQLite reads them: an export of
    /// 100,000 rows never holds them all. `each` returns `false` to stop (a cancel).
    /// Returns how many were handed over.
    pub async fn search_each(&self, q: &SearchQuery, mut each: impl FnMut(Customer) -> bool) -> Result<u64> {
        use futures::TryStreamExt as _;
        let Some(expr) = self.walk_expression(q).await? else { return Ok(0) };
        let mut b = QueryBuilder::<Sqlite>::new("SELECT c.*");
        push_from(&mut b, expr.as_deref(), q);
        let order = match (&expr, q.order) {
            (Some(_), ListOrder::CreatedDesc) => "f.rowid DESC",
            (_, o) => o.sql(),
        };
        b.push(format!(" ORDER BY {order}"));
        let query = b.build();
        let mut rows = query.fetch(self.pool());
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            n += 1;
            if !each(row_to_customer(&row)?) {
                break;
            }
        }
        Ok(n)
    }

    async fn search_with(&self, q: &SearchQuery, expr: Option<String>) -> Result<SearchResult> {
        if !q.text.trim().is_empty() && expr.is_none() {
            return Ok(SearchResult { customers: Vec::new(), total: 0, total_capped: false });
        }
        let expr = with_stages(expr, &q.stages);
        let from = |b: &mut QueryBuilder<'_, Sqlite>| push_from(b, expr.as_deref(), q);
        let mut page = QueryBuilder::<Sqlite>::new("SELECT c.*");
        from(&mut page);
        let order = match (&expr, q.order) {
            (Some(_), ListOrder::CreatedDesc) => "f.rowid DESC",
            (_, o) => o.sql(),
        };
        page.push(format!(" ORDER BY {order} LIMIT "));
        page.push_bind(i64::from(q.limit.max(1)));
        page.push(" OFFSET ");
        page.push_bind(i64::from(q.offset));
        let rows = page.build().fetch_all(self.pool()).await?;
        let customers = rows.iter().map(row_to_customer).collect::<Result<Vec<_>>>()?;

        // The whole list, or a stage filter, is counted exactly from the per-stage
        // totals the triggers keep, so the list scrolls to its last customer; a search's
        // matches are counted up to the cap (the list says "1,000+").
        if expr.is_none() && q.only.is_none() {
            let mut totals = QueryBuilder::<Sqlite>::new("SELECT COALESCE(SUM(n), 0) FROM stage_totals");
            if !q.stages.is_empty() {
                totals.push(" WHERE stage");
                push_in_list(&mut totals, &q.stages);
            }
            let n: i64 = totals.build_query_scalar().fetch_one(self.pool()).await?;
            return Ok(SearchResult { customers, total: u64::try_from(n).unwrap_or(0), total_capped: false });
        }
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (SELECT 1");
        from(&mut count);
        count.push(" LIMIT ");
        count.push_bind(i64::try_from(SearchResult::COUNT_CAP).unwrap_or(i64::MAX) + 1);
        count.push(")");
        let n: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
        let n = u64::try_from(n).unwrap_or(0);
        Ok(SearchResult { customers, total: n.min(SearchResult::COUNT_CAP), total_capped: n > SearchResult::COUNT_CAP })
    }

    /// Customers per stage, for the filter chips.
    pub async fn stage_counts(&self) -> Result<Vec<(String, u64)>> {
        let rows =
            sqlx::query("SELECT stage, n FROM stage_totals WHERE n > 0 ORDER BY stage").fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get("stage")?, u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0)))).collect()
    }

    /// One cached customer.
    pub async fn get_customer(&self, id: &str) -> Result<Option<Customer>> {
        let row = sqlx::query("SELECT * FROM customers c WHERE id = ?").bind(id).fetch_optional(self.pool()).await?;
        row.as_ref().map(row_to_customer).transpose()
    }

    /// The cached customers among `ids` (those the cache has), in no set order.
    pub async fn get_customers(&self, ids: &[String]) -> Result<Vec<Customer>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM customers c WHERE id");
            push_in_list(&mut q, chunk);
            for row in q.build().fetch_all(self.pool()).await? {
                out.push(row_to_customer(&row)?);
            }
        }
        Ok(out)
    }

    /// How many customers are cached.
    pub async fn count_customers(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(self.pool()).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The newest `updated_at` in the cache: where an incremental sync stops.
    pub async fn max_updated_at(&self) -> Result<Option<OffsetDateTime>> {
        let ms: Option<i64> =
            sqlx::query_scalar("SELECT MAX(updated_at) FROM customers").fetch_one(self.pool()).await?;
        ms.map(from_millis).transpose()
    }

    /// Customers whose KYC is in flight (in review at the provider, or an item in
    /// review), most recently changed first.
    pub async fn in_flight_ids(&self, limit: u32) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM customers WHERE stage NOT IN ('approved', 'rejected')
               AND (stage = 'in_review' OR kyc LIKE '%\"in_review\"%') ORDER BY updated_at DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?)
    }

    /// Adds an entry of the desk's own to a customer's timeline (an identity check: who
    /// ran it and what it found, never the record itself).
    pub async fn add_change(&self, ch: &Change) -> Result<()> {
        sqlx::query("INSERT INTO changes (customer_id, at, kind, item_type, old_value, new_value, message) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(&ch.customer_id)
            .bind(millis(ch.at))
            .bind(&ch.kind)
            .bind(&ch.item_type)
            .bind(&ch.old_value)
            .bind(&ch.new_value)
            .bind(&ch.message)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Who waits on the partner, for the work queue: how many for each reason, and the
    /// oldest `limit` of each (of `reason` only, when given), read from indexes and
    /// without reading anyone's checklist. Reasons: a customer's [`Customer::attention`]
    /// (`document_rejected`, `correction`, `biometrics`), `long_review` (in review
    /// since before `review_before`, nothing else pending), `next_step` (approved
    /// without an offer, card or wallet, when the provider offers one). `only`: among
    /// these customers (a tag's).
    pub async fn waiting(
        &self,
        review_before: OffsetDateTime,
        products_expected: bool,
        reason: Option<&str>,
        only: Option<&[String]>,
        limit: u32,
    ) -> Result<WaitingRead> {
        let among = |b: &mut QueryBuilder<'_, Sqlite>| {
            if let Some(only) = only {
                push_among(b, only);
            }
        };
        let before = millis(review_before);
        let category = |b: &mut QueryBuilder<'_, Sqlite>, which: &str| match which {
            "long_review" => {
                b.push(" FROM customers c WHERE c.stage = 'in_review' AND c.attention IS NULL AND c.updated_at < ");
                b.push_bind(before);
            }
            "next_step" => {
                b.push(
                    " FROM customers c WHERE c.stage = 'approved' AND c.attention IS NULL
                       AND NOT EXISTS (SELECT 1 FROM products p WHERE p.customer_id = c.id)",
                );
            }
            attention => {
                b.push(" FROM customers c WHERE c.attention = ");
                b.push_bind(attention.to_owned());
            }
        };
        let mut kinds: Vec<&str> = vec!["document_rejected", "correction", "biometrics", "long_review"];
        if products_expected {
            kinds.push("next_step");
        }
        let mut counts = Vec::new();
        let mut b = QueryBuilder::<Sqlite>::new(
            "SELECT c.attention, COUNT(*) AS n FROM customers c WHERE c.attention IS NOT NULL",
        );
        among(&mut b);
        b.push(" GROUP BY c.attention");
        for r in b.build().fetch_all(self.pool()).await? {
            counts.push((r.try_get("attention")?, u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0)));
        }
        let mut b = QueryBuilder::<Sqlite>::new("SELECT COUNT(*)");
        category(&mut b, "long_review");
        among(&mut b);
        let n: i64 = b.build_query_scalar().fetch_one(self.pool()).await?;
        counts.push(("long_review".to_owned(), u64::try_from(n).unwrap_or(0)));
        if products_expected {
            // The approved (an index range) less those with a product (few): not a
            // lookup in the products for every approved customer.
            let mut b = QueryBuilder::<Sqlite>::new(
                "SELECT (SELECT COUNT(*) FROM customers c WHERE c.attention IS NULL AND c.stage = 'approved'",
            );
            among(&mut b);
            b.push(
                ") - (SELECT COUNT(*) FROM customers c WHERE c.attention IS NULL AND c.stage = 'approved'
                      AND c.id IN (SELECT customer_id FROM products)",
            );
            among(&mut b);
            b.push(")");
            let n: i64 = b.build_query_scalar().fetch_one(self.pool()).await?;
            counts.push(("next_step".to_owned(), u64::try_from(n).unwrap_or(0)));
        }
        counts.retain(|(_, n)| *n > 0);
        let mut oldest = Vec::new();
        for k in kinds.iter().filter(|k| reason.is_none_or(|r| r == **k)) {
            let since = match *k {
                "long_review" | "next_step" => "c.updated_at",
                _ => "c.attention_since",
            };
            let mut b = QueryBuilder::<Sqlite>::new(format!(
                "SELECT c.id, c.name, c.stage, c.attention_detail AS detail, {since} AS since"
            ));
            category(&mut b, k);
            among(&mut b);
            b.push(format!(" ORDER BY {since}, c.id LIMIT "));
            b.push_bind(i64::from(limit));
            for r in b.build().fetch_all(self.pool()).await? {
                oldest.push(Waiting {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    stage: r.try_get("stage")?,
                    reason: (*k).to_owned(),
                    detail: r.try_get("detail")?,
                    since: from_millis(r.try_get("since")?)?,
                });
            }
        }
        Ok(WaitingRead { counts, oldest })
    }

    /// The reason each of `ids` waits on the partner for ([`Store::waiting`]'s, with
    /// the same `review_before` and `products_expected`), or `None`; unknown ids left out.
    pub async fn waiting_reasons(
        &self,
        ids: &[String],
        review_before: OffsetDateTime,
        products_expected: bool,
    ) -> Result<Vec<(Waiting, Option<String>)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let mut b = QueryBuilder::<Sqlite>::new(
                "SELECT c.id, c.name, c.stage, c.attention, c.updated_at,
                        EXISTS (SELECT 1 FROM products p WHERE p.customer_id = c.id) AS has_products
                   FROM customers c WHERE c.id",
            );
            push_in_list(&mut b, chunk);
            for r in b.build().fetch_all(self.pool()).await? {
                let stage: String = r.try_get("stage")?;
                let updated: i64 = r.try_get("updated_at")?;
                let attention: Option<String> = r.try_get("attention")?;
                let has_products: bool = r.try_get("has_products")?;
                let reason = attention.or_else(|| match stage.as_str() {
                    "in_review" if updated < millis(review_before) => Some("long_review".to_owned()),
                    "approved" if products_expected && !has_products => Some("next_step".to_owned()),
                    _ => None,
                });
                out.push((
                    Waiting {
                        id: r.try_get("id")?,
                        name: r.try_get("name")?,
                        stage,
                        reason: "refused_write".into(),
                        detail: None,
                        since: from_millis(updated)?,
                    },
                    reason,
                ));
            }
        }
        Ok(out)
    }

    /// A customer's timeline, oldest first.
    pub async fn changes_for(&self, customer_id: &str) -> Result<Vec<Change>> {
        let rows = sqlx::query("SELECT * FROM changes WHERE customer_id = ? ORDER BY at, id")
            .bind(customer_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Change {
                    customer_id: r.try_get("customer_id")?,
                    at: from_millis(r.try_get("at")?)?,
                    kind: r.try_get("kind")?,
                    item_type: r.try_get("item_type")?,
                    old_value: r.try_get("old_value")?,
                    new_value: r.try_get("new_value")?,
                    message: r.try_get("message")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::match_expression;

    /// `{C}` stands for the text columns a word is searched in.
    fn cols(e: &str) -> String {
        e.replace("{C}", "{name trading_name email external_id docs}")
    }

    #[test]
    fn what_was_typed_becomes_a_prefix_search() {
        assert_eq!(match_expression("123.456.78").as_deref(), Some("docs : \"12345678\"*"));
        assert_eq!(match_expression("12.345.678/0001").as_deref(), Some("docs : \"123456780001\"*"));
        assert_eq!(match_expression("Maria Sil").as_deref(), Some(cols("{C} : \"Maria\"* {C} : \"Sil\"*").as_str()));
        assert_eq!(match_expression("joao@ex").as_deref(), Some(cols("{C} : \"joao\"* {C} : \"ex\"*").as_str()));
        assert_eq!(
            match_expression("partner-ref-12").as_deref(),
            Some(cols("(docs : \"PARTNERREF12\"*) OR ({C} : \"partner\"* {C} : \"ref\"* {C} : \"12\"*)").as_str())
        );
        assert_eq!(match_expression("\"; DROP").as_deref(), Some(cols("{C} : \"DROP\"*").as_str()));
        // A passport or licence number: one kept value, or words.
        assert_eq!(
            match_expression("a12-345").as_deref(),
            Some(cols("(docs : \"A12345\"*) OR ({C} : \"a12\"* {C} : \"345\"*)").as_str())
        );
        assert_eq!(match_expression("  "), None);
        assert_eq!(match_expression("@@"), None);
    }
}
