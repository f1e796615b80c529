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
