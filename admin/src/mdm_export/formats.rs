//! Each MDM's body for `mdm export`, written from that MDM's documentation (quoted beside the
//! code that writes each field).

use super::Value;
use anyhow::Result;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

// ---- Microsoft Intune, iOS/iPadOS ----------------------------------------------------------

/// `iosMobileAppConfiguration` (learn.microsoft.com/graph/api/resources/intune-apps-
/// iosmobileappconfiguration): the body of `PATCH /deviceAppManagement/mobileAppConfigurations/
/// {id}` (intune-apps-iosmobileappconfiguration-update). PATCH replaces the whole `settings`
/// collection, so every key is in it, every time.
#[derive(Serialize)]
struct GraphIos<'a> {
    /// Graph needs the derived type on a PATCH of the base `managedDeviceMobileAppConfiguration`.
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    /// `settings`: "appConfigurationSettingItem collection, app configuration setting items".
    settings: Vec<GraphSetting<'a>>,
}

/// `appConfigurationSettingItem` (learn.microsoft.com/graph/api/resources/intune-apps-
/// appconfigurationsettingitem): `appConfigKey` String, `appConfigKeyType` mdmAppConfigKeyType
/// (stringType, integerType, realType, booleanType, tokenType), `appConfigKeyValue` String.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphSetting<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    app_config_key: &'static str,
    /// `stringType` for every key, the tokens too: the admin center's configuration designer
    /// offers a token as the value of a String key ("Tokens used in the property list",
    /// "Add app configuration policies for managed iOS/iPadOS devices"), and the app reads
    /// every key as a string.
    app_config_key_type: &'static str,
    app_config_key_value: &'a str,
}

pub(super) fn intune_ios(entries: &[(&'static str, Value)]) -> Result<String> {
    let body = GraphIos {
        odata_type: "#microsoft.graph.iosMobileAppConfiguration",
        settings: entries
            .iter()
            .map(|(key, value)| GraphSetting {
                odata_type: "#microsoft.graph.appConfigurationSettingItem",
                app_config_key: key,
                app_config_key_type: "stringType",
                app_config_key_value: value.as_str(),
            })
            .collect(),
    };
    Ok(serde_json::to_string_pretty(&body)? + "\n")
}

// ---- Microsoft Intune, Android Enterprise (managed Google Play) ------------------------------

/// `androidManagedStoreAppConfiguration` (learn.microsoft.com/graph/api/resources/intune-apps-
/// androidmanagedstoreappconfiguration): `payloadJson` String, "Android Enterprise app
/// configuration JSON payload", base64 of the managed configuration below. The same PATCH
/// replaces the whole payload.
#[derive(Serialize)]
struct GraphAndroid {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    #[serde(rename = "payloadJson")]
    payload_json: String,
}

/// The managed configuration inside `payloadJson`: Google Play EMM API `ManagedConfiguration`
/// (developers.google.com/android/work/play/emm-api/v1/managedconfigurationsfordevice, and
/// docs.rs google-androidenterprise1 `ManagedConfiguration`): `kind` "the fixed string
/// androidenterprise#managedConfiguration", `productId` "e.g. app:com.google.android.gm",
/// `managedProperty` "the set of managed properties".
#[derive(Serialize, serde::Deserialize, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ManagedConfiguration {
    pub kind: String,
    pub product_id: String,
    pub managed_property: Vec<ManagedProperty>,
}

/// `ManagedProperty`: `key` "the unique key that identifies the property", `valueString` "the
/// string value - this will only be present if type of the property is string" (the app's
/// restrictions declare every key as a string: android/app/src/main/res/xml/app_restrictions.xml).
#[derive(Serialize, serde::Deserialize, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ManagedProperty {
    pub key: String,
    pub value_string: String,
}

