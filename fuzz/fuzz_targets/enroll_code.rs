//! An enrollment code, signed by the key it carries (or a key of the key set it carries): a
//! fuzzer cannot make one, so only the vector is accepted, and it re-encodes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text};
use televisit_protocol::envelope::{self, Kind};
use televisit_protocol::{enrollment, vectors};

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match enrollment::read_enroll_code(text, None) {
        Ok(enrollment::ReadCode { code, policy: signed, keys }) => {
            assert_eq!(text.trim(), vectors::enroll_code(), "random input verified as an enrollment code");
            assert_eq!(signed.policy, vectors::policy());
            assert_eq!(keys, vectors::legacy_keys());
            let opened = envelope::open(text, Kind::Enroll).unwrap();
            assert_eq!(opened.payload, envelope::canonical_json(&code));
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
