//! What IT finds in a device's log: each checkpoint recorded as it arrives (from reports and
//! exports) and held to the archived exports that cover it; a fork, a rollback or a gap is a
//! finding, kept in the ledger and shown in the fleet report.

use super::{archived_segment, from_sql, open_sealed, read_archived, to_sql};
use crate::db::{DbResult, Sql, Tx};
use crate::params;
use crate::{digest_hex, Ledger};
use anyhow::{anyhow, bail, Result};
use std::collections::{BTreeMap, HashMap};
use televisit_protocol::checkpoint::{Checkpoint, Point};
use televisit_protocol::export::{self, Segment};
use televisit_protocol::report::DeviceReport;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// Two different histories at one size: the log was rewritten after IT saw it.
    Fork,
    /// A checkpoint smaller than one the phone signed earlier: entries were taken back.
    Rollback,
    /// Entries that no archived export holds.
    Gap,
    /// Entries past what IT archived, held by the phone alone for longer than the export
    /// interval (`ledger::device_findings`).
    Unarchived,
    /// A report by the pinned key after its full wipe, holding no receipt: a copy put back.
    ReportedAfterWipe,
    /// A first report after its enrollment code expired by IT's clock.
    EnrolledAfterCodeExpiry,
}

impl FindingKind {
    const ALL: [FindingKind; 6] = [
        FindingKind::Fork,
        FindingKind::Rollback,
        FindingKind::Gap,
        FindingKind::Unarchived,
        FindingKind::ReportedAfterWipe,
        FindingKind::EnrolledAfterCodeExpiry,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            FindingKind::Fork => "fork",
            FindingKind::Rollback => "rollback",
            FindingKind::Gap => "gap",
            FindingKind::Unarchived => "unarchived",
            FindingKind::ReportedAfterWipe => "reported_after_wipe",
            FindingKind::EnrolledAfterCodeExpiry => "enrolled_after_code_expiry",
        }
    }

    pub fn from_code(code: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// About the log and a sequence number in it, rather than about the device itself.
    fn about_log(self) -> bool {
        matches!(self, FindingKind::Fork | FindingKind::Rollback | FindingKind::Gap | FindingKind::Unarchived)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub device_id: String,
    pub kind: &'static str,
    /// The first sequence number involved.
    pub seq: u64,
    pub detail: String,
}

impl Finding {
    /// One line, as every command that finds it says it.
    pub fn line(&self) -> String {
        if FindingKind::from_code(self.kind).is_some_and(FindingKind::about_log) {
            format!("{}: log {} at seq {}: {}", self.device_id, self.kind.to_uppercase(), self.seq, self.detail)
        } else {
            // A finding about the device itself (`ledger::device_findings`), not about its log.
            format!("{}: {}: {}", self.device_id, self.kind.to_uppercase(), self.detail)
        }
    }
}

/// The number of log-wiping receipts the device completed by `at` (Unix seconds).
pub(super) fn epoch_at(tx: &mut Tx<'_>, device_id: &str, at: i64) -> DbResult<i64> {
    // Only a wipe IT commanded starts the log again: a local trigger's receipt is signed by the
    // device key alone, and whoever copied that key could otherwise sign one to void every
    // checkpoint IT holds. (A phone that wiped itself in full is closed: it reports no more.)
    tx.query_one(
        "SELECT count(*) FROM receipts WHERE device_id = ?1 AND scope IN ('log', 'all') AND completed_at <= ?2
           AND reason != 'local_trigger'",
        params![device_id, at],
    )?
    .get(0)
}

/// Records a checkpoint and the findings it makes at once (same size, other hash; smaller than
/// one signed earlier, or larger than one signed later). `role` is `report`, `export` (an
/// export's end) or `export_from` (an export's start, which vouches for no size).
pub(crate) fn record_checkpoint(
    tx: &mut Tx<'_>,
    device_id: &str,
    point: Point,
    role: &str,
    source: &str,
    signed_at: i64,
    now: i64,
) -> Result<()> {
    let epoch = epoch_at(tx, device_id, signed_at)?;
    let size = to_sql(point.seq)?;
    let hash = Checkpoint::from_point(point).h;
    let inserted = tx.execute(
        "INSERT INTO log_checkpoints (device_id, epoch, size, hash, role, source, signed_at, seen_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending') ON CONFLICT DO NOTHING",
        params![device_id, epoch, size, &hash, role, source, signed_at, now],
    )?;
    if inserted == 0 {
        return Ok(());
    }
    let other: Option<String> = tx
        .query_opt(
            "SELECT hash FROM log_checkpoints WHERE device_id = ?1 AND epoch = ?2 AND size = ?3 AND hash != ?4 LIMIT 1",
            params![device_id, epoch, size, &hash],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    if other.is_some() {
        add_finding(
            tx,
            device_id,
            FindingKind::Fork,
            point.seq,
            "two checkpoints of one size name different histories",
            now,
        )?;
    }
    // A point that vouches for a history, not for the log's size then: only the fork check.
    if role == "export_from" || role == "report_confirmed" {
        return Ok(());
    }
    // A pair signed in one order whose sizes run the other way.
    let pair: Option<(i64, i64, i64, i64)> = tx
        .query_opt("SELECT a.size, a.signed_at, b.size, b.signed_at FROM log_checkpoints a, log_checkpoints b
             WHERE a.device_id = ?1 AND b.device_id = ?1 AND a.epoch = ?2 AND b.epoch = ?2
               AND a.role NOT IN ('export_from', 'report_confirmed') AND b.role NOT IN ('export_from', 'report_confirmed')
               AND a.signed_at < b.signed_at AND a.size > b.size
               AND (a.size = ?3 OR b.size = ?3)
             ORDER BY b.size LIMIT 1", params![device_id, epoch, size])?.map(|r| r.parse()).transpose()?;
    if let Some((larger, larger_at, smaller, smaller_at)) = pair {
        let when = |t: i64| chrono::DateTime::from_timestamp(t, 0).map(|t| t.to_rfc3339()).unwrap_or_default();
        let detail = format!(
            "the log held {larger} entries at {}, then only {smaller} at {}",
            when(larger_at),
            when(smaller_at)
        );
        add_finding(tx, device_id, FindingKind::Rollback, from_sql(smaller).saturating_add(1), &detail, now)?;
    }
    Ok(())
}

/// Records a finding once (the same device, kind, place and detail again adds nothing); returns
/// whether it is new. The log's findings also log an event (`add_finding`).
pub(crate) fn insert_finding(
    tx: &mut Tx<'_>,
    device_id: &str,
    kind: FindingKind,
    seq: i64,
    detail: &str,
    now: i64,
) -> DbResult<bool> {
    let added = tx
        .execute("INSERT INTO log_findings (device_id, kind, seq, detail, found_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING", params![device_id, kind.code(), seq, detail, now])?;
    Ok(added > 0)
}

fn add_finding(tx: &mut Tx<'_>, device_id: &str, kind: FindingKind, seq: u64, detail: &str, now: i64) -> Result<()> {
    if insert_finding(tx, device_id, kind, to_sql(seq)?, detail, now)? {
        tx.execute(
            "INSERT INTO events (at, device_id, kind, detail) VALUES (?1, ?2, ?3, ?4)",
            params![now, device_id, format!("log_{}", kind.code()), format!("seq {seq}: {detail}")],
        )?;
    }
    Ok(())
}

/// A verified report's checkpoint, recorded with the report.
pub(crate) fn record_report(tx: &mut Tx<'_>, report: &DeviceReport, digest: &str, now: i64) -> Result<()> {
    // A report made while the phone holds a wipe's receipt is of a wiped log (or of the store
    // made after it): it says nothing about the history IT holds, and is not held to it.
    if report.rcpt.is_some() {
        return Ok(());
    }
    if let Some(cp) = &report.cp {
        record_checkpoint(tx, &report.dev, cp.point()?, "report", digest, report.at, now)?;
    }
    // The point at the size IT confirmed: it must name the history IT archived there. A log put
    // back from an older copy and grown past that size names another (a fork at that size).
    if let Some(conf) = &report.conf {
        record_checkpoint(tx, &report.dev, conf.point()?, "report_confirmed", digest, report.at, now)?;
        // IT confirms only what its archive holds: a phone that says IT confirmed entries the
        // archive has no export reaching speaks to a ledger restored from an older copy (or an
        // archive lost). The phone goes on from what it was told; IT sees the gap.
        let through = i64::try_from(conf.n).unwrap_or(i64::MAX);
        let held: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM log_exports WHERE device_id = ?1 AND through_seq >= ?2)",
                params![&report.dev, through],
            )?
            .get(0)?;
        if !held && conf.n > 0 {
            let detail = format!(
                "the device says IT confirmed archiving its log through entry {}, and the archive holds no export reaching it (was the ledger restored from an older copy?)",
                conf.n
            );
            add_finding(tx, &report.dev, FindingKind::Gap, conf.n, &detail, now)?;
        }
    }
    Ok(())
}

/// Holds every checkpoint IT already has inside a newly archived export's range to that export,
/// whatever its state: an export that overlaps what IT checked before (the phone exports from its
/// start until IT confirms) must name the same history there, or it rewrote what IT saw.
pub(super) fn hold_to_export(
    tx: &mut Tx<'_>,
    device_id: &str,
    epoch: i64,
    segment: &Segment,
    digest: &str,
    now: i64,
) -> Result<()> {
    let inside: Vec<(i64, String)> = tx
        .query(
            "SELECT size, hash FROM log_checkpoints
             WHERE device_id = ?1 AND epoch = ?2 AND size BETWEEN ?3 AND ?4 AND source != ?5",
            params![device_id, epoch, to_sql(segment.from.seq)?, to_sql(segment.to.seq)?, digest],
        )?
        .iter()
        .map(|r| r.parse())
        .collect::<DbResult<_>>()?;
    for (size, hash) in inside {
        let seq = from_sql(size);
        let Some(at) = segment.hash_at(seq) else { continue };
        if Checkpoint::from_point(Point { seq, hash: at }).h != hash {
            tx.execute(
                "UPDATE log_checkpoints SET state = 'fork' WHERE device_id = ?1 AND epoch = ?2 AND size = ?3 AND hash = ?4",
                params![device_id, epoch, size, &hash],
            )?;
            let detail = "an export names another history than a checkpoint IT already holds";
            add_finding(tx, device_id, FindingKind::Fork, seq, detail, now)?;
        }
    }
    Ok(())
}

impl Ledger {
    /// Devices with a checkpoint not yet held to an archived export.
    pub fn devices_with_unchecked_checkpoints(&mut self) -> Result<Vec<String>> {
        Ok(self.db.query_column(
            "SELECT DISTINCT device_id FROM log_checkpoints WHERE state = 'pending' ORDER BY device_id",
            params![],
        )?)
    }

    /// Checks every checkpoint of `device_id` not yet held to an archived export that covers its
    /// size (opening the sealed files it needs), and returns the device's findings.
    pub fn check_log(&mut self, device_id: &str, identity: &str, now: i64) -> Result<Vec<Finding>> {
        let dir = self.archive_dir();
        let mut tx = self.db.transaction()?;
        let pending: Vec<(i64, i64, String)> = tx
            .query("SELECT epoch, size, hash FROM log_checkpoints WHERE device_id = ?1 AND state = 'pending' ORDER BY size", params![device_id])?.iter().map(|r| r.parse()).collect::<DbResult<_>>()?;
        let mut opened: HashMap<String, Segment> = HashMap::new();
        for (epoch, size, hash) in pending {
            // Every export that covers the size, not only one: exports overlap (the phone exports
            // from its start until IT confirms), and each must name the same history there.
            let covering: Vec<(String, i64, String, i64, String)> = tx
                .query(
                    "SELECT digest, from_seq, from_hash, through_seq, through_hash FROM log_exports
                     WHERE device_id = ?1 AND epoch = ?2 AND from_seq <= ?3 AND through_seq >= ?3
                     ORDER BY from_seq, through_seq",
                    params![device_id, epoch, size],
                )?
                .iter()
                .map(|r| r.parse())
                .collect::<DbResult<_>>()?;
            if covering.is_empty() {
                continue;
            }
            let mut agrees = true;
            for (digest, from, from_hash, through, through_hash) in covering {
                let archived_hash = if size == from {
                    from_hash
                } else if size == through {
                    through_hash
                } else {
                    let segment = match opened.get(&digest) {
                        Some(segment) => segment,
                        None => {
                            let segment = archived_segment(&dir, device_id, &digest, identity)?;
                            opened.entry(digest.clone()).or_insert(segment)
                        }
                    };
                    let point =
                        segment.hash_at(from_sql(size)).ok_or_else(|| anyhow!("an archived export ends early"))?;
                    Checkpoint::from_point(Point { seq: from_sql(size), hash: point }).h
                };
                agrees &= archived_hash == hash;
            }
            let state = if agrees { "consistent" } else { "fork" };
            tx.execute(
                "UPDATE log_checkpoints SET state = ?4 WHERE device_id = ?1 AND epoch = ?2 AND size = ?3 AND hash = ?5",
                params![device_id, epoch, size, state, &hash],
            )?;
            if !agrees {
                let detail = "an export names another history than a checkpoint the device signed";
                add_finding(&mut tx, device_id, FindingKind::Fork, from_sql(size), detail, now)?;
            }
        }
        tx.commit()?;
        self.log_findings(Some(device_id))
    }

    /// Forks, rollbacks and reports after a full wipe found so far, and the gaps in what the
    /// archive holds, for one device or all.
    pub fn log_findings(&mut self, device_id: Option<&str>) -> Result<Vec<Finding>> {
        let mut findings: Vec<Finding> = self
            .db
            .query(
                "SELECT device_id, kind, seq, detail FROM log_findings
                 WHERE CAST(?1 AS TEXT) IS NULL OR device_id = ?1 ORDER BY device_id, seq",
                params![device_id],
            )?
            .iter()
            .map(|r| {
                let kind: String = r.get(1)?;
                Ok(Finding {
                    device_id: r.get(0)?,
                    kind: FindingKind::from_code(&kind).unwrap_or(FindingKind::Rollback).code(),
                    seq: from_sql(r.get(2)?),
                    detail: r.get(3)?,
                })
            })
            .collect::<DbResult<_>>()?;
        for (device, runs) in self.coverage(device_id)? {
            for window in runs.windows(2) {
                let (_, end) = window[0];
                let (start, _) = window[1];
                findings.push(Finding {
                    device_id: device.clone(),
                    kind: FindingKind::Gap.code(),
                    seq: end.saturating_add(1),
                    detail: format!("entries {} to {start} are in no archived export", end.saturating_add(1)),
                });
            }
        }
        Ok(findings)
    }

    /// Per device (its current epoch), the runs of sequence numbers the archive holds without a
    /// gap: (from, through), in order.
    fn coverage(&mut self, device_id: Option<&str>) -> Result<BTreeMap<String, Vec<(u64, u64)>>> {
        let rows = self.db.query(
            "SELECT e.device_id, e.from_seq, e.through_seq FROM log_exports e
             WHERE (CAST(?1 AS TEXT) IS NULL OR e.device_id = ?1)
               AND e.epoch = (SELECT max(epoch) FROM log_exports m WHERE m.device_id = e.device_id)
             ORDER BY e.device_id, e.from_seq, e.through_seq",
            params![device_id],
        )?;
        let mut runs: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
        for row in rows {
            let (device, from, through): (String, i64, i64) = row.parse()?;
            let (from, through) = (from_sql(from), from_sql(through));
            let device_runs = runs.entry(device).or_default();
            match device_runs.last_mut() {
                Some((_, end)) if from <= *end => *end = (*end).max(through),
                _ => device_runs.push((from, through)),
            }
        }
        Ok(runs)
    }

    /// For the next bulletin: per device, the newest entry the archive holds without a gap from
    /// the first export it took (the phone's next export starts after it).
    /// A device whose log a wipe started again since its last export gets none: the archive
    /// holds the old log, and confirming it would make the new log's first export skip as many.
    /// Nor does a device a full wipe closed.
    pub fn log_confirmations(&mut self) -> Result<BTreeMap<String, u64>> {
        // Left out as well: a device closed by a full wipe (it reports no more; a copy of it that
        // does is flagged, and wiped again), so that the bulletin does not grow with history.
        let restarted: Vec<String> = self.db.query_column(
            "SELECT DISTINCT e.device_id FROM log_exports e
                 WHERE (SELECT max(epoch) FROM log_exports m WHERE m.device_id = e.device_id)
                     < (SELECT count(*) FROM receipts r WHERE r.device_id = e.device_id AND r.scope IN ('log', 'all')
                          AND r.reason != 'local_trigger')
                    OR EXISTS (SELECT 1 FROM receipts r WHERE r.device_id = e.device_id AND r.scope = 'all')
                    OR EXISTS (SELECT 1 FROM devices d WHERE d.device_id = e.device_id AND d.retired_at IS NOT NULL)",
            params![],
        )?;
        let restarted: std::collections::HashSet<String> = restarted.into_iter().collect();
        Ok(self
            .coverage(None)?
            .into_iter()
            .filter(|(device, _)| !restarted.contains(device))
            .filter_map(|(device, runs)| runs.first().map(|&(_, through)| (device, through)))
            .collect())
    }

    /// Re-checks the whole archive: each file is there, is what its name says, opens, verifies
    /// against the pinned key and says what the ledger recorded; then every checkpoint is held to
    /// the exports again. Returns the problems (none when all is well) and the findings.
    pub fn verify_archive(&mut self, identity: &str, now: i64) -> Result<(Vec<String>, Vec<Finding>)> {
        let rows: Vec<(String, String, i64, i64, String)> = self
            .db
            .query(
                "SELECT e.digest, e.device_id, e.from_seq, e.through_seq, d.device_key FROM log_exports e
                 JOIN devices d ON d.device_id = e.device_id ORDER BY e.device_id, e.from_seq",
                params![],
            )?
            .iter()
            .map(|r| r.parse())
            .collect::<DbResult<_>>()?;
        let mut problems = Vec::new();
        for (digest, device, from, through, key) in &rows {
            let checked = read_archived(&self.archive_dir(), device, digest).and_then(|sealed| {
                if digest_hex(&sealed) != *digest {
                    bail!("its content is not what its name says");
                }
                let signed = open_sealed(&sealed, identity)?;
                let segment = export::verify(&signed, key)?;
                if (segment.from.seq, segment.to.seq) != (from_sql(*from), from_sql(*through)) {
                    bail!("it holds another range than the ledger recorded");
                }
                Ok(())
            });
            if let Err(err) = checked {
                problems.push(format!("{device}: export {}: {err:#}", &digest[..12]));
            }
        }
        self.db.execute("UPDATE log_checkpoints SET state = 'pending' WHERE state = 'consistent'", params![])?;
        let devices: Vec<String> =
            self.db.query_column("SELECT DISTINCT device_id FROM log_checkpoints ORDER BY device_id", params![])?;
        for device in devices {
            self.check_log(&device, identity, now)?;
        }
        Ok((problems, self.log_findings(None)?))
    }
}
