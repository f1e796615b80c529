//! Test vectors: one message of each kind, made from fixed keys, ids and times, so that they are
//! the same bytes on every machine (Ed25519 signing is deterministic). The files under
//! `protocol/vectors/` hold them; a test regenerates and compares them, so a change to any wire
//! format shows as a changed vector in review. The fuzz targets start from them, and know that
//! nothing but these exact texts may verify under these keys.
//!
//! The keys are public (their seeds are here): never use them for anything but tests.

use crate::bulletin::{self, Bulletin, FleetWipe, BULLETIN_VERSION};
use crate::chain::{self, Link};
use crate::checkpoint::{self, Checkpoint, Point};
use crate::enrollment::{make_enroll_code, sign_policy, OrgTrust, Validity, DEFAULT_CODE_VALID_SECONDS};
use crate::envelope::SigningKey;
use crate::export::{self, ExportBody, ExportedEntry};
use crate::keyset::{self, KeySet, Role, RoleKey, Signer, KEYSET_VERSION};
use crate::policy::{Policy, Requirement};
use crate::report::{self, ChecklistState, DeviceReport, REPORT_VERSION};
use crate::wipe::{self, Receipt, Step, StepDone, WipeCommand, WipeReason, WipeScope, COMMAND_VERSION};
use ring::hmac;

pub const ORG_SEED: [u8; 32] = [0x11; 32];
pub const DEVICE_SEED: [u8; 32] = [0x22; 32];
/// The export recipient in the enrollment code (an age X25519 recipient; its identity is not
/// needed, since the vectors hold the export's JSON, not a sealed file).
pub const RECIPIENT: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
pub const DEVICE_ID: &str = "dev_00112233445566778899aabb";
pub const ENROLLMENT_ID: &str = "enr_00112233445566778899aabb";
pub const COMMAND_ID: &str = "cmd_00112233445566778899aabb";
/// 2026-11-30T12:00:00Z.
pub const ISSUED_AT: i64 = 1_795_953_600;
/// The log's MAC key in the export vector.
pub const MAC_KEY: [u8; 32] = [0x33; 32];

/// Every vector: its file name under `protocol/vectors/`, and its text.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("policy.json", policy().to_json()),
        ("signed_policy.txt", signed_policy()),
        ("enroll_code.txt", enroll_code()),
        ("wipe_command.txt", wipe_command()),
        ("receipt.txt", receipt()),
        ("export.json", String::from_utf8(export_json()).unwrap_or_default()),
        ("bulletin.txt", bulletin()),
        ("report.txt", device_report()),
        ("relay_request.txt", relay_request()),
        ("keyset.txt", key_set_link()),
        ("keyset_rotated.txt", rotated_key_set_link()),
        ("bulletin_named.txt", named_bulletin()),
    ]
}

/// The vector organisation's role keys and later root keys (key set vectors).
pub const BULLETIN_SEED: [u8; 32] = [0x44; 32];
pub const ADMIN_SEED: [u8; 32] = [0x55; 32];
pub const POLICY_SEED: [u8; 32] = [0x66; 32];
pub const ROOT2_SEED: [u8; 32] = [0x77; 32];
pub const ROOT3_SEED: [u8; 32] = [0x88; 32];
/// The admin whose key signs the vector wipes.
pub const ADMIN: &str = "alice";

fn seeded(seed: &[u8; 32]) -> SigningKey {
    SigningKey::from_seed(seed).expect("a fixed seed is a key")
}

/// The legacy organisation's one key, as a signer.
pub fn org() -> Signer {
    Signer::legacy(org_key())
}

/// What a phone enrolled by the legacy vector code holds.
pub fn legacy_keys() -> KeySet {
    KeySet::legacy(&org_key().public_key(), RECIPIENT)
}

pub fn admin() -> Signer {
    Signer { key: seeded(&ADMIN_SEED), name: Some(ADMIN.into()) }
}

pub fn bulletin_key() -> Signer {
    Signer { key: seeded(&BULLETIN_SEED), name: Some("bulletin".into()) }
}

pub fn policy_key() -> Signer {
    Signer { key: seeded(&POLICY_SEED), name: Some("policy".into()) }
}

