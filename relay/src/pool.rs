//! The relay's ledger connections, kept in an `r2d2` pool: a request borrows one for its
//! check-in. The pool is built without connecting, so that a relay starts (and says it is
//! unavailable) while its database is down, and connects again when it is back.

use crate::config::Config;
use anyhow::Result;
use std::time::Duration;
use televisit_ledger::{Ledger, Location};

pub type LedgerPool = r2d2::Pool<PoolConnector>;

pub struct PoolConnector {
    location: Location,
    org_key: String,
}

impl PoolConnector {
    pub fn new(config: &Config) -> Result<PoolConnector> {
        Ok(PoolConnector { location: Location::parse(&config.ledger), org_key: config.org_key.clone() })
    }
}

/// A connection that could not be made, worded without the connection string's password.
#[derive(Debug)]
pub struct ConnectError(String);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConnectError {}

impl r2d2::ManageConnection for PoolConnector {
    type Connection = Ledger;
    type Error = ConnectError;

    fn connect(&self) -> Result<Ledger, ConnectError> {
        Ledger::open_at(&self.location, &self.org_key).map_err(|e| ConnectError(format!("{e:#}")))
    }

    fn is_valid(&self, ledger: &mut Ledger) -> Result<(), ConnectError> {
        ledger.ping().map_err(|e| ConnectError(format!("{e:#}")))
    }

    fn has_broken(&self, ledger: &mut Ledger) -> bool {
        ledger.connection_closed()
    }
}

pub fn build(connector: PoolConnector, size: u32) -> Result<LedgerPool> {
    Ok(r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(3))
        .test_on_check_out(false)
        .error_handler(Box::new(QuietErrors))
        .build_unchecked(connector))
}

/// r2d2 logs connection errors itself; here they go to the relay's log as one line each.
#[derive(Debug)]
struct QuietErrors;

impl r2d2::HandleError<ConnectError> for QuietErrors {
    fn handle_error(&self, error: ConnectError) {
        tracing::warn!(error = %error, "ledger connection");
    }
}
