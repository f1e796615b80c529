//! The test vectors under `protocol/vectors/`: each is what this build writes (a changed wire
//! format shows as a changed file), each is accepted, and every damaged form of each is refused
//! with a typed error that does not repeat it. `TELEVISIT_UPDATE_VECTORS=1` rewrites the files.

use std::path::PathBuf;
use televisit_protocol::envelope::{self, Kind, MAX_LEN};
use televisit_protocol::keyset::{self, KeySet, SignedKeySet};
use televisit_protocol::report::{self, DeviceReport, MAX_MDM_DEVICE_ID, MAX_MDM_USER, MAX_REPORT_CHARS};
use televisit_protocol::{bulletin, enrollment, export, vectors, wipe, Error, Policy};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

#[test]
fn the_vectors_are_what_this_build_writes() {
    let update = std::env::var_os("TELEVISIT_UPDATE_VECTORS").is_some();
    for (name, text) in vectors::all() {
        let path = dir().join(name);
        if update {
            std::fs::write(&path, format!("{text}\n")).unwrap();
            continue;
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            stored.trim_end(),
            text,
            "{name} changed: a wire format changed. If that is meant, run TELEVISIT_UPDATE_VECTORS=1 cargo test -p televisit-protocol --test vectors and review the diff"
        );
    }
}

/// What a phone enrolled by the vector (legacy) code holds.
fn org() -> KeySet {
    vectors::legacy_keys()
}

/// How a text is opened: `Ok` means accepted, `Err` holds the message.
type Opener = Box<dyn Fn(&str) -> Result<(), String>>;

