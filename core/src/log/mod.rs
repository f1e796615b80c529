//! The encrypted, tamper-evident activity log: every action leaves an entry, the entries form an
//! HMAC chain, and a purge keeps a checkpoint so that what remains still verifies.

mod entry;
pub(crate) mod protect;

pub use entry::{Actor, Detail, DetailValue, Entry, EntryKind, NewEntry, PatientRef};
/// The chain is the protocol's: IT verifies exports with the same code.
pub use televisit_protocol::chain::{self, Link, StoredEntry, Tamper, Verification};
pub use televisit_protocol::checkpoint::{self, Hash, Point};

use crate::error::{Error, Result};
use crate::store::Store;
use chain::{last_recorded_purge, to_mac, EntryFields};
use chrono::{DateTime, Utc};
use ring::hmac;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use televisit_protocol::walk::Walk;

/// What `list` returns: entries in sequence order, oldest first unless `newest_first`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Empty means every kind.
    pub kinds: Vec<EntryKind>,
    pub patient: Option<PatientRef>,
    pub limit: Option<u32>,
    pub newest_first: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeReport {
    pub removed: u64,
    /// The checkpoint: the last removed sequence number, from which the rest verifies.
    pub through_seq: u64,
}

/// Longest retention a purge accepts, to catch a unit mistake (milliseconds for days).
const MAX_PURGE_DAYS: i64 = 36_500;

pub(crate) fn append(store: &mut Store, at: DateTime<Utc>, entry: &NewEntry) -> Result<Entry> {
    entry.detail.validate()?;
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let appended = append_in(&tx, &key, at, entry)?;
    tx.commit()?;
    Ok(appended)
}

/// Appends inside a transaction on a connection the caller holds, after checking the entry: the
/// store's own append, for callers outside the core that bring their own connection (the
/// benchmark runs it on a plain SQLite file as the baseline of the encrypted store's append).
pub fn append_to(tx: &Transaction<'_>, key: &hmac::Key, at: DateTime<Utc>, entry: &NewEntry) -> Result<Entry> {
    entry.detail.validate()?;
    append_in(tx, key, at, entry)
}

/// Appends every entry in one transaction: all are written or none.
pub(crate) fn append_all(store: &mut Store, at: DateTime<Utc>, entries: &[NewEntry]) -> Result<Vec<Entry>> {
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let appended = entries.iter().map(|entry| append_to(&tx, &key, at, entry)).collect::<Result<Vec<_>>>()?;
    tx.commit()?;
    Ok(appended)
}

/// Appends inside the caller's transaction, so that an action and its entry commit together.
pub(crate) fn append_in(tx: &Transaction<'_>, key: &hmac::Key, at: DateTime<Utc>, entry: &NewEntry) -> Result<Entry> {
    let chain = load_chain(tx, key)?;
    let seq =
        chain.head.seq.checked_add(1).ok_or_else(|| Error::Storage("the log has used every sequence number".into()))?;
    let stored = StoredEntry {
        seq,
        at_ms: at.timestamp_millis(),
        kind: entry.kind.code().to_owned(),
        actor: entry.actor.code().to_owned(),
        patient: entry.patient.as_ref().map(|p| p.as_str().to_owned()),
        detail: entry.detail.to_json(),
        mac: Vec::new(),
    };
    let mac = chain::mac(key, &chain.head.mac, &stored);
    let (public_start, public_head) = public_ends(tx, &chain)?;
    let head_hash = checkpoint::next(&public_head.hash, stored.fields());
    // Cached statements: every action appends, so the parse is paid once per connection.
    tx.prepare_cached(
        "INSERT INTO log_entries (seq, at_ms, kind, actor, patient_ref, detail, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![to_sql_seq(stored.seq)?, stored.at_ms, stored.kind, stored.actor, stored.patient, stored.detail, mac.as_slice()],
    )?;
    let row_mac = protect::row_mac(key, chain.start, Link { seq: stored.seq, mac }, (public_start.hash, head_hash));
    tx.prepare_cached(
        "INSERT INTO log_chain (id, start_seq, start_mac, head_seq, head_mac, row_mac, start_hash, head_hash)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET head_seq = excluded.head_seq, head_mac = excluded.head_mac,
           row_mac = excluded.row_mac, start_hash = excluded.start_hash, head_hash = excluded.head_hash",
    )?
    .execute(params![
        to_sql_seq(chain.start.seq)?,
        chain.start.mac.as_slice(),
        to_sql_seq(stored.seq)?,
        mac.as_slice(),
        row_mac.as_slice(),
        public_start.hash.as_slice(),
        head_hash.as_slice()
    ])?;
    protect::mark_moved();
    Ok(Entry {
        seq: stored.seq,
        at: DateTime::from_timestamp_millis(stored.at_ms).unwrap_or(at),
        kind: entry.kind,
        actor: entry.actor,
        patient: entry.patient.clone(),
        detail: entry.detail.clone(),
    })
}

