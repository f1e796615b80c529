//! IT's side on the desktop, against the real IT tool: `televisit-admin` makes the organisation,
//! signs policies and enrollment codes, issues wipe commands and checks receipts; `televisit`
//! enrolls, shows its status, applies signed policies, refuses every bad wipe command with its own
//! reason (wiping nothing), carries out a real one (leaving no key, name or number behind),
//! finishes a wipe left pending at its next start, and exports its log sealed to IT.

mod common;

use common::{admin, json, ok, run, run_with};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use televisit_core::it::envelope::SigningKey;
use televisit_core::it::wipe::{self, WipeCommand, WipeReason, WipeScope};
use televisit_core::{Policy, SecretStore, SecretStoreError, StoreOptions, SystemClock, Televisit};

fn admin_ok(dir: &Path, args: &[&str]) -> String {
    let out = admin(dir, args);
    assert_eq!(out.code, Some(0), "televisit-admin {args:?}: {}", out.stderr);
    out.stdout
}

// A fictional patient (a 555-01xx number): none of this may be left after a wipe.
const GIVEN: &str = "Philippa";
const FAMILY: &str = "Quennell-Oyelaran";
const PHONE: &str = "+1 415 555 0132";
const PHONE_DIGITS: &str = "4155550132";

/// IT's folder (an organisation, its signed policies, the enrollment code) and a device profile.
struct Setup {
    _temp: tempfile::TempDir,
    /// Where IT's files are, and its commands run.
    it: PathBuf,
    profile: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        Setup::with_policy(|_| {})
    }

    /// The enrollment code carries policy version 2, changed by `change`.
    fn with_policy(change: impl FnOnce(&mut Policy)) -> Setup {
        let temp = tempfile::tempdir().unwrap();
        let it = temp.path().join("it");
        std::fs::create_dir(&it).unwrap();
        admin_ok(&it, &["org", "init", "--org", "org", "--name", "North Clinic"]);
        let setup = Setup { profile: temp.path().join("profile"), it, _temp: temp };
        let mut policy = setup.policy(2);
        change(&mut policy);
        let signed = setup.sign(&policy, "policy-v2.signed");
        let code = admin_ok(&setup.it, &["enroll-code", "--org", "org", "--policy", &signed]);
        std::fs::write(setup.it.join("code.txt"), code.trim()).unwrap();
        setup
    }

    fn policy(&self, version: u64) -> Policy {
        Policy { version, organisation: "North Clinic".into(), ..Policy::default() }
    }

    /// Signs `policy` with the organisation's key into the file `name`; returns its path.
    fn sign(&self, policy: &Policy, name: &str) -> String {
        let json = format!("{name}.json");
        std::fs::write(self.it.join(&json), policy.to_json()).unwrap();
        let signed = admin_ok(&self.it, &["policy", "sign", &json, "--org", "org"]);
        std::fs::write(self.it.join(name), signed.trim()).unwrap();
        self.it.join(name).display().to_string()
    }

    fn code(&self) -> String {
        self.it.join("code.txt").display().to_string()
    }

    fn enroll(&self) -> Value {
        json(&self.profile, &["enroll", &self.code()])
    }

    /// A wipe command for this device's current enrollment.
    fn issue(&self, scope: &str) -> String {
        let status = json(&self.profile, &["status"]);
        self.issue_for(status["device_id"].as_str().unwrap(), status["enrollment_id"].as_str().unwrap(), scope)
    }

    fn issue_for(&self, device: &str, enrollment: &str, scope: &str) -> String {
        let out = admin_ok(
            &self.it,
            &[
                "wipe",
                "issue",
                "--org",
                "org",
                "--unlisted",
                "--device",
                device,
                "--enrollment",
                enrollment,
                "--scope",
                scope,
            ],
        );
        out.trim().to_owned()
    }

    /// The organisation's signing key, for commands the tool would not issue (expired ones).
    fn org_key(&self) -> SigningKey {
        SigningKey::from_pkcs8(&std::fs::read(self.it.join("org/org-signing-key.pk8")).unwrap()).unwrap()
    }

    /// A patient with a contact; returns the contact's file.
    fn patient_with_contact(&self) -> PathBuf {
        let added = json(&self.profile, &["patient", "add", "--first", GIVEN, "--last", FAMILY, "--phone", PHONE]);
        let id = added["id"].as_str().unwrap();
        let contact = json(&self.profile, &["contact", "ensure", id]);
        PathBuf::from(contact["file"].as_str().unwrap())
    }

    fn secret(&self, name: &str) -> PathBuf {
        self.profile.join("secrets").join(name)
    }
}

