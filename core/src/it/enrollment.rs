//! Enrollment: a device pins its organisation's signing key, gets a device id, an enrollment id
//! and a device signing key, and from then on accepts only policies and wipe commands that key
//! signed. What enrollment records lives in the platform's secret store, outside the database,
//! so that a device whose database is damaged or gone can still verify a wipe.

use super::envelope::{self, EnvelopeProblem, Kind, SigningKey};
use crate::error::{Error, Result};
use crate::policy::Policy;
use crate::secrets::SecretStore;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

pub const ENROLLMENT: &str = "televisit.enrollment.v1";
pub const DEVICE_KEY: &str = "televisit.device-key.v1";

/// What a device needs to enroll, as IT's `enroll-code` writes it (signed by the org key it carries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollCode {
    pub org_name: String,
    /// base64url Ed25519 public key.
    pub org_key: String,
    /// The age recipient (`age1…`) that activity-log exports are sealed to.
    pub export_recipient: String,
    /// A signed policy envelope.
    pub policy: String,
}

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

pub(crate) fn refused(what: &'static str, problem: EnvelopeProblem) -> Error {
    Error::invalid(what, problem.describe())
}

/// IT's side: a policy, validated first, signed by the organisation.
pub fn sign_policy(org: &SigningKey, policy: &Policy) -> Result<String> {
    policy.validate()?;
    Ok(org.seal(Kind::Policy, policy.to_json().as_bytes()))
}

/// Verifies a signed policy against the pinned organisation key, then validates it.
pub fn open_policy(text: &str, org_key: &str) -> Result<Policy> {
    let payload =
        envelope::open(text, Kind::Policy).and_then(|o| o.verify(org_key)).map_err(|p| refused("signed policy", p))?;
    let json = String::from_utf8(payload).map_err(|_| Error::invalid("signed policy", "is not UTF-8 JSON"))?;
    Policy::from_json(&json)
}

/// IT's side: the one line a device enrolls with (fits a QR code for a typical policy).
pub fn make_enroll_code(
    org: &SigningKey,
    org_name: &str,
    export_recipient: &str,
    signed_policy: &str,
) -> Result<String> {
    open_policy(signed_policy, &org.public_key())?;
    let code = EnrollCode {
        org_name: org_name.to_owned(),
        org_key: org.public_key(),
        export_recipient: export_recipient.to_owned(),
        policy: signed_policy.to_owned(),
    };
    Ok(org.seal(Kind::Enroll, serde_json::to_string(&code).expect("a code serialises").as_bytes()))
}

/// Reads an enrollment code: it must be signed by the key it names, and its policy by that key too.
pub fn read_enroll_code(text: &str) -> Result<(EnrollCode, Policy)> {
    let opened = envelope::open(text, Kind::Enroll).map_err(|p| refused("enrollment code", p))?;
    let code: EnrollCode = serde_json::from_slice(&opened.payload)
        .map_err(|_| Error::invalid("enrollment code", "does not hold an enrollment"))?;
    opened.verify(&code.org_key).map_err(|p| refused("enrollment code", p))?;
    if !code.export_recipient.starts_with("age1") {
        return Err(Error::invalid("enrollment code", "has no valid export recipient"));
    }
    let policy = open_policy(&code.policy, &code.org_key)?;
    Ok((code, policy))
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
    secrets.put(ENROLLMENT, serde_json::to_string(enrollment).expect("an enrollment serialises").as_bytes())?;
    Ok(())
}

/// The device's signing key, made on first use.
pub(crate) fn device_key(secrets: &dyn SecretStore) -> Result<SigningKey> {
    match secrets.get(DEVICE_KEY)? {
        Some(pkcs8) => SigningKey::from_pkcs8(&pkcs8),
        None => {
            let (key, pkcs8) = SigningKey::generate()?;
            secrets.put(DEVICE_KEY, &pkcs8)?;
            Ok(key)
        }
    }
}

/// A fresh opaque id (`dev_…`, `enr_…`, `cmd_…`): a prefix and 24 hex digits.
pub fn random_id(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 12];
    SystemRandom::new().fill(&mut bytes).map_err(|_| Error::Storage("the system RNG failed".into()))?;
    Ok(format!("{prefix}_{}", hex::encode(bytes)))
}
