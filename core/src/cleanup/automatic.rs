//! Cleanup by the phone itself, from its background check-in (Android's jobs, iOS's background
//! task, the desktop's `televisit checkin`), when IT's policy turns it on
//! (`contacts.cleanup_automatic`). It removes what the Cleanup screen's apply would with no
//! lookalike confirmed: Televisit's own contacts that are due, never a contact it did not make
//! (a lookalike waits for a person). Each removal is logged as the screen's are, by the system;
//! a removal that fails stays recorded and is tried at a later check-in. What it did waits for
//! the next time someone opens the app (no notification: a lock screen shows nothing of it).

use super::state::CleanupState;
use crate::contacts::ContactBook;
use crate::error::{Error, Result};
use crate::log::Actor;
use crate::Televisit;
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// The setting the summary waiting for the next open is kept in.
const UNSEEN: &str = "cleanup_automatic_unseen";
/// The setting the last automatic run's time is kept in.
const LAST_AUTOMATIC: &str = "cleanup_automatic_last";
/// Runs are at least this far apart: a check-in every 15 minutes whose removals keep failing
/// logs a run an hour, not four.
pub const MIN_GAP_MINUTES: i64 = 60;

/// Why a background check-in removed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// The policy leaves cleanup to staff.
    Off,
    /// Nothing is due.
    NothingDue,
    /// The last run was less than `MIN_GAP_MINUTES` ago.
    RanRecently,
    /// The phone will not let Televisit read its contacts: nothing can be counted or removed.
    NoContactsAccess,
}

impl Skipped {
    /// Stable code, for JSON.
    pub fn code(self) -> &'static str {
        match self {
            Skipped::Off => "off",
            Skipped::NothingDue => "nothing_due",
            Skipped::RanRecently => "ran_recently",
            Skipped::NoContactsAccess => "no_contacts_access",
        }
    }
}

/// What one background check-in's cleanup did, and where cleanup stands after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackgroundCleanup {
    pub state: CleanupState,
    pub removed: u32,
    pub failed: u32,
    pub skipped: Option<Skipped>,
}

/// What automatic cleanup did since the app was last opened: counts only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomaticCleanupSummary {
    /// Patient contacts removed (or found already gone) by the runs.
    pub removed: u32,
    /// Contacts the last run could not remove: tried again at a later check-in.
    pub failed: u32,
    /// Contacts named like the convention that Televisit did not make, waiting for a person.
    pub lookalikes_waiting: u32,
    pub runs: u32,
    /// The last run, Unix seconds.
    pub last_at: i64,
    /// The cleanup age the policy named then, in days.
    pub age_days: u32,
}

impl Televisit {
    /// The cleanup step of a background check-in: counts where cleanup stands (for the device
    /// report, whatever the policy says) and, when the policy makes cleanup automatic, removes
    /// this phone's own contacts that are due, as the Cleanup screen's apply would with no
    /// lookalike confirmed. Call it before the report is made, so that IT reads the new counts.
    pub fn background_cleanup(&self, book: &dyn ContactBook) -> Result<BackgroundCleanup> {
        let policy = self.policy()?;
        let before = self.cleanup_state(book)?;
        let counted = |skipped: Skipped| {
            Ok(BackgroundCleanup { state: before.clone(), removed: 0, failed: 0, skipped: Some(skipped) })
        };
        if !policy.contacts.cleanup_automatic {
            return counted(Skipped::Off);
        }
        if before.n.is_none() {
            return counted(Skipped::NoContactsAccess);
        }
        // Refused here too, whatever a policy on disk says: an age of 0 would remove every
        // patient at every check-in.
        if policy.contacts.cleanup_after_days == 0 {
            return Err(Error::invalid("contacts.cleanup_after_days", "must be at least 1 day for automatic cleanup"));
        }
        let now = self.clock.now();
        let last = self.setting_i64(LAST_AUTOMATIC)?;
        // A clock set back since (last in the future) does not hold cleanup off.
        if last.is_some_and(|at| {
            at <= now.timestamp() && now.timestamp() - at < Duration::minutes(MIN_GAP_MINUTES).num_seconds()
        }) {
            return counted(Skipped::RanRecently);
        }
        let plan = self.cleanup_plan(book, None)?;
        if plan.remove.is_empty() {
            return counted(Skipped::NothingDue);
        }
        let report = self.run_cleanup(book, &plan, &[], Actor::System)?;
        self.set_setting_text(LAST_AUTOMATIC, &now.timestamp().to_string())?;
        let removed = report.deleted.saturating_add(report.already_gone);
        let mut summary = self.automatic_cleanup_summary()?.unwrap_or_default();
        summary.removed = summary.removed.saturating_add(removed);
        summary.failed = report.failed;
        summary.lookalikes_waiting = u32::try_from(plan.lookalikes.len()).unwrap_or(u32::MAX);
        summary.runs = summary.runs.saturating_add(1);
        summary.last_at = now.timestamp();
        summary.age_days = policy.contacts.cleanup_after_days;
        self.set_setting_text(UNSEEN, &serde_json::to_string(&summary)?)?;
        // `run_cleanup` counted again after the run.
        let state = self.saved_cleanup_state()?.map_or_else(|| self.cleanup_state(book), Ok)?;
        Ok(BackgroundCleanup { state, removed, failed: report.failed, skipped: None })
    }

    /// What automatic cleanup did since someone last saw it (`automatic_cleanup_seen`); none
    /// when it did nothing.
    pub fn automatic_cleanup_summary(&self) -> Result<Option<AutomaticCleanupSummary>> {
        Ok(self.setting_text(UNSEEN)?.and_then(|text| serde_json::from_str(&text).ok()))
    }

    /// The summary was shown: the next one counts from here.
    pub fn automatic_cleanup_seen(&self) -> Result<()> {
        self.store().conn.execute("DELETE FROM settings WHERE name = ?1", [UNSEEN])?;
        Ok(())
    }
}
