//! One model layer over two databases (the shape of vaultwarden's `db/models`): SQLite, one file
//! beside the organisation's keys and the zero-setup default, and PostgreSQL, which a team of
//! admins and several stateless relays share. The ledger's queries are written once, in the SQL
//! both speak: `?N` placeholders (PostgreSQL's `$N` is made from them), `ON CONFLICT` upserts,
//! `GREATEST`/`LEAST` (SQLite's two-argument `max`/`min` are made from them), casts to `BIGINT`
//! where PostgreSQL would widen to `numeric`. Each backend keeps its own schema and migrations
//! (`schema.rs`), moved forward to the same version.
//!
//! Rows come back as plain values (`Row`), read by position with the type the caller asks for,
//! so that a query reads the same whichever backend answered it.

mod postgres_backend;
mod postgres_tls;
mod value;

pub use value::{FromRow, FromValue, Row, ToValue, Value};

use std::path::{Path, PathBuf};

/// Where a ledger lives: `--ledger` (or `TELEVISIT_LEDGER`) as IT gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (`ORG/ledger.db` unless told otherwise).
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user@host/db`, or key=value form after
    /// `postgres:`), shared by a team's admins and relays.
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` is a server; anything else is a SQLite file's path.
    pub fn parse(text: &str) -> Location {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// The ledger beside an organisation's keys: `ORG/ledger.db`.
    pub fn beside(org_dir: &Path) -> Location {
        Location::Sqlite(org_dir.join(crate::FILE))
    }

    /// How the location is named in messages: the file's path, or the server and database
    /// with no password.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => postgres_backend::shown(url),
        }
    }
}

/// The ledger's database could not be reached (PostgreSQL stopped, the network down): nothing
/// was written, and the same request may be made again. The relay answers 503 for it.
#[derive(Debug, thiserror::Error)]
#[error("the ledger's database cannot be reached ({0}): nothing was written; try again")]
pub struct LedgerUnavailable(pub String);

/// A failure of the database itself, worded without any value the query carried.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Postgres(String),
    #[error(transparent)]
    Unavailable(#[from] LedgerUnavailable),
    #[error("column {index} of a ledger row: {problem}")]
    Column { index: usize, problem: String },
    #[error("the ledger answered no row where one was expected")]
    NoRow,
}

impl DbError {
    /// A unique key refused the write: another writer (an admin at another workstation, another
    /// relay) recorded the same thing first.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            }
            DbError::Postgres(text) => text.starts_with("23505"),
            _ => false,
        }
    }
}

pub type DbResult<T> = std::result::Result<T, DbError>;

/// What a query runs on: a connection, or a transaction on one.
pub trait Sql {
    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64>;
    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>>;
    /// Several statements with no parameters (a migration).
    fn batch(&mut self, sql: &str) -> DbResult<()>;
    fn backend(&self) -> Backend;

    fn query_opt(&mut self, sql: &str, params: &[Value]) -> DbResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn query_one(&mut self, sql: &str, params: &[Value]) -> DbResult<Row> {
        self.query_opt(sql, params)?.ok_or(DbError::NoRow)
    }

    /// The first column of every row.
    fn query_column<T: FromValue>(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<T>>
    where
        Self: Sized,
    {
        self.query(sql, params)?.iter().map(|r| r.get(0)).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open connection to the ledger's database.
pub enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres_backend::Client>),
}

/// How long an open waits for another process that holds the ledger file.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Write-ahead logging, so that readers never wait for IT's tool or a relay writing. Switching a
/// new file to it needs the file alone, and SQLite refuses the switch ("database is locked")
/// without calling its busy handler while another process is opening or migrating the same new
/// ledger: so it is asked again for as long as any other wait would last.
fn wal(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(err)
                if matches!(
                    err.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            done => return done,
        }
    }
}

