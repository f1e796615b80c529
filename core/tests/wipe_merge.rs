//! A second wipe command while one is pending is merged into it: the wider scope wins, the
//! steps already done stay done, and one receipt names every command it carried out. And the
//! failed-unlock limit wipes at once, not at the next start.

mod common;

use common::book::MemoryBook;
use common::org::Org;
use common::Profile;
use televisit_core::it::enrollment::{self, Enrollment};
use televisit_core::it::envelope::SigningKey;
use televisit_core::it::wipe::{self, fault, Receipt, Step, WipeReason, WipeScope};
use televisit_core::log::{EntryKind, LogQuery};
use televisit_core::secrets::names;
use televisit_core::{FailedUnlock, NewPatient, SecretStore, Televisit};

fn enrolled() -> (Profile, Televisit, Org, Enrollment) {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    (profile, tv, org, e)
}

/// The device key IT pinned from the phone's report: read from the device, before the receipt
/// is handed on and the device forgets it.
fn pinned(secrets: &dyn SecretStore) -> String {
    let pkcs8 = secrets.get(enrollment::DEVICE_KEY).unwrap().expect("the device key, until the receipt is taken");
    SigningKey::from_pkcs8(&pkcs8).unwrap().public_key()
}

fn with_patient_contact(tv: &Televisit, book: &MemoryBook) {
    let patient = NewPatient {
        given_name: "Susan".into(),
        family_name: "Smith".into(),
        phone: "+14155550132".into(),
        visit_at: None,
    };
    let p = tv.patient_add(&patient).unwrap();
    tv.ensure_contact(book, &p.id).unwrap();
}

fn steps(receipt: &Receipt) -> Vec<Step> {
    receipt.steps.iter().map(|s| s.step).collect()
}

#[test]
fn a_second_command_widens_a_wipe_interrupted_midway_and_keeps_its_progress() {
    let (profile, tv, org, e) = enrolled();
    let book = MemoryBook::default();
    with_patient_contact(&tv, &book);
    let now = tv.now();
    tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_contacts", WipeScope::Contacts, now.timestamp())).unwrap();
    fault::crash_after(Some(Step::DeleteContacts));
    assert!(wipe::resume_pending(&profile.db(), &profile.secrets, &book, now).is_err(), "the injected crash");
    fault::crash_after(None);
    assert!(book.contacts.lock().unwrap().is_empty(), "the contacts step ran");

    // IT, hearing nothing, sends a wider command before the phone finished the first.
    tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_log", WipeScope::Log, now.timestamp())).unwrap();
    let pending = wipe::pending_command(&profile.secrets).unwrap().unwrap();
    assert_eq!(
        (pending.command_id.as_str(), pending.scope),
        ("cmd_contacts", WipeScope::All),
        "contacts and log are all"
    );
    drop(tv);

    let text = wipe::resume_pending(&profile.db(), &profile.secrets, &book, now).unwrap().unwrap();
    let receipt = wipe::verify_receipt(&text, &pinned(&profile.secrets)).unwrap();
    assert_eq!(receipt.scope, WipeScope::All);
    assert_eq!(
        steps(&receipt),
        vec![Step::DeleteContacts, Step::DestroyKey, Step::DeleteFiles],
        "the contacts step done before the merge is kept, not run again"
    );
    assert_eq!(receipt.steps[0].count, 1, "its count is the one from before the merge");
    assert!(receipt.carries_out("cmd_contacts") && receipt.carries_out("cmd_log"));
    assert_eq!(receipt.merged_command_ids, vec!["cmd_log".to_owned()]);
    assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_none() && !profile.db().exists());
}

#[test]
fn a_command_after_the_receipt_was_written_gets_a_new_receipt_naming_both() {
    let (profile, tv, org, e) = enrolled();
    let book = MemoryBook::default();
    let now = tv.now();
    tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_first", WipeScope::Contacts, now.timestamp())).unwrap();
    let first = wipe::resume_pending(&profile.db(), &profile.secrets, &book, now).unwrap().unwrap();
    assert_eq!(steps(&wipe::verify_receipt(&first, &pinned(&profile.secrets)).unwrap()), [Step::DeleteContacts]);
    // The receipt has not reached IT yet (the MDM has not collected it): a full wipe arrives.
    tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_second", WipeScope::All, now.timestamp())).unwrap();
    drop(tv);
    let second = wipe::resume_pending(&profile.db(), &profile.secrets, &book, now).unwrap().unwrap();
    assert_ne!(first, second, "the receipt is written again");
    let receipt = wipe::verify_receipt(&second, &pinned(&profile.secrets)).unwrap();
    assert_eq!(receipt.scope, WipeScope::All);
    assert_eq!(steps(&receipt), [Step::DeleteContacts, Step::DestroyKey, Step::DeleteFiles]);
    assert!(receipt.carries_out("cmd_first") && receipt.carries_out("cmd_second"));
    assert!(!profile.db().exists());
}

