//! Patients: the only place their names and numbers live, inside the encrypted store. Everything
//! outside it (the log, errors, files) sees the opaque id alone.

pub mod consent;
pub mod day;
pub mod phone;

pub use consent::{ConsentMethod, ConsentState};

use crate::error::{Error, Result};
use crate::log::{self, Actor, Detail, EntryKind, NewEntry, PatientRef};
use crate::naming::{clean_name, unique_name, NameTemplate};
use crate::policy::Policy;
use crate::store::Store;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub struct NewPatient {
    pub given_name: String,
    pub family_name: String,
    /// As typed; stored in E.164.
    pub phone: String,
    pub visit_at: Option<DateTime<Utc>>,
}

/// Changes to a patient; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientUpdate {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub phone: Option<String>,
    /// `Some(None)` clears the visit time.
    pub visit_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub id: PatientRef,
    pub given_name: String,
    pub family_name: String,
    pub phone: String,
    pub visit_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    /// The contact's name under the convention: distinct among current patients, and kept
    /// while the names it was made from do not change.
    pub contact_name: String,
    pub consent: ConsentState,
}

const COLUMNS: &str = "id, given_name, family_name, phone, visit_at_ms, created_at_ms, archived_at_ms, contact_name";

pub(crate) fn add(store: &mut Store, now: DateTime<Utc>, policy: &Policy, new: &NewPatient) -> Result<Patient> {
    let given = clean_name("given name", &new.given_name)?;
    let family = clean_name("family name", &new.family_name)?;
    let phone = phone::to_e164(&new.phone, &policy.contacts.default_region)?;
    let template = NameTemplate::parse(&policy.contacts.name_template)?;
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let duplicate: Option<String> = tx
        .query_row(
            "SELECT id FROM patients WHERE given_name = ?1 AND family_name = ?2 AND phone = ?3 AND archived_at_ms IS NULL",
            params![given, family, phone],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(existing) = duplicate {
        return Err(Error::invalid("patient", format!("is already on the list as {existing}")));
    }
    let id = PatientRef::generate()?;
    let contact_name = unique_name(&template.render(&given, &family), &names_in_use(&tx, None)?);
    tx.execute(
        "INSERT INTO patients (id, given_name, family_name, phone, visit_at_ms, created_at_ms, contact_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id.as_str(),
            given,
            family,
            phone,
            new.visit_at.map(|t| t.timestamp_millis()),
            now.timestamp_millis(),
            contact_name
        ],
    )?;
    log::append_in(&tx, &key, now, &NewEntry::new(EntryKind::PatientAdded, Actor::Clinician).patient(id.clone()))?;
    let patient = get_in(&tx, &id)?;
    tx.commit()?;
    Ok(patient)
}

