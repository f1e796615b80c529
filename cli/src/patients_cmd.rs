//! `televisit patient …`, `consent …` and `contact …`: what a clinician does before a visit.
//! Names and numbers typed here go to the core and come back only on stdout; errors name the
//! field and the patient id, never the value.

use crate::patient_view::{self, ContactRecordView, InBook, PatientView};
use crate::profile::Profile;
use crate::view::print_json;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use televisit_core::{Actor, ConsentMethod, ConsentState, ContactBook, NewPatient, PatientRef, Televisit};

#[derive(Subcommand)]
pub enum PatientCommand {
    /// Add a patient: names are cleaned of invisible characters, the phone is kept in E.164.
    Add {
        /// Given name.
        #[arg(long, value_name = "NAME")]
        first: String,
        /// Family name.
        #[arg(long, value_name = "NAME")]
        last: String,
        /// Mobile number with WhatsApp; without a country code, the policy's region applies.
        #[arg(long, value_name = "NUMBER", allow_hyphen_values = true)]
        phone: String,
        /// When the visit is planned (RFC 3339, e.g. 2026-11-01T09:30:00Z).
        #[arg(long, value_name = "TIME")]
        visit_at: Option<DateTime<Utc>>,
    },
    /// The day's list: today's visits first by time, then later, unscheduled and overdue ones,
    /// done visits last; each labelled so that namesakes are told apart.
    List {
        /// Include archived patients.
        #[arg(long)]
        all: bool,
    },
    /// Archive a patient: off the list, and its contact due for the next cleanup.
    Archive {
        #[arg(value_name = "ID", value_parser = crate::parse_patient)]
        id: PatientRef,
    },
    /// Mark the patient's visit done: its contact is due for cleanup if the policy says so.
    VisitDone {
        #[arg(value_name = "ID", value_parser = crate::parse_patient)]
        id: PatientRef,
    },
}

/// A patient's answer to the consent question: who, how they were asked, which wording.
#[derive(Args)]
pub struct ConsentAnswer {
    #[arg(value_name = "ID", value_parser = crate::parse_patient)]
    id: PatientRef,
    /// How the patient was asked and answered.
    #[arg(long, value_enum)]
    method: Method,
    /// The version of the consent text read to the patient (a short code); by default the
    /// policy's `calls.consent_text_version`.
    #[arg(long, value_name = "CODE")]
    text_version: Option<String>,
    /// Who records it.
    #[arg(long, value_enum, default_value_t = By::Clinician)]
    by: By,
}

#[derive(Subcommand)]
pub enum ConsentCommand {
    /// Record the patient's consent to be contacted over WhatsApp.
    Record(ConsentAnswer),
    /// Record that the patient was asked and said no (not the same as never asked): calls are
    /// blocked and the contact becomes due for cleanup.
    Decline(ConsentAnswer),
    /// Print the consent wording the policy carries (what to read to the patient), and its version.
    Wording,
    /// Record that the patient withdrew consent: the contact becomes due for cleanup.
    Revoke {
        #[arg(value_name = "ID", value_parser = crate::parse_patient)]
        id: PatientRef,
        /// Who records it.
        #[arg(long, value_enum, default_value_t = By::Clinician)]
        by: By,
    },
}

