//! The benchmarks, written to docs/BENCHMARKS.md: full sync of 100,000 customers from
//! the local sandbox, an incremental sync with 1 % changed, search latency over
//! 1,000,000 cached customers, and the cache's size per customer. Caches are encrypted
//! (SQLCipher) as the app keeps them; the same runs unencrypted give the cost.
//! Run with `cargo xtask bench` (a release build).

use kyc_core::events::NoEvents;
use kyc_core::{Desk, ProfileInfo};
use kyc_store::{ListOrder, SearchQuery, Store};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn measure(store: &Store, name: &str, queries: &[SearchQuery], report: &mut String) -> (Duration, Duration) {
    // One pass to warm the page cache, as a desktop app that has been open a while is.
    for q in queries.iter().take(20) {
        store.search(q).await.expect("search");
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut hits = 0u64;
    for q in queries {
        let t = Instant::now();
        let r = store.search(q).await.expect("search");
        times.push(t.elapsed());
        hits += r.total;
    }
    times.sort();
    let (p50, p95) = (percentile(&times, 0.50), percentile(&times, 0.95));
    let _ = writeln!(
        report,
        "| {name} | {} | {} | {} | {} | {:.0} |",
        queries.len(),
        ms(p50),
        ms(p95),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
        hits as f64 / queries.len() as f64
    );
    println!("{name}: p50 {} p95 {}", ms(p50), ms(p95));
    (p50, p95)
}

fn to_model(c: &kyc_sandbox::SandboxCustomer) -> kyc_model::Customer {
    let wire: dinie_api::Customer = serde_json::from_value(serde_json::to_value(c).expect("json")).expect("wire");
    kyc_core::dinie::to_model(wire)
}

/// A fixed key: the benchmarks measure the cipher, not the keychain.
fn bench_key() -> kyc_store::CacheKey {
    kyc_store::CacheKey::from_bytes([0x5a; 32])
}

/// Fills `store` with `n` demo customers in batches of 10,000; how long it took.
async fn fill_cache(store: &Store, n: usize, now: OffsetDateTime) -> Duration {
    let t = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        batch.push(to_model(&kyc_sandbox::seed::demo_customer(i, n, now)));
        if batch.len() == 10_000 || i + 1 == n {
            store.upsert_customers(&batch, now).await.expect("upsert");
            batch.clear();
        }
    }
    t.elapsed()
}

