//! Televisit's UniFFI surface: thin wrappers and `From` conversions over `televisit-core`, and
//! the traits that each platform shell implements. No rule lives here.

mod error;
mod log;
mod platform;
mod policy;

pub use error::TelevisitError;
pub use log::*;
pub use platform::{Clock, SecretStore, SecretStoreError};
pub use policy::*;

use std::path::Path;
use std::sync::Arc;

uniffi::setup_scaffolding!();

type Result<T, E = TelevisitError> = std::result::Result<T, E>;

/// One clinician's Televisit on this device: the encrypted store and what is kept in it.
#[derive(uniffi::Object)]
pub struct Televisit(televisit_core::Televisit);

#[uniffi::export]
impl Televisit {
    /// Opens (or on first use creates) the store at `path`; its key lives in `secrets`.
    #[uniffi::constructor]
    pub fn open(path: String, secrets: Arc<dyn SecretStore>) -> Result<Arc<Self>> {
        Self::open_with_clock(path, secrets, None)
    }

    /// As `open`, with a clock the caller controls (for tests); `None` is the device's clock.
    #[uniffi::constructor]
    pub fn open_with_clock(
        path: String,
        secrets: Arc<dyn SecretStore>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<Arc<Self>> {
        let secrets = platform::ForeignSecrets(secrets);
        let clock: Arc<dyn televisit_core::Clock> = match clock {
            Some(clock) => Arc::new(platform::ForeignClock(clock)),
            None => Arc::new(televisit_core::SystemClock),
        };
        let core = televisit_core::Televisit::open(Path::new(&path), &secrets, clock, &Default::default())?;
        Ok(Arc::new(Televisit(core)))
    }

    /// True when this open made a new store (and its key).
    pub fn was_created(&self) -> bool {
        self.0.opened() == televisit_core::Opened::Created
    }

    pub fn log_append(&self, entry: NewLogEntry) -> Result<LogEntry> {
        Ok(self.0.log_append(&entry.try_into()?)?.into())
    }

    pub fn log_list(&self, query: LogQuery) -> Result<Vec<LogEntry>> {
        let entries = self.0.log_list(&query.try_into()?)?;
        Ok(entries.into_iter().map(Into::into).collect())
    }

    pub fn log_verify(&self) -> Result<Verification> {
        Ok(self.0.log_verify()?.into())
    }

    pub fn log_purge_older_than(&self, days: i64) -> Result<PurgeReport> {
        Ok(self.0.log_purge_older_than(days)?)
    }

    pub fn integrity_check(&self) -> Result<IntegrityReport> {
        Ok(self.0.integrity_check()?.into())
    }

    pub fn policy(&self) -> Result<Policy> {
        Ok(self.0.policy()?)
    }

    pub fn set_policy(&self, policy: Policy) -> Result<()> {
        Ok(self.0.set_policy(&policy)?)
    }
}