/// Version 1: the org key stays the root (1 of 1) and holds no role; a bulletin key, an admin's
/// wipe key, and a key for policies and codes, each for a year.
pub fn key_set() -> KeySet {
    let role = |signer: Signer, roles: &[Role]| RoleKey {
        name: signer.name.unwrap_or_default(),
        key: signer.key.public_key(),
        roles: roles.to_vec(),
        expires_at: ISSUED_AT + 365 * 86_400,
    };
    KeySet {
        v: KEYSET_VERSION,
        org: crate::envelope::key_id(&org_key().public_key()).expect("a key"),
        version: 1,
        issued_at: ISSUED_AT,
        roots: vec![org_key().public_key()],
        threshold: 1,
        floor: 0,
        export_recipient: RECIPIENT.into(),
        keys: vec![
            role(bulletin_key(), &[Role::Bulletin]),
            role(admin(), &[Role::Wipe]),
            role(policy_key(), &[Role::Policy, Role::Enroll]),
        ],
    }
}

pub fn key_set_link() -> String {
    keyset::sign(&key_set(), &[&org_key()]).expect("the vector key set is valid")
}

/// Version 2: the root moves to 2 of 3 keys (the org key and two new ones), signed by the old
/// root and two of the new; the admin's key is revoked.
pub fn rotated_key_set() -> KeySet {
    let mut set = key_set();
    set.version = 2;
    set.issued_at = ISSUED_AT + 86_400;
    set.roots = vec![org_key().public_key(), seeded(&ROOT2_SEED).public_key(), seeded(&ROOT3_SEED).public_key()];
    set.threshold = 2;
    set.keys.retain(|k| k.name != ADMIN);
    set
}

pub fn rotated_key_set_link() -> String {
    keyset::sign(&rotated_key_set(), &[&org_key(), &seeded(&ROOT2_SEED)]).expect("the rotated key set is valid")
}

/// A bulletin signed by the bulletin key of key set 1, carrying that link, a wipe the admin
/// signed for the vector device, and a cancellation the admin signed.
pub fn named_bulletin() -> String {
    let keys = key_set();
    let command = WipeCommand { signed_by: Some(ADMIN.into()), ..command() };
    let text = wipe::issue(&admin(), &command).expect("the vector command is valid");
    let entry = FleetWipe::from_command(&text, &keys).expect("the admin may sign wipes");
    let cancel = wipe::Cancel::sign(&admin(), "cmd_ffeeddccbbaa998877665544", ISSUED_AT).expect("a cancel");
    let body = Bulletin {
        signed_by: Some("bulletin".into()),
        keys: vec![key_set_link()],
        wipes: vec![entry],
        cancelled: vec![cancel],
        logs: Default::default(),
        receipts: Default::default(),
        ..bulletin_body()
    };
    bulletin::sign(&bulletin_key(), &body).expect("the named vector bulletin is valid")
}

pub fn org_key() -> SigningKey {
    SigningKey::from_seed(&ORG_SEED).expect("a fixed seed is a key")
}

pub fn device_key() -> SigningKey {
    SigningKey::from_seed(&DEVICE_SEED).expect("a fixed seed is a key")
}

/// A policy that sets something in every section.
pub fn policy() -> Policy {
    let mut policy = Policy { version: 7, organisation: "North Clinic".into(), ..Policy::default() };
    policy.contacts.name_template = "NM Patient {first} {last_initial}".into();
    policy.contacts.default_region = "GB".into();
    policy.wipe_triggers.block_after_offline_hours = Some(24);
    policy.wipe_triggers.wipe_after_offline_days = Some(30);
    policy.checklist.required.insert("read_receipts".into(), Requirement::One("off".into()));
    policy.checklist.required.insert("status".into(), Requirement::NotChecked);
    // Written for the catalog's first revision, as IT's policies of 2026 were: a phone with a
    // later revision of the same major version still applies it.
    policy.checklist.catalog_version = 1;
    policy
        .checklist
        .required
        .insert("last_seen_online".into(), Requirement::AnyOf(vec!["nobody".into(), "my_contacts".into()]));
    policy
}

pub fn signed_policy() -> String {
    sign_policy(&org(), &policy(), ISSUED_AT).expect("the vector policy is valid")
}

