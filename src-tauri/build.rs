//! Tauri's build step, with an app manifest: each of the app's commands gets an
//! `allow-…` permission, and `capabilities/default.json` grants the main window
//! exactly these (a command left out of either is refused at run time). Keep this list
//! the same as `generate_handler!` in `src/lib.rs`; `cargo xtask test` checks that the
//! three agree.

/// Every command the UI may call.
const COMMANDS: &[&str] = &[
    "list_customers",
    "profile",
    "sync_now",
    "customer_detail",
    "refresh_customer",
    "provider_spec",
    "validate_form",
    "read_phone",
    "register",
    "correct",
    "upload_document",
    "refused_writes",
    "dismiss_write",
    "retry_write",
    "load_draft",
    "save_draft",
    "clear_draft",
    "outbox_summary",
    "document_bytes",
    "start_biometrics",
    "watch_customer",
    "open_external",
    "notify_desktop",
    "products",
    "list_profiles",
    "test_new_profile",
    "add_profile",
    "update_profile",
    "switch_profile",
    "remove_profile",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
