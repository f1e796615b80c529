//! The organisation's key set, as a phone follows it from a bulletin: only the vector links
//! follow (from the legacy set, or the rotation from the first); an accepted link
//! re-encodes to itself; a chain of links (one per line) moves a phone only along the vectors,
//! never back; no error repeats its input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, LEGACY_KEYS};
use televisit_protocol::keyset::{self, SignedKeySet};
use televisit_protocol::vectors;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match SignedKeySet::parse(text) {
        Ok(link) => {
            assert_eq!(link.text(), text.trim(), "one text, one key set");
            // From the legacy set both vector links follow: the first, and the rotation (the
            // org key, the root held, signed it, as did two of its new root keys).
            if let Ok(next) = keyset::follow(&LEGACY_KEYS, &link) {
                if text.trim() == vectors::key_set_link() {
                    assert_eq!(next, vectors::key_set());
                } else {
                    assert_eq!(text.trim(), vectors::rotated_key_set_link(), "random input followed as a key set");
                    assert_eq!(next, vectors::rotated_key_set());
                }
            }
            if keyset::follow(&vectors::key_set(), &link).is_ok() {
                assert_eq!(text.trim(), vectors::rotated_key_set_link(), "random input followed as a rotation");
            }
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
    let links: Vec<&str> = text.lines().collect();
    match keyset::follow_chain(&LEGACY_KEYS, &links) {
        Ok(Some(reached)) => assert!(
            reached == vectors::key_set() || reached == vectors::rotated_key_set(),
            "a chain reached a set no root signed"
        ),
        Ok(None) => {}
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
