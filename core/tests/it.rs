//! IT's side: enrollment codes, signed policies, wipe commands with every refusal, the
//! crash-safe wipe at every step, and the receipt.

mod common;

use chrono::Duration;
use common::book::MemoryBook;
use common::org::{self, Org, RECIPIENT};
use common::Profile;
use televisit_core::it::enrollment;
use televisit_core::it::envelope::SigningKey;
use televisit_core::it::report::{self, ReportFacts};
use televisit_core::it::wipe::{self, fault, Step, WipeReason, WipeScope};
use televisit_core::log::{EntryKind, LogQuery};
use televisit_core::secrets::names;
use televisit_core::{Error, NewPatient, SecretStore, Televisit};

fn enrolled() -> (Profile, Televisit, Org, enrollment::Enrollment) {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    (profile, tv, org, e)
}

#[test]
fn enrollment_pins_the_org_and_applies_its_policy() {
    let (profile, tv, org, e) = enrolled();
    assert!(e.device_id.starts_with("dev_") && e.enrollment_id.starts_with("enr_"));
    assert_eq!(e.org_key, org.key.public_key());
    assert_eq!(tv.policy().unwrap().organisation, "North Clinic");
    assert!(profile.secrets.get(enrollment::DEVICE_KEY).unwrap().is_some());
    let kinds: Vec<_> = tv.log_list(&LogQuery::default()).unwrap().iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EntryKind::Enrolled) && kinds.contains(&EntryKind::PolicyApplied));
    // Enrolling again with the same organisation keeps both ids: IT's wipe commands stay valid.
    let again = tv.enroll(&profile.secrets, &org.code()).unwrap();
    assert_eq!((&again.device_id, &again.enrollment_id), (&e.device_id, &e.enrollment_id));
    // Another organisation must wipe first.
    assert!(matches!(tv.enroll(&profile.secrets, &Org::new().code()), Err(Error::OtherOrganisation)));
}

#[test]
fn bad_enrollment_codes_are_refused() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let code = org.code();
    for bad in [&code[..code.len() - 5], "tv1.enroll.e30.AAAA", "not base64 at all", &"x".repeat(200_000)] {
        assert!(
            matches!(tv.enroll(&profile.secrets, bad), Err(Error::InvalidInput { .. })),
            "{}",
            &bad[..bad.len().min(40)]
        );
    }
    // A policy inside signed by another key.
    let other = Org::new();
    let mixed = org.try_code(&other.policy(1), RECIPIENT);
    assert!(mixed.is_err());
    assert!(enrollment::load(&profile.secrets).unwrap().is_none());
}

#[test]
fn signed_policies_verify_and_never_go_back() {
    let (profile, tv, org, _) = enrolled();
    let applied = tv.apply_signed_policy(&profile.secrets, &org.policy(5)).unwrap();
    assert_eq!(applied.version, 5);
    assert!(matches!(
        tv.apply_signed_policy(&profile.secrets, &org.policy(4)),
        Err(Error::PolicyOutdated { offered: 4, current: 5 })
    ));
    assert!(tv.apply_signed_policy(&profile.secrets, &org.policy(5)).is_ok(), "the same version again is harmless");
    let foreign = Org::new().policy(9);
    let err = tv.apply_signed_policy(&profile.secrets, &foreign).unwrap_err();
    assert!(err.to_string().contains("not signed by the expected key"), "{err}");
    let mut flipped = org.policy(6).into_bytes();
    let i = flipped.len() / 2;
    flipped[i] = if flipped[i] == b'A' { b'B' } else { b'A' };
    assert!(tv.apply_signed_policy(&profile.secrets, &String::from_utf8(flipped).unwrap()).is_err());
    assert_eq!(tv.policy().unwrap().version, 5);
}

