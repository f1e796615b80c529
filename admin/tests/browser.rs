//! The fleet report as IT sees it: rendered by a real browser (headless Chromium from Debian's
//! packages), its DOM checked after the page's script ran, and a screenshot kept under
//! `target/fleet-report/`. `cargo xtask test browser` installs Chromium and runs this with
//! `TELEVISIT_CHROMIUM` set; plain `cargo test` leaves it out (it needs the browser).

use assert_cmd::Command;
use std::path::Path;
use televisit_protocol::envelope::{self, SigningKey};
use televisit_protocol::report::{self, ChecklistState, CleanupEnd, CleanupState, DeviceReport, REPORT_VERSION};
use televisit_protocol::wipe::{self, Receipt, Step, StepDone, WipeReason, WipeScope, COMMAND_VERSION};

fn admin(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out =
        Command::cargo_bin("televisit-admin").unwrap().current_dir(dir).arg("--json").args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

fn device(n: u8) -> (SigningKey, String, String) {
    (SigningKey::from_seed(&[n; 32]).unwrap(), format!("dev_{n:024x}"), format!("enr_{n:024x}"))
}

#[test]
#[ignore = "needs Chromium: cargo xtask test browser"]
fn the_fleet_report_renders_in_a_browser_with_its_counts_states_and_local_times() {
    let chromium = std::env::var("TELEVISIT_CHROMIUM").expect("TELEVISIT_CHROMIUM: the browser to render with");
    let out_dir = std::env::var("TELEVISIT_REPORT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fleet-report"));
    std::fs::create_dir_all(&out_dir).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let info = admin(dir, &["org", "init", "--org", "org", "--name", "North Clinic"]);
    let org_id = envelope::key_id(info["signing_key"].as_str().unwrap()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let users = ["dr.okafor@north.example", "nurse.lindqvist@north.example", "dr.tanaka@north.example"];
    let mut lines = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let (key, dev, enr) = device(i as u8 + 1);
        // The second phone has been quiet for three days.
        let at = if i == 1 { now - 3 * 86_400 } else { now - 600 };
        // The third holds contacts past their cleanup age; the second cannot read its contacts;
        // the first is wiped below (closed: never counted).
        let cln = match i {
            2 => Some(CleanupState {
                n: Some(6),
                o: Some(4),
                d: Some(93),
                age: 30,
                r: Some(now - 86_400),
                e: Some(CleanupEnd::SomeFailed),
            }),
            1 => Some(CleanupState { n: None, o: None, d: None, age: 30, r: None, e: None }),
            _ => Some(CleanupState { n: Some(2), o: Some(2), d: Some(40), age: 30, r: None, e: None }),
        };
        let r = DeviceReport {
            v: REPORT_VERSION,
            dev,
            enr,
            key: key.public_key(),
            org: org_id.clone(),
            os: if i == 2 { "ios".into() } else { "android".into() },
            os_ver: if i == 2 { "18.1".into() } else { "16".into() },
            app_ver: "0.1.0".into(),
            pol: 3,
            seen: Some(at - 3600),
            chk: ChecklistState::Current,
            wipe: None,
            rcpt: None,
            mdm_dev: Some(format!("8d3f6c1e-52a4-4b7e-9c0d-00000000000{i}")),
            mdm_user: Some((*user).into()),
            cp: None,
            conf: None,
            ks: None,
            cln,
            at,
        };
        lines.push(report::seal(&key, &r).unwrap());
    }
    std::fs::write(dir.join("states.csv"), lines.join("\n")).unwrap();
    admin(dir, &["devices", "import", "--org", "org", "states.csv"]);
    // Two phones lost: one wipe carried out (its receipt imported), one still pending.
    let done = admin(dir, &["wipe", "issue", "--org", "org", "--user", users[0]]);
    let pending = admin(dir, &["wipe", "issue", "--org", "org", "--user", users[1], "--reason", "stolen"]);
    let (key, dev, enr) = device(1);
    let receipt = Receipt {
        v: COMMAND_VERSION,
        device_id: dev,
        enrollment_id: enr,
        command_id: done["command_id"].as_str().unwrap().into(),
        scope: WipeScope::All,
        reason: WipeReason::Lost,
        completed_at: now,
        steps: [Step::DestroyKey, Step::DeleteContacts, Step::DeleteFiles]
            .into_iter()
            .map(|step| StepDone { step, count: 1, failed: 0, reason: None })
            .collect(),
        device_key: key.public_key(),
        merged_command_ids: Vec::new(),
    };
    std::fs::write(dir.join("receipts.txt"), wipe::seal_receipt(&key, &receipt)).unwrap();
    admin(dir, &["devices", "import", "--org", "org", "receipts.txt"]);
    let html = out_dir.join("fleet.html");
    admin(dir, &["fleet", "report", "--org", "org", "--html", html.to_str().unwrap()]);

    let browser = |args: &[&str]| {
        let out = std::process::Command::new(&chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
            .arg(format!("--user-data-dir={}", temp.path().join("chromium-profile").display()))
            .args(args)
            .arg(format!("file://{}", html.display()))
            .output()
            .expect("Chromium runs");
        assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let dom = browser(&["--dump-dom"]);
    let count = |key: &str| {
        let marker = format!("data-count=\"{key}\"><b>");
        let start = dom.find(&marker).unwrap_or_else(|| panic!("no {key} count in the DOM")) + marker.len();
        dom[start..].split('<').next().unwrap().parse::<u32>().unwrap()
    };
    assert_eq!(
        (count("devices"), count("stale"), count("pending"), count("done"), count("failed"), count("expired")),
        (3, 1, 1, 1, 0, 0)
    );
    let (_, quiet, _) = device(2);
    assert!(dom.contains(&format!("data-device=\"{quiet}\" data-state=\"stale\"")), "the quiet phone is stale");
    let pending_id = pending["command_id"].as_str().unwrap();
    assert!(dom.contains(&format!("data-command=\"{pending_id}\" data-state=\"pending\"")));
    let done_id = done["command_id"].as_str().unwrap();
    assert!(dom.contains(&format!("data-command=\"{done_id}\" data-state=\"done\"")));
    assert!(dom.contains("<span class=\"state st-done\">done</span>"), "a state in words as well as colour");
    assert!(dom.contains("<span class=\"lt\">("), "the page's script added the viewer's local times");
    // The cleanup: its count, the line above the tables, each device's column, and its own table
    // worst first (the phone past its age, then the one that cannot count).
    assert_eq!(count("cleanup_overdue"), 1);
    assert!(dom.contains(
        "data-cleanup-summary=\"\">Phones holding contacts past their cleanup age (30 days): 1; oldest 93 days; counts unknown on 1 phone (no contacts access)</p>"
    ));
    let (_, holding, _) = device(3);
    assert!(dom.contains("<td data-cleanup=\"overdue\">4 past 30 d, oldest 93 d</td>"), "the Cleanup column");
    assert!(dom.contains("<td data-cleanup=\"unknown\">unknown (no contacts access)</td>"));
    assert!(dom.contains("<td data-cleanup=\"closed\">-</td>"), "the wiped phone is not counted");
    let row = |dev: &str| dom.find(&format!("data-cleanup-device=\"{dev}\"")).unwrap_or_else(|| panic!("{dev}"));
    assert!(row(&holding) < row(&quiet), "worst first");
    assert!(dom.contains("<span class=\"state st-overdue\">overdue</span>"), "in words as well as colour");

    let png = out_dir.join("fleet.png");
    let _ = std::fs::remove_file(&png);
    browser(&["--window-size=1280,900", &format!("--screenshot={}", png.display())]);
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 20_000, "a page, not a blank: {} bytes", bytes.len());
}
