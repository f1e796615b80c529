//! What the phone itself can tell: a snapshot each shell fills in (Android: KeyguardManager,
//! PackageManager; iOS: LocalAuthentication, canOpenURL), and the Android-only directory of
//! WhatsApp's rows in the contacts provider.

/// The WhatsApp apps, as the policy names them.
pub use televisit_protocol::policy::WhatsAppApp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledWhatsApp {
    pub app: WhatsAppApp,
    pub version: String,
}

/// One reading of the device, taken by the shell when the core asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSnapshot {
    /// A screen lock (PIN, pattern, password, biometrics) is set.
    pub passcode_set: bool,
    /// A rooted or jailbroken signal.
    pub compromised: bool,
    pub os_version: String,
    pub whatsapp: Vec<InstalledWhatsApp>,
    /// The device's offset from UTC now, for the clinic's calling hours.
    pub utc_offset_minutes: i32,
}

pub trait DeviceFacts: Send + Sync {
    fn snapshot(&self) -> DeviceSnapshot;
}

/// Android only: finds WhatsApp's video-call row for a contact in the contacts provider's Data
/// table (its `_ID`), which the direct video-call intent opens.
pub trait WhatsAppDirectory: Send + Sync {
    fn video_call_row(&self, contact_platform_id: &str, app: WhatsAppApp) -> Option<i64>;
}
