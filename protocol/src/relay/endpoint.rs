//! Where a phone's relay is: its URL and, optionally, a pin of the CA its certificate chains to.
//! IT names it in the enrollment code (signed) and may move it later with the managed
//! configuration (`relay_url`, `relay_ca_sha256`). Neither is trusted for more than where to
//! knock: everything a relay serves is verified against the key set the phone holds, so a wrong
//! URL can only delay a check-in, never forge one.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Longest relay URL taken: long enough for any host and path prefix, short enough for a QR code.
pub const MAX_URL: usize = 256;

/// A relay's base URL (`https://relay.example.org` or with a path prefix behind a reverse proxy)
/// and an optional SHA-256 of the DER of the CA certificate the relay's chain must end at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayEndpoint {
    pub url: String,
    /// Lower-case hex, 64 characters (`openssl x509 -outform der | sha256sum`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_sha256: Option<String>,
}

/// Why a relay endpoint was refused (never echoing it: IT typed or pasted it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointProblem {
    NotAUrl,
    /// `http://` to anything but this machine, or another scheme.
    NotHttps,
    /// A user name or password, a query or a fragment: nothing a relay's base URL has.
    ExtraParts,
    BadPin,
}

impl EndpointProblem {
    pub fn describe(self) -> &'static str {
        match self {
            EndpointProblem::NotAUrl => "is not a URL of at most 256 characters",
            EndpointProblem::NotHttps => "must be an https:// URL (plain http:// only to this machine's loopback)",
            EndpointProblem::ExtraParts => "must not carry a user name, password, query or fragment",
            EndpointProblem::BadPin => "the CA pin must be the certificate's SHA-256 as 64 hex digits",
        }
    }
}

impl RelayEndpoint {
    /// Checks and normalises a relay URL (a trailing `/` dropped) and a CA pin (colons dropped,
    /// lower case: `openssl x509 -fingerprint -sha256` prints `AB:CD:…`).
    pub fn new(url: &str, ca_sha256: Option<&str>) -> Result<RelayEndpoint, EndpointProblem> {
        let url = url.trim();
        if url.is_empty() || url.len() > MAX_URL || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(EndpointProblem::NotAUrl);
        }
        let parsed = url::Url::parse(url).map_err(|_| EndpointProblem::NotAUrl)?;
        let loopback = parsed.host().is_some_and(|host| match host {
            url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(ip) => IpAddr::V4(ip).is_loopback(),
            url::Host::Ipv6(ip) => IpAddr::V6(ip).is_loopback(),
        });
        match parsed.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(EndpointProblem::NotHttps),
        }
        if parsed.host().is_none() {
            return Err(EndpointProblem::NotAUrl);
        }
        if !parsed.username().is_empty()
            || parsed.password().is_some()
            || parsed.query().is_some()
            || parsed.fragment().is_some()
        {
            return Err(EndpointProblem::ExtraParts);
        }
        let ca_sha256 = match ca_sha256.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(pin) => {
                let pin: String = pin.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase();
                if pin.len() != 64 || !pin.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(EndpointProblem::BadPin);
                }
                Some(pin)
            }
        };
        Ok(RelayEndpoint { url: parsed.as_str().trim_end_matches('/').to_owned(), ca_sha256 })
    }

    /// An endpoint as read from a signed or stored text: checked again, never taken as it is.
    pub fn checked(&self) -> Result<RelayEndpoint, EndpointProblem> {
        RelayEndpoint::new(&self.url, self.ca_sha256.as_deref())
    }

    /// The URL a request for `path` (`/v1/checkin`) goes to.
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The host, for a screen or a log line (never the whole URL with its path).
    pub fn host(&self) -> String {
        url::Url::parse(&self.url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default()
    }

    /// Whether a certificate chain the platform has verified (each certificate's DER, the trust
    /// anchor included) holds the pinned CA. No pin: any chain the platform trusts.
    pub fn pin_holds<'a>(&self, chain: impl IntoIterator<Item = &'a [u8]>) -> bool {
        self.ca_sha256.as_deref().is_none_or(|pin| chain_holds(pin, chain))
    }
}

