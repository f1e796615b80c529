//! The managed-configuration keys: what IT's MDM pushes to the app (Android app restrictions,
//! iOS `com.apple.configuration.managed`) and the feedback keys the app answers with (Android
//! keyed app states, iOS `com.apple.feedback.managed`). Declared once here, so that the phone's
//! core (`televisit-core`, which applies them) and IT's tool (`televisit-admin`, which writes them
//! in each MDM's format) cannot drift apart. The Android restrictions XML and the iOS AppConfig
//! specification name the same keys (the core's and the shells' tests check them).

pub const ENROLLMENT_CODE: &str = "enrollment_code";
pub const SIGNED_POLICY: &str = "signed_policy";
pub const WIPE_COMMAND: &str = "wipe_command";
/// The fleet's bulletin (`televisit-admin bulletin sign`): contact with IT and pending wipes.
pub const BULLETIN: &str = "bulletin";
/// The MDM's own ids of the device and its user, filled by the MDM's variables (Intune
/// `{{deviceid}}` and `{{userprincipalname}}`; Workspace ONE `{DeviceUid}` and `{EmailAddress}`;
/// Jamf Pro `$UDID` and `$EMAIL`).
pub const MDM_DEVICE_ID: &str = "mdm_device_id";
pub const MDM_USER: &str = "mdm_user";
/// Where the phone checks in over HTTPS (`televisit-relay`), and optionally the SHA-256 of the
/// CA certificate its chain must end at: set to move the relay the enrollment code named.
pub const RELAY_URL: &str = "relay_url";
pub const RELAY_CA_SHA256: &str = "relay_ca_sha256";
/// Feedback from the device (Android keyed app state, iOS `com.apple.feedback.managed`).
pub const WIPE_RECEIPT: &str = "wipe_receipt";
pub const DEVICE_REPORT: &str = "device_report";
/// The keys the app reads, in the order they are applied (enrollment first: the others need it).
pub const READ: [&str; 8] =
    [ENROLLMENT_CODE, SIGNED_POLICY, MDM_DEVICE_ID, MDM_USER, RELAY_URL, RELAY_CA_SHA256, BULLETIN, WIPE_COMMAND];

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are the wire format between IT's MDM and every phone: renaming one strands the
    /// fleet, so they are pinned here as text.
    #[test]
    fn the_key_names_are_the_ones_phones_and_mdms_already_use() {
        assert_eq!(
            READ,
            [
                "enrollment_code",
                "signed_policy",
                "mdm_device_id",
                "mdm_user",
                "relay_url",
                "relay_ca_sha256",
                "bulletin",
                "wipe_command"
            ]
        );
        assert_eq!((WIPE_RECEIPT, DEVICE_REPORT), ("wipe_receipt", "device_report"));
        let mut all = READ.to_vec();
        all.extend([WIPE_RECEIPT, DEVICE_REPORT]);
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 10, "every key is distinct");
    }
}
