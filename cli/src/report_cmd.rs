//! `televisit status --report`: the signed device report a phone publishes through its MDM at
//! every check-in (for `televisit-admin device check` and `devices import`), with the wipe
//! receipt it holds until IT confirms it.

use crate::profile::Profile;
use crate::view::print_json;
use anyhow::Result;
use std::process::ExitCode;
use televisit_core::it::report::ReportFacts;
use televisit_core::{QrCode, Televisit};

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
