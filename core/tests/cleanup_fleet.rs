//! The periodic cleanup across the fleet: where it stands, counted once in the core for IT's
//! fleet view (the device report), the desktop's `cleanup --report` and the phones' Cleanup
//! screens; and the phone's own cleanup from its background check-in when the policy says so.

mod common;

use chrono::Duration;
use common::book::MemoryBook;
use common::{Profile, SetPolicy};
use televisit_core::cleanup::automatic::{Skipped, MIN_GAP_MINUTES};
use televisit_core::cleanup::state::{CleanupEnd, CleanupState};
use televisit_core::it::report::{verify, ReportFacts};
use televisit_core::log::{Actor, EntryKind, LogQuery};
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
        .patient_add(&NewPatient {
            given_name: name.into(),
            family_name: "Smith".into(),
            phone: phone.into(),
            visit_at: None,
        })
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
    assert_eq!(
        state,
        CleanupState { n: Some(1), o: Some(1), d: Some(40), age: 30, r: Some(ran), e: Some(CleanupEnd::SomeFailed) }
    );

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

fn automatic(tv: &Televisit, on: bool) {
    let mut policy = tv.policy().unwrap();
    policy.contacts.cleanup_automatic = on;
    policy.version += 1;
    tv.set_policy(&policy).unwrap();
}

#[test]
fn off_by_default_a_background_check_in_counts_and_removes_nothing() {
    let (profile, tv, book) = setup();
    let ann = patient(&tv, &book, "Ann", "07400 100001");
    profile.clock.advance(Duration::days(40));
    let done = tv.background_cleanup(&book).unwrap();
    assert_eq!(done.skipped, Some(Skipped::Off));
    assert_eq!((done.removed, done.state.n, done.state.o), (0, Some(1), Some(1)));
    assert!(book.by_id(&ann).is_some());
    assert_eq!(tv.automatic_cleanup_summary().unwrap(), None);
}

#[test]
fn when_the_policy_says_so_the_phone_removes_its_own_due_contacts_and_never_a_lookalike() {
    let (profile, tv, book) = setup();
    automatic(&tv, true);
    let ann = patient(&tv, &book, "Ann", "07400 100001");
    profile.clock.advance(Duration::days(31));
    let bo = patient(&tv, &book, "Bo", "07400 100002");
    let lookalike = book.add_by_hand("Patient Maria Lopez", "+447400777888");
    let done = tv.background_cleanup(&book).unwrap();
    assert_eq!((done.skipped, done.removed, done.failed), (None, 1, 0));
    assert!(book.by_id(&ann).is_none(), "past 30 days: removed");
    assert!(book.by_id(&bo).is_some(), "used a day ago: kept");
    assert!(book.by_id(&lookalike).is_some(), "a lookalike waits for a person");
    assert_eq!((done.state.n, done.state.o, done.state.e), (Some(1), Some(0), Some(CleanupEnd::LookalikesWaiting)));
    // Logged as the screen's removals are, by the system rather than staff.
    let deleted = tv.log_list(&LogQuery { kinds: vec![EntryKind::ContactDeleted], ..Default::default() }).unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].actor, Actor::System);
    // Waiting for the next open, then seen.
    let summary = tv.automatic_cleanup_summary().unwrap().expect("a summary waits");
    assert_eq!(
        (summary.removed, summary.failed, summary.lookalikes_waiting, summary.runs, summary.age_days),
        (1, 0, 1, 1, 30)
    );
    tv.automatic_cleanup_seen().unwrap();
    assert_eq!(tv.automatic_cleanup_summary().unwrap(), None);
    // Nothing due: nothing run, nothing logged.
    profile.clock.advance(Duration::minutes(MIN_GAP_MINUTES + 1));
    assert_eq!(tv.background_cleanup(&book).unwrap().skipped, Some(Skipped::NothingDue));
    assert_eq!(tv.log_list(&LogQuery { kinds: vec![EntryKind::CleanupRun], ..Default::default() }).unwrap().len(), 1);
}

#[test]
fn a_book_that_fails_mid_way_keeps_what_it_removed_and_the_rest_is_retried_at_a_later_check_in() {
    let (profile, tv, book) = setup();
    automatic(&tv, true);
    let ann = patient(&tv, &book, "Ann", "07400 100001");
    let bo = patient(&tv, &book, "Bo", "07400 100002");
    profile.clock.advance(Duration::days(45));
    book.fail_delete.lock().unwrap().insert(bo.clone());
    let first = tv.background_cleanup(&book).unwrap();
    assert_eq!((first.removed, first.failed), (1, 1));
    assert!(book.by_id(&ann).is_none() && book.by_id(&bo).is_some());
    assert_eq!((first.state.o, first.state.e), (Some(1), Some(CleanupEnd::SomeFailed)));
    book.fail_delete.lock().unwrap().clear();
    // Not again within the hour: a check-in every 15 minutes does not log a run each time.
    profile.clock.advance(Duration::minutes(15));
    assert_eq!(tv.background_cleanup(&book).unwrap().skipped, Some(Skipped::RanRecently));
    profile.clock.advance(Duration::minutes(MIN_GAP_MINUTES));
    let second = tv.background_cleanup(&book).unwrap();
    assert_eq!((second.removed, second.failed), (1, 0));
    assert!(book.by_id(&bo).is_none());
    assert_eq!(second.state.e, Some(CleanupEnd::Done));
    let summary = tv.automatic_cleanup_summary().unwrap().unwrap();
    assert_eq!((summary.removed, summary.failed, summary.runs), (2, 0, 2), "both runs until someone looks");
}

#[test]
fn without_contacts_access_automatic_cleanup_removes_nothing_and_says_unknown() {
    let (profile, tv, book) = setup();
    automatic(&tv, true);
    patient(&tv, &book, "Ann", "07400 100001");
    profile.clock.advance(Duration::days(45));
    *book.refuse_reads.lock().unwrap() = true;
    let done = tv.background_cleanup(&book).unwrap();
    assert_eq!((done.skipped, done.state.n, done.state.o), (Some(Skipped::NoContactsAccess), None, None));
}

#[test]
fn the_phone_refuses_a_policy_that_makes_cleanup_automatic_at_age_0() {
    let (_profile, tv, _book) = setup();
    let mut policy = tv.policy().unwrap();
    policy.contacts.cleanup_automatic = true;
    policy.contacts.cleanup_after_days = 0;
    policy.version += 1;
    let refused = tv.set_policy(&policy).unwrap_err().to_string();
    assert!(refused.contains("contacts.cleanup_after_days"), "{refused}");
    assert!(!tv.policy().unwrap().contacts.cleanup_automatic, "the policy in force stays");
}
