//! The cleanup's two steps as the store runs them: the dry run, and the run that deletes and
//! records, by staff from the Cleanup screen or by the phone itself (`automatic`).

use super::{CleanupPlan, CleanupReport, CleanupRules};
use crate::contacts::{ContactBook, ListScope};
use crate::error::{Error, Result};
use crate::log;
use crate::Televisit;

impl Televisit {
    /// The dry run: what cleanup would remove and why, and the lookalikes, changing nothing.
    /// `rules` default to the policy's.
    pub fn cleanup_plan(&self, book: &dyn ContactBook, rules: Option<CleanupRules>) -> Result<CleanupPlan> {
        let policy = self.policy()?;
        let rules = rules.unwrap_or_else(|| CleanupRules::from_policy(&policy));
        if rules.older_than_days == 0 {
            return Err(Error::invalid("cleanup age", "must be at least 1 day"));
        }
        // The walk of the phone's contacts, with the store unlocked, before the records are read.
        let listed = book.list(ListScope::All)?;
        super::plan(&self.store(), self.clock.now(), &policy, &rules, listed)
    }

    pub fn cleanup_apply(
        &self,
        book: &dyn ContactBook,
        plan: &CleanupPlan,
        confirmed_lookalikes: &[String],
    ) -> Result<CleanupReport> {
        self.run_cleanup(book, plan, confirmed_lookalikes, log::Actor::Staff)
    }

    /// A cleanup run by whoever acts: staff from the Cleanup screen, the phone itself when the
    /// policy makes cleanup automatic (`cleanup::automatic`).
    pub(crate) fn run_cleanup(
        &self,
        book: &dyn ContactBook,
        plan: &CleanupPlan,
        confirmed_lookalikes: &[String],
        actor: log::Actor,
    ) -> Result<CleanupReport> {
        // Contact-making calls wait until the run is recorded (one could adopt a planned orphan
        // between the check and the delete); the store is locked only to read and to record.
        let _serialised = self.contacts_gate();
        let deletion = super::deletion(&self.store().conn, plan, confirmed_lookalikes)?;
        let outcomes = super::delete(book, &deletion);
        let report = super::record(&mut self.store(), self.clock.now(), actor, plan, deletion, outcomes)?;
        // Counted again for the device report; the run itself is recorded whatever this says.
        let _ = self.cleanup_state(book);
        Ok(report)
    }
}
