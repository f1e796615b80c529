//! A fleet bulletin, as every phone receives it from the MDM: only the vector verifies under the
//! vectors' organisation key; it re-signs to itself; a phone finds at most its own entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, ORG_KEY};
use televisit_protocol::envelope::{self, Kind};
use televisit_protocol::{bulletin, vectors};

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match bulletin::open(text, &ORG_KEY) {
        Ok(opened) => {
            assert_eq!(text.trim(), vectors::bulletin(), "random input verified as a bulletin");
            // Opened, it is in its signed form (devices named by tags): sealed again, the same.
            let resealed = vectors::org_key().seal(Kind::Bulletin, &envelope::canonical_json(&opened));
            assert_eq!(resealed, vectors::bulletin());
            assert!(opened.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID).is_none());
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
