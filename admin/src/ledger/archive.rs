//! IT's archive of activity logs: every sealed export a phone sent, kept as it came
//! (content-addressed under `ORG/archive/DEVICE/`), verified against the device key the ledger
//! pinned, and held to every checkpoint IT has seen for that device (from its reports and earlier
//! exports). What does not fit is a finding, kept in the ledger and shown in the fleet report:
//! a fork (two histories at one size), a rollback (a later checkpoint smaller than an earlier
//! one) or a gap (entries no export holds).
//!
//! A wipe of the log (a receipt with scope `log` or `all`) starts the device's log again from
//! one: checkpoints and exports are compared only within one such epoch.

use super::{digest_hex, Ledger};
use anyhow::{anyhow, bail, Context, Result};
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use televisit_protocol::checkpoint::{Checkpoint, Point};
use televisit_protocol::export::{self, ExportedEntry, Segment, SignedExport};
use televisit_protocol::report::DeviceReport;

pub const DIR: &str = "archive";
/// Six years: HIPAA's retention of documentation (164.316(b)(2)), the policy's default.
pub const DEFAULT_RETENTION_DAYS: u32 = 2190;
/// A sealed export larger than this is refused before it is read (a year of a busy phone's log
/// is a few megabytes).
pub const MAX_EXPORT_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// Two different histories at one size: the log was rewritten after IT saw it.
    Fork,
    /// A checkpoint smaller than one the phone signed earlier: entries were taken back.
    Rollback,
    /// Entries that no archived export holds.
    Gap,
}

impl FindingKind {
    pub fn code(self) -> &'static str {
        match self {
            FindingKind::Fork => "fork",
            FindingKind::Rollback => "rollback",
            FindingKind::Gap => "gap",
        }
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
        format!("{}: log {} at seq {}: {}", self.device_id, self.kind.to_uppercase(), self.seq, self.detail)
    }
}

/// What one `log import` of a file did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Archived {
    pub device_id: String,
    pub digest: String,
    pub from_seq: u64,
    pub through_seq: u64,
    pub entries: u64,
    /// False when the same file was archived before: nothing changed.
    pub new: bool,
}

impl Archived {
    /// One line about the file `name`, as `log import` says it.
    pub fn line(&self, name: &str) -> String {
        let (first, through) = (self.from_seq.saturating_add(1), self.through_seq);
        if self.new {
            format!("{name}: archived {} entries {first} to {through} ({} entries)", self.device_id, self.entries)
        } else {
            format!("{name}: already archived ({}, entries {first} to {through}): nothing changed", self.device_id)
        }
    }
}

/// An entry found by `log search`: the exported entry, and the device it came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArchivedEntry {
    pub device_id: String,
    #[serde(flatten)]
    pub entry: ExportedEntry,
}

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub device_id: String,
    pub patient: Option<String>,
    pub kinds: Vec<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

/// An export removed by `log prune`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pruned {
    pub device_id: String,
    pub digest: String,
    pub from_seq: u64,
    pub through_seq: u64,
    pub newest_entry_at_ms: i64,
}

/// Decrypts a sealed export with the organisation's export identity and reads it (not yet verified).
pub fn open_sealed(sealed: &[u8], identity: &str) -> Result<SignedExport> {
    let identity: age::x25519::Identity =
        identity.trim().parse().map_err(|_| anyhow!("the export identity is not an age X25519 identity"))?;
    let json = zeroize::Zeroizing::new(age::decrypt(&identity, sealed).map_err(|_| {
        anyhow!(
            "invalid log export: does not open with this organisation's identity (another organisation's, or damaged)"
        )
    })?);
    Ok(export::parse(&json)?)
}

fn to_sql(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| anyhow!("a sequence number beyond what the ledger stores"))
}

