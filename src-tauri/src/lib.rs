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
use kyc_core::profiles::{Keychain, Profile, ProfileKind, Profiles};
use kyc_core::sync::SyncProgress;
use kyc_core::views::{
    BiometricsView, CustomerDetail, CustomerListQuery, CustomerPage, NewProfile, OfferView, ProfileView, ProfilesView,
    WriteView,
};
use kyc_core::{Desk, ErrorView, ProfileInfo};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager, State};

/// The desk of the profile in use, and what keeps it running.
struct Active {
    desk: Desk,
    /// Keeps the built-in sandbox serving while its profile is in use.
    _sandbox: Option<kyc_sandbox::Sandbox>,
    /// The first sync, stopped on a switch.
    first_sync: tauri::async_runtime::JoinHandle<()>,
    /// The background schedule's own task, stopped on a switch (aborting a task that
    /// merely awaited it would leave it running against the old profile).
    background: tokio::task::JoinHandle<()>,
    /// The loopback webhook listener of the built-in sandbox, stopped on a switch.
    webhooks: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Active {
    fn drop(&mut self) {
        self.first_sync.abort();
        self.background.abort();
        if let Some(w) = &self.webhooks {
            w.abort();
        }
    }
}

/// What the commands share.
struct AppState {
    active: tokio::sync::RwLock<Active>,
    profiles: std::sync::Mutex<Profiles>,
}

impl AppState {
    /// The desk in use (a cheap handle: commands never hold the lock while they work).
    async fn desk(&self) -> Desk {
        self.active.read().await.desk.clone()
    }

