//! Writes that survive a dropped connection, a closed app or a crash.
//!
//! Every write (register, correct, upload) is first queued in the cache's outbox with
//! the idempotency key it will carry on every attempt (an upload's file is first
//! copied into the app's data dir). The replayer sends open entries strictly in order;
//! when the API cannot be reached, is failing, or refuses the connection's credentials
//! (an expired or revoked token), it stops and leaves them all queued; when the API
//! refuses one entry, that entry is marked failed with the API's error for the user to
//! see (and to retry or dismiss), and the next one goes. An entry interrupted mid-send is sent again with the same key, and
//! the API answers it from its idempotency cache instead of acting twice.

use crate::events::{CoreEvent, EventSink, OutboxSummary};
use crate::sealed::DocumentSeal;
use crate::{CoreError, ErrorView, Provider};
use kyc_model::FormValues;
use kyc_store::{OutboxEntry, OutboxState, Store, StoredDocument};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use time::OffsetDateTime;

/// A queued write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Register a customer: the registration form's values, checked and normalized.
    Register(FormValues),
    /// Correct a customer: the correction form's values (only what changes).
    Correct(FormValues),
    /// Upload a document for a checklist item, from the copy at the entry's `file_path`.
    Upload {
        /// The kyc item.
        item_type: String,
        /// The original file name.
        filename: String,
    },
}

impl Operation {
    fn name(&self) -> &'static str {
        match self {
            Self::Register(_) => "register",
            Self::Correct(_) => "correct",
            Self::Upload { .. } => "upload",
        }
    }
}

/// What the API made of an entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Sent and accepted: the customer it concerns, and (registrations) whether the
    /// API created it or found it already registered.
    Done {
        /// The customer.
        customer_id: String,
        /// `false` when the registration already existed (200).
        created: bool,
    },
    /// Refused by the API.
    Failed(ErrorView),
    /// Still queued: the API could not be reached.
    Queued,
}

/// What a replay did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplayReport {
    /// Each entry handled, by `seq`, in order.
    pub outcomes: Vec<(i64, Outcome)>,
    /// Whether it stopped because the API could not be reached.
    pub offline: bool,
    /// Set when it stopped because the API refused the connection's credentials (401
    /// or 403): the API's answer. Nothing was marked refused; every entry waits until
    /// the secret is entered again.
    pub credentials_refused: Option<ErrorView>,
}

/// An upload's file, as the outbox keeps it: its name (last component only) and bytes.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The file's name.
    pub filename: String,
    /// Its bytes (checked by the caller: at most 10 MB, PDF/JPEG/PNG).
    pub bytes: Vec<u8>,
}

/// Where a queued registration's files are kept until the provider names the
/// customer: documents of this pseudo-customer.
pub fn pending_owner(key: &str) -> String {
    format!("pending:{key}")
}

/// A registration's files, sealed into `documents_dir` and recorded as documents of
/// [`pending_owner`] (so the sweep keeps them and the viewer can show them).
async fn keep_form_files(
    store: &Store,
    key: &str,
    files: Vec<(String, Attachment)>,
    documents_dir: &Path,
    seal: Option<&DocumentSeal>,
) -> Result<(), CoreError> {
    for (field, Attachment { filename, bytes }) in files {
        crate::durable::private_dir(documents_dir)?;
        let name = Path::new(&filename).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let dest = documents_dir.join(format!("{key}-{field}"));
        crate::sealed::write(&dest, &bytes, seal).await?;
        store
            .put_document(&StoredDocument {
                id: format!("{key}-{field}"),
                customer_id: pending_owner(key),
                item_type: field,
                filename: if name.is_empty() { "document".into() } else { name },
                content_type: kyc_model::sniff_document(&bytes).unwrap_or("application/octet-stream").to_owned(),
                size: bytes.len() as u64,
                sha256: None,
                uploaded_at: None,
                local_path: dest.to_str().map(str::to_owned),
                thumbnail: crate::thumbnail::png(&bytes),
            })
            .await?;
    }
    Ok(())
}

