//! How the shell shows patients, consent, contacts and cleanup: tables for staff, JSON for
//! scripts. Names and numbers appear here because stdout is the user's own screen; nothing in
//! this module writes to stderr.

use crate::view::{table, time};
use serde::Serialize;
use std::collections::HashMap;
use televisit_core::contacts::ContactRecord;
use televisit_core::{
    CleanupOutcome, CleanupPlan, CleanupReport, CleanupRules, ConsentMethod, ConsentState, ListSection, ListedPatient,
    Patient,
};

/// What staff are told about a contact Televisit did not make.
pub const LOOKALIKE_NOTE: &str = "not Televisit's: confirm to delete";

#[derive(Serialize)]
pub struct PatientView {
    pub id: String,
    pub contact_name: String,
    pub given_name: String,
    pub family_name: String,
    pub phone: String,
    pub visit_at: Option<String>,
    pub created_at: String,
    pub archived: bool,
    pub archived_at: Option<String>,
    pub consent: ConsentView,
}

impl From<&Patient> for PatientView {
    fn from(p: &Patient) -> Self {
        PatientView {
            id: p.id.to_string(),
            contact_name: p.contact_name.clone(),
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            phone: p.phone.clone(),
            visit_at: p.visit_at.as_ref().map(time),
            created_at: time(&p.created_at),
            archived: p.archived_at.is_some(),
            archived_at: p.archived_at.as_ref().map(time),
            consent: (&p.consent).into(),
        }
    }
}

#[derive(Serialize)]
pub struct ConsentView {
    /// `none`, `given` or `revoked`.
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl From<&ConsentState> for ConsentView {
    fn from(c: &ConsentState) -> Self {
        match c {
            ConsentState::None => ConsentView { state: "none", method: None, text_version: None, by: None, at: None },
            ConsentState::Given { method, text_version, recorded_by, at }
            | ConsentState::Declined { method, text_version, recorded_by, at } => ConsentView {
                state: answer_word(c),
                method: Some(method.code()),
                text_version: Some(text_version.clone()),
                by: Some(recorded_by.code()),
                at: Some(time(at)),
            },
            ConsentState::Revoked { at, by } => ConsentView {
                state: "revoked",
                method: None,
                text_version: None,
                by: Some(by.code()),
                at: Some(time(at)),
            },
        }
    }
}

/// The patient's answer as recorded: `given` or `declined`.
fn answer_word(c: &ConsentState) -> &'static str {
    if matches!(c, ConsentState::Declined { .. }) {
        "declined"
    } else {
        "given"
    }
}

/// `given (verbal, v1)`, `revoked`, `none`.
pub fn consent_short(c: &ConsentState) -> String {
    match c {
        ConsentState::None => "none".into(),
        ConsentState::Given { method, text_version, .. } => format!("given ({}, {text_version})", method_text(*method)),
        ConsentState::Revoked { .. } => "revoked".into(),
        ConsentState::Declined { .. } => "declined".into(),
    }
}

/// `given: verbal, text v1, recorded by clinician at …`.
pub fn consent_line(c: &ConsentState) -> String {
    match c {
        ConsentState::None => "never asked (none on record)".into(),
        ConsentState::Given { method, text_version, recorded_by, at }
        | ConsentState::Declined { method, text_version, recorded_by, at } => format!(
            "{}: {}, text {text_version}, recorded by {recorded_by} at {}",
            answer_word(c),
            method_text(*method),
            time(at)
        ),
        ConsentState::Revoked { at, by } => format!("revoked by {by} at {}", time(at)),
    }
}

/// As the command line spells it: `in-app`.
pub fn method_text(method: ConsentMethod) -> String {
    method.code().replace('_', "-")
}

/// A row of the day's list (`patient list`): the patient, where it stands, and the label that
/// tells namesakes apart.
#[derive(Serialize)]
pub struct ListedView {
    #[serde(flatten)]
    pub patient: PatientView,
    /// `today`, `upcoming`, `unscheduled`, `overdue`, `done` or `archived`.
    pub section: &'static str,
    pub label: String,
    pub visit_done_at: Option<String>,
}

