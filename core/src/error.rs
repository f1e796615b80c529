//! The core's internal error. Every message here is written for a clinician or an IT admin and
//! is built only from static text, counts, sequence numbers and opaque ids: never a patient's
//! name or phone number (those live only inside the encrypted store).

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the database key does not open this database (it was made with another key)")]
    WrongKey,
    #[error("the file is not a Televisit database")]
    NotADatabase,
    #[error("the database file is damaged ({0}); it was left as it is")]
    Corrupted(CorruptionKind),
    #[error("the database exists but its key is missing from the secret store")]
    KeyMissing,
    #[error("the database file is missing but its key exists; the profile was removed or is being wiped")]
    DatabaseMissing,
    #[error("the database is busy in another process; try again")]
    Locked,
    #[error("the disk is full; nothing was written")]
    DiskFull,
    #[error("the database cannot be written here (read-only location or no permission)")]
    ReadOnly,
    #[error("the database cannot be opened at this path")]
    CannotOpen,
    #[error("the database was written by a newer version of Televisit (schema {found}, this build knows {known})")]
    NewerSchema { found: u32, known: u32 },
    #[error("the secret store failed: {0}")]
    SecretStore(String),
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },
    #[error("the activity log is broken at entry {seq} ({problem}); nothing was purged")]
    LogBroken { seq: u64, problem: &'static str },
    #[error("{reason}")]
    WipeRefused { code: &'static str, reason: &'static str },
    #[error("this device is enrolled with another organisation; wipe it before enrolling it again")]
    OtherOrganisation,
    #[error("the policy is version {offered}, older than the version {current} in force")]
    PolicyOutdated { offered: u64, current: u64 },
    #[error("this device is blocked by the organisation's policy: {reasons}")]
    Blocked { reasons: String },
    #[error("the call is blocked: {reasons}")]
    CallBlocked { reasons: String },
    #[error("no {what} {id}")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    ContactBook(String),
    #[error("stored data could not be read ({0})")]
    Storage(String),
}

/// What is wrong with a damaged file, without saying anything about its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptionKind {
    Truncated,
    PageCheckFailed,
}

impl fmt::Display for CorruptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CorruptionKind::Truncated => "truncated",
            CorruptionKind::PageCheckFailed => "a page failed its integrity check",
        })
    }
}

impl Error {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput { field, reason: reason.into() }
    }
}

impl From<rusqlite::Error> for Error {
    /// SQLite's own messages can quote values from a statement, so only the error code is kept.
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match err.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Error::DiskFull,
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::Locked,
            Some(ErrorCode::ReadOnly) => Error::ReadOnly,
            Some(ErrorCode::CannotOpen) => Error::CannotOpen,
            Some(ErrorCode::NotADatabase) => Error::Corrupted(CorruptionKind::PageCheckFailed),
            Some(ErrorCode::DatabaseCorrupt) => Error::Corrupted(CorruptionKind::PageCheckFailed),
            Some(code) => Error::Storage(format!("sqlite {code:?}")),
            None => Error::Storage(sqlite_kind(&err).into()),
        }
    }
}

fn sqlite_kind(err: &rusqlite::Error) -> &'static str {
    match err {
        rusqlite::Error::QueryReturnedNoRows => "a row was expected",
        rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
            "a stored value has an unexpected type"
        }
        _ => "sqlite",
    }
}

impl From<televisit_protocol::Error> for Error {
    /// The protocol's messages are already free of input; they keep their field and reason.
    fn from(err: televisit_protocol::Error) -> Self {
        match err {
            televisit_protocol::Error::Refused { what, problem } => Error::invalid(what, problem.describe()),
            televisit_protocol::Error::Invalid { field, reason } => Error::InvalidInput { field, reason },
            televisit_protocol::Error::Random => Error::Storage("the system RNG failed".into()),
        }
    }
}

impl From<serde_json::Error> for Error {
    /// serde_json's messages can quote input; keep only its position.
    fn from(err: serde_json::Error) -> Self {
        Error::Storage(format!("malformed JSON at line {} column {}", err.line(), err.column()))
    }
}
