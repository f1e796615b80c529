//! A decrypted log export, as IT opens it: it parses only in the phone's own form (and then
//! re-encodes to the same bytes), and its verification against the vector device's key never
//! panics, whatever numbers it holds; an accepted one ends at the checkpoint it vouches for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::assert_no_echo;
use televisit_protocol::{envelope, export, vectors};

fuzz_target!(|data: &[u8]| {
    match export::parse(data) {
        Ok(parsed) => {
            assert_eq!(envelope::canonical_json(&parsed), data, "an accepted export is in canonical form");
            match export::verify(&parsed, &vectors::device_key().public_key()) {
                Ok(segment) => {
                    assert_eq!(segment.to.seq, parsed.body.to.n);
                    assert_eq!(segment.points.len(), parsed.body.entries.len());
                }
                Err(err) => assert_no_echo(&err.to_string(), data),
            }
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
