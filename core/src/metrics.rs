//! A PHI-free summary for the organisation: counts per day, read from the activity log.

use crate::error::Result;
use crate::log::EntryKind;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DayMetrics {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    pub calls_launched: u32,
    pub consents_recorded: u32,
    pub opt_outs: u32,
    pub contacts_created: u32,
    pub contacts_deleted: u32,
    pub cleanups: u32,
}

/// One row per day that has any of the counted actions, oldest first.
pub(crate) fn daily(conn: &Connection, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<DayMetrics>> {
    let mut stmt = conn.prepare(
        "SELECT date(at_ms / 1000, 'unixepoch') AS day, kind, count(*) FROM log_entries
         WHERE at_ms >= ?1 AND at_ms < ?2 GROUP BY day, kind ORDER BY day",
    )?;
    let rows = stmt.query_map([since.timestamp_millis(), until.timestamp_millis()], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, u32>(2)?))
    })?;
    let mut days: BTreeMap<NaiveDate, DayMetrics> = BTreeMap::new();
    for row in rows {
        let (day, kind, count) = row?;
        let Ok(date) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else { continue };
        let counted = [
            EntryKind::CallLaunched,
            EntryKind::ConsentRecorded,
            EntryKind::ConsentRevoked,
            EntryKind::ConsentDeclined,
            EntryKind::ContactCreated,
            EntryKind::ContactDeleted,
            EntryKind::CleanupRun,
        ];
        let Some(kind) = EntryKind::from_code(&kind).filter(|k| counted.contains(k)) else { continue };
        let metrics = days.entry(date).or_insert_with(|| DayMetrics { day: day.clone(), ..Default::default() });
        match kind {
            EntryKind::CallLaunched => metrics.calls_launched += count,
            EntryKind::ConsentRecorded => metrics.consents_recorded += count,
            // A decline and a withdrawal are both the patient saying no.
            EntryKind::ConsentRevoked | EntryKind::ConsentDeclined => metrics.opt_outs += count,
            EntryKind::ContactCreated => metrics.contacts_created += count,
            EntryKind::ContactDeleted => metrics.contacts_deleted += count,
            EntryKind::CleanupRun => metrics.cleanups += count,
            _ => {}
        }
    }
    Ok(days.into_values().collect())
}
