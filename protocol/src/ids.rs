//! Opaque ids (`dev_…`, `enr_…`, `cmd_…`, `pt_…`): a short lowercase prefix and hex digits. The
//! only way a device, an enrollment, a command or a patient is named outside the phone's store.

use crate::error::{Error, Result};
use ring::rand::{SecureRandom, SystemRandom};

/// A fresh opaque id: a prefix and 24 hex digits.
pub fn random_id(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 12];
    SystemRandom::new().fill(&mut bytes).map_err(|_| Error::Random)?;
    Ok(format!("{prefix}_{}", hex::encode(bytes)))
}

/// Whether `text` is an opaque id: a lowercase prefix of 2 to 4 letters, `_`, and 16 to 32
/// lowercase hex digits.
pub fn is_opaque_id(text: &str) -> bool {
    let Some((prefix, hex)) = text.split_once('_') else { return false };
    (2..=4).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_lowercase())
        && (16..=32).contains(&hex.len())
        && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `text` is an opaque id with this prefix.
pub fn is_id_with_prefix(text: &str, prefix: &str) -> bool {
    is_opaque_id(text) && text.split_once('_').is_some_and(|(p, _)| p == prefix)
}
