//! The guard over the log's head: after every access to the store that moved the head, the new
//! head goes to the platform's secret store (`log::protect`); every verify compares the
//! database with it. The shells turn it on at open (`protect_log_head`), with the same secret
//! store the data key lives in.

use crate::error::Result;
use crate::log::chain::{Link, Tamper, Verification};
use crate::log::protect;
use crate::secrets::{names, SecretStore};
use crate::store::Store;
use crate::{Opened, Televisit};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

pub(crate) struct HeadGuard {
    secrets: Arc<dyn SecretStore>,
    /// The head last written out.
    written: Option<Link>,
    /// A finding at open: the protected head is kept as it was (the evidence), never
    /// overwritten by the database's.
    tampered: bool,
}

/// The store, locked; when released after a write that moved the log's head, the head goes to
/// the secret store.
pub(crate) struct StoreAccess<'a> {
    store: MutexGuard<'a, Store>,
    guard: &'a Mutex<Option<HeadGuard>>,
}

impl Deref for StoreAccess<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl DerefMut for StoreAccess<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

impl Drop for StoreAccess<'_> {
    fn drop(&mut self) {
        if !protect::take_moved() {
            return;
        }
        let mut guard = self.guard.lock().unwrap_or_else(|p| p.into_inner());
        let Some(guard) = guard.as_mut().filter(|g| !g.tampered) else {
            return;
        };
        // The transaction may have been rolled back: write what the database holds now. A
        // failed write leaves the database ahead of the protected head, which the next check
        // accepts (its chain holds the protected head); it never stops the action.
        if let Ok(Some(head)) = protect::current_head(&self.store.conn) {
            if guard.written != Some(head) && guard.secrets.put(names::LOG_HEAD, &protect::encode(head)).is_ok() {
                guard.written = Some(head);
            }
        }
    }
}

impl Televisit {
    pub(crate) fn store_access<'a>(store: &'a Mutex<Store>, guard: &'a Mutex<Option<HeadGuard>>) -> StoreAccess<'a> {
        StoreAccess { store: store.lock().unwrap_or_else(|poisoned| poisoned.into_inner()), guard }
    }

    /// Keeps the log's head in `secrets` from now on, after comparing the database with the
    /// head kept there: a new store starts it, a store from before it was kept is trusted as it
    /// is, and a store found older, cut or emptied is reported by every verify from then on (its
    /// protected head is kept as evidence). Call it right after `open`, with the secret store
    /// the data key lives in.
    pub fn protect_log_head(&self, secrets: Arc<dyn SecretStore>) -> Result<Option<(u64, Tamper)>> {
        let protected = secrets.get(names::LOG_HEAD)?.as_deref().and_then(protect::decode);
        let store = self.store();
        let key = store.key.log_mac_key();
        let finding = match (self.opened, protected) {
            // A new store starts its own history, whatever a wiped one left behind.
            (Opened::Created | Opened::Recreated, _) | (Opened::Existing, None) => None,
            (Opened::Existing, Some(p)) => protect::check(&store.conn, &key, Some(p))?,
        };
        let current = protect::current_head(&store.conn)?;
        let written = match (&finding, current) {
            (None, Some(head)) if protected != Some(head) => {
                secrets.put(names::LOG_HEAD, &protect::encode(head))?;
                Some(head)
            }
            _ => protected,
        };
        drop(store);
        *self.head_guard.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(HeadGuard { secrets, written, tampered: finding.is_some() });
        Ok(finding)
    }

    /// The database against the protected head, when it is kept.
    pub(crate) fn head_finding(&self, store: &Store) -> Result<Option<Verification>> {
        let guard = self.head_guard.lock().unwrap_or_else(|p| p.into_inner());
        let Some(guard) = guard.as_ref() else {
            return Ok(None);
        };
        let protected = guard.secrets.get(names::LOG_HEAD)?.as_deref().and_then(protect::decode);
        Ok(protect::check(&store.conn, &store.key.log_mac_key(), protected)?
            .map(|(seq, problem)| Verification::Broken { seq, problem }))
    }

    /// The sequence number the protected head says the log reaches (None when not kept).
    pub fn log_protected_head(&self) -> Result<Option<u64>> {
        let guard = self.head_guard.lock().unwrap_or_else(|p| p.into_inner());
        let Some(guard) = guard.as_ref() else {
            return Ok(None);
        };
        Ok(guard.secrets.get(names::LOG_HEAD)?.as_deref().and_then(protect::decode).map(|head| head.seq))
    }
}
