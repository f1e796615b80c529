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
use crate::db::{DbResult, Sql};
use crate::params;
use anyhow::{anyhow, bail, Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use televisit_protocol::export::{self, ExportedEntry, Segment, SignedExport};

mod findings;

pub(crate) use findings::insert_finding;
pub(super) use findings::record_report;
use findings::{epoch_at, hold_to_export, record_checkpoint};
pub use findings::{Finding, FindingKind};

pub const DIR: &str = "archive";
/// Six years: HIPAA's retention of documentation (164.316(b)(2)), the policy's default.
pub const DEFAULT_RETENTION_DAYS: u32 = 2190;
/// A sealed export larger than this is refused before it is read (a year of a busy phone's log
/// is a few megabytes).
pub const MAX_EXPORT_BYTES: u64 = 512 * 1024 * 1024;

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

/// Decrypts a sealed export with one of the organisation's export identities (one per line,
/// newest first: a rotated recipient's identity stays, to open what was sealed to it) and reads it
/// (not yet verified).
pub fn open_sealed(sealed: &[u8], identities: &str) -> Result<SignedExport> {
    let identities = identities
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.parse::<age::x25519::Identity>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| anyhow!("the export identity is not an age X25519 identity"))?;
    let json = identities
        .iter()
        .find_map(|identity| age::decrypt(identity, sealed).ok())
        .map(zeroize::Zeroizing::new)
        .ok_or_else(|| {
            anyhow!(
                "invalid log export: does not open with this organisation's identity (another organisation's, or damaged)"
            )
        })?;
    Ok(export::parse(&json)?)
}

pub(super) fn to_sql(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| anyhow!("a sequence number beyond what the ledger stores"))
}

pub(super) fn from_sql(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Ledger {
    /// The device key pinned for a device, if the ledger knows it.
    pub fn device_key(&mut self, device_id: &str) -> Result<Option<String>> {
        Ok(self
            .db
            .query_opt("SELECT device_key FROM devices WHERE device_id = ?1", params![device_id])?
            .map(|r| r.get(0))
            .transpose()?)
    }

    pub(super) fn archive_dir(&self) -> PathBuf {
        self.archive_dir.clone()
    }

    /// Verifies a sealed export against the device key the ledger pinned and archives it; the
    /// same file twice changes nothing. Refused (an error, nothing stored): another organisation's,
    /// a device the ledger does not know, a signature by another key, entries that do not lead to
    /// the checkpoint the export vouches for. Findings are for `log_findings` to report.
    pub fn archive_export(&mut self, sealed: &[u8], identity: &str, now: i64) -> Result<Archived> {
        let digest = digest_hex(sealed);
        let known: Option<(String, i64, i64, i64)> = self
            .db
            .query_opt(
                "SELECT device_id, from_seq, through_seq, entries FROM log_exports WHERE digest = ?1",
                params![&digest],
            )?
            .map(|r| r.parse())
            .transpose()?;
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
        let mut tx = self.db.transaction()?;
        let exported_at = body.exported_at_ms.div_euclid(1000);
        let epoch = epoch_at(&mut tx, &body.device_id, exported_at)?;
        let entries = u64::try_from(body.entries.len()).unwrap_or(u64::MAX);
        tx.execute(
            "INSERT INTO log_exports (digest, device_id, enrollment_id, epoch, from_seq, from_hash, through_seq, through_hash,
                                      entries, whole, oldest_at_ms, newest_at_ms, exported_at, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                &digest,
                &body.device_id,
                &body.enrollment_id,
                epoch,
                to_sql(segment.from.seq)?,
                &body.from.h,
                to_sql(segment.to.seq)?,
                &body.to.h,
                to_sql(entries)?,
                body.whole,
                at_ms(body.entries.first()),
                at_ms(body.entries.last()),
                exported_at,
                now
            ],
        )?;
        record_checkpoint(&mut tx, &body.device_id, segment.from, "export_from", &digest, exported_at, now)?;
        record_checkpoint(&mut tx, &body.device_id, segment.to, "export", &digest, exported_at, now)?;
        hold_to_export(&mut tx, &body.device_id, epoch, &segment, &digest, now)?;
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

    /// The archived entries of one device that match, oldest first, each once (exports overlap
    /// when a whole one was asked for), opening the sealed files it needs.
    pub fn search_log(&mut self, query: &SearchQuery, identity: &str) -> Result<Vec<ArchivedEntry>> {
        let files: Vec<String> = self.db.query_column(
            "SELECT digest FROM log_exports WHERE device_id = ?1
                 AND epoch = (SELECT max(epoch) FROM log_exports WHERE device_id = ?1) ORDER BY from_seq, through_seq",
            params![&query.device_id],
        )?;
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

    /// Removes archived exports whose newest entry is older than `retention_days` (never fewer
    /// than the default six years' worth of days, unless the policy keeps the log for longer),
    /// and says what. An entry's time is the phone's claim, and its holder sets the clock: an
    /// export is also kept for the retention after IT received it, so that entries dated years
    /// back are never pruned the day they arrive. The checkpoints stay: what remains still
    /// continues from them.
    pub fn prune_archive(&mut self, retention_days: u32, now: i64, dry_run: bool) -> Result<Vec<Pruned>> {
        let cutoff_ms = now
            .checked_sub(i64::from(retention_days) * 86_400)
            .and_then(|s| s.checked_mul(1000))
            .ok_or_else(|| anyhow!("the retention reaches outside the calendar"))?;
        let old: Vec<(String, String, i64, i64, i64)> = self
            .db
            .query(
                "SELECT digest, device_id, from_seq, through_seq, newest_at_ms FROM log_exports
                 WHERE GREATEST(coalesce(newest_at_ms, exported_at * 1000), imported_at * 1000) < ?1
                 ORDER BY device_id, from_seq",
                params![cutoff_ms],
            )?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<Option<i64>>(4)?.unwrap_or(0))))
            .collect::<DbResult<_>>()?;
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
            let mut tx = self.db.transaction()?;
            tx.execute("DELETE FROM log_exports WHERE digest = ?1", params![&p.digest])?;
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

pub(super) fn archived_segment(dir: &Path, device_id: &str, digest: &str, identity: &str) -> Result<Segment> {
    let sealed = read_archived(dir, device_id, digest)?;
    // Verified when it was archived; walked again for the points inside it.
    Ok(export::walk(&open_sealed(&sealed, identity)?.body)?)
}

pub(super) fn read_archived(dir: &Path, device_id: &str, digest: &str) -> Result<Vec<u8>> {
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