#[test]
fn a_narrower_command_never_narrows_a_pending_wipe() {
    let (profile, tv, org, e) = enrolled();
    let now = tv.now();
    tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_all", WipeScope::All, now.timestamp())).unwrap();
    tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_narrow", WipeScope::Contacts, now.timestamp())).unwrap();
    // The same command again is a replay, not a second merge.
    let again = tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_narrow", WipeScope::Contacts, now.timestamp()));
    assert!(matches!(again, Err(televisit_core::Error::WipeRefused { code: "replayed", .. })));
    drop(tv);
    let text = wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), now).unwrap().unwrap();
    let receipt = wipe::verify_receipt(&text, &pinned(&profile.secrets)).unwrap();
    assert_eq!((receipt.command_id.as_str(), receipt.scope), ("cmd_all", WipeScope::All));
    assert_eq!(receipt.merged_command_ids, vec!["cmd_narrow".to_owned()]);
    assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_none());
}

#[test]
fn a_local_trigger_widens_a_narrower_wipe_under_way() {
    let (profile, tv, org, e) = enrolled();
    let now = tv.now();
    tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_contacts", WipeScope::Contacts, now.timestamp())).unwrap();
    let limit = tv.policy().unwrap().wipe_triggers.max_failed_unlocks;
    for _ in 0..limit {
        tv.unlock_failed(&profile.secrets).unwrap();
    }
    let pending = wipe::pending_command(&profile.secrets).unwrap().unwrap();
    assert_eq!((pending.command_id.as_str(), pending.scope), ("cmd_contacts", WipeScope::All));
}

#[test]
fn the_failed_unlock_limit_wipes_at_once() {
    let (profile, tv, _, _) = enrolled();
    let limit = tv.policy().unwrap().wipe_triggers.max_failed_unlocks;
    for attempt in 1..limit {
        let failed = tv.unlock_failed(&profile.secrets).unwrap();
        assert_eq!(
            failed,
            FailedUnlock { failed_attempts: attempt, attempts_left: limit - attempt, wipe_started: false }
        );
        assert!(wipe::pending_command(&profile.secrets).unwrap().is_none(), "nothing pending before the limit");
    }
    let last = tv.unlock_failed(&profile.secrets).unwrap();
    assert_eq!(last, FailedUnlock { failed_attempts: limit, attempts_left: 0, wipe_started: true });
    let pending =
        wipe::pending_command(&profile.secrets).unwrap().expect("the wipe is pending now, not at the next start");
    assert_eq!((pending.scope, pending.reason), (WipeScope::All, WipeReason::LocalTrigger));
    let logged = tv.log_list(&LogQuery { kinds: vec![EntryKind::WipeReceived], ..Default::default() }).unwrap();
    assert_eq!(logged.len(), 1);
    // A further attempt (the shell has not closed the store yet) starts nothing new.
    assert!(tv.unlock_failed(&profile.secrets).unwrap().wipe_started);
    assert_eq!(wipe::pending_command(&profile.secrets).unwrap().unwrap().command_id, pending.command_id);
    let now = tv.now();
    drop(tv);
    let text = wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), now).unwrap().unwrap();
    assert!(wipe::verify_receipt(&text, &pinned(&profile.secrets)).unwrap().merged_command_ids.is_empty());
    assert!(!profile.db().exists());
}

#[test]
fn a_success_before_the_limit_starts_the_count_again() {
    let (profile, tv, _, _) = enrolled();
    let limit = tv.policy().unwrap().wipe_triggers.max_failed_unlocks;
    for _ in 0..3 {
        for _ in 1..limit {
            assert!(!tv.unlock_failed(&profile.secrets).unwrap().wipe_started);
        }
        tv.unlock_succeeded();
    }
    assert!(wipe::pending_command(&profile.secrets).unwrap().is_none());
    assert_eq!(tv.failed_unlocks().unwrap(), 0);
}
