//! The organisation's key set: who may sign what, itself signed by the organisation's root.
//!
//! One versioned document names the root keys and how many of them must sign a change (the
//! threshold, 1 of 1 by default), and the role keys: each with a name, its roles (`policy`,
//! `enroll`, `wipe`, `bulletin`) and an expiry. Every message IT sends names the role key that
//! signed it (`signed_by`); a phone verifies it with that key as its own key set holds it (never
//! a key the message carries), and only for the roles the key has. So the online bulletin key,
//! on a cron host, can keep phones in touch but cannot wipe one, change a policy or enroll one;
//! each admin's wipe key says who issued a wipe; taking a key out of the set revokes it.
//!
//! A newer version is valid only when a threshold of the *current* root keys signed it (and, when
//! it changes the root, a threshold of the new root keys too). Versions the same root signed may
//! be passed over (each set is whole); a root change may not. Bulletins carry the links that
//! changed the root and the newest, so a phone that missed rotations catches up from one; an
//! older version is never taken again.
//!
//! Wire form: `tv1.keys.<base64url(payload JSON)>.<base64url(signatures)>`, the signatures
//! 64 bytes each, one per root key that signed, in any order (the form of an envelope, with room
//! for a threshold of signatures). Each signature covers the same bytes an envelope's does.
//!
//! Organisations from before key sets have one key that signs everything. A phone enrolled with
//! one holds the *legacy* key set (version 0): that key is the root and holds every role, under
//! the name `org`; messages from then do not name their signer, which means that key. The first
//! key set it signs (version 1) is a link like any other.

use crate::envelope::{self, Kind, SigningKey};
use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const KEYSET_VERSION: u32 = 1;
/// More root keys than an organisation's vault holds; keeps signatures bounded.
pub const MAX_ROOT_KEYS: usize = 7;
/// Role keys in one set: an admin each, and room.
pub const MAX_ROLE_KEYS: usize = 64;
/// Longest a role key may be valid from the set that names it: five years. Further is a typo.
pub const MAX_KEY_VALID_SECONDS: i64 = 5 * 366 * 86_400;
/// A signed key set is a few kB; refuses megabyte pastes before any work on them.
pub const MAX_KEYSET_CHARS: usize = 48 * 1024;
/// How many links a bulletin or a chain carries: a phone that missed more root changes than this
/// re-enrolls (a root changes rarely).
pub const MAX_LINKS: usize = 16;
/// The name the legacy key set gives the organisation's one key, and migration keeps.
pub const LEGACY_NAME: &str = "org";
const SIGNATURE_LEN: usize = 64;
const KIND: &str = "keys";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Signs policies.
    Policy,
    /// Signs enrollment codes.
    Enroll,
    /// Signs wipe commands and their cancellations: an admin's key.
    Wipe,
    /// Signs bulletins (the online key on the cron host): contact, confirmations, and the
    /// wipes and cancellations *others* signed.
    Bulletin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Policy, Role::Enroll, Role::Wipe, Role::Bulletin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Policy => "policy",
            Role::Enroll => "enroll",
            Role::Wipe => "wipe",
            Role::Bulletin => "bulletin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A key that signs messages, with what it may sign and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleKey {
    /// Short and lowercase (`bulletin`, `alice`, `policy-2027`): what the ledger, `wipe status`
    /// and the phone's log name as the signer.
    pub name: String,
    /// base64url Ed25519 public key.
    pub key: String,
    pub roles: Vec<Role>,
    /// Unix seconds. A message signed after it is refused; nothing on a phone is wiped or
    /// blocked because a key expired (see `KeySet::verifier`).
    pub expires_at: i64,
}

#[derive(Debug, Clone, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySet {
    pub v: u32,
    /// The organisation, for good: the key id of its first key (`envelope::key_id`), which
    /// every version keeps, whatever its root is now.
    pub org: String,
    /// 1, 2, 3, … (0 is the legacy key set, never signed).
    pub version: u64,
    /// Unix seconds.
    pub issued_at: i64,
    /// base64url Ed25519 public keys that sign the next version.
    pub roots: Vec<String>,
    /// How many of `roots` must sign the next version.
    pub threshold: u32,
    /// The age recipient phones seal their log exports to (it rotates with the set).
    pub export_recipient: String,
    pub keys: Vec<RoleKey>,
    /// Not part of the set: the newest time IT signed that the holder has seen (a phone's last
    /// check-in). A key that expired before it verifies nothing more, whatever time a message
    /// claims: a stolen expired key cannot backdate. Carried along the chain (`follow`); never
    /// written, never signed, never compared.
    #[serde(skip)]
    pub floor: i64,
}