fn refusal(tv: &Televisit, secrets: &dyn SecretStore, token: &str) -> &'static str {
    match tv.receive_wipe(secrets, token) {
        Err(Error::WipeRefused { code, .. }) => code,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn every_wipe_refusal_is_distinct_and_logged() {
    let (profile, tv, org, e) = enrolled();
    let now = tv.now().timestamp();
    let s = &profile.secrets;
    let good = org.wipe(&e, "cmd_1", WipeScope::Contacts, now);
    assert_eq!(refusal(&tv, s, &good[..good.len() - 3]), "malformed");
    assert_eq!(refusal(&tv, s, "garbage"), "malformed");
    assert_eq!(refusal(&tv, s, &good.replacen("tv1", "tv2", 1)), "unsupported_version");
    assert_eq!(refusal(&tv, s, &Org::new().wipe(&e, "cmd_2", WipeScope::All, now)), "bad_signature");
    let other_device = enrollment::Enrollment { device_id: "dev_other".into(), ..e.clone() };
    assert_eq!(refusal(&tv, s, &org.wipe(&other_device, "cmd_3", WipeScope::All, now)), "other_device");
    let old = enrollment::Enrollment { enrollment_id: "enr_old".into(), ..e.clone() };
    assert_eq!(refusal(&tv, s, &org.wipe(&old, "cmd_4", WipeScope::All, now)), "older_enrollment");
    assert_eq!(refusal(&tv, s, &org.wipe_postdated(&e, "cmd_5", now, now + 86_400)), "not_yet_valid");
    assert_eq!(refusal(&tv, s, &org.wipe(&e, "cmd_6", WipeScope::All, now - 30 * 86_400)), "expired");
    let refused = tv.log_list(&LogQuery { kinds: vec![EntryKind::WipeRefused], ..Default::default() }).unwrap();
    assert_eq!(refused.len(), 8);
    // Nothing was wiped by any of them.
    assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_some());
    assert!(wipe::pending_command(s).unwrap().is_none());
    // A device that is not enrolled accepts nothing.
    let fresh = Profile::new();
    let tv2 = fresh.open().unwrap();
    assert_eq!(refusal(&tv2, &fresh.secrets, &good), "not_enrolled");
}

fn with_patient_contact(tv: &Televisit, book: &MemoryBook) {
    let p = tv
        .patient_add(&NewPatient {
            given_name: "Susan".into(),
            family_name: "Smith".into(),
            phone: "+14155550132".into(),
            visit_at: None,
        })
        .unwrap();
    tv.ensure_contact(book, &p.id).unwrap();
}

#[test]
fn a_full_wipe_leaves_nothing_and_a_receipt_it_can_verify() {
    let (profile, tv, org, e) = enrolled();
    let book = MemoryBook::default();
    with_patient_contact(&tv, &book);
    let hand_made = book.add_by_hand("Mum", "+14155550100");
    let device_key = tv.enrollment(&profile.secrets).unwrap().unwrap().1;
    let token = org.wipe(&e, "cmd_0000000000000000000000a1", WipeScope::All, tv.now().timestamp());
    tv.receive_wipe(&profile.secrets, &token).unwrap();
    let now = tv.now();
    drop(tv);
    let receipt = wipe::resume_pending(&profile.db(), &profile.secrets, &book, now).unwrap().expect("a receipt");
    let checked = wipe::verify_receipt(&receipt, &device_key).unwrap();
    assert_eq!(checked.command_id, "cmd_0000000000000000000000a1");
    let counts: Vec<_> = checked.steps.iter().map(|s| (s.step, s.count)).collect();
    assert_eq!(counts[0], (Step::DestroyKey, 1), "the data is unreadable first");
    assert_eq!(counts[1], (Step::DeleteContacts, 1));
    assert!(counts[2].1 >= 1, "database files removed");
    assert!(book.by_id(&hand_made).is_some(), "contacts that are not Televisit's stay");
    assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_none());
    // Every byte of every file left in the profile: no key, no name, no number.
    for entry in std::fs::read_dir(profile.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Susan") && !text.contains("4155550132"));
    }
    assert_eq!(std::fs::read_dir(profile.dir.path()).unwrap().count(), 0, "no database file is left");
    // The receipt is held until IT's bulletin confirms it; then the device forgets its key and
    // enrollment (core/tests/receipts.rs tries the ways it could be lost).
    let confirming = org.bulletin_confirming_receipt(now.timestamp(), &e.device_id, &["cmd_0000000000000000000000a1"]);
    televisit_core::it::bulletin::receive(&profile.secrets, &confirming, now).unwrap();
    assert!(profile.secrets.get(enrollment::DEVICE_KEY).unwrap().is_none());
    assert!(enrollment::load(&profile.secrets).unwrap().is_none());
    assert!(matches!(
        wipe::verify_receipt(&receipt, &SigningKey::generate().unwrap().0.public_key()),
        Err(televisit_protocol::Error::Refused { .. })
    ));
    // A fresh store, not the old one; and the same command is refused there as a replay.
    let fresh = profile.open().unwrap();
    assert_eq!(fresh.opened(), televisit_core::Opened::Created);
    assert!(fresh.patients(true).unwrap().is_empty());
    assert_eq!(refusal(&fresh, &profile.secrets, &token), "replayed", "even after the device forgot its enrollment");
}

