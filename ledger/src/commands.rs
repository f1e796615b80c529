//! Wipe commands as IT makes them, before an admin key signs one (`wipe issue`, and the ledger's
//! own re-issue of a wipe a device reported after).

use anyhow::{bail, Result};
use televisit_protocol::ids;
use televisit_protocol::wipe::{WipeCommand, WipeReason, WipeScope, COMMAND_VERSION};

/// How long before its issue time a command is already valid: phones' clocks run a little fast
/// or slow, and a command must not be refused for a few minutes' difference.
const CLOCK_SKEW_SECONDS: i64 = 300;

/// A wipe command for one device and enrollment, valid for `ttl_days` from `now` (Unix seconds).
pub fn wipe_command(
    device: &str,
    enrollment: &str,
    scope: WipeScope,
    reason: WipeReason,
    ttl_days: u32,
    now: i64,
) -> Result<WipeCommand> {
    for (field, id, prefix) in [("--device", device, "dev"), ("--enrollment", enrollment, "enr")] {
        if !ids::is_id_with_prefix(id, prefix) {
            bail!("{field} must be an id starting with {prefix}_ (as `televisit status` shows it)");
        }
    }
    if !(1..=365).contains(&ttl_days) {
        bail!("a command stays valid for 1 to 365 days");
    }
    let expires_at = now.checked_add(i64::from(ttl_days) * 86_400);
    let not_before = now.checked_sub(CLOCK_SKEW_SECONDS);
    let (Some(expires_at), Some(not_before)) = (expires_at, not_before) else {
        bail!("the system clock is out of range");
    };
    Ok(WipeCommand {
        v: COMMAND_VERSION,
        device_id: device.to_owned(),
        enrollment_id: enrollment.to_owned(),
        command_id: ids::random_id("cmd")?,
        issued_at: now,
        not_before,
        expires_at,
        scope,
        reason,
        signed_by: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wipe_commands_name_real_ids_and_a_window() {
        let device = "dev_0123456789abcdef01234567";
        let enrollment = "enr_0123456789abcdef01234567";
        let now = 1_800_000_000;
        let command = wipe_command(device, enrollment, WipeScope::All, WipeReason::Lost, 14, now).unwrap();
        assert_eq!(command.expires_at - command.issued_at, 14 * 86_400);
        assert!(command.not_before < now && command.command_id.starts_with("cmd_"));
        assert!(wipe_command("Susan Smith", enrollment, WipeScope::All, WipeReason::Lost, 14, now).is_err());
        assert!(wipe_command(device, device, WipeScope::All, WipeReason::Lost, 14, now).is_err());
        assert!(wipe_command(device, enrollment, WipeScope::All, WipeReason::Lost, 0, now).is_err());
        assert!(wipe_command(device, enrollment, WipeScope::All, WipeReason::Lost, 14, i64::MAX).is_err());
        assert!(wipe_command(device, enrollment, WipeScope::All, WipeReason::Lost, 14, i64::MIN).is_err());
    }
}
