//! The PDF case report of a synced customer: its text read back out of the PDF.

mod common;

use kyc_core::report::ReportContext;
use kyc_core::workbench::NoteView;
use kyc_model::KycItemStatus;
use kyc_report::testing::{extract_text, image_count, squash_whitespace};
use kyc_sandbox::Seed;

#[tokio::test]
async fn the_case_report_holds_the_data_checklist_timeline_notes_thumbnails_and_journal_head() {
    let sb = common::sandbox(Seed::Demo(40)).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::desk(&sb, dir.path()).await;
    d.full_sync().await.unwrap();
    // A customer with a rejected item and the reviewer's message.
    let everyone = d.store().search(&kyc_store::SearchQuery { limit: 100, ..Default::default() }).await.unwrap();
    let c = everyone
        .customers
        .iter()
        .find(|c| c.kyc.iter().any(|i| i.status == KycItemStatus::Rejected && i.message.is_some()))
        .expect("the demo has a rejected item with a message")
        .clone();
    let rejected = c.kyc.iter().find(|i| i.status == KycItemStatus::Rejected && i.message.is_some()).unwrap();
    let (filename, _, bytes) = kyc_sandbox::docs::sample("selfie", "Joana");
    d.upload_bytes(&c.id, "selfie", &filename, bytes).await.unwrap();

    let note = NoteView {
        id: 1,
        author: "Conceição".into(),
        body: "Cliente pediu retorno após às 14h; ação pendente".into(),
        created_at: "2026-11-25T10:00:00Z".into(),
        edited_at: None,
        editable: false,
    };
    let head = "9f".repeat(32);
    let ctx = ReportContext {
        lang: "pt-BR".into(),
        connection: "Sandbox embutido".into(),
        generated_at: time::macros::datetime!(2026-11-25 13:45 UTC),
        journal_head: head.clone(),
        notes: vec![note],
    };
    let pdf = d.case_report(&c.id, &ctx).await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = squash_whitespace(&extract_text(&pdf).unwrap());
    for wanted in [
        format!("Relatório do caso — {}", c.name),
        "Checklist de KYC".to_owned(),
        squash_whitespace(rejected.message.as_deref().unwrap()),
        "Linha do tempo".to_owned(),
        "Cliente pediu retorno após às 14h; ação pendente".to_owned(),
        "Conceição".to_owned(),
        "Gerado em 2026-11-25 13:45 UTC".to_owned(),
        head.clone(),
        c.id.clone(),
    ] {
        assert!(text.contains(&wanted), "{wanted:?} missing from:\n{text}");
    }
    assert_eq!(image_count(&pdf).unwrap(), 1, "the uploaded selfie's thumbnail");

    // In English, the same report speaks English.
    let en = ReportContext { lang: "en".into(), notes: Vec::new(), ..ctx };
    let text = squash_whitespace(&extract_text(&d.case_report(&c.id, &en).await.unwrap()).unwrap());
    assert!(text.contains("Case report") && text.contains("KYC checklist") && text.contains("Nothing recorded."));
}
