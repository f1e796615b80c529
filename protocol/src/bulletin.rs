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
//! It is signed by the online bulletin key, which may sign nothing else. So its wipe entries and
//! cancellations each carry the signature of the admin key that issued them (`wipe issue`,
//! `wipe cancel`): a stolen bulletin key keeps phones in touch, and cannot wipe one or take a
//! wipe back. It carries the key set links a phone needs (`keys`: those that changed the root,
//! and the newest), which a phone follows
//! before it verifies anything else in it.
//!
//! Every phone receives every bulletin, so none names a device or an enrollment: on the wire each
//! is a tag, a hash of its id (`device_tag`, `enrollment_tag`), which only the phone that holds
//! the id can match. A phone learns no other phone's ids from a bulletin, nor whose wipe is for
//! which reason. IT builds a bulletin with the ids (`sign` turns them into tags); `open` gives the
//! tagged form, which the lookups below take ids for.

use crate::checkpoint::MAX_SIZE;
use crate::envelope::{self, Kind};
use crate::error::{Error, Result};
use crate::ids;
use crate::keyset::{self, KeySet, Role, Signer, MAX_KEYSET_CHARS, MAX_LINKS};
use crate::wipe::{self, Cancel, WipeCommand, WipeReason, WipeRefusal, WipeScope, COMMAND_VERSION, MAX_MERGED};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// 2: devices and enrollments named by their tags, never their ids. 3: signed by a named key,
/// carrying key set links, wipes and cancellations signed by admins' keys.
pub const BULLETIN_VERSION: u32 = 3;
/// Longest a bulletin may be valid: IT signs them far more often.
pub const MAX_VALID_SECONDS: i64 = 31 * 86_400;
/// Longest a bulletin signed by a named (online) key may be valid: a stolen one's bulletins die
/// two days after the key is revoked, whatever it signed.
pub const MAX_ONLINE_VALID_SECONDS: i64 = 48 * 3600;
/// More pending wipes than any fleet has at once; keeps a bulletin well inside an envelope.
pub const MAX_WIPES: usize = 200;
/// Devices whose archived log a bulletin confirms: a fleet's every phone, with room.
pub const MAX_LOG_CONFIRMATIONS: usize = 2000;
/// Devices whose wipe receipt a bulletin confirms (IT keeps confirming one for a month after it
/// last saw it: a phone that was off re-publishes it when it comes back).
pub const MAX_RECEIPT_CONFIRMATIONS: usize = 500;
/// How far before its issue time a fleet wipe is already valid (phones' clocks differ a little).
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// One pending wipe, for one device and its enrollment: the wipe command an admin signed, less
/// the ids (a phone rebuilds the command from its own and checks the admin's signature on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetWipe {
    pub device_id: String,
    pub enrollment_id: String,
    pub command_id: String,
    pub scope: WipeScope,
    pub reason: WipeReason,
    /// Unix seconds, as the command says.
    pub issued_at: i64,
    pub not_before: i64,
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// The command's signature (base64url), by the admin key it names.
    pub signature: String,
}

impl FleetWipe {
    /// IT's side: the entry for a command `wipe issue` signed, checked against the key set.
    pub fn from_command(text: &str, keys: &KeySet) -> std::result::Result<FleetWipe, WipeRefusal> {
        let command = wipe::open_command(text, keys)?;
        let signature = wipe::command_signature(text).ok_or(WipeRefusal::Malformed)?;
        Ok(FleetWipe {
            device_id: command.device_id,
            enrollment_id: command.enrollment_id,
            command_id: command.command_id,
            scope: command.scope,
            reason: command.reason,
            issued_at: command.issued_at,
            not_before: command.not_before,
            expires_at: command.expires_at,
            signed_by: command.signed_by,
            signature,
        })
    }

