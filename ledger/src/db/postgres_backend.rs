//! PostgreSQL, through the `postgres` crate (rust-postgres's blocking client). Statements are
//! prepared once per connection and kept; the shared SQL's `?N` become `$N`. Parameters go to
//! the server typed as the statement's columns are (`Value` converts itself to each), so one
//! `Value::Int` serves a `BIGINT`, an `INTEGER` or a `BOOLEAN`.

use super::{DbError, DbResult, LedgerUnavailable, OpenError, Row, Value};
use postgres::types::{IsNull, ToSql, Type};
use postgres::Statement;
use std::collections::HashMap;

pub struct Client {
    client: postgres::Client,
    prepared: HashMap<String, Statement>,
}

pub struct Transaction<'a> {
    tx: postgres::Transaction<'a>,
    prepared: &'a mut HashMap<String, Statement>,
}

/// How long a connection attempt waits: a relay answers 503 rather than hang on a server that
/// is gone.
const CONNECT_TIMEOUT_SECONDS: u64 = 5;

impl Client {
    /// Connects over TLS when the server offers it (`sslmode=prefer`, the default) or must
    /// (`sslmode=require`), verifying its certificate (see `postgres_tls`).
    pub fn connect(url: &str) -> Result<Client, OpenError> {
        let (url, root_cert) = super::postgres_tls::split_root_cert(url);
        let url = url.as_str();
        let tls = super::postgres_tls::connector(root_cert.as_deref())?;
        let mut config: postgres::Config = url
            .parse()
            .map_err(|_| OpenError::Postgres(format!("{} is not a PostgreSQL connection string", shown(url))))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(CONNECT_TIMEOUT_SECONDS));
        }
        config.application_name("televisit-ledger");
        let client = config.connect(tls).map_err(|e| {
            if super::postgres_tls::is_certificate_error(&e) {
                return OpenError::Postgres(format!(
                    "{}: the server's TLS certificate is not trusted here: name its CA with sslrootcert=FILE in the connection string",
                    shown(url)
                ));
            }
            match classify(e) {
            DbError::Unavailable(u) => OpenError::Unavailable(u),
                other => OpenError::Postgres(format!("{}: {other}", shown(url))),
            }
        })?;
        Ok(Client { client, prepared: HashMap::new() })
    }

    pub fn transaction(&mut self) -> DbResult<Transaction<'_>> {
        let tx = self.client.transaction().map_err(classify)?;
        Ok(Transaction { tx, prepared: &mut self.prepared })
    }

    pub fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        let stmt = prepare(&mut self.client, &mut self.prepared, sql)?;
        self.client.execute(&stmt, &refs(params)).map_err(classify)
    }

    pub fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        let stmt = prepare(&mut self.client, &mut self.prepared, sql)?;
        let rows = self.client.query(&stmt, &refs(params)).map_err(classify)?;
        rows.iter().map(read_row).collect()
    }

    pub fn batch(&mut self, sql: &str) -> DbResult<()> {
        self.client.batch_execute(sql).map_err(classify)
    }

    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

impl Transaction<'_> {
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        let stmt = prepare(&mut self.tx, self.prepared, sql)?;
        self.tx.execute(&stmt, &refs(params)).map_err(classify)
    }

    pub fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        let stmt = prepare(&mut self.tx, self.prepared, sql)?;
        let rows = self.tx.query(&stmt, &refs(params)).map_err(classify)?;
        rows.iter().map(read_row).collect()
    }

    pub fn batch(&mut self, sql: &str) -> DbResult<()> {
        self.tx.batch_execute(sql).map_err(classify)
    }

    pub fn commit(self) -> DbResult<()> {
        self.tx.commit().map_err(classify)
    }
}

