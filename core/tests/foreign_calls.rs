//! The store is never locked while the core waits on the phone: its contacts (a walk of a large
//! address book takes seconds), its device facts, its WhatsApp directory. Each test stops the
//! core inside one such call and, meanwhile, makes the calls a shell's main thread makes
//! (`touch`, the list, the log, `lock`); the stopped call goes on only once they returned. Were
//! the store held, they would wait until the stopped call gave up (`gate::HOLD`), and the test
//! fails on that, not on a clock.

mod common;

use common::gate::{Gate, GatedBook, GatedPhone};
use common::{Profile, SetPolicy};
use std::collections::HashSet;
use std::thread;
use std::time::Duration;
use televisit_core::log::{Actor, EntryKind, LogQuery};
use televisit_core::{
    ConsentMethod, DeviceSnapshot, EnsureAction, InstalledWhatsApp, NewPatient, Patient, Platform, Policy, Televisit,
    WhatsAppApp,
};

struct Clinic {
    _profile: Profile,
    tv: Televisit,
    book: GatedBook,
    patient: Patient,
}

/// A patient with consent, the disclosure acknowledged, the app unlocked; no contact yet.
fn clinic() -> Clinic {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let mut policy = Policy::default();
    policy.contacts.default_region = "GB".into();
    tv.set_policy(&policy).unwrap();
    let patient = add_patient(&tv, "Susan", "07400 123456");
    tv.consent_record(&patient.id, ConsentMethod::Verbal, "v1", Actor::Clinician).unwrap();
    tv.acknowledge_disclosure().unwrap();
    tv.unlock_succeeded();
    Clinic { _profile: profile, tv, book: GatedBook::default(), patient }
}

fn add_patient(tv: &Televisit, given: &str, phone: &str) -> Patient {
    let new = NewPatient { given_name: given.into(), family_name: "Smith".into(), phone: phone.into(), visit_at: None };
    tv.patient_add(&new).unwrap()
}

fn phone() -> GatedPhone {
    GatedPhone {
        snapshot: DeviceSnapshot {
            passcode_set: true,
            compromised: false,
            os_version: "Android 15".into(),
            whatsapp: vec![InstalledWhatsApp { app: WhatsAppApp::Consumer, version: "2.26.1".into() }],
            utc_offset_minutes: 0,
        },
        video_row: Some(42),
        gate: Gate::default(),
    }
}

/// What a shell's main thread does while a slow call runs on another: each must return.
fn main_thread_calls(tv: &Televisit) {
    tv.touch().unwrap();
    tv.patients(false).unwrap();
    tv.log_list(&LogQuery::default()).unwrap();
    tv.contact_records().unwrap();
    tv.lock();
    tv.unlock_succeeded();
}

/// Runs `call` on another thread, stops it inside the platform's `operation`, runs `meanwhile`
/// here, then lets the call go on and returns what it returned.
fn while_stopped_in<R: Send>(
    gate: &Gate,
    operation: &'static str,
    call: impl FnOnce() -> R + Send,
    meanwhile: impl FnOnce(),
) -> R {
    gate.arm(operation);
    thread::scope(|scope| {
        let worker = scope.spawn(call);
        assert_eq!(gate.wait_entered(), operation);
        meanwhile();
        gate.release();
        let out = worker.join().unwrap();
        assert!(!gate.gave_up(), "the store stayed locked while the core waited in the phone's {operation}");
        out
    })
}

#[test]
fn cleanup_plan_leaves_the_store_free_while_the_book_lists() {
    let c = clinic();
    c.tv.ensure_contact(&c.book, &c.patient.id).unwrap();
    c.tv.patient_archive(&c.patient.id).unwrap();
    let plan = while_stopped_in(&c.book.gate, "list", || c.tv.cleanup_plan(&c.book, None), || main_thread_calls(&c.tv))
        .unwrap();
    assert_eq!(plan.remove.len(), 1);
    assert_eq!(plan.remove[0].patient, c.patient.id);
}

