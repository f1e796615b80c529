//! The one SQLCipher database, keyed with a raw 256-bit key that the platform's secret store
//! keeps. Opening never overwrites anything: a file that does not open with our key is reported
//! (wrong key, not a database, damaged) and left exactly as it was.

use crate::error::{CorruptionKind, Error, Result};
use crate::keys::{DataKey, SALT_LEN};
use crate::schema;
use crate::secrets::{names, SecretStore};
use rusqlite::{Connection, OpenFlags};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// SQLCipher 4's page size; a whole file is a multiple of it.
const PAGE_SIZE: u64 = 4096;
const SQLITE_PLAINTEXT_HEADER: &[u8; 16] = b"SQLite format 3\0";

#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long to wait for another connection's lock before reporting `Locked`.
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { busy_timeout: Duration::from_secs(5) }
    }
}

pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) key: DataKey,
    path: PathBuf,
}

/// Whether `open` found a database or made a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    Created,
    Existing,
}

impl Store {
    /// Opens the database at `path`, or creates it (and its key) when neither exists yet.
    pub fn open(path: &Path, secrets: &dyn SecretStore, options: &StoreOptions) -> Result<(Store, Opened)> {
        silence_sqlcipher_logging();
        let stored_key = secrets.get(names::DATA_KEY)?.map(|bytes| DataKey::from_bytes(&bytes)).transpose()?;
        let staged = staging_path(path);
        let file_len = fs::metadata(path).map(|m| m.len()).ok();
        match (file_len, stored_key) {
            (None, None) => Self::create(path, &staged, secrets, options),
            (None, Some(key)) => {
                // A creation that stopped after saving the key: finish it if the staged file is ours.
                if read_salt(&staged).as_ref() == Some(key.salt()) {
                    fs::rename(&staged, path).map_err(|_| Error::CannotOpen)?;
                    Ok((Self::open_existing(path, key, options)?, Opened::Created))
                } else {
                    Err(Error::DatabaseMissing)
                }
            }
            (Some(_), None) if starts_with_plain_sqlite(path) => Err(Error::NotADatabase),
            (Some(_), None) => Err(Error::KeyMissing),
            (Some(len), Some(key)) => {
                check_file_matches_key(path, len, &key)?;
                Ok((Self::open_existing(path, key, options)?, Opened::Existing))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes the database under a staging name, saves the key, then renames it into place, so a
    /// crash leaves either nothing, or a staged file that the next open finishes or discards.
    fn create(
        path: &Path,
        staged: &Path,
        secrets: &dyn SecretStore,
        options: &StoreOptions,
    ) -> Result<(Store, Opened)> {
        remove_database_files(staged);
        let key = DataKey::generate()?;
        {
            let mut conn =
                Connection::open_with_flags(staged, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
                    .map_err(|err| open_error(err, path))?;
            apply_key(&conn, &key)?;
            let made = configure(&conn, options).and_then(|_| schema::migrate(&mut conn));
            if let Err(err) = made {
                drop(conn);
                remove_database_files(staged);
                return Err(err);
            }
            // Closing checkpoints the WAL, so the staged file alone holds the database.
        }
        if let Err(err) = secrets.put(names::DATA_KEY, &key.to_bytes()) {
            remove_database_files(staged);
            return Err(err.into());
        }
        fs::rename(staged, path).map_err(|_| Error::CannotOpen)?;
        Ok((Self::open_existing(path, key, options)?, Opened::Created))
    }

    fn open_existing(path: &Path, key: DataKey, options: &StoreOptions) -> Result<Store> {
        let mut conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|err| open_error(err, path))?;
        apply_key(&conn, &key)?;
        // The first read decrypts page 1: with a matching salt, a failure here is damage.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get::<_, i64>(0)).map_err(|err| {
            match Error::from(err) {
                Error::Storage(_) => Error::Corrupted(CorruptionKind::PageCheckFailed),
                other => other,
            }
        })?;
        check_not_truncated(&conn, path)?;
        configure(&conn, options)?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn, key, path: path.to_owned() })
    }

    /// For tests of a full disk: caps the database's size so that SQLite reports SQLITE_FULL.
    #[cfg(any(test, feature = "testing"))]
    pub fn limit_pages_for_test(&self, pages: u64) -> Result<()> {
        self.conn.pragma_update(None, "max_page_count", pages as i64)?;
        Ok(())
    }
}

