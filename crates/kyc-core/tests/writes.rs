//! Registering, correcting and uploading through the outbox, online and offline.

mod common;

use common::*;
use kyc_core::WriteResult;
use kyc_core::events::CoreEvent;
use kyc_model::FormValues;
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use std::sync::Arc;
use std::time::Duration;

fn registration(cpf: &str, ext: &str) -> FormValues {
    FormValues::of([
        ("cpf", cpf),
        ("name", "Joana Lima"),
        ("email", "joana@example.com"),
        ("phone", "+5511988887777"),
        ("external_id", ext),
    ])
}

#[tokio::test]
async fn a_registration_is_created_found_again_or_refused_with_the_apis_reason() {
    let sb = sandbox(Seed::Empty).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    let WriteResult::Done { customer_id, created: true } =
        d.register(registration("123.456.789-09", "r1")).await.unwrap()
    else {
        panic!("created")
    };
    assert_eq!(d.store().get_customer(&customer_id).await.unwrap().unwrap().name, "Joana Lima", "cached at once");
    let again = d.register(registration("12345678909", "r1")).await.unwrap();
    assert_eq!(
        again,
        WriteResult::Done { customer_id: customer_id.clone(), created: false },
        "200: already registered"
    );
    let WriteResult::Refused(view) = d.register(registration("123.456.789-09", "r2")).await.unwrap() else {
        panic!("refused")
    };
    assert_eq!((view.code.as_str(), view.status), ("customer_conflict", Some(409)));
    assert!(view.request_id.is_some());
    // Refused while the user waited: the form shows it and keeps what was typed, so the
    // outbox does not count it as something still to deal with.
    assert_eq!(kyc_core::outbox::summary(d.store()).await.unwrap().failed, 0);
    assert!(d.refused_writes().await.unwrap().is_empty());

    let invalid = d.register(FormValues::of([("cpf", "111")])).await.unwrap_err();
    let kyc_core::CoreError::Invalid(fields) = invalid else { panic!("invalid") };
    assert_eq!(fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["cpf", "name", "email", "phone"]);
    assert_eq!(stats(&sb).await["customers_created"], 1);
}

