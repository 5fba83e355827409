//! What staff add across every connection — notes, tags, saved views — and the journal
//! of every action taken in the desk. One per app (not per profile); the desk of the
//! profile in use records its actions here through a [`Recorder`].

use crate::CoreError;
use kyc_store::CacheKey;
use kyc_store::workspace::{Note, Tag, Workspace, WorkspaceStore};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::OffsetDateTime;
use ts_rs::TS;

/// Records one action of a desk: `(customer, action, outcome)`.
pub type Recorder = Arc<dyn Fn(Option<&str>, &str, &str) + Send + Sync>;

/// Says who is at the desk now (the name set in Settings can change).
pub type AuthorSource = Arc<dyn Fn() -> String + Send + Sync>;

/// A note, for the detail screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NoteView {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// Who wrote it.
    pub author: String,
    /// Plain text (shown as text, never as HTML).
    pub body: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when its author changed it.
    pub edited_at: Option<String>,
    /// Whether the person at the desk may still change it.
    pub editable: bool,
}

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TagView {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// Its name.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

impl From<Tag> for TagView {
    fn from(t: Tag) -> Self {
        Self { id: t.id, name: t.name, colour: t.colour }
    }
}

/// The workbench of this app: the workspace store and the journal.
#[derive(Clone)]
pub struct Workbench {
    workspace: Arc<dyn Workspace>,
    journal: kyc_store::journal::SharedJournal,
    journal_path: PathBuf,
    /// Who is at the desk: the name set in Settings, else the OS user.
    author: Arc<std::sync::RwLock<String>>,
}

impl std::fmt::Debug for Workbench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbench").field("journal", &self.journal_path).finish_non_exhaustive()
    }
}

/// The fact keeping the name staff set for themselves in Settings.
const AUTHOR: &str = "author";

/// The fact keeping the journal's head as this app last wrote it: a journal cut short
/// on disk is caught by comparing with it.
const JOURNAL_HEAD: &str = "journal_head";

impl Workbench {
    /// Opens the workspace (`workspace.sqlite`, encrypted with `key`) and the journal
    /// (`journal.jsonl`) in `data_dir`; `author` is who is at the desk.
    pub async fn open(data_dir: &Path, key: Option<&CacheKey>, author: String) -> Result<Self, CoreError> {
        crate::durable::private_dir(data_dir)?;
        let workspace = WorkspaceStore::open(&data_dir.join("workspace.sqlite"), key).await?;
        let journal_path = data_dir.join("journal.jsonl");
        let journal = kyc_store::journal::SharedJournal::open(&journal_path)
            .map_err(|e| CoreError::Io(format!("the journal: {e}")))?;
        let author = match workspace.fact(AUTHOR).await? {
            Some(name) if !name.trim().is_empty() => name,
            _ => author,
        };
        Ok(Self {
            workspace: Arc::new(workspace),
            journal,
            journal_path,
            author: Arc::new(std::sync::RwLock::new(author)),
        })
    }

