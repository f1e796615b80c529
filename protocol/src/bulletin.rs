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
//!
//! Every phone receives every bulletin, so none names a device or an enrollment: on the wire each
//! is a tag, a hash of its id (`device_tag`, `enrollment_tag`), which only the phone that holds
//! the id can match. A phone learns no other phone's ids from a bulletin, nor whose wipe is for
//! which reason. IT builds a bulletin with the ids (`sign` turns them into tags); `open` gives the
//! tagged form, which the lookups below take ids for.

use crate::checkpoint::MAX_SIZE;
use crate::envelope::{self, Kind, SigningKey};
use crate::error::{Error, Result};
use crate::ids;
use crate::wipe::{WipeCommand, WipeReason, WipeScope, COMMAND_VERSION, MAX_MERGED};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// 2: devices and enrollments named by their tags, never their ids.
pub const BULLETIN_VERSION: u32 = 2;
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

/// A device as a bulletin names it: `dvh_` and 32 hex digits of SHA-256 over its id. The ids are
/// 96 random bits: a tag cannot be turned back into one, and only the phone holding the id can
/// match it.
pub fn device_tag(device_id: &str) -> String {
    tag("dvh", "televisit.bulletin.device", device_id)
}

/// An enrollment as a bulletin names it (see `device_tag`).
pub fn enrollment_tag(enrollment_id: &str) -> String {
    tag("enh", "televisit.bulletin.enrollment", enrollment_id)
}

fn tag(prefix: &str, context: &str, id: &str) -> String {
    let mut input = Vec::with_capacity(context.len() + 1 + id.len());
    input.extend_from_slice(context.as_bytes());
    input.push(0);
    input.extend_from_slice(id.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    format!("{prefix}_{}", hex::encode(&digest.as_ref()[..16]))
}

/// Whether a bulletin names devices by their ids (as IT builds it) or by their tags (as signed).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Naming {
    Ids,
    Tags,
}

impl Naming {
    fn device_ok(self, text: &str) -> bool {
        ids::is_id_with_prefix(text, if self == Naming::Ids { "dev" } else { "dvh" })
    }

    fn enrollment_ok(self, text: &str) -> bool {
        ids::is_id_with_prefix(text, if self == Naming::Ids { "enr" } else { "enh" })
    }
}

impl Bulletin {
    /// The same bulletin with every device and enrollment id replaced by its tag.
    fn tagged(&self) -> Bulletin {
        Bulletin {
            wipes: self
                .wipes
                .iter()
                .map(|w| FleetWipe {
                    device_id: device_tag(&w.device_id),
                    enrollment_id: enrollment_tag(&w.enrollment_id),
                    ..w.clone()
                })
                .collect(),
            logs: self.logs.iter().map(|(d, n)| (device_tag(d), *n)).collect(),
            receipts: self.receipts.iter().map(|(d, c)| (device_tag(d), c.clone())).collect(),
            ..self.clone()
        }
    }

