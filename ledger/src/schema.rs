//! The ledger's tables, one schema per backend, moved forward to the same version. A migration
//! runs in one transaction. SQLite counts its version in `user_version`; PostgreSQL in
//! `ledger_schema`, under an advisory lock so that relays started together migrate once.
//!
//! PostgreSQL came at version 8: its first migration is the whole schema SQLite reached by then
//! (`POSTGRES_BASELINE`), in PostgreSQL's types. Each later migration is written for both
//! (`LATER`), so the two stay one schema.

use crate::db::{Backend, Db, DbError, Sql};

const SQLITE_MIGRATIONS: &[&str] = &[
    // 1: devices, commands, receipts, imports, events.
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE devices (
         device_id TEXT PRIMARY KEY,
         enrollment_id TEXT NOT NULL,
         device_key TEXT NOT NULL,
         platform TEXT NOT NULL,
         os_version TEXT NOT NULL,
         app_version TEXT NOT NULL,
         policy_version INTEGER NOT NULL,
         checklist TEXT NOT NULL,
         mdm_device_id TEXT,
         mdm_user TEXT,
         wipe_under_way TEXT,
         receipt_held TEXT,
         first_report_at INTEGER NOT NULL,
         last_report_at INTEGER NOT NULL,
         last_checkin INTEGER,
         flag TEXT
     );
     CREATE INDEX devices_by_user ON devices (mdm_user);
     CREATE INDEX devices_by_mdm_device ON devices (mdm_device_id);
     CREATE INDEX devices_by_last_report ON devices (last_report_at);
     CREATE TABLE reports (
         digest TEXT PRIMARY KEY,
         device_id TEXT NOT NULL,
         at INTEGER NOT NULL,
         import_id INTEGER NOT NULL
     );
     CREATE TABLE commands (
         command_id TEXT PRIMARY KEY,
         kind TEXT NOT NULL,
         device_id TEXT,
         enrollment_id TEXT,
         scope TEXT,
         reason TEXT,
         issued_by TEXT NOT NULL,
         issued_at INTEGER NOT NULL,
         expires_at INTEGER,
         text TEXT NOT NULL
     );
     CREATE INDEX commands_by_kind ON commands (kind, issued_at);
     CREATE TABLE receipts (
         digest TEXT PRIMARY KEY,
         device_id TEXT NOT NULL,
         command_id TEXT NOT NULL,
         scope TEXT NOT NULL,
         reason TEXT NOT NULL,
         completed_at INTEGER NOT NULL,
         steps TEXT NOT NULL,
         failed_steps INTEGER NOT NULL,
         import_id INTEGER NOT NULL
     );
     CREATE TABLE receipt_commands (
         command_id TEXT PRIMARY KEY,
         receipt_digest TEXT NOT NULL REFERENCES receipts (digest)
     );
     CREATE TABLE imports (
         id INTEGER PRIMARY KEY,
         file_name TEXT NOT NULL,
         digest TEXT NOT NULL UNIQUE,
         at INTEGER NOT NULL,
         reports INTEGER NOT NULL,
         receipts INTEGER NOT NULL,
         unchanged INTEGER NOT NULL,
         refused INTEGER NOT NULL,
         problems TEXT NOT NULL
     );
     CREATE TABLE events (
         id INTEGER PRIMARY KEY,
         at INTEGER NOT NULL,
         device_id TEXT,
         kind TEXT NOT NULL,
         detail TEXT NOT NULL
     );",
    // 2: the log archive: exports kept, checkpoints seen, findings.
    "CREATE TABLE log_exports (
         digest TEXT PRIMARY KEY,
         device_id TEXT NOT NULL,
         enrollment_id TEXT NOT NULL,
         epoch INTEGER NOT NULL,
         from_seq INTEGER NOT NULL,
         from_hash TEXT NOT NULL,
         through_seq INTEGER NOT NULL,
         through_hash TEXT NOT NULL,
         entries INTEGER NOT NULL,
         whole INTEGER NOT NULL,
         oldest_at_ms INTEGER,
         newest_at_ms INTEGER,
         exported_at INTEGER NOT NULL,
         imported_at INTEGER NOT NULL
     );
     CREATE INDEX log_exports_by_device ON log_exports (device_id, epoch, from_seq);
     CREATE TABLE log_checkpoints (
         device_id TEXT NOT NULL,
         epoch INTEGER NOT NULL,
         size INTEGER NOT NULL,
         hash TEXT NOT NULL,
         role TEXT NOT NULL,
         source TEXT NOT NULL,
         signed_at INTEGER NOT NULL,
         seen_at INTEGER NOT NULL,
         state TEXT NOT NULL,
         PRIMARY KEY (device_id, epoch, size, hash, role)
     );
     CREATE TABLE log_findings (
         id INTEGER PRIMARY KEY,
         device_id TEXT NOT NULL,
         kind TEXT NOT NULL,
         seq INTEGER NOT NULL,
         detail TEXT NOT NULL,
         found_at INTEGER NOT NULL,
         UNIQUE (device_id, kind, seq, detail)
     );",
    // 3: whether the MDM's app configuration reached each device (Graph `deviceStatuses`).
    "CREATE TABLE config_status (
         device_id TEXT PRIMARY KEY REFERENCES devices (device_id),
         status TEXT NOT NULL,
         reported_at INTEGER,
         matched_by TEXT NOT NULL,
         import_id INTEGER NOT NULL,
         recorded_at INTEGER NOT NULL
     );
     ALTER TABLE imports ADD COLUMN format TEXT NOT NULL DEFAULT 'text';
     ALTER TABLE imports ADD COLUMN config_statuses INTEGER NOT NULL DEFAULT 0;",
    // 4: when each receipt was last seen published: bulletins confirm it to its phone for a month
    // after that (a phone that was off publishes it again when it comes back).
    "ALTER TABLE receipts ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
     UPDATE receipts SET seen_at = COALESCE((SELECT at FROM imports WHERE imports.id = receipts.import_id), 0);
     CREATE INDEX receipts_by_device ON receipts (device_id, completed_at);",
    // 5: devices IT retired (replaced, returned, lost for good): closed, like a wiped one.
    "ALTER TABLE devices ADD COLUMN retired_at INTEGER;",
    // 6: wipes IT took back (`wipe cancel`).
    "ALTER TABLE commands ADD COLUMN cancelled_at INTEGER;
     ALTER TABLE commands ADD COLUMN cancelled_by TEXT;",
    // 7: the cancellation as an admin's key signed it (JSON), which bulletins carry: the online
    // bulletin key cannot take a wipe back. (Cancellations from before: signed by the next
    // `bulletin sign` whose key may, or named as waiting for an admin.)
    "ALTER TABLE commands ADD COLUMN cancel_text TEXT;",
    // 8: the key set version each device verifies IT's messages with, as its last report said.
    "ALTER TABLE devices ADD COLUMN key_set INTEGER;",
];

