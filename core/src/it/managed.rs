//! Managed configuration: what IT's MDM pushes to the app (Android app restrictions, iOS
//! `com.apple.configuration.managed`). Both platforms hand over the same string keys, and both
//! re-deliver the whole configuration at every start and every change, so applying it must be
//! idempotent: a value already in force is `Unchanged`, and a value already refused is refused
//! again without a second log entry. A refusal never echoes the value, which IT typed or pasted.

use super::bulletin::BulletinOutcome;
use super::relay_endpoint::{self as relay, RelayChange};
use super::{enrollment, report, wipe};
use crate::error::{Error, Result};
use crate::log::{Actor, Detail, EntryKind, NewEntry};
use crate::secrets::SecretStore;
use serde::Serialize;

/// The keys IT sets, and the ones the app answers with. Declared once, in the protocol crate
/// (`televisit_protocol::managed_keys`), which IT's tool shares; re-exported here unchanged.
pub mod keys {
    pub use televisit_protocol::managed_keys::*;
}

/// What became of one key of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ManagedOutcome {
    /// IT did not set the key (or set it empty).
    NotSet,
    /// The value is already in force (or, for a wipe command, already carried out).
    Unchanged,
    /// The value was applied now; `summary` says what changed, without any value.
    Applied { summary: String },
    /// The value was refused; `code` is stable, `message` is for the screen.
    Refused { code: String, message: String },
}

/// The outcome of one delivery of the managed configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedReport {
    pub enrollment: ManagedOutcome,
    pub policy: ManagedOutcome,
    /// The MDM's ids of the device and user (both keys together).
    pub mdm_ids: ManagedOutcome,
    /// The relay the phone checks in with over HTTPS (`relay_url` with `relay_ca_sha256`).
    pub relay: ManagedOutcome,
    pub bulletin: ManagedOutcome,
    pub wipe: ManagedOutcome,
    /// A wipe command held: the shell must close the store and finish the wipe now.
    pub wipe_started: bool,
}

impl ManagedReport {
    /// Each refused key with its message, for the shell to show (`key: message`).
    pub fn problems(&self) -> Vec<String> {
        [
            (keys::ENROLLMENT_CODE, &self.enrollment),
            (keys::SIGNED_POLICY, &self.policy),
            (keys::MDM_DEVICE_ID, &self.mdm_ids),
            (keys::RELAY_URL, &self.relay),
            (keys::BULLETIN, &self.bulletin),
            (keys::WIPE_COMMAND, &self.wipe),
        ]
        .into_iter()
        .filter_map(|(key, outcome)| match outcome {
            ManagedOutcome::Refused { message, .. } => Some(format!("{key}: {message}")),
            _ => None,
        })
        .collect()
    }
}

/// A short stable code for a refusal, for the log and for the shells' tests.
pub(crate) fn refusal_code(err: &Error) -> &'static str {
    match err {
        Error::WipeRefused { code, .. } => code,
        Error::OtherOrganisation => "other_organisation",
        Error::PolicyOutdated { .. } => "policy_outdated",
        Error::InvalidInput { .. } => "invalid",
        Error::Blocked { .. } => "blocked",
        _ => "failed",
    }
}

pub(crate) use super::enrollment::digest;

/// The value of `key`, trimmed; blank counts as not set (MDM consoles often leave "" behind).
pub(crate) fn value<'a>(values: &'a std::collections::HashMap<String, String>, key: &str) -> Option<&'a str> {
    values.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

