//! The organisation's folder (`--org DIR`): who it is (`org.json`), its key set chain
//! (`keys/00001.keyset`, …, each version signed by a threshold of the root before it), the ledger,
//! and, only where they belong, secret keys:
//!
//! - `org-signing-key.pk8`: the organisation's first key. It names the organisation for good and
//!   is its first root; until IT splits it (`keys add-admin`, `keys rotate-bulletin`) it holds
//!   every role, as it always did. Keep the folder that holds it offline, in a vault.
//! - `export-identity.txt`: the age identities that open sealed log exports, newest first (a
//!   rotated one stays, to open old exports).
//!
//! Role keys live where their holder keeps them and are given with `--key FILE`: the bulletin key
//! on the cron host (with a copy of `org.json` and `keys/`, no other secret), each admin's wipe
//! key with that admin. Secret files are 0600 in a 0700 folder.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use televisit_protocol::enrollment::OrgTrust;
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::keyset::{self, KeySet, Role, RoleKey, SignedKeySet, Signer, SignerProblem};
use zeroize::Zeroizing;

const SIGNING_KEY: &str = "org-signing-key.pk8";
const EXPORT_IDENTITY: &str = "export-identity.txt";
const ORG: &str = "org.json";
const KEYS: &str = "keys";
/// A key set signed by fewer root keys than it needs: the next run with another root key adds its
/// signature (`keys approve`).
pub const PROPOSED: &str = "proposed.keyset";
/// How long before a role key expires every command that uses it says so.
pub const EXPIRY_WARNING_SECONDS: i64 = 30 * 86_400;

/// What may be shared: the organisation's name and public keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgInfo {
    pub name: String,
    /// base64url Ed25519: the organisation's first key, which names it for good (devices
    /// enrolled before key sets pin it; every key set's `org` is its key id).
    pub signing_key: String,
    /// age recipient: what devices seal exports to now.
    pub export_recipient: String,
}

pub struct Org {
    pub info: OrgInfo,
    pub dir: PathBuf,
    /// Every version of the key set, oldest first, as signed (none for an organisation that has
    /// not split its key).
    pub chain: Vec<String>,
    /// The newest key set (the legacy set of the first key when the chain is empty).
    pub keys: KeySet,
}

/// A key to sign with, the name the key set gives it, and what to tell its holder.
pub struct Signing {
    pub signer: Signer,
    /// Set within `EXPIRY_WARNING_SECONDS` of the key's expiry.
    pub warning: Option<String>,
}

/// Makes the keys; refuses to overwrite an existing organisation.
pub fn init(dir: &Path, name: &str) -> Result<OrgInfo> {
    if dir.join(SIGNING_KEY).exists() || dir.join(ORG).exists() {
        bail!("{} already holds an organisation; refusing to overwrite its keys", dir.display());
    }
    let name = name.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        bail!("the organisation's name must be 1 to 100 printable characters");
    }
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    let (key, pkcs8) = SigningKey::generate()?;
    let identity = age::x25519::Identity::generate();
    use age::secrecy::ExposeSecret;
    write_secret(&dir.join(SIGNING_KEY), &pkcs8)?;
    write_secret(&dir.join(EXPORT_IDENTITY), format!("{}\n", identity.to_string().expose_secret()).as_bytes())?;
    let info = OrgInfo {
        name: name.to_owned(),
        signing_key: key.public_key(),
        export_recipient: identity.to_public().to_string(),
    };
    fs::write(dir.join(ORG), serde_json::to_string_pretty(&info)?)?;
    Ok(info)
}

