//! `kyc-worker`: KYC Desk's core without a window, for scripts, tests and benchmarks.
//!
//! Depends on `kyc-core` (and on `kyc-sandbox` for the benchmarks); nothing depends on it.
//!
//! ```text
//! kyc-worker sync   --base-url URL --token TOKEN --cache FILE   # sync into a cache, one line per page
//! kyc-worker replay --base-url URL --token TOKEN --cache FILE   # send the outbox, one line per entry
//! kyc-worker bench  [--out FILE] [--sync N] [--search N] [--reviewer N]  # the benchmarks (docs/BENCHMARKS.md)
//! kyc-worker journal verify FILE [--head HASH]                   # check the desk's journal
//! kyc-worker journal export FILE [--out FILE]                    # copy it (JSON Lines; stdout by default)
//! ```
//!
//! `journal verify` prints `journal: N entries, head HASH, clean` and exits 0, or one
//! line per problem (which entry was edited, removed or moved) and exits 1; it exits 2
//! if the journal cannot be read. `--head` is the hash of the last entry the app wrote
//! (kept elsewhere): without it, entries removed from the end cannot be seen.
//!
//! The crash tests run `sync` and `replay` as child processes and kill them with
//! SIGKILL part-way through.

use kyc_core::events::{CoreEvent, EventSink};
use kyc_core::{Desk, ProfileInfo};
use std::io::Write;
use std::path::{Path, PathBuf};
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

const JOURNAL_USAGE: &str = "journal verify FILE [--head HASH] | journal export FILE [--out FILE]";

/// `journal verify FILE [--head HASH]` and `journal export FILE [--out FILE]`: the exit
/// code (0 clean or exported, 1 problems found, 2 bad arguments or an unreadable file).
fn journal(args: &[String]) -> i32 {
    let usage = || {
        eprintln!("usage: kyc-worker {JOURNAL_USAGE}");
        2
    };
    let (Some(cmd), Some(file)) = (args.get(1), args.get(2)) else { return usage() };
    if file.starts_with("--") {
        return usage();
    }
    let file = Path::new(file);
    let flag = |name: &str| -> Result<Option<String>, ()> {
        match (args.iter().any(|a| a == name), arg(args, name)) {
            (true, None) => Err(()),
            (_, value) => Ok(value),
        }
    };
    match cmd.as_str() {
        "verify" => {
            let Ok(head) = flag("--head") else { return usage() };
            match kyc_store::journal::verify_against(file, head.as_deref()) {
                Ok(r) if r.is_clean() => {
                    println!("journal: {} entries, head {}, clean", r.entries, r.head.as_deref().unwrap_or("none"));
                    0
                }
                Ok(r) => {
                    for p in &r.problems {
                        println!("{p}");
                    }
                    eprintln!("kyc-worker: journal: {} entries, {} problems", r.entries, r.problems.len());
                    1
                }
                Err(e) => {
                    eprintln!("kyc-worker: {e}");
                    2
                }
            }
        }
        "export" => {
            let Ok(out) = flag("--out") else { return usage() };
            let exported = match &out {
                None => {
                    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
                    kyc_store::journal::export(file, &mut stdout)
                }
                Some(out) => export_to(file, Path::new(out)),
            };
            match exported {
                Ok(n) => {
                    if let Some(out) = out {
                        println!("journal: {n} lines exported to {out}");
                    }
                    0
                }
                Err(e) => {
                    eprintln!("kyc-worker: {e}");
                    2
                }
            }
        }
        _ => usage(),
    }
}

/// Exports the journal into a new file `out`, readable by this user only, flushed.
fn export_to(file: &Path, out: &Path) -> Result<u64, kyc_store::journal::JournalError> {
    use kyc_store::journal::JournalError;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let f = opts.open(out).map_err(JournalError::Output)?;
    let mut w = std::io::BufWriter::new(f);
    let n = kyc_store::journal::export(file, &mut w)?;
    w.into_inner().map_err(|e| JournalError::Output(e.into_error()))?.sync_all().map_err(JournalError::Output)?;
    Ok(n)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("sync") => desk(&args).await.sync().await.map(|p| println!("done {} {}", p.pages, p.customers)),
        Some("replay") => {
            desk(&args).await.replay_outbox().await.map(|r| println!("done {} offline {}", r.outcomes.len(), r.offline))
        }
        Some("journal") => std::process::exit(journal(&args)),
        Some("bench") => {
            bench::run(
                arg(&args, "--out").map(PathBuf::from),
                arg(&args, "--sync").and_then(|n| n.parse().ok()).unwrap_or(100_000),
                arg(&args, "--search").and_then(|n| n.parse().ok()).unwrap_or(1_000_000),
                arg(&args, "--reviewer").and_then(|n| n.parse().ok()).unwrap_or(100_000),
            )
            .await;
            Ok(())
        }
        _ => {
            eprintln!(
                "usage: kyc-worker sync|replay --base-url URL --token TOKEN --cache FILE | bench [--out FILE] [--sync N] [--search N] [--reviewer N]\n       kyc-worker {JOURNAL_USAGE}"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("kyc-worker: {e}");
        std::process::exit(1);
    }
}
