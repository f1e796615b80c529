//! The fleet loop on the phone, tried as an IT team running phones behind an MDM would: the
//! configuration is cached and re-delivered, IT signs bulletins on a schedule, the holder
//! controls the clock, and the phone that matters is the lost one.

mod common;

use chrono::Duration;
use common::book::MemoryBook;
use common::org::{self, Org};
use common::phone::Phone;
use common::Profile;
use std::collections::HashMap;
use televisit_core::it::bulletin::{BulletinOutcome, FleetWipe};
use televisit_core::it::managed::keys;
use televisit_core::it::report::{self, ReportFacts};
use televisit_core::it::triggers::TriggerState;
use televisit_core::it::wipe::{self, fault, WipeReason, WipeRefusal, WipeScope};
use televisit_core::log::{EntryKind, LogQuery};
use televisit_core::{Error, SecretStore};

fn triggers_on(org: &Org) -> String {
    org.policy_with(1, org::SIGNED_AT, |p| {
        p.wipe_triggers.block_after_offline_hours = Some(12);
        p.wipe_triggers.wipe_after_offline_days = Some(90);
    })
}

fn config(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn count(tv: &televisit_core::Televisit, kind: EntryKind) -> usize {
    tv.log_list(&LogQuery { kinds: vec![kind], ..LogQuery::default() }).unwrap().len()
}

#[test]
fn the_mdm_redelivering_an_unchanged_configuration_every_hour_for_100_days_never_blocks_the_default_policy() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let code = org.code();
    let policy = org.policy(1);
    let managed = config(&[(keys::ENROLLMENT_CODE, &code), (keys::SIGNED_POLICY, &policy)]);
    tv.apply_managed_config(&profile.secrets, &managed).unwrap();
    let enrolled = tv.enrollment(&profile.secrets).unwrap().unwrap().0;
    for _hour in 0..100 * 24 {
        profile.clock.advance(Duration::hours(1));
        let report = tv.apply_managed_config(&profile.secrets, &managed).unwrap();
        assert!(report.problems().is_empty(), "{report:?}");
        assert_eq!(tv.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Clear);
    }
    // Nothing moved: same ids, one enrollment entry, and the check-in is still the signed time.
    assert_eq!(tv.enrollment(&profile.secrets).unwrap().unwrap().0, enrolled);
    assert_eq!(count(&tv, EntryKind::Enrolled), 1);
    assert_eq!(tv.last_checkin(&profile.secrets).unwrap().unwrap().timestamp(), org::SIGNED_AT);
}

#[test]
fn with_offline_triggers_on_bulletins_every_12_hours_keep_the_phone_in_touch_and_when_they_stop_it_blocks_then_wipes() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let policy = triggers_on(&org);
    tv.enroll(&profile.secrets, &org.code_with(&policy)).unwrap();
    let mut managed = config(&[(keys::SIGNED_POLICY, &policy)]);
    for hour in 0..100 * 24 {
        if hour % 12 == 0 {
            managed.insert(keys::BULLETIN.into(), org.bulletin(tv.now().timestamp(), vec![]));
        }
        let report = tv.apply_managed_config(&profile.secrets, &managed).unwrap();
        assert!(report.problems().is_empty(), "hour {hour}: {report:?}");
        assert_eq!(tv.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Clear, "hour {hour}");
        profile.clock.advance(Duration::hours(1));
    }
    // The bulletins stop; the MDM keeps re-delivering the last one, which expires after a day.
    let stopped = tv.now();
    let mut blocked_at = None;
    for hour in 0..91 * 24 {
        let _ = tv.apply_managed_config(&profile.secrets, &managed).unwrap();
        match tv.evaluate_triggers(&profile.secrets, &Phone).unwrap() {
            TriggerState::Clear => assert!(blocked_at.is_none(), "cleared again at hour {hour}"),
            TriggerState::Blocked { reasons } => {
                assert_eq!(reasons, vec!["offline_too_long"]);
                blocked_at.get_or_insert(hour);
            }
            TriggerState::Wipe { reason } => {
                assert_eq!(reason, "offline_too_long");
                // The last bulletin was signed 12 hours before the stop (every 12 hours, the last
                // at hour 2388 of 2400): blocked at once, wiped 90 days after that signature.
                assert_eq!(blocked_at, Some(0), "blocked 12 hours after the last bulletin's signature");
                let wiped_after = tv.now() - stopped;
                assert_eq!(wiped_after, Duration::days(90) - Duration::hours(12));
                assert!(wipe::pending_command(&profile.secrets).unwrap().is_some());
                return;
            }
        }
        profile.clock.advance(Duration::hours(1));
    }
    panic!("the phone never wiped");
}

