//! The desk's journal: a tamper-evident record of every action taken in the desk
//! (register, correct, upload, biometrics, card, wallet change, identity check, note,
//! tag, export, profile change).
//!
//! The journal is a JSON Lines file (`journal.jsonl` in the app's data folder; the
//! caller gives the path), one [`Entry`] a line, appended and flushed (`fdatasync`)
//! entry by entry, readable by this user only (0600 on Unix). An entry holds who
//! (the OS user, or the name set in Settings), when, in which profile, on which
//! customer (an id, never a name: the journal holds no personal data beyond ids),
//! what, with which outcome, and the hash of the entry before it:
//!
//! ```text
//! {"seq":1,"at":"2026-11-24T23:40:01.123Z","author":"ana","profile":"builtin-cartevo","customer":"cus_1","action":"register","outcome":"created","prev":"000…000","hash":"3f9a…"}
//! ```
//!
//! `hash` is the lowercase hex SHA-256 of the entry's canonical bytes: the compact JSON
//! of the entry without `hash` (`seq`, `at`, `author`, `profile`, `customer`, `action`,
//! `outcome`, `prev`, in that order, exactly as `serde_json` writes them). `prev` is the
//! `hash` of the entry before, or 64 zeros ([`GENESIS`]) for the first. `seq` counts
//! from 1.
//!
//! [`verify`] streams the file, recomputes every hash and follows the chain and the
//! sequence numbers, and names every edited, removed, reordered or unreadable entry
//! (see [`verify_against`] for the rules, and for the one thing the file alone cannot
//! show: its last entries removed). [`export`] copies it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The `prev` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The longest a field of an entry may be, in characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// What can go wrong with the journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The journal file could not be read or written.
    #[error("journal {}: {source}", .path.display())]
    Io {
        /// The journal file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An entry (or an expected head) was refused: it says why. Nothing was written.
    #[error("{0}")]
    Invalid(String),
    /// The copy being exported could not be written.
    #[error("could not write the journal's copy: {0}")]
    Output(#[source] std::io::Error),
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.to_path_buf(), source }
}

/// An action to record: what the caller knows. The journal adds the sequence number,
/// the time and the hashes.
///
/// Every field is one line of at most [`MAX_FIELD_CHARS`] characters with no control
/// characters (newlines included); `action` and `outcome` are not empty. Ids only: no
/// names, documents or other personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEntry {
    /// Who: the OS user, or the name set in Settings.
    pub author: String,
    /// The connection profile the action was taken in (its id).
    pub profile: String,
    /// The customer acted on (their id at the provider), if any.
    pub customer: Option<String>,
    /// What was done, e.g. `register`, `correct`, `upload`, `wallet.freeze`.
    pub action: String,
    /// How it ended, e.g. `created`, `queued`, `refused: 409`.
    pub outcome: String,
}

impl NewEntry {
    fn validate(&self) -> Result<(), JournalError> {
        let fields = [
            ("author", Some(self.author.as_str())),
            ("profile", Some(self.profile.as_str())),
            ("customer", self.customer.as_deref()),
            ("action", Some(self.action.as_str())),
            ("outcome", Some(self.outcome.as_str())),
        ];
        for (name, value) in fields {
            let Some(value) = value else { continue };
            if value.chars().any(char::is_control) {
                return Err(JournalError::Invalid(format!(
                    "journal entry refused: {name} contains a newline or another control character"
                )));
            }
            if value.chars().count() > MAX_FIELD_CHARS {
                return Err(JournalError::Invalid(format!(
                    "journal entry refused: {name} is longer than {MAX_FIELD_CHARS} characters"
                )));
            }
        }
        for (name, value) in [("action", &self.action), ("outcome", &self.outcome)] {
            if value.is_empty() {
                return Err(JournalError::Invalid(format!("journal entry refused: {name} is empty")));
            }
        }
        Ok(())
    }
}

/// One line of the journal (its fields in this order on disk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Its place in the journal, from 1.
    pub seq: u64,
    /// When, RFC 3339 in UTC with milliseconds (`2026-11-24T23:40:01.123Z`).
    pub at: String,
    /// Who.
    pub author: String,
    /// In which connection profile.
    pub profile: String,
    /// On which customer (an id), if any.
    pub customer: Option<String>,
    /// What.
    pub action: String,
    /// How it ended.
    pub outcome: String,
    /// The `hash` of the entry before, or [`GENESIS`] for the first.
    pub prev: String,
    /// The lowercase hex SHA-256 of this entry's canonical bytes (see the module's doc).
    pub hash: String,
}

