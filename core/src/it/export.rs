//! The sealed activity-log export: the entries and their chain, sealed with age (X25519) to the
//! organisation's export recipient. IT opens it with `televisit-admin log open` or, being plain
//! age, with the `age` tool itself; the payload is JSON. It carries the log's MAC key (which
//! authenticates the log and opens nothing else), so that IT verifies the chain.

use crate::error::{Error, Result};
use crate::log::{self, Link, StoredEntry, Verification};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "televisit-log-export/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedEntry {
    pub seq: u64,
    pub at_ms: i64,
    pub kind: String,
    pub actor: String,
    pub patient: Option<String>,
    pub detail: serde_json::Value,
    /// The detail exactly as stored and MACed.
    pub detail_raw: String,
    pub mac: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub format: String,
    pub org_name: String,
    pub device_id: String,
    pub enrollment_id: String,
    pub exported_at_ms: i64,
    /// base64 of the log MAC key.
    pub mac_key: String,
    pub start_seq: u64,
    pub start_mac: String,
    pub head_seq: u64,
    pub head_mac: String,
    pub entries: Vec<ExportedEntry>,
}

pub(crate) struct Source<'a> {
    pub org_name: &'a str,
    pub device_id: &'a str,
    pub enrollment_id: &'a str,
    pub exported_at_ms: i64,
    pub mac_key: &'a [u8],
    pub start: Link,
    pub head: Link,
    pub rows: Vec<StoredEntry>,
}

pub(crate) fn seal(source: Source<'_>, recipient: &str) -> Result<Vec<u8>> {
    let recipient: age::x25519::Recipient =
        recipient.parse().map_err(|_| Error::invalid("export recipient", "is not an age X25519 recipient"))?;
    let export = Export {
        format: FORMAT.into(),
        org_name: source.org_name.into(),
        device_id: source.device_id.into(),
        enrollment_id: source.enrollment_id.into(),
        exported_at_ms: source.exported_at_ms,
        mac_key: STANDARD.encode(source.mac_key),
        start_seq: source.start.seq,
        start_mac: hex::encode(source.start.mac),
        head_seq: source.head.seq,
        head_mac: hex::encode(source.head.mac),
        entries: source
            .rows
            .into_iter()
            .map(|r| ExportedEntry {
                seq: r.seq,
                at_ms: r.at_ms,
                kind: r.kind,
                actor: r.actor,
                patient: r.patient,
                detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
                detail_raw: r.detail,
                mac: hex::encode(r.mac),
            })
            .collect(),
    };
    let json = serde_json::to_vec(&export).expect("an export serialises");
    age::encrypt(&recipient, &json).map_err(|_| Error::Storage("sealing the export failed".into()))
}

/// IT's side: decrypts with the organisation's export identity and verifies the chain.
pub fn open(sealed: &[u8], identity: &str) -> Result<(Export, Verification)> {
    let identity: age::x25519::Identity =
        identity.trim().parse().map_err(|_| Error::invalid("export identity", "is not an age X25519 identity"))?;
    let json = age::decrypt(&identity, sealed).map_err(|_| {
        Error::invalid("log export", "does not open with this identity (another organisation's, or damaged)")
    })?;
    let export: Export = serde_json::from_slice(&json)
        .map_err(|_| Error::invalid("log export", "does not hold a Televisit log export"))?;
    if export.format != FORMAT {
        return Err(Error::invalid("log export", "is in a format this tool does not know"));
    }
    let bad = || Error::invalid("log export", "has a malformed key or MAC");
    let mac_key = STANDARD.decode(&export.mac_key).map_err(|_| bad())?;
    let link = |seq: u64, mac: &str| -> Result<Link> {
        Ok(Link { seq, mac: log::chain_mac(&hex::decode(mac).map_err(|_| bad())?) })
    };
    let start = link(export.start_seq, &export.start_mac)?;
    let head = link(export.head_seq, &export.head_mac)?;
    let rows: Vec<StoredEntry> = export
        .entries
        .iter()
        .map(|e| {
            Ok(StoredEntry {
                seq: e.seq,
                at_ms: e.at_ms,
                kind: e.kind.clone(),
                actor: e.actor.clone(),
                patient: e.patient.clone(),
                detail: e.detail_raw.clone(),
                mac: hex::decode(&e.mac).map_err(|_| bad())?,
            })
        })
        .collect::<Result<_>>()?;
    let verification = log::verify_rows(&mac_key, start, head, &rows);
    Ok((export, verification))
}
