//! The HMAC chain over the activity log, and the verifier that names what is wrong.
//!
//! Each entry's MAC covers the previous MAC and the entry's canonical bytes (sequence number,
//! time, kind, actor, patient reference, detail as stored). The chain starts at a keyed genesis
//! value, or at the checkpoint a purge left. The head (last sequence number and MAC) is kept
//! apart from the rows, so that a deleted tail is found too.

use ring::hmac;

/// The kind code of the entry a purge leaves; its detail's `through_seq` is the cut.
pub const PURGE_KIND: &str = "log_purged";

pub type Mac = [u8; 32];

/// What every entry's MAC begins with, before the previous MAC and the entry's bytes.
pub const MAC_PREFIX: &[u8; 23] = b"televisit log entry v1\0";

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
    /// The whole database is an older one than the phone last wrote (a copy put back): `seq` is
    /// the first entry it lacks.
    RolledBack,
    /// The newest entries were cut off (whether or not the chain's head row was edited to
    /// match): `seq` is the first one missing.
    TailCut,
    /// Every entry and the chain's head are gone from a log that had entries.
    Emptied,
    /// The chain's head row was edited (its own MAC does not hold): `seq` is what it claims.
    HeadForged,
}

impl Tamper {
    pub fn describe(self) -> &'static str {
        match self {
            Tamper::Changed => "changed",
            Tamper::Missing => "missing",
            Tamper::Inserted => "inserted",
            Tamper::Reordered => "reordered",
            Tamper::RolledBack => {
                "an older copy of the database was put back: this entry and the ones after it are gone"
            }
            Tamper::TailCut => "the newest entries were cut off, from this one on",
            Tamper::Emptied => "every entry was deleted",
            Tamper::HeadForged => "the chain's head row was edited",
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
    ctx.update(MAC_PREFIX);
    ctx.update(prev);
    feed_entry(&mut |bytes| ctx.update(bytes), entry, seq);
    tag_to_mac(ctx.sign())
}

/// An entry's fields as the chains cover them, borrowed from a stored row or an exported entry.
#[derive(Debug, Clone, Copy)]
pub struct EntryFields<'a> {
    pub seq: u64,
    pub at_ms: i64,
    pub kind: &'a str,
    pub actor: &'a str,
    pub patient: Option<&'a str>,
    pub detail: &'a str,
}

