//! The workspace: what staff add to customers across every connection — notes, tags,
//! saved views — in one database beside the per-profile caches (`workspace.sqlite`,
//! encrypted like them).
//!
//! [`Workspace`] is the interface; [`WorkspaceStore`] is the SQLite one. A shared team
//! store (PostgreSQL) can implement the same trait later: the desk only sees the trait.
//! The rules of the data live here, once: a note can be edited by its author for
//! [`NOTE_EDIT_WINDOW`] after it was written, and is append-only after; a tag's name is
//! unique (ignoring case).

use crate::{CacheKey, Result, StoreError, from_millis, millis};
use sqlx::Row;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::str::FromStr;
use time::OffsetDateTime;

/// How long a note's author may still edit it.
pub const NOTE_EDIT_WINDOW: time::Duration = time::Duration::minutes(5);

/// The longest note kept (characters).
pub const MAX_NOTE_CHARS: usize = 5000;

/// A note on a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Its id.
    pub id: i64,
    /// The connection profile the customer is in.
    pub profile: String,
    /// The customer.
    pub customer_id: String,
    /// Who wrote it.
    pub author: String,
    /// Plain text.
    pub body: String,
    /// When.
    pub created_at: OffsetDateTime,
    /// When its author last changed it.
    pub edited_at: Option<OffsetDateTime>,
}

impl Note {
    /// Whether `author` may still edit it at `now`.
    pub fn editable_by(&self, author: &str, now: OffsetDateTime) -> bool {
        self.author == author && now - self.created_at <= NOTE_EDIT_WINDOW
    }
}

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Its id.
    pub id: i64,
    /// Its name (unique, ignoring case).
    pub name: String,
    /// Its colour, `#rrggbb`.
    pub colour: String,
}

/// A saved view: a search, filters and sort under a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    /// Its id.
    pub id: i64,
    /// Its name (unique).
    pub name: String,
    /// The query, as the UI keeps it (JSON).
    pub query: String,
}

/// A boxed future, for a trait other stores can implement.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// What the desk keeps about customers beyond the providers' data, whatever the store.
pub trait Workspace: Send + Sync {
    /// Adds a note.
    fn add_note<'a>(&'a self, profile: &'a str, customer: &'a str, author: &'a str, body: &'a str) -> Fut<'a, Note>;
    /// Changes a note's text: only its author, only within [`NOTE_EDIT_WINDOW`].
    fn edit_note<'a>(&'a self, id: i64, author: &'a str, body: &'a str, now: OffsetDateTime) -> Fut<'a, Note>;
    /// A customer's notes, oldest first.
    fn notes_for<'a>(&'a self, profile: &'a str, customer: &'a str) -> Fut<'a, Vec<Note>>;
    /// Creates a tag.
    fn create_tag<'a>(&'a self, name: &'a str, colour: &'a str) -> Fut<'a, Tag>;
    /// Renames or recolours a tag.
    fn update_tag<'a>(&'a self, id: i64, name: &'a str, colour: &'a str) -> Fut<'a, Tag>;
    /// Every tag, by name.
    fn tags(&self) -> Fut<'_, Vec<Tag>>;
    /// Puts a tag on customers (already there: nothing changes). How many were added.
    fn tag<'a>(&'a self, profile: &'a str, customers: &'a [String], tag: i64) -> Fut<'a, u64>;
    /// Takes a tag off a customer.
    fn untag<'a>(&'a self, profile: &'a str, customer: &'a str, tag: i64) -> Fut<'a, ()>;
    /// A customer's tags.
    fn tags_of<'a>(&'a self, profile: &'a str, customer: &'a str) -> Fut<'a, Vec<Tag>>;
    /// The customers of a profile that carry a tag.
    fn tagged<'a>(&'a self, profile: &'a str, tag: i64) -> Fut<'a, Vec<String>>;
    /// Saves a view under a name (replacing one of that name).
    fn save_view<'a>(&'a self, name: &'a str, query: &'a str) -> Fut<'a, SavedView>;
    /// Every saved view, by name.
    fn views(&self) -> Fut<'_, Vec<SavedView>>;
    /// Deletes a saved view.
    fn delete_view(&self, id: i64) -> Fut<'_, ()>;
    /// A small fact (the journal's head as last written).
    fn fact<'a>(&'a self, key: &'a str) -> Fut<'a, Option<String>>;
    /// Keeps a small fact.
    fn set_fact<'a>(&'a self, key: &'a str, value: &'a str) -> Fut<'a, ()>;
}

