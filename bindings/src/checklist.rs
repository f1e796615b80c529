//! The privacy-settings checklist across the FFI.

use crate::call::Platform;
use std::time::SystemTime;
use televisit_core::checklist as core;

pub use televisit_core::checklist::{Requirement, RunKind, Source};

#[uniffi::remote(Enum)]
pub enum Requirement {
    One(String),
    AnyOf(Vec<String>),
    NotChecked,
}

#[uniffi::remote(Enum)]
pub enum Source {
    Clinician,
    DeviceScreenLock,
    DeviceWhatsApp,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One setting of the catalog, with its paths on each platform.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistItem {
    pub id: String,
    pub title: String,
    pub why: String,
    pub android_path: String,
    pub iphone_path: String,
    pub legacy_path: Option<String>,
    pub choices: Vec<Choice>,
    pub recommended: String,
    pub recommended_why: String,
    pub source: Source,
}

impl From<&core::CatalogItem> for ChecklistItem {
    fn from(item: &core::CatalogItem) -> Self {
        ChecklistItem {
            id: item.id.into(),
            title: item.title.into(),
            why: item.why.into(),
            android_path: item.android_path.into(),
            iphone_path: item.iphone_path.into(),
            legacy_path: item.legacy_path.map(Into::into),
            choices: item.choices.iter().map(|c| Choice { value: c.value.into(), label: c.label.into() }).collect(),
            recommended: item.recommended.into(),
            recommended_why: item.recommended_why.into(),
            source: item.source,
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RunItem {
    pub item: ChecklistItem,
    /// Where to find it on this run's platform.
    pub path: String,
    pub required: Requirement,
    pub answer: Option<String>,
    pub pre_answered: bool,
    /// Carried over from the last result: not asked, may be changed.
    pub carried: bool,
    /// Answered by Strict account settings: not asked, may be changed.
    pub covered: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistRun {
    pub platform: Platform,
    pub catalog_version: u32,
    pub started_at: SystemTime,
    pub kind: RunKind,
    pub attested_unchanged: bool,
    pub items: Vec<RunItem>,
}

#[uniffi::remote(Enum)]
pub enum RunKind {
    Full,
    Reconfirm,
}

impl From<core::ChecklistRun> for ChecklistRun {
    fn from(run: core::ChecklistRun) -> Self {
        ChecklistRun {
            platform: run.platform,
            catalog_version: run.catalog_version,
            started_at: run.started_at.into(),
            kind: run.kind,
            attested_unchanged: run.attested_unchanged,
            items: run
                .items
                .into_iter()
                .map(|i| RunItem {
                    item: i.item.into(),
                    path: i.path.into(),
                    required: i.required,
                    answer: i.answer,
                    pre_answered: i.pre_answered,
                    carried: i.carried,
                    covered: i.covered,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Deviation {
    pub item_id: String,
    pub title: String,
    pub answer: String,
    /// The answer as the choices name it ("On"): what a screen shows.
    pub answer_label: String,
    pub required: Vec<String>,
    pub instruction: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistResult {
    pub compliant: bool,
    pub deviations: Vec<Deviation>,
    pub finished_at: SystemTime,
}

impl From<core::ChecklistResult> for ChecklistResult {
    fn from(r: core::ChecklistResult) -> Self {
        ChecklistResult {
            compliant: r.compliant,
            deviations: r
                .deviations
                .into_iter()
                .map(|d| Deviation {
                    item_id: d.item_id.into(),
                    title: d.title.into(),
                    answer: d.answer,
                    answer_label: d.answer_label,
                    required: d.required,
                    instruction: d.instruction,
                })
                .collect(),
            finished_at: r.finished_at.into(),
        }
    }
}

/// The catalog this build carries, and its version.
#[uniffi::export]
pub fn checklist_catalog() -> Vec<ChecklistItem> {
    core::CATALOG.iter().map(Into::into).collect()
}

#[uniffi::export]
pub fn checklist_catalog_version() -> u32 {
    core::CATALOG_VERSION
}
