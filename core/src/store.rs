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

/// SQLCipher 4's bytes at the end of each page: a 16-byte IV and a 64-byte HMAC-SHA512.
const RESERVE: usize = 16 + 64;
const IV_LEN: usize = 16;
/// The plaintext header of `StoreOptions::plaintext_header`: SQLite's own 32 first bytes.
pub const PLAINTEXT_HEADER_SIZE: u32 = 32;

#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long to wait for another connection's lock before reporting `Locked`.
    pub busy_timeout: Duration,
    /// Apple platforms: leave the first 32 bytes of the file (SQLite's header) in plaintext,
    /// `PRAGMA cipher_plaintext_header_size = 32`, with the salt kept beside the key instead of
    /// in the file. iOS recognises a WAL database by that header, which matters for a database
    /// in a shared App Group container (ADR 9 says why it is kept for the app's own container).
    /// Off by default: Android and the desktop keep the whole file encrypted. A store made in
    /// one mode opens only in that mode.
    pub plaintext_header: bool,
    /// The shell knows the app was just installed (a first-run flag of its own is missing, and
    /// the platform deletes that flag with the app), while its secret store may have outlived
    /// the app: iOS keeps Keychain items across a delete and reinstall. A key found with no
    /// database is then the previous installation's leftover: it is discarded with the log's
    /// protected head and IT's confirmation (both describe a log that is gone), and a new store
    /// is made (`Opened::Recreated`, logged). Without this fact the same state is
    /// `DatabaseMissing`: a database deleted under a running installation is not hidden.
    pub fresh_install: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { busy_timeout: Duration::from_secs(5), plaintext_header: false, fresh_install: false }
    }
}

