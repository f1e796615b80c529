//! Synthetic profiles for the benchmark: no real name or number anywhere. Patients are called
//! `Test Bench<letters>` and have numbers in the range kept for fiction (+1 415 555 01xx).

use crate::file_secrets::FileSecretStore;
use crate::vcard_book::VcardContactBook;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use televisit_core::it::enrollment::{self, make_enroll_code, sign_policy};
use televisit_core::it::envelope::SigningKey;
use televisit_core::it::keyset::Signer;
use televisit_core::it::wipe::{self, WipeCommand, WipeReason, WipeScope};
use televisit_core::log::{Actor, Detail, EntryKind, NewEntry, PatientRef, Verification};
use televisit_core::secrets::names;
use televisit_core::{
    BookContact, Clock, ContactBook, ContactBookError, ContactCard, DeleteOutcome, ListScope, NewPatient, Policy,
    SecretStore, SecretStoreError, StoreOptions, SystemClock, Televisit,
};

/// Layout of a desktop profile (as `cli/src/profile.rs` has it).
pub const DATABASE: &str = "televisit.db";
pub const SECRETS: &str = "secrets";
pub const CONTACTS: &str = "contacts";

/// An age recipient for the organisation's exports (the benchmark never exports).
const RECIPIENT: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

/// A clock the benchmark moves by hand (cleanup needs contacts that are a month old).
pub struct BenchClock(Mutex<DateTime<Utc>>);

impl BenchClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        BenchClock(Mutex::new(t))
    }

    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for BenchClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

pub fn open(db: &Path, secrets: &dyn SecretStore) -> Result<Televisit> {
    Ok(Televisit::open(db, secrets, Arc::new(SystemClock), &StoreOptions::default())?)
}

/// A log entry like the ones a call leaves: a patient reference and a small detail.
pub fn entry(i: u64, patients: &[PatientRef]) -> NewEntry {
    NewEntry::new(EntryKind::CallLaunched, Actor::Clinician)
        .patient(patients[i as usize % patients.len()].clone())
        .detail(Detail::new().code("attempt", "video_row").int("n", i as i64))
}

pub fn patient_refs(n: usize) -> Result<Vec<PatientRef>> {
    (0..n).map(|_| Ok(PatientRef::generate()?)).collect()
}

/// Appends entries (10,000 a transaction) until the log holds `total`.
pub fn fill_log(tv: &Televisit, total: u64) -> Result<()> {
    let refs = patient_refs(64)?;
    loop {
        let have = match tv.log_verify_head()? {
            Verification::Intact { count, .. } => count,
            broken => anyhow::bail!("the log is broken while filling it: {broken:?}"),
        };
        if have >= total {
            return Ok(());
        }
        let batch: Vec<NewEntry> = (have..total.min(have + 10_000)).map(|i| entry(i, &refs)).collect();
        tv.log_append_all(&batch)?;
    }
}

/// The SQLCipher raw key pragma for the key bytes a secret store keeps (key and salt).
pub fn raw_key_pragma(key_and_salt: &[u8]) -> String {
    format!("PRAGMA key = \"x'{}'\";", hex::encode_upper(key_and_salt))
}

/// A second connection to a store, keyed as the core keys it.
pub fn raw_connection(db: &Path, secrets: &dyn SecretStore) -> Result<Connection> {
    let key = secrets.get(names::DATA_KEY)?.context("no data key")?;
    let conn = Connection::open(db)?;
    conn.execute_batch(&raw_key_pragma(&key))?;
    configure(&conn)?;
    Ok(conn)
}

/// The pragmas the core sets on its connection (`store.rs`, `configure`).
pub fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    anyhow::ensure!(mode.eq_ignore_ascii_case("wal"), "WAL mode refused");
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Synthetic patient `i`: a family name of letters only, a number in the fictional range.
pub fn synthetic_patient(i: usize) -> NewPatient {
    let mut family = String::from("Bench");
    let mut n = i;
    for _ in 0..4 {
        family.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    NewPatient {
        given_name: "Test".into(),
        family_name: family,
        phone: format!("+1 415 555 01{:02}", i % 100),
        visit_at: None,
    }
}

/// The organisation: signs the policy, the enrollment code and wipe commands.
pub struct Org {
    key: Signer,
    issued: AtomicU64,
}

impl Org {
    pub fn new() -> Result<Self> {
        Ok(Org { key: Signer::legacy(SigningKey::generate()?.0), issued: AtomicU64::new(0) })
    }

    pub fn code(&self) -> Result<String> {
        let now = Utc::now().timestamp();
        let policy = Policy { version: 1, organisation: "Bench Clinic".into(), ..Policy::default() };
        let policy = sign_policy(&self.key, &policy, now)?;
        let validity = televisit_core::it::enrollment::Validity::from(now, 86_400)?;
        let public = self.key.key.public_key();
        let trust = televisit_core::it::enrollment::OrgTrust {
            name: "Bench Clinic".into(),
            org_key: public.clone(),
            keys: televisit_core::it::keyset::KeySet::legacy(&public, RECIPIENT),
            link: None,
        };
        Ok(make_enroll_code(&self.key, &trust, &policy, validity)?)
    }

    pub fn wipe(&self, e: &enrollment::Enrollment) -> Result<String> {
        let now = Utc::now().timestamp();
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        Ok(wipe::issue(
            &self.key,
            &WipeCommand {
                v: 1,
                device_id: e.device_id.clone(),
                enrollment_id: e.enrollment_id.clone(),
                command_id: format!("cmd_bench_{n}"),
                issued_at: now,
                not_before: now - 60,
                expires_at: now + 86_400,
                scope: WipeScope::All,
                reason: WipeReason::Lost,
                signed_by: None,
            },
        )?)
    }
}

/// The vCard book for seeding a new profile: the desktop's book in every way but the lookup by
/// phone, which reads every file (seeding 5,000 contacts through it would be quadratic). The
/// profile is new, so there is nothing to find; the files and records are what the shell writes.
pub struct SeedBook<'a>(pub &'a VcardContactBook);

