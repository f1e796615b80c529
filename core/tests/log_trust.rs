//! The log's head kept beyond the database, on real SQLCipher files: an older copy put back, a
//! tail cut with or without the head row edited to match, an emptied log and an edited head row
//! are each found, with the sequence number involved; honest use (a crash between the commit
//! and the secret store's write, a purge, a new store after a wipe) raises nothing.

mod common;

use common::raw_connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use televisit_core::clock::FixedClock;
use televisit_core::log::{Actor, EntryKind, NewEntry, Tamper, Verification};
use televisit_core::secrets::MemorySecretStore;
use televisit_core::{SecretStore, StoreOptions, Televisit};

struct Phone {
    dir: tempfile::TempDir,
    secrets: Arc<MemorySecretStore>,
}

impl Phone {
    fn new() -> Phone {
        Phone { dir: tempfile::tempdir().unwrap(), secrets: Arc::new(MemorySecretStore::new()) }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("televisit.db")
    }

    /// As the shells open it: the head kept in the secret store.
    fn open(&self) -> (Televisit, Option<(u64, Tamper)>) {
        let tv = self.open_unguarded();
        let finding = tv.protect_log_head(self.secrets.clone()).unwrap();
        (tv, finding)
    }

    fn open_unguarded(&self) -> Televisit {
        let clock = Arc::new(FixedClock::at("2026-01-01T09:00:00Z"));
        Televisit::open(&self.db(), &*self.secrets, clock, &StoreOptions::default()).unwrap()
    }

    fn raw(&self) -> rusqlite::Connection {
        raw_connection(&self.db(), &*self.secrets)
    }
}

fn append(tv: &Televisit, n: usize) {
    for _ in 0..n {
        tv.log_append_any(&NewEntry::new(EntryKind::CallLaunched, Actor::Clinician)).unwrap();
    }
}

fn head(tv: &Televisit) -> u64 {
    match tv.log_verify().unwrap() {
        Verification::Intact { head, .. } => head.seq,
        broken => panic!("not intact: {broken:?}"),
    }
}

fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
}

#[test]
fn an_older_copy_of_the_database_put_back_is_found() {
    let phone = Phone::new();
    let (tv, finding) = phone.open();
    assert_eq!(finding, None, "a new store");
    append(&tv, 3);
    let old_head = head(&tv);
    drop(tv);
    let backup = phone.dir.path().join("backup.db");
    copy_db(&phone.db(), &backup);
    let (tv, _) = phone.open();
    append(&tv, 4);
    let expected = head(&tv);
    drop(tv);
    // `cp`: no key needed.
    copy_db(&backup, &phone.db());
    let (tv, finding) = phone.open();
    assert_eq!(finding, Some((old_head + 1, Tamper::RolledBack)));
    assert_eq!(tv.log_verify().unwrap(), Verification::Broken { seq: old_head + 1, problem: Tamper::RolledBack });
    assert_eq!(tv.log_protected_head().unwrap(), Some(expected), "the evidence is kept");
    // Working on does not launder it: the protected head stays, and so does the finding.
    for _ in 0..10 {
        tv.log_append_any(&NewEntry::new(EntryKind::CallAttemptFailed, Actor::Clinician)).unwrap();
    }
    drop(tv);
    let (tv, _) = phone.open();
    assert!(matches!(tv.log_verify().unwrap(), Verification::Broken { problem: Tamper::RolledBack, .. }));
    assert!(!tv.integrity_check().unwrap().is_ok());
}

#[test]
fn a_cut_tail_is_found_with_or_without_the_head_row_edited() {
    for fix_head in [false, true] {
        let phone = Phone::new();
        let (tv, _) = phone.open();
        append(&tv, 6);
        let last = head(&tv);
        drop(tv);
        let raw = phone.raw();
        raw.execute("DELETE FROM log_entries WHERE seq > ?1", [last as i64 - 2]).unwrap();
        if fix_head {
            // What someone without the key can do: point the head row at the new last entry.
            raw.execute(
                "UPDATE log_chain SET head_seq = ?1, head_mac = (SELECT mac FROM log_entries WHERE seq = ?1)",
                [last as i64 - 2],
            )
            .unwrap();
        }
        drop(raw);
        let (tv, finding) = phone.open();
        assert_eq!(finding, Some((last - 1, Tamper::TailCut)), "head row edited: {fix_head}");
        assert_eq!(tv.log_verify_head().unwrap(), Verification::Broken { seq: last - 1, problem: Tamper::TailCut });
    }
}

