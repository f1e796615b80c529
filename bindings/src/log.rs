//! The activity log's types across the FFI: records that mirror the core's, with conversions.

use crate::TelevisitError;
use std::collections::HashMap;
use std::time::SystemTime;
use televisit_core::log as core;

pub use televisit_core::log::{Actor, EntryKind, PurgeReport, Tamper};

#[uniffi::remote(Enum)]
pub enum EntryKind {
    StoreCreated,
    Enrolled,
    PolicyApplied,
    PatientAdded,
    PatientUpdated,
    PatientArchived,
    ConsentRecorded,
    ConsentRevoked,
    ConsentDeclined,
    ContactCreated,
    ContactRepaired,
    ContactDeleted,
    ContactFailed,
    VisitCompleted,
    CallLaunched,
    CallAttemptFailed,
    DisclosureAcknowledged,
    ChecklistAttested,
    CleanupRun,
    ExportMade,
    LogPurged,
    WipeReceived,
    WipeRefused,
    ConfigRefused,
    WipeDone,
    UnlockFailed,
    ClockWentBack,
    BulletinApplied,
    OrphansSwept,
    KeySetUpdated,
}

#[uniffi::remote(Enum)]
pub enum Actor {
    Clinician,
    Staff,
    It,
    System,
}

#[uniffi::remote(Enum)]
pub enum Tamper {
    Changed,
    Missing,
    Inserted,
    Reordered,
    RolledBack,
    TailCut,
    Emptied,
    HeadForged,
}

/// One value of an entry's detail: a flag, a number, or a short code (no free text).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum DetailValue {
    Flag { value: bool },
    Number { value: i64 },
    Code { value: String },
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct NewLogEntry {
    pub kind: EntryKind,
    pub actor: Actor,
    /// An opaque patient id (`pt_…`), never a name.
    #[uniffi(default = None)]
    pub patient: Option<String>,
    #[uniffi(default)]
    pub detail: HashMap<String, DetailValue>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct LogEntry {
    pub seq: u64,
    pub at: SystemTime,
    pub kind: EntryKind,
    pub actor: Actor,
    pub patient: Option<String>,
    pub detail: HashMap<String, DetailValue>,
}

#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct LogQuery {
    #[uniffi(default = None)]
    pub since: Option<SystemTime>,
    #[uniffi(default = None)]
    pub until: Option<SystemTime>,
    /// Empty means every kind.
    #[uniffi(default = [])]
    pub kinds: Vec<EntryKind>,
    #[uniffi(default = None)]
    pub patient: Option<String>,
    #[uniffi(default = None)]
    pub limit: Option<u32>,
    #[uniffi(default = false)]
    pub newest_first: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Verification {
    Intact { count: u64, head_seq: u64, head_mac_hex: String },
    Broken { seq: u64, problem: Tamper },
}

#[uniffi::remote(Record)]
pub struct PurgeReport {
    pub removed: u64,
    pub through_seq: u64,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct IntegrityReport {
    pub ok: bool,
    pub pages_ok: bool,
    pub problems: Vec<String>,
    pub chain: Verification,
}

impl From<core::DetailValue> for DetailValue {
    fn from(value: core::DetailValue) -> Self {
        match value {
            core::DetailValue::Bool(value) => DetailValue::Flag { value },
            core::DetailValue::Int(value) => DetailValue::Number { value },
            core::DetailValue::Code(value) => DetailValue::Code { value },
        }
    }
}

impl From<DetailValue> for core::DetailValue {
    fn from(value: DetailValue) -> Self {
        match value {
            DetailValue::Flag { value } => core::DetailValue::Bool(value),
            DetailValue::Number { value } => core::DetailValue::Int(value),
            DetailValue::Code { value } => core::DetailValue::Code(value),
        }
    }
}

fn patient_ref(text: Option<String>) -> Result<Option<core::PatientRef>, TelevisitError> {
    Ok(text.as_deref().map(core::PatientRef::parse).transpose()?)
}

impl TryFrom<NewLogEntry> for core::NewEntry {
    type Error = TelevisitError;
    fn try_from(entry: NewLogEntry) -> Result<Self, TelevisitError> {
        Ok(core::NewEntry {
            kind: entry.kind,
            actor: entry.actor,
            patient: patient_ref(entry.patient)?,
            detail: core::Detail::from_map(entry.detail.into_iter().map(|(k, v)| (k, v.into())).collect()),
        })
    }
}

impl From<core::Entry> for LogEntry {
    fn from(entry: core::Entry) -> Self {
        LogEntry {
            seq: entry.seq,
            at: entry.at.into(),
            kind: entry.kind,
            actor: entry.actor,
            patient: entry.patient.map(|p| p.as_str().to_owned()),
            detail: entry.detail.fields().iter().map(|(k, v)| (k.clone(), v.clone().into())).collect(),
        }
    }
}

impl TryFrom<LogQuery> for core::LogQuery {
    type Error = TelevisitError;
    fn try_from(query: LogQuery) -> Result<Self, TelevisitError> {
        Ok(core::LogQuery {
            since: query.since.map(Into::into),
            until: query.until.map(Into::into),
            kinds: query.kinds,
            patient: patient_ref(query.patient)?,
            limit: query.limit,
            newest_first: query.newest_first,
        })
    }
}

impl From<core::Verification> for Verification {
    fn from(v: core::Verification) -> Self {
        match v {
            core::Verification::Intact { count, head } => {
                Verification::Intact { count, head_seq: head.seq, head_mac_hex: hex::encode(head.mac) }
            }
            core::Verification::Broken { seq, problem } => Verification::Broken { seq, problem },
        }
    }
}

impl From<televisit_core::IntegrityReport> for IntegrityReport {
    fn from(r: televisit_core::IntegrityReport) -> Self {
        IntegrityReport { ok: r.is_ok(), pages_ok: r.pages_ok, problems: r.problems, chain: r.chain.into() }
    }
}

/// What a finding means, in the core's words, for the shells to show (they never word it twice).
#[uniffi::export]
pub fn tamper_description(problem: Tamper) -> String {
    problem.describe().to_owned()
}

/// A sealed export and the range it holds: entries after `from_seq` through `through_seq`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogExport {
    /// The age file's bytes, to save or share.
    pub sealed: Vec<u8>,
    pub from_seq: u64,
    pub through_seq: u64,
    pub entries: u64,
    /// Every entry the log holds (asked for), rather than those since IT's confirmation.
    pub whole: bool,
}

impl From<televisit_core::it::export::LogExport> for LogExport {
    fn from(e: televisit_core::it::export::LogExport) -> Self {
        LogExport {
            sealed: e.sealed,
            from_seq: e.from_seq,
            through_seq: e.through_seq,
            entries: e.entries,
            whole: e.whole,
        }
    }
}

/// The log's size (its newest sequence number) and the public chain's hash there, base64url.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogCheckpoint {
    pub size: u64,
    pub hash: String,
}
