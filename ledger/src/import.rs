//! `devices import FILE...`: device reports and wipe receipts, found by their prefix wherever
//! they are in a file (report lines as text, JSON, a CSV exported from an MDM console whose
//! cells hold them). Each file is one transaction: the good records and the import's own row
//! commit together, the bad lines are listed with their reasons, and a file imported before
//! changes nothing. An MDM's own answer (mdm.rs: Android Management API, Apple managed
//! feedback, Graph device statuses) is read as that MDM writes it; a file that breaks the shape
//! it claims is refused whole, before anything is written.

use super::mdm::{self, Format, MalformedFile, Published};
use super::{digest_hex, reason_code, short, Ledger};
use crate::db::{DbError, DbResult, Sql, Tx};
use crate::params;
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::borrow::Cow;
use std::path::Path;
use televisit_protocol::report::{self, ChecklistState, DeviceReport};
use televisit_protocol::wipe::{self, WipeReason, WipeScope};

/// The largest file taken (an MDM's export of a large fleet's app states is a few megabytes).
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;
/// The most problems listed per file; the count goes on beyond it.
const MAX_PROBLEMS_LISTED: usize = 200;
const REPORT_PREFIX: &str = "tv1.report.";
const RECEIPT_PREFIX: &str = "tv1.receipt.";

pub use super::problems::LineProblem;

/// What one file's import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileOutcome {
    pub file_name: String,
    /// How the file was read (`text`, `ama`, `apple-feedback`, `graph-statuses`).
    pub format: Format,
    /// Set when this very file (by its digest) was imported before: nothing changed.
    pub already_imported_at: Option<i64>,
    pub reports: u32,
    pub receipts: u32,
    /// Records seen before (the same report in another file).
    pub unchanged: u32,
    pub refused: u32,
    /// Graph device statuses recorded, and those that matched no device in the ledger.
    pub config_statuses: u32,
    pub config_unmatched: u32,
    pub problems: Vec<LineProblem>,
}

impl Ledger {
    /// Imports one file in one transaction.
    pub fn import_file(&mut self, path: &Path, now: i64) -> Result<FileOutcome> {
        self.import_file_as(path, Format::Auto, now)
    }

    /// Imports one file read as `format` (`Auto`: by its content).
    pub fn import_file_as(&mut self, path: &Path, format: Format, now: i64) -> Result<FileOutcome> {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
        if size > MAX_IMPORT_BYTES {
            bail!("{} is larger than {} MB: split it", path.display(), MAX_IMPORT_BYTES / (1024 * 1024));
        }
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        self.import_bytes_as(&file_name, &bytes, format, now)
    }

    pub fn import_bytes(&mut self, file_name: &str, bytes: &[u8], now: i64) -> Result<FileOutcome> {
        self.import_bytes_as(file_name, bytes, Format::Auto, now)
    }

