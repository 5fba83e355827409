//! The outbox: writes waiting for the API, durable and in order.
//!
//! An entry is written before anything is sent, with the idempotency key the API will
//! see on every attempt. `sending` is recorded before each attempt: an entry found in
//! `sending` after a crash is sent again with the same key, and the API replays its
//! first answer instead of acting twice.

use crate::{Result, Store, StoreError, from_millis, millis};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

/// Where an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent.
    Pending,
    /// An attempt started (and may have reached the API).
    Sending,
    /// The API accepted it.
    Done,
    /// The API refused it; `last_error` says why. Needs the user.
    Failed,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => Self::Pending,
            "sending" => Self::Sending,
            "done" => Self::Done,
            "failed" => Self::Failed,
            other => return Err(StoreError::Corrupt(format!("outbox state {other:?}"))),
        })
    }
}

/// One queued write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Order of arrival.
    pub seq: i64,
    /// `register`, `correct` or `upload`.
    pub op: String,
    /// The customer it concerns (none for a registration).
    pub customer_id: Option<String>,
    /// The operation's data, JSON.
    pub payload: String,
    /// Sent as `Idempotency-Key` on every attempt.
    pub idempotency_key: String,
    /// For uploads: the file's copy in the app's data dir.
    pub file_path: Option<String>,
    /// Where it is.
    pub state: OutboxState,
    /// Attempts started.
    pub attempts: i64,
    /// Why it failed (JSON), when it did.
    pub last_error: Option<String>,
    /// What the API answered (JSON), when done.
    pub result: Option<String>,
    /// Queued at.
    pub created_at: OffsetDateTime,
}

fn row_to_entry(r: &SqliteRow) -> Result<OutboxEntry> {
    Ok(OutboxEntry {
        seq: r.try_get("seq")?,
        op: r.try_get("op")?,
        customer_id: r.try_get("customer_id")?,
        payload: r.try_get("payload")?,
        idempotency_key: r.try_get("idempotency_key")?,
        file_path: r.try_get("file_path")?,
        state: OutboxState::parse(r.try_get("state")?)?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        result: r.try_get("result")?,
        created_at: from_millis(r.try_get("created_at")?)?,
    })
}

impl Store {
    /// Queues a write. Returns the entry (with its `seq`).
    pub async fn enqueue(
        &self,
        op: &str,
        customer_id: Option<&str>,
        payload: &str,
        idempotency_key: &str,
        file_path: Option<&str>,
    ) -> Result<OutboxEntry> {
        let now = millis(OffsetDateTime::now_utc());
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (op, customer_id, payload, idempotency_key, file_path, state, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING seq",
        )
        .bind(op)
        .bind(customer_id)
        .bind(payload)
        .bind(idempotency_key)
        .bind(file_path)
        .bind(now)
        .bind(now)
        .fetch_one(self.durable_pool())
        .await?;
        self.outbox_entry(seq).await?.ok_or_else(|| StoreError::Corrupt("queued entry vanished".into()))
    }

    /// One entry.
    pub async fn outbox_entry(&self, seq: i64) -> Result<Option<OutboxEntry>> {
        let row = sqlx::query("SELECT * FROM outbox WHERE seq = ?").bind(seq).fetch_optional(self.pool()).await?;
        row.as_ref().map(row_to_entry).transpose()
    }

    /// Entries still to send (pending, or interrupted while sending), in order.
    pub async fn outbox_open(&self) -> Result<Vec<OutboxEntry>> {
        let rows = sqlx::query("SELECT * FROM outbox WHERE state IN ('pending', 'sending') ORDER BY seq")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_to_entry).collect()
    }

    /// Every entry that is not done (open and failed), in order: what the UI lists.
    pub async fn outbox_unfinished(&self) -> Result<Vec<OutboxEntry>> {
        let rows =
            sqlx::query("SELECT * FROM outbox WHERE state <> 'done' ORDER BY seq").fetch_all(self.pool()).await?;
        rows.iter().map(row_to_entry).collect()
    }

    async fn set_state(
        &self,
        seq: i64,
        state: OutboxState,
        error: Option<&str>,
        result: Option<&str>,
        bump: bool,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET state = ?, last_error = coalesce(?, last_error), result = coalesce(?, result),
             attempts = attempts + ?, updated_at = ? WHERE seq = ?",
        )
        .bind(state.as_str())
        .bind(error)
        .bind(result)
        .bind(i64::from(bump))
        .bind(millis(OffsetDateTime::now_utc()))
        .bind(seq)
        .execute(self.durable_pool())
        .await?;
        Ok(())
    }

    /// Records that an attempt is starting.
    pub async fn outbox_sending(&self, seq: i64) -> Result<()> {
        self.set_state(seq, OutboxState::Sending, None, None, true).await
    }

    /// Back to pending (the API could not be reached).
    pub async fn outbox_pending(&self, seq: i64) -> Result<()> {
        self.set_state(seq, OutboxState::Pending, None, None, false).await
    }

    /// Done, with what the API answered. The payload (the personal data that was
    /// sent) is not kept once the API has it.
    pub async fn outbox_done(&self, seq: i64, result: &str) -> Result<()> {
        self.set_state(seq, OutboxState::Done, None, Some(result), false).await?;
        sqlx::query("UPDATE outbox SET payload = '' WHERE seq = ? AND state = 'done'")
            .bind(seq)
            .execute(self.durable_pool())
            .await?;
        Ok(())
    }

    /// Every file the cache points at: queued uploads' copies and documents kept for
    /// the viewer. Anything else in the documents folder is a stray (a copy made just
    /// before a crash, with no outbox entry yet).
    pub async fn referenced_files(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT file_path FROM outbox WHERE file_path IS NOT NULL
             UNION SELECT local_path FROM documents WHERE local_path IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Refused by the API, with why.
    pub async fn outbox_failed(&self, seq: i64, error: &str) -> Result<()> {
        self.set_state(seq, OutboxState::Failed, Some(error), None, false).await
    }

    /// Takes a refused entry out of the outbox (the user has seen why, and has what
    /// they typed back in a form): the entry as it was, or `None` if it is not a
    /// refused one.
    pub async fn outbox_dismiss(&self, seq: i64) -> Result<Option<OutboxEntry>> {
        let row = sqlx::query("DELETE FROM outbox WHERE seq = ? AND state = 'failed' RETURNING *")
            .bind(seq)
            .fetch_optional(self.durable_pool())
            .await?;
        row.as_ref().map(row_to_entry).transpose()
    }

    /// Puts a failed entry back in the queue (after the user fixed what was wrong).
    pub async fn outbox_retry(&self, seq: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET state = 'pending', updated_at = ? WHERE seq = ? AND state = 'failed'")
            .bind(millis(OffsetDateTime::now_utc()))
            .bind(seq)
            .execute(self.durable_pool())
            .await?;
        Ok(())
    }
}