pub(super) fn intune_android(entries: &[(&'static str, Value)], package: &str) -> Result<String> {
    let configuration = ManagedConfiguration {
        kind: "androidenterprise#managedConfiguration".into(),
        product_id: format!("app:{package}"),
        managed_property: entries
            .iter()
            .map(|(key, value)| ManagedProperty { key: (*key).into(), value_string: value.as_str().into() })
            .collect(),
    };
    let body = GraphAndroid {
        odata_type: "#microsoft.graph.androidManagedStoreAppConfiguration",
        // Graph's String of base64: the standard alphabet with padding (RFC 4648 §4).
        payload_json: STANDARD.encode(serde_json::to_vec(&configuration)?),
    };
    Ok(serde_json::to_string_pretty(&body)? + "\n")
}

// ---- Jamf Pro -------------------------------------------------------------------------------

/// XML text: `&`, `<`, `>` and both quotes as entities.
pub(super) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The App Configuration as Jamf Pro's console takes it (Devices › Mobile Device Apps › the app ›
/// App Configuration › Preferences): a property-list `<dict>` of `<key>`/`<string>` pairs, with
/// Jamf's `$VARIABLES` substituted per device (developer.jamf.com, "Acting on Extension Attribute
/// Data" › App Config; docs.jamf.com "Managed App Configuration Reference": "All key-value pairs
/// … are represented as a string").
fn jamf_plist(entries: &[(&'static str, Value)]) -> String {
    let mut plist = String::from("<dict>\n");
    for (key, value) in entries {
        plist.push_str(&format!(
            "\t<key>{}</key>\n\t<string>{}</string>\n",
            xml_escape(key),
            xml_escape(value.as_str())
        ));
    }
    plist.push_str("</dict>");
    plist
}

/// The Classic API's body for `PUT /JSSResource/mobiledeviceapplications/id/{id}`
/// (developer.jamf.com, Classic API reference, mobiledeviceapplications › updateMobileDeviceApplicationById):
/// `<mobile_device_application><app_configuration><preferences>` holding the plist as escaped
/// text (the shape the Classic API returns on GET and takes on PUT). Only `app_configuration` is
/// sent: a Classic PUT changes the elements it carries and keeps the others (general, scope, …),
/// but within `preferences` the whole plist is replaced.
pub(super) fn jamf(entries: &[(&'static str, Value)]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mobile_device_application>\n  <app_configuration>\n    <preferences>{}</preferences>\n  </app_configuration>\n</mobile_device_application>\n",
        xml_escape(&jamf_plist(entries))
    )
}

// ---- Workspace ONE UEM ----------------------------------------------------------------------

/// Workspace ONE UEM's Application Configuration rows (the app's assignment › Application
/// Configuration: "Configuration Key", "Value Type", "Configuration Value"; VMware/Omnissa
/// "Application Lifecycle Management", Managed App configuration (AppConfig) in the form of
/// key/value pairs), one per key, as CSV (RFC 4180) to type or paste row by row. Every value is
/// "String"; the per-device ones are lookup values, inserted as text.
pub(super) fn workspace_one(entries: &[(&'static str, Value)]) -> String {
    let mut out = String::from("Key,Value Type,Value\n");
    for (key, value) in entries {
        out.push_str(&format!("{},String,{}\n", csv_field(key), csv_field(value.as_str())));
    }
    out
}

pub(super) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

// ---- Android Management API, for the organisation's EMM --------------------------------------

/// What IT hands its EMM: the Android Management API call, labelled. An organisation's own tool
/// may not call the Android Management API (Google's permissible-usage rules: it is for EMMs),
/// so this is a document for the EMM, not a body this tool sends.
#[derive(Serialize)]
struct EmmHandOver<'a> {
    hand_to: &'static str,
    /// `enterprises.policies.patch` (developers.google.com/android/management/reference/rest/v1/
    /// enterprises.policies/patch): `PATCH https://androidmanagement.googleapis.com/v1/{name=
    /// enterprises/*/policies/*}`.
    method: &'static str,
    url: &'static str,
    /// `updateMask`, a query parameter: "the field mask indicating the fields to update. If not
    /// set, all modifiable fields will be modified". `applications` limits the patch to the
    /// policy's application list, which it replaces as a whole.
    update_mask: &'static str,
    /// "The request body contains an instance of Policy".
    body: EmmPolicy<'a>,
    notes: Vec<&'static str>,
}

/// `Policy.applications[]`: "Policy applied to apps".
#[derive(Serialize)]
struct EmmPolicy<'a> {
    applications: Vec<EmmApplication<'a>>,
}

/// `ApplicationPolicy` (…/rest/v1/enterprises.policies#ApplicationPolicy): `packageName` "the
/// package name of the app", `managedConfiguration` "managed configuration applied to the app
/// … a JSON object" whose keys are the app's restriction keys.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmmApplication<'a> {
    package_name: &'a str,
    managed_configuration: serde_json::Map<String, serde_json::Value>,
}

pub(super) fn emm_android(entries: &[(&'static str, Value)], package: &str) -> Result<String> {
    let managed_configuration = entries
        .iter()
        .map(|(key, value)| ((*key).to_owned(), serde_json::Value::String(value.as_str().to_owned())))
        .collect();
    let hand_over = EmmHandOver {
        hand_to: "your EMM: an Android Management API call for the EMM to make (an organisation's own tool may not call this API)",
        method: "PATCH",
        url: "https://androidmanagement.googleapis.com/v1/enterprises/{enterpriseId}/policies/{policyId}?updateMask=applications",
        update_mask: "applications",
        body: EmmPolicy { applications: vec![EmmApplication { package_name: package, managed_configuration }] },
        notes: vec![
            "updateMask=applications replaces the policy's whole application list: the EMM merges this entry into the policy's existing applications[] (or sends it with enterprises.policies.modifyPolicyApplications, which updates the entry with this packageName and keeps the others).",
            "mdm_device_id and mdm_user are left out: the Android Management API fills in no per-device variables. An EMM that keeps one policy per device can add them itself (mdm_device_id = the device's name, enterprises/…/devices/…); otherwise the phones report without MDM ids and IT finds them in the ledger by device id.",
            "No size limit for a managed-configuration value is documented by the Android Management API; Android itself stores each string value in at most 65,535 bytes.",
        ],
    };
    Ok(serde_json::to_string_pretty(&hand_over)? + "\n")
}