impl StoreOptions {
    /// The options the iOS (and any Apple platform) shell opens its store with.
    pub fn apple() -> Self {
        StoreOptions { plaintext_header: true, ..Default::default() }
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
    /// Made anew on a fresh install that found the previous installation's key
    /// (`StoreOptions::fresh_install`).
    Recreated,
    Existing,
}

impl Opened {
    /// A new, empty store (made now, for whatever reason).
    pub fn is_new(self) -> bool {
        matches!(self, Opened::Created | Opened::Recreated)
    }
}

impl Store {
    /// Opens the database at `path`, or creates it (and its key) when neither exists yet.
    pub fn open(path: &Path, secrets: &dyn SecretStore, options: &StoreOptions) -> Result<(Store, Opened)> {
        silence_sqlcipher_logging();
        // The bytes are cleared from memory as soon as the key is built from them.
        let stored_key = secrets
            .get(names::DATA_KEY)?
            .map(|bytes| DataKey::from_bytes(&zeroize::Zeroizing::new(bytes)))
            .transpose()?;
        let staged = staging_path(path);
        let file_len = fs::metadata(path).map(|m| m.len()).ok();
        match (file_len, stored_key) {
            (None, None) => Self::create(path, &staged, secrets, options),
            (None, Some(key)) => {
                // A creation that stopped after saving the key: finish it if the staged file is ours.
                if file_is_ours(&staged, &key, options) {
                    fs::rename(&staged, path).map_err(|_| Error::CannotOpen)?;
                    Ok((Self::open_existing(path, key, options)?, Opened::Created))
                } else if options.fresh_install {
                    drop(key);
                    for name in [names::DATA_KEY, names::LOG_HEAD, names::LOG_CONFIRMED] {
                        secrets.delete(name)?;
                    }
                    let (store, _) = Self::create(path, &staged, secrets, options)?;
                    Ok((store, Opened::Recreated))
                } else {
                    Err(Error::DatabaseMissing)
                }
            }
            (Some(_), None) if options.plaintext_header && !looks_like_header_mode_sqlcipher(path) => {
                Err(Error::NotADatabase)
            }
            (Some(_), None) if !options.plaintext_header && starts_with_plain_sqlite(path) => Err(Error::NotADatabase),
            (Some(_), None) => Err(Error::KeyMissing),
            (Some(len), Some(key)) => {
                if options.plaintext_header {
                    check_header_mode_file_matches_key(path, len, &key)?;
                } else {
                    check_file_matches_key(path, len, &key)?;
                }
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
            apply_key(&conn, &key, options)?;
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
        apply_key(&conn, &key, options)?;
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
        let pages = i64::try_from(pages).map_err(|_| Error::invalid("page limit", "is beyond SQLite's integers"))?;
        self.conn.pragma_update(None, "max_page_count", pages)?;
        Ok(())
    }
}

/// The key, and in header mode the plaintext header size, before anything reads the file. The
/// raw key carries the salt (`x'<key><salt>'`), which header mode needs: the file no longer
/// holds it.
fn apply_key(conn: &Connection, key: &DataKey, options: &StoreOptions) -> Result<()> {
    conn.execute_batch(&key.sqlcipher_pragma_statement())
        .map_err(|_| Error::Storage("SQLCipher refused the key".into()))?;
    if options.plaintext_header {
        conn.execute_batch(&format!("PRAGMA cipher_plaintext_header_size = {PLAINTEXT_HEADER_SIZE};"))
            .map_err(|_| Error::Storage("SQLCipher refused the plaintext header setting".into()))?;
    }
    Ok(())
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

/// Header mode: the file starts like any SQLite file and holds no salt, so what is on disk tells
/// "not an encrypted database" (SQLCipher's 80 reserved bytes per page are missing), "cut short"
/// (not whole pages, or fewer pages than the plaintext header counts) and "made with another
/// key" (page 2's HMAC does not verify under our key and salt) apart, all before SQLCipher opens
/// the file, so that a file that is not ours is never opened for writing.
fn check_header_mode_file_matches_key(path: &Path, len: u64, key: &DataKey) -> Result<()> {
    if len == 0 {
        return Err(Error::Corrupted(CorruptionKind::Truncated));
    }
    let head = read_prefix(path, PLAINTEXT_HEADER_SIZE as usize);
    if !head.starts_with(SQLITE_PLAINTEXT_HEADER) {
        return Err(Error::NotADatabase);
    }
    if head.len() < PLAINTEXT_HEADER_SIZE as usize {
        return Err(Error::Corrupted(CorruptionKind::Truncated));
    }
    if !looks_like_header_mode_sqlcipher(path) {
        return Err(Error::NotADatabase);
    }
    if len < PAGE_SIZE || !len.is_multiple_of(PAGE_SIZE) {
        return Err(Error::Corrupted(CorruptionKind::Truncated));
    }
    let pages = len / PAGE_SIZE;
    if pages >= 2 {
        return if page_hmac_verifies(path, 2, key) == Some(true) { Ok(()) } else { Err(Error::WrongKey) };
    }
    let counted = u32::from_be_bytes([head[28], head[29], head[30], head[31]]) as u64;
    if counted > pages {
        return Err(Error::Corrupted(CorruptionKind::Truncated));
    }
    Ok(()) // one page: only the key can tell, and a failure reads as damage
}

/// SQLite's magic and, at offset 20, SQLCipher 4's reserved bytes per page (a plain SQLite file
/// reserves none).
fn looks_like_header_mode_sqlcipher(path: &Path) -> bool {
    let head = read_prefix(path, PLAINTEXT_HEADER_SIZE as usize);
    head.len() == PLAINTEXT_HEADER_SIZE as usize
        && head.starts_with(SQLITE_PLAINTEXT_HEADER)
        && usize::from(head[20]) == RESERVE
}

/// Whether the staged file of an interrupted creation was made with this key.
fn file_is_ours(path: &Path, key: &DataKey, options: &StoreOptions) -> bool {
    if options.plaintext_header {
        let len = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        looks_like_header_mode_sqlcipher(path) && len >= 2 * PAGE_SIZE && page_hmac_verifies(path, 2, key) == Some(true)
    } else {
        read_salt(path).as_ref() == Some(key.salt())
    }
}

/// SQLCipher 4's page check, done here without opening the file: HMAC-SHA512 over the page's
/// ciphertext and IV and its number (4 bytes, little-endian), keyed with PBKDF2-HMAC-SHA512 of
/// the raw key, salt XOR 0x3a, 2 iterations (SQLCipher's defaults). `None` when the page cannot
/// be read. Page 1 is not used: its layout depends on the header setting.
fn page_hmac_verifies(path: &Path, pgno: u32, key: &DataKey) -> Option<bool> {
    use std::io::{Seek, SeekFrom};
    let mut page = vec![0u8; PAGE_SIZE as usize];
    let mut file = fs::File::open(path).ok()?;
    file.seek(SeekFrom::Start(u64::from(pgno - 1) * PAGE_SIZE)).ok()?;
    file.read_exact(&mut page).ok()?;
    let signed = PAGE_SIZE as usize - RESERVE + IV_LEN;
    Some(key.page_hmac_matches(&page[..signed], pgno, &page[signed..]))
}

/// A file cut at a page boundary still opens; its header says how many pages it should have.
fn check_not_truncated(conn: &Connection, path: &Path) -> Result<()> {
    let wal_len = fs::metadata(sidecar(path, "-wal")).map(|m| m.len()).unwrap_or(0);
    if wal_len > 0 {
        return Ok(()); // pages may live in the WAL until the next checkpoint
    }
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |row| row.get(0))?;
    // A negative count from a damaged header is no count at all.
    let Ok(pages) = u64::try_from(pages) else { return Err(Error::Corrupted(CorruptionKind::PageCheckFailed)) };
    let on_disk = fs::metadata(path).map(|m| m.len()).unwrap_or(0) / PAGE_SIZE;
    if on_disk < pages {
        return Err(Error::Corrupted(CorruptionKind::Truncated));
    }
    Ok(())
}

fn read_prefix(path: &Path, len: usize) -> Vec<u8> {
    let mut head = Vec::with_capacity(len);
    if let Ok(file) = fs::File::open(path) {
        let _ = file.take(len as u64).read_to_end(&mut head);
    }
    head
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
