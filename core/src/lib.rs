//! Televisit's core: every rule and all storage of the on-device companion for WhatsApp video
//! visits. It knows nothing of FFI; `televisit-ffi` wraps it for Kotlin and Swift, and the
//! desktop shell uses it directly.
//!
//! Patient names and phone numbers never leave the encrypted store: errors, logs and files
//! outside it carry only opaque ids.

pub mod app_lock;
pub mod call;
pub mod checklist;
pub mod cleanup;
pub mod clock;
pub mod contacts;
pub mod device;
pub mod error;
pub mod it;
pub mod keys;
pub mod lint;
pub mod log;
mod log_guard;
pub mod metrics;
pub mod naming;
pub mod orphans;
pub mod patients;
pub mod platform;
pub mod policy;
pub mod qr;
pub mod schema;
pub mod secrets;
pub mod store;

pub use app_lock::FailedUnlock;
pub use call::{LaunchPlan, MessageRequest, Preflight};
pub use checklist::ChecklistStatus;
pub use cleanup::{
    CleanupOutcome, CleanupPlan, CleanupReport, CleanupResult, CleanupRules, Lookalike, PlannedRemoval, RemovalReason,
};
pub use clock::{Clock, SystemClock};
pub use contacts::{
    BookContact, ContactBook, ContactBookError, ContactCard, DeleteOutcome, EnsureAction, EnsuredContact, ListScope,
};
pub use device::{DeviceFacts, DeviceSnapshot, InstalledWhatsApp, WhatsAppApp, WhatsAppDirectory};
pub use error::{CorruptionKind, Error, Result};
pub use log::{
    Actor, Detail, DetailValue, Entry, EntryKind, LogQuery, NewEntry, PatientRef, PurgeReport, Tamper, Verification,
};
pub use metrics::DayMetrics;
pub use patients::day::{ListedPatient, Section as ListSection};
pub use patients::{ConsentMethod, ConsentState, NewPatient, Patient, PatientUpdate};
pub use platform::Platform;
pub use policy::Policy;
pub use qr::QrCode;
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
    lock: Mutex<app_lock::AppLock>,
    /// Reason codes of a local trigger that blocks clinical actions (see `evaluate_triggers`).
    blocked: Mutex<Vec<&'static str>>,
    /// The log's head kept beyond the database, once a shell turns it on (`protect_log_head`).
    head_guard: Mutex<Option<log_guard::HeadGuard>>,
    /// Serialises the calls that make, put right or delete patient contacts (`contacts_gate`).
    contacts: Mutex<()>,
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
        let televisit = Televisit {
            store: Mutex::new(store),
            clock,
            opened,
            lock: Mutex::default(),
            blocked: Mutex::default(),
            head_guard: Mutex::default(),
            contacts: Mutex::default(),
        };
        if opened.is_new() {
            // After a reinstall the earlier log is gone with the app: the new one says so first.
            let detail = Detail::new()
                .int("schema", i64::from(schema::SCHEMA_VERSION))
                .bool("after_reinstall", opened == Opened::Recreated);
            televisit.append_own(&NewEntry::new(EntryKind::StoreCreated, Actor::System).detail(detail))?;
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
    /// store stays usable after a poisoned lock. Never held across a call into the platform's
    /// contacts, device facts or WhatsApp directory: those can take seconds, and every other
    /// call (`touch` from the main thread among them) waits for the store.
    pub(crate) fn store(&self) -> log_guard::StoreAccess<'_> {
        Televisit::store_access(&self.store, &self.head_guard)
    }

    /// Held by a call that makes, puts right or deletes patient contacts, from its first read of
    /// the records to its last write, around the phone's book (the store itself is unlocked
    /// there): two such calls never act on one record at once (no patient gets two contacts),
    /// and nothing else waits for it. Never taken with the store locked.
    pub(crate) fn contacts_gate(&self) -> MutexGuard<'_, ()> {
        self.contacts.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends an entry a shell reports: only the kinds a shell may write
    /// ([`EntryKind::written_by_shells`]); every other kind records what the core itself did
    /// (an enrollment, a purge, a wipe) and is written only by the core, with the action.
    pub fn log_append(&self, entry: &NewEntry) -> Result<Entry> {
        shell_may_write(entry)?;
        self.append_own(entry)
    }

    /// Appends every entry in one transaction (all or none), as a bulk import or a test needs;
    /// the same kinds as `log_append`.
    pub fn log_append_all(&self, entries: &[NewEntry]) -> Result<Vec<Entry>> {
        entries.iter().try_for_each(shell_may_write)?;
        log::append_all(&mut self.store(), self.clock.now(), entries)
    }

    /// Any kind, for tests that build a log of every kind (not in release builds).
    #[cfg(any(test, feature = "testing"))]
    pub fn log_append_any(&self, entry: &NewEntry) -> Result<Entry> {
        self.append_own(entry)
    }

    /// The core's own entries.
    pub(crate) fn append_own(&self, entry: &NewEntry) -> Result<Entry> {
        log::append(&mut self.store(), self.clock.now(), entry)
    }

    pub fn log_list(&self, query: &LogQuery) -> Result<Vec<Entry>> {
        log::list(&self.store().conn, query)
    }

    /// The whole chain, after the database is compared with the head kept beyond it.
    pub fn log_verify(&self) -> Result<Verification> {
        let store = self.store();
        if let Some(found) = self.head_finding(&store)? {
            return Ok(found);
        }
        log::verify(&store.conn, &store.key.log_mac_key())
    }

    /// The cheap check of the chain's newest link (two rows read), for every open; `log_verify`
    /// walks the whole chain.
    pub fn log_verify_head(&self) -> Result<Verification> {
        let store = self.store();
        if let Some(found) = self.head_finding(&store)? {
            return Ok(found);
        }
        log::verify_head(&store.conn, &store.key.log_mac_key())
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
        let chain = match self.head_finding(&store)? {
            Some(found) => found,
            None => log::verify(&store.conn, &store.key.log_mac_key())?,
        };
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
            Some(json) => Ok(Policy::from_json(&json)?),
            None => Ok(Policy::default()),
        }
    }

    /// A policy set on this device by hand (a development or demo profile): refused once the
    /// device is enrolled, when only what its organisation signed applies
    /// (`apply_signed_policy`). The rule is here, not in a shell, so every shell keeps it.
    pub fn set_unsigned_policy(&self, secrets: &dyn SecretStore, policy: &Policy) -> Result<()> {
        if it::enrollment::load(secrets)?.is_some() {
            return Err(Error::invalid(
                "policy",
                "this device is enrolled: it takes only policies its organisation signed",
            ));
        }
        self.store_policy(policy)
    }

    /// Validates and stores a policy, and logs it, in one transaction. Callers have checked where
    /// it comes from (a signature, or an unenrolled device).
    pub(crate) fn store_policy(&self, policy: &Policy) -> Result<()> {
        policy::check_on_device(policy)?;
        let mut store = self.store();
        let key = store.key.log_mac_key();
        let now = self.clock.now();
        let tx = store.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (name, value) VALUES ('policy', ?1) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [policy.to_json()],
        )?;
        // A version beyond i64 is logged at i64's end rather than wrapped into a negative number.
        let detail = Detail::new().int("version", i64::try_from(policy.version).unwrap_or(i64::MAX));
        log::append_in(&tx, &key, now, &NewEntry::new(EntryKind::PolicyApplied, Actor::It).detail(detail))?;
        tx.commit()?;
        Ok(())
    }

    pub fn patient_add(&self, new: &NewPatient) -> Result<Patient> {
        self.clinical()?;
        let policy = self.policy()?;
        patients::add(&mut self.store(), self.clock.now(), &policy, new)
    }

    pub fn patient_update(&self, id: &PatientRef, change: &PatientUpdate) -> Result<Patient> {
        self.clinical()?;
        let policy = self.policy()?;
        patients::update(&mut self.store(), self.clock.now(), &policy, id, change)
    }

    pub fn patient_archive(&self, id: &PatientRef) -> Result<Patient> {
        patients::archive(&mut self.store(), self.clock.now(), id)
    }

    pub fn patient(&self, id: &PatientRef) -> Result<Patient> {
        patients::get_in(&self.store().conn, id)
    }

    /// The day's list as the clinician sees it: today's visits first, by time; done visits and
    /// archived patients last; each with a label that tells namesakes apart. "Today" is the
    /// phone's own day (the device's UTC offset).
    pub fn day_list(&self, device: &dyn DeviceFacts, include_archived: bool) -> Result<Vec<ListedPatient>> {
        let offset = device.snapshot().utc_offset_minutes;
        patients::day::day_list(&self.store().conn, self.clock.now(), offset, include_archived)
    }

    /// Current patients in the order they were added; with `include_archived`, all of them.
    pub fn patients(&self, include_archived: bool) -> Result<Vec<Patient>> {
        patients::list(&self.store().conn, include_archived)
    }

    pub fn consent_record(
        &self,
        id: &PatientRef,
        method: ConsentMethod,
        text_version: &str,
        by: Actor,
    ) -> Result<ConsentState> {
        self.consent_answer(id, patients::consent::Answer::Given, method, text_version, by)
    }

    /// The patient was asked (with the wording of `text_version`) and said no. Told apart from
    /// "never asked" by the pre-flight, and from a consent withdrawn later.
    pub fn consent_decline(
        &self,
        id: &PatientRef,
        method: ConsentMethod,
        text_version: &str,
        by: Actor,
    ) -> Result<ConsentState> {
        self.consent_answer(id, patients::consent::Answer::Declined, method, text_version, by)
    }

    fn consent_answer(
        &self,
        id: &PatientRef,
        answer: patients::consent::Answer,
        method: ConsentMethod,
        text_version: &str,
        by: Actor,
    ) -> Result<ConsentState> {
        self.clinical()?;
        patients::consent::record(&mut self.store(), self.clock.now(), id, answer, method, text_version, by)
    }

    pub fn consent_revoke(&self, id: &PatientRef, by: Actor) -> Result<ConsentState> {
        patients::consent::revoke(&mut self.store(), self.clock.now(), id, by)
    }

    /// Creates the patient's contact, or puts it right if it was renamed, renumbered or deleted.
    pub fn ensure_contact(&self, book: &dyn ContactBook, id: &PatientRef) -> Result<EnsuredContact> {
        self.clinical()?;
        let result = self.ensure_serialised(book, id);
        if let Err(Error::ContactBook(_)) = &result {
            // The phone refused (permission, provider): evidence for IT, without the phone's words.
            let entry = NewEntry::new(EntryKind::ContactFailed, Actor::Clinician)
                .patient(id.clone())
                .detail(Detail::new().code("operation", "ensure"));
            let _ = self.append_own(&entry);
        }
        result
    }

    /// The store read, the book put right with the store unlocked, the result recorded. Between
    /// the read and the record only calls that leave the contact record alone can run (patient
    /// edits are linearised after this call: their contact is put right by the next one).
    fn ensure_serialised(&self, book: &dyn ContactBook, id: &PatientRef) -> Result<EnsuredContact> {
        let _serialised = self.contacts_gate();
        let target = contacts::ensure_target(&self.store().conn, id)?;
        let (platform_id, action) = contacts::put_right(book, &target)?;
        contacts::save_record(&mut self.store(), self.clock.now(), id, &platform_id, &action)?;
        Ok(EnsuredContact { platform_id, action })
    }

    pub fn mark_visit_done(&self, id: &PatientRef) -> Result<()> {
        contacts::mark_visit_done(&mut self.store(), self.clock.now(), id)
    }

    /// Televisit's own record of the contacts it made.
    pub fn contact_records(&self) -> Result<Vec<contacts::ContactRecord>> {
        contacts::records(&self.store().conn, None)
    }

    /// Whether a contact's name looks like the convention (as a hand-made patient contact would).
    pub fn looks_like_patient_contact(&self, display_name: &str) -> Result<bool> {
        let template = naming::NameTemplate::parse(&self.policy()?.contacts.name_template)?;
        Ok(naming::matcher(&template)?.matches(display_name))
    }

    pub(crate) fn setting_i64(&self, name: &str) -> Result<Option<i64>> {
        Ok(self.setting_text(name)?.and_then(|v| v.parse().ok()))
    }

    pub(crate) fn setting_text(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .store()
            .conn
            .query_row("SELECT value FROM settings WHERE name = ?1", [name], |row| row.get(0))
            .optional()?)
    }

    pub(crate) fn set_setting_text(&self, name: &str, value: &str) -> Result<()> {
        self.store().conn.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [name, value],
        )?;
        Ok(())
    }

    /// Refuses a clinical action while a local trigger blocks the device.
    pub(crate) fn clinical(&self) -> Result<()> {
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        if blocked.is_empty() {
            Ok(())
        } else {
            Err(Error::Blocked { reasons: blocked.join(", ") })
        }
    }

    /// Current, due or never; with the phone's facts, a new WhatsApp version also makes it due.
    pub fn checklist_status(&self, device: Option<&dyn DeviceFacts>) -> Result<ChecklistStatus> {
        let policy = self.policy()?;
        let snapshot = device.map(|d| d.snapshot());
        checklist::status(&self.store().conn, self.clock.now(), &policy, snapshot.as_ref())
    }

    /// Starts the checklist for `platform`, or resumes the run in progress.
    pub fn checklist_start(&self, platform: Platform, device: &dyn DeviceFacts) -> Result<checklist::ChecklistRun> {
        let policy = self.policy()?;
        // Read before the store is locked (an argument beside `self.store()` would be read with it held).
        let snapshot = device.snapshot();
        checklist::start(&mut self.store(), self.clock.now(), &policy, platform, &snapshot)
    }

    pub fn checklist_answer(&self, item_id: &str, value: &str) -> Result<checklist::ChecklistRun> {
        let policy = self.policy()?;
        checklist::answer(&mut self.store(), self.clock.now(), &policy, item_id, value)
    }

    /// The run in progress, if any.
    pub fn checklist_run(&self) -> Result<Option<checklist::ChecklistRun>> {
        let policy = self.policy()?;
        checklist::current_run(&self.store(), &policy)
    }

    /// A re-confirmation's attestation that nothing else changed since the last result.
    pub fn checklist_attest_unchanged(&self) -> Result<checklist::ChecklistRun> {
        let policy = self.policy()?;
        checklist::attest_unchanged(&mut self.store(), &policy)
    }

    pub fn checklist_finish(&self) -> Result<checklist::ChecklistResult> {
        let policy = self.policy()?;
        checklist::finish(&mut self.store(), self.clock.now(), &policy)
    }

    /// Counts per day (calls, consents, opt-outs, contacts, cleanups) over the last `days` days.
    pub fn metrics(&self, days: u32) -> Result<Vec<DayMetrics>> {
        if !(1..=3660).contains(&days) {
            return Err(Error::invalid("metrics period", "must be between 1 and 3660 days"));
        }
        let now = self.clock.now();
        metrics::daily(
            &self.store().conn,
            now - chrono::Duration::days(i64::from(days)),
            now + chrono::Duration::seconds(1),
        )
    }

    /// For tests of a full disk.
    #[cfg(any(test, feature = "testing"))]
    pub fn limit_pages_for_test(&self, pages: u64) -> Result<()> {
        self.store().limit_pages_for_test(pages)
    }
}

/// A shell reports codes, flags and small counts; a number of seven digits or more is what a
/// phone or record number typed where a count belongs would look like.
const MAX_SHELL_NUMBER: u64 = 999_999;

fn shell_may_write(entry: &NewEntry) -> Result<()> {
    if !entry.kind.written_by_shells() {
        return Err(Error::invalid(
            "log entry",
            "this kind is written by Televisit itself, with the action it records",
        ));
    }
    let too_big = |value: &DetailValue| matches!(value, DetailValue::Int(n) if n.unsigned_abs() > MAX_SHELL_NUMBER);
    if entry.detail.fields().values().any(too_big) {
        return Err(Error::invalid(
            "log detail",
            "a number looks like a phone or record number: a shell logs counts of at most 999,999",
        ));
    }
    Ok(())
}