/// Queues an operation. For uploads, the file is written into `documents_dir` first
/// (sealed when the profile has a seal), named by the entry's own key, so a moved or
/// deleted original cannot lose the upload and two files of one name never collide.
/// A registration's files (`form_files`, by field) are kept the same way.
pub async fn enqueue(
    store: &Store,
    customer_id: Option<&str>,
    op: &Operation,
    file: Option<Attachment>,
    form_files: Vec<(String, Attachment)>,
    documents_dir: &Path,
    seal: Option<&DocumentSeal>,
) -> Result<OutboxEntry, CoreError> {
    let key = crate::new_idempotency_key();
    keep_form_files(store, &key, form_files, documents_dir, seal).await?;
    let copy = match file {
        None => None,
        Some(Attachment { filename, bytes }) => {
            crate::durable::private_dir(documents_dir)?;
            let name = Path::new(&filename)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "document".into());
            let dest = documents_dir.join(format!("{key}-{name}"));
            // On disk, with its name in the folder, before the outbox entry that points
            // at it is committed: after a power cut the entry never points at nothing.
            crate::sealed::write(&dest, &bytes, seal).await?;
            Some((dest, bytes))
        }
    };
    let payload = serde_json::to_string(op).map_err(|e| CoreError::Io(e.to_string()))?;
    let path = copy.as_ref().and_then(|(p, _)| p.to_str());
    let entry = store.enqueue(op.name(), customer_id, &payload, &key, path).await?;
    if let (Operation::Upload { item_type, filename }, Some((copy, bytes)), Some(customer)) = (op, &copy, customer_id) {
        store
            .put_document(&StoredDocument {
                id: key.clone(),
                customer_id: customer.to_owned(),
                item_type: item_type.clone(),
                filename: filename.clone(),
                content_type: kyc_model::sniff_document(bytes).unwrap_or("application/octet-stream").to_owned(),
                size: bytes.len() as u64,
                sha256: None,
                uploaded_at: None,
                local_path: copy.to_str().map(str::to_owned),
                thumbnail: crate::thumbnail::png(bytes),
            })
            .await?;
    }
    Ok(entry)
}

/// Seals, in place, copies an earlier version left unsealed. Returns how many.
pub async fn seal_old_copies(store: &Store, seal: &DocumentSeal) -> Result<usize, CoreError> {
    let mut sealed = 0;
    for path in store.referenced_files().await? {
        let path = Path::new(&path);
        // The header tells: sealed copies (all of them after the first open) are not read.
        if crate::sealed::is_sealed_file(path).await.unwrap_or(true) {
            continue;
        }
        let Ok(bytes) = tokio::fs::read(path).await else { continue };
        // Sealed beside it, flushed, then renamed over it: a crash leaves one or the other.
        let tmp = path.with_extension("sealing");
        crate::sealed::write(&tmp, &bytes, Some(seal)).await?;
        tokio::fs::rename(&tmp, path).await.map_err(|e| CoreError::Io(format!("{}: {e}", path.display())))?;
        sealed += 1;
    }
    Ok(sealed)
}

/// Deletes files in `documents_dir` that nothing in the cache points at: copies made
/// just before a crash, whose outbox entry was never committed. Returns how many.
pub async fn sweep_strays(store: &Store, documents_dir: &Path) -> Result<usize, CoreError> {
    let Ok(mut dir) = tokio::fs::read_dir(documents_dir).await else { return Ok(0) };
    let kept: std::collections::HashSet<std::path::PathBuf> =
        store.referenced_files().await?.into_iter().map(std::path::PathBuf::from).collect();
    let mut swept = 0;
    while let Ok(Some(entry)) = dir.next_entry().await {
        let path = entry.path();
        if entry.file_type().await.is_ok_and(|t| t.is_file())
            && !kept.contains(&path)
            && tokio::fs::remove_file(&path).await.is_ok()
        {
            swept += 1;
        }
    }
    Ok(swept)
}

/// A write the API refused after it had been queued (sent later, in the background):
/// what it was, why, and enough to redo it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RefusedWrite {
    /// Its place in the outbox (to dismiss it).
    pub seq: u32,
    /// `register`, `correct` or `upload`.
    pub kind: String,
    /// The customer it concerns, when known.
    pub customer_id: Option<String>,
    /// What it was about: the name registered or corrected, or the file's name.
    pub label: String,
    /// The API's refusal: message, field errors, request id.
    pub error: ErrorView,
    /// A refused registration's values, to put back in the form.
    pub registration: Option<FormValues>,
    /// When it was queued, RFC 3339.
    pub queued_at: String,
}

