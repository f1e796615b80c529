//! The fleet loop on the desktop, with the real IT tool and three phone profiles: one managed
//! configuration for all, reports IT checks and pins, a bulletin that wipes exactly the lost
//! phone, whose receipt IT verifies against the key from its report.

mod common;

use common::{admin, json, ok, run};
use std::path::Path;

fn admin_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = admin(dir, &[&["--json"], args].concat());
    assert_eq!(out.code, Some(0), "televisit-admin {args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// Reads a QR code drawn with half blocks for a dark terminal (a block is a light module).
fn read_terminal_qr(lines: &[&str]) -> String {
    let rows: Vec<Vec<bool>> = lines
        .iter()
        .flat_map(|line| {
            let halves: Vec<(bool, bool)> = line
                .chars()
                .map(|c| match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("not a half block: {other:?}"),
                })
                .collect();
            [halves.iter().map(|h| h.0).collect::<Vec<_>>(), halves.iter().map(|h| h.1).collect()]
        })
        .collect();
    let scale = 4;
    let side = rows[0].len() * scale;
    let mut image =
        rqrr::PreparedImage::prepare_from_bitmap(side, rows.len() * scale, |x, y| !rows[y / scale][x / scale]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one code drawn");
    grids[0].decode().unwrap().1
}

#[test]
fn one_configuration_three_phones_reports_pinned_and_a_bulletin_that_wipes_only_the_lost_one() {
    let temp = tempfile::tempdir().unwrap();
    let it = temp.path().join("it");
    std::fs::create_dir_all(&it).unwrap();
    let org = it.join("org");
    let org = org.to_str().unwrap();
    admin_json(&it, &["org", "init", "--org", org, "--name", "North Clinic"]);
    std::fs::write(it.join("policy.json"), r#"{"version": 1, "organisation": "North Clinic"}"#).unwrap();
    let signed =
        admin_json(&it, &["policy", "sign", "policy.json", "--org", org])["signed"].as_str().unwrap().to_owned();
    let code =
        admin_json(&it, &["enroll-code", "--org", org, "--policy", &signed])["code"].as_str().unwrap().to_owned();
    let config =
        serde_json::json!({"enrollment_code": code, "signed_policy": signed, "mdm_user": "dr.lee@northclinic.example"});
    let config_file = temp.path().join("managed.json");
    std::fs::write(&config_file, config.to_string()).unwrap();

    let phones: Vec<_> = (0..3).map(|i| temp.path().join(format!("phone{i}"))).collect();
    let mut keys = Vec::new();
    let mut export = String::from("Device name,User,App state\n");
    for phone in &phones {
        ok(phone, &["managed", config_file.to_str().unwrap()]);
        let report = json(phone, &["status", "--report"])["report"].as_str().unwrap().to_owned();
        assert!(report.len() <= 1000);
        // IT checks the first report and pins its key.
        let checked = admin_json(&it, &["device", "check", &report]);
        assert_eq!(checked["report"]["mdm_user"], "dr.lee@northclinic.example");
        keys.push((
            checked["report"]["dev"].as_str().unwrap().to_owned(),
            checked["report"]["enr"].as_str().unwrap().to_owned(),
            checked["report"]["key"].as_str().unwrap().to_owned(),
        ));
        // A later report checked against the pinned key; another phone's key refuses it.
        let again = json(phone, &["status", "--report"])["report"].as_str().unwrap().to_owned();
        let pinned = format!("--device-key={}", keys.last().unwrap().2);
        assert_eq!(admin(&it, &["device", "check", &again, &pinned]).code, Some(0));
        // What the MDM console exports: a CSV whose cell holds the keyed app state.
        export.push_str(&format!("Pixel,dr.lee@northclinic.example,\"{again}\"\n"));
    }
    let export_file = it.join("app-states.csv");
    std::fs::write(&export_file, &export).unwrap();
    let imported = admin_json(&it, &["devices", "import", "--org", org, export_file.to_str().unwrap()]);
    assert_eq!(imported["files"][0]["reports"], 3);
    let again = admin_json(&it, &["devices", "import", "--org", org, export_file.to_str().unwrap()]);
    assert!(again["files"][0]["already_imported_at"].is_i64(), "the same file twice changes nothing");
    assert_eq!(admin_json(&it, &["devices", "list", "--org", org])["devices"].as_array().unwrap().len(), 3);
    // The report as a phone's Settings screen shows it: its QR code, then the text; a reader
    // gets back from the drawn code exactly the text printed below it.
    let shown = run(&phones[0], &["status", "--report", "--qr"]);
    let lines: Vec<&str> = shown.stdout.lines().collect();
    let (text, drawn) = lines.split_last().unwrap();
    assert!(text.starts_with("tv1.report."));
    assert_eq!(read_terminal_qr(drawn), *text);

    let wrong = format!("--device-key={}", keys[0].2);
    let report1 = json(&phones[1], &["status", "--report"])["report"].as_str().unwrap().to_owned();
    assert_eq!(admin(&it, &["device", "check", &report1, &wrong]).code, Some(3));

    // Phone 1 is lost: IT issues its wipe from the ledger (the enrollment id is the ledger's),
    // and the next bulletin carries it without being told.
    let (device, _, key) = &keys[1];
    let command = admin_json(&it, &["wipe", "issue", "--org", org, "--device", device]);
    let command_id = command["command_id"].as_str().unwrap().to_owned();
    let bulletin = admin_json(&it, &["bulletin", "sign", "--org", org, "--valid", "24h"]);
    assert_eq!(bulletin["wipes"], serde_json::json!([command_id]));
    let status = admin_json(&it, &["wipe", "status", "--org", org, "--pending"]);
    assert_eq!(status["wipes"][0]["command_id"], command_id.as_str());
    let bulletin = bulletin["bulletin"].as_str().unwrap().to_owned();
    let mut receipt = None;
    for (i, phone) in phones.iter().enumerate() {
        let out = run(phone, &["bulletin", "apply", &bulletin]);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(out.stderr.is_empty(), "no error on any phone's screen: {}", out.stderr);
        if i == 1 {
            assert!(out.stdout.contains("carrying it out"), "{}", out.stdout);
            receipt = out.stdout.lines().find(|l| l.starts_with("tv1.receipt.")).map(str::to_owned);
            assert!(!phone.join("televisit.db").exists());
        } else {
            assert!(!out.stdout.contains("wipe"), "{}", out.stdout);
            assert!(phone.join("televisit.db").exists());
            // Delivered again: nothing new.
            assert!(ok(phone, &["bulletin", "apply", &bulletin]).contains("already applied"));
        }
    }
    let receipt = receipt.expect("the lost phone's receipt");
    let pinned = format!("--device-key={key}");
    assert_eq!(admin(&it, &["wipe", "verify-receipt", &receipt, &pinned]).code, Some(0));
    let report_file = it.join("report1.txt");
    std::fs::write(&report_file, &report1).unwrap();
    assert_eq!(
        admin(&it, &["wipe", "verify-receipt", &receipt, "--report", report_file.to_str().unwrap()]).code,
        Some(0)
    );
    assert_eq!(admin(&it, &["wipe", "verify-receipt", &receipt, &wrong]).code, Some(3));

    // The receipt comes back through the MDM: imported, it closes the command.
    let receipt_file = it.join("receipts.txt");
    std::fs::write(&receipt_file, format!("{receipt}\n")).unwrap();
    let imported = admin_json(&it, &["devices", "import", "--org", org, receipt_file.to_str().unwrap()]);
    assert_eq!(imported["files"][0]["receipts"], 1);
    let done = admin_json(&it, &["wipe", "status", "--org", org, "--done"]);
    assert_eq!(done["wipes"][0]["command_id"], command_id.as_str());
    let next = admin_json(&it, &["bulletin", "sign", "--org", org]);
    assert_eq!(next["wipes"], serde_json::json!([]), "a wipe carried out leaves the bulletins");
}

/// The demo's last acts (one run of it). The monthly cleanup pass: one phone overdue in the
/// fleet report, then cleaned by its own background check-in under a policy that allows it.
/// The relay act: IT's tool, the relay and two phones, each its own process; the lost phone's
/// wipe done and confirmed through the relay, the other untouched.
#[test]
fn the_demo_cleans_an_overdue_phone_by_policy_and_wipes_a_lost_one_through_the_relay() {
    let out = assert_cmd::Command::cargo_bin("televisit").unwrap().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let cleanup = &text[text.find("\n21. The monthly cleanup pass").expect("the cleanup act ran")..];
    let cleanup = &cleanup[..cleanup.find("── The fleet relay").unwrap_or(cleanup.len())];
    assert!(cleanup.contains("\"2 of 3 patient contacts past 30 days; the oldest is 31 days old\""), "{cleanup}");
    assert!(
        cleanup.contains("--cleanup-overdue   → exit 3: dev_") && cleanup.contains("cleanup 2 past 30 d, oldest 31 d"),
        "{cleanup}"
    );
    assert!(
        cleanup.contains("Phones holding contacts past their cleanup age (30 days): 1; oldest 31 days"),
        "{cleanup}"
    );
    assert!(cleanup.contains("removes its own 2 contacts past 30 days"), "{cleanup}");
    assert!(cleanup.contains("Phones holding contacts past their cleanup age (30 days): 0"), "{cleanup}");
    assert!(cleanup.contains("removed 2 patient contacts past 30 days; 1 lookalike waits in Cleanup"), "{cleanup}");
    assert!(
        !cleanup.contains("Example") && !cleanup.contains("Maria Lopez") && !cleanup.contains("202 555"),
        "counts only: {cleanup}"
    );
    let act =
        &text[text.find("── The fleet relay").expect("the relay act ran (its binaries are built in a test run)")..];
    assert!(act.contains("devices list: 2 phones, pinned by the relay"), "{act}");
    assert!(act.contains("wipe status: done, its receipt verified against the pinned key"), "{act}");
    assert!(act.contains("(enrolled: false)") && act.contains("untouched (enrolled: true)"), "{act}");
}