impl From<&ListedPatient> for ListedView {
    fn from(row: &ListedPatient) -> Self {
        ListedView {
            patient: (&row.patient).into(),
            section: section_code(row.section),
            label: row.label.clone(),
            visit_done_at: row.visit_done_at.as_ref().map(time),
        }
    }
}

pub fn section_code(section: ListSection) -> &'static str {
    match section {
        ListSection::Today => "today",
        ListSection::Upcoming => "upcoming",
        ListSection::Unscheduled => "unscheduled",
        ListSection::Overdue => "overdue",
        ListSection::Done => "done",
        ListSection::Archived => "archived",
    }
}

/// The day's list as a table, in the core's order: today's visits first.
pub fn day_table(rows: &[ListedPatient]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let p = &row.patient;
            vec![
                p.id.to_string(),
                section_code(row.section).to_owned(),
                row.label.clone(),
                p.phone.clone(),
                consent_short(&p.consent),
                p.visit_at.as_ref().map_or("-".into(), time),
                p.archived_at.as_ref().map_or("no".into(), |at| format!("yes, {}", time(at))),
            ]
        })
        .collect();
    table(&["id", "when", "label", "phone", "consent", "visit", "archived"], &rows)
}

/// Whether the phone's book still has a contact Televisit recorded.
#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum InBook {
    Present,
    Missing,
    Unreadable,
}

#[derive(Serialize)]
pub struct ContactRecordView {
    pub platform_id: String,
    pub patient: String,
    pub created_at: String,
    pub last_used_at: String,
    pub visit_done: bool,
    pub failed_deletes: u32,
    pub in_book: InBook,
}

impl ContactRecordView {
    pub fn new(record: &ContactRecord, in_book: InBook) -> Self {
        ContactRecordView {
            platform_id: record.platform_id.clone(),
            patient: record.patient.to_string(),
            created_at: time(&record.created_at),
            last_used_at: time(&record.last_used_at),
            visit_done: record.visit_done,
            failed_deletes: record.failed_deletes,
            in_book,
        }
    }
}

pub fn contact_records_table(records: &[ContactRecordView]) -> String {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                r.platform_id.clone(),
                r.patient.clone(),
                r.created_at.clone(),
                r.last_used_at.clone(),
                if r.visit_done { "yes" } else { "no" }.into(),
                match r.in_book {
                    InBook::Present => "present",
                    InBook::Missing => "MISSING (contact ensure puts it back)",
                    InBook::Unreadable => "UNREADABLE",
                }
                .into(),
            ]
        })
        .collect();
    table(&["platform id", "patient", "created", "last used", "visit done", "in the contacts"], &rows)
}

pub fn rules_text(rules: &CleanupRules) -> String {
    let visit = if rules.when_visit_done { ", visit done" } else { "" };
    format!("contacts not used for {} days{visit}, patient archived or consent revoked", rules.older_than_days)
}

#[derive(Serialize)]
pub struct CleanupView {
    pub dry_run: bool,
    pub rules: RulesView,
    pub remove: Vec<RemovalView>,
    pub lookalikes: Vec<LookalikeView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<ResultView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<CountsView>,
}

#[derive(Serialize)]
pub struct RulesView {
    pub older_than_days: u32,
    pub when_visit_done: bool,
}

#[derive(Serialize)]
pub struct RemovalView {
    pub platform_id: String,
    pub patient: String,
    pub contact_name: String,
    pub reasons: Vec<String>,
}

#[derive(Serialize)]
pub struct LookalikeView {
    pub platform_id: String,
    pub display_name: String,
    pub note: &'static str,
    /// `flagged` in a dry run; `kept`, `deleted`, `already_gone` or `failed` once applied.
    pub status: &'static str,
}

