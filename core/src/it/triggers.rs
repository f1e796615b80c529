//! Local wipe triggers, as the best-known managed-app policies have them: too many failed
//! unlocks, no policy check-in for too long, a device that reports itself rooted or jailbroken.
//! Each threshold comes from the policy. Blocked means every clinical action is refused, with
//! the reason, until the condition clears.

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
    /// The last signed policy applied; None before enrollment (no check-in is expected then).
    pub last_checkin: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// A wipe wins over a block; reasons are listed in a fixed order.
pub fn evaluate(facts: &TriggerFacts<'_>) -> TriggerState {
    let t = &facts.policy.wipe_triggers;
    if facts.failed_unlocks >= t.max_failed_unlocks {
        return TriggerState::Wipe { reason: "failed_unlocks" };
    }
    if let Some(checkin) = facts.last_checkin {
        if facts.now - checkin >= Duration::days(i64::from(t.wipe_after_offline_days)) {
            return TriggerState::Wipe { reason: "offline_too_long" };
        }
    }
    if facts.device.compromised && t.rooted_device == RootedDeviceAction::Wipe {
        return TriggerState::Wipe { reason: "device_compromised" };
    }
    let mut reasons = Vec::new();
    if facts.last_checkin.is_some_and(|c| facts.now - c >= Duration::hours(i64::from(t.block_after_offline_hours))) {
        reasons.push("offline_too_long");
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
