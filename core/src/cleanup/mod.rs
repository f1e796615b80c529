//! The periodic cleanup of patient contacts: a dry run that says what would go and why, then a
//! run that deletes, reports each contact, keeps failures for the next run, and logs counts only.
//! Contacts that only look like the convention (made by hand) are listed apart and deleted only
//! when the user confirms each one.

pub mod automatic;
mod run;
pub mod state;

use crate::contacts::{self, is_televisit_marker, BookContact, ContactBook, DeleteOutcome};
use crate::error::{Error, Result};
use crate::log::{self, Actor, Detail, EntryKind, NewEntry, PatientRef};
use crate::naming::{self, NameTemplate};
use crate::policy::Policy;
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanupRules {
    /// Remove contacts not used for a visit in this many days.
    pub older_than_days: u32,
    /// Remove a contact as soon as its visit is marked done.
    pub when_visit_done: bool,
}

impl CleanupRules {
    pub fn from_policy(policy: &Policy) -> Self {
        CleanupRules {
            older_than_days: policy.contacts.cleanup_after_days,
            when_visit_done: policy.contacts.cleanup_when_visit_done,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalReason {
    /// No visit for at least this many days.
    NotUsedFor {
        days: u32,
    },
    VisitDone,
    PatientArchived,
    ConsentRevoked,
    /// The patient was asked and declined: the contact should not stay on the phone.
    ConsentDeclined,
    /// An earlier cleanup could not delete it.
    EarlierDeleteFailed,
    /// It carries Televisit's marker but Televisit has no record of it (a record lost in a
    /// crash or a restore, or a duplicate made on another occasion).
    Orphaned,
}

impl RemovalReason {
    /// Stable code, for JSON and translations.
    pub fn code(self) -> &'static str {
        match self {
            RemovalReason::NotUsedFor { .. } => "not_used",
            RemovalReason::VisitDone => "visit_done",
            RemovalReason::PatientArchived => "patient_archived",
            RemovalReason::ConsentRevoked => "consent_revoked",
            RemovalReason::ConsentDeclined => "consent_declined",
            RemovalReason::EarlierDeleteFailed => "earlier_delete_failed",
            RemovalReason::Orphaned => "orphaned",
        }
    }

    pub fn describe(self) -> String {
        match self {
            RemovalReason::NotUsedFor { days } => format!("not used for {days} days"),
            RemovalReason::VisitDone => "visit done".into(),
            RemovalReason::PatientArchived => "patient archived".into(),
            RemovalReason::ConsentRevoked => "consent revoked".into(),
            RemovalReason::ConsentDeclined => "consent declined".into(),
            RemovalReason::EarlierDeleteFailed => "an earlier delete failed".into(),
            RemovalReason::Orphaned => "marked as Televisit's, but not in its records".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRemoval {
    pub platform_id: String,
    pub patient: PatientRef,
    /// The contact's name, for the staff member's screen.
    pub contact_name: String,
    pub reasons: Vec<RemovalReason>,
}

/// A contact named like the convention that Televisit did not make.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookalike {
    pub platform_id: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CleanupPlan {
    pub made_at: DateTime<Utc>,
    /// The rules it was made with.
    pub rules: CleanupRules,
    pub remove: Vec<PlannedRemoval>,
    pub lookalikes: Vec<Lookalike>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CleanupOutcome {
    Deleted,
    AlreadyGone,
    Failed { reason: String },
}

impl CleanupOutcome {
    pub fn code(&self) -> &'static str {
        match self {
            CleanupOutcome::Deleted => "deleted",
            CleanupOutcome::AlreadyGone => "already_gone",
            CleanupOutcome::Failed { .. } => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CleanupResult {
    pub platform_id: String,
    /// None for a confirmed lookalike.
    pub patient: Option<PatientRef>,
    pub outcome: CleanupOutcome,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CleanupReport {
    pub results: Vec<CleanupResult>,
    pub deleted: u32,
    pub already_gone: u32,
    pub failed: u32,
}

/// The dry run: changes nothing. `listed` is what the phone's book listed (`ListScope::All`),
/// asked by the caller before the store was locked (a walk of the phone's contacts can take
/// seconds, and nothing else may wait for the store that long). Listed before the records are
/// read, a contact made in between is known here by its record; one whose record is written
/// only after this read is planned as an orphan, which `apply` checks again and leaves alone.
pub(crate) fn plan(
    store: &Store,
    now: DateTime<Utc>,
    policy: &Policy,
    rules: &CleanupRules,
    listed: Vec<BookContact>,
) -> Result<CleanupPlan> {
    // One read transaction: one consistent view of the records for the whole plan; one joined
    // query for every record with what the rules need of its patient (no read per patient).
    let tx = store.conn.unchecked_transaction()?;
    let rows = planning_rows(&tx)?;
    // The book first, against the records' ids borrowed (no copy of them): its contacts that
    // Televisit has no record of are orphans (marked) or lookalikes (named like the convention).
    let mut orphans = Vec::new();
    let mut lookalikes = Vec::new();
    {
        let known: std::collections::HashSet<&str> = rows.iter().map(|r| r.platform_id.as_str()).collect();
        let mut matcher = None;
        for contact in listed {
            if known.contains(contact.platform_id.as_str()) {
                continue;
            }
            if let Some(patient) = orphan_of(&contact) {
                orphans.push(PlannedRemoval {
                    platform_id: contact.platform_id,
                    patient,
                    contact_name: contact.display_name,
                    reasons: vec![RemovalReason::Orphaned],
                });
                continue;
            }
            // Compiled once, and only when a contact needs it.
            if matcher.is_none() {
                matcher = Some(naming::matcher(&NameTemplate::parse(&policy.contacts.name_template)?)?);
            }
            if matcher.as_ref().is_some_and(|m| m.matches(&contact.display_name)) {
                lookalikes.push(Lookalike { platform_id: contact.platform_id, display_name: contact.display_name });
            }
        }
    }
    let mut remove = Vec::with_capacity(rows.len() + orphans.len());
    for row in rows {
        let mut reasons = Vec::new();
        let last_visit = row.visit_at.filter(|v| *v <= now).map_or(row.last_used_at, |v| v.max(row.last_used_at));
        if now - last_visit >= Duration::days(i64::from(rules.older_than_days)) {
            reasons.push(RemovalReason::NotUsedFor { days: rules.older_than_days });
        }
        if rules.when_visit_done && row.visit_done {
            reasons.push(RemovalReason::VisitDone);
        }
        if row.archived {
            reasons.push(RemovalReason::PatientArchived);
        }
        if row.consent_revoked {
            reasons.push(RemovalReason::ConsentRevoked);
        }
        if row.consent_declined {
            reasons.push(RemovalReason::ConsentDeclined);
        }
        if row.failed_deletes > 0 {
            reasons.push(RemovalReason::EarlierDeleteFailed);
        }
        if !reasons.is_empty() {
            remove.push(PlannedRemoval {
                platform_id: row.platform_id,
                patient: row.patient,
                contact_name: row.contact_name,
                reasons,
            });
        }
    }
    // Records first, then the orphans, as the plan always listed them.
    remove.extend(orphans);
    tx.finish()?;
    Ok(CleanupPlan { made_at: now, rules: *rules, remove, lookalikes })
}

/// A contact record with what the cleanup rules need of its patient, its latest consent
/// included: one joined query for all of them (the latest consent per patient by one grouped
/// scan, not a lookup per row).
struct PlanningRow {
    platform_id: String,
    patient: PatientRef,
    last_used_at: DateTime<Utc>,
    visit_done: bool,
    failed_deletes: u32,
    visit_at: Option<DateTime<Utc>>,
    archived: bool,
    contact_name: String,
    /// The patient's latest consent record is a revocation.
    consent_revoked: bool,
    /// The patient's latest consent record is a decline.
    consent_declined: bool,
}

/// Each owned contact's age in days since its last use, by the dry run's own rule (a visit
/// booked for a day already past counts as a use): what `cleanup_state` counts.
pub(crate) fn owned_ages(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<(String, u32)>> {
    Ok(planning_rows(conn)?
        .into_iter()
        .map(|row| {
            let last = row.visit_at.filter(|v| *v <= now).map_or(row.last_used_at, |v| v.max(row.last_used_at));
            let days = (now - last).num_days().clamp(0, i64::from(state::MAX_CLEANUP_DAYS));
            (row.platform_id, u32::try_from(days).unwrap_or(0))
        })
        .collect())
}

/// The plan's one read: every owned contact with its patient and the patient's latest consent.
/// Public for the bench, whose floor for the plan is this read alone.
pub const PLANNING_QUERY: &str =
    "SELECT c.platform_id, c.patient_id, c.last_used_at_ms, c.visit_done, c.failed_deletes,
        p.visit_at_ms, p.archived_at_ms IS NOT NULL, p.contact_name, k.revoked_at_ms IS NOT NULL,
        k.outcome = 'declined'
 FROM contacts c JOIN patients p ON p.id = c.patient_id
 LEFT JOIN (SELECT patient_id, MAX(id) AS id FROM consents GROUP BY patient_id) latest
        ON latest.patient_id = c.patient_id
 LEFT JOIN consents k ON k.id = latest.id
 ORDER BY c.created_at_ms, c.platform_id";

fn planning_rows(conn: &Connection) -> Result<Vec<PlanningRow>> {
    let mut stmt = conn.prepare(PLANNING_QUERY)?;
    let time = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, bool>(3)?,
            row.get::<_, u32>(4)?,
            row.get::<_, Option<i64>>(5)?,
            row.get::<_, bool>(6)?,
            row.get::<_, String>(7)?,
            row.get::<_, Option<bool>>(8)?,
            row.get::<_, Option<bool>>(9)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            platform_id,
            patient,
            used,
            visit_done,
            failed_deletes,
            visit_at,
            archived,
            contact_name,
            revoked,
            declined,
        ) = row?;
        out.push(PlanningRow {
            platform_id,
            patient: PatientRef::parse(&patient)
                .map_err(|_| Error::Storage("a contact record is unreadable".into()))?,
            last_used_at: time(used),
            visit_done,
            failed_deletes,
            visit_at: visit_at.map(time),
            archived,
            contact_name,
            consent_revoked: revoked.unwrap_or(false),
            consent_declined: declined.unwrap_or(false),
        });
    }
    Ok(out)
}

/// The patient a contact's Televisit marker names, when it has a well-formed one. A malformed
/// marker proves nothing: such a contact is at most a lookalike.
fn orphan_of(contact: &BookContact) -> Option<PatientRef> {
    let marker = contact.marker.as_deref().filter(|m| is_televisit_marker(Some(m)))?;
    PatientRef::parse(marker.strip_prefix("televisit:")?).ok()
}

/// What a cleanup run deletes: the plan's contacts still due, each with its patient, then the
/// lookalikes the user confirmed.
pub(crate) struct Deletion {
    owned: Vec<(String, PatientRef)>,
    confirmed: Vec<String>,
}

impl Deletion {
    fn targets(&self) -> impl Iterator<Item = &String> {
        self.owned.iter().map(|(id, _)| id).chain(self.confirmed.iter())
    }
}

/// The first step of a run, a read of the store: checks the confirmed lookalikes against the
/// plan, and each planned contact against the record again (the plan may be stale). The caller
/// keeps contact-making calls out until the run is recorded, so that nothing it checked here
/// changes before then.
pub(crate) fn deletion(conn: &Connection, plan: &CleanupPlan, confirmed_lookalikes: &[String]) -> Result<Deletion> {
    let offered: HashSet<&str> = plan.lookalikes.iter().map(|l| l.platform_id.as_str()).collect();
    let mut confirmed: Vec<String> = confirmed_lookalikes.to_vec();
    confirmed.sort();
    confirmed.dedup();
    if confirmed.iter().any(|id| !offered.contains(id.as_str())) {
        return Err(Error::invalid("confirmed lookalikes", "may only name contacts that the plan lists as lookalikes"));
    }
    // An orphan must still be unknown to the record (ensure_contact may have adopted it since).
    let mut owned: Vec<(String, PatientRef)> = Vec::new();
    for planned in &plan.remove {
        let still_due = if planned.reasons.contains(&RemovalReason::Orphaned) {
            !contacts::platform_id_known(conn, &planned.platform_id)?
        } else {
            contacts::record_for(conn, &planned.patient)?.is_some_and(|r| r.platform_id == planned.platform_id)
        };
        if still_due {
            owned.push((planned.platform_id.clone(), planned.patient.clone()));
        }
    }
    Ok(Deletion { owned, confirmed })
}

/// The second step, the phone's book alone (called with the store unlocked: deleting many
/// contacts takes seconds): one outcome per contact, in the deletion's order.
pub(crate) fn delete(book: &dyn ContactBook, deletion: &Deletion) -> Vec<DeleteOutcome> {
    let targets: Vec<String> = deletion.targets().cloned().collect();
    let mut outcomes = if targets.is_empty() { Vec::new() } else { book.delete(&targets) };
    // A book that answers with fewer outcomes than ids has failed for the rest.
    outcomes.resize(targets.len(), DeleteOutcome::Failed("the contacts app gave no answer for this contact".into()));
    outcomes
}

/// The last step: records each outcome, one per contact, and logs counts only, in one
/// transaction. A contact that failed stays recorded and is tried again next time. Should the
/// app die before this, the contacts already deleted are found gone by the next run.
pub(crate) fn record(
    store: &mut Store,
    now: DateTime<Utc>,
    actor: Actor,
    plan: &CleanupPlan,
    deletion: Deletion,
    outcomes: Vec<DeleteOutcome>,
) -> Result<CleanupReport> {
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let mut report = CleanupReport::default();
    for (i, (platform_id, outcome)) in deletion.targets().zip(outcomes).enumerate() {
        let patient = deletion.owned.get(i).map(|(_, p)| p.clone());
        let outcome = match outcome {
            DeleteOutcome::Deleted => CleanupOutcome::Deleted,
            DeleteOutcome::NotFound => CleanupOutcome::AlreadyGone,
            DeleteOutcome::Failed(reason) => CleanupOutcome::Failed { reason },
        };
        match (&outcome, &patient) {
            (CleanupOutcome::Failed { .. }, Some(_)) => {
                tx.execute(
                    "UPDATE contacts SET failed_deletes = failed_deletes + 1 WHERE platform_id = ?1",
                    [platform_id],
                )?;
            }
            (CleanupOutcome::Failed { .. }, None) => {}
            (_, Some(patient)) => {
                tx.execute("DELETE FROM contacts WHERE platform_id = ?1", [platform_id])?;
                let detail = Detail::new().bool("already_gone", outcome == CleanupOutcome::AlreadyGone);
                log::append_in(
                    &tx,
                    &key,
                    now,
                    &NewEntry::new(EntryKind::ContactDeleted, actor).patient(patient.clone()).detail(detail),
                )?;
            }
            (_, None) => {}
        }
        match outcome {
            CleanupOutcome::Deleted => report.deleted += 1,
            CleanupOutcome::AlreadyGone => report.already_gone += 1,
            CleanupOutcome::Failed { .. } => report.failed += 1,
        }
        report.results.push(CleanupResult { platform_id: platform_id.clone(), patient, outcome });
    }
    let lookalikes_deleted =
        report.results.iter().filter(|r| r.patient.is_none() && r.outcome == CleanupOutcome::Deleted).count();
    let summary = Detail::new()
        .int("deleted", i64::from(report.deleted))
        .int("already_gone", i64::from(report.already_gone))
        .int("failed", i64::from(report.failed))
        .int("lookalikes_deleted", count(lookalikes_deleted))
        .int("lookalikes_left", count(plan.lookalikes.len().saturating_sub(deletion.confirmed.len())));
    log::append_in(&tx, &key, now, &NewEntry::new(EntryKind::CleanupRun, actor).detail(summary))?;
    let lookalikes_left = plan.lookalikes.len().saturating_sub(deletion.confirmed.len());
    let end = state::end_of(report.failed, lookalikes_left);
    tx.execute(
        "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [state::LAST_RUN, &state::last_run_text(now.timestamp(), end)],
    )?;
    tx.commit()?;
    Ok(report)
}

/// A count for the log (an i64 there); no count of contacts reaches its end.
fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
