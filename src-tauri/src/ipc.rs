//! The IPC surface (declared in `surface.rs`) made real: a Tauri handler per command
//! that calls `commands.rs`, and the TypeScript the UI imports (the typed events are
//! in `events.rs`)
//! (`ui/src/bindings/ipc.ts`, written by `cargo xtask bindings`; `cargo xtask test` fails
//! when it is stale).

use crate::session::AppState;
use kyc_core::ErrorView;
use kyc_core::events::OutboxSummary;
use kyc_core::export::{BulkDone, ExportDone, RowRef};
use kyc_core::model::{FieldError, FormValues, ProviderSpec};
use kyc_core::outbox::RefusedWrite;
use kyc_core::profiles::{NewProfile, Profile, ProfilesView};
use kyc_core::queue::{QueueFilter, QueuePage};
use kyc_core::sync::SyncProgress;
use kyc_core::views::{
    AttachedFileView, BiometricsView, CreatedView, CustomerDetail, CustomerListQuery, CustomerPage, FormLayout,
    IdentityCheckView, ProductDetailView, ProductView, ProfileView, WriteView,
};
use kyc_core::workbench::{JournalCheck, NoteView, SavedViewView, TagView};
use tauri::{AppHandle, State};
// The events' payloads, read only to write their TypeScript.
#[cfg(test)]
use kyc_core::{export::JobProgress, notices::Notice, views::CustomerRow};

include!("surface.rs");

/// The TypeScript name of a Rust type, or the one given with `as`.
#[cfg(test)]
macro_rules! ts_name {
    ($cfg:ident; $t:ty as $l:literal) => {
        $l.to_owned()
    };
    ($cfg:ident; $t:ty) => {
        <$t as ts_rs::TS>::name(&$cfg)
    };
}

