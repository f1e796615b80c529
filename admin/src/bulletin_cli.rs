//! `televisit-admin bulletin sign`: what the cron host runs every few hours, with the bulletin key
//! and nothing else secret. It carries the ledger's pending wipes as their admins signed them,
//! the cancellations as their admins signed them, IT's confirmations, and the newest key set
//! links; it cannot make a wipe or take one back itself.

use crate::{keys_cli, ledger_cli, print, text_or_file};
use anyhow::Result;
use std::path::Path;
use televisit_admin::fleet;
use televisit_admin::fleet_bulletin::BulletinKeys;
use televisit_admin::ledger::{self, CommandKind};
use televisit_protocol::bulletin::FleetWipe;
use televisit_protocol::keyset::Role;
use televisit_protocol::wipe::Cancel;

pub fn sign(org_dir: &Path, key: Option<&Path>, by: Option<&str>, valid: i64, wipes: &[String], json: bool) -> Result<()> {
    let (org, mut ledger) = ledger_cli::open(org_dir)?;
    let wipes = wipes.iter().map(|w| text_or_file(w)).collect::<Result<Vec<_>>>()?;
    let now = ledger_cli::now();
    let signer = keys_cli::signer(&org, key, Role::Bulletin)?;
    // What only a key with the wipe role may sign, done here only while the organisation's first
    // key in this folder still has that role (an organisation that has not split its key).
    let wipe_signer = if key.is_none() { org.signer(None, Role::Wipe, now).ok().map(|s| s.signer) } else { None };
    // A device that reported after its full wipe is wiped again (a copy put back).
    if let Some(wipe_signer) = &wipe_signer {
        let reissued = ledger.reissue_after_reports(wipe_signer, now)?;
        if !reissued.is_empty() {
            eprintln!(
                "televisit-admin: {} device(s) reported after their full wipe: a new wipe for each ({})",
                reissued.len(),
                reissued.join(", ")
            );
        }
    }
    let unsigned = ledger.unsigned_cancellations(now)?;
    for command in &unsigned {
        match &wipe_signer {
            Some(signer) => ledger.sign_cancellation(&Cancel::sign(signer, command, now)?)?,
            None => eprintln!(
                "televisit-admin: {command} was cancelled before cancellations were signed: an admin signs it with `wipe cancel {command} --key ADMIN-KEY`"
            ),
        }
    }
    let mut pending = Vec::new();
    let mut waiting = Vec::new();
    for text in ledger.pending_wipes(now)? {
        match FleetWipe::from_command(&text, &org.keys) {
            Ok(entry) => {
                waiting.push(entry.command_id.clone());
                pending.push(entry);
            }
            Err(refusal) => {
                let id = televisit_protocol::wipe::claimed_command_id(&text).unwrap_or_default();
                eprintln!("televisit-admin: pending wipe {id} left out: {}; issue it again with an admin's key", refusal.describe());
            }
        }
    }
    let confirmations = ledger.confirmations(now)?;
    let to_confirm = confirmations.len();
    let keys = BulletinKeys { signer: &signer, keys: &org.keys, links: org.links() };
    let (made, text) = fleet::make_fleet_bulletin(&keys, valid, &wipes, pending, confirmations, now)?;
    let confirmed = made.logs.len() + made.receipts.len();
    if confirmed < to_confirm {
        eprintln!(
            "televisit-admin: {} confirmation(s) wait for a later bulletin (one is kept under {} characters, within what Android stores)",
            to_confirm - confirmed,
            fleet::MAX_BULLETIN_CHARS
        );
    }
    let ids: Vec<&str> = made.wipes.iter().map(|w| w.command_id.as_str()).collect();
    let later = waiting.iter().filter(|id| !ids.contains(&id.as_str())).count();
    if later > 0 {
        eprintln!(
            "televisit-admin: {later} pending wipe command(s) wait for a later bulletin (one per device, the widest scope first)"
        );
    }
    let detail = serde_json::json!({"wipes": ids, "signed_by": signer.name, "key_set": org.keys.version}).to_string();
    let issuer = signer.name.clone().unwrap_or_else(|| ledger::issuer(by));
    ledger.record_issued(CommandKind::Bulletin, &made.bulletin_id, &issuer, now, made.expires_at, &detail)?;
    eprintln!(
        "televisit-admin: bulletin {} carries {} wipe command(s) and confirms {} wipe receipt(s) to their phones",
        made.bulletin_id,
        ids.len(),
        made.receipts.len()
    );
    let confirmed: Vec<&str> = made.receipts.keys().map(String::as_str).collect();
    print(
        json,
        serde_json::json!({"bulletin_id": made.bulletin_id, "issued_at": made.issued_at, "expires_at": made.expires_at, "wipes": ids, "receipts_confirmed": confirmed, "signed_by": signer.name, "key_set": org.keys.version, "bulletin": text}),
        text,
    );
    Ok(())
}