    pub fn import_bytes_as(&mut self, file_name: &str, bytes: &[u8], format: Format, now: i64) -> Result<FileOutcome> {
        let digest = digest_hex(bytes);
        let file_name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
        // Binary garbage becomes replacement characters and holds no record: nothing to import.
        let text = String::from_utf8_lossy(bytes);
        // Read (and refused, if it breaks its shape) before the ledger is touched.
        let content = read_content(&file_name, &text, format)?;
        let mut outcome = FileOutcome {
            file_name,
            format: content.format(),
            already_imported_at: None,
            reports: 0,
            receipts: 0,
            unchanged: 0,
            refused: 0,
            config_statuses: 0,
            config_unmatched: 0,
            problems: Vec::new(),
        };
        let org_id = self.org_id.clone();
        let mut tx = self.db.transaction()?;
        let before: Option<i64> = tx
            .query_opt("SELECT at FROM imports WHERE digest = ?1", params![&digest])?
            .map(|r| r.get(0))
            .transpose()?;
        if let Some(at) = before {
            outcome.already_imported_at = Some(at);
            return Ok(outcome);
        }
        // The same file imported at the same moment by another admin: theirs counts.
        let import_id: Option<i64> = tx
            .query_opt(
                "INSERT INTO imports (file_name, digest, at, reports, receipts, unchanged, refused, problems, format)
                 VALUES (?1, ?2, ?3, 0, 0, 0, 0, '[]', ?4) ON CONFLICT (digest) DO NOTHING RETURNING id",
                params![&outcome.file_name, &digest, now, outcome.format.code()],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        let Some(import_id) = import_id else {
            outcome.already_imported_at = Some(now);
            return Ok(outcome);
        };
        let published: Box<dyn Iterator<Item = (usize, Cow<'_, str>)>> = match content {
            Content::Statuses(rows) => {
                let (recorded, unmatched) = mdm::graph::record(&mut tx, &rows, import_id, now, &mut outcome.problems)?;
                (outcome.config_statuses, outcome.config_unmatched) = (recorded, unmatched);
                Box::new(std::iter::empty())
            }
            Content::Text => Box::new(text.lines().enumerate().map(|(i, line)| (i + 1, Cow::Borrowed(line)))),
            Content::Published(_, values) => Box::new(values.into_iter().map(|p| (p.at, Cow::Owned(p.value)))),
        };
        let mut records = 0usize;
        for (line_no, line) in published {
            for token in tokens(&line) {
                records += 1;
                fault_point(records);
                let result = if token.starts_with(REPORT_PREFIX) {
                    import_report(&mut tx, &org_id, token, import_id, now).map(|new| (new, true))
                } else {
                    import_receipt(&mut tx, token, import_id, now).map(|new| (new, false))
                };
                match result {
                    Ok((true, true)) => outcome.reports += 1,
                    Ok((true, false)) => outcome.receipts += 1,
                    Ok((false, _)) => outcome.unchanged += 1,
                    Err(RecordError::Db(err)) => return Err(err.into()),
                    Err(RecordError::Refused(reason)) => {
                        outcome.refused += 1;
                        if outcome.problems.len() < MAX_PROBLEMS_LISTED {
                            outcome.problems.push(LineProblem { line: line_no, reason });
                        }
                    }
                }
            }
        }
        tx.execute(
            "UPDATE imports SET reports = ?2, receipts = ?3, unchanged = ?4, refused = ?5, problems = ?6, config_statuses = ?7
             WHERE id = ?1",
            params![
                import_id,
                outcome.reports,
                outcome.receipts,
                outcome.unchanged,
                outcome.refused,
                serde_json::to_string(&outcome.problems)?,
                outcome.config_statuses
            ],
        )?;
        tx.commit()?;
        Ok(outcome)
    }
}

/// A file's content, read as its format says.
enum Content {
    Text,
    Published(Format, Vec<Published>),
    Statuses(Vec<mdm::graph::StatusRow>),
}

impl Content {
    fn format(&self) -> Format {
        match self {
            Content::Text => Format::Text,
            Content::Published(format, _) => *format,
            Content::Statuses(_) => Format::GraphStatuses,
        }
    }
}

fn read_content(file_name: &str, text: &str, format: Format) -> Result<Content, MalformedFile> {
    let format = if format == Format::Auto { mdm::detect(text) } else { format };
    let malformed = |what: String| MalformedFile { file: file_name.to_owned(), format, what };
    let json = || {
        serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}'))
            .map_err(|e| malformed(format!("not JSON (line {}, column {})", e.line(), e.column())))
    };
    match format {
        Format::Auto | Format::Text => Ok(Content::Text),
        Format::Ama => Ok(Content::Published(format, mdm::ama_values(&json()?).map_err(malformed)?)),
        Format::AppleFeedback => Ok(Content::Published(format, mdm::apple_values(text).map_err(malformed)?)),
        Format::GraphStatuses => Ok(Content::Statuses(mdm::graph::rows(&json()?).map_err(malformed)?)),
    }
}

/// A record refused, with the reason listed for its line (never its text: a report holds no
/// patient data, but a line of an MDM export might hold anything); or the database failed, and
/// the whole import with it (nothing half-written: PostgreSQL ends a transaction at its first
/// error, and a file is one transaction on both backends).
pub(crate) enum RecordError {
    Refused(String),
    Db(DbError),
}

