//! What IT asks the ledger every week: which phones, whose, which are quiet, which wipes are
//! pending, done (and by which receipt), failed or expired.

use super::cleanup::{self, DeviceCleanup};
use super::mdm::graph::ConfigStatus;
use super::Ledger;
use crate::db::{DbResult, Row, Sql};
use crate::params;
use anyhow::Result;
use serde::Serialize;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRow {
    pub device_id: String,
    pub enrollment_id: String,
    pub device_key: String,
    pub platform: String,
    pub os_version: String,
    pub app_version: String,
    pub policy_version: i64,
    pub checklist: String,
    pub mdm_device_id: Option<String>,
    pub mdm_user: Option<String>,
    /// A wipe under way on the phone (its command id), as its last report said.
    pub wipe_under_way: Option<String>,
    pub first_report_at: i64,
    pub last_report_at: i64,
    /// The newest signed time from IT the phone had verified (its last contact with IT).
    pub last_checkin: Option<i64>,
    /// `key_mismatch`: a report signed by another key was refused (a clone, or a reinstall);
    /// `reported_after_wipe`: a report signed by its key after its full wipe (a copy put back).
    pub flag: Option<String>,
    /// No report for longer than the threshold asked for.
    pub stale: bool,
    /// Wiped: a receipt of a full wipe was imported for this enrollment (and it has not spoken
    /// since: a device that reported after its wipe is flagged instead).
    pub wiped: bool,
    /// Retired by IT (`devices retire`): closed, as a wiped device is.
    pub retired_at: Option<i64>,
    /// Whether the MDM's app configuration reached it (Graph `deviceStatuses`), where imported.
    pub config: Option<ConfigStatus>,
    /// The key set version it verifies IT's messages with, as its last report said (none: the
    /// organisation's one key, or a phone that predates key sets).
    pub key_set: Option<i64>,
    /// When it last checked in through a relay, by the relay's clock, and how many times (none:
    /// it never has: it reaches IT through the MDM alone).
    pub relay_checkin: Option<RelayCheckIns>,
    /// The phone's contacts cleanup as its newest report said (none: that report carried none).
    pub cleanup: Option<DeviceCleanup>,
    /// It holds contacts past its cleanup age (`cleanup::is_overdue`: never a closed device,
    /// never one whose counts are unknown).
    pub cleanup_overdue: bool,
}

/// A device's check-ins through the relays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RelayCheckIns {
    pub last_at: i64,
    pub count: i64,
}

impl DeviceRow {
    /// Closed: wiped in full, or retired. It is never stale, never a candidate when a wipe is
    /// issued by user or MDM id, and no bulletin confirms its log.
    pub fn closed(&self) -> bool {
        self.wiped || self.retired_at.is_some()
    }
}

