//! `televisit-admin`: IT's tool. It makes the organisation's keys, signs policies, writes the
//! enrollment code devices scan, issues wipe commands, checks the devices' signed receipts and
//! keeps the devices' activity logs in an archive.
//!
//! Exit codes: 0 done or valid; 1 an error or an invalid input (named on stderr); 2 a usage
//! error; 3 a check failed (a receipt or an export does not verify; an import refused a record;
//! `devices list --stale` found stale devices; `devices list --cleanup-overdue` found phones
//! holding contacts past their cleanup age; the log archive found a fork, a gap or a rollback).

mod bulletin_cli;
mod keys_cli;
mod ledger_cli;
mod log_cli;
mod mdm_cli;
mod relay_cli;
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
use televisit_protocol::enrollment::{CodeTerms, Validity, MAX_CODE_VALID_SECONDS};
use televisit_protocol::keyset::Role;
use televisit_protocol::Policy;

#[derive(Parser)]
#[command(
    name = "televisit-admin",
    version,
    about = "Televisit for IT: the organisation's keys, signed policies, enrollment codes, the fleet's ledger, remote wipe, sealed log exports.",
    after_help = "A first round:\n  televisit-admin org init --org ./org --name \"North Clinic\"\n  televisit-admin policy defaults > policy.json      (edit it)\n  televisit-admin policy sign policy.json --org ./org > policy.signed\n  televisit-admin enroll-code --org ./org --policy policy.signed   (give it to the device: MDM, QR code or text)\n  televisit-admin mdm export --for intune-ios --code CODE --policy policy.signed --bulletin bulletin.txt > body.json   (what the MDM takes)\nEvery week:\n  televisit-admin devices import --org ./org <the MDM's app states export>\n  televisit-admin devices list --org ./org --stale 48h\nEvery month (the privacy check):\n  televisit-admin devices list --org ./org --cleanup-overdue\nWhen a phone is lost:\n  televisit-admin wipe issue --org ./org --user <the clinician's MDM user> --reason lost   (the next bulletin carries it)\n  televisit-admin devices import --org ./org <export with the receipt>; televisit-admin wipe status --org ./org\nExit codes: 0 done, 1 error, 2 usage, 3 a check failed (a receipt or an export does not verify, an import refused a record, stale phones found, phones holding contacts past their cleanup age found)."
)]
struct Cli {
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    /// The fleet's ledger: a PostgreSQL database a team shares (`postgres://user@host/db`), or a
    /// SQLite file. Default: `ORG/ledger.db`, one file beside the organisation's keys.
    #[arg(long, global = true, value_name = "URL|FILE", env = "TELEVISIT_LEDGER")]
    ledger: Option<String>,
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
        /// A key with the enroll role; without it, the organisation's first key in --org.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        #[command(flatten)]
        relay: relay_cli::RelayEndpointArgs,
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
    /// The organisation's key set: show it, add an admin's key, revoke one, rotate the bulletin
    /// key, the root, the export recipient.
    #[command(subcommand)]
    Keys(keys_cli::KeysCommand),
    /// Remote wipe: issue a command, check a device's receipt.
    #[command(subcommand)]
    Wipe(wipe_cli::WipeCommandCli),
    /// The fleet relays: publish the next bulletin to them, collect the exports they took in.
    #[command(subcommand)]
    Relay(relay_cli::RelayCommand),
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
    /// Validate a policy file; an error names the field and the line. With --org, also warns of
    /// the organisation's keys expiring within 30 days.
    Check {
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        org: Option<PathBuf>,
    },
    /// Validate, then sign a policy with a key that has the policy role; prints the signed policy.
    Sign {
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// A key with the policy role; without it, the organisation's first key in --org.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BulletinCommand {
    /// Sign a bulletin: the phones' proof of contact with IT, carrying every pending wipe in the
    /// ledger (and any given with --wipe); says how many.
    Sign {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// The bulletin key (`keys rotate-bulletin` made it): all the cron host holds. Without
        /// it, the organisation's first key in --org, while it still has the bulletin role.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Who runs it (default: the account running the tool), for the ledger.
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

pub(crate) fn bulletin_validity(text: &str) -> Result<i64, usage::Refusal> {
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
    ledger_cli::use_ledger(cli.ledger.as_deref());
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
            let text = format!(
                "{}\n{}",
                serde_json::to_string_pretty(&org.info)?,
                televisit_admin::keys::describe(&org, ledger_cli::now())
            );
            print(json, serde_json::to_value(&org.info)?, text.trim_end().to_owned());
        }
        Command::Policy(PolicyCommand::Defaults) => println!("{}", Policy::default().to_json()),
        Command::Policy(PolicyCommand::Check { file, org }) => {
            let policy = read_policy(&file)?;
            let mut warnings = policy.warnings();
            if let Some(dir) = org {
                warnings.extend(org::load(&dir)?.expiry_warnings(ledger_cli::now()));
            }
            let mut text = format!("valid: policy version {}", policy.version);
            for warning in &warnings {
                text.push_str(&format!("\nwarning: {warning}"));
            }
            print(json, serde_json::json!({"valid": true, "version": policy.version, "warnings": warnings}), text);
        }
        Command::Policy(PolicyCommand::Sign { file, org, key }) => {
            let policy = read_policy(&file)?;
            let org = org::load(&org)?;
            for warning in policy.warnings() {
                eprintln!("televisit-admin: warning: {warning}");
            }
            let signing = keys_cli::signer(&org, key.as_deref(), Role::Policy)?;
            let signed = sign_policy(&signing, &policy, chrono::Utc::now().timestamp())?;
            print(json, serde_json::json!({"version": policy.version, "signed": signed}), signed);
        }
        Command::EnrollCode { org: org_dir, policy, valid, key, relay } => {
            let relay = relay.endpoint()?;
            let (org, mut ledger) = ledger_cli::open(&org_dir)?;
            let signed = text_or_file(&policy)?;
            let version = open_policy(&signed, &org.keys).context("the signed policy")?.policy.version;
            let validity = Validity::from(chrono::Utc::now().timestamp(), valid)?;
            let signing = keys_cli::signer(&org, key.as_deref(), Role::Enroll)?;
            let code = make_enroll_code(&signing, &org.trust(), &signed, CodeTerms { validity, relay: relay.clone() })?;
            let code_id = format!("code_{}", &ledger::digest_hex(code.as_bytes())[..24]);
            let detail = format!("policy version {version}");
            ledger.record_issued(
                CommandKind::EnrollCode,
                &code_id,
                &signing.name.clone().unwrap_or_else(|| ledger::issuer(None)),
                validity.issued_at,
                validity.expires_at,
                &detail,
            )?;
            print(
                json,
                serde_json::json!({"code": code, "length": code.len(), "policy_version": version, "expires_at": validity.expires_at, "relay": relay}),
                code,
            );
        }
        Command::Bulletin(BulletinCommand::Sign { org, key, by, valid, wipes }) => {
            bulletin_cli::sign(&org, key.as_deref(), by.as_deref(), valid, &wipes, false, json)?;
        }
        Command::Keys(command) => return keys_cli::run(command, json),
        Command::Relay(command) => return relay_cli::run(command, json),
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
