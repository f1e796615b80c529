//! IT's side of Televisit, as a library: the organisation's key folder, wipe commands, and the
//! reports `televisit-admin` prints for receipts and log exports. The binary (`main.rs`) is a
//! command line over it; the desktop demo uses the same functions when the binary is not built.
//! It depends on `televisit-protocol` only: nothing here links the phone's encrypted store.

pub mod bulletin_sign;
pub mod fleet;
pub mod fleet_bulletin;
pub mod fleet_cleanup;
pub mod fleet_html;
pub mod keys;
pub mod mdm_export;
pub mod org;
pub mod relay_publish;
pub mod report;
pub mod usage;
pub mod when;

/// The ledger is its own crate (the relay shares it); here under its old name.
pub use televisit_ledger as ledger;
pub use televisit_ledger::wipe_command;
