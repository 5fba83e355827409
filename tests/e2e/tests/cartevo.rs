//! The desk on Cartevo in the real built app: its built-in Cartevo sandbox chosen in
//! Settings, then registration with both sides of an ID dropped (refused while under
//! 18 with nothing lost, a 409 on the e-mail linking to who has it), the approval
//! arriving, the front previewed, a card issued and frozen, and browsing offline.

use kyc_desk_e2e::{Session, first_start, screenshot};
use serde_json::{Value, json};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// A fresh app switched to its built-in Cartevo sandbox; the flow gets its base URL.
async fn with_cartevo(flow: impl AsyncFnOnce(&Session, String) -> Result<(), String>) {
    let (s, _dir, _) = first_start().await.expect("app started and synced");
    let result = async {
        s.click("[data-testid=open-settings]").await?;
        s.click("[data-testid=profile][data-profile-id=builtin-cartevo] [data-testid=profile-use]").await?;
        let url = s
            .wait_for_texts("[data-testid=profile-url]", LONG, |t| t.first().is_some_and(|u| u.ends_with("/api/v1")))
            .await?[0]
            .clone();
        s.click("[data-testid=settings-close]").await?;
        s.wait_for_texts("[data-testid=customer-row]", LONG, |t| !t.is_empty()).await?;
        flow(&s, url).await
    }
    .await;
    if result.is_err() {
        let _ = screenshot(&s, "cartevo-failure").await;
    }
    s.close().await;
    result.expect("end-to-end flow on Cartevo");
}

/// A token for the sandbox's API, as any Cartevo client gets one.
async fn token(base: &str) -> Result<String, String> {
    let body = json!({"client_id": kyc_sandbox::CARTEVO_CLIENT_ID, "client_key": kyc_sandbox::CARTEVO_CLIENT_KEY});
    let r = reqwest::Client::new()
        .post(format!("{base}/auth/token"))
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let v: Value = r.json().await.map_err(|e| e.to_string())?;
    v["access_token"].as_str().map(str::to_owned).ok_or_else(|| format!("no token: {v}"))
}

async fn api_get(base: &str, path: &str) -> Result<Value, String> {
    let t = token(base).await?;
    let r =
        reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(t).send().await.map_err(|e| e.to_string())?;
    r.json().await.map_err(|e| e.to_string())
}

fn admin_token() -> Result<String, String> {
    std::env::var(kyc_sandbox::ADMIN_TOKEN_ENV)
        .map_err(|_| format!("{}: run through `cargo xtask e2e`", kyc_sandbox::ADMIN_TOKEN_ENV))
}

async fn admin(base: &str, method: reqwest::Method, path: &str, body: Value) -> Result<(), String> {
    let url = format!("{}{path}", base.replace("/api/v1", "/_sandbox"));
    let r = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(admin_token()?)
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.status().is_success() { Ok(()) } else { Err(format!("{path}: {}", r.status())) }
}

