//! The fleet loop, IT's side: the device reports the phones publish back, and how IT's tool
//! shows them, imports and wipes. The bulletin itself is made in `fleet_bulletin`.

pub use crate::fleet_bulletin::{make_bulletin, make_fleet_bulletin, Confirmations, MAX_BULLETIN_CHARS};
use crate::ledger::{DeviceRow, FileOutcome, Format, WipeRow};
pub use crate::when::time;
use anyhow::Result;
use televisit_protocol::report::{ChecklistState, DeviceReport};

/// `24h`, `90d`, `30m`: a number of seconds, within `max`.
pub fn parse_duration(text: &str, max: i64) -> Result<i64, String> {
    // By the last character, never a byte index: typed text may end in "ë" or an emoji.
    let units = [('m', 60), ('h', 3600), ('d', 86_400)];
    let Some((number, unit_seconds)) =
        units.iter().find_map(|&(unit, seconds)| text.strip_suffix(unit).map(|number| (number, seconds)))
    else {
        return Err("a number with m, h or d after it, like 24h or 90d".into());
    };
    Some(number)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<i64>().ok())
        .and_then(|n| n.checked_mul(unit_seconds))
        .filter(|s| (1..=max).contains(s))
        .ok_or_else(|| format!("a positive duration of at most {} days, like 24h or 90d", max / 86_400))
}

/// What a verified report says, one fact a line.
pub fn report_text(report: &DeviceReport, pinned: bool) -> String {
    let or_none = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    let checklist = match report.chk {
        ChecklistState::Current => "current",
        ChecklistState::Due => "due",
        ChecklistState::Never => "never done",
    };
    format!(
        "valid device report of {} (enrollment {}), made {}\n  platform: {} {}, Televisit {}\n  policy version: {}\n  last contact with IT: {}\n  privacy checklist: {checklist}\n  wipe under way: {}\n  receipt held for: {}\n  MDM device: {}\n  MDM user: {}\n  device key: {}{}",
        report.dev,
        report.enr,
        time(report.at),
        report.os,
        report.os_ver,
        report.app_ver,
        report.pol,
        report.seen.map_or_else(|| "never".into(), time),
        or_none(&report.wipe),
        or_none(&report.rcpt),
        or_none(&report.mdm_dev),
        or_none(&report.mdm_user),
        report.key,
        if pinned {
            " (the key pinned for this device)"
        } else {
            " (first sight: pin it, and check every later report and receipt with --device-key)"
        }
    )
}

/// How long ago, in the largest whole unit: "3 h ago", "2 d ago".
pub fn ago(seconds: i64, now: i64) -> String {
    let gap = now.saturating_sub(seconds);
    match gap {
        i64::MIN..=-1 => "in the future".into(),
        0..=119 => "just now".into(),
        120..=7_199 => format!("{} min ago", gap / 60),
        7_200..=172_799 => format!("{} h ago", gap / 3600),
        _ => format!("{} d ago", gap / 86_400),
    }
}

/// One import's outcome, with the refused lines.
pub fn import_text(o: &FileOutcome) -> String {
    if let Some(at) = o.already_imported_at {
        return format!("{}: imported before ({}), nothing changed", o.file_name, time(at));
    }
    let mut text = format!(
        "{}: {} new reports, {} new receipts, {} seen before, {} refused",
        o.file_name, o.reports, o.receipts, o.unchanged, o.refused
    );
    if o.format != Format::Text {
        text.push_str(&format!(" (read as {})", o.format.code()));
    }
    if o.format == Format::GraphStatuses {
        text.push_str(&format!(
            "; configuration status of {} devices recorded, {} rows matched no device in the ledger",
            o.config_statuses, o.config_unmatched
        ));
    }
    // A text file's problems are by line; an MDM's answer's by the record's place in it.
    let place = if o.format == Format::Text { "line" } else { "record" };
    for problem in &o.problems {
        text.push_str(&format!("\n  {place} {}: {}", problem.line, problem.reason));
    }
    if o.problems.len() < o.refused as usize {
        text.push_str(&format!("\n  … and {} more", o.refused as usize - o.problems.len()));
    }
    text
}

/// A device in one line: its state first.
pub fn device_line(d: &DeviceRow, now: i64) -> String {
    format!(
        "{:<8} {}  {:<32} {:<7} policy {:<4} last report {:<12} cleanup {:<28} config {:<18} {}",
        device_state(d),
        d.device_id,
        d.mdm_user.as_deref().unwrap_or("-"),
        d.platform,
        d.policy_version,
        ago(d.last_report_at, now),
        crate::fleet_cleanup::column(d),
        d.config.as_ref().map_or_else(|| "-".into(), |c| c.summary()),
        d.flag.as_deref().map(|f| format!("[{f}]")).unwrap_or_default()
    )
}