/// Who a form's values are about: the name typed, or the given and family names.
fn label_of(v: &FormValues) -> String {
    match v.get("name") {
        Some(n) => n.to_owned(),
        None => [v.get("given_name"), v.get("family_name")].into_iter().flatten().collect::<Vec<_>>().join(" "),
    }
}

/// The refused writes, oldest first.
pub async fn refused(store: &Store) -> Result<Vec<RefusedWrite>, CoreError> {
    let mut out = Vec::new();
    for e in store.outbox_unfinished().await?.into_iter().filter(|e| e.state == OutboxState::Failed) {
        let op: Option<Operation> = serde_json::from_str(&e.payload).ok();
        let error = e
            .last_error
            .as_deref()
            .and_then(|s| serde_json::from_str::<ErrorView>(s).ok())
            .unwrap_or_else(|| ErrorView::new("refused", e.last_error.clone().unwrap_or_default()));
        let (mut label, registration) = match &op {
            Some(Operation::Register(r)) => (label_of(r), Some(r.clone())),
            Some(Operation::Correct(c)) => (label_of(c), None),
            Some(Operation::Upload { filename, .. }) => (filename.clone(), None),
            None => (String::new(), None),
        };
        if label.is_empty()
            && let Some(id) = &e.customer_id
            && let Some(c) = store.get_customer(id).await?
        {
            label = c.name;
        }
        out.push(RefusedWrite {
            seq: u32::try_from(e.seq).unwrap_or(u32::MAX),
            kind: e.op.clone(),
            customer_id: e.customer_id.clone(),
            label,
            error,
            registration,
            queued_at: crate::views::rfc3339(e.created_at),
        });
    }
    Ok(out)
}

