//! The log's public chain and its checkpoints: what IT checks without any secret.
//!
//! The HMAC chain (`chain`) lets the phone find a changed row, but its key is the phone's, so
//! it proves nothing to anyone else. Beside it runs a public hash chain over the same canonical
//! entry bytes: `hash(n) = SHA-256("televisit log chain v1\0" || hash(n-1) || entry n)`. A
//! checkpoint is a size (the newest sequence number) and the hash there, signed by the device:
//! inside every device report (so it reaches IT through the MDM at each check-in) and at both
//! ends of every export. A later export must reproduce every hash IT has seen at a size it
//! covers; a later checkpoint must not be smaller than an earlier one. ADR 14 says why a chain
//! and not an RFC 6962 tree.

use crate::chain::{feed_fields, EntryFields, Link};
use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::digest;
use serde::{Deserialize, Serialize};

pub type Hash = [u8; 32];

/// What every link of the public chain begins with, before the previous hash and the entry's bytes.
pub const CHAIN_PREFIX: &[u8; 23] = b"televisit log chain v1\0";

/// The largest size a checkpoint may claim: the phone's store counts in SQLite's signed integers.
pub const MAX_SIZE: u64 = i64::MAX as u64;

/// A point of the public chain: the hash after entry `seq` (or the chain's anchor at its start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Point {
    pub seq: u64,
    pub hash: Hash,
}

/// A checkpoint as it travels: short keys, so that it fits a device report beside everything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The size: the newest sequence number the log has used.
    pub n: u64,
    /// The public chain's hash there, base64url.
    pub h: String,
}

impl Checkpoint {
    pub fn from_point(point: Point) -> Checkpoint {
        Checkpoint { n: point.seq, h: URL_SAFE_NO_PAD.encode(point.hash) }
    }

    /// The point it names; refuses a size beyond `MAX_SIZE` and a hash that is not 32 bytes.
    pub fn point(&self) -> Result<Point> {
        let bad = |reason: &'static str| Error::invalid("log checkpoint", reason);
        if self.n > MAX_SIZE {
            return Err(bad("claims a size no log can reach"));
        }
        let bytes = URL_SAFE_NO_PAD.decode(&self.h).map_err(|_| bad("has a hash that is not base64url"))?;
        let hash: Hash = bytes.try_into().map_err(|_| bad("has a hash that is not 32 bytes"))?;
        Ok(Point { seq: self.n, hash })
    }
}

/// Where the public chain starts: derived from the HMAC chain's start (its genesis, or the
/// checkpoint a purge left when the public chain was added to an older log). Only a value to
/// begin from: IT anchors on the first export it archives for a device.
pub fn anchor(start: Link) -> Point {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"televisit log chain v1\0anchor\0");
    ctx.update(&start.seq.to_be_bytes());
    ctx.update(&start.mac);
    Point { seq: start.seq, hash: finish(ctx) }
}

/// The chain's hash after `entry`, which must be the one after `prev`. Its sequence number is
/// checked by the caller (`extend`).
pub fn next(prev: &Hash, entry: EntryFields<'_>) -> Hash {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(CHAIN_PREFIX);
    ctx.update(prev);
    feed_fields(&mut |bytes| ctx.update(bytes), entry);
    finish(ctx)
}

/// Walks `entries` from `from`; each must carry the next sequence number. Returns the hash after
/// each entry, in order. A gap, a repeat or a number past `MAX_SIZE` is an error naming the
/// sequence number expected: never a panic, whatever the numbers.
pub fn extend<'a>(from: Point, entries: impl IntoIterator<Item = EntryFields<'a>>) -> Result<Vec<Point>> {
    let mut at = from;
    let mut points = Vec::new();
    for entry in entries {
        let expected = at
            .seq
            .checked_add(1)
            .filter(|&seq| seq <= MAX_SIZE)
            .ok_or_else(|| Error::invalid("log entries", "go past the largest sequence number a log can reach"))?;
        if entry.seq != expected {
            return Err(Error::invalid("log entries", format!("do not follow each other: seq {expected} is missing")));
        }
        at = Point { seq: entry.seq, hash: next(&at.hash, entry) };
        points.push(at);
    }
    Ok(points)
}

fn finish(ctx: digest::Context) -> Hash {
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::StoredEntry;

    fn entry(seq: u64, detail: &str) -> StoredEntry {
        StoredEntry {
            seq,
            at_ms: 1_795_953_600_000,
            kind: "call_launched".into(),
            actor: "clinician".into(),
            patient: Some("pt_0123456789abcdef0123456789abcdef".into()),
            detail: detail.into(),
            mac: Vec::new(),
        }
    }

    fn walk(from: Point, entries: &[StoredEntry]) -> Result<Vec<Point>> {
        extend(from, entries.iter().map(StoredEntry::fields))
    }

    #[test]
    fn each_hash_commits_to_the_entry_and_everything_before_it() {
        let start = anchor(Link { seq: 0, mac: [7; 32] });
        let honest = walk(start, &[entry(1, "{}"), entry(2, "{}")]).unwrap();
        let changed = walk(start, &[entry(1, r#"{"ok":true}"#), entry(2, "{}")]).unwrap();
        assert_eq!(honest.len(), 2);
        assert_ne!(honest[0].hash, changed[0].hash);
        assert_ne!(honest[1].hash, changed[1].hash, "a change early on moves every later hash");
        assert_ne!(anchor(Link { seq: 0, mac: [8; 32] }).hash, start.hash);
    }

    #[test]
    fn gaps_repeats_and_the_end_of_the_numbers_are_errors() {
        let start = anchor(Link { seq: 0, mac: [7; 32] });
        assert!(walk(start, &[entry(2, "{}")]).unwrap_err().to_string().contains("seq 1 is missing"));
        assert!(walk(start, &[entry(1, "{}"), entry(1, "{}")]).is_err());
        let end = Point { seq: MAX_SIZE, hash: [0; 32] };
        assert!(walk(end, &[entry(0, "{}")]).is_err());
        let near = Point { seq: u64::MAX, hash: [0; 32] };
        assert!(walk(near, &[entry(0, "{}")]).is_err());
    }

    #[test]
    fn a_checkpoint_round_trips_and_refuses_what_no_log_has() {
        let point = Point { seq: 41, hash: [9; 32] };
        assert_eq!(Checkpoint::from_point(point).point().unwrap(), point);
        assert!(Checkpoint { n: MAX_SIZE + 1, h: Checkpoint::from_point(point).h }.point().is_err());
        assert!(Checkpoint { n: 1, h: "AAAA".into() }.point().is_err());
        assert!(Checkpoint { n: 1, h: "not base64!".into() }.point().is_err());
    }
}
