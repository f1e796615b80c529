//! The store in header mode (`StoreOptions::apple()`, iOS): SQLite's 32-byte header in plaintext
//! so iOS does not kill a suspended app holding its WAL database, the salt kept beside the key.
//! Every way a file can fail to open is still told apart, and leaves the file as it was.

mod common;

use common::{file_bytes, Profile};
use std::fs;
use televisit_core::secrets::{names, MemorySecretStore};
use televisit_core::{CorruptionKind, Error, Opened, SecretStore, StoreOptions, Televisit};

fn fill(tv: &Televisit, entries: usize) {
    for _ in 0..entries {
        tv.log_append_any(&televisit_core::NewEntry::new(
            televisit_core::EntryKind::UnlockFailed,
            televisit_core::Actor::Clinician,
        ))
        .unwrap();
    }
}

#[test]
fn a_header_mode_file_starts_with_plain_sqlite_and_still_refuses_a_wrong_key() {
    let profile = Profile::new();
    let tv = profile.open_apple().unwrap();
    assert_eq!(tv.opened(), Opened::Created);
    drop(tv);
    let bytes = file_bytes(&profile.db());
    assert_eq!(&bytes[..16], b"SQLite format 3\0", "the header is plaintext");
    assert_eq!(bytes[20], 80, "SQLCipher's reserved bytes per page");
    assert_eq!((bytes[18], bytes[19]), (2, 2), "iOS reads WAL mode from the header");
    let key = profile.secrets.get(names::DATA_KEY).unwrap().unwrap();
    assert!(!bytes.windows(16).any(|w| w == &key[32..]), "the salt is not in the file");
    // Past the header, nothing is readable: a plain SQLite connection gets nothing out of it.
    let plain = rusqlite::Connection::open(profile.db()).unwrap();
    assert!(plain.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).is_err());
    drop(plain);
    assert_eq!(file_bytes(&profile.db()), bytes);

    let other = MemorySecretStore::new();
    other.put(names::DATA_KEY, &televisit_core::keys::DataKey::generate().unwrap().to_bytes()).unwrap();
    let err = Televisit::open(&profile.db(), &other, profile.clock.clone(), &StoreOptions::apple()).err().unwrap();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
    assert_eq!(file_bytes(&profile.db()), bytes);
}

#[test]
fn the_same_key_with_another_salt_is_a_wrong_key() {
    let profile = Profile::new();
    drop(profile.open_apple().unwrap());
    let before = file_bytes(&profile.db());
    let mut key = profile.secrets.get(names::DATA_KEY).unwrap().unwrap();
    key[40] ^= 1;
    let other = MemorySecretStore::new();
    other.put(names::DATA_KEY, &key).unwrap();
    let err = Televisit::open(&profile.db(), &other, profile.clock.clone(), &StoreOptions::apple()).err().unwrap();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
    assert_eq!(file_bytes(&profile.db()), before);
}

#[test]
fn reopening_in_header_mode_keeps_the_data_and_uses_wal() {
    let profile = Profile::new();
    drop(profile.open_apple().unwrap());
    let tv = profile.open_apple().unwrap();
    assert_eq!(tv.opened(), Opened::Existing);
    fill(&tv, 3);
    assert_eq!(tv.log_list(&Default::default()).unwrap().len(), 4);
    let raw = profile.raw_apple();
    let mode: String = raw.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let version: u32 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, televisit_core::schema::SCHEMA_VERSION);
    drop(raw);
    drop(tv);
    let tv = profile.open_apple().unwrap();
    assert!(matches!(tv.log_verify().unwrap(), televisit_core::Verification::Intact { .. }));
    assert!(tv.integrity_check().unwrap().is_ok());
}

#[test]
fn a_header_mode_store_is_not_opened_in_the_other_mode_and_back() {
    let apple = Profile::new();
    drop(apple.open_apple().unwrap());
    let before = file_bytes(&apple.db());
    assert!(matches!(apple.open().err().unwrap(), Error::NotADatabase));
    assert_eq!(file_bytes(&apple.db()), before);

    let android = Profile::new();
    drop(android.open().unwrap());
    let before = file_bytes(&android.db());
    assert!(matches!(android.open_apple().err().unwrap(), Error::NotADatabase));
    assert_eq!(file_bytes(&android.db()), before);
}

