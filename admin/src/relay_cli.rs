//! `televisit-admin relay`: what IT does for its fleet relays. `publish` signs the next bulletin
//! and puts it in the shared ledger, where every relay serves it (the relay signs nothing);
//! `collect` archives the sealed log exports relays took in (the relay cannot open them: only
//! IT's export identity can).

use crate::ledger_cli;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use televisit_admin::org;
use televisit_protocol::relay::RelayEndpoint;

/// Where phones check in over HTTPS: in an enrollment code (signed) or the MDM's configuration.
#[derive(Args, Default)]
pub struct RelayEndpointArgs {
    /// The relay's base URL (https://…), where phones check in besides the MDM.
    #[arg(long, value_name = "URL")]
    pub relay_url: Option<String>,
    /// The CA certificate (PEM or DER) the relay's chain must end at, pinned by its SHA-256;
    /// without it, any CA the phone trusts (the system's and the MDM-installed ones).
    #[arg(long, value_name = "FILE", requires = "relay_url")]
    pub relay_ca: Option<PathBuf>,
}

impl RelayEndpointArgs {
    /// The endpoint named, checked as a phone will check it; none without --relay-url.
    pub fn endpoint(&self) -> Result<Option<RelayEndpoint>> {
        let Some(url) = &self.relay_url else { return Ok(None) };
        let pin = match &self.relay_ca {
            None => None,
            Some(file) => Some(ca_sha256(file)?),
        };
        let endpoint = RelayEndpoint::new(url, pin.as_deref())
            .map_err(|problem| anyhow::anyhow!("--relay-url: the URL {}", problem.describe()))?;
        Ok(Some(endpoint))
    }
}

/// The SHA-256 of a CA certificate's DER (the first certificate of a PEM file, or a DER file).
fn ca_sha256(file: &std::path::Path) -> Result<String> {
    use rustls_pki_types::pem::PemObject;
    let bytes = std::fs::read(file).with_context(|| format!("--relay-ca: cannot read {}", file.display()))?;
    let der = match rustls_pki_types::CertificateDer::from_pem_slice(&bytes) {
        Ok(cert) => cert.as_ref().to_vec(),
        // DER: an X.509 certificate is a SEQUENCE (0x30); anything else is not one.
        Err(_) if bytes.first() == Some(&0x30) => bytes,
        Err(_) => anyhow::bail!("--relay-ca: {} holds no certificate (PEM or DER)", file.display()),
    };
    Ok(televisit_protocol::relay::ca_pin(&der))
}

#[derive(Subcommand)]
pub enum RelayCommand {
    /// Sign the next bulletin (as `bulletin sign`) and publish it to the relays through the
    /// ledger: a cron line every few hours on the host that holds the bulletin key.
    Publish {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// The bulletin key; without it, the organisation's first key in --org.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        #[arg(long)]
        by: Option<String>,
        /// How long it is valid (default 24h).
        #[arg(long, default_value = "24h", value_parser = crate::bulletin_validity)]
        valid: i64,
    },
    /// Archive the sealed log exports the relays took in (verified against each device's pinned
    /// key, as `log import` does), from the relays' export folder.
    Collect {
        #[arg(long, value_name = "DIR")]
        org: PathBuf,
        /// The folder the relays write exports to (their `exports` setting).
        #[arg(long, value_name = "DIR")]
        exports: PathBuf,
    },
}

pub fn run(command: RelayCommand, json: bool) -> Result<ExitCode> {
    match command {
        RelayCommand::Publish { org, key, by, valid } => {
            crate::bulletin_cli::sign(&org, key.as_deref(), by.as_deref(), valid, &[], true, json)?;
            Ok(ExitCode::SUCCESS)
        }
        RelayCommand::Collect { org, exports } => collect(&org, &exports, json),
    }
}

fn collect(org_dir: &std::path::Path, exports: &std::path::Path, json: bool) -> Result<ExitCode> {
    let (_, mut ledger) = ledger_cli::open(org_dir)?;
    let identity = org::export_identity(org_dir)?;
    let now = ledger_cli::now();
    let (mut archived, mut refused, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for (device, digest) in ledger.exports_to_collect()? {
        let path = exports.join(&device).join(format!("{digest}.age"));
        let sealed = match std::fs::read(&path) {
            Ok(sealed) => sealed,
            // Not on this host's copy of the folder (yet): left for the next run.
            Err(_) => {
                missing.push(digest);
                continue;
            }
        };
        match ledger.archive_export(&sealed, &identity, now) {
            Ok(a) => archived.push(serde_json::json!({
                "device_id": a.device_id, "digest": digest, "from_seq": a.from_seq, "through_seq": a.through_seq,
                "entries": a.entries, "new": a.new,
            })),
            Err(err) => {
                refused.push(serde_json::json!({"device_id": device, "digest": digest, "reason": format!("{err:#}")}))
            }
        }
        ledger.export_collected(&digest, now).context("cannot mark the export collected")?;
    }
    let summary = format!(
        "{} export(s) archived, {} refused, {} not in {} yet",
        archived.len(),
        refused.len(),
        missing.len(),
        exports.display()
    );
    crate::print(
        json,
        serde_json::json!({"archived": archived, "refused": refused, "missing": missing.len()}),
        summary,
    );
    Ok(if refused.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) })
}
