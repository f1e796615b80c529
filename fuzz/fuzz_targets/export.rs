//! A decrypted log export, as IT opens it: it parses only in the phone's own form (and then
//! re-encodes to the same bytes), and its chain verification never panics, whatever numbers it
//! holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::assert_no_echo;
use televisit_protocol::chain::Verification;
use televisit_protocol::{envelope, export};

fuzz_target!(|data: &[u8]| {
    match export::parse(data) {
        Ok(parsed) => {
            assert_eq!(envelope::canonical_json(&parsed), data, "an accepted export is in canonical form");
            match export::verify(&parsed) {
                Ok(Verification::Intact { head, .. }) => {
                    assert_eq!(head.seq, parsed.head_seq);
                    assert!(parsed.entries.iter().all(|e| e.seq <= parsed.head_seq));
                }
                Ok(Verification::Broken { .. }) => {}
                Err(err) => assert_no_echo(&err.to_string(), data),
            }
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
