//! The organisation's policy: plain data with the defaults of DESIGN.md. Later issues add their
//! sections; "IT's side" makes it signed. Unknown fields are refused so that a typo in IT's file
//! is an error, not a silently ignored rule.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CallPolicy {
    /// The WhatsApp apps clinicians may call with, in order of preference.
    pub allowed_apps: Vec<crate::device::WhatsAppApp>,
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
}

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChecklistPolicy {
    pub reconfirm_days: u32,
    /// The catalog version the requirements were written for.
    pub catalog_version: u32,
    /// Per item: one value, a set of acceptable values, or not checked. Items left out take the
    /// catalog's recommendation.
    pub required: std::collections::HashMap<String, crate::checklist::Requirement>,
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
    pub max_failed_unlocks: u32,
    pub block_after_offline_hours: u32,
    pub wipe_after_offline_days: u32,
    pub rooted_device: RootedDeviceAction,
}

impl Default for CallPolicy {
    fn default() -> Self {
        CallPolicy {
            allowed_apps: vec![crate::device::WhatsAppApp::Consumer, crate::device::WhatsAppApp::Business],
            checks: CallChecks::default(),
            hours: None,
            phi_lint: Severity::Block,
            sync_wait_seconds: 10,
            consent_text_version: "v1".into(),
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
        AppLockPolicy { inactivity_timeout_seconds: 5 * 60 }
    }
}

impl Default for ChecklistPolicy {
    fn default() -> Self {
        ChecklistPolicy {
            reconfirm_days: 30,
            catalog_version: crate::checklist::CATALOG_VERSION,
            required: Default::default(),
        }
    }
}

impl Default for WipeTriggers {
    fn default() -> Self {
        WipeTriggers {
            max_failed_unlocks: 5,
            block_after_offline_hours: 12,
            wipe_after_offline_days: 90,
            rooted_device: RootedDeviceAction::Block,
        }
    }
}

impl Policy {
    /// Parses IT's JSON; errors name the field and position, never echo the value.
    pub fn from_json(text: &str) -> Result<Policy> {
        let policy: Policy = serde_json::from_str(text).map_err(|err| {
            // serde names an unknown or missing field, but for a bad value it quotes the value,
            // which could be anything IT pasted: say only where it is.
            let what = err.to_string();
            let problem = match what.split(", expected").next() {
                Some(field) if field.starts_with("unknown field") || field.starts_with("missing field") => {
                    field.split(" at line").next().unwrap_or(field).to_owned()
                }
                _ if err.is_syntax() || err.is_eof() => "not valid JSON".to_owned(),
                _ => "a value has the wrong type or is out of range".to_owned(),
            };
            Error::invalid("policy", format!("{problem} (line {}, column {})", err.line(), err.column()))
        })?;
        policy.validate()?;
        Ok(policy)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a Policy always serialises")
    }

    /// Rules a policy must keep, each naming the field.
    pub fn validate(&self) -> Result<()> {
        crate::naming::NameTemplate::parse(&self.contacts.name_template)?;
        let region = &self.contacts.default_region;
        if region.len() != 2 || !region.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(Error::invalid(
                "contacts.default_region",
                "must be a two-letter ISO 3166 code such as GB or US",
            ));
        }
        if phonenumber::country::Id::from_str(region).is_err() {
            return Err(Error::invalid("contacts.default_region", "is not a region the phone library knows"));
        }
        if self.contacts.cleanup_after_days == 0 {
            return Err(Error::invalid("contacts.cleanup_after_days", "must be at least 1"));
        }
        if self.calls.allowed_apps.is_empty() {
            return Err(Error::invalid("calls.allowed_apps", "must name at least one WhatsApp app"));
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
        if !(1..=60).contains(&self.calls.sync_wait_seconds) {
            return Err(Error::invalid("calls.sync_wait_seconds", "must be between 1 and 60"));
        }
        if let Some(hours) = &self.calls.hours {
            hours.minutes()?;
            if hours.weekdays.is_empty() || hours.weekdays.iter().any(|d| !(1..=7).contains(d)) {
                return Err(Error::invalid("calls.hours.weekdays", "must list days 1 (Monday) to 7 (Sunday)"));
            }
        }
        if self.log.retention_days == 0 {
            return Err(Error::invalid("log.retention_days", "must be at least 1"));
        }
        if !(30..=24 * 3600).contains(&self.app_lock.inactivity_timeout_seconds) {
            return Err(Error::invalid("app_lock.inactivity_timeout_seconds", "must be between 30 and 86400"));
        }
        if self.checklist.reconfirm_days == 0 {
            return Err(Error::invalid("checklist.reconfirm_days", "must be at least 1"));
        }
        crate::checklist::validate_policy(self)?;
        if self.wipe_triggers.max_failed_unlocks == 0 {
            return Err(Error::invalid("wipe_triggers.max_failed_unlocks", "must be at least 1"));
        }
        let block_days = self.wipe_triggers.block_after_offline_hours.div_ceil(24);
        if self.wipe_triggers.wipe_after_offline_days < block_days {
            return Err(Error::invalid(
                "wipe_triggers.wipe_after_offline_days",
                "must not come before block_after_offline_hours",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_those_of_the_design() {
        let p = Policy::default();
        assert_eq!(p.contacts.name_template, "Patient {first} {last}");
        assert_eq!(p.wipe_triggers.max_failed_unlocks, 5);
        assert_eq!(p.wipe_triggers.block_after_offline_hours, 12);
        assert_eq!(p.wipe_triggers.wipe_after_offline_days, 90);
        assert_eq!(p.checklist.reconfirm_days, 30);
        p.validate().unwrap();
    }

    #[test]
    fn json_round_trips_and_missing_sections_take_defaults() {
        let p = Policy::from_json(r#"{"version": 3, "log": {"retention_days": 400}}"#).unwrap();
        assert_eq!(p.version, 3);
        assert_eq!(p.log.retention_days, 400);
        assert_eq!(p.contacts, ContactsPolicy::default());
        assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn unknown_fields_and_bad_values_name_the_field() {
        let err = Policy::from_json(r#"{"contacts": {"name_templat": "x"}}"#).unwrap_err().to_string();
        assert!(err.contains("name_templat"), "{err}");
        let err = Policy::from_json(r#"{"contacts": {"default_region": "England"}}"#).unwrap_err().to_string();
        assert!(err.contains("contacts.default_region"), "{err}");
        let err = Policy::from_json(r#"{"log": {"retention_days": 0}}"#).unwrap_err().to_string();
        assert!(err.contains("log.retention_days"), "{err}");
        let err =
            Policy::from_json(r#"{"calls": {"consent_text_version": "Wording of 2026"}}"#).unwrap_err().to_string();
        assert!(err.contains("calls.consent_text_version") && !err.contains("Wording"), "{err}");
        let err = Policy::from_json(r#"{"log": {"retention_days": "Susan Smith"}}"#).unwrap_err().to_string();
        assert!(!err.contains("Susan"), "{err}");
    }
}
