//! The fleet's managed configuration written as each MDM takes it (`televisit-admin mdm export`):
//! the enrollment code, the signed policy and the bulletin, with the per-device keys
//! (`mdm_device_id`, `mdm_user`) written as that MDM's own variables, which the MDM fills in for
//! each device when it delivers the configuration.
//!
//! Every configuration here is the **whole** configuration: Graph's PATCH replaces the `settings`
//! collection (and `payloadJson`) as a whole, Jamf's PUT replaces the app's preferences, and an
//! Android Management API policy carries the app's whole `managedConfiguration`. A partial export
//! would silently drop the keys it left out on every phone, so all three values are required.
//! `wipe_command` is never exported: it is for one phone's own configuration only (a fleet-wide
//! wipe travels in the bulletin).
//!
//! The values are carried as text, never opened or verified here (checking the signatures needs
//! the organisation's key folder; `enroll-code` and `bulletin sign` already did). Each is checked
//! to be a Televisit envelope of the right kind, so that a mixed-up file is caught before it is
//! pushed to every phone. Envelopes are `tv1.<kind>.<base64url>.<base64url>`: no `$`, `{` or `}`,
//! so no MDM can mistake a part of a value for one of its variables.
//!
//! Sizes: each value's bytes are checked against the limits the MDMs (and the platforms under
//! them) document; where an MDM documents none, the notes say so. Warnings name keys and sizes,
//! never values.

mod formats;

use anyhow::{bail, Result};
use formats::{emm_android, intune_android, intune_ios, jamf, workspace_one};
pub use formats::{ManagedConfiguration, ManagedProperty};
use serde::Serialize;
use televisit_protocol::envelope::{self, Kind};
use televisit_protocol::managed_keys as keys;

/// The Android package the managed configuration is for (android/app/build.gradle.kts:
/// `applicationId = "org.televisit.android"`).
pub const DEFAULT_ANDROID_PACKAGE: &str = "org.televisit.android";

/// Above this a value is "large": warn. A bulletin grows by about 260 bytes per pending wipe
/// and about 51 per log confirmation (its JSON, base64url in the envelope; measured on the
/// protocol's `FleetWipe` with real-length ids), so 16 KiB is about 60 pending wipes or 300
/// confirmations: IT hears of the growth long before Android's 65,535-byte string limit below.
/// (`bulletin sign` never passes that limit: it keeps a bulletin under
/// `fleet_bulletin::MAX_BULLETIN_CHARS` and leaves what does not fit to a later one; a bulletin
/// at the protocol's own maxima, about 150 KiB, would.) It also stays under the 20 KB our notes
/// (the design notes on the MDM channels) ask to be tried on a real Intune tenant first, because
/// Intune documents no value-size limit at all.
pub const LARGE_VALUE_BYTES: usize = 16 * 1024;

/// Android stores an app's restrictions (what every Android channel delivers: Play's DPC, an
/// EMM, Intune) with `UserManagerService`, as binary XML since Android 12, whose strings are at
/// most 65,535 bytes ("All other strings are limited at 65535, because longer ones break binary
/// XML serializer": AOSP frameworks/base change 5e04f4794484, "Ensure policy has no absurdly long
/// strings"). The platform's limit, read from AOSP, not one an MDM documents.
pub const ANDROID_MAX_STRING_BYTES: usize = 65_535;

/// Android hands the app its restrictions in a `Bundle` over Binder, whose transaction buffer is
/// 1 MB, shared by the process's transactions in flight (developer.android.com, reference
/// `android.os.TransactionTooLargeException`).
pub const ANDROID_BINDER_BYTES: usize = 1024 * 1024;

/// The MDMs `mdm export --for` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    IntuneIos,
    IntuneAndroid,
    Jamf,
    WorkspaceOne,
    EmmAndroid,
}

impl Target {
    pub const ALL: [Target; 5] =
        [Target::IntuneIos, Target::IntuneAndroid, Target::Jamf, Target::WorkspaceOne, Target::EmmAndroid];