#[tokio::test]
async fn a_queued_write_refused_later_is_kept_with_its_reason_until_dismissed() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&format!("http://{addr}/api/v3"), dir.path()).await;
    // Offline: queued.
    let r = d.register(registration("123.456.789-09", "mine")).await.unwrap();
    assert!(matches!(r, WriteResult::Queued { .. }), "{r:?}");
    // Meanwhile someone registered that CPF under another external id.
    let sb = Sandbox::start(addr, SandboxConfig { seed: Seed::Empty, ..Default::default() }).await.unwrap();
    let other = reqwest::Client::new()
        .post(format!("{}/customers", sb.base_url()))
        .bearer_auth(kyc_sandbox::DEFAULT_TOKEN)
        .json(&serde_json::json!({"cpf": "12345678909", "name": "Outra Pessoa", "email": "o@example.com",
            "phone": "+5511977776666", "external_id": "theirs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 201);
    // Back online, in the background: refused, and kept with its reason and its data.
    d.replay_outbox().await.unwrap();
    assert_eq!(kyc_core::outbox::summary(d.store()).await.unwrap().failed, 1);
    let refused = d.refused_writes().await.unwrap();
    assert_eq!(refused.len(), 1);
    let w = &refused[0];
    assert_eq!((w.kind.as_str(), w.label.as_str()), ("register", "Joana Lima"));
    assert_eq!((w.error.status, w.error.request_id.is_some()), (Some(409), true));
    assert_eq!(w.registration.as_ref().and_then(|r| r.get("external_id")), Some("mine"), "what was typed");
    // Dismissed once read (or put back in the form): gone, and never sent again.
    d.dismiss_write(i64::from(w.seq)).await.unwrap();
    assert!(d.refused_writes().await.unwrap().is_empty());
    assert_eq!(kyc_core::outbox::summary(d.store()).await.unwrap().failed, 0);
    d.replay_outbox().await.unwrap();
    assert_eq!(stats(&sb).await["customers_created"], 1);
}

#[tokio::test]
async fn offline_writes_wait_in_the_outbox_and_go_once_when_the_api_is_back() {
    // Reserve a port, then keep nothing listening on it: the API is "unplugged".
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, events) = desk_at(&format!("http://{addr}/api/v3"), dir.path()).await;
    let mut queued = Vec::new();
    for (i, cpf) in ["123.456.789-09", "529.982.247-25", "111.444.777-35"].iter().enumerate() {
        let r = d.register(registration(cpf, &format!("off-{i}"))).await.unwrap();
        let WriteResult::Queued { seq } = r else { panic!("queued expected, got {r:?}") };
        queued.push(seq);
    }
    assert!(!d.is_online());
    assert_eq!(kyc_core::outbox::summary(d.store()).await.unwrap().pending, 3);
    assert!(events.lock().unwrap().iter().any(|e| matches!(e, CoreEvent::OutboxChanged(s) if s.pending == 3)));

    // The API comes back on the same address.
    let sb = Sandbox::start(addr, SandboxConfig { seed: Seed::Empty, ..Default::default() }).await.unwrap();
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(report.outcomes.len(), 3);
    assert!(report.outcomes.iter().all(|(_, o)| matches!(o, kyc_core::outbox::Outcome::Done { created: true, .. })));
    assert_eq!(report.outcomes.iter().map(|(s, _)| *s).collect::<Vec<_>>(), queued, "in the order they were made");
    assert_eq!(stats(&sb).await["customers_created"], 3);
    assert!(d.replay_outbox().await.unwrap().outcomes.is_empty(), "nothing is sent twice");
    assert_eq!(d.store().count_customers().await.unwrap(), 3);
    assert!(d.is_online());
}

#[tokio::test]
async fn corrections_and_uploads_go_through_and_the_file_stays_for_the_viewer() {
    let sb = sandbox_with(Seed::Empty, |c| c.review_delay = Duration::from_secs(60)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    let WriteResult::Done { customer_id, .. } = d.register(registration("123.456.789-09", "u")).await.unwrap() else {
        panic!()
    };

    let r = d.correct(&customer_id, FormValues::of([("phone", "+5521999990000")])).await.unwrap();
    assert!(matches!(r, WriteResult::Done { .. }));
    assert_eq!(d.store().get_customer(&customer_id).await.unwrap().unwrap().phone, "+5521999990000");
    assert!(d.correct(&customer_id, FormValues::of([("email", "nope")])).await.is_err());
    // An optional field set, then cleared by a correction of its own.
    d.correct(&customer_id, FormValues::of([("trading_name", "Joana Doces")])).await.unwrap();
    let trading = || async { d.store().get_customer(&customer_id).await.unwrap().unwrap().trading_name };
    assert_eq!(trading().await.as_deref(), Some("Joana Doces"));
    let r = d.correct(&customer_id, FormValues::of([("trading_name", "")])).await.unwrap();
    assert!(matches!(r, WriteResult::Done { .. }), "{r:?}");
    assert_eq!(trading().await, None, "cleared");

    let src = dir.path().join("selfie.jpg");
    let (_, _, jpeg) = kyc_sandbox::docs::sample("selfie", "Joana");
    std::fs::write(&src, &jpeg).unwrap();
    let r = d.upload(&customer_id, "selfie", &src).await.unwrap();
    assert!(matches!(r, WriteResult::Done { .. }), "{r:?}");
    std::fs::remove_file(&src).unwrap();
    let docs = d.store().documents_for(&customer_id).await.unwrap();
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert!(doc.id.starts_with("doc_") && doc.sha256.is_some());
    assert_eq!(d.document_bytes(&customer_id, &doc.id).await.unwrap(), jpeg, "a copy survives the original");
    let on_disk = std::fs::read(doc.local_path.as_ref().unwrap()).unwrap();
    assert!(kyc_core::sealed::is_sealed(&on_disk) && !on_disk.windows(64).any(|w| jpeg.windows(64).next() == Some(w)));
    assert!(doc.thumbnail.as_ref().is_some_and(|t| image::load_from_memory(t).is_ok()));
    let c = d.store().get_customer(&customer_id).await.unwrap().unwrap();
    assert_eq!(c.kyc.iter().find(|i| i.item_type == "selfie").unwrap().status.as_str(), "in_review");

    let gif = dir.path().join("x.png");
    std::fs::write(&gif, b"GIF89a------------").unwrap();
    let e = d.upload(&customer_id, "selfie", &gif).await.unwrap_err();
    assert!(e.to_string().contains("PDF, JPEG or PNG"), "{e}");
    assert_eq!(stats(&sb).await["documents_stored"], 1);
}

#[tokio::test]
async fn refused_credentials_hold_the_queue_instead_of_refusing_it() {
    let sb = sandbox(Seed::Empty).await;
    let dir = tempfile::tempdir().unwrap();
    // The connection's token was revoked (or expired): the API answers 401 to everything.
    let events: Events = Arc::default();
    let sink = events.clone();
    let profile = kyc_core::ProfileInfo { name: "t".into(), base_url: sb.base_url(), is_demo: true, webhooks: false };
    let d = kyc_core::Desk::open_dinie(
        profile.clone(),
        kyc_core::dinie::Auth::bearer("dinie_at_revoked"),
        dir.path(),
        Some(&kyc_store::CacheKey::from_bytes([42; 32])),
        Arc::new(move |e| sink.lock().unwrap().push(e)),
    )
    .await
    .unwrap();
    for (i, cpf) in ["123.456.789-09", "529.982.247-25"].iter().enumerate() {
        let r = d.register(registration(cpf, &format!("held-{i}"))).await.unwrap();
        assert!(matches!(r, WriteResult::Queued { .. }), "kept in the queue, not refused: {r:?}");
    }
    let s = kyc_core::outbox::summary(d.store()).await.unwrap();
    assert_eq!((s.pending, s.failed), (2, 0), "nothing marked refused");
    assert!(d.refused_writes().await.unwrap().is_empty());
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, CoreEvent::CredentialsRefused { error } if error.status == Some(401))),
        "the user is told to enter the secret again"
    );
    // The secret entered again: the same queue goes through, in order, once.
    drop(d);
    let (d, _) = desk(&sb, dir.path()).await;
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(report.outcomes.len(), 2);
    assert!(report.credentials_refused.is_none());
    assert_eq!(stats(&sb).await["customers_created"], 2);
}

