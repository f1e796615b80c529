//! Microsoft Graph (Intune) app-configuration device statuses: whether the configuration reached
//! each device, even where no report comes back.
//!
//! Shape (learn.microsoft.com/graph/api/resources/intune-apps-manageddevicemobileappconfigurationdevicestatus,
//! listed by `GET /deviceAppManagement/mobileAppConfigurations/{id}/deviceStatuses`, a collection
//! answered as `{"@odata.context": …, "value": [ … ], "@odata.nextLink"?: …}`):
//! `id` (String, "Key of the entity"), `deviceDisplayName`, `userName`, `deviceModel`,
//! `complianceGracePeriodExpirationDateTime`, `status` (`complianceStatus`: unknown,
//! notApplicable, compliant, remediated, nonCompliant, error, conflict, notAssigned),
//! `lastReportedDateTime` ("Last modified date time of the policy report"), `userPrincipalName`.
//!
//! Matching: the docs call `id` a single key, but tenants see three GUIDs joined by `_`
//! (microsoftgraph/microsoft-graph-docs issues #9230 and #15197), and which part is the Intune
//! device id (what Intune's `{{deviceid}}` fills into `mdm_device_id`) is not documented. So a
//! row matches a device whose `mdm_device_id` equals the whole `id` or one of its `_` parts;
//! failing that, the one device whose `mdm_user` is the row's `userPrincipalName` (never when
//! that user has several devices). Rows that match nothing are counted, not stored.

use super::super::problems::LineProblem;
use crate::db::{DbResult, Sql, Tx};
use crate::params;
use serde::Serialize;
use serde_json::Value;

/// `complianceStatus` values, as Graph spells them.
pub const STATUSES: [&str; 8] =
    ["unknown", "notApplicable", "compliant", "remediated", "nonCompliant", "error", "conflict", "notAssigned"];

/// One row of the list, as read (the display name, user name and model are not kept).
pub struct StatusRow {
    pub id: String,
    pub user_principal_name: Option<String>,
    pub status: Option<&'static str>,
    pub reported_at: Option<i64>,
}

/// What the ledger holds for a device: the configuration's state as Intune last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigStatus {
    /// The Graph `complianceStatus`.
    pub status: String,
    /// Graph's `lastReportedDateTime`.
    pub reported_at: Option<i64>,
    /// `mdm_device_id` or `user` (see the module's note).
    pub matched_by: String,
}

impl ConfigStatus {
    /// "reached 2026-12-01", or the status where it did not (error, conflict, …).
    pub fn summary(&self) -> String {
        match (self.status.as_str(), self.reported_at) {
            ("compliant" | "remediated", Some(at)) => format!(
                "reached {}",
                chrono::DateTime::from_timestamp(at, 0).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
            ),
            ("compliant" | "remediated", None) => "reached".into(),
            (other, _) => other.to_owned(),
        }
    }
}

/// Reads the list strictly: a row without an `id`, or with a `status` Graph does not document,
/// or a bad time, makes the file malformed.
pub fn rows(json: &Value) -> Result<Vec<StatusRow>, String> {
    let list = match json.get("value") {
        Some(Value::Array(list)) => list,
        _ => return Err("no `value` list of device statuses".into()),
    };
    let mut rows = Vec::with_capacity(list.len());
    for (i, row) in list.iter().enumerate() {
        let n = i + 1;
        let id = row.get("id").and_then(Value::as_str).filter(|s| !s.is_empty() && s.len() <= 512);
        let id = id.ok_or_else(|| format!("device status {n} has no `id`"))?;
        let status = match row.get("status") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(
                *STATUSES.iter().find(|k| **k == s).ok_or_else(|| format!("device status {n}: an unknown `status`"))?,
            ),
            Some(_) => return Err(format!("device status {n}: `status` is not a string")),
        };
        let reported_at = match row.get("lastReportedDateTime") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(
                chrono::DateTime::parse_from_rfc3339(t)
                    .map_err(|_| format!("device status {n}: `lastReportedDateTime` is not a date-time"))?
                    .timestamp(),
            ),
            Some(_) => return Err(format!("device status {n}: `lastReportedDateTime` is not a string")),
        };
        let upn = row.get("userPrincipalName").and_then(Value::as_str).map(str::to_owned);
        rows.push(StatusRow { id: id.to_owned(), user_principal_name: upn, status, reported_at });
    }
    Ok(rows)
}

/// Records the rows that match a device; returns (recorded, unmatched).
pub fn record(
    tx: &mut Tx<'_>,
    rows: &[StatusRow],
    import_id: i64,
    now: i64,
    problems: &mut Vec<LineProblem>,
) -> DbResult<(u32, u32)> {
    let (mut recorded, mut unmatched) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let Some(status) = row.status else {
            if problems.len() < 200 {
                problems.push(LineProblem { line: i + 1, reason: "a device status with no status: skipped".into() });
            }
            continue;
        };
        let Some((device, by)) = match_device(tx, row)? else {
            unmatched += 1;
            continue;
        };
        tx.execute(
            "INSERT INTO config_status (device_id, status, reported_at, matched_by, import_id, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (device_id) DO UPDATE SET status = excluded.status, reported_at = excluded.reported_at,
                 matched_by = excluded.matched_by, import_id = excluded.import_id, recorded_at = excluded.recorded_at
             WHERE coalesce(excluded.reported_at, 0) >= coalesce(config_status.reported_at, 0)",
            params![&device, status, row.reported_at, by, import_id, now],
        )?;
        recorded += 1;
    }
    Ok((recorded, unmatched))
}

fn match_device(tx: &mut Tx<'_>, row: &StatusRow) -> DbResult<Option<(String, &'static str)>> {
    let whole = std::iter::once(row.id.as_str());
    for candidate in whole.chain(row.id.split('_').filter(|p| !p.is_empty())) {
        let found: Option<String> = tx
            .query_opt("SELECT device_id FROM devices WHERE lower(mdm_device_id) = lower(?1)", params![candidate])?
            .map(|r| r.get(0))
            .transpose()?;
        if let Some(device) = found {
            return Ok(Some((device, "mdm_device_id")));
        }
    }
    let Some(upn) = row.user_principal_name.as_deref().filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let devices: Vec<String> =
        tx.query_column("SELECT device_id FROM devices WHERE lower(mdm_user) = lower(?1) LIMIT 2", params![upn])?;
    Ok(match devices.as_slice() {
        [one] => Some((one.clone(), "user")),
        _ => None,
    })
}