/// Which devices `devices list` shows.
#[derive(Debug, Clone, Default)]
pub struct DeviceFilter {
    /// Only devices with no report for this many seconds.
    pub stale_seconds: Option<i64>,
    pub platform: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WipeState {
    /// Issued, not yet carried out, still valid: in every bulletin.
    Pending,
    /// Carried out; the receipt verified against the pinned key.
    Done,
    /// Carried out, but a step could not run (e.g. contacts access revoked): see the receipt.
    Failed,
    /// Past its expiry with no receipt: issue a new one if the phone is still lost.
    Expired,
    /// The phone wiped itself (a local trigger); no command of IT's.
    Local,
    /// IT took it back (`wipe cancel`) before any receipt of it arrived.
    Cancelled,
}

impl WipeState {
    pub fn code(self) -> &'static str {
        match self {
            WipeState::Pending => "pending",
            WipeState::Done => "done",
            WipeState::Failed => "failed",
            WipeState::Expired => "expired",
            WipeState::Local => "local",
            WipeState::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WipeRow {
    pub command_id: String,
    pub device_id: String,
    pub enrollment_id: Option<String>,
    pub scope: String,
    pub reason: String,
    pub issued_by: Option<String>,
    pub issued_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub state: WipeState,
    /// The receipt that carried it out: when, and which steps failed.
    pub completed_at: Option<i64>,
    pub failed_steps: Option<i64>,
    pub receipt_digest: Option<String>,
    pub mdm_user: Option<String>,
}

impl WipeRow {
    /// What to do next, in one line, where there is something to do.
    pub fn hint(&self) -> Option<String> {
        match self.state {
            WipeState::Expired => Some(format!(
                "re-issue: televisit-admin wipe issue --org DIR --device {} --reason {}",
                self.device_id, self.reason
            )),
            WipeState::Failed => Some("a step could not run on the phone: see its receipt's steps".into()),
            _ => None,
        }
    }
}

pub(crate) const DEVICE_COLUMNS: &str =
    "d.device_id, d.enrollment_id, d.device_key, d.platform, d.os_version, d.app_version,
     d.policy_version, d.checklist, d.mdm_device_id, d.mdm_user, d.wipe_under_way, d.first_report_at,
     d.last_report_at, d.last_checkin, d.flag,
     EXISTS (SELECT 1 FROM receipts r WHERE r.device_id = d.device_id AND r.scope = 'all')
         AND coalesce(d.flag, '') != 'reported_after_wipe',
     cs.status, cs.reported_at, cs.matched_by, d.retired_at, d.key_set, rc.last_at, rc.count,
     d.cleanup_held, d.cleanup_overdue, d.cleanup_oldest_days, d.cleanup_age_days, d.cleanup_ran_at, d.cleanup_end";

/// Joined after `FROM devices d` wherever `DEVICE_COLUMNS` is selected.
pub(crate) const DEVICE_JOIN: &str =
    "LEFT JOIN config_status cs ON cs.device_id = d.device_id LEFT JOIN relay_checkins rc ON rc.device_id = d.device_id";

pub(crate) fn device_row(row: &Row, stale_before: i64) -> DbResult<DeviceRow> {
    let last_report_at: i64 = row.get(12)?;
    let cleanup = cleanup::from_row(row)?;
    let closed = row.get::<bool>(15)? || row.get::<Option<i64>>(19)?.is_some();
    Ok(DeviceRow {
        cleanup_overdue: cleanup::is_overdue(closed, cleanup.as_ref()),
        cleanup,
        device_id: row.get(0)?,
        enrollment_id: row.get(1)?,
        device_key: row.get(2)?,
        platform: row.get(3)?,
        os_version: row.get(4)?,
        app_version: row.get(5)?,
        policy_version: row.get(6)?,
        checklist: row.get(7)?,
        mdm_device_id: row.get(8)?,
        mdm_user: row.get(9)?,
        wipe_under_way: row.get(10)?,
        first_report_at: row.get(11)?,
        last_report_at,
        last_checkin: row.get(13)?,
        flag: row.get(14)?,
        stale: is_stale(last_report_at, closed, stale_before),
        wiped: row.get(15)?,
        retired_at: row.get(19)?,
        key_set: row.get(20)?,
        relay_checkin: match (row.get::<Option<i64>>(21)?, row.get::<Option<i64>>(22)?) {
            (Some(last_at), Some(count)) => Some(RelayCheckIns { last_at, count }),
            _ => None,
        },
        config: match row.get::<Option<String>>(16)? {
            Some(status) => Some(ConfigStatus { status, reported_at: row.get(17)?, matched_by: row.get(18)? }),
            None => None,
        },
    })
}

/// Quiet since before `stale_before`, and not wiped: a device whose full wipe IT has a receipt
/// for is done, not quiet.
pub fn is_stale(last_report_at: i64, wiped: bool, stale_before: i64) -> bool {
    last_report_at < stale_before && !wiped
}

/// The default for "quiet too long" in views that show staleness without being asked.
pub const DEFAULT_STALE_SECONDS: i64 = 48 * 3600;

impl Ledger {
    /// Devices, by last report (the quietest first when `--stale`, otherwise by user and id).
    /// A device whose full wipe IT has a receipt for is never stale: it is done, not quiet.
    pub fn devices(&mut self, filter: &DeviceFilter, now: i64) -> Result<Vec<DeviceRow>> {
        let stale_before = now.saturating_sub(filter.stale_seconds.unwrap_or(DEFAULT_STALE_SECONDS));
        let only_stale = filter.stale_seconds.is_some();
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d {DEVICE_JOIN}
             WHERE (?1 = 0 OR (d.last_report_at < ?2 AND d.retired_at IS NULL
                    AND (coalesce(d.flag, '') = 'reported_after_wipe'
                         OR NOT EXISTS (SELECT 1 FROM receipts r WHERE r.device_id = d.device_id AND r.scope = 'all'))))
               AND (CAST(?3 AS TEXT) IS NULL OR d.platform = ?3)
             ORDER BY {}",
            if only_stale { "d.last_report_at, d.device_id" } else { "d.mdm_user IS NULL, d.mdm_user, d.device_id" }
        );
        let rows = self.db.query(&sql, params![only_stale, stale_before, &filter.platform])?;
        Ok(rows.iter().map(|r| device_row(r, stale_before)).collect::<DbResult<_>>()?)
    }

    /// One device by its id, its MDM user or its MDM device id (a user may have several).
    pub fn find_devices(&mut self, by: DeviceKey<'_>, now: i64) -> Result<Vec<DeviceRow>> {
        let (column, value) = match by {
            DeviceKey::Id(id) => ("d.device_id", id),
            DeviceKey::User(user) => ("d.mdm_user", user),
            DeviceKey::MdmDevice(id) => ("d.mdm_device_id", id),
        };
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d {DEVICE_JOIN} WHERE {column} = ?1 ORDER BY d.last_report_at DESC"
        );
        let stale_before = now.saturating_sub(DEFAULT_STALE_SECONDS);
        let rows = self.db.query(&sql, params![value])?;
        Ok(rows.iter().map(|r| device_row(r, stale_before)).collect::<DbResult<_>>()?)
    }

