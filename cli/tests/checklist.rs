//! `televisit checklist` as a clinician and a script run it: answers files with a deviation and
//! fixed, files that are wrong (nothing finished), the items walked through stdin (a half-done run
//! resumed by the next invocation), `checklist status` for the phone the flags describe, the
//! catalog, and the JSON shapes.

mod common;

use assert_cmd::Command;
use common::{run, run_with};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use televisit_core::checklist::{Source, CATALOG};

const READ_RECEIPTS_FIX: &str = "Set Read receipts to Off: WhatsApp > Settings > Privacy > Read receipts";

fn json_of(profile: &Path, args: &[&str]) -> Value {
    let out = run(profile, &[&["--json"], args].concat());
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", out.stdout))
}

/// The items the clinician answers, in the order they are asked.
fn clinician_items() -> Vec<&'static televisit_core::checklist::CatalogItem> {
    CATALOG.iter().filter(|i| i.source == Source::Clinician).collect()
}

/// Every clinician item at its recommendation, with `changes` on top.
fn answers(changes: &[(&str, &str)]) -> serde_json::Map<String, Value> {
    let mut map: serde_json::Map<String, Value> =
        clinician_items().iter().map(|i| (i.id.to_owned(), json!(i.recommended))).collect();
    for (id, value) in changes {
        map.insert((*id).to_owned(), json!(value));
    }
    map
}

fn write_answers(dir: &Path, name: &str, map: &serde_json::Map<String, Value>) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_string_pretty(map).unwrap()).unwrap();
    file
}

fn status(profile: &Path, extra: &[&str]) -> Value {
    json_of(profile, &[&["checklist", "status"], extra].concat())
}

/// The number that picks `value` among the item's choices, as typed at the prompt.
fn number_of(id: &str, value: &str) -> usize {
    let item = CATALOG.iter().find(|i| i.id == id).unwrap();
    item.choices.iter().position(|c| c.value == value).unwrap() + 1
}

/// One line per clinician item: its recommendation's number, or the choice in `changes`.
fn typed(changes: &[(&str, &str)]) -> Vec<String> {
    clinician_items()
        .iter()
        .map(|i| {
            let value = changes.iter().find(|(id, _)| *id == i.id).map_or(i.recommended, |(_, v)| *v);
            format!("{}\n", number_of(i.id, value))
        })
        .collect()
}

