//! IT's fleet ledger, as IT uses it: imports of what the MDM collects (good, half bad, repeated,
//! killed half-way), devices by id, user and MDM id, a key that changed, wipes from issue to
//! receipt (pending, done, failed, expired, local), and ledgers that are not this org's.

use std::path::Path;
use televisit_admin::ledger::{DeviceFilter, WipeState, RECEIPT_CONFIRMED_FOR};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::wipe::{self, WipeCommand, WipeReason, WipeScope, COMMAND_VERSION};

mod common;

use common::fleet::{receipt, Fleet, Phone};
use common::{admin, admin_env, admin_json, now};

#[test]
fn an_mdm_export_is_imported_once_and_its_bad_lines_are_listed_without_their_text() {
    let fleet = Fleet::new("North Clinic");
    let other = Fleet::new("South Clinic");
    let (a, b) = (fleet.phone(1), fleet.phone(2));
    let good_a = fleet.report(&a, now());
    let good_b = fleet.report(&b, now());
    let mut flipped = good_b.clone().into_bytes();
    flipped[40] ^= 0x01;
    let flipped = String::from_utf8(flipped).unwrap();
    let foreign = other.report(&other.phone(3), now());
    let csv = format!(
        "Device,User,State\nPixel A,{},\"{good_a}\"\nPixel B,{},\"{flipped}\"\nPixel C,x,\"{foreign}\"\nPixel B,{},\"{good_b}\"\nSusan Smith 07400 123456,,no report here\n",
        a.user, b.user, b.user
    );
    let file = fleet.write("export.csv", &csv);
    let out = fleet.import(&[&file]);
    assert_eq!(out.code, Some(3), "a refused record: exit 3. {}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let outcome = &json["files"][0];
    assert_eq!((outcome["reports"].as_i64(), outcome["refused"].as_i64()), (Some(2), Some(2)));
    let lines: Vec<i64> = outcome["problems"].as_array().unwrap().iter().map(|p| p["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, [3, 4]);
    assert!(outcome["problems"][1]["reason"].as_str().unwrap().contains("another organisation"));
    assert!(!out.stdout.contains("Susan") && !out.stdout.contains(&flipped[11..60]));
    // The same file again changes nothing; a second file with a report seen before adds nothing.
    let again = fleet.import(&[&file]);
    let again: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert!(again["files"][0]["already_imported_at"].is_i64());
    let json_file = fleet.write("states.json", &serde_json::json!({"device_report": good_a}).to_string());
    let seen = fleet.import(&[&json_file]);
    assert_eq!(seen.code, Some(0));
    let seen: serde_json::Value = serde_json::from_str(&seen.stdout).unwrap();
    assert_eq!(seen["files"][0]["unchanged"], 1);
    assert_eq!(fleet.ledger().devices(&DeviceFilter::default(), now()).unwrap().len(), 2);
    // Whatever else the MDM's export held, none of it reaches the ledger's file.
    drop(fleet.ledger());
    for file in ["ledger.db", "ledger.db-wal"] {
        if let Ok(bytes) = std::fs::read(fleet.org().join(file)) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("Susan") && !text.contains("07400"), "{file} holds a line's text");
        }
    }
}

#[test]
fn a_csv_of_a_million_rows_without_records_is_read_through_and_changes_nothing() {
    let fleet = Fleet::new("North Clinic");
    let mut csv = String::with_capacity(32_000_000);
    csv.push_str("Device,User,State\n");
    for i in 0..1_000_000u32 {
        csv.push_str(&format!("Pixel {i},user{i}@x.example,Installed\n"));
    }
    let file = fleet.write("million.csv", &csv);
    let out = fleet.import(&[&file]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((json["files"][0]["reports"].as_i64(), json["files"][0]["refused"].as_i64()), (Some(0), Some(0)));
    assert!(fleet.ledger().devices(&DeviceFilter::default(), now()).unwrap().is_empty());
}

#[test]
fn binary_garbage_and_oversized_files_change_nothing() {
    let fleet = Fleet::new("North Clinic");
    let garbage: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = fleet.path().join("garbage.bin");
    std::fs::write(&path, &garbage).unwrap();
    let out = fleet.import(&[path.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let huge = fleet.path().join("huge.csv");
    std::fs::File::create(&huge).unwrap().set_len(65 * 1024 * 1024).unwrap();
    let out = fleet.import(&[huge.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("larger than 64 MB"), "{}", out.stderr);
    assert!(fleet.ledger().devices(&DeviceFilter::default(), now()).unwrap().is_empty());
}

#[test]
fn an_import_killed_half_way_leaves_the_ledger_as_it_was_and_runs_again() {
    let fleet = Fleet::new("North Clinic");
    let lines: Vec<String> = (1..=5).map(|n| fleet.report(&fleet.phone(n), now())).collect();
    let file = fleet.write("reports.txt", &lines.join("\n"));
    let killed =
        admin_env(fleet.path(), &["devices", "import", "--org", "org", &file], &[("TELEVISIT_ADMIN_ABORT_AFTER", "3")]);
    assert_ne!(killed.code, Some(0), "the process was killed");
    assert!(fleet.ledger().devices(&DeviceFilter::default(), now()).unwrap().is_empty(), "nothing half-written");
    let out = fleet.import(&[&file]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(fleet.ledger().devices(&DeviceFilter::default(), now()).unwrap().len(), 5);
}

#[test]
fn a_changed_key_is_refused_and_flagged_until_it_is_repinned_on_purpose() {
    let fleet = Fleet::new("North Clinic");
    let phone = fleet.phone(1);
    let first = fleet.write("first.txt", &fleet.report(&phone, now() - 60));
    assert_eq!(fleet.import(&[&first]).code, Some(0));
    // The same device id, another key: a clone, or the app reinstalled.
    let clone = Phone { key: SigningKey::from_seed(&[99; 32]).unwrap(), ..fleet.phone(1) };
    let cloned = fleet.report(&clone, now());
    let file = fleet.write("clone.txt", &cloned);
    let out = fleet.import(&[&file]);
    assert_eq!(out.code, Some(3));
    assert!(out.stdout.contains("another key than the one pinned"), "{}", out.stdout);
    let shown = admin_json(fleet.path(), &["devices", "show", "--org", "org", &phone.dev]);
    assert_eq!(shown["devices"][0]["device_key"], phone.key.public_key(), "never re-pinned silently");
    assert_eq!(shown["devices"][0]["flag"], "key_mismatch");
    let repinned =
        admin(fleet.path(), &["devices", "repin", "--org", "org", &phone.dev, "--report", &file, "--by", "it.lead"]);
    assert_eq!(repinned.code, Some(0), "{}", repinned.stderr);
    let shown = admin_json(fleet.path(), &["devices", "show", "--org", "org", "--user", &phone.user]);
    assert_eq!(shown["devices"][0]["device_key"], clone.key.public_key());
    assert!(shown["devices"][0]["flag"].is_null());
    // Another device's report cannot re-pin this one.
    let other = fleet.write("other.txt", &fleet.report(&fleet.phone(2), now()));
    assert_eq!(
        admin(fleet.path(), &["devices", "repin", "--org", "org", &phone.dev, "--report", &other]).code,
        Some(1)
    );
}

#[test]
fn stale_devices_are_listed_with_exit_3() {
    let fleet = Fleet::new("North Clinic");
    let (quiet, busy) = (fleet.phone(1), fleet.phone(2));
    let file = fleet
        .write("r.txt", &format!("{}\n{}\n", fleet.report(&quiet, now() - 3 * 86_400), fleet.report(&busy, now())));
    assert_eq!(fleet.import(&[&file]).code, Some(0));
    let out = admin(fleet.path(), &["--json", "devices", "list", "--org", "org", "--stale", "24h"]);
    assert_eq!(out.code, Some(3));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["devices"].as_array().unwrap().len(), 1);
    assert_eq!(json["devices"][0]["device_id"], quiet.dev.as_str());
    assert_eq!(admin(fleet.path(), &["devices", "list", "--org", "org", "--stale", "4d"]).code, Some(0));
    let android = admin_json(fleet.path(), &["devices", "list", "--org", "org", "--platform", "android"]);
    assert_eq!(android["devices"].as_array().unwrap().len(), 2);
    let ios = admin_json(fleet.path(), &["devices", "list", "--org", "org", "--platform", "ios"]);
    assert!(ios["devices"].as_array().unwrap().is_empty());
    // A phone whose clock was set a year ahead reports once, then goes quiet: its report counts
    // as made when IT imported it, so it is stale two days later like any other.
    let ahead = fleet.phone(3);
    let file = fleet.write("ahead.txt", &fleet.report(&ahead, now() + 365 * 86_400));
    assert_eq!(fleet.import(&[&file]).code, Some(0));
    let filter = DeviceFilter { stale_seconds: Some(86_400), platform: None };
    let stale = fleet.ledger().devices(&filter, now() + 2 * 86_400).unwrap();
    assert!(stale.iter().any(|d| d.device_id == ahead.dev), "the phone set ahead is stale too");
}

#[test]
fn a_wipe_goes_from_issue_to_receipt_and_every_state_shows() {
    let fleet = Fleet::new("North Clinic");
    let phones: Vec<Phone> = (1..=4).map(|n| fleet.phone(n)).collect();
    let reports: Vec<String> = phones.iter().map(|p| fleet.report(p, now())).collect();
    assert_eq!(fleet.import(&[&fleet.write("r.txt", &reports.join("\n"))]).code, Some(0));
    // By user, by MDM device id, by device id; an unknown device only with --unlisted.
    let by_user = admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--user", &phones[0].user]);
    let mdm = phones[1].mdm_dev.clone();
    let by_mdm = admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--mdm-device", &mdm, "--ttl", "1d"]);
    let by_id = admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &phones[2].dev]);
    let unknown = admin(fleet.path(), &["wipe", "issue", "--org", "org", "--device", "dev_ffffffffffffffffffffffff"]);
    assert_eq!(unknown.code, Some(1));
    assert!(unknown.stderr.contains("--unlisted"), "{}", unknown.stderr);
    let wrong_enrollment = admin(
        fleet.path(),
        &["wipe", "issue", "--org", "org", "--device", &phones[3].dev, "--enrollment", "enr_000000000000000000000009"],
    );
    assert_eq!(wrong_enrollment.code, Some(1));
    let bulletin = admin_json(fleet.path(), &["bulletin", "sign", "--org", "org"]);
    assert_eq!(bulletin["wipes"].as_array().unwrap().len(), 3);

    let id = |v: &serde_json::Value| v["command_id"].as_str().unwrap().to_owned();
    let receipts = [
        receipt(&phones[0], &id(&by_user), false),
        receipt(&phones[2], &id(&by_id), true),
        receipt(&phones[3], "loc_00000000000000000000000a", false),
    ];
    let file = fleet.write("receipts.txt", &receipts.join("\n"));
    let out = fleet.import(&[&file]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    // The same receipt in another file: seen before. A receipt for a command never issued: refused.
    let twice = fleet.write(
        "again.txt",
        &format!("{}\n{}", receipts[0], receipt(&phones[1], "cmd_never_issued_by_this_ledger", false)),
    );
    let out = fleet.import(&[&twice]);
    assert_eq!(out.code, Some(3));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((json["files"][0]["unchanged"].as_i64(), json["files"][0]["refused"].as_i64()), (Some(1), Some(1)));
    assert!(json["files"][0]["problems"][0]["reason"].as_str().unwrap().contains("did not issue"));

    // One receipt checked by hand against the ledger's pinned key: a forgery that carries its
    // own key for the same device is refused, and so is a device the ledger does not know.
    let by_hand = admin(fleet.path(), &["wipe", "verify-receipt", "--org", "org", &receipts[0]]);
    assert_eq!(by_hand.code, Some(0), "{}", by_hand.stderr);
    let forger = Phone { key: SigningKey::from_seed(&[99; 32]).unwrap(), ..fleet.phone(1) };
    let forged =
        admin(fleet.path(), &["wipe", "verify-receipt", "--org", "org", &receipt(&forger, &id(&by_user), false)]);
    assert_eq!(forged.code, Some(3), "{}", forged.stderr);
    let stranger = Phone { dev: "dev_eeeeeeeeeeeeeeeeeeeeeeee".into(), ..fleet.phone(5) };
    let unknown =
        admin(fleet.path(), &["wipe", "verify-receipt", "--org", "org", &receipt(&stranger, &id(&by_user), false)]);
    assert_eq!(unknown.code, Some(1), "{}", unknown.stderr);
    assert!(unknown.stderr.contains("does not know"), "{}", unknown.stderr);

    let state_of = |command: &str, at: i64| {
        fleet.ledger().wipes(at).unwrap().into_iter().find(|w| w.command_id == command).map(|w| w.state)
    };
    assert_eq!(state_of(&id(&by_user), now()), Some(WipeState::Done));
    assert_eq!(state_of(&id(&by_id), now()), Some(WipeState::Failed));
    assert_eq!(state_of(&id(&by_mdm), now()), Some(WipeState::Pending));
    assert_eq!(state_of(&id(&by_mdm), now() + 2 * 86_400), Some(WipeState::Expired));
    assert_eq!(state_of("loc_00000000000000000000000a", now()), Some(WipeState::Local));
    let pending = admin_json(fleet.path(), &["wipe", "status", "--org", "org", "--pending"]);
    assert_eq!(pending["wipes"].as_array().unwrap().len(), 1);
    let next = admin_json(fleet.path(), &["bulletin", "sign", "--org", "org"]);
    assert_eq!(next["wipes"], serde_json::json!([id(&by_mdm)]), "only the wipe still to do");
    // And IT's signed word to each wiped phone that its receipt arrived, so that the phone stops
    // publishing it (a failed step is still a receipt IT holds).
    let mut wiped = vec![phones[0].dev.clone(), phones[2].dev.clone(), phones[3].dev.clone()];
    wiped.sort();
    assert_eq!(next["receipts_confirmed"], serde_json::json!(wiped));
    let signed = fleet.open_bulletin(next["bulletin"].as_str().unwrap());
    assert!(signed.receipt_confirmed(&phones[0].dev, &[&id(&by_user)]));
    assert!(signed.receipt_confirmed(&phones[3].dev, &["loc_00000000000000000000000a"]));
    assert!(!signed.receipt_confirmed(&phones[1].dev, &[&id(&by_mdm)]), "no receipt from it yet");
}

#[test]
fn a_receipt_is_confirmed_while_its_phone_publishes_it_and_a_rewritten_one_replaces_it() {
    let fleet = Fleet::new("North Clinic");
    let phone = fleet.phone(1);
    let t0 = now();
    let mut ledger = fleet.ledger();
    ledger.import_file(Path::new(&fleet.write("r.txt", &fleet.report(&phone, t0))), t0).unwrap();
    let first = "cmd_0000000000000000000000f1";
    let second = "cmd_0000000000000000000000f2";
    for id in [first, second] {
        let command = WipeCommand {
            v: COMMAND_VERSION,
            device_id: phone.dev.clone(),
            enrollment_id: phone.enr.clone(),
            command_id: id.into(),
            issued_at: t0,
            not_before: t0 - 60,
            expires_at: t0 + 14 * 86_400,
            scope: WipeScope::All,
            reason: WipeReason::Lost,
            signed_by: None,
        };
        ledger.record_wipe(&command, "tv1.wipe.x.y", "it", t0).unwrap();
    }
    assert!(ledger.receipt_confirmations(t0).unwrap().is_empty(), "nothing received yet");
    let held = receipt(&phone, first, false);
    ledger.import_file(Path::new(&fleet.write("a.txt", &held)), t0).unwrap();
    let confirmed = |at: i64| ledger_confirmations(&fleet, at);
    assert_eq!(confirmed(t0).get(&phone.dev), Some(&vec![first.to_owned()]));
    // A month unseen: the phone has forgotten it (or is gone); the bulletin stops carrying it.
    assert_eq!(confirmed(t0 + RECEIPT_CONFIRMED_FOR + 1).get(&phone.dev), None);
    // The phone was off, and publishes it again: confirmed again, from that sighting.
    let back = t0 + 40 * 86_400;
    fleet.ledger().import_file(Path::new(&fleet.write("b.txt", &format!("again\n{held}"))), back).unwrap();
    assert_eq!(confirmed(back + RECEIPT_CONFIRMED_FOR - 1).get(&phone.dev), Some(&vec![first.to_owned()]));
    // A second command merged into the wipe: the rewritten receipt names both, and replaces the
    // first (the phone forgets its receipt only when every id it names is confirmed).
    let mut rewritten = wipe::verify_receipt(&held, &phone.key.public_key()).unwrap();
    rewritten.merged_command_ids = vec![second.to_owned()];
    rewritten.completed_at += 60;
    let rewritten = wipe::seal_receipt(&phone.key, &rewritten);
    fleet.ledger().import_file(Path::new(&fleet.write("c.txt", &rewritten)), back).unwrap();
    assert_eq!(confirmed(back).get(&phone.dev), Some(&vec![first.to_owned(), second.to_owned()]));
}

fn ledger_confirmations(fleet: &Fleet, at: i64) -> std::collections::BTreeMap<String, Vec<String>> {
    fleet.ledger().receipt_confirmations(at).unwrap()
}

#[test]
fn a_ledger_of_another_organisation_or_a_damaged_one_is_refused() {
    if common::on_postgres() {
        return; // a SQLite file's own migrations and damage
    }
    let north = Fleet::new("North Clinic");
    let south = Fleet::new("South Clinic");
    assert_eq!(north.import(&[&north.write("r.txt", &north.report(&north.phone(1), now()))]).code, Some(0));
    let ledger = north.org().join("ledger.db");
    drop(north.ledger());
    admin(north.path(), &["devices", "list", "--org", "org"]);
    std::fs::copy(&ledger, south.org().join("ledger.db")).unwrap();
    let out = admin(south.path(), &["devices", "list", "--org", "org"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("another organisation"), "{}", out.stderr);
    // A truncated file.
    let bytes = std::fs::read(&ledger).unwrap();
    let damaged = Fleet::new("East Clinic");
    std::fs::write(damaged.org().join("ledger.db"), &bytes[..bytes.len().min(3000)]).unwrap();
    let out = admin(damaged.path(), &["devices", "list", "--org", "org"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("damaged"), "{}", out.stderr);
}

#[test]
fn the_fleet_report_is_one_page_with_counts_devices_and_wipes() {
    let fleet = Fleet::new("North Clinic");
    let (a, b) = (fleet.phone(1), fleet.phone(2));
    let file = fleet.write("r.txt", &format!("{}\n{}", fleet.report(&a, now() - 5 * 86_400), fleet.report(&b, now())));
    assert_eq!(fleet.import(&[&file]).code, Some(0));
    admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &a.dev]);
    let html = fleet.path().join("fleet.html");
    let out = admin(fleet.path(), &["fleet", "report", "--org", "org", "--html", html.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<li data-count=\"devices\"><b>2</b>"));
    assert!(page.contains("<li data-count=\"stale\"><b>1</b>"));
    assert!(page.contains("<li data-count=\"pending\"><b>1</b>"));
    assert!(page.contains(&format!("data-device=\"{}\" data-state=\"stale\"", a.dev)));
    assert!(!page.contains("http://") && !page.contains("https://"), "self-contained");
}

/// Issue 30, case 2: a copy of the phone put back after its full wipe checked in and reported,
/// and the ledger showed it `wiped`, off the stale list, with no finding.
#[test]
fn a_report_after_a_full_wipe_that_does_not_hold_its_receipt_is_a_finding_and_the_wipe_goes_out_again() {
    let fleet = Fleet::new("North Clinic");
    let (lost, honest) = (fleet.phone(1), fleet.phone(2));
    let reports = [fleet.report(&lost, now() - 600), fleet.report(&honest, now() - 600)];
    assert_eq!(fleet.import(&[&fleet.write("r.txt", &reports.join("\n"))]).code, Some(0));
    let id = |v: &serde_json::Value| v["command_id"].as_str().unwrap().to_owned();
    let first = id(&admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &lost.dev]));
    let second = id(&admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &honest.dev]));
    let receipts = [receipt(&lost, &first, false), receipt(&honest, &second, false)];
    assert_eq!(fleet.import(&[&fleet.write("receipts.txt", &receipts.join("\n"))]).code, Some(0));
    let state = |dev: &str| {
        let shown = admin(fleet.path(), &["devices", "show", "--org", "org", dev]).stdout;
        let first = shown.lines().next().unwrap_or_default().to_owned();
        first.split_once(" (").map(|(_, s)| s.trim_end_matches(')').to_owned()).unwrap_or_default()
    };
    assert_eq!(state(&lost.dev), "wiped");

    // The honest phone reports while it holds its receipt (IT has not confirmed it yet): fine.
    // The lost one's copy, put back, reports without it.
    let after = [fleet.report_holding(&honest, now() + 60, &second), fleet.report(&lost, now() + 60)];
    let out = fleet.import(&[&fleet.write("after.txt", &after.join("\n"))]);
    assert_eq!(out.code, Some(3), "a finding is a failed check: {} {}", out.stdout, out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["files"][0]["reports"], 2, "both are kept as evidence");
    assert_eq!(json["log_findings"][0]["kind"], "reported_after_wipe");
    assert_eq!(json["log_findings"][0]["device_id"], lost.dev.as_str());
    assert_eq!(state(&honest.dev), "wiped");
    assert_eq!(state(&lost.dev), "flagged");
    let listed = admin(fleet.path(), &["devices", "list", "--org", "org"]);
    assert!(listed.stdout.contains("[reported_after_wipe]"), "{}", listed.stdout);
    let shown = admin(fleet.path(), &["devices", "show", "--org", "org", &lost.dev]);
    assert!(shown.stdout.contains("a copy of the phone put back?"), "{}", shown.stdout);
    // Quiet, it is stale again (a wiped device never is): as IT would see it a week later.
    let week = fleet
        .ledger()
        .devices(&DeviceFilter { stale_seconds: Some(86_400), platform: None }, now() + 7 * 86_400)
        .unwrap();
    let stale: Vec<&str> = week.iter().map(|d| d.device_id.as_str()).collect();
    assert!(stale.contains(&lost.dev.as_str()) && !stale.contains(&honest.dev.as_str()), "{stale:?}");

    // The next bulletin carries a new full wipe for it; `wipe status` says why.
    let signed = admin_json(fleet.path(), &["bulletin", "sign", "--org", "org"]);
    let carried: Vec<&str> = signed["wipes"].as_array().unwrap().iter().filter_map(|w| w.as_str()).collect();
    assert_eq!(carried.len(), 1, "{carried:?}");
    let bulletin = fleet.open_bulletin(signed["bulletin"].as_str().unwrap());
    assert!(
        bulletin.wipe_for(&lost.dev, &lost.enr, &fleet.keys()).is_some()
            && bulletin.wipe_for(&honest.dev, &honest.enr, &fleet.keys()).is_none()
    );
    let status = admin(fleet.path(), &["wipe", "status", "--org", "org", "--pending"]);
    assert!(status.stdout.contains("reported after its wipe"), "{}", status.stdout);
    // The fleet report lists the finding.
    let findings = fleet.ledger().log_findings(Some(&lost.dev)).unwrap();
    assert_eq!(findings.iter().filter(|f| f.kind == "reported_after_wipe").count(), 1);
}