fn from_sql(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The number of log-wiping receipts the device completed by `at` (Unix seconds).
fn epoch_at(tx: &Transaction<'_>, device_id: &str, at: i64) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "SELECT count(*) FROM receipts WHERE device_id = ?1 AND scope IN ('log', 'all') AND completed_at <= ?2",
    )?
    .query_row(params![device_id, at], |r| r.get(0))
}

/// Records a checkpoint and the findings it makes at once (same size, other hash; smaller than
/// one signed earlier, or larger than one signed later). `role` is `report`, `export` (an
/// export's end) or `export_from` (an export's start, which vouches for no size).
pub(super) fn record_checkpoint(
    tx: &Transaction<'_>,
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
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO log_checkpoints (device_id, epoch, size, hash, role, source, signed_at, seen_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
        )?
        .execute(params![device_id, epoch, size, hash, role, source, signed_at, now])?;
    if inserted == 0 {
        return Ok(());
    }
    let other: Option<String> = tx
        .prepare_cached(
            "SELECT hash FROM log_checkpoints WHERE device_id = ?1 AND epoch = ?2 AND size = ?3 AND hash != ?4 LIMIT 1",
        )?
        .query_row(params![device_id, epoch, size, hash], |r| r.get(0))
        .optional()?;
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
    if role == "export_from" {
        return Ok(());
    }
    // A pair signed in one order whose sizes run the other way.
    let pair: Option<(i64, i64, i64, i64)> = tx
        .prepare_cached(
            "SELECT a.size, a.signed_at, b.size, b.signed_at FROM log_checkpoints a, log_checkpoints b
             WHERE a.device_id = ?1 AND b.device_id = ?1 AND a.epoch = ?2 AND b.epoch = ?2
               AND a.role != 'export_from' AND b.role != 'export_from'
               AND a.signed_at < b.signed_at AND a.size > b.size
               AND (a.size = ?3 OR b.size = ?3)
             ORDER BY b.size LIMIT 1",
        )?
        .query_row(params![device_id, epoch, size], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
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

fn add_finding(
    tx: &Transaction<'_>,
    device_id: &str,
    kind: FindingKind,
    seq: u64,
    detail: &str,
    now: i64,
) -> Result<()> {
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO log_findings (device_id, kind, seq, detail, found_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![device_id, kind.code(), to_sql(seq)?, detail, now])?;
    if added > 0 {
        tx.prepare_cached("INSERT INTO events (at, device_id, kind, detail) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![now, device_id, format!("log_{}", kind.code()), format!("seq {seq}: {detail}")])?;
    }
    Ok(())
}

/// A verified report's checkpoint, recorded with the report.
pub(super) fn record_report(tx: &Transaction<'_>, report: &DeviceReport, digest: &str, now: i64) -> Result<()> {
    if let Some(cp) = &report.cp {
        record_checkpoint(tx, &report.dev, cp.point()?, "report", digest, report.at, now)?;
    }
    Ok(())
}

impl Ledger {
    /// The device key pinned for a device, if the ledger knows it.
    pub fn device_key(&self, device_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT device_key FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0))
            .optional()?)
    }

    /// Devices with a checkpoint not yet held to an archived export.
    pub fn devices_with_unchecked_checkpoints(&self) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare("SELECT DISTINCT device_id FROM log_checkpoints WHERE state = 'pending' ORDER BY device_id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn archive_dir(&self) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join(DIR)
    }

    /// Verifies a sealed export against the device key the ledger pinned and archives it; the
    /// same file twice changes nothing. Refused (an error, nothing stored): another organisation's,
    /// a device the ledger does not know, a signature by another key, entries that do not lead to
    /// the checkpoint the export vouches for. Findings are for `log_findings` to report.
    pub fn archive_export(&mut self, sealed: &[u8], identity: &str, now: i64) -> Result<Archived> {
        let digest = digest_hex(sealed);
        let known: Option<(String, i64, i64, i64)> = self
            .conn
            .query_row(
                "SELECT device_id, from_seq, through_seq, entries FROM log_exports WHERE digest = ?1",
                [&digest],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        if let Some((device_id, from, through, entries)) = known {
            let (from_seq, through_seq, entries) = (from_sql(from), from_sql(through), from_sql(entries));
            return Ok(Archived { device_id, digest, from_seq, through_seq, entries, new: false });
        }
        let signed = open_sealed(sealed, identity)?;
        let body = &signed.body;
        if body.org != self.org_id {
            bail!("invalid log export: it is of another organisation's device");
        }
        let Some(pinned) = self.device_key(&body.device_id)? else {
            bail!(
                "the export is of device {}, which the ledger does not know: import its report first",
                body.device_id
            );
        };
        let segment = export::verify(&signed, &pinned).context("the export does not verify")?;
        let dir = self.archive_dir().join(&body.device_id);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let file = dir.join(format!("{digest}.age"));
        write_new(&file, sealed)?;
        let at_ms = |e: Option<&ExportedEntry>| e.map(|e| e.at_ms);
        let tx = self.conn.transaction()?;
        let exported_at = body.exported_at_ms.div_euclid(1000);
        let epoch = epoch_at(&tx, &body.device_id, exported_at)?;
        let entries = u64::try_from(body.entries.len()).unwrap_or(u64::MAX);
        tx.execute(
            "INSERT INTO log_exports (digest, device_id, enrollment_id, epoch, from_seq, from_hash, through_seq, through_hash,
                                      entries, whole, oldest_at_ms, newest_at_ms, exported_at, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                digest,
                body.device_id,
                body.enrollment_id,
                epoch,
                to_sql(segment.from.seq)?,
                body.from.h,
                to_sql(segment.to.seq)?,
                body.to.h,
                to_sql(entries)?,
                body.whole,
                at_ms(body.entries.first()),
                at_ms(body.entries.last()),
                exported_at,
                now
            ],
        )?;
        record_checkpoint(&tx, &body.device_id, segment.from, "export_from", &digest, exported_at, now)?;
        record_checkpoint(&tx, &body.device_id, segment.to, "export", &digest, exported_at, now)?;
        tx.commit()?;
        Ok(Archived {
            device_id: body.device_id.clone(),
            digest,
            from_seq: segment.from.seq,
            through_seq: segment.to.seq,
            entries,
            new: true,
        })
    }

    /// Checks every checkpoint of `device_id` not yet held to an archived export that covers its
    /// size (opening the sealed files it needs), and returns the device's findings.
    pub fn check_log(&mut self, device_id: &str, identity: &str, now: i64) -> Result<Vec<Finding>> {
        let dir = self.archive_dir();
        let tx = self.conn.transaction()?;
        let pending: Vec<(i64, i64, String)> = tx
            .prepare("SELECT epoch, size, hash FROM log_checkpoints WHERE device_id = ?1 AND state = 'pending' ORDER BY size")?
            .query_map([device_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut opened: HashMap<String, Segment> = HashMap::new();
        for (epoch, size, hash) in pending {
            let covering: Option<(String, i64, String, i64, String)> = tx
                .prepare_cached(
                    "SELECT digest, from_seq, from_hash, through_seq, through_hash FROM log_exports
                     WHERE device_id = ?1 AND epoch = ?2 AND from_seq <= ?3 AND through_seq >= ?3
                     ORDER BY (from_seq = ?3 OR through_seq = ?3) DESC LIMIT 1",
                )?
                .query_row(params![device_id, epoch, size], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?;
            let Some((digest, from, from_hash, through, through_hash)) = covering else {
                continue;
            };
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
                let point = segment.hash_at(from_sql(size)).ok_or_else(|| anyhow!("an archived export ends early"))?;
                Checkpoint::from_point(Point { seq: from_sql(size), hash: point }).h
            };
            let state = if archived_hash == hash { "consistent" } else { "fork" };
            tx.execute(
                "UPDATE log_checkpoints SET state = ?4 WHERE device_id = ?1 AND epoch = ?2 AND size = ?3 AND hash = ?5",
                params![device_id, epoch, size, state, hash],
            )?;
            if state == "fork" {
                let detail = "an export names another history than a checkpoint the device signed";
                add_finding(&tx, device_id, FindingKind::Fork, from_sql(size), detail, now)?;
            }
        }
        tx.commit()?;
        self.log_findings(Some(device_id))
    }

    /// Forks and rollbacks found so far, and the gaps in what the archive holds, for one device
    /// or all.
    pub fn log_findings(&self, device_id: Option<&str>) -> Result<Vec<Finding>> {
        let mut findings: Vec<Finding> = self
            .conn
            .prepare(
                "SELECT device_id, kind, seq, detail FROM log_findings WHERE ?1 IS NULL OR device_id = ?1 ORDER BY device_id, seq",
            )?
            .query_map([device_id], |r| {
                let kind: String = r.get(1)?;
                Ok(Finding {
                    device_id: r.get(0)?,
                    kind: if kind == "fork" { "fork" } else { "rollback" },
                    seq: from_sql(r.get(2)?),
                    detail: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
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
    fn coverage(&self, device_id: Option<&str>) -> Result<BTreeMap<String, Vec<(u64, u64)>>> {
        let mut stmt = self.conn.prepare(
            "SELECT e.device_id, e.from_seq, e.through_seq FROM log_exports e
             WHERE (?1 IS NULL OR e.device_id = ?1)
               AND e.epoch = (SELECT max(epoch) FROM log_exports m WHERE m.device_id = e.device_id)
             ORDER BY e.device_id, e.from_seq, e.through_seq",
        )?;
        let rows =
            stmt.query_map([device_id], |r| Ok((r.get::<_, String>(0)?, from_sql(r.get(1)?), from_sql(r.get(2)?))))?;
        let mut runs: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
        for row in rows {
            let (device, from, through) = row?;
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
    pub fn log_confirmations(&self) -> Result<BTreeMap<String, u64>> {
        Ok(self
            .coverage(None)?
            .into_iter()
            .filter_map(|(device, runs)| runs.first().map(|&(_, through)| (device, through)))
            .collect())
    }

    /// The archived entries of one device that match, oldest first, each once (exports overlap
    /// when a whole one was asked for), opening the sealed files it needs.
    pub fn search_log(&self, query: &SearchQuery, identity: &str) -> Result<Vec<ArchivedEntry>> {
        let files: Vec<String> = self
            .conn
            .prepare(
                "SELECT digest FROM log_exports WHERE device_id = ?1
                 AND epoch = (SELECT max(epoch) FROM log_exports WHERE device_id = ?1) ORDER BY from_seq, through_seq",
            )?
            .query_map([&query.device_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if files.is_empty() {
            bail!("the archive holds no export of device {}", query.device_id);
        }
        let mut found = Vec::new();
        let mut after: Option<u64> = None;
        for digest in files {
            let sealed = read_archived(&self.archive_dir(), &query.device_id, &digest)?;
            let signed = open_sealed(&sealed, identity)?;
            for e in signed.body.entries {
                if after.is_some_and(|a| e.seq <= a) {
                    continue;
                }
                after = Some(e.seq);
                let wanted = query.patient.as_ref().is_none_or(|p| e.patient.as_ref() == Some(p))
                    && (query.kinds.is_empty() || query.kinds.contains(&e.kind))
                    && query.since_ms.is_none_or(|s| e.at_ms >= s)
                    && query.until_ms.is_none_or(|u| e.at_ms < u);
                if wanted {
                    found.push(ArchivedEntry { device_id: query.device_id.clone(), entry: e });
                }
            }
        }
        Ok(found)
    }

    /// Re-checks the whole archive: each file is there, is what its name says, opens, verifies
    /// against the pinned key and says what the ledger recorded; then every checkpoint is held to
    /// the exports again. Returns the problems (none when all is well) and the findings.
    pub fn verify_archive(&mut self, identity: &str, now: i64) -> Result<(Vec<String>, Vec<Finding>)> {
        let rows: Vec<(String, String, i64, i64, String)> = self
            .conn
            .prepare(
                "SELECT e.digest, e.device_id, e.from_seq, e.through_seq, d.device_key FROM log_exports e
                 JOIN devices d ON d.device_id = e.device_id ORDER BY e.device_id, e.from_seq",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
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
        self.conn.execute("UPDATE log_checkpoints SET state = 'pending' WHERE state = 'consistent'", [])?;
        let devices: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT device_id FROM log_checkpoints ORDER BY device_id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for device in devices {
            self.check_log(&device, identity, now)?;
        }
        Ok((problems, self.log_findings(None)?))
    }

    /// Removes archived exports whose newest entry is older than `retention_days` (never fewer
    /// than the default six years' worth of days, unless the policy keeps the log for longer),
    /// and says what. The checkpoints stay: what remains still continues from them.
    pub fn prune_archive(&mut self, retention_days: u32, now: i64, dry_run: bool) -> Result<Vec<Pruned>> {
        let cutoff_ms = now
            .checked_sub(i64::from(retention_days) * 86_400)
            .and_then(|s| s.checked_mul(1000))
            .ok_or_else(|| anyhow!("the retention reaches outside the calendar"))?;
        let old: Vec<(String, String, i64, i64, i64)> = self
            .conn
            .prepare(
                "SELECT digest, device_id, from_seq, through_seq, newest_at_ms FROM log_exports
                 WHERE coalesce(newest_at_ms, exported_at * 1000) < ?1 ORDER BY device_id, from_seq",
            )?
            .query_map([cutoff_ms], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, Option<i64>>(4)?.unwrap_or(0)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let pruned: Vec<Pruned> = old
            .into_iter()
            .map(|(digest, device_id, from, through, newest)| Pruned {
                device_id,
                digest,
                from_seq: from_sql(from),
                through_seq: from_sql(through),
                newest_entry_at_ms: newest,
            })
            .collect();
        if dry_run {
            return Ok(pruned);
        }
        for p in &pruned {
            let tx = self.conn.transaction()?;
            tx.execute("DELETE FROM log_exports WHERE digest = ?1", [&p.digest])?;
            tx.execute(
                "INSERT INTO events (at, device_id, kind, detail) VALUES (?1, ?2, 'log_pruned', ?3)",
                params![
                    now,
                    p.device_id,
                    format!(
                        "export {} of entries {}..={} removed after {retention_days} days",
                        &p.digest[..12],
                        p.from_seq.saturating_add(1),
                        p.through_seq
                    )
                ],
            )?;
            tx.commit()?;
            let file = self.archive_dir().join(&p.device_id).join(format!("{}.age", p.digest));
            match fs::remove_file(&file) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err).with_context(|| format!("cannot remove {}", file.display())),
            }
        }
        Ok(pruned)
    }
}

fn archived_segment(dir: &Path, device_id: &str, digest: &str, identity: &str) -> Result<Segment> {
    let sealed = read_archived(dir, device_id, digest)?;
    // Verified when it was archived; walked again for the points inside it.
    Ok(export::walk(&open_sealed(&sealed, identity)?.body)?)
}

fn read_archived(dir: &Path, device_id: &str, digest: &str) -> Result<Vec<u8>> {
    let file = dir.join(device_id).join(format!("{digest}.age"));
    fs::read(&file).with_context(|| format!("the archived export {} is missing", file.display()))
}

/// Writes the file whole (to a temporary name, synced, then renamed), so that an archived name
/// never holds half a file; one already there with these very bytes (an import that stopped
/// before its ledger row) is taken as it is.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.exists() {
        if fs::read(path).ok().as_deref() == Some(bytes) {
            return Ok(());
        }
        bail!("{} exists with other content: run `log verify-archive`", path.display());
    }
    let part = path.with_extension("part");
    let mut file = fs::File::create(&part).with_context(|| format!("cannot create {}", part.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&part, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
