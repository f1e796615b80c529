//! Before a call: every pre-flight reason code, the policy's block/warn choice, the launch plan
//! and the record of each attempt.

mod common;

use chrono::Duration;
use common::Profile;
use common::{book::MemoryBook, SetPolicy};
use std::collections::BTreeMap;
use televisit_core::call::{AttemptKind, CheckStatus, LaunchStep, TemplateId};
use televisit_core::log::{Actor, EntryKind, LogQuery};
use televisit_core::policy::{CallingHours, Severity};
use televisit_core::{
    ChecklistStatus, ConsentMethod, DeviceFacts, DeviceSnapshot, Error, InstalledWhatsApp, MessageRequest, NewPatient,
    Patient, Platform, Policy, Televisit, WhatsAppApp, WhatsAppDirectory,
};

struct Phone(DeviceSnapshot);

impl DeviceFacts for Phone {
    fn snapshot(&self) -> DeviceSnapshot {
        self.0.clone()
    }
}

fn phone_with(apps: &[WhatsAppApp]) -> Phone {
    Phone(DeviceSnapshot {
        passcode_set: true,
        compromised: false,
        os_version: "Android 15".into(),
        whatsapp: apps.iter().map(|app| InstalledWhatsApp { app: *app, version: "2.26.1".into() }).collect(),
        utc_offset_minutes: 0,
    })
}

struct Directory(Option<i64>);

impl WhatsAppDirectory for Directory {
    fn video_call_row(&self, _contact: &str, _app: WhatsAppApp) -> Option<i64> {
        self.0
    }
}

struct Ready {
    profile: Profile,
    tv: Televisit,
    book: MemoryBook,
    patient: Patient,
}

/// A patient with consent and a contact, the disclosure acknowledged, the app unlocked.
fn ready() -> Ready {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let mut policy = Policy::default();
    policy.contacts.default_region = "GB".into();
    tv.set_policy(&policy).unwrap();
    let book = MemoryBook::default();
    let patient = tv
        .patient_add(&NewPatient {
            given_name: "Susan".into(),
            family_name: "Smith".into(),
            phone: "07400 123456".into(),
            visit_at: None,
        })
        .unwrap();
    tv.consent_record(&patient.id, ConsentMethod::Verbal, "v1", Actor::Clinician).unwrap();
    tv.ensure_contact(&book, &patient.id).unwrap();
    tv.acknowledge_disclosure().unwrap();
    tv.unlock_succeeded();
    Ready { profile, tv, book, patient }
}

fn status_of(r: &Ready, device: &Phone, code: &str) -> Option<CheckStatus> {
    let preflight = r.tv.preflight(&r.book, device, &r.patient.id).unwrap();
    preflight.checks.iter().find(|c| c.code == code).map(|c| c.status)
}

fn set_policy(tv: &Televisit, edit: impl FnOnce(&mut Policy)) {
    let mut policy = tv.policy().unwrap();
    edit(&mut policy);
    tv.set_policy(&policy).unwrap();
}

#[test]
fn a_ready_patient_passes_everything_but_the_checklist_warning() {
    let r = ready();
    let preflight = r.tv.preflight(&r.book, &phone_with(&[WhatsAppApp::Consumer]), &r.patient.id).unwrap();
    let codes: Vec<_> = preflight.checks.iter().map(|c| (c.code, c.status)).collect();
    assert_eq!(
        codes,
        vec![
            ("consent_given", CheckStatus::Pass),
            ("checklist_never", CheckStatus::Warn),
            ("whatsapp_ready", CheckStatus::Pass),
            ("contact_ready", CheckStatus::Pass),
            ("number_mobile", CheckStatus::Pass),
            ("app_unlocked", CheckStatus::Pass),
            ("disclosure_acknowledged", CheckStatus::Pass),
        ]
    );
    assert!(!preflight.blocked());
    assert_eq!(preflight.app, Some(WhatsAppApp::Consumer));
    assert_eq!(r.tv.checklist_status(None).unwrap(), ChecklistStatus::Never);
}

#[test]
fn consent_missing_and_revoked_block() {
    let r = ready();
    let phone = phone_with(&[WhatsAppApp::Consumer]);
    r.tv.consent_revoke(&r.patient.id, Actor::Clinician).unwrap();
    assert_eq!(status_of(&r, &phone, "consent_revoked"), Some(CheckStatus::Block));
    let other =
        r.tv.patient_add(&NewPatient {
            given_name: "Ann".into(),
            family_name: "Lee".into(),
            phone: "07400 222333".into(),
            visit_at: None,
        })
        .unwrap();
    let preflight = r.tv.preflight(&r.book, &phone, &other.id).unwrap();
    assert_eq!(preflight.blocking_codes(), vec!["consent_missing", "contact_missing"]);
}

