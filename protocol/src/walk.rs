//! The full verify's fast path: both chains (the HMAC chain and the public hash chain) checked
//! while the rows are read, without keeping them.
//!
//! It answers only "everything holds" or "something does not". A broken log is rare and its
//! diagnosis needs the rows around the break (`chain::verify`'s classifier), so on any doubt the
//! caller reads the rows again and asks `chain::verify`, which names the entry and the kind of
//! tampering. The checks here are exactly those of `chain::verify` and of the public chain's
//! check after it, so a walk that holds is the verdict `chain::verify` would give.
//!
//! Per entry: its canonical bytes are written once into a reused buffer, then each chain hashes
//! its prefix, the previous link and that buffer (three updates, where feeding the fields one by
//! one took nine small ones per chain), and nothing is allocated.

use crate::chain::{purge_cut, to_mac, write_entry, EntryFields, Link, Verification, MAC_PREFIX, PURGE_KIND};
use crate::checkpoint::{Hash, CHAIN_PREFIX};
use ring::{digest, hmac};

/// The length both chains' prefixes share (`chain::MAC_PREFIX`, `checkpoint::CHAIN_PREFIX`).
const PREFIX: usize = MAC_PREFIX.len();
const _: () = assert!(CHAIN_PREFIX.len() == PREFIX);
/// Prefix and previous link: where the entry's bytes begin.
const HEAD: usize = PREFIX + 32;

pub struct Walk<'k> {
    key: &'k hmac::Key,
    start: Link,
    prev: Link,
    /// The public chain's hash after the previous entry, when the log keeps that chain.
    public: Option<Hash>,
    /// The cut the newest purge entry so far records.
    purged_through: Option<u64>,
    count: u64,
    holds: bool,
    bytes: Vec<u8>,
}

impl<'k> Walk<'k> {
    /// A walk from the chain's start (`start`) and, when the log keeps a public chain, the
    /// public hash there.
    pub fn new(key: &'k hmac::Key, start: Link, public_start: Option<Hash>) -> Walk<'k> {
        Walk {
            key,
            start,
            prev: start,
            public: public_start,
            purged_through: None,
            count: 0,
            holds: true,
            bytes: Vec::with_capacity(256),
        }
    }

    /// Whether every entry so far held; once false, reading further changes nothing.
    pub fn holds(&self) -> bool {
        self.holds
    }

    /// The next row in sequence order, with the MAC stored beside it.
    pub fn step(&mut self, entry: EntryFields<'_>, mac: &[u8]) -> bool {
        if !self.holds {
            return false;
        }
        let expected = self.prev.seq.checked_add(1);
        if expected != Some(entry.seq) || mac.len() != 32 {
            self.holds = false;
            return false;
        }
        // Both chains' inputs share their tail: a prefix of the same length, the previous link,
        // then the entry. The head is written in place for each, so each hashes one buffer.
        self.bytes.truncate(HEAD);
        self.bytes.resize(HEAD, 0);
        write_entry(&mut self.bytes, entry);
        self.bytes[..PREFIX].copy_from_slice(MAC_PREFIX);
        self.bytes[PREFIX..HEAD].copy_from_slice(&self.prev.mac);
        if hmac::sign(self.key, &self.bytes).as_ref() != mac {
            self.holds = false;
            return false;
        }
        if let Some(prev_hash) = &self.public {
            self.bytes[..PREFIX].copy_from_slice(CHAIN_PREFIX);
            self.bytes[PREFIX..HEAD].copy_from_slice(prev_hash);
            self.public = Some(to_mac(digest::digest(&digest::SHA256, &self.bytes).as_ref()));
        }
        if entry.kind == PURGE_KIND {
            self.purged_through = purge_cut(entry.detail);
        }
        self.prev = Link { seq: entry.seq, mac: to_mac(mac) };
        self.count = self.count.saturating_add(1);
        true
    }

    /// The verdict when every row held and the walk ends at `head` (and, with a public chain, at
    /// `public_head`): `Intact`, or `HeadForged` when the MACs hold but the public chain does not
    /// reach the head row's hash. `None` means something does not hold: ask `chain::verify`.
    pub fn finish(self, head: Link, public_head: Option<Hash>) -> Option<Verification> {
        let recorded_cut = self.purged_through.unwrap_or(0);
        let ends_right = self.holds
            && self.start.seq <= recorded_cut
            && self.start.seq <= head.seq
            && self.prev.seq == head.seq
            && self.prev.mac == head.mac;
        if !ends_right {
            return None;
        }
        if let (Some(reached), Some(expected)) = (self.public, public_head) {
            if reached != expected {
                return Some(Verification::Broken { seq: head.seq, problem: crate::chain::Tamper::HeadForged });
            }
        }
        Some(Verification::Intact { count: self.count, head })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{self, StoredEntry, Tamper};
    use crate::checkpoint::{self, Point};

    fn key() -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &[7u8; 32])
    }