pub(crate) fn update(
    store: &mut Store,
    now: DateTime<Utc>,
    policy: &Policy,
    id: &PatientRef,
    change: &PatientUpdate,
) -> Result<Patient> {
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let current = get_in(&tx, id)?;
    if current.archived_at.is_some() {
        return Err(Error::invalid("patient", format!("{id} is archived")));
    }
    let given = change
        .given_name
        .as_deref()
        .map(|g| clean_name("given name", g))
        .transpose()?
        .unwrap_or(current.given_name.clone());
    let family = change
        .family_name
        .as_deref()
        .map(|f| clean_name("family name", f))
        .transpose()?
        .unwrap_or(current.family_name.clone());
    let phone = change
        .phone
        .as_deref()
        .map(|p| phone::to_e164(p, &policy.contacts.default_region))
        .transpose()?
        .unwrap_or(current.phone.clone());
    let visit_at = change.visit_at.unwrap_or(current.visit_at);
    // The contact name follows the names, and stays as it is while they do not change.
    let renamed = given != current.given_name || family != current.family_name;
    let contact_name = if renamed {
        let template = NameTemplate::parse(&policy.contacts.name_template)?;
        unique_name(&template.render(&given, &family), &names_in_use(&tx, Some(id))?)
    } else {
        current.contact_name.clone()
    };
    tx.execute(
        "UPDATE patients SET given_name = ?2, family_name = ?3, phone = ?4, visit_at_ms = ?5, contact_name = ?6 WHERE id = ?1",
        params![id.as_str(), given, family, phone, visit_at.map(|t| t.timestamp_millis()), contact_name],
    )?;
    if visit_at != current.visit_at {
        // A new visit time is a new visit: the earlier one's "done" does not carry over.
        tx.execute("UPDATE patients SET visit_done_at_ms = NULL WHERE id = ?1", [id.as_str()])?;
        tx.execute("UPDATE contacts SET visit_done = 0 WHERE patient_id = ?1", [id.as_str()])?;
    }
    let fields = Detail::new()
        .bool("name", renamed)
        .bool("phone", phone != current.phone)
        .bool("visit_time", visit_at != current.visit_at);
    log::append_in(
        &tx,
        &key,
        now,
        &NewEntry::new(EntryKind::PatientUpdated, Actor::Clinician).patient(id.clone()).detail(fields),
    )?;
    let patient = get_in(&tx, id)?;
    tx.commit()?;
    Ok(patient)
}

/// Archived patients stay in the store (the log refers to them) but leave the list, and their
/// contacts become due for cleanup.
pub(crate) fn archive(store: &mut Store, now: DateTime<Utc>, id: &PatientRef) -> Result<Patient> {
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let current = get_in(&tx, id)?;
    if current.archived_at.is_none() {
        tx.execute(
            "UPDATE patients SET archived_at_ms = ?2 WHERE id = ?1",
            params![id.as_str(), now.timestamp_millis()],
        )?;
        log::append_in(
            &tx,
            &key,
            now,
            &NewEntry::new(EntryKind::PatientArchived, Actor::Clinician).patient(id.clone()),
        )?;
    }
    let patient = get_in(&tx, id)?;
    tx.commit()?;
    Ok(patient)
}

pub(crate) fn list(conn: &Connection, include_archived: bool) -> Result<Vec<Patient>> {
    let filter = if include_archived { "" } else { " WHERE archived_at_ms IS NULL" };
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM patients{filter} ORDER BY created_at_ms, rowid"))?;
    let rows = stmt.query_map([], row_to_patient)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|mut p| {
            consent::state_in(conn, &p.id).map(|c| {
                p.consent = c;
                p
            })
        })
        .collect()
}

pub(crate) fn get_in(conn: &Connection, id: &PatientRef) -> Result<Patient> {
    let mut patient = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM patients WHERE id = ?1"))?
        .query_row([id.as_str()], row_to_patient)
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "patient", id: id.to_string() })?;
    patient.consent = consent::state_in(conn, id)?;
    Ok(patient)
}

fn row_to_patient(row: &Row<'_>) -> rusqlite::Result<Patient> {
    let time = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or_default();
    Ok(Patient {
        id: PatientRef::parse(&row.get::<_, String>(0)?).map_err(|_| rusqlite::Error::InvalidQuery)?,
        given_name: row.get(1)?,
        family_name: row.get(2)?,
        phone: row.get(3)?,
        visit_at: row.get::<_, Option<i64>>(4)?.map(time),
        created_at: time(row.get(5)?),
        archived_at: row.get::<_, Option<i64>>(6)?.map(time),
        contact_name: row.get(7)?,
        consent: ConsentState::None,
    })
}

/// Contact names that a new name must not repeat: those of current patients, and of archived
/// ones whose contact is still on the phone.
fn names_in_use(conn: &Connection, except: Option<&PatientRef>) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare(
        "SELECT contact_name FROM patients
         WHERE (archived_at_ms IS NULL OR id IN (SELECT patient_id FROM contacts)) AND id IS NOT ?1",
    )?;
    let names = stmt.query_map([except.map(|p| p.as_str())], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(names)
}