pub(crate) fn list(conn: &Connection, query: &LogQuery) -> Result<Vec<Entry>> {
    let mut sql = String::from("SELECT seq, at_ms, kind, actor, patient_ref, detail FROM log_entries WHERE 1 = 1");
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(since) = query.since {
        sql.push_str(" AND at_ms >= ?");
        args.push(since.timestamp_millis().into());
    }
    if let Some(until) = query.until {
        sql.push_str(" AND at_ms < ?");
        args.push(until.timestamp_millis().into());
    }
    if !query.kinds.is_empty() {
        sql.push_str(" AND kind IN (");
        sql.push_str(&vec!["?"; query.kinds.len()].join(", "));
        sql.push(')');
        args.extend(query.kinds.iter().map(|k| k.code().to_owned().into()));
    }
    if let Some(patient) = &query.patient {
        sql.push_str(" AND patient_ref = ?");
        args.push(patient.as_str().to_owned().into());
    }
    sql.push_str(if query.newest_first { " ORDER BY seq DESC" } else { " ORDER BY seq ASC" });
    if let Some(limit) = query.limit {
        sql.push_str(" LIMIT ?");
        args.push(i64::from(limit).into());
    }
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<String>>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (seq, at_ms, kind, actor, patient, detail) = row?;
        entries.push(parse_entry(from_sql_seq(seq)?, at_ms, &kind, &actor, patient.as_deref(), &detail)?);
    }
    Ok(entries)
}

fn parse_entry(seq: u64, at_ms: i64, kind: &str, actor: &str, patient: Option<&str>, detail: &str) -> Result<Entry> {
    let unreadable = |what: &str| Error::Storage(format!("log entry {seq} has an unreadable {what}"));
    Ok(Entry {
        seq,
        at: DateTime::from_timestamp_millis(at_ms).ok_or_else(|| unreadable("time"))?,
        kind: EntryKind::from_code(kind).ok_or_else(|| unreadable("kind"))?,
        actor: Actor::from_code(actor).ok_or_else(|| unreadable("actor"))?,
        patient: patient.map(PatientRef::parse).transpose().map_err(|_| unreadable("patient reference"))?,
        detail: Detail::from_json(detail).map_err(|_| unreadable("detail"))?,
    })
}

pub(crate) fn verify(conn: &Connection, key: &hmac::Key) -> Result<Verification> {
    let chain = load_chain(conn, key)?;
    if let Some(verdict) = walk(conn, key, &chain)? {
        return Ok(verdict);
    }
    // Something does not hold: read the rows and let the full verifier say which and how.
    let rows = load_rows(conn)?;
    let verification = chain::verify(key, chain.start, chain.head, last_recorded_purge(&rows), &rows);
    // The MACs hold: the public chain's head, which checkpoints name, must follow from the rows too.
    if let (Verification::Intact { .. }, Some((start_hash, head_hash))) = (&verification, chain.public) {
        let start = Point { seq: chain.start.seq, hash: start_hash };
        let reached =
            checkpoint::extend(start, rows.iter().map(StoredEntry::fields)).ok().and_then(|p| p.last().copied());
        if reached.unwrap_or(start).hash != head_hash {
            return Ok(Verification::Broken { seq: chain.head.seq, problem: Tamper::HeadForged });
        }
    }
    Ok(verification)
}

/// Both chains checked while stepping through the rows, nothing kept (`televisit_protocol::walk`):
/// the verdict when everything holds, `None` when the full verifier must look.
fn walk(conn: &Connection, key: &hmac::Key, chain: &ChainState) -> Result<Option<Verification>> {
    let mut walk = Walk::new(key, chain.start, chain.public.map(|(start, _)| start));
    let mut stmt =
        conn.prepare_cached("SELECT seq, at_ms, kind, actor, patient_ref, detail, mac FROM log_entries ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        // A value of an unexpected type is the full verifier's to report, as it always was.
        let text = |i: usize| row.get_ref(i).ok().and_then(|v| v.as_str().ok());
        let (Ok(seq), Ok(at_ms), Some(kind), Some(actor), Ok(patient), Some(detail), Ok(mac)) = (
            row.get::<_, i64>(0).map(u64::try_from),
            row.get::<_, i64>(1),
            text(2),
            text(3),
            row.get_ref(4).and_then(|v| v.as_str_or_null().map_err(Into::into)),
            text(5),
            row.get_ref(6).and_then(|v| v.as_blob().map_err(Into::into)),
        ) else {
            return Ok(None);
        };
        let Ok(seq) = seq else { return Ok(None) };
        if !walk.step(EntryFields { seq, at_ms, kind, actor, patient, detail }, mac) {
            return Ok(None);
        }
    }
    Ok(walk.finish(chain.head, chain.public.map(|(_, head)| head)))
}

