//! The privacy-settings checklist: catalog, required values from the policy, runs that survive
//! a restart, deviations with their fix, and when a result stops being current.

mod common;

use chrono::Duration;
use common::{Profile, SetPolicy};
use televisit_core::checklist::{Requirement, RunKind, Source, CATALOG, CATALOG_VERSION};
use televisit_core::log::{EntryKind, LogQuery};
use televisit_core::{
    ChecklistStatus, DeviceFacts, DeviceSnapshot, Error, InstalledWhatsApp, Platform, Policy, Televisit, WhatsAppApp,
};

struct Phone(DeviceSnapshot);

impl DeviceFacts for Phone {
    fn snapshot(&self) -> DeviceSnapshot {
        self.0.clone()
    }
}

fn phone(version: &str, passcode: bool) -> Phone {
    Phone(DeviceSnapshot {
        passcode_set: passcode,
        compromised: false,
        os_version: "iOS 18".into(),
        whatsapp: vec![InstalledWhatsApp { app: WhatsAppApp::Consumer, version: version.into() }],
        utc_offset_minutes: 0,
    })
}

fn answer_all(tv: &Televisit, except: &[(&str, &str)]) {
    let run = tv.checklist_run().unwrap().expect("a run in progress");
    for item in run.items.iter().filter(|i| !i.pre_answered) {
        let value = except.iter().find(|(id, _)| *id == item.item.id).map_or(item.item.recommended, |(_, v)| *v);
        tv.checklist_answer(item.item.id, value).unwrap();
    }
}

#[test]
fn a_run_asks_the_clinician_and_pre_answers_what_the_phone_tells() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let run = tv.checklist_start(Platform::Ios, &phone("2.26.1", true)).unwrap();
    assert_eq!(run.catalog_version, CATALOG_VERSION);
    assert_eq!(run.items.len(), CATALOG.len());
    let screen = run.items.iter().find(|i| i.item.id == "screen_lock").unwrap();
    assert!(screen.pre_answered);
    assert_eq!(screen.answer.as_deref(), Some("set"));
    let receipts = run.items.iter().find(|i| i.item.id == "read_receipts").unwrap();
    assert_eq!(receipts.path, "WhatsApp > Settings > Privacy > Read Receipts");
    assert_eq!(receipts.answer, None);
    let android = televisit_core::checklist::catalog::item("read_receipts").unwrap().android_path;
    assert_eq!(android, "WhatsApp > Settings > Privacy > Read receipts");
    assert!(
        matches!(tv.checklist_answer("screen_lock", "set"), Err(Error::InvalidInput { .. })),
        "the phone answers that one"
    );
}

#[test]
fn compliant_and_deviating_results_with_the_fix() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let device = phone("2.26.1", true);
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Never);
    tv.checklist_start(Platform::Android, &device).unwrap();
    answer_all(&tv, &[("read_receipts", "on")]);
    let result = tv.checklist_finish().unwrap();
    assert!(!result.compliant);
    assert_eq!(result.deviations.len(), 1);
    let deviation = &result.deviations[0];
    assert_eq!((deviation.item_id, deviation.answer.as_str()), ("read_receipts", "on"));
    assert_eq!(deviation.instruction, "Set Read receipts to Off: WhatsApp > Settings > Privacy > Read receipts");
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Due, "a deviation leaves it due");

    tv.checklist_start(Platform::Android, &device).unwrap();
    answer_all(&tv, &[]);
    assert!(tv.checklist_finish().unwrap().compliant);
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Current);
    let attested = tv.log_list(&LogQuery { kinds: vec![EntryKind::ChecklistAttested], ..Default::default() }).unwrap();
    assert_eq!(attested.len(), 2);
    assert_eq!(
        serde_json::to_string(&attested[0].detail).unwrap(),
        format!(
            r#"{{"asked":{},"attested_unchanged":false,"carried":0,"catalog":{CATALOG_VERSION},"compliant":false,"covered":0,"deviations":1,"items":{},"platform":"android","run":"full"}}"#,
            CATALOG.iter().filter(|i| i.source == Source::Clinician).count(),
            CATALOG.len()
        )
    );
}

