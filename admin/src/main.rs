//! `televisit-admin`: IT's tool. It makes the organisation's keys, signs policies, writes the
//! enrollment code devices scan, issues wipe commands, checks the devices' signed receipts and
//! keeps the devices' activity logs in an archive.
//!
//! Exit codes: 0 done or valid; 1 an error or an invalid input (named on stderr); 2 a usage
//! error; 3 a check failed (a receipt or an export does not verify; an import refused a record;
//! `devices list --stale` found stale devices; the log archive found a fork, a gap or a rollback).

mod ledger_cli;
mod log_cli;
mod mdm_cli;
mod wipe_cli;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use ledger_cli::{DevicesCommand, FleetCommand};
use log_cli::LogCommand;
use mdm_cli::MdmCommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use televisit_admin::ledger::{self, CommandKind};
use televisit_admin::{fleet, org, usage};
use televisit_protocol::bulletin::MAX_VALID_SECONDS;
use televisit_protocol::enrollment::{make_enroll_code, open_policy, sign_policy};
use televisit_protocol::enrollment::{Validity, MAX_CODE_VALID_SECONDS};
use televisit_protocol::Policy;

#[derive(Parser)]
#[command(
    name = "televisit-admin",
    version,
    about = "Televisit for IT: the organisation's keys, signed policies, enrollment codes, the fleet's ledger, remote wipe, sealed log exports.",
    after_help = "A first round:\n  televisit-admin org init --org ./org --name \"North Clinic\"\n  televisit-admin policy defaults > policy.json      (edit it)\n  televisit-admin policy sign policy.json --org ./org > policy.signed\n  televisit-admin enroll-code --org ./org --policy policy.signed   (give it to the device: MDM, QR code or text)\n  televisit-admin mdm export --for intune-ios --code CODE --policy policy.signed --bulletin bulletin.txt > body.json   (what the MDM takes)\nEvery week:\n  televisit-admin devices import --org ./org <the MDM's app states export>\n  televisit-admin devices list --org ./org --stale 48h\nWhen a phone is lost:\n  televisit-admin wipe issue --org ./org --user <the clinician's MDM user> --reason lost   (the next bulletin carries it)\n  televisit-admin devices import --org ./org <export with the receipt>; televisit-admin wipe status --org ./org\nExit codes: 0 done, 1 error, 2 usage, 3 a check failed (a receipt or an export does not verify, an import refused a record, stale phones found)."
)]
struct Cli {
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The organisation's keys.
    #[command(subcommand)]
    Org(OrgCommand),
    /// The organisation's policy: defaults, check, sign.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// The one line a device enrolls with: the organisation's name and key, its export key and a signed policy.
    EnrollCode {
        /// The organisation's key folder.
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// A signed policy: the file `policy sign` wrote, or the text itself.
        #[arg(long, value_name = "FILE|TEXT")]
        policy: String,
        /// How long the code enrolls new devices: 90d. A device enrolled with it stays enrolled.
        #[arg(long, default_value = "90d", value_parser = code_validity)]
        valid: i64,
    },
    /// The fleet's bulletin, signed on a schedule and pushed to every phone through the MDM.
    #[command(subcommand)]
    Bulletin(BulletinCommand),
    /// Device reports, as phones publish them through the MDM.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// The fleet's ledger (ORG/ledger.db): import what the MDM collects, list, show, re-pin.
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// The fleet report: one HTML page for a browser.
    #[command(subcommand)]
    Fleet(FleetCommand),
    /// Remote wipe: issue a command, check a device's receipt.
    #[command(subcommand)]
    Wipe(wipe_cli::WipeCommandCli),
    /// The devices' sealed activity-log exports: open one, archive them, search and check the archive.
    #[command(subcommand)]
    Log(LogCommand),
    /// The fleet's configuration as each MDM takes it: Intune (iOS, Android), Jamf Pro, Workspace ONE, an EMM.
    #[command(subcommand)]
    Mdm(MdmCommand),
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Make the organisation's Ed25519 signing key and its export key (age), files mode 0600.
    Init {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(long)]
        name: String,
    },
    /// Show the organisation's name and public keys.
    Show {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the default policy (every field, with the values of the design) as JSON.
    Defaults,
    /// Validate a policy file; an error names the field and the line.
    Check { file: PathBuf },
    /// Validate, then sign a policy with the organisation's key; prints the signed policy.
    Sign {
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
    },
}

