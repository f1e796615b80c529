//! `televisit-admin keys`: the organisation's key set. The root keys stay offline (the vault's
//! copy of --org, or --root files); each change is signed by them and published in `keys/`, and
//! the next bulletin takes it to every phone.

use crate::{ledger_cli, print};
use anyhow::Result;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use televisit_admin::keys::{self, Change, Outcome};
use televisit_admin::org::{self, Org};
use televisit_admin::{fleet, usage};
use televisit_protocol::keyset::{Role, Signer, LEGACY_NAME, MAX_KEY_VALID_SECONDS};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// The key set: its version, root keys and threshold, every key with its roles and expiry;
    /// warns of keys expiring within 30 days.
    Show {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
    },
    /// A wipe key for an admin, named: every wipe and cancellation says which admin issued it.
    AddAdmin {
        /// Short and lowercase: alice, j.smith, it-oncall.
        name: String,
        #[command(flatten)]
        key: NewKey,
    },
    /// A key with the roles given (policy, enroll, wipe, bulletin), comma-separated.
    Add {
        name: String,
        #[arg(long, value_delimiter = ',', value_parser = role, required = true)]
        roles: Vec<Role>,
        #[command(flatten)]
        key: NewKey,
    },
    /// Take a key out of the set: once phones have the new set (the next bulletin), they refuse
    /// whatever it signs, even a command it signed before.
    Revoke {
        name: String,
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(long = "root", value_name = "FILE")]
        roots: Vec<PathBuf>,
    },
    /// A new bulletin key for the cron host; no other key keeps the bulletin role.
    RotateBulletin {
        #[command(flatten)]
        key: NewKey,
    },
    /// New root keys (each --new-root file is read, or made when it does not exist) and how many
    /// must sign each later change; signed by the current root and the new one.
    RotateRoot {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(long = "new-root", value_name = "FILE", required = true)]
        new_roots: Vec<PathBuf>,
        /// Default: a majority of the new root keys.
        #[arg(long)]
        threshold: Option<u32>,
        #[arg(long = "root", value_name = "FILE")]
        roots: Vec<PathBuf>,
    },
    /// A new export recipient: exports are sealed to it from the next bulletin; the old
    /// identities stay in --org to open older ones.
    RotateExport {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(long = "root", value_name = "FILE")]
        roots: Vec<PathBuf>,
    },
    /// Add this root key's signature to the change waiting for a threshold (a second run, on the
    /// machine that holds another root key); published once it has enough.
    Approve {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        #[arg(long = "root", value_name = "FILE", required = true)]
        roots: Vec<PathBuf>,
        /// The change's digest, as `keys show` prints it beside the change: a root key signs only
        /// a change its holder was shown.
        #[arg(long, required = true)]
        digest: String,
    },
}

/// Where a new key goes, for how long, and the root that signs it in.
#[derive(clap::Args)]
pub struct NewKey {
    #[arg(long, value_name = "DIR")]
    org: PathBuf,
    /// Where the new secret key is written (a file that does not exist; give it to its holder).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[arg(long, default_value = "365d", value_parser = key_validity)]
    valid: i64,
    /// A root key file to sign with (repeat for a threshold); default: the organisation's first
    /// key in --org, while it is a root.
    #[arg(long = "root", value_name = "FILE")]
    roots: Vec<PathBuf>,
}

impl NewKey {
    fn change(self, name: String, roles: Vec<Role>) -> (PathBuf, Vec<PathBuf>, Change) {
        (self.org, self.roots, Change::Add { name, roles, valid_seconds: self.valid, out: self.out })
    }
}

fn key_validity(text: &str) -> Result<i64, usage::Refusal> {
    fleet::parse_duration(text, MAX_KEY_VALID_SECONDS).map_err(usage::Refusal)
}

fn role(text: &str) -> Result<Role, usage::Refusal> {
    Role::from_code(text).ok_or_else(|| usage::Refusal("one of policy, enroll, wipe, bulletin".into()))
}

/// The key for a message of `role` (see `Org::signer`), its expiry warning on stderr.
pub fn signer(org: &Org, key: Option<&Path>, role: Role) -> Result<Signer> {
    let signing = org.signer(key, role, ledger_cli::now())?;
    if let Some(warning) = &signing.warning {
        eprintln!("televisit-admin: warning: {warning}");
    }
    Ok(signing.signer)
}