/// The log's checkpoint now: its size (the head's sequence number) and the public chain's hash there.
pub(crate) fn checkpoint(conn: &Connection, key: &hmac::Key) -> Result<Point> {
    let chain = load_chain(conn, key)?;
    Ok(public_ends(conn, &chain)?.1)
}

/// What an export holds: the entries after `after` (when the log still holds the entry there),
/// else every entry it holds, with the public chain's points at both ends.
pub(crate) struct ExportRun {
    pub from: Point,
    pub to: Point,
    pub rows: Vec<StoredEntry>,
}

/// Where an export of the entries after `after` starts: there, when the log still holds the
/// entry there; otherwise (nothing confirmed, or purged since) at the chain's start.
fn export_start(start: u64, head: u64, after: Option<u64>) -> u64 {
    after.filter(|&a| a > start && a <= head).unwrap_or(start)
}

/// The range an export after `after` would hold now, from the chain's ends alone: (the sequence
/// number it starts after, the head's).
pub(crate) fn export_range(conn: &Connection, key: &hmac::Key, after: Option<u64>) -> Result<(u64, u64)> {
    let chain = load_chain(conn, key)?;
    Ok((export_start(chain.start.seq, chain.head.seq, after), chain.head.seq))
}

pub(crate) fn export_run(conn: &Connection, key: &hmac::Key, after: Option<u64>) -> Result<ExportRun> {
    let chain = load_chain(conn, key)?;
    let (start, head) = public_ends(conn, &chain)?;
    let mut rows = load_rows(conn)?;
    let points = checkpoint::extend(start, rows.iter().map(StoredEntry::fields))
        .map_err(|_| Error::Storage("the log's entries do not follow each other: run an integrity check".into()))?;
    let from_seq = export_start(start.seq, head.seq, after);
    let from = if from_seq == start.seq {
        start
    } else {
        let index =
            usize::try_from(from_seq - start.seq - 1).map_err(|_| Error::Storage("a count out of range".into()))?;
        let from = points.get(index).copied().ok_or_else(|| Error::Storage("the log ends early".into()))?;
        rows.drain(..=index);
        from
    };
    Ok(ExportRun { from, to: points.last().copied().unwrap_or(start), rows })
}

/// The cheap check made at every open: the newest entry stands at the head's sequence number,
/// carries the head's MAC, and that MAC is right for its content after the entry before it (or
/// the chain's start). It reads two rows whatever the log's length; `verify` walks the whole
/// chain. `Intact`'s count is the number of entries between the chain's ends.
pub fn verify_head(conn: &Connection, key: &hmac::Key) -> Result<Verification> {
    let chain = load_chain(conn, key)?;
    let mut stmt = conn.prepare(
        "SELECT seq, at_ms, kind, actor, patient_ref, detail, mac FROM log_entries ORDER BY seq DESC LIMIT 2",
    )?;
    let newest = stmt.query_map([], stored_entry)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(chain::verify_head(key, chain.start, chain.head, &newest))
}

