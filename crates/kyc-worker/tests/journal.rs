//! `kyc-worker journal verify` and `journal export`, run as the built binary on real
//! journals: a clean one, one tampered with, one cut short.

use kyc_store::journal::{Journal, NewEntry};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn worker(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyc-worker")).args(args).output().expect("run kyc-worker")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A journal of `n` entries; its head.
fn journal(dir: &Path, n: u64) -> (PathBuf, String) {
    let path = dir.join("journal.jsonl");
    let mut j = Journal::open(&path).unwrap();
    for i in 1..=n {
        j.append(NewEntry {
            author: "ana".into(),
            profile: "builtin-cartevo".into(),
            customer: Some(format!("cus_{i}")),
            action: "register".into(),
            outcome: "created".into(),
        })
        .unwrap();
    }
    let head = j.head().unwrap().to_owned();
    (path, head)
}

fn rewrite_lines(path: &Path, f: impl FnOnce(&mut Vec<String>)) {
    let mut lines: Vec<String> = std::fs::read_to_string(path).unwrap().lines().map(str::to_owned).collect();
    f(&mut lines);
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_clean_journal_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (path, head) = journal(dir.path(), 5);
    let path = path.to_str().unwrap();
    for args in [vec!["journal", "verify", path], vec!["journal", "verify", path, "--head", &head]] {
        let o = worker(&args);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        assert_eq!(stdout(&o), format!("journal: 5 entries, head {head}, clean\n"));
    }
}

#[test]
fn a_tampered_journal_fails_and_names_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = journal(dir.path(), 8);
    rewrite_lines(&path, |l| {
        l[2] = l[2].replace("cus_3", "cus_9");
        l.swap(5, 6);
    });
    let o = worker(&["journal", "verify", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(
        stdout(&o),
        "entry 3 (line 3) was edited: its content no longer matches its hash\nentry 7 (line 6) is out of order\n"
    );
}

#[test]
fn a_journal_cut_short_fails_only_against_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let (path, head) = journal(dir.path(), 6);
    rewrite_lines(&path, |l| l.truncate(4));
    let path = path.to_str().unwrap();
    assert_eq!(worker(&["journal", "verify", path]).status.code(), Some(0));
    let o = worker(&["journal", "verify", path, "--head", &head]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(stdout(&o), "the last entries were removed (the journal ends before the head this app last wrote)\n");
}

#[test]
fn bad_arguments_and_missing_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.jsonl");
    let (path, _) = journal(dir.path(), 1);
    let path = path.to_str().unwrap();
    for args in [
        vec!["journal"],
        vec!["journal", "verify"],
        vec!["journal", "check", path],
        vec!["journal", "verify", path, "--head"],
        vec!["journal", "verify", path, "--head", "xyz"],
        vec!["journal", "verify", missing.to_str().unwrap()],
        vec!["journal", "export", missing.to_str().unwrap()],
    ] {
        let o = worker(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn export_copies_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = journal(dir.path(), 3);
    let original = std::fs::read(&path).unwrap();

    let o = worker(&["journal", "export", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(o.stdout, original);

    let out = dir.path().join("copy.jsonl");
    let o = worker(&["journal", "export", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(stdout(&o), format!("journal: 3 lines exported to {}\n", out.display()));
    assert_eq!(std::fs::read(&out).unwrap(), original);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