#[test]
fn a_result_expires_with_time_policy_changes_and_whatsapp_updates() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let device = phone("2.26.1", true);
    tv.checklist_start(Platform::Android, &device).unwrap();
    answer_all(&tv, &[]);
    tv.checklist_finish().unwrap();
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Current);
    assert_eq!(
        tv.checklist_status(Some(&phone("2.26.9", true))).unwrap(),
        ChecklistStatus::Reconfirm,
        "new WhatsApp version"
    );
    profile.clock.advance(Duration::days(29));
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Current);
    let mut policy = Policy::default();
    policy.checklist.required.insert("default_message_timer".into(), Requirement::One("24h".into()));
    tv.set_policy(&policy).unwrap();
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Reconfirm, "required values changed");
    tv.set_policy(&Policy::default()).unwrap();
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Current);
    profile.clock.advance(Duration::days(2));
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Reconfirm, "past 30 days");
    profile.clock.advance(Duration::days(150));
    assert_eq!(tv.checklist_status(Some(&device)).unwrap(), ChecklistStatus::Due, "past the 180 days of a full run");
}

#[test]
fn a_reconfirmation_asks_only_what_changed_and_one_attestation() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let device = phone("2.26.1", true);
    tv.checklist_start(Platform::Android, &device).unwrap();
    answer_all(&tv, &[("strict_account_settings", "off")]);
    assert!(tv.checklist_finish().unwrap().compliant);
    // WhatsApp updates itself, and the organisation now requires a passkey.
    let updated = phone("2.26.2", true);
    let mut policy = Policy::default();
    policy.checklist.required.insert("passkeys".into(), Requirement::One("created".into()));
    tv.set_policy(&policy).unwrap();
    assert_eq!(tv.checklist_status(Some(&updated)).unwrap(), ChecklistStatus::Reconfirm);
    let run = tv.checklist_start(Platform::Android, &updated).unwrap();
    assert_eq!(run.kind, RunKind::Reconfirm);
    let asked: Vec<&str> = run.items.iter().filter(|i| i.asked()).map(|i| i.item.id).collect();
    assert_eq!(asked, ["passkeys"], "only the item whose requirement changed");
    let receipts = run.items.iter().find(|i| i.item.id == "read_receipts").unwrap();
    assert!(receipts.carried && receipts.answer.as_deref() == Some("off"));
    tv.checklist_answer("passkeys", "created").unwrap();
    let err = tv.checklist_finish().unwrap_err().to_string();
    assert!(err.contains("nothing else changed"), "{err}");
    // A carried answer can be changed before finishing; the change is the clinician's now.
    let run = tv.checklist_answer("read_receipts", "on").unwrap();
    assert!(!run.items.iter().find(|i| i.item.id == "read_receipts").unwrap().carried);
    tv.checklist_answer("read_receipts", "off").unwrap();
    assert!(tv.checklist_attest_unchanged().unwrap().attested_unchanged);
    assert!(tv.checklist_finish().unwrap().compliant);
    assert_eq!(tv.checklist_status(Some(&updated)).unwrap(), ChecklistStatus::Current);
    let attested = tv.log_list(&LogQuery { kinds: vec![EntryKind::ChecklistAttested], ..Default::default() }).unwrap();
    let detail = serde_json::to_value(&attested[1].detail).unwrap();
    // Asked: passkeys, and read receipts, which the clinician answered again.
    assert_eq!((detail["run"].as_str(), detail["asked"].as_i64()), (Some("reconfirm"), Some(2)));
    assert_eq!(detail["attested_unchanged"], true);
    // A full run has nothing to attest.
    profile.clock.advance(Duration::days(200));
    tv.checklist_start(Platform::Android, &updated).unwrap();
    assert!(matches!(tv.checklist_attest_unchanged(), Err(Error::InvalidInput { .. })));
}

#[test]
fn strict_account_settings_answers_what_it_covers_when_that_meets_the_policy() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    tv.checklist_start(Platform::Ios, &phone("2.26.1", true)).unwrap();
    let run = tv.checklist_answer("strict_account_settings", "on").unwrap();
    let item = |id: &str| run.items.iter().find(|i| i.item.id == id).unwrap().clone();
    // Two-step verification is on under it, which the policy wants: covered, not asked.
    assert!(item("two_step_verification").covered && item("two_step_verification").answer.as_deref() == Some("on"));
    // It limits the profile photo to contacts; the policy wants Nobody (patients are contacts): asked.
    assert!(!item("profile_photo").covered && item("profile_photo").answer.is_none());
    // The clinician may still answer a covered item: their answer stands.
    let run = tv.checklist_answer("two_step_verification", "off").unwrap();
    let two_step = run.items.iter().find(|i| i.item.id == "two_step_verification").unwrap();
    assert!(!two_step.covered && two_step.answer.as_deref() == Some("off"));
}

