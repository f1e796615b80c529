//! A desktop profile: a folder holding the encrypted database, the development secret store and
//! the stand-in for the phone's contacts (a vCard folder).

use crate::file_secrets::FileSecretStore;
use crate::vcard_book::VcardContactBook;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use televisit_core::it::wipe;
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

    /// Carries out, or finishes, the wipe pending in this profile, if any (one that a kill or a
    /// crash interrupted, one a local trigger started, or one `wipe apply` just accepted), and
    /// returns its receipt, which the caller prints (`it_cmd::deliver_receipt`); the core keeps it
    /// until IT's bulletin confirms it. The store must not be open: the wipe removes its files.
    pub fn resume_pending_wipe(&self) -> Result<Option<String>> {
        // Without a marker there is nothing to do; checked first so that the contacts folder is
        // not made for nothing.
        if wipe::pending_command(&self.secrets)?.is_none() {
            return Ok(None);
        }
        let book = self.contact_book()?;
        Ok(wipe::resume_pending(&self.database(), &self.secrets, &book, chrono::Utc::now())?)
    }

    /// Opens the store and keeps the log's head beyond it (in the same secrets folder as the key):
    /// an older copy of the database put back, a cut tail or an emptied log shows in `log verify`.
    pub fn open(&self) -> Result<Televisit> {
        let tv = Televisit::open(&self.database(), &self.secrets, Arc::new(SystemClock), &StoreOptions::default())?;
        tv.protect_log_head(Arc::new(FileSecretStore::new(&self.dir.join(SECRETS))?))?;
        Ok(tv)
    }
}