/// Issue 30, case 7: once a user had a second phone, `--user` failed with "2 devices match".
#[test]
fn wipe_issue_by_user_skips_the_users_wiped_phone_and_lists_live_ones_with_their_state() {
    let fleet = Fleet::new("North Clinic");
    let (old, new) = (fleet.phone(1), Phone { user: fleet.phone(1).user, ..fleet.phone(2) });
    let reports = [fleet.report(&old, now() - 86_400 * 30), fleet.report(&new, now() - 600)];
    assert_eq!(fleet.import(&[&fleet.write("r.txt", &reports.join("\n"))]).code, Some(0));
    let cmd = admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &old.dev]);
    let receipt = receipt(&old, cmd["command_id"].as_str().unwrap(), false);
    assert_eq!(fleet.import(&[&fleet.write("rc.txt", &receipt)]).code, Some(0));
    let by_user = admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--user", &old.user]);
    assert_eq!(by_user["device_id"].as_str(), Some(new.dev.as_str()), "{by_user}");

    // A third phone of the same user, live: both live ones are listed, with their state.
    let third = Phone { user: fleet.phone(1).user, ..fleet.phone(3) };
    assert_eq!(fleet.import(&[&fleet.write("r3.txt", &fleet.report(&third, now() - 60))]).code, Some(0));
    let many = admin(fleet.path(), &["wipe", "issue", "--org", "org", "--user", &old.user]);
    assert_eq!(many.code, Some(1));
    assert!(many.stderr.contains("2 devices that are not wiped or retired match"), "{}", many.stderr);
    assert!(many.stderr.contains(&third.dev) && many.stderr.contains("last report"), "{}", many.stderr);
    assert!(!many.stderr.contains(&old.dev), "{}", many.stderr);
}

