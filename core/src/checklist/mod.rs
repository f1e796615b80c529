//! The WhatsApp privacy-settings checklist: a versioned catalog, the organisation's required
//! values, runs that the clinician answers item by item (what the phone can tell comes
//! pre-answered), and whether the last result is still current.
//!
//! A result goes stale in two ways. A WhatsApp update, the re-confirmation interval, a new
//! revision of the catalog or new required values make it due for *re-confirmation*: a run that
//! carries over the last answers and asks only the items that changed, plus one attestation that
//! nothing else did. A full run is due only after `checklist.full_run_days`, after a result with
//! deviations, or when the catalog's major version changes.

/// The catalog lives with the policy that is written against it, in the protocol crate.
pub use televisit_protocol::catalog;

pub use catalog::{CatalogItem, Choice, Source, CATALOG, CATALOG_MAJOR, CATALOG_VERSION};

use crate::device::DeviceSnapshot;
use crate::error::{Error, Result};
use crate::log::{self, Actor, Detail, EntryKind, NewEntry};
use crate::platform::Platform;
use crate::policy::Policy;
pub use crate::policy::Requirement;

mod carry;
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecklistStatus {
    Current,
    /// Re-confirm: only what changed is asked, and one attestation that nothing else did.
    Reconfirm,
    /// A full run: every item.
    Due,
    Never,
}

/// A full run asks every item; a re-confirmation carries the last answers over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Full,
    Reconfirm,
}

impl RunKind {
    pub fn code(self) -> &'static str {
        match self {
            RunKind::Full => "full",
            RunKind::Reconfirm => "reconfirm",
        }
    }
}

/// The requirement in force for each catalog item: the policy's, or the catalog's
/// recommendation (with the values it also accepts).
pub fn effective_requirements(policy: &Policy) -> BTreeMap<&'static str, Requirement> {
    CATALOG
        .iter()
        .map(|item| {
            let requirement = policy.checklist.required.get(item.id).cloned().unwrap_or_else(|| {
                let mut values = vec![item.recommended.to_owned()];
                values.extend(item.also_acceptable.iter().map(|v| (*v).to_owned()));
                Requirement::AnyOf(values)
            });
            (item.id, requirement)
        })
        .collect()
}

fn requirements_fingerprint(policy: &Policy) -> String {
    serde_json::to_string(&effective_requirements(policy)).expect("requirements always serialise")
}

/// One item of a run, as the screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunItem {
    pub item: &'static CatalogItem,
    /// Where to find it on this run's platform.
    pub path: &'static str,
    pub required: Requirement,
    pub answer: Option<String>,
    /// Answered by the phone itself: not asked.
    pub pre_answered: bool,
    /// Carried over from the last result (a re-confirmation): not asked, may be changed.
    pub carried: bool,
    /// Answered by Strict account settings being on: shown as covered, not asked, may be changed.
    pub covered: bool,
}

