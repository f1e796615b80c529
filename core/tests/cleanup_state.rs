//! Issue 33: where the periodic cleanup stands, counted once in the core for IT's fleet view
//! (the device report), the desktop's `cleanup --report` and the phones' Cleanup screens.

mod common;

use chrono::Duration;
use common::book::MemoryBook;
use common::{Profile, SetPolicy};
use televisit_core::cleanup_state::{CleanupEnd, CleanupState};
use televisit_core::it::report::{verify, ReportFacts};
use televisit_core::{NewPatient, Policy, Televisit};

fn setup() -> (Profile, Televisit, MemoryBook) {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let mut policy = Policy::default();
    policy.contacts.default_region = "GB".into();
    tv.set_policy(&policy).unwrap();
    (profile, tv, MemoryBook::default())
}

fn patient(tv: &Televisit, book: &MemoryBook, name: &str, phone: &str) -> String {
    let p = tv
        .patient_add(&NewPatient { given_name: name.into(), family_name: "Smith".into(), phone: phone.into(), visit_at: None })
        .unwrap();
    tv.ensure_contact(book, &p.id).unwrap().platform_id
}

#[test]
fn counts_contacts_on_the_phone_past_the_policys_age_and_the_oldest_by_the_dry_runs_rule() {
    let (profile, tv, book) = setup();
    let none = tv.cleanup_state(&book).unwrap();
    assert_eq!(none, CleanupState { n: Some(0), o: Some(0), d: None, age: 30, r: None, e: None });
    patient(&tv, &book, "Ann", "07400 100001");
    patient(&tv, &book, "Bo", "07400 100002");
    profile.clock.advance(Duration::days(93));
    patient(&tv, &book, "Cy", "07400 100003");
    profile.clock.advance(Duration::days(2));
    let gone_by_hand = patient(&tv, &book, "Di", "07400 100004");
    book.remove_by_hand(&gone_by_hand);
    // A hand-made lookalike is not Televisit's: not counted.
    book.add_by_hand("Patient Maria Lopez", "+447400777888");
    let state = tv.cleanup_state(&book).unwrap();
    assert_eq!((state.n, state.o, state.d), (Some(3), Some(2), Some(95)), "{state:?}");
    // The dry run agrees: the contacts it would remove for age are the ones counted past it.
    let plan = tv.cleanup_plan(&book, None).unwrap();
    assert_eq!(plan.remove.len(), 2);
}

#[test]
fn without_contacts_access_the_counts_are_unknown_not_zero() {
    let (_profile, tv, book) = setup();
    patient(&tv, &book, "Ann", "07400 100001");
    *book.refuse_reads.lock().unwrap() = true;
    let state = tv.cleanup_state(&book).unwrap();
    assert_eq!((state.n, state.o, state.d), (None, None, None));
    assert_eq!(state.age, 30);
}

#[test]
fn a_run_is_remembered_with_how_it_ended_and_the_report_carries_the_last_count() {
    let (profile, tv, book) = setup();
    let ann = patient(&tv, &book, "Ann", "07400 100001");
    let bo = patient(&tv, &book, "Bo", "07400 100002");
    profile.clock.advance(Duration::days(40));
    book.fail_delete.lock().unwrap().insert(bo.clone());
    let plan = tv.cleanup_plan(&book, None).unwrap();
    tv.cleanup_apply(&book, &plan, &[]).unwrap();
    assert!(book.by_id(&ann).is_none());
    let state = tv.cleanup_state(&book).unwrap();
    let ran = televisit_core::Clock::now(&*profile.clock).timestamp();
    assert_eq!(state, CleanupState { n: Some(1), o: Some(1), d: Some(40), age: 30, r: Some(ran), e: Some(CleanupEnd::SomeFailed) });

    book.fail_delete.lock().unwrap().clear();
    book.add_by_hand("Patient Maria Lopez", "+447400777888");
    profile.clock.advance(Duration::days(1));
    let plan = tv.cleanup_plan(&book, None).unwrap();
    tv.cleanup_apply(&book, &plan, &[]).unwrap();
    // The run counted again by itself: nothing left, a lookalike waits for a person.
    let org = common::org::Org::new();
    tv.enroll(&profile.secrets, &org.code()).unwrap();
    let facts = ReportFacts { os: "desktop".into(), os_version: "1".into(), app_version: "0.1.0".into() };
    let report = verify(&tv.device_report(&profile.secrets, &facts).unwrap(), None).unwrap();
    let carried = report.cln.expect("the report carries the cleanup's counts");
    assert_eq!((carried.n, carried.o, carried.e), (Some(0), Some(0), Some(CleanupEnd::LookalikesWaiting)));
}
