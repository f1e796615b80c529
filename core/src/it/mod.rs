//! IT's side of Televisit: signed messages, enrollment, signed policies, remote wipe.

pub mod bulletin;
pub mod checkin;
pub mod enrollment;
pub mod envelope;
pub mod export;
pub mod keyset;
pub mod managed;
pub mod relay;
pub mod relay_endpoint;
pub mod report;
pub mod storeless;
pub mod triggers;
pub mod wipe;
