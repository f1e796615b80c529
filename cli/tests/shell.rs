//! The desktop shells as a user runs them: exit codes, JSON, and messages free of patient data.

use assert_cmd::Command;

fn televisit(profile: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("televisit").unwrap();
    cmd.arg("--profile").arg(profile);
    cmd
}

#[test]
fn demo_shows_the_tampering_found_by_its_sequence_number() {
    let out = Command::cargo_bin("televisit").unwrap().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("verify the copy:   BROKEN at seq 5: entry changed"), "{text}");
    assert!(text.contains("verify the original: intact"), "{text}");
    assert!(out.stderr.is_empty(), "nothing on stderr: {}", String::from_utf8_lossy(&out.stderr));
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
