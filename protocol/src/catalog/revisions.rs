//! Which revision of the catalog changed which item, which revisions share a major version, and
//! what Strict account settings answers for the items it covers.
//!
//! A checklist result stays good across revisions of the same major version: a WhatsApp update
//! or the interval asks the clinician only the items changed since their last run (and one
//! attestation that nothing else changed). A new major version (items re-worded so that old
//! answers mean something else) asks for a full run.

use super::{CATALOG, CATALOG_VERSION};

/// The major version of today's catalog.
pub const CATALOG_MAJOR: u32 = 1;

/// Each revision and its major version, oldest first. A revision not listed never existed.
const REVISIONS: &[(u32, u32)] = &[(1, 1), (2, 1)];

/// Items added or changed after revision 1, with the revision that did it. Every other item is
/// as revision 1 wrote it.
const CHANGED: &[(&str, u32)] = &[
    ("strict_account_settings", 2),
    ("block_unknown_account_messages", 2),
    ("advanced_chat_privacy", 2),
    ("passkeys", 2),
    ("username", 2),
];

/// What Strict account settings sets each item it covers to, as WhatsApp's announcement and the
/// reporting on it list them (sources: `sources("strict_account_settings")`). Protect IP address
/// in calls is left out: only beta reports name it among the covered settings.
pub const STRICT_COVERS: &[(&str, &str)] = &[
    ("two_step_verification", "on"),
    ("security_notifications", "on"),
    ("silence_unknown_callers", "on"),
    ("disable_link_previews", "on"),
    ("block_unknown_account_messages", "on"),
    ("last_seen_online", "my_contacts"),
    ("profile_photo", "my_contacts"),
    ("about", "my_contacts"),
    ("groups", "my_contacts"),
];

/// The major version of a revision; none for a revision that never existed.
pub fn major_of(revision: u32) -> Option<u32> {
    REVISIONS.iter().find(|(r, _)| *r == revision).map(|(_, major)| *major)
}

pub fn is_known(revision: u32) -> bool {
    major_of(revision).is_some()
}

/// The revision that last changed an item.
pub fn revision_of(id: &str) -> u32 {
    CHANGED.iter().find(|(item, _)| *item == id).map_or(1, |(_, revision)| *revision)
}

/// The items changed after `revision` (all of them for a revision that never existed).
pub fn changed_since(revision: u32) -> Vec<&'static str> {
    let known = is_known(revision);
    CATALOG.iter().filter(|i| !known || revision_of(i.id) > revision).map(|i| i.id).collect()
}

/// The value Strict account settings gives an item, when it covers it.
pub fn strict_value(id: &str) -> Option<&'static str> {
    STRICT_COVERS.iter().find(|(item, _)| *item == id).map(|(_, value)| *value)
}

const _: () = assert!(REVISIONS[REVISIONS.len() - 1].0 == CATALOG_VERSION);
const _: () = assert!(REVISIONS[REVISIONS.len() - 1].1 == CATALOG_MAJOR);

#[cfg(test)]
mod tests {
    use super::super::item;
    use super::*;

    #[test]
    fn every_listed_item_exists_and_every_strict_value_is_one_of_its_choices() {
        for (id, revision) in CHANGED {
            assert!(item(id).is_some() && is_known(*revision), "{id}");
        }
        for (id, value) in STRICT_COVERS {
            let covered = item(id).unwrap_or_else(|| panic!("{id} is in the catalog"));
            assert!(covered.allows(value), "{id} takes {value}");
        }
    }

    #[test]
    fn revisions_tell_what_changed_and_unknown_ones_change_everything() {
        assert_eq!(changed_since(CATALOG_VERSION), Vec::<&str>::new());
        assert_eq!(changed_since(1).len(), CHANGED.len());
        assert!(changed_since(1).contains(&"strict_account_settings"));
        assert_eq!(changed_since(99).len(), CATALOG.len());
        assert_eq!((major_of(1), major_of(2), major_of(0), major_of(99)), (Some(1), Some(1), None, None));
    }
}
