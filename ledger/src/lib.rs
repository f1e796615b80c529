//! IT's fleet ledger: one SQLite file beside the organisation's keys (`ORG/ledger.db`) holding
//! every device (its pinned key and what its reports say), every command IT issued (wipes,
//! bulletins, enrollment codes), every receipt (verified against the pinned key) and every
//! import with its outcome. Nothing here holds a patient's name or number: none reaches IT (a
//! report and a receipt carry ids, versions and counts only), and the MDM's user id is the
//! clinician's account, not a patient's.
//!
//! Every write is one transaction; the schema moves forward with `user_version` migrations.

pub mod archive;
pub mod cleanup;
mod commands;
pub mod db;
pub mod device_findings;
mod import;
pub mod mdm;
mod problems;
pub mod relay;
mod schema;
pub mod views;

pub use archive::{Archived, ArchivedEntry, Finding, Pruned, SearchQuery};
pub use cleanup::DeviceCleanup;
pub use commands::wipe_command;
pub use db::{LedgerUnavailable, Location};
pub use import::{FileOutcome, LineProblem, MAX_IMPORT_BYTES};
pub use mdm::graph::ConfigStatus;
pub use mdm::{Format, MalformedFile};
pub use views::{DeviceFilter, DeviceKey, DeviceRow, RelayCheckIns, WipeRow, WipeState, DEFAULT_STALE_SECONDS};

use anyhow::{bail, Context, Result};
pub use db::Value;
use db::{Db, DbResult, Sql};
use std::collections::BTreeMap;
use std::path::Path;
use televisit_protocol::bulletin::MAX_RECEIPT_CONFIRMATIONS;
use televisit_protocol::envelope;
use televisit_protocol::report::DeviceReport;
use televisit_protocol::wipe::{Cancel, WipeCommand, MAX_MERGED};

pub const FILE: &str = "ledger.db";
/// How long after a receipt was last seen published the bulletins keep confirming it.
pub const RECEIPT_CONFIRMED_FOR: i64 = 31 * 86_400;

