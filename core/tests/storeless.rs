//! The check-in with no store open, as both shells now call it (`it::storeless::check_in`): the
//! bulletin first, then a wipe command unless the bulletin started one.

mod common;

use common::org::Org;
use common::Profile;
use std::collections::HashMap;
use televisit_core::it::managed::keys;
use televisit_core::it::storeless::{check_in, StorelessCheckIn};
use televisit_core::it::wipe::{self, WipeScope};
use televisit_core::Clock;

fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn the_bulletin_then_the_command_and_a_refusal_of_either_is_told_apart() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    drop(tv);
    let now = profile.clock.now();
    let quiet = org.bulletin(now.timestamp(), Vec::new());
    assert_eq!(check_in(&profile.secrets, &values(&[(keys::BULLETIN, &quiet)]), now), StorelessCheckIn::default());
    let damaged = &quiet[..quiet.len() - 4];
    let refused = check_in(&profile.secrets, &values(&[(keys::BULLETIN, damaged)]), now);
    assert!(refused.bulletin_refused && !refused.wipe_started && !refused.succeeded());
    // A command alone starts the wipe; a bulletin that names this phone does it first, and the
    // command given beside it is then not taken at all.
    let command = org.wipe(&e, "cmd_00000000000000000000c0de", WipeScope::Contacts, now.timestamp());
    let entry = org.fleet_wipe(&e, "cmd_00000000000000000000b0b0", WipeScope::All, now.timestamp() + 86_400);
    let naming = org.bulletin(now.timestamp() + 1, vec![entry]);
    let both = check_in(&profile.secrets, &values(&[(keys::BULLETIN, &naming), (keys::WIPE_COMMAND, &command)]), now);
    assert!(both.wipe_started && both.succeeded(), "{both:?}");
    assert_eq!(wipe::pending_command(&profile.secrets).unwrap().unwrap().command_id, "cmd_00000000000000000000b0b0");
    assert_eq!(
        wipe::pending_command(&profile.secrets).unwrap().unwrap().scope,
        WipeScope::All,
        "the command was not merged"
    );
}

/// Issue 30, case 11: a wipe IT cancelled is refused by a phone that has not run it yet,
/// whichever way it arrives: its own `wipe_command` key, or a bulletin the MDM cached.
#[test]
fn a_wipe_cancelled_by_a_bulletin_is_refused_however_it_arrives_afterwards() {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let e = tv.enroll(&profile.secrets, &org.code()).unwrap();
    let now = profile.clock.now();
    let mistaken = "cmd_0000000000000000000000ca";
    let command = org.wipe(&e, mistaken, WipeScope::All, now.timestamp());
    let entry = org.fleet_wipe(&e, mistaken, WipeScope::All, now.timestamp() + 86_400);
    let old = org.bulletin(now.timestamp() - 60, vec![entry]);
    tv.apply_bulletin(&profile.secrets, &org.bulletin_cancelling(now.timestamp(), &[mistaken])).unwrap();
    let refused = tv.receive_wipe(&profile.secrets, &command).unwrap_err();
    assert!(matches!(refused, televisit_core::Error::WipeRefused { code: "cancelled", .. }), "{refused:?}");
    drop(tv);
    let late = check_in(&profile.secrets, &values(&[(keys::BULLETIN, &old), (keys::WIPE_COMMAND, &command)]), now);
    assert!(!late.wipe_started, "{late:?}");
    assert!(wipe::pending_command(&profile.secrets).unwrap().is_none());
}
