//! The desktop shells as a user runs them: exit codes, JSON, and messages free of patient data.

mod common;

use assert_cmd::Command;
use common::{json, ok, televisit};
use serde_json::Value;
use std::path::{Path, PathBuf};

#[test]
fn demo_shows_the_tampering_found_by_its_sequence_number() {
    let out = Command::cargo_bin("televisit").unwrap().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    // Sixteen real entries (store, policy, 2 patients, a consent, 2 contacts, 2 checklist runs, the
    // disclosure, the second consent, a failed and a launched call attempt, an archive, a deletion,
    // the cleanup run): the demo tampers with head - 2, the archive. (The IT round trip comes after
    // the integrity steps, since its wipe removes the store.)
    assert!(text.contains("moved entry 18's time back one hour"), "{text}");
    assert!(text.contains("verify the copy:   BROKEN at seq 18: entry changed"), "{text}");
    assert!(text.contains("verify the original: intact: 20 entries"), "{text}");
    assert!(out.stderr.is_empty(), "nothing on stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn demo_shows_patients_contacts_and_a_lookalike_kept() {
    let out = Command::cargo_bin("televisit").unwrap().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    // The difficult name as typed, shown with its invisible characters, then cleaned.
    assert!(text.contains(r#"typed: first "Zoë\u{200b}", last "\u{202e}O'Brien-Nguyễn""#), "{text}");
    assert!(text.contains(r#"contact name "Patient Zoë O'Brien-Nguyễn", phone +14155550132"#), "{text}");
    assert!(!text.contains("Patient Zoë\u{200B}") && !text.contains('\u{202E}'), "{text}");
    assert!(text.contains("refused: invalid phone: is not a valid number for its region"), "{text}");
    assert!(text.contains("refused: invalid given name: must contain at least one letter"), "{text}");
    assert!(text.contains("FN:Patient Zoë O'Brien-Nguyễn"), "the .vcf is shown: {text}");
    // The dry run: the archived patient's contact with its reason, the lookalike apart.
    let dry_run = section(&text, "8. ", "9. ");
    assert!(dry_run.contains("Patient Amara Okafor  patient archived"), "{dry_run}");
    assert!(dry_run.contains("Patient Maria Lopez  not Televisit's: confirm to delete"), "{dry_run}");
    // Applied without confirming: the lookalike is kept, the archived patient's contact is gone.
    let applied = section(&text, "9. ", "10. ");
    assert!(applied.contains("Patient Maria Lopez  kept: not Televisit's: confirm to delete"), "{applied}");
    assert!(
        applied.contains("deleted 1 (confirmed lookalikes among them: 0), already gone 0, failed 0; lookalikes kept 1")
    );
    assert!(applied.contains(r#""Patient Maria Lopez"         hand-made"#), "{applied}");
    assert!(!applied.contains(r#""Patient Amara Okafor""#), "{applied}");
    // The log has the real actions and no names.
    let log = section(&text, "10. ", "11. ");
    for kind in [
        "patient_added",
        "consent_recorded",
        "contact_created",
        "checklist_attested",
        "disclosure_acknowledged",
        "call_attempt_failed",
        "call_launched",
        "patient_archived",
        "contact_deleted",
        "cleanup_run",
    ] {
        assert!(log.contains(kind), "{kind}: {log}");
    }
    assert!(!log.contains("Amara") && !log.contains("Zoë") && !without_opaque_ids(log).contains("555"), "{log}");
}

#[test]
fn demo_plays_the_it_round_trip_with_the_real_it_tool() {
    let out = Command::cargo_bin("televisit").unwrap().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "nothing on stderr: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let org = section(&text, "14. ", "15. ");
    assert!(org.contains("IT's tool is ") && org.contains("televisit-admin"), "{org}");
    assert!(org.contains("organisation St Elsewhere Hospital made in org"), "{org}");
    assert_it_round_trip(&text);
}

/// `cargo run` builds only the binary it runs: without televisit-admin beside it, the demo does
/// IT's side in-process, and says so.
#[test]
fn demo_plays_the_it_round_trip_without_the_it_tool_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("televisit");
    std::fs::copy(assert_cmd::cargo::cargo_bin("televisit"), &alone).unwrap();
    let out = std::process::Command::new(&alone).arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(section(&text, "14. ", "15. ").contains("televisit-admin was not built beside this binary"), "{text}");
    assert_it_round_trip(&text);
}

fn assert_it_round_trip(text: &str) {
    let enroll = section(text, "15. ", "16. ");
    assert!(enroll.contains("enrolled with St Elsewhere Hospital (policy version 2 applied)"), "{enroll}");
    assert!(enroll.contains("--device-key="), "{enroll}");
    assert!(enroll.contains("local triggers:") && enroll.contains("pending wipe:"), "{enroll}");
    let policy = section(text, "16. ", "17. ");
    assert!(policy.contains("signed policy version 3 applied (St Elsewhere Hospital)"), "{policy}");
    assert!(policy.contains("the policy is version 2, older than the version 3 in force: it was not applied"));
    let visit = section(text, "17. ", "18. ");
    assert!(visit.contains("nothing blocks") && visit.contains("sync_then_video"), "{visit}");
    let export = section(text, "18. ", "19. ");
    let count: String = export
        .split("sealed export of log entries 1 to ")
        .nth(1)
        .unwrap_or_else(|| panic!("{export}"))
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(
        export.contains(&format!(
            "verified: signed by the pinned device key; the entries lead from seq 0 to the checkpoint at seq {count}"
        )),
        "{export}"
    );
    assert!(
        export.contains("archived dev_") && export.contains(&format!("entries 1 to {count} ({count} entries)")),
        "{export}"
    );
    // A copy rolled back with its secret store says "intact"; IT's ledger catches it from the checkpoint.
    assert!(export.contains("the phone itself: intact") && export.contains("log ROLLBACK at seq"), "{export}");
    assert!(export.contains("the file starts \"age-encryption.org/v1\""), "{export}");
    assert!(export.contains(" enrolled ") && export.contains(" export_made "), "{export}");
    let wipe = section(text, "19. ", "Done.");
    let refusals: Vec<&str> = wipe.lines().filter(|l| l.contains("wipe command refused (")).collect();
    assert_eq!(refusals.len(), 3, "{wipe}");
    assert!(refusals[0].contains("(bad_signature)") || refusals[0].contains("(malformed)"), "{wipe}");
    assert!(refusals[1].contains("(other_device): the wipe command is for another device"), "{wipe}");
    assert!(refusals[2].contains("(replayed)"), "{wipe}");
    assert!(wipe.contains("carried out (scope all, reason lost)"), "{wipe}");
    assert!(wipe.contains("data key destroyed 1, patient contacts deleted 1"), "{wipe}");
    assert!(wipe.contains("valid receipt: command cmd_") && wipe.contains("the enrolled device's key"), "{wipe}");
    let listing = wipe.split("every file left:").nth(1).unwrap();
    assert!(listing.contains("secrets/televisit.wipe-seen.v1"), "{listing}");
    assert!(!listing.contains("televisit.db") && !listing.contains("data-key"), "{listing}");
    assert!(wipe.contains("every byte of every file was checked"), "{wipe}");
    // The IT round trip shows ids, never a patient's name or number.
    let it = section(text, "14. ", "Done.");
    for secret in ["Zoë", "Amara", "Okafor", "Brien", "4155550132", "2025550143"] {
        assert!(!it.contains(secret), "{secret}: {it}");
    }
}

/// The text from the line starting `from` to the line starting `to`.
fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text.find(&format!("\n{from}")).unwrap_or_else(|| panic!("no {from}"));
    let end = text[start + 1..].find(&format!("\n{to}")).map_or(text.len(), |e| start + 1 + e);
    &text[start..end]
}

#[test]
fn log_commands_on_a_fresh_profile() {
    let dir = tempfile::tempdir().unwrap();
    let out = televisit(dir.path()).args(["--json", "log", "verify"]).output().unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["intact"], true);
    assert_eq!(json["count"], 1);

    let out = televisit(dir.path()).args(["--json", "log", "list", "--kind", "store_created"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["kind"], "store_created");
    assert_eq!(json[0]["seq"], 1);

    let mode = std::fs::metadata(dir.path().join("secrets/televisit.data-key.v1")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_nonsensical_purge_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for days in ["0", "-3", "99999999"] {
        let out = televisit(dir.path()).args(["log", "purge", "--older-than-days", days]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{days}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("invalid purge age"), "{err}");
    }
    let out = televisit(dir.path()).args(["log", "purge", "--older-than-days", "many"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_policy_file_is_checked_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, r#"{"version": 3, "organisation": "North Clinic", "log": {"retention_days": 400}}"#).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"version": 4, "contacts": {"default_region": "Susan Smith"}}"#).unwrap();

    let admin = |file: &std::path::Path| {
        Command::cargo_bin("televisit-admin").unwrap().args(["policy", "check"]).arg(file).output().unwrap()
    };
    assert!(admin(&good).status.success());
    let out = admin(&bad);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("contacts.default_region") && !err.contains("Susan"), "{err}");

    let profile = dir.path().join("profile");
    assert!(televisit(&profile).args(["policy", "set"]).arg(&good).output().unwrap().status.success());
    let out = televisit(&profile).args(["policy", "show"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("North Clinic"));
    let out = televisit(&profile).args(["--json", "log", "list", "--kind", "policy_applied"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["detail"]["version"], 3);
}

#[test]
fn an_older_database_put_back_fails_log_verify_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    assert!(televisit(p).args(["status"]).output().unwrap().status.success());
    let older = p.join("older.db");
    std::fs::copy(p.join("televisit.db"), &older).unwrap();
    // Two more actions, each logged.
    for _ in 0..2 {
        assert!(televisit(p).args(["policy", "show"]).output().unwrap().status.success());
        let out = televisit(p).args(["disclosure", "acknowledge"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    std::fs::copy(&older, p.join("televisit.db")).unwrap();
    let out = televisit(p).args(["--json", "log", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["problem"].as_str().unwrap().contains("older copy of the database"), "{json}");
    assert_eq!(televisit(p).args(["check"]).output().unwrap().status.code(), Some(3));
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("televisit.db"), b"not a database at all").unwrap();
    let out = televisit(dir.path()).args(["log", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("key is missing")
            || String::from_utf8_lossy(&out.stderr).contains("not a Televisit database")
    );
    assert_eq!(std::fs::read(dir.path().join("televisit.db")).unwrap(), b"not a database at all");
}

#[test]
fn usage_errors_never_repeat_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["log", "list", "--patient", "Susan Smith"],
        vec!["log", "list", "--kind", "+447700900123"],
        vec!["log", "Susan"],
        vec!["log", "list", "Smith"],
    ] {
        let out = televisit(dir.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("Susan") && !err.contains("Smith") && !err.contains("447700900123"), "{err}");
        assert!(err.contains("error:"), "{err}");
    }
    let out = televisit(dir.path()).args(["log", "list", "--patient", "Susan Smith"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--patient"));
    assert!(televisit(dir.path()).arg("--help").output().unwrap().status.success());
}

// Patients, consent, contacts and cleanup. The numbers are fictional (555-01xx).

const ZOE: [&str; 3] = ["Zo\u{EB}\u{200B}", "\u{202E}O'Brien-Nguy\u{1EC5}n", "+1 415 555 0132"];
const AMARA: [&str; 3] = ["Amara", "Okafor", "(202) 555-0143"];
const LEE: [&str; 3] = ["Lee", "Ng", "312-555-0178"];

/// Runs a command that must fail with `code`; returns stderr, checked free of the given values.
fn fails(profile: &Path, args: &[&str], code: i32, secrets: &[&str]) -> String {
    let out = televisit(profile).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8(out.stderr).unwrap();
    let shown = without_opaque_ids(&err);
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret:?} leaked: {err}");
    }
    err
}

/// The text with opaque ids (`pt_…`, random hex that may hold any digits) taken out, so that a
/// check for a number's digits looks at everything else.
fn without_opaque_ids(text: &str) -> String {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| !word.starts_with("pt_"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn add(profile: &Path, [first, last, phone]: [&str; 3]) -> String {
    let added = json(profile, &["patient", "add", "--first", first, "--last", last, "--phone", phone]);
    added["id"].as_str().unwrap().to_owned()
}

fn ensure(profile: &Path, id: &str) -> Value {
    json(profile, &["contact", "ensure", id])
}

fn vcf(profile: &Path, platform_id: &str) -> PathBuf {
    profile.join("contacts").join(format!("{platform_id}.vcf"))
}

const HAND_MADE_ID: &str = "7d0f6c1e-5b7a-4c1e-9d2b-0a1b2c3d4e5f";

/// A contact made by hand in the contacts app: named like the convention, no marker.
fn plant_lookalike(profile: &Path) -> PathBuf {
    let path = vcf(profile, HAND_MADE_ID);
    std::fs::write(
        &path,
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Patient Maria Lopez\r\nTEL;TYPE=cell:+1 202 555 0199\r\nEND:VCARD\r\n",
    )
    .unwrap();
    path
}

#[test]
fn patients_are_added_listed_and_archived() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let added = json(p, &["patient", "add", "--first", ZOE[0], "--last", ZOE[1], "--phone", ZOE[2]]);
    assert_eq!(added["contact_name"], "Patient Zoë O'Brien-Nguyễn", "invisible characters removed");
    assert_eq!(added["given_name"], "Zoë");
    assert_eq!(added["phone"], "+14155550132");
    let zoe = added["id"].as_str().unwrap().to_owned();
    assert!(zoe.starts_with("pt_"));
    let amara = add(p, AMARA);

    let list = json(p, &["patient", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"], zoe.as_str());
    assert_eq!(list[1]["contact_name"], "Patient Amara Okafor");
    assert_eq!(list[1]["phone"], "+12025550143");
    assert_eq!(list[1]["consent"]["state"], "none");
    assert_eq!(list[1]["archived"], false);
    assert_eq!(list[1]["section"], "unscheduled");
    assert_eq!(list[1]["label"], "Patient Amara Okafor · …0143");
    let table = ok(p, &["patient", "list"]);
    assert!(table.starts_with("id "), "{table}");
    for expected in [zoe.as_str(), "Patient Zoë O'Brien-Nguyễn", "+14155550132", amara.as_str(), "none"] {
        assert!(table.contains(expected), "{expected}: {table}");
    }

    assert!(ok(p, &["patient", "archive", &amara]).contains(&format!("archived {amara}")));
    let list = json(p, &["patient", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "archived patients leave the list");
    let all = json(p, &["patient", "list", "--all"]);
    assert_eq!(all[1]["archived"], true);
    assert!(all[1]["archived_at"].is_string());
    assert!(ok(p, &["patient", "list", "--all"]).contains("yes, "));

    let err = fails(p, &["patient", "archive", "Susan Smith"], 2, &["Susan", "Smith"]);
    assert!(err.contains("invalid value for <ID>: invalid patient reference"), "{err}");
    let unknown = "pt_00000000000000000000000000000000";
    let err = fails(p, &["patient", "archive", unknown], 1, &[]);
    assert!(err.contains(&format!("no patient {unknown}")), "{err}");
    let log = json(p, &["log", "list", "--kind", "patient_added,patient_archived"]);
    assert_eq!(log.as_array().unwrap().len(), 3);
    assert!(!serde_json::to_string(&log).unwrap().contains("Okafor"));
}

#[test]
fn a_bad_phone_is_refused_with_a_reason_and_without_the_number() {
    let dir = tempfile::tempdir().unwrap();
    for phone in ["+1 202 555 01", "12", "call me"] {
        let err = fails(
            dir.path(),
            &["patient", "add", "--first", "Susan", "--last", "Smith", "--phone", phone],
            1,
            &[phone, "Susan", "Smith", "20255501"],
        );
        assert!(err.contains("invalid phone: "), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert_eq!(json(dir.path(), &["patient", "list"]), serde_json::json!([]));
}

#[test]
fn the_same_patient_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = add(dir.path(), AMARA);
    // The same number written another way is the same number.
    let err = fails(
        dir.path(),
        &["patient", "add", "--first", " Amara ", "--last", "Okafor", "--phone", "+1 202-555-0143"],
        1,
        &["Amara", "Okafor", "555"],
    );
    assert!(err.contains(&format!("invalid patient: is already on the list as {first}")), "{err}");
    assert_eq!(json(dir.path(), &["patient", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn names_without_a_letter_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(
        dir.path(),
        &["patient", "add", "--first", "😀😀", "--last", "Okafor", "--phone", AMARA[2]],
        1,
        &["😀", "Okafor", "555"],
    );
    assert!(err.contains("invalid given name: must contain at least one letter"), "{err}");
    let err = fails(
        dir.path(),
        &["patient", "add", "--first", "Amara", "--last", "\u{200B}\u{202E}", "--phone", AMARA[2]],
        1,
        &["Amara", "555"],
    );
    assert!(err.contains("invalid family name: is empty"), "{err}");
    assert_eq!(json(dir.path(), &["patient", "list"]), serde_json::json!([]));
}

#[test]
fn consent_is_recorded_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = add(p, AMARA);
    let given = json(p, &["consent", "record", &id, "--method", "in-app"]);
    assert_eq!(given["patient"], id.as_str());
    assert_eq!(given["consent"]["state"], "given");
    assert_eq!(given["consent"]["method"], "in_app");
    assert_eq!(given["consent"]["by"], "clinician", "the clinician by default");
    assert_eq!(given["consent"]["text_version"], "v1");
    let text = ok(p, &["consent", "record", &id, "--method", "written", "--text-version", "v3", "--by", "staff"]);
    assert!(text.contains("consent given: written, text v3, recorded by staff"), "{text}");
    assert_eq!(json(p, &["patient", "list"])[0]["consent"]["method"], "written");
    assert!(ok(p, &["patient", "list"]).contains("given (written, v3)"));

    let revoked = json(p, &["consent", "revoke", &id]);
    assert_eq!(revoked["consent"]["state"], "revoked");
    assert_eq!(json(p, &["patient", "list"])[0]["consent"]["state"], "revoked");

    let err = fails(p, &["consent", "record", &id, "--method", "telepathy"], 2, &["telepathy"]);
    assert!(err.contains("--method") && err.contains("verbal, written, in-app"), "{err}");
    let err =
        fails(p, &["consent", "record", &id, "--method", "verbal", "--text-version", "Susan Smith"], 1, &["Susan"]);
    assert!(err.contains("invalid consent text version"), "{err}");
    let log = json(p, &["log", "list", "--kind", "consent_recorded,consent_revoked", "--patient", &id]);
    let kinds: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["consent_recorded", "consent_recorded", "consent_revoked"]);
    assert_eq!(log[1]["actor"], "staff");

    // Asked, and the patient said no: a decline, shown apart from never asked.
    let declined = json(p, &["consent", "decline", &id, "--method", "verbal"]);
    assert_eq!(declined["consent"]["state"], "declined");
    assert_eq!(declined["consent"]["text_version"], "v1", "the policy's wording by default");
    assert!(ok(p, &["patient", "list"]).contains("declined"));
    let wording = json(p, &["consent", "wording"]);
    assert_eq!(wording["version"], "v1");
    assert!(wording["text"].is_null(), "the default policy carries the version only");
}

#[test]
fn contact_ensure_writes_a_vcard_and_puts_it_right() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let id = add(p, ZOE);
    let made = ensure(p, &id);
    assert_eq!(made["action"], "created");
    let platform_id = made["platform_id"].as_str().unwrap().to_owned();
    let file = vcf(p, &platform_id);
    assert_eq!(made["file"], file.display().to_string());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(p.join("contacts")).unwrap().permissions().mode() & 0o777, 0o700);

    let card = vcard4::parse(std::fs::read_to_string(&file).unwrap()).unwrap().remove(0);
    assert_eq!(card.formatted_name[0].value, "Patient Zoë O'Brien-Nguyễn");
    assert_eq!(card.tel[0].to_string(), "tel:+14155550132");
    assert_eq!(card.note[0].value, format!("televisit:{id}"));
    assert_eq!(card.categories[0].value, ["Televisit"]);

    assert_eq!(ensure(p, &id)["action"], "unchanged");
    assert!(ok(p, &["contact", "ensure", &id]).contains(&format!("contact unchanged, platform id {platform_id}")));

    // Deleted on the phone: made again.
    std::fs::remove_file(&file).unwrap();
    let listed = json(p, &["contact", "list"]);
    assert_eq!(listed[0]["in_book"], "missing");
    let again = ensure(p, &id);
    assert_eq!(again["action"], "repaired");
    assert!(vcf(p, again["platform_id"].as_str().unwrap()).exists());
    let listed = json(p, &["contact", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["in_book"], "present");
    assert_eq!(listed[0]["patient"], id.as_str());

    ok(p, &["patient", "archive", &id]);
    let err = fails(p, &["contact", "ensure", &id], 1, &["Zoë", "555"]);
    assert!(err.contains("is archived"), "{err}");
}

#[test]
fn cleanup_is_a_dry_run_until_applied_and_keeps_lookalikes_unless_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let (zoe, amara, lee) = (add(p, ZOE), add(p, AMARA), add(p, LEE));
    let contact = |id: &str| ensure(p, id)["platform_id"].as_str().unwrap().to_owned();
    let (zoe_c, amara_c, lee_c) = (contact(&zoe), contact(&amara), contact(&lee));
    let lookalike = plant_lookalike(p);
    std::fs::write(p.join("contacts/mum.vcf"), "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Mum\r\nEND:VCARD\r\n").unwrap();
    std::fs::write(p.join("contacts/broken.vcf"), "BEGIN:VCARD\r\nFN:Patient Half").unwrap();
    ok(p, &["patient", "archive", &amara]);
    let done = json(p, &["patient", "visit-done", &lee]);
    assert_eq!(done["contact_due_for_cleanup"], true);

    let dry = ok(p, &["cleanup"]);
    assert!(dry.starts_with("Dry run, nothing was deleted."), "{dry}");
    assert!(
        dry.contains(&amara_c) && dry.contains("Patient Amara Okafor") && dry.contains("patient archived"),
        "{dry}"
    );
    assert!(dry.contains(&lee_c) && dry.contains("visit done"), "{dry}");
    assert!(!dry.contains(&zoe_c), "{dry}");
    let flagged = dry.lines().find(|l| l.contains(HAND_MADE_ID)).unwrap();
    assert!(flagged.contains("Patient Maria Lopez") && flagged.contains("not Televisit's: confirm to delete"));
    assert!(!dry.contains("Mum"), "{dry}");
    for id in [&zoe_c, &amara_c, &lee_c] {
        assert!(vcf(p, id).exists(), "a dry run deletes nothing");
    }

    let plan = json(p, &["cleanup", "--older-than", "30d"]);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["rules"]["older_than_days"], 30);
    assert_eq!(plan["remove"].as_array().unwrap().len(), 2);
    assert_eq!(plan["remove"][0]["reasons"], serde_json::json!(["patient_archived"]));
    assert_eq!(plan["remove"][1]["reasons"], serde_json::json!(["visit_done"]));
    assert_eq!(plan["lookalikes"][0]["platform_id"], HAND_MADE_ID);
    assert_eq!(plan["lookalikes"][0]["status"], "flagged");
    assert_eq!(plan["lookalikes"].as_array().unwrap().len(), 1);
    assert!(plan.get("results").is_none());

    let applied = json(p, &["cleanup", "--apply"]);
    assert_eq!(applied["dry_run"], false);
    assert_eq!(
        applied["counts"],
        serde_json::json!({"deleted": 2, "already_gone": 0, "failed": 0, "lookalikes_deleted": 0, "lookalikes_kept": 1})
    );
    assert_eq!(applied["results"][0]["outcome"], "deleted");
    assert_eq!(applied["results"][0]["patient"], amara.as_str());
    assert_eq!(applied["lookalikes"][0]["status"], "kept");
    assert!(!vcf(p, &amara_c).exists() && !vcf(p, &lee_c).exists());
    assert!(vcf(p, &zoe_c).exists(), "the current patient keeps the contact");
    assert!(lookalike.exists(), "not confirmed: kept");
    assert!(p.join("contacts/mum.vcf").exists() && p.join("contacts/broken.vcf").exists());

    // Confirmed by its platform id: the lookalike goes; the unreadable file never does.
    let text = ok(p, &["cleanup", "--apply", "--confirm-lookalike", HAND_MADE_ID]);
    assert!(text.contains("confirmed: deleted"), "{text}");
    assert!(text.contains("deleted 1 (confirmed lookalikes among them: 1)"), "{text}");
    assert!(!lookalike.exists());
    assert!(p.join("contacts/broken.vcf").exists() && vcf(p, &zoe_c).exists());

    let log = json(p, &["log", "list", "--kind", "contact_deleted,cleanup_run"]);
    let kinds: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["contact_deleted", "contact_deleted", "cleanup_run", "cleanup_run"]);
    assert_eq!(log[3]["detail"]["lookalikes_deleted"], 1);
    assert_eq!(json(p, &["contact", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn cleanup_reports_each_contact_and_retries_failures() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let (amara, lee) = (add(p, AMARA), add(p, LEE));
    let amara_c = ensure(p, &amara)["platform_id"].as_str().unwrap().to_owned();
    let lee_c = ensure(p, &lee)["platform_id"].as_str().unwrap().to_owned();
    ok(p, &["consent", "record", &amara, "--method", "verbal"]);
    ok(p, &["consent", "revoke", &amara]);
    ok(p, &["patient", "archive", &lee]);
    // Someone deleted one contact already; the other cannot be deleted (a folder in its place).
    std::fs::remove_file(vcf(p, &lee_c)).unwrap();
    std::fs::remove_file(vcf(p, &amara_c)).unwrap();
    std::fs::create_dir(vcf(p, &amara_c)).unwrap();

    let out = televisit(p).args(["cleanup", "--apply"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(text.lines().any(|l| l.contains("already gone") && l.contains(&lee_c)), "{text}");
    assert!(text.lines().any(|l| l.contains("FAILED: ") && l.contains(&amara_c)), "{text}");
    assert!(text.contains("already gone 1, failed 1"), "{text}");
    assert!(err.contains("1 contacts could not be deleted") && !err.contains("Amara"), "{err}");

    // The failure stays recorded and is tried again, with its reason.
    let plan = json(p, &["cleanup"]);
    assert_eq!(plan["remove"][0]["platform_id"], amara_c.as_str());
    assert_eq!(plan["remove"][0]["reasons"], serde_json::json!(["consent_revoked", "earlier_delete_failed"]));
    std::fs::remove_dir(vcf(p, &amara_c)).unwrap();
    let applied = json(p, &["cleanup", "--apply"]);
    assert_eq!(applied["results"][0]["outcome"], "already_gone");
    assert_eq!(json(p, &["contact", "list"]), serde_json::json!([]));
}

#[test]
fn cleanup_arguments_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    assert!(ok(p, &["cleanup", "--older-than", "7d"]).contains("not used for 7 days"));
    for age in ["0d", "-3d", "abc", "30", "99999999999d", "1.5d"] {
        let err = fails(p, &["cleanup", "--older-than", age], 2, &[]);
        assert!(
            err.contains("invalid value for --older-than <AGE>: an age in days from 1 to 36500, written like 30d"),
            "{age}: {err}"
        );
    }
    let err = fails(p, &["cleanup", "--confirm-lookalike", HAND_MADE_ID], 2, &[HAND_MADE_ID]);
    assert!(err.contains("--apply"), "{err}");
    // Only a contact the plan flags as a lookalike can be confirmed.
    let id = add(p, AMARA);
    let own = ensure(p, &id)["platform_id"].as_str().unwrap().to_owned();
    let err = fails(p, &["cleanup", "--apply", "--confirm-lookalike", &own], 1, &["Amara"]);
    assert!(err.contains("may only name contacts that the plan lists as lookalikes"), "{err}");
    assert!(vcf(p, &own).exists());
}
