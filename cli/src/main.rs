//! `televisit`: the desktop shell. The same core as the phone apps, with a file-backed secret
//! store for development, QA and IT testing, and `demo`, which shows the product end to end.
//!
//! Exit codes: 0 done; 1 an error (its message on stderr); 2 a usage error; 3 a failed check
//! (the activity log or the database, a blocked call, a message the PHI lint found something in,
//! a privacy checklist with deviations) or a refused wipe command.
//!
//! Every start but `demo` first finishes a wipe left pending in the profile (see `it_cmd`), and
//! prints its receipt, before anything else.

mod call_cmd;
mod call_view;
mod checkin_cmd;
mod checklist_cmd;
mod checklist_view;
mod cleanup_cmd;
mod demo;
mod file_secrets;
mod fleet_cmd;
mod it_cmd;
mod it_view;
mod managed_cmd;
mod patient_view;
mod patients_cmd;
mod phone;
mod profile;
mod report_cmd;
use televisit_admin::usage;
mod vcard_book;
mod view;

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use patients_cmd::{ConsentCommand, ContactCommand, PatientCommand};
use profile::Profile;
use std::path::PathBuf;
use std::process::ExitCode;
use televisit_core::{EntryKind, LogQuery, PatientRef, Policy, Verification};

#[derive(Parser)]
#[command(
    name = "televisit",
    version,
    about = "Televisit on the desktop: the phone app's core, for development, QA and IT testing."
)]
struct Cli {
    /// Profile folder (database and development secrets). Default: the user's data folder.
    #[arg(long, global = true, value_name = "DIR")]
    profile: Option<PathBuf>,
    /// Print data as JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Patients: add, list, archive, mark a visit done.
    #[command(subcommand)]
    Patient(PatientCommand),
    /// A patient's consent to be contacted over WhatsApp.
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Patient contacts in the phone's contacts (here a vCard folder in the profile).
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Remove patient contacts that are due: a dry run unless --apply.
    Cleanup(cleanup_cmd::CleanupArgs),
    /// Before a video call: the pre-flight and the launch plan, for the phone the flags describe
    /// (exit 3 when blocked); `call record` logs how an attempt went.
    Call(call_cmd::CallArgs),
    /// The WhatsApp privacy-settings checklist: asked item by item, or from --answers FILE (exit 3
    /// with deviations, each with the instruction that fixes it); `checklist status`, `checklist catalog`.
    Checklist(checklist_cmd::ChecklistArgs),
    /// Fill a safe message template and run the PHI lint on it (exit 3 when it finds anything).
    Message(call_cmd::MessageArgs),
    /// What the clinician must know before the first call; `disclosure acknowledge` records it.
    Disclosure(call_cmd::DisclosureArgs),
    /// PHI-free counts per day: calls launched, consents, opt-outs, contacts, cleanups.
    Metrics(call_cmd::MetricsArgs),
    /// The encrypted activity log.
    #[command(subcommand)]
    Log(LogCommand),
    /// The organisation's policy in force on this profile.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// SQLCipher's page check, SQLite's structure check and the log's chain, together.
    Check,
    /// Enroll this device with the organisation whose enrollment code this is (from IT).
    Enroll(it_cmd::EnrollArgs),
    /// The device: enrollment, device key, policy and check-in, checklist, local triggers, pending wipe.
    Status(it_cmd::StatusArgs),
    /// Apply the managed configuration an MDM pushes (a JSON object: enrollment_code, signed_policy,
    /// mdm_device_id, mdm_user, bulletin, wipe_command); idempotent, as phones apply it at every
    /// start (exit 3 when a value is refused).
    Managed(managed_cmd::ManagedArgs),
    /// Check in with IT through its fleet relay over HTTPS, as a phone's background task does
    /// (exit 3 refused, 75 try again later).
    Checkin(checkin_cmd::CheckInArgs),
    /// The fleet's bulletin from IT: contact with IT, and a wipe if it names this device.
    #[command(subcommand)]
    Bulletin(fleet_cmd::BulletinCommand),
    /// Remote wipe: `wipe apply` verifies IT's command, carries it out and prints the signed receipt.
    #[command(subcommand)]
    Wipe(it_cmd::WipeCommand),
    /// Run the product end to end in a fresh temporary profile, narrating each step.
    Demo,
}