/// Removes the oldest entries older than `days`, after checking that they are intact, and leaves a
/// checkpoint so that the rest still verifies. `min_days` is the policy's retention.
pub(crate) fn purge_older_than(store: &mut Store, now: DateTime<Utc>, days: i64, min_days: u32) -> Result<PurgeReport> {
    if !(1..=MAX_PURGE_DAYS).contains(&days) {
        return Err(Error::invalid("purge age", format!("must be between 1 and {MAX_PURGE_DAYS} days")));
    }
    if days < i64::from(min_days) {
        return Err(Error::invalid("purge age", format!("the policy keeps the log for {min_days} days")));
    }
    let key = store.key.log_mac_key();
    let cutoff_ms = (now - chrono::Duration::days(days)).timestamp_millis();
    let tx = store.conn.transaction()?;
    if let Verification::Broken { seq, problem } = verify(&tx, &key)? {
        return Err(Error::LogBroken { seq, problem: problem.describe() });
    }
    // The cut is the longest run of entries, from the oldest, written before the cutoff.
    let cut: Option<(i64, Vec<u8>)> = tx
        .query_row(
            "SELECT seq, mac FROM log_entries
             WHERE seq < coalesce((SELECT min(seq) FROM log_entries WHERE at_ms >= ?1), 9223372036854775807)
             ORDER BY seq DESC LIMIT 1",
            [cutoff_ms],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((through_seq, mac)) = cut else {
        return Ok(PurgeReport { removed: 0, through_seq: load_chain(&tx, &key)?.start.seq });
    };
    // The public chain starts again at the cut, at the hash it had there.
    let chain = load_chain(&tx, &key)?;
    let (public_start, public_head) = public_ends(&tx, &chain)?;
    let cut_at = from_sql_seq(through_seq)?;
    let rows = load_rows(&tx)?;
    let public_cut =
        checkpoint::extend(public_start, rows.iter().take_while(|r| r.seq <= cut_at).map(StoredEntry::fields))
            .map_err(|_| Error::Storage("the log's entries do not follow each other".into()))?
            .last()
            .copied()
            .unwrap_or(public_start);
    let removed = u64::try_from(tx.execute("DELETE FROM log_entries WHERE seq <= ?1", [through_seq])?)
        .map_err(|_| Error::Storage("a count out of range".into()))?;
    tx.execute(
        "UPDATE log_chain SET start_seq = ?1, start_mac = ?2, start_hash = ?3, head_hash = ?4 WHERE id = 1",
        params![through_seq, mac, public_cut.hash.as_slice(), public_head.hash.as_slice()],
    )?;
    // The entry appended next writes the head row (and its MAC) with the new start.
    let detail =
        Detail::new().int("removed", to_sql_seq(removed)?).int("through_seq", through_seq).int("older_than_days", days);
    append_in(&tx, &key, now, &NewEntry::new(EntryKind::LogPurged, Actor::System).detail(detail))?;
    tx.commit()?;
    Ok(PurgeReport { removed, through_seq: from_sql_seq(through_seq)? })
}

struct ChainState {
    start: Link,
    head: Link,
    /// The public chain's hashes at `start` and `head`, once the row has them.
    public: Option<(Hash, Hash)>,
}

/// The chain's ends; before the first entry, both are the keyed genesis value.
fn load_chain(conn: &Connection, key: &hmac::Key) -> Result<ChainState> {
    type Row = (i64, Vec<u8>, i64, Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);
    let found: Option<Row> = conn
        .prepare_cached(
            "SELECT start_seq, start_mac, head_seq, head_mac, start_hash, head_hash FROM log_chain WHERE id = 1",
        )?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))
        .optional()?;
    Ok(match found {
        Some((start_seq, start_mac, head_seq, head_mac, start_hash, head_hash)) => ChainState {
            start: Link { seq: from_sql_seq(start_seq)?, mac: to_mac(&start_mac) },
            head: Link { seq: from_sql_seq(head_seq)?, mac: to_mac(&head_mac) },
            public: start_hash.zip(head_hash).map(|(s, h)| (to_mac(&s), to_mac(&h))),
        },
        None => ChainState { start: chain::genesis(key), head: chain::genesis(key), public: None },
    })
}

/// The public chain's ends. A log from before the chain had them (or a new one) gets them by a
/// walk from the anchor over its rows, once: the next append writes them into the head row.
fn public_ends(conn: &Connection, chain: &ChainState) -> Result<(Point, Point)> {
    if let Some((start_hash, head_hash)) = chain.public {
        return Ok((Point { seq: chain.start.seq, hash: start_hash }, Point { seq: chain.head.seq, hash: head_hash }));
    }
    let start = checkpoint::anchor(chain.start);
    let rows = load_rows(conn)?;
    let head = checkpoint::extend(start, rows.iter().map(StoredEntry::fields))
        .map_err(|_| Error::Storage("the log's entries do not follow each other: run an integrity check".into()))?
        .last()
        .copied()
        .unwrap_or(start);
    Ok((start, head))
}

/// A sequence number as SQLite stores it (a signed 64-bit integer).
pub(crate) fn to_sql_seq(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| Error::Storage("a sequence number beyond SQLite's integers".into()))
}

/// A sequence number read from the database: a negative one is damage, not a number.
pub(crate) fn from_sql_seq(seq: i64) -> Result<u64> {
    u64::try_from(seq).map_err(|_| Error::Storage("the log holds a negative sequence number".into()))
}

fn load_rows(conn: &Connection) -> Result<Vec<StoredEntry>> {
    let mut stmt =
        conn.prepare("SELECT seq, at_ms, kind, actor, patient_ref, detail, mac FROM log_entries ORDER BY seq")?;
    let rows = stmt.query_map([], stored_entry)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn stored_entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEntry> {
    Ok(StoredEntry {
        seq: u64::try_from(row.get::<_, i64>(0)?).map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Integer,
                "negative sequence number".into(),
            )
        })?,
        at_ms: row.get(1)?,
        kind: row.get(2)?,
        actor: row.get(3)?,
        patient: row.get(4)?,
        detail: row.get(5)?,
        mac: row.get(6)?,
    })
}