impl From<DbError> for RecordError {
    fn from(err: DbError) -> Self {
        RecordError::Db(err)
    }
}

/// The reports and receipts in a line: each starts with its prefix and runs over the envelope's
/// characters (base64url and dots), so that JSON quotes and CSV separators end it.
fn tokens(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = line;
    std::iter::from_fn(move || loop {
        let start = [REPORT_PREFIX, RECEIPT_PREFIX].iter().filter_map(|p| rest.find(p)).min()?;
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(candidate.len());
        rest = &candidate[end..];
        if end > 0 {
            return Some(&candidate[..end]);
        }
    })
}

/// Returns whether the report was new.
pub(crate) fn import_report(
    tx: &mut Tx<'_>,
    org_id: &str,
    text: &str,
    import_id: i64,
    now: i64,
) -> Result<bool, RecordError> {
    let report = report::verify(text, None).map_err(|e| RecordError::Refused(format!("a device report: {e}")))?;
    if report.org != org_id {
        return Err(RecordError::Refused(format!("the report of {} is of another organisation's device", report.dev)));
    }
    let digest = digest_hex(text.as_bytes());
    let seen: Option<String> = tx
        .query_opt("SELECT device_id FROM reports WHERE digest = ?1", params![&digest])?
        .map(|r| r.get(0))
        .transpose()?;
    if seen.is_some() {
        return Ok(false);
    }
    let pinned: Option<String> = tx
        .query_opt("SELECT device_key FROM devices WHERE device_id = ?1", params![&report.dev])?
        .map(|r| r.get(0))
        .transpose()?;
    let first_report = pinned.is_none();
    if let Some(pinned) = pinned.filter(|key| *key != report.key) {
        // Never re-pinned silently: flagged, and logged once per key seen.
        tx.execute("UPDATE devices SET flag = 'key_mismatch' WHERE device_id = ?1", params![&report.dev])?;
        tx.execute(
            "INSERT INTO events (at, device_id, kind, detail) VALUES (?1, ?2, 'key_mismatch', ?3)",
            params![now, report.dev, format!("pinned {}, report signed by {}", short(&pinned), short(&report.key))],
        )?;
        return Err(RecordError::Refused(format!(
            "the report of {} is signed by another key than the one pinned (a clone or a reinstall?): check the phone, then `devices repin {} --report FILE`",
            report.dev, report.dev
        )));
    }
    // Another writer (a relay, an admin at another workstation) may record it first: then it
    // is seen, not new.
    let inserted = tx.execute(
        "INSERT INTO reports (digest, device_id, at, import_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (digest) DO NOTHING",
        params![digest, report.dev, report.at, import_id],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    if first_report {
        super::device_findings::check_first_report(tx, &report, now)?;
    }
    apply_report(tx, &report, now)?;
    // Kept as evidence all the same; flagged when it speaks after its full wipe.
    super::device_findings::check_report(tx, &report, now)?;
    super::device_findings::check_unarchived(tx, &report, now)?;
    super::archive::record_report(tx, &report, &digest, now)
        .map_err(|e| RecordError::Refused(format!("a device report: {e:#}")))?;
    Ok(true)
}

/// How far ahead of IT's clock a report's own times are believed (clocks differ a little).
const REPORT_CLOCK_SKEW_SECONDS: i64 = 300;

/// What a verified report says, into the device's row: a new device is pinned; a known one
/// takes the facts of its newest report (an older report arriving late moves nothing back). Its
/// cleanup state too: a newer report without one clears it to "not reported" (`cleanup::values`).
/// The phone's holder sets its clock: a report dated ahead of IT's own clock counts as made at
/// import, so a phone set a year ahead cannot keep itself off the stale list.
pub(super) fn apply_report(tx: &mut Tx<'_>, r: &DeviceReport, now: i64) -> DbResult<()> {
    let latest = now.saturating_add(REPORT_CLOCK_SKEW_SECONDS);
    let (at, seen) = (r.at.min(latest), r.seen.map(|s| s.min(latest)));
    let checklist = match r.chk {
        ChecklistState::Current => "current",
        ChecklistState::Due => "due",
        ChecklistState::Never => "never",
    };
    let policy = i64::try_from(r.pol).unwrap_or(i64::MAX);
    let cleanup = super::cleanup::values(r.cln.as_ref());
    tx.execute("INSERT INTO devices (device_id, enrollment_id, device_key, platform, os_version, app_version, policy_version,
                              checklist, mdm_device_id, mdm_user, wipe_under_way, receipt_held,
                              first_report_at, last_report_at, last_checkin, key_set,
                              cleanup_held, cleanup_overdue, cleanup_oldest_days, cleanup_age_days, cleanup_ran_at, cleanup_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT (device_id) DO UPDATE SET
             first_report_at = LEAST(devices.first_report_at, excluded.first_report_at),
             last_checkin = GREATEST(coalesce(devices.last_checkin, excluded.last_checkin), coalesce(excluded.last_checkin, devices.last_checkin)),
             enrollment_id = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.enrollment_id ELSE devices.enrollment_id END,
             platform = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.platform ELSE devices.platform END,
             os_version = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.os_version ELSE devices.os_version END,
             app_version = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.app_version ELSE devices.app_version END,
             policy_version = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.policy_version ELSE devices.policy_version END,
             checklist = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.checklist ELSE devices.checklist END,
             mdm_device_id = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.mdm_device_id ELSE devices.mdm_device_id END,
             mdm_user = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.mdm_user ELSE devices.mdm_user END,
             wipe_under_way = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.wipe_under_way ELSE devices.wipe_under_way END,
             receipt_held = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.receipt_held ELSE devices.receipt_held END,
             key_set = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.key_set ELSE devices.key_set END,
             cleanup_held = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.cleanup_held ELSE devices.cleanup_held END,
             cleanup_overdue = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.cleanup_overdue ELSE devices.cleanup_overdue END,
             cleanup_oldest_days = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.cleanup_oldest_days ELSE devices.cleanup_oldest_days END,
             cleanup_age_days = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.cleanup_age_days ELSE devices.cleanup_age_days END,
             cleanup_ran_at = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.cleanup_ran_at ELSE devices.cleanup_ran_at END,
             cleanup_end = CASE WHEN excluded.last_report_at >= devices.last_report_at THEN excluded.cleanup_end ELSE devices.cleanup_end END,
             last_report_at = GREATEST(devices.last_report_at, excluded.last_report_at)", params![
            r.dev, r.enr, r.key, r.os, r.os_ver, r.app_ver, policy, checklist, r.mdm_dev, r.mdm_user, r.wipe, r.rcpt, at,
            seen,
            r.ks.and_then(|v| i64::try_from(v).ok()),
            cleanup.0,
            cleanup.1,
            cleanup.2,
            cleanup.3,
            cleanup.4,
            cleanup.5
        ],
    )?;
    Ok(())
}

