#![allow(dead_code)]

pub mod book;
pub mod gate;
pub mod org;
pub mod phone;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use televisit_core::clock::FixedClock;
use televisit_core::secrets::{names, MemorySecretStore};
use televisit_core::{SecretStore, StoreOptions, Televisit};

pub struct Profile {
    pub dir: tempfile::TempDir,
    pub secrets: MemorySecretStore,
    pub clock: Arc<FixedClock>,
}

impl Profile {
    pub fn new() -> Self {
        Profile {
            dir: tempfile::tempdir().unwrap(),
            secrets: MemorySecretStore::new(),
            clock: Arc::new(FixedClock::at("2026-01-01T09:00:00Z")),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("televisit.db")
    }

    pub fn open(&self) -> televisit_core::Result<Televisit> {
        Televisit::open(&self.db(), &self.secrets, self.clock.clone(), &StoreOptions::default())
    }

    /// As `open`, with the iOS plaintext header (`StoreOptions::apple()`).
    pub fn open_apple(&self) -> televisit_core::Result<Televisit> {
        Televisit::open(&self.db(), &self.secrets, self.clock.clone(), &StoreOptions::apple())
    }

    /// A raw connection to a header-mode store.
    pub fn raw_apple(&self) -> rusqlite::Connection {
        let conn = self.raw();
        conn.execute_batch("PRAGMA cipher_plaintext_header_size = 32;").unwrap();
        conn
    }

    /// A second, raw connection with the real key: what someone holding the key could do.
    pub fn raw(&self) -> rusqlite::Connection {
        raw_connection(&self.db(), &self.secrets)
    }
}

/// A policy set by hand, as on an unenrolled development profile (the tests' devices are not
/// enrolled unless a test enrolls them, and those apply signed policies).
pub trait SetPolicy {
    fn set_policy(&self, policy: &televisit_core::Policy) -> televisit_core::Result<()>;
}

impl SetPolicy for Televisit {
    fn set_policy(&self, policy: &televisit_core::Policy) -> televisit_core::Result<()> {
        self.set_unsigned_policy(&MemorySecretStore::new(), policy)
    }
}

pub fn raw_connection(path: &Path, secrets: &dyn SecretStore) -> rusqlite::Connection {
    let bytes = secrets.get(names::DATA_KEY).unwrap().unwrap();
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode_upper(&bytes))).unwrap();
    conn
}

pub fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}
