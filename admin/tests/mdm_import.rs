//! `devices import` reading what MDMs give back, from files written to the MDMs' documented example
//! shapes (tests/fixtures/mdm/README.md) and filled with reports and receipts signed here: an
//! Android Management API devices.list / devices.get response, an Apple ManagedApplicationFeedback
//! command result, a Graph app-configuration deviceStatuses list; broken files refused whole.

use std::path::Path;
use televisit_admin::ledger::{DeviceFilter, WipeState};
use televisit_protocol::envelope::SigningKey;

mod common;

use common::fleet::{receipt, Fleet, Phone};
use common::{admin, admin_json, now, Ran};

fn json(out: &Ran) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{} {}", out.stdout, out.stderr))
}

#[test]
fn an_android_management_api_list_pins_devices_and_a_device_get_carries_the_receipt() {
    let fleet = Fleet::new("North Clinic");
    let (a, b) = (fleet.phone(1), fleet.phone(2));
    let list = fleet.fixture(
        "ama-devices-list.json",
        &[("REPORT_1", &fleet.report(&a, now() - 3600)), ("REPORT_2", &fleet.report(&b, now() - 3600))],
    );
    let out = fleet.import(&[&list]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let outcome = &json(&out)["files"][0];
    assert_eq!((outcome["format"].as_str(), outcome["reports"].as_i64()), (Some("ama"), Some(2)));
    let devices = fleet.ledger().devices(&DeviceFilter::default(), now()).unwrap();
    assert_eq!(
        devices.iter().map(|d| d.device_key.clone()).collect::<Vec<_>>(),
        [a.key.public_key(), b.key.public_key()]
    );

    // IT wipes phone 1; its devices.get answer carries the receipt and a newer report.
    let issued = admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &a.dev]);
    let command = issued["command_id"].as_str().unwrap();
    assert_eq!(fleet.wipe_state(command), Some(WipeState::Pending));
    let get = fleet.fixture(
        "ama-device-get.json",
        &[("RECEIPT", &receipt(&a, command, false)), ("REPORT", &fleet.report_from_app(&a, now(), "0.2.0"))],
    );
    let out = fleet.import(&[&get]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let outcome = &json(&out)["files"][0];
    assert_eq!((outcome["receipts"].as_i64(), outcome["reports"].as_i64()), (Some(1), Some(1)));
    assert_eq!(fleet.wipe_state(command), Some(WipeState::Done));
    let shown = admin_json(fleet.path(), &["devices", "show", "--org", "org", &a.dev]);
    assert_eq!(shown["devices"][0]["app_version"], "0.2.0", "the newer report updated the device");

    // Nothing unsigned is trusted: a report signed by another key under phone 2's id is refused.
    let forger = Phone { key: SigningKey::from_seed(&[99; 32]).unwrap(), ..fleet.phone(2) };
    let forged = fleet.fixture(
        "ama-device-get.json",
        &[("RECEIPT", "tv1.receipt.not-a-receipt"), ("REPORT", &fleet.report_from_app(&forger, now(), "9.9.9"))],
    );
    let out = fleet.import(&[&forged]);
    assert_eq!(out.code, Some(3), "{} {}", out.stdout, out.stderr);
    let outcome = &json(&out)["files"][0];
    assert_eq!(outcome["refused"], 2);
    let shown = admin_json(fleet.path(), &["devices", "show", "--org", "org", &b.dev]);
    assert_eq!(shown["devices"][0]["device_key"], b.key.public_key(), "never re-pinned");
}

#[test]
fn an_apple_managed_feedback_result_pins_the_device_and_its_receipt_sets_the_wipe_state() {
    let fleet = Fleet::new("North Clinic");
    let phone = fleet.phone(3);
    // The phone wiped itself (a local trigger): its receipt arrives with its report.
    let feedback = fleet.fixture(
        "apple-feedback.plist",
        &[
            ("REPORT", &fleet.report(&phone, now())),
            ("RECEIPT", &receipt(&phone, "loc_00000000000000000000000c", false)),
        ],
    );
    let out = fleet.import(&[&feedback]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let outcome = &json(&out)["files"][0];
    assert_eq!(outcome["format"], "apple-feedback");
    assert_eq!((outcome["reports"].as_i64(), outcome["receipts"].as_i64()), (Some(1), Some(1)));
    let shown = admin_json(fleet.path(), &["devices", "show", "--org", "org", &phone.dev]);
    assert_eq!(shown["devices"][0]["device_key"], phone.key.public_key());
    assert_eq!(shown["devices"][0]["wiped"], true);
    assert_eq!(fleet.wipe_state("loc_00000000000000000000000c"), Some(WipeState::Local));

    // A command IT issued, carried out and fed back through the MDM.
    let issued = admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &phone.dev]);
    let command = issued["command_id"].as_str().unwrap();
    let feedback = fleet.fixture(
        "apple-feedback.plist",
        &[
            // Made after the wipe, while the phone holds its receipt (as a wiped phone's are).
            ("REPORT", &fleet.report_holding(&phone, now() + 1, command)),
            ("RECEIPT", &receipt(&phone, command, false)),
        ],
    );
    let out = fleet.import(&["--format", "apple-feedback", &feedback]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    assert_eq!(fleet.wipe_state(command), Some(WipeState::Done));
}

