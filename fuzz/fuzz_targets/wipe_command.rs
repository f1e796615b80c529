//! A wipe command, as every phone of a fleet may receive it: only the vector verifies under the
//! vectors' organisation key, and it re-signs to itself. The id a text claims (read before any
//! key, for replays) never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use televisit_fuzz::{assert_no_echo, text, LEGACY_KEYS};
use televisit_protocol::{vectors, wipe};

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let claimed = wipe::claimed_command_id(text);
    if let Some(id) = &claimed {
        assert!(id.len() <= text.len());
    }
    match wipe::open_command(text, &LEGACY_KEYS) {
        Ok(command) => {
            assert_eq!(text.trim(), vectors::wipe_command(), "random input verified as a wipe command");
            assert_eq!(wipe::issue(&vectors::org(), &command).unwrap(), vectors::wipe_command());
            assert_eq!(claimed.as_deref(), Some(command.command_id.as_str()));
        }
        // Refusals are codes and fixed sentences.
        Err(refusal) => {
            assert!(!refusal.describe().is_empty() && !refusal.code().contains(' '));
            assert_no_echo(refusal.describe(), data);
        }
    }
});
