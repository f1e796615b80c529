//! A wipe's receipt is held, and handed on again at every check-in, until IT's signed bulletin
//! says it holds it: an MDM that drops what the app hands it, a phone switched off for weeks, a
//! second command merged into the wipe after IT took the first receipt: none of them loses it.

mod common;

use chrono::Duration;
use common::book::MemoryBook;
use common::org::Org;
use common::Profile;
use televisit_core::it::bulletin::{self, BulletinOutcome};
use televisit_core::it::enrollment::{self, Enrollment};
use televisit_core::it::export;
use televisit_core::it::report::{self, ReportFacts};
use televisit_core::it::wipe::{self, WipeScope};
use televisit_core::log::{EntryKind, LogQuery};
use televisit_core::{Clock, SecretStore};

fn enrolled() -> (Profile, Org, Enrollment) {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    (profile, org, e)
}

/// Receives `command` through the store and carries the wipe out, as a shell does: the receipt.
fn wiped(profile: &Profile, command: &str) -> String {
    let tv = profile.open().unwrap();
    tv.receive_wipe(&profile.secrets, command).unwrap();
    drop(tv);
    wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), profile.clock.now()).unwrap().unwrap()
}

/// A check-in with no store open, as the background job runs one: what it would publish.
fn check_in(profile: &Profile) -> Option<String> {
    wipe::resume_pending(&profile.db(), &profile.secrets, &MemoryBook::default(), profile.clock.now()).unwrap()
}

fn report_of(profile: &Profile) -> televisit_core::it::report::DeviceReport {
    let tv = profile.open().unwrap();
    let facts = ReportFacts { os: "android".into(), os_version: "16".into(), app_version: "0.1.0".into() };
    let text = tv.device_report(&profile.secrets, &facts).unwrap();
    report::verify(&text, Some(&e_key(profile))).unwrap()
}

fn applied(profile: &Profile, text: &str) -> BulletinOutcome {
    bulletin::receive(&profile.secrets, text, profile.clock.now()).unwrap()
}

#[test]
fn a_full_wipes_receipt_is_published_at_every_check_in_until_its_bulletin_confirms_it() {
    let (profile, org, e) = enrolled();
    let now = profile.clock.now().timestamp();
    let receipt = wiped(&profile, &org.wipe(&e, "cmd_000000000000000000000a11", WipeScope::All, now));

    // The shell handed it to an MDM that dropped it. Nothing on the phone knows: the next
    // check-ins, hours and weeks apart, hand the same receipt on again.
    for hours in [1, 24, 24 * 30] {
        profile.clock.advance(Duration::hours(hours));
        assert_eq!(check_in(&profile).as_deref(), Some(receipt.as_str()), "after {hours} h");
    }
    assert!(wipe::pending_command(&profile.secrets).unwrap().is_none(), "the wipe itself is done");
    let held = wipe::held_receipt(&profile.secrets).unwrap().unwrap();
    assert_eq!((held.command_id.as_str(), held.text.as_str()), ("cmd_000000000000000000000a11", receipt.as_str()));
    // The report says a receipt is held (a fresh store: the old one was wiped), and the device
    // still signs with the key IT pinned, so IT can check the receipt and the report.
    let report = report_of(&profile);
    assert_eq!((report.wipe, report.rcpt.as_deref()), (None, Some("cmd_000000000000000000000a11")));
    assert_eq!(report.key, wipe::verify_receipt(&receipt, &report.key).unwrap().device_key);

    // Bulletins that do not confirm it leave it held: another device's confirmation, another
    // command's, a bulletin signed by someone else.
    let at = profile.clock.now().timestamp();
    let other_device =
        org.bulletin_confirming_receipt(at, "dev_ffeeddccbbaa998877665544", &["cmd_000000000000000000000a11"]);
    let other_command = org.bulletin_confirming_receipt(at + 1, &e.device_id, &["cmd_00000000000000000000ffff"]);
    for text in [other_device, other_command] {
        assert!(matches!(applied(&profile, &text), BulletinOutcome::Applied { receipt_confirmed: None, .. }));
        assert_eq!(check_in(&profile).as_deref(), Some(receipt.as_str()));
    }
    let forged = Org::new().bulletin_confirming_receipt(at + 2, &e.device_id, &["cmd_000000000000000000000a11"]);
    assert!(bulletin::receive(&profile.secrets, &forged, profile.clock.now()).is_err());
    assert!(wipe::held_receipt(&profile.secrets).unwrap().is_some());

    // IT's word: forgotten, and the enrollment it closed with it.
    let confirming = org.bulletin_confirming_receipt(at + 3, &e.device_id, &["cmd_000000000000000000000a11"]);
    let outcome = applied(&profile, &confirming);
    assert!(
        matches!(&outcome, BulletinOutcome::Applied { receipt_confirmed: Some(id), .. } if id == "cmd_000000000000000000000a11"),
        "{outcome:?}"
    );
    assert_eq!(check_in(&profile), None);
    assert!(wipe::held_receipt(&profile.secrets).unwrap().is_none());
    assert!(enrollment::load(&profile.secrets).unwrap().is_none());
    assert!(profile.secrets.get(enrollment::DEVICE_KEY).unwrap().is_none());
}

