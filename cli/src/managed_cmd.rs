//! `televisit managed FILE`: the managed configuration an MDM would push to a phone (Android app
//! restrictions, iOS `com.apple.configuration.managed`), given as a JSON object of string values.
//! It goes through the same core call the phones make at every start and every change, so the
//! same file applied twice reports `unchanged`, and a value that is no string is refused here by
//! its key, as the phones' shells refuse a value of the wrong type.
//!
//! Exit codes: 0 applied or unchanged; 1 an error; 3 a value refused (each with its reason).

use crate::it_cmd::deliver_receipt;
use crate::it_view::WipeCause;
use crate::profile::Profile;
use crate::view::print_json;
use anyhow::{anyhow, Context, Result};
use clap::Args;
use std::collections::HashMap;
use std::io::Read;
use std::process::ExitCode;
use televisit_core::it::managed::{keys, ManagedOutcome, ManagedReport};
use televisit_core::Televisit;

#[derive(Args)]
pub struct ManagedArgs {
    /// A JSON object such as {"enrollment_code": "tv1.enroll…", "signed_policy": "tv1.policy…",
    /// "wipe_command": "tv1.wipe…"}: a file holding it, or - for stdin.
    #[arg(value_name = "FILE")]
    config: String,
}

pub fn run(profile: &Profile, tv: Televisit, args: ManagedArgs, json: bool) -> Result<ExitCode> {
    let text = read_config(&args.config)?;
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).map_err(|e| {
        anyhow!("the managed configuration is not a JSON object (line {} column {})", e.line(), e.column())
    })?;
    let mut values = HashMap::new();
    let mut wrong_type = Vec::new();
    for (key, value) in object {
        match value {
            serde_json::Value::String(s) => {
                values.insert(key, s);
            }
            serde_json::Value::Null => {}
            _ if keys::READ.contains(&key.as_str()) => wrong_type.push(key),
            _ => {}
        }
    }
    let report = tv.apply_managed_config(&profile.secrets, &values)?;
    let mut problems = report.problems();
    problems.extend(wrong_type.iter().map(|key| format!("{key}: the value is not text, so it was ignored")));
    if json {
        print_json(&serde_json::json!({"report": report, "problems": problems}));
    } else {
        print!("{}", report_text(&report));
        for problem in &problems {
            eprintln!("televisit: refused {problem}");
        }
    }
    if report.wipe_started {
        drop(tv);
        if let Some(receipt) = profile.resume_pending_wipe()? {
            deliver_receipt(&receipt, WipeCause::Applied, json)?;
        }
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(crate::it_cmd::REFUSED) })
}

fn report_text(report: &ManagedReport) -> String {
    let line = |key: &str, outcome: &ManagedOutcome| {
        let said = match outcome {
            ManagedOutcome::NotSet => "not set".to_owned(),
            ManagedOutcome::Unchanged => "unchanged".to_owned(),
            ManagedOutcome::Applied { summary } => format!("applied: {summary}"),
            ManagedOutcome::Refused { code, .. } => format!("refused ({code})"),
        };
        format!("{key:<16} {said}\n")
    };
    [
        line(keys::ENROLLMENT_CODE, &report.enrollment),
        line(keys::SIGNED_POLICY, &report.policy),
        line("mdm ids", &report.mdm_ids),
        line(keys::BULLETIN, &report.bulletin),
        line(keys::WIPE_COMMAND, &report.wipe),
    ]
    .concat()
}

/// At most 1 MiB: three signed messages are a few kilobytes.
fn read_config(path: &str) -> Result<String> {
    let mut text = String::new();
    let limit = 1 << 20;
    if path == "-" {
        std::io::stdin().lock().take(limit).read_to_string(&mut text).context("cannot read stdin as UTF-8 text")?;
    } else {
        std::fs::File::open(path)
            .and_then(|file| file.take(limit).read_to_string(&mut text))
            .map_err(|e| anyhow!("cannot read the file given: {}", e.kind()))?;
    }
    Ok(text)
}
