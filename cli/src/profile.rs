//! A desktop profile: a folder holding the encrypted database, the development secret store and
//! the stand-in for the phone's contacts (a vCard folder).

use crate::file_secrets::FileSecretStore;
use crate::vcard_book::VcardContactBook;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use televisit_core::{StoreOptions, SystemClock, Televisit};

pub const DATABASE: &str = "televisit.db";
pub const SECRETS: &str = "secrets";
pub const CONTACTS: &str = "contacts";

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

    /// The phone's contact book on the desktop: `<profile>/contacts/`, one vCard a contact.
    pub fn contact_book(&self) -> Result<VcardContactBook> {
        Ok(VcardContactBook::open(&self.dir.join(CONTACTS))?)
    }

    pub fn open(&self) -> Result<Televisit> {
        Ok(Televisit::open(&self.database(), &self.secrets, Arc::new(SystemClock), &StoreOptions::default())?)
    }
}
