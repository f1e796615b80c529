//! Patient contacts on the phone. WhatsApp calls only people in the phone's contacts, so each
//! patient becomes one, named by the convention and marked as Televisit's. The core keeps its
//! own record of every contact it made, because the phone's book can be edited behind its back.

use crate::error::{Error, Result};
use crate::log::{self, Actor, Detail, EntryKind, NewEntry, PatientRef};
use crate::patients;
use crate::store::Store;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// What Televisit writes into a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactCard {
    pub display_name: String,
    /// E.164.
    pub phone: String,
    /// Marks the contact as Televisit's (`televisit:<patient id>`): an Android account type or
    /// data row, an iOS note, a vCard NOTE. It holds no name or number.
    pub marker: String,
}

/// A contact as the phone's book has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookContact {
    pub platform_id: String,
    pub display_name: String,
    pub phones: Vec<String>,
    pub marker: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    /// Contacts that carry Televisit's marker (or live in its account).
    Owned,
    /// Every contact the app may read: cleanup looks for hand-made lookalikes among them.
    All,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteOutcome {
    Deleted,
    /// The book no longer has it: someone removed it already.
    NotFound,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactBookError {
    #[error("the contact is no longer in the phone's contacts")]
    NotFound,
    #[error("contacts access was not granted: {0}")]
    PermissionDenied(String),
    #[error("the phone's contacts failed: {0}")]
    Failed(String),
}

/// The phone's contact book, implemented by each shell: Android's contacts provider, iOS's
/// CNContactStore, a vCard folder on the desktop. Messages must not carry names or numbers.
pub trait ContactBook: Send + Sync {
    fn create(&self, card: &ContactCard) -> Result<String, ContactBookError>;
    fn update(&self, platform_id: &str, card: &ContactCard) -> Result<(), ContactBookError>;
    /// One outcome per id, in order; one failure does not stop the rest.
    fn delete(&self, platform_ids: &[String]) -> Vec<DeleteOutcome>;
    fn get(&self, platform_id: &str) -> Result<Option<BookContact>, ContactBookError>;
    fn list(&self, scope: ListScope) -> Result<Vec<BookContact>, ContactBookError>;
    fn find_by_phone(&self, e164: &str) -> Result<Vec<BookContact>, ContactBookError>;
}

impl From<ContactBookError> for Error {
    fn from(err: ContactBookError) -> Self {
        Error::ContactBook(err.to_string())
    }
}

pub fn marker_for(patient: &PatientRef) -> String {
    format!("televisit:{patient}")
}

pub fn is_televisit_marker(marker: Option<&str>) -> bool {
    marker.is_some_and(|m| m.starts_with("televisit:"))
}

/// Televisit's own record of a contact it made.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
    pub platform_id: String,
    pub patient: PatientRef,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub visit_done: bool,
    /// Deletions that failed; the next cleanup tries again.
    pub failed_deletes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnsureAction {
    /// There was none: it was made.
    Created,
    /// A contact with Televisit's marker for this patient was found by phone and taken back.
    Adopted,
    /// It was deleted, renamed or had its number changed on the phone: it was put right.
    Repaired,
    Unchanged,
}

impl EnsureAction {
    /// Stable code, for the log, JSON and translations.
    pub fn code(&self) -> &'static str {
        match self {
            EnsureAction::Created => "created",
            EnsureAction::Adopted => "adopted",
            EnsureAction::Repaired => "repaired",
            EnsureAction::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnsuredContact {
    pub platform_id: String,
    pub action: EnsureAction,
}

/// What making a patient's contact starts from, read from the store: the card the convention
/// wants and the platform id Televisit recorded for it, if any.
pub(crate) struct EnsureTarget {
    pub card: ContactCard,
    pub recorded: Option<String>,
}

/// The store's half of `Televisit::ensure_contact`, read before the phone's book is asked (with
/// the store unlocked).
pub(crate) fn ensure_target(conn: &Connection, id: &PatientRef) -> Result<EnsureTarget> {
    let patient = patients::get_in(conn, id)?;
    if patient.archived_at.is_some() {
        return Err(Error::invalid("patient", format!("{id} is archived; its contact is left to cleanup")));
    }
    let card = ContactCard {
        display_name: patient.contact_name.clone(),
        phone: patient.phone.clone(),
        marker: marker_for(id),
    };
    let recorded = record_for(conn, id)?.map(|r| r.platform_id);
    Ok(EnsureTarget { card, recorded })
}

/// The book's half of `Televisit::ensure_contact`: makes the patient's contact exist as the
/// convention says, whatever happened to it on the phone, and says what it did. Touches no
/// store, so the caller holds no store lock while the phone's book works (which can take
/// seconds); the caller then records the result (`save_record`). Idempotent: a second run
/// changes nothing (`Unchanged`).
pub(crate) fn put_right(book: &dyn ContactBook, target: &EnsureTarget) -> Result<(String, EnsureAction)> {
    let card = &target.card;
    Ok(match &target.recorded {
        Some(recorded) => match book.get(recorded)? {
            Some(found) if matches_card(&found, card) => (recorded.clone(), EnsureAction::Unchanged),
            Some(_) => match book.update(recorded, card) {
                Ok(()) => (recorded.clone(), EnsureAction::Repaired),
                Err(ContactBookError::NotFound) => (book.create(card)?, EnsureAction::Repaired),
                Err(err) => return Err(err.into()),
            },
            None => (book.create(card)?, EnsureAction::Repaired),
        },
        None => {
            let ours = book
                .find_by_phone(&card.phone)?
                .into_iter()
                .find(|c| c.marker.as_deref() == Some(card.marker.as_str()));
            match ours {
                Some(found) => {
                    if !matches_card(&found, card) {
                        book.update(&found.platform_id, card)?;
                    }
                    (found.platform_id, EnsureAction::Adopted)
                }
                None => (book.create(card)?, EnsureAction::Created),
            }
        }
    })
}

fn matches_card(found: &BookContact, card: &ContactCard) -> bool {
    found.display_name == card.display_name && found.phones.iter().any(|p| p == &card.phone)
}

/// Records the contact (a new platform id replaces the old) and logs what was done, in one
/// transaction. The contact already exists on the phone: if this fails (or the app dies first),
/// the next call adopts it by its marker.
pub(crate) fn save_record(
    store: &mut Store,
    now: DateTime<Utc>,
    id: &PatientRef,
    platform_id: &str,
    action: &EnsureAction,
) -> Result<()> {
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    let at = now.timestamp_millis();
    tx.execute(
        "INSERT INTO contacts (patient_id, platform_id, created_at_ms, last_used_at_ms, visit_done)
         VALUES (?1, ?2, ?3, ?3, (SELECT visit_done_at_ms IS NOT NULL FROM patients WHERE id = ?1))
         ON CONFLICT (patient_id) DO UPDATE SET
           platform_id = excluded.platform_id,
           last_used_at_ms = excluded.last_used_at_ms,
           created_at_ms = CASE WHEN contacts.platform_id = excluded.platform_id THEN contacts.created_at_ms ELSE excluded.created_at_ms END",
        params![id.as_str(), platform_id, at],
    )?;
    let kind = match action {
        EnsureAction::Created => Some(EntryKind::ContactCreated),
        EnsureAction::Adopted | EnsureAction::Repaired => Some(EntryKind::ContactRepaired),
        EnsureAction::Unchanged => None,
    };
    if let Some(kind) = kind {
        let detail = Detail::new().code("action", action.code());
        log::append_in(&tx, &key, now, &NewEntry::new(kind, Actor::Clinician).patient(id.clone()).detail(detail))?;
    }
    tx.commit()?;
    Ok(())
}

/// Marks the patient's visit as done: its contact becomes due for cleanup when the policy says so.
pub(crate) fn mark_visit_done(store: &mut Store, now: DateTime<Utc>, id: &PatientRef) -> Result<()> {
    patients::get_in(&store.conn, id)?;
    let key = store.key.log_mac_key();
    let tx = store.conn.transaction()?;
    // On the patient (the day's list), and on the contact if there is one (cleanup); a contact
    // made later takes it from the patient.
    tx.execute(
        "UPDATE patients SET visit_done_at_ms = ?2 WHERE id = ?1 AND visit_done_at_ms IS NULL",
        params![id.as_str(), now.timestamp_millis()],
    )?;
    tx.execute("UPDATE contacts SET visit_done = 1 WHERE patient_id = ?1", [id.as_str()])?;
    log::append_in(&tx, &key, now, &NewEntry::new(EntryKind::VisitCompleted, Actor::Clinician).patient(id.clone()))?;
    tx.commit()?;
    Ok(())
}

pub(crate) fn record_for(conn: &Connection, id: &PatientRef) -> Result<Option<ContactRecord>> {
    Ok(records(conn, Some(id))?.into_iter().next())
}

pub(crate) fn records(conn: &Connection, only: Option<&PatientRef>) -> Result<Vec<ContactRecord>> {
    let mut stmt = conn.prepare(
        "SELECT platform_id, patient_id, created_at_ms, last_used_at_ms, visit_done, failed_deletes FROM contacts
         WHERE ?1 IS NULL OR patient_id = ?1 ORDER BY created_at_ms, platform_id",
    )?;
    let rows = stmt.query_map([only.map(|p| p.as_str())], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, bool>(4)?,
            row.get::<_, u32>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (platform_id, patient, created, used, visit_done, failed_deletes) = row?;
        let time = |ms| DateTime::from_timestamp_millis(ms).unwrap_or_default();
        out.push(ContactRecord {
            platform_id,
            patient: PatientRef::parse(&patient)
                .map_err(|_| Error::Storage("a contact record is unreadable".into()))?,
            created_at: time(created),
            last_used_at: time(used),
            visit_done,
            failed_deletes,
        });
    }
    Ok(out)
}

pub(crate) fn platform_id_known(conn: &Connection, platform_id: &str) -> Result<bool> {
    Ok(conn.query_row("SELECT 1 FROM contacts WHERE platform_id = ?1", [platform_id], |_| Ok(())).optional()?.is_some())
}

/// Deletes every contact that carries Televisit's marker (found in the phone's book itself: the
/// store may be gone or new), and counts what was deleted and what failed. The wipe's contacts
/// step and a new store's sweep of what an earlier one left both do exactly this.
pub fn delete_owned(book: &dyn ContactBook) -> std::result::Result<(u32, u32), ContactBookError> {
    let ids: Vec<String> = book.list(ListScope::Owned)?.into_iter().map(|c| c.platform_id).collect();
    if ids.is_empty() {
        return Ok((0, 0));
    }
    let outcomes = book.delete(&ids);
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let deleted = count(outcomes.iter().filter(|o| **o == DeleteOutcome::Deleted).count());
    let failed = count(outcomes.iter().filter(|o| matches!(o, DeleteOutcome::Failed(_))).count());
    Ok((deleted, failed))
}
