//! The fleet loop through the relay, every part its own process: IT's tool at two workstations
//! sharing one PostgreSQL ledger, the relay serving TLS, desktop phones checking in over HTTPS.
//! A lost phone is wiped at its next check-in, and its receipt is in the ledger at the one
//! after, as the other admin sees it.

mod common;

use common::{It, Phone, Relay, Tls};

struct World {
    _temp: tempfile::TempDir,
    root: std::path::PathBuf,
    it: It,
    tls: Tls,
    relay: Relay,
}

fn world(name: &str) -> Option<World> {
    let ledger = televisit_test_postgres::database(name)?;
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().to_owned();
    let it = It::new(&root, &ledger);
    let tls = Tls::make(&root);
    let config = Relay::config(&root, &it.org_key, &ledger, &tls, "");
    let relay = Relay::start(&config);
    Some(World { _temp: temp, root, it, tls, relay })
}

#[test]
fn a_lost_phone_is_wiped_through_the_relay_and_its_receipt_reaches_the_other_admin() {
    let Some(w) = world("lost_phone") else { return };
    let (a, b) = (Phone::enroll(&w.root, "phone-a", &w.it.code), Phone::enroll(&w.root, "phone-b", &w.it.code));
    // First contact pins each phone through the code IT issued.
    for phone in [&a, &b] {
        let out = phone.check_in(&w.relay.url, &w.tls.ca);
        assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    }
    let listed = w.it.json(&["devices", "list", "--org", "org"]);
    let ids: Vec<&str> = listed["devices"].as_array().unwrap().iter().filter_map(|d| d["device_id"].as_str()).collect();
    let (dev_a, dev_b) = (a.device_id(), b.device_id());
    assert!(ids.contains(&dev_a.as_str()) && ids.contains(&dev_b.as_str()), "{listed}");
    // IT sees which phones reach it through the relay, and when they last did.
    let shown = w.it.json(&["devices", "show", "--org", "org", &dev_b]);
    assert_eq!(shown["devices"][0]["relay_checkin"]["count"], 1, "{shown}");
    let text = w.it.ok(&["devices", "show", "--org", "org", &dev_b]);
    assert!(text.contains("through the relay: last check-in"), "{text}");
    // IT publishes a bulletin; a check-in takes it (contact with IT).
    w.it.ok(&["relay", "publish", "--org", "org"]);
    let out = b.check_in(&w.relay.url, &w.tls.ca);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let status = b.json(&["status"]);
    assert!(status["last_checkin"].is_string(), "{status}");
    // Phone A is lost: the first admin wipes it.
    let issued = w.it.json(&["wipe", "issue", "--org", "org", "--device", &dev_a, "--reason", "lost"]);
    let command_id =
        issued["command_id"].as_str().or_else(|| issued["command"]["command_id"].as_str()).map(str::to_owned);
    // Its next check-in carries its own command back, and it wipes at once.
    let out = a.check_in(&w.relay.url, &w.tls.ca);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("\"wipe_started\":true") || out.stdout.contains("\"wipe_started\": true"),
        "{}",
        out.stdout
    );
    // The one after carries the receipt it holds; the other admin sees the wipe done.
    let out = a.check_in(&w.relay.url, &w.tls.ca);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let other = w.it.workstation(&w.root);
    let wipes = other.json(&["wipe", "status", "--org", "org"]);
    let row = wipes["wipes"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["device_id"] == dev_a.as_str()))
        .unwrap_or_else(|| panic!("the wipe is in the ledger: {wipes}"));
    assert_eq!(row["state"], "done", "{row}");
    if let Some(id) = command_id {
        assert_eq!(row["command_id"], id.as_str());
    }
    // Phone A holds its receipt until IT's signed word: the next bulletin IT publishes goes to
    // it alone (its inbox), and then it forgets the receipt, with its key and enrollment.
    assert!(a.json(&["status"])["receipt_held"].is_string(), "the receipt is held until IT confirms it");
    let published = w.it.run(&["relay", "publish", "--org", "org"]);
    assert_eq!(published.code, Some(0), "{}", published.stderr);
    assert!(published.stderr.contains("1 phone(s) given their own confirmations"), "{}", published.stderr);
    // The fleet's bulletin names no phone's confirmation: it is the same for every phone.
    let fleet_bulletin = published.stdout.trim();
    let opened =
        televisit_protocol::envelope::open(fleet_bulletin, televisit_protocol::envelope::Kind::Bulletin).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&opened.payload).unwrap();
    assert!(payload.get("receipts").is_none() && payload.get("logs").is_none(), "{payload}");
    let out = a.check_in(&w.relay.url, &w.tls.ca);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let status = a.json(&["status"]);
    assert!(status["receipt_held"].is_null(), "{status}");
    assert_eq!(status["enrolled"], false, "a confirmed full wipe closes the enrollment: {status}");
    // Phone B was not touched.
    assert!(b.json(&["status"])["enrolled"].as_bool().unwrap());
    // The relay logged ids and codes only.
    let log = w.relay.log();
    assert!(log.contains(&dev_a) && !log.contains("tv1.report."), "{log}");
}