fn png(w: u32, h: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([shade, (x % 256) as u8, (y % 256) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("png");
    out.into_inner()
}

/// Sets an input's value as typing would (a date input takes no key presses here).
async fn set_value(s: &Session, css: &str, value: &str) -> Result<(), String> {
    let script = r#"
        const [css, value] = arguments;
        const el = document.querySelector(css);
        if (!el) return false;
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
        setter.call(el, value);
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("blur", { bubbles: true }));
        return true;
    "#;
    match s.execute(script, json!([css, value])).await? {
        Value::Bool(true) => Ok(()),
        v => Err(format!("no input {css}: {v}")),
    }
}

/// Fills the registration form (not the date of birth, nor the files).
async fn fill_registration(s: &Session, email: &str) -> Result<(), String> {
    for (field, value) in [
        ("first_name", "Adaeze"),
        ("last_name", "Okonkwo"),
        ("email", email),
        ("country_phone_code", "+234"),
        ("phone_number", "803 555 0142"),
        ("street", "15 Awolowo Road"),
        ("city", "Ikoyi"),
        ("state", "Lagos"),
        ("postal_code", "101233"),
        ("country", "Nigeria"),
        ("country_iso_code", "NG"),
        ("identification_number", "48213570912"),
    ] {
        s.type_into(&format!("[data-testid=register-form] [data-testid=field-{field}]"), value).await?;
    }
    s.click("[data-testid=field-id_document_type] option[value=NIN]").await
}

#[tokio::test]
async fn cartevo_register_with_both_sides_of_the_id_then_approval_preview_and_a_frozen_card() {
    with_cartevo(async |s, base| {
        s.click("[data-testid=new-customer]").await?;
        fill_registration(s, "adaeze.okonkwo@example.com").await?;
        // ID-card-like pictures, as the sandbox draws them for its demo.
        let card = |side: &str| {
            let (_, mime, bytes) = kyc_sandbox::docs::sample(side, "Adaeze Okonkwo");
            vec![(format!("nin-{side}.png"), mime, bytes)]
        };
        s.drop_files("[data-testid=file-field-id_document_front]", &card("front")).await?;
        s.drop_files("[data-testid=file-field-id_document_back]", &card("back")).await?;
        s.wait_for("[data-testid=attached-id_document_front] img", LONG).await?;
        s.wait_for("[data-testid=attached-id_document_back] img", LONG).await?;

        // Under 18: refused here, with the age, before anything is sent; nothing lost.
        set_value(s, "[data-testid=field-date_of_birth]", "2012-03-09").await?;
        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=error-date_of_birth]", LONG).await?;
        let hint = s.wait_for_texts("[data-testid=hint-date_of_birth]", LONG, |t| t.len() == 1).await?;
        assert!(hint[0].contains("14"), "the age is shown: {hint:?}");
        screenshot(s, "cartevo-register-under-18").await?;
        let none = api_get(&base, "/customers?page=1&limit=100").await?;
        assert!(
            none["data"].as_array().is_some_and(|c| c.iter().all(|c| c["email"] != "adaeze.okonkwo@example.com")),
            "nothing was sent"
        );
        assert_eq!(s.property("[data-testid=field-first_name]", "value").await?, "Adaeze");
        assert_eq!(s.find_all("[data-testid=attached-id_document_front] img").await?.len(), 1, "the front is kept");
        assert_eq!(s.find_all("[data-testid=attached-id_document_back] img").await?.len(), 1, "the back is kept");

        // Of age: created, with both files.
        set_value(s, "[data-testid=field-date_of_birth]", "1991-03-09").await?;
        s.wait_for_texts("[data-testid=error-date_of_birth]", LONG, <[String]>::is_empty).await?;
        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=outcome-created]", LONG).await?;
        s.click("[data-testid=outcome-created] button").await?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, |t| {
            t.first().map(String::as_str) == Some("Adaeze Okonkwo")
        })
        .await?;
        // Cartevo's review ends while the customer is open: approved, pushed to the window.
        s.wait_for_texts("[data-testid=detail-status]", LONG, |t| {
            t.len() == 1 && (t[0] == "Approved" || t[0] == "Aprovado")
        })
        .await?;
        s.wait_for_texts("[data-testid=document]", LONG, |t| t.len() == 2).await?;
        assert_eq!(s.find_all("[data-testid=no-actions]").await?.len(), 1, "says plainly what Cartevo cannot do");
        assert!(s.find_all("[data-testid=correct-open]").await?.is_empty(), "no correction button");

        // The front, beside the declared data.
        s.click("[data-testid=document] button").await?;
        s.wait_for("[data-testid=document-viewer] img", LONG).await?;
        screenshot(s, "cartevo-id-preview").await?;
        s.send_keys_to_focus("\u{E00C}").await?;

        // A card: issued, then frozen.
        s.click("[data-testid=create-card-open]").await?;
        s.click("[data-testid=create-card-form] [data-testid=field-brand] option[value=VISA]").await?;
        s.type_into("[data-testid=create-card-form] [data-testid=field-name_on_card]", "ADAEZE OKONKWO").await?;
        s.type_into("[data-testid=create-card-form] [data-testid=field-amount]", "25.50").await?;
        s.click("[data-testid=create-card-submit]").await?;
        s.wait_for("[data-testid=created-made]", LONG).await?;
        let amounts = s.wait_for_texts("[data-testid=offer-amount]", LONG, |t| t.len() == 1).await?;
        assert!(amounts[0].contains("25.50") || amounts[0].contains("25,50"), "{amounts:?}");
        s.click("[data-testid=product-freeze]").await?;
        s.wait_for_texts("[data-testid=product-status]", LONG, |t| {
            t.len() == 1 && (t[0] == "Frozen" || t[0] == "Bloqueado")
        })
        .await?;
        s.wait_for("[data-testid=product-unfreeze]", LONG).await?;
        screenshot(s, "cartevo-card").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn cartevo_a_409_on_the_email_names_the_field_and_opens_who_has_it() {
    with_cartevo(async |s, base| {
        let list = api_get(&base, "/customers?page=1&limit=5").await?;
        let taken = list["data"][0].clone();
        let email = taken["email"].as_str().ok_or("an e-mail")?.to_owned();
        let name =
            format!("{} {}", taken["first_name"].as_str().unwrap_or(""), taken["last_name"].as_str().unwrap_or(""));
        s.click("[data-testid=new-customer]").await?;
        fill_registration(s, &email).await?;
        s.click("[data-testid=field-id_document_type] option[value=PASSPORT]").await?;
        set_value(s, "[data-testid=field-date_of_birth]", "1988-11-30").await?;
        s.drop_files(
            "[data-testid=file-field-id_document_front]",
            &[("passport.png".to_owned(), "image/png", png(600, 420, 90))],
        )
        .await?;
        s.wait_for("[data-testid=attached-id_document_front] img", LONG).await?;
        // Not used for a passport: the back is not asked for.
        assert!(s.find_all("[data-testid=file-field-id_document_back]").await?.is_empty());
        s.click("[data-testid=register-submit]").await?;
        s.wait_for("[data-testid=outcome-conflict]", LONG).await?;
        s.wait_for("[data-testid=error-email]", LONG).await?;
        screenshot(s, "cartevo-register-409").await?;
        s.click("[data-testid=conflict-open]").await?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first() == Some(&name)).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn cartevo_browsing_and_previewing_an_id_offline() {
    with_cartevo(async |s, base| {
        // Opened once online: its ID images are copied for the viewer.
        s.click("[data-testid=customer-row]").await?;
        s.wait_for_texts("[data-testid=document]", LONG, |t| !t.is_empty()).await?;
        let name = s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.len() == 1).await?[0].clone();
        s.click("[data-testid=customer-detail] button[aria-label]").await?;
        // Every connection cut mid-answer from now on.
        admin(&base, reqwest::Method::POST, "/faults", json!({"drop_next": 1_000_000})).await?;
        s.click("[data-testid=sync-now]").await?;
        s.wait_for("[data-testid=offline-banner]", LONG).await?;
        s.replace_text("[data-testid=search]", &name).await?;
        s.wait_for_texts("[data-testid=customer-name]", LONG, |t| t.first() == Some(&name)).await?;
        s.click("[data-testid=customer-row]").await?;
        s.click("[data-testid=document] button").await?;
        s.wait_for("[data-testid=document-viewer] img", LONG).await?;
        screenshot(s, "cartevo-offline").await?;
        admin(&base, reqwest::Method::DELETE, "/faults", json!({})).await?;
        Ok(())
    })
    .await;
}
