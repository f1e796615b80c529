//! Managed configuration: what IT's MDM pushes to the app (Android app restrictions, iOS
//! `com.apple.configuration.managed`). Both platforms hand over the same string keys, and both
//! re-deliver the whole configuration at every start and every change, so applying it must be
//! idempotent: a value already in force is `Unchanged`, and a value already refused is refused
//! again without a second log entry. A refusal never echoes the value, which IT typed or pasted.

use crate::error::Error;
use serde::Serialize;

/// The keys IT sets, and the one the app answers with. Declared once here; the Android
/// restrictions XML and the iOS AppConfig specification name the same keys (tests check them).
pub mod keys {
    pub const ENROLLMENT_CODE: &str = "enrollment_code";
    pub const SIGNED_POLICY: &str = "signed_policy";
    pub const WIPE_COMMAND: &str = "wipe_command";
    /// The fleet's bulletin (`televisit-admin bulletin sign`): contact with IT and pending wipes.
    pub const BULLETIN: &str = "bulletin";
    /// The MDM's own ids of the device and its user, filled by the MDM's variables (Intune
    /// `{{deviceid}}` and `{{userprincipalname}}`; Workspace ONE `{DeviceUid}` and `{EmailAddress}`).
    pub const MDM_DEVICE_ID: &str = "mdm_device_id";
    pub const MDM_USER: &str = "mdm_user";
    /// Feedback from the device (Android keyed app state, iOS `com.apple.feedback.managed`).
    pub const WIPE_RECEIPT: &str = "wipe_receipt";
    pub const DEVICE_REPORT: &str = "device_report";
    /// The keys the app reads, in the order they are applied (enrollment first: the others need it).
    pub const READ: [&str; 6] = [ENROLLMENT_CODE, SIGNED_POLICY, MDM_DEVICE_ID, MDM_USER, BULLETIN, WIPE_COMMAND];
}

/// What became of one key of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ManagedOutcome {
    /// IT did not set the key (or set it empty).
    NotSet,
    /// The value is already in force (or, for a wipe command, already carried out).
    Unchanged,
    /// The value was applied now; `summary` says what changed, without any value.
    Applied { summary: String },
    /// The value was refused; `code` is stable, `message` is for the screen.
    Refused { code: String, message: String },
}

/// The outcome of one delivery of the managed configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedReport {
    pub enrollment: ManagedOutcome,
    pub policy: ManagedOutcome,
    /// The MDM's ids of the device and user (both keys together).
    pub mdm_ids: ManagedOutcome,
    pub bulletin: ManagedOutcome,
    pub wipe: ManagedOutcome,
    /// A wipe command held: the shell must close the store and finish the wipe now.
    pub wipe_started: bool,
}

impl ManagedReport {
    /// Each refused key with its message, for the shell to show (`key: message`).
    pub fn problems(&self) -> Vec<String> {
        [
            (keys::ENROLLMENT_CODE, &self.enrollment),
            (keys::SIGNED_POLICY, &self.policy),
            (keys::MDM_DEVICE_ID, &self.mdm_ids),
            (keys::BULLETIN, &self.bulletin),
            (keys::WIPE_COMMAND, &self.wipe),
        ]
        .into_iter()
        .filter_map(|(key, outcome)| match outcome {
            ManagedOutcome::Refused { message, .. } => Some(format!("{key}: {message}")),
            _ => None,
        })
        .collect()
    }
}

/// A short stable code for a refusal, for the log and for the shells' tests.
pub(crate) fn refusal_code(err: &Error) -> &'static str {
    match err {
        Error::WipeRefused { code, .. } => code,
        Error::OtherOrganisation => "other_organisation",
        Error::PolicyOutdated { .. } => "policy_outdated",
        Error::InvalidInput { .. } => "invalid",
        Error::Blocked { .. } => "blocked",
        _ => "failed",
    }
}

/// A digest that identifies a delivered value without keeping it (SHA-256, hex).
pub(crate) fn digest(value: &str) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, value.as_bytes()))
}

/// The value of `key`, trimmed; blank counts as not set (MDM consoles often leave "" behind).
pub(crate) fn value<'a>(values: &'a std::collections::HashMap<String, String>, key: &str) -> Option<&'a str> {
    values.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}
