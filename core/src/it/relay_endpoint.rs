//! Where this phone checks in over HTTPS, and when a check-in carries a sealed export: kept in
//! the secret store, so that a background task with no store open knows both.

use super::enrollment;
use crate::error::Result;
use crate::secrets::SecretStore;
use chrono::{DateTime, Utc};
use televisit_protocol::relay::{EndpointProblem, RelayEndpoint};

/// The relay the managed configuration names (`relay_url`), kept so that a background task
/// with no managed configuration at hand still knows it; it overrides the enrollment code's.
pub const MANAGED_RELAY: &str = "televisit.relay.managed.v1";
/// When a check-in last carried a sealed export the relay recorded (Unix seconds).
pub const EXPORT_SENT: &str = "televisit.relay.export-sent.v1";
/// How often a check-in carries a sealed export of the log since IT's last confirmation: daily,
/// so that IT's archive is at most a day behind without sending the same entries every 15
/// minutes while IT has not collected them yet.
pub const EXPORT_EVERY_SECONDS: i64 = 86_400;

/// What became of the managed configuration's relay keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayChange {
    /// Not set (any relay it named before is forgotten: the MDM delivers the whole configuration).
    NotSet,
    Unchanged,
    Applied(RelayEndpoint),
    /// Not a relay URL a phone may use; the relay in force stays.
    Refused(EndpointProblem),
}

/// Takes the relay the managed configuration names (`relay_url`, `relay_ca_sha256`, as read:
/// trimmed, blank as not set), if any (see `RelayChange`).
pub fn apply_managed(secrets: &dyn SecretStore, url: Option<&str>, ca_sha256: Option<&str>) -> Result<RelayChange> {
    let stored = managed_endpoint(secrets)?;
    let Some(url) = url else {
        if stored.is_some() {
            secrets.delete(MANAGED_RELAY)?;
        }
        return Ok(RelayChange::NotSet);
    };
    match RelayEndpoint::new(url, ca_sha256) {
        Err(problem) => Ok(RelayChange::Refused(problem)),
        Ok(endpoint) if stored.as_ref() == Some(&endpoint) => Ok(RelayChange::Unchanged),
        Ok(endpoint) => {
            secrets.put(MANAGED_RELAY, &serde_json::to_vec(&endpoint)?)?;
            Ok(RelayChange::Applied(endpoint))
        }
    }
}

fn managed_endpoint(secrets: &dyn SecretStore) -> Result<Option<RelayEndpoint>> {
    let Some(bytes) = secrets.get(MANAGED_RELAY)? else { return Ok(None) };
    // Checked again as it is read: a stored value is not trusted more than a delivered one.
    Ok(serde_json::from_slice::<RelayEndpoint>(&bytes).ok().and_then(|e| e.checked().ok()))
}

/// Where this phone checks in: the managed configuration's relay, else its enrollment code's;
/// none when IT runs no relay for it (the MDM is then its only way to IT).
pub fn endpoint(secrets: &dyn SecretStore) -> Result<Option<RelayEndpoint>> {
    if let Some(managed) = managed_endpoint(secrets)? {
        return Ok(Some(managed));
    }
    let from_code = enrollment::load(secrets)?.and_then(|e| e.relay);
    Ok(from_code.and_then(|e| e.checked().ok()))
}

/// Whether the next check-in carries a sealed export: none was recorded by a relay for a day
/// (or the clock went back past the last one: one export too many is harmless).
pub fn export_due(secrets: &dyn SecretStore, wall: DateTime<Utc>) -> Result<bool> {
    let sent = secrets.get(EXPORT_SENT)?.and_then(|b| String::from_utf8(b).ok()).and_then(|t| t.parse::<i64>().ok());
    Ok(match sent {
        None => true,
        Some(at) => {
            let since = wall.timestamp().checked_sub(at);
            !since.is_some_and(|s| (0..EXPORT_EVERY_SECONDS).contains(&s))
        }
    })
}
