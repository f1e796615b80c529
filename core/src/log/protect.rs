//! The log's head, protected beyond the database. The database file belongs to whoever holds
//! the phone: an older copy put back, or the newest rows deleted (with the chain's head row
//! edited to match), leave a chain that verifies on its own. So the head (sequence number and
//! MAC) is also kept in the platform's secret store after every commit that moves it, and the
//! head row carries a MAC of its own. At open and at every verify the database is compared with
//! the protected head: older (`RolledBack`), cut (`TailCut`), emptied (`Emptied`) or with its
//! head row edited (`HeadForged`) are each found, with the sequence number involved.
//!
//! A crash between the database's commit and the secret store's write leaves the database one
//! commit ahead: accepted when the protected head is found inside its chain.

use super::chain::{to_mac, Link, Mac, Tamper};
use crate::error::Result;
use ring::hmac;
use rusqlite::{Connection, OptionalExtension};
use std::cell::Cell;
use televisit_protocol::checkpoint::Hash;

thread_local! {
    /// Set when this thread's transaction moved the head; the store's guard writes it out
    /// once the transaction is over.
    static HEAD_MOVED: Cell<bool> = const { Cell::new(false) };
}

pub(crate) fn mark_moved() {
    HEAD_MOVED.with(|moved| moved.set(true));
}

pub(crate) fn take_moved() -> bool {
    HEAD_MOVED.with(|moved| moved.replace(false))
}

/// What the head row's own MAC covers: its four fields, and the public chain's ends once the
/// row has them (a row written before it had them keeps its first form until the next append).
fn row_bytes(start: Link, head: Link, public: Option<(Hash, Hash)>) -> Vec<u8> {
    let mut bytes = match public {
        Some(_) => b"televisit log head v2\0".to_vec(),
        None => b"televisit log head v1\0".to_vec(),
    };
    bytes.extend_from_slice(&start.seq.to_be_bytes());
    bytes.extend_from_slice(&start.mac);
    bytes.extend_from_slice(&head.seq.to_be_bytes());
    bytes.extend_from_slice(&head.mac);
    if let Some((start_hash, head_hash)) = public {
        bytes.extend_from_slice(&start_hash);
        bytes.extend_from_slice(&head_hash);
    }
    bytes
}

/// The head row's own MAC, under the log's key.
pub(crate) fn row_mac(key: &hmac::Key, start: Link, head: Link, public: (Hash, Hash)) -> Mac {
    to_mac(hmac::sign(key, &row_bytes(start, head, Some(public))).as_ref())
}

/// The protected head as the secret store keeps it: 8 bytes of sequence number, 32 of MAC.
pub(crate) fn encode(head: Link) -> Vec<u8> {
    let mut bytes = head.seq.to_be_bytes().to_vec();
    bytes.extend_from_slice(&head.mac);
    bytes
}

pub(crate) fn decode(bytes: &[u8]) -> Option<Link> {
    let (seq, mac) = bytes.split_first_chunk::<8>()?;
    (mac.len() == 32).then(|| Link { seq: u64::from_be_bytes(*seq), mac: to_mac(mac) })
}

/// The head the database says it has now (None before the first entry).
pub(crate) fn current_head(conn: &Connection) -> Result<Option<Link>> {
    Ok(conn
        .prepare_cached("SELECT head_seq, head_mac FROM log_chain WHERE id = 1")?
        .query_row([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .optional()?
        .and_then(|(seq, mac)| Some(Link { seq: u64::try_from(seq).ok()?, mac: to_mac(&mac) })))
}

/// Compares the database with the protected head; the first finding, if any, with the sequence
/// number involved. With no protected head (a store from before it was kept), only the head
/// row's own MAC is checked where it has one.
pub(crate) fn check(conn: &Connection, key: &hmac::Key, protected: Option<Link>) -> Result<Option<(u64, Tamper)>> {
    type Row = (i64, Vec<u8>, i64, Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT start_seq, start_mac, head_seq, head_mac, row_mac, start_hash, head_hash FROM log_chain WHERE id = 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .optional()?;
    let newest: Option<i64> = conn.prepare_cached("SELECT max(seq) FROM log_entries")?.query_row([], |r| r.get(0))?;
    let newest = newest.and_then(|s| u64::try_from(s).ok());
    let after = |seq: u64| seq.saturating_add(1);
    let expected = protected.filter(|p| p.seq > 0);
    let Some((start_seq, start_mac, head_seq, head_mac, stored_row_mac, start_hash, head_hash)) = row else {
        return Ok(match (newest, expected) {
            (None, Some(_)) => Some((1, Tamper::Emptied)),
            (Some(last), _) => Some((last, Tamper::HeadForged)),
            (None, None) => None,
        });
    };
    let (Ok(start_seq), Ok(head_seq)) = (u64::try_from(start_seq), u64::try_from(head_seq)) else {
        return Ok(Some((0, Tamper::HeadForged)));
    };
    let start = Link { seq: start_seq, mac: to_mac(&start_mac) };
    let head = Link { seq: head_seq, mac: to_mac(&head_mac) };
    let last = newest.unwrap_or(start.seq);
    // Either hash alone, or one of the wrong length, is an edit: the append writes both.
    let public = match (start_hash, head_hash) {
        (Some(s), Some(h)) => Some((s.try_into().unwrap_or([0; 32]), h.try_into().unwrap_or([0; 32]))),
        (None, None) => None,
        _ => Some(([0; 32], [0; 32])),
    };
    let row_ok = match stored_row_mac {
        Some(mac) => hmac::verify(key, &row_bytes(start, head, public), &mac).is_ok(),
        // A store from before the row had a MAC, never protected: nothing to hold it against.
        None => expected.is_none(),
    };
    // Every entry gone with the head row left (or edited): the log was emptied, not cut.
    let cut_kind = if newest.is_none() { Tamper::Emptied } else { Tamper::TailCut };
    if !row_ok {
        // Rows cut and the head row edited to match, or the head row edited alone.
        let cut = expected.is_some_and(|p| last < p.seq) || last < head.seq;
        return Ok(Some(if cut { (after(last), cut_kind) } else { (head.seq, Tamper::HeadForged) }));
    }
    if last < head.seq {
        return Ok(Some((after(last), cut_kind)));
    }
    let Some(protected) = expected else {
        return Ok(None);
    };
    if head.seq < protected.seq {
        return Ok(Some((after(head.seq), Tamper::RolledBack)));
    }
    // As far as the protected head, the database must hold the same history.
    let at_protected: Option<Mac> = if protected.seq == head.seq {
        Some(head.mac)
    } else if protected.seq == start.seq {
        Some(start.mac)
    } else if protected.seq < start.seq {
        None // purged since: what is left was checked against it then
    } else {
        conn.prepare_cached("SELECT mac FROM log_entries WHERE seq = ?1")?
            .query_row([i64::try_from(protected.seq).unwrap_or(i64::MAX)], |r| r.get::<_, Vec<u8>>(0))
            .optional()?
            .map(|mac| to_mac(&mac))
    };
    match at_protected {
        Some(mac) if mac != protected.mac => Ok(Some((protected.seq, Tamper::RolledBack))),
        None if protected.seq > start.seq => Ok(Some((protected.seq, Tamper::RolledBack))),
        _ => Ok(None),
    }
}
