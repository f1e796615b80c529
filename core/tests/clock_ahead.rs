//! Issue 30, case 1: the phone's holder runs its clock far ahead once. Before, the time mark
//! followed the clock for good: every later bulletin looked expired, new enrollment codes were
//! refused, and with offline triggers on the phone wiped itself at every start, again after
//! every re-enrollment.

mod common;

use chrono::Duration;
use common::book::MemoryBook;
use common::org::{self, Org};
use common::phone::Phone;
use common::Profile;
use televisit_core::it::bulletin::BulletinOutcome;
use televisit_core::it::triggers::TriggerState;
use televisit_core::it::wipe;
use televisit_core::Clock;

fn triggers(org: &Org, block_hours: Option<u32>, wipe_days: Option<u32>) -> String {
    org.policy_with(1, org::SIGNED_AT, |p| {
        p.wipe_triggers.block_after_offline_hours = block_hours;
        p.wipe_triggers.wipe_after_offline_days = wipe_days;
    })
}

#[test]
fn after_a_clock_run_400_days_ahead_the_next_bulletin_is_contact_and_unblocks_the_phone() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    tv.enroll(&profile.secrets, &org.code_with(&triggers(&org, Some(12), None))).unwrap();
    profile.clock.advance(Duration::days(400));
    assert!(matches!(tv.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Blocked { .. }));
    // Put right. IT's bulletin, signed now, is contact (it said "has expired" before) and the
    // phone is no longer blocked (it stayed blocked for 400 days before).
    profile.clock.advance(Duration::days(-400));
    let now = tv.now().timestamp();
    let outcome = tv.apply_bulletin(&profile.secrets, &org.bulletin(now, Vec::new())).unwrap();
    assert!(matches!(outcome, BulletinOutcome::Applied { .. }), "{outcome:?}");
    assert_eq!(tv.last_checkin(&profile.secrets).unwrap().unwrap().timestamp(), now);
    assert_eq!(tv.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Clear);
    // A bulletin IT signed after the last contact is contact even when the clock is still ahead.
    profile.clock.advance(Duration::days(400));
    let later = org.bulletin(now + 3600, Vec::new());
    assert!(matches!(tv.apply_bulletin(&profile.secrets, &later).unwrap(), BulletinOutcome::Applied { .. }));
    assert_eq!(tv.last_checkin(&profile.secrets).unwrap().unwrap().timestamp(), now + 3600);
    // An old one is still late: it is no newer than the last contact.
    assert!(tv.apply_bulletin(&profile.secrets, &org.bulletin(now + 1800, Vec::new())).is_err());
}

#[test]
fn a_clock_run_ahead_before_enrollment_does_not_refuse_a_valid_code() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    profile.clock.advance(Duration::days(400));
    tv.now();
    tv.evaluate_triggers(&profile.secrets, &Phone).unwrap();
    profile.clock.advance(Duration::days(-400));
    // Refused as expired before: the mark had followed the clock a year past the code.
    let org = Org::new();
    assert!(tv.enroll(&profile.secrets, &org.code()).is_ok());
}

#[test]
fn the_wipe_a_clock_run_ahead_caused_happens_once_not_again_after_every_enrollment() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code_with(&triggers(&org, None, Some(7)))).unwrap();
    profile.clock.advance(Duration::days(400));
    // The holder's own doing: 400 days "offline" wipes the phone, once.
    assert!(matches!(tv.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Wipe { .. }));
    drop(tv);
    wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), profile.clock.now())
        .unwrap()
        .unwrap();
    let held = wipe::held_receipt(&profile.secrets).unwrap().unwrap();
    // IT confirms the receipt; the enrollment it closed goes, and with it what the clock added.
    profile.clock.advance(Duration::days(-400));
    let real = profile.clock.now();
    let confirming = org.bulletin_confirming_receipt(real.timestamp(), &e.device_id, &[&held.command_id]);
    televisit_core::it::bulletin::receive(&profile.secrets, &confirming, real).unwrap();
    assert!(wipe::held_receipt(&profile.secrets).unwrap().is_none());
    // Enrolled again with a code IT signs now: no wipe at the next start (there was, before).
    let fresh = profile.open().unwrap();
    let code = org.code_signed_at(real.timestamp(), &triggers(&org, None, Some(7)));
    fresh.enroll(&profile.secrets, &code).unwrap();
    assert_eq!(fresh.evaluate_triggers(&profile.secrets, &Phone).unwrap(), TriggerState::Clear);
}

/// Issue 30, case 12: a late bulletin applied for the wipe it carries was reported as "in touch
/// with IT".
#[test]
fn a_late_bulletin_applied_for_its_wipe_does_not_count_as_contact_and_does_not_say_so() {
    use televisit_core::it::managed::{keys, ManagedOutcome};
    use televisit_core::it::wipe::WipeScope;
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    let newer = tv.now().timestamp();
    tv.apply_bulletin(&profile.secrets, &org.bulletin(newer, Vec::new())).unwrap();
    // An older bulletin, expired by now, that holds this phone's wipe (the MDM cached it).
    profile.clock.advance(Duration::days(3));
    let entry = org.fleet_wipe(&e, "cmd_0000000000000000000000d0", WipeScope::Contacts, newer + 14 * 86_400);
    let late = org.bulletin(newer - 60, vec![entry]);
    let values = [(keys::BULLETIN.to_owned(), late)].into_iter().collect();
    let report = tv.apply_managed_config(&profile.secrets, &values).unwrap();
    assert!(report.wipe_started);
    match report.bulletin {
        ManagedOutcome::Applied { summary } => {
            assert!(summary.contains("wipe command") && !summary.contains("in touch"), "{summary}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(tv.last_checkin(&profile.secrets).unwrap().unwrap().timestamp(), newer, "no contact moved");
}

#[test]
fn a_late_bulletin_that_confirms_a_receipt_is_applied_but_is_not_contact() {
    use televisit_core::it::wipe::WipeScope;
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    let at = tv.now().timestamp();
    tv.receive_wipe(&profile.secrets, &org.wipe(&e, "cmd_0000000000000000000000d1", WipeScope::Contacts, at)).unwrap();
    wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), tv.now()).unwrap().unwrap();
    tv.apply_bulletin(&profile.secrets, &org.bulletin(at + 60, Vec::new())).unwrap();
    profile.clock.advance(Duration::days(3));
    let late = org.bulletin_confirming_receipt(at + 30, &e.device_id, &["cmd_0000000000000000000000d1"]);
    let outcome = tv.apply_bulletin(&profile.secrets, &late).unwrap();
    assert!(
        matches!(outcome, BulletinOutcome::Applied { in_touch: false, receipt_confirmed: Some(_), .. }),
        "{outcome:?}"
    );
}