#[test]
fn a_plain_sqlite_file_is_not_a_televisit_database_in_header_mode() {
    let profile = Profile::new();
    let plain = rusqlite::Connection::open(profile.db()).unwrap();
    plain.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    drop(plain);
    let before = file_bytes(&profile.db());
    assert!(matches!(profile.open_apple().err().unwrap(), Error::NotADatabase));
    assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_none(), "no key is made for a file that is not ours");
    let key = televisit_core::keys::DataKey::generate().unwrap();
    profile.secrets.put(names::DATA_KEY, &key.to_bytes()).unwrap();
    assert!(matches!(profile.open_apple().err().unwrap(), Error::NotADatabase));
    assert_eq!(file_bytes(&profile.db()), before);
}

#[test]
fn a_text_file_is_not_a_database_in_header_mode() {
    let profile = Profile::new();
    fs::write(profile.db(), b"shopping list: milk, eggs\n").unwrap();
    assert!(matches!(profile.open_apple().err().unwrap(), Error::NotADatabase));
    let key = televisit_core::keys::DataKey::generate().unwrap();
    profile.secrets.put(names::DATA_KEY, &key.to_bytes()).unwrap();
    assert!(matches!(profile.open_apple().err().unwrap(), Error::NotADatabase));
    assert_eq!(file_bytes(&profile.db()), b"shopping list: milk, eggs\n");
}

#[test]
fn a_truncated_header_mode_file_is_reported_as_damaged() {
    for cut in [0usize, 20, 100, 4096 + 17, 4096, 3 * 4096] {
        let profile = Profile::new();
        let tv = profile.open_apple().unwrap();
        fill(&tv, 200);
        drop(tv);
        let full = file_bytes(&profile.db());
        assert!(full.len() > 4096 * 4);
        fs::write(profile.db(), &full[..cut]).unwrap();
        let err = profile.open_apple().err().unwrap();
        if cut % 4096 == 0 && cut > 4096 {
            // Cut at a later page boundary, the file looks whole until a missing page is read.
            assert!(matches!(err, Error::Corrupted(_)), "cut at {cut}: {err:?}");
        } else {
            assert!(matches!(err, Error::Corrupted(CorruptionKind::Truncated)), "cut at {cut}: {err:?}");
        }
        assert_eq!(file_bytes(&profile.db()), &full[..cut]);
    }
}

#[test]
fn a_damaged_first_page_is_damage_not_a_wrong_key_in_header_mode() {
    let profile = Profile::new();
    drop(profile.open_apple().unwrap());
    let mut bytes = file_bytes(&profile.db());
    bytes[200] ^= 0xff;
    fs::write(profile.db(), &bytes).unwrap();
    let err = profile.open_apple().err().unwrap();
    assert!(matches!(err, Error::Corrupted(CorruptionKind::PageCheckFailed)), "{err:?}");
    assert_eq!(file_bytes(&profile.db()), bytes);
}

#[test]
fn a_header_mode_database_without_its_key_is_reported_and_kept() {
    let profile = Profile::new();
    drop(profile.open_apple().unwrap());
    let before = file_bytes(&profile.db());
    let empty = MemorySecretStore::new();
    let err = Televisit::open(&profile.db(), &empty, profile.clock.clone(), &StoreOptions::apple()).err().unwrap();
    assert!(matches!(err, Error::KeyMissing), "{err:?}");
    assert_eq!(file_bytes(&profile.db()), before);
    assert!(empty.get(names::DATA_KEY).unwrap().is_none());
}

#[test]
fn a_header_mode_creation_cut_short_after_saving_the_key_is_finished() {
    let profile = Profile::new();
    drop(profile.open_apple().unwrap());
    fs::rename(profile.db(), profile.dir.path().join("televisit.db.new")).unwrap();
    let tv = profile.open_apple().unwrap();
    assert_eq!(tv.opened(), Opened::Created);
    assert!(!profile.dir.path().join("televisit.db.new").exists());
    assert!(matches!(tv.log_verify().unwrap(), televisit_core::Verification::Intact { .. }));
}