/// Answers every item the clinician is asked with the catalog's recommendation.
fn pass_checklist(tv: &Televisit, phone: &Phone) {
    let run = tv.checklist_start(Platform::Android, phone).unwrap();
    for item in run.items.iter().filter(|i| !i.pre_answered) {
        tv.checklist_answer(item.item.id, item.item.recommended).unwrap();
    }
    assert!(tv.checklist_finish().unwrap().compliant);
}

#[test]
fn checklist_never_current_and_due_warn_or_block_as_the_policy_says() {
    let r = ready();
    let phone = phone_with(&[WhatsAppApp::Consumer]);
    assert_eq!(status_of(&r, &phone, "checklist_never"), Some(CheckStatus::Warn));
    set_policy(&r.tv, |p| p.calls.checks.checklist = Severity::Block);
    assert_eq!(status_of(&r, &phone, "checklist_never"), Some(CheckStatus::Block));
    pass_checklist(&r.tv, &phone);
    assert_eq!(status_of(&r, &phone, "checklist_current"), Some(CheckStatus::Pass));
    r.profile.clock.advance(Duration::days(31));
    assert_eq!(status_of(&r, &phone, "checklist_reconfirm"), Some(CheckStatus::Block), "a month on: re-confirm");
    r.profile.clock.advance(Duration::days(150));
    assert_eq!(status_of(&r, &phone, "checklist_due"), Some(CheckStatus::Block), "past the full run's 180 days");
    set_policy(&r.tv, |p| p.calls.checks.checklist = Severity::Warn);
    assert_eq!(status_of(&r, &phone, "checklist_due"), Some(CheckStatus::Warn));
}

#[test]
fn whatsapp_missing_or_not_allowed() {
    let r = ready();
    assert_eq!(status_of(&r, &phone_with(&[]), "whatsapp_missing"), Some(CheckStatus::Block));
    set_policy(&r.tv, |p| p.calls.allowed_apps = vec![WhatsAppApp::Business]);
    let consumer_only = phone_with(&[WhatsAppApp::Consumer]);
    assert_eq!(status_of(&r, &consumer_only, "whatsapp_not_allowed"), Some(CheckStatus::Block));
    let preflight = r.tv.preflight(&r.book, &consumer_only, &r.patient.id).unwrap();
    let message = &preflight.checks.iter().find(|c| c.code == "whatsapp_not_allowed").unwrap().message;
    assert!(message.contains("WhatsApp Business"), "{message}");
    let both = phone_with(&[WhatsAppApp::Consumer, WhatsAppApp::Business]);
    assert_eq!(r.tv.preflight(&r.book, &both, &r.patient.id).unwrap().app, Some(WhatsAppApp::Business));
}

#[test]
fn contact_missing_or_out_of_sync() {
    let r = ready();
    let phone = phone_with(&[WhatsAppApp::Consumer]);
    let id = r.tv.contact_records().unwrap()[0].platform_id.clone();
    r.book.edit(&id, |c| c.display_name = "Susan".into());
    assert_eq!(status_of(&r, &phone, "contact_out_of_sync"), Some(CheckStatus::Block));
    r.book.remove_by_hand(&id);
    assert_eq!(status_of(&r, &phone, "contact_missing"), Some(CheckStatus::Block));
}

#[test]
fn call_makes_or_mends_the_contact_only_when_it_is_the_one_thing_in_the_way() {
    let r = ready();
    let phone = phone_with(&[WhatsAppApp::Consumer]);
    let id = r.tv.contact_records().unwrap()[0].platform_id.clone();
    // Changed on the phone: put right, and the pre-flight passes.
    r.book.edit(&id, |c| c.display_name = "Susan".into());
    let prepared = r.tv.prepare_call(&r.book, &phone, &r.patient.id).unwrap();
    assert!(!prepared.blocked(), "{prepared:?}");
    // Deleted by hand: made again.
    let id = r.tv.contact_records().unwrap()[0].platform_id.clone();
    r.book.remove_by_hand(&id);
    assert!(!r.tv.prepare_call(&r.book, &phone, &r.patient.id).unwrap().blocked());
    assert_eq!(televisit_core::ContactBook::list(&r.book, televisit_core::ListScope::All).unwrap().len(), 1);
    // Without consent nothing is made: the clinician sees why first.
    r.tv.consent_revoke(&r.patient.id, Actor::Clinician).unwrap();
    let id = r.tv.contact_records().unwrap()[0].platform_id.clone();
    r.book.remove_by_hand(&id);
    let blocked = r.tv.prepare_call(&r.book, &phone, &r.patient.id).unwrap();
    let blocking: Vec<&str> =
        blocked.checks.iter().filter(|c| c.status == CheckStatus::Block).map(|c| c.code).collect();
    assert!(blocking.contains(&"consent_revoked") && blocking.contains(&"contact_missing"), "{blocking:?}");
    assert!(
        televisit_core::ContactBook::list(&r.book, televisit_core::ListScope::All).unwrap().is_empty(),
        "no contact made for a blocked call"
    );
}