/// The workspace in a SQLite file (SQLCipher-encrypted with a key from the keychain).
#[derive(Debug, Clone)]
pub struct WorkspaceStore {
    pool: SqlitePool,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY, profile TEXT NOT NULL, customer_id TEXT NOT NULL, author TEXT NOT NULL,
    body TEXT NOT NULL, created_at INTEGER NOT NULL, edited_at INTEGER);
CREATE INDEX IF NOT EXISTS notes_by_customer ON notes (profile, customer_id, created_at);
CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, colour TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customer_tags (
    profile TEXT NOT NULL, customer_id TEXT NOT NULL, tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (profile, customer_id, tag_id));
CREATE INDEX IF NOT EXISTS customers_by_tag ON customer_tags (tag_id, profile);
CREATE TABLE IF NOT EXISTS views (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, query TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

fn refused(message: impl Into<String>) -> StoreError {
    StoreError::Refused(message.into())
}

fn check_tag(name: &str, colour: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(refused("a tag's name is 1 to 40 characters"));
    }
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex.is_none() {
        return Err(refused("a tag's colour is #rrggbb"));
    }
    Ok(())
}

fn note_of(r: &sqlx::sqlite::SqliteRow) -> Result<Note> {
    Ok(Note {
        id: r.try_get("id")?,
        profile: r.try_get("profile")?,
        customer_id: r.try_get("customer_id")?,
        author: r.try_get("author")?,
        body: r.try_get("body")?,
        created_at: from_millis(r.try_get("created_at")?)?,
        edited_at: r.try_get::<Option<i64>, _>("edited_at")?.map(from_millis).transpose()?,
    })
}

fn tag_of(r: &sqlx::sqlite::SqliteRow) -> Result<Tag> {
    Ok(Tag { id: r.try_get("id")?, name: r.try_get("name")?, colour: r.try_get("colour")? })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.message().contains("UNIQUE"))
}

