//! The clinician's list for the day: sections, order, namesakes told apart, and "done" kept on
//! the patient whether or not a contact exists.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::book::MemoryBook;
use common::{Profile, SetPolicy as _};
use televisit_core::patients::day::Section;
use televisit_core::{DeviceFacts, DeviceSnapshot, Error, NewPatient, PatientUpdate, Policy, Televisit};

/// A phone whose own day is `offset` minutes from UTC.
struct Phone(i32);

impl DeviceFacts for Phone {
    fn snapshot(&self) -> DeviceSnapshot {
        DeviceSnapshot {
            passcode_set: true,
            compromised: false,
            os_version: "Android 15".into(),
            whatsapp: vec![],
            utc_offset_minutes: self.0,
        }
    }
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

fn add(tv: &Televisit, given: &str, phone: &str, visit: Option<&str>) -> televisit_core::Patient {
    tv.patient_add(&NewPatient {
        given_name: given.into(),
        family_name: "Smith".into(),
        phone: phone.into(),
        visit_at: visit.map(at),
    })
    .unwrap()
}

fn setup() -> (Profile, Televisit) {
    let profile = Profile::new(); // the clock reads 2026-01-01T09:00:00Z
    let tv = profile.open().unwrap();
    let mut policy = Policy::default();
    policy.contacts.default_region = "GB".into();
    tv.set_policy(&policy).unwrap();
    (profile, tv)
}

#[test]
fn todays_visits_come_first_by_time_then_the_rest_with_done_and_archived_last() {
    let (_p, tv) = setup();
    let unscheduled = add(&tv, "Una", "07400 100001", None);
    let late = add(&tv, "Lena", "07400 100002", Some("2026-01-01T16:00:00Z"));
    let early = add(&tv, "Erin", "07400 100003", Some("2026-01-01T08:30:00Z"));
    let tomorrow = add(&tv, "Tom", "07400 100004", Some("2026-01-02T09:00:00Z"));
    let last_week = add(&tv, "Wes", "07400 100005", Some("2025-12-24T09:00:00Z"));
    let yesterday = add(&tv, "Yan", "07400 100006", Some("2025-12-31T09:00:00Z"));
    let done = add(&tv, "Dora", "07400 100007", Some("2026-01-01T07:00:00Z"));
    let archived = add(&tv, "Ari", "07400 100008", Some("2026-01-01T10:00:00Z"));
    tv.mark_visit_done(&done.id).unwrap();
    tv.patient_archive(&archived.id).unwrap();

    let list = tv.day_list(&Phone(0), true).unwrap();
    let order: Vec<_> = list.iter().map(|row| (row.patient.id.clone(), row.section)).collect();
    assert_eq!(
        order,
        vec![
            (early.id.clone(), Section::Today),
            (late.id.clone(), Section::Today),
            (tomorrow.id, Section::Upcoming),
            (unscheduled.id, Section::Unscheduled),
            (yesterday.id, Section::Overdue),
            (last_week.id, Section::Overdue),
            (done.id.clone(), Section::Done),
            (archived.id.clone(), Section::Archived),
        ]
    );
    assert!(list.iter().find(|r| r.patient.id == done.id).unwrap().visit_done_at.is_some());
    let current = tv.day_list(&Phone(0), false).unwrap();
    assert!(current.iter().all(|r| r.patient.id != archived.id), "archived ones only when asked for");
    assert_eq!(current.len(), 7);
}

#[test]
fn today_is_the_phones_own_day() {
    let (_p, tv) = setup();
    // 23:30 UTC on 1 January is already 2 January in Sydney (+11:00), and still 1 January in London.
    let visit = add(&tv, "Nora", "07400 100009", Some("2026-01-01T23:30:00Z"));
    let in_london = tv.day_list(&Phone(0), false).unwrap();
    assert_eq!(in_london[0].section, Section::Today);
    let in_sydney = tv.day_list(&Phone(11 * 60), false).unwrap();
    assert_eq!((in_sydney[0].patient.id.clone(), in_sydney[0].section), (visit.id, Section::Upcoming));
    // New York, at 04:00 on 1 January: a visit at 23:30 UTC is 18:30 the same day.
    assert_eq!(tv.day_list(&Phone(-5 * 60), false).unwrap()[0].section, Section::Today);
}

#[test]
fn namesakes_are_told_apart_by_contact_name_and_last_digits() {
    let (_p, tv) = setup();
    add(&tv, "Susan", "07400 123456", None);
    add(&tv, "Susan", "07400 654321", None);
    let labels: Vec<_> = tv.day_list(&Phone(0), false).unwrap().into_iter().map(|r| r.label).collect();
    assert_eq!(labels, vec!["Patient Susan Smith · …3456", "Patient Susan Smith (2) · …4321"]);
}

#[test]
fn a_visit_done_before_its_contact_exists_is_kept_and_reaches_the_contact() {
    let (profile, tv) = setup();
    let book = MemoryBook::default();
    let p = add(&tv, "Dana", "07400 100010", Some("2026-01-01T10:00:00Z"));
    tv.mark_visit_done(&p.id).unwrap();
    assert_eq!(tv.day_list(&Phone(0), false).unwrap()[0].section, Section::Done);
    tv.ensure_contact(&book, &p.id).unwrap();
    let record = tv.contact_records().unwrap().into_iter().find(|r| r.patient == p.id).unwrap();
    assert!(record.visit_done, "cleanup sees the visit as done");

    // A new visit time is a new visit.
    let next = Some(at("2026-01-01T15:00:00Z"));
    tv.patient_update(&p.id, &PatientUpdate { visit_at: Some(next), ..Default::default() }).unwrap();
    assert_eq!(tv.day_list(&Phone(0), false).unwrap()[0].section, Section::Today);
    assert!(!tv.contact_records().unwrap()[0].visit_done);

    // Done is kept across a reopen, and the clock moving on makes the visit overdue, not lost.
    drop(tv);
    profile.clock.advance(Duration::days(2));
    let tv = profile.open().unwrap();
    assert_eq!(tv.day_list(&Phone(0), false).unwrap()[0].section, Section::Overdue);
}

#[test]
fn an_impossible_utc_offset_is_refused() {
    let (_p, tv) = setup();
    add(&tv, "Ivy", "07400 100011", None);
    assert!(matches!(tv.day_list(&Phone(24 * 60), false), Err(Error::InvalidInput { .. })));
    assert!(matches!(tv.day_list(&Phone(i32::MIN), false), Err(Error::InvalidInput { .. })));
}
