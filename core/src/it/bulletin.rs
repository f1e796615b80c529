//! The fleet bulletin on the phone: its key set links followed first (each checked against the
//! root the phone holds), then verified with the bulletin key of the set reached, its signed
//! issue time counted as contact with IT, and its wipe entry for this device (if any, signed by
//! an admin's key the set holds) carried out.
//! Every phone receives the same bulletin; the others' entries are none of its business and
//! leave no trace. It works with no store open (a background job, a phone whose database is
//! gone); `Televisit::apply_bulletin` adds the log entry.

use super::checkin;
use super::enrollment;
use super::keyset;
use super::wipe::{self, WipeCommand, WipeRefusal};
use crate::error::{Error, Result};
use crate::log::{Actor, Detail, EntryKind, NewEntry};
use crate::secrets::SecretStore;
use crate::Televisit;
use chrono::{DateTime, Utc};
pub use televisit_protocol::bulletin::{key_links, open, sign, Bulletin, FleetWipe, BULLETIN_VERSION};

/// The id of the last bulletin applied: the MDM re-delivers the same one until IT signs the next.
pub const LAST_BULLETIN: &str = "televisit.bulletin-last.v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulletinOutcome {
    /// The bulletin applied last time, delivered again.
    Unchanged,
    /// A new bulletin: contact with IT at its issue time; `wipe` when it holds this device's;
    /// `receipt_confirmed`, the command id of the wipe receipt it confirmed (now forgotten);
    /// `in_touch`, whether it counted as contact with IT (a late one, applied for its wipe or
    /// its confirmation, does not); `key_set`, the version of the key set its links took the
    /// phone to; `wipe_refused`, why this device's entry was refused when its signer or
    /// signature was (a revoked admin's wipe: evidence for IT); `signed_by`, its signer's name;
    /// `key_set_refused`, its key set links could not be followed (forged, or past a root change
    /// this phone missed): it was verified with the set held, which stays.
    Applied {
        bulletin_id: String,
        issued_at: i64,
        wipe: Option<Box<WipeCommand>>,
        receipt_confirmed: Option<String>,
        in_touch: bool,
        key_set: Option<u64>,
        wipe_refused: Option<WipeRefusal>,
        signed_by: Option<String>,
        key_set_refused: bool,
    },
}

/// Verifies and applies a bulletin with no store open. When a wipe starts, the caller carries it
/// out (`it::wipe::resume_pending`).
pub fn receive(secrets: &dyn SecretStore, text: &str, wall: DateTime<Utc>) -> Result<BulletinOutcome> {
    receive_at(secrets, text, checkin::trusted_now(secrets, wall)?.at, wall)
}