fn apply_key(conn: &Connection, key: &DataKey) -> Result<()> {
    conn.execute_batch(&format!("PRAGMA key = {};", key.sqlcipher_pragma_value().as_str()))
        .map_err(|_| Error::Storage("SQLCipher refused the key".into()))
}

fn configure(conn: &Connection, options: &StoreOptions) -> Result<()> {
    conn.busy_timeout(options.busy_timeout)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::ReadOnly);
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// SQLCipher writes its own warnings (a failed HMAC check, for one) to stderr by default on
/// desktop. Our errors say what happened; its log would only add noise to the shells' stderr.
fn silence_sqlcipher_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(conn) = Connection::open_in_memory() {
            let _ = conn.execute_batch("PRAGMA cipher_log = off; PRAGMA cipher_log_level = NONE;");
        }
    });
}

/// Before opening with our key, tell apart the files it cannot open, from what is on disk alone.
fn check_file_matches_key(path: &Path, len: u64, key: &DataKey) -> Result<()> {
    if starts_with_plain_sqlite(path) {
        return Err(Error::NotADatabase);
    }
    let ours = read_salt(path).as_ref() == Some(key.salt());
    let whole_pages = len >= PAGE_SIZE && len.is_multiple_of(PAGE_SIZE);
    match (ours, whole_pages) {
        (true, true) => Ok(()),
        (true, false) => Err(Error::Corrupted(CorruptionKind::Truncated)),
        (false, true) => Err(Error::WrongKey),
        (false, false) if len == 0 => Err(Error::Corrupted(CorruptionKind::Truncated)),
        (false, false) => Err(Error::NotADatabase),
    }
}

/// A file cut at a page boundary still opens; its header says how many pages it should have.
fn check_not_truncated(conn: &Connection, path: &Path) -> Result<()> {
    let wal_len = fs::metadata(sidecar(path, "-wal")).map(|m| m.len()).unwrap_or(0);
    if wal_len > 0 {
        return Ok(()); // pages may live in the WAL until the next checkpoint
    }
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |row| row.get(0))?;
    let pages = pages as u64;
    let on_disk = fs::metadata(path).map(|m| m.len()).unwrap_or(0) / PAGE_SIZE;
    if on_disk < pages {
        return Err(Error::Corrupted(CorruptionKind::Truncated));
    }
    Ok(())
}

fn read_salt(path: &Path) -> Option<[u8; SALT_LEN]> {
    let mut salt = [0u8; SALT_LEN];
    fs::File::open(path).ok()?.read_exact(&mut salt).ok()?;
    Some(salt)
}

fn starts_with_plain_sqlite(path: &Path) -> bool {
    read_salt(path).as_ref() == Some(SQLITE_PLAINTEXT_HEADER)
}

fn open_error(err: rusqlite::Error, path: &Path) -> Error {
    match Error::from(err) {
        Error::CannotOpen if path.parent().is_some_and(|dir| dir.exists()) => Error::ReadOnly,
        other => other,
    }
}

fn staging_path(path: &Path) -> PathBuf {
    sidecar(path, ".new")
}

pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The database file, SQLite's companions and a staged new file; missing ones are fine.
/// Returns how many were removed.
pub(crate) fn remove_database_files(path: &Path) -> u32 {
    let mut removed = 0;
    for suffix in ["", "-wal", "-shm", "-journal", ".new", ".new-wal", ".new-shm", ".new-journal"] {
        if fs::remove_file(sidecar(path, suffix)).is_ok() {
            removed += 1;
        }
    }
    removed
}