/// The schema as of version 8, for PostgreSQL: the tables SQLite's migrations 1 to 8 made, with
/// `BIGINT` for every integer (the protocol's times and counts are 64-bit) and identity columns
/// for SQLite's `INTEGER PRIMARY KEY`.
const POSTGRES_BASELINE: &str = "
     CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE devices (
         device_id TEXT PRIMARY KEY,
         enrollment_id TEXT NOT NULL,
         device_key TEXT NOT NULL,
         platform TEXT NOT NULL,
         os_version TEXT NOT NULL,
         app_version TEXT NOT NULL,
         policy_version BIGINT NOT NULL,
         checklist TEXT NOT NULL,
         mdm_device_id TEXT,
         mdm_user TEXT,
         wipe_under_way TEXT,
         receipt_held TEXT,
         first_report_at BIGINT NOT NULL,
         last_report_at BIGINT NOT NULL,
         last_checkin BIGINT,
         flag TEXT,
         retired_at BIGINT,
         key_set BIGINT
     );
     CREATE INDEX devices_by_user ON devices (mdm_user);
     CREATE INDEX devices_by_mdm_device ON devices (mdm_device_id);
     CREATE INDEX devices_by_last_report ON devices (last_report_at);
     CREATE TABLE reports (
         digest TEXT PRIMARY KEY,
         device_id TEXT NOT NULL,
         at BIGINT NOT NULL,
         import_id BIGINT NOT NULL
     );
     CREATE TABLE commands (
         command_id TEXT PRIMARY KEY,
         kind TEXT NOT NULL,
         device_id TEXT,
         enrollment_id TEXT,
         scope TEXT,
         reason TEXT,
         issued_by TEXT NOT NULL,
         issued_at BIGINT NOT NULL,
         expires_at BIGINT,
         text TEXT NOT NULL,
         cancelled_at BIGINT,
         cancelled_by TEXT,
         cancel_text TEXT
     );
     CREATE INDEX commands_by_kind ON commands (kind, issued_at);
     CREATE TABLE receipts (
         digest TEXT PRIMARY KEY,
         device_id TEXT NOT NULL,
         command_id TEXT NOT NULL,
         scope TEXT NOT NULL,
         reason TEXT NOT NULL,
         completed_at BIGINT NOT NULL,
         steps TEXT NOT NULL,
         failed_steps BIGINT NOT NULL,
         import_id BIGINT NOT NULL,
         seen_at BIGINT NOT NULL DEFAULT 0
     );
     CREATE INDEX receipts_by_device ON receipts (device_id, completed_at);
     CREATE TABLE receipt_commands (
         command_id TEXT PRIMARY KEY,
         receipt_digest TEXT NOT NULL REFERENCES receipts (digest)
     );
     CREATE TABLE imports (
         id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
         file_name TEXT NOT NULL,
         digest TEXT NOT NULL UNIQUE,
         at BIGINT NOT NULL,
         reports BIGINT NOT NULL,
         receipts BIGINT NOT NULL,
         unchanged BIGINT NOT NULL,
         refused BIGINT NOT NULL,
         problems TEXT NOT NULL,
         format TEXT NOT NULL DEFAULT 'text',
         config_statuses BIGINT NOT NULL DEFAULT 0
     );
     CREATE TABLE events (
         id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
         at BIGINT NOT NULL,
         device_id TEXT,
         kind TEXT NOT NULL,
         detail TEXT NOT NULL
     );
     CREATE TABLE log_exports (
         digest TEXT PRIMARY KEY,
         device_id TEXT NOT NULL,
         enrollment_id TEXT NOT NULL,
         epoch BIGINT NOT NULL,
         from_seq BIGINT NOT NULL,
         from_hash TEXT NOT NULL,
         through_seq BIGINT NOT NULL,
         through_hash TEXT NOT NULL,
         entries BIGINT NOT NULL,
         whole BIGINT NOT NULL,
         oldest_at_ms BIGINT,
         newest_at_ms BIGINT,
         exported_at BIGINT NOT NULL,
         imported_at BIGINT NOT NULL
     );
     CREATE INDEX log_exports_by_device ON log_exports (device_id, epoch, from_seq);
     CREATE TABLE log_checkpoints (
         device_id TEXT NOT NULL,
         epoch BIGINT NOT NULL,
         size BIGINT NOT NULL,
         hash TEXT NOT NULL,
         role TEXT NOT NULL,
         source TEXT NOT NULL,
         signed_at BIGINT NOT NULL,
         seen_at BIGINT NOT NULL,
         state TEXT NOT NULL,
         PRIMARY KEY (device_id, epoch, size, hash, role)
     );
     CREATE TABLE log_findings (
         id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
         device_id TEXT NOT NULL,
         kind TEXT NOT NULL,
         seq BIGINT NOT NULL,
         detail TEXT NOT NULL,
         found_at BIGINT NOT NULL,
         UNIQUE (device_id, kind, seq, detail)
     );
     CREATE TABLE config_status (
         device_id TEXT PRIMARY KEY REFERENCES devices (device_id),
         status TEXT NOT NULL,
         reported_at BIGINT,
         matched_by TEXT NOT NULL,
         import_id BIGINT NOT NULL,
         recorded_at BIGINT NOT NULL
     );";
