//! `televisit cleanup`: the periodic removal of patient contacts, run by staff. A dry run unless
//! `--apply`; contacts Televisit did not make but that look like its own are only flagged, and
//! deleted only when named one by one with `--confirm-lookalike`. `--report` says where cleanup
//! stands in the words and numbers IT's fleet view reads for this device (exit 3 when contacts
//! are past their age); `televisit checkin` runs the policy's automatic cleanup (`background`).

use crate::patient_view::{self, CleanupView};
use crate::profile::Profile;
use crate::usage::Refusal;
use crate::view::print_json;
use anyhow::Result;
use clap::Args;
use std::process::ExitCode;
use televisit_core::cleanup::automatic::{AutomaticCleanupSummary, BackgroundCleanup, Skipped};
use televisit_core::cleanup::state::{CleanupEnd, CleanupState};
use televisit_core::{CleanupRules, Televisit};

/// Exit code of `--report` when contacts are past their cleanup age.
const OVERDUE: u8 = 3;

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
    /// Where cleanup stands on this device, as IT's fleet view counts it (exit 3 when patient
    /// contacts are past the cleanup age), and what automatic cleanup did since last looked.
    #[arg(long, conflicts_with_all = ["apply", "older_than"])]
    report: bool,
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
    if args.report {
        return report(tv, &book, json);
    }
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

/// `--report`: the counts (kept for the next device report too), the last run, and the summary
/// automatic cleanup left, which is then seen.
fn report(tv: &Televisit, book: &dyn televisit_core::ContactBook, json: bool) -> Result<ExitCode> {
    let state = tv.cleanup_state(book)?;
    let automatic = tv.policy()?.contacts.cleanup_automatic;
    let unseen = tv.automatic_cleanup_summary()?;
    if json {
        print_json(&serde_json::json!({
            "state": state_json(&state),
            "automatic": automatic,
            "automatic_summary": unseen.as_ref().map(summary_json),
        }));
    } else {
        println!("Cleanup on this device (what IT's fleet view reads):");
        println!("  {}", state.describe());
        match (state.r, state.e) {
            (Some(at), Some(end)) => println!("  last cleanup: {} ({})", when(at), end_words(end)),
            _ => println!("  last cleanup: never"),
        }
        println!(
            "  automatic cleanup: {}",
            if automatic {
                "on (each check-in removes this device's own contacts past the age)"
            } else {
                "off (IT's policy leaves it to staff)"
            }
        );
        if let Some(summary) = &unseen {
            println!("{}", summary_words(summary));
        }
    }
    tv.automatic_cleanup_seen()?;
    Ok(if state.overdue() { ExitCode::from(OVERDUE) } else { ExitCode::SUCCESS })
}

/// The cleanup step of `televisit checkin`, before its report: counts, and removes when the
/// policy makes cleanup automatic. Says what it did (counts only); its JSON for the check-in's.
pub fn background(profile: &Profile, tv: &Televisit, json: bool) -> Result<serde_json::Value> {
    let book = profile.contact_book()?;
    let done: BackgroundCleanup = tv.background_cleanup(&book)?;
    if !json {
        match done.skipped {
            None => println!(
                "cleanup: removed {} patient contact(s) due under IT's policy{}",
                done.removed,
                if done.failed > 0 {
                    format!("; {} could not be removed and are tried at a later check-in", done.failed)
                } else {
                    String::new()
                }
            ),
            Some(Skipped::NoContactsAccess) => println!("cleanup: {}", done.state.describe()),
            Some(_) if done.state.overdue() => println!("cleanup: {}", done.state.describe()),
            Some(_) => {}
        }
    }
    Ok(serde_json::json!({
        "removed": done.removed,
        "failed": done.failed,
        "skipped": done.skipped.map(Skipped::code),
        "state": state_json(&done.state),
    }))
}

fn state_json(state: &CleanupState) -> serde_json::Value {
    serde_json::json!({
        "contacts_held": state.n,
        "past_age": state.o,
        "oldest_days": state.d,
        "age_days": state.age,
        "last_run": state.r.map(when),
        "last_end": state.e,
        "summary": state.describe(),
        "overdue": state.overdue(),
    })
}

fn summary_json(summary: &AutomaticCleanupSummary) -> serde_json::Value {
    serde_json::json!({
        "removed": summary.removed,
        "failed": summary.failed,
        "lookalikes_waiting": summary.lookalikes_waiting,
        "runs": summary.runs,
        "last_at": when(summary.last_at),
        "age_days": summary.age_days,
    })
}

fn summary_words(summary: &AutomaticCleanupSummary) -> String {
    let mut text = format!(
        "Since last looked, automatic cleanup removed {} patient contact(s) past {} days or otherwise due ({} run(s), the last {}).",
        summary.removed,
        summary.age_days,
        summary.runs,
        when(summary.last_at)
    );
    if summary.failed > 0 {
        text.push_str(&format!(" {} could not be removed; they are tried at a later check-in.", summary.failed));
    }
    if summary.lookalikes_waiting > 0 {
        text.push_str(&format!(
            " {} contact(s) named like patients that Televisit did not make wait for you: `televisit cleanup`.",
            summary.lookalikes_waiting
        ));
    }
    text
}

fn end_words(end: CleanupEnd) -> &'static str {
    match end {
        CleanupEnd::Done => "everything due was removed",
        CleanupEnd::SomeFailed => "some removals failed; the next run tries again",
        CleanupEnd::LookalikesWaiting => "contacts named like patients that Televisit did not make wait for a person",
    }
}

fn when(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map_or_else(|| "an unreadable time".into(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
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