/// One declared command or event, for the TypeScript.
#[cfg(test)]
struct Declared {
    name: &'static str,
    doc: Vec<&'static str>,
    args: Vec<(&'static str, String)>,
    ty: String,
}

macro_rules! make_ipc {
    (
        commands {
            $( $(#[doc = $doc:literal])* $name:ident ( $( $arg:ident : $ty:ty $(as $tsarg:literal)? ),* ) -> $ret:ty $(as $tsret:literal)? ; )*
        }
        events {
            $( $(#[doc = $edoc:literal])* $ev:ident = $evname:literal : $evty:ty $(as $evts:literal)? ; )*
        }
    ) => {
        /// The Tauri side of each command: its arguments from the window, the app
        /// handle and state for `commands.rs`.
        pub mod handlers {
            use super::*;
            $(
                $(#[doc = $doc])*
                #[tauri::command]
                pub async fn $name(
                    app: AppHandle,
                    state: State<'_, AppState>,
                    $( $arg: $ty ),*
                ) -> Result<$ret, ErrorView> {
                    crate::commands::$name(app, state, $( $arg ),*).await
                }
            )*
        }

        /// Every command's name, as the app manifest and the capability grant them.
        #[cfg_attr(not(test), allow(dead_code))]
        pub const COMMANDS: &[&str] = &[$( stringify!($name) ),*];

        /// The invoke handler with every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$( handlers::$name ),*]
        }

        #[cfg(test)]
        fn declared() -> (Vec<Declared>, Vec<Declared>) {
            let cfg = ts_rs::Config::from_env();
            let commands = vec![$(
                Declared {
                    name: stringify!($name),
                    doc: vec![$( $doc ),*],
                    args: vec![$( (stringify!($arg), ts_name!(cfg; $ty $(as $tsarg)?)) ),*],
                    ty: ts_name!(cfg; $ret $(as $tsret)?),
                }
            ),*];
            let events = vec![$(
                Declared { name: $evname, doc: vec![$( $edoc ),*], args: Vec::new(), ty: ts_name!(cfg; $evty $(as $evts)?) }
            ),*];
            (commands, events)
        }
    };
}

with_ipc_surface!(make_ipc);

#[cfg(test)]
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
fn jsdoc(doc: &[&str], indent: &str) -> String {
    if doc.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = doc.iter().map(|l| format!("{indent} *{}", l.trim_end())).collect();
    format!("{indent}/**\n{}\n{indent} */\n", lines.join("\n"))
}

/// The TypeScript the UI imports: `commands` (one typed function per command),
/// `EventPayloads`, `events` (their names) and `on`. Written by the `export_bindings_ipc`
/// test.
#[cfg(test)]
pub fn typescript() -> String {
    const BUILTIN: &[&str] = &["Array", "Record", "Extract", "ArrayBuffer", "Uint8Array", "RawBody", "Partial"];
    let (commands, events) = declared();
    let mut types = std::collections::BTreeSet::new();
    for t in
        commands.iter().flat_map(|c| c.args.iter().map(|(_, t)| t).chain([&c.ty])).chain(events.iter().map(|e| &e.ty))
    {
        for word in t.split(|c: char| !c.is_ascii_alphanumeric()) {
            if word.starts_with(|c: char| c.is_ascii_uppercase()) && !BUILTIN.contains(&word) {
                types.insert(word.to_owned());
            }
        }
    }
    let mut ts = String::from(
        "// Generated from src-tauri/src/surface.rs by `cargo xtask bindings`: never edit by hand.\n\
         import { invoke } from \"@tauri-apps/api/core\";\n\
         import { listen, type UnlistenFn } from \"@tauri-apps/api/event\";\n",
    );
    for t in &types {
        ts.push_str(&format!("import type {{ {t} }} from \"./{t}\";\n"));
    }
    ts.push_str("\n/** Every command of the shell, typed as Rust declares it. */\nexport const commands = {\n");
    for c in &commands {
        ts.push_str(&jsdoc(&c.doc, "  "));
        let ret = if c.ty == "null" { "null".to_owned() } else { c.ty.clone() };
        if c.args.iter().any(|(_, t)| t == "RawBody") {
            ts.push_str(&format!(
                "  {}: (body: Uint8Array, headers: Record<string, string>) =>\n    invoke<{ret}>(\"{}\", body, {{ headers }}),\n",
                camel(c.name),
                c.name
            ));
            continue;
        }
        let params: Vec<String> = c.args.iter().map(|(n, t)| format!("{}: {t}", camel(n))).collect();
        let names: Vec<String> = c.args.iter().map(|(n, _)| camel(n)).collect();
        let payload = if names.is_empty() { String::new() } else { format!(", {{ {} }}", names.join(", ")) };
        ts.push_str(&format!(
            "  {}: ({}) => invoke<{ret}>(\"{}\"{payload}),\n",
            camel(c.name),
            params.join(", "),
            c.name
        ));
    }
    ts.push_str("};\n\n/** Every event of the shell, with its payload. */\nexport type EventPayloads = {\n");
    for e in &events {
        ts.push_str(&jsdoc(&e.doc, "  "));
        ts.push_str(&format!("  \"{}\": {};\n", e.name, e.ty));
    }
    ts.push_str("};\n\n/** The events' names, to listen with `on`. */\nexport const events = {\n");
    for e in &events {
        ts.push_str(&format!("  {}: \"{}\",\n", camel(&e.name.replace('-', "_")), e.name));
    }
    ts.push_str(
        "} as const;\n\n/** Listens to an event of the shell. */\n\
         export function on<E extends keyof EventPayloads>(\n  event: E,\n  handler: (payload: EventPayloads[E]) => void,\n): Promise<UnlistenFn> {\n  \
         return listen<EventPayloads[E]>(event, (e) => handler(e.payload));\n}\n",
    );
    ts
}

#[cfg(test)]
mod tests {
    /// Writes `ipc.ts` beside the ts-rs bindings (run by `cargo xtask bindings`, and by
    /// `cargo xtask test` into a fresh folder to compare with the committed copy).
    #[test]
    fn export_bindings_ipc() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| "../ui/src/bindings".into());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("ipc.ts"), super::typescript()).unwrap();
    }

    #[test]
    fn every_command_is_in_the_typescript_once() {
        let ts = super::typescript();
        assert_eq!(ts.matches("invoke<").count(), super::COMMANDS.len());
        for name in super::COMMANDS {
            assert_eq!(ts.matches(&format!("(\"{name}\"")).count(), 1, "{name}");
        }
    }

    /// The main window is granted exactly the declared commands (the app manifest is
    /// made from the same list in build.rs): one left out is refused at run time, one
    /// granted and not declared is a permission nobody meant.
    #[test]
    fn the_capability_grants_exactly_the_declared_commands() {
        let json: serde_json::Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
        let granted: std::collections::BTreeSet<String> = json["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|c| c.replace('-', "_")))
            .collect();
        let declared: std::collections::BTreeSet<String> = super::COMMANDS.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(granted, declared);
    }
}
