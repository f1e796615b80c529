//! Issue 31, the compromise drills on the phone: an organisation that splits its one key into an
//! offline root, an online bulletin key and an admin's wipe key each, then revokes and rotates.
//! The phone must take only what each key may sign, follow the chain however late, and never
//! go back to an older set.

mod common;

use common::org::{Org, RECIPIENT, SIGNED_AT};
use common::Profile;
use televisit_core::it::bulletin::{Bulletin, BulletinOutcome, FleetWipe, BULLETIN_VERSION};
use televisit_core::it::enrollment::{self, sign_policy};
use televisit_core::it::envelope::{key_id, SigningKey};
use televisit_core::it::keyset::{self, KeySet, Role, RoleKey, Signer};
use televisit_core::it::managed::{keys, ManagedOutcome};
use televisit_core::it::wipe::{self, Cancel, WipeCommand, WipeReason, WipeRefusal, WipeScope};
use televisit_core::log::{DetailValue, EntryKind, LogQuery};

fn code(text: &str) -> DetailValue {
    DetailValue::Code(text.into())
}
use televisit_core::{Error, Policy, Televisit};

/// The organisation's keys, as its vault, its cron host and its admins hold them.
struct Keys {
    org: Org,
    root2: Vec<u8>,
    root3: Vec<u8>,
    bulletin: Vec<u8>,
    alice: Vec<u8>,
    bob: Vec<u8>,
    policy: Vec<u8>,
    /// The chain IT publishes: version n at n - 1.
    links: Vec<String>,
    sets: Vec<KeySet>,
}

fn pkcs8() -> Vec<u8> {
    SigningKey::generate().unwrap().1.to_vec()
}

fn key(pkcs8: &[u8]) -> SigningKey {
    SigningKey::from_pkcs8(pkcs8).unwrap()
}

fn signer(pkcs8: &[u8], name: &str) -> Signer {
    Signer { key: SigningKey::from_pkcs8(pkcs8).unwrap(), name: Some(name.into()) }
}

fn role(pkcs8: &[u8], name: &str, roles: &[Role], expires_at: i64) -> RoleKey {
    RoleKey { name: name.into(), key: signer(pkcs8, name).key.public_key(), roles: roles.to_vec(), expires_at }
}

impl Keys {
    /// Version 1: the legacy org key becomes the root and holds no role; a bulletin key, two
    /// admins' wipe keys, a policy and enrollment key.
    fn split(org: Org) -> Keys {
        let (bulletin, alice, bob, policy) = (pkcs8(), pkcs8(), pkcs8(), pkcs8());
        let year = SIGNED_AT + 365 * 86_400;
        let v1 = KeySet {
            v: 1,
            org: key_id(&org.key.public_key()).unwrap(),
            version: 1,
            issued_at: SIGNED_AT,
            roots: vec![org.key.public_key()],
            threshold: 1,
            floor: 0,
            export_recipient: RECIPIENT.into(),
            keys: vec![
                role(&bulletin, "bulletin", &[Role::Bulletin], year),
                role(&alice, "alice", &[Role::Wipe], year),
                role(&bob, "bob", &[Role::Wipe], year),
                role(&policy, "policy", &[Role::Policy, Role::Enroll], year),
            ],
        };
        let link = keyset::sign(&v1, &[&org.key]).unwrap();
        let (root2, root3) = (pkcs8(), pkcs8());
        Keys { org, root2, root3, bulletin, alice, bob, policy, links: vec![link], sets: vec![v1] }
    }

    fn newest(&self) -> KeySet {
        self.sets.last().unwrap().clone()
    }

    /// The next version, as `edit` makes it, signed by `roots`.
    fn next(&mut self, roots: &[&SigningKey], edit: impl FnOnce(&mut KeySet)) -> String {
        let mut set = self.newest();
        set.version += 1;
        set.issued_at += 3600;
        edit(&mut set);
        let link = keyset::sign(&set, roots).unwrap();
        self.links.push(link.clone());
        self.sets.push(set);
        link
    }

    fn bulletin(&self, at: i64, links: &[String], fill: impl FnOnce(&mut Bulletin)) -> String {
        self.bulletin_by(&signer(&self.bulletin, "bulletin"), at, links, fill)
    }