#[derive(Subcommand)]
pub enum ContactCommand {
    /// Create the patient's contact under the naming convention, or put it right if it was
    /// renamed, renumbered or deleted. Running it again changes nothing.
    Ensure {
        #[arg(value_name = "ID", value_parser = crate::parse_patient)]
        id: PatientRef,
    },
    /// Televisit's record of the contacts it made, and whether the contacts still have each.
    List,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Method {
    Verbal,
    Written,
    #[value(alias = "in_app")]
    InApp,
}

impl From<Method> for ConsentMethod {
    fn from(m: Method) -> Self {
        match m {
            Method::Verbal => ConsentMethod::Verbal,
            Method::Written => ConsentMethod::Written,
            Method::InApp => ConsentMethod::InApp,
        }
    }
}

/// Who may record consent: the clinician (the default) or a staff member.
#[derive(Clone, Copy, ValueEnum)]
pub enum By {
    Clinician,
    Staff,
}

impl From<By> for Actor {
    fn from(by: By) -> Self {
        match by {
            By::Clinician => Actor::Clinician,
            By::Staff => Actor::Staff,
        }
    }
}

pub fn patient(tv: &Televisit, command: PatientCommand, json: bool) -> Result<()> {
    match command {
        PatientCommand::Add { first, last, phone, visit_at } => {
            let new = NewPatient { given_name: first, family_name: last, phone, visit_at };
            let added = tv.patient_add(&new).context("the patient was not added")?;
            if json {
                print_json(&PatientView::from(&added));
            } else {
                println!("added {}: contact name \"{}\", phone {}", added.id, added.contact_name, added.phone);
            }
        }
        PatientCommand::List { all } => {
            // The day's list as the phone shows it: "today" is this desktop's own day.
            let rows = tv.day_list(&DesktopDay(crate::phone::local_offset_minutes()), all)?;
            if json {
                print_json(&rows.iter().map(patient_view::ListedView::from).collect::<Vec<_>>());
            } else if rows.is_empty() {
                println!("no patients{}", if all { "" } else { " (archived ones are listed with --all)" });
            } else {
                print!("{}", patient_view::day_table(&rows));
            }
        }
        PatientCommand::Archive { id } => {
            let archived = tv.patient_archive(&id).with_context(|| format!("{id} was not archived"))?;
            if json {
                print_json(&PatientView::from(&archived));
            } else {
                println!("archived {id}; its contact is removed by the next cleanup");
            }
        }
        PatientCommand::VisitDone { id } => {
            tv.mark_visit_done(&id).with_context(|| format!("{id}'s visit was not marked done"))?;
            let due = tv.policy()?.contacts.cleanup_when_visit_done;
            if json {
                print_json(
                    &serde_json::json!({"patient": id.to_string(), "visit_done": true, "contact_due_for_cleanup": due}),
                );
            } else if due {
                println!("{id}'s visit is done; its contact is removed by the next cleanup");
            } else {
                println!("{id}'s visit is done; the policy keeps its contact until it is unused for long enough");
            }
        }
    }
    Ok(())
}

pub fn consent(tv: &Televisit, command: ConsentCommand, json: bool) -> Result<()> {
    let (id, state) = match command {
        ConsentCommand::Record(answer) => record_answer(tv, answer, Televisit::consent_record, "consent", json)?,
        ConsentCommand::Decline(answer) => record_answer(tv, answer, Televisit::consent_decline, "the decline", json)?,
        ConsentCommand::Wording => {
            let calls = tv.policy()?.calls;
            if json {
                print_json(&serde_json::json!({"version": calls.consent_text_version, "text": calls.consent_text}));
            } else {
                match calls.consent_text {
                    Some(text) => println!("consent wording {}:\n{text}", calls.consent_text_version),
                    None => println!(
                        "consent wording {}: the policy carries its version only; read the organisation's text {}",
                        calls.consent_text_version, calls.consent_text_version
                    ),
                }
            }
            return Ok(());
        }
        ConsentCommand::Revoke { id, by } => {
            let state =
                tv.consent_revoke(&id, by.into()).with_context(|| format!("consent for {id} was not revoked"))?;
            (id, state)
        }
    };
    if json {
        print_json(&serde_json::json!({"patient": id.to_string(), "consent": patient_view::ConsentView::from(&state)}));
    } else {
        println!("{id}: consent {}", patient_view::consent_line(&state));
    }
    Ok(())
}

/// Records a consent (`consent_record`) or a decline (`consent_decline`), against the wording
/// shown first.
fn record_answer(
    tv: &Televisit,
    ConsentAnswer { id, method, text_version, by }: ConsentAnswer,
    record: fn(&Televisit, &PatientRef, ConsentMethod, &str, Actor) -> televisit_core::Result<ConsentState>,
    what: &str,
    json: bool,
) -> Result<(PatientRef, ConsentState)> {
    let text_version = wording_shown(tv, text_version, json)?;
    let state = record(tv, &id, method.into(), &text_version, by.into())
        .with_context(|| format!("{what} for {id} was not recorded"))?;
    Ok((id, state))
}

/// The wording version a consent or decline is recorded against (the policy's unless given),
/// with the wording itself shown first, as every shell shows it before the answer is recorded.
fn wording_shown(tv: &Televisit, text_version: Option<String>, json: bool) -> Result<String> {
    let calls = tv.policy()?.calls;
    let version = text_version.unwrap_or_else(|| calls.consent_text_version.clone());
    if !json && version == calls.consent_text_version {
        if let Some(text) = calls.consent_text {
            println!("consent wording {version} (as read to the patient):\n{text}\n");
        }
    }
    Ok(version)
}

pub fn contact(profile: &Profile, tv: &Televisit, command: ContactCommand, json: bool) -> Result<()> {
    let book = profile.contact_book()?;
    match command {
        ContactCommand::Ensure { id } => {
            let ensured = tv.ensure_contact(&book, &id).with_context(|| format!("{id}'s contact was not made"))?;
            let action = ensured.action.code();
            let file = book.file_of(&ensured.platform_id).map(|f| f.display().to_string());
            if json {
                print_json(&serde_json::json!({
                    "patient": id.to_string(),
                    "platform_id": ensured.platform_id,
                    "action": action,
                    "file": file,
                }));
            } else {
                println!("{id}: contact {action}, platform id {} ({})", ensured.platform_id, file.unwrap_or_default());
            }
        }
        ContactCommand::List => {
            let mut views = Vec::new();
            for record in tv.contact_records()? {
                let in_book = match book.get(&record.platform_id) {
                    Ok(Some(_)) => InBook::Present,
                    Ok(None) => InBook::Missing,
                    Err(_) => InBook::Unreadable,
                };
                views.push(ContactRecordView::new(&record, in_book));
            }
            if json {
                print_json(&views);
            } else if views.is_empty() {
                println!("Televisit has made no contacts (or cleanup removed them all)");
            } else {
                print!("{}", patient_view::contact_records_table(&views));
            }
        }
    }
    Ok(())
}

/// Only the day matters for the list: the desktop's UTC offset.
struct DesktopDay(i32);

impl televisit_core::DeviceFacts for DesktopDay {
    fn snapshot(&self) -> televisit_core::DeviceSnapshot {
        televisit_core::DeviceSnapshot {
            passcode_set: true,
            compromised: false,
            os_version: "desktop".into(),
            whatsapp: Vec::new(),
            utc_offset_minutes: self.0,
        }
    }
}
