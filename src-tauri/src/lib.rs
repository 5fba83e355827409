//! KYC Desk's desktop shell: the window, the commands and the events.
//!
//! The only crate that depends on Tauri. Commands here only parse their arguments,
//! call `kyc-core` and return its views or its [`ErrorView`]; core progress is
//! forwarded as Tauri events (names in [`ipc`]). At start it hosts the built-in demo:
//! a `kyc-sandbox` on a free loopback port, seeded with demo customers.

mod across;
mod commands;
mod events;
mod ipc;
mod logs;
mod session;

use tauri::Manager;

/// Starts the app.
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let data = session::data_dir(app)?;
            // Caches, documents, drafts and logs below it: this user's only.
            kyc_core::durable::private_dir(&data)?;
            logs::init(&session::log_dir(app, &data));
            let state = tauri::async_runtime::block_on(session::start(data.clone(), app.handle().clone()))?;
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
        .invoke_handler(ipc::handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("KYC Desk could not start: {e}");
        std::process::exit(1);
    }
}
