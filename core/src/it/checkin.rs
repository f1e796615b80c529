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
/// The newest signed issue time ever verified (kept across wipes and enrollments): what bounds
/// how far the wall clock may push the mark.
pub const SIGNED_HIGH: &str = "televisit.signed-high.v1";
/// How far beyond the newest signed time the wall clock may raise the mark: the longest a
/// bulletin is valid (IT signs them far more often). A clock run ahead once, by a year, leaves
/// at most this much behind it; without any signed time the wall clock raises nothing.
pub const WALL_AHEAD_SECONDS: i64 = televisit_protocol::bulletin::MAX_VALID_SECONDS;
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

/// The wall clock, or the high-water mark when the clock is behind it; the mark follows the
/// clock, but never further than `WALL_AHEAD_SECONDS` past the newest signed time: the phone's
/// holder can run the clock ahead once, and a mark that followed it all the way would make every
/// later bulletin look expired and every offline trigger fire, for good.
pub fn trusted_now(secrets: &dyn SecretStore, wall: DateTime<Utc>) -> Result<TrustedNow> {
    let wall_s = wall.timestamp();
    match read_seconds(secrets, HIGH_WATER)? {
        Some(mark) if wall_s < mark.saturating_sub(HIGH_WATER_STEP_SECONDS) => {
            Ok(TrustedNow { at: at(mark)?, went_back: true })
        }
        Some(mark) if wall_s < mark.saturating_add(HIGH_WATER_STEP_SECONDS) => {
            Ok(TrustedNow { at: wall.max(at(mark)?), went_back: false })
        }
        mark => {
            if let Some(cap) = read_seconds(secrets, SIGNED_HIGH)?.map(|s| s.saturating_add(WALL_AHEAD_SECONDS)) {
                let raised = wall_s.min(cap);
                if mark.is_none_or(|mark| raised > mark) {
                    write_seconds(secrets, HIGH_WATER, raised)?;
                }
            }
            Ok(TrustedNow { at: wall, went_back: false })
        }
    }
}

/// A signed issue time the phone verified: refused when it lies in the future beyond a small
/// skew (a phone that trusted it would think itself in touch for as long as the signer liked);
/// otherwise it raises the check-in and the mark, never lowers them below it (see `settle` for
/// the wall clock `wall` as read). Returns whether the check-in moved.
pub fn record_signed_time(
    secrets: &dyn SecretStore,
    issued_at: i64,
    now: DateTime<Utc>,
    wall: DateTime<Utc>,
) -> Result<bool> {
    if issued_at > now.timestamp().saturating_add(FUTURE_SKEW_SECONDS) {
        return Err(Error::invalid(
            "signed time",
            "lies in the future: the message was signed with a clock ahead of this phone's, or made to last",
        ));
    }
    if read_seconds(secrets, SIGNED_HIGH)?.is_none_or(|high| issued_at > high) {
        write_seconds(secrets, SIGNED_HIGH, issued_at)?;
    }
    if read_seconds(secrets, CHECKIN)?.is_some_and(|seen| seen >= issued_at) {
        return Ok(false);
    }
    // IT's word is newer than the last contact: the mark is this time, or the wall clock's
    // readings within `WALL_AHEAD_SECONDS` of it, never more (a mark pushed further by a clock
    // run ahead comes back down here).
    let mark = read_seconds(secrets, HIGH_WATER)?;
    let ceiling = issued_at.saturating_add(WALL_AHEAD_SECONDS);
    let kept = mark.map_or(issued_at, |mark| mark.clamp(issued_at, ceiling.max(issued_at)));
    if mark != Some(kept) {
        write_seconds(secrets, HIGH_WATER, kept)?;
    }
    write_seconds(secrets, CHECKIN, issued_at)?;
    settle(secrets, issued_at, wall)?;
    Ok(true)
}

/// IT's word just verified (`issued_at`, newer than the last contact) and the wall clock agree
/// within the skew: the clock is right now, and whatever the mark holds above it is what a clock
/// run ahead left behind. The mark comes down to the clock (never below the newest signed time),
/// so that a phone put right is in touch, and unblocked, at IT's next word.
fn settle(secrets: &dyn SecretStore, issued_at: i64, wall: DateTime<Utc>) -> Result<()> {
    let wall_s = wall.timestamp();
    if wall_s.abs_diff(issued_at) > FUTURE_SKEW_SECONDS.unsigned_abs() {
        return Ok(());
    }
    let floor = [Some(wall_s), Some(issued_at), read_seconds(secrets, SIGNED_HIGH)?].into_iter().flatten().max();
    if let (Some(mark), Some(floor)) = (read_seconds(secrets, HIGH_WATER)?, floor) {
        if mark > floor {
            write_seconds(secrets, HIGH_WATER, floor)?;
        }
    }
    Ok(())
}

/// The newest check-in and how far the phone believes time has gone: for a bulletin newer than
/// the last contact, which is contact with IT even when the phone's clock says it expired (a
/// bulletin IT signed after the last one the phone applied cannot be a replay).
pub fn is_newer_than_checkin(secrets: &dyn SecretStore, issued_at: i64) -> Result<bool> {
    Ok(read_seconds(secrets, CHECKIN)?.is_none_or(|seen| issued_at > seen))
}