    /// Who is at the desk.
    pub fn author(&self) -> String {
        self.author.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Sets the name notes and the journal carry from now on (1–60 characters, no
    /// control characters); empty goes back to the OS user's.
    pub async fn set_author(&self, name: &str) -> Result<String, CoreError> {
        let name = name.trim();
        if name.chars().count() > 60 || name.chars().any(char::is_control) {
            return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
                "author",
                "invalid",
                "a name of at most 60 characters",
            )]));
        }
        self.workspace.set_fact(AUTHOR, name).await?;
        let now = if name.is_empty() { crate::author() } else { name.to_owned() };
        *self.author.write().unwrap_or_else(std::sync::PoisonError::into_inner) = now.clone();
        self.record("app", None, "settings", "author changed").await;
        Ok(now)
    }

    /// Copies the journal, as JSON Lines, to `to` (written beside it, then renamed);
    /// returns its entries.
    pub async fn export_journal(&self, to: &Path) -> Result<u64, CoreError> {
        let (from, to) = (self.journal_path.clone(), to.to_owned());
        tokio::task::spawn_blocking(move || {
            let part = to.with_extension("jsonl.part");
            let io = |e: std::io::Error| CoreError::Io(format!("could not write {}: {e}", to.display()));
            let mut out = std::io::BufWriter::new(std::fs::File::create(&part).map_err(io)?);
            let copied = kyc_store::journal::export(&from, &mut out)
                .map_err(|e| CoreError::Io(format!("the journal: {e}")))
                .and_then(|n| {
                    use std::io::Write as _;
                    out.flush().map_err(io)?;
                    drop(out);
                    std::fs::rename(&part, &to).map_err(io)?;
                    Ok(n)
                });
            if copied.is_err() {
                let _ = std::fs::remove_file(&part);
            }
            copied
        })
        .await
        .map_err(|e| CoreError::Io(format!("the journal export stopped: {e}")))?
    }

    /// The journal's head: the SHA-256 of its last entry (empty when it has none).
    pub fn journal_head(&self) -> String {
        self.journal.head().unwrap_or_default()
    }

    /// Appends an action to the journal (ids only, never personal data). A journal that
    /// cannot be written is logged, never a reason to refuse the action already done.
    pub async fn record(&self, profile: &str, customer: Option<&str>, action: &str, outcome: &str) {
        let entry = kyc_store::journal::NewEntry {
            author: self.author(),
            profile: profile.to_owned(),
            customer: customer.map(str::to_owned),
            action: action.to_owned(),
            outcome: outcome.to_owned(),
        };
        match self.journal.append(entry) {
            Ok(e) => {
                if let Err(err) = self.workspace.set_fact(JOURNAL_HEAD, &e.hash).await {
                    tracing::warn!(error = %err, "could not keep the journal's head");
                }
            }
            Err(err) => tracing::error!(error = %err, action, "could not write the journal"),
        }
    }

    /// Journals the same action on each of `customers`, with one write to disk for all
    /// (a bulk action: tagging 100,000 customers is one `fdatasync`, not 100,000), off
    /// the async threads.
    pub async fn record_each(&self, profile: &str, customers: &[String], action: &str, outcome: &str) {
        let author = self.author();
        let entries: Vec<kyc_store::journal::NewEntry> = customers
            .iter()
            .map(|c| kyc_store::journal::NewEntry {
                author: author.clone(),
                profile: profile.to_owned(),
                customer: Some(c.clone()),
                action: action.to_owned(),
                outcome: outcome.to_owned(),
            })
            .collect();
        let journal = self.journal.clone();
        match tokio::task::spawn_blocking(move || journal.append_all(entries)).await {
            Ok(Ok(written)) => {
                if let Some(last) = written.last()
                    && let Err(err) = self.workspace.set_fact(JOURNAL_HEAD, &last.hash).await
                {
                    tracing::warn!(error = %err, "could not keep the journal's head");
                }
            }
            Ok(Err(err)) => tracing::error!(error = %err, action, "could not write the journal"),
            Err(err) => tracing::error!(error = %err, action, "the journal's write stopped"),
        }
    }

    /// Who is at the desk, asked each time (for the desk's timeline entries).
    pub fn author_source(&self) -> AuthorSource {
        let author = Arc::clone(&self.author);
        Arc::new(move || author.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone())
    }

    /// A recorder for the desk of `profile`.
    pub fn recorder(&self, profile: &str) -> Recorder {
        let (me, profile) = (self.clone(), profile.to_owned());
        Arc::new(move |customer, action, outcome| {
            let (me, profile) = (me.clone(), profile.clone());
            let (customer, action, outcome) = (customer.map(str::to_owned), action.to_owned(), outcome.to_owned());
            tokio::spawn(async move { me.record(&profile, customer.as_deref(), &action, &outcome).await });
        })
    }

    fn note_view(&self, n: Note, now: OffsetDateTime) -> NoteView {
        NoteView {
            editable: n.editable_by(&self.author(), now),
            id: n.id,
            author: n.author,
            body: n.body,
            created_at: crate::views::rfc3339(n.created_at),
            edited_at: n.edited_at.map(crate::views::rfc3339),
        }
    }

    /// A customer's notes, oldest first.
    pub async fn notes(&self, profile: &str, customer: &str) -> Result<Vec<NoteView>, CoreError> {
        let now = OffsetDateTime::now_utc();
        Ok(self.workspace.notes_for(profile, customer).await?.into_iter().map(|n| self.note_view(n, now)).collect())
    }

    /// Adds a note (journaled).
    pub async fn add_note(&self, profile: &str, customer: &str, body: &str) -> Result<NoteView, CoreError> {
        let n = self.workspace.add_note(profile, customer, &self.author(), body).await?;
        self.record(profile, Some(customer), "note", "added").await;
        Ok(self.note_view(n, OffsetDateTime::now_utc()))
    }

    /// Changes a note of one's own within its edit window (journaled).
    pub async fn edit_note(&self, profile: &str, id: i64, body: &str) -> Result<NoteView, CoreError> {
        let now = OffsetDateTime::now_utc();
        let n = self.workspace.edit_note(id, &self.author(), body, now).await?;
        self.record(profile, Some(&n.customer_id), "note", "edited").await;
        Ok(self.note_view(n, now))
    }

    /// Every tag.
    pub async fn tags(&self) -> Result<Vec<TagView>, CoreError> {
        Ok(self.workspace.tags().await?.into_iter().map(TagView::from).collect())
    }

    /// Creates a tag (journaled).
    pub async fn create_tag(&self, profile: &str, name: &str, colour: &str) -> Result<TagView, CoreError> {
        let t = self.workspace.create_tag(name, colour).await?;
        self.record(profile, None, "tag", "created").await;
        Ok(t.into())
    }

    /// Renames or recolours a tag (journaled).
    pub async fn update_tag(&self, profile: &str, id: i64, name: &str, colour: &str) -> Result<TagView, CoreError> {
        let t = self.workspace.update_tag(id, name, colour).await?;
        self.record(profile, None, "tag", "changed").await;
        Ok(t.into())
    }

    /// A customer's tags.
    pub async fn tags_of(&self, profile: &str, customer: &str) -> Result<Vec<TagView>, CoreError> {
        Ok(self.workspace.tags_of(profile, customer).await?.into_iter().map(TagView::from).collect())
    }

    /// Tags customers (journaled, one entry each).
    pub async fn tag(&self, profile: &str, customers: &[String], tag: i64) -> Result<u64, CoreError> {
        let added = self.workspace.tag(profile, customers, tag).await?;
        self.record_each(profile, customers, "tag", "added").await;
        Ok(added)
    }

    /// Takes a tag off a customer (journaled).
    pub async fn untag(&self, profile: &str, customer: &str, tag: i64) -> Result<(), CoreError> {
        self.workspace.untag(profile, customer, tag).await?;
        self.record(profile, Some(customer), "tag", "removed").await;
        Ok(())
    }

    /// The customers of a profile with a tag.
    pub async fn tagged(&self, profile: &str, tag: i64) -> Result<Vec<String>, CoreError> {
        Ok(self.workspace.tagged(profile, tag).await?)
    }

    /// A small fact kept in the workspace (a setting).
    pub async fn fact(&self, key: &str) -> Result<Option<String>, CoreError> {
        Ok(self.workspace.fact(key).await?)
    }

    /// Keeps a small fact in the workspace.
    pub async fn set_fact(&self, key: &str, value: &str) -> Result<(), CoreError> {
        Ok(self.workspace.set_fact(key, value).await?)
    }

    /// Every saved view, by name (one whose query this version cannot read is skipped).
    pub async fn views(&self) -> Result<Vec<SavedViewView>, CoreError> {
        Ok(self
            .workspace
            .views()
            .await?
            .into_iter()
            .filter_map(|v| {
                let query = serde_json::from_str(&v.query).ok()?;
                Some(SavedViewView { id: v.id, name: v.name, query })
            })
            .collect())
    }

    /// Saves a view (the page position is not part of it).
    pub async fn save_view(
        &self,
        name: &str,
        query: &crate::views::CustomerListQuery,
    ) -> Result<SavedViewView, CoreError> {
        let q = crate::views::CustomerListQuery { offset: 0, ..query.clone() };
        let json = serde_json::to_string(&q).map_err(|e| CoreError::Io(e.to_string()))?;
        let v = self.workspace.save_view(name, &json).await?;
        Ok(SavedViewView { id: v.id, name: v.name, query: q })
    }

    /// Deletes a saved view.
    pub async fn delete_view(&self, id: i64) -> Result<(), CoreError> {
        Ok(self.workspace.delete_view(id).await?)
    }

    /// Checks the journal: every entry against its hash and its predecessor, and its
    /// end against the head this app last wrote.
    pub async fn verify_journal(&self) -> Result<JournalCheck, CoreError> {
        let head = self.workspace.fact(JOURNAL_HEAD).await?;
        // A long journal is read off the async workers.
        let path = self.journal_path.clone();
        let report = tokio::task::spawn_blocking(move || kyc_store::journal::verify_against(&path, head.as_deref()))
            .await
            .map_err(|e| CoreError::Io(format!("the journal check stopped: {e}")))?
            .map_err(|e| CoreError::Io(format!("the journal: {e}")))?;
        Ok(JournalCheck {
            entries: report.entries,
            head: report.head.clone(),
            clean: report.is_clean(),
            problems: report.problems.iter().map(ToString::to_string).collect(),
            path: self.journal_path.display().to_string(),
        })
    }

    /// Where the journal is (a JSON Lines file: the export is the file itself).
    pub fn journal_path(&self) -> &Path {
        &self.journal_path
    }
}

/// A saved view: a name and the list's query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedViewView {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The search, filters and sort it restores.
    pub query: crate::views::CustomerListQuery,
}

/// What verifying the journal found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JournalCheck {
    /// Entries read.
    #[ts(type = "number")]
    pub entries: u64,
    /// The last entry's hash.
    pub head: Option<String>,
    /// Nothing edited, removed or reordered.
    pub clean: bool,
    /// Each problem, saying which entry.
    pub problems: Vec<String>,
    /// The journal file (JSON Lines).
    pub path: String,
}