/// Two sets are the same set whatever their holders have seen (`floor`).
impl PartialEq for KeySet {
    fn eq(&self, other: &KeySet) -> bool {
        envelope::canonical_json(self) == envelope::canonical_json(other)
    }
}

/// Why a message's signer is refused. Messages never name a key that verifies them: the name
/// they carry is looked up in the phone's own key set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerProblem {
    /// The key set holds no key of that name: revoked, replaced, or never the organisation's.
    Unknown,
    /// The key does not have the role the message needs (a bulletin key signing a wipe).
    NotAllowed,
    /// The message was signed after the key expired.
    Expired,
}

impl SignerProblem {
    pub fn code(self) -> &'static str {
        match self {
            SignerProblem::Unknown => "unknown_signer",
            SignerProblem::NotAllowed => "signer_not_allowed",
            SignerProblem::Expired => "signer_expired",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            SignerProblem::Unknown => {
                "is signed by a key the organisation's key set does not hold (revoked, replaced or never added)"
            }
            SignerProblem::NotAllowed => "is signed by a key whose role does not allow it",
            SignerProblem::Expired => "was signed after its key expired",
        }
    }
}

/// The form of an age X25519 recipient: `age1` and 58 characters of bech32's alphabet. (Its
/// checksum is checked by whoever seals to it, with the age library.)
pub fn is_age_recipient(text: &str) -> bool {
    const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    text.len() == 62 && text.starts_with("age1") && text.bytes().skip(4).all(|b| BECH32.contains(&b))
}

impl RoleKey {
    /// Its roles as their codes (`wipe`, `bulletin`), for screens and IT's tool.
    pub fn role_codes(&self) -> Vec<&'static str> {
        self.roles.iter().map(|r| r.code()).collect()
    }
}

/// Whether a key's name is one: 1 to 32 of a-z, 0-9, `.`, `_`, `-`, starting with a letter.
pub fn name_ok(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        // The phone's log names the signer: a name is a code it takes (no long digit runs).
        && crate::codes::check(name).is_ok()
}

impl KeySet {
    /// What a phone enrolled by an organisation without a key set holds: its one key is the root
    /// and every role, for good (an organisation that never rotates must keep working).
    pub fn legacy(org_key: &str, export_recipient: &str) -> KeySet {
        KeySet {
            v: KEYSET_VERSION,
            org: envelope::key_id(org_key).unwrap_or_default(),
            version: 0,
            issued_at: 0,
            roots: vec![org_key.to_owned()],
            threshold: 1,
            floor: 0,
            export_recipient: export_recipient.to_owned(),
            keys: vec![RoleKey {
                name: LEGACY_NAME.into(),
                key: org_key.to_owned(),
                roles: Role::ALL.to_vec(),
                expires_at: i64::MAX,
            }],
        }
    }

    /// The key that verifies a message signed by `signed_by` for `role` at its signed issue time:
    /// none named means the organisation's first key, as messages from before key sets say.
    pub fn verifier(
        &self,
        signed_by: Option<&str>,
        role: Role,
        issued_at: i64,
    ) -> std::result::Result<&RoleKey, SignerProblem> {
        let key = match signed_by {
            Some(name) => self.keys.iter().find(|k| k.name == name),
            None => self.keys.iter().find(|k| envelope::key_id(&k.key).as_deref() == Some(self.org.as_str())),
        }
        .ok_or(SignerProblem::Unknown)?;
        if !key.roles.contains(&role) {
            return Err(SignerProblem::NotAllowed);
        }
        if issued_at > key.expires_at || self.floor > key.expires_at {
            return Err(SignerProblem::Expired);
        }
        Ok(key)
    }

    /// The name this set gives a public key, if it holds it.
    pub fn name_of(&self, public_key: &str) -> Option<&str> {
        self.keys.iter().find(|k| k.key == public_key).map(|k| k.name.as_str())
    }