    fn bulletin_by(&self, by: &Signer, at: i64, links: &[String], fill: impl FnOnce(&mut Bulletin)) -> String {
        let mut made = Bulletin {
            v: BULLETIN_VERSION,
            bulletin_id: format!("blt_{:024x}", at),
            issued_at: at,
            expires_at: at + 86_400,
            signed_by: by.name.clone(),
            keys: links.to_vec(),
            wipes: Vec::new(),
            logs: Default::default(),
            receipts: Default::default(),
            cancelled: Vec::new(),
        };
        fill(&mut made);
        televisit_core::it::bulletin::sign(by, &made).unwrap()
    }

    fn command(&self, by: &Signer, e: &enrollment::Enrollment, id: &str, at: i64) -> String {
        let command = WipeCommand {
            v: wipe::COMMAND_VERSION,
            device_id: e.device_id.clone(),
            enrollment_id: e.enrollment_id.clone(),
            command_id: id.into(),
            issued_at: at,
            not_before: at - 300,
            expires_at: at + 14 * 86_400,
            scope: WipeScope::All,
            reason: WipeReason::Stolen,
            signed_by: by.name.clone(),
        };
        wipe::issue(by, &command).unwrap()
    }

    /// A bulletin entry for a command; checked against the newest set unless the key is not in it.
    fn entry(&self, text: &str) -> FleetWipe {
        let keys = self.sets.iter().rev().find(|k| FleetWipe::from_command(text, k).is_ok()).unwrap();
        FleetWipe::from_command(text, keys).unwrap()
    }
}

/// A phone enrolled by the legacy organisation, at the profile's clock.
fn phone(org: &Org) -> (Profile, Televisit, enrollment::Enrollment) {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    (profile, tv, e)
}

fn held(profile: &Profile) -> u64 {
    keyset::current(&profile.secrets).unwrap().unwrap().version
}

#[test]
fn an_organisation_splits_its_one_key_and_its_enrolled_phones_follow() {
    let org = Org::new();
    let (profile, tv, _) = phone(&org);
    assert_eq!(held(&profile), 0, "the legacy set");
    let keys = Keys::split(org);
    let now = tv.now().timestamp();
    let outcome = tv.apply_bulletin(&profile.secrets, &keys.bulletin(now, &keys.links, |_| {})).unwrap();
    assert!(matches!(outcome, BulletinOutcome::Applied { key_set: Some(1), in_touch: true, .. }), "{outcome:?}");
    assert_eq!(held(&profile), 1);
    let logged = tv.log_list(&LogQuery::default()).unwrap();
    assert!(logged
        .iter()
        .any(|e| e.kind == EntryKind::KeySetUpdated && e.detail.get("version") == Some(&DetailValue::Int(1))));
    assert!(logged
        .iter()
        .any(|e| e.kind == EntryKind::BulletinApplied && e.detail.get("signed_by") == Some(&code("bulletin"))));
    // The policy key signs policies now; the old org key signs nothing but the next key set.
    let policy = Policy { version: 2, organisation: "North Clinic".into(), ..Policy::default() };
    let by_policy_key = sign_policy(&signer(&keys.policy, "policy"), &policy, now).unwrap();
    assert_eq!(tv.apply_signed_policy(&profile.secrets, &by_policy_key).unwrap().version, 2);
    let by_org = keys.org.policy(3);
    let err = tv.apply_signed_policy(&profile.secrets, &by_org).unwrap_err().to_string();
    assert!(err.contains("does not hold"), "{err}");
    // The summary the screens show: names and roles, no key.
    let summary = tv.key_set(&profile.secrets).unwrap().unwrap();
    assert_eq!((summary.version, summary.root_keys, summary.threshold), (1, 1, 1));
    assert!(summary.signers.iter().any(|(name, roles, _)| name == "alice" && roles == &["wipe".to_owned()]));
}

