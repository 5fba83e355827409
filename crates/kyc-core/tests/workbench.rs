//! The workbench over real files: what a desk does is journaled (ids only), notes and
//! tags too, and the journal verifies clean until someone changes it on disk.

mod common;

use kyc_core::WriteResult;
use kyc_core::workbench::Workbench;
use kyc_model::FormValues;
use kyc_sandbox::Seed;
use std::time::Duration;

#[tokio::test]
async fn a_desks_actions_notes_and_tags_are_journaled_with_ids_only_and_tampering_shows() {
    let sb = common::sandbox(Seed::Empty).await;
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = common::desk(&sb, &dir.path().join("p1")).await;
    let key = kyc_store::CacheKey::from_bytes([5; 32]);
    let wb = Workbench::open(dir.path(), Some(&key), "ana".into()).await.unwrap();
    d.set_recorder(wb.recorder("p1"));
    let r = FormValues::of([
        ("cpf", "529.982.247-25"),
        ("name", "Helena Duarte"),
        ("email", "helena@example.com"),
        ("phone", "11 98765-4321"),
    ]);
    let WriteResult::Done { customer_id, .. } = d.register(r).await.unwrap() else { panic!() };
    wb.add_note("p1", &customer_id, "Called: documents Monday.").await.unwrap();
    let tag = wb.create_tag("p1", "Follow up", "#1976d2").await.unwrap();
    wb.tag("p1", std::slice::from_ref(&customer_id), tag.id).await.unwrap();
    // The desk's recorder writes from a task of its own.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let text = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    let actions: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| format!("{}:{}", v["action"].as_str().unwrap(), v["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, ["register:created", "note:added", "tag:created", "tag:added"]);
    for personal in ["Helena", "helena@", "52998224725", "98765", "Monday"] {
        assert!(!text.contains(personal), "no personal data in the journal ({personal})");
    }
    assert!(text.contains(&customer_id) && text.contains("\"author\":\"ana\""));
    let check = wb.verify_journal().await.unwrap();
    assert!(check.clean && check.entries == 4, "{check:?}");

    // An entry changed on disk is named.
    let path = dir.path().join("journal.jsonl");
    std::fs::write(&path, text.replacen("\"outcome\":\"added\"", "\"outcome\":\"deleted\"", 1)).unwrap();
    let check = wb.verify_journal().await.unwrap();
    assert!(!check.clean);
    assert_eq!(check.problems, ["entry 2 (line 2) was edited: its content no longer matches its hash"]);
    // The last entry cut off: caught against the head the app kept.
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, format!("{}\n", lines[..3].join("\n"))).unwrap();
    let check = wb.verify_journal().await.unwrap();
    assert!(!check.clean, "{check:?}");
}

#[tokio::test]
async fn notes_keep_their_authors_and_only_the_author_edits_them() {
    let dir = tempfile::tempdir().unwrap();
    let key = kyc_store::CacheKey::from_bytes([5; 32]);
    let ana = Workbench::open(dir.path(), Some(&key), "ana".into()).await.unwrap();
    let n = ana.add_note("p1", "c1", "first").await.unwrap();
    assert!(n.editable);
    assert_eq!(ana.edit_note("p1", n.id, "first, fixed").await.unwrap().body, "first, fixed");
    drop(ana);
    let bruno = Workbench::open(dir.path(), Some(&key), "bruno".into()).await.unwrap();
    let notes = bruno.notes("p1", "c1").await.unwrap();
    assert!(!notes[0].editable, "another's note");
    let e = bruno.edit_note("p1", n.id, "mine").await.unwrap_err();
    assert_eq!(kyc_core::ErrorView::from(e).code, "refused");
}

#[tokio::test]
async fn the_name_set_in_settings_signs_notes_and_the_journal_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let key = kyc_store::CacheKey::from_bytes([5; 32]);
    let wb = Workbench::open(dir.path(), Some(&key), "root".into()).await.unwrap();
    assert_eq!(wb.set_author("Ana Reviewer").await.unwrap(), "Ana Reviewer");
    let n = wb.add_note("p1", "c1", "hello").await.unwrap();
    assert_eq!(n.author, "Ana Reviewer");
    assert!(wb.set_author("x\ny").await.is_err(), "no control characters");
    drop(wb);
    let again = Workbench::open(dir.path(), Some(&key), "root".into()).await.unwrap();
    assert_eq!(again.author(), "Ana Reviewer", "kept across restarts");
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    assert!(journal.contains("\"author\":\"Ana Reviewer\""));
    assert_eq!(again.set_author("").await.unwrap(), kyc_core::author(), "empty: the OS user again");
}
