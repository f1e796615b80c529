//! Local wipe triggers, as the best-known managed-app policies have them: too many failed
//! unlocks, no contact with IT for too long (off unless the policy turns it on), a device that
//! reports itself rooted or jailbroken. Each threshold comes from the policy. Blocked means every
//! clinical action is refused, with the reason, until the condition clears.

use crate::device::DeviceSnapshot;
use crate::policy::{Policy, RootedDeviceAction};
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerState {
    Clear,
    /// Reason codes: `offline_too_long`, `device_compromised`.
    Blocked {
        reasons: Vec<&'static str>,
    },
    /// Reason code: `failed_unlocks`, `offline_too_long`, `device_compromised`.
    Wipe {
        reason: &'static str,
    },
}

pub struct TriggerFacts<'a> {
    pub policy: &'a Policy,
    pub device: &'a DeviceSnapshot,
    pub failed_unlocks: u32,
    /// The newest signed issue time verified (bulletin, policy, enrollment code); None before
    /// enrollment (no check-in is expected then).
    pub last_checkin: Option<DateTime<Utc>>,
    /// The trusted time (never before the clock's high-water mark).
    pub now: DateTime<Utc>,
}

/// A wipe wins over a block; reasons are listed in a fixed order.
pub fn evaluate(facts: &TriggerFacts<'_>) -> TriggerState {
    let t = &facts.policy.wipe_triggers;
    if facts.failed_unlocks >= t.max_failed_unlocks {
        return TriggerState::Wipe { reason: "failed_unlocks" };
    }
    let offline = facts.last_checkin.map(|checkin| facts.now - checkin);
    if let (Some(offline), Some(days)) = (offline, t.wipe_after_offline_days) {
        if offline >= Duration::days(i64::from(days)) {
            return TriggerState::Wipe { reason: "offline_too_long" };
        }
    }
    if facts.device.compromised && t.rooted_device == RootedDeviceAction::Wipe {
        return TriggerState::Wipe { reason: "device_compromised" };
    }
    let mut reasons = Vec::new();
    if let (Some(offline), Some(hours)) = (offline, t.block_after_offline_hours) {
        if offline >= Duration::hours(i64::from(hours)) {
            reasons.push("offline_too_long");
        }
    }
    if facts.device.compromised && t.rooted_device == RootedDeviceAction::Block {
        reasons.push("device_compromised");
    }
    if reasons.is_empty() {
        TriggerState::Clear
    } else {
        TriggerState::Blocked { reasons }
    }
}

impl crate::Televisit {
    /// Reads the local triggers. A wipe trigger starts the wipe (the shell then closes the store
    /// and calls `it::wipe::resume_pending`); a block refuses clinical actions until it clears.
    pub fn evaluate_triggers(
        &self,
        secrets: &dyn crate::SecretStore,
        device: &dyn crate::DeviceFacts,
    ) -> crate::Result<TriggerState> {
        let policy = self.policy()?;
        let now = self.trusted_now(secrets)?;
        let snapshot = device.snapshot();
        let enrolled = super::enrollment::load(secrets)?.is_some();
        let last_checkin = if enrolled { super::checkin::last_checkin(secrets)? } else { None };
        let facts = TriggerFacts {
            policy: &policy,
            device: &snapshot,
            failed_unlocks: self.failed_unlocks()?,
            last_checkin,
            now,
        };
        let state = evaluate(&facts);
        let blocked = match &state {
            TriggerState::Blocked { reasons } => reasons.clone(),
            _ => Vec::new(),
        };
        *self.blocked.lock().unwrap_or_else(|p| p.into_inner()) = blocked;
        if let TriggerState::Wipe { reason } = &state {
            self.start_local_wipe(secrets, reason)?;
        }
        Ok(state)
    }

    /// A local trigger fired: the device wipes everything, unless a full wipe is already under
    /// way (a narrower one pending is widened by the merge).
    pub(crate) fn start_local_wipe(&self, secrets: &dyn crate::SecretStore, trigger: &str) -> crate::Result<()> {
        use crate::log::{Actor, Detail, EntryKind, NewEntry};
        let pending = super::wipe::pending_command(secrets)?;
        if pending.is_some_and(|p| p.scope == super::wipe::WipeScope::All) {
            return Ok(());
        }
        let command = super::wipe::start_local(secrets, self.trusted_now(secrets)?)?;
        let detail = Detail::new().code("command", &command.command_id).code("trigger", trigger);
        self.append_own(&NewEntry::new(EntryKind::WipeReceived, Actor::System).detail(detail))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(compromised: bool) -> DeviceSnapshot {
        DeviceSnapshot {
            passcode_set: true,
            compromised,
            os_version: "x".into(),
            whatsapp: vec![],
            utc_offset_minutes: 0,
        }
    }

    #[test]
    fn thresholds_come_from_the_policy() {
        let mut policy = Policy::default();
        let now = DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let d = device(false);
        let facts = |failed, checkin_hours_ago: Option<i64>, device: &'_ DeviceSnapshot, policy: &'_ Policy| {
            evaluate(&TriggerFacts {
                policy,
                device,
                failed_unlocks: failed,
                last_checkin: checkin_hours_ago.map(|h| now - Duration::hours(h)),
                now,
            })
        };
        assert_eq!(facts(0, Some(100 * 24), &d, &policy), TriggerState::Clear, "offline triggers are off by default");
        policy.wipe_triggers.block_after_offline_hours = Some(12);
        policy.wipe_triggers.wipe_after_offline_days = Some(90);
        assert_eq!(facts(0, None, &d, &policy), TriggerState::Clear);
        assert_eq!(facts(4, Some(1), &d, &policy), TriggerState::Clear);
        assert_eq!(facts(5, Some(1), &d, &policy), TriggerState::Wipe { reason: "failed_unlocks" });
        assert_eq!(facts(0, Some(12), &d, &policy), TriggerState::Blocked { reasons: vec!["offline_too_long"] });
        assert_eq!(facts(0, Some(90 * 24), &d, &policy), TriggerState::Wipe { reason: "offline_too_long" });
        let rooted = device(true);
        assert_eq!(facts(0, None, &rooted, &policy), TriggerState::Blocked { reasons: vec!["device_compromised"] });
        policy.wipe_triggers.rooted_device = RootedDeviceAction::Wipe;
        assert_eq!(facts(0, None, &rooted, &policy), TriggerState::Wipe { reason: "device_compromised" });
        policy.wipe_triggers.rooted_device = RootedDeviceAction::Allow;
        assert_eq!(facts(0, None, &rooted, &policy), TriggerState::Clear);
        policy.wipe_triggers.max_failed_unlocks = 10;
        assert_eq!(facts(9, None, &d, &policy), TriggerState::Clear);
    }
}
