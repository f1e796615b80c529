//! The ledger's tables, moved forward by `user_version`. A migration runs in one transaction.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
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

pub enum MigrateError {
    /// The file's schema is newer than this tool knows.
    Newer,
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(err: rusqlite::Error) -> Self {
        MigrateError::Sqlite(err)
    }
}

pub fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?.try_into().unwrap_or(0);
    if version > MIGRATIONS.len() {
        return Err(MigrateError::Newer);
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
