//! Signing the next bulletin from the ledger (`bulletin sign`, and the demo's IT): the pending
//! wipes as their admins signed them, the cancellations as their admins signed them, IT's
//! confirmations, and the key set links a phone needs (`Org::links`). The bulletin key cannot make a wipe or take one
//! back; what only a wipe key may sign is done here only while the organisation's first key in
//! the folder still has that role (an organisation that has not split its key).

use crate::fleet_bulletin::{make_fleet_bulletin, BulletinKeys, MAX_BULLETIN_CHARS};
use crate::ledger::Ledger;
use crate::org::Org;
use anyhow::Result;
use std::path::Path;
use televisit_protocol::bulletin::{Bulletin, FleetWipe};
use televisit_protocol::keyset::Role;
use televisit_protocol::wipe::{self, Cancel};

/// A bulletin signed, and what its signer should be told.
pub struct Signed {
    pub bulletin: Bulletin,
    pub text: String,
    /// The key set's name for the key that signed it (none: the legacy org key).
    pub signed_by: Option<String>,
    /// For stderr: expiry warnings, wipes re-issued or left out, what waits for a later bulletin.
    pub notes: Vec<String>,
}

/// What a bulletin confirms to each phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirming {
    /// Every phone's archived log and wipe receipt (the MDM's bulletin, which is every phone's
    /// only word from IT).
    EveryPhone,
    /// None: each phone's confirmations go in its own bulletin through the relay
    /// (`relay_publish`), and this one stays the same size whatever the fleet's.
    NonePerPhone,
}

/// Signs the next bulletin with `key` (or the organisation's first key in its folder).
pub fn sign_next(
    org: &Org,
    ledger: &mut Ledger,
    key: Option<&Path>,
    valid_seconds: i64,
    extra_wipes: &[String],
    now: i64,
) -> Result<Signed> {
    sign_next_confirming(org, ledger, key, valid_seconds, extra_wipes, Confirming::EveryPhone, now)
}

/// `sign_next`, confirming as `confirming` says.
pub fn sign_next_confirming(
    org: &Org,
    ledger: &mut Ledger,
    key: Option<&Path>,
    valid_seconds: i64,
    extra_wipes: &[String],
    confirming: Confirming,
    now: i64,
) -> Result<Signed> {
    let signing = org.signer(key, Role::Bulletin, now)?;
    let mut notes: Vec<String> = signing.warning.into_iter().collect();
    let signer = signing.signer;
    let wipe_signer = if key.is_none() { org.signer(None, Role::Wipe, now).ok().map(|s| s.signer) } else { None };
    // A device that reported after its full wipe is wiped again (a copy put back): here when
    // this key may sign wipes, else by an admin, whom the note asks.
    if let Some(wipe_signer) = &wipe_signer {
        let reissued = ledger.reissue_after_reports(wipe_signer, now)?;
        if !reissued.is_empty() {
            notes.push(format!(
                "{} device(s) reported after their full wipe: a new wipe for each ({})",
                reissued.len(),
                reissued.join(", ")
            ));
        }
    } else {
        for (device, _, _) in ledger.due_after_reports(now)? {
            notes.push(format!(
                "{device} reported after its full wipe: an admin wipes it again (`wipe issue --device {device} --key ADMIN-KEY`)"
            ));
        }
    }
    for command in ledger.unsigned_cancellations(now)? {
        match &wipe_signer {
            Some(signer) => ledger.sign_cancellation(&Cancel::sign(signer, &command, now)?)?,
            None => notes.push(format!(
                "{command} was cancelled before cancellations were signed: an admin signs it with `wipe cancel {command} --key ADMIN-KEY`"
            )),
        }
    }
    let mut pending = Vec::new();
    let judged = org.keys_as_phones_judge(now);
    for text in ledger.pending_wipes(now)? {
        match FleetWipe::from_command(&text, &judged) {
            Ok(entry) => pending.push(entry),
            Err(refusal) => notes.push(format!(
                "pending wipe {} left out: {}; issue it again with an admin's key",
                wipe::claimed_command_id(&text).unwrap_or_default(),
                refusal.describe()
            )),
        }
    }
    let waiting: Vec<String> = pending.iter().map(|w| w.command_id.clone()).collect();
    let mut confirmations = ledger.confirmations(now)?;
    if confirming == Confirming::NonePerPhone {
        confirmations.logs.clear();
        confirmations.receipts.clear();
    }
    let to_confirm = confirmations.len();
    let to_cancel = confirmations.cancelled.len();
    let links = org.links()?;
    let keys = BulletinKeys { signer: &signer, keys: &org.keys, links: links.clone() };
    let (bulletin, text) = make_fleet_bulletin(&keys, valid_seconds, extra_wipes, pending, confirmations, now)?;
    let confirmed = bulletin.logs.len() + bulletin.receipts.len();
    if confirmed < to_confirm {
        notes.push(format!(
            "{} confirmation(s) wait for a later bulletin (one is kept under {MAX_BULLETIN_CHARS} characters, within what Android stores)",
            to_confirm - confirmed
        ));
    }
    if bulletin.cancelled.len() < to_cancel {
        notes.push(format!("{} cancellation(s) wait for a later bulletin", to_cancel - bulletin.cancelled.len()));
    }
    if bulletin.keys.len() < links.len() {
        notes.push(format!(
            "the bulletin leaves out the {} oldest key set link(s) to stay within what Android stores: a phone that missed those root changes re-enrolls",
            links.len() - bulletin.keys.len()
        ));
    }
    let later = waiting.iter().filter(|id| !bulletin.wipes.iter().any(|w| &w.command_id == *id)).count();
    if later > 0 {
        notes.push(format!(
            "{later} pending wipe command(s) wait for a later bulletin (one per device, the widest scope first)"
        ));
    }
    Ok(Signed { bulletin, text, signed_by: signer.name, notes })
}