#[test]
fn a_landline_warns() {
    let r = ready();
    let phone = phone_with(&[WhatsAppApp::Consumer]);
    r.tv.patient_update(
        &r.patient.id,
        &televisit_core::PatientUpdate { phone: Some("020 7946 0000".into()), ..Default::default() },
    )
    .unwrap();
    r.tv.ensure_contact(&r.book, &r.patient.id).unwrap();
    assert_eq!(status_of(&r, &phone, "number_not_mobile"), Some(CheckStatus::Warn));
}

#[test]
fn a_locked_or_idle_app_blocks() {
    let r = ready();
    let phone = phone_with(&[WhatsAppApp::Consumer]);
    r.profile.clock.advance(Duration::minutes(6));
    assert_eq!(status_of(&r, &phone, "app_locked"), Some(CheckStatus::Block), "idle past the 5-minute timeout");
    r.tv.unlock_succeeded();
    assert_eq!(status_of(&r, &phone, "app_unlocked"), Some(CheckStatus::Pass));
    r.tv.unlock_failed(&r.profile.secrets).unwrap();
    assert_eq!(status_of(&r, &phone, "app_locked"), Some(CheckStatus::Block));
    assert_eq!(
        r.tv.log_list(&LogQuery { kinds: vec![EntryKind::UnlockFailed], ..Default::default() }).unwrap().len(),
        1
    );
}

#[test]
fn calling_hours_inside_and_outside() {
    let r = ready();
    // 2026-01-01 09:00 UTC is a Thursday.
    set_policy(&r.tv, |p| {
        p.calls.hours = Some(CallingHours { start: "08:00".into(), end: "18:00".into(), weekdays: vec![1, 2, 3, 4, 5] })
    });
    assert_eq!(status_of(&r, &phone_with(&[WhatsAppApp::Consumer]), "inside_calling_hours"), Some(CheckStatus::Pass));
    let mut far_east = phone_with(&[WhatsAppApp::Consumer]);
    far_east.0.utc_offset_minutes = 10 * 60; // 19:00 local
    assert_eq!(status_of(&r, &far_east, "outside_calling_hours"), Some(CheckStatus::Warn));
    set_policy(&r.tv, |p| p.calls.checks.calling_hours = Severity::Block);
    assert_eq!(status_of(&r, &far_east, "outside_calling_hours"), Some(CheckStatus::Block));
    let mut bad = r.tv.policy().unwrap();
    bad.calls.hours = Some(CallingHours { start: "18:00".into(), end: "08:00".into(), weekdays: vec![1] });
    assert!(matches!(r.tv.set_policy(&bad), Err(Error::InvalidInput { field: "calls.hours.end", .. })));
}

#[test]
fn the_disclosure_is_needed_once_and_logged() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    assert!(!tv.disclosure_acknowledged().unwrap());
    tv.acknowledge_disclosure().unwrap();
    assert!(tv.disclosure_acknowledged().unwrap());
    let r = ready();
    r.profile.raw().execute("DELETE FROM settings WHERE name = 'disclosure_acknowledged_at_ms'", []).unwrap();
    let preflight = r.tv.preflight(&r.book, &phone_with(&[WhatsAppApp::Consumer]), &r.patient.id).unwrap();
    let check = preflight.checks.iter().find(|c| c.code == "disclosure_pending").unwrap();
    assert_eq!(check.status, CheckStatus::Block);
    assert!(check.message.contains("shows your own phone number"));
}

#[test]
fn an_archived_patient_is_blocked() {
    let r = ready();
    r.tv.patient_archive(&r.patient.id).unwrap();
    assert_eq!(status_of(&r, &phone_with(&[WhatsAppApp::Consumer]), "patient_archived"), Some(CheckStatus::Block));
}

#[test]
fn a_blocked_preflight_gives_no_plan() {
    let r = ready();
    r.tv.consent_revoke(&r.patient.id, Actor::Clinician).unwrap();
    let err =
        r.tv.launch_plan(&r.book, &phone_with(&[WhatsAppApp::Consumer]), None, &r.patient.id, Platform::Android, None)
            .unwrap_err();
    assert!(matches!(&err, Error::CallBlocked { reasons } if reasons == "consent_revoked"), "{err:?}");
}

