//! Where the periodic cleanup stands, and the phone's own cleanup from a background check-in,
//! across the FFI. The counts are the core's (`cleanup::state`), the sentence the protocol's
//! (`CleanupState::describe`): the Cleanup screens show what IT's fleet view reads.

use crate::contacts::{ContactBook, ForeignBook};
use crate::{Result, Televisit};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use televisit_core::cleanup::automatic as core_automatic;
use televisit_core::cleanup::state as core_state;

pub use televisit_core::cleanup::automatic::Skipped as CleanupSkipped;
pub use televisit_core::cleanup::state::CleanupEnd;

/// How the last cleanup run ended.
#[uniffi::remote(Enum)]
pub enum CleanupEnd {
    Done,
    SomeFailed,
    LookalikesWaiting,
}

/// Why a background check-in removed nothing.
#[uniffi::remote(Enum)]
pub enum CleanupSkipped {
    Off,
    NothingDue,
    RanRecently,
    NoContactsAccess,
}

/// Where cleanup stands on this phone: counts only. A count is null when Televisit may not read
/// the phone's contacts (unknown, not zero).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CleanupState {
    /// Televisit's patient contacts on the phone.
    pub contacts_held: Option<u32>,
    /// Of them, past the policy's cleanup age.
    pub past_age: Option<u32>,
    /// The oldest one's age in days.
    pub oldest_days: Option<u32>,
    /// The policy's cleanup age in days.
    pub age_days: u32,
    pub last_run: Option<SystemTime>,
    pub last_end: Option<CleanupEnd>,
    /// The counts in the words IT's fleet view uses.
    pub summary: String,
    /// Holding contacts past the cleanup age: what IT's fleet view flags.
    pub overdue: bool,
}

impl From<core_state::CleanupState> for CleanupState {
    fn from(state: core_state::CleanupState) -> Self {
        CleanupState {
            summary: state.describe(),
            overdue: state.overdue(),
            contacts_held: state.n,
            past_age: state.o,
            oldest_days: state.d,
            age_days: state.age,
            // Before 1970 is not a time a run is recorded at; such a value reads as none.
            last_run: state.r.and_then(|at| u64::try_from(at).ok()).map(|at| UNIX_EPOCH + Duration::from_secs(at)),
            last_end: state.e,
        }
    }
}

/// What a background check-in's cleanup did, and where cleanup stands after it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BackgroundCleanup {
    pub state: CleanupState,
    pub removed: u32,
    pub failed: u32,
    pub skipped: Option<CleanupSkipped>,
}

/// What automatic cleanup did since the app was last opened: show it once, then call
/// `automatic_cleanup_seen`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AutomaticCleanupSummary {
    pub removed: u32,
    pub failed: u32,
    pub lookalikes_waiting: u32,
    pub runs: u32,
    pub last_at: SystemTime,
    pub age_days: u32,
}

impl From<core_automatic::AutomaticCleanupSummary> for AutomaticCleanupSummary {
    fn from(s: core_automatic::AutomaticCleanupSummary) -> Self {
        AutomaticCleanupSummary {
            removed: s.removed,
            failed: s.failed,
            lookalikes_waiting: s.lookalikes_waiting,
            runs: s.runs,
            last_at: UNIX_EPOCH + Duration::from_secs(u64::try_from(s.last_at).unwrap_or(0)),
            age_days: s.age_days,
        }
    }
}

#[uniffi::export]
impl Televisit {
    /// Counts where cleanup stands (and keeps it for the device report): the Cleanup screen's
    /// numbers, the same IT's fleet view reads.
    pub fn cleanup_state(&self, book: Arc<dyn ContactBook>) -> Result<CleanupState> {
        Ok(self.0.cleanup_state(&ForeignBook(book))?.into())
    }

    /// The cleanup step of a background check-in, before the report is made: counts, and when
    /// the policy makes cleanup automatic removes this phone's own due contacts (never a
    /// lookalike).
    pub fn background_cleanup(&self, book: Arc<dyn ContactBook>) -> Result<BackgroundCleanup> {
        let done = self.0.background_cleanup(&ForeignBook(book))?;
        Ok(BackgroundCleanup {
            state: done.state.into(),
            removed: done.removed,
            failed: done.failed,
            skipped: done.skipped,
        })
    }

    /// What automatic cleanup did since someone last saw it; null when it did nothing.
    pub fn automatic_cleanup_summary(&self) -> Result<Option<AutomaticCleanupSummary>> {
        Ok(self.0.automatic_cleanup_summary()?.map(Into::into))
    }

    pub fn automatic_cleanup_seen(&self) -> Result<()> {
        Ok(self.0.automatic_cleanup_seen()?)
    }
}
