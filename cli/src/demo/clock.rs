//! The fleet acts' shared clock: days pass in the demo without anyone waiting for them.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;
use televisit_core::Clock;

/// The fleet's shared clock: the real time plus the days the demo lets pass.
#[derive(Default)]
pub(super) struct DemoClock(Mutex<Duration>);

impl DemoClock {
    pub(super) fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
}

impl Clock for DemoClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The simulated hour, as the acts print it.
pub(super) fn hour(clock: &DemoClock) -> String {
    clock.now().format("%Y-%m-%d %H:%M").to_string()
}