#[test]
fn a_stolen_bulletin_key_keeps_a_phone_in_touch_and_cannot_wipe_take_back_a_wipe_or_change_its_policy() {
    let org = Org::new();
    let (profile, tv, e) = phone(&org);
    let keys = Keys::split(org);
    let now = tv.now().timestamp();
    let thief = signer(&keys.bulletin, "bulletin");
    // Its own wipe, as an entry and as a command.
    let forged = keys.command(&thief, &e, "cmd_00000000000000000000f0f0", now);
    let entry = FleetWipe::from_command(&forged, &KeySet { keys: vec![], ..keys.newest() });
    assert!(entry.is_err(), "IT's own tool refuses to put it in a bulletin");
    let mut entry = keys.entry(&keys.command(&signer(&keys.alice, "alice"), &e, "cmd_00000000000000000000f0f1", now));
    entry.signed_by = Some("bulletin".into());
    entry.signature = wipe::command_signature(&forged).unwrap();
    entry.command_id = "cmd_00000000000000000000f0f0".into();
    let text = keys.bulletin(now, &keys.links, |b| b.wipes = vec![entry]);
    let outcome = tv.apply_bulletin(&profile.secrets, &text).unwrap();
    assert!(
        matches!(
            outcome,
            BulletinOutcome::Applied {
                wipe: None,
                wipe_refused: Some(WipeRefusal::SignerNotAllowed),
                in_touch: true,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert!(wipe::pending_command(&profile.secrets).unwrap().is_none(), "nothing wiped");
    let err = tv.receive_wipe(&profile.secrets, &forged).unwrap_err();
    assert!(matches!(err, Error::WipeRefused { code: "signer_not_allowed", .. }), "{err}");
    // A wipe an admin issued, which the thief would take back to keep the stolen phone's data.
    let alice = signer(&keys.alice, "alice");
    let real = keys.command(&alice, &e, "cmd_00000000000000000000a11c", now);
    let thief_cancel = Cancel::sign(&thief, "cmd_00000000000000000000a11c", now + 60).unwrap();
    let text = keys.bulletin(now + 60, &[], |b| b.cancelled = vec![thief_cancel]);
    tv.apply_bulletin(&profile.secrets, &text).unwrap();
    assert_eq!(tv.receive_wipe(&profile.secrets, &real).unwrap().signed_by.as_deref(), Some("alice"));
    let logged = tv.log_list(&LogQuery::default()).unwrap();
    assert!(logged
        .iter()
        .any(|e| e.kind == EntryKind::WipeReceived && e.detail.get("signed_by") == Some(&code("alice"))));
    // A policy or an enrollment code it signs: refused.
    let policy = Policy { version: 9, organisation: "North Clinic".into(), ..Policy::default() };
    let err = tv.apply_signed_policy(&profile.secrets, &sign_policy(&thief, &policy, now).unwrap()).unwrap_err();
    assert!(err.to_string().contains("role does not allow"), "{err}");
    // Nor can it sign a bulletin valid for longer than two days.
    let long = std::panic::catch_unwind(|| keys.bulletin(now, &[], |b| b.expires_at = now + 3 * 86_400));
    assert!(long.is_err(), "sign refuses a named key's bulletin beyond 48 hours");
}

#[test]
fn a_revoked_admins_wipe_is_refused_with_the_newer_set_held_or_in_the_same_bulletin() {
    let org = Org::new();
    let (profile, tv, e) = phone(&org);
    let (late_profile, late, late_e) = phone(&org);
    let mut keys = Keys::split(org);
    let now = tv.now().timestamp();
    let bob = signer(&keys.bob, "bob");
    // Bob leaves; his commands, issued before or after, stop working everywhere.
    let bobs = keys.command(&bob, &e, "cmd_00000000000000000000b0b0", now);
    let bobs_late = keys.command(&bob, &late_e, "cmd_00000000000000000000b0b1", now);
    let entry = keys.entry(&bobs_late);
    let root = key(keys.org.pkcs8());
    let v2 = keys.next(&[&root], |set| set.keys.retain(|k| k.name != "bob"));
    // The first phone took version 2 in an earlier bulletin.
    tv.apply_bulletin(&profile.secrets, &keys.bulletin(now, &keys.links, |_| {})).unwrap();
    assert_eq!(held(&profile), 2);
    let err = tv.receive_wipe(&profile.secrets, &bobs).unwrap_err();
    assert!(matches!(err, Error::WipeRefused { code: "unknown_signer", .. }), "{err}");
    // The second phone is at the legacy set, and gets version 1, version 2 and Bob's wipe in one bulletin.
    let text = keys.bulletin(now, &[keys.links[0].clone(), v2], |b| b.wipes = vec![entry]);
    let outcome = late.apply_bulletin(&late_profile.secrets, &text).unwrap();
    assert!(
        matches!(
            outcome,
            BulletinOutcome::Applied {
                key_set: Some(2),
                wipe_refused: Some(WipeRefusal::UnknownSigner),
                wipe: None,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert!(wipe::pending_command(&late_profile.secrets).unwrap().is_none());
    let refused = late.log_list(&LogQuery::default()).unwrap();
    assert!(refused
        .iter()
        .any(|e| e.kind == EntryKind::WipeRefused && e.detail.get("reason") == Some(&code("unknown_signer"))));
    // Alice, still in the set, wipes.
    let alices = keys.command(&signer(&keys.alice, "alice"), &late_e, "cmd_00000000000000000000a11c", now);
    assert!(late.receive_wipe(&late_profile.secrets, &alices).is_ok());
}

#[test]
fn after_a_root_rotation_the_old_root_signs_nothing_and_a_phone_offline_through_two_rotations_catches_up() {
    let org = Org::new();
    let (profile, tv, _) = phone(&org);
    let mut keys = Keys::split(org);
    let old_root = key(keys.org.pkcs8());
    let (k2, k3) = (key(&keys.root2), key(&keys.root3));
    let (root2, root3) = (k2.public_key(), k3.public_key());
    // Rotation 1: to roots 2 and 3, both needed; signed by the old root and both new ones.
    let rotation = keys.next(&[&old_root, &k2, &k3], |set| {
        set.roots = vec![root2.clone(), root3.clone()];
        set.threshold = 2;
    });
    assert!(rotation.starts_with("tv1.keys."));
    // Rotation 2: a new bulletin key, signed by the new root.
    let new_bulletin = pkcs8();
    keys.next(&[&k2, &k3], |set| {
        set.keys.retain(|k| k.name != "bulletin");
        set.keys.push(role(&new_bulletin, "bulletin-2", &[Role::Bulletin], SIGNED_AT + 300 * 86_400));
    });
    // The phone was off through all three versions; one bulletin by the new bulletin key catches it up.
    let now = tv.now().timestamp();
    let by_new = signer(&new_bulletin, "bulletin-2");
    let outcome = tv.apply_bulletin(&profile.secrets, &keys.bulletin_by(&by_new, now, &keys.links, |_| {})).unwrap();
    assert!(matches!(outcome, BulletinOutcome::Applied { key_set: Some(3), in_touch: true, .. }), "{outcome:?}");
    // The old bulletin key is gone, and the old root alone cannot make a version 4.
    let err = tv.apply_bulletin(&profile.secrets, &keys.bulletin(now + 60, &[], |_| {})).unwrap_err();
    assert!(err.to_string().contains("does not hold"), "{err}");
    let mut v4 = keys.newest();
    v4.version = 4;
    v4.keys.push(role(&pkcs8(), "mallory", &[Role::Wipe], SIGNED_AT + 86_400 * 30));
    let by_old_root = keyset::sign(&v4, &[&old_root]).unwrap();
    let one_new = keyset::sign(&v4, &[&old_root, &k2]).unwrap();
    for (i, bad) in [by_old_root, one_new].into_iter().enumerate() {
        // Its signer is in the set the phone holds: contact, and the link refused (logged).
        let text = keys.bulletin_by(&by_new, now + 120 + i as i64, &[bad], |_| {});
        let outcome = tv.apply_bulletin(&profile.secrets, &text).unwrap();
        assert!(
            matches!(outcome, BulletinOutcome::Applied { key_set: None, key_set_refused: true, in_touch: true, .. }),
            "{outcome:?}"
        );
        assert_eq!(held(&profile), 3, "nothing applied");
    }
    let logged = tv.log_list(&LogQuery::default()).unwrap();
    assert!(logged.iter().any(|e| e.detail.get("key_set_refused") == Some(&DetailValue::Bool(true))));
    // A replayed older chain never takes it back.
    let replay = keys.bulletin_by(&by_new, now + 180, &keys.links[..1], |_| {});
    tv.apply_bulletin(&profile.secrets, &replay).unwrap();
    assert_eq!(held(&profile), 3);
}

#[test]
fn an_expired_bulletin_key_means_no_contact_and_never_a_wipe_or_a_block() {
    let org = Org::new();
    let (profile, tv, _) = phone(&org);
    let mut keys = Keys::split(org);
    let root = key(keys.org.pkcs8());
    let expiry = tv.now().timestamp() + 3600;
    keys.next(&[&root], |set| {
        for k in set.keys.iter_mut().filter(|k| k.name == "bulletin") {
            k.expires_at = expiry;
        }
    });
    let now = tv.now().timestamp();
    tv.apply_bulletin(&profile.secrets, &keys.bulletin(now, &keys.links, |_| {})).unwrap();
    let before = tv.last_checkin(&profile.secrets).unwrap();
    let err = tv.apply_bulletin(&profile.secrets, &keys.bulletin(expiry + 60, &[], |_| {})).unwrap_err();
    assert!(err.to_string().contains("after its key expired"), "{err}");
    assert_eq!(tv.last_checkin(&profile.secrets).unwrap(), before, "no contact");
    assert!(wipe::pending_command(&profile.secrets).unwrap().is_none(), "nothing wiped");
    assert!(tv.policy().is_ok(), "the app still opens");
}

#[test]
fn a_policy_signed_by_a_key_the_same_delivery_introduces_applies() {
    let org = Org::new();
    let (profile, tv, _) = phone(&org);
    let keys = Keys::split(org);
    let now = tv.now().timestamp();
    let policy = Policy { version: 4, organisation: "North Clinic".into(), ..Policy::default() };
    let signed = sign_policy(&signer(&keys.policy, "policy"), &policy, now).unwrap();
    let values = [
        (keys::SIGNED_POLICY.to_owned(), signed),
        (keys::BULLETIN.to_owned(), keys.bulletin(now, &keys.links, |_| {})),
    ]
    .into_iter()
    .collect();
    let report = tv.apply_managed_config(&profile.secrets, &values).unwrap();
    assert!(matches!(report.policy, ManagedOutcome::Applied { .. }), "{:?}", report.policy);
    assert_eq!(tv.policy().unwrap().version, 4);
}

#[test]
fn a_new_phone_enrolls_with_a_code_carrying_the_key_set_and_refuses_one_signed_below_its_threshold() {
    use televisit_core::it::enrollment::{make_enroll_code, OrgTrust, Validity, DEFAULT_CODE_VALID_SECONDS};
    let mut keys = Keys::split(Org::new());
    let (k2, k3) = (key(&keys.root2), key(&keys.root3));
    let old_root = key(keys.org.pkcs8());
    let link = keys.next(&[&old_root, &k2, &k3], |set| {
        set.roots = vec![k2.public_key(), k3.public_key()];
        set.threshold = 2;
    });
    let policy_key = signer(&keys.policy, "policy");
    let policy = Policy { version: 1, organisation: "North Clinic".into(), ..Policy::default() };
    let signed = sign_policy(&policy_key, &policy, SIGNED_AT).unwrap();
    let trust = |link: String| OrgTrust {
        name: "North Clinic".into(),
        org_key: keys.org.key.public_key(),
        keys: keys.newest(),
        link: Some(link),
    };
    let validity = Validity::from(SIGNED_AT, DEFAULT_CODE_VALID_SECONDS).unwrap();
    let code = make_enroll_code(&policy_key, &trust(link), &signed, validity).unwrap();
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    tv.enroll(&profile.secrets, &code).unwrap();
    assert_eq!(held(&profile), 2, "the set the code carries, whole");
    // A code whose set only one of the two roots signed: no first enrollment takes it.
    let half = keyset::sign(&keys.newest(), &[&k2]).unwrap();
    let mut bad = trust(half);
    bad.keys = KeySet { version: 0, ..keys.newest() };
    let fresh = Profile::new();
    let code = make_enroll_code(&policy_key, &bad, &signed, validity);
    let refused = match code {
        Err(err) => err.to_string(),
        Ok(code) => fresh.open().unwrap().enroll(&fresh.secrets, &code).unwrap_err().to_string(),
    };
    assert!(refused.contains("not signed by enough"), "{refused}");
    assert!(enrollment::load(&fresh.secrets).unwrap().is_none());
}

/// IT rotated, then put a new code and a new bulletin in the MDM's configuration together: a
/// phone enrolled long before follows the bulletin's links first, and takes the code.
#[test]
fn a_new_code_and_bulletin_delivered_together_reach_a_phone_that_missed_the_rotations() {
    use televisit_core::it::enrollment::{make_enroll_code, OrgTrust, Validity, DEFAULT_CODE_VALID_SECONDS};
    let org = Org::new();
    let (profile, tv, e) = phone(&org);
    let mut keys = Keys::split(org);
    let root = key(keys.org.pkcs8());
    keys.next(&[&root], |set| set.keys.retain(|k| k.name != "bob"));
    let now = tv.now().timestamp();
    let policy_key = signer(&keys.policy, "policy");
    let policy = Policy { version: 3, organisation: "North Clinic".into(), ..Policy::default() };
    let signed = sign_policy(&policy_key, &policy, now).unwrap();
    let trust = OrgTrust {
        name: "North Clinic".into(),
        org_key: keys.org.key.public_key(),
        keys: keys.newest(),
        link: keys.links.last().cloned(),
    };
    let code = make_enroll_code(&policy_key, &trust, &signed, Validity::from(now, DEFAULT_CODE_VALID_SECONDS).unwrap())
        .unwrap();
    let values = [
        (keys::ENROLLMENT_CODE.to_owned(), code),
        (keys::SIGNED_POLICY.to_owned(), signed),
        (keys::BULLETIN.to_owned(), keys.bulletin(now, &keys.links, |_| {})),
    ]
    .into_iter()
    .collect();
    let report = tv.apply_managed_config(&profile.secrets, &values).unwrap();
    assert!(report.problems().is_empty(), "{:?}", report.problems());
    assert_eq!(held(&profile), 2);
    let again = enrollment::load(&profile.secrets).unwrap().unwrap();
    assert_eq!((again.device_id, again.enrollment_id), (e.device_id, e.enrollment_id), "the same enrollment");
    assert_eq!(tv.policy().unwrap().version, 3);
}

/// Review: a key that expired is stolen; the thief backdates what it signs. Once the phone has
/// seen IT sign anything after the expiry, the key verifies nothing more, and a policy in force
/// delivered again after its key was revoked is nothing new rather than a refusal.
#[test]
fn an_expired_key_cannot_backdate_after_the_phone_saw_newer_word_from_it() {
    let org = Org::new();
    let (profile, tv, e) = phone(&org);
    let mut keys = Keys::split(org);
    let root = key(keys.org.pkcs8());
    let now = tv.now().timestamp();
    let expiry = now + 60;
    keys.next(&[&root], |set| {
        for k in set.keys.iter_mut().filter(|k| k.name == "bob") {
            k.expires_at = expiry;
        }
    });
    let policy_key = signer(&keys.policy, "policy");
    let policy = Policy { version: 2, organisation: "North Clinic".into(), ..Policy::default() };
    let signed = sign_policy(&policy_key, &policy, now).unwrap();
    tv.apply_bulletin(&profile.secrets, &keys.bulletin(now, &keys.links, |_| {})).unwrap();
    tv.apply_signed_policy(&profile.secrets, &signed).unwrap();
    // Before IT's word passes the expiry, a command Bob signed in time holds.
    let in_time = keys.command(&signer(&keys.bob, "bob"), &e, "cmd_00000000000000000000bbba", expiry - 20);
    assert!(matches!(
        wipe::verify(&profile.secrets, &in_time),
        Ok(command) if command.signed_by.as_deref() == Some("bob")
    ));
    // IT's word after Bob's key expired: the bulletin key's, an hour later.
    profile.clock.advance(chrono::Duration::hours(3));
    tv.apply_bulletin(&profile.secrets, &keys.bulletin(expiry + 3600, &keys.links, |_| {})).unwrap();
    let backdated = keys.command(&signer(&keys.bob, "bob"), &e, "cmd_00000000000000000000bbbb", expiry - 10);
    let err = tv.receive_wipe(&profile.secrets, &backdated).unwrap_err();
    assert!(matches!(err, Error::WipeRefused { code: "signer_expired", .. }), "{err}");
    // The policy key is revoked; the MDM hands the policy in force over again: nothing to do.
    keys.next(&[&root], |set| set.keys.retain(|k| k.name != "policy" && k.name != "bob"));
    let values = [
        (keys::BULLETIN.to_owned(), keys.bulletin(expiry + 7200, &keys.links, |_| {})),
        (keys::SIGNED_POLICY.to_owned(), signed),
    ]
    .into_iter()
    .collect();
    let report = tv.apply_managed_config(&profile.secrets, &values).unwrap();
    assert_eq!(report.policy, ManagedOutcome::Unchanged);
    assert!(report.problems().is_empty(), "{:?}", report.problems());
}
