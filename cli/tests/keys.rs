//! Issue 31, the compromise drills through the desktop shell and `televisit-admin`, with real key
//! files: the organisation splits its one key into an offline root, a bulletin key for the cron
//! host, a policy key and a wipe key per admin; then a key is stolen, an admin leaves, the root
//! rotates, and phones that missed it all catch up.

mod common;

use common::{admin, json, run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use televisit_protocol::bulletin::{self, Bulletin, BULLETIN_VERSION};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::keyset::{self, Signer};
use televisit_protocol::wipe::{self, WipeCommand, WipeReason, WipeScope, COMMAND_VERSION};

struct Hospital {
    _temp: tempfile::TempDir,
    /// IT's folder: `org/` is the vault's copy (the root key), the `.pk8` files each holder's.
    it: PathBuf,
    /// Two phones: one checks in at every bulletin, one sits in a drawer through it all.
    desk: PathBuf,
    drawer: PathBuf,
}

fn it_ok(dir: &Path, args: &[&str]) -> String {
    let out = admin(dir, args);
    assert_eq!(out.code, Some(0), "televisit-admin {args:?}: {}", out.stderr);
    out.stdout
}

fn it_json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&it_ok(dir, &[&["--json"], args].concat())).unwrap()
}

fn it_refused(dir: &Path, args: &[&str]) -> String {
    let out = admin(dir, args);
    assert_eq!(out.code, Some(1), "televisit-admin {args:?} was not refused: {}", out.stdout);
    out.stderr
}

fn key(path: &Path) -> SigningKey {
    SigningKey::from_pkcs8(&std::fs::read(path).unwrap()).unwrap()
}

impl Hospital {
    /// An organisation as `org init` makes it, and two phones enrolled with its code.
    fn new() -> Hospital {
        let temp = tempfile::tempdir().unwrap();
        let it = temp.path().join("it");
        std::fs::create_dir(&it).unwrap();
        it_ok(&it, &["org", "init", "--org", "org", "--name", "North Clinic"]);
        std::fs::write(it.join("policy.json"), r#"{"version": 2, "organisation": "North Clinic"}"#).unwrap();
        let signed = it_ok(&it, &["policy", "sign", "policy.json", "--org", "org"]);
        std::fs::write(it.join("policy.signed"), signed.trim()).unwrap();
        let code = it_ok(&it, &["enroll-code", "--org", "org", "--policy", "policy.signed"]);
        let h = Hospital { desk: temp.path().join("desk"), drawer: temp.path().join("drawer"), it, _temp: temp };
        for phone in [&h.desk, &h.drawer] {
            json(phone, &["enroll", code.trim()]);
        }
        h
    }

    fn path(&self, name: &str) -> String {
        self.it.join(name).display().to_string()
    }

    /// The cron host's run; the bulletin's text, kept in a file named `name`.
    fn bulletin(&self, name: &str) -> (Value, String) {
        let signed = it_json(&self.it, &["bulletin", "sign", "--org", "org", "--key", "cron.pk8"]);
        let path = self.path(name);
        std::fs::write(&path, signed["bulletin"].as_str().unwrap()).unwrap();
        (signed, path)
    }

    fn ids(&self, phone: &Path) -> (String, String) {
        let status = json(phone, &["status"]);
        (status["device_id"].as_str().unwrap().to_owned(), status["enrollment_id"].as_str().unwrap().to_owned())
    }

    /// `wipe issue --unlisted` for `phone`, signed with `key_file`, as it ran.
    fn issue(&self, phone: &Path, before: &[&str], key_file: &str) -> common::Run {
        let (device, enrollment) = self.ids(phone);
        let mut args = before.to_vec();
        args.extend(["wipe", "issue", "--org", "org", "--unlisted", "--device", &device, "--enrollment", &enrollment]);
        args.extend(["--key", key_file]);
        admin(&self.it, &args)
    }

    /// `wipe issue --unlisted` for `phone`, signed with `key_file`.
    fn wipe(&self, phone: &Path, key_file: &str) -> String {
        let out = self.issue(phone, &["--json"], key_file);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        serde_json::from_str::<Value>(&out.stdout).unwrap()["command"].as_str().unwrap().to_owned()
    }

    fn key_set_version(&self, phone: &Path) -> u64 {
        json(phone, &["status"])["key_set"]["version"].as_u64().unwrap()
    }

    /// Splits the one key: key set versions 1 to 5.
    fn split(&self) {
        it_ok(&self.it, &["keys", "rotate-bulletin", "--org", "org", "--out", "cron.pk8"]);
        it_ok(&self.it, &["keys", "add", "policy", "--roles", "policy,enroll", "--org", "org", "--out", "policy.pk8"]);
        it_ok(&self.it, &["keys", "add-admin", "alice", "--org", "org", "--out", "alice.pk8"]);
        it_ok(&self.it, &["keys", "add-admin", "bob", "--org", "org", "--out", "bob.pk8"]);
        it_ok(&self.it, &["keys", "revoke", "org", "--org", "org"]);
    }
}

#[test]
fn an_organisation_splits_its_key_and_a_stolen_bulletin_key_cannot_wipe_or_change_policy() {
    let h = Hospital::new();
    h.split();
    let shown = it_json(&h.it, &["keys", "show", "--org", "org"]);
    assert_eq!(shown["version"], 5);
    let names: Vec<&str> =
        shown["key_set"]["keys"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["bulletin", "policy", "alice", "bob"], "the org key is the root only now");
    for secret in ["cron.pk8", "alice.pk8"] {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(h.it.join(secret)).unwrap().permissions().mode() & 0o777, 0o600, "{secret}");
    }
    // The phone takes the set from the cron host's bulletin, and says so.
    let (signed, bulletin) = h.bulletin("b1.txt");
    assert_eq!(signed["signed_by"], "bulletin");
    let applied = json(&h.desk, &["bulletin", "apply", &bulletin]);
    assert_eq!((applied["in_touch"].as_bool(), applied["key_set"].as_u64()), (Some(true), Some(5)));
    let status = run(&h.desk, &["status"]).stdout;
    assert!(
        status.contains("IT's keys:") && status.contains("alice: wipe") && status.contains("version 5"),
        "{status}"
    );
    // Each phone's report says which set it holds; IT sees the one in the drawer behind.
    for (phone, name) in [(&h.desk, "desk.txt"), (&h.drawer, "drawer.txt")] {
        let report = json(phone, &["status", "--report"])["report"].as_str().unwrap().to_owned();
        std::fs::write(h.it.join(name), report).unwrap();
        it_ok(&h.it, &["devices", "import", "--org", "org", name]);
    }
    let (desk, _) = h.ids(&h.desk);
    let (drawer, _) = h.ids(&h.drawer);
    assert!(it_ok(&h.it, &["devices", "show", "--org", "org", &desk]).contains("key set: version 5, the newest"));
    let behind = it_ok(&h.it, &["devices", "show", "--org", "org", &drawer]);
    assert!(behind.contains("key set: version 0, behind the organisation's 5"), "{behind}");

