//! The phone a command is about. The desktop has no WhatsApp and no lock screen of its own, so
//! `call` and `checklist` describe the TARGET phone through flags (`--platform`, `--whatsapp`,
//! `--whatsapp-version`, `--passcode`, `--utc-offset-minutes`; `status` adds `--compromised`),
//! which become the [`DeviceFacts`] its Android or iOS shell would give the core.

use crate::call_view::{self, TargetView};
use crate::usage::Refusal;
use clap::{Args, ValueEnum};
use televisit_core::{DeviceFacts, DeviceSnapshot, InstalledWhatsApp, Platform, WhatsAppApp};

/// Real UTC offsets run from UTC-12:00 to UTC+14:00.
const OFFSETS: std::ops::RangeInclusive<i32> = -720..=840;
/// The WhatsApp version a described phone has unless `--whatsapp-version` says otherwise.
pub const DEFAULT_WHATSAPP_VERSION: &str = "2.26.1";

/// What the phone's shell would tell the core about it. No help heading of its own: the command
/// that flattens it names the phone (`the phone the plan is for`, `… the checklist is for`).
#[derive(Args, Clone, Debug, PartialEq, Eq)]
pub struct PhoneArgs {
    /// The phone's platform.
    #[arg(long, value_enum, default_value_t = PlatformArg::Android)]
    pub platform: PlatformArg,
    /// The WhatsApp apps installed on the phone.
    #[arg(long, value_enum, default_value_t = Installed::Consumer)]
    pub whatsapp: Installed,
    /// The installed WhatsApp's version (Settings > Help > App info). A checklist confirmed for one
    /// version is due again when WhatsApp changes.
    #[arg(long, value_name = "VERSION", value_parser = parse_whatsapp_version, default_value = DEFAULT_WHATSAPP_VERSION)]
    pub whatsapp_version: String,
    /// Whether the phone has a screen lock (PIN, pattern, password or biometrics).
    #[arg(long, value_enum, default_value_t = Passcode::Set)]
    pub passcode: Passcode,
    /// The phone's offset from UTC in minutes (60 for UTC+01:00, -300 for UTC-05:00), for the clinic's
    /// calling hours. Default: this desktop's.
    #[arg(long, value_name = "MINUTES", value_parser = parse_offset, allow_negative_numbers = true)]
    pub utc_offset_minutes: Option<i32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    Android,
    Ios,
}

impl From<PlatformArg> for Platform {
    fn from(p: PlatformArg) -> Self {
        match p {
            PlatformArg::Android => Platform::Android,
            PlatformArg::Ios => Platform::Ios,
        }
    }
}

/// Which WhatsApp apps the target phone has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Installed {
    /// WhatsApp (com.whatsapp).
    Consumer,
    /// WhatsApp Business (com.whatsapp.w4b).
    Business,
    Both,
    None,
}

impl Installed {
    pub fn apps(self) -> Vec<WhatsAppApp> {
        match self {
            Installed::Consumer => vec![WhatsAppApp::Consumer],
            Installed::Business => vec![WhatsAppApp::Business],
            Installed::Both => vec![WhatsAppApp::Consumer, WhatsAppApp::Business],
            Installed::None => Vec::new(),
        }
    }
}

/// The phone's screen lock, as `--passcode set|not-set`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Passcode {
    Set,
    NotSet,
}

/// The target phone as its shell would describe it to the core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetPhone {
    pub platform: Platform,
    pub installed: Installed,
    /// The version of each installed WhatsApp app.
    pub whatsapp_version: String,
    pub passcode_set: bool,
    pub utc_offset_minutes: i32,
    /// The phone reports itself rooted or jailbroken (`televisit status --compromised`): the
    /// policy's local trigger blocks or wipes such a device.
    pub compromised: bool,
}