    fn check(&self, naming: Naming) -> Result<()> {
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
        if self.logs.iter().any(|(device, &through)| !naming.device_ok(device) || through > MAX_SIZE) {
            return Err(Error::invalid(field, "confirms a log without a valid device id or size"));
        }
        if self.receipts.len() > MAX_RECEIPT_CONFIRMATIONS {
            return Err(Error::invalid(field, format!("confirms more than {MAX_RECEIPT_CONFIRMATIONS} wipe receipts")));
        }
        // A receipt names its command and at most MAX_MERGED merged into it; a local trigger's
        // command ids start with `loc`.
        let receipt_ok = |device: &String, commands: &Vec<String>| {
            naming.device_ok(device)
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
            let ids_ok = naming.device_ok(&wipe.device_id)
                && naming.enrollment_ok(&wipe.enrollment_id)
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

    /// The newest log entry IT confirms archiving from this device, if it confirms any (of a
    /// bulletin as opened: by the device's tag).
    pub fn log_confirmed(&self, device_id: &str) -> Option<u64> {
        self.logs.get(&device_tag(device_id)).copied()
    }

    /// Whether IT confirms holding a receipt from this device that names every one of `commands`
    /// (a receipt rewritten after IT took it, for a command merged since, is not yet confirmed).
    pub fn receipt_confirmed(&self, device_id: &str, commands: &[&str]) -> bool {
        self.receipts
            .get(&device_tag(device_id))
            .is_some_and(|held| !commands.is_empty() && commands.iter().all(|c| held.iter().any(|h| h == c)))
    }

    /// The entry for this device (of a bulletin as opened: by its tag), as the wipe command it
    /// stands for, for the phone's own enrollment; none for the others. An entry for another
    /// enrollment of this device names that enrollment's tag, which no enrollment id matches (the
    /// phone then refuses it as for an earlier enrollment).
    pub fn wipe_for(&self, device_id: &str, enrollment_id: &str) -> Option<WipeCommand> {
        let tag = device_tag(device_id);
        let wipe = self.wipes.iter().find(|w| w.device_id == tag)?;
        let enrollment = if wipe.enrollment_id == enrollment_tag(enrollment_id) {
            enrollment_id.to_owned()
        } else {
            wipe.enrollment_id.clone()
        };
        Some(WipeCommand {
            v: COMMAND_VERSION,
            device_id: device_id.to_owned(),
            enrollment_id: enrollment,
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
    bulletin.check(Naming::Ids)?;
    let tagged = bulletin.tagged();
    tagged.check(Naming::Tags)?;
    Ok(org.seal_json(Kind::Bulletin, &tagged))
}

/// Verifies a bulletin against the pinned organisation key and checks its form. Its times are
/// the phone's to judge (against its clock's high-water mark).
pub fn open(text: &str, org_key: &str) -> Result<Bulletin> {
    let what = "bulletin";
    let payload =
        envelope::open(text, Kind::Bulletin).and_then(|o| o.verify(org_key)).map_err(|p| Error::refused(what, p))?;
    let bulletin: Bulletin = envelope::parse_canonical(what, &payload)?;
    bulletin.check(Naming::Tags)?;
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
        let b = bulletin(&[(DEV, &[CMD, LOCAL])]).tagged();
        assert!(b.check(Naming::Tags).is_ok());
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
            let err = bulletin(&receipts).check(Naming::Ids).unwrap_err().to_string();
            assert!(err.contains("wipe receipt"), "{err}");
            assert!(!err.contains("Susan"), "{err}");
        }
        let many: Vec<String> = (0..=MAX_RECEIPT_CONFIRMATIONS).map(|i| format!("dev_{i:024x}")).collect();
        let mut b = bulletin(&[]);
        b.receipts = many.into_iter().map(|d| (d, vec![CMD.to_owned()])).collect();
        assert!(b.check(Naming::Ids).unwrap_err().to_string().contains("more than 500 wipe receipts"));
    }

    /// Issue 30, case 12: every phone received every other device's id, and the reason of each
    /// pending wipe, in clear.
    #[test]
    fn a_signed_bulletin_names_no_device_or_enrollment_and_only_the_holder_of_an_id_finds_its_entry() {
        let org = SigningKey::from_seed(&[5; 32]).unwrap();
        let enr = "enr_0a1b2c3d4e5f60718293a4b5";
        let mut b = bulletin(&[(DEV, &[CMD])]);
        b.logs.insert(DEV.into(), 12);
        b.wipes.push(FleetWipe {
            device_id: DEV.into(),
            enrollment_id: enr.into(),
            command_id: CMD.into(),
            scope: WipeScope::All,
            reason: WipeReason::Stolen,
            expires_at: b.issued_at + 3600,
        });
        let text = sign(&org, &b).unwrap();
        let payload = crate::envelope::open(&text, Kind::Bulletin).unwrap().payload;
        let wire = String::from_utf8(payload).unwrap();
        assert!(!wire.contains(DEV) && !wire.contains(enr), "{wire}");
        let opened = open(&text, &org.public_key()).unwrap();
        let command = opened.wipe_for(DEV, enr).unwrap();
        assert_eq!((command.device_id.as_str(), command.enrollment_id.as_str()), (DEV, enr));
        assert_ne!(
            opened.wipe_for(DEV, "enr_ffffffffffffffffffffffff").unwrap().enrollment_id,
            "enr_ffffffffffffffffffffffff"
        );
        assert!(opened.wipe_for("dev_ffeeddccbbaa998877665544", enr).is_none());
        assert_eq!(opened.log_confirmed(DEV), Some(12));
        assert!(opened.receipt_confirmed(DEV, &[CMD]));
    }
}
