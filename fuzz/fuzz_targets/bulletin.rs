//! A fleet bulletin, as every phone receives it from the MDM: only the vectors verify for a phone
//! holding the vectors' legacy key set (the one the org key signed, and the one the bulletin key
//! signed carrying the key set link that names it); each re-signs to itself; a phone finds at
//! most its own entry, signed by an admin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, LEGACY_KEYS};
use televisit_protocol::envelope::{self, Kind};
use televisit_protocol::{bulletin, vectors};

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    // The links read before the signature is checked: bounded, and no echo.
    if let Err(err) = bulletin::key_links(text) {
        assert_no_echo(&err.to_string(), data);
    }
    match bulletin::open(text, &LEGACY_KEYS) {
        Ok(opened) => {
            let (key, keys) = if text.trim() == vectors::bulletin() {
                assert!(opened.newer_keys.is_none());
                (vectors::org_key(), vectors::legacy_keys())
            } else {
                assert_eq!(text.trim(), vectors::named_bulletin(), "random input verified as a bulletin");
                assert_eq!(opened.newer_keys, Some(vectors::key_set()));
                (vectors::bulletin_key().key, vectors::key_set())
            };
            // Opened, it is in its signed form (devices named by tags): sealed again, the same.
            let resealed = key.seal(Kind::Bulletin, &envelope::canonical_json(&opened.bulletin));
            assert_eq!(resealed, text.trim());
            let own = opened.bulletin.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID, &keys);
            assert!(own.is_none() || own.is_some_and(|w| w.is_ok()), "a vector's entry verifies");
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