/// Each signed vector and how it is opened.
fn openers() -> Vec<(&'static str, String, Opener)> {
    vec![
        (
            "signed policy",
            vectors::signed_policy(),
            Box::new(|t| enrollment::open_policy(t, &org()).map(drop).map_err(|e| e.to_string())),
        ),
        (
            "enrollment code",
            vectors::enroll_code(),
            Box::new(|t| enrollment::read_enroll_code(t, None).map(drop).map_err(|e| e.to_string())),
        ),
        (
            "wipe command",
            vectors::wipe_command(),
            Box::new(|t| wipe::open_command(t, &org()).map(drop).map_err(|r| r.describe().to_owned())),
        ),
        (
            "receipt",
            vectors::receipt(),
            Box::new(|t| {
                wipe::verify_receipt(t, &vectors::device_key().public_key()).map(drop).map_err(|e| e.to_string())
            }),
        ),
        ("bulletin", vectors::bulletin(), Box::new(|t| bulletin::open(t, &org()).map(drop).map_err(|e| e.to_string()))),
        (
            "key set",
            vectors::key_set_link(),
            Box::new(|t| {
                SignedKeySet::parse(t).and_then(|l| keyset::follow(&org(), &l)).map(drop).map_err(|e| e.to_string())
            }),
        ),
        (
            "rotated key set",
            vectors::rotated_key_set_link(),
            Box::new(|t| {
                SignedKeySet::parse(t)
                    .and_then(|l| keyset::follow(&vectors::key_set(), &l))
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        ),
        (
            "bulletin signed by the bulletin key",
            vectors::named_bulletin(),
            Box::new(|t| bulletin::open(t, &org()).map(drop).map_err(|e| e.to_string())),
        ),
        (
            "device report",
            vectors::device_report(),
            Box::new(|t| {
                report::verify(t, Some(&vectors::device_key().public_key())).map(drop).map_err(|e| e.to_string())
            }),
        ),
    ]
}

#[test]
fn every_vector_is_accepted() {
    for (what, text, open) in openers() {
        assert_eq!(open(&text), Ok(()), "{what}");
        assert_eq!(open(&format!("  {text}\n")), Ok(()), "{what} with surrounding whitespace");
    }
    let signed = enrollment::open_policy(&vectors::signed_policy(), &org()).unwrap();
    assert_eq!(signed.policy, vectors::policy());
    assert_eq!(signed.issued_at, vectors::ISSUED_AT);
    assert_eq!(Policy::from_json(&vectors::policy().to_json()).unwrap(), vectors::policy());
    let parsed = export::parse(&vectors::export_json()).unwrap();
    let segment = export::verify(&parsed, &vectors::device_key().public_key()).unwrap();
    assert_eq!((segment.from.seq, segment.to.seq, segment.points.len()), (4, 7, 3));
    let reported = vectors::report().cp.unwrap().point().unwrap();
    assert_eq!(
        segment.hash_at(reported.seq),
        Some(reported.hash),
        "the vector report's checkpoint is the export's end"
    );
}

fn no_echo(message: &str, input: &str) {
    let trimmed = input.trim();
    assert!(trimmed.len() < 8 || !message.contains(trimmed), "the message repeats its input: {message}");
    // Aligned chunks: any echo of 31 bytes or more holds one whole.
    for window in trimmed.as_bytes().chunks_exact(16) {
        if let Ok(window) = std::str::from_utf8(window) {
            assert!(!message.contains(window), "the message repeats part of its input: {message}");
        }
    }
}

#[test]
fn every_damaged_form_of_every_kind_is_refused_without_an_echo() {
    for (what, text, open) in openers() {
        let mut damaged =
            vec![String::new(), " ".into(), "a".repeat(MAX_LEN + 1), format!("{text}{}", " ".repeat(MAX_LEN))];
        damaged.extend((0..text.len()).map(|end| text[..end].to_owned()));
        for i in 0..text.len() {
            for bit in 0..8 {
                let mut bytes = text.clone().into_bytes();
                bytes[i] ^= 1 << bit;
                if let Ok(flipped) = String::from_utf8(bytes) {
                    if flipped.trim() != text {
                        damaged.push(flipped);
                    }
                }
            }
        }
        for bad in &damaged {
            match open(bad) {
                Ok(()) => panic!("{what}: a damaged form was accepted"),
                Err(message) => no_echo(&message, bad),
            }
        }
    }
}

#[test]
fn a_valid_signature_over_another_kind_is_refused() {
    let key = vectors::org_key();
    let policy = envelope::canonical_json(&vectors::policy());
    let as_wipe = key.seal(Kind::Wipe, &policy);
    assert!(wipe::open_command(&as_wipe, &org()).is_err());
    let command = envelope::canonical_json(&vectors::command());
    let as_policy = key.seal(Kind::Policy, &command);
    assert!(enrollment::open_policy(&as_policy, &org()).is_err());
    let relabelled = vectors::wipe_command().replacen(".wipe.", ".policy.", 1);
    let err = enrollment::open_policy(&relabelled, &org()).unwrap_err();
    assert!(matches!(err, Error::Invalid { field: "signed policy", .. }), "{err}");
    // A policy relabelled as a wipe: its signature (made as a policy) holds for no wipe.
    let relabelled = vectors::signed_policy().replacen(".policy.", ".wipe.", 1);
    assert_eq!(wipe::open_command(&relabelled, &org()), Err(wipe::WipeRefusal::BadSignature));
    let command_as_policy = vectors::wipe_command().replacen(".wipe.", ".enroll.", 1);
    assert!(enrollment::read_enroll_code(&command_as_policy, None).is_err());
    let policy_payload = envelope::open_any(&vectors::signed_policy()).unwrap().payload;
    let resealed_other_kind = key.sign_detached(Kind::Wipe, &policy_payload);
    let forged = format!("tv1.policy.{}.{}", vectors::signed_policy().split('.').nth(2).unwrap(), resealed_other_kind);
    let err = enrollment::open_policy(&forged, &org()).unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "a signature made for another kind: {err}");
}

#[test]
fn signed_payloads_with_duplicate_keys_non_utf8_or_other_layouts_are_refused() {
    let key = vectors::org_key();
    let canonical = String::from_utf8(envelope::canonical_json(&vectors::policy())).unwrap();
    let duplicate = canonical.replacen("{\"version\":7,", "{\"version\":7,\"version\":99,", 1);
    let pretty = vectors::policy().to_json();
    for payload in [duplicate.as_bytes(), pretty.as_bytes(), b"\xff\xfe\x00", b"", b"null", b"[]"] {
        let err = enrollment::open_policy(&key.seal(Kind::Policy, payload), &org()).unwrap_err();
        assert!(matches!(err, Error::Invalid { field: "signed policy" | "policy", .. }), "{err}");
    }
    let mut command = vectors::command();
    command.expires_at = i64::MIN;
    let inverted = key.seal(Kind::Wipe, &envelope::canonical_json(&command));
    assert_eq!(wipe::open_command(&inverted, &org()), Err(wipe::WipeRefusal::Malformed));
    let at_limits = String::from_utf8(envelope::canonical_json(&vectors::command()))
        .unwrap()
        .replace(&format!("\"issued_at\":{}", vectors::ISSUED_AT), "\"issued_at\":9223372036854775808");
    let signed = key.seal(Kind::Wipe, at_limits.as_bytes());
    assert_eq!(wipe::open_command(&signed, &org()), Err(wipe::WipeRefusal::Malformed));
}

/// An export re-signed by the device key after `edit`: what someone holding the phone's keys can make.
fn resigned(edit: impl FnOnce(&mut export::ExportBody)) -> export::SignedExport {
    let mut body = vectors::export_body();
    edit(&mut body);
    export::parse(&export::sign(&vectors::device_key(), body)).unwrap()
}

#[test]
fn an_export_verifies_against_the_pinned_key_only_and_never_vouches_for_itself() {
    let device = vectors::device_key().public_key();
    let other = envelope::SigningKey::from_seed(&[0x44; 32]).unwrap();
    let forged = export::parse(&export::sign(&other, vectors::export_body())).unwrap();
    assert!(matches!(export::verify(&forged, &device), Err(Error::Refused { .. })), "another key's export");
    let mut edited = export::parse(&vectors::export_json()).unwrap();
    edited.body.entries[1].detail = "{}".into();
    assert!(matches!(export::verify(&edited, &device), Err(Error::Refused { .. })), "edited after signing");
    // Signed by the device's own key, the entries must still lead to the checkpoint it vouches for.
    let rewritten = resigned(|body| body.entries[1].detail = "{}".into());
    let err = export::verify(&rewritten, &device).unwrap_err().to_string();
    assert!(err.contains("does not lead to the checkpoint it vouches for (seq 7)"), "{err}");
    let short = resigned(|body| {
        body.entries.pop();
    });
    assert!(export::verify(&short, &device).unwrap_err().to_string().contains("ends at seq 6 but vouches for seq 7"));
    let gap = resigned(|body| {
        body.entries.remove(1);
    });
    assert!(export::verify(&gap, &device).unwrap_err().to_string().contains("seq 6 is missing"));
}

#[test]
fn a_crafted_export_at_the_end_of_the_sequence_numbers_is_an_error_not_a_panic() {
    let device = vectors::device_key().public_key();
    for start in [u64::MAX - 2, u64::MAX, (i64::MAX as u64) - 1, i64::MAX as u64] {
        let crafted = resigned(|body| {
            body.from.n = start;
            for (i, entry) in body.entries.iter_mut().enumerate() {
                entry.seq = start.saturating_add(1 + i as u64);
            }
            body.to.n = u64::MAX;
        });
        assert!(export::verify(&crafted, &device).is_err(), "from {start}");
    }
}

#[test]
fn exports_that_are_not_the_phones_form_are_refused() {
    let json = vectors::export_json();
    for bad in [&b""[..], b"\xff", b"{}", &json[..json.len() - 1]] {
        assert!(export::parse(bad).is_err());
    }
    let spaced = String::from_utf8(json.clone()).unwrap().replacen(':', ": ", 1);
    assert!(export::parse(spaced.as_bytes()).is_err());
    let first = br#"{"entries":[],"format":"televisit-log-export/1","mac_key":"AAAA"}"#;
    assert!(export::parse(first).unwrap_err().to_string().contains("first format, which proves nothing"));
}

#[test]
fn a_report_with_the_longest_values_fits_one_keyed_app_state_message() {
    let mut longest = vectors::report();
    longest.mdm_dev = Some("d".repeat(MAX_MDM_DEVICE_ID));
    longest.mdm_user = Some(format!("{}@x", "u".repeat(MAX_MDM_USER - 2)));
    longest.os_ver = "9".repeat(24);
    longest.app_ver = "8".repeat(24);
    longest.pol = u64::MAX;
    longest.seen = Some(report::MAX_TIME);
    longest.at = report::MAX_TIME;
    // A wipe under way and a receipt held are never both named; either is as long.
    longest.wipe = Some(format!("cmd_{}", "a".repeat(32)));
    longest.cp = Some(televisit_protocol::checkpoint::Checkpoint::from_point(televisit_protocol::checkpoint::Point {
        seq: i64::MAX as u64,
        hash: [0xff; 32],
    }));
    longest.conf = longest.cp.clone();
    longest.ks = Some(u64::from(u32::MAX));
    // The cleanup's counts with every field at its largest.
    longest.cln = Some(report::CleanupState {
        n: Some(u32::MAX),
        o: Some(u32::MAX),
        d: Some(report::MAX_CLEANUP_DAYS),
        age: report::MAX_CLEANUP_DAYS,
        r: Some(report::MAX_TIME),
        e: Some(report::CleanupEnd::LookalikesWaiting),
    });
    let text = report::seal(&vectors::device_key(), &longest).unwrap();
    // With room to spare for what a later version adds (version 1 took 1,101 characters here).
    assert!(text.len() <= MAX_REPORT_CHARS - 150, "{} characters", text.len());
    assert_eq!(report::verify(&text, Some(&vectors::device_key().public_key())).unwrap(), longest);
    let cleanup = longest.cln.clone();
    for (bad, why) in [
        (report::CleanupState { o: Some(2), n: Some(1), ..cleanup.clone().unwrap() }, "more past their age than held"),
        (report::CleanupState { n: None, o: None, ..cleanup.clone().unwrap() }, "an age with no count"),
        (report::CleanupState { age: 0, ..cleanup.clone().unwrap() }, "an age of 0"),
        (report::CleanupState { e: None, ..cleanup.clone().unwrap() }, "a run without its end"),
    ] {
        longest.cln = Some(bad);
        assert!(report::seal(&vectors::device_key(), &longest).is_err(), "{why}");
    }
    // Unknown (no contacts access) is not zero: the counts are absent, the rest stays.
    longest.cln = Some(report::CleanupState { n: None, o: None, d: None, ..cleanup.clone().unwrap() });
    let unknown = report::seal(&vectors::device_key(), &longest).unwrap();
    assert_eq!(report::verify(&unknown, None).unwrap().cln.unwrap().n, None);
    longest.cln = cleanup;
    longest.rcpt = Some(format!("cmd_{}", "b".repeat(32)));
    assert!(report::seal(&vectors::device_key(), &longest).is_err(), "a wipe both under way and done");
    longest.rcpt = None;
    longest.at = -1;
    assert!(report::seal(&vectors::device_key(), &longest).is_err(), "a time before 1970");
    longest.at = report::MAX_TIME;
    longest.conf = None;
    longest.cp = Some(televisit_protocol::checkpoint::Checkpoint { n: u64::MAX, ..longest.cp.clone().unwrap() });
    assert!(report::seal(&vectors::device_key(), &longest).is_err(), "a size no log reaches");
    longest.cp = None;
    longest.mdm_user = Some("u".repeat(MAX_MDM_USER + 1));
    assert!(report::seal(&vectors::device_key(), &longest).is_err());
    // The longest ids in other scripts, or of characters JSON escapes, fit too: the limits are
    // bytes as the JSON carries them, not characters.
    for (unit, bytes) in [("\u{1F600}", 4), ("é", 2), ("\"", 2), ("\\", 2)] {
        longest.mdm_dev = Some(unit.repeat(MAX_MDM_DEVICE_ID / bytes));
        longest.mdm_user = Some(unit.repeat(MAX_MDM_USER / bytes));
        let text = report::seal(&vectors::device_key(), &longest).unwrap();
        assert!(text.len() <= MAX_REPORT_CHARS, "{unit}: {} characters", text.len());
        assert_eq!(report::verify(&text, None).unwrap(), longest);
        longest.mdm_user = Some(unit.repeat(MAX_MDM_USER / bytes + 1));
        assert!(report::seal(&vectors::device_key(), &longest).is_err(), "{unit}");
    }
}

#[test]
fn reports_and_receipts_verify_against_the_pinned_key_only() {
    let other = televisit_protocol::envelope::SigningKey::from_seed(&[0x44; 32]).unwrap();
    let mut forged = vectors::report();
    forged.key = other.public_key();
    let forged = report::seal(&other, &forged).unwrap();
    // Self-consistent, so it passes without a pin (the first report, which IT pins) ...
    assert!(report::verify(&forged, None).is_ok());
    // ... and is refused once the device's key is pinned.
    let err = report::verify(&forged, Some(&vectors::device_key().public_key())).unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err}");
    let err = wipe::verify_receipt(&vectors::receipt(), &other.public_key()).unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err}");
}

