//! Every flow of the reviewer's desk, in the real built app (Xvfb + tauri-driver +
//! WebKitWebDriver), against the built-in sandbox it starts. Each test is a first start
//! on a fresh data dir. The tests talk to the same sandbox over loopback only to pick
//! customers in the state a flow needs and to play the customer's part (completing a
//! biometric capture) or the network's (dropping connections).

use kyc_desk_e2e::{Session, first_start, screenshot};
use serde_json::Value;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// Runs `flow` on a fresh app (with the built-in sandbox's base URL), closing the
/// window whatever happens.
async fn with_app(flow: impl AsyncFnOnce(&Session, String) -> Result<(), String>) {
    let (s, _dir, base) = first_start().await.expect("app started and synced");
    let result = flow(&s, base).await;
    if result.is_err() {
        let _ = screenshot(&s, "failure").await;
    }
    s.close().await;
    result.expect("end-to-end flow");
}

/// What the API answers to a GET of `url` with `token`, as JSON.
async fn api_get(url: &str, token: &str) -> Result<Value, String> {
    let r = reqwest::Client::new().get(url).bearer_auth(token).send().await.map_err(|e| e.to_string())?;
    r.json().await.map_err(|e| e.to_string())
}

/// The sandbox's customers with `status`, as the API lists them.
async fn customers(base: &str, status: &str) -> Vec<Value> {
    let url = format!("{base}/customers?status={status}&limit=100");
    let v = api_get(&url, kyc_sandbox::DEFAULT_TOKEN).await.expect("sandbox list");
    v["data"].as_array().cloned().unwrap_or_default()
}

fn item_status<'a>(c: &'a Value, item: &str) -> Option<&'a str> {
    c["kyc"].as_array()?.iter().find(|i| i["type"] == item).and_then(|i| i["status"].as_str())
}

/// A customer pending KYC with one of `items` still to send, and that item.
async fn with_pending_item(base: &str, items: &[&'static str]) -> Result<(Value, &'static str), String> {
    customers(base, "pending_kyc")
        .await
        .into_iter()
        .find_map(|c| items.iter().find(|t| item_status(&c, t) == Some("pending")).map(|t| (c.clone(), *t)))
        .ok_or_else(|| format!("a customer pending KYC with one of {items:?} to send"))
}

/// Waits until kyc item `item` of the open customer shows one of `labels`.
async fn wait_item_status(s: &Session, item: &str, labels: &[&str]) -> Result<Vec<String>, String> {
    s.wait_for_texts(&format!("[data-testid=item-{item}] [data-testid=item-status]"), LONG, is_one_of(labels)).await
}

/// Cuts every connection to the sandbox mid-response (`true`), or stops cutting them.
async fn cut_network(base: &str, cut: bool) -> Result<(), String> {
    let faults = format!("{}/faults", admin(base));
    let http = reqwest::Client::new();
    let request =
        if cut { http.post(&faults).json(&serde_json::json!({"drop_next": 1_000_000})) } else { http.delete(&faults) };
    let status = request.bearer_auth(admin_token()?).send().await.map_err(|e| e.to_string())?.status();
    if status == 204 { Ok(()) } else { Err(format!("setting the sandbox's faults: {status}")) }
}

fn admin(base: &str) -> String {
    base.replace("/api/v3", "/_sandbox")
}

/// The built-in sandbox's admin token: `cargo xtask e2e` gives the app and the tests
/// the same one.
fn admin_token() -> Result<String, String> {
    std::env::var(kyc_sandbox::ADMIN_TOKEN_ENV)
        .map_err(|_| format!("{}: run through `cargo xtask e2e`", kyc_sandbox::ADMIN_TOKEN_ENV))
}

/// Opens a customer the way staff do: search by CPF, then Enter on the row.
async fn open_customer(s: &Session, c: &Value) -> Result<(), String> {
    let digits: String = c["cpf"].as_str().unwrap_or_default().chars().filter(char::is_ascii_digit).collect();
    s.replace_text("[data-testid=search]", &digits).await?;
    let name = c["name"].as_str().unwrap_or_default().to_owned();
    s.wait_for_texts("[data-testid=customer-name]", LONG, |t| t.len() == 1 && t[0] == name).await?;
    s.click("[data-testid=customer-row]").await?;
    s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first() == Some(&name)).await?;
    Ok(())
}

/// In the open Settings, types a new connection to a custom address (not its secret).
async fn fill_custom_connection(s: &Session, name: &str, url: &str) -> Result<(), String> {
    s.type_into("[data-testid=settings] [data-testid=field-name]", name).await?;
    s.click("[data-testid=profile-kind] option[value=custom]").await?;
    s.type_into("[data-testid=settings] [data-testid=field-baseUrl]", url).await
}

