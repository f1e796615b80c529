//! The organisation's key folder (`--org DIR`): the Ed25519 signing key that devices pin, and
//! the age identity that opens sealed log exports. Secret files are 0600 in a 0700 folder; keep
//! the folder offline or in a vault.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use televisit_protocol::envelope::SigningKey;
use zeroize::Zeroizing;

const SIGNING_KEY: &str = "org-signing-key.pk8";
const EXPORT_IDENTITY: &str = "export-identity.txt";
const ORG: &str = "org.json";

/// What may be shared: the organisation's name and public keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgInfo {
    pub name: String,
    /// base64url Ed25519: what devices pin at enrollment.
    pub signing_key: String,
    /// age recipient: what devices seal exports to.
    pub export_recipient: String,
}

pub struct Org {
    pub info: OrgInfo,
    pub key: SigningKey,
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

pub fn load(dir: &Path) -> Result<Org> {
    let info: OrgInfo = serde_json::from_slice(
        &fs::read(dir.join(ORG))
            .with_context(|| format!("{} is not an organisation folder (run `org init`)", dir.display()))?,
    )
    .context("org.json is damaged")?;
    let pkcs8 = Zeroizing::new(fs::read(dir.join(SIGNING_KEY)).context("the organisation's signing key is missing")?);
    let key = SigningKey::from_pkcs8(&pkcs8)?;
    if key.public_key() != info.signing_key {
        bail!("org.json and the signing key in {} do not belong together", dir.display());
    }
    Ok(Org { info, key })
}

pub fn export_identity(dir: &Path) -> Result<Zeroizing<String>> {
    Ok(Zeroizing::new(
        fs::read_to_string(dir.join(EXPORT_IDENTITY)).context("the organisation's export identity is missing")?,
    ))
}

/// Written whole to a 0600 file that did not exist.
fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
