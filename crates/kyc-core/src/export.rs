//! Exports: the customers of the current view as CSV, streamed from the caches (100,000
//! rows never held at once), with progress and cancel; long work that can be cancelled
//! ([`Jobs`]).

use crate::CoreError;
use crate::fleet::Member;
use crate::views::CustomerListQuery;
use kyc_model::Customer;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// How far a long job (an export, a bulk re-read) has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JobProgress {
    /// The job, as the window named it.
    pub job: String,
    /// Done so far.
    #[ts(type = "number")]
    pub done: u64,
    /// All there is to do.
    #[ts(type = "number")]
    pub total: u64,
}

/// How an export ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportDone {
    /// The file written (nothing is left behind when cancelled).
    pub path: String,
    /// Rows written (customers; the header aside).
    #[ts(type = "number")]
    pub rows: u64,
    /// Whether it was cancelled (and the partial file removed).
    pub cancelled: bool,
}

/// A customer in some connection (a selection across connections).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RowRef {
    /// The connection (profile id).
    pub profile_id: String,
    /// The customer.
    pub id: String,
}

/// How a bulk job ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BulkDone {
    /// Customers done.
    pub done: u32,
    /// Of which changed (a re-read that found news).
    pub changed: u32,
    /// Customers that could not be done (offline, refused), left as they were.
    pub failed: u32,
    /// Customers skipped: in another connection than the one in use.
    pub skipped: u32,
    /// Whether it was cancelled before the end.
    pub cancelled: bool,
}

/// Long jobs running, by the name the window gave them, so it can cancel them.
#[derive(Clone, Default)]
pub struct Jobs(Arc<Mutex<HashMap<String, Arc<AtomicBool>>>>);

/// A running job: asks whether it was cancelled; forgotten when dropped.
pub struct Job {
    jobs: Jobs,
    id: String,
    cancelled: Arc<AtomicBool>,
}

impl Jobs {
    /// Starts the job `id`.
    pub fn start(&self, id: &str) -> Job {
        let cancelled = Arc::new(AtomicBool::new(false));
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id.to_owned(), cancelled.clone());
        Job { jobs: self.clone(), id: id.to_owned(), cancelled }
    }

    /// Cancels the job `id`; `false` when no such job runs.
    pub fn cancel(&self, id: &str) -> bool {
        match self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(id) {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }
}

impl Job {
    /// Whether the job was cancelled.
    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.jobs.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&self.id);
    }
}

/// The columns of a customer export.
pub const CSV_COLUMNS: [&str; 15] = [
    "connection",
    "provider",
    "id",
    "name",
    "trading_name",
    "documents",
    "email",
    "phone",
    "external_id",
    "stage",
    "status",
    "kyc_done",
    "kyc_total",
    "created_at",
    "updated_at",
];

/// Progress is told every this many rows.
const PROGRESS_EVERY: u64 = 2_000;

/// Writes the customers `q` lists in each of `parts` (a connection, with the customers
/// of a tag there when filtered) to `path` as CSV: UTF-8 with a BOM (spreadsheets then
/// read accents right), RFC 4180 quoting, and every cell a spreadsheet would run as a
/// formula neutralized. Written to a `.part` file renamed at the end: a cancel or a
/// failure leaves nothing half-written behind.
pub async fn csv(
    parts: &[(Arc<Member>, Option<Vec<String>>)],
    q: &CustomerListQuery,
    path: &Path,
    job: &Job,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<ExportDone, CoreError> {
    let search = |only: &Option<Vec<String>>| crate::fleet::search_query(q, only, 0);
    let mut total = 0;
    for (m, only) in parts {
        total += m.store.count_matching(&search(only)).await?;
    }
    progress(0, total);
    let part = part_path(path);
    let io = |e: std::io::Error| CoreError::Io(format!("could not write {}: {e}", path.display()));
    // A new file only (two exports never share one), readable by this user only.
    let file = std::fs::File::options().write(true).create_new(true).open(&part).map_err(io)?;
    crate::durable::private_file(&part)?;
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    let written = async {
        out.write_all("\u{feff}".as_bytes())?;
        write_record(&mut out, CSV_COLUMNS.iter().copied())?;
        let mut rows = 0u64;
        for (m, only) in parts {
            let mut failed: Option<std::io::Error> = None;
            m.store
                .search_each(&search(only), |c| {
                    if job.cancelled() {
                        return false;
                    }
                    if let Err(e) = write_customer(&mut out, &m.source, &c) {
                        failed = Some(e);
                        return false;
                    }
                    rows += 1;
                    if rows.is_multiple_of(PROGRESS_EVERY) {
                        progress(rows, total);
                    }
                    true
                })
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            if let Some(e) = failed {
                return Err(e);
            }
            if job.cancelled() {
                break;
            }
        }
        out.flush()?;
        Ok(rows)
    }
    .await;
    let rows = match written {
        Ok(rows) if !job.cancelled() => rows,
        Ok(rows) => {
            drop(out);
            let _ = std::fs::remove_file(&part);
            return Ok(ExportDone { path: path.display().to_string(), rows, cancelled: true });
        }
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(&part);
            return Err(io(e));
        }
    };
    let finished = out
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .and_then(|()| std::fs::rename(&part, path));
    if let Err(e) = finished {
        let _ = std::fs::remove_file(&part);
        return Err(io(e));
    }
    progress(rows, total);
    Ok(ExportDone { path: path.display().to_string(), rows, cancelled: false })
}

fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

fn write_customer(out: &mut impl std::io::Write, source: &crate::fleet::Source, c: &Customer) -> std::io::Result<()> {
    let (done, total) = c.kyc_progress();
    let documents =
        c.identifiers.iter().map(|i| format!("{} {}", i.kind.as_str(), i.display())).collect::<Vec<_>>().join("; ");
    let (done, total) = (done.to_string(), total.to_string());
    let (created, updated) = (crate::views::rfc3339(c.created_at), crate::views::rfc3339(c.updated_at));
    write_record(
        out,
        [
            source.connection.as_str(),
            source.provider_name.as_str(),
            &c.id,
            &c.name,
            c.trading_name.as_deref().unwrap_or(""),
            &documents,
            &c.email,
            &c.phone,
            c.external_id.as_deref().unwrap_or(""),
            c.stage.as_str(),
            &c.status,
            &done,
            &total,
            &created,
            &updated,
        ],
    )
}

fn write_record<'a>(out: &mut impl std::io::Write, cells: impl IntoIterator<Item = &'a str>) -> std::io::Result<()> {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_cell(out, cell)?;
    }
    out.write_all(b"\r\n")
}

/// One cell: a value a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, shown as text (OWASP's advice
/// against CSV injection); quoted when it holds a comma, a semicolon (the separator a
/// Brazilian Excel splits on: `x;=cmd…` would otherwise start a cell of its own), a quote
/// or a line break.
pub fn write_cell(out: &mut impl std::io::Write, cell: &str) -> std::io::Result<()> {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = formula || cell.contains([',', ';', '"', '\n', '\r']);
    if quoted {
        out.write_all(b"\"")?;
    }
    if formula {
        out.write_all(b"'")?;
    }
    if cell.contains('"') {
        out.write_all(cell.replace('"', "\"\"").as_bytes())?;
    } else {
        out.write_all(cell.as_bytes())?;
    }
    if quoted {
        out.write_all(b"\"")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(s: &str) -> String {
        let mut v = Vec::new();
        write_cell(&mut v, s).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn formulas_are_neutralized_and_cells_quoted_as_rfc_4180_says() {
        assert_eq!(cell("Maria Silva"), "Maria Silva");
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("+5511999999999"), "\"'+5511999999999\"");
        assert_eq!(cell("-1"), "\"'-1\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("\tcmd"), "\"'\tcmd\"");
        assert_eq!(cell("Silva, Maria"), "\"Silva, Maria\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell("a=b"), "a=b", "only a leading sign is a formula");
        assert_eq!(cell("São João"), "São João");
        assert_eq!(cell("x;=cmd|' /C calc'!A0"), "\"x;=cmd|' /C calc'!A0\"", "one cell even split on ;");
    }

    #[test]
    fn a_cancelled_job_says_so_and_is_forgotten_when_done() {
        let jobs = Jobs::default();
        let job = jobs.start("export-1");
        assert!(!job.cancelled());
        assert!(jobs.cancel("export-1"));
        assert!(job.cancelled());
        drop(job);
        assert!(!jobs.cancel("export-1"), "gone once it ended");
    }
}
