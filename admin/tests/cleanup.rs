//! The phones' contacts cleanup as IT sees it (issue 33): `devices list --cleanup-overdue` exits
//! 3 when a phone holds contacts past its cleanup age, as `--stale` does for a quiet one; every
//! list shows each phone's cleanup, "unknown" where it cannot read its contacts; the fleet report
//! counts them and lists them worst first. Counts only: no report carries a name or a number.

use televisit_protocol::report::{CleanupEnd, CleanupState};

mod common;

use common::fleet::{Fleet, Phone};
use common::{admin, admin_json, now};

fn counted(held: u32, past: u32, oldest: Option<u32>, age: u32) -> Option<CleanupState> {
    Some(CleanupState {
        n: Some(held),
        o: Some(past),
        d: oldest,
        age,
        r: Some(now() - 86_400),
        e: Some(CleanupEnd::Done),
    })
}

fn unknown() -> Option<CleanupState> {
    Some(CleanupState { n: None, o: None, d: None, age: 30, r: None, e: None })
}

/// Five phones: two past their age (one with the older contact), one clear, one that cannot
/// read its contacts, one whose app predates the cleanup state.
fn five_phones(fleet: &Fleet) -> Vec<Phone> {
    let phones: Vec<Phone> = (1..=5).map(|n| fleet.phone(n)).collect();
    let states =
        [counted(6, 4, Some(93), 30), counted(3, 1, Some(120), 30), counted(2, 0, Some(9), 30), unknown(), None];
    let at = now() - 600;
    let lines: Vec<String> = phones.iter().zip(states).map(|(p, s)| fleet.report_cleanup(p, at, s)).collect();
    assert_eq!(fleet.import(&[&fleet.write("states.csv", &lines.join("\n"))]).code, Some(0));
    phones
}

#[test]
fn phones_past_their_cleanup_age_are_listed_worst_first_with_exit_3() {
    let fleet = Fleet::new("North Clinic");
    let p = five_phones(&fleet);
    let out = admin(fleet.path(), &["--json", "devices", "list", "--org", "org", "--cleanup-overdue"]);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let listed: Vec<&str> =
        json["devices"].as_array().unwrap().iter().map(|d| d["device_id"].as_str().unwrap()).collect();
    assert_eq!(listed, [p[1].dev.as_str(), p[0].dev.as_str()], "the oldest contact first");
    let first = &json["devices"][1];
    assert_eq!(first["cleanup_overdue"], true);
    assert_eq!(
        (&first["cleanup"]["held"], &first["cleanup"]["overdue"], &first["cleanup"]["oldest_days"]),
        (&6.into(), &4.into(), &93.into())
    );
    assert_eq!((&first["cleanup"]["age_days"], &first["cleanup"]["end"]), (&30.into(), &"done".into()));
    assert!(first["cleanup"]["ran_at"].is_i64());
    assert_eq!(json["counts_unknown"], serde_json::json!([p[3].dev]), "named, not counted");

    let plain = admin(fleet.path(), &["devices", "list", "--org", "org", "--cleanup-overdue"]);
    assert_eq!(plain.code, Some(3));
    let lines: Vec<&str> = plain.stdout.lines().collect();
    assert!(lines[0].contains(&p[1].dev) && lines[0].contains("1 past 30 d, oldest 120 d"), "{}", plain.stdout);
    assert!(lines[1].contains(&p[0].dev) && lines[1].contains("4 past 30 d, oldest 93 d"), "{}", plain.stdout);
    assert!(lines[2].contains("1 phone(s) not counted: their counts are unknown (no contacts access)"), "{}", lines[2]);

    // Every list shows each phone's cleanup, in words.
    let all = admin(fleet.path(), &["devices", "list", "--org", "org"]);
    assert_eq!(all.code, Some(0), "{}", all.stderr);
    let line_of = |phone: &Phone| all.stdout.lines().find(|l| l.contains(&phone.dev)).unwrap().to_owned();
    assert!(line_of(&p[2]).contains("cleanup none past 30 d"), "{}", all.stdout);
    assert!(line_of(&p[3]).contains("cleanup unknown (no contacts access)"), "{}", all.stdout);
    assert!(line_of(&p[4]).contains("cleanup not reported"), "{}", all.stdout);
    let shown = admin(fleet.path(), &["devices", "show", "--org", "org", &p[0].dev]);
    assert!(
        shown.stdout.contains(
            "contacts cleanup: 6 patient contacts held, 4 past the cleanup age of 30 days, the oldest 93 days; last run "
        ),
        "{}",
        shown.stdout
    );
    let shown = admin_json(fleet.path(), &["devices", "show", "--org", "org", &p[4].dev]);
    assert!(shown["devices"][0]["cleanup"].is_null(), "not reported: {shown}");

    // Not with --stale: one check at a time.
    assert_eq!(
        admin(fleet.path(), &["devices", "list", "--org", "org", "--cleanup-overdue", "--stale", "1d"]).code,
        Some(2)
    );
    // The worst one retired, the other cleaned up since: none left, exit 0.
    admin_json(fleet.path(), &["devices", "retire", "--org", "org", &p[1].dev]);
    let cleaned = fleet.report_cleanup(&p[0], now() - 60, counted(2, 0, Some(12), 30));
    assert_eq!(fleet.import(&[&fleet.write("later.csv", &cleaned)]).code, Some(0));
    let none = admin(fleet.path(), &["devices", "list", "--org", "org", "--cleanup-overdue"]);
    assert_eq!(none.code, Some(0), "{}", none.stdout);
    assert!(none.stdout.starts_with("no phone holds contacts past its cleanup age"), "{}", none.stdout);
    let retired = admin(fleet.path(), &["devices", "list", "--org", "org"]);
    let line = retired.stdout.lines().find(|l| l.contains(&p[1].dev)).unwrap();
    assert!(line.starts_with("retired") && line.contains("cleanup - "), "a closed phone is never counted: {line}");
}

