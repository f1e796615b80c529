//! `devices import` reading what MDMs give back, from files written to the MDMs' documented example
//! shapes (tests/fixtures/mdm/README.md) and filled with reports and receipts signed here: an
//! Android Management API devices.list / devices.get response, an Apple ManagedApplicationFeedback
//! command result, a Graph app-configuration deviceStatuses list; broken files refused whole.

use std::path::{Path, PathBuf};
use televisit_admin::ledger::{DeviceFilter, Ledger, WipeState};
use televisit_protocol::envelope::{self, SigningKey};
use televisit_protocol::report::{self, ChecklistState, DeviceReport, REPORT_VERSION};
use televisit_protocol::wipe::{self, Receipt, Step, StepDone, WipeReason, WipeScope, COMMAND_VERSION};

mod common;

use common::{admin, admin_json, now, Ran};

struct Fleet {
    dir: tempfile::TempDir,
    org_id: String,
    org_key: String,
}

struct Phone {
    key: SigningKey,
    dev: String,
    enr: String,
    user: String,
    mdm_dev: String,
}

impl Fleet {
    fn new() -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        let info = admin_json(dir.path(), &["org", "init", "--org", "org", "--name", "North Clinic"]);
        let org_key = info["signing_key"].as_str().unwrap().to_owned();
        Fleet { org_id: envelope::key_id(&org_key).unwrap(), org_key, dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn org(&self) -> PathBuf {
        self.dir.path().join("org")
    }

    /// Intune's `{{deviceid}}` is a GUID: phone 1 carries one, so Graph's status id can name it.
    fn phone(&self, n: u8) -> Phone {
        Phone {
            key: SigningKey::from_seed(&[n; 32]).unwrap(),
            dev: format!("dev_{:024x}", n),
            enr: format!("enr_{:024x}", n),
            user: format!("clinician{n}@northclinic.example"),
            mdm_dev: format!("{n:08x}-5d1e-4c3b-9a2f-00000000000{n}"),
        }
    }

    fn report(&self, phone: &Phone, at: i64, app_ver: &str) -> String {
        let r = DeviceReport {
            v: REPORT_VERSION,
            dev: phone.dev.clone(),
            enr: phone.enr.clone(),
            key: phone.key.public_key(),
            org: self.org_id.clone(),
            os: "android".into(),
            os_ver: "16".into(),
            app_ver: app_ver.into(),
            pol: 2,
            seen: Some(at - 600),
            chk: ChecklistState::Current,
            wipe: None,
            rcpt: None,
            mdm_dev: Some(phone.mdm_dev.clone()),
            mdm_user: Some(phone.user.clone()),
            cp: None,
            at,
        };
        report::seal(&phone.key, &r).unwrap()
    }

    /// A fixture with its placeholders filled, written into the fleet's folder.
    fn fixture(&self, name: &str, fill: &[(&str, &str)]) -> String {
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mdm").join(name);
        let mut text = std::fs::read_to_string(here).unwrap();
        for (placeholder, value) in fill {
            text = text.replace(&format!("{{{{{placeholder}}}}}"), value);
        }
        assert!(!text.contains("{{"), "{name}: a placeholder left unfilled");
        self.write(name, &text)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn import(&self, args: &[&str]) -> Ran {
        admin(self.path(), &[&["--json", "devices", "import", "--org", "org"], args].concat())
    }

    fn ledger(&self) -> Ledger {
        Ledger::open(&self.org(), &self.org_key).unwrap()
    }

    fn wipe_state(&self, command: &str) -> Option<WipeState> {
        self.ledger().wipes(now()).unwrap().into_iter().find(|w| w.command_id == command).map(|w| w.state)
    }
}

fn receipt(phone: &Phone, command_id: &str) -> String {
    let done = |step| StepDone { step, count: 1, failed: 0, reason: None };
    let r = Receipt {
        v: COMMAND_VERSION,
        device_id: phone.dev.clone(),
        enrollment_id: phone.enr.clone(),
        command_id: command_id.into(),
        scope: WipeScope::All,
        reason: if command_id.starts_with("loc_") { WipeReason::LocalTrigger } else { WipeReason::Lost },
        completed_at: now(),
        steps: vec![done(Step::DestroyKey), done(Step::DeleteContacts), done(Step::DeleteFiles)],
        device_key: phone.key.public_key(),
        merged_command_ids: Vec::new(),
    };
    wipe::seal_receipt(&phone.key, &r)
}

fn json(out: &Ran) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{} {}", out.stdout, out.stderr))
}

#[test]
fn an_android_management_api_list_pins_devices_and_a_device_get_carries_the_receipt() {
    let fleet = Fleet::new();
    let (a, b) = (fleet.phone(1), fleet.phone(2));
    let list = fleet.fixture(
        "ama-devices-list.json",
        &[
            ("REPORT_1", &fleet.report(&a, now() - 3600, "0.1.0")),
            ("REPORT_2", &fleet.report(&b, now() - 3600, "0.1.0")),
        ],
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
        &[("RECEIPT", &receipt(&a, command)), ("REPORT", &fleet.report(&a, now(), "0.2.0"))],
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
        &[("RECEIPT", "tv1.receipt.not-a-receipt"), ("REPORT", &fleet.report(&forger, now(), "9.9.9"))],
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
    let fleet = Fleet::new();
    let phone = fleet.phone(3);
    // The phone wiped itself (a local trigger): its receipt arrives with its report.
    let feedback = fleet.fixture(
        "apple-feedback.plist",
        &[
            ("REPORT", &fleet.report(&phone, now(), "0.1.0")),
            ("RECEIPT", &receipt(&phone, "loc_00000000000000000000000c")),
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
        &[("REPORT", &fleet.report(&phone, now() + 1, "0.2.0")), ("RECEIPT", &receipt(&phone, command))],
    );
    let out = fleet.import(&["--format", "apple-feedback", &feedback]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    assert_eq!(fleet.wipe_state(command), Some(WipeState::Done));
}

#[test]
fn graph_device_statuses_say_whether_the_configuration_reached_each_device() {
    let fleet = Fleet::new();
    let (a, b) = (fleet.phone(1), fleet.phone(2));
    let reports =
        fleet.write("r.txt", &format!("{}\n{}", fleet.report(&a, now(), "0.1.0"), fleet.report(&b, now(), "0.1.0")));
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
    let fleet = Fleet::new();
    let a = fleet.phone(1);
    assert_eq!(fleet.import(&[&fleet.write("r.txt", &fleet.report(&a, now(), "0.1.0"))]).code, Some(0));
    // Back to the previous schema, as a ledger written by the last release is.
    {
        let conn = rusqlite::Connection::open(fleet.org().join("ledger.db")).unwrap();
        conn.execute_batch(
            "DROP TABLE config_status; ALTER TABLE imports DROP COLUMN format;
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
fn a_broken_mdm_file_is_refused_whole_naming_the_file_and_writing_nothing() {
    let fleet = Fleet::new();
    let (a, b) = (fleet.phone(1), fleet.phone(2));
    let good = fleet.report(&a, now(), "0.1.0");
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
        (fleet.write("export.csv", &format!("Device,State\nPixel,\"{}\"\n", fleet.report(&b, now(), "0.1.0"))), vec!["--format", "ama"], "not JSON"),
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
