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
    pub wipe: ManagedOutcome,
    pub wipe_started: bool,
}

/// The managed-configuration keys, named once in the core.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ManagedConfigKeys {
    pub enrollment_code: String,
    pub signed_policy: String,
    pub wipe_command: String,
    /// Where the device answers (Android keyed app state, iOS `com.apple.feedback.managed`).
    pub wipe_receipt: String,
}

#[uniffi::export]
pub fn managed_config_keys() -> ManagedConfigKeys {
    ManagedConfigKeys {
        enrollment_code: keys::ENROLLMENT_CODE.into(),
        signed_policy: keys::SIGNED_POLICY.into(),
        wipe_command: keys::WIPE_COMMAND.into(),
        wipe_receipt: keys::WIPE_RECEIPT.into(),
    }
}

/// Each refused key with its message (`key: message`), ready for the screen.
#[uniffi::export]
pub fn managed_problems(report: ManagedReport) -> Vec<String> {
    report.problems()
}
