//! The one error Kotlin and Swift see. It is a flat error: each variant carries the core's
//! message, which is written for people and never holds patient data. Kotlin's `e.message` is
//! that message. Swift's `localizedDescription` is not: UniFFI sets `errorDescription` to
//! `String(reflecting:)` (the case and its payload), so the iOS shell reads the message from the
//! case itself (`UserMessage.text(for:)`, which matches each case).

use televisit_core::Error as Core;

#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum TelevisitError {
    #[error("{0}")]
    WrongKey(String),
    #[error("{0}")]
    NotADatabase(String),
    #[error("{0}")]
    Corrupted(String),
    #[error("{0}")]
    KeyMissing(String),
    #[error("{0}")]
    DatabaseMissing(String),
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    DiskFull(String),
    #[error("{0}")]
    ReadOnly(String),
    #[error("{0}")]
    CannotOpen(String),
    #[error("{0}")]
    NewerSchema(String),
    #[error("{0}")]
    SecretStore(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    LogBroken(String),
    #[error("{0}")]
    CallBlocked(String),
    #[error("{0}")]
    Blocked(String),
    #[error("{0}")]
    WipeRefused(String),
    #[error("{0}")]
    OtherOrganisation(String),
    #[error("{0}")]
    PolicyOutdated(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    ContactBook(String),
    #[error("{0}")]
    Storage(String),
}

impl From<Core> for TelevisitError {
    fn from(err: Core) -> Self {
        let message = err.to_string();
        match err {
            Core::WrongKey => Self::WrongKey(message),
            Core::NotADatabase => Self::NotADatabase(message),
            Core::Corrupted(_) => Self::Corrupted(message),
            Core::KeyMissing => Self::KeyMissing(message),
            Core::DatabaseMissing => Self::DatabaseMissing(message),
            Core::Locked => Self::Locked(message),
            Core::DiskFull => Self::DiskFull(message),
            Core::ReadOnly => Self::ReadOnly(message),
            Core::CannotOpen => Self::CannotOpen(message),
            Core::NewerSchema { .. } => Self::NewerSchema(message),
            Core::SecretStore(_) => Self::SecretStore(message),
            Core::InvalidInput { .. } => Self::InvalidInput(message),
            Core::LogBroken { .. } => Self::LogBroken(message),
            Core::CallBlocked { .. } => Self::CallBlocked(message),
            Core::Blocked { .. } => Self::Blocked(message),
            Core::WipeRefused { .. } => Self::WipeRefused(message),
            Core::OtherOrganisation => Self::OtherOrganisation(message),
            Core::PolicyOutdated { .. } => Self::PolicyOutdated(message),
            Core::NotFound { .. } => Self::NotFound(message),
            Core::ContactBook(_) => Self::ContactBook(message),
            Core::Storage(_) => Self::Storage(message),
        }
    }
}