#[tokio::test]
async fn a_refused_write_can_be_sent_again() {
    let sb = sandbox(Seed::Empty).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    // Queued offline, then refused in the background: the customer is unknown to the API.
    let seq = d
        .store()
        .enqueue(
            "correct",
            Some("cus_missing"),
            r#"{"correct":{"name":"Ana Souza"}}"#,
            "2f9c0f3e-1111-4111-8111-111111111111",
            None,
        )
        .await
        .unwrap()
        .seq;
    d.replay_outbox().await.unwrap();
    assert_eq!(d.refused_writes().await.unwrap().len(), 1);
    // Retried: back in the queue and sent again (refused again here, with the API's reason).
    let report = d.retry_write(seq).await.unwrap();
    assert_eq!(report.outcomes.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [seq], "sent again");
    assert!(matches!(&report.outcomes[0].1, kyc_core::outbox::Outcome::Failed(v) if v.status == Some(404)));
    assert_eq!(d.refused_writes().await.unwrap().len(), 1);
}

#[tokio::test]
async fn copies_left_by_a_crash_before_queuing_are_swept_and_queued_ones_kept() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&format!("http://{addr}/api/v3"), dir.path()).await;
    // Offline: an upload waits in the outbox with its copy.
    let src = dir.path().join("rg.jpg");
    std::fs::write(&src, kyc_sandbox::docs::sample("selfie", "Joana").2).unwrap();
    let WriteResult::Queued { seq } = d.upload("cus_1", "selfie", &src).await.unwrap() else { panic!("queued") };
    let queued = d.store().outbox_entry(seq).await.unwrap().unwrap().file_path.unwrap();
    // A copy made just before a crash, whose outbox entry was never committed.
    let stray = dir.path().join("documents").join("0b7c-stray-cnh.pdf");
    std::fs::write(&stray, b"%PDF-1.7 half a copy").unwrap();
    drop(d);

    let (_d, _) = desk_at(&format!("http://{addr}/api/v3"), dir.path()).await;
    assert!(!stray.exists(), "the stray copy is swept at start");
    assert!(std::path::Path::new(&queued).exists(), "the queued upload's copy stays");
}