impl RunItem {
    /// Whether the clinician is asked for it in this run.
    pub fn asked(&self) -> bool {
        !(self.pre_answered || self.carried || self.covered)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistRun {
    pub platform: Platform,
    pub catalog_version: u32,
    pub started_at: DateTime<Utc>,
    pub kind: RunKind,
    /// A re-confirmation: whether the clinician attested that nothing else changed.
    pub attested_unchanged: bool,
    pub items: Vec<RunItem>,
}

impl ChecklistRun {
    pub fn unanswered(&self) -> Vec<&'static str> {
        self.items.iter().filter(|i| i.answer.is_none()).map(|i| i.item.id).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    pub item_id: &'static str,
    pub title: &'static str,
    pub answer: String,
    /// The answer as the checklist's choices name it ("On"), for screens to show.
    pub answer_label: String,
    pub required: Vec<String>,
    /// What to change and where, e.g. "Set Read receipts to Off: WhatsApp > Settings > Privacy > Read receipts".
    pub instruction: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistResult {
    pub compliant: bool,
    pub deviations: Vec<Deviation>,
    pub finished_at: DateTime<Utc>,
}

fn platform_code(platform: Platform) -> &'static str {
    match platform {
        Platform::Android => "android",
        Platform::Ios => "ios",
    }
}

fn whatsapp_version(device: &DeviceSnapshot) -> String {
    device.whatsapp.first().map(|w| w.version.clone()).unwrap_or_default()
}

/// Starts a run, or resumes the one in progress (a run half done survives a restart). A run
/// begun under another catalog or other required values is dropped and started afresh.
pub(crate) fn start(
    store: &mut Store,
    now: DateTime<Utc>,
    policy: &Policy,
    platform: Platform,
    device: &DeviceSnapshot,
) -> Result<ChecklistRun> {
    let fingerprint = requirements_fingerprint(policy);
    let kind = match status(&store.conn, now, policy, Some(device))? {
        ChecklistStatus::Reconfirm => RunKind::Reconfirm,
        _ => RunKind::Full,
    };
    let tx = store.conn.transaction()?;
    let open: Option<(i64, String, u32, String)> = tx
        .query_row(
            "SELECT id, platform, catalog_version, requirements FROM checklist_runs WHERE finished_at_ms IS NULL ORDER BY id DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    let run_id = match open {
        Some((id, p, version, reqs))
            if p == platform_code(platform) && version == CATALOG_VERSION && reqs == fingerprint =>
        {
            id
        }
        stale => {
            if let Some((id, ..)) = stale {
                tx.execute("DELETE FROM checklist_answers WHERE run_id = ?1", [id])?;
                tx.execute("DELETE FROM checklist_runs WHERE id = ?1", [id])?;
            }
            tx.execute(
                "INSERT INTO checklist_runs (platform, catalog_version, requirements, whatsapp_version, started_at_ms, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    platform_code(platform),
                    CATALOG_VERSION,
                    fingerprint,
                    whatsapp_version(device),
                    now.timestamp_millis(),
                    kind.code()
                ],
            )?;
            let id = tx.last_insert_rowid();
            if kind == RunKind::Reconfirm {
                carry::carry_over(&tx, id, policy, now)?;
            }
            id
        }
    };
    // What the phone can tell is (re)read at each start.
    for item in CATALOG {
        let value = match item.source {
            Source::Clinician => continue,
            Source::DeviceScreenLock => {
                if device.passcode_set {
                    "set"
                } else {
                    "not_set"
                }
            }
            Source::DeviceWhatsApp => {
                if device.whatsapp.is_empty() {
                    "missing"
                } else {
                    "installed"
                }
            }
        };
        save_answer(&tx, run_id, item.id, value, "device", now)?;
    }
    tx.execute(
        "UPDATE checklist_runs SET whatsapp_version = ?2 WHERE id = ?1",
        params![run_id, whatsapp_version(device)],
    )?;
    let run = load_run(&tx, run_id, policy)?;
    tx.commit()?;
    Ok(run)
}

pub(crate) fn answer(
    store: &mut Store,
    now: DateTime<Utc>,
    policy: &Policy,
    item_id: &str,
    value: &str,
) -> Result<ChecklistRun> {
    let item = catalog::item(item_id)
        .ok_or_else(|| Error::invalid("checklist item", format!("`{item_id}` is not a checklist item")))?;
    if item.source != Source::Clinician {
        return Err(Error::invalid("checklist item", format!("`{item_id}` is answered by the phone itself")));
    }
    if !item.allows(value) {
        let allowed: Vec<_> = item.choices.iter().map(|c| c.value).collect();
        return Err(Error::invalid("checklist answer", format!("`{item_id}` takes one of {}", allowed.join(", "))));
    }
    let tx = store.conn.transaction()?;
    let run_id = open_run(&tx)?;
    save_answer(&tx, run_id, item_id, value, "clinician", now)?;
    let run = load_run(&tx, run_id, policy)?;
    tx.commit()?;
    Ok(run)
}

/// A re-confirmation's one attestation: nothing else changed in WhatsApp's privacy settings
/// since the last result. Logged with the result when the run finishes.
pub(crate) fn attest_unchanged(store: &mut Store, policy: &Policy) -> Result<ChecklistRun> {
    let tx = store.conn.transaction()?;
    let run_id = open_run(&tx)?;
    let kind: String = tx.query_row("SELECT kind FROM checklist_runs WHERE id = ?1", [run_id], |row| row.get(0))?;
    if kind != RunKind::Reconfirm.code() {
        return Err(Error::invalid(
            "checklist run",
            "is a full run: every item is answered, there is nothing to attest",
        ));
    }
    tx.execute("UPDATE checklist_runs SET attested_unchanged = 1 WHERE id = ?1", [run_id])?;
    let run = load_run(&tx, run_id, policy)?;
    tx.commit()?;
    Ok(run)
}

pub(crate) fn current_run(store: &Store, policy: &Policy) -> Result<Option<ChecklistRun>> {
    let id: Option<i64> = store
        .conn
        .query_row("SELECT id FROM checklist_runs WHERE finished_at_ms IS NULL ORDER BY id DESC LIMIT 1", [], |row| {
            row.get(0)
        })
        .optional()?;
    id.map(|id| load_run(&store.conn, id, policy)).transpose()
}

/// Ends the run: compliant, or each deviation with what to change and where. Stored and logged.
pub(crate) fn finish(store: &mut Store, now: DateTime<Utc>, policy: &Policy) -> Result<ChecklistResult> {
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let run_id = open_run(&tx)?;
    let stored_fingerprint: String =
        tx.query_row("SELECT requirements FROM checklist_runs WHERE id = ?1", [run_id], |row| row.get(0))?;
    if stored_fingerprint != requirements_fingerprint(policy) {
        return Err(Error::invalid(
            "checklist run",
            "the policy's required values changed during this run: start it again",
        ));
    }
    let run = load_run(&tx, run_id, policy)?;
    if run.kind == RunKind::Reconfirm && !run.attested_unchanged {
        return Err(Error::invalid(
            "checklist run",
            "confirm first that nothing else changed in WhatsApp's privacy settings since the last check",
        ));
    }
    let missing = run.unanswered();
    if !missing.is_empty() {
        return Err(Error::invalid(
            "checklist run",
            format!("{} items are not answered yet: {}", missing.len(), missing.join(", ")),
        ));
    }
    let deviations: Vec<Deviation> = run
        .items
        .iter()
        .filter_map(|i| {
            let answer = i.answer.clone()?;
            if i.required.accepts(&answer) {
                return None;
            }
            let required = i.required.values();
            let target = required.first().map_or("?", |v| i.item.label(v));
            Some(Deviation {
                item_id: i.item.id,
                title: i.item.title,
                answer_label: i.item.label(&answer).to_owned(),
                answer,
                required,
                instruction: format!("Set {} to {}: {}", i.item.title, target, i.path),
            })
        })
        .collect();
    let compliant = deviations.is_empty();
    tx.execute(
        "UPDATE checklist_runs SET finished_at_ms = ?2, compliant = ?3 WHERE id = ?1",
        params![run_id, now.timestamp_millis(), compliant],
    )?;
    let detail = Detail::new()
        .bool("compliant", compliant)
        .int("deviations", i64::try_from(deviations.len()).unwrap_or(i64::MAX))
        .int("items", i64::try_from(run.items.len()).unwrap_or(i64::MAX))
        .int("catalog", i64::from(CATALOG_VERSION))
        .code("platform", platform_code(run.platform))
        .code("run", run.kind.code())
        .int("asked", count(run.items.iter().filter(|i| i.asked())))
        .int("carried", count(run.items.iter().filter(|i| i.carried)))
        .int("covered", count(run.items.iter().filter(|i| i.covered)))
        .bool("attested_unchanged", run.attested_unchanged);
    log::append_in(&tx, &key, now, &NewEntry::new(EntryKind::ChecklistAttested, Actor::Clinician).detail(detail))?;
    tx.commit()?;
    Ok(ChecklistResult { compliant, deviations, finished_at: now })
}

/// Current while the last finished run was compliant, is younger than the policy's interval,
/// was made under today's required values and catalog revision, and (when the phone is known)
/// for the WhatsApp version installed now; otherwise a re-confirmation is due. A full run is due
/// instead when the last result had deviations, when the last full run is older than
/// `full_run_days`, or when the catalog's major version changed since.
pub(crate) fn status(
    conn: &Connection,
    now: DateTime<Utc>,
    policy: &Policy,
    device: Option<&DeviceSnapshot>,
) -> Result<ChecklistStatus> {
    let last: Option<(i64, bool, u32, String, String)> = conn
        .query_row(
            "SELECT finished_at_ms, compliant, catalog_version, requirements, whatsapp_version FROM checklist_runs
             WHERE finished_at_ms IS NOT NULL ORDER BY finished_at_ms DESC, id DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
        )
        .optional()?;
    let Some((finished_ms, compliant, version, requirements, whatsapp)) = last else {
        return Ok(ChecklistStatus::Never);
    };
    let last_full: Option<i64> = conn
        .query_row(
            "SELECT max(finished_at_ms) FROM checklist_runs WHERE finished_at_ms IS NOT NULL AND compliant = 1 AND kind = 'full'",
            [],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let age = |ms: i64| now - DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let full_stale = last_full.is_none_or(|ms| age(ms) >= Duration::days(i64::from(policy.checklist.full_run_days())));
    if !compliant || full_stale || catalog::major_of(version) != Some(CATALOG_MAJOR) {
        return Ok(ChecklistStatus::Due);
    }
    let fresh = age(finished_ms) < Duration::days(i64::from(policy.checklist.reconfirm_days));
    let same_rules = version == CATALOG_VERSION && requirements == requirements_fingerprint(policy);
    let same_whatsapp = device.is_none_or(|d| whatsapp_version(d) == whatsapp);
    Ok(if fresh && same_rules && same_whatsapp { ChecklistStatus::Current } else { ChecklistStatus::Reconfirm })
}

fn count<T>(items: impl Iterator<Item = T>) -> i64 {
    i64::try_from(items.count()).unwrap_or(i64::MAX)
}

fn open_run(conn: &Connection) -> Result<i64> {
    conn.query_row("SELECT id FROM checklist_runs WHERE finished_at_ms IS NULL ORDER BY id DESC LIMIT 1", [], |row| {
        row.get(0)
    })
    .optional()?
    .ok_or_else(|| Error::invalid("checklist run", "none is in progress: start one first"))
}

fn save_answer(
    conn: &Connection,
    run_id: i64,
    item: &str,
    value: &str,
    source: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO checklist_answers (run_id, item_id, value, source, answered_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (run_id, item_id) DO UPDATE SET value = excluded.value, source = excluded.source, answered_at_ms = excluded.answered_at_ms",
        params![run_id, item, value, source, now.timestamp_millis()],
    )?;
    Ok(())
}

fn load_run(conn: &Connection, run_id: i64, policy: &Policy) -> Result<ChecklistRun> {
    let (platform, version, started, kind, attested): (String, u32, i64, String, bool) = conn.query_row(
        "SELECT platform, catalog_version, started_at_ms, kind, attested_unchanged FROM checklist_runs WHERE id = ?1",
        [run_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
    )?;
    let platform = if platform == "ios" { Platform::Ios } else { Platform::Android };
    let mut stmt = conn.prepare("SELECT item_id, value, source FROM checklist_answers WHERE run_id = ?1")?;
    let answers: BTreeMap<String, (String, String)> = stmt
        .query_map([run_id], |row| {
            Ok((row.get::<_, String>(0)?, (row.get::<_, String>(1)?, row.get::<_, String>(2)?)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let required = effective_requirements(policy);
    let strict_on = answers.get("strict_account_settings").is_some_and(|(v, _)| v == "on");
    let items = CATALOG
        .iter()
        .filter(|item| required.get(item.id) != Some(&Requirement::NotChecked))
        .map(|item| {
            let required = required.get(item.id).cloned().unwrap_or(Requirement::NotChecked);
            let stored = answers.get(item.id);
            let chosen_now = stored.is_some_and(|(_, source)| source == "clinician");
            // Strict account settings answers what it covers, when that meets the requirement
            // and the clinician has not answered the item in this run.
            let strict = catalog::strict_value(item.id).filter(|v| strict_on && !chosen_now && required.accepts(v));
            RunItem {
                item,
                path: match platform {
                    Platform::Android => item.android_path,
                    Platform::Ios => item.iphone_path,
                },
                answer: strict.map(str::to_owned).or_else(|| stored.map(|(v, _)| v.clone())),
                required,
                pre_answered: item.source != Source::Clinician,
                carried: strict.is_none() && stored.is_some_and(|(_, source)| source == carry::CARRIED),
                covered: strict.is_some(),
            }
        })
        .collect();
    Ok(ChecklistRun {
        platform,
        catalog_version: version,
        started_at: DateTime::from_timestamp_millis(started).unwrap_or_default(),
        kind: if kind == RunKind::Reconfirm.code() { RunKind::Reconfirm } else { RunKind::Full },
        attested_unchanged: attested,
        items,
    })
}
