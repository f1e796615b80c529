//! Opening the encrypted store: first use, reopen, and every way a file can fail to open, each
//! leaving the file exactly as it was.

mod common;

use common::{file_bytes, Profile};
use std::fs;
use televisit_core::secrets::{names, MemorySecretStore};
use televisit_core::{CorruptionKind, Error, Opened, SecretStore, StoreOptions, Televisit};

#[test]
fn first_open_creates_an_encrypted_database_and_its_key() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    assert_eq!(tv.opened(), Opened::Created);
    drop(tv);
    let key = profile.secrets.get(names::DATA_KEY).unwrap().unwrap();
    assert_eq!(key.len(), 48);
    let bytes = file_bytes(&profile.db());
    assert!(!bytes.starts_with(b"SQLite format 3"), "the file must not be plaintext SQLite");
    assert_eq!(&bytes[..16], &key[32..], "the file's salt is the one kept beside the key");
    assert!(!profile.dir.path().join("televisit.db.new").exists());
    // A plain SQLite connection cannot read it.
    let plain = rusqlite::Connection::open(profile.db()).unwrap();
    assert!(plain.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).is_err());
}

#[test]
fn reopening_keeps_the_data_and_uses_wal() {
    let profile = Profile::new();
    drop(profile.open().unwrap());
    let tv = profile.open().unwrap();
    assert_eq!(tv.opened(), Opened::Existing);
    assert_eq!(tv.log_list(&Default::default()).unwrap().len(), 1, "the store_created entry is still there");
    let mode: String = profile.raw().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let version: u32 = profile.raw().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, televisit_core::schema::SCHEMA_VERSION);
}

#[test]
fn a_wrong_key_is_reported_and_the_file_is_untouched() {
    let profile = Profile::new();
    drop(profile.open().unwrap());
    let before = file_bytes(&profile.db());
    let other = MemorySecretStore::new();
    let other_key = televisit_core::keys::DataKey::generate().unwrap();
    other.put(names::DATA_KEY, &other_key.to_bytes()).unwrap();
    let err = Televisit::open(&profile.db(), &other, profile.clock.clone(), &StoreOptions::default()).err().unwrap();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
    assert_eq!(file_bytes(&profile.db()), before);
}

#[test]
fn a_plain_sqlite_file_is_not_a_televisit_database() {
    let profile = Profile::new();
    let plain = rusqlite::Connection::open(profile.db()).unwrap();
    plain.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    drop(plain);
    let before = file_bytes(&profile.db());
    assert!(matches!(profile.open().err().unwrap(), Error::NotADatabase));
    assert_eq!(file_bytes(&profile.db()), before);
    assert!(profile.secrets.get(names::DATA_KEY).unwrap().is_none(), "no key is made for a file that is not ours");
}

#[test]
fn a_text_file_is_not_a_database_with_or_without_a_key() {
    let profile = Profile::new();
    fs::write(profile.db(), b"shopping list: milk, eggs\n").unwrap();
    assert!(matches!(profile.open().err().unwrap(), Error::KeyMissing | Error::NotADatabase));
    let key = televisit_core::keys::DataKey::generate().unwrap();
    profile.secrets.put(names::DATA_KEY, &key.to_bytes()).unwrap();
    assert!(matches!(profile.open().err().unwrap(), Error::NotADatabase));
    assert_eq!(file_bytes(&profile.db()), b"shopping list: milk, eggs\n");
}