const POSTGRES_BASELINE_VERSION: usize = 8;

/// Migrations after version 8, each as (SQLite, PostgreSQL).
const LATER: &[(&str, &str)] = &[
    // 9: the fleet relay. Bulletins IT published for the relays to serve, the fleet's and each
    // device's own (its inbox: what IT confirms to it alone); each device's request nonces (a request replayed to another relay is refused too); sealed exports a relay
    // took in, until IT's tool archives them; the check-ins each device made through a relay.
    (
        "CREATE TABLE relay_bulletins (
             bulletin_id TEXT PRIMARY KEY,
             text TEXT NOT NULL,
             issued_at INTEGER NOT NULL,
             expires_at INTEGER NOT NULL,
             published_by TEXT NOT NULL,
             published_at INTEGER NOT NULL
         );
         CREATE INDEX relay_bulletins_by_issue ON relay_bulletins (issued_at);
         CREATE TABLE relay_nonces (
             device_id TEXT NOT NULL,
             nonce TEXT NOT NULL,
             seen_at INTEGER NOT NULL,
             PRIMARY KEY (device_id, nonce)
         );
         CREATE INDEX relay_nonces_by_time ON relay_nonces (seen_at);
         CREATE TABLE relay_exports (
             digest TEXT PRIMARY KEY,
             device_id TEXT NOT NULL,
             size INTEGER NOT NULL,
             received_at INTEGER NOT NULL,
             archived_at INTEGER
         );
         CREATE TABLE relay_checkins (
             device_id TEXT PRIMARY KEY,
             first_at INTEGER NOT NULL,
             last_at INTEGER NOT NULL,
             count INTEGER NOT NULL
         );
         CREATE TABLE relay_inbox (
             device_id TEXT PRIMARY KEY,
             bulletin_id TEXT NOT NULL,
             text TEXT NOT NULL,
             confirms TEXT NOT NULL,
             issued_at INTEGER NOT NULL,
             expires_at INTEGER NOT NULL
         );",
        "CREATE TABLE relay_bulletins (
             bulletin_id TEXT PRIMARY KEY,
             text TEXT NOT NULL,
             issued_at BIGINT NOT NULL,
             expires_at BIGINT NOT NULL,
             published_by TEXT NOT NULL,
             published_at BIGINT NOT NULL
         );
         CREATE INDEX relay_bulletins_by_issue ON relay_bulletins (issued_at);
         CREATE TABLE relay_nonces (
             device_id TEXT NOT NULL,
             nonce TEXT NOT NULL,
             seen_at BIGINT NOT NULL,
             PRIMARY KEY (device_id, nonce)
         );
         CREATE INDEX relay_nonces_by_time ON relay_nonces (seen_at);
         CREATE TABLE relay_exports (
             digest TEXT PRIMARY KEY,
             device_id TEXT NOT NULL,
             size BIGINT NOT NULL,
             received_at BIGINT NOT NULL,
             archived_at BIGINT
         );
         CREATE TABLE relay_checkins (
             device_id TEXT PRIMARY KEY,
             first_at BIGINT NOT NULL,
             last_at BIGINT NOT NULL,
             count BIGINT NOT NULL
         );
         CREATE TABLE relay_inbox (
             device_id TEXT PRIMARY KEY,
             bulletin_id TEXT NOT NULL,
             text TEXT NOT NULL,
             confirms TEXT NOT NULL,
             issued_at BIGINT NOT NULL,
             expires_at BIGINT NOT NULL
         );",
    ),
    // 10: the phone's periodic contacts cleanup as its newest report said (issue 33), counts
    // only. `cleanup_age_days` marks a report that carried it (every state names its age): NULL
    // is "not reported" (an app that predates it); set with `cleanup_held` NULL, the counts are
    // unknown (no contacts access), which is not zero. `cleanup_end`: `done`, `some_failed`,
    // `lookalikes_waiting`.
    (
        "ALTER TABLE devices ADD COLUMN cleanup_held INTEGER;
         ALTER TABLE devices ADD COLUMN cleanup_overdue INTEGER;
         ALTER TABLE devices ADD COLUMN cleanup_oldest_days INTEGER;
         ALTER TABLE devices ADD COLUMN cleanup_age_days INTEGER;
         ALTER TABLE devices ADD COLUMN cleanup_ran_at INTEGER;
         ALTER TABLE devices ADD COLUMN cleanup_end TEXT;",
        "ALTER TABLE devices ADD COLUMN cleanup_held BIGINT;
         ALTER TABLE devices ADD COLUMN cleanup_overdue BIGINT;
         ALTER TABLE devices ADD COLUMN cleanup_oldest_days BIGINT;
         ALTER TABLE devices ADD COLUMN cleanup_age_days BIGINT;
         ALTER TABLE devices ADD COLUMN cleanup_ran_at BIGINT;
         ALTER TABLE devices ADD COLUMN cleanup_end TEXT;",
    ),
];

