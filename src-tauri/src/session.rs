//! The profile in use and its lifecycle: opening a profile's desk (with the built-in
//! sandbox and its webhook listener for the demo), the first sync and the background
//! schedule, core events forwarded to the window, where data and logs live, and start-up.

use crate::events;
use kyc_core::events::{CoreEvent, EventSink};
use kyc_core::profiles::{Keychain, Profile, ProfileKind, Profiles};
use kyc_core::sync::SyncProgress;
use kyc_core::workbench::Workbench;
use kyc_core::{Desk, ErrorView, ProfileInfo};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Manager};

/// The desk of the profile in use, and what keeps it running.
pub(crate) struct Active {
    pub(crate) desk: Desk,
    /// The profile it belongs to (what notes, tags and the journal are keyed by).
    pub(crate) profile_id: String,
    /// Keeps the built-in sandbox serving while its profile is in use.
    _sandbox: Option<kyc_sandbox::Sandbox>,
    /// The first sync, stopped on a switch.
    first_sync: tauri::async_runtime::JoinHandle<()>,
    /// Starts the first sync: sent once the window knows this profile is in use, so
    /// what the sync reports (a refused token) is not cleared by the switch itself.
    begin: Option<tokio::sync::oneshot::Sender<()>>,
    /// The background schedule's own task, stopped on a switch (aborting a task that
    /// merely awaited it would leave it running against the old profile).
    background: tokio::task::JoinHandle<()>,
    /// The loopback webhook listener of the built-in sandbox, stopped on a switch.
    webhooks: Option<tokio::task::JoinHandle<()>>,
}

impl Active {
    /// Lets the first sync start (the window has been told of this profile).
    pub(crate) fn begin(&mut self) {
        if let Some(go) = self.begin.take() {
            let _ = go.send(());
        }
    }
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
pub(crate) struct AppState {
    pub(crate) active: tokio::sync::RwLock<Active>,
    pub(crate) profiles: std::sync::Mutex<Profiles>,
    /// Notes, tags, saved views and the journal, across every profile.
    pub(crate) workbench: Workbench,
    /// Every connection's cache, read at once (the queue, the list across connections).
    pub(crate) fleet: kyc_core::fleet::Fleet,
    /// The connections with a cache, as last read from the profiles and the keychain
    /// (read again when a profile is added, changed, removed or switched to).
    pub(crate) connections: std::sync::Mutex<Option<Vec<kyc_core::fleet::Connection>>>,
    /// Exports and bulk work running, to cancel.
    pub(crate) jobs: kyc_core::export::Jobs,
    /// The app's data folder.
    pub(crate) data: PathBuf,
}

impl AppState {
    /// The connections with a cache (the keychain is asked once, not per page; again
    /// next time when it would not give every key).
    pub(crate) fn connections(&self) -> Vec<kyc_core::fleet::Connection> {
        let mut cached = self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = cached.as_ref() {
            return c.clone();
        }
        let (found, complete) = self.profiles().connections();
        if complete {
            *cached = Some(found.clone());
        }
        found
    }

    /// Forgets the connections read (profiles changed).
    pub(crate) fn connections_changed(&self) {
        *self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// The desk in use (a cheap handle: commands never hold the lock while they work).
    pub(crate) async fn desk(&self) -> Desk {
        self.active.read().await.desk.clone()
    }

    /// The id of the profile in use.
    pub(crate) async fn profile_id(&self) -> String {
        self.active.read().await.profile_id.clone()
    }

    pub(crate) fn profiles(&self) -> std::sync::MutexGuard<'_, Profiles> {
        self.profiles.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) async fn run_sync(app: &AppHandle, desk: &Desk) -> Result<SyncProgress, ErrorView> {
    let result = desk.sync().await.map_err(ErrorView::from);
    if let Err(e) = &result {
        tracing::warn!(code = %e.code, "sync failed");
        events::SYNC_FAILED.emit(app, e);
    }
    result
}

/// Forwards core events to the window as Tauri events.
pub(crate) struct TauriEvents(AppHandle);

impl EventSink for TauriEvents {
    fn emit(&self, event: CoreEvent) {
        let app = &self.0;
        match event {
            CoreEvent::SyncProgress(p) => events::SYNC_PROGRESS.emit(app, &p),
            CoreEvent::CustomersUpdated { customers } => events::CUSTOMERS_CHANGED.emit(app, &customers),
            CoreEvent::CustomerDetail { detail } => events::CUSTOMER_DETAIL.emit(app, &detail),
            // Said inside the core only: the desk turns it into the two above.
            CoreEvent::CustomersChanged { .. } => {}
            CoreEvent::OutboxChanged(s) => events::OUTBOX_CHANGED.emit(app, &s),
            CoreEvent::Connectivity { online } => events::CONNECTIVITY.emit(app, &online),
            CoreEvent::Notices { notices } => events::NOTICES.emit(app, &notices),
            e @ CoreEvent::UploadProgress { .. } => events::UPLOAD_PROGRESS.emit(app, &e),
            CoreEvent::CredentialsRefused { error } => events::CREDENTIALS_REFUSED.emit(app, &error),
            e @ CoreEvent::Background { .. } => events::BACKGROUND.emit(app, &e),
        }
    }
}

/// Where the app keeps its data: `--data-dir PATH`, else `KYC_DESK_DATA_DIR`, else the
/// OS's app data dir (see the README).
pub(crate) fn data_dir(app: &tauri::App) -> Result<PathBuf, ErrorView> {
    if let Some(p) = path_arg("--data-dir") {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os("KYC_DESK_DATA_DIR").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    app.path().app_data_dir().map_err(|e| ErrorView::new("startup", format!("no data directory: {e}")))
}

/// The path given on the command line as `NAME PATH` or `NAME=PATH`.
pub(crate) fn path_arg(name: &str) -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == name {
            return args.next().map(PathBuf::from);
        } else if let Some(p) = a.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')) {
            return Some(PathBuf::from(p));
        }
    }
    None
}