#[test]
fn a_truncated_file_is_reported_as_damaged() {
    for cut in [100usize, 4096 + 17, 4096] {
        let profile = Profile::new();
        let tv = profile.open().unwrap();
        for _ in 0..200 {
            tv.log_append_any(&televisit_core::NewEntry::new(
                televisit_core::EntryKind::UnlockFailed,
                televisit_core::Actor::Clinician,
            ))
            .unwrap();
        }
        drop(tv);
        let full = file_bytes(&profile.db());
        assert!(full.len() > 4096 * 2);
        fs::write(profile.db(), &full[..cut]).unwrap();
        let err = profile.open().err().unwrap();
        if cut % 4096 == 0 {
            // Cut at a page boundary, the file looks whole until a missing page is read.
            assert!(matches!(err, Error::Corrupted(_)), "cut at {cut}: {err:?}");
        } else {
            assert!(matches!(err, Error::Corrupted(CorruptionKind::Truncated)), "cut at {cut}: {err:?}");
        }
        assert_eq!(file_bytes(&profile.db()), &full[..cut]);
    }
}

#[test]
fn a_damaged_first_page_is_reported_as_damaged() {
    let profile = Profile::new();
    drop(profile.open().unwrap());
    let mut bytes = file_bytes(&profile.db());
    bytes[200] ^= 0xff;
    fs::write(profile.db(), &bytes).unwrap();
    let err = profile.open().err().unwrap();
    assert!(matches!(err, Error::Corrupted(CorruptionKind::PageCheckFailed)), "{err:?}");
    assert_eq!(file_bytes(&profile.db()), bytes);
}

#[test]
fn a_damaged_later_page_is_found_by_the_integrity_check() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    for _ in 0..300 {
        tv.log_append_any(&televisit_core::NewEntry::new(
            televisit_core::EntryKind::UnlockFailed,
            televisit_core::Actor::Clinician,
        ))
        .unwrap();
    }
    assert!(tv.integrity_check().unwrap().is_ok());
    drop(tv);
    let mut bytes = file_bytes(&profile.db());
    let last_page = bytes.len() - 4096;
    bytes[last_page + 100] ^= 0xff;
    fs::write(profile.db(), &bytes).unwrap();
    match profile.open() {
        Err(err) => assert!(matches!(err, Error::Corrupted(_)), "{err:?}"),
        Ok(tv) => {
            let report = tv.integrity_check();
            let damaged = match report {
                Ok(report) => !report.pages_ok || !report.problems.is_empty(),
                Err(err) => matches!(err, Error::Corrupted(_)),
            };
            assert!(damaged);
        }
    }
}

#[test]
fn a_database_without_its_key_is_reported_and_kept() {
    let profile = Profile::new();
    drop(profile.open().unwrap());
    let before = file_bytes(&profile.db());
    let empty = MemorySecretStore::new();
    let err = Televisit::open(&profile.db(), &empty, profile.clock.clone(), &StoreOptions::default()).err().unwrap();
    assert!(matches!(err, Error::KeyMissing), "{err:?}");
    assert_eq!(file_bytes(&profile.db()), before);
    assert!(empty.get(names::DATA_KEY).unwrap().is_none(), "no new key replaces the lost one");
}

#[test]
fn a_key_without_its_database_is_reported() {
    let profile = Profile::new();
    drop(profile.open().unwrap());
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", profile.db().display()));
    }
    assert!(matches!(profile.open().err().unwrap(), Error::DatabaseMissing));
    assert!(!profile.db().exists(), "nothing is created in its place");
}

#[test]
fn a_creation_cut_short_after_saving_the_key_is_finished() {
    let profile = Profile::new();
    drop(profile.open().unwrap());
    // As if the process died between saving the key and renaming the staged file.
    fs::rename(profile.db(), profile.dir.path().join("televisit.db.new")).unwrap();
    let tv = profile.open().unwrap();
    assert_eq!(tv.opened(), Opened::Created);
    assert!(!profile.dir.path().join("televisit.db.new").exists());
    assert!(matches!(tv.log_verify().unwrap(), televisit_core::Verification::Intact { .. }));
}

#[test]
fn a_locked_database_is_reported_as_locked() {
    let profile = Profile::new();
    drop(profile.open().unwrap());
    let holder = profile.raw();
    holder.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;").unwrap();
    let options = StoreOptions { busy_timeout: std::time::Duration::from_millis(50), ..Default::default() };
    let err = Televisit::open(&profile.db(), &profile.secrets, profile.clock.clone(), &options).err().unwrap();
    assert!(matches!(err, Error::Locked), "{err:?}");
}

