//! The fleet relay's wire format: a phone's check-in over HTTPS, in one round trip.
//!
//! The phone sends `POST /v1/checkin` with a JSON body (`CheckIn`): its signed device report,
//! the wipe receipts it holds, the sealed log exports IT has not confirmed. Four headers sign
//! the request with the device key: `Televisit-Device`, `Televisit-Time` (Unix seconds),
//! `Televisit-Nonce` and `Televisit-Signature`, a signature (kind `request`) over
//!
//! ```text
//! POST\n/v1/checkin\n<device id>\n<time>\n<nonce>\n<SHA-256 of the body, hex>
//! ```
//!
//! The relay checks it against the key IT pinned for the device (at first contact, the key the
//! body's report is signed with, when the report names an enrollment code IT issued), so that
//! no phone reads another's inbox or fills IT's archive in another's name.
//!
//! The answer (`CheckInAnswer`) carries the newest bulletin IT published and this phone's own
//! wipe command, both as IT signed them offline: the relay holds no key a phone obeys, and a
//! phone verifies them as it does from its MDM. Its counts of what was recorded are the relay's
//! word only: a phone forgets a receipt or an export only on IT's signed word (a bulletin).
//!
//! Errors are a status and a fixed code (`RelayError`), never an echo of the request.

mod endpoint;
pub use endpoint::{ca_pin, chain_holds, EndpointProblem, RelayEndpoint, MAX_URL};

use crate::envelope::{self, Kind, SigningKey};
use serde::{Deserialize, Serialize};

pub const RELAY_VERSION: u32 = 1;
pub const CHECKIN_PATH: &str = "/v1/checkin";
pub const HEALTH_PATH: &str = "/v1/health";
pub const METRICS_PATH: &str = "/metrics";

pub const DEVICE_HEADER: &str = "televisit-device";
pub const TIME_HEADER: &str = "televisit-time";
pub const NONCE_HEADER: &str = "televisit-nonce";
pub const SIGNATURE_HEADER: &str = "televisit-signature";

/// The largest check-in body a relay reads: a report, a few receipts and a few sealed exports.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Sealed exports one check-in carries; the rest wait for the next.
pub const MAX_EXPORTS: usize = 4;
/// Receipts one check-in carries (a phone holds one; merged ones are inside it).
pub const MAX_RECEIPTS: usize = 8;
/// How far a request's time may be from the relay's clock. A phone's clock is its holder's, so
/// this is a replay window, not a trust in the phone's time: a request outside it is refused,
/// and inside it a nonce seen before is.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 600;
/// A nonce: 16 to 64 characters of base64url.
pub const MIN_NONCE: usize = 16;
pub const MAX_NONCE: usize = 64;

/// What a phone sends at a check-in. Fields this version does not know are passed over (a
/// newer app's check-in reaches an older relay; nothing unknown is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub v: u32,
    /// The phone's signed device report (`tv1.report.…`): who it is, and its log's checkpoint.
    pub report: String,
    /// Wipe receipts it holds (`tv1.receipt.…`), until a bulletin confirms them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<String>,
    /// Sealed log exports (age files, base64url), until a bulletin confirms them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<String>,
    /// SHA-256 (hex) of the enrollment code the phone enrolled with: at first contact, the relay
    /// pins its key only when IT issued that code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// What the relay answers. Fields this version does not know are passed over (a newer relay
/// answers an older app); what the phone obeys in it is signed by IT and verified after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CheckInAnswer {
    pub v: u32,
    /// The newest bulletin IT published (`televisit-admin relay publish`), as it signed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulletin: Option<String>,
    /// This phone's pending wipe command, as an admin's key signed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wipe: Option<String>,
    /// This phone's own bulletin (its inbox): IT's signed word on what it received from this
    /// phone alone (its archived log, its wipe receipt), so that the fleet's bulletin carries
    /// nothing per device and stays the same size whatever the fleet's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox: Option<String>,
    /// What the relay recorded of this check-in (its word only: nothing is forgotten on it).
    pub recorded: Recorded,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub reports: u32,
    pub receipts: u32,
    pub exports: u32,
    /// Records the ledger refused, by a fixed reason code each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

