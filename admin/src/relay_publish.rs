//! Each phone's own bulletin, for the relay to hand it at its check-in (`relay publish`): IT's
//! signed word on what IT received from that phone alone (its archived log, its wipe receipt).
//! The fleet's bulletin then carries nothing per phone and keeps its size as the fleet grows,
//! and no phone learns even the tags of the others' confirmations.
//!
//! A phone's bulletin is signed again when what it confirms changes, or when it is past half its
//! validity: the phone takes a log confirmation only from a bulletin that is still valid (a
//! receipt's, whatever its age).

use crate::fleet_bulletin::{make_fleet_bulletin, BulletinKeys, Confirmations};
use crate::ledger::Ledger;
use crate::org::Org;
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::Path;
use televisit_protocol::keyset::Role;

/// What `sign_inboxes` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inboxes {
    pub signed: usize,
    pub unchanged: usize,
}

/// Signs every phone's own bulletin that needs it, with the bulletin key.
pub fn sign_inboxes(
    org: &Org,
    ledger: &mut Ledger,
    key: Option<&Path>,
    valid_seconds: i64,
    now: i64,
) -> Result<Inboxes> {
    let signer = org.signer(key, Role::Bulletin, now)?.signer;
    let links = org.links()?;
    let keys = BulletinKeys { signer: &signer, keys: &org.keys, links };
    let all = ledger.confirmations(now)?;
    let mut per_phone: BTreeMap<String, (Option<u64>, Option<Vec<String>>)> = BTreeMap::new();
    for (device, through) in all.logs {
        per_phone.entry(device).or_default().0 = Some(through);
    }
    for (device, commands) in all.receipts {
        per_phone.entry(device).or_default().1 = Some(commands);
    }
    let mut done = Inboxes::default();
    for (device, (log, receipt)) in per_phone {
        let confirms = serde_json::json!({"log": log, "receipt": receipt}).to_string();
        let fresh = |expires_at: i64| expires_at.saturating_sub(now) > valid_seconds / 2;
        if ledger.inbox_state(&device)?.is_some_and(|(said, expires_at)| said == confirms && fresh(expires_at)) {
            done.unchanged += 1;
            continue;
        }
        let confirmations = Confirmations {
            logs: log.map(|through| vec![(device.clone(), through)]).unwrap_or_default(),
            receipts: receipt.map(|commands| vec![(device.clone(), commands)]).unwrap_or_default(),
            cancelled: Vec::new(),
        };
        let (made, text) = make_fleet_bulletin(&keys, valid_seconds, &[], Vec::new(), confirmations, now)?;
        ledger.publish_inbox(&device, &made.bulletin_id, &text, &confirms, made.issued_at, made.expires_at)?;
        done.signed += 1;
    }
    Ok(done)
}