impl TargetPhone {
    /// A test phone with a screen lock and WhatsApp at [`DEFAULT_WHATSAPP_VERSION`].
    pub fn new(platform: Platform, installed: Installed, utc_offset_minutes: i32) -> Self {
        TargetPhone {
            platform,
            installed,
            whatsapp_version: DEFAULT_WHATSAPP_VERSION.to_owned(),
            passcode_set: true,
            utc_offset_minutes,
            compromised: false,
        }
    }

    /// The flags, with the desktop's own UTC offset when none was given.
    pub fn from_args(args: &PhoneArgs) -> Self {
        TargetPhone {
            platform: args.platform.into(),
            installed: args.whatsapp,
            whatsapp_version: args.whatsapp_version.clone(),
            passcode_set: args.passcode == Passcode::Set,
            utc_offset_minutes: args.utc_offset_minutes.unwrap_or_else(local_offset_minutes),
            compromised: false,
        }
    }

    pub fn view(&self, video_row: Option<i64>) -> TargetView {
        let apps = self.installed.apps();
        TargetView {
            platform: call_view::platform_code(self.platform),
            whatsapp_version: (!apps.is_empty()).then(|| self.whatsapp_version.clone()),
            whatsapp: apps.into_iter().map(call_view::app_code).collect(),
            passcode_set: self.passcode_set,
            utc_offset_minutes: self.utc_offset_minutes,
            video_row,
        }
    }
}

impl DeviceFacts for TargetPhone {
    fn snapshot(&self) -> DeviceSnapshot {
        DeviceSnapshot {
            passcode_set: self.passcode_set,
            compromised: self.compromised,
            os_version: "unknown (described on the desktop)".into(),
            whatsapp: self
                .installed
                .apps()
                .into_iter()
                .map(|app| InstalledWhatsApp { app, version: self.whatsapp_version.clone() })
                .collect(),
            utc_offset_minutes: self.utc_offset_minutes,
        }
    }
}

pub fn local_offset_minutes() -> i32 {
    chrono::Local::now().offset().local_minus_utc() / 60
}

pub fn parse_offset(text: &str) -> Result<i32, Refusal> {
    let refuse = || Refusal(format!("minutes east of UTC, from {} to {}", OFFSETS.start(), OFFSETS.end()));
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    text.parse::<i32>().ok().filter(|m| OFFSETS.contains(m)).ok_or_else(refuse)
}

/// `2.26.1`: two to four dot-separated numbers, as WhatsApp shows its version.
pub fn parse_whatsapp_version(text: &str) -> Result<String, Refusal> {
    let parts: Vec<&str> = text.split('.').collect();
    let fine = text.len() <= 24
        && (2..=4).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()));
    if fine {
        Ok(text.to_owned())
    } else {
        Err(Refusal("a version written like 2.26.1 (numbers and dots)".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_numbers_and_dots_and_refusals_do_not_quote_them() {
        for good in ["2.26.1", "2.24.10.77", "24.1"] {
            assert_eq!(parse_whatsapp_version(good).unwrap(), good);
        }
        for bad in ["", "2", "2..1", "v2.26.1", "2.26.1-beta", "1.2.3.4.5", "Susan Smith", "1234567.1"] {
            let refusal = parse_whatsapp_version(bad).unwrap_err().0;
            assert_eq!(refusal, "a version written like 2.26.1 (numbers and dots)", "{bad}");
        }
    }

    #[test]
    fn the_snapshot_carries_the_passcode_and_the_version() {
        let mut phone = TargetPhone::new(Platform::Android, Installed::Both, 60);
        let snapshot = phone.snapshot();
        assert!(snapshot.passcode_set);
        assert!(snapshot.whatsapp.iter().all(|w| w.version == DEFAULT_WHATSAPP_VERSION));
        phone.passcode_set = false;
        phone.installed = Installed::None;
        let snapshot = phone.snapshot();
        assert!(!snapshot.passcode_set && snapshot.whatsapp.is_empty());
        assert_eq!(phone.view(None).whatsapp_version, None, "no version without WhatsApp");
    }
}