/// Where logs go: `<data dir>/logs` when the data dir was given, else the OS's log dir
/// (see the README).
pub(crate) fn log_dir(app: &tauri::App, data: &std::path::Path) -> PathBuf {
    let custom =
        std::env::args().any(|a| a.starts_with("--data-dir")) || std::env::var_os("KYC_DESK_DATA_DIR").is_some();
    if custom { data.join("logs") } else { app.path().app_log_dir().unwrap_or_else(|_| data.join("logs")) }
}

/// Opens the desk of `profile`: starts the built-in sandbox (delivering its webhooks to
/// a loopback listener) for its profile, reads the secret from the keychain for the
/// others, then syncs and keeps syncing in the background.
pub(crate) async fn open_profile(
    (credentials, profile_dir, cache_key): Credentials,
    profile: &Profile,
    app: &AppHandle,
) -> Result<Active, ErrorView> {
    let startup = |what: &str, e: std::io::Error| ErrorView::new("startup", format!("could not start {what}: {e}"));
    let built_in = kyc_core::connectors::info(&profile.provider).is_some_and(|c| c.builtin_sandbox);
    if profile.kind == ProfileKind::BuiltinSandbox && !built_in {
        return Err(ErrorView::new("profile_error", format!("{} has no sandbox built into the app", profile.provider)));
    }
    let (sandbox, listener, base_url) = if profile.kind == ProfileKind::BuiltinSandbox {
        let listener = kyc_core::live::WebhookListener::bind().await.map_err(|e| startup("the webhook listener", e))?;
        let flavour = kyc_sandbox::SandboxConfig::for_provider(&profile.provider).ok_or_else(|| {
            ErrorView::new("profile_error", format!("{} has no sandbox built into the app", profile.provider))
        })?;
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
            ..flavour
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
    let desk = Desk::connect(&profile.provider, info, &credentials, &profile_dir, cache_key.as_ref(), events).await?;
    let webhooks = listener.map(|l| l.serve(desk.clone()).0);
    let (handle, first) = (app.clone(), desk.clone());
    let (begin, go) = tokio::sync::oneshot::channel::<()>();
    let first_sync = tauri::async_runtime::spawn(async move {
        // Dropped unsent (the profile was closed before it began): nothing to sync.
        if go.await.is_err() {
            return;
        }
        // Writes held for this profile (offline, or refused credentials now entered
        // again) go first, then the sync.
        let _ = first.replay_outbox().await;
        let _ = run_sync(&handle, &first).await;
    });
    // Outbox, customers in flight and changes, every 15 s (an incremental sync every minute).
    let background = desk.start_background(std::time::Duration::from_secs(15));
    tracing::info!(profile = %profile.id, "profile opened");
    Ok(Active {
        desk,
        profile_id: profile.id.clone(),
        _sandbox: sandbox,
        first_sync,
        begin: Some(begin),
        background,
        webhooks,
    })
}

/// What opening a profile needs from the profiles, read without holding their lock
/// across the opening.
pub(crate) fn credentials(profiles: &Profiles, profile: &Profile) -> Result<Credentials, ErrorView> {
    Ok((profiles.credentials_for(profile)?, profiles.profile_dir(&profile.id), profiles.cache_key(profile)?))
}

/// A profile's API credentials, its folder and its cache's key, all from the keychain.
pub(crate) type Credentials = (kyc_core::connectors::Credentials, PathBuf, Option<kyc_core::CacheKey>);

pub(crate) async fn start(data: PathBuf, app: AppHandle) -> Result<AppState, ErrorView> {
    let mut profiles = Profiles::load(&data, Arc::new(Keychain::default()))?;
    let wanted = profiles.active().clone();
    let opened = async { open_profile(credentials(&profiles, &wanted)?, &wanted, &app).await }.await;
    let mut active = match opened {
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
    let workbench = Workbench::open(&data, profiles.workspace_key().as_ref(), kyc_core::author()).await?;
    active.desk.set_recorder(workbench.recorder(&active.profile_id));
    active.desk.set_author(workbench.author_source());
    // At start the window reads everything once it loads: the first sync can begin.
    active.begin();
    tracing::info!(data = %data.display(), "KYC Desk started");
    // Earlier versions staged uploads in the clear under incoming/; nothing does now.
    let _ = std::fs::remove_dir_all(data.join("incoming"));
    Ok(AppState {
        active: tokio::sync::RwLock::new(active),
        profiles: std::sync::Mutex::new(profiles),
        workbench,
        fleet: kyc_core::fleet::Fleet::default(),
        connections: std::sync::Mutex::default(),
        jobs: kyc_core::export::Jobs::default(),
        data,
    })
}
