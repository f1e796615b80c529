//! The activity log: append, list, the HMAC chain, and every kind of tampering it must name.

mod common;

use chrono::Duration;
use common::{Profile, SetPolicy};
use televisit_core::log::{Actor, Detail, EntryKind, LogQuery, NewEntry, PatientRef, Tamper, Verification};
use televisit_core::{Error, Policy, Televisit};

fn entry(kind: EntryKind) -> NewEntry {
    NewEntry::new(kind, Actor::Clinician)
}

/// A store with `n` entries after store_created, one a minute.
fn with_entries(n: usize) -> (Profile, Televisit) {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    for i in 0..n {
        profile.clock.advance(Duration::minutes(1));
        tv.log_append(&entry(EntryKind::CallLaunched).detail(Detail::new().int("n", i as i64))).unwrap();
    }
    (profile, tv)
}

fn broken(tv: &Televisit) -> (u64, Tamper) {
    match tv.log_verify().unwrap() {
        Verification::Broken { seq, problem } => (seq, problem),
        intact => panic!("tampering not found: {intact:?}"),
    }
}

#[test]
fn appended_entries_list_back_with_their_fields() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let patient = PatientRef::generate().unwrap();
    profile.clock.advance(Duration::minutes(5));
    let appended = tv
        .log_append_any(
            &entry(EntryKind::ConsentRecorded)
                .patient(patient.clone())
                .detail(Detail::new().code("method", "verbal").int("text_version", 2)),
        )
        .unwrap();
    assert_eq!(appended.seq, 2, "store_created is entry 1");
    let listed = tv.log_list(&LogQuery::default()).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].kind, EntryKind::StoreCreated);
    assert_eq!(listed[1], appended);
    assert_eq!(listed[1].at, profile.clock_now());
    assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { count: 2, .. }));
}

trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}
impl ClockNow for Profile {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use televisit_core::Clock;
        self.clock.now()
    }
}

#[test]
fn list_filters_by_time_kind_patient_and_limit() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let susan = PatientRef::generate().unwrap();
    let other = PatientRef::generate().unwrap();
    let start = profile.clock_now();
    for (i, kind) in
        [EntryKind::PatientAdded, EntryKind::ConsentRecorded, EntryKind::CallLaunched, EntryKind::CallLaunched]
            .iter()
            .enumerate()
    {
        profile.clock.advance(Duration::hours(1));
        let who = if i % 2 == 0 { &susan } else { &other };
        tv.log_append_any(&entry(*kind).patient(who.clone())).unwrap();
    }
    let calls = tv.log_list(&LogQuery { kinds: vec![EntryKind::CallLaunched], ..Default::default() }).unwrap();
    assert_eq!(calls.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4, 5]);
    let susans = tv.log_list(&LogQuery { patient: Some(susan.clone()), ..Default::default() }).unwrap();
    assert_eq!(susans.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 4]);
    let window = LogQuery {
        since: Some(start + Duration::minutes(90)),
        until: Some(start + Duration::minutes(210)),
        ..Default::default()
    };
    assert_eq!(tv.log_list(&window).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4]);
    let newest = LogQuery { limit: Some(2), newest_first: true, ..Default::default() };
    assert_eq!(tv.log_list(&newest).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![5, 4]);
    let both = LogQuery {
        kinds: vec![EntryKind::CallLaunched, EntryKind::PatientAdded],
        patient: Some(susan),
        ..Default::default()
    };
    assert_eq!(tv.log_list(&both).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 4]);
}

#[test]
fn an_oversized_or_unsafe_detail_is_refused_and_nothing_is_written() {
    let (_profile, tv) = with_entries(2);
    let mut big = Detail::new();
    for i in 0..16 {
        big = big.code(&format!("field_{i}"), &"z".repeat(64));
    }
    assert!(matches!(tv.log_append(&entry(EntryKind::CallLaunched).detail(big)), Err(Error::InvalidInput { .. })));
    let phone =
        tv.log_append(&entry(EntryKind::CallLaunched).detail(Detail::new().code("to", "447700900123"))).unwrap_err();
    assert!(!phone.to_string().contains("447700900123"));
    let name =
        tv.log_append(&entry(EntryKind::CallLaunched).detail(Detail::new().code("who", "Susan Smith"))).unwrap_err();
    assert!(!name.to_string().contains("Susan"));
    // A number hidden in a key, or written as a count.
    for key in ["tel4155550132", "n415_555_0132", "to_447700900123"] {
        let refused = tv.log_append(&entry(EntryKind::CallLaunched).detail(Detail::new().bool(key, true)));
        let err = refused.unwrap_err().to_string();
        assert!(err.contains("key looks like a phone") && !err.contains(&key[3..]), "{key}: {err}");
    }
    for number in [4_155_550_132_i64, 1_000_000, -7_700_900_123] {
        let refused = tv.log_append(&entry(EntryKind::CallAttemptFailed).detail(Detail::new().int("n", number)));
        let err = refused.unwrap_err().to_string();
        assert!(err.contains("looks like a phone") && !err.contains(&number.unsigned_abs().to_string()), "{err}");
    }
    tv.log_append(&entry(EntryKind::CallLaunched).detail(Detail::new().int("attempts", 999_999))).unwrap();
    assert_eq!(tv.log_list(&LogQuery::default()).unwrap().len(), 4);
    assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { count: 4, .. }));
}

