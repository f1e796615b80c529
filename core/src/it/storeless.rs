//! The check-in with no store open: what a background task runs when nobody opened the app
//! (Android's job, iOS's `BGAppRefreshTask`) and what the app runs when its store will not open.
//! Which managed keys it reads, in which order, and whether a wipe started, is decided here once
//! for both shells: the fleet's bulletin first (contact with IT, and this phone's wipe if it
//! names it), then a single wipe command, unless the bulletin already started one. The shell then
//! finishes a pending wipe (`wipe::resume_pending`) and publishes the receipt held.

use super::managed::{keys, value};
use super::{bulletin, wipe};
use crate::error::Error;
use crate::secrets::SecretStore;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What one store-less check-in did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StorelessCheckIn {
    /// A wipe is now pending: the shell carries it out (`wipe::resume_pending`).
    pub wipe_started: bool,
    /// The bulletin was refused (damaged, another organisation's, late): the check-in did not
    /// reach IT, and a background task says so to the system.
    pub bulletin_refused: bool,
    /// The secret store could not be read or written (iOS's Keychain before the first unlock
    /// since a restart): nothing was decided, and the next run tries again.
    pub secret_store_failed: bool,
}

impl StorelessCheckIn {
    /// Everything it had to do went through.
    pub fn succeeded(&self) -> bool {
        !self.bulletin_refused && !self.secret_store_failed
    }
}

/// Runs the check-in on `values`, the managed configuration as the shell read it.
pub fn check_in(secrets: &dyn SecretStore, values: &HashMap<String, String>, wall: DateTime<Utc>) -> StorelessCheckIn {
    let mut outcome = StorelessCheckIn::default();
    let failed = |err: &Error| matches!(err, Error::SecretStore(_));
    // Where the next check-in over HTTPS goes, for a task that has no configuration at hand.
    let relay = (value(values, keys::RELAY_URL), value(values, keys::RELAY_CA_SHA256));
    if let Err(err) = super::relay_endpoint::apply_managed(secrets, relay.0, relay.1) {
        outcome.secret_store_failed |= failed(&err);
    }
    if let Some(text) = value(values, keys::BULLETIN) {
        match bulletin::receive(secrets, text, wall) {
            Ok(bulletin::BulletinOutcome::Applied { wipe: Some(_), .. }) => outcome.wipe_started = true,
            Ok(_) => {}
            Err(err) if failed(&err) => outcome.secret_store_failed = true,
            Err(_) => outcome.bulletin_refused = true,
        }
    }
    if !outcome.wipe_started {
        if let Some(command) = value(values, keys::WIPE_COMMAND) {
            match wipe::receive(secrets, command) {
                Ok(_) => outcome.wipe_started = true,
                Err(err) if failed(&err) => outcome.secret_store_failed = true,
                // Refused (carried out already, for another phone, damaged): the app says why
                // when it next opens its store; a background run shows nothing.
                Err(_) => {}
            }
        }
    }
    outcome
}
