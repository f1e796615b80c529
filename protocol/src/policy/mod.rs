//! The organisation's policy: plain data with the defaults of DESIGN.md, the rules every policy
//! must keep, and its JSON. IT writes it (`televisit-admin policy …`), signs it, and the phone
//! applies it; both check it with the same [`Policy::validate`]. The phone adds what only it can
//! know (whether its phone-number library knows the region). Unknown fields are refused, so that
//! a typo in IT's file is an error, not a silently ignored rule; no error quotes IT's text.

mod name_template;

pub use name_template::{NameTemplate, TemplatePart, MAX_PLACEHOLDERS, MAX_TEMPLATE_CHARS};

use crate::catalog::{self, CATALOG_VERSION};
use crate::envelope::json_problem;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};

/// Larger than any real policy; refuses a pasted file of megabytes before parsing it.
pub const MAX_JSON_BYTES: usize = 48 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Increases with every policy IT issues; a device refuses an older one.
    pub version: u64,
    pub organisation: String,
    pub contacts: ContactsPolicy,
    pub log: LogPolicy,
    pub app_lock: AppLockPolicy,
    pub checklist: ChecklistPolicy,
    pub wipe_triggers: WipeTriggers,
    pub calls: CallPolicy,
}

/// Whether a failed pre-flight check stops the call or only warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Block,
    Warn,
}

/// The WhatsApp apps a clinician may call with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhatsAppApp {
    /// `com.whatsapp`
    Consumer,
    /// WhatsApp Business, `com.whatsapp.w4b`
    Business,
}