    fn profiles(&self) -> std::sync::MutexGuard<'_, Profiles> {
        self.profiles.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A page of cached customers, searched and filtered (works offline).
#[tauri::command]
async fn list_customers(state: State<'_, AppState>, query: CustomerListQuery) -> Result<CustomerPage, ErrorView> {
    Ok(state.desk().await.list_customers(&query).await?)
}

/// The connection in use.
#[tauri::command]
async fn profile(state: State<'_, AppState>) -> Result<ProfileView, ErrorView> {
    Ok(state.desk().await.profile())
}

/// Syncs now (full the first time, incremental after); progress arrives as events.
#[tauri::command]
async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Result<SyncProgress, ErrorView> {
    run_sync(&app, &state.desk().await).await
}

/// One cached customer with its checklist, timeline and documents (works offline).
#[tauri::command]
async fn customer_detail(state: State<'_, AppState>, id: String) -> Result<CustomerDetail, ErrorView> {
    Ok(state.desk().await.customer_detail(&id).await?)
}

/// Re-reads one customer from the API; `true` if it changed. Offline, `false`.
#[tauri::command]
async fn refresh_customer(state: State<'_, AppState>, id: String) -> Result<bool, ErrorView> {
    Ok(state.desk().await.refresh_customer(&id).await?)
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

/// A phone as typed in a registration, read in its country (`11 99999-9999` in Brazil):
/// how it will be sent, formatted for reading, or `None` when it is not a number there.
#[tauri::command]
fn read_phone(phone: String) -> Option<String> {
    use kyc_core::model::{Belongs, PHONE_COUNTRY, Phone};
    Phone::parse_in(&phone, PHONE_COUNTRY, Belongs::Preferred).ok().map(|p| p.formatted())
}

/// Registers a customer: created, already existed, refused (409 among them) or queued.
#[tauri::command]
async fn register(state: State<'_, AppState>, registration: Registration) -> Result<WriteView, ErrorView> {
    Ok(state.desk().await.register(registration).await?.view(true))
}

/// Corrects a customer's data.
#[tauri::command]
async fn correct(state: State<'_, AppState>, id: String, correction: Correction) -> Result<WriteView, ErrorView> {
    Ok(state.desk().await.correct(&id, correction).await?.view(false))
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
    // Checked, then sealed straight into the outbox: never written out in the clear.
    let result = state.desk().await.upload_bytes(&customer, &item, &filename, bytes.clone()).await?;
    Ok(result.view(false))
}

/// The bytes of a document uploaded from this machine, for the viewer.
#[tauri::command]
async fn document_bytes(
    state: State<'_, AppState>,
    customer_id: String,
    document_id: String,
) -> Result<tauri::ipc::Response, ErrorView> {
    Ok(tauri::ipc::Response::new(state.desk().await.document_bytes(&customer_id, &document_id).await?))
}

/// The writes the API refused in the background, with why and what they were.
#[tauri::command]
async fn refused_writes(state: State<'_, AppState>) -> Result<Vec<kyc_core::outbox::RefusedWrite>, ErrorView> {
    Ok(state.desk().await.refused_writes().await?)
}

/// Takes a refused write out of the outbox.
#[tauri::command]
async fn dismiss_write(state: State<'_, AppState>, seq: u32) -> Result<(), ErrorView> {
    Ok(state.desk().await.dismiss_write(i64::from(seq)).await?)
}

/// A form's draft, kept in the profile's encrypted cache.
#[tauri::command]
async fn load_draft(state: State<'_, AppState>, kind: String) -> Result<Option<String>, ErrorView> {
    Ok(state.desk().await.draft(&kind).await?)
}

/// Keeps a form's draft in the profile's encrypted cache.
#[tauri::command]
async fn save_draft(state: State<'_, AppState>, kind: String, draft: String) -> Result<(), ErrorView> {
    Ok(state.desk().await.save_draft(&kind, &draft).await?)
}

/// Drops a form's draft.
#[tauri::command]
async fn clear_draft(state: State<'_, AppState>, kind: String) -> Result<(), ErrorView> {
    Ok(state.desk().await.clear_draft(&kind).await?)
}

/// Puts a refused write back in the queue and sends it again.
#[tauri::command]
async fn retry_write(state: State<'_, AppState>, seq: u32) -> Result<(), ErrorView> {
    state.desk().await.retry_write(i64::from(seq)).await?;
    Ok(())
}

/// Writes waiting and refused, for the toolbar at start (changes arrive as events).
#[tauri::command]
async fn outbox_summary(state: State<'_, AppState>) -> Result<kyc_core::events::OutboxSummary, ErrorView> {
    Ok(state.desk().await.outbox_summary().await?)
}

/// Says which customer the window shows (none: `null`); the core follows them while
/// something is pending and tells what changed, so the window never polls.
#[tauri::command]
async fn watch_customer(state: State<'_, AppState>, id: Option<String>) -> Result<(), ErrorView> {
    state.desk().await.watch(id.as_deref());
    Ok(())
}

/// Starts a biometric capture session.
#[tauri::command]
async fn start_biometrics(state: State<'_, AppState>, id: String) -> Result<BiometricsView, ErrorView> {
    Ok(state.desk().await.start_biometrics(&id).await?)
}

/// Opens a link in the system browser: `https`, or `http` on loopback (the built-in
/// sandbox). Never inside the app's window.
#[tauri::command]
fn open_external(app: AppHandle, url: String) -> Result<(), ErrorView> {
    if !kyc_core::profiles::is_https_or_loopback(&url) {
        return Err(ErrorView::new("invalid", "only https links (or the local sandbox) are opened"));
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| ErrorView::new("open_failed", format!("the system browser could not be opened: {e}")))
}

/// Shows a desktop notification (the UI words it in the user's language). Plain text:
/// on Linux, where notification servers read markup, `&`, `<` and `>` are escaped.
#[tauri::command]
fn notify_desktop(app: AppHandle, title: String, body: String) -> Result<(), ErrorView> {
    use tauri_plugin_notification::NotificationExt;
    let plain = |s: &str, max: usize| {
        let s: String = s.chars().take(max).collect();
        if cfg!(target_os = "linux") { s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;") } else { s }
    };
    app.notification()
        .builder()
        .title(plain(&title, 120))
        .body(plain(&body, 400))
        .show()
        .map_err(|e| ErrorView::new("notification_failed", format!("the desktop notification failed: {e}")))
}

/// A customer's credit offers (cached ones when offline).
#[tauri::command]
async fn credit_offers(state: State<'_, AppState>, id: String) -> Result<Vec<OfferView>, ErrorView> {
    Ok(state.desk().await.credit_offers(&id).await?.iter().map(OfferView::from).collect())
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
            CoreEvent::Notices { notices } => app.emit(ipc::NOTICES, notices),
            e @ CoreEvent::UploadProgress { .. } => app.emit(ipc::UPLOAD_PROGRESS, e),
            CoreEvent::CredentialsRefused { error } => app.emit(ipc::CREDENTIALS_REFUSED, error),
            e @ CoreEvent::Background { .. } => app.emit(ipc::BACKGROUND, e),
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

/// Opens the desk of `profile`: starts the built-in sandbox (delivering its webhooks to
/// a loopback listener) for its profile, reads the secret from the keychain for the
/// others, then syncs and keeps syncing in the background.
async fn open_profile(
    (auth, profile_dir, cache_key): Credentials,
    profile: &Profile,
    app: &AppHandle,
) -> Result<Active, ErrorView> {
    let startup = |what: &str, e: std::io::Error| ErrorView::new("startup", format!("could not start {what}: {e}"));
    let (sandbox, listener, base_url) = if profile.kind == ProfileKind::BuiltinSandbox {
        let listener = kyc_core::live::WebhookListener::bind().await.map_err(|e| startup("the webhook listener", e))?;
        let config = kyc_sandbox::SandboxConfig {
            webhooks: vec![kyc_sandbox::WebhookEndpoint {
                url: listener.url().to_owned(),
                secret: listener.secret().to_owned(),
            }],
            // Its admin calls need a token: `cargo xtask e2e` passes the tests' one.
            admin_token: Some(
                std::env::var(kyc_sandbox::ADMIN_TOKEN_ENV)
                    .ok()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(kyc_sandbox::random_admin_token),
            ),
            ..Default::default()
        };
        let sb = kyc_sandbox::Sandbox::start_local(config).await.map_err(|e| startup("the built-in sandbox", e))?;
        let url = sb.base_url();
        (Some(sb), Some(listener), url)
    } else {
        (None, None, profile.base_url.clone())
    };
    let info =
        ProfileInfo { name: profile.name.clone(), base_url, is_demo: sandbox.is_some(), webhooks: listener.is_some() };
    let events = Arc::new(TauriEvents(app.clone()));
    let desk = Desk::open_dinie(info, auth, &profile_dir, cache_key.as_ref(), events).await?;
    let webhooks = listener.map(|l| l.serve(desk.clone()).0);
    let (handle, first) = (app.clone(), desk.clone());
    let first_sync = tauri::async_runtime::spawn(async move {
        // Writes held for this profile (offline, or refused credentials now entered
        // again) go first, then the sync.
        let _ = first.replay_outbox().await;
        let _ = run_sync(&handle, &first).await;
    });
    // Outbox, customers in flight and changes, every 15 s (an incremental sync every minute).
    let background = desk.start_background(std::time::Duration::from_secs(15));
    tracing::info!(profile = %profile.id, "profile opened");
    Ok(Active { desk, _sandbox: sandbox, first_sync, background, webhooks })
}

/// What opening a profile needs from the profiles, read without holding their lock
/// across the opening.
fn credentials(profiles: &Profiles, profile: &Profile) -> Result<Credentials, ErrorView> {
    Ok((profiles.auth_for(profile)?, profiles.profile_dir(&profile.id), profiles.cache_key(profile)?))
}

/// A profile's API credentials, its folder and its cache's key, all from the keychain.
type Credentials = (kyc_core::dinie::Auth, PathBuf, Option<kyc_core::CacheKey>);

async fn start(data: PathBuf, app: AppHandle) -> Result<AppState, ErrorView> {
    let mut profiles = Profiles::load(&data, Arc::new(Keychain::default()))?;
    let wanted = profiles.active().clone();
    let opened = async { open_profile(credentials(&profiles, &wanted)?, &wanted, &app).await }.await;
    let active = match opened {
        Ok(a) => a,
        // A profile whose secret is gone from the keychain must not lock staff out: the
        // app opens on the built-in sandbox, and Settings can switch back once fixed.
        Err(e) if wanted.kind != ProfileKind::BuiltinSandbox => {
            tracing::warn!(profile = %wanted.id, code = %e.code, "could not open the last profile; using the built-in sandbox");
            profiles.set_active(kyc_core::profiles::BUILTIN_ID)?;
            let builtin = profiles.active().clone();
            open_profile(credentials(&profiles, &builtin)?, &builtin, &app).await?
        }
        Err(e) => return Err(e),
    };
    tracing::info!(data = %data.display(), "KYC Desk started");
    // Earlier versions staged uploads in the clear under incoming/; nothing does now.
    let _ = std::fs::remove_dir_all(data.join("incoming"));
    Ok(AppState { active: tokio::sync::RwLock::new(active), profiles: std::sync::Mutex::new(profiles) })
}

/// The connection profiles and which is in use.
#[tauri::command]
fn list_profiles(state: State<'_, AppState>) -> ProfilesView {
    let p = state.profiles();
    ProfilesView { profiles: p.list().to_vec(), active_id: p.active().id.clone(), missing_secrets: p.missing_secrets() }
}

/// Checks a profile as typed (nothing is stored): one authenticated call. Editing a
/// profile (`id` given) without retyping its secret tests with the stored one.
#[tauri::command]
async fn test_new_profile(
    state: State<'_, AppState>,
    profile: NewProfile,
    id: Option<String>,
) -> Result<(), ErrorView> {
    let url = profile.resolved_url();
    if url.is_empty() {
        let e = kyc_core::model::FieldError::new("baseUrl", "required", "the API address is required");
        return Err(ErrorView::from(kyc_core::CoreError::from(e)));
    }
    let auth = state.profiles().auth_to_test(id.as_deref(), &url, &profile.auth, &profile.secret)?;
    Ok(kyc_core::profiles::test_connection(&url, auth).await?)
}

/// Saves a profile; its secret goes to the OS keychain and nowhere else.
#[tauri::command]
fn add_profile(state: State<'_, AppState>, profile: NewProfile) -> Result<Profile, ErrorView> {
    let url = profile.resolved_url();
    Ok(state.profiles().add(&profile.name, profile.kind, &url, profile.auth, &profile.secret)?)
}

/// Changes a profile in place (a new secret goes to the keychain; none typed keeps the
/// stored one). The profile in use is opened again with what changed.
#[tauri::command]
async fn update_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    profile: NewProfile,
) -> Result<Profile, ErrorView> {
    let url = profile.resolved_url();
    let (updated, in_use) = {
        let mut p = state.profiles();
        let updated = p.update(&id, &profile.name, profile.kind, &url, profile.auth, &profile.secret)?;
        (updated, p.active().id == id)
    };
    if in_use {
        switch_profile(app, state, id).await?;
    }
    Ok(updated)
}

/// Switches to another profile: its own cache, its own outbox; a sync starts at once.
#[tauri::command]
async fn switch_profile(app: AppHandle, state: State<'_, AppState>, id: String) -> Result<ProfileView, ErrorView> {
    let (profile, credentials) = {
        let p = state.profiles();
        let profile = p
            .list()
            .iter()
            .find(|x| x.id == id)
            .cloned()
            .ok_or_else(|| ErrorView::new("profile_error", format!("no profile {id}")))?;
        let credentials = credentials(&p, &profile)?;
        (profile, credentials)
    };
    let opened = open_profile(credentials, &profile, &app).await?;
    let view = opened.desk.profile();
    // The old desk (and the built-in sandbox, if it was that) stops when dropped here.
    *state.active.write().await = opened;
    state.profiles().set_active(&id)?;
    let _ = app.emit(ipc::PROFILE_CHANGED, &view);
    Ok(view)
}

/// Removes a profile with its keychain entry and its cache (not the one in use).
#[tauri::command]
fn remove_profile(state: State<'_, AppState>, id: String) -> Result<(), ErrorView> {
    let mut p = state.profiles();
    if p.active().id == id {
        return Err(ErrorView::new("profile_error", "switch to another connection before removing this one"));
    }
    Ok(p.remove(&id)?)
}

/// Starts the app.
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let data = data_dir(app)?;
            // Caches, documents, drafts and logs below it: this user's only.
            kyc_core::durable::private_dir(&data)?;
            logs::init(&log_dir(app, &data));
            let state = tauri::async_runtime::block_on(start(data.clone(), app.handle().clone()))?;
            app.manage(state);
            // The window is made here rather than in tauri.conf.json so that its web
            // storage (the registration draft, language, theme) lives in the app's data
            // dir with everything else: a separate --data-dir is a separate desk.
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("index.html".into()))
                .title("KYC Desk")
                .inner_size(1200.0, 780.0)
                .min_inner_size(820.0, 520.0)
                .data_directory(data.join("webview"))
                // Files dropped on the window reach the page as HTML5 drop events (the
                // upload zones); the native handler would swallow them on Windows.
                .disable_drag_drop_handler()
                .build()?;
            Ok(())
        })
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![
            list_customers,
            profile,
            sync_now,
            customer_detail,
            refresh_customer,
            validate_registration,
            validate_correction,
            read_phone,
            register,
            correct,
            upload_document,
            refused_writes,
            dismiss_write,
            retry_write,
            load_draft,
            save_draft,
            clear_draft,
            outbox_summary,
            document_bytes,
            start_biometrics,
            watch_customer,
            open_external,
            notify_desktop,
            credit_offers,
            list_profiles,
            test_new_profile,
            add_profile,
            update_profile,
            switch_profile,
            remove_profile
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("KYC Desk could not start: {e}");
        std::process::exit(1);
    }
}
