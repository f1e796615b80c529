//! Issue 30, case 10: the MDM's ids are signed into every report and shown on IT's screens, and
//! only had to be printable: a patient's name and number put there by mistake (or on purpose)
//! reached the ledger and the fleet page, and a bidirectional override reached `devices list`.

mod common;

use common::org::Org;
use common::Profile;
use std::collections::HashMap;
use televisit_core::it::managed::{keys, ManagedOutcome};

fn applied(device: &str, user: &str) -> ManagedOutcome {
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = Org::new();
    let values: HashMap<String, String> = [
        (keys::ENROLLMENT_CODE, org.code()),
        (keys::MDM_DEVICE_ID, device.to_owned()),
        (keys::MDM_USER, user.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    tv.apply_managed_config(&profile.secrets, &values).unwrap().mdm_ids
}

#[test]
fn the_mdms_real_ids_are_taken_and_a_patients_data_is_not() {
    // What Intune, Jamf Pro and Workspace ONE fill in: GUIDs, UDIDs, serials, user principal names.
    for (device, user) in [
        ("8d3f6c1e-52a4-4b7e-9c0d-2f1e3a4b5c6d", "dr.lee@northclinic.example"),
        ("00008030-001A2B3C4D5E802E", "clinician7@northclinic.example"),
        ("C02XK0ZKJG5J", "dr.philippa.quennell-oyelaran@northclinic.example.org"),
        ("{4C4C4544-0042-4410-8058-B4C04F4D5632}", "n.okafor"),
    ] {
        assert!(matches!(applied(device, user), ManagedOutcome::Applied { .. }), "{device} {user}");
    }
    for (device, user) in [
        ("Susan Smith", "dr.lee@northclinic.example"),
        ("447400123456", "dr.lee@northclinic.example"),
        ("8d3f6c1e-52a4-4b7e-9c0d-2f1e3a4b5c6d", "Susan Smith +44 7400 123456"),
        ("8d3f6c1e-52a4-4b7e-9c0d-2f1e3a4b5c6d", "447400123456@northclinic.example"),
        ("8d3f6c1e-52a4-4b7e-9c0d-2f1e3a4b5c6d", "dr.lee\u{202E}elpmaxe.cinilchtron@"),
    ] {
        match applied(device, user) {
            ManagedOutcome::Refused { message, .. } => {
                assert!(!message.contains("Susan") && !message.contains("7400"), "{message}");
            }
            other => panic!("{device} {user}: {other:?}"),
        }
    }
}
