//! The traits each shell implements (Kotlin, Swift, the desktop), and their adapters to the
//! core's own traits.

use std::sync::Arc;
use std::time::SystemTime;

/// Small named secrets kept by the platform: AndroidKeyStore-sealed blobs, the iOS Keychain.
/// `put` must be atomic.
#[uniffi::export(foreign)]
pub trait SecretStore: Send + Sync {
    fn put(&self, name: String, value: Vec<u8>) -> Result<(), SecretStoreError>;
    fn get(&self, name: String) -> Result<Option<Vec<u8>>, SecretStoreError>;
    fn delete(&self, name: String) -> Result<(), SecretStoreError>;
}

/// Thrown by a platform's `SecretStore`: the keystore is locked, unavailable before first
/// unlock, or refused. The reason must not contain the secret.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SecretStoreError {
    #[error("{reason}")]
    Unavailable { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SecretStoreError {
    fn from(err: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SecretStoreError::Unavailable {
            reason: format!("the platform secret store failed unexpectedly: {}", err.reason),
        }
    }
}

/// The time, for shells whose tests need to set it.
#[uniffi::export(foreign)]
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}

#[derive(Clone)]
pub(crate) struct ForeignSecrets(pub Arc<dyn SecretStore>);

impl televisit_core::SecretStore for ForeignSecrets {
    fn put(&self, name: &str, value: &[u8]) -> Result<(), televisit_core::SecretStoreError> {
        self.0.put(name.to_owned(), value.to_vec()).map_err(Into::into)
    }
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, televisit_core::SecretStoreError> {
        self.0.get(name.to_owned()).map_err(Into::into)
    }
    fn delete(&self, name: &str) -> Result<(), televisit_core::SecretStoreError> {
        self.0.delete(name.to_owned()).map_err(Into::into)
    }
}

impl From<SecretStoreError> for televisit_core::SecretStoreError {
    fn from(err: SecretStoreError) -> Self {
        televisit_core::SecretStoreError { reason: err.to_string() }
    }
}

pub(crate) struct ForeignClock(pub Arc<dyn Clock>);

impl televisit_core::Clock for ForeignClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.now().into()
    }
}
