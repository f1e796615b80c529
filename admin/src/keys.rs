//! Changes to the organisation's key set (`televisit-admin keys …`): add a key (an admin's wipe
//! key, a policy key), revoke one, rotate the bulletin key, the root or the export recipient.
//! Each change is the next version of the set, signed by the root keys given; a root with a
//! threshold above the keys given at once is signed in several runs (`keys approve`), the set
//! waiting in `keys/proposed.keyset` meanwhile. Phones take it from the next bulletin.
//!
//! The first change an organisation from before key sets makes turns its one key into the root
//! (1 of 1) and a role key named `org` with every role, so that nothing it signs today stops
//! working until IT takes those roles away (`keys revoke org`).

use crate::org::{self, Org, PROPOSED};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::keyset::{self, KeySet, Role, RoleKey, SignedKeySet, LEGACY_NAME, MAX_KEY_VALID_SECONDS};
use zeroize::Zeroizing;

/// How long a new role key is valid unless IT says otherwise.
pub const DEFAULT_KEY_VALID_SECONDS: i64 = 365 * 86_400;

pub enum Change {
    /// A new key with these roles, its secret written to `out`.
    Add { name: String, roles: Vec<Role>, valid_seconds: i64, out: PathBuf },
    /// The key leaves the set: phones refuse what it signs from then on.
    Revoke { name: String },
    /// A new bulletin key (named `bulletin`); no other key keeps the bulletin role.
    RotateBulletin { valid_seconds: i64, out: PathBuf },
    /// New root keys (each file read, or made when it does not exist) and their threshold.
    RotateRoot { new_roots: Vec<PathBuf>, threshold: Option<u32> },
    /// A new export recipient; the old identities stay, to open older exports.
    RotateExport,
}

/// What became of a change.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Signed by enough root keys: the next version, written to `keys/`.
    Published { version: u64 },
    /// Waiting for more root signatures (`keys approve --root FILE`): how many of the current
    /// root, and of the new one.
    Proposed { version: u64, missing_current: usize, missing_new: usize },
}

/// The next version, before the change: the same keys less the expired ones (named in `notes`).
fn next_set(org: &Org, now: i64, notes: &mut Vec<String>) -> Result<KeySet> {
    let mut next = org.keys.clone();
    next.version += 1;
    next.issued_at = now;
    if org.keys.version == 0 {
        // The organisation's one key: the root, and every role it had, as a key that expires.
        next.keys[0].expires_at = now + MAX_KEY_VALID_SECONDS - 86_400;
        notes.push(format!(
            "the organisation's first key becomes the root, and keeps every role as the key {LEGACY_NAME} until `keys revoke {LEGACY_NAME}`"
        ));
    }
    next.keys.retain(|k| {
        let live = k.expires_at > now;
        if !live {
            notes.push(format!("the key {} had expired: it leaves the set", k.name));
        }
        live
    });
    Ok(next)
}

/// New keys (and a new export identity), written only once the set that names them is checked.
#[derive(Default)]
struct NewKeys(Vec<(PathBuf, Zeroizing<Vec<u8>>)>, Option<age::x25519::Identity>);

impl NewKeys {
    /// A new key for `out`, which must not exist (nothing is ever written over a key).
    fn make(&mut self, out: &Path) -> Result<SigningKey> {
        if out.exists() {
            bail!("cannot create {} (it must not exist yet)", out.display());
        }
        let (key, pkcs8) = SigningKey::generate()?;
        self.0.push((out.to_owned(), pkcs8));
        Ok(key)
    }

    /// Each secret to its file (0600): before anything is signed, so that no published set names
    /// a key nobody holds.
    fn write(self, org: &Path) -> Result<()> {
        for (path, pkcs8) in self.0 {
            org::write_secret(&path, &pkcs8)?;
        }
        if let Some(identity) = &self.1 {
            org::add_export_identity(org, identity)?;
        }
        Ok(())
    }
}

fn check_validity(valid_seconds: i64) -> Result<()> {
    if !(86_400..=MAX_KEY_VALID_SECONDS).contains(&valid_seconds) {
        bail!("a key is valid for 1 day to 5 years");
    }
    Ok(())
}

