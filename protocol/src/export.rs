//! The activity-log export: a run of entries with the public chain's points at both ends,
//! signed by the device's key, as canonical JSON. The phone seals it with age (X25519) to the
//! organisation's export recipient; IT opens it with `televisit-admin log open` or `log import`
//! (or, being plain age, with the `age` tool itself, to read it).
//!
//! Nothing in it vouches for itself: the signature is checked against the device key IT pinned
//! from the device's first report (never a key the export carries), and the entries must lead
//! from the export's first point to its last by the public chain (`checkpoint`), which needs no
//! secret. An export holds the entries after the last one IT confirmed archiving (or all the
//! phone holds, on request), so that a run of exports continues each other.

use crate::chain::{EntryFields, StoredEntry};
use crate::checkpoint::{self, Checkpoint, Hash, Point};
use crate::envelope::{self, canonical_json, parse_canonical, Kind, SigningKey};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "televisit-log-export/2";
/// The first format carried the MAC key that verified it, so it vouched for itself.
const FIRST_FORMAT: &str = "\"televisit-log-export/1\"";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedEntry {
    pub seq: u64,
    pub at_ms: i64,
    pub kind: String,
    pub actor: String,
    pub patient: Option<String>,
    /// The detail exactly as stored and hashed (a JSON object's text).
    pub detail: String,
}

impl ExportedEntry {
    pub fn from_stored(row: StoredEntry) -> ExportedEntry {
        ExportedEntry {
            seq: row.seq,
            at_ms: row.at_ms,
            kind: row.kind,
            actor: row.actor,
            patient: row.patient,
            detail: row.detail,
        }
    }

    pub fn fields(&self) -> EntryFields<'_> {
        EntryFields {
            seq: self.seq,
            at_ms: self.at_ms,
            kind: &self.kind,
            actor: &self.actor,
            patient: self.patient.as_deref(),
            detail: &self.detail,
        }
    }
}

/// What the device signs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    pub format: String,
    /// The organisation the device is enrolled with (`envelope::key_id` of its key).
    pub org: String,
    pub device_id: String,
    pub enrollment_id: String,
    pub exported_at_ms: i64,
    /// The public chain before the first entry: where IT's archive must already stand (or the
    /// start of the phone's log, for a whole export).
    pub from: Checkpoint,
    /// The public chain after the last entry: the checkpoint this export vouches for.
    pub to: Checkpoint,
    /// Every entry the phone holds, asked for on purpose, rather than those after IT's confirmation.
    pub whole: bool,
    pub entries: Vec<ExportedEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedExport {
    pub body: ExportBody,
    /// The device key's detached signature over the body's canonical JSON, base64url.
    pub sig: String,
}

/// The entries' run, checked: the points at its ends and after each entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub from: Point,
    pub to: Point,
    /// The point after each entry, in order (`to` is the last, when there are entries).
    pub points: Vec<Point>,
}

impl Segment {
    /// The chain's hash at `seq`, when this run covers it (its start included).
    pub fn hash_at(&self, seq: u64) -> Option<Hash> {
        if seq == self.from.seq {
            return Some(self.from.hash);
        }
        let index = usize::try_from(seq.checked_sub(self.from.seq)?.checked_sub(1)?).ok()?;
        self.points.get(index).map(|point| point.hash)
    }
}

/// The phone's side: the body, signed by the device key, as the JSON to seal.
pub fn sign(device_key: &SigningKey, body: ExportBody) -> Vec<u8> {
    let sig = device_key.sign_detached(Kind::Export, &canonical_json(&body));
    canonical_json(&SignedExport { body, sig })
}

/// IT's side, first step: reads a decrypted export. Its JSON must be the form the phone writes.
/// Nothing in it is trusted yet: `verify` checks it against the pinned key.
pub fn parse(json: &[u8]) -> Result<SignedExport> {
    let export: SignedExport = parse_canonical("log export", json).map_err(|err| {
        if json.windows(FIRST_FORMAT.len()).any(|w| w == FIRST_FORMAT.as_bytes()) {
            Error::invalid("log export", "is in the first format, which proves nothing: export it again")
        } else {
            err
        }
    })?;
    if export.body.format != FORMAT {
        return Err(Error::invalid("log export", "is in a format this tool does not know"));
    }
    // The ids are named before the signature is checked (to find the pinned key): only
    // well-formed ones, which hold no character a terminal would act on.
    if !crate::ids::is_id_with_prefix(&export.body.device_id, "dev")
        || !crate::ids::is_id_with_prefix(&export.body.enrollment_id, "enr")
    {
        return Err(Error::invalid("log export", "has no valid device or enrollment id"));
    }
    Ok(export)
}

/// Checks the signature against the device key IT pinned, and that the entries lead from the
/// export's first point to its last.
pub fn verify(export: &SignedExport, pinned_device_key: &str) -> Result<Segment> {
    envelope::verify_detached(pinned_device_key, Kind::Export, &canonical_json(&export.body), &export.sig)
        .map_err(|problem| Error::refused("log export", problem))?;
    walk(&export.body)
}

/// The entries walked from the body's first point; they must reach the checkpoint it vouches
/// for. `verify` adds the signature; IT walks an export it archived (and verified) again with
/// this alone, for the points inside it.
pub fn walk(body: &ExportBody) -> Result<Segment> {
    let what = "log export";
    let from = body.from.point()?;
    let to = body.to.point()?;
    let points = checkpoint::extend(from, body.entries.iter().map(ExportedEntry::fields))?;
    let reached = points.last().copied().unwrap_or(from);
    if reached.seq != to.seq {
        return Err(Error::invalid(what, format!("ends at seq {} but vouches for seq {}", reached.seq, to.seq)));
    }
    if reached.hash != to.hash {
        return Err(Error::invalid(what, format!("does not lead to the checkpoint it vouches for (seq {})", to.seq)));
    }
    Ok(Segment { from, to, points })
}
