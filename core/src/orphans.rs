//! Contacts no store knows: Televisit's marked contacts left in the phone's book when its data
//! went without its contacts (Android's "clear data" or an EMM's clear-data command, an iOS
//! reinstall, a keystore that lost the key). The new store has no record of them, so no cleanup
//! would ever remove them: patients' names and numbers, under Televisit's marker, for good.
//!
//! A new store sweeps them once, before its first patient. Not after a wipe that kept the
//! contacts on purpose (a `log` scope: IT chose to leave them), and never once the store holds
//! a patient: from then on every marked contact may be one of its own.

use crate::contacts::{delete_owned, ContactBook, ContactBookError};
use crate::error::{Error, Result};
use crate::it::wipe;
use crate::log::{Actor, Detail, EntryKind, NewEntry};
use crate::secrets::SecretStore;
use crate::Televisit;

/// The store's setting: `due` from its creation until the sweep ran, then `done`.
const SWEEP: &str = "contacts.orphan_sweep";

/// What one call found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrphanSweep {
    /// Not a new store, already swept, a patient already added, or a wipe kept the contacts.
    NotDue,
    /// The phone's contacts could not be read (permission not granted): asked again next time.
    Waiting,
    Swept {
        deleted: u32,
        failed: u32,
    },
}

impl OrphanSweep {
    /// `Swept` when it found something, `NotDue` otherwise (an empty sweep is nothing to say).
    pub fn filter_found(self) -> OrphanSweep {
        match self {
            OrphanSweep::Swept { deleted: 0, failed: 0 } => OrphanSweep::NotDue,
            other => other,
        }
    }
}

impl Televisit {
    /// Sweeps Televisit's marked contacts on a store that never held a patient (see the
    /// module). The shells call it after every open; it acts at most until it once succeeds.
    pub fn sweep_orphaned_contacts(&self, secrets: &dyn SecretStore, book: &dyn ContactBook) -> Result<OrphanSweep> {
        let state = match self.setting_text(SWEEP)? {
            Some(state) => state,
            None => {
                // Decided once, when the store is new: a store made after a wipe that kept the
                // contacts (its marker is still there) is never due.
                let due = self.opened().is_new() && wipe::pending_or_held(secrets)?.is_none();
                let state = if due { "due" } else { "done" };
                self.set_setting_text(SWEEP, state)?;
                state.to_owned()
            }
        };
        if state != "due" {
            return Ok(OrphanSweep::NotDue);
        }
        if !self.patients(true)?.is_empty() {
            self.set_setting_text(SWEEP, "done")?;
            return Ok(OrphanSweep::NotDue);
        }
        // The phone's book is asked with the store unlocked, as every contact call is.
        let swept = {
            let _gate = self.contacts_gate();
            delete_owned(book)
        };
        let (deleted, failed) = match swept {
            Ok(counts) => counts,
            Err(ContactBookError::PermissionDenied(_)) => return Ok(OrphanSweep::Waiting),
            Err(err) => return Err(Error::from(err)),
        };
        if deleted + failed > 0 {
            let detail = Detail::new().int("deleted", i64::from(deleted)).int("failed", i64::from(failed));
            self.append_own(&NewEntry::new(EntryKind::OrphansSwept, Actor::System).detail(detail))?;
        }
        if failed == 0 {
            self.set_setting_text(SWEEP, "done")?;
        }
        Ok(OrphanSweep::Swept { deleted, failed })
    }
}
