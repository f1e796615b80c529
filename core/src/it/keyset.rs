//! The organisation's key set as the phone holds it (see `televisit_protocol::keyset`): which key
//! signs what for its organisation. Kept in the enrollment record, in the platform's secret
//! store, so that a phone whose database is gone still verifies a wipe with the keys IT holds
//! now, and so that the set and the enrollment are written (and forgotten) as one: a phone never
//! holds an enrollment whose key set went missing, which would read as the legacy set.
//!
//! A phone enrolled before key sets holds none: its organisation's one key is its legacy set.
//! A newer set is taken only as a link signed by a threshold of the root the phone holds (and of
//! its own, for a root change), from a bulletin or an enrollment code; nothing takes it back to
//! an older one. The set the phone verifies with carries its last check-in as its floor: a key
//! that expired before it verifies nothing more.

use super::enrollment;
use crate::error::{Error, Result};
use crate::log::{Actor, Detail, EntryKind, NewEntry};
use crate::secrets::SecretStore;
use crate::Televisit;
pub use televisit_protocol::keyset::{follow_chain, sign, KeySet, Role, RoleKey, SignedKeySet, Signer, SignerProblem};

/// The key set this phone verifies IT's messages with; none when it is not enrolled.
pub fn current(secrets: &dyn SecretStore) -> Result<Option<KeySet>> {
    enrollment::load(secrets)?.map(|e| enrollment::trusted_keys(secrets, &e)).transpose()
}

/// Keeps a set that was followed from the one held, in the enrollment it belongs to (as signed:
/// its floor is never written).
pub(crate) fn save(secrets: &dyn SecretStore, set: &KeySet) -> Result<()> {
    let mut enrollment = enrollment::load(secrets)?
        .ok_or_else(|| Error::invalid("key set", "this device is not enrolled, so it takes no key set"))?;
    enrollment.keys = (set.version > 0).then(|| set.clone());
    enrollment::save(secrets, &enrollment)
}

/// Follows the links given from the set held; keeps the newest reached. The version now held
/// when it moved, none when nothing was newer. A bad link changes nothing.
pub fn follow(secrets: &dyn SecretStore, links: &[String]) -> Result<Option<u64>> {
    let Some(held) = current(secrets)? else {
        return Err(Error::invalid("key set", "this device is not enrolled, so it takes no key set"));
    };
    match follow_chain(&held, links)? {
        Some(newer) => {
            save(secrets, &newer)?;
            Ok(Some(newer.version))
        }
        None => Ok(None),
    }
}

/// What the phone's screens show of its key set: no key, only names, roles and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySetSummary {
    /// 0: the organisation's one key, from before key sets.
    pub version: u64,
    pub root_keys: u32,
    pub threshold: u32,
    /// Each signer: its name, its roles (codes), its expiry (Unix seconds; none: never).
    pub signers: Vec<(String, Vec<String>, Option<i64>)>,
}

impl From<&KeySet> for KeySetSummary {
    fn from(set: &KeySet) -> Self {
        KeySetSummary {
            version: set.version,
            root_keys: u32::try_from(set.roots.len()).unwrap_or(u32::MAX),
            threshold: set.threshold,
            signers: set
                .keys
                .iter()
                .map(|k| {
                    let roles = k.role_codes().into_iter().map(str::to_owned).collect();
                    (k.name.clone(), roles, (k.expires_at != i64::MAX).then_some(k.expires_at))
                })
                .collect(),
        }
    }
}

impl Televisit {
    /// The key set this phone holds, for its screens; none when not enrolled.
    pub fn key_set(&self, secrets: &dyn SecretStore) -> Result<Option<KeySetSummary>> {
        Ok(current(secrets)?.as_ref().map(KeySetSummary::from))
    }

    /// Logs a move to a newer key set (its version: the set's names are IT's, not the log's).
    pub(crate) fn log_key_set(&self, version: u64) -> Result<()> {
        let version = i64::try_from(version).map_err(|_| Error::invalid("key set", "has no valid version number"))?;
        let detail = Detail::new().int("version", version);
        self.append_own(&NewEntry::new(EntryKind::KeySetUpdated, Actor::It).detail(detail)).map(drop)
    }
}
