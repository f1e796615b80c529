//! Enrollment: a device pins its organisation's signing key, gets a device id, an enrollment id
//! and a device signing key, and from then on accepts only policies and wipe commands that key
//! signed. What enrollment records lives in the platform's secret store, outside the database,
//! so that a device whose database is damaged or gone can still verify a wipe.

use super::envelope::SigningKey;
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use serde::{Deserialize, Serialize};
pub use televisit_protocol::enrollment::{make_enroll_code, open_policy, read_enroll_code, sign_policy, EnrollCode};
pub use televisit_protocol::ids::random_id;
use zeroize::Zeroizing;

pub const ENROLLMENT: &str = "televisit.enrollment.v1";
pub const DEVICE_KEY: &str = "televisit.device-key.v1";

/// The device's enrollment, kept in the secret store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrollment {
    pub org_name: String,
    pub org_key: String,
    pub export_recipient: String,
    pub device_id: String,
    pub enrollment_id: String,
    pub enrolled_at: i64,
    /// SHA-256 of the enrollment code this came from, so that MDM's re-delivery of the same
    /// code is recognised instead of enrolling again (which would void pending wipe commands).
    #[serde(default)]
    pub code_digest: Option<String>,
}

pub fn load(secrets: &dyn SecretStore) -> Result<Option<Enrollment>> {
    match secrets.get(ENROLLMENT)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| Error::SecretStore("the stored enrollment is unreadable".into())),
    }
}

pub(crate) fn save(secrets: &dyn SecretStore, enrollment: &Enrollment) -> Result<()> {
    secrets.put(ENROLLMENT, &serde_json::to_vec(enrollment)?)?;
    Ok(())
}

/// The device's signing key, made on first use.
pub(crate) fn device_key(secrets: &dyn SecretStore) -> Result<SigningKey> {
    match secrets.get(DEVICE_KEY)? {
        Some(pkcs8) => Ok(SigningKey::from_pkcs8(&Zeroizing::new(pkcs8))?),
        None => {
            let (key, pkcs8) = SigningKey::generate()?;
            secrets.put(DEVICE_KEY, &pkcs8)?;
            Ok(key)
        }
    }
}
