//! The fleet loop, IT's side: the bulletin IT signs on a schedule and pushes to every phone
//! through its MDM (contact with IT, and the organisation's pending wipes), and the device
//! reports the phones publish back.

use crate::ledger::{DeviceRow, FileOutcome, Format, WipeRow};
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, HashMap};
use televisit_protocol::bulletin::{self, Bulletin, FleetWipe, BULLETIN_VERSION, MAX_VALID_SECONDS, MAX_WIPES};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::report::{ChecklistState, DeviceReport};
use televisit_protocol::wipe::WipeScope;
use televisit_protocol::{ids, wipe};

/// `24h`, `90d`, `30m`: a number of seconds, within `max`.
pub fn parse_duration(text: &str, max: i64) -> Result<i64, String> {
    let split = text.len().saturating_sub(1);
    let (number, unit) = text.split_at(split);
    let unit_seconds = match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err("a number with m, h or d after it, like 24h or 90d".into()),
    };
    number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_seconds))
        .filter(|s| (1..=max).contains(s))
        .ok_or_else(|| format!("a positive duration of at most {} days, like 24h or 90d", max / 86_400))
}

/// A bulletin valid for `valid_seconds` from `now`, holding the wipe commands given (each a
/// signed command from `wipe issue`, checked against the organisation's key).
pub fn make_bulletin(
    org: &SigningKey,
    valid_seconds: i64,
    commands: &[String],
    now: i64,
) -> Result<(Bulletin, String)> {
    make_fleet_bulletin(org, valid_seconds, commands, Vec::new(), Confirmations::default(), now)
}

/// The protocol allows one entry per device and at most `MAX_WIPES`: a bulletin that breaks
/// either cannot be signed, and then no phone checks in. So two wipes pending for one device
/// (issued twice, or contacts then all) give the bulletin the wider scope, then the newer; the
/// other stays pending in the ledger for a later bulletin, as do devices beyond the limit (the
/// oldest commands go first).
fn one_per_device(candidates: Vec<FleetWipe>) -> Vec<FleetWipe> {
    let rank = |w: &FleetWipe| (w.scope == WipeScope::All, w.expires_at);
    let mut chosen: Vec<FleetWipe> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for wipe in candidates {
        match index.get(&wipe.device_id) {
            Some(&at) => {
                if rank(&wipe) > rank(&chosen[at]) {
                    chosen[at] = wipe;
                }
            }
            None => {
                index.insert(wipe.device_id.clone(), chosen.len());
                chosen.push(wipe);
            }
        }
    }
    chosen.truncate(MAX_WIPES);
    chosen
}

/// What a bulletin confirms IT received from its phones (`Ledger::log_confirmations`,
/// `Ledger::receipt_confirmations`).
#[derive(Debug, Clone, Default)]
pub struct Confirmations {
    /// Per device, the newest log entry archived without a gap.
    pub logs: BTreeMap<String, u64>,
    /// Per device, the command ids of the newest wipe receipt held.
    pub receipts: BTreeMap<String, Vec<String>>,
}

/// A bulletin holding the commands given and the ledger's pending wipes (a command in both is
/// carried once), confirming what IT holds from each device (its log as far as the archive holds
/// it, its wipe receipt).
pub fn make_fleet_bulletin(
    org: &SigningKey,
    valid_seconds: i64,
    commands: &[String],
    pending: Vec<FleetWipe>,
    confirmations: Confirmations,
    now: i64,
) -> Result<(Bulletin, String)> {
    if !(1..=MAX_VALID_SECONDS).contains(&valid_seconds) {
        bail!("a bulletin is valid for at most 31 days");
    }
    let mut wipes = Vec::new();
    for (i, text) in commands.iter().enumerate() {
        let command = wipe::open_command(text, &org.public_key()).map_err(|refusal| {
            anyhow::anyhow!("wipe command {} of {}: {}", i + 1, commands.len(), refusal.describe())
        })?;
        if command.expires_at <= now {
            bail!("wipe command {} of {} ({}) has expired: issue a new one", i + 1, commands.len(), command.command_id);
        }
        wipes.push(FleetWipe {
            device_id: command.device_id,
            enrollment_id: command.enrollment_id,
            command_id: command.command_id,
            scope: command.scope,
            reason: command.reason,
            expires_at: command.expires_at,
        });
    }
    for wipe in pending {
        if wipe.expires_at > now && !wipes.iter().any(|w: &FleetWipe| w.command_id == wipe.command_id) {
            wipes.push(wipe);
        }
    }
    let wipes = one_per_device(wipes);
    let expires_at = now.checked_add(valid_seconds).context("the system clock is out of range")?;
    let Confirmations { logs, receipts } = confirmations;
    let made = Bulletin {
        v: BULLETIN_VERSION,
        bulletin_id: ids::random_id("blt")?,
        issued_at: now,
        expires_at,
        wipes,
        logs,
        receipts,
    };
    let text = bulletin::sign(org, &made)?;
    Ok((made, text))
}