/// Applies `change` and signs the next version with `roots` (or the folder's first key when it
/// is a root). New secrets are written once the new set is checked and before it is signed: a
/// change refused writes nothing, and no set ever names a key nobody holds.
pub fn change(org: &mut Org, change: Change, roots: &[PathBuf], now: i64) -> Result<(Outcome, Vec<String>)> {
    if org.keys_dir().join(PROPOSED).exists() {
        bail!("a key set change waits for root signatures (`keys approve`); approve or delete keys/{PROPOSED} first");
    }
    let mut notes = Vec::new();
    let mut next = next_set(org, now, &mut notes)?;
    let mut extra_signers = Vec::new();
    let mut made = NewKeys::default();
    match change {
        Change::Add { name, roles, valid_seconds, out } => {
            check_validity(valid_seconds)?;
            if !keyset::name_ok(&name) {
                bail!("a key's name is 1 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter");
            }
            if next.key_named(&name).is_some() {
                bail!("the key set already holds a key named {name}: revoke it first, or choose another name");
            }
            // The online key signs bulletins and nothing else: a stolen one must not wipe. Its
            // name is the bulletin key's (`rotate-bulletin`).
            if roles.contains(&Role::Bulletin) && roles.len() > 1 {
                bail!("a bulletin key signs bulletins only (it lives online): give it no other role");
            }
            if name == "bulletin" && roles != [Role::Bulletin] {
                bail!("the name bulletin is the bulletin key's: choose another name");
            }
            let key = made.make(&out)?;
            next.keys.push(RoleKey { name, key: key.public_key(), roles, expires_at: now + valid_seconds });
        }
        Change::Revoke { name } => {
            if !keyset::name_ok(&name) || next.key_named(&name).is_none() {
                bail!("the key set holds no key of that name (`keys show` lists them)");
            }
            next.keys.retain(|k| k.name != name);
        }
        Change::RotateBulletin { valid_seconds, out } => {
            check_validity(valid_seconds)?;
            for key in &mut next.keys {
                key.roles.retain(|r| *r != Role::Bulletin);
            }
            next.keys.retain(|k| !k.roles.is_empty());
            let key = made.make(&out)?;
            next.keys.push(RoleKey {
                name: "bulletin".into(),
                key: key.public_key(),
                roles: vec![Role::Bulletin],
                expires_at: now + valid_seconds,
            });
        }
        Change::RotateRoot { new_roots, threshold } => {
            if new_roots.is_empty() {
                bail!("give the new root keys with --new-root FILE (made when the file does not exist)");
            }
            if new_roots.iter().collect::<std::collections::HashSet<_>>().len() != new_roots.len() {
                bail!("each --new-root is a different file");
            }
            let mut keys = Vec::new();
            for path in &new_roots {
                keys.push(if path.exists() { org::read_key(path)? } else { made.make(path)? });
            }
            let count = u32::try_from(keys.len()).unwrap_or(u32::MAX);
            next.roots = keys.iter().map(SigningKey::public_key).collect();
            next.threshold = threshold.unwrap_or(count / 2 + 1);
            extra_signers = keys;
        }
        Change::RotateExport => {
            let identity = age::x25519::Identity::generate();
            next.export_recipient = identity.to_public().to_string();
            made.1 = Some(identity);
            notes.push("the old export identities stay in export-identity.txt, to open older exports".into());
        }
    }
    let mut signed = SignedKeySet::new(next)?;
    let roots = root_keys(org, &signed.set, roots)?;
    made.write(&org.dir)?;
    for key in roots.iter().chain(&extra_signers) {
        signed.add_signature(key)?;
    }
    Ok((settle(org, signed)?, notes))
}

/// The change waiting in `keys/proposed.keyset` for more root signatures, if any.
pub fn proposal(org: &Org) -> Result<Option<SignedKeySet>> {
    let path = org.keys_dir().join(PROPOSED);
    if !path.exists() {
        return Ok(None);
    }
    let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Some(SignedKeySet::parse(&text).context("keys/proposed.keyset is damaged")?))
}

/// Adds the signatures of `roots` to the change waiting in `keys/proposed.keyset`, when it is the
/// change the approver reviewed (`keys show` prints it and its digest): a root key never signs a
/// set its holder has not been shown.
pub fn approve(org: &mut Org, roots: &[PathBuf], digest: &str) -> Result<Outcome> {
    let mut signed = proposal(org)?.context("no key set change waits for approval")?;
    if signed.set.version != org.keys.version + 1 {
        bail!(
            "keys/{PROPOSED} is for version {}, and the chain is at {}: it is stale; delete it",
            signed.set.version,
            org.keys.version
        );
    }
    if signed.digest() != digest.trim() {
        bail!(
            "the change waiting is not the one reviewed (its digest is {}): check it with `keys show` first",
            signed.digest()
        );
    }
    if roots.is_empty() {
        bail!("give a root key to approve with: --root FILE");
    }
    for key in root_keys(org, &signed.set, roots)? {
        signed.add_signature(&key)?;
    }
    settle(org, signed)
}