impl Entry {
    /// This entry's hash recomputed from its fields (equal to `hash` unless it was
    /// changed after being written).
    pub fn computed_hash(&self) -> String {
        let body = Body {
            seq: self.seq,
            at: &self.at,
            author: &self.author,
            profile: &self.profile,
            customer: self.customer.as_deref(),
            action: &self.action,
            outcome: &self.outcome,
            prev: &self.prev,
        };
        hex(&body.digest(&mut Vec::new()))
    }
}

/// An entry without its hash: what the hash is computed over.
#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    at: &'a str,
    author: &'a str,
    profile: &'a str,
    customer: Option<&'a str>,
    action: &'a str,
    outcome: &'a str,
    prev: &'a str,
}

impl Body<'_> {
    /// SHA-256 of the canonical bytes, serialized into `buf` (reused between entries).
    fn digest(&self, buf: &mut Vec<u8>) -> [u8; 32] {
        buf.clear();
        serde_json::to_writer(&mut *buf, self).expect("integers and strings always serialize");
        Sha256::digest(buf.as_slice()).into()
    }
}

fn hex(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Reads 64 lowercase hex digits (the only form the journal writes).
fn unhex(s: &str) -> Option<[u8; 32]> {
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = (digit(s[2 * i])? << 4) | digit(s[2 * i + 1])?;
    }
    Some(out)
}

/// Now, as the journal writes times.
fn now() -> Result<String, JournalError> {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .map_err(|e| JournalError::Invalid(format!("journal entry refused: the clock's time cannot be written: {e}")))
}

/// The journal, open for appending.
///
/// One `Journal` per file in a process (share it with [`SharedJournal`]); two writers
/// on one file, in one process or two, would fork the chain.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// The file's length: what a failed append is cut back to.
    bytes: u64,
    /// The seq of the last entry (0 when empty).
    last_seq: u64,
    head: Option<String>,
}