pub fn run(command: KeysCommand, json: bool) -> Result<ExitCode> {
    let now = ledger_cli::now();
    let (dir, roots, change) = match command {
        KeysCommand::Show { org } => {
            let org = org::load(&org)?;
            let proposed = keys::proposal(&org)?.map(|p| {
                serde_json::json!({"version": p.set.version, "digest": p.digest(), "changes": keys::changes(&org.keys, &p.set)})
            });
            let value = serde_json::json!({
                "version": org.keys.version,
                "key_set": org.keys,
                "warnings": org.expiry_warnings(now),
                "proposed": proposed,
            });
            print(json, value, keys::describe(&org, now).trim_end().to_owned());
            return Ok(ExitCode::SUCCESS);
        }
        KeysCommand::Approve { org, roots, digest } => {
            let mut org = org::load(&org)?;
            let outcome = keys::approve(&mut org, &roots, &digest)?;
            report(&org, &outcome, &[], json);
            return Ok(ExitCode::SUCCESS);
        }
        KeysCommand::AddAdmin { name, key } => key.change(name, vec![Role::Wipe]),
        KeysCommand::Add { name, roles, key } => key.change(name, roles),
        KeysCommand::Revoke { name, org, roots } => {
            let (_, mut ledger) = ledger_cli::open(&org)?;
            let signed = ledger.cancellations_signed_by(&name, now)?;
            let pending: Vec<String> = ledger
                .pending_wipes(now)?
                .iter()
                .filter(|text| {
                    let claimed = televisit_protocol::wipe::claimed_signer(text);
                    claimed == Some(Some(name.clone())) || (name == LEGACY_NAME && claimed == Some(None))
                })
                .filter_map(|text| televisit_protocol::wipe::claimed_command_id(text))
                .collect();
            if !pending.is_empty() {
                eprintln!(
                    "televisit-admin: warning: the key {name} signed {} pending wipe(s) ({}): phones refuse them once the change reaches them; issue each again with another admin's key",
                    pending.len(),
                    pending.join(", ")
                );
            }
            // Revoked anyway: a stolen key must go at once. What it signed goes with it.
            if !signed.is_empty() {
                eprintln!(
                    "televisit-admin: warning: the key {name} signed {} cancellation(s) still in force ({}): phones stop taking them with this change; sign each again with another admin's key (`wipe cancel CMD --key FILE`)",
                    signed.len(),
                    signed.join(", ")
                );
            }
            (org, roots, Change::Revoke { name })
        }
        KeysCommand::RotateBulletin { key } => {
            (key.org, key.roots, Change::RotateBulletin { valid_seconds: key.valid, out: key.out })
        }
        KeysCommand::RotateRoot { org, new_roots, threshold, roots } => {
            (org, roots, Change::RotateRoot { new_roots, threshold })
        }
        KeysCommand::RotateExport { org, roots } => (org, roots, Change::RotateExport),
    };
    let mut org = org::load(&dir)?;
    let (outcome, notes) = keys::change(&mut org, change, &roots, now)?;
    report(&org, &outcome, &notes, json);
    Ok(ExitCode::SUCCESS)
}

fn report(org: &Org, outcome: &Outcome, notes: &[String], json: bool) {
    for note in notes {
        eprintln!("televisit-admin: {note}");
    }
    let (value, text) = match outcome {
        Outcome::Published { version } => (
            serde_json::json!({"published": true, "version": version}),
            format!(
                "key set version {version} published in {}: the next bulletin takes it to every phone",
                org.keys_dir().display()
            ),
        ),
        Outcome::Proposed { version, missing_current, missing_new } => (
            serde_json::json!({"published": false, "version": version, "missing_current_root": missing_current, "missing_new_root": missing_new, "digest": keys::proposal(org).ok().flatten().map(|p| p.digest())}),
            format!(
                "key set version {version} waits for {missing_current} more signature(s) of the current root and {missing_new} of the new one: where another root key is kept, `keys show` prints the change and its digest; then `keys approve --root FILE --digest DIGEST`"
            ),
        ),
    };
    print(json, value, text);
}