impl Db {
    pub fn open(location: &Location) -> std::result::Result<Db, OpenError> {
        match location {
            Location::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).map_err(|e| OpenError::Sqlite(path.clone(), e))?;
                let damaged = |e| OpenError::Damaged(path.clone(), e);
                conn.busy_timeout(BUSY_TIMEOUT).map_err(damaged)?;
                wal(&conn).map_err(damaged)?;
                conn.pragma_update(None, "foreign_keys", true).map_err(damaged)?;
                Ok(Db::Sqlite(conn))
            }
            Location::Postgres(url) => Ok(Db::Postgres(Box::new(postgres_backend::Client::connect(url)?))),
        }
    }

    pub fn transaction(&mut self) -> DbResult<Tx<'_>> {
        Ok(match self {
            Db::Sqlite(conn) => Tx::Sqlite(conn.transaction()?),
            Db::Postgres(client) => Tx::Postgres(client.transaction()?),
        })
    }

    /// Whether the connection is closed (the server went away): nothing more goes through it.
    pub fn is_closed(&self) -> bool {
        match self {
            Db::Sqlite(_) => false,
            Db::Postgres(client) => client.is_closed(),
        }
    }
}

/// Why a ledger's database would not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{path} cannot be opened as a ledger: {err}", path = .0.display(), err = .1)]
    Sqlite(PathBuf, rusqlite::Error),
    #[error("{path} is damaged or not a ledger: restore it from a backup ({err})", path = .0.display(), err = .1)]
    Damaged(PathBuf, rusqlite::Error),
    #[error(transparent)]
    Unavailable(#[from] LedgerUnavailable),
    #[error("{0}")]
    Postgres(String),
}

impl Sql for Db {
    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        match self {
            Db::Sqlite(conn) => sqlite_execute(conn, sql, params),
            Db::Postgres(client) => client.execute(sql, params),
        }
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        match self {
            Db::Sqlite(conn) => sqlite_query(conn, sql, params),
            Db::Postgres(client) => client.query(sql, params),
        }
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        match self {
            Db::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Db::Postgres(client) => client.batch(sql),
        }
    }

    fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A transaction: everything in it commits together or not at all (dropped uncommitted, it
/// rolls back).
pub enum Tx<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres(postgres_backend::Transaction<'a>),
}

impl Tx<'_> {
    pub fn commit(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(tx) => Ok(tx.commit()?),
            Tx::Postgres(tx) => tx.commit(),
        }
    }
}

impl Sql for Tx<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        match self {
            Tx::Sqlite(tx) => sqlite_execute(tx, sql, params),
            Tx::Postgres(tx) => tx.execute(sql, params),
        }
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        match self {
            Tx::Sqlite(tx) => sqlite_query(tx, sql, params),
            Tx::Postgres(tx) => tx.query(sql, params),
        }
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        match self {
            Tx::Sqlite(tx) => Ok(tx.execute_batch(sql)?),
            Tx::Postgres(tx) => tx.batch(sql),
        }
    }

    fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The shared SQL as SQLite reads it: `GREATEST`/`LEAST` are its scalar `max`/`min`.
fn for_sqlite(sql: &str) -> std::borrow::Cow<'_, str> {
    if sql.contains("GREATEST(") || sql.contains("LEAST(") {
        std::borrow::Cow::Owned(sql.replace("GREATEST(", "max(").replace("LEAST(", "min("))
    } else {
        std::borrow::Cow::Borrowed(sql)
    }
}

fn sqlite_execute(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> DbResult<u64> {
    let mut stmt = conn.prepare_cached(&for_sqlite(sql))?;
    let changed = stmt.execute(rusqlite::params_from_iter(params.iter()))?;
    Ok(changed as u64)
}

fn sqlite_query(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
    let mut stmt = conn.prepare_cached(&for_sqlite(sql))?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for i in 0..columns {
            values.push(Value::from_sqlite(row.get_ref(i)?));
        }
        out.push(Row::new(values));
    }
    Ok(out)
}

/// Parameters for a query, each turned into a `Value`: `params![id, now, text]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::db::Value] };
    ($($p:expr),+ $(,)?) => { &[$($crate::db::ToValue::to_value(&$p)),+] as &[$crate::db::Value] };
}
