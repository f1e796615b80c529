//! IT's fleet ledger: one SQLite file beside the organisation's keys (`ORG/ledger.db`) holding
//! every device (its pinned key and what its reports say), every command IT issued (wipes,
//! bulletins, enrollment codes), every receipt (verified against the pinned key) and every
//! import with its outcome. Nothing here holds a patient's name or number: none reaches IT (a
//! report and a receipt carry ids, versions and counts only), and the MDM's user id is the
//! clinician's account, not a patient's.
//!
//! Every write is one transaction; the schema moves forward with `user_version` migrations.

pub mod archive;
pub mod device_findings;
mod import;
pub mod mdm;
mod problems;
mod schema;
pub mod views;

pub use archive::{Archived, ArchivedEntry, Finding, Pruned, SearchQuery};
pub use import::{FileOutcome, LineProblem, MAX_IMPORT_BYTES};
pub use mdm::graph::ConfigStatus;
pub use mdm::{Format, MalformedFile};
pub use views::{DeviceFilter, DeviceKey, DeviceRow, WipeRow, WipeState, DEFAULT_STALE_SECONDS};

use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use televisit_protocol::bulletin::MAX_RECEIPT_CONFIRMATIONS;
use televisit_protocol::envelope;
use televisit_protocol::report::DeviceReport;
use televisit_protocol::wipe::{Cancel, WipeCommand, MAX_MERGED};

pub const FILE: &str = "ledger.db";
/// How long after a receipt was last seen published the bulletins keep confirming it.
pub const RECEIPT_CONFIRMED_FOR: i64 = 31 * 86_400;

pub struct Ledger {
    conn: Connection,
    /// `envelope::key_id` of the organisation's signing key: reports must name it.
    org_id: String,
    path: PathBuf,
}

/// What IT issued, as the ledger records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    Wipe,
    Bulletin,
    EnrollCode,
}

impl CommandKind {
    pub fn code(self) -> &'static str {
        match self {
            CommandKind::Wipe => "wipe",
            CommandKind::Bulletin => "bulletin",
            CommandKind::EnrollCode => "enroll_code",
        }
    }
}

impl Ledger {
    /// Opens (or makes) the ledger of the organisation whose public signing key is `org_key`,
    /// in `org_dir`. A ledger of another organisation, or a file that is not one, is refused.
    pub fn open(org_dir: &Path, org_key: &str) -> Result<Ledger> {
        let org_id = envelope::key_id(org_key).context("the organisation's signing key is not a key")?;
        let path = org_dir.join(FILE);
        let conn = Connection::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        let shown = path.display().to_string();
        let damaged = || format!("{shown} is damaged or not a ledger: restore it from a backup");
        conn.busy_timeout(std::time::Duration::from_secs(10)).with_context(damaged)?;
        conn.pragma_update(None, "journal_mode", "WAL").with_context(damaged)?;
        conn.pragma_update(None, "foreign_keys", true).with_context(damaged)?;
        let mut ledger = Ledger { conn, org_id, path };
        match schema::migrate(&mut ledger.conn) {
            Err(schema::MigrateError::Newer) => {
                bail!("{} was written by a newer televisit-admin: use that version", ledger.path.display())
            }
            Err(schema::MigrateError::Sqlite(err)) => return Err(err).with_context(damaged),
            Ok(()) => {}
        }
        ledger.check_org()?;
        Ok(ledger)
    }