#[test]
fn an_answers_file_with_a_deviation_shows_its_fix_then_the_fixed_file_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    assert_eq!(status(p, &[])["status"], "never");

    let deviating = write_answers(dir.path(), "answers.json", &answers(&[("read_receipts", "on")]));
    let out = run(p, &["checklist", "--answers", deviating.to_str().unwrap()]);
    assert_eq!(out.code, Some(3), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 deviation from the policy:"), "{}", out.stdout);
    assert!(out.stdout.contains("✗ Read receipts: On, the policy requires Off"), "{}", out.stdout);
    assert!(out.stdout.contains(READ_RECEIPTS_FIX), "{}", out.stdout);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert_eq!(status(p, &[])["status"], "due", "a run with a deviation leaves the checklist due");

    let fixed = write_answers(dir.path(), "fixed.json", &answers(&[]));
    let out = run(p, &["checklist", "--answers", fixed.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Compliant: all 27 items meet the policy."), "{}", out.stdout);
    let now = status(p, &[]);
    assert_eq!(now, json!({"status": "current", "in_progress": null}));
    let text = run(p, &["checklist", "status"]).stdout;
    assert!(text.starts_with("checklist: current"), "{text}");

    // Both runs are in the log, with counts only.
    let log = json_of(p, &["log", "list", "--kind", "checklist_attested"]);
    let compliant: Vec<&Value> = log.as_array().unwrap().iter().map(|e| &e["detail"]["compliant"]).collect();
    assert_eq!(compliant, [&json!(false), &json!(true)]);
}

#[test]
fn answers_json_has_the_compliance_and_each_deviation() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let file = write_answers(
        dir.path(),
        "a.json",
        &answers(&[("read_receipts", "on"), ("profile_photo", "everyone"), ("chat_backup", "end_to_end_encrypted")]),
    );
    let out = run(p, &["--json", "checklist", "--answers", file.to_str().unwrap(), "--platform", "ios"]);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["compliant"], false);
    assert!(value["finished_at"].as_str().unwrap().ends_with('Z'));
    let deviations = value["deviations"].as_array().unwrap();
    let ids: Vec<&str> = deviations.iter().map(|d| d["item_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["profile_photo", "read_receipts"], "end-to-end encrypted backups are accepted");
    let read_receipts = &deviations[1];
    assert_eq!(read_receipts["title"], "Read receipts");
    assert_eq!(read_receipts["answer"], "on");
    assert_eq!(read_receipts["required"], json!(["off"]));
    // The iPhone's path.
    assert_eq!(read_receipts["instruction"], "Set Read receipts to Off: WhatsApp > Settings > Privacy > Read Receipts");
    assert_eq!(deviations[0]["required"], json!(["nobody", "my_contacts_except"]));

    let file = write_answers(dir.path(), "b.json", &answers(&[]));
    let out = run(p, &["--json", "checklist", "--answers", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((&value["compliant"], &value["deviations"]), (&json!(true), &json!([])));
}

#[test]
fn a_wrong_answers_file_names_the_item_and_finishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let cases = [
        ("unknown.json", ("colour_scheme", "dark"), "`colour_scheme` is not a checklist item"),
        ("bad-value.json", ("read_receipts", "sometimes"), "`read_receipts` takes one of on, off"),
        ("phone.json", ("screen_lock", "set"), "`screen_lock` is answered by the phone itself"),
    ];
    for (name, change, expected) in cases {
        let file = write_answers(dir.path(), name, &answers(&[change]));
        let out = run(p, &["checklist", "--answers", file.to_str().unwrap()]);
        assert_eq!(out.code, Some(1), "{name}: {}", out.stdout);
        assert!(out.stderr.contains(expected), "{name}: {}", out.stderr);
        assert!(out.stderr.contains("nothing was answered"), "{name}: {}", out.stderr);
        assert!(!out.stderr.contains("sometimes") && !out.stderr.contains("dark"), "{}", out.stderr);
        assert!(out.stdout.is_empty(), "{name}: {}", out.stdout);
    }
    // Nothing finished, nothing even started.
    assert_eq!(status(p, &[]), json!({"status": "never", "in_progress": null}));
    assert_eq!(json_of(p, &["log", "list", "--kind", "checklist_attested"]), json!([]));

    for (text, expected) in [
        ("{\"read_receipts\": ", "the answers file is not valid JSON (line 1"),
        ("[\"off\"]", "the answers file must be a JSON object"),
    ] {
        let file = dir.path().join("broken.json");
        std::fs::write(&file, text).unwrap();
        let out = run(p, &["checklist", "--answers", file.to_str().unwrap()]);
        assert_eq!(out.code, Some(1));
        assert!(out.stderr.contains(expected), "{}", out.stderr);
    }
    let out = run(p, &["checklist", "--answers", dir.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("cannot read the answers file"), "{}", out.stderr);
}

#[test]
fn an_answers_file_that_leaves_items_out_is_the_cores_error_and_stays_half_done() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let mut partial = answers(&[]);
    partial.remove("about");
    partial.remove("groups");
    let file = write_answers(dir.path(), "partial.json", &partial);
    let out = run(p, &["checklist", "--answers", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert!(out.stderr.contains("2 items are not answered yet: about, groups"), "{}", out.stderr);
    let now = status(p, &[]);
    assert_eq!(now["status"], "never");
    assert_eq!((&now["in_progress"]["answered"], &now["in_progress"]["total"]), (&json!(25), &json!(27)));
    // The two left are asked next time, and the run finishes.
    let out =
        run_with(p, &["checklist"], Some(&format!("{}\n{}\n", number_of("about", "nobody"), "my_contacts_except")));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Resuming the run started"), "{}", out.stdout);
    assert_eq!(out.stdout.matches("Your setting").count(), 2, "{}", out.stdout);
    assert_eq!(status(p, &[])["status"], "current");
}

#[test]
fn the_items_are_asked_through_stdin_and_a_half_done_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let lines = typed(&[("read_receipts", "on")]);
    let items = clinician_items();

    // Five answers, then the input ends: the run stays half done.
    let out = run_with(p, &["checklist"], Some(&lines[..5].concat()));
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert!(
        out.stderr.contains("the input ended before the checklist was finished: 20 of 25 items to confirm remain"),
        "{}",
        out.stderr
    );
    let first = &out.stdout;
    assert!(first.contains("✓ The phone's screen lock: Set (answered by the phone)"), "{first}");
    assert!(first.contains("✓ WhatsApp is installed: Installed (answered by the phone)"), "{first}");
    assert!(!first.contains("] The phone's screen lock\n"), "the phone's items are not asked: {first}");
    // An item as asked: title, why, both paths, the choices with the marks.
    assert!(first.contains("[1/27] Last seen and online\n"), "{first}");
    assert!(first.contains("   Where: WhatsApp > Settings > Privacy > Last seen and online\n"), "{first}");
    assert!(first.contains("   Older WhatsApp: WhatsApp > Settings > Account > Privacy > Last seen\n"), "{first}");
    assert!(first.contains("4. Nobody               [nobody]  (recommended, required)"), "{first}");
    assert_eq!(first.matches("   recorded: ").count(), 5, "{first}");
    let now = status(p, &[]);
    assert_eq!(now["status"], "never");
    assert_eq!(now["in_progress"]["answered"], 7, "5 and the phone's 2");
    assert_eq!(now["in_progress"]["platform"], "android");
    let text = run(p, &["checklist", "status"]).stdout;
    assert!(text.contains("in progress: 7 of 27 items answered on an Android phone"), "{text}");

    // The next invocation asks from the sixth item on; `read_receipts` is answered On (a deviation).
    let out = run_with(p, &["checklist"], Some(&lines[5..].concat()));
    assert_eq!(out.code, Some(3), "{}\n{}", out.stdout, out.stderr);
    let second = &out.stdout;
    assert!(second.contains("Resuming the run started"), "{second}");
    assert!(second.contains("7 of 27 items answered"), "{second}");
    assert!(!second.contains(&format!("] {}\n", items[0].title)), "answered items are not asked again: {second}");
    assert!(second.contains(&format!("] {}\n", items[5].title)), "{second}");
    assert_eq!(second.matches("Your setting").count(), 20, "{second}");
    assert!(second.contains("1 deviation from the policy:"), "{second}");
    assert!(second.contains(READ_RECEIPTS_FIX), "{second}");
    assert_eq!(status(p, &[]), json!({"status": "due", "in_progress": null}));

    // Again, all at the recommendation, by value code this time: compliant.
    let codes: String = items.iter().map(|i| format!("{}\n", i.recommended)).collect();
    let out = run_with(p, &["checklist"], Some(&codes));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Compliant: all 27 items meet the policy."), "{}", out.stdout);
    assert!(!out.stdout.contains("Resuming"), "a finished run is not resumed: {}", out.stdout);
    assert_eq!(status(p, &[])["status"], "current");
}

#[test]
fn a_mistyped_answer_is_put_right_at_the_review_before_the_run_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let items = clinician_items();
    // Read receipts mistyped as On; at the review its number, then Off, then an empty line.
    // The review numbers items as the run lists them: the catalog's order.
    let read_receipts = 1 + CATALOG.iter().position(|i| i.id == "read_receipts").unwrap();
    let mut input = typed(&[("read_receipts", "on")]).concat();
    input.push_str(&format!("{read_receipts}\n{}\n\n", number_of("read_receipts", "off")));
    let out = run_with(p, &["checklist"], Some(&input));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Your answers:"), "{}", out.stdout);
    assert!(out.stdout.contains("Read receipts: On"), "the review lists the answer as given: {}", out.stdout);
    assert!(out.stdout.contains("   changed to: Off"), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!("Compliant: all {} items meet the policy.", items.len() + 2)),
        "{}",
        out.stdout
    );
    // q at the review keeps the run, unfinished.
    let q = tempfile::tempdir().unwrap();
    let p = &q.path().join("profile");
    let out = run_with(p, &["checklist"], Some(&format!("{}q\n", typed(&[]).concat())));
    assert_eq!(out.code, Some(1), "{}\n{}", out.stdout, out.stderr);
    assert_eq!(status(p, &[])["status"], "never");
    assert_eq!(status(p, &[])["in_progress"]["answered"], items.len() + 2);
}

#[test]
fn skips_quits_and_unclear_replies() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    // Unclear, then skip the first item; answer the second; then q.
    let out = run_with(p, &["checklist"], Some("7\nyes please\n\n4\nq\n3\n"));
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert_eq!(out.stdout.matches("not one of the choices").count(), 2, "{}", out.stdout);
    assert!(out.stdout.contains("   skipped for now"), "{}", out.stdout);
    assert!(!out.stdout.contains("yes please"), "replies are not echoed: {}", out.stdout);
    assert!(
        out.stderr.contains("stopped before the checklist was finished: 24 of 25 items to confirm remain"),
        "{}",
        out.stderr
    );
    assert_eq!(status(p, &[])["in_progress"]["answered"], 3);

    // Skipping every item leaves it half done, and says so.
    let out = run_with(p, &["checklist"], Some(&"\n".repeat(24)));
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("items were skipped: 24 of 25 items to confirm remain"), "{}", out.stderr);
    // The skipped first item is asked first next time.
    assert!(out.stdout.contains("\n[1/27] Last seen and online\n"), "{}", out.stdout);

    // Nothing at all on stdin.
    let out = run_with(p, &["checklist"], Some(""));
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("the input ended"), "{}", out.stderr);
}

