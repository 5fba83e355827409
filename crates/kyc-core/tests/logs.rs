//! What the core writes to the logs, captured at the most detailed level while it
//! registers, corrects, uploads, syncs and is refused: no customer's name, e-mail, phone
//! or CPF reaches a log line once it has been through the app's masking, and none of
//! the names or e-mails is logged at all (masking cannot recognise a name, so the core
//! must never write one).

mod common;

use common::*;
use kyc_core::WriteResult;
use kyc_model::FormValues;
use kyc_sandbox::Seed;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_name_e_mail_phone_or_cpf_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sb = sandbox(Seed::Demo(30)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = desk(&sb, dir.path()).await;
    d.sync().await.unwrap();
    let r = FormValues::of([
        ("cpf", "529.982.247-25"),
        ("name", "Heloísa Quintanilha Brandão"),
        ("email", "heloisa.quintanilha@example.com"),
        ("phone", "(21) 98877-6655"),
        ("external_id", "log-1"),
    ]);
    let WriteResult::Done { customer_id, .. } = d.register(r.clone()).await.unwrap() else { panic!("created") };
    let mut again = r.clone();
    again.0.insert("external_id".into(), "log-2".into());
    let _ = d.register(again).await.unwrap(); // 409
    let fix = FormValues::of([("email", "heloisa.q@example.com")]);
    d.correct(&customer_id, fix).await.unwrap();
    let src = dir.path().join("selfie.jpg");
    std::fs::write(&src, kyc_sandbox::docs::sample("selfie", "Heloísa").2).unwrap();
    d.upload(&customer_id, "selfie", &src).await.unwrap();
    d.sync().await.unwrap();

    let raw = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(raw.lines().count() > 3, "the flow logged something: {raw}");
    let masked = kyc_core::redact::redact(&raw);
    let demo = kyc_sandbox::seed::demo(30, time::OffsetDateTime::now_utc());
    let mut personal: Vec<String> = vec![
        "Heloísa".into(),
        "Quintanilha".into(),
        "heloisa".into(),
        "98877".into(),
        "529.982".into(),
        "52998224725".into(),
    ];
    for c in &demo {
        personal.push(c.name.clone());
        personal.push(c.email.clone());
        personal.push(c.cpf.clone());
    }
    for p in &personal {
        assert!(!raw.contains(p.as_str()), "{p:?} was written to a log line:\n{raw}");
        assert!(!masked.contains(p.as_str()), "{p:?} survives masking:\n{masked}");
    }
}
