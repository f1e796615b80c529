//! Reports that say something is wrong with the device itself, beyond its log: one that speaks
//! after its full wipe, one that enrolled with a code already expired.
//!
//! A device that speaks after its full wipe. Once IT holds a full wipe's receipt, the phone that
//! wiped forgets its key and enrollment as soon as IT confirms the receipt, and until then every
//! report it makes names the receipt it holds (`rcpt`). So a report signed by the pinned key,
//! made after the wipe, that holds no receipt, comes from a copy of the phone put back
//! after the wipe (its store, its key and its patients): a finding (`reported_after_wipe`), the
//! device flagged (no longer "wiped", and stale again when quiet), and at the next `bulletin
//! sign` a new wipe for it.

use super::archive::{insert_finding, FindingKind};
use super::Ledger;
use crate::db::{DbResult, Sql, Tx};
use crate::params;
use anyhow::Result;
use televisit_protocol::keyset::Signer;
use televisit_protocol::report::DeviceReport;
use televisit_protocol::wipe::{self, WipeReason, WipeScope};

pub const REPORTED_AFTER_WIPE: &str = FindingKind::ReportedAfterWipe.code();
/// The finding of a device whose first report says it enrolled with a code already expired.
pub const LATE_ENROLLMENT: &str = FindingKind::EnrolledAfterCodeExpiry.code();
/// The finding of a device whose log has grown past what IT archived, with no export for longer
/// than `EXPORT_INTERVAL_SECONDS`.
pub const UNARCHIVED: &str = FindingKind::Unarchived.code();
/// How long a device's newer entries may go without an archived export before IT is told.
pub const EXPORT_INTERVAL_SECONDS: i64 = 31 * 86_400;
/// The `issued_by` of a wipe `bulletin sign` issues again for a device that reported after one.
pub const REISSUED_BY: &str = "bulletin sign: reported after its wipe";

/// Checks one verified report against the device's newest full-wipe receipt; records the
/// finding and flags the device when it was made after the wipe holding no receipt.
/// "After" by the phone's own clock (the report's time against the receipt's), or by IT's: the
/// report has verified something IT signed after the receipt reached the ledger.
pub(super) fn check_report(tx: &mut Tx<'_>, report: &DeviceReport, now: i64) -> DbResult<bool> {
    let newest: Option<(String, i64, i64)> = tx
        .query_opt(
            "SELECT r.command_id, r.completed_at, i.at FROM receipts r JOIN imports i ON i.id = r.import_id
             WHERE r.device_id = ?1 AND r.scope = 'all' ORDER BY r.completed_at DESC, i.at DESC LIMIT 1",
            params![&report.dev],
        )?
        .map(|r| r.parse())
        .transpose()?;
    let Some((command, completed_at, received_at)) = newest else {
        return Ok(false);
    };
    // A report that holds a receipt comes from a phone between a wipe and IT's confirmation: a
    // copy put back from before the wipe holds none.
    let after = report.at > completed_at || report.seen.is_some_and(|seen| seen > received_at);
    if !after || report.rcpt.is_some() {
        return Ok(false);
    }
    tx.execute("UPDATE devices SET flag = ?2 WHERE device_id = ?1", params![report.dev, REPORTED_AFTER_WIPE])?;
    let detail = format!("a report signed by its pinned key after the full wipe {command} it has a receipt for");
    insert_finding(tx, &report.dev, FindingKind::ReportedAfterWipe, 0, &detail, now)?;
    tx.execute(
        "INSERT INTO events (at, device_id, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![now, report.dev, REPORTED_AFTER_WIPE, detail],
    )?;
    Ok(true)
}

/// A newer full-wipe receipt closes the device again.
pub(super) fn clear_on_receipt(tx: &mut Tx<'_>, device_id: &str) -> DbResult<()> {
    tx.execute(
        "UPDATE devices SET flag = NULL WHERE device_id = ?1 AND flag = ?2",
        params![device_id, REPORTED_AFTER_WIPE],
    )?;
    Ok(())
}

