//! The fleet relay (`televisit-relay`): phones check in over HTTPS without waiting on their MDM.
//! It holds no key a phone obeys: it serves what IT signed offline (`televisit-admin relay
//! publish`) and records what phones signed, checked against the keys IT pinned, in the shared
//! ledger. Several relays share one PostgreSQL ledger behind a load balancer; each is stateless.

pub mod checkin;
pub mod config;
pub mod metrics;
mod pool;
pub mod server;