    pub fn key_named(&self, name: &str) -> Option<&RoleKey> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The rules every signed key set keeps. Nothing is echoed: a reason names a field or a count.
    pub fn check(&self) -> Result<()> {
        let bad = |reason: &str| Err(Error::invalid("key set", reason.to_owned()));
        if self.v != KEYSET_VERSION {
            return bad("is in a format this version does not know");
        }
        if self.version == 0 || self.version > u64::from(u32::MAX) {
            return bad("has no valid version number");
        }
        let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if self.org.len() != 16 || !self.org.bytes().all(base64url) {
            return bad("does not name a valid organisation");
        }
        if !(1..=MAX_ROOT_KEYS).contains(&self.roots.len()) {
            return bad("must have 1 to 7 root keys");
        }
        if self.roots.iter().any(|k| envelope::decode_public_key(k).is_none()) {
            return bad("has a root key that is not an Ed25519 public key");
        }
        if self.roots.iter().collect::<HashSet<_>>().len() != self.roots.len() {
            return bad("names a root key twice");
        }
        if self.threshold == 0 || self.threshold as usize > self.roots.len() {
            return bad("needs a threshold from 1 to the number of its root keys");
        }
        if !is_age_recipient(&self.export_recipient) {
            return bad("has no valid export recipient");
        }
        if self.keys.len() > MAX_ROLE_KEYS {
            return bad("holds more than 64 role keys");
        }
        let (mut names, mut keys) = (HashSet::new(), HashSet::new());
        for key in &self.keys {
            if !name_ok(&key.name) {
                return bad("has a key name that is not 1 to 32 of a-z, 0-9, '.', '_' and '-'");
            }
            if !names.insert(key.name.as_str()) {
                return bad("names two keys alike");
            }
            if envelope::decode_public_key(&key.key).is_none() {
                return bad("has a role key that is not an Ed25519 public key");
            }
            if !keys.insert(key.key.as_str()) {
                return bad("holds the same key twice");
            }
            if key.roles.is_empty() || key.roles.iter().collect::<HashSet<_>>().len() != key.roles.len() {
                return bad("has a key with no role, or a role twice");
            }
            let valid_for = key.expires_at.checked_sub(self.issued_at);
            if !valid_for.is_some_and(|s| (1..=MAX_KEY_VALID_SECONDS).contains(&s)) {
                return bad("has a key that expires before the set is issued or more than five years after");
            }
        }
        Ok(())
    }

    /// Whether this set changes who signs the next one.
    fn changes_root(&self, from: &KeySet) -> bool {
        self.roots != from.roots || self.threshold != from.threshold
    }
}

/// A key set as signed: the set, and the signatures it carries (not yet counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedKeySet {
    pub set: KeySet,
    payload: Vec<u8>,
    signatures: Vec<Vec<u8>>,
}

impl SignedKeySet {
    /// A set, checked, with no signature yet: IT adds them (`add_signature`).
    pub fn new(set: KeySet) -> Result<SignedKeySet> {
        set.check()?;
        Ok(SignedKeySet { payload: envelope::canonical_json(&set), set, signatures: Vec::new() })
    }

    /// Reads the form of a signed key set; counts no signature (see `follow`, `self_signed`).
    pub fn parse(text: &str) -> Result<SignedKeySet> {
        let what = "key set";
        let malformed = || Error::invalid(what, "is not a Televisit key set (damaged, truncated or not base64)");
        if text.len() > MAX_KEYSET_CHARS {
            return Err(Error::invalid(what, "is far too long"));
        }
        let mut parts = text.trim().split('.');
        let (Some(prefix), Some(kind), Some(payload), Some(signatures), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        if prefix != envelope::PREFIX || kind != KIND {
            return Err(malformed());
        }
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| malformed())?;
        let signatures = URL_SAFE_NO_PAD.decode(signatures).map_err(|_| malformed())?;
        let count = signatures.len() / SIGNATURE_LEN;
        if signatures.len() % SIGNATURE_LEN != 0 || !(1..=2 * MAX_ROOT_KEYS).contains(&count) {
            return Err(malformed());
        }
        let set: KeySet = envelope::parse_canonical(what, &payload)?;
        set.check()?;
        let signatures = signatures.chunks(SIGNATURE_LEN).map(<[u8]>::to_vec).collect();
        Ok(SignedKeySet { set, payload, signatures })
    }

    pub fn text(&self) -> String {
        format!(
            "{}.{KIND}.{}.{}",
            envelope::PREFIX,
            URL_SAFE_NO_PAD.encode(&self.payload),
            URL_SAFE_NO_PAD.encode(self.signatures.concat())
        )
    }

    /// Adds a root key's signature (once per key: a second is a no-op).
    pub fn add_signature(&mut self, key: &SigningKey) -> Result<()> {
        if self.signed_by(&key.public_key()) {
            return Ok(());
        }
        if self.signatures.len() >= 2 * MAX_ROOT_KEYS {
            return Err(Error::invalid("key set", "carries as many signatures as it may"));
        }
        self.signatures.push(key.sign_raw(Kind::Keys, &self.payload));
        Ok(())
    }

    /// A short name for exactly this set (SHA-256 of its payload, 16 hex digits): what a second
    /// root holder checks before adding a signature (`keys approve --digest`).
    pub fn digest(&self) -> String {
        hex::encode(&ring::digest::digest(&ring::digest::SHA256, &self.payload).as_ref()[..8])
    }

    /// Whether one of the signatures is this key's.
    pub fn signed_by(&self, public_key: &str) -> bool {
        self.signatures.iter().any(|s| envelope::signature_holds(public_key, Kind::Keys, &self.payload, s))
    }

