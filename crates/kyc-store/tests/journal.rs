//! The journal on real files: appending and reopening, crash repair, and verifying
//! journals tampered with by rewriting the file (edited, removed, reordered entries).

use kyc_store::journal::{
    self, Entry, GENESIS, Journal, JournalError, NewEntry, Problem, Report, SharedJournal, verify, verify_against,
};
use std::io::Write;
use std::path::{Path, PathBuf};

fn action(i: u64) -> NewEntry {
    NewEntry {
        author: "ana".into(),
        profile: "builtin-cartevo".into(),
        customer: (!i.is_multiple_of(3)).then(|| format!("cus_{i}")),
        action: if i.is_multiple_of(2) { "register".into() } else { "note".into() },
        outcome: "created".into(),
    }
}

/// A journal of `n` entries written through [`Journal::append`].
fn journal(n: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut j = Journal::open(&path).unwrap();
    for i in 1..=n {
        j.append(action(i)).unwrap();
    }
    (dir, path)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_owned).collect()
}

fn rewrite(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

fn problems(path: &Path) -> Vec<Problem> {
    verify(path).unwrap().problems
}

fn entry(line: &str) -> Entry {
    serde_json::from_str(line).unwrap()
}

#[test]
fn appending_and_reopening_continue_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut j = Journal::open(&path).unwrap();
    assert!(j.is_empty());
    assert_eq!(j.head(), None);
    let first = j.append(action(1)).unwrap();
    assert_eq!((first.seq, first.prev.as_str()), (1, GENESIS));
    let second = j.append(action(3)).unwrap();
    assert_eq!((second.seq, &second.prev), (2, &first.hash));
    assert_eq!(second.customer, None);
    assert_eq!(j.head(), Some(second.hash.as_str()));
    assert_eq!(j.len(), 2);
    drop(j);

    let mut j = Journal::open(&path).unwrap();
    assert_eq!(j.len(), 2);
    assert_eq!(j.head(), Some(second.hash.as_str()));
    let third = j.append(action(2)).unwrap();
    assert_eq!((third.seq, &third.prev), (3, &second.hash));

    // On disk: one line each, as returned, with hashes that check.
    let on_disk: Vec<Entry> = lines(&path).iter().map(|l| entry(l)).collect();
    assert_eq!(on_disk, vec![first, second, third.clone()]);
    assert!(on_disk.iter().all(|e| e.hash == e.computed_hash() && e.hash.len() == 64));
    assert!(lines(&path)[1].contains(r#""customer":null"#));

    let report = verify(&path).unwrap();
    assert_eq!(report, Report { entries: 3, head: Some(third.hash), problems: vec![] });
    assert!(report.is_clean());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[cfg(unix)]
#[test]
fn an_existing_journal_is_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path) = journal(1);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    Journal::open(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn the_folder_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let err = Journal::open(&dir.path().join("missing").join("journal.jsonl")).unwrap_err();
    assert!(matches!(err, JournalError::Io { .. }), "{err}");
}

#[test]
fn a_torn_last_line_is_cut_off_on_open() {
    let (_dir, path) = journal(3);
    let intact = std::fs::read(&path).unwrap();
    let head = lines(&path)[2].clone();
    // A crash mid-append: part of a line, no newline.
    std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(br#"{"seq":4,"at":"2026-1"#).unwrap();
    assert_eq!(problems(&path), vec![Problem::Unreadable { line: 4 }]);

    let mut j = Journal::open(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), intact);
    assert_eq!(j.len(), 3);
    assert_eq!(j.head(), Some(entry(&head).hash.as_str()));
    assert_eq!(j.append(action(4)).unwrap().seq, 4);
    drop(j);
    assert!(verify(&path).unwrap().is_clean());
}

#[test]
fn a_last_line_missing_only_its_newline_is_kept() {
    let (_dir, path) = journal(2);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.trim_end()).unwrap();
    let mut j = Journal::open(&path).unwrap();
    assert_eq!(j.len(), 2);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    j.append(action(3)).unwrap();
    drop(j);
    assert_eq!(verify(&path).unwrap().entries, 3);
    assert!(verify(&path).unwrap().is_clean());
}

#[test]
fn a_journal_holding_only_a_torn_line_starts_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    std::fs::write(&path, b"{\"seq\":1,\"at").unwrap();
    let mut j = Journal::open(&path).unwrap();
    assert!(j.is_empty());
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    assert_eq!(j.append(action(1)).unwrap().prev, GENESIS);
}

