//! What every fuzz target asserts besides "no crash": the properties of `televisit-protocol`'s
//! parsers, which hold for any input.
//!
//! - Random input is never accepted as signed: under the test vectors' keys (`vectors`), the
//!   only texts that verify are the vectors themselves (a fuzzer cannot make an Ed25519
//!   signature).
//! - An accepted value re-encodes to the same bytes (its canonical form).
//! - No error message repeats its input.

use std::sync::LazyLock;
use televisit_protocol::vectors;

pub static ORG_KEY: LazyLock<String> = LazyLock::new(|| vectors::org_key().public_key());
pub static DEVICE_KEY: LazyLock<String> = LazyLock::new(|| vectors::device_key().public_key());

/// Error messages are static text, field names, values the catalog defines, counts and
/// positions. A run of 16 bytes of the input that holds something none of those are made of (an
/// uppercase letter, a quote, a colon, a plus, a digit beside letters, any non-ASCII character)
/// and that shows up in the message is an echo: a name or a number typed into the wrong place
/// would be repeated to a screen or a log.
pub fn assert_no_echo(message: &str, input: &[u8]) {
    const WINDOW: usize = 16;
    let trimmed = std::str::from_utf8(input).map(str::trim).unwrap_or("");
    if trimmed.len() >= 8 && !message.is_empty() {
        assert!(!message.contains(trimmed), "the error message repeats the whole input: {message:?}");
    }
    for window in input.windows(WINDOW) {
        let Ok(window) = std::str::from_utf8(window) else { continue };
        let telling = window
            .bytes()
            .any(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b" _.,{}()`-/".contains(&b)));
        if telling && message.contains(window) {
            panic!("the error message repeats part of its input: {message:?} holds {window:?}");
        }
    }
}

/// Input as text, as every channel delivers a message (MDM value, QR code, paste).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