#[test]
fn a_replayed_command_is_refused_after_success() {
    let (profile, tv, org, e) = enrolled();
    let token = org.wipe(&e, "cmd_once", WipeScope::Contacts, tv.now().timestamp());
    tv.receive_wipe(&profile.secrets, &token).unwrap();
    let book = MemoryBook::default();
    wipe::resume_pending(&profile.db(), &profile.secrets, &book, tv.now()).unwrap().unwrap();
    assert_eq!(refusal(&tv, &profile.secrets, &token), "replayed");
    assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_some(), "a contacts wipe keeps the store");
}

#[test]
fn a_wipe_interrupted_after_any_step_finishes_at_the_next_start() {
    for crash_after in [Step::DeleteContacts, Step::DestroyKey, Step::DeleteFiles, Step::WriteReceipt] {
        let (profile, tv, org, e) = enrolled();
        let book = MemoryBook::default();
        with_patient_contact(&tv, &book);
        let token = org.wipe(&e, &format!("cmd_{}", crash_after.code()), WipeScope::All, tv.now().timestamp());
        tv.receive_wipe(&profile.secrets, &token).unwrap();
        let now = tv.now();
        drop(tv);
        fault::crash_after(Some(crash_after));
        let crashed = wipe::resume_pending(&profile.db(), &profile.secrets, &book, now);
        fault::crash_after(None);
        assert!(crashed.is_err(), "the injected crash after {crash_after:?}");
        // The next start.
        let receipt = wipe::resume_pending(&profile.db(), &profile.secrets, &book, now + Duration::seconds(5)).unwrap();
        let receipt =
            wipe::verify_receipt(&receipt.expect("a receipt after resuming"), &pinned(&profile.secrets)).unwrap();
        let steps: Vec<_> = receipt.steps.iter().map(|s| s.step).collect();
        assert_eq!(steps, vec![Step::DestroyKey, Step::DeleteContacts, Step::DeleteFiles], "{crash_after:?}");
        assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_none());
        assert!(!profile.db().exists());
        assert!(book.contacts.lock().unwrap().is_empty());
    }
}

#[test]
fn a_device_whose_store_is_gone_can_still_receive_and_carry_out_a_wipe() {
    let (profile, tv, org, e) = enrolled();
    let token = org.wipe(&e, "cmd_nostore", WipeScope::All, tv.now().timestamp());
    let now = tv.now();
    drop(tv);
    profile.secrets.delete(names::DATA_KEY).unwrap();
    let command = wipe::receive(&profile.secrets, &token).unwrap();
    assert_eq!(command.command_id, "cmd_nostore");
    let receipt = wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), now).unwrap().unwrap();
    assert!(wipe::verify_receipt(&receipt, &pinned(&profile.secrets)).is_ok());
    assert!(!profile.db().exists());
}

#[test]
fn nothing_happens_without_a_pending_wipe() {
    let (profile, tv, _, _) = enrolled();
    let book = MemoryBook::default();
    assert_eq!(wipe::resume_pending(&profile.db(), &profile.secrets, &book, tv.now()).unwrap(), None);
    assert!(profile.db().exists());
    assert!(wipe::held_receipt(&profile.secrets).unwrap().is_none());
}

struct Phone {
    compromised: bool,
}

impl televisit_core::DeviceFacts for Phone {
    fn snapshot(&self) -> televisit_core::DeviceSnapshot {
        televisit_core::DeviceSnapshot {
            passcode_set: true,
            compromised: self.compromised,
            os_version: "Android 15".into(),
            whatsapp: vec![],
            utc_offset_minutes: 0,
        }
    }
}

use televisit_core::it::triggers::TriggerState;

#[test]
fn five_failed_unlocks_wipe_the_device() {
    let (profile, tv, _, _) = enrolled();
    let phone = Phone { compromised: false };
    for _ in 0..4 {
        tv.unlock_failed(&profile.secrets).unwrap();
    }
    assert_eq!(tv.evaluate_triggers(&profile.secrets, &phone).unwrap(), TriggerState::Clear);
    tv.unlock_succeeded();
    for _ in 0..4 {
        tv.unlock_failed(&profile.secrets).unwrap();
    }
    assert_eq!(
        tv.evaluate_triggers(&profile.secrets, &phone).unwrap(),
        TriggerState::Clear,
        "a success starts the count again"
    );
    tv.unlock_failed(&profile.secrets).unwrap();
    assert_eq!(
        tv.evaluate_triggers(&profile.secrets, &phone).unwrap(),
        TriggerState::Wipe { reason: "failed_unlocks" }
    );
    let now = tv.now();
    drop(tv);
    let receipt = wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), now).unwrap().unwrap();
    assert_eq!(wipe::verify_receipt(&receipt, &pinned(&profile.secrets)).unwrap().reason, WipeReason::LocalTrigger);
    assert!(!profile.db().exists());
    assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_none());
}