#[test]
fn a_garbage_last_line_is_kept_for_verify_and_the_chain_goes_on() {
    let (_dir, path) = journal(3);
    let head = entry(&lines(&path)[2]).hash;
    std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"not an entry\n").unwrap();
    let mut j = Journal::open(&path).unwrap();
    assert_eq!((j.len(), j.head()), (3, Some(head.as_str())));
    j.append(action(4)).unwrap();
    drop(j);
    assert_eq!(problems(&path), vec![Problem::Unreadable { line: 4 }]);
}

#[test]
fn fields_with_a_newline_are_refused_and_nothing_is_written() {
    let (_dir, path) = journal(2);
    let before = std::fs::read(&path).unwrap();
    let mut j = Journal::open(&path).unwrap();
    let refused = [
        NewEntry { outcome: "created\n{\"seq\":99}".into(), ..action(1) },
        NewEntry { customer: Some("cus_1\r\n".into()), ..action(1) },
        NewEntry { author: "x".repeat(201), ..action(1) },
        NewEntry { action: String::new(), ..action(1) },
        NewEntry { outcome: String::new(), ..action(1) },
    ];
    for e in refused {
        let err = j.append(e.clone()).unwrap_err();
        assert!(matches!(err, JournalError::Invalid(_)), "{e:?}: {err}");
    }
    assert_eq!(j.len(), 2);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(j.append(NewEntry { author: "x".repeat(200), ..action(1) }).unwrap().seq, 3);
}

#[test]
fn a_clean_journal_verifies_clean() {
    let (_dir, path) = journal(10);
    let report = verify(&path).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.entries, 10);
    assert_eq!(report.head, Some(entry(&lines(&path)[9]).hash));

    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().join("journal.jsonl");
    Journal::open(&path).unwrap();
    assert_eq!(verify(&path).unwrap(), Report { entries: 0, head: None, problems: vec![] });
}

#[test]
fn a_missing_journal_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(verify(&dir.path().join("nope.jsonl")), Err(JournalError::Io { .. })));
}

#[test]
fn an_edited_field_names_its_entry() {
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    assert!(l[4].contains(r#""outcome":"created""#));
    l[4] = l[4].replace(r#""outcome":"created""#, r#""outcome":"refused""#);
    rewrite(&path, &l);
    let found = problems(&path);
    assert_eq!(found, vec![Problem::Edited { seq: 5, line: 5 }]);
    assert_eq!(found[0].to_string(), "entry 5 (line 5) was edited: its content no longer matches its hash");
}

#[test]
fn an_edited_seq_or_hash_is_an_edit_only() {
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l[4] = l[4].replace(r#""seq":5,"#, r#""seq":50,"#);
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Edited { seq: 50, line: 5 }]);

    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    let mut e = entry(&l[6]);
    e.hash = e.hash.replace(&e.hash[..4], "ffff");
    l[6] = serde_json::to_string(&e).unwrap();
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Edited { seq: 7, line: 7 }]);
}

#[test]
fn an_edit_with_its_hash_recomputed_is_caught_by_the_next_entry() {
    for target in [0, 4, 8] {
        let (_dir, path) = journal(10);
        let mut l = lines(&path);
        let mut e = entry(&l[target]);
        e.author = "mallory".into();
        e.hash = e.computed_hash();
        l[target] = serde_json::to_string(&e).unwrap();
        rewrite(&path, &l);
        let seq = target as u64 + 1;
        assert_eq!(problems(&path), vec![Problem::Edited { seq, line: seq }], "entry {seq}");
    }
}

#[test]
fn a_removed_entry_is_reported() {
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l.remove(4);
    rewrite(&path, &l);
    let found = problems(&path);
    assert_eq!(found, vec![Problem::Removed { after_seq: 4, missing: 1 }]);
    assert_eq!(found[0].to_string(), "1 entry after entry 4 was removed");

    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l.drain(5..7);
    rewrite(&path, &l);
    let found = problems(&path);
    assert_eq!(found, vec![Problem::Removed { after_seq: 5, missing: 2 }]);
    assert_eq!(found[0].to_string(), "2 entries after entry 5 were removed");

    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l.remove(0);
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Removed { after_seq: 0, missing: 1 }]);
}

