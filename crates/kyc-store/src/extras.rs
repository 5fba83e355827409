//! Products (credit offers, cards, wallets) and documents uploaded from this machine.

use crate::{Result, Store, from_millis, millis};
use kyc_model::{Money, Product};
use sqlx::Row;
use time::OffsetDateTime;

/// A document uploaded (or queued) from this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// The API's id, or the outbox key while queued.
    pub id: String,
    /// Customer.
    pub customer_id: String,
    /// Kyc item type.
    pub item_type: String,
    /// File name.
    pub filename: String,
    /// PDF, JPEG or PNG.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256, once the API confirmed it.
    pub sha256: Option<String>,
    /// When the API stored it.
    pub uploaded_at: Option<OffsetDateTime>,
    /// The copy in the app's data dir, for the offline viewer.
    pub local_path: Option<String>,
    /// A small PNG, for images.
    pub thumbnail: Option<Vec<u8>>,
}

impl Store {
    /// Replaces a customer's cached products (every kind).
    pub async fn replace_products(&self, customer_id: &str, products: &[Product]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM products WHERE customer_id = ?").bind(customer_id).execute(&mut *tx).await?;
        for p in products {
            sqlx::query(
                "INSERT OR REPLACE INTO products (id, customer_id, kind, status, amount, currency, rate_percent, reference, expires_at, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&p.id)
            .bind(customer_id)
            .bind(&p.kind)
            .bind(&p.status)
            .bind(p.amount.as_ref().map(|m| &m.amount))
            .bind(p.amount.as_ref().map(|m| &m.currency))
            .bind(&p.rate_percent)
            .bind(&p.reference)
            .bind(p.expires_at.map(millis))
            .bind(p.created_at.map(millis))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A customer's cached products, newest first.
    pub async fn products_for(&self, customer_id: &str) -> Result<Vec<Product>> {
        let rows = sqlx::query("SELECT * FROM products WHERE customer_id = ? ORDER BY created_at DESC, id")
            .bind(customer_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let amount: Option<String> = r.try_get("amount")?;
                let currency: Option<String> = r.try_get("currency")?;
                Ok(Product {
                    id: r.try_get("id")?,
                    customer_id: r.try_get("customer_id")?,
                    kind: r.try_get("kind")?,
                    status: r.try_get("status")?,
                    amount: amount.map(|amount| Money { amount, currency: currency.unwrap_or_default() }),
                    rate_percent: r.try_get("rate_percent")?,
                    reference: r.try_get("reference")?,
                    expires_at: r.try_get::<Option<i64>, _>("expires_at")?.map(from_millis).transpose()?,
                    created_at: r.try_get::<Option<i64>, _>("created_at")?.map(from_millis).transpose()?,
                })
            })
            .collect()
    }

    /// Records (or replaces) a document.
    pub async fn put_document(&self, d: &StoredDocument) -> Result<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO documents (id, customer_id, item_type, filename, content_type, size, sha256, uploaded_at, local_path, thumbnail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&d.id)
        .bind(&d.customer_id)
        .bind(&d.item_type)
        .bind(&d.filename)
        .bind(&d.content_type)
        .bind(i64::try_from(d.size).unwrap_or(i64::MAX))
        .bind(&d.sha256)
        .bind(d.uploaded_at.map(millis))
        .bind(&d.local_path)
        .bind(&d.thumbnail)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Renames a queued document to the id the API gave it.
    pub async fn confirm_document(&self, queued_id: &str, d: &StoredDocument) -> Result<()> {
        sqlx::query("DELETE FROM documents WHERE id = ?").bind(queued_id).execute(self.pool()).await?;
        self.put_document(d).await
    }

    /// Gives the documents held under `from` (a registration's files, kept under its
    /// outbox key until the provider names the customer) to the customer `to`.
    /// They count as sent at `at`.
    pub async fn move_documents(&self, from: &str, to: &str, at: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE documents SET customer_id = ?, uploaded_at = ? WHERE customer_id = ?")
            .bind(to)
            .bind(millis(at))
            .bind(from)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets the documents held under `customer_id`, giving back their copies' paths.
    pub async fn forget_documents(&self, customer_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "DELETE FROM documents WHERE customer_id = ? AND local_path IS NOT NULL RETURNING local_path",
        )
        .bind(customer_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A customer's documents from this machine.
    pub async fn documents_for(&self, customer_id: &str) -> Result<Vec<StoredDocument>> {
        let rows = sqlx::query("SELECT * FROM documents WHERE customer_id = ? ORDER BY uploaded_at")
            .bind(customer_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredDocument {
                    id: r.try_get("id")?,
                    customer_id: r.try_get("customer_id")?,
                    item_type: r.try_get("item_type")?,
                    filename: r.try_get("filename")?,
                    content_type: r.try_get("content_type")?,
                    size: u64::try_from(r.try_get::<i64, _>("size")?).unwrap_or(0),
                    sha256: r.try_get("sha256")?,
                    uploaded_at: r.try_get::<Option<i64>, _>("uploaded_at")?.map(from_millis).transpose()?,
                    local_path: r.try_get("local_path")?,
                    thumbnail: r.try_get("thumbnail")?,
                })
            })
            .collect()
    }
}
