//! Bulk work and exports in the real app: rows picked by keyboard are tagged at once,
//! the tag's view is exported as CSV (the file read back), and a customer's case report
//! is written as PDF (its text read back).

use kyc_desk_e2e::{Session, screenshot};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// The DOM's text of every element matching `css` (the driver's visible-text reading
/// of grid cells is empty).
async fn dom_texts(s: &Session, css: &str) -> Result<Vec<String>, String> {
    let script = format!("return [...document.querySelectorAll('{css}')].map((e) => e.textContent)");
    serde_json::from_value(s.execute(&script, serde_json::json!([])).await?).map_err(|e| e.to_string())
}

/// Waits until the DOM's texts of `css` satisfy `ok` (a list shows the previous view's
/// rows while the next loads).
async fn wait_dom(s: &Session, css: &str, ok: impl Fn(&[String]) -> bool) -> Result<Vec<String>, String> {
    let deadline = std::time::Instant::now() + LONG;
    loop {
        let t = dom_texts(s, css).await?;
        if ok(&t) {
            return Ok(t);
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("{css}: still {t:?}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn picked_rows_are_tagged_at_once_the_view_exported_as_csv_and_a_case_report_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exports = dir.path().join("exports");
    let data = dir.path().join("data");
    let (data_arg, export_arg) = (data.to_str().expect("UTF-8"), exports.to_str().expect("UTF-8"));
    let s = Session::start(&["--data-dir", data_arg, "--export-dir", export_arg]).await.expect("app started");
    let result = async {
        s.wait_for_texts("[data-testid=customer-row]", Duration::from_secs(90), |t| t.len() >= 3).await?;
        let names = dom_texts(&s, "[data-testid=customer-name]").await?;

        // The first customer gets a note and a new tag from the detail.
        s.click("[data-testid=customer-row]").await?;
        s.wait_for("[data-testid=notes]", LONG).await?;
        s.type_into("[data-testid=note-input]", "Conferir comprovante de endereço — ligação às 14h").await?;
        s.click("[data-testid=note-add]").await?;
        s.wait_for_texts("[data-testid=note-body]", LONG, |t| t.len() == 1).await?;
        s.type_into("[data-testid=tag-name]", "Lote 7").await?;
        s.click("[data-testid=tag-create]").await?;
        s.wait_for_texts("[data-testid=tag-chip]", LONG, |t| t == ["Lote 7"]).await?;

        // The case report of that customer: a PDF whose text says who and what.
        s.click("[data-testid=case-report]").await?;
        let pdf_path = s.wait_for_texts("[data-testid=job-path]", LONG, |t| t.len() == 1).await?[0].clone();
        let pdf = std::fs::read(&pdf_path).map_err(|e| format!("{pdf_path}: {e}"))?;
        let text = kyc_report::testing::squash_whitespace(&kyc_report::testing::extract_text(&pdf)?);
        for wanted in
            [names[0].as_str(), "Case report", "KYC checklist", "Timeline", "Conferir comprovante de endereço"]
        {
            assert!(text.contains(wanted), "{wanted:?} missing from the report:\n{text}");
        }
        let journal = std::fs::read_to_string(data.join("journal.jsonl")).map_err(|e| e.to_string())?;
        let heads: Vec<String> = journal
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).map(|v| v["hash"].as_str().unwrap_or("").to_owned()))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        let before_report = heads.iter().rev().nth(1).ok_or("the report is journaled after the tag")?;
        assert!(text.contains(before_report.as_str()), "the journal's head when it was made: {before_report}");

        // Two more rows picked by keyboard: the list's first row is the active one.
        s.click("[data-testid=detail-close]").await?;
        s.execute("document.querySelector('[data-testid=customer-list]').focus()", serde_json::json!([])).await?;
        s.send_keys_to_focus("\u{E015} \u{E015} ").await?;
        s.wait_for_texts("[data-testid=picked-count]", LONG, |t| t.len() == 1 && t[0].starts_with('2')).await?;
        let picked = dom_texts(&s, "[data-picked=true] [data-testid=customer-name]").await?;
        assert_eq!(picked, names[1..3].to_vec());
        s.click("[data-testid=bulk-tag] option:nth-child(2)").await?;
        s.wait_for_texts("[data-testid=job-message]", LONG, |t| t.len() == 1 && t[0].contains('2')).await?;
        screenshot(&s, "bulk-tag").await?;
        // The same two re-read from the API, one after the other.
        s.click("[data-testid=bulk-reread]").await?;
        s.wait_for_texts("[data-testid=job-message]", LONG, |t| t.len() == 1 && t[0].starts_with("2 re-read")).await?;

        // The tag's view: those three; exported as CSV.
        s.click("[data-testid=tag-filter] option:nth-child(2)").await?;
        s.wait_for_texts("[data-testid=customer-row]", LONG, |t| t.len() == 3).await?;
        let tagged = dom_texts(&s, "[data-testid=customer-name]").await?;
        let mut expected = names[..3].to_vec();
        expected.sort();
        let mut got = tagged.clone();
        got.sort();
        assert_eq!(got, expected, "the one tagged from the detail and the two picked");
        s.click("[data-testid=export-csv]").await?;
        let csv_path =
            s.wait_for_texts("[data-testid=job-path]", LONG, |t| t.len() == 1 && t[0].ends_with(".csv")).await?[0]
                .clone();
        assert!(csv_path.starts_with(export_arg), "{csv_path} in the export folder");
        let csv = std::fs::read_to_string(&csv_path).map_err(|e| e.to_string())?;
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].starts_with("connection,provider,id,name,"), "{}", lines[0]);
        assert_eq!(lines.len(), 4, "a header and the three: {lines:?}");
        for (line, name) in lines[1..].iter().zip(&tagged) {
            assert!(line.contains(&format!(",{name},")) || line.contains(&format!(",\"{name}\",")), "{line} is {name}");
            assert!(line.starts_with("Built-in sandbox,Dinie,"), "{line}");
        }
        screenshot(&s, "exported").await?;
        let leftovers: Vec<_> = std::fs::read_dir(&exports)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .collect();
        assert!(leftovers.is_empty(), "nothing half-written is left");
        Ok::<(), String>(())
    }
    .await;
    if result.is_err() {
        let _ = screenshot(&s, "exports-failure").await;
    }
    s.close().await;
    result.expect("bulk tag, CSV and PDF");
}