#[test]
fn a_changed_entry_is_named() {
    let (profile, tv) = with_entries(5);
    profile.raw().execute("UPDATE log_entries SET kind = 'consent_recorded' WHERE seq = 3", []).unwrap();
    assert_eq!(broken(&tv), (3, Tamper::Changed));
}

#[test]
fn a_changed_time_detail_or_patient_is_named() {
    for sql in [
        "UPDATE log_entries SET at_ms = at_ms - 1 WHERE seq = 4",
        "UPDATE log_entries SET detail = '{\"n\":99}' WHERE seq = 4",
        "UPDATE log_entries SET patient_ref = 'pt_0123456789abcdef' WHERE seq = 4",
        "UPDATE log_entries SET actor = 'it' WHERE seq = 4",
    ] {
        let (profile, tv) = with_entries(5);
        profile.raw().execute(sql, []).unwrap();
        assert_eq!(broken(&tv), (4, Tamper::Changed), "{sql}");
    }
}

#[test]
fn a_changed_last_entry_is_named() {
    let (profile, tv) = with_entries(5);
    profile.raw().execute("UPDATE log_entries SET detail = '{}' WHERE seq = 6", []).unwrap();
    assert_eq!(broken(&tv), (6, Tamper::Changed));
}

fn head(tv: &Televisit) -> Option<(u64, Tamper)> {
    match tv.log_verify_head().unwrap() {
        Verification::Broken { seq, problem } => Some((seq, problem)),
        Verification::Intact { .. } => None,
    }
}

#[test]
fn the_head_check_passes_an_intact_log_and_names_a_changed_deleted_or_added_last_entry() {
    let (_profile, tv) = with_entries(5);
    assert!(matches!(tv.log_verify_head().unwrap(), Verification::Intact { count: 6, .. }));
    let cases: [(&str, (u64, Tamper)); 4] = [
        ("UPDATE log_entries SET detail = '{}' WHERE seq = 6", (6, Tamper::Changed)),
        ("DELETE FROM log_entries WHERE seq >= 5", (5, Tamper::Missing)),
        ("DELETE FROM log_entries WHERE seq = 5", (5, Tamper::Missing)),
        (
            "INSERT INTO log_entries (seq, at_ms, kind, actor, patient_ref, detail, mac)
             SELECT seq + 1, at_ms, kind, actor, patient_ref, detail, mac FROM log_entries WHERE seq = 6",
            (7, Tamper::Inserted),
        ),
    ];
    for (sql, expected) in cases {
        let (profile, tv) = with_entries(5);
        profile.raw().execute(sql, []).unwrap();
        assert_eq!(head(&tv), Some(expected), "{sql}");
        assert_eq!(broken(&tv), expected, "the full walk agrees: {sql}");
    }
    // A change further back is the full walk's to find, not the head check's.
    let (profile, tv) = with_entries(5);
    profile.raw().execute("UPDATE log_entries SET detail = '{}' WHERE seq = 3", []).unwrap();
    assert_eq!(head(&tv), None);
    assert_eq!(broken(&tv), (3, Tamper::Changed));
}

#[test]
fn the_head_check_follows_a_purge_checkpoint() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    short_retention(&tv, 30);
    for _ in 0..3 {
        tv.log_append(&entry(EntryKind::CallLaunched)).unwrap();
    }
    profile.clock.advance(Duration::days(40));
    // Everything is old: the purge entry alone follows the checkpoint, and chains from it.
    assert_eq!(tv.log_purge_older_than(30).unwrap().through_seq, 5);
    assert!(matches!(tv.log_verify_head().unwrap(), Verification::Intact { count: 1, .. }));
    tv.log_append(&entry(EntryKind::CallLaunched)).unwrap();
    assert!(matches!(tv.log_verify_head().unwrap(), Verification::Intact { count: 2, .. }));
    profile.raw().execute("DELETE FROM log_entries WHERE seq = 6", []).unwrap();
    assert_eq!(head(&tv), Some((6, Tamper::Missing)));
}