pub fn enroll_code() -> String {
    let validity = Validity::from(ISSUED_AT, DEFAULT_CODE_VALID_SECONDS).expect("90 days is a validity");
    let trust =
        OrgTrust { name: "North Clinic".into(), org_key: org_key().public_key(), keys: legacy_keys(), link: None };
    make_enroll_code(&org(), &trust, &signed_policy(), validity).expect("the vector code is valid")
}

pub fn command() -> WipeCommand {
    WipeCommand {
        v: COMMAND_VERSION,
        device_id: DEVICE_ID.into(),
        enrollment_id: ENROLLMENT_ID.into(),
        command_id: COMMAND_ID.into(),
        issued_at: ISSUED_AT,
        not_before: ISSUED_AT - 300,
        expires_at: ISSUED_AT + 14 * 86_400,
        scope: WipeScope::All,
        reason: WipeReason::Lost,
        signed_by: None,
    }
}

pub fn wipe_command() -> String {
    wipe::issue(&org(), &command()).expect("the vector command is valid")
}

pub fn receipt() -> String {
    let done = |step, count| StepDone { step, count, failed: 0, reason: None };
    let receipt = Receipt {
        v: COMMAND_VERSION,
        device_id: DEVICE_ID.into(),
        enrollment_id: ENROLLMENT_ID.into(),
        command_id: COMMAND_ID.into(),
        scope: WipeScope::All,
        reason: WipeReason::Lost,
        completed_at: ISSUED_AT + 60,
        steps: vec![
            done(Step::DestroyKey, 1),
            done(Step::DeleteContacts, 3),
            done(Step::DeleteFiles, 3),
            done(Step::WriteReceipt, 1),
        ],
        device_key: device_key().public_key(),
        merged_command_ids: Vec::new(),
    };
    wipe::seal_receipt(&device_key(), &receipt)
}

