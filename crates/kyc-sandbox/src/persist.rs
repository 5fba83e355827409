//! Optional persistence: a SQLite file that holds the customers, documents and offers,
//! so a demo survives a restart. Changes are written every 250 ms and at shutdown.

use crate::state::{CreditOffer, Db, Document, DocumentMeta, SandboxCustomer};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;

/// The file and what of it is already written.
#[derive(Debug, Clone)]
pub struct Persist {
    pool: SqlitePool,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY NOT NULL, json TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY NOT NULL, customer_id TEXT NOT NULL, meta TEXT NOT NULL, bytes BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS offers (customer_id TEXT PRIMARY KEY NOT NULL, json TEXT NOT NULL) STRICT;
";

impl Persist {
    /// Opens (creating) the file.
    pub async fn open(path: &Path) -> Result<Self, sqlx::Error> {
        let opts = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        Ok(Self { pool })
    }

    /// Whether the file holds a saved sandbox.
    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(&self.pool).await?;
        Ok(n == 0)
    }

    /// Reads the saved sandbox.
    pub async fn load(&self) -> Result<Db, sqlx::Error> {
        let mut db = Db::default();
        let bad = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
        for row in sqlx::query("SELECT json FROM customers").fetch_all(&self.pool).await? {
            let c: SandboxCustomer = serde_json::from_str(row.try_get("json")?).map_err(bad)?;
            db.insert(c);
        }
        for row in sqlx::query("SELECT customer_id, meta, bytes FROM documents").fetch_all(&self.pool).await? {
            let meta: DocumentMeta = serde_json::from_str(row.try_get("meta")?).map_err(bad)?;
            let customer_id: String = row.try_get("customer_id")?;
            db.documents_of.entry(customer_id.clone()).or_default().push(meta.id.clone());
            let bytes: Vec<u8> = row.try_get("bytes")?;
            db.documents.insert(meta.id.clone(), Document { customer_id, meta, bytes: std::sync::Arc::new(bytes) });
        }
        for row in sqlx::query("SELECT customer_id, json FROM offers").fetch_all(&self.pool).await? {
            let offers: Vec<CreditOffer> = serde_json::from_str(row.try_get("json")?).map_err(bad)?;
            db.offers.insert(row.try_get("customer_id")?, offers);
        }
        db.dirty = false;
        Ok(db)
    }

    /// Writes everything that is in `db` and not yet in the file; `written` remembers
    /// which documents are already there (documents never change).
    pub async fn save(&self, db: &Db, written: &mut HashSet<String>) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM customers").execute(&mut *tx).await?;
        for c in db.customers() {
            sqlx::query("INSERT INTO customers (id, json) VALUES (?, ?)")
                .bind(&c.id)
                .bind(serde_json::to_string(c).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM offers").execute(&mut *tx).await?;
        for (customer, offers) in &db.offers {
            sqlx::query("INSERT INTO offers (customer_id, json) VALUES (?, ?)")
                .bind(customer)
                .bind(serde_json::to_string(offers).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
        }
        for (id, d) in &db.documents {
            if written.contains(id) {
                continue;
            }
            sqlx::query("INSERT OR REPLACE INTO documents (id, customer_id, meta, bytes) VALUES (?, ?, ?, ?)")
                .bind(id)
                .bind(&d.customer_id)
                .bind(serde_json::to_string(&d.meta).unwrap_or_default())
                .bind(d.bytes.as_slice())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        written.extend(db.documents.keys().cloned());
        Ok(())
    }
}
