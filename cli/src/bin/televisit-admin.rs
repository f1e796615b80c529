//! `televisit-admin`: IT's tool. Today it checks policies; enrollment, signing, wipe commands and
//! sealed-log opening arrive with the "IT's side" issue.
//!
//! Exit codes: 0 valid; 1 invalid (the field is named on stderr); 2 a usage error.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use televisit_core::Policy;

#[derive(Parser)]
#[command(
    name = "televisit-admin",
    version,
    about = "Televisit for IT: write and check the organisation's policy.",
    after_help = "Start from the defaults:\n  televisit-admin policy defaults > policy.json\nedit it, then check it before you send it to devices:\n  televisit-admin policy check policy.json"
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
    /// The organisation's policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the default policy (every field, with the values of the design) as JSON.
    Defaults,
    /// Validate a policy file; an error names the field and the line.
    Check { file: PathBuf },
}

#[path = "../usage.rs"]
#[allow(dead_code)] // its Refusal is for televisit's own value parsers
mod usage;

fn main() -> ExitCode {
    let cli = match usage::parse::<Cli>("televisit-admin") {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match cli.command {
        Command::Policy(PolicyCommand::Defaults) => {
            println!("{}", Policy::default().to_json());
            ExitCode::SUCCESS
        }
        Command::Policy(PolicyCommand::Check { file }) => {
            let checked = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {}", file.display(), e.kind()))
                .and_then(|text| Policy::from_json(&text).map_err(|e| e.to_string()));
            match (checked, cli.json) {
                (Ok(policy), true) => println!("{}", serde_json::json!({"valid": true, "version": policy.version})),
                (Ok(policy), false) => println!("valid: policy version {}", policy.version),
                (Err(err), json) => {
                    if json {
                        println!("{}", serde_json::json!({"valid": false, "error": err}));
                    }
                    eprintln!("televisit-admin: invalid: {err}");
                    return ExitCode::from(1);
                }
            }
            ExitCode::SUCCESS
        }
    }
}
