//! The phone's contact book as a foreign trait each shell implements, and the cleanup's types.

use crate::patients::patient_ref;
use crate::{Televisit, TelevisitError};
use std::sync::Arc;
use std::time::SystemTime;
use televisit_core::cleanup as core_cleanup;
use televisit_core::contacts as core;

pub use televisit_core::cleanup::{CleanupOutcome, CleanupRules, Lookalike, RemovalReason};
pub use televisit_core::contacts::{BookContact, ContactCard, EnsureAction, EnsuredContact, ListScope};

#[uniffi::remote(Record)]
pub struct ContactCard {
    pub display_name: String,
    pub phone: String,
    pub marker: String,
}

#[uniffi::remote(Record)]
pub struct BookContact {
    pub platform_id: String,
    pub display_name: String,
    pub phones: Vec<String>,
    pub marker: Option<String>,
}

#[uniffi::remote(Enum)]
pub enum ListScope {
    Owned,
    All,
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum DeleteOutcome {
    Deleted,
    NotFound,
    Failed { reason: String },
}

/// Thrown by a shell's `ContactBook`. Reasons must not contain names or numbers.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ContactBookError {
    #[error("the contact is no longer in the phone's contacts")]
    NotFound,
    #[error("contacts access was not granted: {reason}")]
    PermissionDenied { reason: String },
    #[error("the phone's contacts failed: {reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ContactBookError {
    fn from(err: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ContactBookError::Failed { reason: format!("unexpected error in the contacts adapter: {}", err.reason) }
    }
}

/// The phone's contacts: Android's provider under Televisit's account, iOS's CNContactStore,
/// a vCard folder on the desktop.
#[uniffi::export(foreign)]
pub trait ContactBook: Send + Sync {
    fn create(&self, card: ContactCard) -> Result<String, ContactBookError>;
    fn update(&self, platform_id: String, card: ContactCard) -> Result<(), ContactBookError>;
    /// One outcome per id, in order.
    fn delete(&self, platform_ids: Vec<String>) -> Result<Vec<DeleteOutcome>, ContactBookError>;
    fn get(&self, platform_id: String) -> Result<Option<BookContact>, ContactBookError>;
    fn list(&self, scope: ListScope) -> Result<Vec<BookContact>, ContactBookError>;
    fn find_by_phone(&self, e164: String) -> Result<Vec<BookContact>, ContactBookError>;
}

pub(crate) struct ForeignBook(pub Arc<dyn ContactBook>);

impl From<ContactBookError> for core::ContactBookError {
    fn from(err: ContactBookError) -> Self {
        match err {
            ContactBookError::NotFound => core::ContactBookError::NotFound,
            ContactBookError::PermissionDenied { reason } => core::ContactBookError::PermissionDenied(reason),
            ContactBookError::Failed { reason } => core::ContactBookError::Failed(reason),
        }
    }
}

impl core::ContactBook for ForeignBook {
    fn create(&self, card: &ContactCard) -> Result<String, core::ContactBookError> {
        Ok(self.0.create(card.clone())?)
    }
    fn update(&self, platform_id: &str, card: &ContactCard) -> Result<(), core::ContactBookError> {
        Ok(self.0.update(platform_id.to_owned(), card.clone())?)
    }
    /// A book that throws instead of answering per id has failed for every id.
    fn delete(&self, platform_ids: &[String]) -> Vec<core::DeleteOutcome> {
        match self.0.delete(platform_ids.to_vec()) {
            Ok(outcomes) => outcomes.into_iter().map(Into::into).collect(),
            Err(err) => platform_ids.iter().map(|_| core::DeleteOutcome::Failed(err.to_string())).collect(),
        }
    }
    fn get(&self, platform_id: &str) -> Result<Option<BookContact>, core::ContactBookError> {
        Ok(self.0.get(platform_id.to_owned())?)
    }
    fn list(&self, scope: ListScope) -> Result<Vec<BookContact>, core::ContactBookError> {
        Ok(self.0.list(scope)?)
    }
    fn find_by_phone(&self, e164: &str) -> Result<Vec<BookContact>, core::ContactBookError> {
        Ok(self.0.find_by_phone(e164.to_owned())?)
    }
}

impl From<DeleteOutcome> for core::DeleteOutcome {
    fn from(outcome: DeleteOutcome) -> Self {
        match outcome {
            DeleteOutcome::Deleted => core::DeleteOutcome::Deleted,
            DeleteOutcome::NotFound => core::DeleteOutcome::NotFound,
            DeleteOutcome::Failed { reason } => core::DeleteOutcome::Failed(reason),
        }
    }
}

#[uniffi::remote(Enum)]
pub enum EnsureAction {
    Created,
    Adopted,
    Repaired,
    Unchanged,
}