impl WhatsAppApp {
    pub fn package(self) -> &'static str {
        match self {
            WhatsAppApp::Consumer => "com.whatsapp",
            WhatsAppApp::Business => "com.whatsapp.w4b",
        }
    }

    /// The MIME type of WhatsApp's video-call row in Android's contacts Data table.
    pub fn video_call_mime(self) -> &'static str {
        match self {
            WhatsAppApp::Consumer => "vnd.android.cursor.item/vnd.com.whatsapp.video.call",
            WhatsAppApp::Business => "vnd.android.cursor.item/vnd.com.whatsapp.w4b.video.call",
        }
    }

    /// The sync-adapter account type whose sync makes WhatsApp add its rows to new contacts.
    pub fn account_type(self) -> &'static str {
        self.package()
    }

    pub fn play_store_id(self) -> &'static str {
        self.package()
    }

    /// The App Store id of the app's page.
    pub fn app_store_id(self) -> &'static str {
        match self {
            WhatsAppApp::Consumer => "310633997",
            WhatsAppApp::Business => "1386412985",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CallPolicy {
    /// The WhatsApp apps clinicians may call with, in order of preference.
    pub allowed_apps: Vec<WhatsAppApp>,
    pub checks: CallChecks,
    /// The clinic's calling hours in the device's local time; none means any time.
    pub hours: Option<CallingHours>,
    /// What the PHI lint does to a pre-filled message that has findings.
    pub phi_lint: Severity,
    /// How long Android waits for WhatsApp to sync a new contact before opening the chat instead.
    pub sync_wait_seconds: u32,
    /// The version of the organisation's consent wording that clinicians read out; recorded with
    /// each consent, so that a change of wording shows in the records.
    pub consent_text_version: String,
    /// The consent wording itself, in plain text, shown to the clinician before each consent
    /// or decline is recorded. Absent in older policies: the shells then name the version only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_text: Option<String>,
}

/// The longest consent wording a policy may carry: a short paragraph read out in a minute.
pub const MAX_CONSENT_TEXT_CHARS: usize = 800;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CallChecks {
    pub consent: Severity,
    pub checklist: Severity,
    pub whatsapp: Severity,
    pub contact: Severity,
    pub unlocked: Severity,
    pub calling_hours: Severity,
    pub disclosure: Severity,
    pub reachable: Severity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallingHours {
    /// `HH:MM`, local time.
    pub start: String,
    pub end: String,
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContactsPolicy {
    /// How patient contacts are named, so that staff can find them later.
    pub name_template: String,
    /// ISO 3166 region used for numbers written without a country code.
    pub default_region: String,
    /// Cleanup removes a patient's contact after this many days without a visit.
    pub cleanup_after_days: u32,
    /// Cleanup removes a contact as soon as its visit is marked done.
    pub cleanup_when_visit_done: bool,
    /// The phone removes its own patient contacts past `cleanup_after_days` from its background
    /// check-in, as the Cleanup screen's apply would (never a lookalike: those wait for a
    /// person). Off unless IT turns it on; absent from a policy that keeps it off, so that
    /// policies signed before it existed, and phones that predate it, read the same bytes.
    #[serde(skip_serializing_if = "is_off")]
    pub cleanup_automatic: bool,
}

fn is_off(on: &bool) -> bool {
    !*on
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogPolicy {
    /// HIPAA 164.316 keeps compliance documentation six years.
    pub retention_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AppLockPolicy {
    /// Automatic logoff (HIPAA 164.312(a)(2)(iii)).
    pub inactivity_timeout_seconds: u32,
    /// Which biometrics unlock the app on Android, besides the device credential (always
    /// accepted). Absent from a policy that keeps the default, so that policies signed before
    /// it existed, and phones that predate it, read the same bytes.
    #[serde(skip_serializing_if = "BiometricClass::is_strong")]
    pub android_biometrics: BiometricClass,
}

/// Android's biometric classes (`BiometricManager.Authenticators`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BiometricClass {
    /// Class 3 only: fingerprint, and face unlock with secure hardware.
    #[default]
    Strong,
    /// Class 2 as well: the camera face unlock most phones have. A face not recognised is then
    /// not counted as a failed unlock (a passive face miss happens by looking away); failed
    /// device credentials are the lock screen's to count.
    Weak,
}

impl BiometricClass {
    pub fn is_strong(&self) -> bool {
        *self == BiometricClass::Strong
    }
}

/// What the organisation requires of one checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    One(String),
    AnyOf(Vec<String>),
    NotChecked,
}

impl Requirement {
    pub fn accepts(&self, value: &str) -> bool {
        match self {
            Requirement::One(required) => required == value,
            Requirement::AnyOf(values) => values.iter().any(|v| v == value),
            Requirement::NotChecked => true,
        }
    }

    pub fn values(&self) -> Vec<String> {
        match self {
            Requirement::One(value) => vec![value.clone()],
            Requirement::AnyOf(values) => values.clone(),
            Requirement::NotChecked => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChecklistPolicy {
    /// After this many days (or a WhatsApp update) the clinician re-confirms: only what changed
    /// is asked, with one attestation that nothing else did.
    pub reconfirm_days: u32,
    /// After this many days a full run is due again (default 180; absent in older policies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_run_days: Option<u32>,
    /// The catalog version the requirements were written for.
    pub catalog_version: u32,
    /// Per item: one value, a set of acceptable values, or not checked. Items left out take the
    /// catalog's recommendation. Written with sorted keys, so that its JSON is canonical.
    #[serde(serialize_with = "sorted")]
    pub required: HashMap<String, Requirement>,
}

/// The full run's interval when the policy does not set one.
pub const DEFAULT_FULL_RUN_DAYS: u32 = 180;

impl ChecklistPolicy {
    pub fn full_run_days(&self) -> u32 {
        self.full_run_days.unwrap_or(DEFAULT_FULL_RUN_DAYS)
    }
}

fn sorted<S: Serializer>(map: &HashMap<String, Requirement>, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    map.iter().collect::<BTreeMap<_, _>>().serialize(serializer)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RootedDeviceAction {
    Allow,
    Block,
    Wipe,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WipeTriggers {
    /// Failed authentications at the app lock before the app wipes itself. Only failures the
    /// platform reports count. On iOS that may be none: device-owner authentication falls back
    /// to the passcode sheet, which iOS retries by itself and counts toward the iPhone's own
    /// limits without telling the app, so there the MDM's passcode policy (maximum failed
    /// attempts) is the safeguard.
    pub max_failed_unlocks: u32,
    /// Block clinical work this long after the phone's last contact with IT (a verified
    /// bulletin, policy or enrollment code). Off (none) by default: an organisation turns it on
    /// once it signs bulletins more often than this.
    pub block_after_offline_hours: Option<u32>,
    /// Wipe this long after the last contact with IT. Off (none) by default.
    pub wipe_after_offline_days: Option<u32>,
    pub rooted_device: RootedDeviceAction,
}

impl Default for CallPolicy {
    fn default() -> Self {
        CallPolicy {
            allowed_apps: vec![WhatsAppApp::Consumer, WhatsAppApp::Business],
            checks: CallChecks::default(),
            hours: None,
            phi_lint: Severity::Block,
            sync_wait_seconds: 10,
            consent_text_version: "v1".into(),
            consent_text: None,
        }
    }
}

impl Default for CallChecks {
    fn default() -> Self {
        CallChecks {
            consent: Severity::Block,
            checklist: Severity::Warn,
            whatsapp: Severity::Block,
            contact: Severity::Block,
            unlocked: Severity::Block,
            calling_hours: Severity::Warn,
            disclosure: Severity::Block,
            reachable: Severity::Warn,
        }
    }
}

impl CallingHours {
    /// Minutes after midnight of start and end.
    pub fn minutes(&self) -> Result<(u32, u32)> {
        let parse = |field: &'static str, text: &str| {
            let (h, m) = text.split_once(':').ok_or_else(|| Error::invalid(field, "must be HH:MM"))?;
            match (h.parse::<u32>(), m.parse::<u32>()) {
                (Ok(h), Ok(m)) if h < 24 && m < 60 && text.len() == 5 => Ok(h * 60 + m),
                _ => Err(Error::invalid(field, "must be HH:MM between 00:00 and 23:59")),
            }
        };
        let start = parse("calls.hours.start", &self.start)?;
        let end = parse("calls.hours.end", &self.end)?;
        if end <= start {
            return Err(Error::invalid("calls.hours.end", "must come after start"));
        }
        Ok((start, end))
    }
}

impl Default for ContactsPolicy {
    fn default() -> Self {
        ContactsPolicy {
            name_template: "Patient {first} {last}".into(),
            default_region: "US".into(),
            cleanup_after_days: 30,
            cleanup_when_visit_done: true,
            cleanup_automatic: false,
        }
    }
}

impl Default for LogPolicy {
    fn default() -> Self {
        LogPolicy { retention_days: 6 * 365 }
    }
}

impl Default for AppLockPolicy {
    fn default() -> Self {
        AppLockPolicy { inactivity_timeout_seconds: 5 * 60, android_biometrics: BiometricClass::Strong }
    }
}

impl Default for ChecklistPolicy {
    fn default() -> Self {
        ChecklistPolicy {
            reconfirm_days: 30,
            full_run_days: None,
            catalog_version: CATALOG_VERSION,
            required: Default::default(),
        }
    }
}

impl Default for WipeTriggers {
    fn default() -> Self {
        WipeTriggers {
            max_failed_unlocks: 5,
            block_after_offline_hours: None,
            wipe_after_offline_days: None,
            rooted_device: RootedDeviceAction::Block,
        }
    }
}

/// Bounds that keep every later computation on a policy's numbers inside its types.
const MAX_DAYS: u32 = 36_500;
const MAX_HOURS: u32 = MAX_DAYS * 24;
const MAX_FAILED_UNLOCKS: u32 = 100;
const MAX_ORGANISATION_CHARS: usize = 100;
const MAX_REQUIREMENT_VALUES: usize = 16;

impl Policy {
    /// Parses IT's JSON (any layout) and validates it; errors name the field and position, never
    /// the value.
    pub fn from_json(text: &str) -> Result<Policy> {
        if text.len() > MAX_JSON_BYTES {
            return Err(Error::invalid("policy", format!("is larger than {MAX_JSON_BYTES} bytes")));
        }
        let policy: Policy = serde_json::from_str(text).map_err(|err| json_problem("policy", &err))?;
        policy.validate()?;
        Ok(policy)
    }

    /// IT's file: every field, indented.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Rules a policy must keep, each naming the field.
    pub fn validate(&self) -> Result<()> {
        let organisation = &self.organisation;
        if organisation.chars().count() > MAX_ORGANISATION_CHARS || organisation.chars().any(char::is_control) {
            return Err(Error::invalid("organisation", "must be at most 100 printable characters"));
        }
        NameTemplate::parse(&self.contacts.name_template)?;
        let region = &self.contacts.default_region;
        if region.len() != 2 || !region.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(
                "contacts.default_region",
                "must be a two-letter ISO 3166 code such as GB or US",
            ));
        }
        // The age automatic cleanup removes at comes from here: 0 would empty the phone of
        // patients at every check-in, so it is refused whether or not cleanup is automatic.
        in_range("contacts.cleanup_after_days", self.contacts.cleanup_after_days, 1, MAX_DAYS)?;
        if self.calls.allowed_apps.is_empty() {
            return Err(Error::invalid("calls.allowed_apps", "must name at least one WhatsApp app"));
        }
        let mut apps = self.calls.allowed_apps.clone();
        apps.dedup();
        if apps.len() != self.calls.allowed_apps.len() || apps.len() > 2 {
            return Err(Error::invalid("calls.allowed_apps", "must name each WhatsApp app at most once"));
        }
        let version = &self.calls.consent_text_version;
        let version_ok = (1..=32).contains(&version.len())
            && version.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !version_ok {
            return Err(Error::invalid(
                "calls.consent_text_version",
                "must be 1 to 32 characters of a-z, 0-9, '.', '_' and '-'",
            ));
        }
        // Every consent logs this version: it must pass the log's rule for codes too.
        if let Err(problem) = crate::codes::check(version) {
            return Err(Error::invalid("calls.consent_text_version", problem.describe()));
        }
        if let Some(text) = &self.calls.consent_text {
            check_consent_text(text)?;
        }
        in_range("calls.sync_wait_seconds", self.calls.sync_wait_seconds, 1, 60)?;
        if let Some(hours) = &self.calls.hours {
            hours.minutes()?;
            let mut days = hours.weekdays.clone();
            days.sort_unstable();
            days.dedup();
            if days.is_empty() || days.len() != hours.weekdays.len() || days.iter().any(|d| !(1..=7).contains(d)) {
                return Err(Error::invalid(
                    "calls.hours.weekdays",
                    "must list days 1 (Monday) to 7 (Sunday), each once",
                ));
            }
        }
        in_range("log.retention_days", self.log.retention_days, 1, MAX_DAYS)?;
        in_range("app_lock.inactivity_timeout_seconds", self.app_lock.inactivity_timeout_seconds, 30, 24 * 3600)?;
        in_range("checklist.reconfirm_days", self.checklist.reconfirm_days, 1, MAX_DAYS)?;
        self.validate_checklist()?;
        let triggers = &self.wipe_triggers;
        in_range("wipe_triggers.max_failed_unlocks", triggers.max_failed_unlocks, 1, MAX_FAILED_UNLOCKS)?;
        if let Some(hours) = triggers.block_after_offline_hours {
            in_range("wipe_triggers.block_after_offline_hours", hours, 1, MAX_HOURS)?;
        }
        if let Some(days) = triggers.wipe_after_offline_days {
            in_range("wipe_triggers.wipe_after_offline_days", days, 1, MAX_DAYS)?;
            if days < triggers.block_after_offline_hours.map_or(0, |h| h.div_ceil(24)) {
                return Err(Error::invalid(
                    "wipe_triggers.wipe_after_offline_days",
                    "must not come before block_after_offline_hours",
                ));
            }
        }
        Ok(())
    }

    /// What IT should know before signing this policy, though it is valid: each a sentence.
    pub fn warnings(&self) -> Vec<String> {
        let triggers = &self.wipe_triggers;
        let mut out = Vec::new();
        if let Some(hours) = triggers.block_after_offline_hours {
            out.push(format!(
                "wipe_triggers.block_after_offline_hours is on: phones block clinical work {hours} hours after their last verified contact with IT; schedule `televisit-admin bulletin sign` and push it through the MDM more often than that (every {} hours or sooner)",
                (hours / 2).max(1)
            ));
        }
        if let Some(days) = triggers.wipe_after_offline_days {
            out.push(format!(
                "wipe_triggers.wipe_after_offline_days is on: a phone that has not verified a bulletin, policy or enrollment code for {days} days wipes itself, activity log included"
            ));
        }
        out
    }

    /// The checklist section against this build's catalog; errors name the catalog's item, never
    /// an id or a value IT typed that the catalog does not have.
    fn validate_checklist(&self) -> Result<()> {
        let field = "checklist.required";
        // A policy written for an earlier revision of the same major version still holds: the
        // items it names are still there. A later or another major one needs a newer Televisit.
        if catalog::major_of(self.checklist.catalog_version) != Some(catalog::CATALOG_MAJOR) {
            return Err(Error::invalid(
                "checklist.catalog_version",
                format!(
                    "the policy was written for checklist catalog v{}, which this version of Televisit does not know (it has v{CATALOG_VERSION})",
                    self.checklist.catalog_version
                ),
            ));
        }
        if let Some(days) = self.checklist.full_run_days {
            in_range("checklist.full_run_days", days, self.checklist.reconfirm_days, MAX_DAYS)?;
        }
        for (id, requirement) in &self.checklist.required {
            let item = catalog::item(id).ok_or_else(|| {
                Error::invalid(field, format!("names an item that checklist catalog v{CATALOG_VERSION} does not have"))
            })?;
            let values = requirement.values();
            if matches!(requirement, Requirement::AnyOf(v) if v.is_empty() || v.len() > MAX_REQUIREMENT_VALUES) {
                return Err(Error::invalid(field, format!("`{}` needs 1 to 16 acceptable values", item.id)));
            }
            if values.iter().any(|v| !item.allows(v)) {
                let allowed: Vec<_> = item.choices.iter().map(|c| c.value).collect();
                return Err(Error::invalid(
                    field,
                    format!("`{}` takes only these values: {}", item.id, allowed.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

fn in_range(field: &'static str, value: u32, min: u32, max: u32) -> Result<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("must be between {min} and {max}")))
    }
}

#[cfg(test)]
mod tests;

/// The consent wording: plain text of one short paragraph, with no phone number in it (it is
/// read to every patient; a number there is someone's). The phone also runs its PHI lint on it.
fn check_consent_text(text: &str) -> Result<()> {
    let problem = |reason: &'static str| Err(Error::invalid("calls.consent_text", reason));
    let chars = text.chars().count();
    if text.trim().is_empty() {
        return problem("is empty: leave it out, or write the wording");
    }
    if chars > MAX_CONSENT_TEXT_CHARS {
        return problem("is longer than 800 characters: keep it to a short paragraph");
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return problem("has control characters: plain text and line breaks only");
    }
    // Seven digits or more in a row, spaces, dots, dashes and brackets between them allowed.
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 7 {
                return problem("has what looks like a phone number: leave numbers out of the wording");
            }
        } else if !matches!(c, ' ' | '-' | '.' | '(' | ')' | '+') {
            run = 0;
        }
    }
    Ok(())
}
