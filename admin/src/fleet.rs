//! The fleet loop, IT's side: the bulletin IT signs on a schedule and pushes to every phone
//! through its MDM (contact with IT, and the organisation's pending wipes), and the device
//! reports the phones publish back.

use anyhow::{bail, Context, Result};
use televisit_protocol::bulletin::{self, Bulletin, FleetWipe, BULLETIN_VERSION, MAX_VALID_SECONDS};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::report::{ChecklistState, DeviceReport};
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
    let expires_at = now.checked_add(valid_seconds).context("the system clock is out of range")?;
    let made = Bulletin { v: BULLETIN_VERSION, bulletin_id: ids::random_id("blt")?, issued_at: now, expires_at, wipes };
    let text = bulletin::sign(org, &made)?;
    Ok((made, text))
}

fn time(seconds: i64) -> String {
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
}
