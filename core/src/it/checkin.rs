//! Contact with IT, and a clock the phone's holder cannot wind back.
//!
//! The phone is in touch with IT when it has verified something IT signed recently: a bulletin,
//! a policy, an enrollment code. Its last check-in is the newest *signed issue time* it has
//! verified, never the time something was applied, and an older item never moves it back; a
//! configuration the MDM client re-delivers from its cache carries no newer time, so it counts
//! for nothing. Both that time and a high-water mark of the clock live in the secret store,
//! beside the enrollment: the wall clock is the holder's to set, so the phone never acts on a
//! time earlier than the newest it has seen (a wall-clock reading it acted on, or a signed issue
//! time it verified).

use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use chrono::{DateTime, Utc};

pub const HIGH_WATER: &str = "televisit.time-high-water.v1";
pub const CHECKIN: &str = "televisit.checkin.v1";
/// How far ahead of the phone's clock a signed issue time may be: clocks differ a little.
pub const FUTURE_SKEW_SECONDS: i64 = 300;
/// The mark is written when the clock has moved on by this much, not at every reading (a write
/// to the platform's keystore costs milliseconds). A clock set back by less goes unnoticed.
const HIGH_WATER_STEP_SECONDS: i64 = 60;

/// The time to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedNow {
    pub at: DateTime<Utc>,
    /// The wall clock was behind the mark: someone set it back (or it drifted by more than a step).
    pub went_back: bool,
}

fn read_seconds(secrets: &dyn SecretStore, name: &str) -> Result<Option<i64>> {
    match secrets.get(name)? {
        None => Ok(None),
        Some(bytes) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(|text| text.parse::<i64>().ok())
            .map(Some)
            .ok_or_else(|| Error::SecretStore("a stored time is unreadable".into())),
    }
}

fn write_seconds(secrets: &dyn SecretStore, name: &str, seconds: i64) -> Result<()> {
    secrets.put(name, seconds.to_string().as_bytes())?;
    Ok(())
}

fn at(seconds: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| Error::SecretStore("a stored time is out of range".into()))
}

/// The wall clock, or the high-water mark when the clock is behind it; the mark follows the clock.
pub fn trusted_now(secrets: &dyn SecretStore, wall: DateTime<Utc>) -> Result<TrustedNow> {
    let wall_s = wall.timestamp();
    match read_seconds(secrets, HIGH_WATER)? {
        Some(mark) if wall_s < mark.saturating_sub(HIGH_WATER_STEP_SECONDS) => {
            Ok(TrustedNow { at: at(mark)?, went_back: true })
        }
        Some(mark) if wall_s < mark.saturating_add(HIGH_WATER_STEP_SECONDS) => {
            Ok(TrustedNow { at: wall.max(at(mark)?), went_back: false })
        }
        _ => {
            write_seconds(secrets, HIGH_WATER, wall_s)?;
            Ok(TrustedNow { at: wall, went_back: false })
        }
    }
}

/// A signed issue time the phone verified: refused when it lies in the future beyond a small
/// skew (a phone that trusted it would think itself in touch for as long as the signer liked);
/// otherwise it raises the check-in and the mark, never lowers them. Returns whether the
/// check-in moved.
pub fn record_signed_time(secrets: &dyn SecretStore, issued_at: i64, now: DateTime<Utc>) -> Result<bool> {
    if issued_at > now.timestamp().saturating_add(FUTURE_SKEW_SECONDS) {
        return Err(Error::invalid(
            "signed time",
            "lies in the future: the message was signed with a clock ahead of this phone's, or made to last",
        ));
    }
    if read_seconds(secrets, HIGH_WATER)?.is_none_or(|mark| issued_at > mark) {
        write_seconds(secrets, HIGH_WATER, issued_at)?;
    }
    if read_seconds(secrets, CHECKIN)?.is_some_and(|seen| seen >= issued_at) {
        return Ok(false);
    }
    write_seconds(secrets, CHECKIN, issued_at)?;
    Ok(true)
}

/// The newest signed issue time verified since enrollment.
pub fn last_checkin(secrets: &dyn SecretStore) -> Result<Option<DateTime<Utc>>> {
    read_seconds(secrets, CHECKIN)?.map(at).transpose()
}

/// Forgets the check-in (a full wipe closes the enrollment it belonged to). The mark stays: the
/// clock must not run back across a wipe either.
pub(crate) fn forget_checkin(secrets: &dyn SecretStore) -> Result<()> {
    secrets.delete(CHECKIN)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_clock_never_runs_back_below_the_mark() {
        let secrets = MemorySecretStore::new();
        let first = trusted_now(&secrets, t("2026-06-01T12:00:00Z")).unwrap();
        assert_eq!(first, TrustedNow { at: t("2026-06-01T12:00:00Z"), went_back: false });
        let back = trusted_now(&secrets, t("2026-05-01T12:00:00Z")).unwrap();
        assert_eq!(back, TrustedNow { at: t("2026-06-01T12:00:00Z"), went_back: true });
        let on = trusted_now(&secrets, t("2026-06-02T12:00:00Z")).unwrap();
        assert_eq!(on.at, t("2026-06-02T12:00:00Z"));
        assert!(trusted_now(&secrets, t("2026-06-01T12:00:00Z")).unwrap().went_back);
    }

    #[test]
    fn only_a_newer_signed_time_moves_the_checkin_and_one_from_the_future_is_refused() {
        let secrets = MemorySecretStore::new();
        let now = t("2026-06-01T12:00:00Z");
        assert!(record_signed_time(&secrets, now.timestamp() - 3600, now).unwrap());
        assert!(!record_signed_time(&secrets, now.timestamp() - 7200, now).unwrap(), "older");
        assert!(!record_signed_time(&secrets, now.timestamp() - 3600, now).unwrap(), "the same again");
        assert_eq!(last_checkin(&secrets).unwrap(), Some(now - chrono::Duration::hours(1)));
        assert!(record_signed_time(&secrets, now.timestamp() + 3600, now).is_err(), "from the future");
        assert!(record_signed_time(&secrets, now.timestamp() + 60, now).unwrap(), "within the skew");
        // The mark follows the newest signed time: the wall clock cannot undercut it.
        assert_eq!(
            trusted_now(&secrets, now - chrono::Duration::days(1)).unwrap().at.timestamp(),
            now.timestamp() + 60
        );
    }
}