#[uniffi::remote(Record)]
pub struct EnsuredContact {
    pub platform_id: String,
    pub action: EnsureAction,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ContactRecord {
    pub platform_id: String,
    pub patient: String,
    pub created_at: SystemTime,
    pub last_used_at: SystemTime,
    pub visit_done: bool,
    pub failed_deletes: u32,
}

impl From<core::ContactRecord> for ContactRecord {
    fn from(r: core::ContactRecord) -> Self {
        ContactRecord {
            platform_id: r.platform_id,
            patient: r.patient.to_string(),
            created_at: r.created_at.into(),
            last_used_at: r.last_used_at.into(),
            visit_done: r.visit_done,
            failed_deletes: r.failed_deletes,
        }
    }
}

#[uniffi::remote(Record)]
pub struct CleanupRules {
    pub older_than_days: u32,
    pub when_visit_done: bool,
}

#[uniffi::remote(Enum)]
pub enum RemovalReason {
    NotUsedFor { days: u32 },
    VisitDone,
    PatientArchived,
    ConsentRevoked,
    ConsentDeclined,
    EarlierDeleteFailed,
    Orphaned,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PlannedRemoval {
    pub platform_id: String,
    pub patient: String,
    pub contact_name: String,
    pub reasons: Vec<RemovalReason>,
}

#[uniffi::remote(Record)]
pub struct Lookalike {
    pub platform_id: String,
    pub display_name: String,
}

/// The dry run, to show and then hand back to `cleanup_apply`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CleanupPlan {
    pub made_at: SystemTime,
    pub rules: CleanupRules,
    pub remove: Vec<PlannedRemoval>,
    pub lookalikes: Vec<Lookalike>,
}

#[uniffi::remote(Enum)]
pub enum CleanupOutcome {
    Deleted,
    AlreadyGone,
    Failed { reason: String },
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CleanupResult {
    pub platform_id: String,
    pub patient: Option<String>,
    pub outcome: CleanupOutcome,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CleanupReport {
    pub results: Vec<CleanupResult>,
    pub deleted: u32,
    pub already_gone: u32,
    pub failed: u32,
}

impl From<core_cleanup::CleanupPlan> for CleanupPlan {
    fn from(plan: core_cleanup::CleanupPlan) -> Self {
        CleanupPlan {
            made_at: plan.made_at.into(),
            rules: plan.rules,
            remove: plan
                .remove
                .into_iter()
                .map(|r| PlannedRemoval {
                    platform_id: r.platform_id,
                    patient: r.patient.to_string(),
                    contact_name: r.contact_name,
                    reasons: r.reasons,
                })
                .collect(),
            lookalikes: plan.lookalikes,
        }
    }
}

impl TryFrom<CleanupPlan> for core_cleanup::CleanupPlan {
    type Error = TelevisitError;
    fn try_from(plan: CleanupPlan) -> Result<Self, TelevisitError> {
        let remove = plan
            .remove
            .into_iter()
            .map(|r| {
                Ok(core_cleanup::PlannedRemoval {
                    platform_id: r.platform_id,
                    patient: patient_ref(&r.patient)?,
                    contact_name: r.contact_name,
                    reasons: r.reasons,
                })
            })
            .collect::<Result<_, TelevisitError>>()?;
        Ok(core_cleanup::CleanupPlan {
            made_at: plan.made_at.into(),
            rules: plan.rules,
            remove,
            lookalikes: plan.lookalikes,
        })
    }
}

impl From<core_cleanup::CleanupReport> for CleanupReport {
    fn from(r: core_cleanup::CleanupReport) -> Self {
        CleanupReport {
            results: r
                .results
                .into_iter()
                .map(|c| CleanupResult {
                    platform_id: c.platform_id,
                    patient: c.patient.map(|p| p.to_string()),
                    outcome: c.outcome,
                })
                .collect(),
            deleted: r.deleted,
            already_gone: r.already_gone,
            failed: r.failed,
        }
    }
}

pub use televisit_core::orphans::OrphanSweep;

/// What a sweep of contacts left behind by an earlier store found.
#[uniffi::remote(Enum)]
pub enum OrphanSweep {
    NotDue,
    Waiting,
    Swept { deleted: u32, failed: u32 },
}

#[uniffi::export]
impl Televisit {
    /// After every open: on a new store that holds no patient yet, deletes Televisit's marked
    /// contacts an earlier store left in the phone's book (clear data, a reinstall). Never after
    /// a wipe that kept the contacts, never once a patient was added.
    pub fn sweep_orphaned_contacts(&self, book: Arc<dyn ContactBook>) -> crate::Result<OrphanSweep> {
        Ok(self.0.sweep_orphaned_contacts(&self.1, &ForeignBook(book))?)
    }
}
