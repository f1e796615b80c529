//! Consent to be contacted over WhatsApp: recorded (how, which text, by whom, when), declined
//! (asked, and the patient said no), revoked, and read as the current state. Every record,
//! decline and revocation is logged.

use crate::error::{Error, Result};
use crate::log::{self, Actor, Detail, EntryKind, NewEntry, PatientRef};
use crate::store::Store;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentMethod {
    Verbal,
    Written,
    InApp,
}

impl ConsentMethod {
    pub fn code(self) -> &'static str {
        match self {
            ConsentMethod::Verbal => "verbal",
            ConsentMethod::Written => "written",
            ConsentMethod::InApp => "in_app",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [ConsentMethod::Verbal, ConsentMethod::Written, ConsentMethod::InApp].into_iter().find(|m| m.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConsentState {
    None,
    Given {
        method: ConsentMethod,
        text_version: String,
        recorded_by: Actor,
        at: DateTime<Utc>,
    },
    Revoked {
        at: DateTime<Utc>,
        by: Actor,
    },
    /// Asked, with this wording, and the patient said no: not the same as never asked.
    Declined {
        method: ConsentMethod,
        text_version: String,
        recorded_by: Actor,
        at: DateTime<Utc>,
    },
}

impl ConsentState {
    pub fn is_given(&self) -> bool {
        matches!(self, ConsentState::Given { .. })
    }
}

/// The patient's answer to the consent question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Given,
    Declined,
}

impl Answer {
    fn code(self) -> &'static str {
        match self {
            Answer::Given => "given",
            Answer::Declined => "declined",
        }
    }
}

pub(crate) fn record(
    store: &mut Store,
    now: DateTime<Utc>,
    patient: &PatientRef,
    answer: Answer,
    method: ConsentMethod,
    text_version: &str,
    by: Actor,
) -> Result<ConsentState> {
    // The version names a consent text (`v3`, `2026-02`): a short code, never free text.
    Detail::new().code("text_version", text_version).validate().map_err(|_| {
        Error::invalid("consent text version", "must be a short code such as v3 (letters, digits, _.:/-)")
    })?;
    if text_version.is_empty() {
        return Err(Error::invalid("consent text version", "is required"));
    }
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let target = super::get_in(&tx, patient)?;
    if target.archived_at.is_some() {
        return Err(Error::invalid("patient", format!("{patient} is archived")));
    }
    tx.execute(
        "INSERT INTO consents (patient_id, method, text_version, recorded_by, recorded_at_ms, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![patient.as_str(), method.code(), text_version, by.code(), now.timestamp_millis(), answer.code()],
    )?;
    let detail = Detail::new().code("method", method.code()).code("text_version", text_version);
    let kind = match answer {
        Answer::Given => EntryKind::ConsentRecorded,
        Answer::Declined => EntryKind::ConsentDeclined,
    };
    log::append_in(&tx, &key, now, &NewEntry::new(kind, by).patient(patient.clone()).detail(detail))?;
    let state = state_in(&tx, patient)?;
    tx.commit()?;
    Ok(state)
}

pub(crate) fn revoke(store: &mut Store, now: DateTime<Utc>, patient: &PatientRef, by: Actor) -> Result<ConsentState> {
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    super::get_in(&tx, patient)?;
    let changed = tx.execute(
        "UPDATE consents SET revoked_at_ms = ?2, revoked_by = ?3
         WHERE patient_id = ?1 AND revoked_at_ms IS NULL AND outcome = 'given'",
        params![patient.as_str(), now.timestamp_millis(), by.code()],
    )?;
    if changed > 0 {
        log::append_in(&tx, &key, now, &NewEntry::new(EntryKind::ConsentRevoked, by).patient(patient.clone()))?;
    }
    let state = state_in(&tx, patient)?;
    tx.commit()?;
    Ok(state)
}

/// The latest record decides: given, revoked, or none yet.
pub(crate) fn state_in(conn: &Connection, patient: &PatientRef) -> Result<ConsentState> {
    // Cached: a cleanup plan reads this once per contact.
    let latest = conn
        .prepare_cached(
            "SELECT method, text_version, recorded_by, recorded_at_ms, revoked_at_ms, revoked_by, outcome FROM consents
             WHERE patient_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([patient.as_str()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
            ))
        })
        .optional()?;
    let unreadable = || Error::Storage(format!("the consent record of {patient} is unreadable"));
    let time = |ms: i64| DateTime::from_timestamp_millis(ms).ok_or_else(unreadable);
    let actor = |code: &str| Actor::from_code(code).ok_or_else(unreadable);
    let Some((method, text_version, by, at, revoked, revoked_by, outcome)) = latest else {
        return Ok(ConsentState::None);
    };
    // Only a consent given can be withdrawn (`revoke`): a decline stays a decline.
    let declined = outcome == Answer::Declined.code();
    if let (false, Some(revoked)) = (declined, revoked) {
        return Ok(ConsentState::Revoked {
            at: time(revoked)?,
            by: actor(revoked_by.as_deref().unwrap_or("clinician"))?,
        });
    }
    let method = ConsentMethod::from_code(&method).ok_or_else(unreadable)?;
    let (recorded_by, at) = (actor(&by)?, time(at)?);
    Ok(if declined {
        ConsentState::Declined { method, text_version, recorded_by, at }
    } else {
        ConsentState::Given { method, text_version, recorded_by, at }
    })
}
