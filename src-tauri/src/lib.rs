//! KYC Desk's desktop shell: the window, the commands and the events.
//!
//! The only crate that depends on Tauri. Commands here only parse their arguments,
//! call `kyc-core` and return its views or its [`ErrorView`]; core progress is
//! forwarded as Tauri events (names in [`ipc`]). At start it hosts the built-in demo:
//! a `kyc-sandbox` on a free loopback port, seeded with demo customers.

mod ipc;
mod logs;

use kyc_core::events::{CoreEvent, EventSink};
use kyc_core::profiles::{Keychain, ProfileKind, Profiles};
use kyc_core::sync::SyncProgress;
use kyc_core::views::{CustomerListQuery, CustomerPage, ProfileView};
use kyc_core::{Desk, ErrorView, ProfileInfo};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager, State};

/// What the commands share.
struct AppState {
    desk: Desk,
    /// Keeps the built-in sandbox serving for as long as the app runs.
    _sandbox: Option<kyc_sandbox::Sandbox>,
}

/// A page of cached customers, searched and filtered (works offline).
#[tauri::command]
async fn list_customers(state: State<'_, AppState>, query: CustomerListQuery) -> Result<CustomerPage, ErrorView> {
    Ok(state.desk.list_customers(&query).await?)
}

/// The connection in use.
#[tauri::command]
fn profile(state: State<'_, AppState>) -> ProfileView {
    state.desk.profile()
}

/// Syncs now (full the first time, incremental after); progress arrives as events.
#[tauri::command]
async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Result<SyncProgress, ErrorView> {
    run_sync(&app, &state.desk).await
}

async fn run_sync(app: &AppHandle, desk: &Desk) -> Result<SyncProgress, ErrorView> {
    let result = desk.sync().await.map_err(ErrorView::from);
    if let Err(e) = &result {
        tracing::warn!(code = %e.code, "sync failed");
        let _ = app.emit(ipc::SYNC_FAILED, e);
    }
    result
}

/// Forwards core events to the window as Tauri events.
struct TauriEvents(AppHandle);

impl EventSink for TauriEvents {
    fn emit(&self, event: CoreEvent) {
        let app = &self.0;
        let _ = match event {
            CoreEvent::SyncProgress(p) => app.emit(ipc::SYNC_PROGRESS, p),
            CoreEvent::CustomersChanged { ids } => app.emit(ipc::CUSTOMERS_CHANGED, ids),
            CoreEvent::OutboxChanged(s) => app.emit(ipc::OUTBOX_CHANGED, s),
            CoreEvent::Connectivity { online } => app.emit(ipc::CONNECTIVITY, online),
        };
    }
}

/// Where the app keeps its data: `--data-dir PATH`, else `KYC_DESK_DATA_DIR`, else the
/// OS's app data dir (see the README).
fn data_dir(app: &tauri::App) -> Result<PathBuf, ErrorView> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            if let Some(p) = args.next() {
                return Ok(PathBuf::from(p));
            }
        } else if let Some(p) = a.strip_prefix("--data-dir=") {
            return Ok(PathBuf::from(p));
        }
    }
    if let Some(p) = std::env::var_os("KYC_DESK_DATA_DIR").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    app.path().app_data_dir().map_err(|e| ErrorView::new("startup", format!("no data directory: {e}")))
}

/// Where logs go: `<data dir>/logs` when the data dir was given, else the OS's log dir
/// (see the README).
fn log_dir(app: &tauri::App, data: &std::path::Path) -> PathBuf {
    let custom =
        std::env::args().any(|a| a.starts_with("--data-dir")) || std::env::var_os("KYC_DESK_DATA_DIR").is_some();
    if custom { data.join("logs") } else { app.path().app_log_dir().unwrap_or_else(|_| data.join("logs")) }
}

async fn start(data: PathBuf, app: AppHandle) -> Result<AppState, ErrorView> {
    let profiles = Profiles::load(&data, Arc::new(Keychain::default()))?;
    let active = profiles.active().clone();
    let (sandbox, base_url) = if active.kind == ProfileKind::BuiltinSandbox {
        let sb = kyc_sandbox::Sandbox::start_local(kyc_sandbox::SandboxConfig::default())
            .await
            .map_err(|e| ErrorView::new("startup", format!("could not start the built-in sandbox: {e}")))?;
        let url = sb.base_url();
        (Some(sb), url)
    } else {
        (None, active.base_url.clone())
    };
    let info = ProfileInfo { name: active.name.clone(), base_url, is_demo: sandbox.is_some() };
    let auth = profiles.auth_for(&active)?;
    let desk = Desk::open_dinie(info, auth, &profiles.profile_dir(&active.id), Arc::new(TauriEvents(app))).await?;
    tracing::info!(data = %data.display(), profile = %active.id, "KYC Desk started");
    Ok(AppState { desk, _sandbox: sandbox })
}

/// Starts the app.
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let data = data_dir(app)?;
            logs::init(&log_dir(app, &data));
            let state = tauri::async_runtime::block_on(start(data, app.handle().clone()))?;
            let desk = state.desk.clone();
            app.manage(state);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let _ = run_sync(&handle, &desk).await;
                // Then keep the cache fresh: outbox, customers in flight, changes.
                let _background = desk.start_background(std::time::Duration::from_secs(15));
                std::future::pending::<()>().await;
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![list_customers, profile, sync_now])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("KYC Desk could not start: {e}");
        std::process::exit(1);
    }
}
