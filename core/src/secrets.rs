//! The platform's secret store, as the core sees it. Each shell implements it with what its
//! platform keeps safest: AndroidKeyStore-sealed blobs, the iOS Keychain, a 0600 file on desktop.

use crate::error::{Error, Result};

/// Names of the secrets the core keeps. Versioned so that a format change gets a new name.
pub mod names {
    /// 32-byte SQLCipher key followed by the 16-byte salt of the database it opens.
    pub const DATA_KEY: &str = "televisit.data-key.v1";
    /// The log's head (sequence number and MAC) as of the last commit that moved it: beyond the
    /// database, so that an older copy put back, or a cut tail, shows (`log::protect`).
    pub const LOG_HEAD: &str = "televisit.log-head.v1";
    /// The newest log entry IT confirmed archiving (8 bytes, big-endian), from a bulletin: the
    /// next export starts after it.
    pub const LOG_CONFIRMED: &str = "televisit.log-confirmed.v1";
}

/// A shared secret store is one: the core keeps an `Arc` of the platform's for the log's head.
impl<T: SecretStore + ?Sized> SecretStore for std::sync::Arc<T> {
    fn put(&self, name: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        (**self).put(name, value)
    }
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        (**self).get(name)
    }
    fn delete(&self, name: &str) -> Result<(), SecretStoreError> {
        (**self).delete(name)
    }
}

/// Small named secrets, kept by the platform. Implementations must make `put` atomic: after a
/// crash a name holds either the old value or the new one.
pub trait SecretStore: Send + Sync {
    fn put(&self, name: &str, value: &[u8]) -> Result<(), SecretStoreError>;
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretStoreError>;
    fn delete(&self, name: &str) -> Result<(), SecretStoreError>;
}

/// What a platform store reports. The reason is the platform's own words (keystore locked,
/// Keychain unavailable before first unlock, ...), never a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SecretStoreError {
    pub reason: String,
}

impl From<SecretStoreError> for Error {
    fn from(err: SecretStoreError) -> Self {
        Error::SecretStore(err.reason)
    }
}

#[cfg(any(test, feature = "testing"))]
pub use memory::MemorySecretStore;

#[cfg(any(test, feature = "testing"))]
mod memory {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// A secret store for tests only: secrets live in memory and vanish with it.
    #[derive(Default)]
    pub struct MemorySecretStore {
        secrets: Mutex<HashMap<String, Vec<u8>>>,
    }

    impl MemorySecretStore {
        pub fn new() -> Self {
            Self::default()
        }
    }

    impl SecretStore for MemorySecretStore {
        fn put(&self, name: &str, value: &[u8]) -> Result<(), SecretStoreError> {
            self.secrets.lock().unwrap().insert(name.to_owned(), value.to_vec());
            Ok(())
        }
        fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
            Ok(self.secrets.lock().unwrap().get(name).cloned())
        }
        fn delete(&self, name: &str) -> Result<(), SecretStoreError> {
            self.secrets.lock().unwrap().remove(name);
            Ok(())
        }
    }
}