/// Issue 30, case 9: a fresh install with its clock set back into an expired code's window
/// enrolled, and nothing told IT. The phone alone cannot tell; IT's clock can.
#[test]
fn a_first_report_after_its_enrollment_code_expired_by_its_clock_is_a_finding() {
    let fleet = Fleet::new("North Clinic");
    let (late, timely) = (fleet.phone(1), fleet.phone(2));
    let at = now() - 200 * 86_400;
    let mut ledger = fleet.ledger();
    // The code IT made 200 days ago, valid 90 days; the phones report that it is the newest
    // thing they saw signed by IT (`seen` is the report's time less ten minutes).
    ledger
        .record_issued(
            televisit_admin::ledger::CommandKind::EnrollCode,
            "code_0123456789abcdef01234567",
            "it",
            at - 600,
            at - 600 + 90 * 86_400,
            "policy version 1",
        )
        .unwrap();
    ledger.import_file(Path::new(&fleet.write("timely.txt", &fleet.report(&timely, at))), at + 3600).unwrap();
    ledger.import_file(Path::new(&fleet.write("late.txt", &fleet.report(&late, at))), now()).unwrap();
    let kinds = |dev: &str| -> Vec<&'static str> {
        fleet.ledger().log_findings(Some(dev)).unwrap().into_iter().map(|f| f.kind).collect()
    };
    assert_eq!(kinds(&late.dev), ["enrolled_after_code_expiry"]);
    assert!(kinds(&timely.dev).is_empty());
}