    // The policy the org key signed is now refused, by IT's tool as by the phones: IT signs it
    // again with the policy key (and the enrollment code with it).
    let err = it_refused(&h.it, &["enroll-code", "--org", "org", "--policy", "policy.signed"]);
    assert!(err.contains("does not hold"), "{err}");
    let resigned = it_ok(&h.it, &["policy", "sign", "policy.json", "--org", "org", "--key", "policy.pk8"]);
    std::fs::write(h.it.join("policy.signed"), resigned.trim()).unwrap();
    let code = it_json(&h.it, &["enroll-code", "--org", "org", "--policy", "policy.signed", "--key", "policy.pk8"]);
    // It carries the key set now: longer, and still far within what an MDM value holds.
    assert!(code["code"].as_str().unwrap().len() < 8_000, "{}", code["length"]);
    // The cron host's key is stolen. IT's tool will not sign a policy, a code or a wipe with it …
    for args in [
        &["policy", "sign", "policy.json", "--org", "org", "--key", "cron.pk8"][..],
        &["enroll-code", "--org", "org", "--policy", "policy.signed", "--key", "cron.pk8"],
    ] {
        let err = it_refused(&h.it, args);
        assert!(err.contains("the key bulletin signs bulletin only"), "{err}");
    }
    let refused = h.issue(&h.desk, &[], "cron.pk8");
    let (device, enrollment) = h.ids(&h.desk);
    assert_eq!(refused.code, Some(1), "{}", refused.stdout);
    let err = refused.stderr;
    assert!(err.contains("not a wipe"), "{err}");
    // … and the phone refuses what the thief signs with it by hand.
    let thief = Signer { key: key(&h.it.join("cron.pk8")), name: Some("bulletin".into()) };
    let now = chrono::Utc::now().timestamp();
    let command = WipeCommand {
        v: COMMAND_VERSION,
        device_id: device.clone(),
        enrollment_id: enrollment.clone(),
        command_id: "cmd_00000000000000000000f0f0".into(),
        issued_at: now,
        not_before: now - 60,
        expires_at: now + 86_400,
        scope: WipeScope::All,
        reason: WipeReason::Stolen,
        signed_by: Some("bulletin".into()),
    };
    let forged = wipe::issue(&thief, &command).unwrap();
    let out = run(&h.desk, &["wipe", "apply", &forged]);
    assert_eq!(out.code, Some(3), "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("(signer_not_allowed)"), "{}", out.stderr);
    let policy = televisit_protocol::Policy { version: 9, organisation: "North Clinic".into(), ..Default::default() };
    let signed_policy = televisit_protocol::enrollment::sign_policy(&thief, &policy, now).unwrap();
    let out = run(&h.desk, &["policy", "apply", &signed_policy]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("role does not allow"), "{}", out.stderr);
    assert_eq!(json(&h.desk, &["status"])["policy_version"], 2);
    // A bulletin it signs keeps the phone in touch, valid two days at most.
    let err = it_refused(&h.it, &["bulletin", "sign", "--org", "org", "--key", "cron.pk8", "--valid", "72h"]);
    assert!(err.contains("at most 48 hours"), "{err}");
    // An admin's key does wipe, and the ledger and the phone's log name the admin.
    let alices = h.wipe(&h.desk, "alice.pk8");
    let status = it_ok(&h.it, &["wipe", "status", "--org", "org", "--pending"]);
    assert!(status.contains("alice"), "{status}");
    let (_, with_wipe) = h.bulletin("b2.txt");
    let applied = run(&h.desk, &["--json", "bulletin", "apply", &with_wipe]);
    assert_eq!(applied.code, Some(0), "{}", applied.stderr);
    assert!(
        applied.stdout.contains(&televisit_protocol::wipe::claimed_command_id(&alices).unwrap()),
        "{}",
        applied.stdout
    );
    let log = json(&h.drawer, &["status"]);
    assert_eq!(log["enrolled"], true, "the drawer phone is untouched");
}

#[test]
fn a_revoked_admins_wipe_is_refused_and_a_rotated_root_is_followed_by_a_phone_that_missed_it_all() {
    let h = Hospital::new();
    h.split();
    let (_, first) = h.bulletin("b1.txt");
    json(&h.desk, &["bulletin", "apply", &first]);
    // Bob signs a wipe, then leaves; IT revokes his key.
    let bobs = h.wipe(&h.desk, "bob.pk8");
    // Alice wiped the drawer phone by mistake, and Bob took it back: his signature is what
    // phones take the cancellation on. Revoking him says so; Alice signs it again.
    let mistaken = televisit_protocol::wipe::claimed_command_id(&h.wipe(&h.drawer, "alice.pk8")).unwrap();
    it_ok(&h.it, &["wipe", "cancel", "--org", "org", &mistaken, "--key", "bob.pk8"]);
    let revoked = admin(&h.it, &["keys", "revoke", "bob", "--org", "org"]);
    assert_eq!(revoked.code, Some(0), "{}", revoked.stderr);
    assert!(
        revoked.stderr.contains("signed 1 cancellation(s) still in force") && revoked.stderr.contains(&mistaken),
        "{}",
        revoked.stderr
    );
    it_ok(&h.it, &["wipe", "cancel", "--org", "org", &mistaken, "--key", "alice.pk8"]);
    let out = admin(&h.it, &["--json", "bulletin", "sign", "--org", "org", "--key", "cron.pk8"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("left out") && out.stderr.contains("no longer trusts"), "{}", out.stderr);
    let signed: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(signed["wipes"], serde_json::json!([]), "IT's own tool leaves it out");
    let status = it_json(&h.it, &["wipe", "status", "--org", "org", "--pending"]);
    assert!(status["hints"].to_string().contains("phones refuse it"), "{status}");
    std::fs::write(h.it.join("b2.txt"), signed["bulletin"].as_str().unwrap()).unwrap();
    let org = televisit_admin::org::load(&h.it.join("org")).unwrap();
    let opened = bulletin::open(signed["bulletin"].as_str().unwrap(), &org.keys).unwrap().bulletin;
    assert_eq!(opened.cancellations(&org.keys), (vec![mistaken.clone()], 0), "alice's signature, which holds");
    let status = it_ok(&h.it, &["wipe", "status", "--org", "org", "--cancelled"]);
    assert!(status.contains(&mistaken) && status.contains("alice"), "{status}");
    json(&h.desk, &["bulletin", "apply", &h.path("b2.txt")]);
    assert_eq!(h.key_set_version(&h.desk), 6);
    // Delivered anyway (the MDM still had it): the phone holding the newer set refuses it.
    let out = run(&h.desk, &["wipe", "apply", &bobs]);
    assert_eq!(out.code, Some(3), "{}", out.stdout);
    assert!(out.stderr.contains("(unknown_signer)") && out.stderr.contains("nothing was wiped"), "{}", out.stderr);
    let log = json(&h.desk, &["log", "list", "--kind", "wipe_refused"]);
    assert!(log.to_string().contains("unknown_signer"), "{log}");

    // The drawer phone, still at the legacy set, gets the revocation and Bob's wipe in one
    // bulletin (signed by the cron key, which carries any admin's entry as it is).
    let (device, enrollment) = h.ids(&h.drawer);
    let bob = Signer { key: key(&h.it.join("bob.pk8")), name: Some("bob".into()) };
    let now = chrono::Utc::now().timestamp();
    let command = WipeCommand {
        v: COMMAND_VERSION,
        device_id: device,
        enrollment_id: enrollment,
        command_id: "cmd_00000000000000000000b0b0".into(),
        issued_at: now - 3600,
        not_before: now - 3660,
        expires_at: now + 86_400,
        scope: WipeScope::All,
        reason: WipeReason::Left,
        signed_by: Some("bob".into()),
    };
    let set_before = televisit_admin::org::load(&h.it.join("org")).unwrap();
    let mut v5 = set_before.keys.clone();
    v5.version = 5;
    v5.keys.push(televisit_protocol::keyset::RoleKey {
        name: "bob".into(),
        key: bob.key.public_key(),
        roles: vec![televisit_protocol::keyset::Role::Wipe],
        expires_at: now + 86_400,
    });
    let entry = bulletin::FleetWipe::from_command(&wipe::issue(&bob, &command).unwrap(), &v5).unwrap();
    let cron = Signer { key: key(&h.it.join("cron.pk8")), name: Some("bulletin".into()) };
    let made = Bulletin {
        v: BULLETIN_VERSION,
        bulletin_id: "blt_0000000000000000000000b0".into(),
        issued_at: now,
        expires_at: now + 86_400,
        signed_by: Some("bulletin".into()),
        keys: set_before.links().unwrap(),
        wipes: vec![entry],
        logs: Default::default(),
        receipts: Default::default(),
        cancelled: Vec::new(),
    };
    std::fs::write(h.it.join("b3.txt"), bulletin::sign(&cron, &made).unwrap()).unwrap();
    let applied = json(&h.drawer, &["bulletin", "apply", &h.path("b3.txt")]);
    assert_eq!(applied["key_set"], 6);
    assert_eq!(applied["wipe_refused"], "unknown_signer");
    assert_eq!(applied["wipe"], Value::Null);
    assert_eq!(json(&h.drawer, &["status"])["enrolled"], true, "nothing wiped");

    // The root moves to 2 of 3 new keys: signed by the old root and the new ones.
    let rotated = it_json(
        &h.it,
        &[
            "keys",
            "rotate-root",
            "--org",
            "org",
            "--new-root",
            "r1.pk8",
            "--new-root",
            "r2.pk8",
            "--new-root",
            "r3.pk8",
            "--threshold",
            "2",
        ],
    );
    assert_eq!((rotated["published"].as_bool(), rotated["version"].as_u64()), (Some(true), Some(7)));
    // The next change needs two of them: one run proposes, a second run on another machine approves.
    let err = it_refused(
        &h.it,
        &["keys", "add-admin", "carol", "--org", "org", "--out", "carol.pk8", "--root", "org/org-signing-key.pk8"],
    );
    assert!(err.contains("not one of the organisation's root keys"), "{err}");
    assert!(!h.it.join("carol.pk8").exists() || std::fs::remove_file(h.it.join("carol.pk8")).is_ok());
    let proposed =
        it_json(&h.it, &["keys", "add-admin", "carol", "--org", "org", "--out", "carol.pk8", "--root", "r1.pk8"]);
    assert_eq!((proposed["published"].as_bool(), proposed["missing_current_root"].as_u64()), (Some(false), Some(1)));
    // The second root holder is shown the change and its digest, and signs only that.
    let shown = it_ok(&h.it, &["keys", "show", "--org", "org"]);
    let digest = proposed["digest"].as_str().unwrap();
    assert!(shown.contains("waits for root signatures") && shown.contains(digest), "{shown}");
    assert!(shown.contains("+ carol (wipe) until"), "{shown}");
    let err =
        it_refused(&h.it, &["keys", "approve", "--org", "org", "--root", "r3.pk8", "--digest", "0000000000000000"]);
    assert!(err.contains("not the one reviewed"), "{err}");
    let approved = it_json(&h.it, &["keys", "approve", "--org", "org", "--root", "r3.pk8", "--digest", digest]);
    assert_eq!((approved["published"].as_bool(), approved["version"].as_u64()), (Some(true), Some(8)));
    // The old root alone cannot make a version 9, however it reaches a phone.
    let org = televisit_admin::org::load(&h.it.join("org")).unwrap();
    let mut v9 = org.keys.clone();
    v9.version = 9;
    v9.keys.retain(|k| k.name != "alice");
    let forged_link = keyset::sign(&v9, &[&key(&h.it.join("org/org-signing-key.pk8"))]).unwrap();
    let mut chain = org.links().unwrap();
    chain.push(forged_link);
    let made = Bulletin { bulletin_id: "blt_0000000000000000000000b9".into(), keys: chain, wipes: vec![], ..made };
    std::fs::write(h.it.join("b9.txt"), bulletin::sign(&cron, &made).unwrap()).unwrap();
    // The bulletin's own signer is in the set the phone holds: contact, and the link refused.
    let applied = json(&h.drawer, &["bulletin", "apply", &h.path("b9.txt")]);
    assert_eq!((applied["key_set_refused"].as_bool(), applied["in_touch"].as_bool()), (Some(true), Some(true)));
    assert_eq!(h.key_set_version(&h.drawer), 6, "nothing applied");
    let log = json(&h.drawer, &["log", "list", "--kind", "bulletin_applied"]);
    assert!(log.to_string().contains("key_set_refused"), "{log}");
    // The cron host's next bulletin takes both phones to version 8; an older one replayed
    // never takes them back.
    let (_, latest) = h.bulletin("b10.txt");
    for phone in [&h.desk, &h.drawer] {
        json(phone, &["bulletin", "apply", &latest]);
        assert_eq!(h.key_set_version(phone), 8);
    }
    let out = run(&h.desk, &["--json", "bulletin", "apply", &h.path("b2.txt")]);
    assert_eq!(h.key_set_version(&h.desk), 8, "{}{}", out.stdout, out.stderr);
}

#[test]
fn keys_expiring_soon_are_warned_of_and_bad_changes_are_refused_without_an_echo() {
    let h = Hospital::new();
    it_ok(&h.it, &["keys", "add-admin", "dave", "--org", "org", "--out", "dave.pk8", "--valid", "10d"]);
    let shown = it_ok(&h.it, &["keys", "show", "--org", "org"]);
    assert!(shown.contains("warning: the key dave (wipe) expires on"), "{shown}");
    let checked = it_json(&h.it, &["policy", "check", "policy.json", "--org", "org"]);
    assert!(checked["warnings"].to_string().contains("the key dave (wipe) expires on"), "{checked}");
    let out = h.issue(&h.desk, &["--json"], "dave.pk8");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("warning: the key dave expires on"), "{}", out.stderr);
    // Its 14 days would outlive Dave's key: it ends when the key does.
    assert!(
        out.stderr.contains("the wipe is valid until") && out.stderr.contains("when the key dave expires"),
        "{}",
        out.stderr
    );
    let issued: Value = serde_json::from_str(&out.stdout).unwrap();
    let dave = it_json(&h.it, &["keys", "show", "--org", "org"])["key_set"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "dave")
        .unwrap()["expires_at"]
        .as_i64()
        .unwrap();
    assert_eq!(issued["expires_at"].as_i64(), Some(dave));
    for (args, expected) in [
        (&["keys", "add-admin", "Susan Smith", "--org", "org", "--out", "x.pk8"][..], "a key's name"),
        (&["keys", "add-admin", "dave", "--org", "org", "--out", "y.pk8"], "already holds a key named dave"),
        (&["keys", "revoke", "susan", "--org", "org"], "holds no key of that name"),
        (&["keys", "revoke", "Susan Smith", "--org", "org"], "holds no key of that name"),
        (&["keys", "add", "cron", "--roles", "bulletin,wipe", "--org", "org", "--out", "z.pk8"], "bulletins only"),
        (&["keys", "add", "bulletin", "--roles", "wipe", "--org", "org", "--out", "z.pk8"], "the bulletin key's"),
        (&["keys", "rotate-root", "--org", "org", "--new-root", "n.pk8", "--new-root", "n.pk8"], "different file"),
        (&["keys", "rotate-root", "--org", "org", "--new-root", "n.pk8", "--threshold", "2"], "threshold"),
        (&["keys", "add-admin", "eve", "--org", "org", "--out", "dave.pk8"], "must not exist"),
        (&["keys", "approve", "--org", "org", "--root", "dave.pk8", "--digest", "0"], "no key set change waits"),
    ] {
        let err = it_refused(&h.it, args);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("Susan"), "{err}");
    }
    // A key file that is no key, and a key the set does not hold.
    std::fs::write(h.it.join("junk.pk8"), "Susan Smith").unwrap();
    let err = it_refused(&h.it, &["policy", "sign", "policy.json", "--org", "org", "--key", "junk.pk8"]);
    assert!(err.contains("not a Televisit key") && !err.contains("Susan Smith\n"), "{err}");
    let stranger = SigningKey::generate().unwrap().1;
    std::fs::write(h.it.join("stranger.pk8"), &stranger[..]).unwrap();
    let err = it_refused(&h.it, &["policy", "sign", "policy.json", "--org", "org", "--key", "stranger.pk8"]);
    assert!(err.contains("not in the organisation's key set"), "{err}");
    // The chain on disk edited by hand: every command refuses the folder.
    let first = h.it.join("org/keys/00001.keyset");
    let text = std::fs::read_to_string(&first).unwrap();
    // One character of the signed payload changed (the text's third part).
    let at = text.find(".keys.").unwrap() + ".keys.".len() + 20;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&first, bytes).unwrap();
    let err = it_refused(&h.it, &["keys", "show", "--org", "org"]);
    assert!(err.contains("00001.keyset"), "{err}");
}