    fn check_org(&self) -> Result<()> {
        let stored: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE name = 'org'", [], |r| r.get(0)).optional()?;
        match stored {
            Some(id) if id == self.org_id => Ok(()),
            Some(_) => bail!("{} is the ledger of another organisation: it was not opened", self.path.display()),
            None => {
                self.conn.execute("INSERT INTO meta (name, value) VALUES ('org', ?1)", [&self.org_id])?;
                Ok(())
            }
        }
    }

    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    /// Records a wipe command IT signed, for the device named in it.
    /// Who issued it is the admin key that signed it, when a named key did (the name phones
    /// check it against); `issued_by` otherwise.
    pub fn record_wipe(&mut self, command: &WipeCommand, text: &str, issued_by: &str, now: i64) -> Result<()> {
        let issued_by = command.signed_by.as_deref().unwrap_or(issued_by);
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO commands (command_id, kind, device_id, enrollment_id, scope, reason, issued_by, issued_at, expires_at, text)
             VALUES (?1, 'wipe', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                command.command_id,
                command.device_id,
                command.enrollment_id,
                command.scope.code(),
                reason_code(command.reason),
                issued_by,
                now,
                command.expires_at,
                text
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records a bulletin or an enrollment code (its id, or the digest of its text).
    pub fn record_issued(
        &mut self,
        kind: CommandKind,
        id: &str,
        issued_by: &str,
        now: i64,
        expires_at: i64,
        detail: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO commands (command_id, kind, issued_by, issued_at, expires_at, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, kind.code(), issued_by, now, expires_at, detail],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every wipe that is still to be carried out and has not expired, as its admin signed it:
    /// what the next bulletin carries.
    pub fn pending_wipes(&self, now: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.text FROM commands c
             WHERE c.kind = 'wipe' AND c.expires_at > ?1 AND c.cancelled_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM receipt_commands rc WHERE rc.command_id = c.command_id)
             ORDER BY c.issued_at, c.command_id",
        )?;
        let rows = stmt.query_map([now], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For the next bulletin: per device, the command ids of the newest wipe receipt the ledger
    /// holds from it (its command and those merged into it), for receipts seen published within
    /// `RECEIPT_CONFIRMED_FOR` of `now`. A phone forgets its receipt only on this word; after a
    /// month unseen it has (or is gone), and the bulletin stays small.
    pub fn receipt_confirmations(&self, now: i64) -> Result<BTreeMap<String, Vec<String>>> {
        Ok(self.receipts_to_confirm(now)?.into_iter().collect())
    }

    /// What the next bulletin confirms, each list most urgent first (a bulletin that cannot hold
    /// them all takes the first): receipts most recently seen, logs most recently archived.
    pub fn confirmations(&self, now: i64) -> Result<crate::fleet_bulletin::Confirmations> {
        let archived: std::collections::HashMap<String, i64> = self
            .conn
            .prepare("SELECT device_id, max(imported_at) FROM log_exports GROUP BY device_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut logs: Vec<(String, u64)> = self.log_confirmations()?.into_iter().collect();
        logs.sort_by_key(|(device, _)| std::cmp::Reverse(archived.get(device).copied().unwrap_or(0)));
        Ok(crate::fleet_bulletin::Confirmations {
            logs,
            receipts: self.receipts_to_confirm(now)?,
            cancelled: self.cancelled_wipes(now)?,
        })
    }

    fn receipts_to_confirm(&self, now: i64) -> Result<Vec<(String, Vec<String>)>> {
        let since = now.saturating_sub(RECEIPT_CONFIRMED_FOR);
        let mut stmt = self.conn.prepare(
            "SELECT r.device_id, rc.command_id FROM receipts r
             JOIN receipt_commands rc ON rc.receipt_digest = r.digest
             WHERE r.seen_at >= ?1
               AND NOT EXISTS (SELECT 1 FROM receipts newer WHERE newer.device_id = r.device_id
                               AND (newer.completed_at, newer.digest) > (r.completed_at, r.digest))
             ORDER BY r.seen_at DESC, r.device_id, rc.command_id",
        )?;
        let rows = stmt.query_map([since], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        // In the order the rows come: the most recently seen first. Beyond the protocol's limit
        // the rest wait (a fleet never has that many phones wiped within a month).
        let mut confirmations: Vec<(String, Vec<String>)> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for row in rows {
            let (device, command) = row?;
            let index = match at.get(&device) {
                Some(&index) => index,
                None if confirmations.len() >= MAX_RECEIPT_CONFIRMATIONS => continue,
                None => {
                    at.insert(device.clone(), confirmations.len());
                    confirmations.push((device, Vec::new()));
                    confirmations.len() - 1
                }
            };
            let commands = &mut confirmations[index].1;
            if commands.len() <= MAX_MERGED {
                commands.push(command);
            }
        }
        Ok(confirmations)
    }

    /// Takes a wipe back (`wipe cancel`): it leaves the bulletins, and every bulletin until it
    /// would have expired names it as cancelled, so that a phone that has not run it yet
    /// refuses it whichever way it arrives. Returns whether it had run already (its receipt is
    /// in the ledger): then only the record says so. Logged.
    pub fn cancel_wipe(&mut self, command_id: &str, by: &str, cancel: Option<&Cancel>, now: i64) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let found: Option<Option<i64>> = tx
            .query_row("SELECT cancelled_at FROM commands WHERE command_id = ?1 AND kind = 'wipe'", [command_id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(cancelled_at) = found else {
            bail!("no wipe command in the ledger has this id");
        };
        let ran: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM receipt_commands WHERE command_id = ?1)", [command_id], |r| {
                r.get(0)
            })?;
        if cancelled_at.is_none() {
            let signed = cancel.map(serde_json::to_string).transpose()?;
            let by = cancel.and_then(|c| c.signed_by.as_deref()).unwrap_or(by);
            tx.execute(
                "UPDATE commands SET cancelled_at = ?2, cancelled_by = ?3, cancel_text = ?4 WHERE command_id = ?1",
                params![command_id, now, by, signed],
            )?;
            tx.execute(
                "INSERT INTO events (at, device_id, kind, detail)
                 SELECT ?2, device_id, 'wipe_cancelled', ?3 FROM commands WHERE command_id = ?1",
                params![command_id, now, format!("{command_id} cancelled by {by}")],
            )?;
        }
        tx.commit()?;
        Ok(ran)
    }

    /// The cancelled wipes that have not expired, as an admin's key signed each: what the next
    /// bulletin names as cancelled.
    pub fn cancelled_wipes(&self, now: i64) -> Result<Vec<Cancel>> {
        let mut stmt = self.conn.prepare(
            "SELECT cancel_text FROM commands WHERE kind = 'wipe' AND cancelled_at IS NOT NULL AND expires_at > ?1
               AND cancel_text IS NOT NULL
             ORDER BY cancelled_at DESC, command_id",
        )?;
        let rows = stmt.query_map([now], |r| r.get::<_, String>(0))?;
        let mut cancels = Vec::new();
        for row in rows {
            cancels.push(serde_json::from_str(&row?).context("a cancellation in the ledger is damaged")?);
        }
        Ok(cancels)
    }

    /// Cancelled wipes, not expired, whose cancellation no key signed yet (recorded before
    /// cancellations were signed): the next `bulletin sign` whose key may sign one does.
    pub fn unsigned_cancellations(&self, now: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT command_id FROM commands WHERE kind = 'wipe' AND cancelled_at IS NOT NULL AND expires_at > ?1
               AND cancel_text IS NULL ORDER BY cancelled_at, command_id",
        )?;
        let rows = stmt.query_map([now], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps the signed cancellation of a wipe cancelled before cancellations were signed.
    pub fn sign_cancellation(&mut self, cancel: &Cancel) -> Result<()> {
        self.conn.execute(
            "UPDATE commands SET cancel_text = ?2 WHERE command_id = ?1 AND cancel_text IS NULL",
            params![cancel.command_id, serde_json::to_string(cancel)?],
        )?;
        Ok(())
    }

    /// Signs a cancellation again (`wipe cancel` of a wipe already cancelled): another admin's
    /// word, before the first admin's key is revoked.
    pub fn replace_cancellation(&mut self, cancel: &Cancel) -> Result<()> {
        self.conn.execute(
            "UPDATE commands SET cancel_text = ?2, cancelled_by = coalesce(?3, cancelled_by)
             WHERE command_id = ?1 AND cancelled_at IS NOT NULL",
            params![cancel.command_id, serde_json::to_string(cancel)?, cancel.signed_by],
        )?;
        Ok(())
    }

    /// The cancellations in force (not expired) that the key `name` signed: what stops working
    /// when it is revoked.
    pub fn cancellations_signed_by(&self, name: &str, now: i64) -> Result<Vec<String>> {
        Ok(self
            .cancelled_wipes(now)?
            .into_iter()
            .filter(|c| c.signed_by.as_deref() == Some(name))
            .map(|c| c.command_id)
            .collect())
    }

    /// Retires a device on purpose (replaced, returned, lost for good): it is closed, as a
    /// wiped one is (see `DeviceRow::closed`), and logged. Returns whether it was live.
    pub fn retire(&mut self, device_id: &str, by: &str, now: i64) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let known: Option<Option<i64>> = tx
            .query_row("SELECT retired_at FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0))
            .optional()?;
        let Some(retired_at) = known else {
            bail!("no device in the ledger has this id");
        };
        if retired_at.is_none() {
            tx.execute("UPDATE devices SET retired_at = ?2 WHERE device_id = ?1", params![device_id, now])?;
            tx.execute(
                "INSERT INTO events (at, device_id, kind, detail) VALUES (?1, ?2, 'retired', ?3)",
                params![now, device_id, format!("retired by {by}")],
            )?;
        }
        tx.commit()?;
        Ok(retired_at.is_none())
    }

    /// Re-pins a device's key on purpose (a reinstall IT knows about), from a report it carries,
    /// and logs it. The report must be for that device and of this organisation.
    pub fn repin(&mut self, device_id: &str, report: &DeviceReport, by: &str, now: i64) -> Result<String> {
        if report.dev != device_id {
            bail!("the report is for another device ({})", report.dev);
        }
        if report.org != self.org_id {
            bail!("the report is of another organisation's device");
        }
        let tx = self.conn.transaction()?;
        let old: Option<String> = tx
            .query_row("SELECT device_key FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0))
            .optional()?;
        let Some(old) = old else {
            bail!("no device {device_id} in the ledger: import its report instead");
        };
        tx.execute(
            "UPDATE devices SET device_key = ?2, enrollment_id = ?3, flag = NULL WHERE device_id = ?1",
            params![device_id, report.key, report.enr],
        )?;
        tx.execute(
            "INSERT INTO events (at, device_id, kind, detail) VALUES (?1, ?2, 'repinned', ?3)",
            params![now, device_id, format!("by {by}; key {} replaced by {}", short(&old), short(&report.key))],
        )?;
        import::apply_report(&tx, report, now)?;
        tx.commit()?;
        Ok(old)
    }
}

/// SHA-256 of bytes, in hex: how the ledger names a report, a receipt, a file or a code.
pub fn digest_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

/// The first characters of a key, enough to tell two apart in a log line.
pub(crate) fn short(key: &str) -> String {
    key.chars().take(12).collect()
}

pub(crate) fn reason_code(reason: televisit_protocol::wipe::WipeReason) -> String {
    serde_json::to_value(reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A protocol enum back from the code the ledger stored.
pub(crate) fn parse_code<T: serde::de::DeserializeOwned>(code: &str) -> Result<T> {
    Ok(serde_json::from_value(serde_json::Value::String(code.to_owned()))?)
}

/// Who issues a command: `--by`, or the account running the tool.
pub fn issuer(by: Option<&str>) -> String {
    let name = by.map(str::to_owned).or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "unknown".into());
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}