impl crate::Televisit {
    /// Applies what IT's MDM delivered (see this module): the enrollment code, then the signed
    /// policy, then a wipe command. Refusals are reported per key and logged once per value;
    /// only a failure of the store itself is an `Err`. When `wipe_started`, the shell closes
    /// this store and calls `wipe::resume_pending`.
    pub fn apply_managed_config(
        &self,
        secrets: &dyn SecretStore,
        values: &std::collections::HashMap<String, String>,
    ) -> Result<ManagedReport> {
        // The key set links the bulletin carries, before anything they may verify: a code, a
        // policy or a wipe signed by a key IT added since then verifies in this same delivery. A
        // phone not enrolled yet takes none (it takes the code's); a link that does not hold
        // changes nothing (the bulletin's own refusal says why, below).
        if let Some(links) = value(values, keys::BULLETIN).and_then(|text| super::bulletin::key_links(text).ok()) {
            if let Ok(Some(version)) = super::keyset::follow(secrets, &links) {
                self.log_key_set(version)?;
            }
        }
        let enrollment = match value(values, keys::ENROLLMENT_CODE) {
            None => ManagedOutcome::NotSet,
            Some(code) => {
                let digest = digest(code);
                let current = enrollment::load(secrets)?;
                if current.as_ref().and_then(|e| e.code_digest.as_deref()) == Some(digest.as_str()) {
                    ManagedOutcome::Unchanged
                } else {
                    self.managed_attempt(keys::ENROLLMENT_CODE, EntryKind::ConfigRefused, &digest, || {
                        let e = self.enroll(secrets, code)?;
                        Ok(format!("enrolled with {} as device {}", e.org_name, e.device_id))
                    })?
                }
            }
        };
        let policy = match value(values, keys::SIGNED_POLICY) {
            None => ManagedOutcome::NotSet,
            Some(signed) => {
                // What it claims is enough to see it is the policy in force: nothing to apply.
                let offered = televisit_protocol::enrollment::claimed_policy(signed);
                // A configuration re-delivered unchanged (the MDM client caches it) is nothing
                // new, and no contact with IT either: its signed time was counted the first time.
                if offered.is_some_and(|p| p.policy == self.policy().unwrap_or_default()) {
                    ManagedOutcome::Unchanged
                } else {
                    self.managed_attempt(keys::SIGNED_POLICY, EntryKind::ConfigRefused, &digest(signed), || {
                        let p = self.apply_signed_policy(secrets, signed)?;
                        Ok(format!("policy version {} in force", p.version))
                    })?
                }
            }
        };
        let mdm_ids = match (value(values, keys::MDM_DEVICE_ID), value(values, keys::MDM_USER)) {
            (None, None) => ManagedOutcome::NotSet,
            (device, user) => {
                let ids = report::MdmIds { device: device.map(str::to_owned), user: user.map(str::to_owned) };
                let digest = digest(&format!("{:?}", (&ids.device, &ids.user)));
                match report::mdm_ids(secrets)? == ids {
                    true => ManagedOutcome::Unchanged,
                    false => self.managed_attempt(keys::MDM_DEVICE_ID, EntryKind::ConfigRefused, &digest, || {
                        report::set_mdm_ids(secrets, &ids)?;
                        Ok("the MDM's device and user ids recorded for the device report".to_owned())
                    })?,
                }
            }
        };
        let relay_pin = value(values, keys::RELAY_CA_SHA256);
        let relay = match value(values, keys::RELAY_URL) {
            None => {
                relay::apply_managed(secrets, None, None)?;
                ManagedOutcome::NotSet
            }
            Some(url) => {
                let unchanged = std::cell::Cell::new(false);
                let digest = digest(&format!("{url}\n{}", relay_pin.unwrap_or_default()));
                let result = self.managed_attempt(keys::RELAY_URL, EntryKind::ConfigRefused, &digest, || {
                    match relay::apply_managed(secrets, Some(url), relay_pin)? {
                        RelayChange::Applied(endpoint) => Ok(format!(
                            "check-ins go to the relay at {}{}",
                            endpoint.host(),
                            if endpoint.ca_sha256.is_some() { ", its CA pinned" } else { "" }
                        )),
                        RelayChange::Refused(problem) => Err(Error::invalid("relay URL", problem.describe())),
                        RelayChange::Unchanged | RelayChange::NotSet => {
                            unchanged.set(true);
                            Ok(String::new())
                        }
                    }
                })?;
                if unchanged.get() {
                    ManagedOutcome::Unchanged
                } else {
                    result
                }
            }
        };
        let mut wipe_started = false;
        let bulletin = match value(values, keys::BULLETIN) {
            None => ManagedOutcome::NotSet,
            Some(text) => {
                let outcome = std::cell::Cell::new(None);
                let result = self.managed_attempt(keys::BULLETIN, EntryKind::ConfigRefused, &digest(text), || {
                    let applied = self.apply_bulletin(secrets, text)?;
                    let summary = match &applied {
                        BulletinOutcome::Applied { bulletin_id, wipe: Some(c), .. } => {
                            format!(
                                "bulletin {bulletin_id} applied; it holds wipe command {} for this device",
                                c.command_id
                            )
                        }
                        BulletinOutcome::Applied { bulletin_id, in_touch: true, .. } => {
                            format!("bulletin {bulletin_id} applied: in touch with IT")
                        }
                        BulletinOutcome::Applied { bulletin_id, .. } => {
                            format!("bulletin {bulletin_id} applied for what it confirms; it is too late to count as contact with IT")
                        }
                        BulletinOutcome::Unchanged => String::new(),
                    };
                    outcome.set(Some(applied));
                    Ok(summary)
                })?;
                match outcome.into_inner() {
                    Some(BulletinOutcome::Unchanged) => ManagedOutcome::Unchanged,
                    Some(BulletinOutcome::Applied { wipe, .. }) => {
                        wipe_started |= wipe.is_some();
                        result
                    }
                    None => result,
                }
            }
        };
        let wipe = match value(values, keys::WIPE_COMMAND) {
            None => ManagedOutcome::NotSet,
            Some(command) => match wipe::verify(secrets, command) {
                // MDM keeps delivering a command after it was carried out; that is not news.
                Err(Error::WipeRefused { code: "replayed", .. }) => ManagedOutcome::Unchanged,
                verified => {
                    let outcome =
                        self.managed_attempt(keys::WIPE_COMMAND, EntryKind::WipeRefused, &digest(command), || {
                            let c = self.accept_wipe(secrets, verified?)?;
                            Ok(format!("wipe command {} accepted", c.command_id))
                        })?;
                    wipe_started |= matches!(outcome, ManagedOutcome::Applied { .. });
                    outcome
                }
            },
        };
        Ok(ManagedReport { enrollment, policy, mdm_ids, relay, bulletin, wipe, wipe_started })
    }

