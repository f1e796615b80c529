//! Patients, consent, contacts under the naming convention, and the periodic cleanup.

mod common;

use chrono::Duration;
use common::Profile;
use common::{book::MemoryBook, SetPolicy};
use televisit_core::log::{Actor, EntryKind, LogQuery};
use televisit_core::{
    CleanupOutcome, CleanupRules, ConsentMethod, ConsentState, EnsureAction, Error, NewPatient, PatientUpdate, Policy,
    RemovalReason, Televisit, Verification,
};

fn gb(tv: &Televisit) {
    let mut policy = Policy::default();
    policy.contacts.default_region = "GB".into();
    tv.set_policy(&policy).unwrap();
}

fn susan() -> NewPatient {
    NewPatient { given_name: "Susan".into(), family_name: "Smith".into(), phone: "07400 123456".into(), visit_at: None }
}

fn setup() -> (Profile, Televisit, MemoryBook) {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    gb(&tv);
    (profile, tv, MemoryBook::default())
}

#[test]
fn a_patient_is_added_with_an_e164_phone_and_a_contact_name() {
    let (_p, tv, _book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    assert_eq!(patient.phone, "+447400123456");
    assert_eq!(patient.contact_name, "Patient Susan Smith");
    assert_eq!(patient.consent, ConsentState::None);
    assert_eq!(tv.patients(false).unwrap(), vec![patient.clone()]);
    let added = tv.log_list(&LogQuery { kinds: vec![EntryKind::PatientAdded], ..Default::default() }).unwrap();
    assert_eq!(added[0].patient.as_ref(), Some(&patient.id));
    assert!(added[0].detail.fields().is_empty(), "no name or number in the log");
}

#[test]
fn two_susan_smiths_get_distinct_stable_names() {
    let (_p, tv, _book) = setup();
    let first = tv.patient_add(&susan()).unwrap();
    let second = tv.patient_add(&NewPatient { phone: "07400 654321".into(), ..susan() }).unwrap();
    assert_eq!(second.contact_name, "Patient Susan Smith (2)");
    // A change that keeps the names keeps the contact name.
    let moved = tv
        .patient_update(&second.id, &PatientUpdate { phone: Some("07400 111222".into()), ..Default::default() })
        .unwrap();
    assert_eq!(moved.contact_name, "Patient Susan Smith (2)");
    assert_eq!(tv.patient(&first.id).unwrap().contact_name, "Patient Susan Smith");
    // A rename gets a new name under the convention.
    let renamed = tv
        .patient_update(&second.id, &PatientUpdate { family_name: Some("Jones".into()), ..Default::default() })
        .unwrap();
    assert_eq!(renamed.contact_name, "Patient Susan Jones");
}

#[test]
fn a_duplicate_patient_is_refused() {
    let (_p, tv, _book) = setup();
    let first = tv.patient_add(&susan()).unwrap();
    let err = tv
        .patient_add(&NewPatient { phone: "+44 7400 123456".into(), given_name: " Susan ".into(), ..susan() })
        .unwrap_err();
    assert!(err.to_string().contains(first.id.as_str()), "{err}");
    assert!(!err.to_string().contains("Susan"), "{err}");
    assert_eq!(tv.patients(false).unwrap().len(), 1);
}

#[test]
fn absurd_names_and_bad_phones_are_refused_without_echo() {
    let (_p, tv, _book) = setup();
    let cases = [
        NewPatient { given_name: "\u{1F600}\u{1F600}".into(), ..susan() },
        NewPatient { family_name: "\u{200B}\u{202E}".into(), ..susan() },
        NewPatient { given_name: "".into(), ..susan() },
        NewPatient { phone: "12".into(), ..susan() },
        NewPatient { phone: "07400 12345678901234".into(), ..susan() },
        NewPatient { phone: "Susan's mobile".into(), ..susan() },
    ];
    for case in &cases {
        let err = tv.patient_add(case).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        let text = err.to_string();
        assert!(!text.contains("Susan") && !text.contains("Smith") && !text.contains("07400"), "{text}");
    }
    assert!(tv.patients(false).unwrap().is_empty());
    // Long and right-to-left-overridden names are cleaned, not refused.
    let long = tv.patient_add(&NewPatient { given_name: "A".repeat(5000), ..susan() }).unwrap();
    assert_eq!(long.given_name.len(), 40);
    let rtl = tv
        .patient_add(&NewPatient { family_name: "\u{202E}htimS".into(), phone: "07400 999888".into(), ..susan() })
        .unwrap();
    assert_eq!(rtl.contact_name, "Patient Susan htimS");
}

#[test]
fn a_decline_is_recorded_apart_from_never_asked_and_from_a_withdrawal() {
    let (_p, tv, book) = setup();
    let asked = tv.patient_add(&susan()).unwrap();
    let never =
        tv.patient_add(&NewPatient { given_name: "Ann".into(), phone: "07400 222333".into(), ..susan() }).unwrap();
    tv.ensure_contact(&book, &asked.id).unwrap();
    let declined = tv.consent_decline(&asked.id, ConsentMethod::Verbal, "v2", Actor::Clinician).unwrap();
    assert!(matches!(
        declined,
        ConsentState::Declined { method: ConsentMethod::Verbal, ref text_version, .. } if text_version == "v2"
    ));
    assert!(!tv.patient(&asked.id).unwrap().consent.is_given());
    assert_eq!(tv.patient(&never.id).unwrap().consent, ConsentState::None);
    // A decline is no consent to withdraw: revoking changes nothing and logs nothing.
    assert!(matches!(tv.consent_revoke(&asked.id, Actor::Clinician).unwrap(), ConsentState::Declined { .. }));
    let kinds: Vec<_> = tv
        .log_list(&LogQuery { patient: Some(asked.id.clone()), ..Default::default() })
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec![EntryKind::PatientAdded, EntryKind::ContactCreated, EntryKind::ConsentDeclined]);
    // Its contact is due for cleanup, for that reason.
    let plan = tv.cleanup_plan(&book, None).unwrap();
    let reasons = plan.remove.iter().find(|r| r.patient == asked.id).map(|r| r.reasons.clone());
    assert_eq!(reasons, Some(vec![RemovalReason::ConsentDeclined]));
    // The patient may change their mind: a later consent is the latest record.
    tv.consent_record(&asked.id, ConsentMethod::Written, "v2", Actor::Clinician).unwrap();
    assert!(tv.patient(&asked.id).unwrap().consent.is_given());
    // A bad wording version is refused for a decline as for a consent, and nothing is stored.
    let err = tv.consent_decline(&never.id, ConsentMethod::Verbal, "free text", Actor::Clinician).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert_eq!(tv.patient(&never.id).unwrap().consent, ConsentState::None);
}

