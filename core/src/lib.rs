//! Televisit's core: every rule and all storage of the on-device companion for WhatsApp video
//! visits. It knows nothing of FFI; `televisit-ffi` wraps it for Kotlin and Swift, and the
//! desktop shell uses it directly.
//!
//! Patient names and phone numbers never leave the encrypted store: errors, logs and files
//! outside it carry only opaque ids.

pub mod clock;
pub mod error;
pub mod keys;
pub mod log;
pub mod policy;
pub mod schema;
pub mod secrets;
pub mod store;

pub use clock::{Clock, SystemClock};
pub use error::{CorruptionKind, Error, Result};
pub use log::{
    Actor, Detail, DetailValue, Entry, EntryKind, LogQuery, NewEntry, PatientRef, PurgeReport, Tamper, Verification,
};
pub use policy::Policy;
pub use secrets::{SecretStore, SecretStoreError};
pub use store::{Opened, Store, StoreOptions};

use rusqlite::OptionalExtension;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// One clinician's Televisit on one device: the encrypted store and everything kept in it.
pub struct Televisit {
    store: Mutex<Store>,
    clock: Arc<dyn Clock>,
    opened: Opened,
}

/// The result of `integrity_check`: SQLCipher's page check, SQLite's structure check, the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrityReport {
    /// Every page's HMAC checked out.
    pub pages_ok: bool,
    /// What SQLCipher and SQLite reported (page numbers and table names only).
    pub problems: Vec<String>,
    pub chain: Verification,
}

impl IntegrityReport {
    pub fn is_ok(&self) -> bool {
        self.pages_ok && self.problems.is_empty() && matches!(self.chain, Verification::Intact { .. })
    }
}

impl Televisit {
    /// Opens the profile's database at `path` (creating it and its key on first use).
    pub fn open(path: &Path, secrets: &dyn SecretStore, clock: Arc<dyn Clock>, options: &StoreOptions) -> Result<Self> {
        let (store, opened) = Store::open(path, secrets, options)?;
        let televisit = Televisit { store: Mutex::new(store), clock, opened };
        if opened == Opened::Created {
            let detail = Detail::new().int("schema", i64::from(schema::SCHEMA_VERSION));
            televisit.log_append(&NewEntry::new(EntryKind::StoreCreated, Actor::System).detail(detail))?;
        }
        Ok(televisit)
    }

    /// Whether this open made a new store.
    pub fn opened(&self) -> Opened {
        self.opened
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// A panic in another call leaves no half-written transaction (SQLite rolls it back), so the
    /// store stays usable after a poisoned lock.
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn log_append(&self, entry: &NewEntry) -> Result<Entry> {
        log::append(&mut self.store(), self.clock.now(), entry)
    }

    pub fn log_list(&self, query: &LogQuery) -> Result<Vec<Entry>> {
        log::list(&self.store().conn, query)
    }

    pub fn log_verify(&self) -> Result<Verification> {
        let store = self.store();
        log::verify(&store.conn, &store.key.log_mac_key())
    }

    /// Removes entries older than `days` (never fewer days than the policy's retention).
    pub fn log_purge_older_than(&self, days: i64) -> Result<PurgeReport> {
        let retention = self.policy()?.log.retention_days;
        log::purge_older_than(&mut self.store(), self.clock.now(), days, retention)
    }

    pub fn integrity_check(&self) -> Result<IntegrityReport> {
        let store = self.store();
        let mut problems = Vec::new();
        // cipher_integrity_check returns one row per page whose HMAC fails, nothing when all pass.
        let mut stmt = store.conn.prepare("PRAGMA cipher_integrity_check")?;
        let page_problems: Vec<String> = stmt.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
        let pages_ok = page_problems.is_empty();
        problems.extend(page_problems);
        let mut stmt = store.conn.prepare("PRAGMA integrity_check")?;
        for line in stmt.query_map([], |row| row.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let chain = log::verify(&store.conn, &store.key.log_mac_key())?;
        Ok(IntegrityReport { pages_ok, problems, chain })
    }

    /// The policy in force: the stored one, or the defaults before any is set.
    pub fn policy(&self) -> Result<Policy> {
        let stored: Option<String> = self
            .store()
            .conn
            .query_row("SELECT value FROM settings WHERE name = 'policy'", [], |row| row.get(0))
            .optional()?;
        match stored {
            Some(json) => Policy::from_json(&json),
            None => Ok(Policy::default()),
        }
    }

    /// Validates and stores a policy, and logs it, in one transaction.
    pub fn set_policy(&self, policy: &Policy) -> Result<()> {
        policy.validate()?;
        let mut store = self.store();
        let key = store.key.log_mac_key();
        let now = self.clock.now();
        let tx = store.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (name, value) VALUES ('policy', ?1) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [policy.to_json()],
        )?;
        let detail = Detail::new().int("version", policy.version as i64);
        log::append_in(&tx, &key, now, &NewEntry::new(EntryKind::PolicyApplied, Actor::It).detail(detail))?;
        tx.commit()?;
        Ok(())
    }

    /// For tests of a full disk.
    #[cfg(any(test, feature = "testing"))]
    pub fn limit_pages_for_test(&self, pages: u64) -> Result<()> {
        self.store().limit_pages_for_test(pages)
    }
}
