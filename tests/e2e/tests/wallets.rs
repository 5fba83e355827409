//! The desk on the wallets platform in the real built app, on its built-in wallets
//! sandbox: registering a business, a refusal keeping what was typed, a BVN check that
//! flags a mismatch, a wallet opened then frozen with a reason, and browsing offline.

use kyc_desk_e2e::{Session, first_start, screenshot};
use serde_json::{Value, json};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

async fn with_wallets(flow: impl AsyncFnOnce(&Session, String) -> Result<(), String>) {
    let (s, _dir, _) = first_start().await.expect("app started and synced");
    let result = async {
        s.click("[data-testid=open-settings]").await?;
        s.click("[data-testid=profile][data-profile-id=builtin-wallets] [data-testid=profile-use]").await?;
        let url = s
            .wait_for_texts("[data-testid=profile-url]", LONG, |t| {
                t.first().is_some_and(|u| u.starts_with("http") && !u.contains("/api/"))
            })
            .await?[0]
            .clone();
        s.click("[data-testid=settings-close]").await?;
        s.wait_for_texts("[data-testid=customer-row]", LONG, |t| !t.is_empty()).await?;
        flow(&s, url).await
    }
    .await;
    if result.is_err() {
        let _ = screenshot(&s, "wallets-failure").await;
    }
    s.close().await;
    result.expect("end-to-end flow on the wallets platform");
}

fn admin_token() -> Result<String, String> {
    std::env::var(kyc_sandbox::ADMIN_TOKEN_ENV)
        .map_err(|_| format!("{}: run through `cargo xtask e2e`", kyc_sandbox::ADMIN_TOKEN_ENV))
}

async fn admin(base: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
    let mut r = reqwest::Client::new().request(method, format!("{base}/_sandbox{path}")).bearer_auth(admin_token()?);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("{path}: {}", r.status()));
    }
    Ok(r.json().await.unwrap_or_default())
}

async fn api_get(base: &str, path: &str) -> Result<Value, String> {
    let r = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("authorization", kyc_sandbox::WALLETS_API_KEY)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    r.json().await.map_err(|e| e.to_string())
}

/// Opens a customer by searching their name.
async fn open_named(s: &Session, name: &str) -> Result<(), String> {
    s.replace_text("[data-testid=search]", name).await?;
    s.wait_for_texts("[data-testid=customer-name]", LONG, |t| t.first().map(String::as_str) == Some(name)).await?;
    s.click("[data-testid=customer-row]").await?;
    s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first().map(String::as_str) == Some(name)).await?;
    Ok(())
}