#[test]
fn re_enrolling_with_the_same_code_never_voids_an_issued_wipe() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    let token = org.wipe(&e, "cmd_00000000000000000000aaaa", WipeScope::All, tv.now().timestamp());
    for _ in 0..3 {
        tv.enroll(&profile.secrets, &org.code()).unwrap();
        tv.apply_managed_config(&profile.secrets, &config(&[(keys::ENROLLMENT_CODE, &org.code())])).unwrap();
    }
    let command = tv.receive_wipe(&profile.secrets, &token).unwrap();
    assert_eq!(command.enrollment_id, e.enrollment_id);
}

#[test]
fn an_expired_code_is_refused_for_a_first_enrollment_and_harmless_for_a_redelivery() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let code = org.code();
    profile.clock.advance(Duration::days(91));
    let err = tv.enroll(&profile.secrets, &code).unwrap_err().to_string();
    assert!(err.contains("has expired"), "{err}");
    assert!(tv.enrollment(&profile.secrets).unwrap().is_none());
    let other = Profile::new();
    let tv = other.open().unwrap();
    let e = tv.enroll(&other.secrets, &code).unwrap();
    other.clock.advance(Duration::days(91));
    assert_eq!(tv.enroll(&other.secrets, &code).unwrap(), e);
    let report = tv.apply_managed_config(&other.secrets, &config(&[(keys::ENROLLMENT_CODE, &code)])).unwrap();
    assert!(report.problems().is_empty(), "{report:?}");
}

/// Three phones, one configuration: only the named one wipes, the others log nothing but the
/// bulletin and show no error.
#[test]
fn a_fleet_bulletin_wipes_exactly_the_named_phone() {
    let org = Org::new();
    let code = org.code();
    let phones: Vec<_> = (0..3)
        .map(|_| {
            let profile = Profile::new();
            let tv = profile.open().unwrap();
            let e = tv.enroll(&profile.secrets, &code).unwrap();
            (profile, tv, e)
        })
        .collect();
    let lost = &phones[1].2;
    let now = phones[0].1.now().timestamp();
    let entry = org.fleet_wipe(lost, "cmd_00000000000000000000bbbb", WipeScope::All, now + 14 * 86_400);
    let managed = config(&[(keys::ENROLLMENT_CODE, &code), (keys::BULLETIN, &org.bulletin(now, vec![entry]))]);
    for (i, (profile, tv, _)) in phones.iter().enumerate() {
        let report = tv.apply_managed_config(&profile.secrets, &managed).unwrap();
        assert!(report.problems().is_empty(), "phone {i}: {report:?}");
        assert_eq!(report.wipe_started, i == 1, "phone {i}");
        assert_eq!(wipe::pending_command(&profile.secrets).unwrap().is_some(), i == 1, "phone {i}");
        assert_eq!(count(tv, EntryKind::BulletinApplied), 1);
        assert_eq!(count(tv, EntryKind::WipeReceived), usize::from(i == 1));
        assert_eq!(count(tv, EntryKind::WipeRefused) + count(tv, EntryKind::ConfigRefused), 0);
        // Delivered again: unchanged, nothing logged again.
        let again = tv.apply_managed_config(&profile.secrets, &managed).unwrap();
        assert_eq!(again.bulletin, televisit_core::it::managed::ManagedOutcome::Unchanged);
        assert_eq!(count(tv, EntryKind::BulletinApplied), 1);
    }
    // The lost phone carries it out with no store open (its app is never shown) and its receipt
    // verifies against the key its report published.
    let (profile, tv, _) = &phones[1];
    let facts = ReportFacts { os: "android".into(), os_version: "16".into(), app_version: "0.1.0".into() };
    let published = tv.device_report(&profile.secrets, &facts).unwrap();
    let pinned = report::verify(&published, None).unwrap();
    assert_eq!(pinned.wipe.as_deref(), Some("cmd_00000000000000000000bbbb"));
    let receipt =
        wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), tv.now()).unwrap().unwrap();
    assert_eq!(wipe::verify_receipt(&receipt, &pinned.key).unwrap().command_id, "cmd_00000000000000000000bbbb");
}

