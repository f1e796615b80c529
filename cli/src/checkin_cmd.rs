//! `televisit checkin`: a check-in through IT's fleet relay, as a phone makes one in its
//! background task, to the relay IT named (managed configuration, else enrollment code) or the
//! one `--relay` gives. The core builds and signs the request and applies the answer (the same
//! check-in the MDM's configuration goes through); this file only carries it over HTTPS, with
//! the system's trusted roots and, with `--ca`, the hospital's own CA. When IT pinned the
//! relay's CA, only that CA is trusted, and `--ca` must be it. Certificates are always verified;
//! plain HTTP is taken for a loopback address only.
//!
//! Exit codes: 0 checked in; 1 an error; 3 the relay refused the request; 75 try again later
//! (the relay or its database was not there).

use crate::it_cmd::deliver_receipt;
use crate::it_view::WipeCause;
use crate::profile::Profile;
use crate::report_cmd::desktop_facts;
use crate::view::print_json;
use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use televisit_core::it::relay::{apply_answer, endpoint, export_due, RelayEndpoint, RelayOutcome};
use televisit_core::Televisit;

/// Exit code: try again later (EX_TEMPFAIL).
pub const TRY_LATER: u8 = 75;

#[derive(Args)]
pub struct CheckInArgs {
    /// The relay's address (`https://relay.hospital.example`); without it, the one IT named in
    /// the enrollment code or the managed configuration.
    #[arg(long, value_name = "URL")]
    relay: Option<String>,
    /// A CA certificate (PEM) to trust besides the system's: the hospital's own.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Send a sealed export of the activity log since IT's last confirmation too (without it,
    /// one goes once a day).
    #[arg(long)]
    export: bool,
}

pub fn run(profile: &Profile, tv: Televisit, args: CheckInArgs, json: bool) -> Result<ExitCode> {
    let to = match &args.relay {
        Some(url) => {
            RelayEndpoint::new(url, None).map_err(|problem| anyhow!("--relay: the address {}", problem.describe()))?
        }
        None => endpoint(&profile.secrets)?
            .ok_or_else(|| anyhow!("IT named no relay for this device: give its address with --relay URL"))?,
    };
    // Before the report is made, so that IT reads the counts as they are after it.
    let cleanup = crate::cleanup_cmd::background(profile, &tv, json)?;
    let now = chrono::Utc::now();
    let with_export = args.export || export_due(&profile.secrets, now)?;
    let request = tv.relay_request(&profile.secrets, &desktop_facts(), &to, with_export, now)?;
    let client = client(args.ca.as_deref(), to.ca_sha256.is_some().then_some(&to))?;
    let mut call = client.post(&request.url).body(request.body);
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
    say(&outcome, cleanup, json);
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

fn say(outcome: &RelayOutcome, cleanup: serde_json::Value, json: bool) {
    if json {
        print_json(&serde_json::json!({
            "checked_in": outcome.checked_in,
            "wipe_started": outcome.wipe_started,
            "bulletin_refused": outcome.bulletin_refused,
            "refused": outcome.refused,
            "retry": outcome.retry,
            "cleanup": cleanup,
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

/// The HTTPS client: the system's roots and `ca`, or, when IT pinned the relay's CA (`pinned`),
/// that CA alone, which `ca` must be.
fn client(ca: Option<&std::path::Path>, pinned: Option<&RelayEndpoint>) -> Result<reqwest::blocking::Client> {
    let mut builder = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(pinned.is_none())
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(15))
        .user_agent(concat!("televisit/", env!("CARGO_PKG_VERSION")));
    match (ca, pinned) {
        (None, Some(_)) => bail!("IT pinned the relay's CA: give its certificate with --ca FILE"),
        (None, None) => {}
        (Some(ca), pinned) => {
            use rustls_pki_types::pem::PemObject;
            let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
            let der = rustls_pki_types::CertificateDer::from_pem_slice(&pem)
                .map_err(|_| anyhow!("{} is not a PEM certificate", ca.display()))?;
            if pinned.is_some_and(|p| !p.pin_holds([der.as_ref()])) {
                bail!("{} is not the CA IT pinned for the relay", ca.display());
            }
            let certificate = reqwest::Certificate::from_der(&der)
                .with_context(|| format!("{} is not a PEM certificate", ca.display()))?;
            builder = builder.add_root_certificate(certificate);
        }
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
