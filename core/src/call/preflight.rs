//! The pre-flight before a video call: each check passes, warns or blocks, with a stable reason
//! code and a plain message. The policy says which failures block and which only warn.

use crate::checklist::ChecklistStatus;
use crate::device::{DeviceSnapshot, WhatsAppApp};
use crate::patients::{phone, ConsentState, Patient};
use crate::policy::{CallPolicy, Severity};
use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Pass,
    Warn,
    Block,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable: shells translate and tests match on it.
    pub code: &'static str,
    pub status: CheckStatus,
    pub message: String,
}

/// The pre-flight's contact checks: what `Televisit::prepare_call` puts right itself.
pub const CONTACT_CHECKS: &[&str] = &["contact_missing", "contact_out_of_sync"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    pub checks: Vec<Check>,
    /// The WhatsApp app the call would use.
    pub app: Option<WhatsAppApp>,
}

impl Preflight {
    pub fn blocked(&self) -> bool {
        self.checks.iter().any(|c| c.status == CheckStatus::Block)
    }

    pub fn blocking_codes(&self) -> Vec<&'static str> {
        self.checks.iter().filter(|c| c.status == CheckStatus::Block).map(|c| c.code).collect()
    }
}

/// What the pre-flight looks at, gathered by the caller from the store, the book and the device.
pub struct Facts<'a> {
    pub patient: &'a Patient,
    pub contact: ContactState,
    pub checklist: ChecklistStatus,
    pub device: &'a DeviceSnapshot,
    pub unlocked: bool,
    pub disclosure_acknowledged: bool,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactState {
    Ready,
    Missing,
    OutOfSync,
}

/// The app to call with: the first the policy allows that is installed.
pub fn choose_app(policy: &CallPolicy, device: &DeviceSnapshot) -> Option<WhatsAppApp> {
    policy.allowed_apps.iter().copied().find(|app| device.whatsapp.iter().any(|w| w.app == *app))
}

pub fn run(policy: &CallPolicy, facts: &Facts<'_>) -> Preflight {
    let app = choose_app(policy, facts.device);
    let mut checks = Vec::new();
    let mut check = |ok: bool, severity: Severity, pass: (&'static str, &str), fail: (&'static str, String)| {
        checks.push(if ok {
            Check { code: pass.0, status: CheckStatus::Pass, message: pass.1.to_owned() }
        } else {
            let status = if severity == Severity::Block { CheckStatus::Block } else { CheckStatus::Warn };
            Check { code: fail.0, status, message: fail.1 }
        });
    };

    if facts.patient.archived_at.is_some() {
        check(false, Severity::Block, ("", ""), ("patient_archived", "This patient is archived.".into()));
    }
    let consent_fail = match facts.patient.consent {
        ConsentState::Given { .. } => None,
        ConsentState::None => Some((
            "consent_missing",
            "The patient has not been asked yet: read them the consent wording and record their answer.",
        )),
        ConsentState::Revoked { .. } => {
            Some(("consent_revoked", "The patient withdrew consent to be contacted on WhatsApp."))
        }
        ConsentState::Declined { .. } => {
            Some(("consent_declined", "The patient declined to be contacted on WhatsApp: use another way."))
        }
    };
    check(
        consent_fail.is_none(),
        policy.checks.consent,
        ("consent_given", "Consent is on record."),
        consent_fail.map(|(c, m)| (c, m.to_owned())).unwrap_or(("", String::new())),
    );

    let checklist_fail = match facts.checklist {
        ChecklistStatus::Current => None,
        ChecklistStatus::Due => Some(("checklist_due", "Your WhatsApp privacy checklist is due: go through it again.")),
        ChecklistStatus::Reconfirm => Some((
            "checklist_reconfirm",
            "WhatsApp was updated or your checklist is a month old: confirm what changed.",
        )),
        ChecklistStatus::Never => {
            Some(("checklist_never", "Go through the WhatsApp privacy checklist once before calling."))
        }
    };
    check(
        checklist_fail.is_none(),
        policy.checks.checklist,
        ("checklist_current", "The privacy checklist is current."),
        checklist_fail.map(|(c, m)| (c, m.to_owned())).unwrap_or(("", String::new())),
    );

    let installed_any = !facts.device.whatsapp.is_empty();
    let whatsapp_fail = match (app, installed_any) {
        (Some(_), _) => ("", String::new()),
        (None, false) => ("whatsapp_missing", "WhatsApp is not installed on this phone.".to_owned()),
        (None, true) => (
            "whatsapp_not_allowed",
            format!("Your organisation allows only {} for calls; install it.", app_names(&policy.allowed_apps)),
        ),
    };
    check(app.is_some(), policy.checks.whatsapp, ("whatsapp_ready", "WhatsApp is installed."), whatsapp_fail);

    let contact_fail = match facts.contact {
        ContactState::Ready => ("", String::new()),
        ContactState::Missing => {
            ("contact_missing", "The patient is not in your contacts yet: add the contact.".to_owned())
        }
        ContactState::OutOfSync => {
            ("contact_out_of_sync", "The patient's contact was changed on the phone: put it right first.".to_owned())
        }
    };
    check(
        facts.contact == ContactState::Ready,
        policy.checks.contact,
        ("contact_ready", "The contact is ready."),
        contact_fail,
    );

    check(
        phone::may_have_whatsapp(&facts.patient.phone),
        policy.checks.reachable,
        ("number_mobile", "The number can have WhatsApp."),
        ("number_not_mobile", "This looks like a landline or service number, which WhatsApp cannot call.".to_owned()),
    );

    check(
        facts.unlocked,
        policy.checks.unlocked,
        ("app_unlocked", "Televisit is unlocked."),
        ("app_locked", "Unlock Televisit first.".to_owned()),
    );

    if let Some(hours) = &policy.hours {
        let inside = inside_hours(hours, facts.now, facts.device.utc_offset_minutes);
        check(
            inside,
            policy.checks.calling_hours,
            ("inside_calling_hours", "Inside the clinic's calling hours."),
            ("outside_calling_hours", format!("Outside the clinic's calling hours ({}–{}).", hours.start, hours.end)),
        );
    }

    check(
        facts.disclosure_acknowledged,
        policy.checks.disclosure,
        ("disclosure_acknowledged", "You know that WhatsApp shows your own number."),
        ("disclosure_pending", super::DISCLOSURE.to_owned()),
    );
    Preflight { checks, app }
}

fn app_names(apps: &[WhatsAppApp]) -> String {
    apps.iter()
        .map(|a| match a {
            WhatsAppApp::Consumer => "WhatsApp",
            WhatsAppApp::Business => "WhatsApp Business",
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

fn inside_hours(hours: &crate::policy::CallingHours, now: DateTime<Utc>, offset_minutes: i32) -> bool {
    let Ok((start, end)) = hours.minutes() else { return true };
    let Some(offset) = FixedOffset::east_opt(offset_minutes * 60) else { return true };
    let local = now.with_timezone(&offset);
    let minute = local.hour() * 60 + local.minute();
    let weekday = local.weekday().number_from_monday() as u8;
    hours.weekdays.contains(&weekday) && (start..end).contains(&minute)
}
