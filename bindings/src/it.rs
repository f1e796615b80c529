//! Enrollment, signed policies and remote wipe across the FFI.

use crate::contacts::{ContactBook, ForeignBook};
use crate::platform::{ForeignSecrets, SecretStore};
use crate::Result;
use std::path::Path;
use std::sync::Arc;
use televisit_core::it;

pub use televisit_core::it::triggers::TriggerState;
pub use televisit_core::it::wipe::{WipeReason, WipeScope};
pub use televisit_core::FailedUnlock;

/// A failed unlock: when `wipe_started`, the shell closes the store and finishes the wipe now.
#[uniffi::remote(Record)]
pub struct FailedUnlock {
    pub failed_attempts: u32,
    pub attempts_left: u32,
    pub wipe_started: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EnrollmentInfo {
    pub org_name: String,
    pub device_id: String,
    pub enrollment_id: String,
    /// The device's public key (base64url Ed25519): IT records it to check wipe receipts.
    pub device_key: String,
}

impl EnrollmentInfo {
    pub(crate) fn new(e: it::enrollment::Enrollment, device_key: String) -> Self {
        EnrollmentInfo { org_name: e.org_name, device_id: e.device_id, enrollment_id: e.enrollment_id, device_key }
    }
}

#[uniffi::remote(Enum)]
pub enum WipeScope {
    Contacts,
    Log,
    All,
}

#[uniffi::remote(Enum)]
pub enum WipeReason {
    Lost,
    Stolen,
    Left,
    Other,
    LocalTrigger,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WipeCommandInfo {
    pub command_id: String,
    pub scope: WipeScope,
    pub reason: WipeReason,
}

impl From<it::wipe::WipeCommand> for WipeCommandInfo {
    fn from(c: it::wipe::WipeCommand) -> Self {
        WipeCommandInfo { command_id: c.command_id, scope: c.scope, reason: c.reason }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Triggers {
    Clear,
    /// Clinical actions are refused until the reasons clear.
    Blocked {
        reasons: Vec<String>,
    },
    /// A local wipe has started: close the store and call `resume_pending_wipe`.
    Wipe {
        reason: String,
    },
}

impl From<TriggerState> for Triggers {
    fn from(state: TriggerState) -> Self {
        match state {
            TriggerState::Clear => Triggers::Clear,
            TriggerState::Blocked { reasons } => {
                Triggers::Blocked { reasons: reasons.into_iter().map(Into::into).collect() }
            }
            TriggerState::Wipe { reason } => Triggers::Wipe { reason: reason.into() },
        }
    }
}

/// Run at every start and check-in, before `Televisit.open`: finishes a wipe that was interrupted
/// (or just received) and returns its signed receipt for IT (just written, or held since and not
/// yet confirmed by IT's bulletin), or nothing.
#[uniffi::export]
pub fn resume_pending_wipe(
    path: String,
    secrets: Arc<dyn SecretStore>,
    book: Arc<dyn ContactBook>,
) -> Result<Option<String>> {
    let now = chrono::Utc::now();
    Ok(it::wipe::resume_pending(Path::new(&path), &ForeignSecrets(secrets), &ForeignBook(book), now)?)
}

/// Verifies a wipe command and marks the wipe pending without opening the store: for a device
/// whose store is damaged or whose key is gone. Then call `resume_pending_wipe`.
#[uniffi::export]
pub fn receive_wipe_without_store(secrets: Arc<dyn SecretStore>, command: String) -> Result<WipeCommandInfo> {
    Ok(it::wipe::receive(&ForeignSecrets(secrets), &command)?.into())
}

/// The signed receipt of a finished wipe that IT has not yet confirmed holding: publish it at every
/// check-in (`wipe_receipt`) and show it on Settings. The core forgets it only when a bulletin
/// confirms it (`BulletinResult.receipt_confirmed`), never because a send returned.
#[uniffi::export]
pub fn held_wipe_receipt(secrets: Arc<dyn SecretStore>) -> Result<Option<String>> {
    Ok(it::wipe::held_receipt(&ForeignSecrets(secrets))?.map(|held| held.text))
}

/// The wipe under way, if any: its command id, scope and reason (a shell removes its contacts
/// account after a wipe whose scope takes the contacts).
#[uniffi::export]
pub fn wipe_under_way(secrets: Arc<dyn SecretStore>) -> Result<Option<WipeCommandInfo>> {
    Ok(it::wipe::pending_command(&ForeignSecrets(secrets))?.map(Into::into))
}

/// Whether a wipe is under way (the app must not open the store until it is done). A finished
/// wipe whose receipt is held is not.
#[uniffi::export]
pub fn wipe_pending(secrets: Arc<dyn SecretStore>) -> Result<bool> {
    Ok(it::wipe::pending_command(&ForeignSecrets(secrets))?.is_some())
}

pub use televisit_core::it::storeless::StorelessCheckIn;

/// What a check-in with no store open did.
#[uniffi::remote(Record)]
pub struct StorelessCheckIn {
    pub wipe_started: bool,
    pub bulletin_refused: bool,
    pub secret_store_failed: bool,
}

/// The check-in with no store open (a background task, or a store that will not open): the
/// bulletin, then a wipe command, from the managed configuration as read. When `wipe_started`,
/// call `resume_pending_wipe`. Both shells call this one rule.
#[uniffi::export]
pub fn check_in_without_store(
    secrets: Arc<dyn SecretStore>,
    values: std::collections::HashMap<String, String>,
) -> StorelessCheckIn {
    it::storeless::check_in(&ForeignSecrets(secrets), &values, chrono::Utc::now())
}