#[test]
fn a_half_done_run_survives_a_restart() {
    let profile = Profile::new();
    let device = phone("2.26.1", true);
    {
        let tv = profile.open().unwrap();
        tv.checklist_start(Platform::Android, &device).unwrap();
        tv.checklist_answer("read_receipts", "off").unwrap();
    }
    let tv = profile.open().unwrap();
    let run = tv.checklist_start(Platform::Android, &device).unwrap();
    assert_eq!(run.items.iter().find(|i| i.item.id == "read_receipts").unwrap().answer.as_deref(), Some("off"));
    let err = tv.checklist_finish().unwrap_err().to_string();
    assert!(err.contains("not answered yet") && err.contains("last_seen_online"), "{err}");
}

#[test]
fn bad_answers_and_states_are_clear_errors() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    assert!(tv.checklist_answer("read_receipts", "off").unwrap_err().to_string().contains("start one first"));
    assert!(tv.checklist_finish().is_err());
    tv.checklist_start(Platform::Android, &phone("2.26.1", true)).unwrap();
    let unknown = tv.checklist_answer("read_reciepts", "off").unwrap_err().to_string();
    assert!(unknown.contains("not a checklist item"), "{unknown}");
    let bad = tv.checklist_answer("read_receipts", "sometimes").unwrap_err().to_string();
    assert!(bad.contains("on, off"), "{bad}");
    // The policy changes mid-run: finishing is refused.
    answer_all(&tv, &[]);
    let mut policy = Policy::default();
    policy.checklist.required.insert("read_receipts".into(), Requirement::One("on".into()));
    tv.set_policy(&policy).unwrap();
    assert!(tv.checklist_finish().unwrap_err().to_string().contains("changed during this run"));
}

#[test]
fn the_policy_can_require_every_item_and_is_checked_against_the_catalog() {
    for item in CATALOG {
        for choice in item.choices {
            let mut policy = Policy::default();
            policy.checklist.required.insert(item.id.into(), Requirement::One(choice.value.into()));
            policy.validate().unwrap_or_else(|e| panic!("{}: {e}", item.id));
            let profile = Profile::new();
            let tv = profile.open().unwrap();
            tv.set_policy(&policy).unwrap();
            let device = phone("2.26.1", true);
            let run = tv.checklist_start(Platform::Android, &device).unwrap();
            let required = &run.items.iter().find(|i| i.item.id == item.id).unwrap().required;
            assert_eq!(required, &Requirement::One(choice.value.into()));
            if item.source == Source::Clinician {
                // Answering the required value is compliant for this item.
                answer_all(&tv, &[(item.id, choice.value)]);
                let result = tv.checklist_finish().unwrap();
                assert!(result.deviations.iter().all(|d| d.item_id != item.id), "{}", item.id);
            }
        }
        for choice in item.choices {
            let mut policy = Policy::default();
            policy.checklist.required.insert(item.id.into(), Requirement::AnyOf(vec![choice.value.into()]));
            policy.validate().unwrap();
        }
    }
    let mut policy = Policy::default();
    policy.checklist.required.insert("read_receipts".into(), Requirement::One("sometimes".into()));
    let err = policy.validate().unwrap_err().to_string();
    assert!(err.contains("`read_receipts` takes only these values: on, off") && !err.contains("sometimes"), "{err}");
    let mut policy = Policy::default();
    policy.checklist.required.insert("nonsense".into(), Requirement::NotChecked);
    assert!(policy.validate().is_err());
    let mut policy = Policy::default();
    policy.checklist.catalog_version = CATALOG_VERSION + 1;
    assert!(policy.validate().unwrap_err().to_string().contains("catalog"));
    let mut policy = Policy::default();
    policy.checklist.required.insert("groups".into(), Requirement::NotChecked);
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    tv.set_policy(&policy).unwrap();
    let run = tv.checklist_start(Platform::Android, &phone("1", true)).unwrap();
    assert!(run.items.iter().all(|i| i.item.id != "groups"), "a not-checked item is not asked");
}

#[test]
fn a_phone_without_a_screen_lock_deviates() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    tv.checklist_start(Platform::Ios, &phone("2.26.1", false)).unwrap();
    answer_all(&tv, &[]);
    let result = tv.checklist_finish().unwrap();
    assert_eq!(result.deviations.iter().map(|d| d.item_id).collect::<Vec<_>>(), vec!["screen_lock"]);
    assert!(result.deviations[0].instruction.contains("Face ID & Passcode"));
}
