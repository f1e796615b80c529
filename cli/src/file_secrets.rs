//! The desktop shell's `SecretStore`: one file per secret, mode 0600, in a 0700 folder of the
//! profile. FOR DEVELOPMENT AND IT TESTING ONLY: on a phone the key lives in AndroidKeyStore or
//! the Keychain, never in a file beside the database.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use televisit_core::{SecretStore, SecretStoreError};

pub struct FileSecretStore {
    dir: PathBuf,
}

impl FileSecretStore {
    pub fn new(dir: &Path) -> Result<Self, SecretStoreError> {
        fs::create_dir_all(dir).map_err(|e| fail("create the secrets folder", &e))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| fail("protect the secrets folder", &e))?;
        Ok(FileSecretStore { dir: dir.to_owned() })
    }

    fn path(&self, name: &str) -> Result<PathBuf, SecretStoreError> {
        let safe = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            && !name.starts_with('.');
        if !safe {
            return Err(SecretStoreError { reason: "a secret name must be letters, digits, '.', '-' and '_'".into() });
        }
        Ok(self.dir.join(name))
    }
}

fn fail(what: &str, err: &std::io::Error) -> SecretStoreError {
    SecretStoreError { reason: format!("could not {what}: {}", err.kind()) }
}

impl SecretStore for FileSecretStore {
    /// Written to a temporary 0600 file, synced, then renamed: a crash leaves the old or the new.
    fn put(&self, name: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        let path = self.path(name)?;
        let staged = self.dir.join(format!(".{name}.tmp"));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&staged)
            .map_err(|e| fail("write a secret", &e))?;
        file.write_all(value).and_then(|_| file.sync_all()).map_err(|e| fail("write a secret", &e))?;
        fs::rename(&staged, &path).map_err(|e| fail("save a secret", &e))?;
        if let Ok(dir) = fs::File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        match fs::read(self.path(name)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(fail("read a secret", &e)),
        }
    }

    fn delete(&self, name: &str) -> Result<(), SecretStoreError> {
        match fs::remove_file(self.path(name)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(fail("delete a secret", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_with_owner_only_modes() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileSecretStore::new(&dir.path().join("secrets")).unwrap();
        assert_eq!(store.get("a.key").unwrap(), None);
        store.put("a.key", b"one").unwrap();
        store.put("a.key", b"two").unwrap();
        assert_eq!(store.get("a.key").unwrap().as_deref(), Some(&b"two"[..]));
        let mode = fs::metadata(dir.path().join("secrets/a.key")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = fs::metadata(dir.path().join("secrets")).unwrap().permissions().mode() & 0o777;
        assert_eq!(dir_mode, 0o700);
        store.delete("a.key").unwrap();
        store.delete("a.key").unwrap();
        assert_eq!(store.get("a.key").unwrap(), None);
        assert!(store.put("../escape", b"x").is_err());
    }
}
