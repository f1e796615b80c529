//! The phones' periodic contacts cleanup as IT's ledger keeps it (issue 33): what each device's
//! newest report said, counts only (a report carries no name and no number), and which phones
//! hold contacts past their cleanup age, worst first, for IT's monthly privacy check.

use crate::db::{DbResult, Row};
use serde::Serialize;
use televisit_protocol::report::{CleanupEnd, CleanupState};

/// A device's cleanup as its newest report said. `DeviceRow::cleanup` is `None` when that report
/// carried none: the app predates it, or has not counted yet ("not reported").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceCleanup {
    /// Televisit's patient contacts on the phone. `None`: unknown, the app has no contacts
    /// access (never read as zero: such a phone may hold any number).
    pub held: Option<i64>,
    /// Of them, how many are past `age_days` (`None` exactly when `held` is).
    pub overdue: Option<i64>,
    /// The oldest one's age in days since its last use (none held, or only contacts the phone
    /// has no record of, which count as past their age).
    pub oldest_days: Option<i64>,
    /// The policy's cleanup age in days, as the phone applies it: what "past" means for it.
    pub age_days: i64,
    /// When cleanup last ran on the phone (its clock), and how that run ended.
    pub ran_at: Option<i64>,
    pub end: Option<CleanupEnd>,
}

impl DeviceCleanup {
    /// How many contacts are past their age; 0 when none are or the counts are unknown.
    pub fn overdue_count(&self) -> i64 {
        self.overdue.unwrap_or(0)
    }
}

/// `devices.cleanup_*` in column order: held, overdue, oldest days, age days, ran at, end.
pub(crate) type CleanupValues = (Option<u32>, Option<u32>, Option<u32>, Option<u32>, Option<i64>, Option<&'static str>);

/// The values for a report's state: all NULL for a report without one, so that a newer report
/// from a phone that no longer sends it (an older app put back) reads "not reported", not a
/// state the phone stopped vouching for.
pub(crate) fn values(state: Option<&CleanupState>) -> CleanupValues {
    match state {
        None => (None, None, None, None, None, None),
        Some(s) => (s.n, s.o, s.d, Some(s.age), s.r, s.e.map(CleanupEnd::code)),
    }
}

/// Where `DEVICE_COLUMNS` selects `d.cleanup_held` (the five others follow it).
pub(crate) const FIRST_COLUMN: usize = 23;

/// A device's cleanup from its row. `cleanup_age_days` marks a report that carried the state:
/// every state names its age, so NULL there is "not reported", whatever the other columns hold.
pub(crate) fn from_row(row: &Row) -> DbResult<Option<DeviceCleanup>> {
    let at = |i: usize| FIRST_COLUMN + i;
    let Some(age_days) = row.get::<Option<i64>>(at(3))? else { return Ok(None) };
    Ok(Some(DeviceCleanup {
        held: row.get(at(0))?,
        overdue: row.get(at(1))?,
        oldest_days: row.get(at(2))?,
        age_days,
        ran_at: row.get(at(4))?,
        // A code a newer tool wrote reads as no end known, not as an error.
        end: row.get::<Option<String>>(at(5))?.as_deref().and_then(CleanupEnd::from_code),
    }))
}

/// Whether the device holds contacts past its cleanup age, as its newest report said. A closed
/// device (wiped: its contacts went with the wipe; retired: out of IT's hands) never does, and
/// neither does one whose counts are unknown: that one is shown as unknown instead.
pub fn is_overdue(closed: bool, cleanup: Option<&DeviceCleanup>) -> bool {
    !closed && cleanup.is_some_and(|c| c.overdue_count() > 0)
}