/// The version both schemas are at once migrated.
pub const VERSION: usize = POSTGRES_BASELINE_VERSION + LATER.len();

pub enum MigrateError {
    /// The database's schema is newer than this tool knows.
    Newer,
    Db(DbError),
}

impl From<DbError> for MigrateError {
    fn from(err: DbError) -> Self {
        MigrateError::Db(err)
    }
}

impl From<rusqlite::Error> for MigrateError {
    fn from(err: rusqlite::Error) -> Self {
        MigrateError::Db(err.into())
    }
}

pub fn migrate(db: &mut Db) -> Result<(), MigrateError> {
    match db {
        Db::Sqlite(conn) => migrate_sqlite(conn),
        Db::Postgres(_) => migrate_postgres(db),
    }
}

/// The version is read inside a write transaction taken at once (`BEGIN IMMEDIATE`): a relay and
/// an admin opening a new ledger file together migrate it one after the other, and the second
/// finds nothing left to do (read outside, both would run the same step and one would fail on
/// a column the other had just added).
fn migrate_sqlite(conn: &mut rusqlite::Connection) -> Result<(), MigrateError> {
    let steps: Vec<&str> = SQLITE_MIGRATIONS.iter().copied().chain(LATER.iter().map(|(sqlite, _)| *sqlite)).collect();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: usize = tx.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?.try_into().unwrap_or(0);
    if version > steps.len() {
        return Err(MigrateError::Newer);
    }
    if version == steps.len() {
        return Ok(());
    }
    for (i, sql) in steps.iter().enumerate().skip(version) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

/// The lock key relays and admins take while they migrate ("tvledger" in ASCII, as a number).
const MIGRATION_LOCK: i64 = 0x7476_6c65_6467_6572;

fn migrate_postgres(db: &mut Db) -> Result<(), MigrateError> {
    let mut tx = db.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock(?1)", crate::params![MIGRATION_LOCK])?;
    tx.batch("CREATE TABLE IF NOT EXISTS ledger_schema (version BIGINT NOT NULL)")?;
    let version: Option<i64> = tx.query_opt("SELECT version FROM ledger_schema", &[])?.map(|r| r.get(0)).transpose()?;
    let version = version.and_then(|v| usize::try_from(v).ok()).unwrap_or(0);
    if version > VERSION {
        return Err(MigrateError::Newer);
    }
    if version == 0 {
        tx.batch(POSTGRES_BASELINE)?;
        tx.execute("INSERT INTO ledger_schema (version) VALUES (?1)", crate::params![POSTGRES_BASELINE_VERSION])?;
    }
    let from = version.max(POSTGRES_BASELINE_VERSION);
    for (i, (_, sql)) in LATER.iter().enumerate().skip(from - POSTGRES_BASELINE_VERSION) {
        tx.batch(sql)?;
        tx.execute("UPDATE ledger_schema SET version = ?1", crate::params![POSTGRES_BASELINE_VERSION + i + 1])?;
    }
    debug_assert_eq!(tx.backend(), Backend::Postgres);
    tx.commit()?;
    Ok(())
}