#[test]
fn plans_for_android_with_and_without_the_row_and_for_ios() {
    let r = ready();
    let phone = phone_with(&[WhatsAppApp::Consumer]);
    let direct =
        r.tv.launch_plan(&r.book, &phone, Some(&Directory(Some(99))), &r.patient.id, Platform::Android, None).unwrap();
    assert_eq!(
        direct.attempts.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![AttemptKind::DirectVideo, AttemptKind::Chat]
    );
    assert!(
        matches!(&direct.attempts[0].step, LaunchStep::AndroidIntent { data, .. } if data == "content://com.android.contacts/data/99")
    );
    let synced =
        r.tv.launch_plan(&r.book, &phone, Some(&Directory(None)), &r.patient.id, Platform::Android, None).unwrap();
    assert_eq!(synced.attempts[0].kind, AttemptKind::SyncThenVideo);
    let ios = r.tv.launch_plan(&r.book, &phone, None, &r.patient.id, Platform::Ios, None).unwrap();
    let LaunchStep::OpenUrl { url, .. } = &ios.attempts[0].step else { panic!() };
    let url = url::Url::parse(url).unwrap();
    assert_eq!(url.scheme(), "whatsapp");
    assert_eq!(url.query_pairs().find(|(k, _)| k == "phone").unwrap().1, "447400123456");
    assert_eq!(
        ios.preflight.checks.iter().filter(|c| c.status == CheckStatus::Warn).count(),
        1,
        "the checklist warning rides along"
    );
}

#[test]
fn a_prefilled_message_is_rendered_linted_and_encoded() {
    let r = ready();
    let phone = phone_with(&[WhatsAppApp::Consumer]);
    let values = |time: &str| -> BTreeMap<String, String> {
        [("clinic".to_string(), "North Clinic".to_string()), ("time".to_string(), time.to_string())]
            .into_iter()
            .collect()
    };
    let request = MessageRequest { template: TemplateId::VideoCallAt, values: values("10:30 & on time?") };
    let plan = r.tv.launch_plan(&r.book, &phone, None, &r.patient.id, Platform::Android, Some(&request)).unwrap();
    let LaunchStep::OpenUrl { url, .. } = &plan.attempts[1].step else { panic!() };
    let url = url::Url::parse(url).unwrap();
    let text = url.query_pairs().find(|(k, _)| k == "text").unwrap().1.into_owned();
    assert_eq!(Some(text), plan.message);
    assert!(plan.message.as_deref().unwrap().contains("10:30 & on time?"));

    let phi =
        MessageRequest { template: TemplateId::VideoCallAt, values: values("10:30 about your biopsy, DOB 12/03/1985") };
    let err = r.tv.launch_plan(&r.book, &phone, None, &r.patient.id, Platform::Android, Some(&phi)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("a date of birth") && text.contains("a clinical term"), "{text}");
    assert!(!text.contains("1985") && !text.contains("biopsy"), "{text}");
    set_policy(&r.tv, |p| p.calls.phi_lint = Severity::Warn);
    let warned = r.tv.launch_plan(&r.book, &phone, None, &r.patient.id, Platform::Android, Some(&phi)).unwrap();
    assert!(!warned.message_findings.is_empty());
    let unknown = MessageRequest { template: TemplateId::Directions, values: values("10:30") };
    assert!(matches!(
        r.tv.launch_plan(&r.book, &phone, None, &r.patient.id, Platform::Android, Some(&unknown)),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn launches_are_logged_and_counted_per_day() {
    let r = ready();
    r.tv.record_launch(&r.patient.id, AttemptKind::SyncThenVideo, Some(WhatsAppApp::Consumer), false).unwrap();
    r.tv.record_launch(&r.patient.id, AttemptKind::Chat, Some(WhatsAppApp::Consumer), true).unwrap();
    let entries = r.tv.log_list(&LogQuery { patient: Some(r.patient.id.clone()), ..Default::default() }).unwrap();
    let last_two: Vec<_> = entries.iter().rev().take(2).map(|e| (e.kind, e.detail.get("step").cloned())).collect();
    assert_eq!(last_two[0].0, EntryKind::CallLaunched);
    assert_eq!(last_two[1].0, EntryKind::CallAttemptFailed);
    let metrics = r.tv.metrics(7).unwrap();
    assert_eq!(metrics.len(), 1);
    assert_eq!((metrics[0].calls_launched, metrics[0].consents_recorded, metrics[0].contacts_created), (1, 1, 1));
    assert_eq!(metrics[0].day, "2026-01-01");
    assert!(r.tv.metrics(0).is_err());
}
