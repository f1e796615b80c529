//! A device report, as IT imports it from MDM feedback: self-signed (the first report, which IT
//! pins) or against the pinned key, only the vectors verify (version 2, and the version 1 one a
//! phone not yet updated sends), and version 2 re-seals to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, DEVICE_KEY};
use televisit_protocol::report::{self, MAX_REPORT_CHARS};
use televisit_protocol::vectors;

/// A report as phones wrote it before version 2: read, never written.
const V1: &str = include_str!("../../protocol/vectors/report_v1.txt");

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    for pinned in [None, Some(DEVICE_KEY.as_str())] {
        match report::verify(text, pinned) {
            Ok(found) if found.v == report::REPORT_V1_JSON => {
                assert_eq!(text.trim(), V1.trim(), "random input verified as a version 1 report");
                assert!(report::seal(&vectors::device_key(), &found).is_err(), "version 1 is never written");
            }
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