pub async fn run(out: Option<PathBuf>, sync_n: usize, search_n: usize, reviewer_n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut report = String::new();
    let machine = format!(
        "{} cores, {} ({}), release build",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let _ = writeln!(
        report,
        "# Benchmarks\n\nWritten by `cargo xtask bench` ({}). Machine: {machine}.\n",
        OffsetDateTime::now_utc().date()
    );

    // 1. Full sync from the local sandbox over loopback HTTP.
    println!("seeding a sandbox with {sync_n} customers…");
    let sb = kyc_sandbox::Sandbox::start_local(kyc_sandbox::SandboxConfig {
        seed: kyc_sandbox::Seed::Demo(sync_n),
        rate_limit_burst: u32::MAX,
        rate_limit_per_second: 1e9,
        ..Default::default()
    })
    .await
    .expect("sandbox");
    let profile = ProfileInfo { name: "bench".into(), base_url: sb.base_url(), is_demo: true, webhooks: false };
    let auth = kyc_core::dinie::Auth::bearer(kyc_sandbox::DEFAULT_TOKEN);
    // Unencrypted first, for the cost of encryption; then encrypted, as the app runs.
    let plain =
        Desk::open_dinie(profile.clone(), auth.clone(), &dir.path().join("sync-plain"), None, Arc::new(NoEvents))
            .await
            .expect("desk");
    let t = Instant::now();
    let plain_full = plain.sync().await.expect("full sync");
    let plain_rate = f64::from(plain_full.customers) / t.elapsed().as_secs_f64();
    println!("full sync, unencrypted: {plain_rate:.0}/s");
    drop(plain);
    let sync_dir = dir.path().join("sync");
    let desk = Desk::open_dinie(profile, auth, &sync_dir, Some(&bench_key()), Arc::new(NoEvents)).await.expect("desk");
    let t = Instant::now();
    let full = desk.sync().await.expect("full sync");
    let full_time = t.elapsed();
    let full_rate = f64::from(full.customers) / full_time.as_secs_f64();
    println!("full sync: {} customers in {:.1} s = {full_rate:.0}/s", full.customers, full_time.as_secs_f64());

    // 2. Incremental sync with 1 % changed on the server.
    let changed = sync_n / 100;
    let http = reqwest::Client::new();
    let ids: Vec<String> = desk.store().in_flight_ids(u32::MAX).await.expect("ids");
    let page = desk
        .list_customers(&kyc_core::views::CustomerListQuery { offset: 0, limit: 500, ..Default::default() })
        .await
        .expect("list");
    let candidates: Vec<String> = ids.into_iter().chain(page.rows.into_iter().map(|r| r.id)).take(changed).collect();
    for id in &candidates {
        let r = http
            .post(format!("{}/customers/{id}/kyc/proof_of_address", sb.admin_url()))
            .json(&serde_json::json!({"status": "rejected", "message": "Comprovante vencido"}))
            .send()
            .await
            .expect("admin");
        assert!(r.status().is_success());
    }
    let t = Instant::now();
    let inc = desk.sync().await.expect("incremental sync");
    let inc_time = t.elapsed();
    println!("incremental: {} changed in {:.1} ms", inc.customers, inc_time.as_secs_f64() * 1000.0);
    let sync_size = desk.store().size_bytes().await.expect("size");
    let sync_count = desk.store().count_customers().await.expect("count");
    drop(sb);

    let _ = writeln!(report, "## Sync from the local sandbox (loopback HTTP, pages of 100)\n");
    let _ = writeln!(report, "| what | customers | time | rate | target |\n|---|---|---|---|---|");
    let _ = writeln!(
        report,
        "| full sync, encrypted cache | {} | {:.2} s | **{full_rate:.0} customers/s** | ≥ 10,000/s |",
        full.customers,
        full_time.as_secs_f64()
    );
    let _ = writeln!(
        report,
        "| full sync, unencrypted (the cost: {:+.0} %) | {} | | {plain_rate:.0} customers/s | |",
        (full_rate / plain_rate - 1.0) * 100.0,
        plain_full.customers,
    );
    let _ = writeln!(
        report,
        "| incremental sync, 1 % changed | {} of {} | {} | {:.0} customers/s | |",
        inc.customers,
        sync_count,
        ms(inc_time),
        f64::from(inc.customers) / inc_time.as_secs_f64()
    );

    // 3. Search over a large cache, encrypted as the app keeps it, then unencrypted.
    println!("filling a cache with {search_n} customers…");
    let now = OffsetDateTime::now_utc();
    let store =
        Store::open_encrypted(&dir.path().join("search").join("cache.sqlite"), &bench_key()).await.expect("store");
    let fill = fill_cache(&store, search_n, now).await;
    let size = store.size_bytes().await.expect("size");
    let per_customer = size as f64 / search_n as f64;
    println!("filled in {:.0} s; {:.0} bytes per customer", fill.as_secs_f64(), per_customer);
    let plain_store = Store::open(&dir.path().join("search-plain").join("cache.sqlite")).await.expect("store");
    fill_cache(&plain_store, search_n, now).await;

    let names =
        ["mar", "ana", "jo", "fer", "luc", "pat", "ric", "sil", "oli", "cos", "gab", "bea", "ped", "ali", "rod"];
    let name_queries: Vec<SearchQuery> = (0..200)
        .map(|i| SearchQuery { text: names[i % names.len()].to_owned(), limit: 50, ..Default::default() })
        .collect();
    let two_words: Vec<SearchQuery> = (0..200)
        .map(|i| SearchQuery {
            text: format!("{} {}", names[i % names.len()], names[(i * 7 + 3) % names.len()]),
            limit: 50,
            ..Default::default()
        })
        .collect();
    let cpf_queries: Vec<SearchQuery> = (0..200)
        .map(|i| {
            let c = kyc_sandbox::seed::demo_customer(i * 4_999 % search_n, search_n, now);
            SearchQuery { text: c.cpf[..7].to_owned(), limit: 50, ..Default::default() }
        })
        .collect();
    let stages = ["awaiting_customer", "in_review", "approved"];
    let status_queries: Vec<SearchQuery> = (0..200)
        .map(|i| SearchQuery {
            stages: vec![stages[i % 3].to_owned()],
            offset: (i as u32 % 20) * 50,
            limit: 50,
            ..Default::default()
        })
        .collect();
    let status_and_name: Vec<SearchQuery> = (0..200)
        .map(|i| SearchQuery {
            text: names[i % names.len()].to_owned(),
            stages: vec![stages[i % 3].to_owned()],
            limit: 50,
            ..Default::default()
        })
        .collect();
    let by_name: Vec<SearchQuery> = (0..200)
        .map(|i| SearchQuery {
            order: ListOrder::NameAsc,
            offset: (i as u32) * 997 % 900_000,
            limit: 50,
            ..Default::default()
        })
        .collect();

    let queries = [
        ("name prefix (`mar`, `ana`, …)", &name_queries),
        ("two name prefixes (`ana sil`)", &two_words),
        ("identifier prefix (CPF `123.456`)", &cpf_queries),
        ("stage filter", &status_queries),
        ("stage filter + name prefix", &status_and_name),
        ("all, sorted by name, deep pages", &by_name),
    ];
    let mut worst = Duration::ZERO;
    let mut plain_worst = Duration::ZERO;
    for (label, store, worst) in
        [("encrypted", &store, &mut worst), ("unencrypted, for the cost", &plain_store, &mut plain_worst)]
    {
        let _ = writeln!(
            report,
            "\n## Search over {search_n} cached customers, {label} (pages of 50, with the match count)\n"
        );
        let _ = writeln!(report, "| query | runs | p50 | p95 | max | mean matches |\n|---|---|---|---|---|---|");
        for (name, qs) in queries {
            let (_, p95) = measure(store, name, qs, &mut report).await;
            *worst = (*worst).max(p95);
        }
    }
    let _ = writeln!(
        report,
        "\nTarget: p95 ≤ 20 ms, encrypted. Worst p95 encrypted: **{}** (unencrypted: {}).",
        ms(worst),
        ms(plain_worst)
    );

    let _ = writeln!(report, "\n## Cache size\n");
    let _ = writeln!(report, "| cache | customers | bytes | per customer | target |\n|---|---|---|---|---|");
    let _ = writeln!(
        report,
        "| search cache, encrypted (demo data: 5–6 kyc items each, FTS index) | {search_n} | {size} | **{per_customer:.0} B** | ≤ 1,536 B |"
    );
    let plain_size = plain_store.size_bytes().await.expect("size");
    let _ = writeln!(
        report,
        "| search cache, unencrypted | {search_n} | {plain_size} | {:.0} B | |",
        plain_size as f64 / search_n as f64
    );
    let _ = writeln!(
        report,
        "| synced cache, encrypted (incl. timeline of the 1 % changed) | {sync_count} | {sync_size} | {:.0} B | |",
        sync_size as f64 / sync_count.max(1) as f64
    );
    let _ = writeln!(
        report,
        "\nFilling the search cache ({search_n} upserts in batches of 10,000) took {:.0} s.",
        fill.as_secs_f64()
    );
    reviewers_day(dir.path(), reviewer_n, &mut report).await;
    println!("\n{report}");
    if let Some(out) = out {
        std::fs::write(&out, report).expect("write report");
        println!("written to {}", out.display());
    }
}

/// The reviewer's day: the work queue across three connections' caches, the CSV export
/// of a whole view, the merged list's deep pages, and verifying the journal.
pub async fn reviewers_day(dir: &std::path::Path, n: usize, report: &mut String) {
    use kyc_core::fleet::{Connection, Fleet};
    use kyc_core::views::{CustomerListQuery, CustomerSort};
    let now = OffsetDateTime::now_utc();
    let per = n / 3;
    println!("filling three connections' caches with {per} customers each…");
    let mut connections = Vec::new();
    for (i, provider) in ["dinie", "cartevo", "wallets"].into_iter().enumerate() {
        let cache = dir.join(format!("reviewer-{provider}.sqlite"));
        let key = kyc_store::CacheKey::from_bytes([0x10 + i as u8; 32]);
        let store = Store::open_encrypted(&cache, &key).await.expect("store");
        fill_cache(&store, per, now).await;
        store.close().await;
        connections.push(Connection {
            profile_id: format!("p-{provider}"),
            name: provider.into(),
            provider: provider.into(),
            cache,
            key: Some(key),
        });
    }
    let fleet = Fleet::default();
    let members = fleet.members(&connections).await;
    let all: Vec<_> = members.iter().map(|m| (m.clone(), None)).collect();
    let filter = kyc_core::queue::QueueFilter::default();
    // Warmed first, as in a window open a while (each connection of each cache's pool
    // has its pages decrypted once).
    let first = fleet.queue(&all, 24, &filter).await.expect("queue");
    for _ in 0..5 {
        fleet.queue(&all, 24, &filter).await.expect("queue");
    }
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let q = fleet.queue(&all, 24, &filter).await.expect("queue");
        times.push(t.elapsed());
        assert_eq!(q.total, first.total);
    }
    times.sort();
    let (p50, p95) = (percentile(&times, 0.5), percentile(&times, 0.95));
    println!("queue: {} waiting, p50 {} p95 {}", first.total, ms(p50), ms(p95));
    let _ =
        writeln!(report, "\n## The reviewer's day: {} cached customers across three connections, encrypted\n", per * 3);
    let _ = writeln!(report, "| what | runs | p50 | p95 | result | target |\n|---|---|---|---|---|---|");
    let _ = writeln!(
        report,
        "| work queue across the three caches (the counts, and the oldest {}) | {} | {} | **{}** | {} waiting | p95 ≤ 50 ms |",
        first.items.len(),
        times.len(),
        ms(p50),
        ms(p95),
        first.total
    );

    // A page of the list across the three: the last one (End), and at any depth.
    let total = per as u32 * 3;
    for (what, offsets) in [
        ("the last page (End), by name", vec![total - 200; 20]),
        ("a page of 200 at any depth, by name", (0..40u32).map(|i| (i * 2_477) % (total - 200)).collect()),
    ] {
        let mut times = Vec::new();
        for offset in offsets {
            let q = CustomerListQuery { offset, limit: 200, sort: CustomerSort::Name, ..CustomerListQuery::default() };
            let t = Instant::now();
            let page = fleet.list(&all, &q, true).await.expect("list");
            times.push(t.elapsed());
            assert_eq!(page.rows.len(), 200);
        }
        times.sort();
        let _ = writeln!(
            report,
            "| one list across the three: {what} | {} | {} | {} | | |",
            times.len(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95))
        );
    }

    let jobs = kyc_core::export::Jobs::default();
    let path = dir.join("export.csv");
    let q = CustomerListQuery { sort: CustomerSort::Name, ..CustomerListQuery::default() };
    let t = Instant::now();
    let done = kyc_core::export::csv(&all, &q, &path, &jobs.start("bench"), &|_, _| {}).await.expect("export");
    let took = t.elapsed();
    let rate = done.rows as f64 / took.as_secs_f64();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("csv: {} rows in {:.2} s = {rate:.0} rows/s", done.rows, took.as_secs_f64());
    let _ = writeln!(
        report,
        "| CSV export of the whole view (streamed, {:.1} MB) | 1 | {:.2} s | | **{rate:.0} rows/s** | ≥ 50,000 rows/s |",
        size as f64 / 1e6,
        took.as_secs_f64()
    );

    let journal = dir.join("journal.jsonl");
    let head = write_journal(&journal, 100_000);
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = kyc_store::journal::verify_against(&journal, Some(&head)).expect("verify");
        times.push(t.elapsed());
        assert!(r.is_clean());
    }
    times.sort();
    println!("journal verify: p50 {}", ms(percentile(&times, 0.5)));
    let _ = writeln!(
        report,
        "| journal verification, 100,000 entries ({:.1} MB) | {} | {} | {} | **max {}** | ≤ 1 s |",
        std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0) as f64 / 1e6,
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );
}

/// A journal of `n` chained entries written at once (appending one by one would
/// measure `fdatasync`); its head.
fn write_journal(path: &std::path::Path, n: u64) -> String {
    use kyc_store::journal::{Entry, GENESIS};
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("journal"));
    let mut prev = GENESIS.to_owned();
    for seq in 1..=n {
        let mut e = Entry {
            seq,
            at: format!(
                "2026-11-25T{:02}:{:02}:{:02}.{:03}Z",
                seq / 360_000 % 24,
                seq / 6000 % 60,
                seq / 100 % 60,
                seq % 1000
            ),
            author: "Ana".into(),
            profile: "builtin-sandbox".into(),
            customer: Some(format!("cust_{:06}", seq % 33_331)),
            action: ["register", "note", "tag", "upload", "wallet.freeze"][seq as usize % 5].into(),
            outcome: "done".into(),
            prev,
            hash: String::new(),
        };
        e.hash = e.computed_hash();
        serde_json::to_writer(&mut out, &e).expect("entry");
        out.write_all(b"\n").expect("entry");
        prev = e.hash;
    }
    out.flush().expect("journal");
    prev
}
