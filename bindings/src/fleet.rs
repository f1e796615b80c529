//! The fleet loop across the FFI: the bulletin IT pushes to every phone through the MDM, the
//! device report the phone publishes back, and the phone's last contact with IT. The store-less
//! `receiveBulletin` is what a background job (Android `JobScheduler`, iOS `BGAppRefreshTask`)
//! calls before anything opens the store.

use crate::platform::{ForeignSecrets, SecretStore};
use crate::{Platform, Result, Televisit};
use std::sync::Arc;
use std::time::SystemTime;
use televisit_core::it::bulletin::{self, BulletinOutcome};
use televisit_core::it::report::ReportFacts;

pub use televisit_core::QrCode;

/// The modules of a QR code, row by row (`dark[y * width + x]`); the shell paints them with a
/// quiet zone of four light modules on every side.
#[uniffi::remote(Record)]
pub struct QrCode {
    pub width: u32,
    pub dark: Vec<bool>,
}

/// The QR code of a text the phone shows IT by camera: its device report, a wipe receipt.
#[uniffi::export]
pub fn qr_code(text: String) -> Result<QrCode> {
    Ok(QrCode::encode(&text)?)
}

/// What a report says of the phone, from what the shell read (each at most 24 characters).
pub(crate) fn report_facts(platform: Platform, os_version: &str, app_version: &str) -> ReportFacts {
    let os = match platform {
        Platform::Android => "android",
        Platform::Ios => "ios",
    };
    ReportFacts {
        os: os.into(),
        os_version: os_version.chars().take(24).collect(),
        app_version: app_version.chars().take(24).collect(),
    }
}

/// What became of a bulletin.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BulletinResult {
    /// False when it was applied before (the MDM re-delivers the same one until IT signs the next).
    pub applied: bool,
    pub bulletin_id: Option<String>,
    /// It held a wipe for this device, now pending: close the store, call `resumePendingWipe`.
    pub wipe_started: bool,
    /// It confirmed that IT holds this device's wipe receipt, which the core has now forgotten:
    /// stop publishing it (remove it from the managed feedback, hide it on Settings).
    pub receipt_confirmed: bool,
    /// The version of the organisation's key set its links took the phone to, when they did.
    pub key_set_version: Option<u64>,
    /// Why this device's wipe entry was refused, when its signer or signature was
    /// (`unknown_signer`: a revoked admin's; `signer_not_allowed`; `bad_signature`): logged.
    pub wipe_refused: Option<String>,
    /// The key set's name for the key that signed it.
    pub signed_by: Option<String>,
    /// Its key set links could not be followed (forged, or past a root change this phone
    /// missed): the phone keeps its set, and the log says so.
    pub key_set_refused: bool,
}

impl From<BulletinOutcome> for BulletinResult {
    fn from(outcome: BulletinOutcome) -> Self {
        match outcome {
            BulletinOutcome::Unchanged => BulletinResult {
                applied: false,
                bulletin_id: None,
                wipe_started: false,
                receipt_confirmed: false,
                key_set_version: None,
                wipe_refused: None,
                signed_by: None,
                key_set_refused: false,
            },
            BulletinOutcome::Applied {
                bulletin_id,
                wipe,
                receipt_confirmed,
                key_set,
                wipe_refused,
                signed_by,
                key_set_refused,
                ..
            } => BulletinResult {
                applied: true,
                bulletin_id: Some(bulletin_id),
                wipe_started: wipe.is_some(),
                receipt_confirmed: receipt_confirmed.is_some(),
                key_set_version: key_set,
                wipe_refused: wipe_refused.map(|r| r.code().to_owned()),
                signed_by,
                key_set_refused,
            },
        }
    }
}

/// Applies a bulletin with no store open (a background job): contact with IT, and a wipe when it
/// names this device (then call `resumePendingWipe`).
#[uniffi::export]
pub fn receive_bulletin(secrets: Arc<dyn SecretStore>, bulletin: String) -> Result<BulletinResult> {
    Ok(bulletin::receive(&ForeignSecrets(secrets), &bulletin, chrono::Utc::now())?.into())
}

/// One key of the organisation's key set, as Settings shows it: its name and roles, no key.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SignerInfo {
    /// IT's name for it: `bulletin`, `policy`, an admin's (`alice`).
    pub name: String,
    /// `policy`, `enroll`, `wipe`, `bulletin`.
    pub roles: Vec<String>,
    /// None: it never expires (the organisation's one key, before key sets).
    pub expires_at: Option<SystemTime>,
}

/// The organisation's key set this phone verifies IT's messages with.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct KeySetInfo {
    /// 0: the organisation's one key signs everything (no key set yet).
    pub version: u64,
    pub root_keys: u32,
    pub threshold: u32,
    pub signers: Vec<SignerInfo>,
}

#[uniffi::export]
impl Televisit {
    /// The organisation's key set, for Settings; none when not enrolled.
    pub fn key_set(&self) -> Result<Option<KeySetInfo>> {
        Ok(self.0.key_set(&self.1)?.map(|summary| KeySetInfo {
            version: summary.version,
            root_keys: summary.root_keys,
            threshold: summary.threshold,
            signers: summary
                .signers
                .into_iter()
                .map(|(name, roles, expires_at)| SignerInfo {
                    name,
                    roles,
                    expires_at: expires_at.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(SystemTime::from),
                })
                .collect(),
        }))
    }

    /// Applies a bulletin and logs a new one by its id.
    pub fn apply_bulletin(&self, bulletin: String) -> Result<BulletinResult> {
        Ok(self.0.apply_bulletin(&self.1, &bulletin)?.into())
    }

    /// This device's signed report for IT (at most 1,000 characters: one Android keyed app
    /// state message), to publish as `device_report` and show on the Settings screen.
    pub fn device_report(&self, platform: Platform, os_version: String, app_version: String) -> Result<String> {
        Ok(self.0.device_report(&self.1, &report_facts(platform, &os_version, &app_version))?)
    }

    /// The phone's last contact with IT: the newest signed issue time it verified.
    pub fn last_checkin(&self) -> Result<Option<SystemTime>> {
        Ok(self.0.last_checkin(&self.1)?.map(SystemTime::from))
    }
}
