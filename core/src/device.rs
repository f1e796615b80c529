//! What the phone itself can tell: a snapshot each shell fills in (Android: KeyguardManager,
//! PackageManager; iOS: LocalAuthentication, canOpenURL), and the Android-only directory of
//! WhatsApp's rows in the contacts provider.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhatsAppApp {
    /// `com.whatsapp`
    Consumer,
    /// WhatsApp Business, `com.whatsapp.w4b`
    Business,
}

impl WhatsAppApp {
    pub fn package(self) -> &'static str {
        match self {
            WhatsAppApp::Consumer => "com.whatsapp",
            WhatsAppApp::Business => "com.whatsapp.w4b",
        }
    }

    /// The MIME type of WhatsApp's video-call row in Android's contacts Data table.
    pub fn video_call_mime(self) -> &'static str {
        match self {
            WhatsAppApp::Consumer => "vnd.android.cursor.item/vnd.com.whatsapp.video.call",
            WhatsAppApp::Business => "vnd.android.cursor.item/vnd.com.whatsapp.w4b.video.call",
        }
    }

    /// The sync-adapter account type whose sync makes WhatsApp add its rows to new contacts.
    pub fn account_type(self) -> &'static str {
        self.package()
    }

    pub fn play_store_id(self) -> &'static str {
        self.package()
    }

    /// The App Store id of the app's page.
    pub fn app_store_id(self) -> &'static str {
        match self {
            WhatsAppApp::Consumer => "310633997",
            WhatsAppApp::Business => "1386412985",
        }
    }
}

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