#[derive(Subcommand)]
enum BulletinCommand {
    /// Sign a bulletin: the phones' proof of contact with IT, carrying every pending wipe in the
    /// ledger (and any given with --wipe); says how many.
    Sign {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// Who signs it (default: the account running the tool).
        #[arg(long)]
        by: Option<String>,
        /// How long it is valid: 24h. Sign the next one well before (a cron line every 6 hours).
        #[arg(long, default_value = "24h", value_parser = bulletin_validity)]
        valid: i64,
        /// A wipe command from `wipe issue` (the text or a file holding it), for its device; repeat for more.
        #[arg(long = "wipe", value_name = "FILE|TEXT")]
        wipes: Vec<String>,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Verify a device report and show what it says.
    Check {
        /// The report text, or a file holding it.
        report: String,
        /// The key pinned from this device's first report; without it, the report is checked
        /// against the key it carries (good only for pinning that key the first time). It may
        /// begin with `-` (base64url).
        #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
        device_key: Option<String>,
    },
}

fn code_validity(text: &str) -> Result<i64, usage::Refusal> {
    fleet::parse_duration(text, MAX_CODE_VALID_SECONDS).map_err(usage::Refusal)
}

fn bulletin_validity(text: &str) -> Result<i64, usage::Refusal> {
    fleet::parse_duration(text, MAX_VALID_SECONDS).map_err(usage::Refusal)
}

const FAILED_CHECK: u8 = 3;

fn main() -> ExitCode {
    let cli = match usage::parse::<Cli>("televisit-admin") {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("televisit-admin: error: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// A value given as a file's path, or as the text itself.
fn text_or_file(value: &str) -> Result<String> {
    let path = Path::new(value);
    if value.len() < 4096 && path.is_file() {
        return Ok(std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .trim()
            .to_owned());
    }
    Ok(value.trim().to_owned())
}

fn print(json: bool, value: serde_json::Value, text: String) {
    if json {
        println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
    } else {
        println!("{text}");
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let json = cli.json;
    match cli.command {
        Command::Org(OrgCommand::Init { org, name }) => {
            let info = org::init(&org, &name)?;
            print(
                json,
                serde_json::to_value(&info)?,
                format!(
                    "organisation {} made in {}\n  signing key (devices pin it): {}\n  export recipient: {}\nkeep {} offline: it holds the keys",
                    info.name,
                    org.display(),
                    info.signing_key,
                    info.export_recipient,
                    org.display()
                ),
            );
        }
        Command::Org(OrgCommand::Show { org }) => {
            let org = org::load(&org)?;
            print(json, serde_json::to_value(&org.info)?, serde_json::to_string_pretty(&org.info)?);
        }
        Command::Policy(PolicyCommand::Defaults) => println!("{}", Policy::default().to_json()),
        Command::Policy(PolicyCommand::Check { file }) => {
            let policy = read_policy(&file)?;
            let warnings = policy.warnings();
            let mut text = format!("valid: policy version {}", policy.version);
            for warning in &warnings {
                text.push_str(&format!("\nwarning: {warning}"));
            }
            print(json, serde_json::json!({"valid": true, "version": policy.version, "warnings": warnings}), text);
        }
        Command::Policy(PolicyCommand::Sign { file, org }) => {
            let policy = read_policy(&file)?;
            let org = org::load(&org)?;
            for warning in policy.warnings() {
                eprintln!("televisit-admin: warning: {warning}");
            }
            let signed = sign_policy(&org.key, &policy, chrono::Utc::now().timestamp())?;
            print(json, serde_json::json!({"version": policy.version, "signed": signed}), signed);
        }
        Command::EnrollCode { org: org_dir, policy, valid } => {
            let (org, mut ledger) = ledger_cli::open(&org_dir)?;
            let signed = text_or_file(&policy)?;
            let version = open_policy(&signed, &org.key.public_key()).context("the signed policy")?.policy.version;
            let validity = Validity::from(chrono::Utc::now().timestamp(), valid)?;
            let code = make_enroll_code(&org.key, &org.info.name, &org.info.export_recipient, &signed, validity)?;
            let code_id = format!("code_{}", &ledger::digest_hex(code.as_bytes())[..24]);
            let detail = format!("policy version {version}");
            ledger.record_issued(
                CommandKind::EnrollCode,
                &code_id,
                &ledger::issuer(None),
                validity.issued_at,
                validity.expires_at,
                &detail,
            )?;
            print(
                json,
                serde_json::json!({"code": code, "length": code.len(), "policy_version": version, "expires_at": validity.expires_at}),
                code,
            );
        }
        Command::Bulletin(BulletinCommand::Sign { org: org_dir, by, valid, wipes }) => {
            let (org, mut ledger) = ledger_cli::open(&org_dir)?;
            let wipes = wipes.iter().map(|w| text_or_file(w)).collect::<Result<Vec<_>>>()?;
            let now = ledger_cli::now();
            // A device that reported after its full wipe is wiped again (a copy put back).
            let reissued = ledger.reissue_after_reports(&org.key, now)?;
            if !reissued.is_empty() {
                eprintln!(
                    "televisit-admin: {} device(s) reported after their full wipe: a new wipe for each ({})",
                    reissued.len(),
                    reissued.join(", ")
                );
            }
            let pending = ledger.pending_wipes(now)?;
            let waiting: Vec<String> = pending.iter().map(|w| w.command_id.clone()).collect();
            let confirmations = ledger.confirmations(now)?;
            let to_confirm = confirmations.len();
            let (made, text) = fleet::make_fleet_bulletin(&org.key, valid, &wipes, pending, confirmations, now)?;
            let confirmed = made.logs.len() + made.receipts.len();
            if confirmed < to_confirm {
                eprintln!(
                    "televisit-admin: {} confirmation(s) wait for a later bulletin (one is kept under {} characters, within what Android stores)",
                    to_confirm - confirmed,
                    fleet::MAX_BULLETIN_CHARS
                );
            }
            let ids: Vec<&str> = made.wipes.iter().map(|w| w.command_id.as_str()).collect();
            let later = waiting.iter().filter(|id| !ids.contains(&id.as_str())).count();
            if later > 0 {
                eprintln!(
                    "televisit-admin: {later} pending wipe command(s) wait for a later bulletin (one per device, the widest scope first)"
                );
            }
            let detail = serde_json::json!({"wipes": ids}).to_string();
            ledger.record_issued(
                CommandKind::Bulletin,
                &made.bulletin_id,
                &ledger::issuer(by.as_deref()),
                now,
                made.expires_at,
                &detail,
            )?;
            eprintln!(
                "televisit-admin: bulletin {} carries {} wipe command(s) and confirms {} wipe receipt(s) to their phones",
                made.bulletin_id,
                ids.len(),
                made.receipts.len()
            );
            let confirmed: Vec<&str> = made.receipts.keys().map(String::as_str).collect();
            print(
                json,
                serde_json::json!({"bulletin_id": made.bulletin_id, "issued_at": made.issued_at, "expires_at": made.expires_at, "wipes": ids, "receipts_confirmed": confirmed, "bulletin": text}),
                text,
            );
        }
        Command::Devices(command) => return ledger_cli::devices(command, json),
        Command::Fleet(command) => return ledger_cli::fleet_report(command, json),
        Command::Device(DeviceCommand::Check { report, device_key }) => {
            match televisit_protocol::report::verify(&text_or_file(&report)?, device_key.as_deref()) {
                Ok(r) => print(
                    json,
                    serde_json::json!({"valid": true, "pinned": device_key.is_some(), "report": r}),
                    fleet::report_text(&r, device_key.is_some()),
                ),
                Err(err) => {
                    if json {
                        println!("{}", serde_json::json!({"valid": false, "error": err.to_string()}));
                    }
                    eprintln!("televisit-admin: device report refused: {err}");
                    return Ok(ExitCode::from(FAILED_CHECK));
                }
            }
        }
        Command::Wipe(command) => return wipe_cli::run(command, json),
        Command::Log(command) => return log_cli::run(command, json),
        Command::Mdm(command) => return mdm_cli::run(command, json),
    }
    Ok(ExitCode::SUCCESS)
}

fn read_policy(file: &Path) -> Result<Policy> {
    let text =
        std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("cannot read {}: {}", file.display(), e.kind()))?;
    Ok(Policy::from_json(&text)?)
}
