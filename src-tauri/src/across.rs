//! Commands over a whole view, across connections: the caches a view reads, CSV
//! export, selecting every row of a view, bulk re-reads, and cancelling long work.

use crate::events;
use crate::session::AppState;
use kyc_core::ErrorView;
use kyc_core::export::{BulkDone, ExportDone, JobProgress, RowRef};
use kyc_core::fleet::Member;
use kyc_core::views::CustomerListQuery;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Manager as _, State};

/// The most rows "select all in view" takes.
const MAX_SELECTION: usize = 100_000;

/// The caches `query` reads: the connection in use, or every connection (of the
/// providers it keeps), each with the customers of its tag there when it has one.
pub(crate) async fn parts(
    state: &AppState,
    query: &CustomerListQuery,
) -> Result<Vec<(Arc<Member>, Option<Vec<String>>)>, ErrorView> {
    let active = state.profile_id().await;
    let members = state.fleet.members(&state.connections()).await;
    let mut parts = Vec::new();
    for m in members {
        let wanted = if query.everywhere {
            query.providers.is_empty() || query.providers.contains(&m.source.provider)
        } else {
            m.source.profile_id == active
        };
        if !wanted {
            continue;
        }
        let only = match query.tag {
            Some(tag) => Some(state.workbench.tagged(&m.source.profile_id, tag).await?),
            None => None,
        };
        parts.push((m, only));
    }
    if !query.everywhere && parts.is_empty() && std::path::Path::new(&active_cache(state)).exists() {
        // Said, not shown as an empty view: the list (which reads the desk) has rows.
        return Err(ErrorView::new(
            "keychain",
            "this connection's cache could not be read for the export: unlock the keychain and try again",
        ));
    }
    Ok(parts)
}

/// The cache file of the connection in use.
fn active_cache(state: &AppState) -> PathBuf {
    let p = state.profiles();
    p.profile_dir(&p.active().id).join("cache.sqlite")
}