impl Journal {
    /// Opens the journal at `path`, creating it (0600 on Unix) if missing; its folder
    /// must exist. Reads only the end of the file, to learn the last entry's seq and
    /// hash, which the next entry follows.
    ///
    /// A crash never blocks the app: a torn last line (no newline at the end, not an
    /// entry: a crash mid-append) is cut off, with a warning in the log. A complete
    /// last line that is not an entry (the file was edited) is left in place, for
    /// [`verify`] to report, and the journal continues after the last entry it can read.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let err = io_err(path);
        let created = !path.exists();
        let mut opts = OpenOptions::new();
        opts.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut file = opts.open(path).map_err(&err)?;
        #[cfg(unix)]
        {
            std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).map_err(&err)?;
            if created {
                // The new name is durable once its folder is.
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
                File::open(dir).and_then(|d| d.sync_all()).map_err(&err)?;
            }
        }
        #[cfg(not(unix))]
        let _ = created;
        let mut bytes = file.metadata().map_err(&err)?.len();

        if bytes > 0 && read_byte(&mut file, bytes - 1).map_err(&err)? != b'\n' {
            let (start, tail) = line_before(&mut file, bytes).map_err(&err)?;
            if serde_json::from_slice::<Entry>(&tail).is_ok() {
                // The whole entry but its newline: complete it.
                file.write_all(b"\n").and_then(|()| file.sync_data()).map_err(&err)?;
                tracing::warn!(journal = %path.display(), "completed the journal's last line (its newline was missing)");
                bytes += 1;
            } else {
                cut(path, start).map_err(&err)?;
                tracing::warn!(
                    journal = %path.display(),
                    dropped_bytes = bytes - start,
                    "cut off the journal's torn last line (a crash while appending)"
                );
                bytes = start;
            }
        }

        let mut end = bytes;
        let mut last = None;
        while end > 0 {
            let (start, line) = line_before(&mut file, end - 1).map_err(&err)?;
            if let Ok(entry) = serde_json::from_slice::<Entry>(&line) {
                last = Some(entry);
                break;
            }
            tracing::warn!(
                journal = %path.display(),
                at_byte = start,
                "the journal's line is not an entry; continuing after the last one that is"
            );
            end = start;
        }
        let (last_seq, head) = match last {
            None => (0, None),
            Some(e) => {
                // Follow the hash as written (so that an edited last entry is reported
                // as that alone), unless it is not even a hash.
                let hash = if unhex(&e.hash).is_some() { e.hash.clone() } else { e.computed_hash() };
                (e.seq, Some(hash))
            }
        };
        Ok(Journal { path: path.to_path_buf(), file, bytes, last_seq, head })
    }

    /// Appends an entry for `e`, stamped with the time now, and flushes it to disk
    /// before returning it.
    ///
    /// Refuses ([`JournalError::Invalid`], nothing written) fields with a newline or
    /// another control character or longer than [`MAX_FIELD_CHARS`] characters, and an
    /// empty `action` or `outcome`. If the write fails the file is cut back to where it
    /// was, and the journal is as before.
    ///
    /// Blocking: one write of a line of a few hundred bytes and an `fdatasync`.
    pub fn append(&mut self, e: NewEntry) -> Result<Entry, JournalError> {
        e.validate()?;
        let seq = self
            .last_seq
            .checked_add(1)
            .ok_or_else(|| JournalError::Invalid("journal entry refused: the journal is full".into()))?;
        let mut entry = Entry {
            seq,
            at: now()?,
            author: e.author,
            profile: e.profile,
            customer: e.customer,
            action: e.action,
            outcome: e.outcome,
            prev: self.head.clone().unwrap_or_else(|| GENESIS.to_owned()),
            hash: String::new(),
        };
        entry.hash = entry.computed_hash();
        let mut line = serde_json::to_vec(&entry).expect("integers and strings always serialize");
        line.push(b'\n');
        if let Err(source) = self.file.write_all(&line).and_then(|()| self.file.sync_data()) {
            if let Err(e) = cut(&self.path, self.bytes) {
                tracing::warn!(journal = %self.path.display(), error = %e, "could not cut back a failed append");
            }
            return Err(JournalError::Io { path: self.path.clone(), source });
        }
        self.bytes += line.len() as u64;
        self.last_seq = seq;
        self.head = Some(entry.hash.clone());
        Ok(entry)
    }

    /// Appends an entry for each of `entries`, chained in order, with one write and one
    /// `fdatasync` for all (a bulk action over thousands of customers). All or nothing:
    /// any entry refused refuses them all, and a failed write cuts the file back.
    pub fn append_all(&mut self, entries: Vec<NewEntry>) -> Result<Vec<Entry>, JournalError> {
        for e in &entries {
            e.validate()?;
        }
        let at = now()?;
        let (mut seq, mut prev) = (self.last_seq, self.head.clone().unwrap_or_else(|| GENESIS.to_owned()));
        let mut out = Vec::with_capacity(entries.len());
        let mut bytes = Vec::new();
        for e in entries {
            seq = seq
                .checked_add(1)
                .ok_or_else(|| JournalError::Invalid("journal entry refused: the journal is full".into()))?;
            let mut entry = Entry {
                seq,
                at: at.clone(),
                author: e.author,
                profile: e.profile,
                customer: e.customer,
                action: e.action,
                outcome: e.outcome,
                prev,
                hash: String::new(),
            };
            entry.hash = entry.computed_hash();
            serde_json::to_writer(&mut bytes, &entry).expect("integers and strings always serialize");
            bytes.push(b'\n');
            prev = entry.hash.clone();
            out.push(entry);
        }
        if out.is_empty() {
            return Ok(out);
        }
        if let Err(source) = self.file.write_all(&bytes).and_then(|()| self.file.sync_data()) {
            if let Err(e) = cut(&self.path, self.bytes) {
                tracing::warn!(journal = %self.path.display(), error = %e, "could not cut back a failed append");
            }
            return Err(JournalError::Io { path: self.path.clone(), source });
        }
        self.bytes += bytes.len() as u64;
        self.last_seq = seq;
        self.head = Some(prev);
        Ok(out)
    }

    /// The hash of the last entry (`None` while the journal is empty). Keep it
    /// elsewhere to detect, with [`verify_against`], the last entries being removed.
    pub fn head(&self) -> Option<&str> {
        self.head.as_deref()
    }

    /// The seq of the last entry: the number of entries, unless some were removed.
    pub fn len(&self) -> u64 {
        self.last_seq
    }

    /// Whether the journal has no entry yet.
    pub fn is_empty(&self) -> bool {
        self.last_seq == 0
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Cuts the file at `path` to `len` bytes, durably. (Through a handle of its own: the
/// journal's, opened to append, may not truncate on Windows.)
fn cut(path: &Path, len: u64) -> std::io::Result<()> {
    let f = OpenOptions::new().write(true).open(path)?;
    f.set_len(len)?;
    f.sync_data()
}

/// Reads the byte at `pos`.
fn read_byte(file: &mut File, pos: u64) -> std::io::Result<u8> {
    let mut b = [0u8; 1];
    file.seek(SeekFrom::Start(pos))?;
    file.read_exact(&mut b)?;
    Ok(b[0])
}

/// The line ending at `end` (exclusive; a newline or the end of the file): where it
/// starts (after the newline before it, or 0) and its bytes.
fn line_before(file: &mut File, end: u64) -> std::io::Result<(u64, Vec<u8>)> {
    const CHUNK: u64 = 8192;
    let mut line: Vec<u8> = Vec::new();
    let mut pos = end;
    while pos > 0 {
        let n = CHUNK.min(pos);
        pos -= n;
        let mut chunk = vec![0u8; usize::try_from(n).expect("a chunk fits in memory")];
        file.seek(SeekFrom::Start(pos))?;
        file.read_exact(&mut chunk)?;
        let newline = chunk.iter().rposition(|&b| b == b'\n');
        chunk.extend_from_slice(&line);
        line = chunk;
        if let Some(i) = newline {
            return Ok((pos + i as u64 + 1, line.split_off(i + 1)));
        }
    }
    Ok((0, line))
}

/// A [`Journal`] shared between tasks and threads: cheap to clone, `Send + Sync`.
///
/// Its methods take a lock and do blocking file I/O (an append is one short write and
/// an `fdatasync`, a few milliseconds at most on an SSD): fine to call from async code
/// for one entry per user action; use `spawn_blocking` where even that matters.
#[derive(Debug, Clone)]
pub struct SharedJournal(Arc<Mutex<Journal>>);

impl From<Journal> for SharedJournal {
    fn from(journal: Journal) -> Self {
        Self(Arc::new(Mutex::new(journal)))
    }
}

impl SharedJournal {
    /// Opens the journal at `path` (see [`Journal::open`]).
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        Journal::open(path).map(Self::from)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Journal> {
        // A panic mid-append leaves the journal as it was (it only changes after the
        // line is written), so a poisoned lock is safe to take over.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends an entry (see [`Journal::append`]). Blocking.
    pub fn append(&self, e: NewEntry) -> Result<Entry, JournalError> {
        self.lock().append(e)
    }

    /// Appends entries at once (see [`Journal::append_all`]). Blocking.
    pub fn append_all(&self, entries: Vec<NewEntry>) -> Result<Vec<Entry>, JournalError> {
        self.lock().append_all(entries)
    }

    /// The hash of the last entry (see [`Journal::head`]).
    pub fn head(&self) -> Option<String> {
        self.lock().head().map(str::to_owned)
    }

    /// The seq of the last entry (see [`Journal::len`]).
    pub fn len(&self) -> u64 {
        self.lock().len()
    }

    /// Whether the journal has no entry yet.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// Something [`verify`] found wrong. Lines count from 1; a seq is the one the line
/// holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The entry at `line` was changed after it was written: its content no longer
    /// matches its own hash, or (if whoever changed it recomputed that) the hash the
    /// next entry recorded for it.
    Edited {
        /// The entry's seq.
        seq: u64,
        /// Its line.
        line: u64,
    },
    /// `missing` entries after entry `after_seq` are gone (`after_seq` 0: the first
    /// ones). `missing` 0: the journal ends before the head the caller expected, so
    /// its last entries were removed.
    Removed {
        /// The entry before the gap (0 for the start of the journal).
        after_seq: u64,
        /// How many entries are gone (0: an unknown number at the end).
        missing: u64,
    },
    /// The entry at `line` is not where its seq puts it (moved, or a copy of another).
    Reordered {
        /// The entry's seq.
        seq: u64,
        /// Its line.
        line: u64,
    },
    /// The line is not a journal entry (not JSON, a field missing or added, or torn).
    Unreadable {
        /// The line.
        line: u64,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Problem::Edited { seq, line } => {
                write!(f, "entry {seq} (line {line}) was edited: its content no longer matches its hash")
            }
            Problem::Removed { missing: 0, .. } => {
                f.write_str("the last entries were removed (the journal ends before the head this app last wrote)")
            }
            Problem::Removed { after_seq: 0, missing: 1 } => f.write_str("the first entry was removed"),
            Problem::Removed { after_seq: 0, missing } => write!(f, "the first {missing} entries were removed"),
            Problem::Removed { after_seq, missing: 1 } => write!(f, "1 entry after entry {after_seq} was removed"),
            Problem::Removed { after_seq, missing } => {
                write!(f, "{missing} entries after entry {after_seq} were removed")
            }
            Problem::Reordered { seq, line } => write!(f, "entry {seq} (line {line}) is out of order"),
            Problem::Unreadable { line } => write!(f, "line {line} is not a journal entry"),
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// How many lines are entries (edited and misplaced ones included).
    pub entries: u64,
    /// The `hash` of the last entry in the file, as written (`None` if there is none).
    pub head: Option<String>,
    /// Everything wrong, in the order of the file.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies the journal at `path`: [`verify_against`] without an expected head.
pub fn verify(path: &Path) -> Result<Report, JournalError> {
    verify_against(path, None)
}

/// Verifies the journal at `path`, reading it line by line (its size does not matter),
/// and reports every problem in it, not just the first. An error is returned only if
/// the file cannot be read (missing included) or `expected_head` is not 64 hex digits.
///
/// The rules:
/// - A line that is not an entry (not JSON, a field missing or added, torn) is
///   [`Problem::Unreadable`].
/// - An entry whose recomputed hash is not its `hash` is [`Problem::Edited`].
/// - An entry that is intact but whose `prev` is not the `hash` of entry `seq - 1`
///   (wherever that is in the file) means entry `seq - 1` was edited and its hash
///   recomputed to match: that one is [`Problem::Edited`]. (For entry 1, whose `prev`
///   must be [`GENESIS`], and for a `prev` that is not a hash at all, the entry itself.)
/// - Unreadable and edited lines cannot be trusted for their seq: they stand in for
///   the entries missing where they are, if any (a mangled entry is not also removed).
/// - Entries must follow one another by seq. One that comes after an entry with a
///   seq as high or higher (a repeat, or moved later), or that comes just before the
///   entry that should have followed the one before it (moved earlier), is
///   [`Problem::Reordered`]: a swap of two entries is one problem, not three.
/// - Seqs missing from the file (counting misplaced entries as present, and the
///   stand-ins above) are [`Problem::Removed`], one for each run of missing seqs.
/// - Removing the last entries leaves a journal that is intact, just shorter: the file
///   alone cannot show it. Given the head the app last wrote (`expected_head`, kept
///   elsewhere), a journal in which no entry has that hash is reported as
///   [`Problem::Removed`] `{ after_seq: <last seq>, missing: 0 }`. (So is the last
///   entry edited with its hash recomputed, or a rewritten chain.) Entries after the
///   expected head are accepted: the app keeps its head after appending, and a crash
///   in between leaves the journal one entry ahead.
///
/// What it cannot see: an edit whose hash is recomputed in that entry and in every
/// entry after it (a rewritten chain) unless `expected_head` is given, and changes
/// that leave the content as it was (spacing, escapes, a `null` customer removed).
pub fn verify_against(path: &Path, expected_head: Option<&str>) -> Result<Report, JournalError> {
    let expected = expected_head
        .map(|h| {
            unhex(&h.trim().to_ascii_lowercase())
                .ok_or_else(|| JournalError::Invalid(format!("the expected journal head {h:?} is not 64 hex digits")))
        })
        .transpose()?;
    let err = io_err(path);
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path).map_err(&err)?);
    let mut v = Verifier::default();
    let mut buf = Vec::with_capacity(512);
    let mut canonical = Vec::with_capacity(512);
    let mut line_no = 0u64;
    let mut head: Option<String> = None;
    let mut head_seen = false;
    let mut entries = 0u64;
    // The last intact entry read, placed once the next one is known.
    let mut held: Option<Seen> = None;
    // Stand-ins (unreadable or edited lines) since the last intact entry.
    let mut standins = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(&err)? == 0 {
            break;
        }
        line_no += 1;
        let text = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let Ok(line) = serde_json::from_slice::<Line<'_>>(text) else {
            v.problem(line_no, Problem::Unreadable { line: line_no });
            standins += 1;
            continue;
        };
        entries += 1;
        let stored = unhex(&line.hash);
        if stored.is_some() && stored == expected {
            head_seen = true;
        }
        head = Some(line.hash.clone().into_owned());
        let digest = line.body().digest(&mut canonical);
        let Some(hash) = stored.filter(|h| *h == digest) else {
            v.problem(line_no, Problem::Edited { seq: line.seq, line: line_no });
            standins += 1;
            continue;
        };
        let seen = Seen { seq: line.seq, line: line_no, hash, prev: unhex(&line.prev), standins_before: standins };
        standins = 0;
        if let Some(h) = held.take() {
            v.place(h, Some(&seen));
        }
        held = Some(seen);
    }
    if let Some(h) = held.take() {
        v.place(h, None);
    }
    let last_seq = v.last.as_ref().map_or(0, |n| n.seq);
    v.removals();
    if expected.is_some() && !head_seen {
        v.problem(u64::MAX, Problem::Removed { after_seq: last_seq, missing: 0 });
    }
    v.problems.sort_by_key(|(at, _)| *at);
    Ok(Report { entries, head, problems: v.problems.into_iter().map(|(_, p)| p).collect() })
}

/// A line as read for verifying (borrowing from the line where it can).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    seq: u64,
    #[serde(borrow)]
    at: Cow<'a, str>,
    #[serde(borrow)]
    author: Cow<'a, str>,
    #[serde(borrow)]
    profile: Cow<'a, str>,
    #[serde(borrow)]
    customer: Option<Cow<'a, str>>,
    #[serde(borrow)]
    action: Cow<'a, str>,
    #[serde(borrow)]
    outcome: Cow<'a, str>,
    #[serde(borrow)]
    prev: Cow<'a, str>,
    #[serde(borrow)]
    hash: Cow<'a, str>,
}