#[test]
fn the_fleet_report_counts_phones_past_their_cleanup_age_and_lists_them_worst_first() {
    let fleet = Fleet::new("North Clinic");
    let p = five_phones(&fleet);
    let html = fleet.path().join("fleet.html");
    let out = admin(fleet.path(), &["fleet", "report", "--org", "org", "--html", html.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let line = "Phones holding contacts past their cleanup age (30 days): 2; oldest 120 days; counts unknown on 1 phone (no contacts access); not reported by 1 phone (an app that predates it)";
    assert!(out.stdout.contains(line), "{}", out.stdout);
    let json = admin_json(fleet.path(), &["fleet", "report", "--org", "org", "--html", html.to_str().unwrap()]);
    assert_eq!(
        json["cleanup"],
        serde_json::json!({"overdue": 2, "oldest_days": 120, "age_days": [30], "counts_unknown": 1, "not_reported": 1})
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<li data-count=\"cleanup_overdue\"><b>2</b>"), "the count");
    assert!(page.contains(&format!("<p class=\"summary\" data-cleanup-summary>{line}</p>")));
    assert!(page.contains("<td data-cleanup=\"overdue\">4 past 30 d, oldest 93 d</td>"), "the devices' column");
    assert!(page.contains("<td data-cleanup=\"unknown\">unknown (no contacts access)</td>"));
    assert!(page.contains("<td data-cleanup=\"not_reported\">not reported</td>"));
    // Its own table: worst first, then the phones that cannot count.
    let at = |phone: &Phone| page.find(&format!("data-cleanup-device=\"{}\"", phone.dev));
    let (worst, next, unknown) = (at(&p[1]).unwrap(), at(&p[0]).unwrap(), at(&p[3]).unwrap());
    assert!(worst < next && next < unknown, "worst first");
    assert!(at(&p[2]).is_none() && at(&p[4]).is_none(), "clear and not reported phones are not in it");
    // Another phone on a longer cleanup age: the line names the range.
    let long = fleet.phone(6);
    let report = fleet.report_cleanup(&long, now() - 60, counted(1, 1, Some(70), 60));
    assert_eq!(fleet.import(&[&fleet.write("long.csv", &report)]).code, Some(0));
    let json = admin_json(fleet.path(), &["fleet", "report", "--org", "org", "--html", html.to_str().unwrap()]);
    assert_eq!(json["cleanup"]["age_days"], serde_json::json!([30, 60]));
    let out = admin(fleet.path(), &["fleet", "report", "--org", "org", "--html", html.to_str().unwrap()]);
    assert!(out.stdout.contains("past their cleanup age (30 to 60 days): 3; oldest 120 days"), "{}", out.stdout);
}
