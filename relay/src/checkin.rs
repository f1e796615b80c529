//! One check-in, on one ledger connection: everything the relay decides about a request, apart
//! from HTTP. The order matters: nothing is written before the signature holds for the key IT
//! pinned (so a stranger cannot burn a phone's nonces or fill IT's archive), and the sealed
//! exports are on disk before the ledger names them (a row never points at a missing file; a
//! file with no row is written again by the phone's next try, to the same name).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::io::Write;
use std::path::Path;
use televisit_ledger::Ledger;
use televisit_protocol::relay::{CheckIn, CheckInAnswer, RelayError, RequestSignature, CHECKIN_PATH, RELAY_VERSION};
use televisit_protocol::report;

pub fn check_in(
    ledger: &mut Ledger,
    exports_dir: &Path,
    signature: &RequestSignature,
    body: &[u8],
    now: i64,
    allow: &dyn Fn(&str) -> bool,
) -> Result<CheckInAnswer, RelayError> {
    let checkin = CheckIn::parse(body)?;
    if !signature.is_fresh(now) {
        return Err(RelayError::Stale);
    }
    // The report, verified once against the key it carries: at first contact, the key the
    // request must hold for (when it is recorded, its key is held to the one IT pinned).
    let claimed = report::verify(&checkin.report, None).ok();
    let key = ledger
        .request_key(&signature.device_id, &checkin, claimed.as_ref())
        .map_err(ledger_error)?
        .ok_or(RelayError::NotEnrolled)?;
    if !signature.holds(&key.key, "POST", CHECKIN_PATH, body) {
        return Err(RelayError::BadSignature);
    }
    // Counted only once the device proved itself: a stranger naming a phone cannot use up its
    // allowance.
    if !allow(&signature.device_id) {
        return Err(RelayError::RateLimited);
    }
    // The report inside must be the signing device's own.
    let claimed = claimed.ok_or(RelayError::Malformed)?;
    if claimed.dev != signature.device_id {
        return Err(RelayError::WrongDevice);
    }
    if !ledger.take_nonce(&signature.device_id, &signature.nonce, now).map_err(ledger_error)? {
        return Err(RelayError::Replayed);
    }
    let mut exports = Vec::with_capacity(checkin.exports.len());
    for sealed in &checkin.exports {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| RelayError::Malformed)?;
        let digest = televisit_ledger::digest_hex(&bytes);
        write_export(exports_dir, &signature.device_id, &digest, &bytes).map_err(|_| RelayError::Internal)?;
        exports.push((digest, bytes.len() as u64));
    }
    let recorded = ledger.record_checkin(&signature.device_id, &checkin, &exports, now).map_err(ledger_error)?;
    let bulletin = ledger.published_bulletin(now).map_err(ledger_error)?;
    let wipe = ledger.pending_wipe_for(&signature.device_id, now).map_err(ledger_error)?;
    let inbox = ledger.inbox_for(&signature.device_id).map_err(ledger_error)?;
    Ok(CheckInAnswer { v: RELAY_VERSION, bulletin, wipe, inbox, recorded })
}

fn ledger_error(err: anyhow::Error) -> RelayError {
    if televisit_ledger::is_unavailable(&err) {
        RelayError::Unavailable
    } else {
        tracing::error!(error = %format!("{err:#}"), "ledger");
        RelayError::Internal
    }
}

/// `DIR/DEVICE/DIGEST.age`, written whole (a temporary name, synced, renamed). The same bytes
/// again are the same file.
fn write_export(dir: &Path, device_id: &str, digest: &str, bytes: &[u8]) -> std::io::Result<()> {
    let folder = dir.join(device_id);
    std::fs::create_dir_all(&folder)?;
    let path = folder.join(format!("{digest}.age"));
    if path.exists() {
        return Ok(());
    }
    let part = folder.join(format!("{digest}.{}.part", std::process::id()));
    let mut file = std::fs::File::create(&part)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&part, &path)
}

/// Where a sealed export a relay took in is kept.
pub fn export_path(dir: &Path, device_id: &str, digest: &str) -> std::path::PathBuf {
    dir.join(device_id).join(format!("{digest}.age"))
}
