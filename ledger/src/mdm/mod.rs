//! What MDMs give back, read as each MDM writes it: an Android Management API `devices.get` /
//! `devices.list` response (keyed app states), an Apple MDM `ManagedApplicationFeedback` command
//! result (an XML plist) and a Microsoft Graph app-configuration `deviceStatuses` list. The first
//! two carry the phones' own signed records, which are imported exactly as any other (verified
//! against the pinned keys); the third carries no record, only whether the configuration reached
//! each device. A file that claims one of these shapes and breaks it is refused whole, with what
//! is wrong and never its text.

pub mod graph;

use serde::Serialize;
use serde_json::Value;
use televisit_protocol::managed_keys::{DEVICE_REPORT, WIPE_RECEIPT};

/// How a file is read: `Auto` looks at its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Auto,
    /// Records found by their prefix anywhere: text, JSON, an MDM console's CSV export.
    Text,
    /// Android Management API `Device` or `ListDevicesResponse` (JSON).
    Ama,
    /// Apple MDM `ManagedApplicationFeedback` command result (XML plist).
    AppleFeedback,
    /// Microsoft Graph `managedDeviceMobileAppConfigurationDeviceStatus` list (JSON).
    GraphStatuses,
}

impl Format {
    pub fn code(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Text => "text",
            Format::Ama => "ama",
            Format::AppleFeedback => "apple-feedback",
            Format::GraphStatuses => "graph-statuses",
        }
    }
}

/// A file that is not what it claims to be: named, with what is wrong (never its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedFile {
    pub file: String,
    pub format: Format,
    pub what: String,
}

impl std::fmt::Display for MalformedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is not a valid {} file: {}; nothing from it was imported",
            self.file,
            self.format.code(),
            self.what
        )
    }
}

impl std::error::Error for MalformedFile {}

/// A value the app published, where it sat in the file (its position, for the problem list).
pub struct Published {
    pub at: usize,
    pub value: String,
}

/// The format of a file by its content. JSON that is none of the MDMs' shapes, and anything
/// else, is read as text (today's behaviour).
pub fn detect(text: &str) -> Format {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("bplist") {
        return Format::AppleFeedback;
    }
    if (head.starts_with("<?xml") || head.starts_with("<!DOCTYPE plist") || head.starts_with("<plist"))
        && text.contains("<key>ManagedApplicationFeedback</key>")
    {
        return Format::AppleFeedback;
    }
    if !head.starts_with('{') {
        return Format::Text;
    }
    let Ok(Value::Object(top)) = serde_json::from_str::<Value>(head) else {
        return Format::Text;
    };
    if top.contains_key("applicationReports") {
        return Format::Ama;
    }
    if let Some(Value::Array(devices)) = top.get("devices") {
        let ama = |d: &Value| {
            d.get("applicationReports").is_some()
                || d.get("name").and_then(Value::as_str).is_some_and(|n| n.starts_with("enterprises/"))
        };
        if devices.iter().any(ama) {
            return Format::Ama;
        }
    }
    let context = top.get("@odata.context").and_then(Value::as_str).unwrap_or("");
    if let Some(Value::Array(rows)) = top.get("value") {
        let status_row = |r: &Value| {
            r.get("@odata.type").and_then(Value::as_str).is_some_and(|t| t.ends_with("DeviceStatus"))
                || (r.get("status").is_some() && r.get("lastReportedDateTime").is_some())
        };
        if context.contains("deviceStatuses") || rows.iter().any(status_row) {
            return Format::GraphStatuses;
        }
    }
    Format::Text
}