#[test]
fn swapped_entries_are_one_reordering() {
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l.swap(3, 4);
    rewrite(&path, &l);
    let found = problems(&path);
    assert_eq!(found, vec![Problem::Reordered { seq: 5, line: 4 }]);
    assert_eq!(found[0].to_string(), "entry 5 (line 4) is out of order");

    // The first two, the last two.
    for (a, b) in [(0, 1), (8, 9)] {
        let (_dir, path) = journal(10);
        let mut l = lines(&path);
        l.swap(a, b);
        rewrite(&path, &l);
        let (seq, line) = (b as u64 + 1, a as u64 + 1);
        assert_eq!(problems(&path), vec![Problem::Reordered { seq, line }], "swap {a} {b}");
    }

    // Two far apart: each is out of place.
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l.swap(1, 7);
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Reordered { seq: 8, line: 2 }, Problem::Reordered { seq: 2, line: 8 }]);
}

#[test]
fn a_moved_entry_is_one_reordering() {
    // Moved to the end.
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    let moved = l.remove(1);
    l.push(moved);
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Reordered { seq: 2, line: 10 }]);

    // Moved to the start.
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    let moved = l.remove(8);
    l.insert(0, moved);
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Reordered { seq: 9, line: 1 }]);

    // Repeated.
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l.insert(6, l[2].clone());
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Reordered { seq: 3, line: 7 }]);
}

#[test]
fn unreadable_lines_are_named_and_stand_in_for_their_entry() {
    // A line mangled in place: unreadable, not also removed.
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l[5] = l[5][..40].to_owned();
    rewrite(&path, &l);
    let found = problems(&path);
    assert_eq!(found, vec![Problem::Unreadable { line: 6 }]);
    assert_eq!(found[0].to_string(), "line 6 is not a journal entry");

    // A line added: unreadable, the chain around it intact.
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l.insert(3, String::new());
    l.insert(7, r#"{"seq":7,"extra":true}"#.into());
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Unreadable { line: 4 }, Problem::Unreadable { line: 8 }]);

    // An unknown field added to an entry.
    let (_dir, path) = journal(10);
    let mut l = lines(&path);
    l[2] = l[2].replacen('{', r#"{"note":"x","#, 1);
    rewrite(&path, &l);
    assert_eq!(problems(&path), vec![Problem::Unreadable { line: 3 }]);
}