impl ContactBook for SeedBook<'_> {
    fn create(&self, card: &ContactCard) -> Result<String, ContactBookError> {
        self.0.create(card)
    }
    fn update(&self, platform_id: &str, card: &ContactCard) -> Result<(), ContactBookError> {
        self.0.update(platform_id, card)
    }
    fn delete(&self, platform_ids: &[String]) -> Vec<DeleteOutcome> {
        self.0.delete(platform_ids)
    }
    fn get(&self, platform_id: &str) -> Result<Option<BookContact>, ContactBookError> {
        self.0.get(platform_id)
    }
    fn list(&self, scope: ListScope) -> Result<Vec<BookContact>, ContactBookError> {
        self.0.list(scope)
    }
    fn find_by_phone(&self, _e164: &str) -> Result<Vec<BookContact>, ContactBookError> {
        Ok(Vec::new())
    }
}

/// A desktop profile (database, 0600 secrets, vCard contacts), enrolled, with `contacts`
/// patients and their contacts, and the log filled to `entries`.
pub fn desktop_profile(dir: &Path, org: &Org, contacts: usize, entries: u64) -> Result<enrollment::Enrollment> {
    fs::create_dir_all(dir)?;
    let secrets = FileSecretStore::new(&dir.join(SECRETS))?;
    let tv = open(&dir.join(DATABASE), &secrets)?;
    let enrolled = tv.enroll(&secrets, &org.code()?)?;
    let book = VcardContactBook::open(&dir.join(CONTACTS))?;
    for i in 0..contacts {
        let patient = tv.patient_add(&synthetic_patient(i))?;
        tv.ensure_contact(&SeedBook(&book), &patient.id)?;
    }
    fill_log(&tv, entries)?;
    Ok(enrolled)
}

pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for item in fs::read_dir(from)? {
        let item = item?;
        let target = to.join(item.file_name());
        if item.file_type()?.is_dir() {
            copy_dir(&item.path(), &target)?;
        } else {
            fs::copy(item.path(), &target)?;
        }
    }
    fs::set_permissions(to, fs::metadata(from)?.permissions())?;
    Ok(())
}

/// A secret store that notes when each write and delete finished: the wipe's marker is
/// rewritten after every step, and the data key's deletion is the moment the data is unreadable.
pub struct TimedSecrets<'a> {
    inner: &'a dyn SecretStore,
    pub events: Mutex<Vec<(&'static str, String, Instant)>>,
}

impl<'a> TimedSecrets<'a> {
    pub fn new(inner: &'a dyn SecretStore) -> Self {
        TimedSecrets { inner, events: Mutex::new(Vec::new()) }
    }

    fn note(&self, op: &'static str, name: &str) {
        self.events.lock().unwrap().push((op, name.to_owned(), Instant::now()));
    }

    /// When the `n`th (0-based) write of `name` finished.
    pub fn nth_put(&self, name: &str, n: usize) -> Option<Instant> {
        self.events.lock().unwrap().iter().filter(|(op, nm, _)| *op == "put" && nm == name).nth(n).map(|e| e.2)
    }

    pub fn deleted(&self, name: &str) -> Option<Instant> {
        self.events.lock().unwrap().iter().find(|(op, nm, _)| *op == "delete" && nm == name).map(|e| e.2)
    }
}

impl SecretStore for TimedSecrets<'_> {
    fn put(&self, name: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        self.inner.put(name, value)?;
        self.note("put", name);
        Ok(())
    }
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        self.inner.get(name)
    }
    fn delete(&self, name: &str) -> Result<(), SecretStoreError> {
        self.inner.delete(name)?;
        self.note("delete", name);
        Ok(())
    }
}

/// The core tests' in-memory contact book, compiled in here as it is: one fake, not two.
#[allow(dead_code)]
#[path = "../../core/tests/common/book.rs"]
mod book;
pub use book::MemoryBook;

/// A scratch folder under the benchmark's work folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_patients_are_distinct_and_valid() {
        let a = synthetic_patient(0);
        let b = synthetic_patient(1);
        let c = synthetic_patient(26 * 26 * 26 * 26 - 1);
        assert_ne!(a.family_name, b.family_name);
        assert!(c.family_name.chars().all(|ch| ch.is_ascii_alphabetic()));
        assert!(a.phone.starts_with("+1 415 555 01"));
    }

    #[test]
    fn the_memory_book_lists_owned_and_hand_made_contacts_apart() {
        let book = MemoryBook::default();
        let id = book
            .create(&ContactCard {
                display_name: "Patient Test Benchaaaa".into(),
                phone: "+14155550100".into(),
                marker: "televisit:pt_0123456789abcdef".into(),
            })
            .unwrap();
        book.add_by_hand("Patient Test Handmade", "+14155550101");
        assert_eq!(book.list(ListScope::Owned).unwrap().len(), 1);
        assert_eq!(book.list(ListScope::All).unwrap().len(), 2);
        assert_eq!(book.delete(&[id.clone(), id]), vec![DeleteOutcome::Deleted, DeleteOutcome::NotFound]);
    }
}
