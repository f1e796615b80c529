//! Patients and consent across the FFI: records mirroring the core's, with conversions.

use crate::TelevisitError;
use std::time::SystemTime;
use televisit_core::log::PatientRef;
use televisit_core::patients as core;

pub use televisit_core::patients::ConsentMethod;
use televisit_core::Actor;

#[uniffi::remote(Enum)]
pub enum ConsentMethod {
    Verbal,
    Written,
    InApp,
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ConsentState {
    None,
    Given {
        method: ConsentMethod,
        text_version: String,
        recorded_by: Actor,
        at: SystemTime,
    },
    Revoked {
        at: SystemTime,
        by: Actor,
    },
    /// Asked, and the patient said no: not the same as never asked.
    Declined {
        method: ConsentMethod,
        text_version: String,
        recorded_by: Actor,
        at: SystemTime,
    },
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct NewPatient {
    pub given_name: String,
    pub family_name: String,
    /// As typed; kept in E.164 with the policy's default region.
    pub phone: String,
    #[uniffi(default = None)]
    pub visit_at: Option<SystemTime>,
}

/// Changes to a patient: `None` leaves a field as it is; `clear_visit_at` removes the visit time.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct PatientUpdate {
    #[uniffi(default = None)]
    pub given_name: Option<String>,
    #[uniffi(default = None)]
    pub family_name: Option<String>,
    #[uniffi(default = None)]
    pub phone: Option<String>,
    #[uniffi(default = None)]
    pub visit_at: Option<SystemTime>,
    #[uniffi(default = false)]
    pub clear_visit_at: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Patient {
    /// The opaque id (`pt_…`): the only way the patient is named outside the store.
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    /// E.164.
    pub phone: String,
    pub visit_at: Option<SystemTime>,
    pub created_at: SystemTime,
    pub archived_at: Option<SystemTime>,
    /// The contact's name under the organisation's convention.
    pub contact_name: String,
    pub consent: ConsentState,
}

pub(crate) fn patient_ref(id: &str) -> Result<PatientRef, TelevisitError> {
    Ok(PatientRef::parse(id)?)
}

impl From<NewPatient> for core::NewPatient {
    fn from(p: NewPatient) -> Self {
        core::NewPatient {
            given_name: p.given_name,
            family_name: p.family_name,
            phone: p.phone,
            visit_at: p.visit_at.map(Into::into),
        }
    }
}

impl From<PatientUpdate> for core::PatientUpdate {
    fn from(u: PatientUpdate) -> Self {
        let visit_at = if u.clear_visit_at { Some(None) } else { u.visit_at.map(|t| Some(t.into())) };
        core::PatientUpdate { given_name: u.given_name, family_name: u.family_name, phone: u.phone, visit_at }
    }
}

impl From<core::ConsentState> for ConsentState {
    fn from(state: core::ConsentState) -> Self {
        match state {
            core::ConsentState::None => ConsentState::None,
            core::ConsentState::Given { method, text_version, recorded_by, at } => {
                ConsentState::Given { method, text_version, recorded_by, at: at.into() }
            }
            core::ConsentState::Revoked { at, by } => ConsentState::Revoked { at: at.into(), by },
            core::ConsentState::Declined { method, text_version, recorded_by, at } => {
                ConsentState::Declined { method, text_version, recorded_by, at: at.into() }
            }
        }
    }
}

impl From<core::Patient> for Patient {
    fn from(p: core::Patient) -> Self {
        Patient {
            id: p.id.to_string(),
            given_name: p.given_name,
            family_name: p.family_name,
            phone: p.phone,
            visit_at: p.visit_at.map(Into::into),
            created_at: p.created_at.into(),
            archived_at: p.archived_at.map(Into::into),
            contact_name: p.contact_name,
            consent: p.consent.into(),
        }
    }
}

pub use televisit_core::patients::day::Section as ListSection;

#[uniffi::remote(Enum)]
pub enum ListSection {
    Today,
    Upcoming,
    Unscheduled,
    Overdue,
    Done,
    Archived,
}

/// One row of the day's list (`dayList`): the patient, its section, and the label that tells
/// namesakes apart.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ListedPatient {
    pub patient: Patient,
    pub section: ListSection,
    pub label: String,
    pub visit_done_at: Option<SystemTime>,
}

impl From<televisit_core::patients::day::ListedPatient> for ListedPatient {
    fn from(row: televisit_core::patients::day::ListedPatient) -> Self {
        ListedPatient {
            patient: row.patient.into(),
            section: row.section,
            label: row.label,
            visit_done_at: row.visit_done_at.map(Into::into),
        }
    }
}
