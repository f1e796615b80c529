//! The device report: who a phone is and how it stands, signed by the phone's own key. The phone
//! publishes it after enrollment and at every check-in, through its MDM (Android keyed app state
//! `device_report`, whose messages hold at most 1,000 characters; iOS
//! `com.apple.feedback.managed`), on its Settings screen as text and a QR code, and on the
//! desktop with `televisit status --report`. IT pins the device key from the first report it
//! imports and verifies everything later (reports, receipts) against that pinned key only.
//!
//! Two forms travel (`wire`): phones write version 2, the postcard encoding, which fits the
//! message with every field at its largest; IT still reads version 1, the canonical JSON that
//! phones wrote before (ADR 24).

mod wire;

use crate::checkpoint::Checkpoint;
use crate::envelope::{self, Kind, SigningKey};
use crate::error::{Error, Result};
use crate::ids;
use serde::{Deserialize, Serialize};

/// The version phones write (postcard). Version 1 (JSON) is still read.
pub const REPORT_VERSION: u32 = 2;
pub const REPORT_V1_JSON: u32 = 1;
/// An Android keyed app state message holds at most 1,000 characters.
pub const MAX_REPORT_CHARS: usize = 1000;
/// The longest MDM device id (Intune's is a GUID of 36, Workspace ONE's a number) and user
/// (an e-mail address or user principal name) a report carries.
pub const MAX_MDM_DEVICE_ID: usize = 64;
pub const MAX_MDM_USER: usize = 96;
const MAX_VERSION: usize = 24;
/// The latest time a report may carry, in Unix seconds (9999-12-31): a clock set anywhere a
/// phone can set it, and few enough digits that the report keeps room for its checkpoint.
pub const MAX_TIME: i64 = 253_402_300_799;
/// `envelope::key_id`'s length.
const KEY_ID_LEN: usize = 16;

/// Whether the privacy checklist is current, due or never done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistState {
    Current,
    Due,
    Never,
}

/// How the last cleanup run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CleanupEnd {
    /// Everything due was removed.
    Done,
    /// Some removals failed; they are tried again at the next run.
    SomeFailed,
    /// Contacts named like the convention that Televisit did not make wait for a person.
    LookalikesWaiting,
}

impl CleanupEnd {
    /// Stable code, as the JSON names it: what the phone's settings and IT's ledger keep.
    pub fn code(self) -> &'static str {
        match self {
            CleanupEnd::Done => "done",
            CleanupEnd::SomeFailed => "some_failed",
            CleanupEnd::LookalikesWaiting => "lookalikes_waiting",
        }
    }

    /// The end a code names; none for a code this version does not know.
    pub fn from_code(code: &str) -> Option<CleanupEnd> {
        [CleanupEnd::Done, CleanupEnd::SomeFailed, CleanupEnd::LookalikesWaiting].into_iter().find(|e| e.code() == code)
    }
}

/// The periodic cleanup as the phone stands: counts only, never a name or a number. The counts
/// are absent when the phone could not read its contacts (no access): unknown, not zero. Only
/// version 2 carries it, in field order (postcard: no names, no field skipped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupState {
    /// Patient contacts Televisit made that are on the phone.
    pub n: Option<u32>,
    /// Of them, how many are past the policy's cleanup age (`age`).
    pub o: Option<u32>,
    /// The oldest one's age in days since its last use.
    pub d: Option<u32>,
    /// The policy's cleanup age in days: what "past" means here.
    pub age: u32,
    /// When cleanup last ran (Unix seconds), and how it ended.
    pub r: Option<i64>,
    pub e: Option<CleanupEnd>,
}

/// The longest age in days a report names (a hundred years, the policy's own limit).
pub const MAX_CLEANUP_DAYS: u32 = 36_500;

impl CleanupState {
    /// The counts in words, one sentence that IT's fleet view, the desktop and both phones'
    /// Cleanup screens all show, so that what IT reads and what the phone says are the same.
    pub fn describe(&self) -> String {
        let age = self.age;
        let contacts = |n: u32| if n == 1 { "1 patient contact".to_owned() } else { format!("{n} patient contacts") };
        match (self.n, self.o) {
            (None, _) => "Unknown: Televisit may not read this phone's contacts".to_owned(),
            (Some(0), _) => "No patient contacts on this phone".to_owned(),
            (Some(n), Some(o)) if o > 0 => {
                let oldest = self.d.map(|d| format!("; the oldest is {d} days old")).unwrap_or_default();
                format!("{o} of {} past {age} days{oldest}", contacts(n))
            }
            (Some(n), _) => format!("{}, none past {age} days", contacts(n)),
        }
    }

