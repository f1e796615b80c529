//! The bulletin: what IT signs on a schedule (`televisit-admin bulletin sign`) and pushes to the
//! whole fleet through its MDM, as the same managed configuration for every phone. Its signed
//! issue time is a phone's proof of contact with IT (a configuration the MDM client re-delivers
//! from its cache is not); its wipe entries are the organisation's pending wipe commands, each
//! for one device, so that one configuration reaches the lost phone wherever it is. A phone acts
//! on its own entry and ignores the others.
//!
//! It is also IT's signed word that something reached it: the log entries it archived (`logs`)
//! and the wipe receipts it holds (`receipts`). A phone forgets a receipt only on that word, never
//! because a one-way send returned (an MDM may drop what the app hands it).

use crate::checkpoint::MAX_SIZE;
use crate::envelope::{self, Kind, SigningKey};
use crate::error::{Error, Result};
use crate::ids;
use crate::wipe::{WipeCommand, WipeReason, WipeScope, COMMAND_VERSION, MAX_MERGED};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

pub const BULLETIN_VERSION: u32 = 1;
/// Longest a bulletin may be valid: IT signs them far more often.
pub const MAX_VALID_SECONDS: i64 = 31 * 86_400;
/// More pending wipes than any fleet has at once; keeps a bulletin well inside an envelope.
pub const MAX_WIPES: usize = 200;
/// Devices whose archived log a bulletin confirms: a fleet's every phone, with room.
pub const MAX_LOG_CONFIRMATIONS: usize = 2000;
/// Devices whose wipe receipt a bulletin confirms (IT keeps confirming one for a month after it
/// last saw it: a phone that was off re-publishes it when it comes back).
pub const MAX_RECEIPT_CONFIRMATIONS: usize = 500;
/// How far before its issue time a fleet wipe is already valid (phones' clocks differ a little).
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// One pending wipe, for one device and its enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetWipe {
    pub device_id: String,
    pub enrollment_id: String,
    pub command_id: String,
    pub scope: WipeScope,
    pub reason: WipeReason,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bulletin {
    pub v: u32,
    pub bulletin_id: String,
    /// Unix seconds: what the phone counts as its last contact with IT.
    pub issued_at: i64,
    pub expires_at: i64,
    pub wipes: Vec<FleetWipe>,
    /// Per device id, the newest log entry IT has archived from it without a gap: the phone's
    /// next export starts after it. (Absent from bulletins that confirm nothing.)
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub logs: BTreeMap<String, u64>,
    /// Per device id, the command ids of the newest wipe receipt IT holds from it (the command
    /// and those merged into it): the phone forgets its receipt when every id it names is here.
    /// (Absent from bulletins that confirm none.)
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub receipts: BTreeMap<String, Vec<String>>,
    /// Wipe commands IT cancelled (`wipe cancel`) that have not expired: a phone refuses them,
    /// whichever way they reach it (a bulletin cached by the MDM, its own `wipe_command` key).
    /// (Absent from bulletins that cancel none.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancelled: Vec<String>,
}

impl Bulletin {
    fn check(&self) -> Result<()> {
        let field = "bulletin";
        if self.v != BULLETIN_VERSION {
            return Err(Error::invalid(field, "is in a format this version does not know"));
        }
        if !ids::is_id_with_prefix(&self.bulletin_id, "blt") {
            return Err(Error::invalid(field, "has no valid bulletin id"));
        }
        let valid_for = self.expires_at.checked_sub(self.issued_at);
        if !valid_for.is_some_and(|s| (1..=MAX_VALID_SECONDS).contains(&s)) {
            return Err(Error::invalid(field, "must be valid for between one second and 31 days"));
        }
        if self.wipes.len() > MAX_WIPES {
            return Err(Error::invalid(field, format!("holds more than {MAX_WIPES} wipes")));
        }
        if self.logs.len() > MAX_LOG_CONFIRMATIONS {
            return Err(Error::invalid(field, format!("confirms more than {MAX_LOG_CONFIRMATIONS} logs")));
        }
        if self.logs.iter().any(|(device, &through)| !ids::is_id_with_prefix(device, "dev") || through > MAX_SIZE) {
            return Err(Error::invalid(field, "confirms a log without a valid device id or size"));
        }
        if self.receipts.len() > MAX_RECEIPT_CONFIRMATIONS {
            return Err(Error::invalid(field, format!("confirms more than {MAX_RECEIPT_CONFIRMATIONS} wipe receipts")));
        }
        // A receipt names its command and at most MAX_MERGED merged into it; a local trigger's
        // command ids start with `loc`.
        let receipt_ok = |device: &String, commands: &Vec<String>| {
            ids::is_id_with_prefix(device, "dev")
                && (1..=MAX_MERGED + 1).contains(&commands.len())
                && commands.iter().all(|c| ids::is_id_with_prefix(c, "cmd") || ids::is_id_with_prefix(c, "loc"))
        };
        if !self.receipts.iter().all(|(device, commands)| receipt_ok(device, commands)) {
            return Err(Error::invalid(field, "confirms a wipe receipt without valid device and command ids"));
        }
        if self.cancelled.len() > MAX_WIPES {
            return Err(Error::invalid(field, format!("cancels more than {MAX_WIPES} wipes")));
        }
        if !self.cancelled.iter().all(|c| ids::is_id_with_prefix(c, "cmd")) {
            return Err(Error::invalid(field, "cancels a wipe without a valid command id"));
        }
        let mut devices = HashSet::new();
        for wipe in &self.wipes {
            let ids_ok = ids::is_id_with_prefix(&wipe.device_id, "dev")
                && ids::is_id_with_prefix(&wipe.enrollment_id, "enr")
                && ids::is_id_with_prefix(&wipe.command_id, "cmd");
            if !ids_ok || wipe.expires_at < self.issued_at {
                return Err(Error::invalid(field, "holds a wipe without valid ids or validity"));
            }
            if !devices.insert(wipe.device_id.as_str()) {
                return Err(Error::invalid(field, "names a device twice"));
            }
        }
        Ok(())
    }