#[test]
fn every_problem_in_a_file_is_reported_in_order() {
    let (_dir, path) = journal(20);
    let mut l = lines(&path);
    l[2] = l[2].replace(r#""author":"ana""#, r#""author":"bob""#); // entry 3 edited
    let mut e = entry(&l[9]); // entry 10 edited, its hash recomputed
    e.outcome = "approved".into();
    e.hash = e.computed_hash();
    l[9] = serde_json::to_string(&e).unwrap();
    l.swap(14, 15); // entries 15 and 16 swapped
    l.drain(17..19); // entries 18 and 19 removed
    l.insert(5, "garbage".into()); // a line added after entry 5
    rewrite(&path, &l);
    let report = verify(&path).unwrap();
    assert_eq!(report.entries, 18);
    assert_eq!(
        report.problems,
        vec![
            Problem::Edited { seq: 3, line: 3 },
            Problem::Unreadable { line: 6 },
            Problem::Edited { seq: 10, line: 11 },
            Problem::Reordered { seq: 16, line: 16 },
            Problem::Removed { after_seq: 17, missing: 2 },
        ]
    );
}

#[test]
fn a_removed_tail_shows_only_against_the_head_kept_elsewhere() {
    let (_dir, path) = journal(10);
    let head = entry(&lines(&path)[9]).hash;
    let one_before = entry(&lines(&path)[8]).hash;
    assert!(verify_against(&path, Some(&head)).unwrap().is_clean());
    assert!(verify_against(&path, Some(&head.to_uppercase())).unwrap().is_clean());
    // The head kept lags the journal by an entry (a crash between the two): fine.
    assert!(verify_against(&path, Some(&one_before)).unwrap().is_clean());

    let mut l = lines(&path);
    l.truncate(8);
    rewrite(&path, &l);
    assert!(verify(&path).unwrap().is_clean(), "the file alone cannot show it");
    let found = verify_against(&path, Some(&head)).unwrap().problems;
    assert_eq!(found, vec![Problem::Removed { after_seq: 8, missing: 0 }]);
    assert_eq!(
        found[0].to_string(),
        "the last entries were removed (the journal ends before the head this app last wrote)"
    );

    // Emptied.
    rewrite(&path, &[]);
    std::fs::write(&path, b"").unwrap();
    assert_eq!(
        verify_against(&path, Some(&head)).unwrap().problems,
        vec![Problem::Removed { after_seq: 0, missing: 0 }]
    );

    assert!(matches!(verify_against(&path, Some("abc")), Err(JournalError::Invalid(_))));
}

#[test]
fn a_hundred_thousand_entries_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut prev = GENESIS.to_owned();
    for seq in 1..=100_000u64 {
        let mut e = Entry {
            seq,
            at: format!("2026-11-24T23:{:02}:{:02}.{:03}Z", seq / 6000 % 60, seq / 100 % 60, seq % 1000),
            author: "ana".into(),
            profile: "builtin-cartevo".into(),
            customer: Some(format!("cus_{}", seq % 997)),
            action: "wallet.freeze".into(),
            outcome: "done".into(),
            prev,
            hash: String::new(),
        };
        e.hash = e.computed_hash();
        serde_json::to_writer(&mut out, &e).unwrap();
        out.write_all(b"\n").unwrap();
        prev = e.hash;
    }
    out.into_inner().unwrap().sync_all().unwrap();

    let report = verify_against(&path, Some(&prev)).unwrap();
    assert_eq!(report, Report { entries: 100_000, head: Some(prev.clone()), problems: vec![] });

    // It continues where the file ends.
    let mut j = Journal::open(&path).unwrap();
    assert_eq!((j.len(), j.head()), (100_000, Some(prev.as_str())));
    assert_eq!(j.append(action(1)).unwrap().seq, 100_001);
    drop(j);

    let mut l = lines(&path);
    l[49_999] = l[49_999].replace("wallet.freeze", "wallet.unfreeze");
    l.swap(70_000, 70_001);
    rewrite(&path, &l);
    assert_eq!(
        problems(&path),
        vec![Problem::Edited { seq: 50_000, line: 50_000 }, Problem::Reordered { seq: 70_002, line: 70_001 }]
    );
}

#[test]
fn a_shared_journal_takes_appends_from_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let shared = SharedJournal::open(&path).unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let j = shared.clone();
            s.spawn(move || {
                for i in 0..25 {
                    j.append(action(t * 100 + i)).unwrap();
                }
            });
        }
    });
    assert_eq!(shared.len(), 100);
    let report = verify_against(&path, shared.head().as_deref()).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.entries, 100);
}

#[test]
fn export_copies_the_lines() {
    let (_dir, path) = journal(5);
    let mut out = Vec::new();
    assert_eq!(journal::export(&path, &mut out).unwrap(), 5);
    assert_eq!(out, std::fs::read(&path).unwrap());
    let copy: Vec<Entry> = String::from_utf8(out).unwrap().lines().map(entry).collect();
    assert_eq!(copy.len(), 5);
}

/// A bulk action's entries go in one write: chained as one by one would be, verified
/// clean, continued after a reopen; one refused entry refuses them all.
#[test]
fn a_bulk_action_appends_its_entries_at_once_in_the_chain() {
    let (_dir, path) = journal(2);
    let mut j = Journal::open(&path).unwrap();
    let before = j.head().unwrap().to_owned();
    let written = j.append_all((10..1_010).map(action).collect()).unwrap();
    assert_eq!(written.len(), 1_000);
    assert_eq!((written[0].seq, written[0].prev.as_str()), (3, before.as_str()));
    assert!(written.windows(2).all(|w| w[1].prev == w[0].hash && w[1].seq == w[0].seq + 1));
    assert_eq!(j.head(), Some(written[999].hash.as_str()));
    let report = verify_against(&path, j.head()).unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(report.entries, 1_002);

    let mut bad = action(5);
    bad.outcome = "two\nlines".into();
    assert!(matches!(j.append_all(vec![action(7), bad]), Err(JournalError::Invalid(_))));
    assert_eq!(lines(&path).len(), 1_002, "nothing of a refused batch is written");
    let mut again = Journal::open(&path).unwrap();
    assert_eq!(again.append(action(9)).unwrap().seq, 1_003);
    assert!(verify(&path).unwrap().is_clean());
}
