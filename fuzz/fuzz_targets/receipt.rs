//! A wipe receipt, as IT imports it, checked against the pinned device key: only the vector
//! verifies, and it re-seals to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, DEVICE_KEY};
use televisit_protocol::{vectors, wipe};

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match wipe::verify_receipt(text, &DEVICE_KEY) {
        Ok(receipt) => {
            assert_eq!(text.trim(), vectors::receipt(), "random input verified as a receipt");
            assert_eq!(wipe::seal_receipt(&vectors::device_key(), &receipt), vectors::receipt());
        }
        Err(err) => assert_no_echo(&err.to_string(), data),
    }
});