#[test]
fn cleanup_apply_leaves_the_store_free_while_the_book_deletes() {
    let c = clinic();
    c.tv.ensure_contact(&c.book, &c.patient.id).unwrap();
    c.tv.patient_archive(&c.patient.id).unwrap();
    let plan = c.tv.cleanup_plan(&c.book, None).unwrap();
    let report = while_stopped_in(
        &c.book.gate,
        "delete",
        || c.tv.cleanup_apply(&c.book, &plan, &[]),
        || main_thread_calls(&c.tv),
    )
    .unwrap();
    assert_eq!(report.deleted, 1);
    assert!(c.tv.contact_records().unwrap().is_empty());
    assert!(c.book.book.contacts.lock().unwrap().is_empty());
    let logged = c.tv.log_list(&LogQuery { kinds: vec![EntryKind::ContactDeleted], ..Default::default() }).unwrap();
    assert_eq!(logged.len(), 1);
}

#[test]
fn ensure_contact_leaves_the_store_free_while_the_book_looks_and_creates() {
    let c = clinic();
    for operation in ["find_by_phone", "create"] {
        c.book.book.contacts.lock().unwrap().clear();
        let ensured = while_stopped_in(
            &c.book.gate,
            operation,
            || c.tv.ensure_contact(&c.book, &c.patient.id),
            || main_thread_calls(&c.tv),
        )
        .unwrap();
        let expected = if operation == "find_by_phone" { EnsureAction::Created } else { EnsureAction::Repaired };
        assert_eq!(ensured.action, expected);
        assert_eq!(c.tv.contact_records().unwrap()[0].platform_id, ensured.platform_id);
    }
    // The record's contact asked after, and put right, with the store free too.
    for operation in ["get", "update"] {
        let recorded = c.tv.contact_records().unwrap()[0].platform_id.clone();
        c.book.book.edit(&recorded, |contact| contact.display_name = "Renamed on the phone".into());
        let ensured = while_stopped_in(
            &c.book.gate,
            operation,
            || c.tv.ensure_contact(&c.book, &c.patient.id),
            || main_thread_calls(&c.tv),
        )
        .unwrap();
        assert_eq!((ensured.action, ensured.platform_id), (EnsureAction::Repaired, recorded), "{operation}");
    }
}

#[test]
fn preflight_and_prepare_call_leave_the_store_free_while_the_book_answers() {
    let c = clinic();
    let phone = phone();
    // prepare_call finds the contact missing, makes it, and checks again.
    let prepared = while_stopped_in(
        &c.book.gate,
        "create",
        || c.tv.prepare_call(&c.book, &phone, &c.patient.id),
        || main_thread_calls(&c.tv),
    )
    .unwrap();
    assert!(prepared.checks.iter().any(|check| check.code == "contact_ready"));
    let checked = while_stopped_in(
        &c.book.gate,
        "get",
        || c.tv.preflight(&c.book, &phone, &c.patient.id),
        || main_thread_calls(&c.tv),
    )
    .unwrap();
    assert!(checked.checks.iter().any(|check| check.code == "contact_ready"));
}

#[test]
fn launch_plan_leaves_the_store_free_while_the_book_and_the_directory_answer() {
    let c = clinic();
    c.tv.ensure_contact(&c.book, &c.patient.id).unwrap();
    let phone = phone();
    let plan = || c.tv.launch_plan(&c.book, &phone, Some(&phone), &c.patient.id, Platform::Android, None);
    let planned = while_stopped_in(&c.book.gate, "get", plan, || main_thread_calls(&c.tv)).unwrap();
    assert_eq!(planned.patient, c.patient.id);
    let planned = while_stopped_in(&phone.gate, "video_call_row", plan, || main_thread_calls(&c.tv)).unwrap();
    assert_eq!(planned.attempts[0].kind, televisit_core::call::AttemptKind::DirectVideo, "the directory's row is used");
}

#[test]
fn calls_that_read_the_device_leave_the_store_free_meanwhile() {
    let c = clinic();
    c.tv.ensure_contact(&c.book, &c.patient.id).unwrap();
    let phone = phone();
    let secrets = televisit_core::secrets::MemorySecretStore::new();
    let meanwhile = || main_thread_calls(&c.tv);
    while_stopped_in(&phone.gate, "snapshot", || c.tv.checklist_start(Platform::Android, &phone).map(drop), meanwhile)
        .unwrap();
    while_stopped_in(&phone.gate, "snapshot", || c.tv.checklist_status(Some(&phone)).map(drop), meanwhile).unwrap();
    while_stopped_in(&phone.gate, "snapshot", || c.tv.day_list(&phone, false).map(drop), meanwhile).unwrap();
    while_stopped_in(&phone.gate, "snapshot", || c.tv.preflight(&c.book, &phone, &c.patient.id).map(drop), meanwhile)
        .unwrap();
    while_stopped_in(&phone.gate, "snapshot", || c.tv.evaluate_triggers(&secrets, &phone).map(drop), meanwhile)
        .unwrap();
}