#[test]
fn the_clock_set_back_cannot_dodge_a_block_or_revive_an_expired_command() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code_with(&triggers_on(&org))).unwrap();
    profile.clock.advance(Duration::hours(13));
    assert!(matches!(tv.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Blocked { .. }));
    // Back to the morning: still blocked, and the clock's jump is logged once.
    profile.clock.advance(Duration::hours(-12));
    assert!(matches!(tv.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Blocked { .. }));
    assert!(matches!(tv.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Blocked { .. }));
    assert_eq!(count(&tv, EntryKind::ClockWentBack), 1);
    // A command that IT's own later signature shows expired stays expired when the clock is
    // set back (the phone's clock alone never expires one: see the next test).
    let issued = tv.now().timestamp();
    let token = org.wipe(&e, "cmd_00000000000000000000cccc", WipeScope::All, issued);
    profile.clock.advance(Duration::days(20));
    tv.apply_bulletin(&profile.secrets, &org.bulletin(tv.now().timestamp(), vec![])).unwrap();
    assert!(matches!(tv.receive_wipe(&profile.secrets, &token), Err(Error::WipeRefused { code: "expired", .. })));
    profile.clock.advance(Duration::days(-19));
    assert!(matches!(tv.receive_wipe(&profile.secrets, &token), Err(Error::WipeRefused { code: "expired", .. })));
    // A bulletin from the future (beyond a few minutes) is refused, and moves nothing.
    let before = tv.last_checkin(&profile.secrets).unwrap();
    let future = org.bulletin(tv.trusted_now(&profile.secrets).unwrap().timestamp() + 3600, vec![]);
    let err = tv.apply_bulletin(&profile.secrets, &future).unwrap_err().to_string();
    assert!(err.contains("future"), "{err}");
    assert_eq!(tv.last_checkin(&profile.secrets).unwrap(), before);
}

#[test]
fn a_clock_set_ahead_or_behind_cannot_turn_a_wipe_away() {
    // Ahead: the holder sets the phone a year on, and the app runs under it (its mark follows),
    // so IT's bulletin looks expired and the command past its expiry. Behind: IT signs ten days
    // after anything the phone has seen, so both look signed in the future.
    for (case, phone_shift, it_shift) in [("ahead", Duration::days(400), 0), ("behind", Duration::zero(), 10 * 86_400)]
    {
        for single_command in [false, true] {
            let profile = Profile::new();
            let tv = profile.open().unwrap();
            let org = Org::new();
            let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
            let it_now = tv.now().timestamp() + it_shift;
            profile.clock.advance(phone_shift);
            tv.trusted_now(&profile.secrets).unwrap();
            let id = "cmd_0000000000000000000eeeee";
            if single_command {
                let token = org.wipe(&e, id, WipeScope::All, it_now);
                let received = tv.receive_wipe(&profile.secrets, &token);
                assert!(received.is_ok(), "{case}: {received:?}");
            } else {
                let entry = org.fleet_wipe(&e, id, WipeScope::All, it_now + 7 * 86_400);
                let outcome = tv.apply_bulletin(&profile.secrets, &org.bulletin(it_now, vec![entry])).unwrap();
                assert!(matches!(outcome, BulletinOutcome::Applied { wipe: Some(_), .. }), "{case}: {outcome:?}");
                // Ahead, the bulletin is contact all the same: IT signed it after the last one
                // the phone applied, so it cannot be a replay (issue 30, case 1). Behind, it looks
                // signed in the future, and moves nothing.
                let checkin = tv.last_checkin(&profile.secrets).unwrap().unwrap().timestamp();
                assert_eq!(checkin == it_now, case == "ahead", "{case}");
            }
            assert_eq!(wipe::pending_command(&profile.secrets).unwrap().unwrap().command_id, id, "{case}");
            let receipt =
                wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), tv.now()).unwrap();
            assert!(receipt.is_some(), "{case}: carried out");
        }
    }
}

