//! `kyc-worker`: KYC Desk's core without a window, for scripts, tests and benchmarks.
//!
//! Depends on `kyc-core` (and on `kyc-sandbox` for the benchmarks); nothing depends on it.
//!
//! ```text
//! kyc-worker sync   --base-url URL --token TOKEN --cache FILE   # sync into a cache, one line per page
//! kyc-worker replay --base-url URL --token TOKEN --cache FILE   # send the outbox, one line per entry
//! kyc-worker bench  [--out FILE] [--sync N] [--search N]        # the benchmarks (docs/BENCHMARKS.md)
//! ```
//!
//! The crash tests run `sync` and `replay` as child processes and kill them with
//! SIGKILL part-way through.

use kyc_core::events::{CoreEvent, EventSink};
use kyc_core::{Desk, ProfileInfo};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

mod bench;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn required(args: &[String], name: &str) -> String {
    arg(args, name).unwrap_or_else(|| {
        eprintln!("kyc-worker: {name} is required");
        std::process::exit(2)
    })
}

/// Prints one line per event, flushed at once (the crash tests read them).
struct Lines;

impl EventSink for Lines {
    fn emit(&self, e: CoreEvent) {
        let line = match e {
            CoreEvent::SyncProgress(p) => format!("page {} {}", p.pages, p.customers),
            CoreEvent::CustomersChanged { ids } => format!("changed {}", ids.len()),
            CoreEvent::CustomersUpdated { customers } => format!("changed {}", customers.len()),
            CoreEvent::CustomerDetail { detail } => format!("detail {}", detail.id),
            CoreEvent::OutboxChanged(s) => format!("outbox pending {} failed {}", s.pending, s.failed),
            CoreEvent::Connectivity { online } => format!("online {online}"),
            CoreEvent::Notices { notices } => format!("notices {}", notices.len()),
            CoreEvent::UploadProgress { seq, sent, total, .. } => format!("upload {seq}: {sent}/{total} bytes"),
            CoreEvent::CredentialsRefused { error } => format!("credentials refused: {}", error.message),
            CoreEvent::Background { failing, retry_in_secs } => {
                format!("background failing {failing}, next try in {retry_in_secs} s")
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

async fn desk(args: &[String]) -> Desk {
    let base_url = required(args, "--base-url");
    let cache = PathBuf::from(required(args, "--cache"));
    let dir = cache.parent().map(PathBuf::from).unwrap_or_default();
    let profile = ProfileInfo { name: "worker".into(), base_url, is_demo: false, webhooks: false };
    let auth = kyc_core::dinie::Auth::bearer(required(args, "--token"));
    match Desk::open_dinie(profile, auth, &dir, None, Arc::new(Lines)).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("kyc-worker: {e}");
            std::process::exit(1)
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("sync") => desk(&args).await.sync().await.map(|p| println!("done {} {}", p.pages, p.customers)),
        Some("replay") => {
            desk(&args).await.replay_outbox().await.map(|r| println!("done {} offline {}", r.outcomes.len(), r.offline))
        }
        Some("bench") => {
            bench::run(
                arg(&args, "--out").map(PathBuf::from),
                arg(&args, "--sync").and_then(|n| n.parse().ok()).unwrap_or(100_000),
                arg(&args, "--search").and_then(|n| n.parse().ok()).unwrap_or(1_000_000),
            )
            .await;
            Ok(())
        }
        _ => {
            eprintln!(
                "usage: kyc-worker sync|replay --base-url URL --token TOKEN --cache FILE | bench [--out FILE] [--sync N] [--search N]"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("kyc-worker: {e}");
        std::process::exit(1);
    }
}
