//! `televisit-admin` as IT runs it, on the protocol's test vectors and on crafted files: every
//! bad input is a clear error with its exit code, never a panic and never an echo of the input.

use televisit_protocol::{export, vectors};

mod common;

use common::admin;

#[test]
fn receipts_verify_against_the_pinned_key_only() {
    let dir = tempfile::tempdir().unwrap();
    let receipt = vectors::receipt();
    let pinned = format!("--device-key={}", vectors::device_key().public_key());
    let ok = admin(dir.path(), &["wipe", "verify-receipt", &receipt, &pinned]);
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    assert!(ok.stdout.contains("the enrolled device's key") && ok.stdout.contains(vectors::COMMAND_ID));
    let other = format!("--device-key={}", vectors::org_key().public_key());
    let refused = admin(dir.path(), &["wipe", "verify-receipt", &receipt, &other]);
    assert_eq!(refused.code, Some(3), "{}", refused.stderr);
    let damaged = format!("{}x", &receipt[..receipt.len() - 1]);
    let refused = admin(dir.path(), &["wipe", "verify-receipt", &damaged, &pinned]);
    assert_eq!(refused.code, Some(3));
    assert!(!refused.stderr.contains(&damaged[..40]), "{}", refused.stderr);
}

#[test]
fn a_policy_file_with_a_template_of_thousands_of_placeholders_is_refused_before_signing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.json");
    std::fs::write(&file, format!(r#"{{"contacts": {{"name_template": "{}"}}}}"#, "{first}".repeat(4000))).unwrap();
    let out = admin(dir.path(), &["policy", "check", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("contacts.name_template") && !out.stderr.contains("panicked"), "{}", out.stderr);
    std::fs::write(&file, r#"{"organisation": "North Clinic", "contacts": {"name_templat": "Susan Smith"}}"#).unwrap();
    let out = admin(dir.path(), &["policy", "check", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(!out.stderr.contains("Susan") && !out.stderr.contains("name_templat"), "{}", out.stderr);
    std::fs::write(&file, vectors::policy().to_json()).unwrap();
    let out = admin(dir.path(), &["policy", "check", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

/// Automatic cleanup with an age of 0 would empty every phone of its patients at each check-in:
/// `policy check` refuses it before anything is signed; at 30 days it is a policy like any other.
#[test]
fn a_policy_that_makes_cleanup_automatic_at_age_0_is_refused_by_policy_check() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.json");
    std::fs::write(&file, r#"{"contacts": {"cleanup_automatic": true, "cleanup_after_days": 0}}"#).unwrap();
    let out = admin(dir.path(), &["policy", "check", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("contacts.cleanup_after_days"), "{}", out.stderr);
    std::fs::write(&file, r#"{"contacts": {"cleanup_automatic": true, "cleanup_after_days": 30}}"#).unwrap();
    let out = admin(dir.path(), &["policy", "check", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

/// A sealed export whose sequence numbers sit at the end of u64, signed by the device's own key:
/// before the protocol crate, the chain's classifier added to them unchecked (a panic in debug, a
/// silent wrap in release). Now every number is checked: NOT VERIFIED, exit 3, no panic.
#[test]
fn a_crafted_export_at_the_end_of_the_sequence_numbers_is_refused_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    let init = admin(dir.path(), &["org", "init", "--org", org.to_str().unwrap(), "--name", "North Clinic"]);
    assert_eq!(init.code, Some(0), "{}", init.stderr);
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(org.join("org.json")).unwrap()).unwrap();
    let recipient: age::x25519::Recipient = info["export_recipient"].as_str().unwrap().parse().unwrap();
    let mut body = vectors::export_body();
    body.from.n = u64::MAX - 2;
    body.entries[2].seq = u64::MAX - 3;
    body.to.n = u64::MAX;
    let sealed = age::encrypt(&recipient, &export::sign(&vectors::device_key(), body)).unwrap();
    std::fs::write(dir.path().join("export.age"), sealed).unwrap();
    for args in [&["log", "open", "export.age", "--org", "org"][..], &["log", "import", "--org", "org", "export.age"]] {
        let out = admin(dir.path(), args);
        assert_eq!(out.code, Some(3), "{}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("NOT VERIFIED") || out.stdout.contains("REFUSED"), "{}", out.stdout);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

/// Issue 30, case 8: a duration typed with a letter beyond ASCII split at a byte index and
/// panicked (exit 101), repeating the input. Each flag that takes one, with `Zoë`.
#[test]
fn a_typed_duration_that_is_not_one_is_a_usage_error_that_does_not_repeat_it() {
    let dir = tempfile::tempdir().unwrap();
    common::admin_json(dir.path(), &["org", "init", "--org", "org", "--name", "North Clinic"]);
    for args in [
        &["devices", "list", "--org", "org", "--stale", "Zoë"][..],
        &["bulletin", "sign", "--org", "org", "--valid", "Zoë"],
        &["fleet", "report", "--org", "org", "--stale", "🙂d"],
    ] {
        let ran = admin(dir.path(), args);
        assert_eq!(ran.code, Some(2), "{args:?}: {}", ran.stderr);
        assert!(!ran.stderr.contains("panicked") && !ran.stderr.contains("Zoë"), "{args:?}: {}", ran.stderr);
    }
}

/// Issue 30, case 6: a receipt's claimed device id was printed (and stored in the import's
/// problems) as it came, before anything was verified: an escape sequence in it reached IT's
/// terminal. Now a device is named only by a well-formed id.
#[test]
fn a_receipt_claiming_a_device_id_with_an_escape_sequence_is_refused_without_repeating_it() {
    use televisit_protocol::envelope::SigningKey;
    use televisit_protocol::wipe::{self, Receipt, WipeReason, WipeScope, COMMAND_VERSION};
    let dir = tempfile::tempdir().unwrap();
    common::admin_json(dir.path(), &["org", "init", "--org", "org", "--name", "North Clinic"]);
    let key = SigningKey::from_seed(&[3; 32]).unwrap();
    let receipt = Receipt {
        v: COMMAND_VERSION,
        device_id: "dev_1\u{1b}[2K\rall receipts verified".into(),
        enrollment_id: "enr_000000000000000000000001".into(),
        command_id: "cmd_000000000000000000000001".into(),
        scope: WipeScope::All,
        reason: WipeReason::Lost,
        completed_at: 1_800_000_000,
        steps: Vec::new(),
        device_key: key.public_key(),
        merged_command_ids: Vec::new(),
    };
    std::fs::write(dir.path().join("r.txt"), wipe::seal_receipt(&key, &receipt)).unwrap();
    let ran = admin(dir.path(), &["devices", "import", "--org", "org", "r.txt"]);
    assert_eq!(ran.code, Some(3), "{}", ran.stdout);
    assert!(ran.stdout.contains("damaged or in an unknown format"), "{}", ran.stdout);
    assert!(!ran.stdout.contains('\u{1b}') && !ran.stderr.contains('\u{1b}'), "{}", ran.stdout);
    let checked = admin(dir.path(), &["wipe", "verify-receipt", "--org", "org", "r.txt"]);
    assert!(!checked.stderr.contains('\u{1b}') && !checked.stdout.contains('\u{1b}'), "{}", checked.stderr);
}
