use super::*;
use crate::vectors::{self, ISSUED_AT};

fn seeded(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32]).unwrap()
}

fn link(set: &KeySet, roots: &[&SigningKey]) -> SignedKeySet {
    SignedKeySet::parse(&sign(set, roots).unwrap()).unwrap()
}

#[test]
fn the_legacy_set_gives_the_org_key_every_role_and_nothing_else_any() {
    let legacy = vectors::legacy_keys();
    for role in Role::ALL {
        let key = legacy.verifier(None, role, i64::MAX).unwrap();
        assert_eq!(key.key, vectors::org_key().public_key());
        assert_eq!(legacy.verifier(Some(LEGACY_NAME), role, 0).unwrap().key, key.key);
    }
    assert_eq!(legacy.verifier(Some("alice"), Role::Wipe, 0).err(), Some(SignerProblem::Unknown));
}

#[test]
fn a_role_key_signs_only_for_its_roles_and_until_it_expires() {
    let set = vectors::key_set();
    assert!(set.verifier(Some("alice"), Role::Wipe, ISSUED_AT).is_ok());
    assert_eq!(set.verifier(Some("bulletin"), Role::Wipe, ISSUED_AT).err(), Some(SignerProblem::NotAllowed));
    assert_eq!(set.verifier(Some("bulletin"), Role::Policy, ISSUED_AT).err(), Some(SignerProblem::NotAllowed));
    assert_eq!(set.verifier(Some("alice"), Role::Bulletin, ISSUED_AT).err(), Some(SignerProblem::NotAllowed));
    let expiry = set.key_named("alice").unwrap().expires_at;
    assert!(set.verifier(Some("alice"), Role::Wipe, expiry).is_ok());
    assert_eq!(set.verifier(Some("alice"), Role::Wipe, expiry + 1).err(), Some(SignerProblem::Expired));
    // Once the org key holds no role, a message naming no signer (as legacy ones do) is refused.
    assert_eq!(set.verifier(None, Role::Wipe, ISSUED_AT).err(), Some(SignerProblem::Unknown));
}

#[test]
fn a_phone_follows_the_chain_version_by_version_and_never_back() {
    let legacy = vectors::legacy_keys();
    let v1 = follow(&legacy, &SignedKeySet::parse(&vectors::key_set_link()).unwrap()).unwrap();
    assert_eq!(v1, vectors::key_set());
    let v2 = follow(&v1, &SignedKeySet::parse(&vectors::rotated_key_set_link()).unwrap()).unwrap();
    assert_eq!(v2, vectors::rotated_key_set());
    // Offline through both rotations: caught up from the links, in any order.
    let links = [vectors::rotated_key_set_link(), vectors::key_set_link()];
    assert_eq!(follow_chain(&legacy, &links).unwrap(), Some(v2.clone()));
    // A replayed older set never downgrades, and the same set again is nothing new.
    assert_eq!(follow_chain(&v2, &links).unwrap(), None);
    assert_eq!(follow_chain(&v1, &[vectors::key_set_link()]).unwrap(), None);
    // Version 2 straight from 0: the root the phone holds (the org key) signed it, and it names
    // the new root's signatures too. Each set is whole: nothing is missed by passing over 1.
    assert_eq!(follow_chain(&legacy, &[vectors::rotated_key_set_link()]).unwrap(), Some(v2.clone()));
    // Past a root change it is not: version 3, signed by the new root alone, does not follow
    // from a phone that never saw version 2.
    let mut v3 = v2.clone();
    v3.version = 3;
    let v3_link = sign(&v3, &[&seeded(0x77), &seeded(0x88)]).unwrap();
    let err = follow_chain(&v1, std::slice::from_ref(&v3_link)).unwrap_err().to_string();
    assert!(err.contains("current root"), "{err}");
    assert_eq!(follow_chain(&v1, &[v3_link.clone(), vectors::rotated_key_set_link()]).unwrap(), Some(v3));
    // What a bulletin carries: the links that changed the root, and the newest.
    let mut v4 = vectors::rotated_key_set();
    v4.version = 4;
    let v4_link = sign(&v4, &[&seeded(0x77), &seeded(0x88)]).unwrap();
    let chain = [vectors::key_set_link(), vectors::rotated_key_set_link(), v3_link, v4_link.clone()];
    let carried = links_to_carry(&chain).unwrap();
    assert_eq!(carried, [vectors::key_set_link(), vectors::rotated_key_set_link(), v4_link]);
    let mut v4_expected = vectors::rotated_key_set();
    v4_expected.version = 4;
    assert_eq!(follow_chain(&legacy, &carried).unwrap(), Some(v4_expected));
}

#[test]
fn a_set_signed_below_the_threshold_or_by_a_root_that_is_not_current_is_refused() {
    let v1 = vectors::key_set();
    let (root2, root3, stranger) = (seeded(0x77), seeded(0x88), seeded(0x99));
    let rotated = vectors::rotated_key_set();
    // The new root (2 of 3) without the old root's signature.
    let err = follow(&v1, &link(&rotated, &[&root2, &root3])).unwrap_err().to_string();
    assert!(err.contains("current root"), "{err}");
    // The old root, which is one of the new root's keys too: one of the two the new root needs.
    let err = follow(&v1, &link(&rotated, &[&vectors::org_key()])).unwrap_err().to_string();
    assert!(err.contains("new root"), "{err}");
    // After the rotation, the old root alone is below the threshold of 2.
    let mut v3 = rotated.clone();
    v3.version = 3;
    let err = follow(&rotated, &link(&v3, &[&vectors::org_key()])).unwrap_err().to_string();
    assert!(err.contains("current root"), "{err}");
    assert!(follow(&rotated, &link(&v3, &[&vectors::org_key(), &root3])).is_ok());
    // A stranger's key, however many times: no.
    let mut forged = v1.clone();
    forged.version = 2;
    assert!(follow(&v1, &link(&forged, &[&stranger])).is_err());
    // The same key's signature twice counts once.
    let mut twice = link(&v3, &[&root2]);
    twice.signatures.push(twice.signatures[0].clone());
    assert!(follow(&rotated, &SignedKeySet::parse(&twice.text()).unwrap()).is_err());
    // Another organisation's set, however well signed.
    let mut other = v1.clone();
    other.version = 2;
    other.org = "AAAAAAAAAAAAAAAA".into();
    assert!(follow(&v1, &link(&other, &[&vectors::org_key()]))
        .unwrap_err()
        .to_string()
        .contains("another organisation"));
}