fn prepare(
    client: &mut impl postgres::GenericClient,
    prepared: &mut HashMap<String, Statement>,
    sql: &str,
) -> DbResult<Statement> {
    if let Some(stmt) = prepared.get(sql) {
        return Ok(stmt.clone());
    }
    let stmt = client.prepare(&placeholders(sql)).map_err(classify)?;
    prepared.insert(sql.to_owned(), stmt.clone());
    Ok(stmt)
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// `?N` → `$N`, outside quoted text.
pub(super) fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn read_row(row: &postgres::Row) -> DbResult<Row> {
    let mut values = Vec::with_capacity(row.len());
    for (index, column) in row.columns().iter().enumerate() {
        let bad = |e: postgres::Error| DbError::Column { index, problem: e.to_string() };
        let value = match *column.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(index).map_err(bad)?.map(Value::Int),
            Type::INT4 => row.try_get::<_, Option<i32>>(index).map_err(bad)?.map(|v| Value::Int(v.into())),
            Type::INT2 => row.try_get::<_, Option<i16>>(index).map_err(bad)?.map(|v| Value::Int(v.into())),
            Type::BOOL => row.try_get::<_, Option<bool>>(index).map_err(bad)?.map(|v| Value::Int(v.into())),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                row.try_get::<_, Option<String>>(index).map_err(bad)?.map(Value::Text)
            }
            Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(index).map_err(bad)?.map(Value::Blob),
            ref other => {
                return Err(DbError::Column {
                    index,
                    problem: format!("type {other} is not one the ledger reads (cast it to BIGINT or TEXT)"),
                })
            }
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row::new(values))
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                // An integer where the statement wants text: written as its digits.
                _ => v.to_string().as_str().to_sql(ty, out),
            },
            Value::Text(t) => t.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// An error from the server or the connection: a connection that is gone is `Unavailable`
/// (nothing was written); the server's own refusals keep their SQLSTATE first, for
/// `is_unique_violation`. Neither carries a parameter's value.
pub(super) fn classify(err: postgres::Error) -> DbError {
    if let Some(db) = err.as_db_error() {
        // The server is shutting down or starting up: as good as gone, for now.
        let code = db.code().code();
        if code.starts_with("57P") || code.starts_with("08") {
            return DbError::Unavailable(LedgerUnavailable(format!("PostgreSQL {code}")));
        }
        return DbError::Postgres(format!("{code}: {}", db.message()));
    }
    if err.is_closed() || std::error::Error::source(&err).is_some_and(|s| s.is::<std::io::Error>()) {
        return DbError::Unavailable(LedgerUnavailable("the connection to PostgreSQL failed".into()));
    }
    let text = err.to_string();
    if text.contains("timed out") || text.contains("connection") {
        return DbError::Unavailable(LedgerUnavailable("the connection to PostgreSQL failed".into()));
    }
    DbError::Postgres(text)
}

/// A connection string with its password left out: `postgres://user@host:port/db`.
pub fn shown(url: &str) -> String {
    let (url, _) = super::postgres_tls::split_root_cert(url);
    match url.parse::<postgres::Config>() {
        Ok(config) => {
            let user = config.get_user().unwrap_or("");
            let host = config
                .get_hosts()
                .first()
                .map(|h| match h {
                    postgres::config::Host::Tcp(name) => name.clone(),
                    #[cfg(unix)]
                    postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .unwrap_or_default();
            let port = config.get_ports().first().map(|p| format!(":{p}")).unwrap_or_default();
            let db = config.get_dbname().unwrap_or("");
            format!("postgres://{user}@{host}{port}/{db}")
        }
        Err(_) => "a PostgreSQL connection string".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(placeholders("SELECT ?1, '?2', ?10 WHERE a = '?'"), "SELECT $1, '?2', $10 WHERE a = '?'");
    }

    #[test]
    fn a_connection_string_is_shown_without_its_password() {
        let shown = shown("postgres://it:secret@db.example:5433/ledger");
        assert_eq!(shown, "postgres://it@db.example:5433/ledger");
        assert!(!shown.contains("secret"));
    }
}