/// A phone enrolled under a policy that turns the offline triggers on (block after 12 hours,
/// wipe after 90 days without contact with IT).
fn enrolled_with_offline_triggers() -> (Profile, Televisit, Org) {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let policy = org.policy_with(1, org::SIGNED_AT, |p| {
        p.wipe_triggers.block_after_offline_hours = Some(12);
        p.wipe_triggers.wipe_after_offline_days = Some(90);
    });
    tv.enroll(&profile.secrets, &org.code_with(&policy)).unwrap();
    (profile, tv, org)
}

#[test]
fn offline_too_long_blocks_clinical_actions_until_the_next_check_in() {
    let (profile, tv, org) = enrolled_with_offline_triggers();
    let phone = Phone { compromised: false };
    let book = MemoryBook::default();
    profile.clock.advance(Duration::hours(13));
    assert_eq!(
        tv.evaluate_triggers(&profile.secrets, &phone).unwrap(),
        TriggerState::Blocked { reasons: vec!["offline_too_long"] }
    );
    let new = NewPatient {
        given_name: "Ann".into(),
        family_name: "Lee".into(),
        phone: "+14155550132".into(),
        visit_at: None,
    };
    let err = tv.patient_add(&new).unwrap_err();
    assert!(matches!(&err, Error::Blocked { reasons } if reasons == "offline_too_long"), "{err:?}");
    // The same signed policy again (as the MDM re-delivers it) is no contact with IT.
    let policy = org.policy_with(1, org::SIGNED_AT, |p| {
        p.wipe_triggers.block_after_offline_hours = Some(12);
        p.wipe_triggers.wipe_after_offline_days = Some(90);
    });
    assert!(tv.apply_signed_policy(&profile.secrets, &policy).is_ok());
    assert_ne!(tv.evaluate_triggers(&profile.secrets, &phone).unwrap(), TriggerState::Clear);
    // A bulletin signed now is.
    tv.apply_bulletin(&profile.secrets, &org.bulletin(tv.now().timestamp(), vec![])).unwrap();
    assert_eq!(tv.evaluate_triggers(&profile.secrets, &phone).unwrap(), TriggerState::Clear);
    let p = tv.patient_add(&new).unwrap();
    tv.ensure_contact(&book, &p.id).unwrap();
    profile.clock.advance(Duration::days(91));
    assert_eq!(
        tv.evaluate_triggers(&profile.secrets, &phone).unwrap(),
        TriggerState::Wipe { reason: "offline_too_long" }
    );
    assert!(wipe::pending_command(&profile.secrets).unwrap().is_some());
}

#[test]
fn a_rooted_device_is_blocked_and_the_preflight_says_so() {
    let (profile, tv, _, _) = enrolled();
    let book = MemoryBook::default();
    with_patient_contact(&tv, &book);
    let patient = tv.patients(false).unwrap().remove(0);
    let phone = Phone { compromised: true };
    assert_eq!(
        tv.evaluate_triggers(&profile.secrets, &phone).unwrap(),
        TriggerState::Blocked { reasons: vec!["device_compromised"] }
    );
    let preflight = tv.preflight(&book, &phone, &patient.id).unwrap();
    assert!(preflight.blocking_codes().contains(&"device_blocked"));
    // Cleanup still works: it removes patient data rather than adding it.
    assert!(tv.cleanup_plan(&book, None).is_ok());
}