#[test]
fn bad_bulletins_are_refused_and_wipe_nothing() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    let now = tv.now().timestamp();
    let entry = org.fleet_wipe(&e, "cmd_00000000000000000000dddd", WipeScope::All, now + 86_400);
    // An entry changed after its admin signed it (by the bulletin's signer, say): the bulletin
    // is in touch, and the wipe is refused as forged, with a log entry for IT.
    let tampered = org.bulletin(now - 10, vec![FleetWipe { reason: WipeReason::Stolen, ..entry.clone() }]);
    assert!(matches!(
        tv.apply_bulletin(&profile.secrets, &tampered).unwrap(),
        BulletinOutcome::Applied { wipe: None, wipe_refused: Some(WipeRefusal::BadSignature), .. }
    ));
    assert!(wipe::pending_command(&profile.secrets).unwrap().is_none());
    let good = org.bulletin(now, vec![entry.clone()]);
    let other_org = Org::new().bulletin(now, vec![entry]);
    let expired = org.bulletin(now - 2 * 86_400, vec![]);
    for bad in [other_org, expired, good[..good.len() - 3].to_owned(), "x".repeat(3 << 20), String::new()] {
        let err = tv.apply_bulletin(&profile.secrets, &bad).unwrap_err().to_string();
        assert!(!err.contains("cmd_") && !err.contains(&e.device_id), "{err}");
        assert!(wipe::pending_command(&profile.secrets).unwrap().is_none());
    }
    assert!(matches!(
        tv.apply_bulletin(&profile.secrets, &good).unwrap(),
        BulletinOutcome::Applied { wipe: Some(_), .. }
    ));
}

#[test]
fn a_forged_command_reusing_a_seen_id_is_a_forgery_and_a_crash_before_the_seen_list_loses_no_wipe() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    let now = tv.now().timestamp();
    let token = org.wipe(&e, "cmd_00000000000000000000eeee", WipeScope::Contacts, now);
    // A crash between writing the marker and remembering the command: the wipe is pending all
    // the same (the old order lost it: remembered as seen, with no marker).
    fault::crash_before_seen(true);
    assert!(tv.receive_wipe(&profile.secrets, &token).is_err());
    fault::crash_before_seen(false);
    assert_eq!(wipe::pending_command(&profile.secrets).unwrap().unwrap().command_id, "cmd_00000000000000000000eeee");
    // Delivered again meanwhile: the same wipe, not a second one.
    tv.receive_wipe(&profile.secrets, &token).unwrap();
    let receipt = wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), tv.now()).unwrap();
    assert!(receipt.is_some());
    // Carried out: never again, and a forgery reusing its id is a forgery.
    assert!(matches!(tv.receive_wipe(&profile.secrets, &token), Err(Error::WipeRefused { code: "replayed", .. })));
    let forged = Org::new().wipe(&e, "cmd_00000000000000000000eeee", WipeScope::All, now);
    assert!(matches!(
        tv.receive_wipe(&profile.secrets, &forged),
        Err(Error::WipeRefused { code: "bad_signature", .. })
    ));
}