/// A refused request: the HTTP status and a fixed code, the whole body of the answer. Nothing of
/// the request is in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelayError {
    /// Not JSON, or not a check-in (400).
    Malformed,
    /// The signature headers are missing or malformed (400).
    Unsigned,
    /// The request's time is too far from the relay's clock (401).
    Stale,
    /// A nonce this device used before (401).
    Replayed,
    /// The signature does not hold for the key IT pinned (401).
    BadSignature,
    /// A first contact whose report does not verify, or names no code IT issued (403).
    NotEnrolled,
    /// The report is another device's than the one signing, or another organisation's (403).
    WrongDevice,
    /// The body is larger than `MAX_BODY_BYTES` (413).
    TooLarge,
    /// This device checked in too often (429).
    RateLimited,
    /// No such path (404) or method (405).
    NotFound,
    MethodNotAllowed,
    /// The ledger's database cannot be reached: nothing was recorded, try again (503).
    Unavailable,
    /// Anything else (500): nothing was recorded.
    Internal,
}

impl RelayError {
    pub fn status(self) -> u16 {
        match self {
            RelayError::Malformed | RelayError::Unsigned => 400,
            RelayError::Stale | RelayError::Replayed | RelayError::BadSignature => 401,
            RelayError::NotEnrolled | RelayError::WrongDevice => 403,
            RelayError::NotFound => 404,
            RelayError::MethodNotAllowed => 405,
            RelayError::TooLarge => 413,
            RelayError::RateLimited => 429,
            RelayError::Internal => 500,
            RelayError::Unavailable => 503,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            RelayError::Malformed => "malformed",
            RelayError::Unsigned => "unsigned",
            RelayError::Stale => "stale",
            RelayError::Replayed => "replayed",
            RelayError::BadSignature => "bad_signature",
            RelayError::NotEnrolled => "not_enrolled",
            RelayError::WrongDevice => "wrong_device",
            RelayError::TooLarge => "too_large",
            RelayError::RateLimited => "rate_limited",
            RelayError::NotFound => "not_found",
            RelayError::MethodNotAllowed => "method_not_allowed",
            RelayError::Unavailable => "unavailable",
            RelayError::Internal => "internal",
        }
    }

    /// Whether the phone should try the same request again later (the relay or its database was
    /// not there): everything else is final for this request.
    pub fn retry(self) -> bool {
        matches!(self, RelayError::Unavailable | RelayError::Internal | RelayError::RateLimited)
    }

    /// The answer's body: `{"error":"<code>"}`.
    pub fn body(self) -> String {
        format!("{{\"error\":\"{}\"}}", self.code())
    }
}

/// The signature headers of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSignature {
    pub device_id: String,
    pub time: i64,
    pub nonce: String,
    /// base64url, 64 bytes.
    pub signature: String,
}

/// The bytes a request's signature covers.
pub fn signed_request(method: &str, path: &str, device_id: &str, time: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    let digest = hex::encode(ring::digest::digest(&ring::digest::SHA256, body));
    format!("{method}\n{path}\n{device_id}\n{time}\n{nonce}\n{digest}").into_bytes()
}

/// Signs a request with the device key.
pub fn sign_request(
    key: &SigningKey,
    method: &str,
    path: &str,
    device_id: &str,
    time: i64,
    nonce: &str,
    body: &[u8],
) -> RequestSignature {
    let signature = key.sign_detached(Kind::Request, &signed_request(method, path, device_id, time, nonce, body));
    RequestSignature { device_id: device_id.to_owned(), time, nonce: nonce.to_owned(), signature }
}

impl RequestSignature {
    /// The four headers, read as the relay got them (each `None` when absent). Malformed values
    /// (an id that is not a device id, a time that is not a number, a nonce of the wrong length
    /// or alphabet) are `Unsigned`.
    pub fn from_headers(
        device: Option<&str>,
        time: Option<&str>,
        nonce: Option<&str>,
        signature: Option<&str>,
    ) -> Result<RequestSignature, RelayError> {
        let (Some(device), Some(time), Some(nonce), Some(signature)) = (device, time, nonce, signature) else {
            return Err(RelayError::Unsigned);
        };
        if !crate::ids::is_id_with_prefix(device, "dev") {
            return Err(RelayError::Unsigned);
        }
        let time: i64 = time.parse().map_err(|_| RelayError::Unsigned)?;
        let base64url = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !(MIN_NONCE..=MAX_NONCE).contains(&nonce.len()) || !base64url(nonce) {
            return Err(RelayError::Unsigned);
        }
        if signature.len() != 86 || !base64url(signature) {
            return Err(RelayError::Unsigned);
        }
        Ok(RequestSignature {
            device_id: device.to_owned(),
            time,
            nonce: nonce.to_owned(),
            signature: signature.to_owned(),
        })
    }