/// The organisation as this folder holds it: its chain checked link by link from its first key,
/// as a phone would follow it. Needs no secret key (the cron host's copy has none).
pub fn load(dir: &Path) -> Result<Org> {
    let info: OrgInfo = serde_json::from_slice(
        &fs::read(dir.join(ORG))
            .with_context(|| format!("{} is not an organisation folder (run `org init`)", dir.display()))?,
    )
    .context("org.json is damaged")?;
    if let Some(key) = legacy_key(dir)? {
        if key.public_key() != info.signing_key {
            bail!("org.json and the signing key in {} do not belong together", dir.display());
        }
    }
    let mut keys = KeySet::legacy(&info.signing_key, &info.export_recipient);
    let mut chain = Vec::new();
    for (version, path) in chain_files(dir)? {
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let link = SignedKeySet::parse(&text).with_context(|| format!("{} is damaged", path.display()))?;
        if link.set.version != version {
            bail!("{} holds version {}, not {version}", path.display(), link.set.version);
        }
        keys = keyset::follow(&keys, &link)
            .with_context(|| format!("{} does not follow the version before it", path.display()))?;
        chain.push(text.trim().to_owned());
    }
    Ok(Org { info, dir: dir.to_owned(), chain, keys })
}

/// `keys/NNNNN.keyset`, by version.
fn chain_files(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let folder = dir.join(KEYS);
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(&folder)? {
        let path = entry?.path();
        let version = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".keyset"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(version) = version {
            files.push((version, path));
        }
    }
    files.sort();
    for (i, (version, path)) in files.iter().enumerate() {
        if *version != i as u64 + 1 {
            bail!("{} leaves a gap in the key set chain", path.display());
        }
    }
    Ok(files)
}

/// The organisation's first key, where this folder holds it (the vault's copy).
pub fn legacy_key(dir: &Path) -> Result<Option<SigningKey>> {
    let path = dir.join(SIGNING_KEY);
    if !path.exists() {
        return Ok(None);
    }
    read_key(&path).map(Some)
}

/// A secret key file (`--key`, `--root`): PKCS#8, as `keys` commands and `org init` write them.
pub fn read_key(path: &Path) -> Result<SigningKey> {
    let pkcs8 = Zeroizing::new(fs::read(path).with_context(|| format!("cannot read the key {}", path.display()))?);
    SigningKey::from_pkcs8(&pkcs8)
        .with_context(|| format!("{} is not a Televisit key (Ed25519, PKCS#8)", path.display()))
}

impl Org {
    /// Who the organisation is, for an enrollment code: its newest key set, as signed.
    pub fn trust(&self) -> OrgTrust {
        OrgTrust {
            name: self.info.name.clone(),
            org_key: self.info.signing_key.clone(),
            keys: self.keys.clone(),
            link: self.chain.last().cloned(),
        }
    }

    /// The newest key set as a phone in touch judges with it at `now` (its floor: IT's newest
    /// word): what phones would refuse, IT's tool refuses to send.
    pub fn keys_as_phones_judge(&self, now: i64) -> KeySet {
        KeySet { floor: now, ..self.keys.clone() }
    }

    /// The links a bulletin carries: those that changed the root, and the newest, which take a
    /// phone at any earlier version to the newest (`keyset::links_to_carry`).
    pub fn links(&self) -> Result<Vec<String>> {
        Ok(keyset::links_to_carry(&self.chain)?)
    }

    /// The key that signs a message of `role` now: the file given, or else the organisation's
    /// first key where this folder holds it and the key set still gives it the role. Refused,
    /// saying why and what to do, when the key set does not hold it, it lacks the role, or it
    /// has expired; warned within 30 days of its expiry.
    pub fn signer(&self, key: Option<&Path>, role: Role, now: i64) -> Result<Signing> {
        let what = role.code();
        let signing = match key {
            Some(path) => read_key(path)?,
            None => match legacy_key(&self.dir)? {
                Some(key) => key,
                None => bail!(
                    "{} holds no key that signs a {what}: give the key for it with --key FILE",
                    self.dir.display()
                ),
            },
        };
        if self.keys.version == 0 {
            if signing.public_key() != self.info.signing_key {
                bail!("this key is not the organisation's: its key set is still the one key in org-signing-key.pk8");
            }
            return Ok(Signing { signer: Signer::legacy(signing), warning: None });
        }
        let Some(name) = self.keys.name_of(&signing.public_key()).map(str::to_owned) else {
            bail!(
                "this key is not in the organisation's key set (version {}): revoked, replaced, or never added; `keys show` lists the keys that sign a {what}",
                self.keys.version
            );
        };
        let verdict = self.keys.verifier(Some(&name), role, now);
        let rolekey = match verdict {
            Ok(k) => k,
            Err(SignerProblem::NotAllowed) => {
                let roles: Vec<&str> = self.keys.key_named(&name).map(RoleKey::role_codes).unwrap_or_default();
                bail!("the key {name} signs {} only, not a {what}", roles.join(", "))
            }
            Err(SignerProblem::Expired) => bail!(
                "the key {name} expired on {}: it signs nothing more (a new key: `keys add-admin`, `keys rotate-bulletin`)",
                day(self.keys.key_named(&name).map_or(0, |k| k.expires_at))
            ),
            Err(SignerProblem::Unknown) => bail!("the key set holds no key {name}"),
        };
        let warning = (rolekey.expires_at - now < EXPIRY_WARNING_SECONDS).then(|| {
            format!("the key {name} expires on {}: replace it before then (`keys show`)", day(rolekey.expires_at))
        });
        Ok(Signing { signer: Signer { key: signing, name: Some(name) }, warning })
    }