/// The newest signed issue time verified since enrollment.
pub fn last_checkin(secrets: &dyn SecretStore) -> Result<Option<DateTime<Utc>>> {
    read_seconds(secrets, CHECKIN)?.map(at).transpose()
}

/// Forgets the check-in (a full wipe closes the enrollment it belonged to), and what the wall
/// clock added to the mark during it: the mark goes back to the newest signed time, below which
/// the clock still never runs (nor across the wipe), so a clock once run ahead does not follow
/// the phone into its next enrollment.
pub(crate) fn forget_checkin(secrets: &dyn SecretStore) -> Result<()> {
    secrets.delete(CHECKIN)?;
    if let (Some(mark), Some(signed)) = (read_seconds(secrets, HIGH_WATER)?, read_seconds(secrets, SIGNED_HIGH)?) {
        if mark > signed {
            write_seconds(secrets, HIGH_WATER, signed)?;
        }
    }
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
        record_signed_time(
            &secrets,
            t("2026-05-31T12:00:00Z").timestamp(),
            t("2026-06-01T12:00:00Z"),
            t("2026-06-01T12:00:00Z"),
        )
        .unwrap();
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
        assert!(record_signed_time(&secrets, now.timestamp() - 3600, now, now).unwrap());
        assert!(!record_signed_time(&secrets, now.timestamp() - 7200, now, now).unwrap(), "older");
        assert!(!record_signed_time(&secrets, now.timestamp() - 3600, now, now).unwrap(), "the same again");
        assert_eq!(last_checkin(&secrets).unwrap(), Some(now - chrono::Duration::hours(1)));
        assert!(record_signed_time(&secrets, now.timestamp() + 3600, now, now).is_err(), "from the future");
        assert!(record_signed_time(&secrets, now.timestamp() + 60, now, now).unwrap(), "within the skew");
        // The mark follows the newest signed time: the wall clock cannot undercut it.
        assert_eq!(
            trusted_now(&secrets, now - chrono::Duration::days(1)).unwrap().at.timestamp(),
            now.timestamp() + 60
        );
    }

    /// Issue 30, case 1: a clock run 400 days ahead once used to raise the mark for good (every
    /// later bulletin expired, offline triggers firing at every start).
    #[test]
    fn a_clock_run_ahead_once_leaves_at_most_a_bulletins_validity_behind_and_a_wipe_clears_it() {
        let secrets = MemorySecretStore::new();
        let real = t("2026-06-01T12:00:00Z");
        // Before any signed time the wall clock raises nothing.
        trusted_now(&secrets, real + chrono::Duration::days(400)).unwrap();
        assert_eq!(read_seconds(&secrets, HIGH_WATER).unwrap(), None);
        record_signed_time(&secrets, real.timestamp() - 60, real, real).unwrap();
        let ahead = trusted_now(&secrets, real + chrono::Duration::days(400)).unwrap();
        assert_eq!(ahead.at, real + chrono::Duration::days(400), "the wall clock is read as it is");
        let mark = read_seconds(&secrets, HIGH_WATER).unwrap().unwrap();
        assert_eq!(mark, real.timestamp() - 60 + WALL_AHEAD_SECONDS, "but kept only this far");
        // The clock put right: the mark holds time up for at most that long, and IT's next word
        // (newer than the last contact) is contact all the same.
        assert!(trusted_now(&secrets, real + chrono::Duration::hours(1)).unwrap().went_back);
        let next = real + chrono::Duration::hours(1);
        assert!(is_newer_than_checkin(&secrets, next.timestamp()).unwrap());
        assert!(record_signed_time(&secrets, next.timestamp(), at(mark).unwrap(), at(mark).unwrap()).unwrap());
        assert_eq!(last_checkin(&secrets).unwrap(), Some(next));
        assert!(read_seconds(&secrets, HIGH_WATER).unwrap().unwrap() <= next.timestamp() + WALL_AHEAD_SECONDS);
        // IT's word and the clock agree: the mark comes down to the clock.
        settle(&secrets, next.timestamp(), next + chrono::Duration::seconds(20)).unwrap();
        assert!(!trusted_now(&secrets, next + chrono::Duration::minutes(1)).unwrap().went_back);
        // A clock that disagrees with IT's word settles nothing.
        record_signed_time(
            &secrets,
            next.timestamp() + 3600,
            next + chrono::Duration::hours(1),
            next + chrono::Duration::hours(1),
        )
        .unwrap();
        trusted_now(&secrets, next + chrono::Duration::days(40)).unwrap();
        let held = read_seconds(&secrets, HIGH_WATER).unwrap();
        settle(&secrets, next.timestamp() + 3600, next + chrono::Duration::days(2)).unwrap();
        assert_eq!(read_seconds(&secrets, HIGH_WATER).unwrap(), held);
        // A wipe that closes the enrollment takes the mark back to the newest signed time.
        trusted_now(&secrets, next + chrono::Duration::days(400)).unwrap();
        forget_checkin(&secrets).unwrap();
        assert_eq!(
            read_seconds(&secrets, HIGH_WATER).unwrap(),
            Some(next.timestamp() + 3600),
            "the newest signed time"
        );
    }
}
