//! `televisit checkin --relay URL`: a check-in through IT's fleet relay, as a phone makes one in
//! its background task. The core builds and signs the request and applies the answer (the same
//! check-in the MDM's configuration goes through); this file only carries it over HTTPS, with
//! the system's trusted roots and, with `--ca`, the hospital's own CA. Certificates are always
//! verified; plain HTTP is taken for a loopback address only.
//!
//! Exit codes: 0 checked in; 1 an error; 3 the relay refused the request; 75 try again later
//! (the relay or its database was not there).

use crate::it_cmd::deliver_receipt;
use crate::it_view::WipeCause;
use crate::profile::Profile;
use crate::report_cmd::desktop_facts;
use crate::view::print_json;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use televisit_core::it::relay::{apply_answer, RelayOutcome};
use televisit_core::Televisit;

/// Exit code: try again later (EX_TEMPFAIL).
pub const TRY_LATER: u8 = 75;

#[derive(Args)]
pub struct CheckInArgs {
    /// The relay's address, as IT gave it (`https://relay.hospital.example`).
    #[arg(long, value_name = "URL")]
    relay: String,
    /// A CA certificate (PEM) to trust besides the system's: the hospital's own.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Send a sealed export of the activity log since IT's last confirmation too.
    #[arg(long)]
    export: bool,
}

pub fn run(profile: &Profile, tv: Televisit, args: CheckInArgs, json: bool) -> Result<ExitCode> {
    let base = relay_base(&args.relay)?;
    let request = tv.relay_request(&profile.secrets, &desktop_facts(), args.export, chrono::Utc::now())?;
    let client = client(args.ca.as_deref())?;
    let mut call = client.post(format!("{base}{}", request.path)).body(request.body);
    for (name, value) in &request.headers {
        call = call.header(name, value);
    }
    // No answer at all is status 0: the core counts it as "try again later".
    let (status, body) = match call.send() {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.bytes().map(|b| b.to_vec()).unwrap_or_default())
        }
        Err(err) => {
            eprintln!("televisit: the relay did not answer ({})", without_url(&err));
            (0, Vec::new())
        }
    };
    let outcome = apply_answer(&profile.secrets, status, &body, chrono::Utc::now());
    say(&outcome, json);
    if outcome.wipe_started {
        drop(tv);
        if let Some(receipt) = profile.resume_pending_wipe()? {
            deliver_receipt(&receipt, WipeCause::Applied, json)?;
        }
    }
    Ok(match (&outcome.refused, outcome.retry) {
        (_, true) => ExitCode::from(TRY_LATER),
        (Some(_), false) => ExitCode::from(crate::it_cmd::REFUSED),
        (None, false) if outcome.bulletin_refused => ExitCode::from(crate::it_cmd::REFUSED),
        _ => ExitCode::SUCCESS,
    })
}

fn say(outcome: &RelayOutcome, json: bool) {
    if json {
        print_json(&serde_json::json!({
            "checked_in": outcome.checked_in,
            "wipe_started": outcome.wipe_started,
            "bulletin_refused": outcome.bulletin_refused,
            "refused": outcome.refused,
            "retry": outcome.retry,
        }));
        return;
    }
    match (&outcome.refused, outcome.checked_in) {
        (Some(code), _) if outcome.retry => println!("not checked in: {code}; try again later"),
        (Some(code), _) => println!("refused by the relay: {code}"),
        (None, true) if outcome.wipe_started => {
            println!("checked in: IT's wipe command for this device is carried out now")
        }
        (None, true) => println!("checked in with IT through the relay"),
        (None, false) if outcome.bulletin_refused => {
            println!("the relay served a bulletin that does not verify: it was refused (tell IT)")
        }
        (None, false) => println!("not checked in: the secret store was not readable; try again"),
    }
}

/// The relay's address without a trailing slash: https, or http to a loopback address.
fn relay_base(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let loopback = ["http://127.0.0.1", "http://[::1]", "http://localhost"].iter().any(|prefix| {
        url.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(':') || rest.starts_with('/'))
    });
    if !url.starts_with("https://") && !loopback {
        bail!("the relay's address must start with https:// (plain http only to this machine)");
    }
    Ok(url.to_owned())
}

fn client(ca: Option<&std::path::Path>) -> Result<reqwest::blocking::Client> {
    let mut builder = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(true)
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(15))
        .user_agent(concat!("televisit/", env!("CARGO_PKG_VERSION")));
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
        let certificate = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("{} is not a PEM certificate", ca.display()))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().context("cannot set up HTTPS")
}

/// What went wrong, in a few words (never the URL, which may carry a token).
fn without_url(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "it timed out"
    } else if err.is_connect() {
        "no connection: the address, the network, or a certificate this device does not trust"
    } else {
        "the connection failed"
    }
}
