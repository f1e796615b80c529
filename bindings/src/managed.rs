//! Managed configuration (Android app restrictions, iOS `com.apple.configuration.managed`)
//! across the FFI: the key names both shells read and write, and what became of each value.

pub use televisit_core::it::managed::{keys, ManagedOutcome, ManagedReport};

#[uniffi::remote(Enum)]
pub enum ManagedOutcome {
    NotSet,
    Unchanged,
    Applied { summary: String },
    Refused { code: String, message: String },
}

#[uniffi::remote(Record)]
pub struct ManagedReport {
    pub enrollment: ManagedOutcome,
    pub policy: ManagedOutcome,
    pub mdm_ids: ManagedOutcome,
    pub relay: ManagedOutcome,
    pub bulletin: ManagedOutcome,
    pub wipe: ManagedOutcome,
    pub wipe_started: bool,
}

/// The managed-configuration keys, named once in the core.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ManagedConfigKeys {
    pub enrollment_code: String,
    pub signed_policy: String,
    pub wipe_command: String,
    /// The fleet's bulletin: contact with IT, and pending wipes.
    pub bulletin: String,
    /// The MDM's own ids of the device and its user (filled by the MDM's variables).
    pub mdm_device_id: String,
    pub mdm_user: String,
    /// The relay the phone checks in with over HTTPS, and the SHA-256 of its CA (optional).
    pub relay_url: String,
    pub relay_ca_sha256: String,
    /// Where the device answers (Android keyed app state, iOS `com.apple.feedback.managed`).
    pub wipe_receipt: String,
    pub device_report: String,
}

#[uniffi::export]
pub fn managed_config_keys() -> ManagedConfigKeys {
    ManagedConfigKeys {
        enrollment_code: keys::ENROLLMENT_CODE.into(),
        signed_policy: keys::SIGNED_POLICY.into(),
        wipe_command: keys::WIPE_COMMAND.into(),
        bulletin: keys::BULLETIN.into(),
        mdm_device_id: keys::MDM_DEVICE_ID.into(),
        mdm_user: keys::MDM_USER.into(),
        relay_url: keys::RELAY_URL.into(),
        relay_ca_sha256: keys::RELAY_CA_SHA256.into(),
        wipe_receipt: keys::WIPE_RECEIPT.into(),
        device_report: keys::DEVICE_REPORT.into(),
    }
}

/// The keys the app reads, in the order the core applies them: what a shell takes from the
/// MDM's configuration (and nothing else it finds there).
#[uniffi::export]
pub fn managed_read_keys() -> Vec<String> {
    keys::READ.iter().map(|key| (*key).to_owned()).collect()
}

/// Each refused key with its message (`key: message`), ready for the screen.
#[uniffi::export]
pub fn managed_problems(report: ManagedReport) -> Vec<String> {
    report.problems()
}