#[test]
fn a_staged_file_of_another_key_is_not_taken_in_header_mode() {
    let other = Profile::new();
    drop(other.open_apple().unwrap());
    let profile = Profile::new();
    let key = televisit_core::keys::DataKey::generate().unwrap();
    profile.secrets.put(names::DATA_KEY, &key.to_bytes()).unwrap();
    fs::copy(other.db(), profile.dir.path().join("televisit.db.new")).unwrap();
    assert!(matches!(profile.open_apple().err().unwrap(), Error::DatabaseMissing));
    assert!(!profile.db().exists());
}

#[test]
fn pages_written_to_the_wal_survive_a_crash_in_header_mode() {
    let profile = Profile::new();
    let tv = profile.open_apple().unwrap();
    // Leave without closing (as a killed app does): nothing is checkpointed.
    fill(&tv, 50);
    let wal = std::path::PathBuf::from(format!("{}-wal", profile.db().display()));
    assert!(fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0, "the entries are in the WAL");
    std::mem::forget(tv);
    let tv = profile.open_apple().unwrap();
    assert_eq!(tv.log_list(&Default::default()).unwrap().len(), 51);
    assert!(matches!(tv.log_verify().unwrap(), televisit_core::Verification::Intact { .. }));
}

/// iOS keeps Keychain items when the app is deleted, and the database goes with the app: on
/// the reinstall's first start (the shell's own first-run flag missing) the leftover key, the
/// log's protected head and IT's confirmation are discarded and a new store is made, logged as
/// such. Without that fact the same state is reported, never silently reset.
#[test]
fn a_reinstall_that_kept_the_old_key_starts_a_new_store_only_when_the_shell_says_so() {
    use std::sync::Arc;
    use televisit_core::{DetailValue, EntryKind, LogQuery};
    let profile = Profile::new();
    let secrets = Arc::new(MemorySecretStore::new());
    let open = |options: &StoreOptions| Televisit::open(&profile.db(), &*secrets, profile.clock.clone(), options);
    let tv = open(&StoreOptions::apple()).unwrap();
    fill(&tv, 3);
    tv.protect_log_head(secrets.clone()).unwrap();
    drop(tv);
    secrets.put(names::LOG_CONFIRMED, &7u64.to_be_bytes()).unwrap();
    let old_key = secrets.get(names::DATA_KEY).unwrap().unwrap();
    for file in fs::read_dir(profile.dir.path()).unwrap() {
        fs::remove_file(file.unwrap().path()).unwrap(); // the app and its files deleted
    }

    // A running installation whose database vanished: reported, nothing reset.
    assert!(matches!(open(&StoreOptions::apple()).err().unwrap(), Error::DatabaseMissing));
    assert_eq!(secrets.get(names::DATA_KEY).unwrap().unwrap(), old_key);

    // The reinstall's first start.
    let fresh = StoreOptions { fresh_install: true, ..StoreOptions::apple() };
    let tv = open(&fresh).unwrap();
    assert_eq!(tv.opened(), Opened::Recreated);
    assert_ne!(secrets.get(names::DATA_KEY).unwrap().unwrap(), old_key, "a new key");
    assert!(secrets.get(names::LOG_CONFIRMED).unwrap().is_none(), "IT's confirmation was of the old log");
    let tamper = tv.protect_log_head(secrets.clone()).unwrap();
    assert!(tamper.is_none(), "the new log is not taken for an emptied one");
    let first = tv.log_list(&LogQuery::default()).unwrap();
    assert_eq!(first[0].kind, EntryKind::StoreCreated);
    assert_eq!(first[0].detail.fields().get("after_reinstall"), Some(&DetailValue::Bool(true)));
    drop(tv);

    // The flag changes nothing once a database exists: the same store opens.
    let again = open(&fresh).unwrap();
    assert_eq!(again.opened(), Opened::Existing);
    assert_eq!(again.log_list(&LogQuery::default()).unwrap().len(), first.len());
}
