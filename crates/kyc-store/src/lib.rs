//! The local SQLite cache of KYC Desk.
//!
//! One SQLite file per connection profile (so sandbox and production data never mix),
//! in WAL mode, its schema from the timestamped migrations in `migrations/` embedded
//! at build time. Queries are checked at run time (`sqlx::query`, not `query!`), so
//! building needs no database.
//!
//! What it holds: customers of any provider (with compact kyc and identifier encodings
//! and a contentless FTS5 search index kept in step by triggers), a change log for the
//! timeline, products (credit offers, cards, wallets),
//! documents uploaded from this machine, the outbox of writes waiting for the API, and
//! small facts (last sync, sync cursors).
//!
//! Depends on `kyc-model` only: it stores the provider-neutral model and knows nothing
//! of HTTP, providers or the UI.

mod customers;
mod extras;
pub mod journal;
mod outbox;
pub mod workspace;

pub use customers::{
    Change, ListOrder, ListQuery, SearchQuery, SearchResult, SortKey, UpsertReport, Waiting, WaitingRead,
};
pub use extras::StoredDocument;
pub use outbox::{OutboxEntry, OutboxState};

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use time::OffsetDateTime;

/// What can go wrong with the cache.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("local cache error: {0}")]
    Sql(#[from] sqlx::Error),
    /// A migration failed (e.g. the file was written by a newer version of the app).
    #[error("local cache could not be upgraded: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back.
    #[error("local cache holds a value this version cannot read: {0}")]
    Corrupt(String),
    /// A rule of the workspace refused the change (a note past its edit window, a tag
    /// name taken): the reason, for people.
    #[error("{0}")]
    Refused(String),
}

pub(crate) type Result<T> = std::result::Result<T, StoreError>;

/// The cache.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// One connection with `synchronous=FULL`, for the outbox's writes: a queued write
    /// is on disk before the commit returns. Everything else (sync pages, the search
    /// index) commits with `NORMAL`, durable at the next checkpoint, which a power cut
    /// can cost but never corrupt, and the next sync fetches again.
    durable: SqlitePool,
}

/// How caches are encrypted, beyond SQLCipher 4's defaults (AES-256-CBC, 4 KiB pages,
/// a random salt per file): pages authenticated with HMAC-SHA256 rather than
/// HMAC-SHA512 (half the cost of every page read on these machines, still a 256-bit
/// MAC), and no locking or wiping of SQLCipher's own buffers (a cost on every page,
/// against an attacker who can already read this process's memory).
pub(crate) const CIPHER_SETTINGS: &[(&str, &str)] =
    &[("cipher_hmac_algorithm", HMAC), ("cipher_memory_security", "OFF")];

/// The page MAC (see [`CIPHER_SETTINGS`]).
const HMAC: &str = "HMAC_SHA256";

/// A cache's encryption key: 32 random bytes, used as SQLCipher's raw key (no key
/// derivation: it never was a password). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct CacheKey([u8; 32]);

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(…)")
    }
}

impl CacheKey {
    /// A key from its bytes (make them with a cryptographic random source).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key as 64 hex digits (how the keychain keeps it).
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let hex = hex.trim();
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(bytes))
    }

    /// The key's bytes, to derive other keys from (the document copies' key).
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// The value of `PRAGMA key` for this raw key.
    pub(crate) fn pragma(&self) -> String {
        format!("\"x'{}'\"", self.to_hex())
    }
}

pub(crate) fn millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn from_millis(ms: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Meta key: when the last successful sync finished (epoch ms).
pub const META_LAST_SYNC: &str = "last_sync_at";

pub(crate) fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut f = path.as_os_str().to_owned();
    f.push(suffix);
    std::path::PathBuf::from(f)
}

/// Whether `path` holds an encrypted cache (a file that is not plain SQLite).
pub fn is_encrypted(path: &Path) -> Result<bool> {
    Ok(path.exists() && !is_plain_sqlite(path)?)
}