#[test]
fn bulletins_with_a_duplicate_device_or_impossible_times_are_refused_and_a_phone_finds_only_its_entry() {
    let opened = bulletin::open(&vectors::bulletin(), &org()).unwrap().bulletin;
    // As the fuzz target checks it: opened (tagged), sealed again, the same text.
    let resealed = vectors::org_key().seal(Kind::Bulletin, &envelope::canonical_json(&opened));
    assert_eq!(resealed, vectors::bulletin());
    assert!(
        opened.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID, &org()).is_none(),
        "the vector device has no entry"
    );
    let command = opened.wipe_for(vectors::OTHER_DEVICE_ID, "enr_ffeeddccbbaa998877665544", &org()).unwrap().unwrap();
    assert_eq!(command.issued_at, vectors::ISSUED_AT);
    assert_eq!(command.enrollment_id, "enr_ffeeddccbbaa998877665544");
    let key = vectors::org_key();
    let signer = vectors::org();
    let body = vectors::bulletin_body();
    let mut twice = body.clone();
    twice.wipes.push(twice.wipes[0].clone());
    let err = bulletin::sign(&signer, &twice).unwrap_err().to_string();
    assert!(err.contains("names a device twice"), "{err}");
    let mut forced_twice = opened.clone();
    forced_twice.wipes.push(forced_twice.wipes[0].clone());
    let forced = key.seal(Kind::Bulletin, &envelope::canonical_json(&forced_twice));
    let err = bulletin::open(&forced, &org()).unwrap_err().to_string();
    assert!(err.contains("names a device twice"), "{err}");
    // Signed with ids in place of tags (as a bulletin made by hand): refused on opening.
    let naked = key.seal(Kind::Bulletin, &envelope::canonical_json(&body));
    assert!(bulletin::open(&naked, &org()).is_err());
    let mut forever = body.clone();
    forever.expires_at = i64::MAX;
    assert!(bulletin::sign(&signer, &forever).is_err());
    let mut backwards = body;
    backwards.issued_at = i64::MIN;
    assert!(bulletin::sign(&signer, &backwards).is_err());
    let other_org = televisit_protocol::envelope::SigningKey::from_seed(&[0x55; 32]).unwrap();
    let other = KeySet::legacy(&other_org.public_key(), vectors::RECIPIENT);
    assert!(bulletin::open(&vectors::bulletin(), &other).is_err());
}