#[derive(Serialize)]
pub struct ResultView {
    pub platform_id: String,
    pub patient: Option<String>,
    pub contact_name: String,
    pub lookalike: bool,
    /// `deleted`, `already_gone` or `failed`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Over every contact acted on, as the core counts them; `lookalikes_deleted` is a part of `deleted`.
#[derive(Serialize)]
pub struct CountsView {
    pub deleted: u32,
    pub already_gone: u32,
    pub failed: u32,
    pub lookalikes_deleted: u32,
    pub lookalikes_kept: u32,
}

impl CleanupView {
    /// The dry run (`report` None) or what applying it did.
    pub fn new(rules: &CleanupRules, plan: &CleanupPlan, report: Option<&CleanupReport>) -> Self {
        let outcomes: HashMap<&str, &CleanupOutcome> = report
            .map(|r| r.results.iter().map(|x| (x.platform_id.as_str(), &x.outcome)).collect())
            .unwrap_or_default();
        let names: HashMap<&str, &str> = plan
            .remove
            .iter()
            .map(|r| (r.platform_id.as_str(), r.contact_name.as_str()))
            .chain(plan.lookalikes.iter().map(|l| (l.platform_id.as_str(), l.display_name.as_str())))
            .collect();
        let lookalikes: Vec<LookalikeView> = plan
            .lookalikes
            .iter()
            .map(|l| LookalikeView {
                platform_id: l.platform_id.clone(),
                display_name: l.display_name.clone(),
                note: LOOKALIKE_NOTE,
                status: match (report, outcomes.get(l.platform_id.as_str())) {
                    (None, _) => "flagged",
                    (Some(_), None) => "kept",
                    (Some(_), Some(outcome)) => outcome.code(),
                },
            })
            .collect();
        let results = report.map(|r| {
            r.results
                .iter()
                .map(|x| ResultView {
                    platform_id: x.platform_id.clone(),
                    patient: x.patient.as_ref().map(|p| p.to_string()),
                    contact_name: names.get(x.platform_id.as_str()).copied().unwrap_or_default().to_owned(),
                    lookalike: x.patient.is_none(),
                    outcome: x.outcome.code(),
                    reason: match &x.outcome {
                        CleanupOutcome::Failed { reason } => Some(reason.clone()),
                        _ => None,
                    },
                })
                .collect::<Vec<_>>()
        });
        let counts = report.map(|r| {
            let lookalikes_deleted = lookalikes.iter().filter(|l| l.status == "deleted").count() as u32;
            CountsView {
                deleted: r.deleted,
                already_gone: r.already_gone,
                failed: r.failed,
                lookalikes_deleted,
                lookalikes_kept: lookalikes.iter().filter(|l| l.status == "kept").count() as u32,
            }
        });
        CleanupView {
            dry_run: report.is_none(),
            rules: RulesView { older_than_days: rules.older_than_days, when_visit_done: rules.when_visit_done },
            remove: plan
                .remove
                .iter()
                .map(|r| RemovalView {
                    platform_id: r.platform_id.clone(),
                    patient: r.patient.to_string(),
                    contact_name: r.contact_name.clone(),
                    reasons: r.reasons.iter().map(|reason| reason.code().to_owned()).collect(),
                })
                .collect(),
            lookalikes,
            results,
            counts,
        }
    }
}

/// The dry run for a person: what would go and why, then the lookalikes, apart.
pub fn cleanup_plan_text(rules: &CleanupRules, plan: &CleanupPlan) -> String {
    let mut out = format!("Dry run, nothing was deleted. Rules: {}.\n", rules_text(rules));
    if plan.remove.is_empty() {
        out.push_str("\nNo Televisit contact is due for removal.\n");
    } else {
        out.push_str(&format!("\nTelevisit's contacts to remove ({}):\n", plan.remove.len()));
        let rows: Vec<Vec<String>> = plan
            .remove
            .iter()
            .map(|r| {
                let why: Vec<String> = r.reasons.iter().map(|reason| reason.describe()).collect();
                vec![r.platform_id.clone(), r.patient.to_string(), r.contact_name.clone(), why.join("; ")]
            })
            .collect();
        out.push_str(&indent(&table(&["platform id", "patient", "contact name", "why"], &rows)));
    }
    out.push_str(&lookalikes_text(plan, None));
    if !plan.remove.is_empty() || !plan.lookalikes.is_empty() {
        out.push_str("\nTo delete: televisit cleanup --apply");
        if !plan.lookalikes.is_empty() {
            out.push_str(" (a lookalike only with --confirm-lookalike <platform id>)");
        }
        out.push('\n');
    }
    out
}

fn lookalikes_text(plan: &CleanupPlan, report: Option<&CleanupReport>) -> String {
    if plan.lookalikes.is_empty() {
        return String::new();
    }
    let confirmed: HashMap<&str, &CleanupOutcome> = report
        .map(|r| {
            r.results.iter().filter(|x| x.patient.is_none()).map(|x| (x.platform_id.as_str(), &x.outcome)).collect()
        })
        .unwrap_or_default();
    let mut out = format!(
        "\nLookalikes ({}): named like patient contacts, but Televisit did not make them.\n",
        plan.lookalikes.len()
    );
    let rows: Vec<Vec<String>> = plan
        .lookalikes
        .iter()
        .map(|l| {
            let status = match (report, confirmed.get(l.platform_id.as_str())) {
                (None, _) => LOOKALIKE_NOTE.to_owned(),
                (Some(_), None) => format!("kept: {LOOKALIKE_NOTE}"),
                (Some(_), Some(outcome)) => format!("confirmed: {}", outcome_text(outcome)),
            };
            vec![l.platform_id.clone(), l.display_name.clone(), status]
        })
        .collect();
    out.push_str(&indent(&table(&["platform id", "contact name", ""], &rows)));
    out
}

fn outcome_text(outcome: &CleanupOutcome) -> String {
    match outcome {
        CleanupOutcome::Deleted => "deleted".into(),
        CleanupOutcome::AlreadyGone => "already gone".into(),
        CleanupOutcome::Failed { reason } => format!("FAILED: {reason}"),
    }
}

/// What applying the plan did, contact by contact, and the counts.
pub fn cleanup_report_text(rules: &CleanupRules, plan: &CleanupPlan, report: &CleanupReport) -> String {
    let mut out = format!("Cleanup applied. Rules: {}.\n", rules_text(rules));
    let names: HashMap<&str, &str> =
        plan.remove.iter().map(|r| (r.platform_id.as_str(), r.contact_name.as_str())).collect();
    let owned: Vec<Vec<String>> = report
        .results
        .iter()
        .filter_map(|x| {
            let patient = x.patient.as_ref()?;
            let name = names.get(x.platform_id.as_str()).copied().unwrap_or_default();
            Some(vec![outcome_text(&x.outcome), x.platform_id.clone(), patient.to_string(), name.to_owned()])
        })
        .collect();
    if owned.is_empty() {
        out.push_str("\nNo Televisit contact was due for removal.\n");
    } else {
        out.push_str("\nTelevisit's contacts:\n");
        out.push_str(&indent(&table(&["outcome", "platform id", "patient", "contact name"], &owned)));
    }
    out.push_str(&lookalikes_text(plan, Some(report)));
    let view = CleanupView::new(rules, plan, Some(report));
    let counts = view.counts.as_ref().expect("an applied view has counts");
    out.push_str(&format!(
        "\ndeleted {} (confirmed lookalikes among them: {}), already gone {}, failed {}; lookalikes kept {}\n",
        counts.deleted, counts.lookalikes_deleted, counts.already_gone, counts.failed, counts.lookalikes_kept
    ));
    out
}

pub fn indent(text: &str) -> String {
    text.lines().map(|line| if line.is_empty() { "\n".to_owned() } else { format!("  {line}\n") }).collect()
}