#[test]
fn the_report_says_who_the_phone_is_and_fits_a_keyed_app_state_message() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let facts = ReportFacts { os: "ios".into(), os_version: "18.1".into(), app_version: "0.1.0".into() };
    assert!(tv.device_report(&profile.secrets, &facts).is_err(), "not enrolled: no one to report to");
    let long_user = format!("{}@northclinic.example.org", "u".repeat(70));
    let managed = config(&[
        (keys::ENROLLMENT_CODE, &org.code()),
        (keys::MDM_DEVICE_ID, "8d3f6c1e-52a4-4b7e-9c0d-2f1e3a4b5c6d"),
        (keys::MDM_USER, &long_user),
    ]);
    let applied = tv.apply_managed_config(&profile.secrets, &managed).unwrap();
    assert!(applied.problems().is_empty(), "{applied:?}");
    let (enrolled, key) = tv.enrollment(&profile.secrets).unwrap().unwrap();
    let text = tv.device_report(&profile.secrets, &facts).unwrap();
    assert!(text.len() <= 1000, "{}", text.len());
    let found = report::verify(&text, Some(&key)).unwrap();
    assert_eq!(
        (found.dev.as_str(), found.enr.as_str()),
        (enrolled.device_id.as_str(), enrolled.enrollment_id.as_str())
    );
    assert_eq!(found.mdm_user.as_deref(), Some(long_user.as_str()));
    assert_eq!(found.seen, Some(org::SIGNED_AT));
    let too_long = config(&[(keys::MDM_USER, &"u".repeat(200))]);
    let refused = tv.apply_managed_config(&profile.secrets, &too_long).unwrap();
    assert_eq!(refused.problems().len(), 1);
    assert!(!refused.problems()[0].contains("uuuu"), "{:?}", refused.problems());
    let _ = profile.secrets.get(report::MDM_IDS).unwrap().expect("the ids in force are kept");
}

/// The phone's contacts with access revoked: every call refused.
struct Revoked;

impl televisit_core::ContactBook for Revoked {
    fn create(&self, _: &televisit_core::ContactCard) -> Result<String, televisit_core::ContactBookError> {
        Err(denied())
    }
    fn update(&self, _: &str, _: &televisit_core::ContactCard) -> Result<(), televisit_core::ContactBookError> {
        Err(denied())
    }
    fn delete(&self, ids: &[String]) -> Vec<televisit_core::DeleteOutcome> {
        ids.iter().map(|_| televisit_core::DeleteOutcome::Failed("permission".into())).collect()
    }
    fn get(&self, _: &str) -> Result<Option<televisit_core::BookContact>, televisit_core::ContactBookError> {
        Err(denied())
    }
    fn list(
        &self,
        _: televisit_core::ListScope,
    ) -> Result<Vec<televisit_core::BookContact>, televisit_core::ContactBookError> {
        Err(denied())
    }
    fn find_by_phone(&self, _: &str) -> Result<Vec<televisit_core::BookContact>, televisit_core::ContactBookError> {
        Err(denied())
    }
}

fn denied() -> televisit_core::ContactBookError {
    televisit_core::ContactBookError::PermissionDenied("contacts access was revoked".into())
}

#[test]
fn a_wipe_whose_contacts_step_cannot_run_finishes_the_rest_and_says_so_in_its_receipt() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    let (_, key) = tv.enrollment(&profile.secrets).unwrap().unwrap();
    let token = org.wipe(&e, "cmd_00000000000000000000ffff", WipeScope::All, tv.now().timestamp());
    tv.receive_wipe(&profile.secrets, &token).unwrap();
    let now = tv.now();
    drop(tv);
    let receipt = wipe::resume_pending(&profile.db(), &profile.secrets, &Revoked, now).unwrap().unwrap();
    let receipt = wipe::verify_receipt(&receipt, &key).unwrap();
    let contacts = receipt.steps.iter().find(|s| s.step == wipe::Step::DeleteContacts).unwrap();
    assert_eq!((contacts.count, contacts.failed, contacts.reason.as_deref()), (0, 1, Some("permission_denied")));
    assert!(receipt.steps.iter().any(|s| s.step == wipe::Step::DeleteFiles && s.reason.is_none()));
    assert!(!profile.db().exists(), "the rest of the wipe ran");
    assert!(profile.secrets.get(televisit_core::secrets::names::DATA_KEY).unwrap().is_none());
}
