//! The fleet loop on the desktop, as a phone behind an MDM lives it: `televisit bulletin apply`
//! takes the bulletin IT signs on a schedule (contact with IT, a wipe if it names this device,
//! IT's word on the receipt it holds). The report it answers with is `report_cmd`'s.

use crate::it_cmd::{self, message_or_file};
use crate::it_view::WipeCause;
use crate::profile::Profile;
use crate::view::print_json;
use anyhow::Result;
use clap::Subcommand;
use std::process::ExitCode;
use televisit_core::it::bulletin::BulletinOutcome;
use televisit_core::Televisit;

#[derive(Subcommand)]
pub enum BulletinCommand {
    /// Apply IT's bulletin (`televisit-admin bulletin sign`): the text, a file holding it, or -
    /// for stdin. A wipe it holds for this device is carried out at once.
    Apply { bulletin: String },
}

pub fn run(profile: &Profile, tv: Televisit, command: BulletinCommand, json: bool) -> Result<ExitCode> {
    let BulletinCommand::Apply { bulletin } = command;
    let text = message_or_file(&bulletin, "bulletin")?;
    let outcome = tv.apply_bulletin(&profile.secrets, &text)?;
    let checkin = tv.last_checkin(&profile.secrets)?;
    let (state, bulletin_id, wipe, confirmed, in_touch) = match &outcome {
        BulletinOutcome::Unchanged => ("unchanged", None, None, None, false),
        BulletinOutcome::Applied { bulletin_id, wipe, receipt_confirmed, in_touch, .. } => {
            ("applied", Some(bulletin_id.clone()), wipe.clone(), receipt_confirmed.clone(), *in_touch)
        }
    };
    let (key_set, wipe_refused, signed_by, key_set_refused) = match &outcome {
        BulletinOutcome::Applied { key_set, wipe_refused, signed_by, key_set_refused, .. } => {
            (*key_set, *wipe_refused, signed_by.clone(), *key_set_refused)
        }
        BulletinOutcome::Unchanged => (None, None, None, false),
    };
    if json {
        print_json(&serde_json::json!({
            "bulletin": state,
            "bulletin_id": bulletin_id,
            "last_checkin": crate::it_view::time(checkin),
            "wipe": wipe.as_ref().map(|c| c.command_id.clone()),
            "receipt_confirmed": confirmed,
            "in_touch": in_touch,
            "signed_by": signed_by,
            "key_set": key_set,
            "wipe_refused": wipe_refused.map(|r| r.code()),
            "key_set_refused": key_set_refused,
        }));
    } else {
        match &bulletin_id {
            Some(id) if in_touch => println!("bulletin {id} applied: in touch with IT (last contact {})", fmt(checkin)),
            Some(id) => println!(
                "bulletin {id} applied for what it confirms, but too late to count as contact with IT (last contact {})",
                fmt(checkin)
            ),
            None => println!("bulletin already applied: nothing new (last contact {})", fmt(checkin)),
        }
        if let Some(version) = key_set {
            println!("it carries the organisation's key set version {version}: the device verifies IT's messages with it from now on");
        }
        if key_set_refused {
            println!("it carries key set links this device cannot follow (not signed by enough of the root it holds): it keeps its key set, and the log says so");
        }
        if let Some(refusal) = wipe_refused {
            println!(
                "it holds a wipe for this device that is refused ({}): {}; nothing was wiped",
                refusal.code(),
                refusal.describe()
            );
        }
        if let Some(command) = &confirmed {
            println!("it confirms IT holds the receipt of wipe {command}: the device no longer keeps it");
        }
        if let Some(command) = &wipe {
            println!("it holds wipe command {} for this device: carrying it out", command.command_id);
        }
    }
    if wipe.is_some() {
        // The core marked the wipe pending; the store is closed before the wipe removes it.
        drop(tv);
        if let Some(receipt) = profile.resume_pending_wipe()? {
            it_cmd::deliver_receipt(&receipt, WipeCause::Applied, json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn fmt(time: Option<chrono::DateTime<chrono::Utc>>) -> String {
    crate::it_view::time(time).unwrap_or_else(|| "never".into())
}
