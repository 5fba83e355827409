//! Credit offers and documents uploaded from this machine.

use crate::{Result, Store, from_millis, millis};
use sqlx::Row;
use time::OffsetDateTime;

/// A cached credit offer.
pub type Offer = kyc_model::CreditOffer;

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
    /// Replaces a customer's cached offers.
    pub async fn replace_offers(&self, customer_id: &str, offers: &[Offer]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM credit_offers WHERE customer_id = ?").bind(customer_id).execute(&mut *tx).await?;
        for o in offers {
            sqlx::query(
                "INSERT INTO credit_offers (id, customer_id, status, approved_amount, interest_rate, expires_at, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&o.id)
            .bind(customer_id)
            .bind(&o.status)
            .bind(&o.approved_amount)
            .bind(o.interest_rate)
            .bind(o.expires_at.map(millis))
            .bind(o.created_at.map(millis))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A customer's cached offers, newest first.
    pub async fn offers_for(&self, customer_id: &str) -> Result<Vec<Offer>> {
        let rows = sqlx::query("SELECT * FROM credit_offers WHERE customer_id = ? ORDER BY created_at DESC")
            .bind(customer_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Offer {
                    id: r.try_get("id")?,
                    customer_id: r.try_get("customer_id")?,
                    status: r.try_get("status")?,
                    approved_amount: r.try_get("approved_amount")?,
                    interest_rate: r.try_get("interest_rate")?,
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