#[test]
fn the_export_recipient_rotates_and_it_opens_old_and_new_exports() {
    let h = Hospital::new();
    let report = json(&h.desk, &["status", "--report"])["report"].as_str().unwrap().to_owned();
    std::fs::write(h.it.join("report.txt"), report).unwrap();
    it_ok(&h.it, &["devices", "import", "--org", "org", "report.txt"]);
    let before = it_json(&h.it, &["org", "show", "--org", "org"])["export_recipient"].as_str().unwrap().to_owned();
    json(&h.desk, &["log", "export", "--out", &h.path("old.age")]);
    // The organisation's one key signs the change (it is the root, and keeps every role).
    let rotated = it_json(&h.it, &["keys", "rotate-export", "--org", "org"]);
    assert_eq!(rotated["version"], 1);
    let after = it_json(&h.it, &["org", "show", "--org", "org"])["export_recipient"].as_str().unwrap().to_owned();
    assert_ne!(before, after);
    let signed = it_json(&h.it, &["bulletin", "sign", "--org", "org"]);
    assert_eq!(signed["signed_by"], "org", "the first key, by its name in the set");
    std::fs::write(h.it.join("b.txt"), signed["bulletin"].as_str().unwrap()).unwrap();
    assert_eq!(json(&h.desk, &["bulletin", "apply", &h.path("b.txt")])["key_set"], 1);
    json(&h.desk, &["log", "export", "--out", &h.path("new.age"), "--all"]);
    // Sealed to the new recipient: the old identity alone cannot open it; IT's folder opens both.
    let identities = std::fs::read_to_string(h.it.join("org/export-identity.txt")).unwrap();
    let lines: Vec<&str> = identities.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 2, "the old identity stays");
    let old_only =
        televisit_admin::ledger::archive::open_sealed(&std::fs::read(h.it.join("new.age")).unwrap(), lines[1]);
    assert!(old_only.is_err(), "sealed to the new recipient");
    for file in ["old.age", "new.age"] {
        let opened = it_ok(&h.it, &["log", "open", file, "--org", "org"]);
        assert!(opened.contains("verified"), "{file}: {opened}");
    }
}