/// Compromise drill, in the protocol: what the online bulletin key can and cannot do.
#[test]
fn a_stolen_bulletin_key_keeps_phones_in_touch_and_cannot_wipe_cancel_or_sign_policy() {
    let thief = vectors::bulletin_key();
    let v1 = vectors::key_set();
    // A bulletin it signs is a bulletin.
    let opened = bulletin::open(&vectors::named_bulletin(), &org()).unwrap();
    assert_eq!(opened.newer_keys.as_ref(), Some(&v1), "the phone followed the link it carries");
    let named = opened.bulletin;
    assert!(named.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID, &v1).unwrap().is_ok(), "alice's wipe");
    assert_eq!(named.cancellations(&v1), (vec!["cmd_ffeeddccbbaa998877665544".to_owned()], 0));
    // A wipe entry it writes itself (or one it re-attributes) carries no admin's signature.
    let mut forged = named.clone();
    forged.wipes[0].signed_by = Some("bulletin".into());
    assert_eq!(
        forged.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID, &v1),
        Some(Err(wipe::WipeRefusal::SignerNotAllowed))
    );
    let command = wipe::WipeCommand { signed_by: Some("bulletin".into()), ..vectors::command() };
    let text = wipe::issue(&thief, &command).unwrap();
    assert_eq!(wipe::open_command(&text, &v1), Err(wipe::WipeRefusal::SignerNotAllowed));
    forged.wipes[0].signature = wipe::command_signature(&text).unwrap();
    assert_eq!(
        forged.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID, &v1),
        Some(Err(wipe::WipeRefusal::SignerNotAllowed))
    );
    // Nor a cancellation, a policy or an enrollment code.
    let cancel = wipe::Cancel::sign(&thief, vectors::COMMAND_ID, vectors::ISSUED_AT).unwrap();
    assert_eq!(cancel.verify(&v1), Err(wipe::WipeRefusal::SignerNotAllowed));
    let policy = enrollment::sign_policy(&thief, &vectors::policy(), vectors::ISSUED_AT).unwrap();
    let err = enrollment::open_policy(&policy, &v1).unwrap_err().to_string();
    assert!(err.contains("role does not allow"), "{err}");
    // Valid for more than 48 hours: not from the online key.
    let mut long = vectors::bulletin_body();
    long.signed_by = Some("bulletin".into());
    long.expires_at = long.issued_at + 3 * 86_400;
    assert!(bulletin::sign(&thief, &long).unwrap_err().to_string().contains("48 hours"));
    // Revoked in version 2 (the admin's key too): a phone that follows refuses it.
    let v2 = vectors::rotated_key_set();
    assert_eq!(
        named.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID, &v2),
        Some(Err(wipe::WipeRefusal::UnknownSigner)),
        "alice was revoked"
    );
}

/// A report as phones wrote it before version 2 (canonical JSON): IT still reads it, so a phone
/// not yet updated keeps reporting; nothing writes it any more.
#[test]
fn a_version_1_report_from_a_phone_not_yet_updated_is_still_read() {
    let text = std::fs::read_to_string(dir().join("report_v1.txt")).unwrap();
    let read = report::verify(&text, Some(&vectors::device_key().public_key())).unwrap();
    assert_eq!(read, DeviceReport { v: report::REPORT_V1_JSON, cln: None, ..vectors::report() });
    // Phones write version 2 only.
    assert!(report::seal(&vectors::device_key(), &read).is_err());
    let current = vectors::device_report();
    assert!(current.len() < text.trim().len(), "version 2 is the shorter");
    assert_eq!(report::verify(&current, None).unwrap().v, report::REPORT_VERSION);
}