/// One list across connections: Dinie's and Cartevo's built-in sandboxes, each synced in
/// its own cache, listed together with a provider column, narrowed to one provider, and a
/// row of the other connection opened (the app switches to it); the work queue counts
/// both.
#[tokio::test]
async fn one_list_across_connections_opens_a_row_of_another_in_its_own() {
    let (s, _dir, _) = kyc_desk_e2e::first_start().await.expect("app started and synced");
    let result = async {
        s.click("[data-testid=open-settings]").await?;
        s.click("[data-testid=profile][data-profile-id=builtin-cartevo] [data-testid=profile-use]").await?;
        s.wait_for_texts("[data-testid=profile-url]", LONG, |t| t.first().is_some_and(|u| u.ends_with("/api/v1")))
            .await?;
        s.click("[data-testid=settings-close]").await?;
        s.wait_for_texts("[data-testid=customer-row]", LONG, |t| !t.is_empty()).await?;
        let cartevo_total = s.wait_for_texts("[data-testid=customer-total]", LONG, |t| t.len() == 1).await?[0].clone();

        s.click("[data-testid=scope] option[value=all]").await?;
        let providers = wait_dom(&s, "[data-testid=customer-provider]", |p| {
            p.iter().any(|x| x.starts_with("Cartevo")) && p.iter().any(|x| x.starts_with("Dinie"))
        })
        .await?;
        assert!(!providers.is_empty());
        let total = s.wait_for_texts("[data-testid=customer-total]", LONG, |t| t.len() == 1).await?[0].clone();
        assert_ne!(total, cartevo_total, "both connections' customers: {total}");
        screenshot(&s, "all-connections").await?;

        // Only Dinie's: then one of them opens in its own connection.
        s.click("[data-testid=provider-filter] option[value=dinie]").await?;
        wait_dom(&s, "[data-testid=customer-provider]", |p| !p.is_empty() && p.iter().all(|x| x.starts_with("Dinie")))
            .await?;
        let name = dom_texts(&s, "[data-testid=customer-name]").await?[0].clone();
        s.click("[data-testid=customer-row]").await?;
        s.wait_for_texts("[data-testid=profile-url]", LONG, |t| t.first().is_some_and(|u| u.ends_with("/api/v3")))
            .await?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first() == Some(&name)).await?;

        // The queue counts both providers' waiting customers.
        s.click("[data-testid=tab-queue]").await?;
        let options = s.wait_for_texts("[data-testid=queue-provider] option", LONG, |t| t.len() == 3).await?;
        assert!(options.iter().any(|o| o.starts_with("Cartevo")) && options.iter().any(|o| o.starts_with("Dinie")));
        screenshot(&s, "work-queue-across").await?;
        Ok::<(), String>(())
    }
    .await;
    if result.is_err() {
        let _ = screenshot(&s, "across-failure").await;
    }
    s.close().await;
    result.expect("one list across connections");
}