#[test]
fn append_all_writes_every_entry_in_one_transaction_or_none() {
    let (_profile, tv) = with_entries(1);
    let batch: Vec<NewEntry> =
        (0..50).map(|i| entry(EntryKind::CallLaunched).detail(Detail::new().int("n", i))).collect();
    let appended = tv.log_append_all(&batch).unwrap();
    assert_eq!(appended.iter().map(|e| e.seq).collect::<Vec<_>>(), (3..53).collect::<Vec<_>>());
    assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { count: 52, .. }));
    assert!(matches!(tv.log_verify_head().unwrap(), Verification::Intact { count: 52, .. }));
    let mut bad = batch.clone();
    bad.push(entry(EntryKind::CallLaunched).detail(Detail::new().code("who", "Susan Smith")));
    assert!(matches!(tv.log_append_all(&bad), Err(Error::InvalidInput { .. })));
    assert_eq!(tv.log_list(&LogQuery::default()).unwrap().len(), 52);
}

#[test]
fn append_to_runs_the_stores_append_on_a_connection_the_caller_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("plain.db")).unwrap();
    televisit_core::schema::migrate(&mut conn).unwrap();
    let key = televisit_core::keys::DataKey::generate().unwrap().log_mac_key();
    let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..3 {
        let e = televisit_core::log::append_to(
            &tx,
            &key,
            at,
            &entry(EntryKind::CallLaunched).detail(Detail::new().int("n", i)),
        )
        .unwrap();
        assert_eq!(e.seq, i as u64 + 1);
    }
    let unsafe_detail = entry(EntryKind::CallLaunched).detail(Detail::new().code("who", "Susan Smith"));
    assert!(televisit_core::log::append_to(&tx, &key, at, &unsafe_detail).is_err());
    tx.commit().unwrap();
    assert!(matches!(televisit_core::log::verify_head(&conn, &key).unwrap(), Verification::Intact { count: 3, .. }));
}

#[test]
fn a_deleted_entry_is_named() {
    let (profile, tv) = with_entries(5);
    profile.raw().execute("DELETE FROM log_entries WHERE seq = 3", []).unwrap();
    assert_eq!(broken(&tv), (3, Tamper::Missing));
}

#[test]
fn a_deleted_entry_with_the_rest_renumbered_is_named() {
    let (profile, tv) = with_entries(5);
    let raw = profile.raw();
    raw.execute("DELETE FROM log_entries WHERE seq = 3", []).unwrap();
    raw.execute("UPDATE log_entries SET seq = seq - 1 WHERE seq > 3", []).unwrap();
    assert_eq!(broken(&tv), (3, Tamper::Missing));
}

#[test]
fn a_deleted_tail_is_named() {
    let (profile, tv) = with_entries(5);
    profile.raw().execute("DELETE FROM log_entries WHERE seq >= 5", []).unwrap();
    assert_eq!(broken(&tv), (5, Tamper::Missing));
}

#[test]
fn an_inserted_entry_is_named() {
    let (profile, tv) = with_entries(5);
    let raw = profile.raw();
    // Make room at 4 and copy entry 2's row there, MAC and all.
    raw.execute("UPDATE log_entries SET seq = -seq WHERE seq >= 4", []).unwrap();
    raw.execute("UPDATE log_entries SET seq = -seq + 1 WHERE seq < 0", []).unwrap();
    raw.execute(
        "INSERT INTO log_entries (seq, at_ms, kind, actor, patient_ref, detail, mac)
         SELECT 4, at_ms, 'wipe_done', actor, patient_ref, detail, mac FROM log_entries WHERE seq = 2",
        [],
    )
    .unwrap();
    assert_eq!(broken(&tv), (4, Tamper::Inserted));
}

#[test]
fn an_entry_added_after_the_head_is_named() {
    let (profile, tv) = with_entries(3);
    profile
        .raw()
        .execute(
            "INSERT INTO log_entries (seq, at_ms, kind, actor, patient_ref, detail, mac)
             SELECT seq + 1, at_ms, kind, actor, patient_ref, detail, mac FROM log_entries WHERE seq = 4",
            [],
        )
        .unwrap();
    assert_eq!(broken(&tv), (5, Tamper::Inserted));
}

