//! `televisit-admin bulletin sign`: what the cron host runs every few hours, with the bulletin key
//! and nothing else secret (`televisit_admin::bulletin_sign`).

use crate::{ledger_cli, print, text_or_file};
use anyhow::Result;
use std::path::Path;
use televisit_admin::bulletin_sign;
use televisit_admin::ledger::{self, CommandKind};

pub fn sign(
    org_dir: &Path,
    key: Option<&Path>,
    by: Option<&str>,
    valid: i64,
    wipes: &[String],
    publish: bool,
    json: bool,
) -> Result<()> {
    let (org, mut ledger) = ledger_cli::open(org_dir)?;
    let wipes = wipes.iter().map(|w| text_or_file(w)).collect::<Result<Vec<_>>>()?;
    let now = ledger_cli::now();
    // Published to the relays, the fleet's bulletin confirms nothing per phone: each phone's
    // own bulletin does (`relay_publish::sign_inboxes`), and this one keeps its size.
    let confirming =
        if publish { bulletin_sign::Confirming::NonePerPhone } else { bulletin_sign::Confirming::EveryPhone };
    let signed = bulletin_sign::sign_next_confirming(&org, &mut ledger, key, valid, &wipes, confirming, now)?;
    for note in &signed.notes {
        eprintln!("televisit-admin: {note}");
    }
    let made = &signed.bulletin;
    let ids: Vec<&str> = made.wipes.iter().map(|w| w.command_id.as_str()).collect();
    let detail =
        serde_json::json!({"wipes": ids, "signed_by": signed.signed_by, "key_set": org.keys.version}).to_string();
    let issuer = signed.signed_by.clone().unwrap_or_else(|| ledger::issuer(by));
    ledger.record_issued(CommandKind::Bulletin, &made.bulletin_id, &issuer, now, made.expires_at, &detail)?;
    if publish {
        // For the relays to serve (`relay publish`): the text this prints, which the MDM may
        // carry too (it confirms nothing per phone, so it keeps its size as the fleet grows).
        ledger.publish_bulletin(&made.bulletin_id, &signed.text, made.issued_at, made.expires_at, &issuer, now)?;
        let inboxes = televisit_admin::relay_publish::sign_inboxes(&org, &mut ledger, key, valid, now)?;
        eprintln!(
            "televisit-admin: published to the relays through the ledger at {}; {} phone(s) given their own confirmations ({} unchanged)",
            ledger.location().shown(),
            inboxes.signed,
            inboxes.unchanged
        );
    }
    eprintln!(
        "televisit-admin: bulletin {} carries {} wipe command(s) and confirms {} wipe receipt(s) to their phones{}",
        made.bulletin_id,
        ids.len(),
        made.receipts.len(),
        signed.signed_by.as_deref().map(|n| format!("; signed by the key {n}")).unwrap_or_default()
    );
    let confirmed: Vec<&str> = made.receipts.keys().map(String::as_str).collect();
    print(
        json,
        serde_json::json!({"bulletin_id": made.bulletin_id, "issued_at": made.issued_at, "expires_at": made.expires_at, "wipes": ids, "receipts_confirmed": confirmed, "signed_by": signed.signed_by, "key_set": org.keys.version, "bulletin": signed.text}),
        signed.text.clone(),
    );
    Ok(())
}
