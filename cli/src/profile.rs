//! A desktop profile: a folder holding the encrypted database and the development secret store.

use crate::file_secrets::FileSecretStore;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use televisit_core::{StoreOptions, SystemClock, Televisit};

pub const DATABASE: &str = "televisit.db";
pub const SECRETS: &str = "secrets";

pub struct Profile {
    pub dir: PathBuf,
    pub secrets: FileSecretStore,
}

impl Profile {
    /// `--profile DIR`, or the user's data folder (`~/.local/share/televisit` on Linux).
    pub fn resolve(dir: Option<&Path>) -> Result<Profile> {
        let dir = match dir {
            Some(dir) => dir.to_owned(),
            None => directories::ProjectDirs::from("org", "Televisit", "televisit")
                .context("no home folder to keep the profile in; pass --profile DIR")?
                .data_dir()
                .to_owned(),
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create the profile folder {}", dir.display()))?;
        let secrets = FileSecretStore::new(&dir.join(SECRETS))?;
        Ok(Profile { dir, secrets })
    }

    pub fn database(&self) -> PathBuf {
        self.dir.join(DATABASE)
    }

    pub fn open(&self) -> Result<Televisit> {
        Ok(Televisit::open(&self.database(), &self.secrets, Arc::new(SystemClock), &StoreOptions::default())?)
    }
}