pub fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
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
        "{:<8} {}  {:<32} {:<7} policy {:<4} last report {:<12} config {:<18} {}",
        device_state(d),
        d.device_id,
        d.mdm_user.as_deref().unwrap_or("-"),
        d.platform,
        d.policy_version,
        ago(d.last_report_at, now),
        d.config.as_ref().map_or_else(|| "-".into(), |c| c.summary()),
        d.flag.as_deref().map(|f| format!("[{f}]")).unwrap_or_default()
    )
}

/// A device's state in a word: `wiped`, `flagged`, `wiping`, `stale` or `ok`.
pub fn device_state(d: &DeviceRow) -> &'static str {
    if d.wiped {
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
    if let Some(c) = &d.config {
        text.push_str(&format!(
            "\n  app configuration (Intune): {} (status {}, matched by {})",
            c.summary(),
            c.status,
            c.matched_by
        ));
    }
    if let Some(flag) = &d.flag {
        text.push_str(&format!("\n  flag: {flag}: a report signed by another key was refused (clone or reinstall?); check the phone, then `devices repin`"));
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
    use televisit_protocol::vectors;

    #[test]
    fn durations_are_bounded() {
        assert_eq!(parse_duration("24h", MAX_VALID_SECONDS), Ok(86_400));
        assert_eq!(parse_duration("90d", 366 * 86_400), Ok(90 * 86_400));
        for bad in ["", "h", "0h", "-1h", "24", "32d", "9999999999999999999d", "Susan"] {
            assert!(parse_duration(bad, MAX_VALID_SECONDS).is_err(), "{bad}");
        }
        for typed in ["9999999999999999999d", "Susan"] {
            assert!(!parse_duration(typed, MAX_VALID_SECONDS).unwrap_err().contains(typed));
        }
    }

    #[test]
    fn a_bulletin_carries_the_commands_it_is_given_and_refuses_others() {
        let org = vectors::org_key();
        let now = vectors::ISSUED_AT;
        let (made, text) = make_bulletin(&org, 86_400, &[vectors::wipe_command()], now).unwrap();
        assert_eq!(made.wipes.len(), 1);
        let opened = bulletin::open(&text, &org.public_key()).unwrap();
        assert_eq!(opened.wipe_for(vectors::DEVICE_ID).unwrap().command_id, vectors::COMMAND_ID);
        let other = SigningKey::from_seed(&[9; 32]).unwrap();
        assert!(make_bulletin(&other, 86_400, &[vectors::wipe_command()], now).is_err(), "another org's command");
        assert!(make_bulletin(&org, 86_400, &[vectors::wipe_command()], now + 30 * 86_400).is_err(), "expired");
        assert!(make_bulletin(&org, 40 * 86_400, &[], now).is_err());
    }

    #[test]
    fn two_wipes_for_one_device_and_more_devices_than_a_bulletin_holds_still_make_a_bulletin() {
        let org = vectors::org_key();
        let now = vectors::ISSUED_AT;
        let wipe = |device: &str, scope: WipeScope, expires_at: i64| FleetWipe {
            device_id: device.to_owned(),
            enrollment_id: ids::random_id("enr").unwrap(),
            command_id: ids::random_id("cmd").unwrap(),
            scope,
            reason: wipe::WipeReason::Lost,
            expires_at,
        };
        let lost = ids::random_id("dev").unwrap();
        let contacts = wipe(&lost, WipeScope::Contacts, now + 7_200);
        let all = wipe(&lost, WipeScope::All, now + 3_600);
        let again = wipe(&lost, WipeScope::All, now + 5_000);
        let pending = vec![contacts.clone(), all, again.clone()];
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], pending, Confirmations::default(), now).unwrap();
        assert_eq!(made.wipes, vec![again.clone()], "the widest scope, then the newest");
        assert_eq!(
            bulletin::open(&text, &org.public_key()).unwrap().wipe_for(&lost).unwrap().command_id,
            again.command_id
        );
        // Contacts only, twice: the newer.
        let newer = wipe(&lost, WipeScope::Contacts, now + 9_000);
        let (made, _) =
            make_fleet_bulletin(&org, 86_400, &[], vec![contacts, newer.clone()], Confirmations::default(), now).unwrap();
        assert_eq!(made.wipes, vec![newer]);
        // A fleet's worth of lost phones at once: the oldest MAX_WIPES go now, the rest stay pending.
        let many: Vec<FleetWipe> =
            (0..MAX_WIPES + 50).map(|_| wipe(&ids::random_id("dev").unwrap(), WipeScope::All, now + 60)).collect();
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], many.clone(), Confirmations::default(), now).unwrap();
        assert_eq!(made.wipes, many[..MAX_WIPES].to_vec());
        assert!(bulletin::open(&text, &org.public_key()).is_ok());
    }
}