#[test]
fn swapped_entries_are_named_as_reordered() {
    let (profile, tv) = with_entries(5);
    let raw = profile.raw();
    raw.execute("UPDATE log_entries SET seq = -1 WHERE seq = 3", []).unwrap();
    raw.execute("UPDATE log_entries SET seq = 3 WHERE seq = 4", []).unwrap();
    raw.execute("UPDATE log_entries SET seq = 4 WHERE seq = -1", []).unwrap();
    assert_eq!(broken(&tv), (3, Tamper::Reordered));
}

#[test]
fn an_entry_moved_further_back_is_named_as_reordered() {
    let (profile, tv) = with_entries(6);
    let raw = profile.raw();
    // Entry 5 moves to the front of 3: 1 2 5 3 4 6 7.
    raw.execute("UPDATE log_entries SET seq = -5 WHERE seq = 5", []).unwrap();
    raw.execute("UPDATE log_entries SET seq = 5 WHERE seq = 4", []).unwrap();
    raw.execute("UPDATE log_entries SET seq = 4 WHERE seq = 3", []).unwrap();
    raw.execute("UPDATE log_entries SET seq = 3 WHERE seq = -5", []).unwrap();
    assert_eq!(broken(&tv), (3, Tamper::Reordered));
}

#[test]
fn an_unknown_kind_written_by_hand_is_a_changed_entry_not_a_crash() {
    let (profile, tv) = with_entries(2);
    profile.raw().execute("UPDATE log_entries SET kind = 'made_up' WHERE seq = 2", []).unwrap();
    assert_eq!(broken(&tv), (2, Tamper::Changed));
    assert!(matches!(tv.log_list(&LogQuery::default()), Err(Error::Storage(_))));
}

fn short_retention(tv: &Televisit, days: u32) {
    let mut policy = Policy::default();
    policy.log.retention_days = days;
    tv.set_policy(&policy).unwrap();
}

#[test]
fn purge_keeps_a_checkpoint_so_the_rest_still_verifies() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    short_retention(&tv, 30);
    for _ in 0..10 {
        profile.clock.advance(Duration::days(10));
        tv.log_append(&entry(EntryKind::CallLaunched)).unwrap();
    }
    // Entries 1-2 at day 0, then 3..12 at days 10..100. Now is day 100: older than 30 days is < day 70.
    let before = tv.log_checkpoint().unwrap();
    let report = tv.log_purge_older_than(30).unwrap();
    assert_eq!(report.through_seq, 8);
    let after = tv.log_checkpoint().unwrap();
    assert_eq!((before.n, after.n), (12, 13), "the purge's own entry extends the public chain");
    assert_eq!(report.removed, 8);
    let left = tv.log_list(&LogQuery::default()).unwrap();
    assert_eq!(left.first().unwrap().seq, 9);
    assert_eq!(left.last().unwrap().kind, EntryKind::LogPurged);
    // The full verify walks the public chain from the hash kept at the cut to the head: intact.
    assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { count: 5, .. }));
    // Appends after a purge chain on, and the checkpoint survives a reopen.
    tv.log_append(&entry(EntryKind::CallLaunched)).unwrap();
    drop(tv);
    let tv = profile.open().unwrap();
    assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { count: 6, .. }));
    // Nothing more is old enough.
    assert_eq!(tv.log_purge_older_than(30).unwrap().removed, 0);
}

#[test]
fn tampering_after_a_purge_is_still_named() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    short_retention(&tv, 1);
    for _ in 0..6 {
        profile.clock.advance(Duration::days(2));
        tv.log_append(&entry(EntryKind::CallLaunched)).unwrap();
    }
    let cut = tv.log_purge_older_than(3).unwrap().through_seq;
    profile.raw().execute("UPDATE log_entries SET at_ms = 0 WHERE seq = ?1", [cut as i64 + 1]).unwrap();
    assert_eq!(broken(&tv), (cut + 1, Tamper::Changed));
}

#[test]
fn a_checkpoint_moved_by_hand_is_named_as_missing_entries() {
    let (profile, tv) = with_entries(5);
    let raw = profile.raw();
    raw.execute("UPDATE log_chain SET start_seq = 3, start_mac = (SELECT mac FROM log_entries WHERE seq = 3)", [])
        .unwrap();
    raw.execute("DELETE FROM log_entries WHERE seq <= 3", []).unwrap();
    assert_eq!(broken(&tv), (1, Tamper::Missing));
}

