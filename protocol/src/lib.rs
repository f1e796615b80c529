//! What a Televisit phone and its organisation's IT say to each other: the signed envelope and
//! every message kind that travels in it (enrollment code, policy, wipe command, wipe receipt),
//! the policy with its rules and the checklist catalog it is written against, the activity
//! log's HMAC chain and its export, and the managed-configuration keys an MDM delivers them under.
//!
//! Pure: no storage, no FFI, no OpenSSL. The phone's core (`televisit-core`) and IT's tool
//! (`televisit-admin`) both build on it, and every parser here is fuzzed in each CI run
//! (`fuzz/`). No error message repeats its input: they are static text, field names, counts and
//! sequence numbers.

#![forbid(unsafe_code)]

pub mod bulletin;
pub mod catalog;
pub mod chain;
pub mod checkpoint;
pub mod codes;
pub mod enrollment;
pub mod envelope;
pub mod error;
pub mod export;
pub mod ids;
pub mod keyset;
pub mod managed_keys;
pub mod policy;
pub mod relay;
pub mod report;
pub mod text;
pub mod vectors;
pub mod walk;
pub mod wipe;

pub use error::{Error, Result};
pub use policy::Policy;