    /// Holding contacts past the cleanup age: what IT's `--cleanup-overdue` lists.
    pub fn overdue(&self) -> bool {
        self.o.is_some_and(|o| o > 0)
    }

    fn check(&self) -> Result<()> {
        let bad = |reason: &'static str| Err(Error::invalid("device report", reason));
        if !(1..=MAX_CLEANUP_DAYS).contains(&self.age) || self.d.is_some_and(|d| d > MAX_CLEANUP_DAYS) {
            return bad("names a cleanup age out of range");
        }
        if self.o.is_some_and(|o| self.n.is_none_or(|n| o > n)) || self.d.is_some() && self.n.is_none() {
            return bad("counts more contacts past their age than it holds");
        }
        if self.r.is_some_and(|r| !(0..=MAX_TIME).contains(&r)) || self.e.is_some() != self.r.is_some() {
            return bad("names a cleanup run without its time or its end");
        }
        Ok(())
    }
}

/// What a report says. Its serde form is version 1's JSON (short keys), which IT still reads;
/// phones write version 2 (`wire`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceReport {
    pub v: u32,
    /// Device id.
    pub dev: String,
    /// Enrollment id.
    pub enr: String,
    /// The device's public key (base64url Ed25519), which signs this report.
    pub key: String,
    /// The organisation the device is enrolled with: `envelope::key_id` of its public key. IT's
    /// ledger refuses a report of another organisation's device.
    pub org: String,
    /// `android`, `ios` or `desktop`.
    pub os: String,
    pub os_ver: String,
    pub app_ver: String,
    /// The version of the policy in force.
    pub pol: u64,
    /// Unix seconds of the newest signed issue time the phone verified (its last contact with IT).
    pub seen: Option<i64>,
    pub chk: ChecklistState,
    /// The command id of a wipe under way.
    pub wipe: Option<String>,
    /// The command id of the last wipe whose receipt the phone still holds.
    pub rcpt: Option<String>,
    /// The MDM's own ids, when IT passes them in managed configuration.
    pub mdm_dev: Option<String>,
    pub mdm_user: Option<String>,
    /// The activity log's latest checkpoint (its size and public chain hash), which IT holds
    /// every later export to. None before the log has its public chain.
    pub cp: Option<Checkpoint>,
    /// The public chain's point at the size IT last confirmed archiving (a bulletin's `logs`
    /// entry): IT checks it names the history it archived there, so that a log put back from an
    /// older copy and grown past the old size is found at its next report, not only at an export.
    /// Absent until IT confirmed an export (and from reports of phones that predate it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conf: Option<Checkpoint>,
    /// The version of its organisation's key set the phone verifies IT's messages with: IT sees
    /// a phone that did not follow a change. Absent for an organisation's one key (version 0) and
    /// from reports of phones that predate key sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ks: Option<u64>,
    /// The periodic cleanup as the phone stood when it last read its contacts (absent from
    /// reports of phones that predate it, and before it first counted). Version 2 only.
    #[serde(skip)]
    pub cln: Option<CleanupState>,
    /// Unix seconds (the phone's clock, never before its high-water mark).
    pub at: i64,
}

impl DeviceReport {
    fn check(&self) -> Result<()> {
        let field = "device report";
        let bad = |reason: &'static str| Err(Error::invalid(field, reason));
        if self.v != REPORT_VERSION && self.v != REPORT_V1_JSON {
            return bad("is in a format this version does not know");
        }
        if self.ks.is_some_and(|v| v == 0 || v > u64::from(u32::MAX)) {
            return bad("names no valid key set version");
        }
        if !ids::is_id_with_prefix(&self.dev, "dev") || !ids::is_id_with_prefix(&self.enr, "enr") {
            return bad("has no valid device or enrollment id");
        }
        if envelope::decode_public_key(&self.key).is_none() {
            return bad("has no valid device key");
        }
        let key_id_chars = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if self.org.len() != KEY_ID_LEN || !self.org.chars().all(key_id_chars) {
            return bad("names no organisation");
        }
        if !matches!(self.os.as_str(), "android" | "ios" | "desktop") {
            return bad("names no known platform");
        }
        let printable = |s: &str, max: usize| s.chars().count() <= max && crate::text::is_plain(s);
        if !printable(&self.os_ver, MAX_VERSION) || !printable(&self.app_ver, MAX_VERSION) {
            return bad("has a version that is too long or not printable");
        }
        let command_ok = |id: &Option<String>| id.as_deref().is_none_or(ids::is_opaque_id);
        if !command_ok(&self.wipe) || !command_ok(&self.rcpt) {
            return bad("has no valid command id");
        }
        // A wipe is under way until its receipt is written: never both.
        if self.wipe.is_some() && self.rcpt.is_some() {
            return bad("names a wipe both under way and done");
        }
        let time_ok = |t: i64| (0..=MAX_TIME).contains(&t);
        if !time_ok(self.at) || !self.seen.is_none_or(time_ok) {
            return bad("has a time out of range");
        }
        if let Some(cp) = &self.cp {
            cp.point()?;
        }
        if let Some(conf) = &self.conf {
            // Confirmed is archived: never past the log's own head.
            if self.cp.as_ref().is_none_or(|cp| conf.n > cp.n) {
                return bad("confirms a point past its log's checkpoint");
            }
            conf.point()?;
        }
        if !mdm_ids_ok(self.mdm_dev.as_deref(), self.mdm_user.as_deref()) {
            return bad("has an MDM id that is too long or not printable");
        }
        if let Some(cleanup) = &self.cln {
            cleanup.check()?;
        }
        Ok(())
    }
}