#[test]
fn a_first_enrollment_takes_a_whole_set_of_the_organisation_it_names() {
    let signed = SignedKeySet::parse(&vectors::key_set_link()).unwrap();
    assert!(self_signed(&signed, &vectors::org_key().public_key()).is_ok());
    assert!(self_signed(&signed, &seeded(0x99).public_key()).is_err(), "another organisation");
    let unsigned_by_root = link(&vectors::key_set(), &[&seeded(0x99)]);
    assert!(self_signed(&unsigned_by_root, &vectors::org_key().public_key()).is_err());
}

#[test]
fn bad_key_sets_get_a_typed_error_that_echoes_nothing() {
    let base = vectors::key_set();
    let alice = base.keys[1].clone();
    let with = |f: &dyn Fn(&mut KeySet)| {
        let mut set = base.clone();
        f(&mut set);
        set
    };
    let cases: Vec<(KeySet, &str)> = vec![
        (with(&|s| s.keys.push(alice.clone())), "alike"),
        (with(&|s| s.keys.push(RoleKey { name: "bob".into(), ..alice.clone() })), "same key twice"),
        (with(&|s| s.keys[1].name = "Susan Smith".into()), "key name"),
        (with(&|s| s.keys[1].name = "emp4155550132".into()), "key name"),
        (with(&|s| s.keys[1].roles = vec![]), "no role"),
        (with(&|s| s.keys[1].roles = vec![Role::Wipe, Role::Wipe]), "no role, or a role twice"),
        (with(&|s| s.threshold = 2), "threshold"),
        (with(&|s| s.threshold = 0), "threshold"),
        (with(&|s| s.roots.push(s.roots[0].clone())), "root key twice"),
        (with(&|s| s.roots = vec![]), "1 to 7 root keys"),
        (with(&|s| s.roots = vec!["Susan".into()]), "root key that is not"),
        (with(&|s| s.keys[0].expires_at = s.issued_at - 1), "expires"),
        (with(&|s| s.keys[0].expires_at = s.issued_at + MAX_KEY_VALID_SECONDS + 1), "expires"),
        (with(&|s| s.keys[0].expires_at = i64::MIN), "expires"),
        (with(&|s| s.version = 0), "version"),
        (with(&|s| s.org = "Susan Smith 0123".into()), "organisation"),
        (with(&|s| s.export_recipient = "Susan".into()), "export recipient"),
    ];
    for (set, expected) in cases {
        let err = sign(&set, &[&vectors::org_key()]).unwrap_err().to_string();
        assert!(err.contains(expected), "{expected}: {err}");
        assert!(!err.contains("Susan"), "{err}");
    }
    // An unknown role, an unknown field, a payload that is not canonical, megabytes.
    let text = vectors::key_set_link();
    let payload = String::from_utf8(crate::envelope::open_any(&text).unwrap().payload).unwrap();
    for (from, to) in [("\"wipe\"", "\"launch\""), ("\"threshold\":1", "\"threshold\":1,\"extra\":1"), (",", ", ")] {
        let bad = vectors::org_key().seal(Kind::Keys, payload.replacen(from, to, 1).as_bytes());
        let err = SignedKeySet::parse(&bad).unwrap_err().to_string();
        assert!(err.starts_with("invalid key set"), "{err}");
    }
    assert!(SignedKeySet::parse(&"a".repeat(5 << 20)).unwrap_err().to_string().contains("far too long"));
    for bad in ["", "tv1.keys.!!!.???", "tv1.policy.e30.AAAA", "Susan Smith"] {
        let err = SignedKeySet::parse(bad).unwrap_err().to_string();
        assert!(!err.contains("Susan") && err.contains("not a Televisit key set"), "{err}");
    }
    // Every truncation is refused.
    for end in 0..text.len() {
        let verdict = SignedKeySet::parse(&text[..end]).and_then(|l| follow(&vectors::legacy_keys(), &l));
        assert!(verdict.is_err(), "truncated at {end}");
    }
}

#[test]
fn a_threshold_can_be_reached_in_two_runs() {
    let rotated = vectors::rotated_key_set();
    let mut v3 = rotated.clone();
    v3.version = 3;
    let mut proposal = SignedKeySet::new(v3).unwrap();
    proposal.add_signature(&vectors::org_key()).unwrap();
    proposal.add_signature(&vectors::org_key()).unwrap();
    assert_eq!(proposal.missing(&rotated), (1, 0), "one more of the current root");
    let second_run = SignedKeySet::parse(&proposal.text());
    let mut proposal = second_run.unwrap();
    proposal.add_signature(&seeded(0x88)).unwrap();
    assert_eq!(proposal.missing(&rotated), (0, 0));
    assert!(follow(&rotated, &proposal).is_ok());
}