/// The vector export's three entries, after a purge at 4.
pub fn export_entries() -> Vec<ExportedEntry> {
    [
        ("log_purged", None, r#"{"older_than_days":2190,"removed":4,"through_seq":4}"#),
        ("call_launched", Some("pt_0123456789abcdef0123456789abcdef"), r#"{"attempt":"chat","ok":true}"#),
        ("export_made", None, r#"{"entries":3,"from_seq":4,"through_seq":7}"#),
    ]
    .into_iter()
    .zip(5u64..)
    .map(|((kind, patient, detail), seq)| ExportedEntry {
        seq,
        at_ms: (ISSUED_AT + 60 * (seq as i64 - 5)) * 1000,
        kind: kind.into(),
        actor: "system".into(),
        patient: patient.map(str::to_owned),
        detail: detail.into(),
    })
    .collect()
}

/// Where the vector export starts: the public chain's anchor after a purge at 4.
pub fn export_from() -> Point {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &MAC_KEY);
    checkpoint::anchor(Link { seq: 4, mac: chain::to_mac(hmac::sign(&key, b"vector checkpoint").as_ref()) })
}

/// The body of the vector export: three entries after a purge at 4, whole.
pub fn export_body() -> ExportBody {
    let entries = export_entries();
    let from = export_from();
    let to = checkpoint::extend(from, entries.iter().map(ExportedEntry::fields))
        .expect("the vector entries follow each other")
        .last()
        .copied()
        .unwrap_or(from);
    ExportBody {
        format: export::FORMAT.into(),
        org: crate::envelope::key_id(&org_key().public_key()).expect("a key"),
        device_id: DEVICE_ID.into(),
        enrollment_id: ENROLLMENT_ID.into(),
        exported_at_ms: (ISSUED_AT + 300) * 1000,
        from: Checkpoint::from_point(from),
        to: Checkpoint::from_point(to),
        whole: true,
        entries,
    }
}

/// The vector export's JSON as the phone seals it, signed by the vector device key.
pub fn export_json() -> Vec<u8> {
    export::sign(&device_key(), export_body())
}

pub const BULLETIN_ID: &str = "blt_00112233445566778899aabb";
/// Another phone of the fleet, with a pending wipe in the vector bulletin.
pub const OTHER_DEVICE_ID: &str = "dev_ffeeddccbbaa998877665544";

/// A phone of the fleet whose wipe receipt the vector bulletin confirms.
pub const WIPED_DEVICE_ID: &str = "dev_0a1b2c3d4e5f60718293a4b5";

/// A fleet bulletin, valid a day, with a pending wipe for another phone, confirming the vector
/// device's log archived through the vector export and a third phone's wipe receipt.
pub fn bulletin() -> String {
    bulletin::sign(&org(), &bulletin_body()).expect("the vector bulletin is valid")
}

/// The vector bulletin as IT builds it, with the ids (`bulletin::sign` puts tags in their place).
pub fn bulletin_body() -> Bulletin {
    Bulletin {
        v: BULLETIN_VERSION,
        bulletin_id: BULLETIN_ID.into(),
        issued_at: ISSUED_AT,
        expires_at: ISSUED_AT + 86_400,
        signed_by: None,
        keys: Vec::new(),
        wipes: vec![FleetWipe::from_command(
            &wipe::issue(
                &org(),
                &WipeCommand {
                    device_id: OTHER_DEVICE_ID.into(),
                    enrollment_id: "enr_ffeeddccbbaa998877665544".into(),
                    command_id: "cmd_ffeeddccbbaa998877665544".into(),
                    reason: WipeReason::Stolen,
                    ..command()
                },
            )
            .expect("the vector command is valid"),
            &legacy_keys(),
        )
        .expect("the org key signs wipes")],
        logs: [(DEVICE_ID.to_owned(), 7)].into_iter().collect(),
        receipts: [(WIPED_DEVICE_ID.to_owned(), vec!["cmd_0a1b2c3d4e5f60718293a4b5".to_owned()])].into_iter().collect(),
        cancelled: Vec::new(),
    }
}

/// The report of the vector device, with the longest MDM values a report takes.
pub fn report() -> DeviceReport {
    DeviceReport {
        v: REPORT_VERSION,
        dev: DEVICE_ID.into(),
        enr: ENROLLMENT_ID.into(),
        key: device_key().public_key(),
        org: crate::envelope::key_id(&org_key().public_key()).expect("a key"),
        os: "android".into(),
        os_ver: "16".into(),
        app_ver: "0.1.0".into(),
        pol: 7,
        seen: Some(ISSUED_AT),
        chk: ChecklistState::Current,
        wipe: None,
        rcpt: None,
        mdm_dev: Some("8d3f6c1e-52a4-4b7e-9c0d-2f1e3a4b5c6d".into()),
        mdm_user: Some("dr.philippa.quennell-oyelaran@northclinic.example.org".into()),
        cp: Some(Checkpoint::from_point(
            checkpoint::extend(export_from(), export_entries().iter().map(ExportedEntry::fields))
                .ok()
                .and_then(|points| points.last().copied())
                .unwrap_or_else(export_from),
        )),
        conf: None,
        ks: Some(1),
        cln: None,
        at: ISSUED_AT + 120,
    }
}

pub fn device_report() -> String {
    report::seal(&device_key(), &report()).expect("the vector report is valid")
}

/// A check-in to the fleet relay, as it goes over the wire: the request line, the four signature
/// headers, a blank line, the body (the vector report, a code's digest).
pub fn relay_request() -> String {
    use crate::relay::{self, CheckIn, CHECKIN_PATH, RELAY_VERSION};
    let checkin = CheckIn {
        v: RELAY_VERSION,
        report: device_report(),
        receipts: Vec::new(),
        exports: Vec::new(),
        code: Some(hex::encode(ring::digest::digest(&ring::digest::SHA256, enroll_code().as_bytes()))),
    };
    let body = serde_json::to_string(&checkin).expect("a check-in serialises");
    let nonce = "AAECAwQFBgcICQoLDA0ODxAR";
    let signed =
        relay::sign_request(&device_key(), "POST", CHECKIN_PATH, DEVICE_ID, ISSUED_AT + 120, nonce, body.as_bytes());
    format!(
        "POST {CHECKIN_PATH}\n{}: {}\n{}: {}\n{}: {}\n{}: {}\n\n{body}",
        relay::DEVICE_HEADER,
        signed.device_id,
        relay::TIME_HEADER,
        signed.time,
        relay::NONCE_HEADER,
        signed.nonce,
        relay::SIGNATURE_HEADER,
        signed.signature
    )
}
