//! The database schema, as `user_version` migrations. A migration is never edited once shipped:
//! add the next one.

use crate::error::{Error, Result};
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: settings (the policy), the activity log and its chain state.
    "CREATE TABLE settings (
         name  TEXT PRIMARY KEY NOT NULL,
         value TEXT NOT NULL
     );
     CREATE TABLE log_entries (
         seq         INTEGER PRIMARY KEY NOT NULL,
         at_ms       INTEGER NOT NULL,
         kind        TEXT NOT NULL,
         actor       TEXT NOT NULL,
         patient_ref TEXT,
         detail      TEXT NOT NULL,
         mac         BLOB NOT NULL
     );
     CREATE INDEX log_entries_at ON log_entries (at_ms);
     CREATE INDEX log_entries_patient ON log_entries (patient_ref) WHERE patient_ref IS NOT NULL;
     -- One row: where the chain starts (genesis or the last purge's cut) and where it ends.
     CREATE TABLE log_chain (
         id             INTEGER PRIMARY KEY CHECK (id = 1),
         start_seq      INTEGER NOT NULL,
         start_mac      BLOB NOT NULL,
         head_seq       INTEGER NOT NULL,
         head_mac       BLOB NOT NULL
     );",
    // 2: patients, their consent, and the contacts Televisit made for them.
    "CREATE TABLE patients (
         id             TEXT PRIMARY KEY NOT NULL,
         given_name     TEXT NOT NULL,
         family_name    TEXT NOT NULL,
         phone          TEXT NOT NULL,
         visit_at_ms    INTEGER,
         created_at_ms  INTEGER NOT NULL,
         archived_at_ms INTEGER,
         contact_name   TEXT NOT NULL
     );
     CREATE TABLE consents (
         id             INTEGER PRIMARY KEY,
         patient_id     TEXT NOT NULL REFERENCES patients (id),
         method         TEXT NOT NULL,
         text_version   TEXT NOT NULL,
         recorded_by    TEXT NOT NULL,
         recorded_at_ms INTEGER NOT NULL,
         revoked_at_ms  INTEGER,
         revoked_by     TEXT
     );
     CREATE INDEX consents_patient ON consents (patient_id, id);
     CREATE TABLE contacts (
         patient_id      TEXT PRIMARY KEY NOT NULL REFERENCES patients (id),
         platform_id     TEXT NOT NULL UNIQUE,
         created_at_ms   INTEGER NOT NULL,
         last_used_at_ms INTEGER NOT NULL,
         visit_done      INTEGER NOT NULL DEFAULT 0,
         failed_deletes  INTEGER NOT NULL DEFAULT 0
     );",
    // 3: runs of the privacy-settings checklist and their answers (values, never free text).
    "CREATE TABLE checklist_runs (
         id               INTEGER PRIMARY KEY,
         platform         TEXT NOT NULL,
         catalog_version  INTEGER NOT NULL,
         requirements     TEXT NOT NULL,
         whatsapp_version TEXT NOT NULL,
         started_at_ms    INTEGER NOT NULL,
         finished_at_ms   INTEGER,
         compliant        INTEGER
     );
     CREATE TABLE checklist_answers (
         run_id         INTEGER NOT NULL REFERENCES checklist_runs (id),
         item_id        TEXT NOT NULL,
         value          TEXT NOT NULL,
         source         TEXT NOT NULL,
         answered_at_ms INTEGER NOT NULL,
         PRIMARY KEY (run_id, item_id)
     );",
    // 4: the chain's head row carries its own MAC (`log::protect`), so that an edit of it shows.
    "ALTER TABLE log_chain ADD COLUMN row_mac BLOB;",
    // 5: the public hash chain's ends (`televisit_protocol::checkpoint`), which the device's
    // checkpoints name; filled in by the first append after this migration.
    "ALTER TABLE log_chain ADD COLUMN start_hash BLOB;
     ALTER TABLE log_chain ADD COLUMN head_hash BLOB;",
    // 6: a visit marked done is the patient's own fact (it used to live on the contact row only,
    // so a visit done before a contact existed was lost); the day's list sorts by it.
    "ALTER TABLE patients ADD COLUMN visit_done_at_ms INTEGER;
     UPDATE patients SET visit_done_at_ms = 0
      WHERE id IN (SELECT patient_id FROM contacts WHERE visit_done = 1);",
    // 7: the log's time index cost a page written at every append (one in four of an append's
    // pages, each encrypted and authenticated) for two rare reads: a purge's cutoff and a list
    // by date, which walk the entries by sequence number instead (times rise with it).
    "DROP INDEX IF EXISTS log_entries_at;",
    // 8: a consent record is an answer: given (as every record before was) or declined, which
    // is not the same as never asked and not the same as withdrawn later.
    "ALTER TABLE consents ADD COLUMN outcome TEXT NOT NULL DEFAULT 'given';",
    // 9: a checklist run is a full run or a re-confirmation (answers carried from the last
    // result, the changed items asked, and one attestation that nothing else changed).
    "ALTER TABLE checklist_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'full';
     ALTER TABLE checklist_runs ADD COLUMN attested_unchanged INTEGER NOT NULL DEFAULT 0;",
];

pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the schema to this build's version, one migration per transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema { found, known: SCHEMA_VERSION });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as u32 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