/// Where exports go: `--export-dir PATH`, else `KYC_DESK_EXPORT_DIR`, else the user's
/// Downloads folder, else `exports` in the app's data folder.
fn export_dir(app: &AppHandle, state: &AppState) -> Result<PathBuf, ErrorView> {
    let dir = crate::session::path_arg("--export-dir")
        .or_else(|| std::env::var_os("KYC_DESK_EXPORT_DIR").filter(|p| !p.is_empty()).map(PathBuf::from))
        .or_else(|| app.path().download_dir().ok())
        .unwrap_or_else(|| state.data.join("exports"));
    std::fs::create_dir_all(&dir)
        .map_err(|e| ErrorView::new("io_error", format!("could not create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// A file name for an export made now (UTC, to the millisecond):
/// `customers-20261125-101500-123.csv`.
fn stamped(prefix: &str, ext: &str) -> String {
    let now = time::OffsetDateTime::now_utc();
    let f = time::macros::format_description!("[year][month][day]-[hour][minute][second]-[subsecond digits:3]");
    format!("{prefix}-{}.{ext}", now.format(&f).unwrap_or_default())
}

/// Exports the view `query` shows (only the `rows` picked, when given) as CSV into the
/// exports folder; progress arrives as `job-progress` events named `job`, which
/// `cancel_job` stops.
pub async fn export_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    query: CustomerListQuery,
    rows: Option<Vec<RowRef>>,
) -> Result<ExportDone, ErrorView> {
    let mut parts = parts(&state, &query).await?;
    if let Some(rows) = rows {
        // Each connection keeps only its picked rows (within its tag's, if filtered).
        parts = parts
            .into_iter()
            .filter_map(|(m, only)| {
                let picked: Vec<String> = rows
                    .iter()
                    .filter(|r| r.profile_id == m.source.profile_id)
                    .filter(|r| only.as_ref().is_none_or(|o| o.contains(&r.id)))
                    .map(|r| r.id.clone())
                    .collect();
                (!picked.is_empty()).then_some((m, Some(picked)))
            })
            .collect();
    }
    let path = export_dir(&app, &state)?.join(stamped("customers", "csv"));
    let running = state.jobs.start(&job);
    let progress = |done, total| events::JOB_PROGRESS.emit(&app, &JobProgress { job: job.clone(), done, total });
    let done = kyc_core::export::csv(&parts, &query, &path, &running, &progress).await;
    let outcome = match &done {
        Ok(d) if d.cancelled => "cancelled".to_owned(),
        Ok(d) => format!("{} rows", d.rows),
        Err(_) => "failed".to_owned(),
    };
    state.workbench.record(&state.profile_id().await, None, "export_csv", &outcome).await;
    Ok(done?)
}

/// Stops the long job `job` (an export, a bulk re-read); `false` when none runs.
pub async fn cancel_job(_app: AppHandle, state: State<'_, AppState>, job: String) -> Result<bool, ErrorView> {
    Ok(state.jobs.cancel(&job))
}

/// Every customer the view `query` lists (up to 100,000): "select all in view".
pub async fn view_ids(
    _app: AppHandle,
    state: State<'_, AppState>,
    query: CustomerListQuery,
) -> Result<Vec<RowRef>, ErrorView> {
    let parts = parts(&state, &query).await?;
    Ok(kyc_core::fleet::ids(&parts, &query, MAX_SELECTION).await?)
}

/// Re-reads the selected customers from the API, one after the other, with progress
/// (`job-progress` events named `job`) and cancel. Only the connection in use is
/// read; rows of other connections are counted as skipped.
pub async fn refresh_customers(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    rows: Vec<RowRef>,
) -> Result<BulkDone, ErrorView> {
    let active = state.profile_id().await;
    let desk = state.desk().await;
    let running = state.jobs.start(&job);
    let (mine, others): (Vec<RowRef>, Vec<RowRef>) = rows.into_iter().partition(|r| r.profile_id == active);
    let mut done = BulkDone { skipped: u32::try_from(others.len()).unwrap_or(u32::MAX), ..BulkDone::default() };
    let total = mine.len() as u64;
    events::JOB_PROGRESS.emit(&app, &JobProgress { job: job.clone(), done: 0, total });
    for (i, r) in mine.iter().enumerate() {
        if running.cancelled() {
            done.cancelled = true;
            break;
        }
        match desk.refresh_customer(&r.id).await {
            Ok(changed) => {
                done.done += 1;
                done.changed += u32::from(changed);
            }
            Err(e) => {
                tracing::warn!(error = %e, "a bulk re-read failed");
                done.failed += 1;
            }
        }
        events::JOB_PROGRESS.emit(&app, &JobProgress { job: job.clone(), done: i as u64 + 1, total });
    }
    let outcome = format!("{} of {} read, {} failed", done.done, total, done.failed);
    state.workbench.record(&active, None, "bulk_refresh", &outcome).await;
    Ok(done)
}

/// Shows an export in the file manager (only files in the exports folder).
pub async fn reveal_export(app: AppHandle, state: State<'_, AppState>, path: String) -> Result<(), ErrorView> {
    let dir = export_dir(&app, &state)?;
    let path = PathBuf::from(path);
    let inside = path.parent().and_then(|p| p.canonicalize().ok()) == dir.canonicalize().ok();
    if !inside || !path.is_file() {
        return Err(ErrorView::new("invalid", "only an export can be shown"));
    }
    tauri_plugin_opener::reveal_item_in_dir(&path)
        .map_err(|e| ErrorView::new("io_error", format!("could not show the file: {e}")))
}

/// Writes the case report of the customer `id` (PDF, in `lang`) into the exports folder.
pub async fn case_report(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    lang: String,
) -> Result<ExportDone, ErrorView> {
    let profile = state.profile_id().await;
    let desk = state.desk().await;
    let ctx = kyc_core::report::ReportContext {
        lang,
        connection: desk.profile().name,
        generated_at: time::OffsetDateTime::now_utc(),
        journal_head: state.workbench.journal_head(),
        notes: state.workbench.notes(&profile, &id).await?,
    };
    let pdf = desk.case_report(&id, &ctx).await?;
    // The id is the provider's: keep only what is safe in a file name.
    let safe: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).take(64).collect();
    let path = export_dir(&app, &state)?.join(stamped(&format!("case-{safe}"), "pdf"));
    let part = path.with_extension("pdf.part");
    let written = std::fs::write(&part, &pdf)
        .and_then(|()| kyc_core::durable::private_file(&part).map_err(|e| std::io::Error::other(e.to_string())))
        .and_then(|()| std::fs::rename(&part, &path));
    let outcome = if written.is_ok() { "done" } else { "failed" };
    state.workbench.record(&profile, Some(&id), "case_report", outcome).await;
    written.map_err(|e| {
        let _ = std::fs::remove_file(&part);
        ErrorView::new("io_error", format!("could not write {}: {e}", path.display()))
    })?;
    Ok(ExportDone { path: path.display().to_string(), rows: 1, cancelled: false })
}

/// Copies the journal (JSON Lines) into the exports folder.
pub async fn journal_export(app: AppHandle, state: State<'_, AppState>) -> Result<ExportDone, ErrorView> {
    let path = export_dir(&app, &state)?.join(stamped("journal", "jsonl"));
    let rows = state.workbench.export_journal(&path).await?;
    state.workbench.record(&state.profile_id().await, None, "export_journal", "done").await;
    Ok(ExportDone { path: path.display().to_string(), rows, cancelled: false })
}