/// As `receive`, at a time already trusted (never before the clock's high-water mark); `wall` is
/// the clock as read, which settles the mark when it agrees with IT's newer word.
fn receive_at(
    secrets: &dyn SecretStore,
    text: &str,
    now: DateTime<Utc>,
    wall: DateTime<Utc>,
) -> Result<BulletinOutcome> {
    let not_enrolled = || Error::invalid("bulletin", "this device is not enrolled, so it takes no bulletin");
    let enrollment = enrollment::load(secrets)?.ok_or_else(not_enrolled)?;
    let held = keyset::current(secrets)?.ok_or_else(not_enrolled)?;
    let opened = open(text, &held)?;
    let key_set_refused = opened.links_refused.is_some();
    let bulletin = opened.bulletin;
    if secrets.get(LAST_BULLETIN)?.is_some_and(|last| last == bulletin.bulletin_id.as_bytes()) {
        return Ok(BulletinOutcome::Unchanged);
    }
    // The key set its links reached, kept: it verified this bulletin, and verifies what follows.
    let key_set = opened.newer_keys.as_ref().map(|k| k.version);
    let keys = match opened.newer_keys {
        Some(newer) => {
            keyset::save(secrets, &newer)?;
            newer
        }
        None => held,
    };
    // IT's cancellations first: a wipe it took back is refused from now on, here and whichever
    // other way it arrives. Only those an admin's key signed: the bulletin key cannot take a
    // wipe back.
    wipe::remember_cancelled(secrets, &bulletin.cancellations(&keys).0)?;
    // This device's wipe first, judged on signed times alone: a clock set ahead (the bulletin
    // looks expired) or behind (it looks signed in the future) must not turn the wipe away.
    let mut wipe_refused = None;
    let wipe = match bulletin.wipe_for(&enrollment.device_id, &enrollment.enrollment_id, &keys) {
        Some(Ok(command)) if own_wipe_applies(secrets, &enrollment, &command, bulletin.issued_at)? => {
            wipe::start(secrets, command.clone())?;
            Some(Box::new(command))
        }
        Some(Err(refusal)) => {
            wipe_refused = Some(refusal);
            None
        }
        _ => None,
    };
    // Contact with IT is the phone's clock's to judge: a late bulletin, or one from the future,
    // moves nothing (and says why, unless it did something else, which goes on regardless).
    // A bulletin signed after the last contact is contact, even when this phone's clock says it
    // expired: it cannot be a replay, and a clock run ahead must not cut the phone off from IT.
    let late = now.timestamp() > bulletin.expires_at && !checkin::is_newer_than_checkin(secrets, bulletin.issued_at)?;
    let contact = if late {
        Err(Error::invalid("bulletin", "has expired: IT's schedule of bulletins has stopped or is late"))
    } else {
        checkin::record_signed_time(secrets, bulletin.issued_at, now, wall).map(|_| ())
    };
    // While this phone's log was wiped and IT has not confirmed the receipt, IT's word on the log
    // is about the old one: taken, it would make the new log's first export skip as many entries.
    if contact.is_ok() && !wipe::log_wiped_unconfirmed(secrets)? {
        if let Some(through) = bulletin.log_confirmed(&enrollment.device_id) {
            super::export::record_confirmed(secrets, through)?;
        }
    }
    // IT's signed word that it holds this device's receipt stands whatever the clock says: a
    // receipt is forgotten on it, and only on it. Last, since after a full wipe it closes the
    // enrollment and its check-in. (After the wipe this bulletin started, if any, nothing is
    // confirmed: that command merged into the receipt held, which IT has not seen name it.)
    let receipt_confirmed = wipe::confirm(secrets, &bulletin)?;
    let in_touch = contact.is_ok();
    if let Err(err) = contact {
        if wipe.is_none() && receipt_confirmed.is_none() && key_set.is_none() {
            return Err(err);
        }
    }
    secrets.put(LAST_BULLETIN, bulletin.bulletin_id.as_bytes())?;
    Ok(BulletinOutcome::Applied {
        bulletin_id: bulletin.bulletin_id,
        issued_at: bulletin.issued_at,
        wipe,
        receipt_confirmed,
        in_touch,
        key_set,
        wipe_refused,
        signed_by: bulletin.signed_by,
        key_set_refused,
    })
}

/// This device's entry passes every check a single command passes (at the bulletin's signed
/// time), and no wipe is under way. An entry that does not (an earlier enrollment closed by a
/// wipe, past its expiry, carried out) is IT's to clear, not an error for the clinician.
fn own_wipe_applies(
    secrets: &dyn SecretStore,
    enrollment: &enrollment::Enrollment,
    command: &WipeCommand,
    issued_at: i64,
) -> Result<bool> {
    Ok(wipe::refusal_for(secrets, enrollment, command, Some(issued_at))?.is_none()
        && wipe::pending_command(secrets)?.is_none())
}

impl Televisit {
    /// Applies a bulletin (see `receive`) and logs a new one by its id, and the wipe it starts.
    pub fn apply_bulletin(&self, secrets: &dyn SecretStore, text: &str) -> Result<BulletinOutcome> {
        // Through the store's trusted_now, so that a clock set back is logged here too.
        let outcome = receive_at(secrets, text, self.trusted_now(secrets)?, self.clock.now())?;
        if let BulletinOutcome::Applied {
            bulletin_id,
            wipe,
            receipt_confirmed,
            key_set,
            wipe_refused,
            signed_by,
            key_set_refused,
            ..
        } = &outcome
        {
            if let Some(version) = key_set {
                self.log_key_set(*version)?;
            }
            let mut detail = Detail::new().code("bulletin", bulletin_id);
            if let Some(name) = signed_by {
                detail = detail.code("signed_by", name);
            }
            if let Some(command) = receipt_confirmed {
                detail = detail.code("receipt_confirmed", command);
            }
            if *key_set_refused {
                detail = detail.bool("key_set_refused", true);
            }
            self.append_own(&NewEntry::new(EntryKind::BulletinApplied, Actor::It).detail(detail))?;
            if let Some(refusal) = wipe_refused {
                let detail = Detail::new().code("reason", refusal.code()).code("via", "bulletin");
                self.append_own(&NewEntry::new(EntryKind::WipeRefused, Actor::It).detail(detail))?;
            }
            if let Some(command) = wipe {
                // The wipe is already pending; the entry is evidence, and the wipe goes on without it.
                let _ = self.append_own(
                    &NewEntry::new(EntryKind::WipeReceived, Actor::It).detail(wipe::received_detail(command)),
                );
            }
        }
        Ok(outcome)
    }
}
