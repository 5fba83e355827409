//! The reviewer's own marks on customers in the real app: a note (plain text, shown as
//! text) and a tag on a customer, then the journal of those actions verified clean, and
//! found tampered once an entry is altered on disk.

use kyc_desk_e2e::{Session, first_start, screenshot};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_note_and_a_tag_are_journaled_and_an_altered_journal_is_caught() {
    let (s, dir, _) = first_start().await.expect("app started and synced");
    let result = async {
        s.click("[data-testid=customer-row]").await?;
        s.wait_for("[data-testid=notes]", LONG).await?;
        s.type_into("[data-testid=note-input]", "Called the customer <b>today</b>: documents on Monday.").await?;
        s.click("[data-testid=note-add]").await?;
        let bodies = s.wait_for_texts("[data-testid=note-body]", LONG, |t| t.len() == 1).await?;
        assert_eq!(bodies[0], "Called the customer <b>today</b>: documents on Monday.", "shown as text, not HTML");
        assert_eq!(s.find_all("[data-testid=note-body] b").await?.len(), 0);
        s.wait_for("[data-testid=note-edit]", LONG).await?;
        s.type_into("[data-testid=tag-name]", "Follow up").await?;
        s.click("[data-testid=tag-create]").await?;
        s.wait_for_texts("[data-testid=tag-chip]", LONG, |t| t == ["Follow up"]).await?;
        screenshot(&s, "notes-and-tags").await?;
        let tagged = s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.len() == 1).await?[0].clone();

        // Filtered by the tag: that customer alone; saved as a view.
        s.click("[data-testid=customer-detail] button[aria-label]").await?;
        s.click("[data-testid=tag-filter] option:nth-child(2)").await?;
        s.wait_for_texts("[data-testid=customer-name]", LONG, |t| t == [tagged.clone()]).await?;
        s.click("[data-testid=save-view]").await?;
        s.type_into("[data-testid=view-name]", "My follow-ups").await?;
        s.click("[data-testid=view-save]").await?;
        s.wait_for_texts("[data-testid=saved-view]", LONG, |t| t == ["My follow-ups"]).await?;

        s.click("[data-testid=open-settings]").await?;
        s.click("[data-testid=verify-journal]").await?;
        let clean = s.wait_for_texts("[data-testid=journal-clean]", LONG, |t| t.len() == 1).await?;
        assert!(clean[0].starts_with('3') || clean[0].contains(" 3 "), "note, tag created, tag added: {clean:?}");

        // Someone edits the first entry's outcome on disk.
        let path = dir.path().join("journal.jsonl");
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let first = text.lines().next().ok_or("an entry")?.to_owned();
        let altered = first.replace("\"outcome\":\"added\"", "\"outcome\":\"removed\"");
        assert_ne!(first, altered, "the first entry is the note");
        std::fs::write(&path, text.replacen(&first, &altered, 1)).map_err(|e| e.to_string())?;
        s.click("[data-testid=verify-journal]").await?;
        let problems = s.wait_for_texts("[data-testid=journal-problem]", LONG, |t| !t.is_empty()).await?;
        assert!(problems[0].contains("entry 1"), "says which: {problems:?}");
        screenshot(&s, "journal-tampered").await?;
        Ok::<String, String>(tagged)
    }
    .await;
    if result.is_err() {
        let _ = screenshot(&s, "workbench-failure").await;
    }
    s.close().await;
    let tagged = result.expect("notes, tags and the journal");

    // After a restart on the same data: the view is there and opens the same list.
    let arg = dir.path().to_str().expect("UTF-8").to_owned();
    let s = Session::start(&["--data-dir", &arg]).await.expect("restarted");
    let again = async {
        s.wait_for_texts("[data-testid=customer-row]", LONG, |t| !t.is_empty()).await?;
        s.wait_for("[data-testid=saved-view]", LONG).await?;
        // Alt+1: the first saved view, from the keyboard.
        s.send_keys_to_focus("\u{E00A}1\u{E000}").await?;
        s.wait_for_texts("[data-testid=customer-name]", LONG, |t| t == [tagged.clone()]).await?;
        Ok::<(), String>(())
    }
    .await;
    s.close().await;
    again.expect("the saved view after a restart");
}

#[tokio::test]
async fn triage_from_the_work_queue_by_keyboard_only() {
    let (s, _dir, _) = first_start().await.expect("app started and synced");
    let result = async {
        // Ctrl+2: the queue; its list takes the keys.
        s.send_keys_to_focus("\u{E009}2\u{E000}").await?;
        s.wait_for_texts("[data-testid=queue-item]", LONG, |t| t.len() >= 2).await?;
        // (Read as the DOM has them: the driver's visible-text reading of grid cells is empty.)
        let names: Vec<String> = serde_json::from_value(
            s.execute(
                "return [...document.querySelectorAll('[data-testid=queue-name]')].map((e) => e.textContent)",
                serde_json::json!([]),
            )
            .await?,
        )
        .map_err(|e| e.to_string())?;
        assert_eq!(s.focused_testid().await?.as_deref(), Some("queue-list"), "the queue takes the keys");
        // J moves down twice, K back once: the second, oldest but one.
        s.send_keys_to_focus("jjk").await?;
        s.send_keys_to_focus("\u{E007}").await?;
        let want = names.get(1).cloned().ok_or("two waiting")?;
        s.wait_for_texts("[data-testid=detail-name]", LONG, |t| t.first() == Some(&want))
            .await
            .map_err(|e| format!("{e} (queue: {names:?})"))?;
        screenshot(&s, "work-queue").await?;
        Ok::<(), String>(())
    }
    .await;
    if result.is_err() {
        let _ = screenshot(&s, "queue-failure").await;
    }
    s.close().await;
    result.expect("triage by keyboard");
}