/// The receipt line of `wipe apply`'s text.
fn receipt_of(stdout: &str) -> String {
    stdout.lines().find(|l| l.starts_with("tv1.receipt.")).unwrap_or_else(|| panic!("no receipt: {stdout}")).to_owned()
}

#[test]
fn enrollment_shows_in_the_status() {
    let s = Setup::new();
    let before = json(&s.profile, &["status"]);
    assert_eq!(before["enrolled"], false);
    assert_eq!(before["device_id"], Value::Null);
    assert_eq!(before["last_checkin"], Value::Null);
    assert_eq!(before["triggers"]["state"], "clear");
    assert!(ok(&s.profile, &["status"]).contains("not enrolled (`televisit enroll CODE`"));

    let enrolled = s.enroll();
    assert_eq!(enrolled["org"], "North Clinic");
    assert_eq!(enrolled["policy_version"], 2);
    assert_eq!(enrolled["re_enrolled"], false);
    let device = enrolled["device_id"].as_str().unwrap().to_owned();
    let enrollment = enrolled["enrollment_id"].as_str().unwrap().to_owned();
    let key = enrolled["device_key"].as_str().unwrap().to_owned();
    assert!(device.starts_with("dev_") && enrollment.starts_with("enr_"), "{enrolled}");
    assert_eq!(key.len(), 43, "base64url of an Ed25519 public key");

    let status = json(&s.profile, &["status"]);
    assert_eq!(status["enrolled"], true);
    assert_eq!(status["org"], "North Clinic");
    assert_eq!(status["device_id"], device.as_str());
    assert_eq!(status["enrollment_id"], enrollment.as_str());
    assert_eq!(status["device_key"], key.as_str());
    assert_eq!(status["policy_version"], 2);
    assert_eq!(status["policy_organisation"], "North Clinic");
    assert!(status["last_checkin"].as_str().unwrap().ends_with('Z'), "{status}");
    assert!(status["enrolled_at"].is_string());
    assert_eq!(status["checklist"], "never");
    assert_eq!(status["app_lock"], "not_applicable");
    assert_eq!(status["triggers"], serde_json::json!({"state": "clear", "reasons": []}));
    assert_eq!(status["pending_wipe"], false);
    assert_eq!(status["phone"]["platform"], "android");
    assert_eq!(status["phone"]["compromised"], false);
    let text = ok(&s.profile, &["status"]);
    for expected in ["enrolled with North Clinic", &device, &enrollment, &format!("--device-key={key}"), "version 2"] {
        assert!(text.contains(expected), "{expected}: {text}");
    }

    // A phone that reports itself rooted: the default policy blocks it.
    let rooted = json(&s.profile, &["status", "--compromised"]);
    assert_eq!(rooted["triggers"], serde_json::json!({"state": "blocked", "reasons": ["device_compromised"]}));
    assert!(ok(&s.profile, &["status", "--compromised"]).contains("BLOCKED: device_compromised"));

    // Enrolled again with the same organisation: the same device and enrollment, so that every
    // wipe command IT issued for it stays valid.
    let again = s.enroll();
    assert_eq!(again["re_enrolled"], true);
    assert_eq!(again["device_id"], device.as_str());
    assert_eq!(again["enrollment_id"], enrollment.as_str());
    assert_eq!(again["device_key"], key.as_str());
    let log = json(&s.profile, &["log", "list", "--kind", "enrolled"]);
    assert_eq!(log.as_array().unwrap().len(), 2);
}

