//! The built app in a real window (Xvfb + tauri-driver + WebKitWebDriver).

use kyc_desk_e2e::Session;
use std::time::Duration;

/// A CPF in its display mask: `123.456.789-09`.
fn is_masked_cpf(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 14
        && b[3] == b'.'
        && b[7] == b'.'
        && b[11] == b'-'
        && t.chars().filter(char::is_ascii_digit).count() == 11
}

#[tokio::test]
async fn first_start_lists_the_built_in_sandboxs_demo_customers() {
    // A fresh data dir: this is a new user's first start.
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().to_str().expect("utf-8 path");
    let s = Session::start(&["--data-dir", dir_arg]).await.expect("app session");
    let result = async {
        // The badge says this is demo data.
        s.wait_for_texts("[data-testid=demo-badge]", Duration::from_secs(60), |t| t.len() == 1 && !t[0].is_empty())
            .await?;

        // After the first sync, every demo customer is in the cache and the count says so.
        let expected_total = kyc_sandbox::DEFAULT_DEMO_SIZE;
        s.wait_for_texts("[data-testid=customer-total]", Duration::from_secs(60), |t| {
            t.first().is_some_and(|t| t.starts_with(&format!("{expected_total} ")))
        })
        .await?;

        // Newest first: the rows on screen are the sandbox's last customers, in order.
        let names = s.wait_for_texts("[data-testid=customer-name]", Duration::from_secs(30), |t| t.len() >= 8).await?;
        let expected: Vec<String> =
            (0..names.len()).map(|k| kyc_sandbox::seed::demo_name(expected_total - 1 - k)).collect();
        assert_eq!(names, expected, "the window lists the seeded customers, newest first");

        // Every visible row shows its CPF in the mask, a labelled stage and a date.
        let rows = s.find_all("[data-testid=customer-row]").await?.len();
        let cpfs = s.texts("[data-testid=customer-id-cpf]").await?;
        assert_eq!(cpfs.len(), rows);
        assert!(cpfs.iter().all(|c| is_masked_cpf(c)), "every row shows a masked CPF: {cpfs:?}");
        let statuses = s.texts("[data-testid=customer-status]").await?;
        let labels = ["With customer", "In review", "Approved", "Com o cliente", "Em análise", "Aprovado"];
        assert!(statuses.iter().all(|st| labels.contains(&st.as_str())), "stages are labelled: {statuses:?}");
        let dates = s.texts("[data-testid=customer-updated]").await?;
        assert_eq!(dates.len(), rows);
        assert!(
            dates.iter().all(|d| d.chars().any(|c| c.is_ascii_digit())),
            "every row shows when it changed: {dates:?}"
        );

        if let Ok(dir) = std::env::var("KYC_DESK_SCREENSHOTS") {
            s.screenshot(&std::path::Path::new(&dir).join("customer-list.png")).await?;
        }
        Ok::<(), String>(())
    }
    .await;
    s.close().await;
    result.expect("end-to-end check");
}

#[tokio::test]
async fn language_and_theme_switch_at_once_and_are_kept_across_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().to_str().expect("utf-8 path").to_owned();
    let long = Duration::from_secs(60);
    let s = Session::start(&["--data-dir", &dir_arg]).await.expect("app session");
    let first = async {
        s.wait_for_texts("[data-testid=customer-row]", long, |t| !t.is_empty()).await?;
        // The machine's language is English: so is the app, until it is told otherwise.
        assert_eq!(s.texts("[data-testid=sync-now]").await?, ["Sync now"]);
        s.click("[data-testid=language] option[value=pt-BR]").await?;
        s.wait_for_texts("[data-testid=sync-now]", long, |t| t == ["Sincronizar"]).await?;
        assert_eq!(s.attribute("html", "lang").await?.as_deref(), Some("pt-BR"));
        let statuses = s.texts("[data-testid=customer-status]").await?;
        assert!(
            statuses.iter().all(|st| ["Com o cliente", "Em análise", "Aprovado"].contains(&st.as_str())),
            "stages in Portuguese: {statuses:?}"
        );

        let before = s.attribute("html", "data-theme").await?.ok_or("a theme is set")?;
        let background = s.css_value("body", "background-color").await?;
        s.click("[data-testid=theme-toggle]").await?;
        let after = s.attribute("html", "data-theme").await?.ok_or("a theme is set")?;
        assert_ne!(before, after, "the toggle switches the theme");
        assert_ne!(s.css_value("body", "background-color").await?, background, "and the colours follow");
        if after == "light" {
            // End on the dark theme, for the screenshot.
            s.click("[data-testid=theme-toggle]").await?;
        }
        Ok::<String, String>(s.attribute("html", "data-theme").await?.unwrap_or_default())
    }
    .await;
    s.close().await;
    let theme = first.expect("switching");

    // The same desk opened again: Portuguese, and the theme chosen.
    let s = Session::start(&["--data-dir", &dir_arg]).await.expect("app session");
    let again = async {
        s.wait_for_texts("[data-testid=sync-now]", long, |t| t == ["Sincronizar"]).await?;
        assert_eq!(s.attribute("html", "data-theme").await?.as_deref(), Some(theme.as_str()));
        s.wait_for_texts("[data-testid=customer-row]", long, |t| !t.is_empty()).await?;
        if let Ok(dir) = std::env::var("KYC_DESK_SCREENSHOTS") {
            s.screenshot(&std::path::Path::new(&dir).join("dark-pt-br.png")).await?;
        }
        Ok::<(), String>(())
    }
    .await;
    s.close().await;
    again.expect("kept across a restart");
}
