//! The fleet relay across the FFI: the core builds the signed check-in request and applies the
//! answer; the shell sends the bytes with the platform's HTTP (Android's `HttpURLConnection`,
//! iOS's `URLSession`), which honours the hospital's proxies, per-app VPN and MDM-installed CAs.

use crate::platform::{ForeignSecrets, SecretStore};
use crate::{Platform, Result, Televisit};
use std::sync::Arc;
use televisit_core::it::relay;

/// One header of a request.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

/// The check-in request, to send as it is: `method` to the relay's URL with `path` appended.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RelayRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

pub use televisit_core::it::relay::RelayOutcome;

/// What a check-in through the relay did. When `wipe_started`, close the store and call
/// `resume_pending_wipe` now; when `retry`, check in again later (with the job's backoff).
#[uniffi::remote(Record)]
pub struct RelayOutcome {
    pub checked_in: bool,
    pub wipe_started: bool,
    pub bulletin_refused: bool,
    pub refused: Option<String>,
    pub retry: bool,
}

#[uniffi::export]
impl Televisit {
    /// The signed check-in request: the device report, the wipe receipt held, and with
    /// `with_export` a sealed export of the log since IT's last confirmation.
    pub fn relay_request(
        &self,
        platform: Platform,
        os_version: String,
        app_version: String,
        with_export: bool,
    ) -> Result<RelayRequest> {
        let facts = crate::fleet::report_facts(platform, &os_version, &app_version);
        let request = self.0.relay_request(&self.1, &facts, with_export, chrono::Utc::now())?;
        Ok(RelayRequest {
            method: request.method,
            path: request.path,
            headers: request.headers.into_iter().map(|(name, value)| HttpHeader { name, value }).collect(),
            body: request.body,
        })
    }
}

/// Applies the relay's answer (`status` 0: no answer at all) through the same check-in as the
/// managed configuration; no store needs to be open.
#[uniffi::export]
pub fn apply_relay_answer(secrets: Arc<dyn SecretStore>, status: u16, body: Vec<u8>) -> RelayOutcome {
    relay::apply_answer(&ForeignSecrets(secrets), status, &body, chrono::Utc::now())
}
