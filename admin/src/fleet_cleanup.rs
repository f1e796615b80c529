//! The phones' contacts cleanup as IT's tool shows it (issue 33): a column in every list of
//! devices, a line in `devices show`, and the fleet report's count line. Counts only: a report
//! carries no name and no number. Each phone is judged by its own cleanup age (the policy's, as
//! the phone applies it), and a phone that cannot read its contacts is "unknown", never zero.

use crate::ledger::views::worst_first as worst_first_order;
use crate::ledger::{DeviceCleanup, DeviceRow};
use crate::when::time;
use std::collections::BTreeSet;
use televisit_protocol::report::CleanupEnd;

/// The state in a word, as the HTML (`data-cleanup`) and scripts read it: `overdue` (contacts
/// past their age), `clear`, `unknown` (no contacts access), `not_reported` (an app that
/// predates it, or has not counted yet), `closed` (wiped or retired: never counted).
pub fn state(d: &DeviceRow) -> &'static str {
    match &d.cleanup {
        _ if d.closed() => "closed",
        None => "not_reported",
        Some(c) if c.held.is_none() => "unknown",
        Some(_) if d.cleanup_overdue => "overdue",
        Some(_) => "clear",
    }
}

/// The cleanup column: `4 past 30 d, oldest 93 d`, `none past 30 d`, `unknown (no contacts
/// access)`, `not reported`; `-` for a closed device (its last report's counts no longer hold).
pub fn column(d: &DeviceRow) -> String {
    match (state(d), &d.cleanup) {
        ("closed", _) => "-".into(),
        ("unknown", _) => "unknown (no contacts access)".into(),
        (_, None) => "not reported".into(),
        (_, Some(c)) if c.overdue_count() == 0 => format!("none past {} d", c.age_days),
        (_, Some(c)) => match c.oldest_days {
            Some(oldest) => format!("{} past {} d, oldest {oldest} d", c.overdue_count(), c.age_days),
            None => format!("{} past {} d", c.overdue_count(), c.age_days),
        },
    }
}

/// `devices show`'s line: every count, and the last run.
pub fn detail(d: &DeviceRow) -> String {
    let Some(c) = &d.cleanup else {
        return "not reported (the app predates it, or has not counted its contacts yet)".into();
    };
    let counts = match (c.held, c.overdue) {
        (Some(held), Some(overdue)) => {
            let oldest = c.oldest_days.map(|o| format!(", the oldest {o} days")).unwrap_or_default();
            format!("{held} patient contacts held, {overdue} past the cleanup age of {} days{oldest}", c.age_days)
        }
        _ => format!("unknown: the app has no contacts access (cleanup age {} days)", c.age_days),
    };
    let run = match (c.ran_at, c.end) {
        (Some(at), Some(end)) => format!("last run {}: {}", time(at), end_words(end)),
        _ => "never run".into(),
    };
    let closed = if d.closed() { " (as its last report said; closed: not counted)" } else { "" };
    format!("{counts}; {run}{closed}")
}

/// How a run ended, in words.
pub fn end_words(end: CleanupEnd) -> &'static str {
    match end {
        CleanupEnd::Done => "done",
        CleanupEnd::SomeFailed => "some removals failed (tried again at its next run)",
        CleanupEnd::LookalikesWaiting => "contacts that look like Televisit's wait for the clinician",
    }
}

/// The phones the fleet report's cleanup table lists: those holding contacts past their age,
/// worst first (the ledger's own order), then those whose counts are unknown, which may hold
/// any number (by user, as the devices table is).
pub fn to_check(devices: &[DeviceRow]) -> Vec<&DeviceRow> {
    let mut overdue: Vec<&DeviceRow> = devices.iter().filter(|d| d.cleanup_overdue).collect();
    overdue.sort_by(|a, b| worst_first_order(a, b));
    overdue.extend(devices.iter().filter(|d| state(d) == "unknown"));
    overdue
}

/// The fleet's cleanup in counts, over its live devices.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Phones holding contacts past their cleanup age.
    pub overdue: usize,
    /// The oldest contact among them, in days (where a phone knows it).
    pub oldest_days: Option<i64>,
    /// The cleanup ages they apply (those of every reporting phone when none is overdue).
    pub age_days: BTreeSet<i64>,
    /// Phones whose counts are unknown (no contacts access), and phones that do not report it.
    pub counts_unknown: usize,
    pub not_reported: usize,
}