    /// Runs one managed change. A refusal is logged the first time this value is refused only,
    /// since MDM re-delivers the same configuration at every start.
    fn managed_attempt(
        &self,
        key: &str,
        kind: EntryKind,
        digest: &str,
        apply: impl FnOnce() -> Result<String>,
    ) -> Result<ManagedOutcome> {
        let marker = format!("managed_refused.{key}");
        match apply() {
            Ok(summary) => {
                self.store().conn.execute("DELETE FROM settings WHERE name = ?1", [&marker])?;
                Ok(ManagedOutcome::Applied { summary })
            }
            Err(
                err @ (Error::InvalidInput { .. }
                | Error::WipeRefused { .. }
                | Error::OtherOrganisation
                | Error::PolicyOutdated { .. }
                | Error::Blocked { .. }),
            ) => {
                let code = refusal_code(&err);
                if self.setting_text(&marker)?.as_deref() != Some(digest) {
                    let detail = Detail::new().code("key", key).code("reason", code);
                    self.append_own(&NewEntry::new(kind, Actor::It).detail(detail))?;
                    self.set_setting_text(&marker, digest)?;
                }
                Ok(ManagedOutcome::Refused { code: code.to_owned(), message: err.to_string() })
            }
            Err(other) => Err(other),
        }
    }
}
