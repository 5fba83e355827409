//! The local SQLite cache of KYC Desk.
//!
//! One SQLite file per connection profile (so sandbox and production data never mix),
//! in WAL mode, its schema from the timestamped migrations in `migrations/` embedded
//! at build time. Queries are checked at run time (`sqlx::query`, not `query!`), so
//! building needs no database.
//!
//! Depends on `kyc-model` only: it stores the provider-neutral model and knows nothing
//! of HTTP, providers or the UI.

use kyc_model::{Customer, CustomerStatus, KycItem, KycItemStatus, KycKind};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
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
}

type Result<T> = std::result::Result<T, StoreError>;

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

/// The cache.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

#[derive(Serialize, Deserialize)]
struct StoredItem {
    kind: String,
    #[serde(rename = "type")]
    item_type: String,
    description: String,
    status: String,
    message: Option<String>,
    uploaded_at: Option<i64>,
    mandatory: bool,
}

fn millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn from_millis(ms: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Meta key: when the last successful sync finished (epoch ms).
pub const META_LAST_SYNC: &str = "last_sync_at";

impl Store {
    /// Opens (creating if needed) the cache file at `path` and brings its schema up to
    /// date.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Sql(sqlx::Error::Io(e)))?;
        }
        let opts = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Writes customers (insert or replace) in one transaction.
    pub async fn upsert_customers(&self, customers: &[Customer], synced_at: OffsetDateTime) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for c in customers {
            let kyc: Vec<StoredItem> = c
                .kyc
                .iter()
                .map(|i| StoredItem {
                    kind: i.kind.as_str().to_owned(),
                    item_type: i.item_type.clone(),
                    description: i.description.clone(),
                    status: i.status.as_str().to_owned(),
                    message: i.message.clone(),
                    uploaded_at: i.uploaded_at.map(millis),
                    mandatory: i.mandatory,
                })
                .collect();
            let kyc = serde_json::to_string(&kyc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO customers (id, status, cpf, cnpj, name, email, phone, trading_name, external_id, kyc, created_at, updated_at, synced_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET
                   status = excluded.status, cpf = excluded.cpf, cnpj = excluded.cnpj, name = excluded.name,
                   email = excluded.email, phone = excluded.phone, trading_name = excluded.trading_name,
                   external_id = excluded.external_id, kyc = excluded.kyc, created_at = excluded.created_at,
                   updated_at = excluded.updated_at, synced_at = excluded.synced_at",
            )
            .bind(&c.id)
            .bind(c.status.as_str())
            .bind(&c.cpf)
            .bind(&c.cnpj)
            .bind(&c.name)
            .bind(&c.email)
            .bind(&c.phone)
            .bind(&c.trading_name)
            .bind(&c.external_id)
            .bind(kyc)
            .bind(millis(c.created_at))
            .bind(millis(c.updated_at))
            .bind(millis(synced_at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A page of cached customers.
    pub async fn list_customers(&self, q: &ListQuery) -> Result<Vec<Customer>> {
        let order = match q.order {
            ListOrder::CreatedDesc => "created_at DESC, id DESC",
            ListOrder::UpdatedDesc => "updated_at DESC, id DESC",
            ListOrder::NameAsc => "name COLLATE NOCASE ASC, id ASC",
        };
        let sql = format!("SELECT * FROM customers ORDER BY {order} LIMIT ? OFFSET ?");
        let rows = sqlx::query(&sql).bind(q.limit).bind(q.offset).fetch_all(&self.pool).await?;
        rows.iter().map(row_to_customer).collect()
    }

    /// One cached customer.
    pub async fn get_customer(&self, id: &str) -> Result<Option<Customer>> {
        let row = sqlx::query("SELECT * FROM customers WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(row_to_customer).transpose()
    }

    /// How many customers are cached.
    pub async fn count_customers(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
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

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn row_to_customer(r: &SqliteRow) -> Result<Customer> {
    let kyc: String = r.try_get("kyc")?;
    let items: Vec<StoredItem> = serde_json::from_str(&kyc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let kyc = items
        .into_iter()
        .map(|i| {
            Ok(KycItem {
                kind: KycKind::from(i.kind.as_str()),
                item_type: i.item_type,
                description: i.description,
                status: KycItemStatus::from(i.status.as_str()),
                message: i.message,
                uploaded_at: i.uploaded_at.map(from_millis).transpose()?,
                mandatory: i.mandatory,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Customer {
        id: r.try_get("id")?,
        status: CustomerStatus::from(r.try_get::<&str, _>("status")?),
        cpf: r.try_get("cpf")?,
        cnpj: r.try_get("cnpj")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        trading_name: r.try_get("trading_name")?,
        external_id: r.try_get("external_id")?,
        kyc,
        created_at: from_millis(r.try_get("created_at")?)?,
        updated_at: from_millis(r.try_get("updated_at")?)?,
    })
}