/// A device's state in a word: `retired`, `wiped`, `flagged`, `wiping`, `stale` or `ok`.
pub fn device_state(d: &DeviceRow) -> &'static str {
    if d.retired_at.is_some() {
        "retired"
    } else if d.wiped {
        "wiped"
    } else if d.flag.is_some() {
        "flagged"
    } else if d.wipe_under_way.is_some() {
        "wiping"
    } else if d.stale {
        "stale"
    } else {
        "ok"
    }
}

/// The key set a device verifies IT's messages with, against the organisation's newest.
pub fn key_set_text(d: &DeviceRow, newest: u64) -> String {
    let held = d.key_set.and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
    match (held, newest) {
        (0, 0) => "the organisation's one key".into(),
        (held, newest) if held >= newest => format!("version {held}, the newest"),
        (held, newest) => format!(
            "version {held}, behind the organisation's {newest}: its next bulletin takes it there; if it stays behind, re-enroll it"
        ),
    }
}

/// Everything the ledger holds on a device, and its wipes.
pub fn device_text(d: &DeviceRow, wipes: &[WipeRow]) -> String {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut text = format!(
        "{} ({})\n  enrollment: {}\n  MDM user: {}\n  MDM device: {}\n  platform: {} {}, Televisit {}\n  policy version: {}\n  privacy checklist: {}\n  first report: {}\n  last report: {}\n  last contact with IT: {}\n  pinned key: {}",
        d.device_id,
        device_state(d),
        d.enrollment_id,
        or_none(&d.mdm_user),
        or_none(&d.mdm_device_id),
        d.platform,
        d.os_version,
        d.app_version,
        d.policy_version,
        d.checklist,
        time(d.first_report_at),
        time(d.last_report_at),
        d.last_checkin.map_or_else(|| "never".into(), time),
        d.device_key
    );
    text.push_str(&format!("\n  contacts cleanup: {}", crate::fleet_cleanup::detail(d)));
    if let Some(r) = &d.relay_checkin {
        text.push_str(&format!("\n  through the relay: last check-in {}, {} in all", time(r.last_at), r.count));
    }
    if let Some(c) = &d.config {
        text.push_str(&format!(
            "\n  app configuration (Intune): {} (status {}, matched by {})",
            c.summary(),
            c.status,
            c.matched_by
        ));
    }
    match d.flag.as_deref() {
        Some(crate::ledger::device_findings::REPORTED_AFTER_WIPE) => text.push_str(&format!(
            "\n  flag: {}: a report signed by its key after its full wipe (a copy of the phone put back?); the next bulletin carries a new wipe",
            crate::ledger::device_findings::REPORTED_AFTER_WIPE
        )),
        Some(flag) => text.push_str(&format!("\n  flag: {flag}: a report signed by another key was refused (clone or reinstall?); check the phone, then `devices repin`")),
        None => {}
    }
    for w in wipes.iter().filter(|w| w.device_id == d.device_id) {
        text.push_str(&format!("\n  wipe: {}", wipe_line(w)));
    }
    text
}

/// A wipe in one line: its state, and what to do when there is something to do.
pub fn wipe_line(w: &WipeRow) -> String {
    let mut line = format!(
        "{:<8} {}  {}  {} ({}, {})",
        w.state.code(),
        w.command_id,
        w.device_id,
        w.mdm_user.as_deref().unwrap_or("-"),
        w.scope,
        w.reason
    );
    match (w.issued_at, w.completed_at, w.expires_at) {
        (_, Some(done), _) => line.push_str(&format!(" carried out {}", time(done))),
        (Some(issued), None, Some(expires)) => line.push_str(&format!(
            " issued {} by {}, expires {}",
            time(issued),
            w.issued_by.as_deref().unwrap_or("-"),
            time(expires)
        )),
        _ => {}
    }
    if let Some(hint) = w.hint() {
        line.push_str(&format!("\n         {hint}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use televisit_protocol::bulletin::MAX_VALID_SECONDS;

    #[test]
    fn durations_are_bounded() {
        assert_eq!(parse_duration("24h", MAX_VALID_SECONDS), Ok(86_400));
        assert_eq!(parse_duration("90d", 366 * 86_400), Ok(90 * 86_400));
        for bad in ["", "h", "0h", "-1h", "+1h", "24", "32d", "9999999999999999999d", "Susan", "Zoë", "ë", "🙂d", "1ë"]
        {
            assert!(parse_duration(bad, MAX_VALID_SECONDS).is_err(), "{bad}");
        }
        for typed in ["9999999999999999999d", "Susan", "Zoë"] {
            assert!(!parse_duration(typed, MAX_VALID_SECONDS).unwrap_err().contains(typed));
        }
    }
}
