//! App lock state: locked on start, unlocked by the platform's authentication, locked again
//! after the policy's inactivity timeout (automatic logoff, HIPAA 164.312(a)(2)(iii)). Held in
//! memory on purpose: a restarted app is a locked app.

use chrono::{DateTime, Duration, Utc};

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
