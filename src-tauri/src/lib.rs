//! KYC Desk's desktop shell: the window, the commands and the events.
//!
//! The only crate that depends on Tauri. Commands here only parse their arguments,
//! call `kyc-core` and return its views or its [`ErrorView`]; core progress is
//! forwarded as Tauri events (names in [`ipc`]). At start it hosts the built-in demo:
//! a `kyc-sandbox` on a free loopback port, seeded with demo customers.

mod ipc;
mod logs;

use kyc_core::events::{CoreEvent, EventSink};
use kyc_core::model::{Correction, FieldError, Registration};
use kyc_core::profiles::{Keychain, ProfileKind, Profiles};
use kyc_core::sync::SyncProgress;
use kyc_core::views::{
    BiometricsView, CustomerDetail, CustomerListQuery, CustomerPage, OfferView, ProfileView, WriteView,
};
use kyc_core::{Desk, ErrorView, ProfileInfo};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager, State};

/// What the commands share.
struct AppState {
    desk: Desk,
    /// Where uploads are staged before the core copies them into the outbox.
    incoming: PathBuf,
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

/// One cached customer with its checklist, timeline and documents (works offline).
#[tauri::command]
async fn customer_detail(state: State<'_, AppState>, id: String) -> Result<CustomerDetail, ErrorView> {
    Ok(state.desk.customer_detail(&id).await?)
}

/// Re-reads one customer from the API; `true` if it changed. Offline, `false`.
#[tauri::command]
async fn refresh_customer(state: State<'_, AppState>, id: String) -> Result<bool, ErrorView> {
    Ok(state.desk.refresh_customer(&id).await?)
}

/// What is wrong with a registration, field by field (live validation; empty if valid).
#[tauri::command]
fn validate_registration(registration: Registration) -> Vec<FieldError> {
    registration.validate()
}

/// What is wrong with a correction, field by field.
#[tauri::command]
fn validate_correction(correction: Correction) -> Vec<FieldError> {
    correction.validate()
}

/// Registers a customer: created, already existed, refused (409 among them) or queued.
#[tauri::command]
async fn register(state: State<'_, AppState>, registration: Registration) -> Result<WriteView, ErrorView> {
    Ok(state.desk.register(registration).await?.view(true))
}

/// Corrects a customer's data.
#[tauri::command]
async fn correct(state: State<'_, AppState>, id: String, correction: Correction) -> Result<WriteView, ErrorView> {
    Ok(state.desk.correct(&id, correction).await?.view(false))
}

/// Uploads a document. The body is the file's bytes; the headers `x-customer-id`,
/// `x-item-type` and `x-filename` (percent-encoded) say what it is. Progress arrives
/// as `upload-progress` events.
#[tauri::command]
async fn upload_document(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<WriteView, ErrorView> {
    let header = |name: &str| -> Result<String, ErrorView> {
        let v = request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ErrorView::new("invalid", format!("{name} is missing")))?;
        Ok(percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned())
    };
    let (customer, item, filename) = (header("x-customer-id")?, header("x-item-type")?, header("x-filename")?);
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ErrorView::new("invalid", "the file's bytes are missing"));
    };
    let staged = stage(&state.incoming, &filename, bytes).await?;
    let result = state.desk.upload(&customer, &item, &staged).await;
    // The core copied the file into its outbox; the staged copy is no longer needed.
    if let Some(dir) = staged.parent() {
        let _ = tokio::fs::remove_dir_all(dir).await;
    }
    Ok(result?.view(false))
}

/// Writes an upload's bytes to `incoming/<unique>/<file name>`, keeping only the name's
/// last component so a crafted name cannot write elsewhere.
async fn stage(incoming: &Path, filename: &str, bytes: &[u8]) -> Result<PathBuf, ErrorView> {
    let name = Path::new(filename)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "document".into());
    let unique = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
    );
    let dir = incoming.join(unique);
    let io = |e: std::io::Error| ErrorView::new("file_error", format!("cannot stage the upload: {e}"));
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    let path = dir.join(name);
    tokio::fs::write(&path, bytes).await.map_err(io)?;
    Ok(path)
}

/// The bytes of a document uploaded from this machine, for the viewer.
#[tauri::command]
async fn document_bytes(
    state: State<'_, AppState>,
    customer_id: String,
    document_id: String,
) -> Result<tauri::ipc::Response, ErrorView> {
    Ok(tauri::ipc::Response::new(state.desk.document_bytes(&customer_id, &document_id).await?))
}

/// Starts a biometric capture session.
#[tauri::command]
async fn start_biometrics(state: State<'_, AppState>, id: String) -> Result<BiometricsView, ErrorView> {
    Ok(state.desk.start_biometrics(&id).await?)
}

/// Opens a link in the system browser: `https`, or `http` on loopback (the built-in
/// sandbox). Never inside the app's window.
#[tauri::command]
fn open_external(app: AppHandle, url: String) -> Result<(), ErrorView> {
    if !external_url_allowed(&url) {
        return Err(ErrorView::new("invalid", "only https links (or the local sandbox) are opened"));
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| ErrorView::new("open_failed", format!("the system browser could not be opened: {e}")))
}

fn external_url_allowed(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    }
}

/// A customer's credit offers (cached ones when offline).
#[tauri::command]
async fn credit_offers(state: State<'_, AppState>, id: String) -> Result<Vec<OfferView>, ErrorView> {
    Ok(state.desk.credit_offers(&id).await?.iter().map(OfferView::from).collect())
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
            e @ CoreEvent::UploadProgress { .. } => app.emit(ipc::UPLOAD_PROGRESS, e),
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
    // Uploads staged by a run that crashed were either copied into the outbox or never
    // accepted; either way the staged copies are not needed.
    let _ = std::fs::remove_dir_all(data.join("incoming"));
    Ok(AppState { desk, incoming: data.join("incoming"), _sandbox: sandbox })
}

/// Starts the app.
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let data = data_dir(app)?;
            logs::init(&log_dir(app, &data));
            let state = tauri::async_runtime::block_on(start(data.clone(), app.handle().clone()))?;
            let desk = state.desk.clone();
            app.manage(state);
            // The window is made here rather than in tauri.conf.json so that its web
            // storage (the registration draft, language, theme) lives in the app's data
            // dir with everything else: a separate --data-dir is a separate desk.
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("index.html".into()))
                .title("KYC Desk")
                .inner_size(1200.0, 780.0)
                .min_inner_size(820.0, 520.0)
                .data_directory(data.join("webview"))
                .build()?;
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let _ = run_sync(&handle, &desk).await;
                // Then keep the cache fresh: outbox, customers in flight, changes.
                let _background = desk.start_background(std::time::Duration::from_secs(15));
                std::future::pending::<()>().await;
            });
            Ok(())
        })
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(tauri::generate_handler![
            list_customers,
            profile,
            sync_now,
            customer_detail,
            refresh_customer,
            validate_registration,
            validate_correction,
            register,
            correct,
            upload_document,
            document_bytes,
            start_biometrics,
            open_external,
            credit_offers
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("KYC Desk could not start: {e}");
        std::process::exit(1);
    }
}
