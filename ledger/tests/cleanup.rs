//! The phones' contacts cleanup in the ledger (issue 33), on both backends: the newest report's
//! state is kept, a newer report without one clears it, an older report arriving late moves
//! nothing back, and the phones holding contacts past their age come worst first (never a closed
//! one, never one whose counts are unknown).

use televisit_ledger::{DeviceCleanup, DeviceFilter, Ledger, Location};
use televisit_protocol::envelope::{self, SigningKey};
use televisit_protocol::report::{self, CleanupEnd, CleanupState, DeviceReport};
use televisit_protocol::vectors;
use televisit_protocol::wipe::{self, Receipt, Step, StepDone, WipeReason, WipeScope, COMMAND_VERSION};

const NOW: i64 = 1_800_000_000;

fn org_key() -> String {
    SigningKey::from_seed(&[7u8; 32]).unwrap().public_key()
}

/// Each backend in turn: SQLite always, PostgreSQL where a server runs (or the run requires one).
fn each_backend(name: &str, test: impl Fn(Ledger)) {
    let dir = tempfile::tempdir().unwrap();
    test(Ledger::open(dir.path(), &org_key()).unwrap());
    if let Some(url) = televisit_test_postgres::database(name) {
        test(Ledger::open_at(&Location::parse(&url), &org_key()).unwrap());
    }
}

struct Phone {
    key: SigningKey,
    dev: String,
    enr: String,
}

fn phone(n: u8) -> Phone {
    Phone { key: SigningKey::from_seed(&[n; 32]).unwrap(), dev: format!("dev_{n:024x}"), enr: format!("enr_{n:024x}") }
}

fn report(phone: &Phone, at: i64, cln: Option<CleanupState>) -> String {
    // The protocol's vector report, as this phone of this organisation says it.
    let r = DeviceReport {
        dev: phone.dev.clone(),
        enr: phone.enr.clone(),
        key: phone.key.public_key(),
        org: envelope::key_id(&org_key()).unwrap(),
        mdm_dev: None,
        mdm_user: None,
        cp: None,
        ks: None,
        seen: Some(at - 600),
        cln,
        at,
        ..vectors::report()
    };
    report::seal(&phone.key, &r).unwrap()
}

/// Counts known: `n` held, `o` past an age of 30 days, the oldest `d` days.
fn counted(n: u32, o: u32, d: Option<u32>) -> Option<CleanupState> {
    Some(CleanupState { n: Some(n), o: Some(o), d, age: 30, r: Some(NOW - 86_400), e: Some(CleanupEnd::SomeFailed) })
}

/// No contacts access: the counts are unknown.
fn unknown() -> Option<CleanupState> {
    Some(CleanupState { n: None, o: None, d: None, age: 30, r: None, e: None })
}

fn import(ledger: &mut Ledger, name: &str, text: &str) {
    let outcome = ledger.import_bytes(name, text.as_bytes(), NOW).unwrap();
    assert_eq!(outcome.refused, 0, "{name}: {:?}", outcome.problems);
}

fn cleanup_of(ledger: &mut Ledger, phone: &Phone) -> (Option<DeviceCleanup>, bool) {
    let devices = ledger.devices(&DeviceFilter::default(), NOW).unwrap();
    let d = devices.into_iter().find(|d| d.device_id == phone.dev).expect("the device is in the ledger");
    (d.cleanup, d.cleanup_overdue)
}

#[test]
fn the_newest_reports_cleanup_is_kept_and_a_newer_report_without_one_clears_it() {
    each_backend("cleanup_newest", |mut ledger| {
        let p = phone(1);
        import(&mut ledger, "monday.txt", &report(&p, NOW - 3600, counted(6, 4, Some(93))));
        let kept = DeviceCleanup {
            held: Some(6),
            overdue: Some(4),
            oldest_days: Some(93),
            age_days: 30,
            ran_at: Some(NOW - 86_400),
            end: Some(CleanupEnd::SomeFailed),
        };
        assert_eq!(cleanup_of(&mut ledger, &p), (Some(kept.clone()), true));
        // Older reports arriving late, with another state or none, move nothing back.
        import(&mut ledger, "sunday.txt", &report(&p, NOW - 7200, counted(1, 0, Some(2))));
        import(&mut ledger, "saturday.txt", &report(&p, NOW - 9000, None));
        assert_eq!(cleanup_of(&mut ledger, &p), (Some(kept), true));
        // Contacts access taken away: known to carry a state, its counts unknown, not overdue.
        import(&mut ledger, "tuesday.txt", &report(&p, NOW - 1800, unknown()));
        let (cleanup, overdue) = cleanup_of(&mut ledger, &p);
        let cleanup = cleanup.expect("reported");
        assert_eq!((cleanup.held, cleanup.overdue, cleanup.age_days, cleanup.end), (None, None, 30, None));
        assert!(!overdue, "unknown is not overdue");
        // A newer report without it (an older app put back): not reported, nothing left over.
        import(&mut ledger, "wednesday.txt", &report(&p, NOW - 600, None));
        assert_eq!(cleanup_of(&mut ledger, &p), (None, false));
        assert!(ledger.cleanup_overdue(None, NOW).unwrap().is_empty());
    });
}

#[test]
fn phones_past_their_cleanup_age_come_worst_first_and_closed_ones_never() {
    each_backend("cleanup_worst", |mut ledger| {
        let phones: Vec<Phone> = (1..=8).map(phone).collect();
        let states = [
            counted(5, 4, Some(93)),
            counted(3, 1, Some(120)),
            counted(9, 7, Some(93)),
            // Only contacts the phone holds no record of: past their age, the oldest unknown.
            counted(2, 2, None),
            counted(3, 0, Some(12)),
            unknown(),
            counted(4, 4, Some(400)), // retired below
            counted(4, 4, Some(500)), // wiped below
        ];
        let lines: Vec<String> = phones.iter().zip(states).map(|(p, state)| report(p, NOW - 3600, state)).collect();
        import(&mut ledger, "fleet.txt", &lines.join("\n"));
        assert!(ledger.retire(&phones[6].dev, "it.lead", NOW).unwrap());
        // The eighth phone wiped itself (its own trigger): a full wipe takes its contacts.
        let receipt = Receipt {
            v: COMMAND_VERSION,
            device_id: phones[7].dev.clone(),
            enrollment_id: phones[7].enr.clone(),
            command_id: "loc_0000000000000000000000a8".into(),
            scope: WipeScope::All,
            reason: WipeReason::LocalTrigger,
            completed_at: NOW - 60,
            steps: vec![StepDone { step: Step::DeleteContacts, count: 4, failed: 0, reason: None }],
            device_key: phones[7].key.public_key(),
            merged_command_ids: Vec::new(),
        };
        import(&mut ledger, "receipt.txt", &wipe::seal_receipt(&phones[7].key, &receipt));

        let listed: Vec<String> = ledger.cleanup_overdue(None, NOW).unwrap().into_iter().map(|d| d.device_id).collect();
        let expected: Vec<String> = [1, 2, 0, 3].iter().map(|&i| phones[i].dev.clone()).collect();
        assert_eq!(listed, expected, "oldest first, then the most past their age; never closed or unknown");
        let all = ledger.devices(&DeviceFilter::default(), NOW).unwrap();
        let overdue: Vec<&str> = all.iter().filter(|d| d.cleanup_overdue).map(|d| d.device_id.as_str()).collect();
        assert_eq!(overdue.len(), 4, "{overdue:?}");
        assert!(ledger.cleanup_overdue(Some("ios"), NOW).unwrap().is_empty(), "by platform");
    });
}