    /// The command this entry stands for, for the ids given.
    fn command(&self, device_id: &str, enrollment_id: &str) -> WipeCommand {
        WipeCommand {
            v: COMMAND_VERSION,
            device_id: device_id.to_owned(),
            enrollment_id: enrollment_id.to_owned(),
            command_id: self.command_id.clone(),
            issued_at: self.issued_at,
            not_before: self.not_before,
            expires_at: self.expires_at,
            scope: self.scope,
            reason: self.reason,
            signed_by: self.signed_by.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bulletin {
    pub v: u32,
    pub bulletin_id: String,
    /// Unix seconds: what the phone counts as its last contact with IT.
    pub issued_at: i64,
    pub expires_at: i64,
    /// The key set's name for the key that signed it (absent: the org key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// The key set links a phone needs (those that changed the root, and the newest), oldest
    /// first: a phone follows them before it
    /// checks anything else here. (Absent from a legacy organisation's bulletins.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
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
    /// Wipe commands IT cancelled (`wipe cancel`) that have not expired, each signed by an
    /// admin's key: a phone refuses them, whichever way they reach it (a bulletin cached by the
    /// MDM, its own `wipe_command` key). (Absent from bulletins that cancel none.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancelled: Vec<Cancel>,
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
        if !self.cancelled.iter().all(|c| ids::is_id_with_prefix(&c.command_id, "cmd") && c.well_formed()) {
            return Err(Error::invalid(field, "cancels a wipe without a valid command id or signature"));
        }
        if self.keys.len() > MAX_LINKS || self.keys.iter().any(|k| k.len() > MAX_KEYSET_CHARS) {
            return Err(Error::invalid(field, "carries more key set links than it may"));
        }
        if !self.signed_by.as_deref().is_none_or(keyset::name_ok) {
            return Err(Error::invalid(field, "names its signer in a form no key has"));
        }
        let mut devices = HashSet::new();
        for wipe in &self.wipes {
            let ids_ok = naming.device_ok(&wipe.device_id)
                && naming.enrollment_ok(&wipe.enrollment_id)
                && ids::is_id_with_prefix(&wipe.command_id, "cmd")
                && wipe.signed_by.as_deref().is_none_or(keyset::name_ok)
                && (1..=100).contains(&wipe.signature.len());
            let window_ok = wipe.not_before <= wipe.expires_at
                && wipe.expires_at.checked_sub(wipe.issued_at).is_some_and(|s| s <= wipe::MAX_COMMAND_SECONDS);
            if !ids_ok || !window_ok || wipe.expires_at < self.issued_at {
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
    /// stands for, its admin's signature checked with `keys`, for the phone's own enrollment;
    /// none for the others. An entry for another enrollment of this device names that
    /// enrollment's tag, which no enrollment id matches (the phone then refuses it as for an
    /// earlier enrollment, and checks no signature: nothing of it is carried out).
    pub fn wipe_for(
        &self,
        device_id: &str,
        enrollment_id: &str,
        keys: &KeySet,
    ) -> Option<std::result::Result<WipeCommand, WipeRefusal>> {
        let tag = device_tag(device_id);
        let wipe = self.wipes.iter().find(|w| w.device_id == tag)?;
        if wipe.enrollment_id != enrollment_tag(enrollment_id) {
            return Some(Ok(wipe.command(device_id, &wipe.enrollment_id)));
        }
        let command = wipe.command(device_id, enrollment_id);
        Some(command.verify_signature(keys, &wipe.signature).map(|()| command))
    }

    /// The command ids IT cancelled, each cancellation signed by a key with the `wipe` role in
    /// `keys`; and how many were refused (signed by a key the set no longer holds, or forged).
    pub fn cancellations(&self, keys: &KeySet) -> (Vec<String>, usize) {
        let (good, bad): (Vec<&Cancel>, Vec<&Cancel>) = self.cancelled.iter().partition(|c| c.verify(keys).is_ok());
        (good.into_iter().map(|c| c.command_id.clone()).collect(), bad.len())
    }
}

/// IT's side: a bulletin, checked, signed by the key it names.
pub fn sign(signer: &Signer, bulletin: &Bulletin) -> Result<String> {
    if bulletin.signed_by != signer.name {
        return Err(Error::invalid("bulletin", "names another signer than the key signing it"));
    }
    bulletin.check(Naming::Ids)?;
    let tagged = bulletin.tagged();
    tagged.check(Naming::Tags)?;
    check_online_validity(&tagged)?;
    Ok(signer.key.seal_json(Kind::Bulletin, &tagged))
}

/// A bulletin signed by a named key is valid for at most two days.
fn check_online_validity(bulletin: &Bulletin) -> Result<()> {
    if bulletin.signed_by.is_some() && bulletin.expires_at - bulletin.issued_at > MAX_ONLINE_VALID_SECONDS {
        return Err(Error::invalid("bulletin", "signed by the online bulletin key may be valid for at most 48 hours"));
    }
    Ok(())
}

/// A bulletin as a phone opens it: the bulletin, and the key set it verified with when its links
/// took the phone's further (to keep; none when they brought nothing new). `links_refused` says
/// why its links were not taken, when they were not: the bulletin is then verified with the set
/// the phone holds (a phone must not lose contact over a link it cannot follow), and the refusal
/// is evidence for IT.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub bulletin: Bulletin,
    pub newer_keys: Option<KeySet>,
    pub links_refused: Option<Error>,
}

/// The key set links a bulletin carries, read before its signature is checked (each link is
/// checked on its own, against the root a phone holds): a phone follows them first, so that a
/// policy or a command signed by a key it learns here verifies in the same delivery.
pub fn key_links(text: &str) -> Result<Vec<String>> {
    let what = "bulletin";
    let opened = envelope::open(text, Kind::Bulletin).map_err(|p| Error::refused(what, p))?;
    let bulletin: Bulletin = envelope::parse_canonical(what, &opened.payload)?;
    bulletin.check(Naming::Tags)?;
    Ok(bulletin.keys)
}

/// Follows the key set links it carries from `pinned`, then verifies the bulletin with the key
/// its signer has in the set reached (a key with the `bulletin` role), and checks its form. Its
/// times are the phone's to judge (against its clock's high-water mark).
pub fn open(text: &str, pinned: &KeySet) -> Result<Opened> {
    let what = "bulletin";
    let opened = envelope::open(text, Kind::Bulletin).map_err(|p| Error::refused(what, p))?;
    let bulletin: Bulletin = envelope::parse_canonical(what, &opened.payload)?;
    bulletin.check(Naming::Tags)?;
    let (newer_keys, links_refused) = match keyset::follow_chain(pinned, &bulletin.keys) {
        Ok(newer) => (newer, None),
        Err(err) => (None, Some(err)),
    };
    let keys = newer_keys.as_ref().unwrap_or(pinned);
    let key = keys
        .verifier(bulletin.signed_by.as_deref(), Role::Bulletin, bulletin.issued_at)
        .map_err(|p| crate::enrollment::signer(what, p))?;
    opened.verify(&key.key).map_err(|p| Error::refused(what, p))?;
    check_online_validity(&bulletin)?;
    Ok(Opened { bulletin, newer_keys, links_refused })
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
            signed_by: None,
            keys: Vec::new(),
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
        let org = crate::envelope::SigningKey::from_seed(&[5; 32]).unwrap();
        let keys = KeySet::legacy(&org.public_key(), crate::vectors::RECIPIENT);
        let signer = Signer::legacy(org);
        let enr = "enr_0a1b2c3d4e5f60718293a4b5";
        let mut b = bulletin(&[(DEV, &[CMD])]);
        b.logs.insert(DEV.into(), 12);
        let command = WipeCommand {
            v: COMMAND_VERSION,
            device_id: DEV.into(),
            enrollment_id: enr.into(),
            command_id: CMD.into(),
            issued_at: b.issued_at,
            not_before: b.issued_at - 300,
            expires_at: b.issued_at + 3600,
            scope: WipeScope::All,
            reason: WipeReason::Stolen,
            signed_by: None,
        };
        b.wipes.push(FleetWipe::from_command(&wipe::issue(&signer, &command).unwrap(), &keys).unwrap());
        let text = sign(&signer, &b).unwrap();
        let payload = crate::envelope::open(&text, Kind::Bulletin).unwrap().payload;
        let wire = String::from_utf8(payload).unwrap();
        assert!(!wire.contains(DEV) && !wire.contains(enr), "{wire}");
        let opened = open(&text, &keys).unwrap().bulletin;
        assert_eq!(opened.wipe_for(DEV, enr, &keys).unwrap().unwrap(), command, "rebuilt, and its signature checks");
        assert_ne!(
            opened.wipe_for(DEV, "enr_ffffffffffffffffffffffff", &keys).unwrap().unwrap().enrollment_id,
            "enr_ffffffffffffffffffffffff"
        );
        assert!(opened.wipe_for("dev_ffeeddccbbaa998877665544", enr, &keys).is_none());
        // An entry whose fields were changed after the admin signed it is refused.
        let mut tampered = opened.clone();
        tampered.wipes[0].expires_at += 86_400;
        assert_eq!(tampered.wipe_for(DEV, enr, &keys), Some(Err(WipeRefusal::BadSignature)));
        assert_eq!(opened.log_confirmed(DEV), Some(12));
        assert!(opened.receipt_confirmed(DEV, &[CMD]));
    }
}