impl Summary {
    pub fn of(devices: &[DeviceRow]) -> Summary {
        let overdue: Vec<&DeviceCleanup> =
            devices.iter().filter(|d| d.cleanup_overdue).flat_map(|d| &d.cleanup).collect();
        let reporting = devices.iter().filter(|d| !d.closed()).flat_map(|d| &d.cleanup);
        let age_days = if overdue.is_empty() {
            reporting.map(|c| c.age_days).collect()
        } else {
            overdue.iter().map(|c| c.age_days).collect()
        };
        let count = |word: &str| devices.iter().filter(|d| state(d) == word).count();
        Summary {
            overdue: overdue.len(),
            oldest_days: overdue.iter().filter_map(|c| c.oldest_days).max(),
            age_days,
            counts_unknown: count("unknown"),
            not_reported: count("not_reported"),
        }
    }

    /// `Phones holding contacts past their cleanup age (30 days): 4; oldest 93 days`, with the
    /// phones it cannot count after it: the line IT's monthly privacy check starts from.
    pub fn line(&self) -> String {
        let ages = match (self.age_days.first(), self.age_days.last()) {
            (Some(low), Some(high)) if low == high => format!(" ({low} days)"),
            (Some(low), Some(high)) => format!(" ({low} to {high} days)"),
            _ => String::new(),
        };
        let mut line = format!("Phones holding contacts past their cleanup age{ages}: {}", self.overdue);
        if let Some(oldest) = self.oldest_days {
            line.push_str(&format!("; oldest {oldest} days"));
        }
        if self.counts_unknown > 0 {
            line.push_str(&format!("; counts unknown on {} (no contacts access)", phones(self.counts_unknown)));
        }
        if self.not_reported > 0 {
            line.push_str(&format!("; not reported by {} (an app that predates it)", phones(self.not_reported)));
        }
        line
    }
}

fn phones(n: usize) -> String {
    if n == 1 {
        "1 phone".into()
    } else {
        format!("{n} phones")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(cleanup: Option<DeviceCleanup>, overdue: bool) -> DeviceRow {
        DeviceRow {
            device_id: "dev_1".into(),
            enrollment_id: "enr_1".into(),
            device_key: "k".into(),
            platform: "android".into(),
            os_version: "16".into(),
            app_version: "0.2.0".into(),
            policy_version: 3,
            checklist: "current".into(),
            mdm_device_id: None,
            mdm_user: None,
            wipe_under_way: None,
            first_report_at: 0,
            last_report_at: 1_800_000_000,
            last_checkin: None,
            flag: None,
            stale: false,
            wiped: false,
            retired_at: None,
            config: None,
            key_set: None,
            relay_checkin: None,
            cleanup,
            cleanup_overdue: overdue,
        }
    }

    fn counted(overdue: i64, oldest: Option<i64>) -> Option<DeviceCleanup> {
        Some(DeviceCleanup {
            held: Some(overdue + 1),
            overdue: Some(overdue),
            oldest_days: oldest,
            age_days: 30,
            ran_at: None,
            end: None,
        })
    }

    #[test]
    fn a_phone_that_knows_no_oldest_age_still_counts_its_contacts_past_their_age() {
        // Contacts the phone holds no record of count as past their age, with no age of their own.
        assert_eq!(column(&device(counted(2, None), true)), "2 past 30 d");
        assert_eq!(
            detail(&device(counted(2, None), true)),
            "3 patient contacts held, 2 past the cleanup age of 30 days; never run"
        );
        let summary = Summary::of(&[device(counted(2, None), true)]);
        assert_eq!(summary.line(), "Phones holding contacts past their cleanup age (30 days): 1");
    }

    #[test]
    fn a_closed_phone_is_never_counted_and_a_fleet_with_no_report_says_so() {
        let wiped = DeviceRow { wiped: true, ..device(counted(4, Some(93)), false) };
        assert_eq!((state(&wiped), column(&wiped).as_str()), ("closed", "-"));
        assert!(detail(&wiped).ends_with("(as its last report said; closed: not counted)"));
        let summary = Summary::of(&[wiped, device(None, false)]);
        assert_eq!(
            summary.line(),
            "Phones holding contacts past their cleanup age: 0; not reported by 1 phone (an app that predates it)"
        );
    }
}