#[test]
fn graph_device_statuses_say_whether_the_configuration_reached_each_device() {
    let fleet = Fleet::new("North Clinic");
    let (a, b) = (fleet.phone(1), fleet.phone(2));
    let reports = fleet.write("r.txt", &format!("{}\n{}", fleet.report(&a, now()), fleet.report(&b, now())));
    assert_eq!(fleet.import(&[&reports]).code, Some(0));
    // Row 1 names phone 1's Intune device id inside Graph's composite id; row 2 names a device id
    // the ledger does not know, so it matches by the user; row 3 matches no device.
    let statuses = fleet.fixture(
        "graph-device-statuses.json",
        &[("MDM_DEVICE_ID_1", &a.mdm_dev), ("USER_1", &a.user), ("USER_2", &b.user)],
    );
    let out = fleet.import(&[&statuses]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let outcome = &json(&out)["files"][0];
    assert_eq!(outcome["format"], "graph-statuses");
    assert_eq!((outcome["config_statuses"].as_i64(), outcome["config_unmatched"].as_i64()), (Some(2), Some(1)));

    let listed = admin_json(fleet.path(), &["devices", "list", "--org", "org"]);
    let config = |dev: &str| {
        listed["devices"].as_array().unwrap().iter().find(|d| d["device_id"] == dev).unwrap()["config"].clone()
    };
    assert_eq!(config(&a.dev)["status"], "compliant");
    assert_eq!(config(&a.dev)["matched_by"], "mdm_device_id");
    assert_eq!(config(&a.dev)["reported_at"], 1_796_105_565_i64); // 2026-12-01T06:12:45Z
    assert_eq!(config(&b.dev)["status"], "error");
    assert_eq!(config(&b.dev)["matched_by"], "user");
    let text = admin(fleet.path(), &["devices", "list", "--org", "org"]);
    assert!(text.stdout.contains("config reached 2026-12-01"), "{}", text.stdout);
    assert!(text.stdout.contains("config error"), "{}", text.stdout);
    // The names and models in the list are not kept.
    drop(fleet.ledger());
    admin(fleet.path(), &["devices", "list", "--org", "org"]);
    for file in ["ledger.db", "ledger.db-wal"] {
        if let Ok(bytes) = std::fs::read(fleet.org().join(file)) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("Clinician One") && !text.contains("Galaxy Tab"), "{file} holds a display name");
        }
    }
}

