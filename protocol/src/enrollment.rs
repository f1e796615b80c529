//! The enrollment code: the one line a device enrolls with (fits a QR code for a typical policy).
//! It names the organisation, carries the key every later message is verified with, the age
//! recipient exports are sealed to, and a policy signed by that same key. Both carry a signed
//! issue time: the newest one a phone has verified is its last contact with IT.

use crate::envelope::{self, Kind, SigningKey};
use crate::error::{Error, Result};
use crate::policy::Policy;
use serde::{Deserialize, Serialize};

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
    /// Unix seconds. A code is for a first enrollment until it expires (default 90 days); a
    /// re-delivery of a code already enrolled with is harmless after that.
    pub issued_at: i64,
    pub expires_at: i64,
}

/// How long an enrollment code is valid unless IT says otherwise.
pub const DEFAULT_CODE_VALID_SECONDS: i64 = 90 * 86_400;
/// Longest an enrollment code may be valid.
pub const MAX_CODE_VALID_SECONDS: i64 = 366 * 86_400;

/// What a signed policy's payload holds: the policy and when IT signed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedPolicy {
    /// Unix seconds.
    pub issued_at: i64,
    pub policy: Policy,
}

/// IT's side: a policy, validated first, signed by the organisation at `issued_at` (Unix seconds).
pub fn sign_policy(org: &SigningKey, policy: &Policy, issued_at: i64) -> Result<String> {
    policy.validate()?;
    Ok(org.seal_json(Kind::Policy, &SignedPolicy { issued_at, policy: policy.clone() }))
}

/// Verifies a signed policy against the pinned organisation key, then validates it.
pub fn open_policy(text: &str, org_key: &str) -> Result<SignedPolicy> {
    let what = "signed policy";
    let payload =
        envelope::open(text, Kind::Policy).and_then(|o| o.verify(org_key)).map_err(|p| Error::refused(what, p))?;
    let signed: SignedPolicy = envelope::parse_canonical(what, &payload)?;
    signed.policy.validate()?;
    Ok(signed)
}

/// When an enrollment code is issued and until when it is valid, in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub issued_at: i64,
    pub expires_at: i64,
}

impl Validity {
    /// From `issued_at`, for `seconds`.
    pub fn from(issued_at: i64, seconds: i64) -> Result<Validity> {
        let expires_at = issued_at.checked_add(seconds).filter(|_| (1..=MAX_CODE_VALID_SECONDS).contains(&seconds));
        let expires_at = expires_at
            .ok_or_else(|| Error::invalid("enrollment code", "must be valid for between one second and 366 days"))?;
        Ok(Validity { issued_at, expires_at })
    }
}

/// IT's side: the enrollment code for an organisation and a policy it signed.
pub fn make_enroll_code(
    org: &SigningKey,
    org_name: &str,
    export_recipient: &str,
    signed_policy: &str,
    validity: Validity,
) -> Result<String> {
    open_policy(signed_policy, &org.public_key())?;
    let code = EnrollCode {
        org_name: org_name.to_owned(),
        org_key: org.public_key(),
        export_recipient: export_recipient.to_owned(),
        policy: signed_policy.trim().to_owned(),
        issued_at: validity.issued_at,
        expires_at: validity.expires_at,
    };
    check_code(&code)?;
    Ok(org.seal_json(Kind::Enroll, &code))
}

/// Reads an enrollment code: it must be signed by the key it names, and its policy by that key
/// too. Whether it has expired is the phone's to judge (against its clock's high-water mark).
pub fn read_enroll_code(text: &str) -> Result<(EnrollCode, SignedPolicy)> {
    let what = "enrollment code";
    let opened = envelope::open(text, Kind::Enroll).map_err(|p| Error::refused(what, p))?;
    let code: EnrollCode = envelope::parse_canonical(what, &opened.payload)?;
    opened.verify(&code.org_key).map_err(|p| Error::refused(what, p))?;
    check_code(&code)?;
    let policy = open_policy(&code.policy, &code.org_key)?;
    Ok((code, policy))
}

fn check_code(code: &EnrollCode) -> Result<()> {
    let name = code.org_name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid("enrollment code", "the organisation's name must be 1 to 100 printable characters"));
    }
    if !is_age_recipient(&code.export_recipient) {
        return Err(Error::invalid("enrollment code", "has no valid export recipient"));
    }
    let valid_for = code.expires_at.checked_sub(code.issued_at);
    if !valid_for.is_some_and(|s| (1..=MAX_CODE_VALID_SECONDS).contains(&s)) {
        return Err(Error::invalid("enrollment code", "must be valid for between one second and 366 days"));
    }
    Ok(())
}

/// The form of an age X25519 recipient: `age1` and 58 characters of bech32's alphabet. (Its
/// checksum is checked by whoever seals to it, with the age library.)
pub fn is_age_recipient(text: &str) -> bool {
    const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    text.len() == 62 && text.starts_with("age1") && text.bytes().skip(4).all(|b| BECH32.contains(&b))
}
