//! App lock state: locked on start, unlocked by the platform's authentication, locked again
//! after the policy's inactivity timeout (automatic logoff, HIPAA 164.312(a)(2)(iii)). Held in
//! memory on purpose: a restarted app is a locked app.

use crate::error::Result;
use crate::log::{Actor, EntryKind, NewEntry};
use crate::secrets::SecretStore;
use chrono::{DateTime, Duration, Utc};
use std::sync::MutexGuard;

#[derive(Debug, Default)]
pub struct AppLock {
    last_activity: Option<DateTime<Utc>>,
}

impl AppLock {
    pub fn unlocked(&mut self, now: DateTime<Utc>) {
        self.last_activity = Some(now);
    }

    pub fn lock(&mut self) {
        self.last_activity = None;
    }

    /// Whether the app is unlocked now; if so, `now` counts as activity.
    pub fn touch(&mut self, now: DateTime<Utc>, timeout_seconds: u32) -> bool {
        let open = self.is_unlocked(now, timeout_seconds);
        self.last_activity = if open { Some(now) } else { None };
        open
    }

    pub fn is_unlocked(&self, now: DateTime<Utc>, timeout_seconds: u32) -> bool {
        self.last_activity.is_some_and(|last| now - last < Duration::seconds(i64::from(timeout_seconds)))
    }
}

/// A failed unlock, as the shell needs it: how many so far, how many are left before the
/// policy's wipe, and whether this one reached the limit and started the wipe (the shell then
/// closes the store and finishes it at once, as for any wipe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedUnlock {
    pub failed_attempts: u32,
    pub attempts_left: u32,
    pub wipe_started: bool,
}

impl crate::Televisit {
    /// The platform's authentication (device credential, biometrics) succeeded: the count of
    /// failed attempts starts again. (A failure to reset it only makes the trigger stricter.)
    pub fn unlock_succeeded(&self) {
        self.app_lock().unlocked(self.clock.now());
        let _ = self.store().conn.execute("DELETE FROM settings WHERE name = 'failed_unlocks'", []);
    }

    /// A failed unlock attempt: counted and logged, and when the count reaches the policy's
    /// limit the wipe starts now, not at the next start. Only a real failure belongs here (a
    /// wrong credential, a rejected biometric that ended the prompt); a cancelled or interrupted
    /// prompt, or an unavailable authenticator, is not one: the shells tell them apart.
    pub fn unlock_failed(&self, secrets: &dyn SecretStore) -> Result<FailedUnlock> {
        self.app_lock().lock();
        self.store().conn.execute(
            "INSERT INTO settings (name, value) VALUES ('failed_unlocks', '1')
             ON CONFLICT (name) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
            [],
        )?;
        self.append_own(&NewEntry::new(EntryKind::UnlockFailed, Actor::Clinician))?;
        let failed_attempts = self.failed_unlocks()?;
        let limit = self.policy()?.wipe_triggers.max_failed_unlocks;
        let wipe_started = failed_attempts >= limit;
        if wipe_started {
            self.start_local_wipe(secrets, "failed_unlocks")?;
        }
        Ok(FailedUnlock { failed_attempts, attempts_left: limit.saturating_sub(failed_attempts), wipe_started })
    }

    /// Failed unlock attempts since the last success.
    pub fn failed_unlocks(&self) -> Result<u32> {
        Ok(self.setting_i64("failed_unlocks")?.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32)
    }

    pub fn lock(&self) {
        self.app_lock().lock();
    }

    /// Whether the app is unlocked now (and not idle past the policy's timeout); a yes counts
    /// as activity, so the shells call it on each interaction.
    pub fn touch(&self) -> Result<bool> {
        let timeout = self.policy()?.app_lock.inactivity_timeout_seconds;
        Ok(self.app_lock().touch(self.clock.now(), timeout))
    }

    pub(crate) fn app_lock(&self) -> MutexGuard<'_, AppLock> {
        self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