    /// Whether the time is within `MAX_CLOCK_SKEW_SECONDS` of `now` (the relay's clock).
    pub fn is_fresh(&self, now: i64) -> bool {
        now.checked_sub(self.time).is_some_and(|d| d.abs() <= MAX_CLOCK_SKEW_SECONDS)
    }

    /// Whether the signature is `public_key`'s over this request.
    pub fn holds(&self, public_key: &str, method: &str, path: &str, body: &[u8]) -> bool {
        let Ok(signature) = envelope::decode_b64(&self.signature) else {
            return false;
        };
        let signed = signed_request(method, path, &self.device_id, self.time, &self.nonce, body);
        envelope::signature_holds(public_key, Kind::Request, &signed, &signature)
    }
}

/// A request written as the vector writes it (`vectors::relay_request`): `POST PATH`, the
/// headers as `name: value` lines, a blank line, the body. For the vectors' test and the fuzz
/// target; the relay reads real HTTP.
pub fn read_written(text: &str) -> Option<(String, RequestSignature, Vec<u8>)> {
    let (head, body) = text.split_once("\n\n")?;
    let mut lines = head.lines();
    let path = lines.next()?.strip_prefix("POST ")?.to_owned();
    let mut headers = std::collections::HashMap::new();
    for line in lines {
        let (name, value) = line.split_once(": ")?;
        headers.insert(name.to_ascii_lowercase(), value.to_owned());
    }
    let get = |name: &str| headers.get(name).map(String::as_str);
    let signature =
        RequestSignature::from_headers(get(DEVICE_HEADER), get(TIME_HEADER), get(NONCE_HEADER), get(SIGNATURE_HEADER))
            .ok()?;
    Some((path, signature, body.as_bytes().to_vec()))
}

impl CheckIn {
    /// Reads a body as a check-in of this version, within its limits.
    pub fn parse(body: &[u8]) -> Result<CheckIn, RelayError> {
        if body.len() > MAX_BODY_BYTES {
            return Err(RelayError::TooLarge);
        }
        let checkin: CheckIn = serde_json::from_slice(body).map_err(|_| RelayError::Malformed)?;
        if checkin.v != RELAY_VERSION
            || checkin.exports.len() > MAX_EXPORTS
            || checkin.receipts.len() > MAX_RECEIPTS
            || checkin.report.len() > envelope::MAX_LEN
            || checkin.receipts.iter().any(|r| r.len() > envelope::MAX_LEN)
            || checkin.code.as_ref().is_some_and(|c| c.len() != 64 || !c.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(RelayError::Malformed);
        }
        Ok(checkin)
    }
}