    /// How many of `roots` signed it.
    pub fn count_signed(&self, roots: &[String]) -> usize {
        roots.iter().filter(|root| self.signed_by(root)).count()
    }

    /// The signatures still needed before a phone holding `current` takes this set: of the
    /// current root, and of the new one when it changes. (0, 0) means it is valid.
    pub fn missing(&self, current: &KeySet) -> (usize, usize) {
        let need = |threshold: u32, have: usize| (threshold as usize).saturating_sub(have);
        let old = need(current.threshold, self.count_signed(&current.roots));
        let new = if self.set.changes_root(current) {
            need(self.set.threshold, self.count_signed(&self.set.roots))
        } else {
            0
        };
        (old, new)
    }
}

/// A newer version than `current`, if `link` is one it can take: the same organisation, a higher
/// version, signed by a threshold of the current root (and of the new one, for a root change). A
/// set is never taken on its own word. Versions in between may be passed over: each set is
/// whole, and one the current root signed is as good as the versions before it. A root changed
/// in between is not: the link that changed it must come first.
pub fn follow(current: &KeySet, link: &SignedKeySet) -> Result<KeySet> {
    let what = "key set";
    if link.set.org != current.org {
        return Err(Error::invalid(what, "is another organisation's"));
    }
    if link.set.version <= current.version {
        return Err(Error::invalid(what, "is not newer than the version this device holds"));
    }
    match link.missing(current) {
        (0, 0) => Ok(KeySet { floor: current.floor, ..link.set.clone() }),
        (0, _) => Err(Error::invalid(what, "is not signed by enough of its new root keys")),
        _ => Err(Error::invalid(what, "is not signed by enough of the organisation's current root keys")),
    }
}

/// Follows a chain of links from `current`, oldest first: links at or below the version held are
/// passed over (a replayed older set never downgrades), each newer one must be followed from the
/// last (`follow`). All or nothing: a bad link leaves `current` as it was. None when nothing newer.
pub fn follow_chain<S: AsRef<str>>(current: &KeySet, links: &[S]) -> Result<Option<KeySet>> {
    if links.len() > MAX_LINKS {
        return Err(Error::invalid("key set", "chain carries more than 16 links"));
    }
    let mut parsed = links.iter().map(|l| SignedKeySet::parse(l.as_ref())).collect::<Result<Vec<_>>>()?;
    parsed.sort_by_key(|l| l.set.version);
    let mut held = current.clone();
    let mut moved = false;
    for link in parsed.iter().filter(|l| l.set.version > current.version) {
        if link.set.version == held.version && link.set == held {
            continue; // the same version twice
        }
        held = follow(&held, link)?;
        moved = true;
    }
    Ok(moved.then_some(held))
}

/// The links of a chain (oldest first) a phone at any earlier version needs to reach its end:
/// each that changed the root, and the newest; at most `MAX_LINKS`, the newest kept.
pub fn links_to_carry(chain: &[String]) -> Result<Vec<String>> {
    let mut carried = Vec::new();
    let mut previous: Option<KeySet> = None;
    for (i, text) in chain.iter().enumerate() {
        let link = SignedKeySet::parse(text)?;
        let changes_root = previous.as_ref().is_none_or(|p| link.set.changes_root(p));
        if changes_root || i + 1 == chain.len() {
            carried.push(text.clone());
        }
        previous = Some(link.set);
    }
    Ok(carried.split_off(carried.len().saturating_sub(MAX_LINKS)))
}

/// A first enrollment's key set: the code carries it, and nothing on the phone vouches for it yet
/// (trust on first use, as the code's own key was before). It must still be whole: signed by a
/// threshold of its own root, and of the organisation the code names.
pub fn self_signed(link: &SignedKeySet, org_key: &str) -> Result<KeySet> {
    let what = "key set";
    if envelope::key_id(org_key).as_deref() != Some(link.set.org.as_str()) {
        return Err(Error::invalid(what, "is another organisation's"));
    }
    if link.count_signed(&link.set.roots) < link.set.threshold as usize {
        return Err(Error::invalid(what, "is not signed by enough of its root keys"));
    }
    Ok(link.set.clone())
}

/// IT's side: a key set signed by each of `roots`.
pub fn sign(set: &KeySet, roots: &[&SigningKey]) -> Result<String> {
    let mut signed = SignedKeySet::new(set.clone())?;
    for root in roots {
        signed.add_signature(root)?;
    }
    Ok(signed.text())
}

/// A key that signs, and the name the organisation's key set gives it (none for a legacy
/// organisation, whose messages name no signer).
pub struct Signer {
    pub key: SigningKey,
    pub name: Option<String>,
}

impl Signer {
    /// The legacy organisation's one key.
    pub fn legacy(key: SigningKey) -> Signer {
        Signer { key, name: None }
    }
}

#[cfg(test)]
mod tests;