    /// Every wipe IT issued, and every wipe a phone did by itself, newest first.
    pub fn wipes(&mut self, now: i64) -> Result<Vec<WipeRow>> {
        let rows = self.db.query(
            "SELECT c.command_id, c.device_id, c.enrollment_id, c.scope, c.reason, c.issued_by, c.issued_at, c.expires_at,
                    r.completed_at, r.failed_steps, r.digest, d.mdm_user, c.cancelled_at
             FROM commands c
             LEFT JOIN receipt_commands rc ON rc.command_id = c.command_id
             LEFT JOIN receipts r ON r.digest = rc.receipt_digest
             LEFT JOIN devices d ON d.device_id = c.device_id
             WHERE c.kind = 'wipe'
             UNION ALL
             SELECT r.command_id, r.device_id, NULL, r.scope, r.reason, NULL, NULL, NULL,
                    r.completed_at, r.failed_steps, r.digest, d.mdm_user, NULL
             FROM receipts r
             LEFT JOIN devices d ON d.device_id = r.device_id
             WHERE r.reason = 'local_trigger'
               AND NOT EXISTS (SELECT 1 FROM commands c WHERE c.command_id = r.command_id)
             ORDER BY 7 DESC NULLS LAST, 9 DESC NULLS LAST",
            params![],
        )?;
        let rows = rows.iter().map(|r| {
            let issued_at: Option<i64> = r.get(6)?;
            let expires_at: Option<i64> = r.get(7)?;
            let completed_at: Option<i64> = r.get(8)?;
            let failed_steps: Option<i64> = r.get(9)?;
            let cancelled_at: Option<i64> = r.get(12)?;
            let state = match (issued_at, completed_at) {
                (None, _) => WipeState::Local,
                (Some(_), None) if cancelled_at.is_some() => WipeState::Cancelled,
                (Some(_), Some(_)) if failed_steps.unwrap_or(0) > 0 => WipeState::Failed,
                (Some(_), Some(_)) => WipeState::Done,
                (Some(_), None) if expires_at.is_some_and(|e| e <= now) => WipeState::Expired,
                (Some(_), None) => WipeState::Pending,
            };
            Ok(WipeRow {
                command_id: r.get(0)?,
                device_id: r.get(1)?,
                enrollment_id: r.get(2)?,
                scope: r.get(3)?,
                reason: r.get(4)?,
                issued_by: r.get(5)?,
                issued_at,
                expires_at,
                state,
                completed_at,
                failed_steps,
                receipt_digest: r.get(10)?,
                mdm_user: r.get(11)?,
            })
        });
        Ok(rows.collect::<DbResult<_>>()?)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum DeviceKey<'a> {
    Id(&'a str),
    User(&'a str),
    MdmDevice(&'a str),
}

/// Worst first: the oldest contact first (an unknown oldest after every known one), then the
/// most contacts past their age, then by device id so that the order is stable.
pub fn worst_first(a: &DeviceRow, b: &DeviceRow) -> Ordering {
    let key = |d: &DeviceRow| {
        let c = d.cleanup.as_ref();
        (c.and_then(|c| c.oldest_days), c.map_or(0, DeviceCleanup::overdue_count))
    };
    let ((a_oldest, a_overdue), (b_oldest, b_overdue)) = (key(a), key(b));
    b_oldest.cmp(&a_oldest).then(b_overdue.cmp(&a_overdue)).then_with(|| a.device_id.cmp(&b.device_id))
}

impl Ledger {
    /// The phones' contacts cleanup (`cleanup`): the live devices holding contacts past their cleanup age (optionally of one platform),
    /// worst first (`worst_first`).
    pub fn cleanup_overdue(&mut self, platform: Option<&str>, now: i64) -> Result<Vec<DeviceRow>> {
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d {DEVICE_JOIN}
             WHERE d.cleanup_overdue > 0 AND d.cleanup_age_days IS NOT NULL AND d.retired_at IS NULL
               AND (CAST(?1 AS TEXT) IS NULL OR d.platform = ?1)"
        );
        let rows = self.db.query(&sql, params![platform])?;
        let stale_before = now.saturating_sub(super::DEFAULT_STALE_SECONDS);
        let mut devices: Vec<DeviceRow> = rows.iter().map(|r| device_row(r, stale_before)).collect::<DbResult<_>>()?;
        // Wiped ones go here, judged as every view judges them (`DeviceRow::closed`).
        devices.retain(|d| d.cleanup_overdue);
        // Sorted here rather than in SQL: the fleet report sorts by the same rule, written once.
        devices.sort_by(worst_first);
        Ok(devices)
    }
}