/// Two calls that make the same patient's contact at once (two taps, a prepare_call beside an
/// ensure_contact) make one contact: the second waits for the first, not for the store.
#[test]
fn two_contact_makers_at_once_make_one_contact() {
    let c = clinic();
    c.book.gate.arm("create");
    let actions: Vec<EnsureAction> = thread::scope(|scope| {
        let first = scope.spawn(|| c.tv.ensure_contact(&c.book, &c.patient.id).unwrap().action);
        assert_eq!(c.book.gate.wait_entered(), "create");
        let second = scope.spawn(|| c.tv.ensure_contact(&c.book, &c.patient.id).unwrap().action);
        // Time for the second to reach the book, were it let in: it must not be. (A pass does not
        // depend on this wait.)
        thread::sleep(Duration::from_millis(300));
        main_thread_calls(&c.tv);
        c.book.gate.release();
        vec![first.join().unwrap(), second.join().unwrap()]
    });
    assert!(!c.book.gate.gave_up());
    assert_eq!(actions, vec![EnsureAction::Created, EnsureAction::Unchanged]);
    assert_eq!(c.book.gate.most_inside(), 1, "one contact-making call in the phone's book at a time");
    assert_eq!(c.book.book.contacts.lock().unwrap().len(), 1);
    let created = c.tv.log_list(&LogQuery { kinds: vec![EntryKind::ContactCreated], ..Default::default() }).unwrap();
    assert_eq!(created.len(), 1);
}

/// A contact put right while a pre-flight waits on the book: the pre-flight does not report on
/// the contact the record named before, it looks again.
#[test]
fn a_contact_put_right_during_a_preflight_is_what_the_preflight_reports() {
    let c = clinic();
    let phone = phone();
    let first = c.tv.ensure_contact(&c.book, &c.patient.id).unwrap();
    c.book.book.remove_by_hand(&first.platform_id);
    let checked = while_stopped_in(
        &c.book.gate,
        "get",
        || c.tv.preflight(&c.book, &phone, &c.patient.id).unwrap(),
        || {
            let mended = c.tv.ensure_contact(&c.book, &c.patient.id).unwrap();
            assert_eq!(mended.action, EnsureAction::Repaired);
            assert_ne!(mended.platform_id, first.platform_id);
        },
    );
    let codes: HashSet<&str> = checked.checks.iter().map(|check| check.code).collect();
    assert!(codes.contains("contact_ready") && !codes.contains("contact_missing"), "{codes:?}");
}

/// A cleanup deleting contacts and a contact being made: the maker waits for the run to be
/// recorded, so an orphan the plan lists is never adopted between the check and the delete.
#[test]
fn a_contact_made_during_a_cleanup_run_waits_for_it() {
    let c = clinic();
    let other = add_patient(&c.tv, "Mary", "07400 654321");
    c.tv.consent_record(&other.id, ConsentMethod::Verbal, "v1", Actor::Clinician).unwrap();
    c.tv.ensure_contact(&c.book, &c.patient.id).unwrap();
    c.tv.patient_archive(&c.patient.id).unwrap();
    let plan = c.tv.cleanup_plan(&c.book, None).unwrap();
    c.book.gate.arm("delete");
    let (report, ensured) = thread::scope(|scope| {
        let run = scope.spawn(|| c.tv.cleanup_apply(&c.book, &plan, &[]).unwrap());
        assert_eq!(c.book.gate.wait_entered(), "delete");
        let maker = scope.spawn(|| c.tv.ensure_contact(&c.book, &other.id).unwrap());
        thread::sleep(Duration::from_millis(300));
        main_thread_calls(&c.tv);
        c.book.gate.release();
        (run.join().unwrap(), maker.join().unwrap())
    });
    assert!(!c.book.gate.gave_up());
    assert_eq!(c.book.gate.most_inside(), 1);
    assert_eq!(report.deleted, 1);
    let records = c.tv.contact_records().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!((&records[0].patient, &records[0].platform_id), (&other.id, &ensured.platform_id));
}