impl StoredEntry {
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

/// An entry's canonical bytes as it would stand at `seq`: what its MAC and its public chain hash
/// (`checkpoint`) both cover. Length-prefixed, with a presence byte per field, so that no two
/// entries share bytes.
pub(crate) fn feed_entry(update: &mut dyn FnMut(&[u8]), entry: &StoredEntry, seq: u64) {
    feed_fields(update, EntryFields { seq, ..entry.fields() });
}

/// Appends an entry's canonical bytes to `out`: what both chains hash after their prefix and the
/// previous link.
pub fn write_entry(out: &mut Vec<u8>, entry: EntryFields<'_>) {
    feed_fields(&mut |part| out.extend_from_slice(part), entry);
}

pub(crate) fn feed_fields(update: &mut dyn FnMut(&[u8]), entry: EntryFields<'_>) {
    update(&entry.seq.to_be_bytes());
    update(&entry.at_ms.to_be_bytes());
    for field in [Some(entry.kind), Some(entry.actor), entry.patient, Some(entry.detail)] {
        match field {
            Some(text) => {
                update(&[1]);
                update(&u64::try_from(text.len()).unwrap_or(u64::MAX).to_be_bytes());
                update(text.as_bytes());
            }
            None => update(&[0]),
        }
    }
}

fn tag_to_mac(tag: hmac::Tag) -> Mac {
    to_mac(tag.as_ref())
}

fn fits(key: &hmac::Key, prev: &Mac, entry: &StoredEntry, seq: u64) -> bool {
    mac_at(key, prev, entry, seq).as_slice() == entry.mac.as_slice()
}

/// The number after `seq`; none at the end of the type (a crafted file can say `u64::MAX`).
fn after(seq: u64) -> Option<u64> {
    seq.checked_add(1)
}

/// Walks the rows (in sequence order) from `start` and checks they end at `head`.
/// `purged_through` is the last cut the log itself recorded, if any: a checkpoint beyond it means
/// entries were removed without a purge. Every sequence number may come from a file someone
/// edited: arithmetic on them is checked, and a number no log can reach is a finding, never a panic.
pub fn verify(
    key: &hmac::Key,
    start: Link,
    head: Link,
    purged_through: Option<u64>,
    rows: &[StoredEntry],
) -> Verification {
    let recorded_cut = purged_through.unwrap_or(0);
    if start.seq > recorded_cut {
        return Verification::Broken { seq: after(recorded_cut).unwrap_or(u64::MAX), problem: Tamper::Missing };
    }
    if start.seq > head.seq {
        return Verification::Broken { seq: after(head.seq).unwrap_or(u64::MAX), problem: Tamper::Missing };
    }
    let mut prev = start;
    for (i, row) in rows.iter().enumerate() {
        let Some(expected) = after(prev.seq) else {
            return Verification::Broken { seq: prev.seq, problem: Tamper::Inserted };
        };
        if row.seq > head.seq {
            let seq = after(head.seq).map_or(expected, |beyond| expected.max(beyond));
            return Verification::Broken { seq, problem: Tamper::Inserted };
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
        return Verification::Broken { seq: after(prev.seq).unwrap_or(u64::MAX), problem: Tamper::Missing };
    }
    if prev.mac != head.mac {
        return Verification::Broken { seq: prev.seq, problem: Tamper::Changed };
    }
    Verification::Intact { count: u64::try_from(rows.len()).unwrap_or(u64::MAX), head }
}

/// Checks the newest link only. `newest` holds the last rows, newest first (one or two are read:
/// the last and the one before it).
pub fn verify_head(key: &hmac::Key, start: Link, head: Link, newest: &[StoredEntry]) -> Verification {
    let Some(first_after_start) = after(start.seq).filter(|_| start.seq <= head.seq) else {
        return Verification::Broken { seq: after(head.seq).unwrap_or(u64::MAX), problem: Tamper::Missing };
    };
    let Some(last) = newest.first() else {
        return if head == start {
            Verification::Intact { count: 0, head }
        } else {
            Verification::Broken { seq: first_after_start, problem: Tamper::Missing }
        };
    };
    if last.seq > head.seq {
        return Verification::Broken { seq: after(head.seq).unwrap_or(u64::MAX), problem: Tamper::Inserted };
    }
    if last.seq < head.seq {
        return Verification::Broken { seq: after(last.seq).unwrap_or(u64::MAX), problem: Tamper::Missing };
    }
    let prev = match newest.get(1) {
        Some(before) if after(before.seq) == Some(last.seq) => Link { seq: before.seq, mac: to_mac(&before.mac) },
        Some(before) if before.seq < last.seq && before.seq >= start.seq => {
            return Verification::Broken { seq: after(before.seq).unwrap_or(u64::MAX), problem: Tamper::Missing }
        }
        _ if last.seq == first_after_start => start,
        _ => return Verification::Broken { seq: last.seq.min(first_after_start), problem: Tamper::Missing },
    };
    if !fits(key, &prev.mac, last, last.seq) || to_mac(&last.mac) != head.mac {
        return Verification::Broken { seq: last.seq, problem: Tamper::Changed };
    }
    Verification::Intact { count: head.seq - start.seq, head }
}

/// Row `i` does not fit after `prev`. Decide why, from what the rows around it show.
fn classify(key: &hmac::Key, prev: &Link, rows: &[StoredEntry], i: usize) -> Tamper {
    let row = &rows[i];
    let Some(at) = after(prev.seq) else { return Tamper::Inserted };
    if let Some(next) = rows.get(i + 1) {
        // The next entry still chains from this row's MAC: the MAC is authentic, the content is not.
        if fits(key, &to_mac(&row.mac), next, next.seq) {
            return Tamper::Changed;
        }
        // The next entry chains from this row's MAC only at a later number: the rows were
        // renumbered to close a gap, so entries between them were removed.
        const MAX_SHIFT: u64 = 64;
        let shifted = (1..=MAX_SHIFT).filter_map(|shift| next.seq.checked_add(shift));
        if shifted.into_iter().any(|seq| fits(key, &to_mac(&row.mac), next, seq)) {
            return Tamper::Missing;
        }
    }
    // The entry that belongs here stands further on: this row was put in front of it.
    if let Some(rightful) = rows[i + 1..].iter().find(|later| fits(key, &prev.mac, later, at)) {
        // Reordered when this row is itself authentic after some other entry: after the rightful
        // one (two rows swapped), or after another row, whose number a move shifted by one.
        let after_rightful = after(at).is_some_and(|seq| fits(key, &to_mac(&rightful.mac), row, seq));
        let after_other = rows.iter().any(|other| {
            (0..=2).filter_map(|d| other.seq.checked_add(d)).any(|seq| fits(key, &to_mac(&other.mac), row, seq))
        });
        return if after_rightful || after_other { Tamper::Reordered } else { Tamper::Inserted };
    }
    Tamper::Changed
}

/// The cut that the newest purge entry records. It is inside the chain, so a checkpoint moved
/// forward by hand (entries dropped without a purge) does not match it.
pub fn last_recorded_purge(rows: &[StoredEntry]) -> Option<u64> {
    let purge = rows.iter().rev().find(|row| row.kind == PURGE_KIND)?;
    purge_cut(&purge.detail)
}

/// The cut a purge entry's detail records (`through_seq`); none when it does not read.
pub(crate) fn purge_cut(detail: &str) -> Option<u64> {
    let detail: serde_json::Map<String, serde_json::Value> = serde_json::from_str(detail).ok()?;
    detail.get("through_seq")?.as_u64()
}

/// Verifies rows with the raw MAC key (IT's side, and the phone's full check).
pub fn verify_rows(mac_key: &[u8], start: Link, head: Link, rows: &[StoredEntry]) -> Verification {
    let key = hmac::Key::new(hmac::HMAC_SHA256, mac_key);
    verify(&key, start, head, last_recorded_purge(rows), rows)
}

/// A stored MAC as a fixed array; a stored value of the wrong length becomes zeros, which
/// never verifies, so the verifier reports it rather than failing to read.
pub fn to_mac(bytes: &[u8]) -> Mac {
    let mut out = [0u8; 32];
    if bytes.len() == 32 {
        out.copy_from_slice(bytes);
    }
    out
}
