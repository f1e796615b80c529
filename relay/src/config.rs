//! `televisit-relay serve --config FILE`: one TOML file, which IT keeps beside the systemd unit
//! or mounts into the container (`deploy/`).
//!
//! ```toml
//! listen = "0.0.0.0:8443"
//! org_key = "…"                      # the organisation's public signing key (`org show`)
//! ledger = "postgres://televisit@db/televisit"
//! exports = "/var/lib/televisit-relay/exports"
//! [tls]                              # or: plain_http = true, on loopback behind a proxy
//! cert = "/etc/televisit-relay/cert.pem"
//! key = "/etc/televisit-relay/key.pem"
//! ```

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the relay listens.
    pub listen: SocketAddr,
    /// The organisation's public signing key: the ledger must be this organisation's.
    pub org_key: String,
    /// The shared ledger (PostgreSQL for several relays; a SQLite file for one).
    pub ledger: String,
    /// Where sealed exports are written, one folder per device, until IT's tool archives them.
    pub exports: PathBuf,
    #[serde(default)]
    pub tls: Option<Tls>,
    /// Plain HTTP: only on a loopback address, behind the hospital's reverse proxy (which
    /// terminates TLS).
    #[serde(default)]
    pub plain_http: bool,
    #[serde(default)]
    pub limits: Limits,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Check-ins one device may make per minute, with `burst` at once.
    pub per_device_per_minute: u32,
    pub burst: u32,
    /// Seconds a whole request may take, body included (a slow client is cut off).
    pub request_seconds: u64,
    /// Seconds a client has to send its request headers.
    pub header_seconds: u64,
    /// Ledger connections the relay keeps (and so requests it serves at once).
    pub connections: u32,
    /// Seconds in-flight requests get to finish at shutdown.
    pub shutdown_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_device_per_minute: 6,
            burst: 6,
            request_seconds: 30,
            header_seconds: 10,
            connections: 16,
            shutdown_seconds: 20,
        }
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let config: Config =
            toml::from_str(&text).with_context(|| format!("{} is not a relay configuration", path.display()))?;
        config.check()?;
        Ok(config)
    }

    pub fn check(&self) -> Result<()> {
        if televisit_protocol::envelope::decode_public_key(&self.org_key).is_none() {
            bail!("org_key is not a public key (`televisit-admin org show` prints it)");
        }
        match (&self.tls, self.plain_http) {
            (Some(_), true) => bail!("either [tls] or plain_http, not both"),
            (None, false) => {
                bail!("[tls] with cert and key is needed (or plain_http = true on loopback behind a proxy)")
            }
            (None, true) if !self.listen.ip().is_loopback() => {
                bail!("plain_http listens on a loopback address only: put the hospital's TLS proxy in front")
            }
            _ => {}
        }
        let l = &self.limits;
        if l.per_device_per_minute == 0
            || l.burst == 0
            || l.connections == 0
            || l.request_seconds == 0
            || l.header_seconds == 0
        {
            bail!("every limit is at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik";

    fn example() -> String {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/relay.example.toml")).unwrap();
        text.replace("REPLACE-WITH-THE-ORGANISATION-SIGNING-KEY", KEY)
    }

    #[test]
    fn the_example_in_deploy_is_a_configuration_the_relay_takes() {
        let config: Config = toml::from_str(&example()).unwrap();
        config.check().unwrap();
        assert!(config.tls.is_some() && !config.plain_http);
        assert_eq!(config.limits.connections, 16);
    }

    #[test]
    fn plain_http_off_loopback_or_no_tls_at_all_is_refused() {
        let mut config: Config = toml::from_str(&example()).unwrap();
        config.tls = None;
        assert!(config.check().is_err(), "neither TLS nor plain HTTP");
        config.plain_http = true;
        assert!(config.check().is_err(), "plain HTTP on 0.0.0.0");
        config.listen = "127.0.0.1:8080".parse().unwrap();
        assert!(config.check().is_ok());
        config.org_key = "not a key".into();
        assert!(config.check().is_err());
    }

    #[test]
    fn the_systemd_unit_starts_the_relay_with_its_configuration() {
        let unit =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/televisit-relay.service")).unwrap();
        assert!(
            unit.contains("ExecStart=/usr/local/bin/televisit-relay serve --config /etc/televisit-relay/relay.toml")
        );
        let container =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/Containerfile")).unwrap();
        assert!(container.contains("\"serve\", \"--config\""));
    }
}