impl Line<'_> {
    fn body(&self) -> Body<'_> {
        Body {
            seq: self.seq,
            at: &self.at,
            author: &self.author,
            profile: &self.profile,
            customer: self.customer.as_deref(),
            action: &self.action,
            outcome: &self.outcome,
            prev: &self.prev,
        }
    }
}

/// An intact entry, as far as verifying needs it.
struct Seen {
    seq: u64,
    line: u64,
    hash: [u8; 32],
    /// `None`: not a hash.
    prev: Option<[u8; 32]>,
    /// Unreadable or edited lines just before it.
    standins_before: u64,
}

/// Where an intact entry was found.
#[derive(Clone, Copy)]
struct Node {
    seq: u64,
    line: u64,
    hash: [u8; 32],
}

/// Two entries missing between entries in order: `after` then `before` (line `line`),
/// with `standins` unreadable or edited lines between them.
struct Gap {
    after: u64,
    before: u64,
    line: u64,
    standins: u64,
}

/// How many entries in order to remember, to check the links of misplaced ones.
const WINDOW: usize = 4096;

/// The state of a verification, line after line. Memory grows only with problems:
/// the in-order entries it keeps are the last [`WINDOW`].
#[derive(Default)]
struct Verifier {
    /// The last entry in order.
    last: Option<Node>,
    /// The last entries in order (increasing seqs).
    recent: VecDeque<Node>,
    /// Misplaced entries, by seq.
    misplaced: HashMap<u64, Node>,
    misplaced_seqs: BTreeSet<u64>,
    /// The `prev` of entries whose entry `seq - 1` was not read yet, by that seq (it
    /// may come later in the file).
    waiting: HashMap<u64, Vec<[u8; 32]>>,
    gaps: Vec<Gap>,
    /// Stand-ins since the last entry placed in order.
    standins: u64,
    /// Lines already reported as edited.
    edited: HashSet<u64>,
    /// (where in the file, problem).
    problems: Vec<(u64, Problem)>,
}