impl WorkspaceStore {
    /// Opens (creating if needed) the workspace at `path`, encrypted with `key` when
    /// given (the app always gives one).
    pub async fn open(path: &Path, key: Option<&CacheKey>) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Sql(sqlx::Error::Io(e)))?;
        }
        let mut opts = SqliteConnectOptions::from_str("sqlite:")?;
        if let Some(key) = key {
            opts = opts.pragma("key", key.pragma());
            for (name, value) in crate::CIPHER_SETTINGS {
                opts = opts.pragma(*name, *value);
            }
        }
        let opts = opts
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(2).connect_with(opts).await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        for suffix in ["", "-wal", "-shm"] {
            let f = crate::with_suffix(path, suffix);
            if f.exists() {
                crate::private(&f, 0o600)?;
            }
        }
        Ok(Self { pool })
    }

    async fn note(&self, id: i64) -> Result<Note> {
        let row = sqlx::query("SELECT * FROM notes WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        note_of(&row.ok_or_else(|| refused(format!("no note {id}")))?)
    }

    async fn tag_by_id(&self, id: i64) -> Result<Tag> {
        let row = sqlx::query("SELECT * FROM tags WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        tag_of(&row.ok_or_else(|| refused(format!("no tag {id}")))?)
    }
}

fn check_note(body: &str) -> Result<&str> {
    let body = body.trim();
    if body.is_empty() {
        return Err(refused("a note cannot be empty"));
    }
    if body.chars().count() > MAX_NOTE_CHARS {
        return Err(refused(format!("a note is at most {MAX_NOTE_CHARS} characters")));
    }
    Ok(body)
}

impl Workspace for WorkspaceStore {
    fn add_note<'a>(&'a self, profile: &'a str, customer: &'a str, author: &'a str, body: &'a str) -> Fut<'a, Note> {
        Box::pin(async move {
            let body = check_note(body)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO notes (profile, customer_id, author, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(profile)
            .bind(customer)
            .bind(author)
            .bind(body)
            .bind(millis(OffsetDateTime::now_utc()))
            .fetch_one(&self.pool)
            .await?;
            self.note(id).await
        })
    }

    fn edit_note<'a>(&'a self, id: i64, author: &'a str, body: &'a str, now: OffsetDateTime) -> Fut<'a, Note> {
        Box::pin(async move {
            let body = check_note(body)?;
            let note = self.note(id).await?;
            if note.author != author {
                return Err(refused("only its author can change a note"));
            }
            if !note.editable_by(author, now) {
                return Err(refused("a note can be changed for 5 minutes after it was written; add another"));
            }
            sqlx::query("UPDATE notes SET body = ?, edited_at = ? WHERE id = ?")
                .bind(body)
                .bind(millis(now))
                .bind(id)
                .execute(&self.pool)
                .await?;
            self.note(id).await
        })
    }

    fn notes_for<'a>(&'a self, profile: &'a str, customer: &'a str) -> Fut<'a, Vec<Note>> {
        Box::pin(async move {
            let rows = sqlx::query("SELECT * FROM notes WHERE profile = ? AND customer_id = ? ORDER BY created_at, id")
                .bind(profile)
                .bind(customer)
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(note_of).collect()
        })
    }

    fn create_tag<'a>(&'a self, name: &'a str, colour: &'a str) -> Fut<'a, Tag> {
        Box::pin(async move {
            check_tag(name, colour)?;
            let r = sqlx::query_scalar::<_, i64>("INSERT INTO tags (name, colour) VALUES (?, ?) RETURNING id")
                .bind(name.trim())
                .bind(colour.to_ascii_lowercase())
                .fetch_one(&self.pool)
                .await;
            match r {
                Ok(id) => self.tag_by_id(id).await,
                Err(e) if is_unique_violation(&e) => Err(refused(format!("there is a tag {:?} already", name.trim()))),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn update_tag<'a>(&'a self, id: i64, name: &'a str, colour: &'a str) -> Fut<'a, Tag> {
        Box::pin(async move {
            check_tag(name, colour)?;
            let r = sqlx::query("UPDATE tags SET name = ?, colour = ? WHERE id = ?")
                .bind(name.trim())
                .bind(colour.to_ascii_lowercase())
                .bind(id)
                .execute(&self.pool)
                .await;
            match r {
                Ok(_) => self.tag_by_id(id).await,
                Err(e) if is_unique_violation(&e) => Err(refused(format!("there is a tag {:?} already", name.trim()))),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn tags(&self) -> Fut<'_, Vec<Tag>> {
        Box::pin(async move {
            let rows = sqlx::query("SELECT * FROM tags ORDER BY name COLLATE NOCASE").fetch_all(&self.pool).await?;
            rows.iter().map(tag_of).collect()
        })
    }

    fn tag<'a>(&'a self, profile: &'a str, customers: &'a [String], tag: i64) -> Fut<'a, u64> {
        Box::pin(async move {
            self.tag_by_id(tag).await?;
            let mut tx = self.pool.begin().await?;
            let mut added = 0;
            for c in customers {
                added +=
                    sqlx::query("INSERT OR IGNORE INTO customer_tags (profile, customer_id, tag_id) VALUES (?, ?, ?)")
                        .bind(profile)
                        .bind(c)
                        .bind(tag)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    fn untag<'a>(&'a self, profile: &'a str, customer: &'a str, tag: i64) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query("DELETE FROM customer_tags WHERE profile = ? AND customer_id = ? AND tag_id = ?")
                .bind(profile)
                .bind(customer)
                .bind(tag)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }

    fn tags_of<'a>(&'a self, profile: &'a str, customer: &'a str) -> Fut<'a, Vec<Tag>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT t.* FROM tags t JOIN customer_tags ct ON ct.tag_id = t.id
                 WHERE ct.profile = ? AND ct.customer_id = ? ORDER BY t.name COLLATE NOCASE",
            )
            .bind(profile)
            .bind(customer)
            .fetch_all(&self.pool)
            .await?;
            rows.iter().map(tag_of).collect()
        })
    }

    fn tagged<'a>(&'a self, profile: &'a str, tag: i64) -> Fut<'a, Vec<String>> {
        Box::pin(async move {
            Ok(sqlx::query_scalar("SELECT customer_id FROM customer_tags WHERE tag_id = ? AND profile = ?")
                .bind(tag)
                .bind(profile)
                .fetch_all(&self.pool)
                .await?)
        })
    }

    fn save_view<'a>(&'a self, name: &'a str, query: &'a str) -> Fut<'a, SavedView> {
        Box::pin(async move {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 60 {
                return Err(refused("a view's name is 1 to 60 characters"));
            }
            serde_json::from_str::<serde_json::Value>(query).map_err(|e| refused(format!("not a view: {e}")))?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO views (name, query) VALUES (?, ?)
                 ON CONFLICT (name) DO UPDATE SET query = excluded.query RETURNING id",
            )
            .bind(name)
            .bind(query)
            .fetch_one(&self.pool)
            .await?;
            Ok(SavedView { id, name: name.to_owned(), query: query.to_owned() })
        })
    }

    fn views(&self) -> Fut<'_, Vec<SavedView>> {
        Box::pin(async move {
            let rows = sqlx::query("SELECT * FROM views ORDER BY name COLLATE NOCASE").fetch_all(&self.pool).await?;
            rows.iter()
                .map(|r| Ok(SavedView { id: r.try_get("id")?, name: r.try_get("name")?, query: r.try_get("query")? }))
                .collect()
        })
    }

    fn delete_view(&self, id: i64) -> Fut<'_, ()> {
        Box::pin(async move {
            sqlx::query("DELETE FROM views WHERE id = ?").bind(id).execute(&self.pool).await?;
            Ok(())
        })
    }

    fn fact<'a>(&'a self, key: &'a str) -> Fut<'a, Option<String>> {
        Box::pin(async move {
            Ok(sqlx::query_scalar("SELECT value FROM facts WHERE key = ?").bind(key).fetch_optional(&self.pool).await?)
        })
    }

    fn set_fact<'a>(&'a self, key: &'a str, value: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO facts (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ws() -> (WorkspaceStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let key = CacheKey::from_bytes([3; 32]);
        (WorkspaceStore::open(&dir.path().join("workspace.sqlite"), Some(&key)).await.unwrap(), dir)
    }

    #[tokio::test]
    async fn a_note_is_its_authors_to_change_for_five_minutes_then_append_only() {
        let (w, _d) = ws().await;
        let n = w.add_note("p", "c1", "ana", "  Called the customer; documents on Monday.  ").await.unwrap();
        assert_eq!(n.body, "Called the customer; documents on Monday.");
        let soon = n.created_at + time::Duration::minutes(4);
        assert_eq!(w.edit_note(n.id, "ana", "Called; docs Monday.", soon).await.unwrap().body, "Called; docs Monday.");
        assert!(matches!(w.edit_note(n.id, "bruno", "mine now", soon).await, Err(StoreError::Refused(_))));
        let late = n.created_at + time::Duration::minutes(6);
        assert!(matches!(w.edit_note(n.id, "ana", "too late", late).await, Err(StoreError::Refused(_))));
        assert!(matches!(w.add_note("p", "c1", "ana", "   ").await, Err(StoreError::Refused(_))));
        w.add_note("p", "c1", "bruno", "<b>not html</b>").await.unwrap();
        let notes = w.notes_for("p", "c1").await.unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[1].body, "<b>not html</b>", "kept as typed; shown as text");
        assert!(w.notes_for("other", "c1").await.unwrap().is_empty(), "per profile");
    }

    #[tokio::test]
    async fn tags_are_unique_recolourable_and_filter_customers() {
        let (w, _d) = ws().await;
        let urgent = w.create_tag("Urgent", "#D32F2F").await.unwrap();
        assert!(matches!(w.create_tag("urgent", "#000000").await, Err(StoreError::Refused(_))), "unique ignoring case");
        assert!(matches!(w.create_tag("x", "red").await, Err(StoreError::Refused(_))));
        let ids = vec!["c1".to_owned(), "c2".to_owned()];
        assert_eq!(w.tag("p", &ids, urgent.id).await.unwrap(), 2);
        assert_eq!(w.tag("p", &ids, urgent.id).await.unwrap(), 0, "already there");
        w.untag("p", "c2", urgent.id).await.unwrap();
        assert_eq!(w.tagged("p", urgent.id).await.unwrap(), ["c1"]);
        let renamed = w.update_tag(urgent.id, "Follow up", "#1976d2").await.unwrap();
        assert_eq!(w.tags_of("p", "c1").await.unwrap(), [renamed]);
    }

    #[tokio::test]
    async fn views_are_saved_by_name_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let key = CacheKey::from_bytes([3; 32]);
        let path = dir.path().join("workspace.sqlite");
        let w = WorkspaceStore::open(&path, Some(&key)).await.unwrap();
        w.save_view("Rejected this week", r#"{"stages":["rejected"]}"#).await.unwrap();
        w.save_view("Rejected this week", r#"{"stages":["rejected"],"text":"a"}"#).await.unwrap();
        assert!(matches!(w.save_view("x", "not json").await, Err(StoreError::Refused(_))));
        drop(w);
        let again = WorkspaceStore::open(&path, Some(&key)).await.unwrap();
        let views = again.views().await.unwrap();
        assert_eq!(views.len(), 1);
        assert!(views[0].query.contains("\"text\""));
        // Encrypted: the file holds no readable text.
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(8).any(|w| w == b"Rejected"));
    }
}
