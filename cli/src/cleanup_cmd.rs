//! `televisit cleanup`: the periodic removal of patient contacts, run by staff. A dry run unless
//! `--apply`; contacts Televisit did not make but that look like its own are only flagged, and
//! deleted only when named one by one with `--confirm-lookalike`.

use crate::patient_view::{self, CleanupView};
use crate::profile::Profile;
use crate::usage::Refusal;
use crate::view::print_json;
use anyhow::Result;
use clap::Args;
use std::process::ExitCode;
use televisit_core::{CleanupRules, Televisit};

/// The longest age accepted, to catch a unit mistake.
const MAX_AGE_DAYS: u32 = 36_500;

#[derive(Args)]
pub struct CleanupArgs {
    /// Remove contacts not used for a visit for this long, in days: 30d. Default: the policy's.
    #[arg(long, value_name = "AGE", value_parser = parse_age, allow_hyphen_values = true)]
    older_than: Option<u32>,
    /// Delete. Without it, a dry run that shows what would go and why, and changes nothing.
    #[arg(long)]
    apply: bool,
    /// With --apply, also delete this lookalike (a contact Televisit did not make); repeat for each.
    #[arg(long = "confirm-lookalike", value_name = "PLATFORM_ID", requires = "apply")]
    confirm_lookalikes: Vec<String>,
}

/// `30d` → 30. Refusals never repeat the value.
pub fn parse_age(text: &str) -> Result<u32, Refusal> {
    let refuse = || Refusal(format!("an age in days from 1 to {MAX_AGE_DAYS}, written like 30d"));
    let digits = text.strip_suffix('d').ok_or_else(refuse)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    match digits.parse::<u32>() {
        Ok(days) if (1..=MAX_AGE_DAYS).contains(&days) => Ok(days),
        _ => Err(refuse()),
    }
}

pub fn run(profile: &Profile, tv: &Televisit, args: CleanupArgs, json: bool) -> Result<ExitCode> {
    let book = profile.contact_book()?;
    let policy_rules = CleanupRules::from_policy(&tv.policy()?);
    let rules =
        CleanupRules { older_than_days: args.older_than.unwrap_or(policy_rules.older_than_days), ..policy_rules };
    let plan = tv.cleanup_plan(&book, Some(rules))?;
    if !args.apply {
        if json {
            print_json(&CleanupView::new(&rules, &plan, None));
        } else {
            print!("{}", patient_view::cleanup_plan_text(&rules, &plan));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let report = tv.cleanup_apply(&book, &plan, &args.confirm_lookalikes)?;
    if json {
        print_json(&CleanupView::new(&rules, &plan, Some(&report)));
    } else {
        print!("{}", patient_view::cleanup_report_text(&rules, &plan, &report));
    }
    if report.failed > 0 {
        eprintln!(
            "televisit: error: {} contacts could not be deleted; they stay recorded and the next cleanup tries again",
            report.failed
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_days_with_their_unit() {
        assert_eq!(parse_age("30d").unwrap(), 30);
        assert_eq!(parse_age("1d").unwrap(), 1);
        assert_eq!(parse_age("36500d").unwrap(), 36_500);
        for bad in ["0d", "-3d", "abc", "30", "d", "+3d", "3 d", "36501d", "99999999999d", "30D", "٣d"] {
            let refusal = parse_age(bad).unwrap_err().to_string();
            assert_eq!(refusal, "an age in days from 1 to 36500, written like 30d", "{bad}");
        }
    }
}
