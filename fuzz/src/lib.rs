//! What every fuzz target asserts besides "no crash": the properties of `televisit-protocol`'s
//! parsers, which hold for any input.
//!
//! - Random input is never accepted as signed: under the test vectors' keys (`vectors`), the
//!   only texts that verify are the vectors themselves (a fuzzer cannot make an Ed25519
//!   signature).
//! - An accepted value re-encodes to the same bytes (its canonical form).
//! - No error message repeats its input.

use std::collections::HashSet;
use std::sync::LazyLock;
use televisit_protocol::vectors;

pub static ORG_KEY: LazyLock<String> = LazyLock::new(|| vectors::org_key().public_key());
pub static DEVICE_KEY: LazyLock<String> = LazyLock::new(|| vectors::device_key().public_key());
/// What a phone enrolled by the vector (legacy) code holds: the org key, for every role.
pub static LEGACY_KEYS: LazyLock<televisit_protocol::keyset::KeySet> = LazyLock::new(vectors::legacy_keys);

/// Error messages are static text, field names, values the catalog defines, counts and
/// positions. A run of 16 bytes of the input that holds something none of those are made of (an
/// uppercase letter, a quote, a colon, a plus, any non-ASCII character) and that shows up in the
/// message is an echo: a name or a number typed into the wrong place would be repeated to a
/// screen or a log. (The whole input, from 8 bytes, counts too.)
///
/// The comparison is made on hashes of the message's windows, not on its text: libFuzzer learns
/// the operands of every string comparison in the target, and would otherwise copy our own
/// messages into its inputs and report them as echoes.
pub fn assert_no_echo(message: &str, input: &[u8]) {
    let message = message.as_bytes();
    let trimmed = std::str::from_utf8(input).map(str::trim).unwrap_or("").as_bytes();
    // A whole input made only of what messages are made of (`bulletin`, a field name) is our own
    // word, not an echo.
    if trimmed.len() >= 8 && trimmed.len() <= message.len() && telling(trimmed) {
        let hashes: HashSet<u64> = rolling(message, trimmed.len()).map(|(_, h)| h).collect();
        if hashes.contains(&rolling(trimmed, trimmed.len()).next().map_or(0, |(_, h)| h)) {
            assert!(!message.windows(trimmed.len()).any(|w| w == trimmed), "echo of the whole input");
        }
    }
    if message.len() < WINDOW {
        return;
    }
    let in_message: HashSet<u64> = rolling(message, WINDOW).map(|(_, h)| h).collect();
    for (start, hash) in rolling(input, WINDOW) {
        if !in_message.contains(&hash) {
            continue;
        }
        let window = &input[start..start + WINDOW];
        if telling(window) && message.windows(WINDOW).any(|w| w == window) {
            panic!(
                "the error message repeats part of its input: {:?} holds {:?}",
                String::from_utf8_lossy(message),
                String::from_utf8_lossy(window)
            );
        }
    }
}

const WINDOW: usize = 16;

/// Holds a byte no message is made of: an uppercase letter, a quote, a colon, a plus, non-ASCII.
fn telling(bytes: &[u8]) -> bool {
    bytes.iter().any(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b" _.,{}()`-/".contains(b)))
}

/// A polynomial rolling hash of every `len`-byte window, with its start: one pass over the bytes.
fn rolling(bytes: &[u8], len: usize) -> impl Iterator<Item = (usize, u64)> + '_ {
    const BASE: u64 = 0x100_0000_01b3;
    let drop = (0..len).fold(1u64, |acc, _| acc.wrapping_mul(BASE));
    let mut hash = 0u64;
    bytes.iter().enumerate().filter_map(move |(i, &b)| {
        hash = hash.wrapping_mul(BASE).wrapping_add(u64::from(b) + 1);
        if i >= len {
            hash = hash.wrapping_sub(drop.wrapping_mul(u64::from(bytes[i - len]) + 1));
        }
        (i + 1 >= len).then(|| (i + 1 - len, hash))
    })
}

/// Input as text, as every channel delivers a message (MDM value, QR code, paste).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