/// Publishes a change signed by enough root keys, or keeps it waiting for more.
fn settle(org: &mut Org, signed: SignedKeySet) -> Result<Outcome> {
    let version = signed.set.version;
    match signed.missing(&org.keys) {
        (0, 0) => {
            org.publish(&signed)?;
            Ok(Outcome::Published { version })
        }
        (missing_current, missing_new) => {
            let dir = org.keys_dir();
            fs::create_dir_all(&dir)?;
            fs::write(dir.join(PROPOSED), format!("{}\n", signed.text()))?;
            Ok(Outcome::Proposed { version, missing_current, missing_new })
        }
    }
}

/// The root keys given (or the folder's first key, when it is a root of the set now): each must
/// be a root of the current set or of the next.
fn root_keys(org: &Org, next: &KeySet, files: &[PathBuf]) -> Result<Vec<SigningKey>> {
    let is_root = |key: &SigningKey| {
        let public = key.public_key();
        org.keys.roots.contains(&public) || next.roots.contains(&public)
    };
    if files.is_empty() {
        return Ok(org::legacy_key(&org.dir)?
            .into_iter()
            .filter(|k| org.keys.roots.contains(&k.public_key()))
            .collect());
    }
    let mut keys = Vec::new();
    for path in files {
        let key = org::read_key(path)?;
        if !is_root(&key) {
            bail!("{} is not one of the organisation's root keys", path.display());
        }
        keys.push(key);
    }
    Ok(keys)
}

/// The key set as `keys show` prints it.
pub fn describe(org: &Org, now: i64) -> String {
    let set = &org.keys;
    let mut text = if set.version == 0 {
        format!(
            "key set: none yet; the organisation's one key ({}) signs everything, as before key sets\n",
            org.info.signing_key
        )
    } else {
        format!(
            "key set version {} (issued {}): root {} of {} key(s)\n",
            set.version,
            org::day(set.issued_at),
            set.threshold,
            set.roots.len()
        )
    };
    for root in &set.roots {
        text.push_str(&format!("  root  {root}\n"));
    }
    for key in &set.keys {
        let roles = key.role_codes();
        let until = if key.expires_at == i64::MAX {
            "never expires".to_owned()
        } else {
            format!("until {}", org::day(key.expires_at))
        };
        text.push_str(&format!("  {:<12} {:<24} {until}  {}\n", key.name, roles.join(","), key.key));
    }
    text.push_str(&format!("  exports sealed to {}\n", set.export_recipient));
    for warning in org.expiry_warnings(now) {
        text.push_str(&format!("warning: {warning}\n"));
    }
    if let Ok(Some(proposed)) = proposal(org) {
        text.push_str(&format!(
            "a change waits for root signatures (keys/{PROPOSED}): version {}, digest {}\n",
            proposed.set.version,
            proposed.digest()
        ));
        for line in changes(set, &proposed.set) {
            text.push_str(&format!("  {line}\n"));
        }
        text.push_str(&format!(
            "  approve it, once checked: keys approve --org DIR --root FILE --digest {}\n",
            proposed.digest()
        ));
    }
    text
}

/// What a new version changes, line by line, for the root holder who approves it.
pub fn changes(from: &KeySet, to: &KeySet) -> Vec<String> {
    let mut lines = Vec::new();
    if from.roots != to.roots || from.threshold != to.threshold {
        lines.push(format!(
            "root: {} of {} keys becomes {} of {}",
            from.threshold,
            from.roots.len(),
            to.threshold,
            to.roots.len()
        ));
        for root in to.roots.iter().filter(|r| !from.roots.contains(r)) {
            lines.push(format!("+ root {root}"));
        }
        for root in from.roots.iter().filter(|r| !to.roots.contains(r)) {
            lines.push(format!("- root {root}"));
        }
    }
    let roles = |k: &RoleKey| k.role_codes().join(",");
    for key in &to.keys {
        let line = format!("{} ({}) until {}: {}", key.name, roles(key), org::day(key.expires_at), key.key);
        match from.key_named(&key.name) {
            None => lines.push(format!("+ {line}")),
            Some(old) if old != key => lines.push(format!("~ {line}")),
            Some(_) => {}
        }
    }
    for key in from.keys.iter().filter(|k| to.key_named(&k.name).is_none()) {
        lines.push(format!("- {} ({})", key.name, roles(key)));
    }
    if from.export_recipient != to.export_recipient {
        lines.push(format!("exports sealed to {} from then on", to.export_recipient));
    }
    lines
}