/// Adds a connection to a custom address with its secret, switches to it and closes
/// Settings.
async fn use_new_connection(s: &Session, name: &str, url: &str, secret: &str) -> Result<(), String> {
    s.click("[data-testid=open-settings]").await?;
    fill_custom_connection(s, name, url).await?;
    s.type_into("[data-testid=settings] [data-testid=field-secret]", secret).await?;
    s.click("[data-testid=profile-save]").await?;
    s.wait_for_texts(ADDED_NAMES, LONG, |t| t.len() == 1).await?;
    s.click(&format!("{ADDED} [data-testid=profile-use]")).await?;
    s.wait_for_texts("[data-testid=profile-url]", LONG, |t| t.first().map(String::as_str) == Some(url)).await?;
    s.click("[data-testid=settings-close]").await
}

/// The connections staff added (not the built-in sandboxes), and their names.
const ADDED: &str = "[data-testid=profile][data-builtin=false]";
const ADDED_NAMES: &str = "[data-testid=profile][data-builtin=false] [data-testid=profile-entry-name]";

fn is_one_of(labels: &[&str]) -> impl Fn(&[String]) -> bool {
    let labels: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
    move |t: &[String]| t.len() == 1 && labels.contains(&t[0])
}

#[tokio::test]
async fn searching_by_cpf_and_name_and_filtering_by_status() {
    with_app(async |s, base| {
        let pending = customers(&base, "pending_kyc").await;
        let c = pending.first().ok_or("the demo has pending customers")?;
        // By CPF, with or without punctuation: exactly that customer.
        let name = c["name"].as_str().unwrap_or_default().to_owned();
        let cpf = c["cpf"].as_str().unwrap_or_default().to_owned();
        s.replace_text("[data-testid=search]", &cpf[..7]).await?;
        s.wait_for_texts("[data-testid=customer-name]", LONG, |t| t.contains(&name)).await?;
        // By the first letters of the name.
        let prefix: String = name.chars().take(4).collect();
        s.replace_text("[data-testid=search]", &prefix).await?;
        let names =
            s.wait_for_texts("[data-testid=customer-name]", LONG, |t| !t.is_empty() && t.contains(&name)).await?;
        let folded = |x: &str| x.to_lowercase();
        assert!(
            names.iter().all(|n| folded(n).split_whitespace().any(|w| w.starts_with(&folded(&prefix)))),
            "every row matches {prefix}: {names:?}"
        );
        // A stage chip keeps only that stage.
        s.replace_text("[data-testid=search]", "").await?;
        s.click("[data-testid=chip-approved]").await?;
        let statuses = s
            .wait_for_texts("[data-testid=customer-status]", LONG, |t| {
                !t.is_empty() && t.iter().all(|x| x == "Approved" || x == "Aprovado")
            })
            .await?;
        // Exactly the sandbox's active customers: the count says so, and the rows agree.
        let active = customers(&base, "active").await.len();
        assert!(active > 1, "the demo has active customers");
        s.wait_for_texts("[data-testid=customer-total]", LONG, |t| {
            t.first().is_some_and(|x| x.starts_with(&format!("{active} ")))
        })
        .await?;
        assert!(statuses.len() <= active, "no more rows than active customers: {statuses:?}");
        screenshot(s, "search-and-filter").await?;
        // Nothing matches: said so.
        s.click("[data-testid=chip-all]").await?;
        s.replace_text("[data-testid=search]", "zzzqqq").await?;
        s.wait_for("[data-testid=no-matches]", LONG).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn registering_shows_created_then_already_existed_then_conflict() {
    with_app(async |s, base| {
        s.click("[data-testid=new-customer]").await?;
        // Live validation from Rust: a wrong check digit is named beside the field.
        s.type_into("[data-testid=field-cpf]", "12345678900").await?;
        s.click("[data-testid=field-name]").await?;
        s.wait_for("[data-testid=error-cpf]", LONG).await?;
        let new_cpf = kyc_model::Cpf::from_base([4, 8, 2, 1, 9, 3, 0, 5, 7]).formatted();
        s.replace_text("[data-testid=field-cpf]", &new_cpf).await?;
        s.type_into("[data-testid=field-name]", "Helena Duarte Teste").await?;
        s.type_into("[data-testid=field-email]", "helena.e2e@example.com").await?;
        // Typed as Brazilians write it: read as a São Paulo mobile (+55), not as +1.
        s.type_into("[data-testid=field-phone]", "11 98765-4321").await?;
        s.type_into("[data-testid=field-external_id]", "e2e-helena-1").await?;
        let t = std::time::Instant::now();
        while s.property("[data-testid=field-phone]", "value").await? != "+55 11 98765-4321" {
            // Shown as it will be sent once the field is left.
            assert!(t.elapsed() < LONG, "phone shown as {:?}", s.property("[data-testid=field-phone]", "value").await?);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        s.wait_for_texts("[data-testid=error-cpf]", LONG, <[String]>::is_empty).await?;
        screenshot(s, "register-form").await?;

        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=outcome-created]", LONG).await?;
        // The same CPF and external id again: the API answers 200, nothing new.
        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=outcome-existed]", LONG).await?;
        // The same CPF with another external id: 409, explained.
        s.replace_text("[data-testid=field-external_id]", "e2e-helena-2").await?;
        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=outcome-conflict]", LONG).await?;
        s.wait_for_texts("[data-testid=request-id]", LONG, |t| t.len() == 1).await?;
        // What was typed is still there.
        assert_eq!(s.property("[data-testid=field-name]", "value").await?, "Helena Duarte Teste");
        screenshot(s, "register-conflict").await?;

        // The new customer is in the list, and the API has the number in E.164.
        s.click("[data-testid=register-form] button[aria-label]").await?;
        s.replace_text("[data-testid=search]", "Helena Duarte").await?;
        s.wait_for_texts("[data-testid=customer-name]", LONG, |t| t == ["Helena Duarte Teste"]).await?;
        let registered = customers(&base, "pending_kyc").await;
        let helena = registered.iter().find(|c| c["name"] == "Helena Duarte Teste").ok_or("registered")?;
        assert_eq!(helena["phone"], "+5511987654321");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn correcting_a_customers_email() {
    with_app(async |s, base| {
        let pending = customers(&base, "pending_kyc").await;
        let c = pending.first().ok_or("a pending customer")?;
        open_customer(s, c).await?;
        s.click("[data-testid=correct-open]").await?;
        // CPF and external id are read-only.
        let readonly = s.property("[data-testid=correct-form] [data-testid=field-cpf]", "readOnly").await?;
        assert_eq!(readonly, "true");
        s.replace_text("[data-testid=correct-form] [data-testid=field-email]", "not-an-email").await?;
        s.wait_for("[data-testid=error-email]", LONG).await?;
        s.replace_text("[data-testid=correct-form] [data-testid=field-email]", "corrigido.e2e@example.com").await?;
        s.wait_for_texts("[data-testid=error-email]", LONG, <[String]>::is_empty).await?;
        s.click("[data-testid=correct-submit]").await?;
        s.wait_for("[data-testid=correct-done]", LONG).await?;
        s.click("[data-testid=correct-form] button[aria-label]").await?;
        s.wait_for_texts("[data-testid=detail-email]", LONG, |t| t == ["corrigido.e2e@example.com"]).await?;
        // The API has it too.
        let id = c["id"].as_str().unwrap_or_default();
        let fresh = api_get(&format!("{base}/customers/{id}"), kyc_sandbox::DEFAULT_TOKEN).await?;
        assert_eq!(fresh["email"], "corrigido.e2e@example.com");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn uploading_a_document_through_the_file_input_until_it_is_approved() {
    with_app(async |s, base| {
        let (c, item) = with_pending_item(&base, &["identity_card_front", "identity_card_back", "selfie"]).await?;
        let c = &c;
        open_customer(s, c).await?;
        let (name, _, bytes) = kyc_sandbox::docs::sample(item, c["name"].as_str().unwrap_or_default());
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).map_err(|e| e.to_string())?;
        let input = s.wait_for(&format!("[data-testid=file-input-{item}]"), LONG).await?;
        s.send_keys(&input, file.to_str().ok_or("path")?).await?;
        s.wait_for("[data-testid=upload-entry]", LONG).await?;
        let outcome = match s
            .wait_for_texts("[data-testid=upload-state], [data-testid=upload-error]", LONG, |t| !t.is_empty())
            .await
        {
            Ok(o) => o,
            Err(e) => {
                return Err(format!("{e}; the upload shows {:?}", s.texts("[data-testid=upload-entry]").await));
            }
        };
        assert!(s.find_all("[data-testid=upload-error]").await?.is_empty(), "the upload failed: {outcome:?}");
        screenshot(s, "upload").await?;
        // The sandbox reviews it in about 2 s; the detail follows while it is in review.
        wait_item_status(s, item, &["Approved", "Aprovado"]).await?;
        // The document is listed, and the viewer opens on the copy kept here.
        s.wait_for("[data-testid=document]", LONG).await?;
        s.click("[data-testid=document] button").await?;
        s.wait_for("[data-testid=viewer-image], [data-testid=viewer-pdf]", LONG).await?;
        screenshot(s, "document-viewer").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn dropping_two_files_on_an_item_sends_both_with_thumbnails() {
    with_app(async |s, base| {
        let (c, item) = with_pending_item(&base, &["identity_card_front", "identity_card_back"]).await?;
        let c = &c;
        open_customer(s, c).await?;
        let holder = c["name"].as_str().unwrap_or_default();
        let (front, back) = (kyc_sandbox::docs::sample(item, holder), kyc_sandbox::docs::sample("selfie", holder));
        let files =
            [(format!("frente-{}", front.0), front.1, front.2), (format!("outra-foto-{}", back.0), back.1, back.2)];
        s.drop_files(&format!("[data-testid=upload-{item}]"), &files).await?;
        // One entry per file, each with its thumbnail, both sent.
        s.wait_for_texts("[data-testid=upload-entry]", LONG, |t| t.len() == 2).await?;
        assert_eq!(s.find_all("[data-testid=upload-entry] img").await?.len(), 2, "a thumbnail per file");
        s.wait_for_texts("[data-testid=upload-state]", LONG, |t| t.len() == 2).await?;
        assert!(s.find_all("[data-testid=upload-error]").await?.is_empty());
        wait_item_status(s, item, &["In review", "Em análise", "Approved", "Aprovado"]).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn starting_biometrics_and_seeing_it_complete() {
    with_app(async |s, base| {
        let pending = customers(&base, "pending_kyc").await;
        let c = pending
            .iter()
            .find(|c| item_status(c, "biometrics") == Some("pending"))
            .ok_or("a customer who has not done biometrics")?;
        open_customer(s, c).await?;
        s.click("[data-testid=biometrics-start]").await?;
        s.wait_for("[data-testid=biometrics-expiry]", LONG).await?;
        let url = s.property("[data-testid=biometrics-url]", "value").await?;
        assert!(url.starts_with("http://127.0.0.1:"), "a loopback session link: {url}");
        screenshot(s, "biometrics").await?;
        // The customer completes the capture on the session page.
        let r = reqwest::Client::new().post(format!("{url}/complete")).send().await.map_err(|e| e.to_string())?;
        assert!(r.status().is_success(), "completed: {}", r.status());
        s.wait_for("[data-testid=biometrics-done]", LONG).await?;
        wait_item_status(s, "biometrics", &["Approved", "Aprovado"]).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn browsing_and_searching_offline_with_the_sandbox_unreachable() {
    with_app(async |s, base| {
        let active = customers(&base, "active").await;
        let c = active.first().ok_or("an active customer")?.clone();
        // From now on every connection to the sandbox is cut mid-response.
        cut_network(&base, true).await?;
        s.click("[data-testid=sync-now]").await?;
        s.wait_for("[data-testid=offline-banner]", LONG).await?;
        // The cache still answers: search, open, read.
        open_customer(s, &c).await?;
        s.wait_for_texts("[data-testid=detail-status]", LONG, is_one_of(&["Approved", "Aprovado"])).await?;
        screenshot(s, "offline").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn adding_testing_switching_to_and_removing_a_connection() {
    // A second API for the new connection: another sandbox, with seven customers.
    let other = kyc_sandbox::Sandbox::start_local(kyc_sandbox::SandboxConfig {
        seed: kyc_sandbox::Seed::Demo(7),
        ..Default::default()
    })
    .await
    .expect("second sandbox");
    let other_url = other.base_url();
    with_app(async |s, _base| {
        s.click("[data-testid=open-settings]").await?;
        s.wait_for("[data-testid=profile][data-builtin=true]", LONG).await?;
        assert!(s.find_all(ADDED).await?.is_empty(), "a first start has only the built-in sandboxes");
        fill_custom_connection(s, "Parceiro teste", &other_url).await?;
        // A wrong token: the API's refusal is shown, nothing is saved.
        s.type_into("[data-testid=settings] [data-testid=field-secret]", "wrong-token").await?;
        s.click("[data-testid=profile-test]").await?;
        s.wait_for("[data-testid=settings] [data-testid=form-error]", LONG).await?;
        s.replace_text("[data-testid=settings] [data-testid=field-secret]", kyc_sandbox::DEFAULT_TOKEN).await?;
        s.click("[data-testid=profile-test]").await?;
        s.wait_for("[data-testid=test-ok]", LONG).await?;
        screenshot(s, "settings").await?;
        s.click("[data-testid=profile-save]").await?;
        s.wait_for_texts(ADDED_NAMES, LONG, |t| t.len() == 1).await?;
        // The form forgot the secret once it was in the keychain.
        assert_eq!(s.property("[data-testid=settings] [data-testid=field-secret]", "value").await?, "");

        // Switching shows the other API's customers, without the demo badge.
        s.click(&format!("{ADDED} [data-testid=profile-use]")).await?;
        s.wait_for_texts("[data-testid=profile-url]", LONG, |t| t.first() == Some(&other_url)).await?;
        s.click("[data-testid=settings-close]").await?;
        s.wait_for_texts("[data-testid=customer-total]", LONG, |t| t.first().is_some_and(|x| x.starts_with("7 ")))
            .await?;
        assert!(s.find_all("[data-testid=demo-badge]").await?.is_empty(), "no demo badge on a real connection");
        // The old profile's background work stopped with it: past its 15 s tick, the
        // new connection is not reported offline because the built-in sandbox is gone.
        tokio::time::sleep(Duration::from_secs(17)).await;
        assert!(
            s.find_all("[data-testid=offline-banner]").await?.is_empty(),
            "the previous profile's schedule must not report the new one offline"
        );

        // Back to the built-in sandbox, then the new connection can go.
        s.click("[data-testid=open-settings]").await?;
        s.click("[data-testid=profile][data-profile-id=builtin-sandbox] [data-testid=profile-use]").await?;
        s.wait_for("[data-testid=demo-badge]", LONG).await?;
        s.click("[data-testid=profile-remove]").await?;
        s.wait_for_texts(ADDED_NAMES, LONG, <[String]>::is_empty).await?;
        Ok(())
    })
    .await;
    drop(other);
}

#[tokio::test]
async fn a_rotated_token_is_entered_again_in_place() {
    // The partner's API now only takes the rotated token; the connection was saved with
    // the old one.
    let other = kyc_sandbox::Sandbox::start_local(kyc_sandbox::SandboxConfig {
        seed: kyc_sandbox::Seed::Demo(5),
        token: "tok-rotated".into(),
        ..Default::default()
    })
    .await
    .expect("second sandbox");
    let other_url = other.base_url();
    with_app(async |s, _base| {
        use_new_connection(s, "Parceiro", &other_url, "tok-old").await?;
        s.wait_for("[data-testid=sync-error]", LONG).await?;

        // Edit it where it is: the form comes back filled in, without the secret.
        s.click("[data-testid=open-settings]").await?;
        s.click("[data-testid=profile-edit]").await?;
        // (The heading is upper-cased by CSS.)
        s.wait_for_texts("[data-testid=profile-form-title]", LONG, |t| {
            t.len() == 1 && ["edit parceiro", "editar parceiro"].contains(&t[0].to_lowercase().as_str())
        })
        .await?;
        assert_eq!(s.property("[data-testid=settings] [data-testid=field-baseUrl]", "value").await?, other_url);
        assert_eq!(s.property("[data-testid=settings] [data-testid=field-secret]", "value").await?, "");
        // Testing without typing a secret uses the stored one, which the API refuses.
        s.click("[data-testid=profile-test]").await?;
        s.wait_for("[data-testid=settings] [data-testid=form-error]", LONG).await?;
        s.replace_text("[data-testid=settings] [data-testid=field-name]", "Parceiro B").await?;
        s.type_into("[data-testid=settings] [data-testid=field-secret]", "tok-rotated").await?;
        s.click("[data-testid=profile-test]").await?;
        s.wait_for("[data-testid=test-ok]", LONG).await?;
        screenshot(s, "settings-edit").await?;
        s.click("[data-testid=profile-save]").await?;
        s.wait_for_texts("[data-testid=profile-entry-name]", LONG, |t| t.iter().any(|n| n == "Parceiro B")).await?;
        assert_eq!(s.property("[data-testid=settings] [data-testid=field-secret]", "value").await?, "");
        s.click("[data-testid=settings-close]").await?;

        // The connection in use was opened again with the new token: it syncs.
        s.wait_for_texts("[data-testid=customer-total]", LONG, |t| t.first().is_some_and(|x| x.starts_with("5 ")))
            .await?;
        s.wait_for_texts("[data-testid=profile-name]", LONG, |t| t == ["Parceiro B"]).await?;
        assert!(s.find_all("[data-testid=sync-error]").await?.is_empty(), "the refusal is gone");
        s.wait_for_texts(
            "[data-testid=live-updates]",
            LONG,
            is_one_of(&["Checks for updates every 15 s", "Procura atualizações a cada 15 s"]),
        )
        .await?;
        Ok(())
    })
    .await;
    drop(other);
}

#[tokio::test]
async fn a_revoked_token_holds_the_queue_until_the_secret_is_entered_again() {
    // The partner's API, kept in a file so it survives being restarted with a new token.
    let data = tempfile::tempdir().expect("temp dir");
    let config = |token: &str| kyc_sandbox::SandboxConfig {
        seed: kyc_sandbox::Seed::Demo(5),
        token: token.into(),
        data_file: Some(data.path().join("api.sqlite")),
        ..Default::default()
    };
    let api = kyc_sandbox::Sandbox::start_local(config("tok-1")).await.expect("partner sandbox");
    let (addr, url) = (api.addr(), api.base_url());
    let mut api = Some(api);
    with_app(async |s, _base| {
        use_new_connection(s, "Parceiro", &url, "tok-1").await?;
        s.wait_for_texts("[data-testid=customer-total]", LONG, |t| t.first().is_some_and(|x| x.starts_with("5 ")))
            .await?;

        // The partner revokes the token: the API now takes only tok-2.
        drop(api.take());
        let t = std::time::Instant::now();
        let _revoked = loop {
            // (The old server lets go of the port as its task ends.)
            match kyc_sandbox::Sandbox::start(addr, config("tok-2")).await {
                Ok(sb) => break sb,
                Err(e) if t.elapsed() < Duration::from_secs(10) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.to_string()),
            }
        };
        s.click("[data-testid=customer-row]").await?;
        s.click("[data-testid=correct-open]").await?;
        let email = "revogado.e2e@example.com";
        s.replace_text("[data-testid=correct-form] [data-testid=field-email]", email).await?;
        s.wait_for_texts("[data-testid=error-email]", LONG, <[String]>::is_empty).await?;
        s.click("[data-testid=correct-submit]").await?;
        // Kept, not refused: the window asks for the secret again.
        s.wait_for("[data-testid=correct-done]", LONG).await?;
        s.wait_for("[data-testid=credentials-refused]", LONG).await?;
        assert!(s.find_all("[data-testid=outbox-failed]").await?.is_empty(), "nothing marked refused");
        screenshot(s, "credentials-refused").await?;
        s.click("[data-testid=correct-form] button[aria-label]").await?;

        // The new token, entered in place: the held correction goes.
        s.click("[data-testid=open-settings]").await?;
        s.click("[data-testid=profile-edit]").await?;
        s.type_into("[data-testid=settings] [data-testid=field-secret]", "tok-2").await?;
        s.click("[data-testid=profile-save]").await?;
        s.wait_for_texts(ADDED_NAMES, LONG, |t| t.len() == 1).await?;
        s.click("[data-testid=settings-close]").await?;
        let t = std::time::Instant::now();
        loop {
            let list = api_get(&format!("{url}/customers?limit=100"), "tok-2").await?;
            let corrected = list["data"].as_array().is_some_and(|a| a.iter().any(|c| c["email"] == email));
            if corrected {
                break;
            }
            assert!(t.elapsed() < LONG, "the held correction never reached the API");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(s.find_all("[data-testid=credentials-refused]").await?.is_empty(), "the banner is gone");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn every_screen_opens_and_closes_from_the_keyboard() {
    // WebDriver key codes.
    const DOWN: &str = "\u{E015}";
    const ENTER: &str = "\u{E007}";
    const ESCAPE: &str = "\u{E00C}";
    const CTRL: &str = "\u{E009}";
    const RELEASE: &str = "\u{E000}";
    with_app(async |s, _base| {
        // The list takes the focus; ↓ ↓ Enter opens the third customer.
        let names = s.wait_for_texts("[data-testid=customer-name]", LONG, |t| t.len() >= 3).await?;
        let list = s.wait_for("[data-testid=customer-list]", LONG).await?;
        s.send_keys(&list, &format!("{DOWN}{DOWN}{ENTER}")).await?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first() == names.get(2)).await?;
        // Escape closes it.
        s.send_keys_to_focus(ESCAPE).await?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, <[String]>::is_empty).await?;
        // `/` goes to the search box.
        s.send_keys(&list, "/").await?;
        if s.focused_testid().await?.as_deref() != Some("search") {
            return Err(format!("/ should focus the search box, not {:?}", s.focused_testid().await?));
        }
        // Ctrl+N opens the registration form with the focus in it; Escape closes it.
        s.send_keys(&list, &format!("{CTRL}n{RELEASE}")).await?;
        s.wait_for("[data-testid=register-form]", LONG).await?;
        s.send_keys(&list, ESCAPE).await?;
        s.wait_for_texts("[data-testid=register-form]", LONG, <[String]>::is_empty).await?;
        // Ctrl+, opens Settings, a dialog that Escape closes.
        s.send_keys(&list, &format!("{CTRL},{RELEASE}")).await?;
        s.wait_for("[data-testid=settings]", LONG).await?;
        s.send_keys_to_focus(ESCAPE).await?;
        s.wait_for_texts("[data-testid=settings]", LONG, <[String]>::is_empty).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_registration_queued_offline_and_refused_later_comes_back_to_the_form() {
    with_app(async |s, base| {
        let cpf = kyc_model::Cpf::from_base([3, 1, 4, 1, 5, 9, 2, 6, 5]);
        // Someone else registers this CPF under another external id first.
        let theirs = reqwest::Client::new()
            .post(format!("{base}/customers"))
            .bearer_auth(kyc_sandbox::DEFAULT_TOKEN)
            .json(&serde_json::json!({"cpf": cpf.formatted(), "name": "Outra Pessoa", "email": "outra@example.com",
                    "phone": "+5511977776666", "external_id": "theirs"}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        assert_eq!(theirs.status(), 201);
        // The network goes: every connection to the sandbox is cut.
        cut_network(&base, true).await?;

        s.click("[data-testid=new-customer]").await?;
        s.type_into("[data-testid=field-cpf]", &cpf.formatted()).await?;
        s.type_into("[data-testid=field-name]", "Rita Offline Teste").await?;
        s.type_into("[data-testid=field-email]", "rita@example.com").await?;
        s.type_into("[data-testid=field-phone]", "+5511912345678").await?;
        s.type_into("[data-testid=field-external_id]", "mine").await?;
        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=outcome-queued]", LONG).await?;
        s.click("[data-testid=register-form] button[aria-label]").await?;

        // The network is back; the outbox sends it and the API refuses it (409).
        cut_network(&base, false).await?;
        s.wait_for("[data-testid=outbox-failed]", LONG).await?;
        s.click("[data-testid=outbox-failed]").await?;
        let labels = s.wait_for_texts("[data-testid=refused-label]", LONG, |t| t.len() == 1).await?;
        assert!(labels[0].ends_with("Rita Offline Teste"), "{labels:?}");
        s.wait_for_texts("[data-testid=refused-changes] [data-testid=request-id]", LONG, |t| t.len() == 1).await?;
        screenshot(s, "refused-changes").await?;

        // Back in the form, as typed, with the conflict explained; the badge is gone.
        s.click("[data-testid=refused-edit]").await?;
        s.wait_for("[data-testid=register-form] [data-testid=outcome-conflict]", LONG).await?;
        assert_eq!(s.property("[data-testid=field-cpf]", "value").await?, cpf.formatted());
        assert_eq!(s.property("[data-testid=field-name]", "value").await?, "Rita Offline Teste");
        assert_eq!(s.property("[data-testid=field-external_id]", "value").await?, "mine");
        s.wait_for_texts("[data-testid=outbox-failed]", LONG, <[String]>::is_empty).await?;
        Ok(())
    })
    .await;
}

/// The lines the notification server (dunst, started by `cargo xtask e2e` in the app's
/// D-Bus session) was asked to show: `summary<TAB>body`.
fn desktop_notifications() -> Vec<String> {
    let log = std::env::var("KYC_NOTIFY_LOG").expect("KYC_NOTIFY_LOG: run through `cargo xtask e2e`");
    std::fs::read_to_string(log).unwrap_or_default().lines().map(str::to_owned).collect()
}

async fn wait_for_desktop_notification(needle: &str) -> Result<(), String> {
    let t = std::time::Instant::now();
    while !desktop_notifications().iter().any(|l| l.contains(needle)) {
        if t.elapsed() > LONG {
            return Err(format!("no desktop notification with {needle:?}; got {:?}", desktop_notifications()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Sets a kyc item's outcome on the sandbox, as Dinie's reviewers would.
async fn decide(base: &str, customer: &str, item: &str, status: &str, message: Option<&str>) -> Result<(), String> {
    let r = reqwest::Client::new()
        .post(format!("{}/customers/{customer}/kyc/{item}", admin(base)))
        .bearer_auth(admin_token()?)
        .json(&serde_json::json!({"status": status, "message": message}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.status().is_success() { Ok(()) } else { Err(format!("deciding {item}: {}", r.status())) }
}

#[tokio::test]
async fn rejections_and_activations_arrive_live_in_the_window_and_on_the_desktop() {
    // Nobody has these customers open and none has an item in review, so nothing polls
    // them: the next incremental sync is a minute away. What arrives before comes from
    // the sandbox's webhooks, received on the app's loopback listener.
    const LIVE: Duration = Duration::from_secs(20);
    with_app(async |s, base| {
        s.wait_for_texts(
            "[data-testid=live-updates]",
            LONG,
            is_one_of(&["Live updates (webhooks)", "Atualizações ao vivo (webhooks)"]),
        )
        .await?;
        let pending = customers(&base, "pending_kyc").await;
        let (c, item) = pending
            .iter()
            .find_map(|c| {
                c["kyc"]
                    .as_array()?
                    .iter()
                    .find(|i| i["kind"] == "document" && i["status"] == "pending")
                    .map(|i| (c, i))
            })
            .ok_or("a customer with a pending document")?;
        let (id, name) = (c["id"].as_str().unwrap_or_default(), c["name"].as_str().unwrap_or_default());
        let (item_type, description) =
            (item["type"].as_str().unwrap_or_default(), item["description"].as_str().unwrap_or_default());
        decide(&base, id, item_type, "rejected", Some("Documento ilegível")).await?;

        let titles = s.wait_for_texts("[data-testid=notice-title]", LIVE, |t| !t.is_empty()).await?;
        assert!(
            titles == [format!("Rejected: {description}")] || titles == [format!("Item rejeitado: {description}")],
            "{titles:?}"
        );
        let bodies = s.texts("[data-testid=notice-body]").await?;
        assert_eq!(bodies, [format!("{name}: Documento ilegível")]);
        wait_for_desktop_notification(&format!("{name}: Documento ilegível")).await?;
        screenshot(s, "notice").await?;

        // The toast opens the customer, whose checklist already shows the rejection.
        s.click("[data-testid=notice-open]").await?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first().map(String::as_str) == Some(name)).await?;
        wait_item_status(s, item_type, &["Rejected", "Rejeitado"]).await?;

        // With desktop notifications turned off, the window still says it; the desktop does not.
        s.click("[data-testid=open-settings]").await?;
        s.click("[data-testid=desktop-notifications]").await?;
        s.click("[data-testid=settings-close]").await?;
        let reviewing = customers(&base, "under_review").await;
        let r = reviewing.first().ok_or("a customer under review")?;
        let r_name = r["name"].as_str().unwrap_or_default();
        for i in r["kyc"].as_array().into_iter().flatten().filter(|i| i["status"] != "approved") {
            decide(
                &base,
                r["id"].as_str().unwrap_or_default(),
                i["type"].as_str().unwrap_or_default(),
                "approved",
                None,
            )
            .await?;
        }
        s.wait_for_texts("[data-testid=notice-body]", LIVE, |t| {
            t.iter().any(|b| b.starts_with(r_name) && (b.contains("step after it") || b.contains("etapa seguinte")))
        })
        .await?;
        // Give a desktop notification, had one been sent, time to be logged.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let desktop = desktop_notifications();
        assert!(!desktop.iter().any(|l| l.contains(r_name)), "notifications are off: {desktop:?}");

        // Opened from its notice, the active customer shows the credit offer that follows.
        s.click("[data-testid=notice-open]").await?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first().map(String::as_str) == Some(r_name)).await?;
        s.wait_for_texts("[data-testid=detail-status]", LONG, is_one_of(&["Approved", "Aprovado"])).await?;
        let amounts = s.wait_for_texts("[data-testid=offer-amount]", LONG, |t| t.len() == 1).await?;
        let amount = &amounts[0];
        // The API's rate is in percent a month (3.5 means 3.5 %), shown as such.
        let rate = s.texts("[data-testid=offer-rate]").await?;
        let percent: f64 =
            rate[0].trim_end_matches('%').trim().replace(',', ".").parse().map_err(|_| format!("{rate:?}"))?;
        assert!((0.5..20.0).contains(&percent), "a monthly rate in percent: {rate:?}");
        assert!(amount.starts_with("R$") && (amount.ends_with(",00") || amount.ends_with(".00")), "{amounts:?}");
        s.execute(
            "document.querySelector('[data-testid=offers]').scrollIntoView({block: 'center'})",
            serde_json::json!([]),
        )
        .await?;
        screenshot(s, "offers").await?;
        Ok(())
    })
    .await;
}