#[test]
fn consent_is_recorded_revoked_and_logged() {
    let (_p, tv, _book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    let given = tv.consent_record(&patient.id, ConsentMethod::Verbal, "v2", Actor::Clinician).unwrap();
    assert!(
        matches!(given, ConsentState::Given { method: ConsentMethod::Verbal, ref text_version, .. } if text_version == "v2")
    );
    assert!(tv.patient(&patient.id).unwrap().consent.is_given());
    assert!(matches!(tv.consent_revoke(&patient.id, Actor::Clinician).unwrap(), ConsentState::Revoked { .. }));
    assert!(matches!(
        tv.consent_record(&patient.id, ConsentMethod::Written, "free text v2", Actor::Clinician),
        Err(Error::InvalidInput { .. })
    ));
    let kinds: Vec<_> = tv
        .log_list(&LogQuery { patient: Some(patient.id.clone()), ..Default::default() })
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec![EntryKind::PatientAdded, EntryKind::ConsentRecorded, EntryKind::ConsentRevoked]);
    let unknown = televisit_core::PatientRef::generate().unwrap();
    assert!(matches!(
        tv.consent_record(&unknown, ConsentMethod::InApp, "v1", Actor::Clinician),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn ensure_contact_creates_then_is_idempotent() {
    let (_p, tv, book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    let made = tv.ensure_contact(&book, &patient.id).unwrap();
    assert_eq!(made.action, EnsureAction::Created);
    let contact = book.by_id(&made.platform_id).unwrap();
    assert_eq!(contact.display_name, "Patient Susan Smith");
    assert_eq!(contact.phones, vec!["+447400123456".to_string()]);
    assert_eq!(contact.marker.as_deref(), Some(format!("televisit:{}", patient.id).as_str()));
    let again = tv.ensure_contact(&book, &patient.id).unwrap();
    assert_eq!(
        again,
        televisit_core::EnsuredContact { platform_id: made.platform_id, action: EnsureAction::Unchanged }
    );
    assert_eq!(book.contacts.lock().unwrap().len(), 1);
}

#[test]
fn ensure_contact_repairs_a_renamed_renumbered_or_deleted_contact() {
    let (_p, tv, book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    let id = tv.ensure_contact(&book, &patient.id).unwrap().platform_id;
    book.edit(&id, |c| c.display_name = "Susan (dentist)".into());
    assert_eq!(tv.ensure_contact(&book, &patient.id).unwrap().action, EnsureAction::Repaired);
    assert_eq!(book.by_id(&id).unwrap().display_name, "Patient Susan Smith");
    book.edit(&id, |c| c.phones = vec!["+447400000000".into()]);
    assert_eq!(tv.ensure_contact(&book, &patient.id).unwrap().action, EnsureAction::Repaired);
    assert_eq!(book.by_id(&id).unwrap().phones, vec!["+447400123456".to_string()]);
    book.remove_by_hand(&id);
    let recreated = tv.ensure_contact(&book, &patient.id).unwrap();
    assert_eq!(recreated.action, EnsureAction::Repaired);
    assert_ne!(recreated.platform_id, id);
    assert_eq!(tv.contact_records().unwrap().len(), 1);
    assert_eq!(tv.contact_records().unwrap()[0].platform_id, recreated.platform_id);
}

#[test]
fn a_contact_with_our_marker_is_adopted_after_a_lost_record() {
    let (profile, tv, book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    let id = tv.ensure_contact(&book, &patient.id).unwrap().platform_id;
    profile.raw().execute("DELETE FROM contacts", []).unwrap();
    let adopted = tv.ensure_contact(&book, &patient.id).unwrap();
    assert_eq!(adopted, televisit_core::EnsuredContact { platform_id: id, action: EnsureAction::Adopted });
    assert_eq!(book.contacts.lock().unwrap().len(), 1);
}

#[test]
fn a_refused_contact_write_is_an_error_and_logged_by_id_only() {
    let (_p, tv, book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    *book.refuse_writes.lock().unwrap() = true;
    let err = tv.ensure_contact(&book, &patient.id).unwrap_err();
    assert!(matches!(err, Error::ContactBook(_)), "{err:?}");
    assert!(err.to_string().contains("contacts access was not granted"), "{err}");
    let failed = tv.log_list(&LogQuery { kinds: vec![EntryKind::ContactFailed], ..LogQuery::default() }).unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].patient.as_ref(), Some(&patient.id));
    assert!(tv.contact_records().unwrap().is_empty(), "nothing half-written");
    *book.refuse_writes.lock().unwrap() = false;
    assert_eq!(tv.ensure_contact(&book, &patient.id).unwrap().action, EnsureAction::Created);
}

#[test]
fn an_archived_patient_gets_no_contact() {
    let (_p, tv, book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    tv.patient_archive(&patient.id).unwrap();
    assert!(matches!(tv.ensure_contact(&book, &patient.id), Err(Error::InvalidInput { .. })));
    assert!(tv.patients(false).unwrap().is_empty());
    assert_eq!(tv.patients(true).unwrap().len(), 1);
}

#[test]
fn cleanup_plans_with_reasons_and_flags_lookalikes_apart() {
    let (profile, tv, book) = setup();
    let old = tv.patient_add(&susan()).unwrap();
    let done =
        tv.patient_add(&NewPatient { given_name: "Ann".into(), phone: "07400 222333".into(), ..susan() }).unwrap();
    let archived =
        tv.patient_add(&NewPatient { given_name: "Bo".into(), phone: "07400 333444".into(), ..susan() }).unwrap();
    let revoked =
        tv.patient_add(&NewPatient { given_name: "Cy".into(), phone: "07400 444555".into(), ..susan() }).unwrap();
    let current =
        tv.patient_add(&NewPatient { given_name: "Di".into(), phone: "07400 555666".into(), ..susan() }).unwrap();
    let old_contact = tv.ensure_contact(&book, &old.id).unwrap().platform_id;
    profile.clock.advance(Duration::days(40));
    for p in [&done, &archived, &revoked, &current] {
        tv.ensure_contact(&book, &p.id).unwrap();
    }
    tv.mark_visit_done(&done.id).unwrap();
    tv.patient_archive(&archived.id).unwrap();
    tv.consent_record(&revoked.id, ConsentMethod::Verbal, "v1", Actor::Clinician).unwrap();
    tv.consent_revoke(&revoked.id, Actor::Clinician).unwrap();
    // Withdrawn, then given again: only the latest consent counts.
    tv.consent_record(&current.id, ConsentMethod::Verbal, "v1", Actor::Clinician).unwrap();
    tv.consent_revoke(&current.id, Actor::Clinician).unwrap();
    tv.consent_record(&current.id, ConsentMethod::Written, "v1", Actor::Clinician).unwrap();
    let lookalike = book.add_by_hand("patient maria lopez", "+447400777888");
    book.add_by_hand("Mum", "+447400888999");

    let plan = tv.cleanup_plan(&book, None).unwrap();
    let reasons =
        |id: &televisit_core::PatientRef| plan.remove.iter().find(|r| &r.patient == id).map(|r| r.reasons.clone());
    assert_eq!(reasons(&old.id), Some(vec![RemovalReason::NotUsedFor { days: 30 }]));
    assert_eq!(reasons(&done.id), Some(vec![RemovalReason::VisitDone]));
    assert_eq!(reasons(&archived.id), Some(vec![RemovalReason::PatientArchived]));
    assert_eq!(reasons(&revoked.id), Some(vec![RemovalReason::ConsentRevoked]));
    assert_eq!(reasons(&current.id), None);
    assert_eq!(plan.lookalikes.len(), 1);
    assert_eq!(plan.lookalikes[0].platform_id, lookalike);
    assert_eq!(book.contacts.lock().unwrap().len(), 7, "a dry run deletes nothing");

    let report = tv.cleanup_apply(&book, &plan, &[]).unwrap();
    assert_eq!((report.deleted, report.already_gone, report.failed), (4, 0, 0));
    assert!(book.by_id(&old_contact).is_none());
    assert!(book.by_id(&lookalike).is_some(), "an unconfirmed lookalike stays");
    assert_eq!(tv.contact_records().unwrap().len(), 1);
    let run = tv.log_list(&LogQuery { kinds: vec![EntryKind::CleanupRun], ..Default::default() }).unwrap();
    let summary = serde_json::to_string(&run[0].detail).unwrap();
    assert_eq!(summary, r#"{"already_gone":0,"deleted":4,"failed":0,"lookalikes_deleted":0,"lookalikes_left":1}"#);

    // Confirmed, the lookalike goes too.
    let plan = tv.cleanup_plan(&book, None).unwrap();
    let report = tv.cleanup_apply(&book, &plan, std::slice::from_ref(&lookalike)).unwrap();
    assert_eq!(report.deleted, 1);
    assert!(book.by_id(&lookalike).is_none());
    assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { .. }));
}

#[test]
fn a_book_failing_in_the_middle_of_cleanup_lets_the_rest_go_on_and_retries_later() {
    let (_p, tv, book) = setup();
    let mut ids = Vec::new();
    for (i, name) in ["Ann", "Bo", "Cy"].iter().enumerate() {
        let p = tv
            .patient_add(&NewPatient { given_name: (*name).into(), phone: format!("07400 10000{i}"), ..susan() })
            .unwrap();
        ids.push(tv.ensure_contact(&book, &p.id).unwrap().platform_id);
        tv.mark_visit_done(&p.id).unwrap();
    }
    book.fail_delete.lock().unwrap().insert(ids[1].clone());
    book.remove_by_hand(&ids[2]);
    let plan = tv.cleanup_plan(&book, None).unwrap();
    let report = tv.cleanup_apply(&book, &plan, &[]).unwrap();
    assert_eq!((report.deleted, report.already_gone, report.failed), (1, 1, 1));
    assert!(matches!(&report.results[1].outcome, CleanupOutcome::Failed { reason } if reason.contains("busy")));
    let left = tv.contact_records().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].failed_deletes, 1);

    book.fail_delete.lock().unwrap().clear();
    let plan = tv.cleanup_plan(&book, None).unwrap();
    assert!(plan.remove[0].reasons.contains(&RemovalReason::EarlierDeleteFailed));
    let report = tv.cleanup_apply(&book, &plan, &[]).unwrap();
    assert_eq!(report.deleted, 1);
    assert!(tv.contact_records().unwrap().is_empty());
}

#[test]
fn cleanup_refuses_bad_rules_and_unplanned_lookalikes() {
    let (_p, tv, book) = setup();
    assert!(matches!(
        tv.cleanup_plan(&book, Some(CleanupRules { older_than_days: 0, when_visit_done: true })),
        Err(Error::InvalidInput { .. })
    ));
    let plan = tv.cleanup_plan(&book, None).unwrap();
    let stranger = book.add_by_hand("Mum", "+447400888999");
    assert!(matches!(tv.cleanup_apply(&book, &plan, std::slice::from_ref(&stranger)), Err(Error::InvalidInput { .. })));
    assert!(book.by_id(&stranger).is_some());
}

#[test]
fn a_stale_plan_skips_contacts_that_were_replaced() {
    let (profile, tv, book) = setup();
    let p = tv.patient_add(&susan()).unwrap();
    let first = tv.ensure_contact(&book, &p.id).unwrap().platform_id;
    profile.clock.advance(Duration::days(31));
    let plan = tv.cleanup_plan(&book, None).unwrap();
    assert_eq!(plan.remove.len(), 1);
    book.remove_by_hand(&first);
    let second = tv.ensure_contact(&book, &p.id).unwrap().platform_id;
    let report = tv.cleanup_apply(&book, &plan, &[]).unwrap();
    assert!(report.results.is_empty());
    assert!(book.by_id(&second).is_some());
}

#[test]
fn the_matcher_is_exposed_for_the_policy_in_force() {
    let (_p, tv, _book) = setup();
    assert!(tv.looks_like_patient_contact("Patient Susan Smith").unwrap());
    assert!(!tv.looks_like_patient_contact("Susan Smith").unwrap());
}

#[test]
fn a_marked_contact_missing_from_the_record_is_cleaned_up_as_an_orphan() {
    let (profile, tv, book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    let id = tv.ensure_contact(&book, &patient.id).unwrap().platform_id;
    // As if the record were lost in a crash after the contact was made.
    profile.raw().execute("DELETE FROM contacts", []).unwrap();
    let forged = book.add_by_hand("Patient Ann Lee", "+447400222333");
    book.edit(&forged, |c| c.marker = Some("televisit:not-an-id".into()));
    let plan = tv.cleanup_plan(&book, None).unwrap();
    assert_eq!(plan.remove.len(), 1);
    assert_eq!(
        (plan.remove[0].platform_id.as_str(), plan.remove[0].reasons.clone()),
        (id.as_str(), vec![RemovalReason::Orphaned])
    );
    assert_eq!(
        plan.lookalikes.iter().map(|l| l.platform_id.clone()).collect::<Vec<_>>(),
        vec![forged.clone()],
        "a malformed marker proves nothing"
    );
    assert_eq!(plan.rules.older_than_days, 30);
    let report = tv.cleanup_apply(&book, &plan, &[]).unwrap();
    assert_eq!(report.deleted, 1);
    assert!(book.by_id(&id).is_none());
    assert!(book.by_id(&forged).is_some());
}

#[test]
fn an_orphan_adopted_after_the_plan_is_not_deleted() {
    let (profile, tv, book) = setup();
    let patient = tv.patient_add(&susan()).unwrap();
    let id = tv.ensure_contact(&book, &patient.id).unwrap().platform_id;
    profile.raw().execute("DELETE FROM contacts", []).unwrap();
    let plan = tv.cleanup_plan(&book, None).unwrap();
    assert_eq!(tv.ensure_contact(&book, &patient.id).unwrap().action, EnsureAction::Adopted);
    let report = tv.cleanup_apply(&book, &plan, &[]).unwrap();
    assert!(report.results.is_empty());
    assert!(book.by_id(&id).is_some());
}