#[test]
fn bad_enrollment_codes_are_refused() {
    let s = Setup::new();
    let out = run(&s.profile, &["enroll", "Susan Smith"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("neither a file nor a Televisit message") && !out.stderr.contains("Susan"));
    let code = std::fs::read_to_string(s.code()).unwrap();
    let mut damaged = code.clone().into_bytes();
    let i = code.len() / 2;
    damaged[i] = if damaged[i] == b'A' { b'B' } else { b'A' };
    let out = run(&s.profile, &["enroll", &String::from_utf8(damaged).unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("invalid enrollment code"), "{}", out.stderr);
    assert_eq!(json(&s.profile, &["status"])["enrolled"], false);

    // Another organisation's code, once enrolled: refused.
    s.enroll();
    let other = Setup::new();
    let out = run(&s.profile, &["enroll", &other.code()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("enrolled with another organisation"), "{}", out.stderr);
    assert_eq!(json(&s.profile, &["status"])["org"], "North Clinic");
}

#[test]
fn a_code_with_an_older_policy_changes_nothing() {
    let s = Setup::new();
    s.enroll();
    let v3 = s.sign(&s.policy(3), "policy-v3.signed");
    ok(&s.profile, &["policy", "apply", &v3]);
    let before = json(&s.profile, &["status"]);
    let out = run(&s.profile, &["enroll", &s.code()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("older than the version 3 in force") && out.stderr.contains("nothing was changed"));
    assert_eq!(json(&s.profile, &["status"])["enrollment_id"], before["enrollment_id"]);
}

#[test]
fn signed_policies_newer_applied_older_refused() {
    let s = Setup::new();
    let v3 = s.sign(&s.policy(3), "policy-v3.signed");
    let out = run(&s.profile, &["policy", "apply", &v3]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("not enrolled"), "{}", out.stderr);

    s.enroll();
    let applied = json(&s.profile, &["policy", "apply", &v3]);
    assert_eq!(
        applied,
        serde_json::json!({"applied": true, "signed": true, "version": 3, "organisation": "North Clinic"})
    );
    let v2 = s.it.join("policy-v2.signed").display().to_string();
    let out = run(&s.profile, &["policy", "apply", &v2]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("the policy is version 2, older than the version 3 in force: it was not applied"),
        "{}",
        out.stderr
    );
    assert_eq!(json(&s.profile, &["status"])["policy_version"], 3);

    // From stdin, as text: the same version again is harmless.
    let text = std::fs::read_to_string(&v3).unwrap();
    let out = run_with(&s.profile, &["policy", "apply", "-"], Some(&text));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("signed policy version 3 applied (North Clinic)"), "{}", out.stdout);

    // Signed by another organisation, or not signed at all: refused.
    let other = Setup::new();
    let foreign = other.sign(&other.policy(9), "policy-v9.signed");
    let out = run(&s.profile, &["policy", "apply", &foreign]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("not signed by the expected key"), "{}", out.stderr);
    let unsigned = s.it.join("policy-v3.signed.json");
    let out = run(&s.profile, &["policy", "set", unsigned.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("takes only policies its organisation signed"), "{}", out.stderr);
    assert_eq!(json(&s.profile, &["status"])["policy_version"], 3);
    let log = json(&s.profile, &["log", "list", "--kind", "policy_applied"]);
    let versions: Vec<i64> = log.as_array().unwrap().iter().map(|e| e["detail"]["version"].as_i64().unwrap()).collect();
    // Version 3 delivered twice is applied (and logged) once.
    assert_eq!(versions, [2, 3]);
}

/// A wipe command that must be refused with `code` and the words `because`.
fn refused(s: &Setup, command: &str, code: &str, because: &str) {
    let out = run(&s.profile, &["wipe", "apply", command]);
    assert_eq!(out.code, Some(3), "{code}: {}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(&format!("wipe command refused ({code}): ")), "{code}: {}", out.stderr);
    assert!(out.stderr.contains(because), "{code}: {}", out.stderr);
    assert!(out.stdout.is_empty(), "{code}: {}", out.stdout);
}

/// One character of the payload (`part` 2) or of the signature (`part` 3) changed.
fn changed(command: &str, part: usize) -> String {
    let parts: Vec<&str> = command.split('.').collect();
    let start: usize = parts[..part].iter().map(|p| p.len() + 1).sum();
    let i = start + parts[part].len() / 2;
    let mut bytes = command.as_bytes().to_vec();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

fn expiring(s: &Setup, device: &str, enrollment: &str, not_before: i64, expires_at: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    wipe::issue(
        &televisit_protocol::keyset::Signer::legacy(s.org_key()),
        &WipeCommand {
            v: wipe::COMMAND_VERSION,
            device_id: device.into(),
            enrollment_id: enrollment.into(),
            command_id: format!("cmd_test{}", now + not_before),
            // Signed now, or when its window opened if that is earlier.
            issued_at: now + not_before.min(0),
            not_before: now + not_before,
            expires_at: now + expires_at,
            scope: WipeScope::All,
            reason: WipeReason::Lost,
            signed_by: None,
        },
    )
    .unwrap()
}

#[test]
fn every_bad_wipe_command_is_refused_with_its_own_reason_and_nothing_is_wiped() {
    let s = Setup::new();
    s.enroll();
    let contact = s.patient_with_contact();
    let status = json(&s.profile, &["status"]);
    let device = status["device_id"].as_str().unwrap().to_owned();
    let first_enrollment = status["enrollment_id"].as_str().unwrap().to_owned();
    let good = s.issue("all");

    refused(&s, &changed(&good, 2), "bad_signature", "is not signed by this device's organisation");
    refused(&s, &changed(&good, 3), "bad_signature", "is not signed by this device's organisation");
    refused(&s, &good[..good.len() - 12], "malformed", "is damaged, truncated or not a wipe command");
    refused(&s, &good[..good.len() / 2], "malformed", "is damaged, truncated or not a wipe command");
    refused(&s, "bm90IGEgd2lwZSBjb21tYW5k+/aGVsbG8=", "malformed", "is damaged, truncated or not a wipe command");
    refused(&s, &good.replacen("tv1.", "tv2.", 1), "unsupported_version", "in a format this app does not know");
    // A megabyte, in a file (an argument that long does not fit a command line), and 100 kB as text.
    let huge = s.it.join("huge.txt");
    std::fs::write(&huge, format!("tv1.wipe.{}.{}", "A".repeat(1 << 20), "B".repeat(86))).unwrap();
    refused(&s, huge.to_str().unwrap(), "malformed", "is damaged, truncated or not a wipe command");
    refused(&s, &format!("tv1.wipe.{}.x", "A".repeat(100_000)), "malformed", "is damaged");
    // Signed by another organisation.
    let other = Setup::new();
    refused(&s, &other.issue_for(&device, &first_enrollment, "all"), "bad_signature", "not signed");
    refused(
        &s,
        &s.issue_for("dev_000000000000000000000000", &first_enrollment, "all"),
        "other_device",
        "is for another device",
    );
    refused(&s, &expiring(&s, &device, &first_enrollment, -30 * 86_400, -86_400), "expired", "has expired");
    refused(&s, &expiring(&s, &device, &first_enrollment, 86_400, 2 * 86_400), "not_yet_valid", "is not valid yet");
    // A command for another enrollment of this device (one a wipe closed) is refused.
    refused(
        &s,
        &s.issue_for(&device, "enr_000000000000000000000000", "all"),
        "older_enrollment",
        "is for an earlier enrollment of this device",
    );
    // Enrolled again with the same organisation: the command issued before is still valid
    // (checked without carrying it out: nothing above was wiped).
    s.enroll();
    assert!(contact.exists(), "nothing was wiped");

    // In JSON too.
    let out = run(&s.profile, &["--json", "wipe", "apply", "garbage"]);
    assert_eq!(out.code, Some(3));
    let refusal: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(refusal["applied"], false);
    assert_eq!(refusal["refused"], "malformed");

    // Nothing was wiped: the store opens and checks out, the patient and the contact are there.
    assert!(ok(&s.profile, &["check"]).contains("chain: intact"));
    assert_eq!(json(&s.profile, &["patient", "list"]).as_array().unwrap().len(), 1);
    assert!(contact.exists());
    assert!(s.secret("televisit.data-key.v1").exists());
    assert!(!s.secret(wipe::PENDING).exists());
    let status = json(&s.profile, &["status"]);
    assert_eq!(status["enrolled"], true);
    assert_eq!(status["pending_wipe"], false);
    // Each refusal is logged, by its reason code only.
    let log = json(&s.profile, &["log", "list", "--kind", "wipe_refused"]);
    let reasons: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["detail"]["reason"].as_str().unwrap()).collect();
    assert_eq!(
        reasons,
        [
            "bad_signature",
            "bad_signature",
            "malformed",
            "malformed",
            "malformed",
            "unsupported_version",
            "malformed",
            "malformed",
            "bad_signature",
            "other_device",
            "expired",
            "not_yet_valid",
            "older_enrollment",
            "malformed"
        ]
    );
}

#[test]
fn a_replayed_command_is_refused_after_success() {
    let s = Setup::new();
    s.enroll();
    let contact = s.patient_with_contact();
    let command = s.issue("contacts");
    let out = ok(&s.profile, &["wipe", "apply", &command]);
    assert!(out.contains("carried out (scope contacts, reason lost)"), "{out}");
    assert!(out.contains("patient contacts deleted 1"), "{out}");
    assert!(!contact.exists());

    refused(&s, &command, "replayed", "the wipe command was already carried out");
    // A contacts wipe keeps the store and the enrollment.
    assert_eq!(json(&s.profile, &["patient", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(json(&s.profile, &["status"])["enrolled"], true);
    assert!(ok(&s.profile, &["check"]).contains("chain: intact"));
}

/// Every file under `dir`, recursively (the secrets folder among them).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_full_wipe_leaves_no_key_name_or_number_and_its_receipt_verifies() {
    let s = Setup::new();
    s.enroll();
    let contact = s.patient_with_contact();
    let id = json(&s.profile, &["patient", "list"])[0]["id"].as_str().unwrap().to_owned();
    ok(&s.profile, &["consent", "record", &id, "--method", "verbal"]);
    let key = json(&s.profile, &["status"])["device_key"].as_str().unwrap().to_owned();
    let data_key = std::fs::read(s.secret("televisit.data-key.v1")).unwrap();
    assert_eq!(data_key.len(), 48, "the key and the database's salt");
    let command = s.issue("all");

    let out = ok(&s.profile, &["wipe", "apply", &command]);
    assert!(out.contains("carried out (scope all, reason lost)"), "{out}");
    assert!(out.contains("data key destroyed 1, patient contacts deleted 1, database files removed"), "{out}");
    assert!(out.contains("on the desktop this output is the channel to IT"), "{out}");
    let receipt = receipt_of(&out);
    assert!(!contact.exists());

    // Every byte of every file left: no data key, no name, no number.
    let needles: Vec<(&str, Vec<u8>)> = vec![
        ("the data key", data_key.clone()),
        ("the key without its salt", data_key[..32].to_vec()),
        ("the key in hex", hex::encode(&data_key).into_bytes()),
        ("the key in HEX", hex::encode_upper(&data_key).into_bytes()),
        ("the given name", GIVEN.as_bytes().to_vec()),
        ("the family name", FAMILY.as_bytes().to_vec()),
        ("the phone", PHONE_DIGITS.as_bytes().to_vec()),
        ("the phone as typed", PHONE.as_bytes().to_vec()),
    ];
    let left = files_under(&s.profile);
    for file in &left {
        let bytes = std::fs::read(file).unwrap();
        for (what, needle) in &needles {
            assert!(!contains(&bytes, needle), "{} holds {what}", file.display());
        }
    }
    let names = || -> Vec<String> {
        files_under(&s.profile).iter().map(|f| f.strip_prefix(&s.profile).unwrap().display().to_string()).collect()
    };
    assert_eq!(
        names(),
        [
            "secrets/televisit.checkin.v1",
            "secrets/televisit.device-key.v1",
            "secrets/televisit.enrollment.v1",
            "secrets/televisit.signed-high.v1",
            "secrets/televisit.time-high-water.v1",
            "secrets/televisit.wipe-pending.v1",
            "secrets/televisit.wipe-receipt.v1",
            "secrets/televisit.wipe-seen.v1",
        ],
        "the ids of the commands carried out, the clock's marks, and until IT confirms the receipt: the receipt, \
         its marker, and the device key and enrollment that sign and name it"
    );

    // IT checks the receipt against the key recorded at enrollment (written with '=').
    let checked = admin(&s.it, &["wipe", "verify-receipt", &receipt, &format!("--device-key={key}")]);
    assert_eq!(checked.code, Some(0), "{}", checked.stderr);
    assert!(checked.stdout.contains("valid receipt") && checked.stdout.contains("the enrolled device's key"));
    let other_key = SigningKey::generate().unwrap().0.public_key();
    let wrong = admin(&s.it, &["wipe", "verify-receipt", &receipt, &format!("--device-key={other_key}")]);
    assert_eq!(wrong.code, Some(3));

    // The same command again: refused as a replay, and no store is made to refuse it.
    refused(&s, &command, "replayed", "already carried out");
    assert_eq!(names().len(), 8, "nothing new");

    // Printed is not received: `status --report` hands the receipt on again with the report,
    // until IT's bulletin confirms it.
    let status = ok(&s.profile, &["status"]);
    assert!(status.contains("wipe receipt:") && status.contains("held until IT's bulletin confirms it"), "{status}");
    let again = json(&s.profile, &["status", "--report"]);
    assert_eq!(again["receipt"].as_str(), Some(receipt.as_str()));
    std::fs::write(s.it.join("published.txt"), format!("{}\n{}\n", again["report"].as_str().unwrap(), receipt))
        .unwrap();
    let imported = admin(&s.it, &["devices", "import", "--org", "org", "published.txt"]);
    assert_eq!(imported.code, Some(0), "{} {}", imported.stdout, imported.stderr);
    std::fs::write(s.it.join("bulletin.txt"), admin_ok(&s.it, &["bulletin", "sign", "--org", "org"])).unwrap();
    let bulletin = s.it.join("bulletin.txt");
    let applied = ok(&s.profile, &["bulletin", "apply", bulletin.to_str().unwrap()]);
    assert!(applied.contains("it confirms IT holds the receipt of wipe cmd_"), "{applied}");
    for gone in ["televisit.device-key.v1", "televisit.enrollment.v1", wipe::PENDING, wipe::RECEIPT] {
        assert!(!s.secret(gone).exists(), "{gone} outlived IT's confirmation");
    }
    assert_eq!(json(&s.profile, &["status"])["enrolled"], false, "a wiped device starts again as new");
    assert!(json(&s.profile, &["status"])["receipt_held"].is_null());
}

/// The desktop's secret store as the shell keeps it (one file a secret in `secrets/`), for the
/// core called in this process.
struct Folder(PathBuf);

impl SecretStore for Folder {
    fn put(&self, name: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(self.0.join(name))
            .map_err(|e| SecretStoreError { reason: e.to_string() })?;
        file.write_all(value).map_err(|e| SecretStoreError { reason: e.to_string() })
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        match std::fs::read(self.0.join(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SecretStoreError { reason: e.to_string() }),
        }
    }

    fn delete(&self, name: &str) -> Result<(), SecretStoreError> {
        match std::fs::remove_file(self.0.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(SecretStoreError { reason: e.to_string() }),
            _ => Ok(()),
        }
    }
}

#[test]
fn a_wipe_left_pending_is_finished_at_the_next_start() {
    let s = Setup::new();
    s.enroll();
    let contact = s.patient_with_contact();
    let key = json(&s.profile, &["status"])["device_key"].as_str().unwrap().to_owned();
    let command = s.issue("all");
    // What `wipe apply` does before it is killed: the command verified, the marker written.
    let secrets = Folder(s.profile.join("secrets"));
    let tv =
        Televisit::open(&s.profile.join("televisit.db"), &secrets, Arc::new(SystemClock), &StoreOptions::default())
            .unwrap();
    tv.receive_wipe(&secrets, &command).unwrap();
    drop(tv);
    assert!(s.secret(wipe::PENDING).exists() && contact.exists() && s.profile.join("televisit.db").exists());

    // The next start, whatever the command, finishes it first and prints the receipt.
    let out = ok(&s.profile, &["--json", "patient", "list"]);
    let documents: Vec<Value> =
        serde_json::Deserializer::from_str(&out).into_iter::<Value>().collect::<Result<_, _>>().unwrap();
    assert_eq!(documents.len(), 2, "{out}");
    assert_eq!(documents[0]["wipe"], "pending_finished");
    assert_eq!(documents[0]["scope"], "all");
    let steps: Vec<&str> =
        documents[0]["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["destroy_key", "delete_contacts", "delete_files"]);
    assert_eq!(documents[1], serde_json::json!([]), "the command then runs on a fresh store");
    let receipt = documents[0]["receipt"].as_str().unwrap();
    let checked = admin(&s.it, &["wipe", "verify-receipt", receipt, &format!("--device-key={key}")]);
    assert_eq!(checked.code, Some(0), "{}", checked.stderr);
    assert!(!contact.exists());
    // Finished once: the start after that has nothing to finish (the receipt stays held for IT).
    assert_eq!(ok(&s.profile, &["--json", "patient", "list"]).trim(), "[]");
    assert!(s.secret(wipe::RECEIPT).exists());
    assert_eq!(json(&s.profile, &["status"])["receipt_held"].as_str(), documents[0]["command_id"].as_str());
}

#[test]
fn a_receipt_that_could_not_be_printed_is_kept_and_shown_with_the_report() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full to make the output fail");
        return;
    };
    let s = Setup::new();
    let key = s.enroll()["device_key"].as_str().unwrap().to_owned();
    let command = s.issue("all");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("televisit"))
        .arg("--profile")
        .arg(&s.profile)
        .args(["wipe", "apply", &command])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("could not be written to the output") && err.contains("status --report"), "{err}");
    assert!(s.secret(wipe::RECEIPT).exists(), "the receipt is kept until IT confirms it");
    assert!(!s.profile.join("televisit.db").exists(), "the wipe itself is done");

    let out = ok(&s.profile, &["status", "--report"]);
    assert!(out.contains("a wipe receipt IT has not yet confirmed (cmd_"), "{out}");
    let receipt = out.lines().find(|l| l.starts_with("tv1.receipt.")).unwrap();
    let checked = admin(&s.it, &["wipe", "verify-receipt", receipt, &format!("--device-key={key}")]);
    assert_eq!(checked.code, Some(0), "{}", checked.stderr);
    assert!(s.secret(wipe::RECEIPT).exists(), "shown is not received either");
}

#[test]
fn a_compromised_device_wipes_itself_when_the_policy_says_so() {
    let s = Setup::with_policy(|p| p.wipe_triggers.rooted_device = televisit_core::policy::RootedDeviceAction::Wipe);
    let key = s.enroll()["device_key"].as_str().unwrap().to_owned();
    let contact = s.patient_with_contact();
    let out = ok(&s.profile, &["status", "--compromised"]);
    assert!(out.contains("WIPE: device_compromised"), "{out}");
    assert!(out.contains("this device wiped itself: a local trigger (device_compromised)"), "{out}");
    // Without the device's pinned key, IT's tool refuses to call a receipt valid.
    let unpinned = admin(&s.it, &["wipe", "verify-receipt", &receipt_of(&out)]);
    assert_ne!(unpinned.code, Some(0));
    assert!(unpinned.stderr.contains("--device-key"), "{}", unpinned.stderr);
    // A base64url key may begin with `-`: it is the option's value, not a usage error.
    let dashed = admin(&s.it, &["wipe", "verify-receipt", &receipt_of(&out), "--device-key", "-bAAAA"]);
    assert_eq!(dashed.code, Some(3), "checked against that key, not refused as usage: {}", dashed.stderr);
    assert!(dashed.stderr.contains("not signed by the expected key"), "{}", dashed.stderr);
    let checked = admin(&s.it, &["--json", "wipe", "verify-receipt", &receipt_of(&out), "--device-key", &key]);
    assert_eq!(checked.code, Some(0), "{}", checked.stderr);
    let receipt: Value = serde_json::from_str(&checked.stdout).unwrap();
    assert_eq!(receipt["receipt"]["reason"], "local_trigger");
    assert!(!contact.exists() && !s.profile.join("televisit.db").exists());
    assert!(!s.secret("televisit.data-key.v1").exists());
}

#[test]
fn log_exports_are_sealed_to_the_organisation_archived_by_it_and_continue_each_other() {
    let s = Setup::new();
    let file = s.it.join("export.age");
    let out = run(&s.profile, &["log", "export", "--out", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("not enrolled"), "{}", out.stderr);
    assert!(!file.exists());

    s.enroll();
    s.patient_with_contact();
    let export = json(&s.profile, &["log", "export", "--out", file.to_str().unwrap()]);
    let entries = export["entries"].as_u64().unwrap();
    assert_eq!(export["org"], "North Clinic");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let sealed = std::fs::read(&file).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
    assert!(!contains(&sealed, GIVEN.as_bytes()) && !contains(&sealed, b"pt_"));
    // IT pins the device's key from its report, then archives and opens the export.
    let report = json(&s.profile, &["status", "--report"])["report"].as_str().unwrap().to_owned();
    std::fs::write(s.it.join("report.txt"), &report).unwrap();
    admin_ok(&s.it, &["devices", "import", "--org", "org", "report.txt"]);
    let archived = admin_ok(&s.it, &["log", "import", "--org", "org", "export.age"]);
    assert!(archived.contains(&format!("entries 1 to {entries} ({entries} entries)")), "{archived}");
    let opened = admin_ok(&s.it, &["log", "open", "export.age", "--org", "org"]);
    assert!(opened.contains(&format!("the checkpoint at seq {entries}")), "{opened}");
    assert!(!opened.contains(GIVEN) && !opened.contains(PHONE_DIGITS), "{opened}");
    let opened: Value =
        serde_json::from_str(&admin_ok(&s.it, &["--json", "log", "open", "export.age", "--org", "org"])).unwrap();
    let kinds: Vec<&str> =
        opened["export"]["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.len() as u64, entries);
    assert_eq!(kinds.first(), Some(&"store_created"));
    assert_eq!(kinds.last(), Some(&"export_made"));
    assert!(kinds.contains(&"enrolled") && kinds.contains(&"patient_added"));
    // The next bulletin confirms it; the next export starts after it and continues it.
    let bulletin: Value =
        serde_json::from_str(&admin_ok(&s.it, &["--json", "bulletin", "sign", "--org", "org"])).unwrap();
    ok(&s.profile, &["bulletin", "apply", bulletin["bulletin"].as_str().unwrap()]);
    let second = json(&s.profile, &["log", "export", "--out", s.it.join("second.age").to_str().unwrap()]);
    assert_eq!(second["first_seq"].as_u64(), Some(entries + 1), "{second}");
    assert_eq!(second["whole"], false);
    let archived = admin_ok(&s.it, &["log", "import", "--org", "org", "second.age"]);
    assert!(archived.contains(&format!("entries {} to", entries + 1)), "{archived}");
    let text = ok(&s.profile, &["log", "export", "--all", "--out", s.it.join("whole.age").to_str().unwrap()]);
    assert!(text.contains("sealed export of log entries 1 to") && text.contains("every entry the log holds"), "{text}");
    assert!(text.contains("IT archives it with: televisit-admin log import"), "{text}");
    admin_ok(&s.it, &["log", "import", "--org", "org", "whole.age"]);
    assert!(admin_ok(&s.it, &["log", "verify-archive", "--org", "org"]).contains("the archive is intact"));

    // Never written over a file.
    let out = run(&s.profile, &["log", "export", "--out", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert_eq!(std::fs::read(&file).unwrap(), sealed);
}

#[test]
fn wipe_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["wipe", "apply"]);
    assert_eq!(out.code, Some(2));
    let out = run(dir.path(), &["wipe", "apply", "x", "y"]);
    assert_eq!(out.code, Some(2));
    // Not enrolled: any command is refused, and no store is made to refuse it.
    refused(
        &Setup { _temp: tempfile::tempdir().unwrap(), it: dir.path().into(), profile: dir.path().join("p") },
        "tv1.wipe.e30.AAAA",
        "malformed",
        "damaged",
    );
    assert!(!dir.path().join("p/televisit.db").exists());
}

#[test]
fn managed_configuration_enrolls_once_refuses_garbage_by_key_and_wipes() {
    let s = Setup::new();
    let config = s.it.join("managed.json");
    let code = std::fs::read_to_string(s.code()).unwrap();
    let write = |value: serde_json::Value| std::fs::write(&config, value.to_string()).unwrap();
    let apply = || run(&s.profile, &["--json", "managed", config.to_str().unwrap()]);

    write(serde_json::json!({"enrollment_code": code, "unrelated_key": 7}));
    let first = apply();
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let first: Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(first["report"]["enrollment"]["outcome"], "applied");
    assert_eq!(first["report"]["policy"]["outcome"], "not_set");
    let enrollment = json(&s.profile, &["status"])["enrollment_id"].clone();

    let again: Value = serde_json::from_str(&apply().stdout).unwrap();
    assert_eq!(again["report"]["enrollment"]["outcome"], "unchanged");
    assert_eq!(json(&s.profile, &["status"])["enrollment_id"], enrollment, "not enrolled again");

    // Garbage, and a value of the wrong type: each refused by its key, nothing echoed.
    write(serde_json::json!({"enrollment_code": code, "signed_policy": "Philippa +14155550132", "wipe_command": 42}));
    let refused = apply();
    assert_eq!(refused.code, Some(3));
    let body: Value = serde_json::from_str(&refused.stdout).unwrap();
    assert_eq!(body["report"]["policy"]["code"], "invalid");
    let problems = body["problems"].to_string();
    assert!(problems.contains("wipe_command: the value is not text"), "{problems}");
    assert!(!problems.contains("Philippa") && !problems.contains(PHONE_DIGITS));
    assert!(!refused.stderr.contains("Philippa") && !refused.stderr.contains(PHONE_DIGITS), "{}", refused.stderr);

    // A real wipe command through MDM: carried out, with the receipt handed on.
    s.patient_with_contact();
    write(serde_json::json!({"enrollment_code": code, "wipe_command": s.issue("all")}));
    let wiped = run(&s.profile, &["managed", config.to_str().unwrap()]);
    assert_eq!(wiped.code, Some(0), "{}", wiped.stderr);
    assert!(wiped.stdout.contains("applied: wipe command cmd_"), "{}", wiped.stdout);
    receipt_of(&wiped.stdout);
    assert!(!s.profile.join("televisit.db").exists());
}