    /// The name `--for` takes.
    pub fn name(self) -> &'static str {
        match self {
            Target::IntuneIos => "intune-ios",
            Target::IntuneAndroid => "intune-android",
            Target::Jamf => "jamf",
            Target::WorkspaceOne => "workspace-one",
            Target::EmmAndroid => "emm-android",
        }
    }

    /// The MDM's variables for `mdm_device_id` and `mdm_user`; `None` where the channel has none.
    pub fn variables(self) -> Option<(&'static str, &'static str)> {
        match self {
            // Intune "Tokens used in the property list" (learn.microsoft.com, "Add app
            // configuration policies for managed iOS/iPadOS devices") and the Android Enterprise
            // configuration variables (learn.microsoft.com, "Add app configuration policies for
            // managed Android Enterprise devices"): {{deviceid}} is the Intune device id, the one
            // the Intune admin center's device record shows; {{userprincipalname}} the user's UPN.
            Target::IntuneIos | Target::IntuneAndroid => Some(("{{deviceid}}", "{{userprincipalname}}")),
            // Jamf Pro's App Config variables (developer.jamf.com, "Acting on Extension Attribute
            // Data", the list of supported variables: $DEVICENAME, $SERIALNUMBER, $UDID, $JSSID,
            // $EMAIL, …). $UDID, not $JSSID: the mobile device record shows the UDID in its
            // General inventory, it is the id Jamf's own SDK configuration uses
            // (com.jamf.config.device.udid = $UDID, docs.jamf.com "Managed App Configuration
            // Reference for In-House Apps Developed with the Jamf Certificate SDK"), and it stays
            // the same when a record is deleted and the device enrolls again, when the Jamf Pro
            // ID ($JSSID) changes. $EMAIL is the user's e-mail in User and Location.
            Target::Jamf => Some(("$UDID", "$EMAIL")),
            // Workspace ONE UEM lookup values: {DeviceUid} "Device UDID", {EmailAddress} "User
            // Email Address" (the console's lookup-value list, as listed in "AirWatch lookup
            // variables in AppConfig", gist.github.com/synic/fc7a219f229ef1df7748b8564a2fbcf1).
            Target::WorkspaceOne => Some(("{DeviceUid}", "{EmailAddress}")),
            // The Android Management API substitutes nothing per device (ApplicationPolicy's
            // managedConfiguration is a plain JSON object; developers.google.com/android/management
            // reference, ApplicationPolicy): see `emm_android`.
            Target::EmmAndroid => None,
        }
    }

    fn android(self) -> bool {
        matches!(self, Target::IntuneAndroid | Target::WorkspaceOne | Target::EmmAndroid)
    }
}

/// The fleet's values, as text (`enroll-code`, `policy sign` and `bulletin sign` wrote them).
#[derive(Debug, Clone)]
pub struct Values {
    pub enrollment_code: String,
    pub signed_policy: String,
    pub bulletin: String,
    /// Where phones check in over HTTPS, when it moves from the one the code names.
    pub relay: Option<televisit_protocol::relay::RelayEndpoint>,
}

impl Values {
    /// Checks each value is a Televisit envelope of its kind (not verified: see the module).
    /// The message names the option and the problem, never the value.
    pub fn check(&self) -> Result<()> {
        for (option, text, kind) in [
            ("--code", &self.enrollment_code, Kind::Enroll),
            ("--policy", &self.signed_policy, Kind::Policy),
            ("--bulletin", &self.bulletin, Kind::Bulletin),
        ] {
            if let Err(problem) = envelope::open(text, kind) {
                bail!(
                    "{option}: the value {} (expected {}, as `televisit-admin` wrote it)",
                    problem.describe(),
                    expected(kind)
                );
            }
        }
        Ok(())
    }
}

/// What a value of `kind` looks like, for messages.
pub fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Enroll => "an enrollment code, tv1.enroll.…",
        Kind::Policy => "a signed policy, tv1.policy.…",
        Kind::Bulletin => "a bulletin, tv1.bulletin.…",
        _ => "a Televisit message",
    }
}