#[test]
fn an_existing_ledger_takes_the_new_table_by_migration() {
    if common::on_postgres() {
        return; // a SQLite file's own migrations and damage
    }
    let fleet = Fleet::new("North Clinic");
    let a = fleet.phone(1);
    assert_eq!(fleet.import(&[&fleet.write("r.txt", &fleet.report(&a, now()))]).code, Some(0));
    // Back to the previous schema, as a ledger written by the last release is.
    {
        let conn = rusqlite::Connection::open(fleet.org().join("ledger.db")).unwrap();
        conn.execute_batch(
            "ALTER TABLE devices DROP COLUMN cleanup_held; ALTER TABLE devices DROP COLUMN cleanup_overdue;
             ALTER TABLE devices DROP COLUMN cleanup_oldest_days; ALTER TABLE devices DROP COLUMN cleanup_age_days;
             ALTER TABLE devices DROP COLUMN cleanup_ran_at; ALTER TABLE devices DROP COLUMN cleanup_end;
             DROP TABLE relay_bulletins; DROP TABLE relay_nonces; DROP TABLE relay_exports; DROP TABLE relay_checkins;
             DROP TABLE relay_inbox; ALTER TABLE devices DROP COLUMN key_set; ALTER TABLE commands DROP COLUMN cancel_text;
             ALTER TABLE commands DROP COLUMN cancelled_at; ALTER TABLE commands DROP COLUMN cancelled_by;
             ALTER TABLE devices DROP COLUMN retired_at; DROP INDEX receipts_by_device; ALTER TABLE receipts DROP COLUMN seen_at;
             DROP TABLE config_status; ALTER TABLE imports DROP COLUMN format;
             ALTER TABLE imports DROP COLUMN config_statuses; PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let statuses = fleet.fixture(
        "graph-device-statuses.json",
        &[("MDM_DEVICE_ID_1", &a.mdm_dev), ("USER_1", &a.user), ("USER_2", "nobody@northclinic.example")],
    );
    let out = fleet.import(&[&statuses]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let shown = admin_json(fleet.path(), &["devices", "show", "--org", "org", &a.dev]);
    assert_eq!(shown["devices"][0]["config"]["status"], "compliant");
}

#[test]
fn receipts_in_a_ledger_from_before_confirmations_are_confirmed_from_when_they_were_imported() {
    if common::on_postgres() {
        return; // a SQLite file's own migrations and damage
    }
    let fleet = Fleet::new("North Clinic");
    let a = fleet.phone(1);
    let receipt = common::fleet::receipt(&a, "loc_0000000000000000000000b7", false);
    let file = fleet.write("r.txt", &format!("{}\n{receipt}\n", fleet.report(&a, now())));
    assert_eq!(fleet.import(&[&file]).code, Some(0));
    {
        let conn = rusqlite::Connection::open(fleet.org().join("ledger.db")).unwrap();
        conn.execute_batch(
            "ALTER TABLE devices DROP COLUMN cleanup_held; ALTER TABLE devices DROP COLUMN cleanup_overdue;
             ALTER TABLE devices DROP COLUMN cleanup_oldest_days; ALTER TABLE devices DROP COLUMN cleanup_age_days;
             ALTER TABLE devices DROP COLUMN cleanup_ran_at; ALTER TABLE devices DROP COLUMN cleanup_end;
             DROP TABLE relay_bulletins; DROP TABLE relay_nonces; DROP TABLE relay_exports; DROP TABLE relay_checkins;
             DROP TABLE relay_inbox; ALTER TABLE devices DROP COLUMN key_set; ALTER TABLE commands DROP COLUMN cancel_text;
             ALTER TABLE commands DROP COLUMN cancelled_at; ALTER TABLE commands DROP COLUMN cancelled_by;
             ALTER TABLE devices DROP COLUMN retired_at; DROP INDEX receipts_by_device;
             ALTER TABLE receipts DROP COLUMN seen_at; PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let signed = admin_json(fleet.path(), &["bulletin", "sign", "--org", "org"]);
    assert_eq!(signed["receipts_confirmed"], serde_json::json!([a.dev]));
    assert!(fleet.ledger().receipt_confirmations(now() + 32 * 86_400).unwrap().is_empty(), "a month after its import");
}

#[test]
fn a_broken_mdm_file_is_refused_whole_naming_the_file_and_writing_nothing() {
    let fleet = Fleet::new("North Clinic");
    let (a, b) = (fleet.phone(1), fleet.phone(2));
    let good = fleet.report(&a, now());
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        // The first device is good, the second breaks the shape: nothing of either is written.
        (
            fleet.write(
                "ama-broken.json",
                &serde_json::json!({"devices": [
                    {"name": "enterprises/e/devices/1", "applicationReports": [{"packageName": "org.televisit.android",
                        "keyedAppStates": [{"key": "device_report", "data": good}]}]},
                    {"name": "enterprises/e/devices/2", "applicationReports": "Susan Smith 07400 123456"}
                ]})
                .to_string(),
            ),
            vec![],
            "applicationReports",
        ),
        (fleet.write("cut.plist", &cut_plist(&fleet, &good)), vec![], "cut off or damaged"),
        (fleet.write("binary.plist", "bplist00\u{1}\u{2}ManagedApplicationFeedback"), vec![], "plutil"),
        (
            fleet.write(
                "statuses.json",
                &serde_json::json!({"value": [{"id": a.mdm_dev, "status": "Susan Smith 07400 123456", "lastReportedDateTime": "2026-12-01T00:00:00Z"}]}).to_string(),
            ),
            vec!["--format", "graph-statuses"],
            "unknown `status`",
        ),
        (fleet.write("export.csv", &format!("Device,State\nPixel,\"{}\"\n", fleet.report(&b, now()))), vec!["--format", "ama"], "not JSON"),
    ];
    for (file, flags, what) in &cases {
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        let out = fleet.import(&[flags.as_slice(), &[file.as_str()]].concat());
        assert_eq!(out.code, Some(1), "{name}: {} {}", out.stdout, out.stderr);
        assert!(out.stderr.contains(name) && out.stderr.contains(what), "{name}: {}", out.stderr);
        assert!(
            !out.stderr.contains("Susan") && !out.stderr.contains("tv1."),
            "{name}: a value echoed: {}",
            out.stderr
        );
    }
    assert!(fleet.ledger().devices(&DeviceFilter::default(), now()).unwrap().is_empty(), "nothing written");
    // Not even the import's own row: the same file, read as text, is new to the ledger.
    let again = fleet.import(&["--format", "text", &cases[0].0]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert!(json(&again)["files"][0]["already_imported_at"].is_null());
    assert_eq!(json(&again)["files"][0]["reports"], 1);
}

/// The feedback result cut off before its end (a copy interrupted).
fn cut_plist(fleet: &Fleet, report: &str) -> String {
    let whole = std::fs::read_to_string(fleet.fixture("apple-feedback.plist", &[("REPORT", report), ("RECEIPT", "x")]))
        .unwrap();
    whole[..whole.find("\t<key>Status</key>").unwrap()].to_owned()
}