/// A CA certificate's pin: the SHA-256 of its DER, lower-case hex (what IT's tool writes).
pub fn ca_pin(der: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, der))
}

/// Whether a verified chain (each certificate's DER) holds the CA certificate `pin` names.
pub fn chain_holds<'a>(pin: &str, chain: impl IntoIterator<Item = &'a [u8]>) -> bool {
    chain.into_iter().any(|der| ca_pin(der) == pin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_https_url_is_taken_and_normalised() {
        let e = RelayEndpoint::new(" https://Relay.Example.org/televisit/ ", None).unwrap();
        assert_eq!(e.url, "https://relay.example.org/televisit");
        assert_eq!(e.url_for("/v1/checkin"), "https://relay.example.org/televisit/v1/checkin");
        assert_eq!(e.host(), "relay.example.org");
        let e = RelayEndpoint::new("https://relay.example.org:8443", None).unwrap();
        assert_eq!(e.url_for("/v1/checkin"), "https://relay.example.org:8443/v1/checkin");
    }

    #[test]
    fn plain_http_only_reaches_this_machine() {
        for ok in ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"] {
            assert!(RelayEndpoint::new(ok, None).is_ok(), "{ok}");
        }
        for refused in ["http://relay.example.org", "http://10.0.0.1", "ftp://relay.example.org", "file:///etc/x"] {
            assert_eq!(RelayEndpoint::new(refused, None), Err(EndpointProblem::NotHttps), "{refused}");
        }
    }

    #[test]
    fn what_no_base_url_has_is_refused() {
        for bad in ["https://u:p@relay.example.org", "https://relay.example.org/?a=1", "https://relay.example.org/#x"] {
            assert_eq!(RelayEndpoint::new(bad, None), Err(EndpointProblem::ExtraParts), "{bad}");
        }
        for bad in
            ["", "relay.example.org", "https://", "https://relay example.org", &format!("https://{}", "a".repeat(260))]
        {
            assert_eq!(RelayEndpoint::new(bad, None), Err(EndpointProblem::NotAUrl), "{bad}");
        }
    }

    #[test]
    fn a_pin_is_the_ca_certificates_sha256() {
        let ca = b"the DER of a CA certificate";
        let hex = hex::encode(ring::digest::digest(&ring::digest::SHA256, ca));
        let colons: Vec<String> = hex.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).to_uppercase()).collect();
        let e = RelayEndpoint::new("https://relay.example.org", Some(&colons.join(":"))).unwrap();
        assert_eq!(e.ca_sha256.as_deref(), Some(hex.as_str()));
        assert!(e.pin_holds([b"leaf".as_slice(), ca.as_slice()]));
        assert!(!e.pin_holds([b"leaf".as_slice(), b"another CA".as_slice()]));
        assert!(!e.pin_holds(std::iter::empty()));
        assert!(RelayEndpoint::new("https://relay.example.org", None).unwrap().pin_holds(std::iter::empty()));
        assert_eq!(RelayEndpoint::new("https://relay.example.org", Some("abc")), Err(EndpointProblem::BadPin));
        assert_eq!(
            RelayEndpoint::new("https://relay.example.org", Some(&"g".repeat(64))),
            Err(EndpointProblem::BadPin)
        );
    }

    #[test]
    fn an_endpoint_read_back_is_checked_again() {
        let forged = RelayEndpoint { url: "http://relay.example.org".into(), ca_sha256: None };
        assert_eq!(forged.checked(), Err(EndpointProblem::NotHttps));
        let json = r#"{"url":"https://relay.example.org","ca_sha256":null,"extra":1}"#;
        assert!(serde_json::from_str::<RelayEndpoint>(json).is_err(), "unknown fields refused");
    }
}
