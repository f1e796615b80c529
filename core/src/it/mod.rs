//! IT's side of Televisit: signed messages, enrollment, signed policies, remote wipe.

pub mod enrollment;
pub mod envelope;
pub mod export;
pub mod managed;
pub mod triggers;
pub mod wipe;
