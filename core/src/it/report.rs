//! The device report on the phone: who it is and how it stands, signed by its device key (see
//! `televisit_protocol::report`). The shells publish it through the MDM after enrollment and at
//! every check-in, and show it on the Settings screen.

use super::{checkin, enrollment, wipe};
use crate::checklist::ChecklistStatus;
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use crate::Televisit;
use serde::{Deserialize, Serialize};
pub use televisit_protocol::report::{
    mdm_ids_ok, verify, ChecklistState, DeviceReport, MAX_MDM_DEVICE_ID, MAX_MDM_USER,
};
use televisit_protocol::report::{seal, REPORT_VERSION};

/// The MDM's own ids of this device and its user, as IT's managed configuration passes them.
pub const MDM_IDS: &str = "televisit.mdm-ids.v1";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MdmIds {
    pub device: Option<String>,
    pub user: Option<String>,
}

pub fn mdm_ids(secrets: &dyn SecretStore) -> Result<MdmIds> {
    match secrets.get(MDM_IDS)? {
        None => Ok(MdmIds::default()),
        Some(bytes) => {
            serde_json::from_slice(&bytes).map_err(|_| Error::SecretStore("the stored MDM ids are unreadable".into()))
        }
    }
}

/// Keeps the MDM's ids, when a report can carry them. They are signed into every report and
/// shown on IT's screens, so nothing that looks like a patient's data gets in: a device id is
/// the MDM's identifier (letters, digits, `-._:{}`, not a long run of digits alone, which could be
/// a phone number), and a user id passes the PHI lint (an e-mail address is what it should be).
pub(crate) fn set_mdm_ids(secrets: &dyn SecretStore, ids: &MdmIds) -> Result<()> {
    if !mdm_ids_ok(ids.device.as_deref(), ids.user.as_deref()) {
        return Err(Error::invalid("MDM id", "must be printable and at most 64 (device) or 96 (user) characters"));
    }
    let device_ok = ids.device.as_deref().is_none_or(|d| {
        d.chars().all(|c| c.is_ascii_alphanumeric() || "-._:{}".contains(c))
            && !(d.len() > 8 && d.bytes().all(|b| b.is_ascii_digit()))
    });
    let user_ok = ids
        .user
        .as_deref()
        .is_none_or(|u| crate::lint::lint(u).iter().all(|finding| finding.kind == crate::lint::PhiKind::Email));
    if !device_ok || !user_ok {
        return Err(Error::invalid(
            "MDM id",
            "looks like a patient's data, not the MDM's ids: set the MDM's variables ({{deviceid}} and {{userprincipalname}} in Intune)",
        ));
    }
    secrets.put(MDM_IDS, &serde_json::to_vec(ids)?)?;
    Ok(())
}

/// What the shell knows of the phone that the report names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    /// `android`, `ios` or `desktop`.
    pub os: String,
    pub os_version: String,
    pub app_version: String,
}

impl Televisit {
    /// This device's report, signed by its key (at most 1,000 characters).
    pub fn device_report(&self, secrets: &dyn SecretStore, facts: &ReportFacts) -> Result<String> {
        let enrolled = enrollment::load(secrets)?.ok_or_else(|| {
            Error::invalid("device report", "this device is not enrolled: there is no one to report to")
        })?;
        let key = enrollment::device_key(secrets)?;
        let now = self.trusted_now(secrets)?;
        let under_way = wipe::pending_command(secrets)?.map(|c| c.command_id);
        let held = wipe::held_receipt(secrets)?.map(|r| r.command_id);
        let mdm = mdm_ids(secrets)?;
        let key_set = Some(enrolled.key_set().version).filter(|v| *v > 0);
        let report = DeviceReport {
            v: REPORT_VERSION,
            dev: enrolled.device_id,
            enr: enrolled.enrollment_id,
            key: key.public_key(),
            org: televisit_protocol::envelope::key_id(&enrolled.org_key)
                .ok_or_else(|| Error::invalid("enrollment", "holds no valid organisation key"))?,
            os: facts.os.clone(),
            os_ver: facts.os_version.clone(),
            app_ver: facts.app_version.clone(),
            pol: self.policy()?.version,
            seen: checkin::last_checkin(secrets)?.map(|t| t.timestamp()),
            chk: match self.checklist_status(None)? {
                ChecklistStatus::Current => ChecklistState::Current,
                // IT's report keeps its two states: a re-confirmation due is not current.
                ChecklistStatus::Due | ChecklistStatus::Reconfirm => ChecklistState::Due,
                ChecklistStatus::Never => ChecklistState::Never,
            },
            wipe: under_way,
            rcpt: held,
            mdm_dev: mdm.device,
            mdm_user: mdm.user,
            cp: Some(self.log_checkpoint()?),
            conf: self.confirmed_checkpoint(secrets)?,
            ks: key_set,
            cln: self.saved_cleanup_state()?,
            at: now.timestamp(),
        };
        Ok(seal(&key, &report)?)
    }
}