#[test]
fn a_sealed_export_opens_for_it_and_verifies_against_the_device_key_only() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let code = org.try_code(&org.policy(1), &recipient).unwrap();
    let e = tv.enroll(&profile.secrets, &code).unwrap();
    let book = MemoryBook::default();
    with_patient_contact(&tv, &book);
    let made = tv.export_log(&profile.secrets, false).unwrap();
    assert!(made.sealed.starts_with(b"age-encryption.org/v1"), "a standard age file");
    assert_eq!((made.from_seq, made.entries, made.whole), (0, made.through_seq, false), "nothing confirmed yet: all");
    let device_key = pinned(&profile.secrets);
    let (export, segment) = open_export(&made.sealed, &identity, &device_key).unwrap();
    let segment = segment.unwrap();
    assert_eq!((segment.from.seq, segment.to.seq), (0, made.through_seq));
    assert_eq!(export.body.device_id, e.device_id);
    assert_eq!(export.body.entries.last().unwrap().kind, "export_made");
    assert_eq!(tv.log_checkpoint().unwrap().point().unwrap(), segment.to, "the export ends at the log's checkpoint");
    let text = String::from_utf8_lossy(&serde_json::to_vec(&export).unwrap()).into_owned();
    assert!(!text.contains("Susan") && !text.contains("4155550132"), "no names or numbers in an export");
    assert!(!text.contains("mac"), "no MAC key, nor MACs: nothing in it vouches for itself");
    // Only the pinned key verifies it.
    let other = SigningKey::from_seed(&[0x55; 32]).unwrap().public_key();
    assert!(open_export(&made.sealed, &identity, &other).unwrap().1.is_err());
    // Another organisation's identity opens nothing; a damaged file is refused.
    let other = age::x25519::Identity::generate();
    assert!(open_export(&made.sealed, &other, &device_key).is_none());
    let mut damaged = made.sealed.clone();
    let last = damaged.len() - 5;
    damaged[last] ^= 1;
    assert!(open_export(&damaged, &identity, &device_key).is_none());
    let unenrolled = Profile::new();
    assert!(
        unenrolled.open().unwrap().export_log(&unenrolled.secrets, false).is_err(),
        "not enrolled: no one to seal it to"
    );
}

#[test]
fn exports_continue_each_other_from_what_it_confirmed_and_a_purge_keeps_the_public_chain() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let identity = age::x25519::Identity::generate();
    let code = org.try_code(&org.policy(1), &identity.to_public().to_string()).unwrap();
    let e = tv.enroll(&profile.secrets, &code).unwrap();
    let key = pinned(&profile.secrets);
    let first = tv.export_log(&profile.secrets, false).unwrap();
    let (_, first_segment) = open_export(&first.sealed, &identity, &key).unwrap();
    let first_segment = first_segment.unwrap();
    // IT confirms it through a bulletin; the next export starts right after it.
    let now = org::SIGNED_AT + 3600;
    let confirm = org.bulletin_confirming(now, vec![], &[(&e.device_id, first.through_seq)]);
    tv.apply_bulletin(&profile.secrets, &confirm).unwrap();
    // And the report carries the chain's point there (issue 30, case 3): IT checks it names the
    // history it archived, so a log put back and grown past it is found at the next report.
    let facts = ReportFacts { os: "desktop".into(), os_version: "x".into(), app_version: "0.1.0".into() };
    let report = report::verify(&tv.device_report(&profile.secrets, &facts).unwrap(), Some(&key)).unwrap();
    let conf = report.conf.expect("the confirmed point").point().unwrap();
    assert_eq!(conf, first_segment.to);
    let second = tv.export_log(&profile.secrets, false).unwrap();
    assert_eq!(second.from_seq, first.through_seq);
    assert_eq!(second.entries, second.through_seq - first.through_seq);
    let (_, second_segment) = open_export(&second.sealed, &identity, &key).unwrap();
    assert_eq!(second_segment.unwrap().from, first_segment.to, "the second starts where the first ended");
    // A whole export, asked for, holds everything again, with the same hashes.
    let whole = tv.export_log(&profile.secrets, true).unwrap();
    let (_, whole_segment) = open_export(&whole.sealed, &identity, &key).unwrap();
    let whole_segment = whole_segment.unwrap();
    assert!(whole.whole && whole.from_seq == 0);
    assert_eq!(whole_segment.hash_at(first.through_seq), Some(first_segment.to.hash));
}

/// IT's side, as `televisit-admin log open` does it: age, then the protocol's parse and verify
/// against the device key IT pinned.
fn open_export(
    sealed: &[u8],
    identity: &age::x25519::Identity,
    device_key: &str,
) -> Option<(
    televisit_protocol::export::SignedExport,
    Result<televisit_protocol::export::Segment, televisit_protocol::Error>,
)> {
    let json = age::decrypt(identity, sealed).ok()?;
    let export = televisit_protocol::export::parse(&json).unwrap();
    let verified = televisit_protocol::export::verify(&export, device_key);
    Some((export, verified))
}

/// The device key IT pinned (from the device's first report): read from the device here, before
/// the receipt is handed on and the device forgets it.
fn pinned(secrets: &dyn SecretStore) -> String {
    let pkcs8 = secrets.get(enrollment::DEVICE_KEY).unwrap().expect("the device key, until the receipt is taken");
    SigningKey::from_pkcs8(&pkcs8).unwrap().public_key()
}
