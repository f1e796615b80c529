//! The envelope alone: any text either opens (and then re-encodes to itself, and verifies under
//! the vectors' keys only when it is a vector) or is refused with a named problem.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, DEVICE_KEY, ORG_KEY};
use televisit_protocol::envelope::{self, Kind};
use televisit_protocol::vectors;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let opened = match envelope::open_any(text) {
        Ok(opened) => opened,
        // A problem is a fixed sentence (`&'static str`); checked all the same, should that change.
        Err(problem) => return assert_no_echo(problem.describe(), data),
    };
    assert_eq!(opened.to_text(), text.trim(), "an accepted envelope re-encodes to itself");
    assert_eq!(envelope::open(text, opened.kind()).as_ref(), Ok(&opened));
    let other = Kind::ALL.iter().find(|k| **k != opened.kind()).copied().unwrap_or(Kind::Policy);
    assert!(envelope::open(text, other).is_err());
    let canonical = opened.to_text();
    let signed_vectors = [
        vectors::signed_policy(),
        vectors::enroll_code(),
        vectors::wipe_command(),
        vectors::receipt(),
        vectors::bulletin(),
        vectors::device_report(),
        // A report as phones wrote it before version 2 (read, never written any more).
        include_str!("../../protocol/vectors/report_v1.txt").trim().to_owned(),
        // The first key set, which the org key signed alone (its one signature reads as an envelope).
        vectors::key_set_link(),
    ];
    for key in [&*ORG_KEY, &*DEVICE_KEY] {
        if opened.clone().verify(key).is_ok() {
            assert!(signed_vectors.contains(&canonical), "random input verified as signed");
        }
    }
});