#[test]
fn purge_refuses_nonsense_and_what_the_policy_keeps() {
    let (_profile, tv) = with_entries(3);
    for days in [0, -5, 1_000_000] {
        assert!(matches!(tv.log_purge_older_than(days), Err(Error::InvalidInput { .. })), "{days}");
    }
    let err = tv.log_purge_older_than(30).unwrap_err();
    assert!(err.to_string().contains("2190"), "{err}");
    assert_eq!(tv.log_list(&LogQuery::default()).unwrap().len(), 4);
}

#[test]
fn purge_refuses_to_cut_a_broken_log() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    short_retention(&tv, 1);
    for _ in 0..5 {
        profile.clock.advance(Duration::days(2));
        tv.log_append(&entry(EntryKind::CallLaunched)).unwrap();
    }
    profile.raw().execute("UPDATE log_entries SET detail = '{\"x\":1}' WHERE seq = 2", []).unwrap();
    let err = tv.log_purge_older_than(3).unwrap_err();
    assert!(matches!(err, Error::LogBroken { seq: 2, problem: "changed" }), "{err:?}");
    assert_eq!(tv.log_list(&LogQuery::default()).unwrap().len(), 7, "nothing was purged");
}

#[test]
fn the_policy_is_stored_and_its_change_logged() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    assert_eq!(tv.policy().unwrap(), Policy::default());
    let mut policy = Policy { version: 7, ..Policy::default() };
    policy.contacts.name_template = "NM Patient {first} {last_initial}".into();
    tv.set_policy(&policy).unwrap();
    drop(tv);
    let tv = profile.open().unwrap();
    assert_eq!(tv.policy().unwrap(), policy);
    let applied = tv.log_list(&LogQuery { kinds: vec![EntryKind::PolicyApplied], ..Default::default() }).unwrap();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0].detail.get("version"), Some(&televisit_core::DetailValue::Int(7)));
    let mut bad = policy.clone();
    bad.contacts.default_region = "gb".into();
    assert!(matches!(tv.set_policy(&bad), Err(Error::InvalidInput { field: "contacts.default_region", .. })));
    assert_eq!(tv.policy().unwrap(), policy);
}

#[test]
fn integrity_check_reports_pages_structure_and_chain() {
    let (profile, tv) = with_entries(20);
    let report = tv.integrity_check().unwrap();
    assert!(report.is_ok(), "{report:?}");
    profile.raw().execute("DELETE FROM log_entries WHERE seq = 10", []).unwrap();
    let report = tv.integrity_check().unwrap();
    assert!(report.pages_ok);
    assert_eq!(report.chain, Verification::Broken { seq: 10, problem: Tamper::Missing });
    assert!(!report.is_ok());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Changing any one entry's time, in any log, is found at that entry.
        #[test]
        fn any_single_change_is_found_at_its_seq(len in 2usize..30, pick in 0usize..1000, delta in 1i64..1_000_000) {
            let (profile, tv) = with_entries(len);
            let seq = 1 + (pick % (len + 1)) as i64;
            profile.raw().execute("UPDATE log_entries SET at_ms = at_ms + ?1 WHERE seq = ?2", [delta, seq]).unwrap();
            prop_assert_eq!(broken(&tv), (seq as u64, Tamper::Changed));
        }

        /// Deleting any one entry, in any log, is found at that entry.
        #[test]
        fn any_single_deletion_is_found_at_its_seq(len in 2usize..30, pick in 0usize..1000) {
            let (profile, tv) = with_entries(len);
            let seq = 1 + (pick % (len + 1)) as i64;
            profile.raw().execute("DELETE FROM log_entries WHERE seq = ?1", [seq]).unwrap();
            prop_assert_eq!(broken(&tv), (seq as u64, Tamper::Missing));
        }
    }
}

/// Sequence numbers are SQLite integers: a negative one, written by someone holding the key,
/// is damage named as such, never a number wrapped round to the end of u64.
#[test]
fn a_negative_sequence_number_in_the_database_is_damage_not_a_wrapped_number() {
    let (profile, tv) = with_entries(3);
    profile.raw().execute("UPDATE log_entries SET seq = -1 WHERE seq = 2", []).unwrap();
    let err = tv.log_list(&LogQuery::default()).unwrap_err().to_string();
    assert!(err.contains("negative sequence number"), "{err}");
    assert!(tv.log_verify().is_err(), "the full check reads the rows and refuses the negative number");
    profile.raw().execute("UPDATE log_entries SET seq = 2 WHERE seq = -1", []).unwrap();
    profile.raw().execute("UPDATE log_chain SET head_seq = -5", []).unwrap();
    let err = tv.log_verify().unwrap_err().to_string();
    assert!(err.contains("negative sequence number"), "{err}");
}
