//! Where the periodic cleanup stands on this phone, counted one way for everyone who asks: the
//! device report IT's fleet view reads, `televisit cleanup --report`, and both phones' Cleanup
//! screens, so that the number IT sees and the number the phone shows are the same by
//! construction. Counts only: never a name or a number.

use crate::cleanup;
use crate::contacts::{ContactBook, ContactBookError, ListScope};
use crate::error::Result;
use crate::Televisit;
use std::collections::HashSet;
pub use televisit_protocol::report::{CleanupEnd, CleanupState, MAX_CLEANUP_DAYS};

/// The setting the last counted state is kept in, for the device report (which a background
/// task makes without reading the contacts).
const SAVED: &str = "cleanup_state";
/// The setting the last run's time and end are kept in (`cleanup::record` writes it).
pub(crate) const LAST_RUN: &str = "cleanup_last_run";

impl Televisit {
    /// Counts Televisit's patient contacts on the phone, those past the policy's cleanup age
    /// (the dry run's own rule: not used for that many days), the oldest one's age, and when
    /// cleanup last ran and how it ended; keeps it for the device report. A phone without
    /// contacts access counts nothing: unknown, not zero.
    pub fn cleanup_state(&self, book: &dyn ContactBook) -> Result<CleanupState> {
        let age = self.policy()?.contacts.cleanup_after_days;
        let listed = match book.list(ListScope::Owned) {
            Ok(listed) => Some(listed),
            Err(ContactBookError::PermissionDenied(_)) => None,
            Err(other) => return Err(other.into()),
        };
        let (n, o, d) = match listed {
            None => (None, None, None),
            Some(listed) => {
                let mut on_phone: HashSet<String> = listed.into_iter().map(|c| c.platform_id).collect();
                let ages = cleanup::owned_ages(&self.store().conn, self.clock.now())?;
                let (mut n, mut o, mut oldest) = (0u32, 0u32, None::<u32>);
                for (platform_id, days) in ages {
                    if on_phone.remove(&platform_id) {
                        n = n.saturating_add(1);
                        o = o.saturating_add(u32::from(days >= age));
                        oldest = Some(oldest.map_or(days, |d| d.max(days)));
                    }
                }
                // Marked as Televisit's with no record of it (a record lost): on the phone, and
                // the next cleanup removes it, so it is past its age too.
                let orphans = u32::try_from(on_phone.len()).unwrap_or(u32::MAX);
                (Some(n.saturating_add(orphans)), Some(o.saturating_add(orphans)), oldest)
            }
        };
        let (r, e) = self.last_cleanup_run()?.map_or((None, None), |(at, end)| (Some(at), Some(end)));
        let state = CleanupState { n, o, d, age, r, e };
        self.set_setting_text(SAVED, &serde_json::to_string(&state)?)?;
        Ok(state)
    }

    /// The state last counted, as the device report carries it; none before the first count.
    pub(crate) fn saved_cleanup_state(&self) -> Result<Option<CleanupState>> {
        Ok(self.setting_text(SAVED)?.and_then(|text| serde_json::from_str(&text).ok()))
    }

    fn last_cleanup_run(&self) -> Result<Option<(i64, CleanupEnd)>> {
        let Some(text) = self.setting_text(LAST_RUN)? else { return Ok(None) };
        let mut parts = text.splitn(2, ' ');
        let at = parts.next().and_then(|t| t.parse::<i64>().ok());
        let end = parts.next().and_then(CleanupEnd::from_code);
        Ok(at.zip(end))
    }
}

/// How a run ended, from its counts: a failure first (it is retried), then lookalikes waiting.
pub(crate) fn end_of(failed: u32, lookalikes_left: usize) -> CleanupEnd {
    if failed > 0 {
        CleanupEnd::SomeFailed
    } else if lookalikes_left > 0 {
        CleanupEnd::LookalikesWaiting
    } else {
        CleanupEnd::Done
    }
}

/// The setting's text for a run that ended at `at` (Unix seconds).
pub(crate) fn last_run_text(at: i64, end: CleanupEnd) -> String {
    format!("{at} {}", end.code())
}
