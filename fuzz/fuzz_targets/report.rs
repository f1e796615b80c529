//! A device report, as IT imports it from MDM feedback: self-signed (the first report, which IT
//! pins) or against the pinned key, only the vector verifies, and it re-seals to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, DEVICE_KEY};
use televisit_protocol::report::{self, MAX_REPORT_CHARS};
use televisit_protocol::vectors;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    for pinned in [None, Some(DEVICE_KEY.as_str())] {
        match report::verify(text, pinned) {
            Ok(found) => {
                assert_eq!(text.trim(), vectors::device_report(), "random input verified as a report");
                let sealed = report::seal(&vectors::device_key(), &found).unwrap();
                assert!(sealed.len() <= MAX_REPORT_CHARS);
                assert_eq!(sealed, vectors::device_report());
            }
            Err(err) => assert_no_echo(&err.to_string(), data),
        }
    }
});
