//! Televisit's contacts left behind when its data went without them (clear data, a reinstall):
//! a new store sweeps them before its first patient, and in no other case.

mod common;

use common::book::MemoryBook;
use common::org::Org;
use common::Profile;
use televisit_core::it::wipe::{self, WipeScope};
use televisit_core::log::{EntryKind, LogQuery};
use televisit_core::orphans::OrphanSweep;
use televisit_core::{ContactBook, ListScope, NewPatient, Televisit};

fn add_patient_with_contact(tv: &Televisit, book: &MemoryBook, given: &str, phone: &str) {
    let p = tv
        .patient_add(&NewPatient {
            given_name: given.into(),
            family_name: "Smith".into(),
            phone: phone.into(),
            visit_at: None,
        })
        .unwrap();
    tv.ensure_contact(book, &p.id).unwrap();
}

fn owned(book: &MemoryBook) -> usize {
    book.list(ListScope::Owned).unwrap().len()
}

fn swept_entries(tv: &Televisit) -> usize {
    tv.log_list(&LogQuery { kinds: vec![EntryKind::OrphansSwept], ..LogQuery::default() }).unwrap().len()
}

#[test]
fn clearing_the_apps_data_leaves_contacts_the_next_store_sweeps_once_keeping_hand_made_ones() {
    let book = MemoryBook::default();
    let before = Profile::new();
    let tv = before.open().unwrap();
    add_patient_with_contact(&tv, &book, "Susan", "+14155550132");
    add_patient_with_contact(&tv, &book, "Ann", "+14155550133");
    let mum = book.add_by_hand("Mum", "+14155550100");
    assert_eq!(tv.sweep_orphaned_contacts(&before.secrets, &book).unwrap(), OrphanSweep::NotDue, "its own contacts");
    assert_eq!(owned(&book), 2);
    drop(tv);

    // "Clear data": the store and the secrets are gone, the phone's book is not.
    let after = Profile::new();
    let fresh = after.open().unwrap();
    assert_eq!(
        fresh.sweep_orphaned_contacts(&after.secrets, &book).unwrap(),
        OrphanSweep::Swept { deleted: 2, failed: 0 }
    );
    assert_eq!(owned(&book), 0);
    assert!(book.by_id(&mum).is_some(), "not Televisit's: kept");
    assert_eq!(swept_entries(&fresh), 1);
    // Once only: a contact made later is the store's own.
    add_patient_with_contact(&fresh, &book, "Zoe", "+14155550134");
    assert_eq!(fresh.sweep_orphaned_contacts(&after.secrets, &book).unwrap(), OrphanSweep::NotDue);
    drop(fresh);
    let again = after.open().unwrap();
    assert_eq!(again.sweep_orphaned_contacts(&after.secrets, &book).unwrap(), OrphanSweep::NotDue);
    assert_eq!(owned(&book), 1);
}

#[test]
fn without_the_contacts_permission_the_sweep_waits_and_a_first_patient_ends_it() {
    let book = MemoryBook::default();
    let old = Profile::new();
    add_patient_with_contact(&old.open().unwrap(), &book, "Susan", "+14155550132");

    // Permission not granted at the first start: nothing decided, asked again at the next open.
    let profile = Profile::new();
    *book.refuse_reads.lock().unwrap() = true;
    let tv = profile.open().unwrap();
    assert_eq!(tv.sweep_orphaned_contacts(&profile.secrets, &book).unwrap(), OrphanSweep::Waiting);
    drop(tv);
    *book.refuse_reads.lock().unwrap() = false;
    let reopened = profile.open().unwrap();
    assert_eq!(
        reopened.sweep_orphaned_contacts(&profile.secrets, &book).unwrap(),
        OrphanSweep::Swept { deleted: 1, failed: 0 }
    );

    // The same, but the clinician adds a patient before the permission comes: from then on any
    // marked contact may be the store's own, and nothing is swept.
    let book = MemoryBook::default();
    add_patient_with_contact(&Profile::new().open().unwrap(), &book, "Susan", "+14155550132");
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    *book.refuse_reads.lock().unwrap() = true;
    assert_eq!(tv.sweep_orphaned_contacts(&profile.secrets, &book).unwrap(), OrphanSweep::Waiting);
    *book.refuse_reads.lock().unwrap() = false;
    add_patient_with_contact(&tv, &book, "Ann", "+14155550133");
    assert_eq!(tv.sweep_orphaned_contacts(&profile.secrets, &book).unwrap(), OrphanSweep::NotDue);
    assert_eq!(owned(&book), 2);
}

#[test]
fn a_wipe_of_the_log_that_kept_the_contacts_on_purpose_is_not_undone_by_the_sweep() {
    let book = MemoryBook::default();
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    add_patient_with_contact(&tv, &book, "Susan", "+14155550132");
    let command = org.wipe(&e, "cmd_0000000000000000000000e1", WipeScope::Log, tv.now().timestamp());
    tv.receive_wipe(&profile.secrets, &command).unwrap();
    let now = tv.now();
    drop(tv);
    wipe::resume_pending(&profile.db(), &profile.secrets, &book, now).unwrap().unwrap();
    let fresh = profile.open().unwrap();
    assert!(fresh.opened().is_new());
    assert_eq!(fresh.sweep_orphaned_contacts(&profile.secrets, &book).unwrap(), OrphanSweep::NotDue);
    assert_eq!(owned(&book), 1, "IT chose to keep the contacts");
    // Decided when the store was made: still not due once IT confirmed the receipt.
    let confirming = org.bulletin_confirming_receipt(now.timestamp(), &e.device_id, &["cmd_0000000000000000000000e1"]);
    televisit_core::it::bulletin::receive(&profile.secrets, &confirming, now).unwrap();
    drop(fresh);
    let later = profile.open().unwrap();
    assert_eq!(later.sweep_orphaned_contacts(&profile.secrets, &book).unwrap(), OrphanSweep::NotDue);
    assert_eq!(owned(&book), 1);
}