/// The Televisit values in an Android Management API response.
///
/// Shape (developers.google.com/android/management/reference/rest/v1/enterprises.devices):
/// `Device.applicationReports[]` is an `ApplicationReport` with `packageName` and
/// `keyedAppStates[]`; a `KeyedAppState` has `key`, `severity` (`SEVERITY_UNSPECIFIED`, `INFO`,
/// `ERROR`), `message`, `data`, `createTime`, `lastUpdateTime` (RFC 3339). `devices.list`
/// answers a `ListDevicesResponse`: `devices[]` and `nextPageToken`. The app publishes its
/// record under the keyed state's `key` `device_report` / `wipe_receipt`, the record in `data`
/// (managed_keys.rs).
pub fn ama_values(json: &Value) -> Result<Vec<Published>, String> {
    let devices: Vec<&Value> = match json.get("devices") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(_) => return Err("`devices` is not a list".into()),
        None => vec![json],
    };
    let mut found = Vec::new();
    for (d, device) in devices.iter().enumerate() {
        let reports = match device.get("applicationReports") {
            None | Some(Value::Null) => continue,
            Some(Value::Array(r)) => r,
            Some(_) => return Err(format!("device {}: `applicationReports` is not a list", d + 1)),
        };
        for (a, report) in reports.iter().enumerate() {
            if !report.is_object() {
                return Err(format!("device {}: application report {} is not an object", d + 1, a + 1));
            }
            let states = match report.get("keyedAppStates") {
                None | Some(Value::Null) => continue,
                Some(Value::Array(s)) => s,
                Some(_) => return Err(format!("device {}: `keyedAppStates` is not a list", d + 1)),
            };
            for state in states {
                let key = state.get("key").and_then(Value::as_str);
                if key != Some(DEVICE_REPORT) && key != Some(WIPE_RECEIPT) {
                    continue;
                }
                match state.get("data") {
                    Some(Value::String(data)) => found.push(Published { at: found.len() + 1, value: data.clone() }),
                    _ => return Err(format!("device {}: a `{}` state has no `data` string", d + 1, key.unwrap_or(""))),
                }
            }
        }
    }
    Ok(found)
}

/// The Televisit values in an Apple MDM `ManagedApplicationFeedback` command result.
///
/// Shape (developer.apple.com/documentation/devicemanagement/managedapplicationfeedbackresponse):
/// the response dict holds `UDID`, `CommandUUID`, `Status` and `ManagedApplicationFeedback`, an
/// array of `ManagedApplicationFeedbackItem` dicts: `Identifier` (the app's bundle id) and
/// `Feedback`, the dict the app wrote to `com.apple.feedback.managed` (here `device_report`,
/// `wipe_receipt`: managed_keys.rs).
pub fn apple_values(text: &str) -> Result<Vec<Published>, String> {
    if text.trim_start_matches('\u{feff}').trim_start().starts_with("bplist") {
        return Err("a binary plist: convert it first (`plutil -convert xml1 FILE`)".into());
    }
    let root = plist::Value::from_reader_xml(text.as_bytes())
        // The plist crate's own words name its parser's state, never the file's content.
        .map_err(|e| format!("not a whole, valid XML property list (cut off or damaged: {e})"))?;
    let Some(root) = root.as_dictionary() else {
        return Err("the command result is not a dict".into());
    };
    let items = match root.get("ManagedApplicationFeedback") {
        Some(plist::Value::Array(items)) => items,
        Some(_) => return Err("`ManagedApplicationFeedback` is not an array".into()),
        None => return Err("no `ManagedApplicationFeedback` in the command result".into()),
    };
    let mut found = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(item) = item.as_dictionary() else {
            return Err(format!("feedback item {} is not a dict", i + 1));
        };
        let feedback = match item.get("Feedback") {
            None => continue,
            Some(plist::Value::Dictionary(f)) => f,
            Some(_) => return Err(format!("feedback item {}: `Feedback` is not a dict", i + 1)),
        };
        for key in [DEVICE_REPORT, WIPE_RECEIPT] {
            match feedback.get(key) {
                None => {}
                Some(plist::Value::String(value)) => {
                    found.push(Published { at: found.len() + 1, value: value.clone() })
                }
                Some(_) => return Err(format!("feedback item {}: `{key}` is not a string", i + 1)),
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::{detect, Format};

    #[test]
    fn formats_are_told_apart_by_content() {
        assert_eq!(detect(r#"{"name":"enterprises/e/devices/d","applicationReports":[]}"#), Format::Ama);
        assert_eq!(detect(r#"{"devices":[{"name":"enterprises/e/devices/d"}],"nextPageToken":"x"}"#), Format::Ama);
        assert_eq!(
            detect(r#"{"value":[{"id":"a","status":"compliant","lastReportedDateTime":"2026-12-01T00:00:00Z"}]}"#),
            Format::GraphStatuses
        );
        assert_eq!(
            detect("<?xml version=\"1.0\"?><plist><dict><key>ManagedApplicationFeedback</key><array/></dict></plist>"),
            Format::AppleFeedback
        );
        assert_eq!(detect(r#"{"device_report":"tv1.report.A.B"}"#), Format::Text);
        assert_eq!(detect(r#"{"devices":[{"device_id":"dev_1"}]}"#), Format::Text);
        assert_eq!(detect("Device,User\n"), Format::Text);
    }
}