/// Issue 30, case 5: `bulletin sign` failed outright ("confirms more than 2000 logs") once more
/// than 2,000 devices had archived logs, and wiped or retired devices never left the bulletin.
/// A ledger of 10,000 devices, 30% of them gone (retired or wiped in full), signs a bulletin that
/// fits Android's limit and names none of the gone ones.
#[test]
fn a_ten_thousand_device_ledger_with_churn_signs_a_bulletin_that_leaves_the_gone_devices_out() {
    if common::on_postgres() {
        return; // a SQLite file's own migrations and damage
    }
    let fleet = Fleet::new("North Clinic");
    drop(fleet.ledger()); // made, at the newest schema
    {
        let mut conn = rusqlite::Connection::open(fleet.org().join("ledger.db")).unwrap();
        let tx = conn.transaction().unwrap();
        let t = now() - 86_400;
        for n in 0..10_000u32 {
            let dev = format!("dev_{n:024x}");
            tx.execute(
                "INSERT INTO devices (device_id, enrollment_id, device_key, platform, os_version, app_version, policy_version,
                                      checklist, first_report_at, last_report_at, retired_at)
                 VALUES (?1, ?2, 'k', 'android', '16', '0.1.0', 1, 'current', ?3, ?3, ?4)",
                rusqlite::params![dev, format!("enr_{n:024x}"), t, (n % 10 < 2).then_some(t)],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO log_exports (digest, device_id, enrollment_id, epoch, from_seq, from_hash, through_seq,
                                          through_hash, entries, whole, exported_at, imported_at)
                 VALUES (?1, ?2, ?3, 0, 0, 'h', 40, 'h', 40, 0, ?4, ?5)",
                rusqlite::params![format!("{n:064x}"), dev, format!("enr_{n:024x}"), t, t + i64::from(n)],
            )
            .unwrap();
            if n % 10 == 2 {
                // Wiped in full: IT holds the receipt.
                tx.execute(
                    "INSERT INTO receipts (digest, device_id, command_id, scope, reason, completed_at, steps, failed_steps, import_id, seen_at)
                     VALUES (?1, ?2, ?3, 'all', 'lost', ?4, '[]', 0, 0, ?4)",
                    rusqlite::params![format!("r{n:063x}"), dev, format!("cmd_{n:024x}"), t],
                )
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let ran = admin(fleet.path(), &["--json", "bulletin", "sign", "--org", "org"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("wait for a later bulletin"), "{}", ran.stderr);
    let signed: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let text = signed["bulletin"].as_str().unwrap();
    assert!(text.len() <= televisit_admin::fleet::MAX_BULLETIN_CHARS, "{}", text.len());
    let bulletin = fleet.open_bulletin(text);
    assert!(!bulletin.logs.is_empty());
    // The bulletin names devices by tags only: each is looked up by its id, as a phone does.
    let confirmed: Vec<u32> =
        (0..10_000u32).filter(|n| bulletin.log_confirmed(&format!("dev_{n:024x}")).is_some()).collect();
    assert_eq!(confirmed.len(), bulletin.logs.len());
    assert!(confirmed.iter().all(|n| n % 10 >= 3), "a retired or wiped device is still confirmed");
    assert_eq!(confirmed.last(), Some(&9_999), "the freshest archives first");
}

#[test]
fn a_retired_device_is_closed_in_every_view() {
    let fleet = Fleet::new("North Clinic");
    let (old, new) = (fleet.phone(1), Phone { user: fleet.phone(1).user, ..fleet.phone(2) });
    let reports = [fleet.report(&old, now() - 30 * 86_400), fleet.report(&new, now() - 60)];
    assert_eq!(fleet.import(&[&fleet.write("r.txt", &reports.join("\n"))]).code, Some(0));
    let retired = admin_json(fleet.path(), &["devices", "retire", "--org", "org", &old.dev, "--by", "it.oncall"]);
    assert_eq!(retired["was_live"], true);
    assert_eq!(admin_json(fleet.path(), &["devices", "retire", "--org", "org", &old.dev])["was_live"], false);
    let listed = admin(fleet.path(), &["devices", "list", "--org", "org"]).stdout;
    assert!(listed.lines().any(|l| l.starts_with("retired") && l.contains(&old.dev)), "{listed}");
    let stale = admin(fleet.path(), &["devices", "list", "--org", "org", "--stale", "2d"]);
    assert_eq!(stale.code, Some(0), "a retired device is never stale: {}", stale.stdout);
    let by_user = admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--user", &old.user]);
    assert_eq!(by_user["device_id"].as_str(), Some(new.dev.as_str()));
    let unknown = admin(fleet.path(), &["devices", "retire", "--org", "org", "dev_ffffffffffffffffffffffff"]);
    assert_eq!(unknown.code, Some(1));
}

/// Issue 30, case 11: a mistaken wipe rode every bulletin for 14 days, with no way back.
#[test]
fn a_cancelled_wipe_leaves_the_bulletins_and_the_next_ones_name_it_as_cancelled() {
    let fleet = Fleet::new("North Clinic");
    let (mistaken, lost) = (fleet.phone(1), fleet.phone(2));
    let reports = [fleet.report(&mistaken, now() - 60), fleet.report(&lost, now() - 60)];
    assert_eq!(fleet.import(&[&fleet.write("r.txt", &reports.join("\n"))]).code, Some(0));
    let id = |v: serde_json::Value| v["command_id"].as_str().unwrap().to_owned();
    let wrong = id(admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &mistaken.dev]));
    let right = id(admin_json(fleet.path(), &["wipe", "issue", "--org", "org", "--device", &lost.dev]));
    let cancelled = admin_json(fleet.path(), &["wipe", "cancel", "--org", "org", &wrong, "--by", "it.oncall"]);
    assert_eq!(cancelled["had_run"], false);
    let signed = admin_json(fleet.path(), &["bulletin", "sign", "--org", "org"]);
    assert_eq!(signed["wipes"], serde_json::json!([right.clone()]));
    let bulletin = fleet.open_bulletin(signed["bulletin"].as_str().unwrap());
    assert_eq!(bulletin.cancellations(&fleet.keys()), (vec![wrong.clone()], 0), "signed by the org key, which may");
    assert_eq!(fleet.wipe_state(&wrong), Some(WipeState::Cancelled));
    let status = admin(fleet.path(), &["wipe", "status", "--org", "org", "--cancelled"]);
    assert!(status.stdout.contains(&wrong) && !status.stdout.contains(&right), "{}", status.stdout);
    // One that had run: the record says so; nothing else changes.
    let receipt = receipt(&lost, &right, false);
    assert_eq!(fleet.import(&[&fleet.write("rc.txt", &receipt)]).code, Some(0));
    assert_eq!(admin_json(fleet.path(), &["wipe", "cancel", "--org", "org", &right])["had_run"], true);
    assert_eq!(fleet.wipe_state(&right), Some(WipeState::Done));
    let unknown = admin(fleet.path(), &["wipe", "cancel", "--org", "org", "cmd_ffffffffffffffffffffffff"]);
    assert_eq!(unknown.code, Some(1));
}