/// Returns whether the receipt was new.
pub(crate) fn import_receipt(tx: &mut Tx<'_>, text: &str, import_id: i64, now: i64) -> Result<bool, RecordError> {
    let claimed_device = wipe::claimed_receipt_device(text)
        .ok_or_else(|| RecordError::Refused("a wipe receipt that is damaged or in an unknown format".into()))?;
    let pinned: Option<String> = tx
        .query_opt("SELECT device_key FROM devices WHERE device_id = ?1", params![&claimed_device])?
        .map(|r| r.get(0))
        .transpose()?;
    let Some(pinned) = pinned else {
        return Err(RecordError::Refused(format!(
            "a wipe receipt from {claimed_device}, a device this ledger does not know: import its report first"
        )));
    };
    let receipt =
        wipe::verify_receipt(text, &pinned).map_err(|e| RecordError::Refused(format!("a wipe receipt: {e}")))?;
    let digest = digest_hex(text.as_bytes());
    let seen: Option<String> = tx
        .query_opt("SELECT command_id FROM receipts WHERE digest = ?1", params![&digest])?
        .map(|r| r.get(0))
        .transpose()?;
    if seen.is_some() {
        // Published again: the phone still holds it, so the bulletins keep confirming it.
        tx.execute("UPDATE receipts SET seen_at = GREATEST(seen_at, ?2) WHERE digest = ?1", params![digest, now])?;
        return Ok(false);
    }
    let mut carried_out = vec![receipt.command_id.clone()];
    carried_out.extend(receipt.merged_command_ids.iter().cloned());
    let mut known = 0;
    for id in &carried_out {
        let device: Option<Option<String>> = tx
            .query_opt("SELECT device_id FROM commands WHERE command_id = ?1 AND kind = 'wipe'", params![id])?
            .map(|r| r.get(0))
            .transpose()?;
        match device {
            Some(Some(device)) if device != receipt.device_id => {
                return Err(RecordError::Refused(format!(
                    "a wipe receipt from {} for another device's command",
                    receipt.device_id
                )))
            }
            Some(_) => known += 1,
            None => {}
        }
    }
    // A phone's own trigger always wipes everything: a local receipt of a narrower scope was
    // signed by someone holding a copy of the device key, to start a new log without a command.
    if known == 0 && receipt.reason == WipeReason::LocalTrigger && receipt.scope != WipeScope::All {
        return Err(RecordError::Refused(format!(
            "a wipe receipt from {} for a local wipe of scope {}: a phone's own trigger wipes everything",
            receipt.device_id,
            receipt.scope.code()
        )));
    }
    if known == 0 && receipt.reason != WipeReason::LocalTrigger {
        return Err(RecordError::Refused(format!(
            "a wipe receipt from {} for a command this ledger did not issue ({})",
            receipt.device_id, receipt.command_id
        )));
    }
    let failed = receipt.steps.iter().filter(|s| s.failed > 0 || s.reason.is_some()).count();
    let inserted = tx.execute("INSERT INTO receipts (digest, device_id, command_id, scope, reason, completed_at, steps, failed_steps, import_id, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (digest) DO NOTHING", params![
            digest,
            receipt.device_id,
            receipt.command_id,
            receipt.scope.code(),
            reason_code(receipt.reason),
            receipt.completed_at,
            serde_json::to_string(&receipt.steps).unwrap_or_default(),
            i64::try_from(failed).unwrap_or(i64::MAX),
            import_id,
            now
        ],
    )?;
    if inserted == 0 {
        return Ok(false); // recorded by another writer a moment ago
    }
    if receipt.scope == WipeScope::All {
        super::device_findings::clear_on_receipt(tx, &receipt.device_id)?;
    }
    // A receipt written again after a merge supersedes the earlier one for its commands.
    for id in &carried_out {
        tx.execute(
            "INSERT INTO receipt_commands (command_id, receipt_digest) VALUES (?1, ?2)
             ON CONFLICT (command_id) DO UPDATE SET receipt_digest = excluded.receipt_digest
             WHERE (SELECT completed_at FROM receipts WHERE digest = excluded.receipt_digest)
                >= (SELECT completed_at FROM receipts WHERE digest = receipt_commands.receipt_digest)",
            params![id, digest],
        )?;
    }
    Ok(true)
}

/// For the test that kills an import half-way: `TELEVISIT_ADMIN_ABORT_AFTER=N` aborts the
/// process at the Nth record, inside the transaction (debug builds only).
fn fault_point(records: usize) {
    #[cfg(debug_assertions)]
    if std::env::var("TELEVISIT_ADMIN_ABORT_AFTER").ok().and_then(|n| n.parse::<usize>().ok()) == Some(records) {
        std::process::abort();
    }
    let _ = records;
}

#[cfg(test)]
mod tests {
    use super::tokens;

    #[test]
    fn records_are_found_in_text_json_and_csv_cells() {
        let found: Vec<_> = tokens(r#"{"a":"tv1.report.AAA.BBB","b":"x tv1.receipt.C-D.E_F"}"#).collect();
        assert_eq!(found, ["tv1.report.AAA.BBB", "tv1.receipt.C-D.E_F"]);
        let csv: Vec<_> = tokens("dev-42,\"tv1.report.Q.R\",2026-11-30").collect();
        assert_eq!(csv, ["tv1.report.Q.R"]);
        assert_eq!(tokens("no records here, tv1.policy.A.B").count(), 0);
    }
}
