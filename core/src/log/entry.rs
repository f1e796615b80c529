//! What an activity-log entry holds. Every field is typed or checked so that a name or a phone
//! number cannot slip in: the actor is a role, the patient is an opaque id, and the detail is a
//! few short codes and numbers.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Stable codes: they are stored and covered by the chain's MAC, so a code never changes.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

codes! {
    /// Every action the product takes leaves one of these.
    EntryKind {
        StoreCreated = "store_created",
        Enrolled = "enrolled",
        PolicyApplied = "policy_applied",
        PatientAdded = "patient_added",
        PatientUpdated = "patient_updated",
        PatientArchived = "patient_archived",
        ConsentRecorded = "consent_recorded",
        ConsentRevoked = "consent_revoked",
        ConsentDeclined = "consent_declined",
        ContactCreated = "contact_created",
        ContactRepaired = "contact_repaired",
        ContactDeleted = "contact_deleted",
        ContactFailed = "contact_failed",
        VisitCompleted = "visit_completed",
        CallLaunched = "call_launched",
        CallAttemptFailed = "call_attempt_failed",
        DisclosureAcknowledged = "disclosure_acknowledged",
        ChecklistAttested = "checklist_attested",
        CleanupRun = "cleanup_run",
        ExportMade = "export_made",
        LogPurged = "log_purged",
        WipeReceived = "wipe_received",
        WipeRefused = "wipe_refused",
        ConfigRefused = "config_refused",
        WipeDone = "wipe_done",
        UnlockFailed = "unlock_failed",
        ClockWentBack = "clock_went_back",
        BulletinApplied = "bulletin_applied",
        OrphansSwept = "orphans_swept",
        KeySetUpdated = "key_set_updated",
    }
}

impl EntryKind {
    /// The kinds a shell may append through `log_append`: outcomes only the shell sees (what
    /// became of an intent it started). Every other kind records an action of the core's own
    /// (a patient added, a policy applied, a purge, a wipe) and is written with that action, so
    /// that the log never claims what did not happen.
    pub fn written_by_shells(self) -> bool {
        matches!(self, EntryKind::CallLaunched | EntryKind::CallAttemptFailed)
    }
}

codes! {
    /// Who acted: a role on this device, never a person's name.
    Actor {
        Clinician = "clinician",
        Staff = "staff",
        It = "it",
        System = "system",
    }
}

/// An opaque patient id (`pt_` and 16 to 32 hex digits): the only way a patient is named outside
/// the encrypted patient records. Too long to be a phone number, and no letters beyond a-f.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatientRef(String);

impl PatientRef {
    pub fn parse(text: &str) -> Result<Self> {
        let hex = text.strip_prefix("pt_").unwrap_or("");
        let ok = (16..=32).contains(&hex.len()) && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if ok {
            Ok(PatientRef(text.to_owned()))
        } else {
            // The refused text is not echoed: it may be a name typed in the wrong place.
            Err(Error::invalid("patient reference", "must be an opaque id of the form pt_ and 16 to 32 hex digits"))
        }
    }

