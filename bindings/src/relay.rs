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

/// The check-in request, to send as it is: `method` to `url`. With `ca_sha256`, the connection
/// is used only when `relay_pin_holds` says the chain the platform verified holds IT's CA.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RelayRequest {
    pub method: String,
    pub url: String,
    pub ca_sha256: Option<String>,
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
    /// The signed check-in request to the relay IT named (the managed configuration's, else the
    /// enrollment code's): the device report, the wipe receipt held, and once a day a sealed
    /// export of the log since IT's last confirmation. None: IT runs no relay for this phone.
    pub fn relay_request(
        &self,
        platform: Platform,
        os_version: String,
        app_version: String,
    ) -> Result<Option<RelayRequest>> {
        let Some(to) = relay::endpoint(&self.1)? else { return Ok(None) };
        let now = chrono::Utc::now();
        let with_export = relay::export_due(&self.1, now)?;
        let facts = crate::fleet::report_facts(platform, &os_version, &app_version);
        let request = self.0.relay_request(&self.1, &facts, &to, with_export, now)?;
        Ok(Some(RelayRequest {
            method: request.method,
            url: request.url,
            ca_sha256: request.ca_sha256,
            headers: request.headers.into_iter().map(|(name, value)| HttpHeader { name, value }).collect(),
            body: request.body,
        }))
    }
}

/// Whether a certificate chain the platform verified (each certificate's DER, its trust anchor
/// included) holds the CA IT pinned (`ca_sha256` of a `RelayRequest`).
#[uniffi::export]
pub fn relay_pin_holds(ca_sha256: String, chain: Vec<Vec<u8>>) -> bool {
    relay::chain_holds(&ca_sha256, chain.iter().map(Vec::as_slice))
}

/// The host of the relay this phone checks in with, for the Settings screen; none without one.
#[uniffi::export]
pub fn relay_host(secrets: Arc<dyn SecretStore>) -> Result<Option<String>> {
    Ok(relay::endpoint(&ForeignSecrets(secrets))?.map(|e| e.host()))
}

/// Applies the relay's answer (`status` 0: no answer at all) through the same check-in as the
/// managed configuration; no store needs to be open.
#[uniffi::export]
pub fn apply_relay_answer(secrets: Arc<dyn SecretStore>, status: u16, body: Vec<u8>) -> RelayOutcome {
    relay::apply_answer(&ForeignSecrets(secrets), status, &body, chrono::Utc::now())
}