/// A value as the MDM gets it: fixed text, or the MDM's variable for a per-device key.
#[derive(Debug, Clone, Copy)]
pub(super) enum Value<'a> {
    Text(&'a str),
    Variable(&'static str),
}

impl<'a> Value<'a> {
    pub(super) fn as_str(&self) -> &'a str {
        match self {
            Value::Text(text) => text,
            Value::Variable(name) => name,
        }
    }
}

/// The keys in the order the app applies them (`managed_keys::READ`, without `wipe_command`).
fn entries<'a>(values: &'a Values, target: Target) -> Vec<(&'static str, Value<'a>)> {
    let mut out = vec![
        (keys::ENROLLMENT_CODE, Value::Text(values.enrollment_code.trim())),
        (keys::SIGNED_POLICY, Value::Text(values.signed_policy.trim())),
    ];
    if let Some((device, user)) = target.variables() {
        out.push((keys::MDM_DEVICE_ID, Value::Variable(device)));
        out.push((keys::MDM_USER, Value::Variable(user)));
    }
    if let Some(relay) = &values.relay {
        out.push((keys::RELAY_URL, Value::Text(&relay.url)));
        if let Some(pin) = &relay.ca_sha256 {
            out.push((keys::RELAY_CA_SHA256, Value::Text(pin)));
        }
    }
    out.push((keys::BULLETIN, Value::Text(values.bulletin.trim())));
    out
}

/// A warning about one key's size: names the key and the sizes only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizeWarning {
    pub key: String,
    pub bytes: usize,
    pub limit: usize,
    pub message: String,
}

/// One MDM's body, with what IT should know about it.
#[derive(Debug, Clone, Serialize)]
pub struct Export {
    #[serde(rename = "for")]
    pub target: &'static str,
    /// Exactly what the MDM's API or console takes.
    pub body: String,
    pub notes: Vec<&'static str>,
    pub warnings: Vec<SizeWarning>,
}

/// Writes `values` for `target`; `package` is the Android package (Android formats only).
pub fn export(target: Target, values: &Values, package: &str) -> Result<Export> {
    values.check()?;
    if !is_android_package(package) {
        bail!("--package must be an Android package name such as {DEFAULT_ANDROID_PACKAGE}");
    }
    let entries = entries(values, target);
    let body = match target {
        Target::IntuneIos => intune_ios(&entries)?,
        Target::IntuneAndroid => intune_android(&entries, package)?,
        Target::Jamf => jamf(&entries),
        Target::WorkspaceOne => workspace_one(&entries),
        Target::EmmAndroid => emm_android(&entries, package)?,
    };
    Ok(Export { target: target.name(), body, notes: notes(target), warnings: size_warnings(target, &entries) })
}

/// Android package names: two or more dot-separated parts, each a letter then letters, digits
/// or `_` (developer.android.com, "Configure the app module": applicationId rules).
pub fn is_android_package(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    name.len() <= 223
        && parts.len() >= 2
        && parts.iter().all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

// ---- Notes and sizes -------------------------------------------------------------------------

/// What IT should know about a body (stderr; never values).
fn notes(target: Target) -> Vec<&'static str> {
    match target {
        Target::IntuneIos => vec![
            "PATCH https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/{id} replaces the whole settings collection: this body carries every key.",
            "Intune documents no size limit for a configuration value; try a bulletin of 20 KB on your tenant before relying on one that large.",
        ],
        Target::IntuneAndroid => vec![
            "PATCH https://graph.microsoft.com/v1.0/deviceAppManagement/mobileAppConfigurations/{id} replaces the whole payloadJson: this body carries every key.",
            "Intune documents no size limit for a configuration value; Android itself stores each string value in at most 65,535 bytes.",
        ],
        Target::Jamf => vec![
            "PUT https://{your-jamf}/JSSResource/mobiledeviceapplications/id/{id} (Content-Type: text/xml) replaces the app's whole App Configuration; the console takes the same <dict> under the app's App Configuration.",
            "Jamf Pro documents no size limit for an App Configuration value.",
        ],
        Target::WorkspaceOne => vec![
            "One row per key in the app's assignment, Application Configuration (Value Type String); insert the lookup values from the console's list rather than typing them.",
            "Workspace ONE UEM documents no size limit for an application configuration value; on Android each string value is stored in at most 65,535 bytes.",
        ],
        Target::EmmAndroid => vec![
            "A document for your EMM, not a body for this organisation to send: the Android Management API is for EMMs only.",
        ],
    }
}

