//! Starting the call across the FFI: the device's facts and WhatsApp's directory as foreign
//! traits, and the pre-flight, plan and message types.

use std::collections::HashMap;
use std::sync::Arc;
use televisit_core::call as core;

pub use televisit_core::call::{AttemptKind, CheckStatus, LaunchAttempt, LaunchStep, PhiKind, Platform, TemplateId};
pub use televisit_core::{ChecklistStatus, DayMetrics, DeviceSnapshot, InstalledWhatsApp, WhatsAppApp};

#[uniffi::remote(Enum)]
pub enum WhatsAppApp {
    Consumer,
    Business,
}

#[uniffi::remote(Record)]
pub struct InstalledWhatsApp {
    pub app: WhatsAppApp,
    pub version: String,
}

#[uniffi::remote(Record)]
pub struct DeviceSnapshot {
    pub passcode_set: bool,
    pub compromised: bool,
    pub os_version: String,
    pub whatsapp: Vec<InstalledWhatsApp>,
    pub utc_offset_minutes: i32,
}

/// What the phone can tell: Android's KeyguardManager and PackageManager, iOS's
/// LocalAuthentication and `canOpenURL`.
#[uniffi::export(foreign)]
pub trait DeviceFacts: Send + Sync {
    fn snapshot(&self) -> DeviceSnapshot;
}

/// Android only: WhatsApp's video-call row (`_ID` in the contacts Data table) for a contact.
#[uniffi::export(foreign)]
pub trait WhatsAppDirectory: Send + Sync {
    fn video_call_row(&self, contact_platform_id: String, app: WhatsAppApp) -> Option<i64>;
}

pub(crate) struct ForeignDevice(pub Arc<dyn DeviceFacts>);

impl televisit_core::DeviceFacts for ForeignDevice {
    fn snapshot(&self) -> DeviceSnapshot {
        self.0.snapshot()
    }
}

pub(crate) struct ForeignDirectory(pub Arc<dyn WhatsAppDirectory>);

impl televisit_core::WhatsAppDirectory for ForeignDirectory {
    fn video_call_row(&self, contact_platform_id: &str, app: WhatsAppApp) -> Option<i64> {
        self.0.video_call_row(contact_platform_id.to_owned(), app)
    }
}

#[uniffi::remote(Enum)]
pub enum Platform {
    Android,
    Ios,
}

#[uniffi::remote(Enum)]
pub enum CheckStatus {
    Pass,
    Warn,
    Block,
}

#[uniffi::remote(Enum)]
pub enum ChecklistStatus {
    Current,
    Reconfirm,
    Due,
    Never,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Check {
    /// Stable reason code, e.g. `consent_missing`.
    pub code: String,
    pub status: CheckStatus,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Preflight {
    pub checks: Vec<Check>,
    pub app: Option<WhatsAppApp>,
    pub blocked: bool,
}

impl From<core::Preflight> for Preflight {
    fn from(p: core::Preflight) -> Self {
        Preflight {
            blocked: p.blocked(),
            checks: p
                .checks
                .into_iter()
                .map(|c| Check { code: c.code.into(), status: c.status, message: c.message })
                .collect(),
            app: p.app,
        }
    }
}

#[uniffi::remote(Enum)]
pub enum AttemptKind {
    DirectVideo,
    SyncThenVideo,
    Chat,
    StorePage,
}

#[uniffi::remote(Enum)]
pub enum LaunchStep {
    AndroidIntent {
        action: String,
        data: String,
        mime_type: Option<String>,
        package: Option<String>,
    },
    AndroidSyncThenIntent {
        account_type: String,
        mime_type: String,
        package: String,
        timeout_ms: u32,
        poll_interval_ms: u32,
    },
    OpenUrl {
        url: String,
        package: Option<String>,
    },
}

#[uniffi::remote(Record)]
pub struct LaunchAttempt {
    pub kind: AttemptKind,
    pub step: LaunchStep,
    pub instruction: Option<String>,
}

#[uniffi::remote(Enum)]
pub enum TemplateId {
    VisitConfirmation,
    VideoCallAt,
    Directions,
    PreparationChecklist,
}

#[uniffi::remote(Enum)]
pub enum PhiKind {
    DateOfBirth,
    RecordNumber,
    SsnLike,
    Email,
    StreetAddress,
    PhoneNumber,
    ClinicalTerm,
}

/// What the lint found, and where (UTF-8 byte offsets into the text).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PhiFinding {
    pub kind: PhiKind,
    pub start: u32,
    pub end: u32,
}

impl From<core::PhiFinding> for PhiFinding {
    fn from(f: core::PhiFinding) -> Self {
        // Offsets into a message of at most a few kB; one beyond u32 is shown at its end.
        let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        PhiFinding { kind: f.kind, start: offset(f.start), end: offset(f.end) }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct MessageRequest {
    pub template: TemplateId,
    pub values: HashMap<String, String>,
}

impl From<MessageRequest> for core::MessageRequest {
    fn from(m: MessageRequest) -> Self {
        core::MessageRequest { template: m.template, values: m.values.into_iter().collect() }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RenderedMessage {
    pub template: TemplateId,
    pub text: String,
    pub findings: Vec<PhiFinding>,
}

impl From<core::RenderedMessage> for RenderedMessage {
    fn from(m: core::RenderedMessage) -> Self {
        RenderedMessage {
            template: m.template,
            text: m.text,
            findings: m.findings.into_iter().map(Into::into).collect(),
        }
    }
}

/// The ordered attempts the shell carries out, first to last, moving on when one fails.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LaunchPlan {
    pub patient: String,
    pub platform: Platform,
    pub app: Option<WhatsAppApp>,
    pub attempts: Vec<LaunchAttempt>,
    pub message: Option<String>,
    pub message_findings: Vec<PhiFinding>,
    pub preflight: Preflight,
}

impl From<core::LaunchPlan> for LaunchPlan {
    fn from(p: core::LaunchPlan) -> Self {
        LaunchPlan {
            patient: p.patient.to_string(),
            platform: p.platform,
            app: p.app,
            attempts: p.attempts,
            message: p.message,
            message_findings: p.message_findings.into_iter().map(Into::into).collect(),
            preflight: p.preflight.into(),
        }
    }
}

#[uniffi::remote(Record)]
pub struct DayMetrics {
    pub day: String,
    pub calls_launched: u32,
    pub consents_recorded: u32,
    pub opt_outs: u32,
    pub contacts_created: u32,
    pub contacts_deleted: u32,
    pub cleanups: u32,
}

/// The sentence the clinician acknowledges once before the first call.
#[uniffi::export]
pub fn disclosure_text() -> String {
    core::DISCLOSURE.to_owned()
}

/// The Android `am start` line for a step (for testers with `adb shell`), when it has one.
#[uniffi::export]
pub fn adb_command(step: LaunchStep) -> Option<String> {
    core::launch::adb_command(&step)
}

/// The contacts Data MIME type of WhatsApp's video-call rows for `app` (Android).
#[uniffi::export]
pub fn video_call_mime(app: WhatsAppApp) -> String {
    app.video_call_mime().to_owned()
}

/// The package name of `app` (Android), as the manifest's `<queries>` must list it.
#[uniffi::export]
pub fn whatsapp_package(app: WhatsAppApp) -> String {
    app.package().to_owned()
}

/// Android: once WhatsApp's row `row` appears, the sync-then-video `step` becomes this intent.
#[uniffi::export]
pub fn step_after_sync(step: LaunchStep, row: i64) -> LaunchStep {
    core::launch::after_sync(&step, row)
}
