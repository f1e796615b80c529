//! The phone's side of the fleet relay (`televisit_protocol::relay`). The core builds the
//! check-in request (the signed report, the receipt held, a sealed export when asked, the
//! device key's signature over it all) and applies the answer; the HTTP in between is the
//! platform's (Android's `HttpURLConnection`, iOS's `URLSession`, which honour the hospital's
//! proxies, per-app VPN and MDM-installed CAs) or the desktop's.
//!
//! The answer is applied through the same check-in as the MDM's managed configuration
//! (`storeless::check_in`): the bulletin first, then this phone's wipe command, each verified
//! against the key set the phone holds. The relay is not trusted: whatever it serves that IT did
//! not sign is refused, an older bulletin changes nothing, and what it says it recorded makes the
//! phone forget nothing (only IT's signed bulletin does).

pub use super::relay_endpoint::{apply_managed, endpoint, export_due, RelayChange, EXPORT_EVERY_SECONDS, EXPORT_SENT};
use super::{bulletin, enrollment, storeless, wipe};
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use crate::Televisit;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::HashMap;
use televisit_protocol::managed_keys as keys;
use televisit_protocol::relay::{self, CheckIn, CheckInAnswer, RelayError, CHECKIN_PATH, RELAY_VERSION};
pub use televisit_protocol::relay::{chain_holds, EndpointProblem, RelayEndpoint};

/// One request for the shell to send as it is: `method` to `url` (the relay's URL with the
/// check-in path appended), its chain checked against `ca_sha256` when IT pinned the relay's CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayRequest {
    pub method: String,
    pub url: String,
    pub ca_sha256: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a check-in through the relay did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RelayOutcome {
    /// The answer was applied (a bulletin, this phone's wipe), as a managed configuration would be.
    pub checked_in: bool,
    /// A wipe is now pending: the shell carries it out (`wipe::resume_pending`), now.
    pub wipe_started: bool,
    /// The bulletin served was refused (not IT's, damaged, late): the relay may be lying.
    pub bulletin_refused: bool,
    /// The relay refused the request: its fixed code (`stale`, `unavailable`, …).
    pub refused: Option<String>,
    /// Try again later (the relay or its database was not there, or this phone was too quick):
    /// the shell's backoff decides when.
    pub retry: bool,
}

impl Televisit {
    /// The check-in request to `to`: this phone's signed report, the wipe receipt it holds until
    /// IT confirms it, and with `with_export` a sealed export of the log since IT's last
    /// confirmation; signed by the device key at `wall` (the relay holds it to its own clock
    /// within minutes, against replay; the phone's clock decides nothing else here).
    pub fn relay_request(
        &self,
        secrets: &dyn SecretStore,
        facts: &super::report::ReportFacts,
        to: &RelayEndpoint,
        with_export: bool,
        wall: DateTime<Utc>,
    ) -> Result<RelayRequest> {
        let enrolled = enrollment::load(secrets)?.ok_or_else(|| {
            Error::invalid("relay check-in", "this device is not enrolled: there is no one to check in with")
        })?;
        let report = self.device_report(secrets, facts)?;
        let receipts: Vec<String> = wipe::held_receipt(secrets)?.map(|r| r.text).into_iter().collect();
        let exports = if with_export {
            vec![URL_SAFE_NO_PAD.encode(self.export_log(secrets, false)?.sealed)]
        } else {
            Vec::new()
        };
        let checkin = CheckIn { v: RELAY_VERSION, report, receipts, exports, code: enrolled.code_digest.clone() };
        let body = serde_json::to_vec(&checkin)?;
        let mut nonce = [0u8; 18];
        SystemRandom::new().fill(&mut nonce).map_err(|_| Error::Storage("the system RNG failed".into()))?;
        let nonce = URL_SAFE_NO_PAD.encode(nonce);
        let key = enrollment::device_key(secrets)?;
        let signed =
            relay::sign_request(&key, "POST", CHECKIN_PATH, &enrolled.device_id, wall.timestamp(), &nonce, &body);
        Ok(RelayRequest {
            method: "POST".into(),
            url: to.url_for(CHECKIN_PATH),
            ca_sha256: to.ca_sha256.clone(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                (relay::DEVICE_HEADER.into(), signed.device_id),
                (relay::TIME_HEADER.into(), signed.time.to_string()),
                (relay::NONCE_HEADER.into(), signed.nonce),
                (relay::SIGNATURE_HEADER.into(), signed.signature),
            ],
            body,
        })
    }
}

/// Applies what the relay answered (`status` and body; a status of 0: no answer at all). Needs
/// no open store: a background task runs it as it runs the MDM's check-in.
pub fn apply_answer(secrets: &dyn SecretStore, status: u16, body: &[u8], wall: DateTime<Utc>) -> RelayOutcome {
    if status != 200 {
        let refused: Option<RelayError> = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("error").cloned())
            .and_then(|code| serde_json::from_value(code).ok());
        let retry = match refused {
            Some(err) => err.retry(),
            // No answer, a proxy's error page, a 5xx: the relay was not there.
            None => status == 0 || status >= 500 || status == 408 || status == 429,
        };
        let code = refused.map(|e| e.code().to_owned()).unwrap_or_else(|| format!("http_{status}"));
        return RelayOutcome { refused: Some(code), retry, ..RelayOutcome::default() };
    }
    let Some(answer) = CheckInAnswer::parse(body) else {
        return RelayOutcome { refused: Some("malformed_answer".into()), retry: true, ..RelayOutcome::default() };
    };
    // The relay's word that it took the export in: enough to wait a day before the next (IT's
    // signed confirmation, not this, is what lets the phone forget anything).
    let stamp_failed =
        answer.recorded.exports > 0 && secrets.put(EXPORT_SENT, wall.timestamp().to_string().as_bytes()).is_err();
    let mut values = HashMap::new();
    if let Some(bulletin) = answer.bulletin {
        values.insert(keys::BULLETIN.to_owned(), bulletin);
    }
    if let Some(command) = answer.wipe {
        values.insert(keys::WIPE_COMMAND.to_owned(), command);
    }
    let done = storeless::check_in(secrets, &values, wall);
    let mut outcome = RelayOutcome {
        checked_in: done.succeeded(),
        wipe_started: done.wipe_started,
        bulletin_refused: done.bulletin_refused,
        refused: None,
        retry: done.secret_store_failed || stamp_failed,
    };
    // This phone's own bulletin last: IT's word on its log and its receipt. After a full wipe,
    // a confirmed receipt closes the enrollment, so nothing may come after it.
    if let Some(inbox) = answer.inbox {
        match bulletin::receive(secrets, &inbox, wall) {
            Ok(bulletin::BulletinOutcome::Applied { wipe: Some(_), .. }) => outcome.wipe_started = true,
            Ok(_) => {}
            Err(Error::SecretStore(_)) => outcome.retry = true,
            // A wipe just started, or a receipt just confirmed, closed what the inbox would
            // speak to: nothing is lost, the next check-in brings it again.
            Err(_) if outcome.wipe_started => {}
            Err(_) => outcome.bulletin_refused = true,
        }
    }
    outcome
}
