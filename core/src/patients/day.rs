//! The clinician's list for the day: today's visits first, by time, then the rest, with done
//! visits and archived patients out of the way. Each patient is labelled so that two of the same
//! name cannot be mistaken for each other (the contact name with its `(2)`, and the number's
//! last digits). The order is a rule, so it lives here and not in each shell.

use super::{list, Patient};
use crate::error::{Error, Result};
use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::Connection;
use std::collections::HashMap;

/// Where a patient stands in the day's list, in the order the sections are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// A visit today (the phone's own day), not done yet.
    Today,
    /// A visit on a later day.
    Upcoming,
    /// No visit time given.
    Unscheduled,
    /// A visit on an earlier day that was never marked done.
    Overdue,
    /// The visit was marked done.
    Done,
    /// Archived: only when asked for.
    Archived,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListedPatient {
    pub patient: Patient,
    pub section: Section,
    /// The contact name and the number's last digits, e.g. `Patient Susan Smith (2) · …4321`.
    pub label: String,
    pub visit_done_at: Option<DateTime<Utc>>,
}

/// How many of the number's last digits the label shows: enough to tell two patients apart.
const LAST_DIGITS: usize = 4;

/// The list, ordered by section and then by visit time (earliest first; for overdue visits the
/// most recent first), then by when the patient was added.
pub fn day_list(
    conn: &Connection,
    now: DateTime<Utc>,
    utc_offset_minutes: i32,
    include_archived: bool,
) -> Result<Vec<ListedPatient>> {
    let offset = utc_offset_minutes
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| Error::invalid("utc offset", "outside -23:59..+23:59"))?;
    let today = now.with_timezone(&offset).date_naive();
    let done = done_times(conn)?;
    let mut rows: Vec<ListedPatient> = list(conn, include_archived)?
        .into_iter()
        .map(|patient| {
            let visit_done_at = done.get(patient.id.as_str()).copied();
            let section = if patient.archived_at.is_some() {
                Section::Archived
            } else if visit_done_at.is_some() {
                Section::Done
            } else {
                match patient.visit_at.map(|t| t.with_timezone(&offset).date_naive()) {
                    None => Section::Unscheduled,
                    Some(day) if day == today => Section::Today,
                    Some(day) if day > today => Section::Upcoming,
                    Some(_) => Section::Overdue,
                }
            };
            let label = label(&patient);
            ListedPatient { patient, section, label, visit_done_at }
        })
        .collect();
    // A stable sort over the store's own order (the time each was added).
    rows.sort_by_key(|row| {
        let at = row.patient.visit_at.map(|t| t.timestamp_millis()).unwrap_or(i64::MAX);
        let key = if row.section == Section::Overdue { at.checked_neg().unwrap_or(i64::MIN) } else { at };
        (row.section, key)
    });
    Ok(rows)
}

fn label(patient: &Patient) -> String {
    let digits: Vec<char> = patient.phone.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(LAST_DIGITS)..].iter().collect();
    format!("{} · …{last}", patient.contact_name)
}

fn done_times(conn: &Connection) -> Result<HashMap<String, DateTime<Utc>>> {
    let mut stmt = conn.prepare("SELECT id, visit_done_at_ms FROM patients WHERE visit_done_at_ms IS NOT NULL")?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?;
    let mut done = HashMap::new();
    for row in rows {
        let (id, ms) = row?;
        // Marked before the patient kept it (migration 6): known done, time unknown.
        done.insert(id, DateTime::from_timestamp_millis(ms).unwrap_or_default());
    }
    Ok(done)
}
