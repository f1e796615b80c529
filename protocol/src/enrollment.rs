//! The enrollment code: the one line a device enrolls with (fits a QR code for a typical policy).
//! It names the organisation, carries the key every later message is verified with, the age
//! recipient exports are sealed to, and a policy signed by that same key. Both carry a signed
//! issue time: the newest one a phone has verified is its last contact with IT.

use crate::envelope::{self, Kind};
use crate::error::{Error, Result};
pub use crate::keyset::is_age_recipient;
use crate::keyset::{self, KeySet, Role, SignedKeySet, Signer};
use crate::policy::Policy;
use crate::relay::RelayEndpoint;
use serde::{Deserialize, Serialize};

/// What a device needs to enroll, as IT's `enroll-code` writes it: signed by a key with the
/// `enroll` role in the key set it carries (a legacy code: by the org key it carries).
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
    /// The organisation's newest signed key set (absent from a legacy organisation's codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<String>,
    /// The key set's name for the key that signed the code (absent: the org key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// Where the phone checks in over HTTPS (`televisit-relay`), when IT runs one; the managed
    /// configuration may move it later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<RelayEndpoint>,
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
    /// The key set's name for the key that signed it (absent: the org key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
}

/// IT's side: a policy, validated first, signed at `issued_at` (Unix seconds).
pub fn sign_policy(signer: &Signer, policy: &Policy, issued_at: i64) -> Result<String> {
    policy.validate()?;
    let signed = SignedPolicy { issued_at, policy: policy.clone(), signed_by: signer.name.clone() };
    Ok(signer.key.seal_json(Kind::Policy, &signed))
}

/// Verifies a signed policy with the key its signer has in `keys` (a key with the `policy`
/// role), then validates it.
pub fn open_policy(text: &str, keys: &KeySet) -> Result<SignedPolicy> {
    let what = "signed policy";
    let opened = envelope::open(text, Kind::Policy).map_err(|p| Error::refused(what, p))?;
    let signed: SignedPolicy = envelope::parse_canonical(what, &opened.payload)?;
    let key =
        keys.verifier(signed.signed_by.as_deref(), Role::Policy, signed.issued_at).map_err(|p| signer(what, p))?;
    opened.verify(&key.key).map_err(|p| Error::refused(what, p))?;
    signed.policy.validate()?;
    Ok(signed)
}

/// The policy a signed text claims, before anything is verified: a phone that already applies it
/// has nothing to do with it, whoever signed it (a re-delivery after its key was revoked or
/// expired is not a problem for the clinician's screen).
pub fn claimed_policy(text: &str) -> Option<SignedPolicy> {
    let opened = envelope::open(text, Kind::Policy).ok()?;
    envelope::parse_canonical("signed policy", &opened.payload).ok()
}

pub(crate) fn signer(what: &'static str, problem: keyset::SignerProblem) -> Error {
    Error::invalid(what, problem.describe())
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

/// Who an organisation is, as IT's tool holds it: its name, its first key (what names it for
/// good), and its newest key set with that set's signed text (none for a legacy organisation).
pub struct OrgTrust {
    pub name: String,
    pub org_key: String,
    pub keys: KeySet,
    pub link: Option<String>,
}

/// What a code names beside the organisation: its validity, and where its phones check in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeTerms {
    pub validity: Validity,
    pub relay: Option<RelayEndpoint>,
}

impl From<Validity> for CodeTerms {
    /// A code naming no relay (its phones reach IT through the MDM only).
    fn from(validity: Validity) -> CodeTerms {
        CodeTerms { validity, relay: None }
    }
}

/// IT's side: the enrollment code for an organisation and a policy it signed, carrying its key set.
pub fn make_enroll_code(
    signer: &Signer,
    org: &OrgTrust,
    signed_policy: &str,
    terms: impl Into<CodeTerms>,
) -> Result<String> {
    let CodeTerms { validity, relay } = terms.into();
    open_policy(signed_policy, &org.keys)?;
    let code = EnrollCode {
        org_name: org.name.clone(),
        org_key: org.org_key.clone(),
        export_recipient: org.keys.export_recipient.clone(),
        policy: signed_policy.trim().to_owned(),
        issued_at: validity.issued_at,
        expires_at: validity.expires_at,
        keys: org.link.clone(),
        signed_by: signer.name.clone(),
        relay,
    };
    check_code(&code)?;
    let text = signer.key.seal_json(Kind::Enroll, &code);
    // As a new phone reads it: the set it carries whole, the code's signer in it.
    read_enroll_code(&text, None)?;
    Ok(text)
}

/// An enrollment code as read: the code, its policy, and the key set the phone keeps from now on.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadCode {
    pub code: EnrollCode,
    pub policy: SignedPolicy,
    pub keys: KeySet,
}

/// Reads an enrollment code. A first enrollment (`pinned` none) takes the key set the code
/// carries, whole and of the organisation the code names (a legacy code: its org key, for every
/// role). A device that holds a key set keeps it unless the code's is newer and
/// signed by its root; never an older one. The code and its policy must be signed by keys of the
/// set kept, with their roles. Whether it has expired is the phone's to judge (against its
/// clock's high-water mark).
pub fn read_enroll_code(text: &str, pinned: Option<&KeySet>) -> Result<ReadCode> {
    let what = "enrollment code";
    let opened = envelope::open(text, Kind::Enroll).map_err(|p| Error::refused(what, p))?;
    let code: EnrollCode = envelope::parse_canonical(what, &opened.payload)?;
    check_code(&code)?;
    let carried = match &code.keys {
        Some(link) => {
            let link = SignedKeySet::parse(link)?;
            if code.export_recipient != link.set.export_recipient {
                return Err(Error::invalid(what, "names another export recipient than its key set"));
            }
            Some(link)
        }
        None => None,
    };
    let keys = match (pinned, carried) {
        (None, Some(link)) => keyset::self_signed(&link, &code.org_key)?,
        (None, None) => KeySet::legacy(&code.org_key, &code.export_recipient),
        (Some(held), Some(link)) if link.set.version > held.version => keyset::follow(held, &link)?,
        (Some(held), _) => held.clone(),
    };
    let key = keys.verifier(code.signed_by.as_deref(), Role::Enroll, code.issued_at).map_err(|p| signer(what, p))?;
    opened.verify(&key.key).map_err(|p| Error::refused(what, p))?;
    let policy = open_policy(&code.policy, &keys)?;
    Ok(ReadCode { code, policy, keys })
}

fn check_code(code: &EnrollCode) -> Result<()> {
    let name = code.org_name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid("enrollment code", "the organisation's name must be 1 to 100 printable characters"));
    }
    if !is_age_recipient(&code.export_recipient) {
        return Err(Error::invalid("enrollment code", "has no valid export recipient"));
    }
    if let Some(relay) = &code.relay {
        let checked = relay.checked().map_err(|p| Error::invalid("enrollment code's relay", p.describe()))?;
        if checked != *relay {
            return Err(Error::invalid("enrollment code's relay", "is not written in its normal form"));
        }
    }
    let valid_for = code.expires_at.checked_sub(code.issued_at);
    if !valid_for.is_some_and(|s| (1..=MAX_CODE_VALID_SECONDS).contains(&s)) {
        return Err(Error::invalid("enrollment code", "must be valid for between one second and 366 days"));
    }
    Ok(())
}
