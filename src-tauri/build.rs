//! Tauri's build step, with an app manifest: each of the app's commands gets an
//! `allow-…` permission, and `capabilities/default.json` grants the main window
//! exactly these (a command left out of either is refused at run time). The names come
//! from the one declaration of the IPC surface, `src/surface.rs`; `cargo xtask test`
//! checks that the capability grants the same ones.

include!("src/surface.rs");

/// The command names of the surface (the types are only read by `ipc.rs`).
macro_rules! command_names {
    (
        commands { $( $(#[doc = $doc:literal])* $name:ident ( $($args:tt)* ) -> $ret:ty $(as $tsret:literal)? ; )* }
        events { $($events:tt)* }
    ) => {
        &[$( stringify!($name) ),*]
    };
}

/// Every command the UI may call.
const COMMANDS: &[&str] = with_ipc_surface!(command_names);

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