#[tokio::test]
async fn wallets_register_a_business_and_a_refusal_keeps_what_was_typed() {
    with_wallets(async |s, base| {
        let taken =
            api_get(&base, "/customers?limit=1").await?["data"][0]["email"].as_str().unwrap_or_default().to_owned();
        s.click("[data-testid=new-customer]").await?;
        s.click("[data-testid=field-type] option[value=business]").await?;
        for (field, value) in [
            ("first_name", "Adebayo"),
            ("last_name", "Foods"),
            ("email", taken.as_str()),
            ("country", "NG"),
            ("phone_number", "0803 123 4567"),
            ("line1", "5 Broad Street"),
            ("city", "Lagos Island"),
            ("state", "Lagos"),
            ("zip_code", "102273"),
        ] {
            s.type_into(&format!("[data-testid=register-form] [data-testid=field-{field}]"), value).await?;
        }
        // The platform refuses the e-mail (409): explained, everything kept.
        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=outcome-conflict]", LONG).await?;
        assert_eq!(s.property("[data-testid=field-line1]", "value").await?, "5 Broad Street");
        assert_eq!(s.property("[data-testid=field-first_name]", "value").await?, "Adebayo");
        screenshot(s, "wallets-register-409").await?;
        s.replace_text("[data-testid=register-form] [data-testid=field-email]", "ops@adebayo-foods.example").await?;
        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=outcome-created]", LONG).await?;
        s.click("[data-testid=outcome-created] button").await?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first().map(String::as_str) == Some("Adebayo Foods"))
            .await?;
        let phone = s.wait_for_texts("[data-testid=detail-phone]", LONG, |t| t.len() == 1).await?;
        assert_eq!(phone[0], "+2348031234567", "sent in E.164 with the billing country's code");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn wallets_a_bvn_check_shows_a_mismatch_beside_the_declared_data() {
    with_wallets(async |s, base| {
        let bvns = admin(&base, reqwest::Method::GET, "/bvns", None).await?;
        let list = bvns.as_array().or_else(|| bvns["data"].as_array()).cloned().ok_or("demo BVNs")?;
        let pick = list.iter().find(|b| b["matches"] == false).ok_or("a mismatching BVN")?;
        let customer = api_get(&base, &format!("/customers/{}", pick["customer_id"].as_str().unwrap_or(""))).await?;
        let name = format!(
            "{} {}",
            customer["data"]["first_name"].as_str().unwrap_or(""),
            customer["data"]["last_name"].as_str().unwrap_or("")
        );
        open_named(s, &name).await?;
        s.click("[data-testid=identity-open]").await?;
        s.type_into("[data-testid=identity-form] [data-testid=field-bvn]", pick["bvn"].as_str().unwrap_or("")).await?;
        // Without the customer's consent, no lookup.
        s.click("[data-testid=identity-submit]").await?;
        s.wait_for("[data-testid=error-consent]", LONG).await?;
        s.click("[data-testid=field-consent]").await?;
        s.click("[data-testid=identity-submit]").await?;
        let verdict = s.wait_for_texts("[data-testid=identity-verdict]", LONG, |t| t.len() == 1).await?;
        assert!(verdict[0].contains("differs") || verdict[0].contains("difere"), "{verdict:?}");
        let flags = s.texts("[data-testid=identity-match]").await?;
        assert!(flags.iter().any(|f| f.starts_with('✗')), "a flagged row: {flags:?}");
        screenshot(s, "wallets-bvn-mismatch").await?;
        // The history keeps that it was checked, not the record.
        s.click("[data-testid=identity-close]").await?;
        s.wait_for_texts("[data-testid=timeline] li", LONG, |t| t.iter().any(|l| l.contains("BVN"))).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn wallets_open_a_wallet_then_freeze_it_with_a_reason_and_browse_offline() {
    with_wallets(async |s, base| {
        // An approved customer without a GBP wallet.
        let list = api_get(&base, "/customers?limit=100").await?;
        let active = list["data"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["status"] == "active").cloned())
            .ok_or("an active customer")?;
        let name =
            format!("{} {}", active["first_name"].as_str().unwrap_or(""), active["last_name"].as_str().unwrap_or(""));
        open_named(s, &name).await?;
        s.click("[data-testid=create-wallet-open]").await?;
        s.click("[data-testid=create-wallet-form] [data-testid=field-currency] option[value=GBP]").await?;
        s.click("[data-testid=create-wallet-submit]").await?;
        s.wait_for("[data-testid=created-made]", LONG).await?;
        s.wait_for("[data-testid=offer][data-currency=GBP][data-status=active]", LONG).await?;
        // Freezing asks why.
        s.click("[data-testid=offer][data-currency=GBP] [data-testid=product-freeze]").await?;
        s.type_into("[data-testid=reason-input]", "Suspicious activity reported by the bank").await?;
        s.click("[data-testid=reason-confirm]").await?;
        s.wait_for("[data-testid=offer][data-currency=GBP][data-status=frozen] [data-testid=product-unfreeze]", LONG)
            .await?;
        s.click("[data-testid=offer][data-currency=GBP] [data-testid=product-details]").await?;
        s.wait_for_texts("[data-testid=product-event]", LONG, |t| t.iter().any(|e| e.contains("Suspicious activity")))
            .await?;
        screenshot(s, "wallets-frozen").await?;
        // Offline: the cache still answers.
        admin(&base, reqwest::Method::POST, "/faults", Some(json!({"drop_next": 1_000_000}))).await?;
        s.click("[data-testid=sync-now]").await?;
        s.wait_for("[data-testid=offline-banner]", LONG).await?;
        s.click("[data-testid=customer-detail] button[aria-label]").await?;
        open_named(s, &name).await?;
        s.wait_for("[data-testid=offer][data-currency=GBP][data-status=frozen]", LONG).await?;
        admin(&base, reqwest::Method::DELETE, "/faults", None).await?;
        Ok(())
    })
    .await;
}