impl CheckInAnswer {
    /// Reads the relay's answer on the phone: anything else than this version's shape is
    /// refused whole (the relay is not trusted; what it carries is verified after).
    pub fn parse(body: &[u8]) -> Option<CheckInAnswer> {
        if body.len() > MAX_BODY_BYTES {
            return None;
        }
        serde_json::from_slice::<CheckInAnswer>(body).ok().filter(|a| a.v == RELAY_VERSION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_seed(&[3u8; 32]).unwrap()
    }

    const DEV: &str = "dev_0123456789abcdef01234567";
    const NONCE: &str = "AAAAAAAAAAAAAAAAAAAAAA";

    #[test]
    fn a_signed_request_holds_for_its_key_and_nothing_else() {
        let body = br#"{"v":1,"report":"x"}"#;
        let signed = sign_request(&key(), "POST", CHECKIN_PATH, DEV, 1_800_000_000, NONCE, body);
        let read = RequestSignature::from_headers(Some(DEV), Some("1800000000"), Some(NONCE), Some(&signed.signature))
            .unwrap();
        assert!(read.holds(&key().public_key(), "POST", CHECKIN_PATH, body));
        // Another body, path, method, key: refused.
        assert!(!read.holds(&key().public_key(), "POST", CHECKIN_PATH, br#"{"v":1,"report":"y"}"#));
        assert!(!read.holds(&key().public_key(), "POST", "/v1/other", body));
        assert!(!read.holds(&key().public_key(), "PUT", CHECKIN_PATH, body));
        let other = SigningKey::from_seed(&[4u8; 32]).unwrap();
        assert!(!read.holds(&other.public_key(), "POST", CHECKIN_PATH, body));
        // Another device's id in the header, the same signature: refused.
        let mut moved = read.clone();
        moved.device_id = "dev_00000000000000000000000f".into();
        assert!(!moved.holds(&key().public_key(), "POST", CHECKIN_PATH, body));
    }

    #[test]
    fn malformed_headers_are_unsigned() {
        let sig = "A".repeat(86);
        let ok = |d, t, n, s| RequestSignature::from_headers(d, t, n, s);
        assert!(ok(Some(DEV), Some("1"), Some(NONCE), Some(&sig)).is_ok());
        assert_eq!(ok(None, Some("1"), Some(NONCE), Some(&sig)), Err(RelayError::Unsigned));
        assert_eq!(ok(Some("Susan Smith"), Some("1"), Some(NONCE), Some(&sig)), Err(RelayError::Unsigned));
        assert_eq!(ok(Some(DEV), Some("soon"), Some(NONCE), Some(&sig)), Err(RelayError::Unsigned));
        assert_eq!(ok(Some(DEV), Some("1"), Some("short"), Some(&sig)), Err(RelayError::Unsigned));
        assert_eq!(ok(Some(DEV), Some("1"), Some("AAAAAAAAAAAAAAAA/AAA"), Some(&sig)), Err(RelayError::Unsigned));
        assert_eq!(ok(Some(DEV), Some("1"), Some(NONCE), Some("AAAA")), Err(RelayError::Unsigned));
    }

    #[test]
    fn freshness_is_a_window_either_side_and_never_overflows() {
        let at = |time| RequestSignature { device_id: DEV.into(), time, nonce: NONCE.into(), signature: String::new() };
        assert!(at(1000).is_fresh(1000 + MAX_CLOCK_SKEW_SECONDS));
        assert!(!at(1000).is_fresh(1001 + MAX_CLOCK_SKEW_SECONDS));
        assert!(at(1000 + MAX_CLOCK_SKEW_SECONDS).is_fresh(1000));
        assert!(!at(i64::MIN).is_fresh(i64::MAX));
        assert!(!at(i64::MAX).is_fresh(i64::MIN));
    }

    #[test]
    fn check_in_bodies_are_read_within_their_limits() {
        assert!(CheckIn::parse(br#"{"v":1,"report":"tv1.report.x"}"#).is_ok());
        assert_eq!(CheckIn::parse(br#"{"v":2,"report":"x"}"#), Err(RelayError::Malformed));
        // A newer app's field is passed over, and goes nowhere.
        let newer = CheckIn::parse(br#"{"v":1,"report":"x","battery":"low"}"#).unwrap();
        assert!(!serde_json::to_string(&newer).unwrap().contains("battery"));
        assert_eq!(CheckIn::parse(br#"{"v":1}"#), Err(RelayError::Malformed));
        assert_eq!(CheckIn::parse(b"\xff\xfe"), Err(RelayError::Malformed));
        assert_eq!(CheckIn::parse(br#"{"v":1,"report":"x","code":"abc"}"#), Err(RelayError::Malformed));
        let many = format!(r#"{{"v":1,"report":"x","exports":[{}]}}"#, ["\"a\""; MAX_EXPORTS + 1].join(","));
        assert_eq!(CheckIn::parse(many.as_bytes()), Err(RelayError::Malformed));
        assert_eq!(CheckIn::parse(&vec![b' '; MAX_BODY_BYTES + 1]), Err(RelayError::TooLarge));
    }

    #[test]
    fn the_vector_request_holds_for_the_vector_device_and_reads_as_a_check_in() {
        let (path, signature, body) = read_written(&crate::vectors::relay_request()).unwrap();
        assert_eq!(path, CHECKIN_PATH);
        assert!(signature.holds(&crate::vectors::device_key().public_key(), "POST", &path, &body));
        let checkin = CheckIn::parse(&body).unwrap();
        assert_eq!(checkin.report, crate::vectors::device_report());
    }

    #[test]
    fn errors_are_fixed_codes_with_their_status() {
        assert_eq!(RelayError::Unavailable.status(), 503);
        assert!(RelayError::Unavailable.retry() && !RelayError::BadSignature.retry());
        assert_eq!(RelayError::Replayed.body(), r#"{"error":"replayed"}"#);
        let parsed: serde_json::Value = serde_json::from_str(&RelayError::TooLarge.body()).unwrap();
        assert_eq!(parsed["error"], "too_large");
    }
}