/// Personal data at rest is this user's only: the profile's folder and cache, and the
/// copies of uploads waiting to be sent.
#[cfg(unix)]
#[tokio::test]
async fn the_cache_and_upload_copies_are_readable_by_this_user_only() {
    use std::os::unix::fs::PermissionsExt;
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile_dir = dir.path().join("profiles").join("p1");
    let (d, _) = desk_at(&format!("http://{addr}/api/v3"), &profile_dir).await;
    let src = dir.path().join("rg.jpg");
    std::fs::write(&src, kyc_sandbox::docs::sample("selfie", "Joana").2).unwrap();
    let WriteResult::Queued { seq } = d.upload("cus_1", "selfie", &src).await.unwrap() else { panic!("queued") };
    let copy = d.store().outbox_entry(seq).await.unwrap().unwrap().file_path.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&profile_dir), 0o700);
    assert_eq!(mode(&profile_dir.join("cache.sqlite")), 0o600);
    assert_eq!(mode(&profile_dir.join("documents")), 0o700);
    assert_eq!(mode(std::path::Path::new(&copy)), 0o600);
}

/// Copies an earlier version kept in the clear are sealed when the desk opens, and the
/// upload still sends the document's own bytes.
#[tokio::test]
async fn old_clear_copies_are_sealed_at_open_and_still_upload_intact() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://{addr}/api/v3");
    let src = dir.path().join("rg.jpg");
    let jpeg = kyc_sandbox::docs::sample("selfie", "Joana").2;
    std::fs::write(&src, &jpeg).unwrap();
    let profile = kyc_core::ProfileInfo { name: "t".into(), base_url: base.clone(), is_demo: true, webhooks: false };
    let auth = || kyc_core::dinie::Auth::bearer(kyc_sandbox::DEFAULT_TOKEN);
    // An earlier version: no key, the copy in the clear.
    let old =
        kyc_core::Desk::open_dinie(profile.clone(), auth(), dir.path(), None, Arc::new(kyc_core::events::NoEvents))
            .await
            .unwrap();
    // The API keeps its customers across the restarts below.
    let api =
        || SandboxConfig { seed: Seed::Empty, data_file: Some(dir.path().join("api.sqlite")), ..Default::default() };
    let sb = Sandbox::start(addr, api()).await.unwrap();
    let WriteResult::Done { customer_id, .. } = old.register(registration("123.456.789-09", "s")).await.unwrap() else {
        panic!("registered")
    };
    drop(sb);
    let WriteResult::Queued { seq } = old.upload(&customer_id, "selfie", &src).await.unwrap() else { panic!("queued") };
    let copy = old.store().outbox_entry(seq).await.unwrap().unwrap().file_path.unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), jpeg);
    old.store().close().await;
    drop(old);

    let (d, _) = desk_at(&base, dir.path()).await;
    assert!(kyc_core::sealed::is_sealed(&std::fs::read(&copy).unwrap()), "sealed in place at open");
    let _sb = Sandbox::start(addr, api()).await.unwrap();
    let report = d.replay_outbox().await.unwrap();
    assert!(matches!(report.outcomes[..], [(_, kyc_core::outbox::Outcome::Done { .. })]), "{report:?}");
    let docs = d.store().documents_for(&customer_id).await.unwrap();
    let sent = docs.iter().find(|x| x.sha256.is_some()).expect("confirmed by the API");
    use sha2::Digest;
    assert_eq!(sent.sha256.as_deref(), Some(format!("{:x}", sha2::Sha256::digest(&jpeg)).as_str()), "the bytes sent");
}

