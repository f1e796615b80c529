//! A signed policy, as a phone receives it from its MDM: only the vector verifies under the
//! vectors' organisation key, and it re-signs to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, LEGACY_KEYS};
use televisit_protocol::{enrollment, vectors};

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match enrollment::open_policy(text, &LEGACY_KEYS) {
        Ok(signed) => {
            assert_eq!(text.trim(), vectors::signed_policy(), "random input verified as a signed policy");
            let again = enrollment::sign_policy(&vectors::org(), &signed.policy, signed.issued_at).unwrap();
            assert_eq!(again, vectors::signed_policy());
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
