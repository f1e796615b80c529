//! The log's chain verifier on rows built straight from the input bytes: sequence numbers
//! anywhere in u64 (the end of the range included), MACs that fit or not. It never panics or
//! overflows, and it calls a log intact only when every row chains.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_protocol::chain::{self, Link, StoredEntry, Verification};

/// Reads a u64 from the input; near the end of the range half of the time.
fn number(bytes: &mut &[u8]) -> u64 {
    let Some((&first, rest)) = bytes.split_first() else { return 0 };
    *bytes = rest;
    let small = u64::from(first & 0x3f);
    if first & 0x80 != 0 {
        u64::MAX - small
    } else {
        small
    }
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = data;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"fuzz");
    let start = Link { seq: number(&mut bytes), mac: chain::genesis(&key).mac };
    let head_seq = number(&mut bytes);
    let purged = bytes.first().map(|b| u64::from(*b % 4));
    let mut rows: Vec<StoredEntry> = Vec::new();
    let mut prev = start;
    while !bytes.is_empty() && rows.len() < 64 {
        let seq = number(&mut bytes);
        let chained = bytes.first().is_some_and(|b| b & 1 == 0);
        let mut row = StoredEntry {
            seq,
            at_ms: 0,
            kind: "call_launched".into(),
            actor: "system".into(),
            patient: None,
            detail: "{}".into(),
            mac: Vec::new(),
        };
        row.mac = if chained { chain::mac(&key, &prev.mac, &row).to_vec() } else { vec![0; 32] };
        prev = Link { seq, mac: chain::to_mac(&row.mac) };
        rows.push(row);
    }
    let head = Link { seq: head_seq, mac: prev.mac };
    if let Verification::Intact { count, .. } = chain::verify(&key, start, head, purged, &rows) {
        assert_eq!(count, rows.len() as u64);
        for pair in rows.windows(2) {
            assert_eq!(pair[0].seq.checked_add(1), Some(pair[1].seq));
        }
    }
    let newest: Vec<StoredEntry> = rows.iter().rev().take(2).cloned().collect();
    let _ = chain::verify_head(&key, start, head, &newest);
});