pub struct Ledger {
    db: Db,
    /// Where sealed log exports are kept (`archive/` beside a SQLite ledger; given for one on
    /// PostgreSQL, `with_archive_dir`).
    archive_dir: std::path::PathBuf,
    /// `envelope::key_id` of the organisation's signing key: reports must name it.
    org_id: String,
    location: Location,
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
        Ledger::open_at(&Location::beside(org_dir), org_key)
    }

    /// Opens (or makes) the ledger at `location`: a SQLite file, or a PostgreSQL database a
    /// team shares. A ledger of another organisation, or one that is not a ledger, is refused;
    /// a server that cannot be reached is `LedgerUnavailable`.
    pub fn open_at(location: &Location, org_key: &str) -> Result<Ledger> {
        let org_id = envelope::key_id(org_key).context("the organisation's signing key is not a key")?;
        let shown = location.shown();
        let db = Db::open(location).map_err(|err| match err {
            db::OpenError::Unavailable(unavailable) => anyhow::Error::new(unavailable),
            other => anyhow::anyhow!("{other}"),
        })?;
        let damaged = || format!("{shown} is damaged or not a ledger: restore it from a backup");
        let archive_dir = match location {
            Location::Sqlite(path) => path.parent().unwrap_or(Path::new(".")).join(archive::DIR),
            Location::Postgres(_) => std::path::PathBuf::from(archive::DIR),
        };
        let mut ledger = Ledger { db, archive_dir, org_id, location: location.clone() };
        match schema::migrate(&mut ledger.db) {
            Err(schema::MigrateError::Newer) => {
                bail!("{shown} was written by a newer televisit-admin: use that version")
            }
            Err(schema::MigrateError::Db(db::DbError::Unavailable(unavailable))) => return Err(unavailable.into()),
            Err(schema::MigrateError::Db(err)) => return Err(err).with_context(damaged),
            Ok(()) => {}
        }
        ledger.check_org()?;
        Ok(ledger)
    }

    fn check_org(&mut self) -> Result<()> {
        let stored: Option<String> =
            self.db.query_opt("SELECT value FROM meta WHERE name = 'org'", params![])?.map(|r| r.get(0)).transpose()?;
        match stored {
            Some(id) if id == self.org_id => Ok(()),
            Some(_) => bail!("{} is the ledger of another organisation: it was not opened", self.location.shown()),
            None => {
                // Two relays opening a new database together: the second finds the first's row.
                self.db.execute(
                    "INSERT INTO meta (name, value) VALUES ('org', ?1) ON CONFLICT (name) DO NOTHING",
                    params![&self.org_id],
                )?;
                let stored: String =
                    self.db.query_one("SELECT value FROM meta WHERE name = 'org'", params![])?.get(0)?;
                if stored != self.org_id {
                    bail!("{} is the ledger of another organisation: it was not opened", self.location.shown());
                }
                Ok(())
            }
        }
    }

    /// Keeps sealed log exports in `dir` (a ledger on PostgreSQL has no folder of its own: IT's
    /// tool uses `ORG/archive`, a relay the directory its configuration names).
    pub fn with_archive_dir(mut self, dir: std::path::PathBuf) -> Ledger {
        self.archive_dir = dir;
        self
    }

    /// Every table and its columns, as the database holds them: the two backends' schemas must
    /// agree (the backends' test), and `ledger check` may show them.
    pub fn columns(&mut self) -> Result<BTreeMap<String, std::collections::BTreeSet<String>>> {
        let sql = match self.db.backend() {
            db::Backend::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
            }
            db::Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name != 'ledger_schema'"
            }
        };
        let mut tables: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
        for row in self.db.query(sql, params![])? {
            let (table, column): (String, String) = row.parse()?;
            tables.entry(table).or_default().insert(column);
        }
        Ok(tables)
    }

    /// Where this ledger is (a file's path, or the server and database with no password).
    pub fn location(&self) -> &Location {
        &self.location
    }

    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    /// Records a wipe command IT signed, for the device named in it.
    /// Who issued it is the admin key that signed it, when a named key did (the name phones
    /// check it against); `issued_by` otherwise.
    pub fn record_wipe(&mut self, command: &WipeCommand, text: &str, issued_by: &str, now: i64) -> Result<()> {
        let issued_by = command.signed_by.as_deref().unwrap_or(issued_by);
        let mut tx = self.db.transaction()?;
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
        let mut tx = self.db.transaction()?;
        tx.execute(
            "INSERT INTO commands (command_id, kind, issued_by, issued_at, expires_at, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (command_id) DO NOTHING",
            params![id, kind.code(), issued_by, now, expires_at, detail],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every wipe that is still to be carried out and has not expired, as its admin signed it:
    /// what the next bulletin carries.
    pub fn pending_wipes(&mut self, now: i64) -> Result<Vec<String>> {
        Ok(self.db.query_column(
            "SELECT c.text FROM commands c
             WHERE c.kind = 'wipe' AND c.expires_at > ?1 AND c.cancelled_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM receipt_commands rc WHERE rc.command_id = c.command_id)
             ORDER BY c.issued_at, c.command_id",
            params![now],
        )?)
    }

    /// For the next bulletin: per device, the command ids of the newest wipe receipt the ledger
    /// holds from it (its command and those merged into it), for receipts seen published within
    /// `RECEIPT_CONFIRMED_FOR` of `now`. A phone forgets its receipt only on this word; after a
    /// month unseen it has (or is gone), and the bulletin stays small.
    pub fn receipt_confirmations(&mut self, now: i64) -> Result<BTreeMap<String, Vec<String>>> {
        Ok(self.receipts_to_confirm(now)?.into_iter().collect())
    }

    /// What the next bulletin confirms, each list most urgent first (a bulletin that cannot hold
    /// them all takes the first): receipts most recently seen, logs most recently archived.
    pub fn confirmations(&mut self, now: i64) -> Result<Confirmations> {
        let archived: std::collections::HashMap<String, i64> = self
            .db
            .query("SELECT device_id, max(imported_at) FROM log_exports GROUP BY device_id", params![])?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect::<DbResult<_>>()?;
        let mut logs: Vec<(String, u64)> = self.log_confirmations()?.into_iter().collect();
        logs.sort_by_key(|(device, _)| std::cmp::Reverse(archived.get(device).copied().unwrap_or(0)));
        Ok(Confirmations { logs, receipts: self.receipts_to_confirm(now)?, cancelled: self.cancelled_wipes(now)? })
    }

    fn receipts_to_confirm(&mut self, now: i64) -> Result<Vec<(String, Vec<String>)>> {
        let since = now.saturating_sub(RECEIPT_CONFIRMED_FOR);
        let rows = self.db.query(
            "SELECT r.device_id, rc.command_id FROM receipts r
             JOIN receipt_commands rc ON rc.receipt_digest = r.digest
             WHERE r.seen_at >= ?1
               AND NOT EXISTS (SELECT 1 FROM receipts newer WHERE newer.device_id = r.device_id
                               AND (newer.completed_at, newer.digest) > (r.completed_at, r.digest))
             ORDER BY r.seen_at DESC, r.device_id, rc.command_id",
            params![since],
        )?;
        // In the order the rows come: the most recently seen first. Beyond the protocol's limit
        // the rest wait (a fleet never has that many phones wiped within a month).
        let mut confirmations: Vec<(String, Vec<String>)> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for row in rows {
            let (device, command): (String, String) = (row.get(0)?, row.get(1)?);
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
        let mut tx = self.db.transaction()?;
        let found: Option<Option<i64>> = tx
            .query_opt(
                "SELECT cancelled_at FROM commands WHERE command_id = ?1 AND kind = 'wipe'",
                params![command_id],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        let Some(cancelled_at) = found else {
            bail!("no wipe command in the ledger has this id");
        };
        let ran: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM receipt_commands WHERE command_id = ?1)", params![command_id])?
            .get(0)?;
        if cancelled_at.is_none() {
            let signed = cancel.map(serde_json::to_string).transpose()?;
            let by = cancel.and_then(|c| c.signed_by.as_deref()).unwrap_or(by);
            tx.execute(
                "UPDATE commands SET cancelled_at = ?2, cancelled_by = ?3, cancel_text = ?4 WHERE command_id = ?1",
                params![command_id, now, by, signed],
            )?;
            tx.execute(
                "INSERT INTO events (at, device_id, kind, detail)
                 SELECT CAST(?2 AS BIGINT), device_id, 'wipe_cancelled', CAST(?3 AS TEXT) FROM commands WHERE command_id = ?1",
                params![command_id, now, format!("{command_id} cancelled by {by}")],
            )?;
        }
        tx.commit()?;
        Ok(ran)
    }

    /// The cancelled wipes that have not expired, as an admin's key signed each: what the next
    /// bulletin names as cancelled.
    pub fn cancelled_wipes(&mut self, now: i64) -> Result<Vec<Cancel>> {
        let rows: Vec<String> = self.db.query_column(
            "SELECT cancel_text FROM commands WHERE kind = 'wipe' AND cancelled_at IS NOT NULL AND expires_at > ?1
               AND cancel_text IS NOT NULL
             ORDER BY cancelled_at DESC, command_id",
            params![now],
        )?;
        let mut cancels = Vec::new();
        for row in rows {
            cancels.push(serde_json::from_str(&row).context("a cancellation in the ledger is damaged")?);
        }
        Ok(cancels)
    }

    /// Cancelled wipes, not expired, whose cancellation no key signed yet (recorded before
    /// cancellations were signed): the next `bulletin sign` whose key may sign one does.
    pub fn unsigned_cancellations(&mut self, now: i64) -> Result<Vec<String>> {
        Ok(self.db.query_column(
            "SELECT command_id FROM commands WHERE kind = 'wipe' AND cancelled_at IS NOT NULL AND expires_at > ?1
               AND cancel_text IS NULL ORDER BY cancelled_at, command_id",
            params![now],
        )?)
    }

    /// Keeps the signed cancellation of a wipe cancelled before cancellations were signed.
    pub fn sign_cancellation(&mut self, cancel: &Cancel) -> Result<()> {
        self.db.execute(
            "UPDATE commands SET cancel_text = ?2 WHERE command_id = ?1 AND cancel_text IS NULL",
            params![cancel.command_id, serde_json::to_string(cancel)?],
        )?;
        Ok(())
    }

    /// Signs a cancellation again (`wipe cancel` of a wipe already cancelled): another admin's
    /// word, before the first admin's key is revoked.
    pub fn replace_cancellation(&mut self, cancel: &Cancel) -> Result<()> {
        self.db.execute(
            "UPDATE commands SET cancel_text = ?2, cancelled_by = coalesce(?3, cancelled_by)
             WHERE command_id = ?1 AND cancelled_at IS NOT NULL",
            params![cancel.command_id, serde_json::to_string(cancel)?, cancel.signed_by],
        )?;
        Ok(())
    }

    /// The cancellations in force (not expired) that the key `name` signed: what stops working
    /// when it is revoked.
    pub fn cancellations_signed_by(&mut self, name: &str, now: i64) -> Result<Vec<String>> {
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
        let mut tx = self.db.transaction()?;
        let known: Option<Option<i64>> = tx
            .query_opt("SELECT retired_at FROM devices WHERE device_id = ?1", params![device_id])?
            .map(|r| r.get(0))
            .transpose()?;
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
        let mut tx = self.db.transaction()?;
        let old: Option<String> = tx
            .query_opt("SELECT device_key FROM devices WHERE device_id = ?1", params![device_id])?
            .map(|r| r.get(0))
            .transpose()?;
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
        import::apply_report(&mut tx, report, now)?;
        tx.commit()?;
        Ok(old)
    }
}

/// What a bulletin confirms IT received from its phones, each list most urgent first
/// (`Ledger::confirmations`): a confirmation left out now goes in a later bulletin.
#[derive(Debug, Clone, Default)]
pub struct Confirmations {
    /// Per device, the newest log entry archived without a gap; freshest archive first.
    pub logs: Vec<(String, u64)>,
    /// Per device, the command ids of the newest wipe receipt held; most recently seen first.
    pub receipts: Vec<(String, Vec<String>)>,
    /// The wipe commands IT cancelled that have not expired (`Ledger::cancelled_wipes`), each
    /// cancellation signed by an admin's key: every phone refuses them from then on.
    pub cancelled: Vec<Cancel>,
}

impl Confirmations {
    pub fn len(&self) -> usize {
        self.logs.len() + self.receipts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether an error is the ledger's database being out of reach (nothing was written; the same
/// request may be made again): the relay answers 503 for it.
pub fn is_unavailable(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.is::<LedgerUnavailable>()
            || matches!(cause.downcast_ref::<db::DbError>(), Some(db::DbError::Unavailable(_)))
    })
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