impl Verifier {
    fn problem(&mut self, at: u64, p: Problem) {
        self.problems.push((at, p));
    }

    fn edited(&mut self, seq: u64, line: u64) {
        if self.edited.insert(line) {
            self.problem(line, Problem::Edited { seq, line });
        }
    }

    /// The entry `seq`, if read and remembered.
    fn find(&self, seq: u64) -> Option<Node> {
        if let Some(n) = self.last.filter(|n| n.seq == seq) {
            return Some(n);
        }
        if let Ok(i) = self.recent.binary_search_by_key(&seq, |n| n.seq) {
            return Some(self.recent[i]);
        }
        self.misplaced.get(&seq).copied()
    }

    /// Places `e`, knowing the next intact entry in the file.
    fn place(&mut self, e: Seen, next: Option<&Seen>) {
        let base = self.last.map_or(0, |n| n.seq);
        let misplaced = e.seq <= base || next.is_some_and(|n| n.seq < e.seq && n.seq > base);
        let node = Node { seq: e.seq, line: e.line, hash: e.hash };
        self.standins += e.standins_before;

        // Its link to the entry before it.
        match (e.prev, e.seq) {
            // Not a hash: the entry's own `prev` was changed.
            (None, _) => self.edited(e.seq, e.line),
            // No such entry (reported as out of order): no link.
            (Some(_), 0) => {}
            (Some(prev), 1) => {
                if prev != [0; 32] {
                    self.edited(e.seq, e.line);
                }
            }
            (Some(prev), seq) => match self.find(seq - 1) {
                Some(p) if p.hash != prev => self.edited(p.seq, p.line),
                Some(_) => {}
                None => self.waiting.entry(seq - 1).or_default().push(prev),
            },
        }
        // The links of entries read before it that follow it.
        if let Some(waiting) = self.waiting.remove(&e.seq)
            && waiting.iter().any(|prev| *prev != e.hash)
        {
            self.edited(e.seq, e.line);
        }

        if misplaced {
            self.problem(e.line, Problem::Reordered { seq: e.seq, line: e.line });
            self.misplaced.entry(e.seq).or_insert(node);
            self.misplaced_seqs.insert(e.seq);
        } else {
            if e.seq > base + 1 {
                self.gaps.push(Gap { after: base, before: e.seq, line: e.line, standins: self.standins });
            }
            self.standins = 0;
            if let Some(last) = self.last.replace(node) {
                self.recent.push_back(last);
                if self.recent.len() > WINDOW {
                    self.recent.pop_front();
                }
            }
        }
    }