/// What the window sends is checked before anything is written, and two files of the
/// same name queued at the same moment keep their own copies.
#[tokio::test]
async fn uploads_from_the_window_are_checked_before_anything_is_written_and_never_collide() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk_at(&format!("http://{addr}/api/v3"), dir.path()).await;
    let documents = dir.path().join("documents");
    let files = || std::fs::read_dir(&documents).map(|r| r.count()).unwrap_or(0);

    let mut too_big = kyc_sandbox::docs::sample("selfie", "Joana").2;
    too_big.resize(10 * 1024 * 1024 + 1, 0);
    let Err(kyc_core::CoreError::Invalid(e)) = d.upload_bytes("cus_1", "selfie", "big.jpg", too_big).await else {
        panic!("over 10 MB must be refused")
    };
    assert_eq!(e[0].field, "file");
    assert!(d.upload_bytes("cus_1", "selfie", "x.gif", b"GIF89a.....".to_vec()).await.is_err());
    assert_eq!(files(), 0, "nothing written for a refused file");

    let (a, b) = (kyc_sandbox::docs::sample("selfie", "Ana").2, kyc_sandbox::docs::sample("selfie", "Bia").2);
    let (ra, rb) = tokio::join!(
        d.upload_bytes("cus_1", "selfie", "../../etc/selfie.jpg", a.clone()),
        d.upload_bytes("cus_2", "selfie", "selfie.jpg", b.clone())
    );
    let (WriteResult::Queued { seq: sa }, WriteResult::Queued { seq: sb }) = (ra.unwrap(), rb.unwrap()) else {
        panic!("both queued")
    };
    let pa = d.store().outbox_entry(sa).await.unwrap().unwrap().file_path.unwrap();
    let pb = d.store().outbox_entry(sb).await.unwrap().unwrap().file_path.unwrap();
    assert_ne!(pa, pb);
    assert!(pa.starts_with(documents.to_str().unwrap()), "a crafted name stays in the documents folder: {pa}");
    let docs = d.store().documents_for("cus_1").await.unwrap();
    assert_eq!(d.document_bytes("cus_1", &docs[0].id).await.unwrap(), a);
    let docs = d.store().documents_for("cus_2").await.unwrap();
    assert_eq!(d.document_bytes("cus_2", &docs[0].id).await.unwrap(), b);
}

/// Without its key (the keychain locked or gone), an encrypted demo cache is set aside
/// and the demo starts afresh instead of the app refusing to start; a real profile's
/// cache is never set aside behind the user's back.
#[tokio::test]
async fn an_encrypted_cache_without_its_key_never_blocks_the_demo_nor_is_lost() {
    let sb = sandbox(Seed::Demo(4)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    d.sync().await.unwrap();
    d.store().close().await;
    drop(d);
    let open = |is_demo: bool| {
        let profile = kyc_core::ProfileInfo { name: "t".into(), base_url: sb.base_url(), is_demo, webhooks: false };
        let auth = kyc_core::dinie::Auth::bearer(kyc_sandbox::DEFAULT_TOKEN);
        let dir = dir.path().to_owned();
        async move { kyc_core::Desk::open_dinie(profile, auth, &dir, None, Arc::new(kyc_core::events::NoEvents)).await }
    };
    let Err(e) = open(false).await else { panic!("a real profile's encrypted cache must not be replaced") };
    assert!(e.to_string().contains("keychain"), "{e}");
    assert!(dir.path().join("cache.sqlite").exists());

    let demo = open(true).await.unwrap();
    assert_eq!(demo.store().count_customers().await.unwrap(), 0, "a fresh demo cache");
    assert!(dir.path().join("cache.sqlite.unreadable").exists(), "the old one kept aside, not deleted");
    demo.sync().await.unwrap();
    assert_eq!(demo.store().count_customers().await.unwrap(), 4);
}
