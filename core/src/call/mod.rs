//! Starting the WhatsApp video call: the pre-flight, the launch plan with its optional
//! pre-filled message, and the record of how each launch went.

mod facade;
pub mod launch;
pub mod preflight;
pub mod templates;

pub use crate::lint::{PhiFinding, PhiKind};
pub use launch::{AttemptKind, LaunchAttempt, LaunchStep, Platform};
pub use preflight::{Check, CheckStatus, ContactState, Preflight, CONTACT_CHECKS};
pub use templates::{RenderedMessage, TemplateId};

use crate::checklist;
use crate::contacts::{self, BookContact, ContactBook};
use crate::device::{DeviceSnapshot, WhatsAppApp, WhatsAppDirectory};
use crate::error::{Error, Result};
use crate::log::{self, Actor, Detail, EntryKind, NewEntry, PatientRef};
use crate::patients::{self, Patient};
use crate::policy::{Policy, Severity};
use crate::store::Store;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

/// Said once, in plain words, before the first call (the hospital tip sheet's first point).
pub const DISCLOSURE: &str =
    "WhatsApp shows your own phone number to the patient, and nothing can hide it. Acknowledge this once before your first call.";

/// A message to pre-fill: which template, and the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRequest {
    pub template: TemplateId,
    pub values: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LaunchPlan {
    pub patient: PatientRef,
    pub platform: Platform,
    pub app: Option<WhatsAppApp>,
    pub attempts: Vec<LaunchAttempt>,
    /// The pre-filled text, already in the URIs.
    pub message: Option<String>,
    /// What the PHI lint found in it (only when the policy says warn).
    pub message_findings: Vec<PhiFinding>,
    /// The pre-flight it passed, warnings included.
    pub preflight: Preflight,
}

pub(crate) struct CallContext<'a> {
    pub policy: &'a Policy,
    pub device: &'a DeviceSnapshot,
    pub unlocked: bool,
    pub now: DateTime<Utc>,
}

/// The platform id Televisit recorded for the patient's contact: what the pre-flight asks the
/// phone's book about, with the store unlocked. Fails first for an unknown patient, as the
/// pre-flight always has.
pub(crate) fn recorded_contact(conn: &Connection, id: &PatientRef) -> Result<Option<String>> {
    patients::get_in(conn, id)?;
    Ok(contacts::record_for(conn, id)?.map(|r| r.platform_id))
}

/// What the phone's book holds under a recorded platform id, asked with no store lock held.
pub(crate) struct BookLook {
    pub platform_id: Option<String>,
    pub found: Option<BookContact>,
}

pub(crate) fn look_up(book: &dyn ContactBook, recorded: Option<String>) -> Result<BookLook> {
    let found = match &recorded {
        Some(platform_id) => book.get(platform_id)?,
        None => None,
    };
    Ok(BookLook { platform_id: recorded, found })
}

/// A pre-flight with what it read: the launch plan goes on from it.
pub(crate) struct Checked {
    pub preflight: Preflight,
    pub patient: Patient,
    pub platform_id: Option<String>,
}

/// The pre-flight, from the store and what the book said (`look_up`). None when the record
/// names another contact than the one looked up (a contact-making call ran in between): the
/// caller looks again.
pub(crate) fn preflight(
    store: &Store,
    ctx: &CallContext<'_>,
    id: &PatientRef,
    look: BookLook,
) -> Result<Option<Checked>> {
    let patient = patients::get_in(&store.conn, id)?;
    let platform_id = contacts::record_for(&store.conn, id)?.map(|r| r.platform_id);
    if platform_id != look.platform_id {
        return Ok(None);
    }
    let contact = match look.found {
        None => ContactState::Missing,
        Some(found) if found.display_name == patient.contact_name && found.phones.contains(&patient.phone) => {
            ContactState::Ready
        }
        Some(_) => ContactState::OutOfSync,
    };
    let facts = preflight::Facts {
        patient: &patient,
        contact,
        checklist: checklist::status(&store.conn, ctx.now, ctx.policy, Some(ctx.device))?,
        device: ctx.device,
        unlocked: ctx.unlocked,
        disclosure_acknowledged: disclosure_acknowledged(store)?,
        now: ctx.now,
    };
    let preflight = preflight::run(&ctx.policy.calls, &facts);
    Ok(Some(Checked { preflight, patient, platform_id }))
}