    /// Reports the seqs missing in the gaps (misplaced entries and stand-ins filling them).
    fn removals(&mut self) {
        for gap in std::mem::take(&mut self.gaps) {
            let mut runs = Vec::new();
            let mut start = gap.after + 1;
            for &s in self.misplaced_seqs.range(gap.after + 1..gap.before) {
                if s > start {
                    runs.push((start, s - start));
                }
                start = s + 1;
            }
            if gap.before > start {
                runs.push((start, gap.before - start));
            }
            let missing: u64 = runs.iter().map(|r| r.1).sum();
            if gap.standins >= missing {
                continue;
            }
            if gap.standins == 0 {
                for (start, n) in runs {
                    self.problem(gap.line, Problem::Removed { after_seq: start - 1, missing: n });
                }
            } else {
                let after_seq = runs[0].0 - 1;
                self.problem(gap.line, Problem::Removed { after_seq, missing: missing - gap.standins });
            }
        }
    }
}

/// Copies the journal at `path` to `out` as it is (JSON Lines; nothing verified) and
/// flushes `out`. Returns the number of lines copied (a last line without its newline
/// counted).
pub fn export(path: &Path, out: &mut dyn Write) -> Result<u64, JournalError> {
    let err = io_err(path);
    let mut file = File::open(path).map_err(&err)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    let mut last = b'\n';
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(err(e)),
        };
        let chunk = &buf[..n];
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        last = chunk[n - 1];
        out.write_all(chunk).map_err(JournalError::Output)?;
    }
    if last != b'\n' {
        lines += 1;
    }
    out.flush().map_err(JournalError::Output)?;
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, prev: &str) -> Entry {
        let mut e = Entry {
            seq,
            at: "2026-11-24T23:40:01.123Z".into(),
            author: "ana".into(),
            profile: "builtin-cartevo".into(),
            customer: Some("cus_1".into()),
            action: "register".into(),
            outcome: "created".into(),
            prev: prev.into(),
            hash: String::new(),
        };
        e.hash = e.computed_hash();
        e
    }

    #[test]
    fn the_hash_is_over_the_compact_json_without_it() {
        let e = entry(1, GENESIS);
        let canonical = format!(
            r#"{{"seq":1,"at":"2026-11-24T23:40:01.123Z","author":"ana","profile":"builtin-cartevo","customer":"cus_1","action":"register","outcome":"created","prev":"{GENESIS}"}}"#
        );
        assert_eq!(e.hash, hex(&Sha256::digest(canonical.as_bytes()).into()));
        // On disk: the same, with the hash last.
        let line = serde_json::to_string(&e).unwrap();
        assert_eq!(line, format!(r#"{},"hash":"{}"}}"#, &canonical[..canonical.len() - 1], e.hash));
        let none = Entry { customer: None, ..e.clone() };
        assert!(serde_json::to_string(&none).unwrap().contains(r#""customer":null"#));
        assert_ne!(none.computed_hash(), e.hash);
    }

    #[test]
    fn hex_round_trips_and_is_strict() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(unhex(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex(GENESIS), Some([0; 32]));
        assert_eq!(unhex(&hex(&bytes).to_uppercase()), None);
        assert_eq!(unhex("00"), None);
        assert_eq!(unhex(&"g".repeat(64)), None);
    }

    #[test]
    fn times_are_utc_with_milliseconds() {
        let t = now().unwrap();
        assert_eq!(t.len(), "2026-11-24T23:40:01.123Z".len(), "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[19] == b'.', "{t}");
        time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).unwrap();
    }

    #[test]
    fn new_entries_are_checked() {
        let ok = NewEntry {
            author: "ana".into(),
            profile: "p".into(),
            customer: None,
            action: "note".into(),
            outcome: "added".into(),
        };
        assert!(ok.validate().is_ok());
        let bad = [
            NewEntry { author: "ana\nbob".into(), ..ok.clone() },
            NewEntry { customer: Some("cus\r1".into()), ..ok.clone() },
            NewEntry { outcome: "a\tb".into(), ..ok.clone() },
            NewEntry { action: String::new(), ..ok.clone() },
            NewEntry { outcome: String::new(), ..ok.clone() },
            NewEntry { profile: "é".repeat(MAX_FIELD_CHARS + 1), ..ok.clone() },
        ];
        for e in bad {
            assert!(matches!(e.validate(), Err(JournalError::Invalid(_))), "{e:?}");
        }
        // Characters, not bytes.
        assert!(NewEntry { profile: "é".repeat(MAX_FIELD_CHARS), ..ok }.validate().is_ok());
    }

    #[test]
    fn problems_say_which_entry() {
        let cases = [
            (
                Problem::Edited { seq: 7, line: 7 },
                "entry 7 (line 7) was edited: its content no longer matches its hash",
            ),
            (Problem::Removed { after_seq: 41, missing: 2 }, "2 entries after entry 41 were removed"),
            (Problem::Removed { after_seq: 41, missing: 1 }, "1 entry after entry 41 was removed"),
            (Problem::Removed { after_seq: 0, missing: 3 }, "the first 3 entries were removed"),
            (Problem::Removed { after_seq: 0, missing: 1 }, "the first entry was removed"),
            (
                Problem::Removed { after_seq: 9, missing: 0 },
                "the last entries were removed (the journal ends before the head this app last wrote)",
            ),
            (Problem::Reordered { seq: 12, line: 10 }, "entry 12 (line 10) is out of order"),
            (Problem::Unreadable { line: 4 }, "line 4 is not a journal entry"),
        ];
        for (p, text) in cases {
            assert_eq!(p.to_string(), text);
        }
    }

    #[test]
    fn the_last_line_is_found_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let long = "x".repeat(20_000);
        std::fs::write(&path, format!("a\n{long}\nb")).unwrap();
        let mut f = File::open(&path).unwrap();
        let len = f.metadata().unwrap().len();
        assert_eq!(line_before(&mut f, len).unwrap(), (20_003, b"b".to_vec()));
        assert_eq!(line_before(&mut f, 20_002).unwrap(), (2, long.into_bytes()));
        assert_eq!(line_before(&mut f, 1).unwrap(), (0, b"a".to_vec()));
    }

    #[test]
    fn a_shared_journal_is_send_and_sync() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<SharedJournal>();
    }
}
