//! `televisit-admin wipe`: issue a wipe for a device the ledger knows, take one back, list every
//! wipe and its state, and check a receipt against the device's pinned key.

use crate::ledger_cli::{self, Which, WipeStateArg};
use crate::{print, text_or_file, FAILED_CHECK};
use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use televisit_admin::ledger;
use televisit_admin::{report, usage};
use televisit_protocol::keyset::Role;
use televisit_protocol::wipe::{self, Cancel, WipeReason, WipeScope};

#[derive(Clone, Copy, ValueEnum)]
pub enum ScopeArg {
    Contacts,
    Log,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReasonArg {
    Lost,
    Stolen,
    Left,
    Other,
}

#[derive(Subcommand)]
pub enum WipeCommandCli {
    /// Sign a wipe command for a device the ledger knows (by id, user or MDM device id), record
    /// it, and put it into every bulletin until its receipt arrives or it expires.
    Issue {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// The device id (dev_…).
        #[arg(long, value_name = "ID")]
        device: Option<String>,
        /// The MDM's user of the device.
        #[arg(long, value_name = "USER", conflicts_with_all = ["device", "mdm_device"])]
        user: Option<String>,
        /// The MDM's own device id.
        #[arg(long, value_name = "ID", conflicts_with = "device")]
        mdm_device: Option<String>,
        /// The enrollment id; from the ledger when left out (needed with --unlisted).
        #[arg(long, value_name = "ID")]
        enrollment: Option<String>,
        /// A device whose report never reached the ledger: --device and --enrollment as its screen shows them.
        #[arg(long, requires = "device")]
        unlisted: bool,
        /// contacts: the patient contacts; log: the encrypted store; all: both, then the device forgets its keys.
        #[arg(long, value_enum, default_value = "all")]
        scope: ScopeArg,
        #[arg(long, value_enum, default_value = "lost")]
        reason: ReasonArg,
        /// How long the command stays valid, in days: 14d.
        #[arg(long, default_value = "14d", value_parser = parse_ttl)]
        ttl: u32,
        /// Who issues it, for an organisation without admin keys (default: the account running
        /// the tool). With an admin's key, the ledger names the key.
        #[arg(long)]
        by: Option<String>,
        /// The admin's wipe key (`keys add-admin`); without it, the organisation's first key in
        /// --org, while it still has the wipe role.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Take a wipe back: it leaves the bulletins, and every bulletin until it would have expired
    /// names it as cancelled, so that a phone that has not run it yet refuses it (a phone that
    /// has, ran it: its receipt says so). Recorded and logged.
    Cancel {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// The command id (cmd_…), as `wipe status` shows it.
        command: String,
        /// Who takes it back, for an organisation without admin keys (default: the account
        /// running the tool).
        #[arg(long)]
        by: Option<String>,
        /// The admin's wipe key: phones take a wipe back only on an admin's signed word.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Every wipe and its state: pending, done (with its receipt), failed, expired, local, cancelled.
    Status {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(long)]
        pending: bool,
        #[arg(long)]
        done: bool,
        #[arg(long)]
        failed: bool,
        #[arg(long)]
        expired: bool,
        /// Wipes phones did by themselves (a local trigger).
        #[arg(long)]
        local: bool,
        #[arg(long)]
        cancelled: bool,
    },
    /// Check a receipt against the device's pinned key: the one the ledger pinned (--org), given,
    /// or from the report IT pinned it from. Never the key a receipt or report merely carries.
    #[command(group(clap::ArgGroup::new("pinned").required(true).args(["org", "device_key", "report"])))]
    VerifyReceipt {
        /// The receipt text, or a file holding it.
        receipt: String,
        /// The organisation folder: the key its ledger pinned for the receipt's device.
        #[arg(long, value_name = "DIR")]
        org: Option<PathBuf>,
        /// The device key pinned from the device's first report. (Base64url: it may begin
        /// with `-`, which is a value here, not an option.)
        #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
        device_key: Option<String>,
        /// The report IT pinned the device's key from (its first, checked with `device check`);
        /// a report that came with the receipt proves nothing: it carries whatever key it likes.
        #[arg(long, value_name = "FILE|TEXT")]
        report: Option<String>,
    },
}

fn parse_ttl(text: &str) -> Result<u32, usage::Refusal> {
    text.strip_suffix('d')
        .and_then(|d| d.parse::<u32>().ok())
        .filter(|d| (1..=365).contains(d))
        .ok_or_else(|| usage::Refusal("a number of days from 1 to 365, written like 14d".into()))
}

pub fn run(command: WipeCommandCli, json: bool) -> Result<ExitCode> {
    match command {
        WipeCommandCli::Cancel { org, command, by, key } => {
            let (org, mut ledger) = ledger_cli::open(&org)?;
            let signer = crate::keys_cli::signer(&org, key.as_deref(), Role::Wipe)?;
            let cancel = Cancel::sign(&signer, &command, ledger_cli::now())?;
            let ran = ledger.cancel_wipe(&command, &ledger::issuer(by.as_deref()), Some(&cancel), ledger_cli::now())?;
            // A wipe cancelled already (before cancellations were signed, or by an admin about
            // to leave) carries this signature from now on.
            ledger.replace_cancellation(&cancel)?;
            let text = if ran {
                format!("{command} cancelled; it had run already (its receipt is in the ledger): nothing more is wiped, the record says it was taken back")
            } else {
                format!("{command} cancelled: it leaves the bulletins, and the next ones tell every phone to refuse it")
            };
            print(json, serde_json::json!({"command_id": command, "cancelled": true, "had_run": ran}), text);
        }
        WipeCommandCli::Status { org, pending, done, failed, expired, local, cancelled } => {
            let states: Vec<WipeStateArg> = [
                (pending, WipeStateArg::Pending),
                (done, WipeStateArg::Done),
                (failed, WipeStateArg::Failed),
                (expired, WipeStateArg::Expired),
                (local, WipeStateArg::Local),
                (cancelled, WipeStateArg::Cancelled),
            ]
            .into_iter()
            .filter_map(|(on, state)| on.then_some(state))
            .collect();
            return ledger_cli::wipe_status(&org, &states, json);
        }
        WipeCommandCli::Issue {
            org: org_dir,
            device,
            user,
            mdm_device,
            enrollment,
            unlisted,
            scope,
            reason,
            ttl,
            by,
            key,
        } => {
            let (org, mut ledger) = ledger_cli::open(&org_dir)?;
            let which = Which::new(device, user, mdm_device);
            let (device, enrollment) =
                ledger_cli::resolve_wipe_target(&mut ledger, &which, enrollment.as_deref(), unlisted)?;
            let scope = match scope {
                ScopeArg::Contacts => WipeScope::Contacts,
                ScopeArg::Log => WipeScope::Log,
                ScopeArg::All => WipeScope::All,
            };
            let reason = match reason {
                ReasonArg::Lost => WipeReason::Lost,
                ReasonArg::Stolen => WipeReason::Stolen,
                ReasonArg::Left => WipeReason::Left,
                ReasonArg::Other => WipeReason::Other,
            };
            let now = ledger_cli::now();
            let signer = crate::keys_cli::signer(&org, key.as_deref(), Role::Wipe)?;
            let mut command = televisit_admin::wipe_command(&device, &enrollment, scope, reason, ttl, now)?;
            command.signed_by = signer.name.clone();
            // A wipe never outlives the key that signs it: phones stop taking that key's word
            // once IT's newer word is past its expiry.
            if let Some(key) = signer.name.as_deref().and_then(|n| org.keys.key_named(n)) {
                if key.expires_at < command.expires_at {
                    command.expires_at = key.expires_at;
                    eprintln!(
                        "televisit-admin: the wipe is valid until {}, when the key {} expires",
                        televisit_admin::org::day(key.expires_at),
                        key.name
                    );
                }
            }
            let token = wipe::issue(&signer, &command)?;
            ledger.record_wipe(&command, &token, &ledger::issuer(by.as_deref()), now)?;
            eprintln!(
            "televisit-admin: wipe {} for {} recorded; every bulletin signed from now carries it until its receipt arrives",
            command.command_id, device
        );
            print(
                json,
                serde_json::json!({"command_id": command.command_id, "device_id": command.device_id, "expires_at": command.expires_at, "command": token}),
                token,
            );
        }
        WipeCommandCli::VerifyReceipt { receipt, org: org_dir, device_key, report: device_report } => {
            let receipt = text_or_file(&receipt)?;
            let pinned = match (org_dir, device_key, device_report) {
                (Some(dir), _, _) => {
                    let (_, mut ledger) = ledger_cli::open(&dir)?;
                    let device = wipe::claimed_receipt_device(&receipt)
                        .context("invalid wipe receipt: damaged or in an unknown format")?;
                    ledger.device_key(&device)?.with_context(|| {
                    format!("the receipt names device {device}, which the ledger does not know: import its report first")
                })?
                }
                (None, Some(key), _) => key,
                (None, None, Some(text)) => {
                    televisit_protocol::report::verify(&text_or_file(&text)?, None).context("the device report")?.key
                }
                (None, None, None) => {
                    anyhow::bail!(
                        "give the ledger (--org), the device's pinned key (--device-key) or its report (--report)"
                    )
                }
            };
            match wipe::verify_receipt(&receipt, &pinned) {
                Ok(r) => {
                    let text = report::receipt_text(&r);
                    print(json, serde_json::json!({"valid": true, "receipt": r}), text);
                }
                Err(err) => {
                    if json {
                        println!("{}", serde_json::json!({"valid": false, "error": err.to_string()}));
                    }
                    eprintln!("televisit-admin: receipt refused: {err}");
                    return Ok(ExitCode::from(FAILED_CHECK));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