/// Takes a refused write out of the outbox, with the copy of its file if it had one
/// (and a registration's files).
pub async fn dismiss(store: &Store, seq: i64) -> Result<(), CoreError> {
    if let Some(entry) = store.outbox_dismiss(seq).await? {
        if let Some(path) = entry.file_path {
            // Only a refused upload's own copy: no stored document points at it.
            let _ = tokio::fs::remove_file(&path).await;
        }
        for path in store.forget_documents(&pending_owner(&entry.idempotency_key)).await? {
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
    Ok(())
}

/// The outbox at a glance.
pub async fn summary(store: &Store) -> Result<OutboxSummary, CoreError> {
    let open = store.outbox_unfinished().await?;
    let failed = open.iter().filter(|e| e.state == OutboxState::Failed).count();
    Ok(OutboxSummary {
        pending: u32::try_from(open.len() - failed).unwrap_or(u32::MAX),
        failed: u32::try_from(failed).unwrap_or(u32::MAX),
    })
}

async fn execute(
    provider: &dyn Provider,
    store: &Store,
    e: &OutboxEntry,
    events: &Arc<dyn EventSink>,
    seal: Option<&DocumentSeal>,
) -> Result<(String, bool), CoreError> {
    let op: Operation =
        serde_json::from_str(&e.payload).map_err(|err| CoreError::Io(format!("outbox entry {}: {err}", e.seq)))?;
    let customer =
        || e.customer_id.clone().ok_or_else(|| CoreError::Io(format!("outbox entry {} has no customer", e.seq)));
    match op {
        Operation::Register(r) => {
            // Its files, opened in memory from their sealed copies.
            let owner = pending_owner(&e.idempotency_key);
            let mut files = Vec::new();
            for d in store.documents_for(&owner).await? {
                let Some(path) = &d.local_path else { continue };
                let bytes = crate::sealed::read(Path::new(path), seal).await?;
                files.push(crate::provider::FormFile {
                    field: d.item_type.clone(),
                    filename: d.filename.clone(),
                    bytes: Arc::new(bytes),
                });
            }
            let progress = (!files.is_empty()).then(|| {
                let (sink, seq) = (Arc::clone(events), u32::try_from(e.seq).unwrap_or(u32::MAX));
                let name = files.iter().map(|f| f.filename.as_str()).collect::<Vec<_>>().join(", ");
                let progress: crate::provider::Progress = Arc::new(move |sent, total| {
                    sink.emit(CoreEvent::UploadProgress {
                        seq,
                        item_type: "register".into(),
                        filename: name.clone(),
                        sent,
                        total,
                    });
                });
                progress
            });
            let (c, created) = provider.register(&r, files, &e.idempotency_key, progress).await?;
            store.upsert_customers(std::slice::from_ref(&c), OffsetDateTime::now_utc()).await?;
            // The files are the customer's documents now, viewable offline.
            store.move_documents(&owner, &c.id, OffsetDateTime::now_utc()).await?;
            Ok((c.id, created))
        }
        Operation::Correct(fix) => {
            let c = provider.correct(&customer()?, &fix, &e.idempotency_key).await?;
            store.upsert_customers(std::slice::from_ref(&c), OffsetDateTime::now_utc()).await?;
            Ok((c.id, false))
        }
        Operation::Upload { item_type, filename } => {
            let id = customer()?;
            let path =
                e.file_path.clone().ok_or_else(|| CoreError::Io(format!("outbox entry {} has no file", e.seq)))?;
            let (sink, seq) = (Arc::clone(events), u32::try_from(e.seq).unwrap_or(u32::MAX));
            let (item, name) = (item_type.clone(), filename.clone());
            let progress: crate::provider::Progress = Arc::new(move |sent, total| {
                sink.emit(CoreEvent::UploadProgress {
                    seq,
                    item_type: item.clone(),
                    filename: name.clone(),
                    sent,
                    total,
                });
            });
            // Opened in memory from the sealed copy: never on disk in the clear.
            let bytes = crate::sealed::read(Path::new(&path), seal).await?;
            let document = crate::provider::DocumentUpload { filename: filename.clone(), bytes: Arc::new(bytes) };
            let doc = provider.upload(&id, &item_type, document, &e.idempotency_key, Some(progress)).await?;
            let thumbnail = store
                .documents_for(&id)
                .await?
                .into_iter()
                .find(|d| d.id == e.idempotency_key)
                .and_then(|d| d.thumbnail);
            store
                .confirm_document(
                    &e.idempotency_key,
                    &StoredDocument {
                        id: doc.id,
                        customer_id: id.clone(),
                        item_type,
                        filename,
                        content_type: doc.content_type,
                        size: doc.size,
                        sha256: Some(doc.sha256),
                        uploaded_at: Some(doc.uploaded_at),
                        local_path: Some(path),
                        thumbnail,
                    },
                )
                .await?;
            // The item is now in review: show it (best effort; the next sync would too).
            if let Err(e @ CoreError::Store(_)) = crate::sync::refresh_customer(provider, store, &id).await {
                return Err(e);
            }
            Ok((id, false))
        }
    }
}

/// Puts a refused entry back in the queue, to be sent again by the next replay.
pub async fn retry(store: &Store, seq: i64) -> Result<(), CoreError> {
    Ok(store.outbox_retry(seq).await?)
}

/// Sends every open entry, in order (see the module docs).
pub async fn replay(
    provider: &dyn Provider,
    store: &Store,
    events: &Arc<dyn EventSink>,
    seal: Option<&DocumentSeal>,
) -> Result<ReplayReport, CoreError> {
    let mut report = ReplayReport::default();
    for entry in store.outbox_open().await? {
        store.outbox_sending(entry.seq).await?;
        let outcome = match execute(provider, store, &entry, events, seal).await {
            Ok((customer_id, created)) => {
                store
                    .outbox_done(
                        entry.seq,
                        &serde_json::json!({"customer_id": customer_id, "created": created}).to_string(),
                    )
                    .await?;
                events.emit(CoreEvent::CustomersChanged { ids: vec![customer_id.clone()] });
                Outcome::Done { customer_id, created }
            }
            // Nothing said about the entry itself (unreachable, failing, credentials
            // refused): it waits, and so does everything behind it.
            Err(CoreError::Api(e)) if e.is_transient() => {
                store.outbox_pending(entry.seq).await?;
                report.offline = e.is_unreachable();
                if e.credentials_refused() {
                    report.credentials_refused = Some(ErrorView::from(CoreError::Api(e)));
                }
                report.outcomes.push((entry.seq, Outcome::Queued));
                break;
            }
            Err(e @ CoreError::Store(_)) => return Err(e),
            Err(e) => {
                let view = ErrorView::from(e);
                store.outbox_failed(entry.seq, &serde_json::to_string(&view).unwrap_or_default()).await?;
                Outcome::Failed(view)
            }
        };
        report.outcomes.push((entry.seq, outcome));
        events.emit(CoreEvent::OutboxChanged(summary(store).await?));
    }
    Ok(report)
}