    /// The newest log entry IT confirms archiving from this device, if it confirms any.
    pub fn log_confirmed(&self, device_id: &str) -> Option<u64> {
        self.logs.get(device_id).copied()
    }

    /// Whether IT confirms holding a receipt from this device that names every one of `commands`
    /// (a receipt rewritten after IT took it, for a command merged since, is not yet confirmed).
    pub fn receipt_confirmed(&self, device_id: &str, commands: &[&str]) -> bool {
        self.receipts
            .get(device_id)
            .is_some_and(|held| !commands.is_empty() && commands.iter().all(|c| held.iter().any(|h| h == c)))
    }

    /// The entry for this device, as the wipe command it stands for; none for the others.
    pub fn wipe_for(&self, device_id: &str) -> Option<WipeCommand> {
        let wipe = self.wipes.iter().find(|w| w.device_id == device_id)?;
        Some(WipeCommand {
            v: COMMAND_VERSION,
            device_id: wipe.device_id.clone(),
            enrollment_id: wipe.enrollment_id.clone(),
            command_id: wipe.command_id.clone(),
            issued_at: self.issued_at,
            not_before: self.issued_at.saturating_sub(CLOCK_SKEW_SECONDS),
            expires_at: wipe.expires_at,
            scope: wipe.scope,
            reason: wipe.reason,
        })
    }
}

/// IT's side: a bulletin, checked, signed.
pub fn sign(org: &SigningKey, bulletin: &Bulletin) -> Result<String> {
    bulletin.check()?;
    Ok(org.seal_json(Kind::Bulletin, bulletin))
}

/// Verifies a bulletin against the pinned organisation key and checks its form. Its times are
/// the phone's to judge (against its clock's high-water mark).
pub fn open(text: &str, org_key: &str) -> Result<Bulletin> {
    let what = "bulletin";
    let payload =
        envelope::open(text, Kind::Bulletin).and_then(|o| o.verify(org_key)).map_err(|p| Error::refused(what, p))?;
    let bulletin: Bulletin = envelope::parse_canonical(what, &payload)?;
    bulletin.check()?;
    Ok(bulletin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulletin(receipts: &[(&str, &[&str])]) -> Bulletin {
        Bulletin {
            v: BULLETIN_VERSION,
            bulletin_id: "blt_00112233445566778899aabb".into(),
            issued_at: 1_700_000_000,
            expires_at: 1_700_086_400,
            wipes: Vec::new(),
            logs: BTreeMap::new(),
            cancelled: Vec::new(),
            receipts: receipts
                .iter()
                .map(|(d, c)| ((*d).to_owned(), c.iter().map(|c| (*c).to_owned()).collect()))
                .collect(),
        }
    }

    const DEV: &str = "dev_0a1b2c3d4e5f60718293a4b5";
    const CMD: &str = "cmd_0a1b2c3d4e5f60718293a4b5";
    const MERGED: &str = "cmd_ffffffffffffffffffffffff";
    const LOCAL: &str = "loc_0a1b2c3d4e5f60718293a4b5";

    #[test]
    fn a_receipt_is_confirmed_only_when_every_command_it_names_is() {
        let b = bulletin(&[(DEV, &[CMD, LOCAL])]);
        assert!(b.check().is_ok());
        assert!(b.receipt_confirmed(DEV, &[CMD]));
        assert!(b.receipt_confirmed(DEV, &[CMD, LOCAL]));
        assert!(!b.receipt_confirmed(DEV, &[CMD, MERGED]), "merged after IT took the receipt");
        assert!(!b.receipt_confirmed(DEV, &[]), "nothing named, nothing confirmed");
        assert!(!b.receipt_confirmed("dev_ffeeddccbbaa998877665544", &[CMD]), "another device's");
    }

    #[test]
    fn a_confirmation_without_valid_ids_or_beyond_the_limits_is_refused() {
        let too_many: Vec<String> = (0..=MAX_MERGED + 1).map(|i| format!("cmd_{i:024x}")).collect();
        let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
        for receipts in [
            vec![(DEV, &[] as &[&str])],
            vec![(DEV, &["Susan Smith"][..])],
            vec![("unenrolled", &[CMD][..])],
            vec![(DEV, &["enr_0a1b2c3d4e5f60718293a4b5"][..])],
            vec![(DEV, &too_many[..])],
        ] {
            let err = bulletin(&receipts).check().unwrap_err().to_string();
            assert!(err.contains("wipe receipt"), "{err}");
            assert!(!err.contains("Susan"), "{err}");
        }
        let many: Vec<String> = (0..=MAX_RECEIPT_CONFIRMATIONS).map(|i| format!("dev_{i:024x}")).collect();
        let mut b = bulletin(&[]);
        b.receipts = many.into_iter().map(|d| (d, vec![CMD.to_owned()])).collect();
        assert!(b.check().unwrap_err().to_string().contains("more than 500 wipe receipts"));
    }
}