#[test]
fn a_phone_that_did_not_enroll_with_a_code_it_issued_is_not_pinned() {
    let Some(w) = world("not_enrolled") else { return };
    // Another organisation's phone, and a phone of this one whose code IT never recorded.
    let other = It::new(&w.root.join("south"), &televisit_test_postgres::database("south").unwrap());
    let stranger = Phone::enroll(&w.root, "stranger", &other.code);
    let out = stranger.check_in(&w.relay.url, &w.tls.ca);
    assert_eq!(out.code, Some(3), "{} {}", out.stdout, out.stderr);
    assert!(out.stdout.contains("not_enrolled"), "{}", out.stdout);
    assert!(w.it.json(&["devices", "list", "--org", "org"])["devices"].as_array().unwrap().is_empty());
}

#[test]
fn a_certificate_the_phone_does_not_trust_is_refused_before_anything_is_sent() {
    let Some(w) = world("untrusted") else { return };
    let phone = Phone::enroll(&w.root, "phone", &w.it.code);
    // No --ca: the system's roots do not hold the test CA.
    let out = phone.run(&["--json", "checkin", "--relay", &w.relay.url]);
    assert_eq!(out.code, Some(75), "{} {}", out.stdout, out.stderr);
    // Plain http to another machine is refused outright.
    let out = phone.run(&["checkin", "--relay", "http://relay.example"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(w.it.json(&["devices", "list", "--org", "org"])["devices"].as_array().unwrap().is_empty());
}

/// Issue 32: the relay's URL and a pin of its CA come in the enrollment code; the phone checks
/// in there with no address given, and only through a chain ending at the CA IT pinned.
#[test]
fn the_enrollment_code_names_the_relay_and_pins_its_ca() {
    let Some(w) = world("code_names_relay") else { return };
    let ca = w.tls.ca.display().to_string();
    let enroll_code =
        |relay: &[&str]| w.it.run(&[&["enroll-code", "--org", "org", "--policy", "policy.signed"], relay].concat());
    let code = enroll_code(&["--relay-url", &w.relay.url, "--relay-ca", &ca]).stdout;
    let phone = Phone::enroll(&w.root, "phone", code.trim());
    let out = phone.run(&["--json", "checkin", "--ca", &ca]);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    assert_eq!(w.it.json(&["devices", "list", "--org", "org"])["devices"].as_array().unwrap().len(), 1);
    // Pinned: the system's roots are not enough, and another CA is not IT's, even one the
    // relay's certificate does not chain to (refused before anything is sent).
    let out = phone.run(&["checkin"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("IT pinned the relay's CA"), "{}", out.stderr);
    std::fs::create_dir_all(w.root.join("other")).unwrap();
    let other = Tls::make(&w.root.join("other"));
    let out = phone.run(&["checkin", "--ca", &other.ca.display().to_string()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("is not the CA IT pinned"), "{}", out.stderr);
    // A code that names a relay no phone may use is refused by IT's tool, without echo.
    let out = enroll_code(&["--relay-url", "http://relay.north.example"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("https://") && !out.stderr.contains("north.example"), "{}", out.stderr);
}

/// The periodic cleanup through the real loop: IT's signed policy makes it automatic, the
/// desktop's `checkin` removes its own due contact before its report (never the one made by
/// hand), and IT's ledger holds the counts the phone shows, through the relay.
#[test]
fn a_check_in_runs_the_policys_cleanup_and_it_sees_the_phones_counts() {
    let Some(w) = world("cleanup") else { return };
    let mut policy: serde_json::Value = serde_json::from_str(&w.it.ok(&["policy", "defaults"])).unwrap();
    policy["version"] = serde_json::json!(2);
    policy["contacts"]["cleanup_automatic"] = serde_json::json!(true);
    std::fs::write(w.it.dir.join("automatic.json"), policy.to_string()).unwrap();
    let signed = w.it.ok(&["policy", "sign", "automatic.json", "--org", "org"]);
    std::fs::write(w.it.dir.join("automatic.signed"), signed.trim()).unwrap();
    let code = w.it.ok(&["enroll-code", "--org", "org", "--policy", "automatic.signed"]).trim().to_owned();
    let phone = Phone::enroll(&w.root, "phone", &code);
    let add = |first: &str, number: &str| {
        let added = phone.json(&["patient", "add", "--first", first, "--last", "Example", "--phone", number]);
        let id = added["id"].as_str().unwrap().to_owned();
        let contact = phone.json(&["contact", "ensure", &id])["platform_id"].as_str().unwrap().to_owned();
        (id, phone.profile.join("contacts").join(format!("{contact}.vcf")))
    };
    let (_kept, kept_card) = add("Ada", "+1 202 555 0181");
    let (done, done_card) = add("Ben", "+1 202 555 0182");
    phone.json(&["patient", "visit-done", &done]);
    let by_hand = phone.profile.join("contacts").join("hand-made.vcf");
    std::fs::write(
        &by_hand,
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Patient Maria Lopez\r\nTEL:+12025550199\r\nEND:VCARD\r\n",
    )
    .unwrap();

    let out = phone.check_in(&w.relay.url, &w.tls.ca);
    assert_eq!(out.code, Some(0), "{} {}", out.stdout, out.stderr);
    let said: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(said["cleanup"]["removed"], 1, "{said}");
    assert!(!done_card.exists(), "the visit done: its contact went");
    assert!(kept_card.exists() && by_hand.exists(), "not due, and not Televisit's: kept");
    assert!(!out.stdout.contains("Maria") && !out.stderr.contains("202 555"), "{}", out.stdout);

    // IT reads what the phone shows: one contact held, none past its age.
    let shown = w.it.json(&["devices", "show", "--org", "org", &phone.device_id()]);
    let cleanup = &shown["devices"][0]["cleanup"];
    assert_eq!((cleanup["held"].as_i64(), cleanup["overdue"].as_i64()), (Some(1), Some(0)), "{shown}");
    let report = phone.json(&["cleanup", "--report"]);
    assert_eq!(report["state"]["contacts_held"], 1, "{report}");
    assert_eq!(report["state"]["summary"], "1 patient contact, none past 30 days");
    assert_eq!(report["automatic_summary"]["removed"], 1, "the summary waits for the next look: {report}");
    assert!(phone.json(&["cleanup", "--report"])["automatic_summary"].is_null(), "seen once");
    let overdue = w.it.run(&["devices", "list", "--org", "org", "--cleanup-overdue"]);
    assert_eq!(overdue.code, Some(0), "{}", overdue.stdout);
}