/// The MDM's ids a report may carry: printable, at most `MAX_MDM_DEVICE_ID` and `MAX_MDM_USER`
/// bytes as the report's JSON carries them (UTF-8, with `"` and `\` escaped), so that the
/// longest values in any script still fit one keyed app state message.
pub fn mdm_ids_ok(device: Option<&str>, user: Option<&str>) -> bool {
    let json_len = |v: &str| v.bytes().map(|b| if b == b'"' || b == b'\\' { 2 } else { 1 }).sum::<usize>();
    // Printable: no control character, and no format character (a bidirectional override would
    // show IT's list backwards, a zero-width space make two users look alike).
    let ok = |value: Option<&str>, max: usize| value.is_none_or(|v| json_len(v) <= max && crate::text::is_plain(v));
    ok(device, MAX_MDM_DEVICE_ID) && ok(user, MAX_MDM_USER)
}

/// The phone's side: its report, signed with its key, within one keyed app state message.
pub fn seal(device_key: &SigningKey, report: &DeviceReport) -> Result<String> {
    report.check()?;
    if report.key != device_key.public_key() {
        return Err(Error::invalid("device report", "must carry the key that signs it"));
    }
    if report.v != REPORT_VERSION {
        return Err(Error::invalid("device report", "is written in the current version only"));
    }
    let text = device_key.seal(Kind::Report, &wire::encode(report)?);
    if text.len() > MAX_REPORT_CHARS {
        return Err(Error::invalid("device report", "does not fit one keyed app state message"));
    }
    Ok(text)
}

/// IT's side. With `pinned`, the key IT recorded from this device's first report, the report must
/// be signed by it; without, the report is checked against the key it carries, which is only
/// good for pinning that key the first time (trust on first use, through the MDM's channel).
pub fn verify(text: &str, pinned: Option<&str>) -> Result<DeviceReport> {
    let what = "device report";
    if text.trim().len() > MAX_REPORT_CHARS {
        return Err(Error::invalid(what, "is longer than a device report can be"));
    }
    let opened = envelope::open(text, Kind::Report).map_err(|p| Error::refused(what, p))?;
    let report = wire::decode(&opened.payload)?;
    report.check()?;
    opened.verify(pinned.unwrap_or(&report.key)).map_err(|p| Error::refused(what, p))?;
    if pinned.is_some_and(|key| key != report.key) {
        return Err(Error::invalid(what, "carries another key than the one pinned for this device"));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cleanup_end_code_is_its_json_name_and_reads_back() {
        for end in [CleanupEnd::Done, CleanupEnd::SomeFailed, CleanupEnd::LookalikesWaiting] {
            assert_eq!(serde_json::to_value(end).unwrap(), serde_json::Value::String(end.code().into()));
            assert_eq!(CleanupEnd::from_code(end.code()), Some(end));
        }
        assert_eq!(CleanupEnd::from_code("finished"), None);
    }

    #[test]
    fn the_cleanup_counts_read_the_same_everywhere() {
        let state = |n, o, d| CleanupState { n, o, d, age: 30, r: None, e: None };
        assert_eq!(
            state(Some(12), Some(4), Some(93)).describe(),
            "4 of 12 patient contacts past 30 days; the oldest is 93 days old"
        );
        assert_eq!(state(Some(1), Some(0), Some(3)).describe(), "1 patient contact, none past 30 days");
        assert_eq!(state(Some(0), Some(0), None).describe(), "No patient contacts on this phone");
        assert!(state(None, None, None).describe().starts_with("Unknown"), "unknown is not zero");
        assert!(state(Some(12), Some(4), Some(93)).overdue() && !state(None, None, None).overdue());
    }
}