#[test]
fn a_contacts_wipes_receipt_is_confirmed_even_by_a_late_bulletin_and_the_enrollment_stays() {
    let (profile, org, e) = enrolled();
    let now = profile.clock.now().timestamp();
    let receipt = wiped(&profile, &org.wipe(&e, "cmd_000000000000000000000c01", WipeScope::Contacts, now));
    assert!(wipe::verify_receipt(&receipt, &e_key(&profile)).is_ok());
    // A bulletin signed two days ago has expired: no contact with IT, but its signed word that it
    // holds the receipt is still IT's word.
    profile.clock.advance(Duration::days(3));
    let late = org.bulletin_confirming_receipt(now + 86_400, &e.device_id, &["cmd_000000000000000000000c01"]);
    assert!(matches!(applied(&profile, &late), BulletinOutcome::Applied { receipt_confirmed: Some(_), .. }));
    assert_eq!(check_in(&profile), None);
    assert_eq!(
        enrollment::load(&profile.secrets).unwrap().unwrap().device_id,
        e.device_id,
        "a contacts wipe closes nothing"
    );
    // The store opens and logs the confirmation with the bulletin.
    let tv = profile.open().unwrap();
    let confirmed = org.bulletin_confirming_receipt(
        profile.clock.now().timestamp(),
        &e.device_id,
        &["cmd_000000000000000000000c01"],
    );
    tv.apply_bulletin(&profile.secrets, &confirmed).unwrap();
    let entries = tv.log_list(&LogQuery { kinds: vec![EntryKind::BulletinApplied], ..LogQuery::default() }).unwrap();
    assert!(entries.iter().all(|entry| entry.detail.get("receipt_confirmed").is_none()), "nothing held any more");
}

/// The device key IT pinned at enrollment.
fn e_key(profile: &Profile) -> String {
    profile.open().unwrap().enrollment(&profile.secrets).unwrap().unwrap().1
}

#[test]
fn a_command_merged_after_it_took_the_receipt_keeps_the_rewritten_one_until_that_is_confirmed() {
    let (profile, org, e) = enrolled();
    let now = profile.clock.now().timestamp();
    let first = wiped(&profile, &org.wipe(&e, "cmd_000000000000000000000b01", WipeScope::Contacts, now));
    // IT took the first receipt, then issued a full wipe, which arrives before the confirmation.
    profile.clock.advance(Duration::hours(1));
    let second = wiped(&profile, &org.wipe(&e, "cmd_000000000000000000000b02", WipeScope::All, now + 3600));
    assert_ne!(first, second, "the receipt was rewritten to name both commands");
    let merged = wipe::verify_receipt(&second, &e_key(&profile)).unwrap();
    assert_eq!(merged.merged_command_ids, ["cmd_000000000000000000000b02"]);

    let at = profile.clock.now().timestamp();
    let first_only = org.bulletin_confirming_receipt(at, &e.device_id, &["cmd_000000000000000000000b01"]);
    assert!(matches!(applied(&profile, &first_only), BulletinOutcome::Applied { receipt_confirmed: None, .. }));
    assert_eq!(check_in(&profile).as_deref(), Some(second.as_str()), "IT has not seen the full wipe done");

    let both = org.bulletin_confirming_receipt(
        at + 1,
        &e.device_id,
        &["cmd_000000000000000000000b01", "cmd_000000000000000000000b02"],
    );
    let tv = profile.open().unwrap();
    assert!(matches!(
        tv.apply_bulletin(&profile.secrets, &both).unwrap(),
        BulletinOutcome::Applied { receipt_confirmed: Some(_), .. }
    ));
    let entries = tv.log_list(&LogQuery { kinds: vec![EntryKind::BulletinApplied], ..LogQuery::default() }).unwrap();
    assert!(entries.iter().any(|entry| entry.detail.get("receipt_confirmed").is_some()), "the log says so");
    assert_eq!(check_in(&profile), None);
    assert!(enrollment::load(&profile.secrets).unwrap().is_none(), "the full wipe closed the enrollment");
}

#[test]
fn while_a_wiped_logs_receipt_is_held_no_confirmation_of_the_old_log_shortens_the_new_ones_export() {
    for scope in [WipeScope::Log, WipeScope::All] {
        let (profile, org, e) = enrolled();
        let now = profile.clock.now().timestamp();
        wiped(&profile, &org.wipe(&e, "cmd_0000000000000000000000d1", scope, now));
        // IT has not seen the wipe: its bulletin still confirms the old log through entry 30.
        let at = profile.clock.now().timestamp();
        applied(&profile, &org.bulletin_confirming(at, Vec::new(), &[(&e.device_id, 30)]));
        assert_eq!(export::confirmed_through(&profile.secrets).unwrap(), None, "{scope:?}");
        if scope == WipeScope::Log {
            // Once IT confirmed the receipt, its word on the (new) log counts again.
            applied(
                &profile,
                &org.bulletin_confirming_receipt(at + 1, &e.device_id, &["cmd_0000000000000000000000d1"]),
            );
            applied(&profile, &org.bulletin_confirming(at + 2, Vec::new(), &[(&e.device_id, 4)]));
            assert_eq!(export::confirmed_through(&profile.secrets).unwrap(), Some(4));
        }
    }
}