    /// A chain of `n` entries from genesis, with a purge entry at `purge_at` when given.
    fn log(n: u64, purge_at: Option<u64>) -> (Vec<StoredEntry>, Link) {
        let key = key();
        let mut prev = chain::genesis(&key);
        let mut rows = Vec::new();
        for seq in 1..=n {
            let (kind, detail) = match purge_at {
                Some(at) if at == seq => (PURGE_KIND.to_string(), r#"{"through_seq":0}"#.to_string()),
                _ => ("call_launched".to_string(), format!(r#"{{"n":{seq}}}"#)),
            };
            let mut row = StoredEntry {
                seq,
                at_ms: 1_795_953_600_000 + i64::try_from(seq).unwrap(),
                kind,
                actor: "clinician".into(),
                patient: (seq % 3 != 0).then(|| "pt_0123456789abcdef0123456789abcdef".to_string()),
                detail,
                mac: Vec::new(),
            };
            let mac = chain::mac(&key, &prev.mac, &row);
            row.mac = mac.to_vec();
            prev = Link { seq, mac };
            rows.push(row);
        }
        (rows, prev)
    }

    fn walk(rows: &[StoredEntry], start: Link, head: Link, public: Option<(Hash, Hash)>) -> Option<Verification> {
        let key = key();
        let mut walk = Walk::new(&key, start, public.map(|p| p.0));
        for row in rows {
            walk.step(row.fields(), &row.mac);
        }
        walk.finish(head, public.map(|p| p.1))
    }

    fn public_ends(rows: &[StoredEntry], start: Link) -> (Hash, Hash) {
        let anchor = checkpoint::anchor(start);
        let points = checkpoint::extend(anchor, rows.iter().map(StoredEntry::fields)).unwrap();
        (anchor.hash, points.last().map_or(anchor.hash, |p: &Point| p.hash))
    }

    #[test]
    fn an_intact_log_gives_the_verdict_of_the_full_verifier() {
        let key = key();
        let start = chain::genesis(&key);
        for n in [0, 1, 2, 50] {
            let (rows, head) = log(n, None);
            let expected = chain::verify(&key, start, head, None, &rows);
            assert!(matches!(expected, Verification::Intact { .. }));
            assert_eq!(walk(&rows, start, head, None), Some(expected.clone()), "{n} entries");
            let public = public_ends(&rows, start);
            assert_eq!(walk(&rows, start, head, Some(public)), Some(expected), "{n} entries, public chain");
        }
    }

    #[test]
    fn the_walk_agrees_with_the_full_verifier_or_leaves_the_verdict_to_it() {
        let key = key();
        let start = chain::genesis(&key);
        let (rows, head) = log(20, None);
        let mut variants: Vec<(&str, Vec<StoredEntry>, Link)> = Vec::new();
        let mut changed = rows.clone();
        changed[7].detail = r#"{"n":999}"#.into();
        variants.push(("changed", changed, head));
        let mut missing = rows.clone();
        missing.remove(5);
        variants.push(("missing", missing, head));
        let mut swapped = rows.clone();
        swapped.swap(3, 4);
        variants.push(("swapped", swapped, head));
        variants.push(("tail cut", rows[..15].to_vec(), head));
        variants.push(("tail cut, head moved", rows[..15].to_vec(), Link { seq: 15, mac: to_mac(&rows[14].mac) }));
        variants.push(("emptied", Vec::new(), head));
        let mut bad_mac = rows.clone();
        bad_mac[2].mac.truncate(16);
        variants.push(("short mac", bad_mac, head));
        let mut renumbered = rows.clone();
        renumbered[9].seq = 30;
        variants.push(("renumbered", renumbered, head));
        for (what, rows, head) in variants {
            let full = chain::verify(&key, start, head, None, &rows);
            match full {
                // A cut tail with its head row moved to match is for the head kept beyond the
                // database to find: the chain alone holds, and both verifiers say so.
                Verification::Intact { .. } => {
                    assert_eq!(what, "tail cut, head moved");
                    assert_eq!(walk(&rows, start, head, None), Some(full), "{what}");
                }
                Verification::Broken { .. } => {
                    assert_eq!(walk(&rows, start, head, None), None, "{what}: the walk does not call it intact")
                }
            }
        }
    }

    #[test]
    fn a_public_chain_that_misses_the_head_row_is_a_forged_head() {
        let key = key();
        let start = chain::genesis(&key);
        let (rows, head) = log(10, None);
        let (public_start, _) = public_ends(&rows, start);
        let found = walk(&rows, start, head, Some((public_start, [9u8; 32])));
        assert_eq!(found, Some(Verification::Broken { seq: 10, problem: Tamper::HeadForged }));
    }

    #[test]
    fn a_start_beyond_the_recorded_purge_is_left_to_the_full_verifier() {
        let key = key();
        let (rows, head) = log(10, Some(4));
        // The log starts after entry 2, but its only purge entry records a cut at 0.
        let start = Link { seq: 2, mac: to_mac(&rows[1].mac) };
        let rest = &rows[2..];
        assert!(matches!(
            chain::verify(&key, start, head, chain::last_recorded_purge(rest), rest),
            Verification::Broken { problem: Tamper::Missing, .. }
        ));
        assert_eq!(walk(rest, start, head, None), None);
    }
}