    /// Warnings for every role key expiring within 30 days (or expired), for `keys show` and
    /// `policy check`.
    pub fn expiry_warnings(&self, now: i64) -> Vec<String> {
        self.keys
            .keys
            .iter()
            .filter(|k| k.expires_at != i64::MAX && k.expires_at - now < EXPIRY_WARNING_SECONDS)
            .map(|k| {
                let roles = k.role_codes();
                if k.expires_at <= now {
                    format!(
                        "the key {} ({}) expired on {}: it signs nothing more",
                        k.name,
                        roles.join(", "),
                        day(k.expires_at)
                    )
                } else {
                    format!(
                        "the key {} ({}) expires on {}: replace it before then",
                        k.name,
                        roles.join(", "),
                        day(k.expires_at)
                    )
                }
            })
            .collect()
    }

    /// The folder's chain of key sets, where `keys` commands write.
    pub fn keys_dir(&self) -> PathBuf {
        self.dir.join(KEYS)
    }

    /// Publishes a fully signed next version: written as `keys/NNNNN.keyset`, never over one.
    pub fn publish(&mut self, signed: &SignedKeySet) -> Result<()> {
        let next = keyset::follow(&self.keys, signed).context("the new key set")?;
        let dir = self.keys_dir();
        fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{:05}.keyset", next.version));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        file.write_all(format!("{}\n", signed.text()).as_bytes())?;
        file.sync_all()?;
        let _ = fs::remove_file(dir.join(PROPOSED));
        if next.export_recipient != self.info.export_recipient {
            self.info.export_recipient = next.export_recipient.clone();
            fs::write(self.dir.join(ORG), serde_json::to_string_pretty(&self.info)?)?;
        }
        self.chain.push(signed.text());
        self.keys = next;
        Ok(())
    }
}

/// A date as people read it (UTC).
pub fn day(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map_or_else(|| "a date out of range".into(), |t| t.format("%Y-%m-%d").to_string())
}

/// The identities that open the organisation's exports, newest first, one per line.
pub fn export_identity(dir: &Path) -> Result<Zeroizing<String>> {
    Ok(Zeroizing::new(
        fs::read_to_string(dir.join(EXPORT_IDENTITY)).context("the organisation's export identity is missing")?,
    ))
}

/// Adds an export identity before the others (they stay, to open older exports).
pub fn add_export_identity(dir: &Path, identity: &age::x25519::Identity) -> Result<()> {
    use age::secrecy::ExposeSecret;
    let old = export_identity(dir)?;
    let both = Zeroizing::new(format!("{}\n{}", identity.to_string().expose_secret(), old.as_str()));
    let path = dir.join(EXPORT_IDENTITY);
    let fresh = dir.join(format!("{EXPORT_IDENTITY}.new"));
    let _ = fs::remove_file(&fresh);
    write_secret(&fresh, both.as_bytes())?;
    fs::rename(&fresh, &path)?;
    Ok(())
}

/// Written whole to a 0600 file that did not exist.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