#[test]
fn a_reconfirmation_on_the_terminal_shows_what_is_kept_and_asks_the_attestation() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let file = write_answers(dir.path(), "a.json", &answers(&[]));
    let out = run(p, &["checklist", "--answers", file.to_str().unwrap(), "--whatsapp-version", "2.26.1"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // WhatsApp updated: nothing changed in the catalog or the policy, so only the attestation is asked.
    let out = run_with(p, &["checklist", "--whatsapp-version", "2.27.3"], Some("maybe\nn\n"));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Re-confirming your WhatsApp privacy checklist"), "{}", out.stdout);
    assert!(out.stdout.contains("= Read receipts: Off (as at your last check)"), "{}", out.stdout);
    assert!(!out.stdout.contains("Your setting"), "no item is asked again: {}", out.stdout);
    assert!(out.stdout.contains("   answer y or n"), "{}", out.stdout);
    assert!(out.stdout.contains("recorded: nothing else changed since the last check"), "{}", out.stdout);
    assert_eq!(status(p, &["--whatsapp-version", "2.27.3"])["status"], "current");
}

#[test]
fn the_phone_flags_decide_its_own_items_and_the_status() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let file = write_answers(dir.path(), "a.json", &answers(&[]));
    let file = file.to_str().unwrap();

    // A phone without a screen lock: the phone's own item deviates.
    let out = run(p, &["checklist", "--answers", file, "--passcode", "not-set"]);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    assert!(out.stdout.contains("✗ The phone's screen lock: Not set, the policy requires Set"), "{}", out.stdout);
    assert!(out.stdout.contains("Phone Settings > Security > Screen lock"), "{}", out.stdout);

    let out = run(p, &["checklist", "--answers", file, "--whatsapp-version", "2.26.1"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(status(p, &[])["status"], "current");
    assert_eq!(status(p, &["--whatsapp-version", "2.26.1"])["status"], "current");
    // WhatsApp was updated on the phone: the checklist is due for re-confirmation.
    assert_eq!(status(p, &["--whatsapp-version", "2.27.3"])["status"], "reconfirm");
    let text = run(p, &["checklist", "status", "--whatsapp-version", "2.27.3"]).stdout;
    assert!(text.starts_with("checklist: re-confirm"), "{text}");
    assert_eq!(status(p, &["--whatsapp", "none"])["status"], "reconfirm");
    // The re-confirmation asks nothing that did not change, and needs the attestation.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let empty = empty.to_str().unwrap();
    let out = run(p, &["checklist", "--answers", empty, "--whatsapp-version", "2.27.3"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("--nothing-else-changed"), "{}", out.stderr);
    let out = run(p, &["checklist", "--answers", empty, "--nothing-else-changed", "--whatsapp-version", "2.27.3"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(status(p, &["--whatsapp-version", "2.27.3"])["status"], "current");

    // The call's pre-flight sees the same.
    let patient = json_of(p, &["patient", "add", "--first", "Ada", "--last", "Lovelace", "--phone", "+14155550100"]);
    let id = patient["id"].as_str().unwrap();
    let check = |version: &str| {
        let out = run(p, &["--json", "call", id, "--whatsapp-version", version]);
        let value: Value = serde_json::from_str(&out.stdout).unwrap();
        let checks = value["preflight"]["checks"].as_array().unwrap().clone();
        checks.into_iter().find(|c| c["code"].as_str().unwrap().starts_with("checklist_")).unwrap()["code"].clone()
    };
    // The last result was re-confirmed for 2.27.3: an older WhatsApp asks for a re-confirmation.
    assert_eq!(check("2.27.3"), "checklist_current");
    assert_eq!(check("2.26.1"), "checklist_reconfirm");

    for bad in [&["checklist", "status", "--whatsapp-version", "latest"][..], &["checklist", "--passcode", "maybe"]] {
        let out = run(p, bad);
        assert_eq!(out.code, Some(2), "{bad:?}");
        assert!(!out.stderr.contains("latest") && !out.stderr.contains("maybe"), "{}", out.stderr);
    }
}

#[test]
fn a_run_for_another_platform_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let out = run_with(p, &["checklist", "--platform", "ios"], Some("4\n"));
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.contains("WhatsApp > Settings > Privacy > Last Seen & Online"), "{}", out.stdout);
    assert_eq!(status(p, &[])["in_progress"]["platform"], "ios");
    let out = run_with(p, &["checklist"], Some(""));
    assert!(out.stdout.contains("The run in progress was for an iPhone: it starts afresh"), "{}", out.stdout);
    assert_eq!(status(p, &[])["in_progress"]["answered"], 2, "only the phone's items");
}

#[test]
fn the_catalog_lists_every_item_with_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let catalog = json_of(p, &["checklist", "catalog"]);
    assert_eq!(catalog["catalog_version"], 2);
    let items = catalog["items"].as_array().unwrap();
    assert_eq!(items.len(), CATALOG.len());
    for (view, item) in items.iter().zip(CATALOG) {
        assert_eq!(view["id"], item.id);
        assert_eq!(view["title"], item.title);
        assert_eq!(view["android_path"], item.android_path);
        assert_eq!(view["iphone_path"], item.iphone_path);
        assert_eq!(view["legacy_path"], json!(item.legacy_path));
        assert_eq!(view["recommended"], item.recommended);
        let values: Vec<&str> =
            view["values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
        let codes: Vec<&str> = item.choices.iter().map(|c| c.value).collect();
        assert_eq!(values, codes);
        assert_eq!(view["checked"], true);
        assert!(view.get("path").is_none(), "no platform asked for");
        let by = if item.source == Source::Clinician { "clinician" } else { "phone" };
        assert_eq!(view["answered_by"], by);
    }
    let read_receipts = items.iter().find(|i| i["id"] == "read_receipts").unwrap();
    assert_eq!(read_receipts["required"], json!(["off"]));

    let ios = json_of(p, &["checklist", "catalog", "--platform", "ios"]);
    let read_receipts = ios["items"].as_array().unwrap().iter().find(|i| i["id"] == "read_receipts").unwrap().clone();
    assert_eq!(read_receipts["path"], "WhatsApp > Settings > Privacy > Read Receipts");

    let text = run(p, &["checklist", "catalog"]).stdout;
    for item in CATALOG {
        assert!(text.contains(&format!("\n{}  {}\n", item.id, item.title)), "{}: {text}", item.id);
    }
    assert!(text.contains("   Android:  WhatsApp > Settings > Privacy > Read receipts\n"), "{text}");
    assert!(text.contains("   iPhone:   WhatsApp > Settings > Privacy > Read Receipts\n"), "{text}");
    // Nothing was started by reading the catalog.
    assert_eq!(status(p, &[]), json!({"status": "never", "in_progress": null}));
}

#[test]
fn json_needs_an_answers_file_and_the_flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let p = &dir.path().join("profile");
    let out = run_with(p, &["--json", "checklist"], Some("1\n"));
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("--json needs --answers FILE"), "{}", out.stderr);
    assert_eq!(status(p, &[])["in_progress"], Value::Null, "nothing started");
    let out = run(p, &["checklist", "status", "--answers", "x.json"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let help = run(p, &["checklist", "--help"]).stdout;
    assert!(help.contains("--answers") && help.contains("--whatsapp-version") && help.contains("--passcode"), "{help}");
}

#[test]
fn the_demo_fixes_a_deviation_before_the_call() {
    let out = Command::cargo_bin("televisit").unwrap().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let start = text.find("\n5. ").unwrap();
    let step = &text[start..start + text[start..].find("\n6. ").unwrap()];
    assert!(step.contains("[5/27] Read receipts"), "what the clinician is asked: {step}");
    assert!(step.contains("$ televisit checklist --answers "), "{step}");
    let fix = step.find(READ_RECEIPTS_FIX).unwrap_or_else(|| panic!("the instruction: {step}"));
    let due = step.find("exit 3; checklist status: due").unwrap_or_else(|| panic!("{step}"));
    let compliant = step.find("Compliant: all 27 items meet the policy.").unwrap_or_else(|| panic!("{step}"));
    let current = step.find("exit 0; checklist status: current").unwrap_or_else(|| panic!("{step}"));
    assert!(fix < due && due < compliant && compliant < current, "in that order: {step}");
    // The call that follows finds it current.
    let call = &text[text.find("\n6. ").unwrap()..text.find("\n7. ").unwrap()];
    assert!(call.contains("✓ checklist_current"), "{call}");
}
