//! The activity-log export's content: the entries and their chain, as JSON. The phone seals it
//! with age (X25519) to the organisation's export recipient; IT opens it with
//! `televisit-admin log open` or, being plain age, with the `age` tool itself. It carries the
//! log's MAC key (which authenticates the log and opens nothing else), so that IT verifies the
//! chain. Parsing and verifying need no age: they start from the decrypted bytes.

use crate::chain::{self, Link, StoredEntry, Verification};
use crate::envelope::{canonical_json, parse_canonical};
use crate::error::{Error, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

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

/// The phone's side: what an export holds.
pub struct Source<'a> {
    pub org_name: &'a str,
    pub device_id: &'a str,
    pub enrollment_id: &'a str,
    pub exported_at_ms: i64,
    pub mac_key: &'a [u8],
    pub start: Link,
    pub head: Link,
    pub rows: Vec<StoredEntry>,
}

/// The export's JSON, to be sealed. (The MAC key inside is cleared from memory with it.)
pub fn to_json(source: Source<'_>) -> Zeroizing<Vec<u8>> {
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
    let json = Zeroizing::new(canonical_json(&export));
    let mut export = export;
    zeroize::Zeroize::zeroize(&mut export.mac_key);
    json
}

/// IT's side: reads a decrypted export. Its JSON must be the form the phone writes.
pub fn parse(json: &[u8]) -> Result<Export> {
    let export: Export = parse_canonical("log export", json)?;
    if export.format != FORMAT {
        return Err(Error::invalid("log export", "is in a format this tool does not know"));
    }
    Ok(export)
}

/// Verifies an export's chain with the MAC key it carries.
pub fn verify(export: &Export) -> Result<Verification> {
    let bad = || Error::invalid("log export", "has a malformed key or MAC");
    let mac_key = Zeroizing::new(STANDARD.decode(&export.mac_key).map_err(|_| bad())?);
    let link = |seq: u64, mac: &str| -> Result<Link> {
        let bytes = hex::decode(mac).map_err(|_| bad())?;
        if bytes.len() != 32 {
            return Err(bad());
        }
        Ok(Link { seq, mac: chain::to_mac(&bytes) })
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
    Ok(chain::verify_rows(&mac_key, start, head, &rows))
}
