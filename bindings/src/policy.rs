//! The policy types, exposed as they are in the core (UniFFI remote types: no copies to convert).

use televisit_core::policy::{
    AppLockPolicy, BiometricClass, CallChecks, CallPolicy, CallingHours, ChecklistPolicy, ContactsPolicy, LogPolicy,
    RootedDeviceAction, Severity, WipeTriggers,
};
pub use televisit_core::Policy;
use televisit_core::WhatsAppApp;

#[uniffi::remote(Record)]
pub struct Policy {
    pub version: u64,
    pub organisation: String,
    pub contacts: ContactsPolicy,
    pub log: LogPolicy,
    pub app_lock: AppLockPolicy,
    pub checklist: ChecklistPolicy,
    pub wipe_triggers: WipeTriggers,
    pub calls: CallPolicy,
}

#[uniffi::remote(Record)]
pub struct CallPolicy {
    pub allowed_apps: Vec<WhatsAppApp>,
    pub checks: CallChecks,
    pub hours: Option<CallingHours>,
    pub phi_lint: Severity,
    pub sync_wait_seconds: u32,
    pub consent_text_version: String,
    pub consent_text: Option<String>,
}

#[uniffi::remote(Record)]
pub struct CallChecks {
    pub consent: Severity,
    pub checklist: Severity,
    pub whatsapp: Severity,
    pub contact: Severity,
    pub unlocked: Severity,
    pub calling_hours: Severity,
    pub disclosure: Severity,
    pub reachable: Severity,
}

#[uniffi::remote(Record)]
pub struct CallingHours {
    pub start: String,
    pub end: String,
    pub weekdays: Vec<u8>,
}

#[uniffi::remote(Enum)]
pub enum Severity {
    Block,
    Warn,
}

#[uniffi::remote(Record)]
pub struct ContactsPolicy {
    pub name_template: String,
    pub default_region: String,
    pub cleanup_after_days: u32,
    pub cleanup_when_visit_done: bool,
    pub cleanup_automatic: bool,
}

#[uniffi::remote(Record)]
pub struct LogPolicy {
    pub retention_days: u32,
}

#[uniffi::remote(Record)]
pub struct AppLockPolicy {
    pub inactivity_timeout_seconds: u32,
    pub android_biometrics: BiometricClass,
}

#[uniffi::remote(Enum)]
pub enum BiometricClass {
    Strong,
    Weak,
}

#[uniffi::remote(Record)]
pub struct ChecklistPolicy {
    pub reconfirm_days: u32,
    pub full_run_days: Option<u32>,
    pub catalog_version: u32,
    pub required: std::collections::HashMap<String, televisit_core::checklist::Requirement>,
}

#[uniffi::remote(Record)]
pub struct WipeTriggers {
    pub max_failed_unlocks: u32,
    pub block_after_offline_hours: Option<u32>,
    pub wipe_after_offline_days: Option<u32>,
    pub rooted_device: RootedDeviceAction,
}

#[uniffi::remote(Enum)]
pub enum RootedDeviceAction {
    Allow,
    Block,
    Wipe,
}

/// The organisation's defaults, before IT sets a policy.
#[uniffi::export]
pub fn default_policy() -> Policy {
    Policy::default()
}

/// Reads a policy from IT's JSON, with errors that name the field.
#[uniffi::export]
pub fn policy_from_json(json: String) -> Result<Policy, crate::TelevisitError> {
    Ok(televisit_core::policy::from_json_on_device(&json)?)
}

#[uniffi::export]
pub fn policy_to_json(policy: Policy) -> String {
    policy.to_json()
}