    /// A fresh random id.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 16];
        SystemRandom::new().fill(&mut bytes).map_err(|_| Error::Storage("the system RNG failed".into()))?;
        Ok(PatientRef(format!("pt_{}", hex::encode(bytes))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PatientRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One value of an entry's detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DetailValue {
    Bool(bool),
    Int(i64),
    /// A short code (`verbal`, `v3`, `com.whatsapp`): ASCII letters, digits and `_.:/-`, no spaces.
    Code(String),
}

/// The small structured detail of an entry: at most [`Detail::MAX_FIELDS`] named values, at most
/// [`Detail::MAX_BYTES`] bytes as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail(BTreeMap<String, DetailValue>);

impl Detail {
    pub const MAX_FIELDS: usize = 16;
    pub const MAX_BYTES: usize = 1024;

    pub fn new() -> Self {
        Detail::default()
    }

    pub fn int(mut self, key: &str, value: i64) -> Self {
        self.0.insert(key.to_owned(), DetailValue::Int(value));
        self
    }

    pub fn bool(mut self, key: &str, value: bool) -> Self {
        self.0.insert(key.to_owned(), DetailValue::Bool(value));
        self
    }

    pub fn code(mut self, key: &str, value: &str) -> Self {
        self.0.insert(key.to_owned(), DetailValue::Code(value.to_owned()));
        self
    }

    pub fn from_map(map: BTreeMap<String, DetailValue>) -> Self {
        Detail(map)
    }

    pub fn get(&self, key: &str) -> Option<&DetailValue> {
        self.0.get(key)
    }

    pub fn fields(&self) -> &BTreeMap<String, DetailValue> {
        &self.0
    }

    /// The stored form: JSON with sorted keys, which the chain's MAC covers byte for byte.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("a detail map always serialises")
    }

    pub(crate) fn from_json(text: &str) -> Result<Self> {
        Ok(Detail(serde_json::from_str(text)?))
    }

    /// Refuses what could carry patient data or bloat the log. Errors name the key, never the value.
    pub fn validate(&self) -> Result<()> {
        if self.0.len() > Self::MAX_FIELDS {
            return Err(Error::invalid(
                "log detail",
                format!("has {} fields, at most {}", self.0.len(), Self::MAX_FIELDS),
            ));
        }
        for (key, value) in &self.0 {
            let key_ok = !key.is_empty()
                && key.len() <= 32
                && key.starts_with(|c: char| c.is_ascii_lowercase())
                && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !key_ok {
                return Err(Error::invalid("log detail", "keys are 1 to 32 characters of a-z, 0-9 and _"));
            }
            // A key is a word, not a place to hide a number (`tel4155550132`).
            if televisit_protocol::codes::check(key).is_err() {
                return Err(Error::invalid("log detail", "a key looks like a phone or record number"));
            }
            if let DetailValue::Code(code) = value {
                check_code(code)?;
            }
        }
        let size = self.to_json().len();
        if size > Self::MAX_BYTES {
            return Err(Error::invalid("log detail", format!("is {size} bytes, at most {}", Self::MAX_BYTES)));
        }
        Ok(())
    }
}

/// The key is the shell's own word, but it is not repeated either: only the problem.
fn check_code(code: &str) -> Result<()> {
    televisit_protocol::codes::check(code)
        .map_err(|problem| Error::invalid("log detail", format!("a value {}", problem.describe())))
}

/// An entry to append; the log gives it its sequence number and time.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub actor: Actor,
    pub patient: Option<PatientRef>,
    pub detail: Detail,
}

impl NewEntry {
    pub fn new(kind: EntryKind, actor: Actor) -> Self {
        NewEntry { kind, actor, patient: None, detail: Detail::new() }
    }

    pub fn patient(mut self, patient: PatientRef) -> Self {
        self.patient = Some(patient);
        self
    }

    pub fn detail(mut self, detail: Detail) -> Self {
        self.detail = detail;
        self
    }
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    pub actor: Actor,
    pub patient: Option<PatientRef>,
    pub detail: Detail,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for kind in EntryKind::ALL {
            assert_eq!(EntryKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(EntryKind::from_code("nope"), None);
    }

    #[test]
    fn patient_refs_are_opaque() {
        let generated = PatientRef::generate().unwrap();
        assert_eq!(PatientRef::parse(generated.as_str()).unwrap(), generated);
        for bad in ["Susan Smith", "pt_+15551234567", "pt_15551234567", "pt_XYZ0123456789abcd", ""] {
            let err = PatientRef::parse(bad).unwrap_err().to_string();
            assert!(!bad.is_empty() && !err.contains(bad) || bad.is_empty(), "{err}");
        }
    }

    #[test]
    fn detail_refuses_free_text_numbers_and_bloat() {
        Detail::new().code("method", "verbal").int("count", 3).bool("ok", true).validate().unwrap();
        let space = Detail::new().code("note", "Susan Smith").validate().unwrap_err().to_string();
        assert!(!space.contains("Susan"), "{space}");
        for number in ["15551234567", "415-555-0132", "+1.415.555.0132", "(415) 555 0132", "1.415.555.0132"] {
            let err = Detail::new().code("to", number).validate().unwrap_err().to_string();
            assert!(!err.contains("555") && !err.contains("415"), "{err}");
        }
        let phone = Detail::new().code("to", "415-555-0132").validate().unwrap_err().to_string();
        assert!(phone.contains("phone"), "{phone}");
        for name in ["Susan", "SusanSmith", "Smith_Susan", "susan smith"] {
            let err = Detail::new().code("who", name).validate().unwrap_err().to_string();
            assert!(!err.to_lowercase().contains("susan"), "{err}");
        }
        let mut big = Detail::new();
        for i in 0..Detail::MAX_FIELDS + 1 {
            big = big.int(&format!("k{i}"), 1);
        }
        assert!(big.validate().is_err());
        let mut wide = Detail::new();
        for i in 0..15 {
            wide = wide.code(&format!("key_{i}"), &"a".repeat(64));
        }
        let err = wide.validate().unwrap_err().to_string();
        assert!(err.contains("bytes"), "{err}");
        assert!(Detail::new().int("Bad Key", 1).validate().is_err());
    }
}