#[test]
fn a_full_disk_is_reported_and_nothing_is_half_written() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let pages: i64 = profile.raw().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    tv.limit_pages_for_test(pages as u64).unwrap();
    let before = tv.log_list(&Default::default()).unwrap().len();
    let big = televisit_core::Detail::new().code("a", &"x".repeat(64)).code("b", &"y".repeat(64));
    let mut full = None;
    for _ in 0..500 {
        let entry =
            televisit_core::NewEntry::new(televisit_core::EntryKind::UnlockFailed, televisit_core::Actor::Clinician)
                .detail(big.clone());
        if let Err(err) = tv.log_append_any(&entry) {
            full = Some(err);
            break;
        }
    }
    let err = full.expect("the capped database fills up");
    assert!(matches!(err, Error::DiskFull), "{err:?}");
    assert!(err.to_string().contains("disk is full"));
    let after = tv.log_list(&Default::default()).unwrap();
    assert!(after.len() > before);
    assert!(
        matches!(tv.log_verify().unwrap(), televisit_core::Verification::Intact { .. }),
        "the failed append left no trace"
    );
}

#[test]
fn an_unwritable_location_is_a_typed_error() {
    // /proc accepts no new files, even for root.
    let secrets = MemorySecretStore::new();
    let clock = std::sync::Arc::new(televisit_core::SystemClock);
    let err =
        Televisit::open(std::path::Path::new("/proc/televisit.db"), &secrets, clock.clone(), &StoreOptions::default())
            .err()
            .unwrap();
    assert!(matches!(err, Error::ReadOnly | Error::CannotOpen), "{err:?}");
    assert!(secrets.get(names::DATA_KEY).unwrap().is_none(), "no key is kept for a database that was not made");
    let err = Televisit::open(
        std::path::Path::new("/nonexistent-dir/x/televisit.db"),
        &secrets,
        clock,
        &StoreOptions::default(),
    )
    .err()
    .unwrap();
    assert!(matches!(err, Error::CannotOpen), "{err:?}");
}

#[test]
fn a_read_only_directory_is_a_typed_error() {
    use std::os::unix::fs::PermissionsExt;
    let profile = Profile::new();
    fs::set_permissions(profile.dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
    let writable_anyway = fs::write(profile.dir.path().join("probe"), b"").is_ok(); // root ignores modes
    if !writable_anyway {
        let err = profile.open().err().unwrap();
        assert!(matches!(err, Error::ReadOnly), "{err:?}");
    }
    fs::set_permissions(profile.dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn a_newer_schema_is_refused() {
    let profile = Profile::new();
    drop(profile.open().unwrap());
    profile.raw().pragma_update(None, "user_version", 99).unwrap();
    let err = profile.open().err().unwrap();
    assert!(matches!(err, Error::NewerSchema { found: 99, .. }), "{err:?}");
}

#[test]
fn sqlcipher_writes_nothing_to_stderr_on_a_wrong_key() {
    // Run the wrong-key open in a child process and read its stderr.
    if std::env::var("TELEVISIT_STDERR_CHILD").is_ok() {
        let profile = Profile::new();
        drop(profile.open().unwrap());
        let mut bytes = file_bytes(&profile.db());
        bytes[5000] ^= 1;
        bytes[200] ^= 1;
        fs::write(profile.db(), &bytes).unwrap();
        let _ = profile.open();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["sqlcipher_writes_nothing_to_stderr_on_a_wrong_key", "--exact", "--nocapture", "--test-threads=1"])
        .env("TELEVISIT_STDERR_CHILD", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("sqlcipher") && !stderr.contains("hmac"), "SQLCipher logged: {stderr}");
}