#[derive(Subcommand)]
enum LogCommand {
    /// List entries, oldest first.
    List(ListArgs),
    /// Check the HMAC chain; exits 3 and names the first bad entry if it is broken.
    Verify,
    /// Remove entries older than N days (at least the policy's retention); a checkpoint keeps the rest verifiable.
    Purge {
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true)]
        older_than_days: i64,
    },
    /// Seal the log (with its chain) to the organisation's export key, for IT: `televisit-admin log open`.
    Export(it_cmd::ExportArgs),
}

#[derive(Args)]
struct ListArgs {
    /// Only entries at or after this time (RFC 3339, e.g. 2026-11-01T00:00:00Z).
    #[arg(long)]
    since: Option<DateTime<Utc>>,
    /// Only entries before this time.
    #[arg(long)]
    until: Option<DateTime<Utc>>,
    /// Only these kinds (repeat, or comma-separate), e.g. call_launched.
    #[arg(long = "kind", value_delimiter = ',', value_parser = parse_kind)]
    kinds: Vec<EntryKind>,
    /// Only entries about this patient id (pt_…).
    #[arg(long, value_parser = parse_patient)]
    patient: Option<PatientRef>,
    /// At most N entries.
    #[arg(long)]
    limit: Option<u32>,
    /// Newest first (with --limit: the latest N).
    #[arg(long)]
    newest_first: bool,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Show the policy in force.
    Show,
    /// Apply an unsigned policy from a JSON file, for local testing (validated first; errors name the
    /// field). Enrolled devices take only signed policies: `televisit policy apply`.
    Set { file: PathBuf },
    /// Apply a policy signed by the organisation (`televisit-admin policy sign`): the text, a file
    /// holding it, or - for stdin. An older version than the one in force is refused.
    Apply {
        #[arg(value_name = "FILE|TEXT")]
        signed: String,
    },
}

fn parse_kind(text: &str) -> Result<EntryKind, usage::Refusal> {
    EntryKind::from_code(text).ok_or_else(|| {
        let known: Vec<_> = EntryKind::ALL.iter().map(|k| k.code()).collect();
        usage::Refusal(format!("unknown kind; one of: {}", known.join(", ")))
    })
}

/// A patient id (`pt_…`). The core's refusal names the field and never quotes the text.
pub(crate) fn parse_patient(text: &str) -> Result<PatientRef, usage::Refusal> {
    PatientRef::parse(text).map_err(|e| usage::Refusal(e.to_string()))
}

fn main() -> ExitCode {
    let cli = match usage::parse::<Cli>("televisit") {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("televisit: error: {err:#}");
            ExitCode::from(1)
        }
    }
}

const BROKEN: u8 = 3;

fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Demo = cli.command {
        demo::run()?;
        return Ok(ExitCode::SUCCESS);
    }
    let profile = Profile::resolve(cli.profile.as_deref())?;
    // Before anything else, at every start: a wipe left pending is finished (`resume_pending_wipe`).
    it_cmd::finish_pending_wipe(&profile, cli.json)?;
    if let Command::Wipe(command) = cli.command {
        // Opens the store itself, and closes it before the wipe.
        return it_cmd::wipe(&profile, command, cli.json);
    }
    let tv = profile.open()?;
    // Every start reads the local triggers, for a desktop that is never rooted: a block refuses
    // clinical commands until it clears (`status --compromised` shows a rooted phone's verdict);
    // a wipe trigger (failed unlocks, offline too long) is carried out now.
    let desktop = phone::TargetPhone::new(
        televisit_core::Platform::Android,
        phone::Installed::Consumer,
        phone::local_offset_minutes(),
    );
    if let televisit_core::it::triggers::TriggerState::Wipe { reason } =
        tv.evaluate_triggers(&profile.secrets, &desktop)?
    {
        drop(tv);
        eprintln!("televisit: a local trigger ({reason}) wiped this profile");
        it_cmd::finish_pending_wipe(&profile, cli.json)?;
        return Ok(ExitCode::from(BROKEN));
    }
    // A new profile sweeps the Televisit contacts an earlier one left in the contacts folder
    // (its data deleted without them), once, before its first patient.
    let swept = tv.sweep_orphaned_contacts(&profile.secrets, &profile.contact_book()?)?;
    if let televisit_core::orphans::OrphanSweep::Swept { deleted, failed } = swept.filter_found() {
        eprintln!(
            "televisit: removed {deleted} Televisit contact(s) an earlier profile left behind, with no record here ({failed} could not be removed)"
        );
    }
    match cli.command {
        Command::Patient(command) => patients_cmd::patient(&tv, command, cli.json)?,
        Command::Consent(command) => patients_cmd::consent(&tv, command, cli.json)?,
        Command::Contact(command) => patients_cmd::contact(&profile, &tv, command, cli.json)?,
        Command::Cleanup(args) => return cleanup_cmd::run(&profile, &tv, args, cli.json),
        Command::Call(args) => return call_cmd::call(&profile, &tv, args, cli.json),
        Command::Checklist(args) => return checklist_cmd::run(&tv, args, cli.json),
        Command::Message(args) => return call_cmd::message(&tv, args, cli.json),
        Command::Disclosure(args) => call_cmd::disclosure(&tv, args, cli.json)?,
        Command::Metrics(args) => call_cmd::metrics(&tv, args, cli.json)?,
        Command::Log(LogCommand::List(args)) => {
            let query = LogQuery {
                since: args.since,
                until: args.until,
                kinds: args.kinds,
                patient: args.patient,
                limit: args.limit,
                newest_first: args.newest_first,
            };
            let entries = tv.log_list(&query)?;
            if cli.json {
                view::print_json(&entries.iter().map(view::EntryView::from).collect::<Vec<_>>());
            } else {
                print!("{}", view::entries_table(&entries));
            }
        }
        Command::Log(LogCommand::Verify) => {
            let verification = tv.log_verify()?;
            if cli.json {
                view::print_json(&view::VerificationView::from(&verification));
            } else {
                println!("{}", view::verification_line(&verification));
            }
            if matches!(verification, Verification::Broken { .. }) {
                return Ok(ExitCode::from(BROKEN));
            }
        }
        Command::Log(LogCommand::Purge { older_than_days }) => {
            let report = tv.log_purge_older_than(older_than_days)?;
            if cli.json {
                view::print_json(&serde_json::json!({"removed": report.removed, "through_seq": report.through_seq}));
            } else {
                println!(
                    "removed {} entries; the log now verifies from the checkpoint at seq {}",
                    report.removed, report.through_seq
                );
            }
        }
        Command::Policy(PolicyCommand::Show) => {
            // The policy is already JSON-shaped; both forms print it whole.
            println!("{}", tv.policy()?.to_json());
        }
        Command::Policy(PolicyCommand::Set { file }) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read the policy file given: {}", e.kind()))?;
            let policy = Policy::from_json(&text)?;
            // The core refuses an unsigned policy on an enrolled device.
            tv.set_unsigned_policy(&profile.secrets, &policy)?;
            if cli.json {
                view::print_json(&serde_json::json!({"applied": true, "version": policy.version}));
            } else {
                println!("policy version {} applied", policy.version);
            }
        }
        Command::Check => {
            let report = tv.integrity_check()?;
            if cli.json {
                view::print_json(&view::IntegrityView::from(&report));
            } else {
                println!("pages: {}", if report.pages_ok { "every page's HMAC checks out" } else { "DAMAGED pages" });
                for problem in &report.problems {
                    println!("  {problem}");
                }
                println!("chain: {}", view::verification_line(&report.chain));
            }
            if !report.is_ok() {
                return Ok(ExitCode::from(BROKEN));
            }
        }
        Command::Policy(PolicyCommand::Apply { signed }) => it_cmd::policy_apply(&profile, &tv, &signed, cli.json)?,
        Command::Log(LogCommand::Export(args)) => it_cmd::log_export(&profile, &tv, &args, cli.json)?,
        Command::Enroll(args) => it_cmd::enroll(&profile, &tv, args, cli.json)?,
        Command::Status(args) => return it_cmd::status(&profile, tv, args, cli.json),
        Command::Managed(args) => return managed_cmd::run(&profile, tv, args, cli.json),
        Command::Checkin(args) => return checkin_cmd::run(&profile, tv, args, cli.json),
        Command::Bulletin(command) => return fleet_cmd::run(&profile, tv, command, cli.json),
        Command::Demo | Command::Wipe(_) => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}
