//! The HMAC chain over the activity log, and the verifier that names what is wrong.
//!
//! Each entry's MAC covers the previous MAC and the entry's canonical bytes (sequence number,
//! time, kind, actor, patient reference, detail as stored). The chain starts at a keyed genesis
//! value, or at the checkpoint a purge left. The head (last sequence number and MAC) is kept
//! apart from the rows, so that a deleted tail is found too.

use ring::hmac;

pub type Mac = [u8; 32];

/// A row as stored: raw text, so that the verifier needs nothing to parse.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub seq: u64,
    pub at_ms: i64,
    pub kind: String,
    pub actor: String,
    pub patient: Option<String>,
    pub detail: String,
    pub mac: Vec<u8>,
}

/// Where the chain starts (genesis, or the last purge's checkpoint) or ends (the head).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub seq: u64,
    pub mac: Mac,
}

/// What is wrong at the first bad sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// The entry's content differs from what was written.
    Changed,
    /// One or more entries from here on were removed.
    Missing,
    /// An entry that was never written stands here.
    Inserted,
    /// The entry written here stands elsewhere in the log.
    Reordered,
}

impl Tamper {
    pub fn describe(self) -> &'static str {
        match self {
            Tamper::Changed => "changed",
            Tamper::Missing => "missing",
            Tamper::Inserted => "inserted",
            Tamper::Reordered => "reordered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { count: u64, head: Link },
    Broken { seq: u64, problem: Tamper },
}

pub fn genesis(key: &hmac::Key) -> Link {
    Link { seq: 0, mac: tag_to_mac(hmac::sign(key, b"televisit log genesis v1")) }
}

pub fn mac(key: &hmac::Key, prev: &Mac, entry: &StoredEntry) -> Mac {
    mac_at(key, prev, entry, entry.seq)
}

/// The MAC the entry would have if it stood at `seq`.
fn mac_at(key: &hmac::Key, prev: &Mac, entry: &StoredEntry, seq: u64) -> Mac {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(b"televisit log entry v1\0");
    ctx.update(prev);
    ctx.update(&seq.to_be_bytes());
    ctx.update(&entry.at_ms.to_be_bytes());
    for field in
        [Some(entry.kind.as_str()), Some(entry.actor.as_str()), entry.patient.as_deref(), Some(entry.detail.as_str())]
    {
        match field {
            // Length-prefixed, with a presence byte, so that no two entries share bytes.
            Some(text) => {
                ctx.update(&[1]);
                ctx.update(&(text.len() as u64).to_be_bytes());
                ctx.update(text.as_bytes());
            }
            None => ctx.update(&[0]),
        }
    }
    tag_to_mac(ctx.sign())
}

fn tag_to_mac(tag: hmac::Tag) -> Mac {
    to_mac(tag.as_ref())
}

fn fits(key: &hmac::Key, prev: &Mac, entry: &StoredEntry, seq: u64) -> bool {
    mac_at(key, prev, entry, seq).as_slice() == entry.mac.as_slice()
}

/// Walks the rows (in sequence order) from `start` and checks they end at `head`.
/// `purged_through` is the last cut the log itself recorded, if any: a checkpoint beyond it means
/// entries were removed without a purge.
pub fn verify(
    key: &hmac::Key,
    start: Link,
    head: Link,
    purged_through: Option<u64>,
    rows: &[StoredEntry],
) -> Verification {
    if start.seq > purged_through.unwrap_or(0) {
        return Verification::Broken { seq: purged_through.unwrap_or(0) + 1, problem: Tamper::Missing };
    }
    let mut prev = start;
    for (i, row) in rows.iter().enumerate() {
        let expected = prev.seq + 1;
        if row.seq > head.seq {
            return Verification::Broken { seq: expected.max(head.seq + 1), problem: Tamper::Inserted };
        }
        if row.seq != expected {
            return Verification::Broken { seq: expected, problem: Tamper::Missing };
        }
        if !fits(key, &prev.mac, row, expected) {
            return Verification::Broken { seq: expected, problem: classify(key, &prev, rows, i) };
        }
        prev = Link { seq: row.seq, mac: to_mac(&row.mac) };
    }
    if prev.seq < head.seq {
        return Verification::Broken { seq: prev.seq + 1, problem: Tamper::Missing };
    }
    if prev.mac != head.mac {
        return Verification::Broken { seq: prev.seq, problem: Tamper::Changed };
    }
    Verification::Intact { count: rows.len() as u64, head }
}

/// Checks the newest link only. `newest` holds the last rows, newest first (one or two are read:
/// the last and the one before it).
pub fn verify_head(key: &hmac::Key, start: Link, head: Link, newest: &[StoredEntry]) -> Verification {
    let Some(last) = newest.first() else {
        return if head == start {
            Verification::Intact { count: 0, head }
        } else {
            Verification::Broken { seq: start.seq + 1, problem: Tamper::Missing }
        };
    };
    if last.seq > head.seq {
        return Verification::Broken { seq: head.seq + 1, problem: Tamper::Inserted };
    }
    if last.seq < head.seq {
        return Verification::Broken { seq: last.seq + 1, problem: Tamper::Missing };
    }
    let prev = match newest.get(1) {
        Some(before) if before.seq + 1 == last.seq => Link { seq: before.seq, mac: to_mac(&before.mac) },
        Some(before) if before.seq + 1 < last.seq && before.seq >= start.seq => {
            return Verification::Broken { seq: before.seq + 1, problem: Tamper::Missing }
        }
        _ if last.seq == start.seq + 1 => start,
        _ => return Verification::Broken { seq: last.seq.min(start.seq + 1), problem: Tamper::Missing },
    };
    if !fits(key, &prev.mac, last, last.seq) || to_mac(&last.mac) != head.mac {
        return Verification::Broken { seq: last.seq, problem: Tamper::Changed };
    }
    Verification::Intact { count: head.seq - start.seq, head }
}

/// Row `i` does not fit after `prev`. Decide why, from what the rows around it show.
fn classify(key: &hmac::Key, prev: &Link, rows: &[StoredEntry], i: usize) -> Tamper {
    let row = &rows[i];
    let at = prev.seq + 1;
    if let Some(next) = rows.get(i + 1) {
        // The next entry still chains from this row's MAC: the MAC is authentic, the content is not.
        if fits(key, &to_mac(&row.mac), next, next.seq) {
            return Tamper::Changed;
        }
        // The next entry chains from this row's MAC only at a later number: the rows were
        // renumbered to close a gap, so entries between them were removed.
        const MAX_SHIFT: u64 = 64;
        if (1..=MAX_SHIFT).any(|shift| fits(key, &to_mac(&row.mac), next, next.seq + shift)) {
            return Tamper::Missing;
        }
    }
    // The entry that belongs here stands further on: this row was put in front of it.
    if let Some(rightful) = rows[i + 1..].iter().find(|later| fits(key, &prev.mac, later, at)) {
        // Reordered when this row is itself authentic after some other entry: after the rightful
        // one (two rows swapped), or after another row, whose number a move shifted by one.
        let after_rightful = fits(key, &to_mac(&rightful.mac), row, at + 1);
        let after_other =
            rows.iter().any(|other| (other.seq..=other.seq + 2).any(|seq| fits(key, &to_mac(&other.mac), row, seq)));
        return if after_rightful || after_other { Tamper::Reordered } else { Tamper::Inserted };
    }
    Tamper::Changed
}

/// A stored MAC as a fixed array; a stored value of the wrong length becomes zeros, which
/// never verifies, so the verifier reports it rather than failing to read.
pub(crate) fn to_mac(bytes: &[u8]) -> Mac {
    let mut out = [0u8; 32];
    if bytes.len() == 32 {
        out.copy_from_slice(bytes);
    }
    out
}
