//! The fleet loop on the desktop, as a phone behind an MDM lives it: `televisit bulletin apply`
//! takes the bulletin IT signs on a schedule (contact with IT, and a wipe if it names this
//! device), and `televisit status --report` prints the signed device report a phone publishes
//! through its MDM, for `televisit-admin device check`.

use crate::it_cmd::{self, message_or_file};
use crate::it_view::WipeCause;
use crate::profile::Profile;
use crate::view::print_json;
use anyhow::Result;
use clap::Subcommand;
use std::process::ExitCode;
use televisit_core::it::bulletin::BulletinOutcome;
use televisit_core::it::report::ReportFacts;
use televisit_core::{QrCode, Televisit};

#[derive(Subcommand)]
pub enum BulletinCommand {
    /// Apply IT's bulletin (`televisit-admin bulletin sign`): the text, a file holding it, or -
    /// for stdin. A wipe it holds for this device is carried out at once.
    Apply { bulletin: String },
}

/// What the desktop reports itself as.
pub fn desktop_facts() -> ReportFacts {
    ReportFacts {
        os: "desktop".into(),
        os_version: std::env::consts::OS.chars().take(24).collect(),
        app_version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// `televisit status --report`: the signed report, one line; with `--qr`, its QR code first, as
/// a phone's Settings screen shows it (the core's encoding, drawn in the terminal).
pub fn report(profile: &Profile, tv: &Televisit, qr: bool, json: bool) -> Result<ExitCode> {
    let text = tv.device_report(&profile.secrets, &desktop_facts())?;
    // A receipt IT has not confirmed goes with the report, as a phone publishes both at every
    // check-in, until IT's bulletin says it arrived.
    let held = televisit_core::it::wipe::held_receipt(&profile.secrets)?;
    if json {
        print_json(&serde_json::json!({
            "report": text,
            "length": text.len(),
            "receipt": held.as_ref().map(|h| &h.text),
            "receipt_command": held.as_ref().map(|h| &h.command_id),
        }));
    } else {
        if qr {
            println!("{}", terminal_qr(&QrCode::encode(&text)?));
        }
        println!("{text}");
        if let Some(held) = held {
            println!("a wipe receipt IT has not yet confirmed ({}): hand it on with the report", held.command_id);
            println!("{}", held.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Two modules a character (the renderer's half blocks). Drawn for a terminal with a dark
/// background, as terminal QR tools do: the light modules and the quiet zone are the blocks.
fn terminal_qr(code: &QrCode) -> String {
    use qrcode::render::{unicode::Dense1x2, Renderer};
    let colors: Vec<qrcode::Color> =
        code.dark.iter().map(|&dark| if dark { qrcode::Color::Dark } else { qrcode::Color::Light }).collect();
    Renderer::<Dense1x2>::new(&colors, code.width as usize, 4)
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .build()
}

pub fn run(profile: &Profile, tv: Televisit, command: BulletinCommand, json: bool) -> Result<ExitCode> {
    let BulletinCommand::Apply { bulletin } = command;
    let text = message_or_file(&bulletin, "bulletin")?;
    let outcome = tv.apply_bulletin(&profile.secrets, &text)?;
    let checkin = tv.last_checkin(&profile.secrets)?;
    let (state, bulletin_id, wipe, confirmed) = match &outcome {
        BulletinOutcome::Unchanged => ("unchanged", None, None, None),
        BulletinOutcome::Applied { bulletin_id, wipe, receipt_confirmed, .. } => {
            ("applied", Some(bulletin_id.clone()), wipe.clone(), receipt_confirmed.clone())
        }
    };
    if json {
        print_json(&serde_json::json!({
            "bulletin": state,
            "bulletin_id": bulletin_id,
            "last_checkin": crate::it_view::time(checkin),
            "wipe": wipe.as_ref().map(|c| c.command_id.clone()),
            "receipt_confirmed": confirmed,
        }));
    } else {
        match &bulletin_id {
            Some(id) => println!("bulletin {id} applied: in touch with IT (last contact {})", fmt(checkin)),
            None => println!("bulletin already applied: nothing new (last contact {})", fmt(checkin)),
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