#[test]
fn an_emptied_log_is_told_apart_from_a_new_store() {
    let phone = Phone::new();
    let (tv, _) = phone.open();
    append(&tv, 2);
    drop(tv);
    let raw = phone.raw();
    raw.execute_batch("DELETE FROM log_entries; DELETE FROM log_chain;").unwrap();
    drop(raw);
    let (tv, finding) = phone.open();
    assert_eq!(finding, Some((1, Tamper::Emptied)));
    assert_eq!(tv.log_verify().unwrap(), Verification::Broken { seq: 1, problem: Tamper::Emptied });

    // Every entry deleted and the head row left as it was: emptied too, not a cut tail.
    let kept_row = Phone::new();
    let (tv, _) = kept_row.open();
    append(&tv, 2);
    drop(tv);
    kept_row.raw().execute_batch("DELETE FROM log_entries;").unwrap();
    let (_, finding) = kept_row.open();
    assert_eq!(finding, Some((1, Tamper::Emptied)));

    // A new store (a new phone, or one wiped and started again) is not an emptied one.
    let fresh = Phone::new();
    let (tv, finding) = fresh.open();
    assert_eq!(finding, None);
    assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { .. }));
}

#[test]
fn an_edited_head_row_is_found() {
    let phone = Phone::new();
    let (tv, _) = phone.open();
    append(&tv, 3);
    let last = head(&tv);
    drop(tv);
    let raw = phone.raw();
    raw.execute("UPDATE log_chain SET start_mac = zeroblob(32)", []).unwrap();
    drop(raw);
    let (tv, finding) = phone.open();
    assert_eq!(finding, Some((last, Tamper::HeadForged)));
    assert_eq!(tv.log_verify().unwrap(), Verification::Broken { seq: last, problem: Tamper::HeadForged });
}

#[test]
fn the_public_chains_head_cannot_be_edited_or_dropped_unnoticed() {
    for edit in
        ["UPDATE log_chain SET head_hash = zeroblob(32)", "UPDATE log_chain SET start_hash = NULL, head_hash = NULL"]
    {
        let phone = Phone::new();
        let (tv, _) = phone.open();
        append(&tv, 3);
        let last = head(&tv);
        let checkpoint = tv.log_checkpoint().unwrap();
        assert_eq!(checkpoint.n, last, "the checkpoint's size is the head's sequence number");
        drop(tv);
        let raw = phone.raw();
        raw.execute(edit, []).unwrap();
        drop(raw);
        let (tv, finding) = phone.open();
        assert_eq!(finding, Some((last, Tamper::HeadForged)), "{edit}");
        assert_eq!(tv.log_verify().unwrap(), Verification::Broken { seq: last, problem: Tamper::HeadForged });
    }
}

#[test]
fn honest_use_raises_nothing() {
    let phone = Phone::new();
    let (tv, _) = phone.open();
    append(&tv, 5);
    drop(tv);
    // A crash after the database's commit and before the secret store's write: the database is
    // ahead of the protected head, and its chain holds it.
    let tv = phone.open_unguarded();
    append(&tv, 2);
    let now = head(&tv);
    drop(tv);
    let (tv, finding) = phone.open();
    assert_eq!(finding, None);
    assert_eq!(tv.log_protected_head().unwrap(), Some(now), "caught up");
    append(&tv, 1);
    assert_eq!(tv.log_protected_head().unwrap(), Some(now + 1), "every commit that moves the head writes it");
    assert!(tv.integrity_check().unwrap().is_ok());
    // Reopened many times, nothing changes.
    drop(tv);
    for _ in 0..3 {
        let (tv, finding) = phone.open();
        assert_eq!(finding, None);
        assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { .. }));
    }
    // An entry changed in place is the chain's own finding.
    let raw = phone.raw();
    raw.execute("UPDATE log_entries SET at_ms = at_ms + 1 WHERE seq = ?1", [now as i64 - 1]).unwrap();
    drop(raw);
    let (tv, _) = phone.open();
    assert!(matches!(tv.log_verify().unwrap(), Verification::Broken { problem: Tamper::Changed, .. }));
}

#[test]
fn a_store_from_before_the_head_was_kept_is_trusted_once_then_protected() {
    let phone = Phone::new();
    let tv = phone.open_unguarded();
    append(&tv, 3);
    drop(tv);
    assert!(phone.secrets.get(televisit_core::secrets::names::LOG_HEAD).unwrap().is_none());
    let (tv, finding) = phone.open();
    assert_eq!(finding, None);
    let protected = tv.log_protected_head().unwrap();
    assert_eq!(protected, Some(head(&tv)));
}
