//! Kill the worker with SIGKILL in the middle of a sync and of an outbox replay, run it
//! again, and check that the restarted run completes with nothing lost and nothing
//! duplicated. The sandbox runs in this test process, slowed down so the kill lands
//! part-way; the worker is a real child process on a real SQLite file.

use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn worker(cmd: &str, sb: &Sandbox, cache: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kyc-worker"))
        .args([cmd, "--base-url", &sb.base_url(), "--token", kyc_sandbox::DEFAULT_TOKEN, "--cache"])
        .arg(cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn kyc-worker")
}

/// Reads the child's lines until one satisfies `stop`, then SIGKILLs it. Returns the lines.
fn kill_when(mut child: Child, stop: impl Fn(&str) -> bool) -> Vec<String> {
    let out = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    for line in BufReader::new(out).lines() {
        let line = line.expect("line");
        let hit = stop(&line);
        lines.push(line);
        if hit {
            break;
        }
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "the worker was killed, not finished: {lines:?}");
    lines
}

fn run_to_end(mut child: Child) -> Vec<String> {
    let out = child.stdout.take().expect("stdout");
    let lines: Vec<String> = BufReader::new(out).lines().map(|l| l.expect("line")).collect();
    assert!(child.wait().expect("wait").success(), "{lines:?}");
    lines
}

async fn faults(sb: &Sandbox, body: serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{}/faults", sb.admin_url())).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 204);
}

async fn stats(sb: &Sandbox) -> serde_json::Value {
    reqwest::get(format!("{}/stats", sb.admin_url())).await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_way_resumes_and_ends_with_every_customer_once() {
    // A full sync writes its first page alone, then batches of 1,000 customers
    // (10 pages): the kill lands after the second batch, part-way through 5,000.
    let sb = Sandbox::start_local(SandboxConfig { seed: Seed::Demo(5_000), ..Default::default() }).await.unwrap();
    faults(&sb, serde_json::json!({"latency_ms": 40})).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.sqlite");

    let child = worker("sync", &sb, &cache);
    let lines = tokio::task::spawn_blocking(move || kill_when(child, |l| l.starts_with("page 21 "))).await.unwrap();
    assert!(lines.iter().any(|l| l == "page 21 2100"), "{lines:?}");

    // What the killed run left: a cursor and some pages.
    let store = kyc_store::Store::open(&cache).await.unwrap();
    let cursor = store.meta(kyc_core::sync::META_FULL_SYNC_CURSOR).await.unwrap();
    let partial = store.count_customers().await.unwrap();
    assert!(cursor.is_some() && (2_100..5_000).contains(&partial), "cursor {cursor:?}, {partial} cached");
    store.close().await;

    faults(&sb, serde_json::json!({})).await;
    let child = worker("sync", &sb, &cache);
    let lines = tokio::task::spawn_blocking(move || run_to_end(child)).await.unwrap();
    let done = lines.last().unwrap();
    let fetched: u64 = done.split(' ').nth(2).unwrap().parse().unwrap();
    assert!(fetched <= 5_000 - 2_000, "the restart resumed instead of starting over: {done}");

    let store = kyc_store::Store::open(&cache).await.unwrap();
    assert_eq!(store.count_customers().await.unwrap(), 5_000, "every customer, once");
    assert_eq!(store.meta(kyc_core::sync::META_FULL_SYNC_CURSOR).await.unwrap(), None);
    let demo = kyc_sandbox::seed::demo(5_000, time::OffsetDateTime::now_utc());
    for c in demo.iter().step_by(97) {
        assert!(store.get_customer(&c.id).await.unwrap().is_some(), "{} missing", c.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_replay_killed_mid_way_sends_every_registration_exactly_once() {
    let sb = Sandbox::start_local(SandboxConfig { seed: Seed::Empty, ..Default::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.sqlite");
    // Forty registrations made while offline: queued with their keys.
    let store = kyc_store::Store::open(&cache).await.unwrap();
    for i in 0..40u32 {
        let digits = format!("{:09}", 300_000_000 + i * 1_237);
        let cpf = kyc_model::Cpf::from_base(std::array::from_fn(|k| digits.as_bytes()[k] - b'0'));
        let (cpf, name, email, ext) =
            (cpf.formatted(), format!("Cliente {i}"), format!("c{i}@example.com"), format!("crash-{i}"));
        let r = kyc_model::FormValues::of([
            ("cpf", cpf.as_str()),
            ("name", name.as_str()),
            ("email", email.as_str()),
            ("phone", "+5511999999999"),
            ("external_id", ext.as_str()),
        ]);
        kyc_core::outbox::enqueue(
            &store,
            None,
            &kyc_core::outbox::Operation::Register(r),
            None,
            Vec::new(),
            dir.path(),
            None,
        )
        .await
        .unwrap();
    }
    store.close().await;

    // Slow answers, so the kill lands while requests are in flight.
    faults(&sb, serde_json::json!({"latency_ms": 60})).await;
    let child = worker("replay", &sb, &cache);
    let lines =
        tokio::task::spawn_blocking(move || kill_when(child, |l| l.starts_with("outbox pending 28 "))).await.unwrap();
    // Each registration done was told as a changed customer (read from the cache after
    // it; the last may still be on its way when the kill lands).
    let told: usize = lines.iter().filter_map(|l| l.strip_prefix("changed ")?.parse::<usize>().ok()).sum();
    assert!(told >= 11, "{lines:?}");
    let before = stats(&sb).await["customers_created"].as_u64().unwrap();
    assert!((12..40).contains(&before), "killed part-way: {before} created");

    faults(&sb, serde_json::json!({})).await;
    let child = worker("replay", &sb, &cache);
    run_to_end(child);

    let s = stats(&sb).await;
    assert_eq!(s["customers_created"], 40, "exactly once each: {s}");
    let store = kyc_store::Store::open(&cache).await.unwrap();
    assert!(store.outbox_unfinished().await.unwrap().is_empty(), "nothing left queued");
    assert_eq!(store.count_customers().await.unwrap(), 40);
}
