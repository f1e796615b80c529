//! Any text handed to a device as a policy or an enrollment code: never a panic, and an error
//! never repeats more than the field's name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_core::it::enrollment::{open_policy, read_enroll_code};
use televisit_core::Policy;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Policy::from_json(&text);
    let _ = open_policy(&text, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let _ = read_enroll_code(&text);
});
