//! A re-confirmation starts from the last result: every answer the clinician gave then is
//! carried into the new run, except where the catalog revision changed the item since, where the
//! organisation's required value for it changed, or where the old value is no longer one of the
//! item's choices. Those are left unanswered, and so are the ones asked.

use super::{catalog, effective_requirements, save_answer, Source};
use crate::error::Result;
use crate::policy::Policy;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeMap;

/// The source an answer carried from the last result is stored under.
pub(super) const CARRIED: &str = "carried";

pub(super) fn carry_over(conn: &Connection, run_id: i64, policy: &Policy, now: DateTime<Utc>) -> Result<usize> {
    let last: Option<(i64, u32, String)> = conn
        .query_row(
            "SELECT id, catalog_version, requirements FROM checklist_runs
             WHERE finished_at_ms IS NOT NULL AND compliant = 1 AND id != ?1
             ORDER BY finished_at_ms DESC, id DESC LIMIT 1",
            [run_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let Some((last_id, last_version, last_requirements)) = last else { return Ok(0) };
    // A stored fingerprint that no longer reads carries nothing: every item is asked.
    let before: BTreeMap<String, serde_json::Value> = serde_json::from_str(&last_requirements).unwrap_or_default();
    let now_required: BTreeMap<&str, serde_json::Value> = effective_requirements(policy)
        .into_iter()
        .map(|(id, r)| (id, serde_json::to_value(r).unwrap_or(serde_json::Value::Null)))
        .collect();
    let changed = catalog::changed_since(last_version);
    let mut stmt = conn.prepare(
        "SELECT item_id, value FROM checklist_answers WHERE run_id = ?1 AND source IN ('clinician', 'carried')",
    )?;
    let answers = stmt
        .query_map([last_id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut carried = 0;
    for (id, value) in answers {
        let Some(item) = catalog::item(&id) else { continue };
        let same_requirement = before.get(item.id).is_some_and(|v| now_required.get(item.id) == Some(v));
        if item.source == Source::Clinician && !changed.contains(&item.id) && same_requirement && item.allows(&value) {
            save_answer(conn, run_id, item.id, &value, CARRIED, now)?;
            carried += 1;
        }
    }
    Ok(carried)
}
