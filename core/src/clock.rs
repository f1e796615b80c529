//! Time, behind a trait so that tests (and the shells' own tests) can set it.

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock of the device.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

#[cfg(any(test, feature = "testing"))]
pub use fixed::FixedClock;

#[cfg(any(test, feature = "testing"))]
mod fixed {
    use super::*;
    use std::sync::Mutex;

    /// A clock that tests set and advance by hand.
    pub struct FixedClock(Mutex<DateTime<Utc>>);

    impl FixedClock {
        pub fn at(rfc3339: &str) -> Self {
            FixedClock(Mutex::new(DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)))
        }
        pub fn advance(&self, by: chrono::Duration) {
            let mut now = self.0.lock().unwrap();
            *now += by;
        }
    }

    impl Clock for FixedClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }
}