/// Each value's size against the limits that apply on `target`'s channel (and a large-value warning).
fn size_warnings(target: Target, entries: &[(&'static str, Value)]) -> Vec<SizeWarning> {
    let mut out = Vec::new();
    let mut total = 0;
    for (key, value) in entries {
        let bytes = value.as_str().len();
        total += key.len() + bytes;
        if target.android() && bytes > ANDROID_MAX_STRING_BYTES {
            out.push(SizeWarning {
                key: (*key).into(),
                bytes,
                limit: ANDROID_MAX_STRING_BYTES,
                message: "over Android's 65,535-byte limit for a stored string: phones on Android 12 or later may not keep it".into(),
            });
        } else if bytes > LARGE_VALUE_BYTES {
            let why = if *key == keys::BULLETIN {
                "large (a bulletin grows with every pending wipe and log confirmation); no documented limit, but check that it reaches a phone"
            } else {
                "large; no documented limit, but check that it reaches a phone"
            };
            out.push(SizeWarning { key: (*key).into(), bytes, limit: LARGE_VALUE_BYTES, message: why.into() });
        }
    }
    if target.android() && total > ANDROID_BINDER_BYTES {
        out.push(SizeWarning {
            key: "(all keys)".into(),
            bytes: total,
            limit: ANDROID_BINDER_BYTES,
            message: "over Android's 1 MB Binder buffer: the restrictions cannot reach the app".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::formats::{csv_field, xml_escape};
    use super::*;

    #[test]
    fn xml_and_csv_escape_what_they_must() {
        assert_eq!(xml_escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("tv1.bulletin.abc_-.xyz"), "tv1.bulletin.abc_-.xyz");
    }

    #[test]
    fn package_names_follow_android_rules() {
        assert!(is_android_package(DEFAULT_ANDROID_PACKAGE));
        assert!(is_android_package("com.example.app_2"));
        for bad in ["televisit", "org..televisit", "org.1televisit", "org.tele-visit", "", "org.televisit."] {
            assert!(!is_android_package(bad), "{bad}");
        }
    }

    #[test]
    fn a_large_bulletin_is_named_with_its_size_and_an_android_limit_is_a_warning_of_its_own() {
        let big = "x".repeat(LARGE_VALUE_BYTES + 1);
        let huge = "x".repeat(ANDROID_MAX_STRING_BYTES + 1);
        let entries = [(keys::BULLETIN, Value::Text(big.as_str()))];
        let warnings = size_warnings(Target::IntuneIos, &entries);
        assert_eq!(warnings.len(), 1);
        assert_eq!((warnings[0].key.as_str(), warnings[0].bytes), ("bulletin", LARGE_VALUE_BYTES + 1));
        assert!(!warnings[0].message.contains('x'));
        let entries = [(keys::BULLETIN, Value::Text(huge.as_str()))];
        assert_eq!(size_warnings(Target::IntuneAndroid, &entries)[0].limit, ANDROID_MAX_STRING_BYTES);
        assert_eq!(size_warnings(Target::Jamf, &entries)[0].limit, LARGE_VALUE_BYTES);
        let small = [(keys::BULLETIN, Value::Text("tv1.bulletin.a.b"))];
        assert!(Target::ALL.iter().all(|t| size_warnings(*t, &small).is_empty()));
    }
}
