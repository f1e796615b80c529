//! Whether the clinician's WhatsApp privacy checklist is current. The checklist itself (catalog,
//! runs, answers) arrives with its own issue; the call pre-flight reads only this status.

use crate::policy::Policy;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecklistStatus {
    Current,
    Due,
    Never,
}

/// Current while the last completed run is younger than the policy's interval.
pub(crate) fn status(conn: &Connection, now: DateTime<Utc>, policy: &Policy) -> crate::Result<ChecklistStatus> {
    let completed: Option<i64> = conn
        .query_row("SELECT value FROM settings WHERE name = 'checklist_completed_at_ms'", [], |row| {
            row.get::<_, String>(0)
        })
        .optional()?
        .and_then(|text| text.parse().ok());
    Ok(match completed.and_then(DateTime::from_timestamp_millis) {
        None => ChecklistStatus::Never,
        Some(at) if now - at < Duration::days(i64::from(policy.checklist.reconfirm_days)) => ChecklistStatus::Current,
        Some(_) => ChecklistStatus::Due,
    })
}