/// Whether `path` is an unencrypted SQLite database (its header is in the clear; an
/// encrypted one starts with random salt).
fn is_plain_sqlite(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    match std::fs::File::open(path) {
        Ok(mut f) => Ok(f.read_exact(&mut head).is_ok() && &head == b"SQLite format 3\0"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StoreError::Sql(sqlx::Error::Io(e))),
    }
}

/// Encrypts an unencrypted cache: every table (customers, timeline, documents, outbox,
/// search index, migrations) is exported into an encrypted copy beside it, which is
/// flushed and then renamed over the original. A crash before the rename leaves the
/// original as it was (the copy is started again); after it, the encrypted one.
async fn encrypt_in_place(path: &Path, key: &CacheKey) -> Result<()> {
    use sqlx::Connection;
    let copy = with_suffix(path, ".encrypting");
    let _ = std::fs::remove_file(&copy);
    // Create allowed: ATTACH makes the encrypted copy with the main file's open flags.
    let opts = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    // The copy is written with the page MAC every later open expects.
    sqlx::query(&format!("PRAGMA cipher_default_hmac_algorithm = {HMAC}")).execute(&mut conn).await?;
    let target = copy.to_str().ok_or_else(|| StoreError::Corrupt(format!("{}: not UTF-8", copy.display())))?;
    sqlx::query(&format!("ATTACH DATABASE '{}' AS encrypted KEY {}", target.replace('\'', "''"), key.pragma()))
        .execute(&mut conn)
        .await?;
    sqlx::query("SELECT sqlcipher_export('encrypted')").execute(&mut conn).await?;
    sqlx::query("DETACH DATABASE encrypted").execute(&mut conn).await?;
    // Closing the last connection checkpoints the WAL into the plain file and removes it.
    conn.close().await?;
    let io = |e: std::io::Error| StoreError::Sql(sqlx::Error::Io(e));
    std::fs::File::open(&copy).and_then(|f| f.sync_all()).map_err(io)?;
    for suffix in ["-wal", "-shm"] {
        // A plain WAL must never be replayed into the encrypted file.
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
    std::fs::rename(&copy, path).map_err(io)?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
    }
    tracing::info!(cache = %path.display(), "encrypted an unencrypted cache in place");
    Ok(())
}