impl Ledger {
    /// For `bulletin sign`: a new full wipe for each device flagged as reported after its wipe
    /// that has none pending (the first one's command is carried out and may have expired; the
    /// copy put back never saw it). Returns the new commands' ids.
    pub fn reissue_after_reports(&mut self, org: &Signer, now: i64) -> Result<Vec<String>> {
        let due = self.due_after_reports(now)?;
        let mut issued = Vec::new();
        for (device, enrollment, reason) in due {
            let reason: WipeReason = super::parse_code(&reason).unwrap_or(WipeReason::Lost);
            let mut command = crate::wipe_command(&device, &enrollment, WipeScope::All, reason, 14, now)?;
            command.signed_by = org.name.clone();
            let text = wipe::issue(org, &command)?;
            self.record_wipe(&command, &text, REISSUED_BY, now)?;
            issued.push(command.command_id);
        }
        Ok(issued)
    }

    /// The devices flagged as reported after their full wipe with no wipe pending: (device,
    /// enrollment, the reason of its last wipe). `bulletin sign` wipes them again when its key
    /// may, and names them otherwise (an admin's key issues the wipe).
    pub fn due_after_reports(&mut self, now: i64) -> Result<Vec<(String, String, String)>> {
        let due: Vec<(String, String, String)> = self
            .db
            .query("SELECT d.device_id, d.enrollment_id,
                        coalesce((SELECT c.reason FROM commands c WHERE c.device_id = d.device_id AND c.kind = 'wipe'
                                  ORDER BY c.issued_at DESC LIMIT 1), 'lost')
                 FROM devices d
                 WHERE d.flag = ?1
                   AND NOT EXISTS (SELECT 1 FROM commands c WHERE c.device_id = d.device_id AND c.kind = 'wipe'
                                   AND c.expires_at > ?2
                                   AND NOT EXISTS (SELECT 1 FROM receipt_commands rc WHERE rc.command_id = c.command_id))", params![REPORTED_AFTER_WIPE, now])?.iter().map(|r| r.parse()).collect::<DbResult<_>>()?;
        Ok(due)
    }
}

/// A device's first report: if the newest thing it saw signed by IT is an enrollment code this
/// ledger recorded (its issue time), and that code had expired by IT's clock before the report
/// arrived, the phone may have enrolled after the expiry with its clock set back into the
/// code's window (the phone alone cannot tell). A finding, for IT to look at; the device is kept.
pub(super) fn check_first_report(tx: &mut Tx<'_>, report: &DeviceReport, now: i64) -> DbResult<bool> {
    let Some(seen) = report.seen else {
        return Ok(false);
    };
    let expired: Option<String> = tx
        .query_opt(
            "SELECT command_id FROM commands WHERE kind = 'enroll_code' AND issued_at = ?1 AND expires_at < ?2
             ORDER BY expires_at LIMIT 1",
            params![seen, now],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    let Some(code) = expired else {
        return Ok(false);
    };
    let detail = format!("its first report came after {code} had expired, and it has seen nothing newer from IT");
    insert_finding(tx, &report.dev, FindingKind::EnrolledAfterCodeExpiry, 0, &detail, now)?;
    Ok(true)
}

/// A report whose checkpoint lies past the end of what IT archived, from a device whose last
/// export reached IT more than `EXPORT_INTERVAL_SECONDS` ago: those entries are held only by the
/// phone (a rollback among them would be seen only at an export). One finding per archived end,
/// for devices that export at all.
pub(super) fn check_unarchived(tx: &mut Tx<'_>, report: &DeviceReport, now: i64) -> DbResult<bool> {
    let (Some(cp), None) = (&report.cp, &report.rcpt) else {
        return Ok(false);
    };
    let archived: Option<(i64, i64)> = tx
        .query_opt(
            "SELECT max(through_seq), max(imported_at) FROM log_exports e WHERE device_id = ?1
               AND epoch = (SELECT max(epoch) FROM log_exports m WHERE m.device_id = ?1)
             HAVING count(*) > 0",
            params![&report.dev],
        )?
        .map(|r| r.parse())
        .transpose()?;
    let Some((through, last_import)) = archived else {
        return Ok(false);
    };
    let past = i64::try_from(cp.n).unwrap_or(i64::MAX) > through;
    if !past || now.saturating_sub(last_import) <= EXPORT_INTERVAL_SECONDS {
        return Ok(false);
    }
    let detail = format!(
        "its log holds entries past {through}, and no export has reached IT for over {} days: ask for one",
        EXPORT_INTERVAL_SECONDS / 86_400
    );
    insert_finding(tx, &report.dev, FindingKind::Unarchived, through.saturating_add(1), &detail, now)
}
