//! The wipe command IT signs for one device and enrollment, and the receipt the device signs
//! when it has carried one out. What a device checks beyond the signature (its own ids, the time,
//! commands already carried out) is the phone's business (`televisit-core`'s `it::wipe`).

use crate::envelope::{self, EnvelopeProblem, Kind, SigningKey};
use crate::error::{Error, Result};
use crate::keyset::{KeySet, Role, Signer, SignerProblem};
use serde::{Deserialize, Serialize};

pub const COMMAND_VERSION: u32 = 1;
/// Longest id a command or receipt carries.
const MAX_ID_LEN: usize = 64;
/// Longest a command may be valid from its issue: IT's tool issues at most 365 days. It also
/// bounds what a stolen key does after it expired: a command it backdates dies within this.
pub const MAX_COMMAND_SECONDS: i64 = 366 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WipeScope {
    /// Televisit's patient contacts only.
    Contacts,
    /// The encrypted store (patients, log, checklist): its key and its files.
    Log,
    /// Both, and the device then forgets its key and enrollment.
    All,
}

impl WipeScope {
    /// What two wipes together remove: the same scope, or everything (contacts and log together
    /// are everything). A second command merged into a pending wipe never narrows it.
    pub fn union(self, other: WipeScope) -> WipeScope {
        if self == other {
            self
        } else {
            WipeScope::All
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            WipeScope::Contacts => "contacts",
            WipeScope::Log => "log",
            WipeScope::All => "all",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WipeReason {
    Lost,
    Stolen,
    Left,
    Other,
    /// A local trigger (failed unlocks, offline too long, a compromised device).
    LocalTrigger,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WipeCommand {
    pub v: u32,
    pub device_id: String,
    pub enrollment_id: String,
    pub command_id: String,
    /// Unix seconds.
    pub issued_at: i64,
    pub not_before: i64,
    pub expires_at: i64,
    pub scope: WipeScope,
    pub reason: WipeReason,
    /// The key set's name for the admin key that signed it (absent: the org key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
}

/// Each way a wipe command is refused; the refusal is logged as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WipeRefusal {
    Malformed,
    UnsupportedVersion,
    BadSignature,
    NotEnrolled,
    OtherDevice,
    OlderEnrollment,
    NotYetValid,
    Expired,
    Replayed,
    /// IT cancelled the command (`televisit-admin wipe cancel`), and a bulletin said so.
    Cancelled,
    /// Signed by a key the device's key set does not hold (revoked, replaced, never added).
    UnknownSigner,
    /// Signed by a key without the `wipe` role (the bulletin key, a policy key).
    SignerNotAllowed,
    /// Signed after its key expired.
    SignerExpired,
}

impl From<SignerProblem> for WipeRefusal {
    fn from(problem: SignerProblem) -> Self {
        match problem {
            SignerProblem::Unknown => WipeRefusal::UnknownSigner,
            SignerProblem::NotAllowed => WipeRefusal::SignerNotAllowed,
            SignerProblem::Expired => WipeRefusal::SignerExpired,
        }
    }
}

impl WipeRefusal {
    pub fn code(self) -> &'static str {
        match self {
            WipeRefusal::Malformed => "malformed",
            WipeRefusal::UnsupportedVersion => "unsupported_version",
            WipeRefusal::BadSignature => "bad_signature",
            WipeRefusal::NotEnrolled => "not_enrolled",
            WipeRefusal::OtherDevice => "other_device",
            WipeRefusal::OlderEnrollment => "older_enrollment",
            WipeRefusal::NotYetValid => "not_yet_valid",
            WipeRefusal::Expired => "expired",
            WipeRefusal::Replayed => "replayed",
            WipeRefusal::Cancelled => "cancelled",
            WipeRefusal::UnknownSigner => "unknown_signer",
            WipeRefusal::SignerNotAllowed => "signer_not_allowed",
            WipeRefusal::SignerExpired => "signer_expired",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            WipeRefusal::Malformed => "the wipe command is damaged, truncated or not a wipe command",
            WipeRefusal::UnsupportedVersion => "the wipe command is in a format this app does not know",
            WipeRefusal::BadSignature => "the wipe command is not signed by this device's organisation",
            WipeRefusal::NotEnrolled => "this device is not enrolled, so it accepts no wipe command",
            WipeRefusal::OtherDevice => "the wipe command is for another device",
            WipeRefusal::OlderEnrollment => "the wipe command is for an earlier enrollment of this device",
            WipeRefusal::NotYetValid => "the wipe command is not valid yet",
            WipeRefusal::Expired => "the wipe command has expired",
            WipeRefusal::Replayed => "the wipe command was already carried out",
            WipeRefusal::Cancelled => "IT cancelled the wipe command",
            WipeRefusal::UnknownSigner => {
                "the wipe command is signed by a key this device's organisation no longer trusts (revoked or replaced)"
            }
            WipeRefusal::SignerNotAllowed => "the wipe command is signed by a key that may not sign wipes",
            WipeRefusal::SignerExpired => "the wipe command was signed after its key expired",
        }
    }
}

impl WipeCommand {
    /// The form every command keeps: ids of a bounded length, a validity window that is one.
    fn well_formed(&self) -> bool {
        id_ok(&self.device_id)
            && id_ok(&self.enrollment_id)
            && id_ok(&self.command_id)
            && self.not_before <= self.expires_at
            && self.expires_at.checked_sub(self.issued_at).is_some_and(|s| s <= MAX_COMMAND_SECONDS)
            && self.signed_by.as_deref().is_none_or(crate::keyset::name_ok)
    }

    /// Verifies a signature over this command (from its text, or a bulletin's entry for it) with
    /// the key its signer has in `keys`, which must have the `wipe` role.
    pub fn verify_signature(&self, keys: &KeySet, signature: &str) -> std::result::Result<(), WipeRefusal> {
        let key = keys.verifier(self.signed_by.as_deref(), Role::Wipe, self.issued_at)?;
        envelope::verify_detached(&key.key, Kind::Wipe, &envelope::canonical_json(self), signature)
            .map_err(|_| WipeRefusal::BadSignature)
    }
}

/// An id as commands and receipts carry them: a-z, 0-9 and _, of a bounded length.
fn id_ok(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// IT's side: a command, checked for its form, signed by the admin key it names.
pub fn issue(signer: &Signer, command: &WipeCommand) -> Result<String> {
    if command.v != COMMAND_VERSION || !command.well_formed() {
        return Err(Error::invalid("wipe command", "needs ids of a-z, 0-9 and _ and a validity window"));
    }
    if command.signed_by != signer.name {
        return Err(Error::invalid("wipe command", "names another signer than the key signing it"));
    }
    Ok(signer.key.seal_json(Kind::Wipe, command))
}

/// A command's signature, from its text: what a bulletin's entry for it carries (the phone
/// rebuilds the command from the entry and its own ids, and checks this against it).
pub fn command_signature(text: &str) -> Option<String> {
    let opened = envelope::open(text, Kind::Wipe).ok()?;
    Some(opened.to_text().rsplit('.').next()?.to_owned())
}

/// IT taking a wipe back: signed by an admin's wipe key, so that the online bulletin key cannot
/// take back a wipe IT wants (a thief holding a lost phone would want exactly that).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    pub command_id: String,
    /// Unix seconds.
    pub issued_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// base64url Ed25519 signature over the other fields' canonical JSON.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signature: String,
}

impl Cancel {
    fn unsigned(&self) -> Cancel {
        Cancel { signature: String::new(), ..self.clone() }
    }

    /// IT's side: a cancellation of `command_id`, signed.
    pub fn sign(signer: &Signer, command_id: &str, issued_at: i64) -> Result<Cancel> {
        if !id_ok(command_id) {
            return Err(Error::invalid("wipe cancellation", "needs a command id of a-z, 0-9 and _"));
        }
        let unsigned = Cancel {
            command_id: command_id.to_owned(),
            issued_at,
            signed_by: signer.name.clone(),
            signature: String::new(),
        };
        let signature = signer.key.sign_detached(Kind::Cancel, &envelope::canonical_json(&unsigned));
        Ok(Cancel { signature, ..unsigned })
    }

    /// Whether a key with the `wipe` role in `keys` signed it.
    pub fn verify(&self, keys: &KeySet) -> std::result::Result<(), WipeRefusal> {
        let key = keys.verifier(self.signed_by.as_deref(), Role::Wipe, self.issued_at)?;
        envelope::verify_detached(&key.key, Kind::Cancel, &envelope::canonical_json(&self.unsigned()), &self.signature)
            .map_err(|_| WipeRefusal::BadSignature)
    }

    pub(crate) fn well_formed(&self) -> bool {
        id_ok(&self.command_id)
            && self.signed_by.as_deref().is_none_or(crate::keyset::name_ok)
            && (1..=100).contains(&self.signature.len())
    }
}

/// The command id a wipe text claims, before anything is verified: to say "already carried out"
/// on a device that a full wipe has unenrolled (and so has no key to verify with).
pub fn claimed_command_id(text: &str) -> Option<String> {
    let opened = envelope::open(text, Kind::Wipe).ok()?;
    envelope::parse_canonical::<WipeCommand>("wipe command", &opened.payload).ok().map(|c| c.command_id)
}

/// The key a wipe text claims signed it (`Some(None)`: the org key, as legacy commands say),
/// before anything is verified: for IT's tool, to say which pending wipes a revocation ends.
pub fn claimed_signer(text: &str) -> Option<Option<String>> {
    let opened = envelope::open(text, Kind::Wipe).ok()?;
    envelope::parse_canonical::<WipeCommand>("wipe command", &opened.payload).ok().map(|c| c.signed_by)
}

/// Opens a wipe command and checks its form and its signature, with the key its signer has in
/// the organisation's key set (a key with the `wipe` role).
pub fn open_command(text: &str, keys: &KeySet) -> std::result::Result<WipeCommand, WipeRefusal> {
    let opened = envelope::open(text, Kind::Wipe).map_err(|p| match p {
        EnvelopeProblem::UnsupportedVersion => WipeRefusal::UnsupportedVersion,
        _ => WipeRefusal::Malformed,
    })?;
    let command: WipeCommand = match envelope::parse_canonical("wipe command", &opened.payload) {
        Ok(command) => command,
        // A payload that does not parse names no signer: it is damaged after signing (no wipe
        // key's signature holds) or malformed as IT signed it (one does).
        Err(_) => {
            let signed = keys
                .keys
                .iter()
                .filter(|k| k.roles.contains(&Role::Wipe))
                .any(|k| opened.clone().verify(&k.key).is_ok());
            return Err(if signed { WipeRefusal::Malformed } else { WipeRefusal::BadSignature });
        }
    };
    let key = keys.verifier(command.signed_by.as_deref(), Role::Wipe, command.issued_at)?;
    opened.verify(&key.key).map_err(|_| WipeRefusal::BadSignature)?;
    if command.v != COMMAND_VERSION {
        return Err(WipeRefusal::UnsupportedVersion);
    }
    if !command.well_formed() {
        return Err(WipeRefusal::Malformed);
    }
    Ok(command)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    DeleteContacts,
    DestroyKey,
    DeleteFiles,
    WriteReceipt,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::DeleteContacts => "delete_contacts",
            Step::DestroyKey => "destroy_key",
            Step::DeleteFiles => "delete_files",
            Step::WriteReceipt => "write_receipt",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDone {
    pub step: Step,
    pub count: u32,
    pub failed: u32,
    /// Why the step could not run at all (`permission_denied`, `failed`); absent when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the device tells IT, signed with its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub v: u32,
    pub device_id: String,
    pub enrollment_id: String,
    pub command_id: String,
    pub scope: WipeScope,
    pub reason: WipeReason,
    pub completed_at: i64,
    pub steps: Vec<StepDone>,
    /// base64url Ed25519 key that signed this receipt: IT compares it with the one recorded at enrollment.
    pub device_key: String,
    /// Commands that arrived while this wipe was pending and were merged into it (their scope
    /// joined `scope`): this receipt carries them out too. Absent when there were none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_command_ids: Vec<String>,
}

/// Most commands one receipt carries out beside its own (each merge is a command IT signed for
/// this device; more than this is not a fleet's business).
pub const MAX_MERGED: usize = 16;

impl Receipt {
    /// Whether this receipt carries out the command: its own, or one merged into it.
    pub fn carries_out(&self, command_id: &str) -> bool {
        self.command_id == command_id || self.merged_command_ids.iter().any(|id| id == command_id)
    }
}

/// The device's side: its receipt, signed with its key.
pub fn seal_receipt(device_key: &SigningKey, receipt: &Receipt) -> String {
    device_key.seal_json(Kind::Receipt, receipt)
}

/// The device a receipt claims to come from, before anything is verified: to find the key IT
/// pinned for it (`verify_receipt` then checks the receipt against that key).
pub fn claimed_receipt_device(text: &str) -> Option<String> {
    let opened = envelope::open(text, Kind::Receipt).ok()?;
    // Only a well-formed device id is named back: before the signature is checked, the rest of
    // the receipt is anybody's text.
    envelope::parse_canonical::<Receipt>("wipe receipt", &opened.payload)
        .ok()
        .map(|r| r.device_id)
        .filter(|id| crate::ids::is_id_with_prefix(id, "dev"))
}

/// IT's side: checks a receipt against the device key IT pinned (from the device's first
/// report), never against the key written inside it, which anyone could put there.
pub fn verify_receipt(text: &str, pinned_device_key: &str) -> Result<Receipt> {
    let what = "wipe receipt";
    let opened = envelope::open(text, Kind::Receipt).map_err(|p| Error::refused(what, p))?;
    let receipt: Receipt = envelope::parse_canonical(what, &opened.payload)?;
    opened.verify(pinned_device_key).map_err(|p| Error::refused(what, p))?;
    if pinned_device_key != receipt.device_key {
        return Err(Error::invalid(what, "is signed by another device's key than the one pinned"));
    }
    if receipt.v != COMMAND_VERSION
        || receipt.steps.len() > 8
        || receipt.merged_command_ids.len() > MAX_MERGED
        || !receipt.merged_command_ids.iter().all(|id| id_ok(id))
    {
        return Err(Error::invalid(what, "is in a format this tool does not know"));
    }
    Ok(receipt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors;

    fn receipt(merged: &[&str]) -> Receipt {
        Receipt {
            v: COMMAND_VERSION,
            device_id: vectors::DEVICE_ID.into(),
            enrollment_id: vectors::ENROLLMENT_ID.into(),
            command_id: vectors::COMMAND_ID.into(),
            scope: WipeScope::All,
            reason: WipeReason::Lost,
            completed_at: vectors::ISSUED_AT,
            steps: Vec::new(),
            device_key: vectors::device_key().public_key(),
            merged_command_ids: merged.iter().map(|id| (*id).to_owned()).collect(),
        }
    }

    #[test]
    fn scopes_only_widen_when_joined() {
        use WipeScope::*;
        assert_eq!(Contacts.union(Contacts), Contacts);
        assert_eq!(Log.union(Log), Log);
        assert_eq!(Contacts.union(Log), All);
        assert_eq!(Log.union(Contacts), All);
        assert_eq!(All.union(Contacts), All);
        assert_eq!(Contacts.union(All), All);
    }

    #[test]
    fn a_receipt_carries_out_the_commands_merged_into_it() {
        let pinned = vectors::device_key().public_key();
        let text = seal_receipt(&vectors::device_key(), &receipt(&["cmd_second"]));
        let opened = verify_receipt(&text, &pinned).unwrap();
        assert!(opened.carries_out(vectors::COMMAND_ID) && opened.carries_out("cmd_second"));
        assert!(!opened.carries_out("cmd_third"));

        // Without merges the field is absent, so receipts made before it existed verify alike.
        let plain = seal_receipt(&vectors::device_key(), &receipt(&[]));
        assert!(!String::from_utf8(envelope::open(&plain, Kind::Receipt).unwrap().payload).unwrap().contains("merged"));
        let mut bytes = envelope::canonical_json(&receipt(&[]));
        bytes.pop(); // the closing brace
        bytes.extend_from_slice(b",\"merged_command_ids\":[]}");
        let empty_written = vectors::device_key().seal(Kind::Receipt, &bytes);
        assert!(verify_receipt(&empty_written, &pinned).is_err(), "an empty list written out is not canonical");

        let too_many: Vec<String> = (0..=MAX_MERGED).map(|i| format!("cmd_{i}")).collect();
        let refs: Vec<&str> = too_many.iter().map(String::as_str).collect();
        assert!(verify_receipt(&seal_receipt(&vectors::device_key(), &receipt(&refs)), &pinned).is_err());
        assert!(verify_receipt(&seal_receipt(&vectors::device_key(), &receipt(&["Bad Id"])), &pinned).is_err());
    }
}