/// Sets Unix permissions (nothing elsewhere: Windows keeps app data under the user's ACL).
pub(crate) fn private(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode))
        .map_err(|e| StoreError::Sql(sqlx::Error::Io(e)))?;
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the cache file at `path`, unencrypted, and brings its
    /// schema up to date. (Tools and tests; the app opens caches with
    /// [`Store::open_encrypted`].)
    pub async fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, None).await
    }

    /// Opens (creating if needed) the cache at `path` encrypted with `key` (SQLCipher:
    /// every page AES-256 encrypted and authenticated), and brings its schema up to date.
    /// A cache written unencrypted by an earlier version is encrypted in place first,
    /// losing nothing.
    pub async fn open_encrypted(path: &Path, key: &CacheKey) -> Result<Self> {
        if is_plain_sqlite(path)? {
            encrypt_in_place(path, key).await?;
        }
        Self::open_with(path, Some(key)).await
    }

    async fn open_with(path: &Path, key: Option<&CacheKey>) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Sql(sqlx::Error::Io(e)))?;
            private(dir, 0o700)?;
        }
        let mut opts = SqliteConnectOptions::from_str("sqlite:")?;
        if let Some(key) = key {
            // sqlx sends `key` first and the cipher settings right after it, before any
            // page is read, as SQLCipher needs.
            opts = opts.pragma("key", key.pragma());
            for (name, value) in CIPHER_SETTINGS {
                opts = opts.pragma(*name, *value);
            }
        }
        // An encrypted file cannot be memory-mapped (its pages must be decrypted), so
        // its page cache of decrypted pages is larger: 128 MiB a connection, at most
        // the file's size (a cache of 100,000 customers is about 127 MB).
        let cache_kib = if key.is_some() { "-131072" } else { "-65536" };
        let opts = opts
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10))
            // A desktop cache of up to a million customers: a page cache and (unless
            // encrypted) memory-mapped reads keep search and sync off read(2)/pread(2).
            .pragma("cache_size", cache_kib)
            .pragma("mmap_size", "268435456")
            .pragma("temp_store", "memory")
            // Checkpoint every 16 MiB of WAL rather than 4: the search index's pages,
            // rewritten by every page of a sync, are copied (and encrypted) once per
            // checkpoint instead of four times; the WAL is cut back to 64 MiB after.
            .pragma("wal_autocheckpoint", "4000")
            .pragma("journal_size_limit", "67108864");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts.clone()).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let durable =
            SqlitePoolOptions::new().max_connections(1).connect_with(opts.synchronous(SqliteSynchronous::Full)).await?;
        // The cache and its WAL hold personal data: this user's only.
        for suffix in ["", "-wal", "-shm"] {
            let f = with_suffix(path, suffix);
            if f.exists() {
                private(&f, 0o600)?;
            }
        }
        Ok(Self { pool, durable })
    }

    /// The form draft of `kind` (e.g. `register`), as the UI saved it.
    pub async fn draft(&self, kind: &str) -> Result<Option<String>> {
        self.meta(&format!("draft:{kind}")).await
    }

    /// Keeps a form draft (in the cache, so encrypted with it), replacing the last.
    pub async fn set_draft(&self, kind: &str, draft: &str) -> Result<()> {
        self.set_meta(&format!("draft:{kind}"), draft).await
    }

    /// Drops a form draft (its customer exists now).
    pub async fn clear_draft(&self, kind: &str) -> Result<()> {
        sqlx::query("DELETE FROM meta WHERE key = ?").bind(format!("draft:{kind}")).execute(&self.pool).await?;
        Ok(())
    }

    /// `PRAGMA synchronous` of the outbox's connection and of the others (2 = FULL,
    /// 1 = NORMAL), for tests of durability.
    pub async fn synchronous(&self) -> Result<(i64, i64)> {
        let q = "SELECT CAST(synchronous AS INTEGER) FROM pragma_synchronous()";
        Ok((sqlx::query_scalar(q).fetch_one(&self.durable).await?, sqlx::query_scalar(q).fetch_one(&self.pool).await?))
    }

    /// The connection the outbox writes through (`synchronous=FULL`).
    pub(crate) fn durable_pool(&self) -> &SqlitePool {
        &self.durable
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Reads a meta value.
    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?").bind(key).fetch_optional(&self.pool).await?)
    }

    /// Writes a meta value.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes a meta value.
    pub async fn delete_meta(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM meta WHERE key = ?").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    /// When the last successful sync finished.
    pub async fn last_sync(&self) -> Result<Option<OffsetDateTime>> {
        match self.meta(META_LAST_SYNC).await? {
            None => Ok(None),
            Some(v) => {
                let ms: i64 = v.parse().map_err(|_| StoreError::Corrupt(format!("{META_LAST_SYNC} = {v:?}")))?;
                from_millis(ms).map(Some)
            }
        }
    }

    /// Records a successful sync finishing at `at`.
    pub async fn set_last_sync(&self, at: OffsetDateTime) -> Result<()> {
        self.set_meta(META_LAST_SYNC, &millis(at).to_string()).await
    }

    /// The size of the database file's pages in use, in bytes (after a checkpoint).
    pub async fn size_bytes(&self) -> Result<u64> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
        // Cast: SQLCipher answers some of these pragmas as text.
        let pragma = |name: &str| format!("SELECT CAST({name} AS INTEGER) FROM pragma_{name}()");
        let pages: i64 = sqlx::query_scalar(&pragma("page_count")).fetch_one(&self.pool).await?;
        let free: i64 = sqlx::query_scalar(&pragma("freelist_count")).fetch_one(&self.pool).await?;
        let size: i64 = sqlx::query_scalar(&pragma("page_size")).fetch_one(&self.pool).await?;
        Ok(u64::try_from((pages - free) * size).unwrap_or(0))
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.durable.close().await;
        self.pool.close().await;
    }
}
