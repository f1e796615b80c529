//! The report's two forms inside its envelope.
//!
//! - **Version 2** (phones write it): the postcard encoding of [`V2`], fields in the order below,
//!   no names; the device key and the checkpoint hashes as their 32 bytes. It fits one keyed app
//!   state message with every field at its largest and room to spare; version 1 did not once a
//!   confirmed checkpoint and the longest MDM ids met (ADR 24).
//! - **Version 1**: the canonical JSON of [`DeviceReport`], which phones wrote before; IT still
//!   reads it, so a phone not yet updated keeps reporting.
//!
//! Each is canonical: a payload is accepted only if it re-encodes to the same bytes. A version 1
//! payload begins with `{`; a version 2 one with its version's varint (2).

use super::{ChecklistState, CleanupState, DeviceReport, REPORT_V1_JSON, REPORT_VERSION};
use crate::checkpoint::Checkpoint;
use crate::envelope;
use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

const WHAT: &str = "device report";

/// Version 2, as postcard lays it out: the field order is the format.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct V2 {
    v: u32,
    dev: String,
    enr: String,
    key: [u8; 32],
    org: String,
    os: String,
    os_ver: String,
    app_ver: String,
    pol: u64,
    seen: Option<i64>,
    chk: ChecklistState,
    wipe: Option<String>,
    rcpt: Option<String>,
    mdm_dev: Option<String>,
    mdm_user: Option<String>,
    cp: Option<(u64, [u8; 32])>,
    conf: Option<(u64, [u8; 32])>,
    ks: Option<u64>,
    cln: Option<CleanupState>,
    at: i64,
}

fn to_bytes(field: &'static str, text: &str) -> Result<[u8; 32]> {
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| Error::invalid(WHAT, format!("has a {field} that is not 32 bytes of base64url")))
}

fn checkpoint_bytes(cp: &Option<Checkpoint>) -> Result<Option<(u64, [u8; 32])>> {
    cp.as_ref().map(|cp| Ok((cp.n, to_bytes("checkpoint hash", &cp.h)?))).transpose()
}

fn checkpoint_text(cp: Option<(u64, [u8; 32])>) -> Option<Checkpoint> {
    cp.map(|(n, hash)| Checkpoint { n, h: URL_SAFE_NO_PAD.encode(hash) })
}

/// The payload phones sign: version 2.
pub(super) fn encode(report: &DeviceReport) -> Result<Vec<u8>> {
    let r = report.clone();
    let wire = V2 {
        v: r.v,
        key: to_bytes("device key", &r.key)?,
        cp: checkpoint_bytes(&r.cp)?,
        conf: checkpoint_bytes(&r.conf)?,
        dev: r.dev,
        enr: r.enr,
        org: r.org,
        os: r.os,
        os_ver: r.os_ver,
        app_ver: r.app_ver,
        pol: r.pol,
        seen: r.seen,
        chk: r.chk,
        wipe: r.wipe,
        rcpt: r.rcpt,
        mdm_dev: r.mdm_dev,
        mdm_user: r.mdm_user,
        ks: r.ks,
        cln: r.cln,
        at: r.at,
    };
    postcard::to_allocvec(&wire).map_err(|_| Error::invalid(WHAT, "could not be encoded"))
}

/// Either version's payload, refused unless it is that version's canonical form. The checks of
/// what the fields say are the caller's (`DeviceReport::check`).
pub(super) fn decode(payload: &[u8]) -> Result<DeviceReport> {
    if payload.first() == Some(&b'{') {
        let report: DeviceReport = envelope::parse_canonical(WHAT, payload)?;
        if report.v != REPORT_V1_JSON {
            return Err(Error::invalid(WHAT, "is in a format this version does not know"));
        }
        return Ok(report);
    }
    let unreadable = || Error::invalid(WHAT, "is not a readable version 2 report");
    let wire: V2 = postcard::from_bytes(payload).map_err(|_| unreadable())?;
    if wire.v != REPORT_VERSION {
        return Err(Error::invalid(WHAT, "is in a format this version does not know"));
    }
    // One encoding per report: trailing bytes and over-long numbers re-encode differently.
    if postcard::to_allocvec(&wire).ok().as_deref() != Some(payload) {
        return Err(Error::invalid(WHAT, "is not in its canonical form (changed after it was made)"));
    }
    Ok(DeviceReport {
        v: wire.v,
        dev: wire.dev,
        enr: wire.enr,
        key: URL_SAFE_NO_PAD.encode(wire.key),
        org: wire.org,
        os: wire.os,
        os_ver: wire.os_ver,
        app_ver: wire.app_ver,
        pol: wire.pol,
        seen: wire.seen,
        chk: wire.chk,
        wipe: wire.wipe,
        rcpt: wire.rcpt,
        mdm_dev: wire.mdm_dev,
        mdm_user: wire.mdm_user,
        cp: checkpoint_text(wire.cp),
        conf: checkpoint_text(wire.conf),
        ks: wire.ks,
        cln: wire.cln,
        at: wire.at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_2_payload_round_trips_and_refuses_trailing_bytes() {
        let report = crate::vectors::report();
        let payload = encode(&report).unwrap();
        assert_eq!(payload[0], 2, "the version's varint comes first");
        assert_eq!(decode(&payload).unwrap(), report);
        let mut longer = payload.clone();
        longer.push(0);
        assert!(decode(&longer).unwrap_err().to_string().contains("canonical form"));
        for end in 0..payload.len() {
            assert!(decode(&payload[..end]).is_err(), "cut at {end}");
        }
    }

    #[test]
    fn a_version_1_payload_must_say_version_1() {
        let mut report = crate::vectors::report();
        report.v = REPORT_VERSION;
        report.cln = None;
        let json = envelope::canonical_json(&report);
        assert!(decode(&json).unwrap_err().to_string().contains("format this version does not know"));
    }
}