/// The plan from a pre-flight that must not block. It reads no store (the directory, the
/// platform's, is asked with no lock held).
pub(crate) fn launch_plan(
    ctx: &CallContext<'_>,
    checked: Checked,
    directory: Option<&dyn WhatsAppDirectory>,
    platform: Platform,
    message: Option<&MessageRequest>,
) -> Result<LaunchPlan> {
    let Checked { preflight: checked, patient, platform_id } = checked;
    if checked.blocked() {
        return Err(Error::CallBlocked { reasons: checked.blocking_codes().join(", ") });
    }
    let (text, findings) = match message {
        None => (None, Vec::new()),
        Some(request) => {
            let rendered = templates::render(request.template, &request.values)?;
            if !rendered.findings.is_empty() && ctx.policy.calls.phi_lint == Severity::Block {
                let mut kinds: Vec<&str> = rendered.findings.iter().map(|f| f.kind.describe()).collect();
                kinds.dedup();
                return Err(Error::invalid("message", format!("must not contain {}", kinds.join(", "))));
            }
            (Some(rendered.text), rendered.findings)
        }
    };
    let row = match (platform, checked.app, directory, platform_id) {
        (Platform::Android, Some(app), Some(directory), Some(platform_id)) => {
            directory.video_call_row(&platform_id, app)
        }
        _ => None,
    };
    let preferred = ctx.policy.calls.allowed_apps.first().copied().unwrap_or(WhatsAppApp::Consumer);
    let attempts = launch::attempts(
        platform,
        checked.app,
        preferred,
        &patient.phone,
        row,
        text.as_deref(),
        ctx.policy.calls.sync_wait_seconds,
    );
    Ok(LaunchPlan {
        patient: patient.id,
        platform,
        app: checked.app,
        attempts,
        message: text,
        message_findings: findings,
        preflight: checked,
    })
}

/// Logs one attempt of a plan, by opaque id and step only; a launch that worked also counts as
/// the contact's latest use.
pub(crate) fn record_launch(
    store: &mut Store,
    now: DateTime<Utc>,
    id: &PatientRef,
    kind: AttemptKind,
    app: Option<WhatsAppApp>,
    succeeded: bool,
) -> Result<()> {
    patients::get_in(&store.conn, id)?;
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let mut detail = Detail::new().code("step", kind.code());
    if let Some(app) = app {
        detail = detail.code("app", app.package());
    }
    let entry_kind = if succeeded { EntryKind::CallLaunched } else { EntryKind::CallAttemptFailed };
    if succeeded {
        tx.execute(
            "UPDATE contacts SET last_used_at_ms = ?2 WHERE patient_id = ?1",
            params![id.as_str(), now.timestamp_millis()],
        )?;
    }
    log::append_in(&tx, &key, now, &NewEntry::new(entry_kind, Actor::Clinician).patient(id.clone()).detail(detail))?;
    tx.commit()?;
    Ok(())
}

pub(crate) fn acknowledge_disclosure(store: &mut Store, now: DateTime<Utc>) -> Result<()> {
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    tx.execute(
        "INSERT INTO settings (name, value) VALUES ('disclosure_acknowledged_at_ms', ?1)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [now.timestamp_millis().to_string()],
    )?;
    log::append_in(&tx, &key, now, &NewEntry::new(EntryKind::DisclosureAcknowledged, Actor::Clinician))?;
    tx.commit()?;
    Ok(())
}

pub(crate) fn disclosure_acknowledged(store: &Store) -> Result<bool> {
    Ok(store
        .conn
        .query_row("SELECT 1 FROM settings WHERE name = 'disclosure_acknowledged_at_ms'", [], |_| Ok(()))
        .optional()?
        .is_some())
}
