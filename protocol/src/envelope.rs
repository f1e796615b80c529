//! The signed envelope every message between IT and a device travels in: a policy, an
//! enrollment code, a wipe command, a wipe receipt (and the kinds the fleet loop adds). One line
//! of text, so that any channel carries it (MDM managed configuration, a QR code, e-mail, a
//! pasted string):
//!
//! `tv1.<kind>.<base64url(payload JSON)>.<base64url(Ed25519 signature)>`
//!
//! The signature covers a domain string, the kind and the payload bytes, so a signature made for
//! one kind never verifies as another. The payload is the canonical JSON of its message (the
//! bytes `serde_json` writes for it): a payload that decodes but is not written that way
//! (reordered or duplicate keys, spaces) is refused, so one signed text means one value.

use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

pub const PREFIX: &str = "tv1";
/// Longer than any real envelope (a policy fits in a few kB, a bulletin with 200 wipes and 2,000
/// log confirmations in about 150 kB); refuses megabyte pastes early.
pub const MAX_LEN: usize = 256 * 1024;
const SIGNATURE_LEN: usize = 64;
const PUBLIC_KEY_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Policy,
    Enroll,
    Wipe,
    Receipt,
    Bulletin,
    Report,
    /// A log export's detached signature (an export is too large for an envelope).
    Export,
    /// The organisation's key set (`keyset`): signed by a threshold of root keys.
    Keys,
    /// IT taking a wipe back (`wipe::Cancel`): signed by an admin's wipe key, carried by bulletins.
    Cancel,
    /// A phone's request to the fleet relay (`relay`): a detached signature by its device key.
    Request,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Policy,
        Kind::Enroll,
        Kind::Wipe,
        Kind::Receipt,
        Kind::Bulletin,
        Kind::Report,
        Kind::Export,
        Kind::Keys,
        Kind::Cancel,
        Kind::Request,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Enroll => "enroll",
            Kind::Wipe => "wipe",
            Kind::Receipt => "receipt",
            Kind::Bulletin => "bulletin",
            Kind::Report => "report",
            Kind::Export => "export",
            Kind::Keys => "keys",
            Kind::Cancel => "cancel",
            Kind::Request => "request",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|kind| kind.code() == code)
    }
}

pub use crate::error::EnvelopeProblem;

fn signed_bytes(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut bytes = format!("televisit-v1\0{}\0", kind.code()).into_bytes();
    bytes.extend_from_slice(payload);
    bytes
}

/// An Ed25519 key pair kept as PKCS#8 (ring's format).
pub struct SigningKey(Ed25519KeyPair);

impl SigningKey {
    /// A new key and its PKCS#8 bytes, to be kept secret (cleared from memory when dropped).
    pub fn generate() -> Result<(SigningKey, Zeroizing<Vec<u8>>)> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| Error::Random)?;
        let bytes = Zeroizing::new(pkcs8.as_ref().to_vec());
        Ok((SigningKey::from_pkcs8(&bytes)?, bytes))
    }

    pub fn from_pkcs8(bytes: &[u8]) -> Result<SigningKey> {
        Ed25519KeyPair::from_pkcs8(bytes)
            .map(SigningKey)
            .map_err(|_| Error::invalid("signing key", "is not an Ed25519 PKCS#8 key"))
    }

    /// A key from a 32-byte seed: for test vectors and fuzz targets, whose signatures must be the
    /// same at every run (Ed25519 signing is deterministic).
    pub fn from_seed(seed: &[u8; 32]) -> Result<SigningKey> {
        Ed25519KeyPair::from_seed_unchecked(seed)
            .map(SigningKey)
            .map_err(|_| Error::invalid("signing key", "is not an Ed25519 seed"))
    }

    /// The public half, base64url: what the other side pins.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.public_key().as_ref())
    }

    /// Signs payload bytes as they are. Messages use [`SigningKey::seal_json`].
    pub fn seal(&self, kind: Kind, payload: &[u8]) -> String {
        let signature = self.0.sign(&signed_bytes(kind, payload));
        encode(kind, payload, signature.as_ref())
    }

    /// A signature over bytes too large for an envelope (a log export), base64url, under the same
    /// domain separation as an envelope of `kind`.
    pub fn sign_detached(&self, kind: Kind, payload: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.sign_raw(kind, payload))
    }

    /// The signature's 64 bytes, as `sign_detached` encodes them (a key set carries several).
    pub fn sign_raw(&self, kind: Kind, payload: &[u8]) -> Vec<u8> {
        self.0.sign(&signed_bytes(kind, payload)).as_ref().to_vec()
    }

    /// Signs the canonical JSON of a message.
    pub fn seal_json<T: Serialize>(&self, kind: Kind, message: &T) -> String {
        self.seal(kind, &canonical_json(message))
    }
}

fn encode(kind: Kind, payload: &[u8], signature: &[u8]) -> String {
    format!("{PREFIX}.{}.{}.{}", kind.code(), URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(signature))
}

/// The parts of an envelope, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub payload: Vec<u8>,
    signature: Vec<u8>,
    kind: Kind,
}

/// Splits and decodes; says what is wrong with the form. Verification is a separate step
/// (`verify`), because an enrollment code carries the key it is verified with.
pub fn open(text: &str, kind: Kind) -> std::result::Result<Opened, EnvelopeProblem> {
    let opened = open_any(text)?;
    if opened.kind != kind {
        return Err(EnvelopeProblem::WrongKind);
    }
    Ok(opened)
}

/// As [`open`], for any kind: what the envelope says it is.
pub fn open_any(text: &str) -> std::result::Result<Opened, EnvelopeProblem> {
    // Measured before trimming: a paste of megabytes is refused before any work on it.
    if text.len() > MAX_LEN {
        return Err(EnvelopeProblem::TooLong);
    }
    let text = text.trim();
    let mut parts = text.split('.');
    let (Some(prefix), Some(found_kind), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(EnvelopeProblem::Malformed);
    };
    if !prefix.starts_with("tv") {
        return Err(EnvelopeProblem::Malformed);
    }
    if prefix != PREFIX {
        return Err(EnvelopeProblem::UnsupportedVersion);
    }
    let kind = Kind::from_code(found_kind).ok_or(EnvelopeProblem::WrongKind)?;
    // base64's decoder refuses padding and stray trailing bits, so each text has one decoding
    // and re-encodes to itself.
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| EnvelopeProblem::Malformed)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| EnvelopeProblem::Malformed)?;
    if signature.len() != SIGNATURE_LEN {
        return Err(EnvelopeProblem::Malformed);
    }
    Ok(Opened { payload, signature, kind })
}

impl Opened {
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The envelope's text again: for an accepted envelope, the text it was opened from (trimmed).
    pub fn to_text(&self) -> String {
        encode(self.kind, &self.payload, &self.signature)
    }

    /// Checks the signature against a base64url Ed25519 public key.
    pub fn verify(self, public_key: &str) -> std::result::Result<Vec<u8>, EnvelopeProblem> {
        if !signature_holds(public_key, self.kind, &self.payload, &self.signature) {
            return Err(EnvelopeProblem::BadSignature);
        }
        Ok(self.payload)
    }
}

/// Checks a detached signature (`SigningKey::sign_detached`) against a base64url public key.
pub fn verify_detached(
    public_key: &str,
    kind: Kind,
    payload: &[u8],
    signature: &str,
) -> std::result::Result<(), EnvelopeProblem> {
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| EnvelopeProblem::Malformed)?;
    if signature.len() != SIGNATURE_LEN {
        return Err(EnvelopeProblem::Malformed);
    }
    if signature_holds(public_key, kind, payload, &signature) {
        Ok(())
    } else {
        Err(EnvelopeProblem::BadSignature)
    }
}

/// Whether `signature` (raw bytes) is the key's over `payload` as signed for `kind`: the one check
/// under every verification here (an envelope, a detached signature, each of a key set's).
pub fn signature_holds(public_key: &str, kind: Kind, payload: &[u8], signature: &[u8]) -> bool {
    decode_public_key(public_key).is_some_and(|key| {
        UnparsedPublicKey::new(&ED25519, key).verify(&signed_bytes(kind, payload), signature).is_ok()
    })
}

/// base64url (no padding) decoded, as every signature and key here is written.
pub fn decode_b64(text: &str) -> std::result::Result<Vec<u8>, EnvelopeProblem> {
    URL_SAFE_NO_PAD.decode(text).map_err(|_| EnvelopeProblem::Malformed)
}

/// A base64url Ed25519 public key's 32 bytes, or none.
pub fn decode_public_key(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok().filter(|key| key.len() == PUBLIC_KEY_LEN)
}

/// A short, stable name for a public key (16 characters: base64url of the first 12 bytes of the
/// SHA-256 of its raw bytes): the organisation a device report belongs to, and the org a ledger
/// keeps, without carrying the whole key. None when the text is not a key.
pub fn key_id(public_key: &str) -> Option<String> {
    let raw = decode_public_key(public_key)?;
    let digest = ring::digest::digest(&ring::digest::SHA256, &raw);
    Some(URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12]))
}

/// The bytes a message is signed as: `serde_json`'s compact form, fields in declaration order,
/// maps with sorted keys.
pub fn canonical_json<T: Serialize>(message: &T) -> Vec<u8> {
    // Serialising plain structs, strings, integers and string-keyed maps cannot fail.
    serde_json::to_vec(message).unwrap_or_default()
}

/// Parses a message's JSON and refuses any text that is not its canonical form. Errors say where
/// and what kind of problem, never quote the text (serde's own messages do).
pub fn parse_canonical<T: Serialize + DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T> {
    let value: T = serde_json::from_slice(bytes).map_err(|err| json_problem(what, &err))?;
    if canonical_json(&value) != bytes {
        return Err(Error::invalid(what, "is not in its canonical form (changed after it was made)"));
    }
    Ok(value)
}

/// A serde_json error as a message that names its position and kind only.
pub fn json_problem(what: &'static str, err: &serde_json::Error) -> Error {
    let kind = if err.is_syntax() || err.is_eof() {
        "is not valid JSON"
    } else {
        let text = err.to_string();
        if text.starts_with("unknown field") {
            "has a field this version does not know"
        } else if text.starts_with("missing field") {
            "lacks a required field"
        } else if text.starts_with("duplicate field") {
            "has a field twice"
        } else {
            "has a value of the wrong type or out of range"
        }
    };
    Error::invalid(what, format!("{kind} (line {}, column {})", err.line(), err.column()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_verify_round_trip() {
        let (key, _) = SigningKey::generate().unwrap();
        let text = key.seal(Kind::Wipe, br#"{"a":1}"#);
        assert!(text.starts_with("tv1.wipe."));
        let opened = open(&text, Kind::Wipe).unwrap();
        assert_eq!(opened.to_text(), text);
        let payload = opened.verify(&key.public_key()).unwrap();
        assert_eq!(payload, br#"{"a":1}"#);
    }

    #[test]
    fn seeded_keys_sign_the_same_bytes_every_time() {
        let a = SigningKey::from_seed(&[7; 32]).unwrap();
        let b = SigningKey::from_seed(&[7; 32]).unwrap();
        assert_eq!(a.seal(Kind::Policy, b"{}"), b.seal(Kind::Policy, b"{}"));
    }

    #[test]
    fn every_kind_of_damage_is_named() {
        let (key, _) = SigningKey::generate().unwrap();
        let (other, _) = SigningKey::generate().unwrap();
        let text = key.seal(Kind::Wipe, br#"{"a":1}"#);
        assert_eq!(open(&text, Kind::Policy).err(), Some(EnvelopeProblem::WrongKind));
        assert_eq!(open(&text.replacen("tv1", "tv9", 1), Kind::Wipe).err(), Some(EnvelopeProblem::UnsupportedVersion));
        assert_eq!(open(&text[..text.len() - 10], Kind::Wipe).err(), Some(EnvelopeProblem::Malformed));
        assert_eq!(open("tv1.wipe.!!!.???", Kind::Wipe).err(), Some(EnvelopeProblem::Malformed));
        assert_eq!(open(&format!("{text}.x"), Kind::Wipe).err(), Some(EnvelopeProblem::Malformed));
        assert_eq!(open(&"a".repeat(MAX_LEN + 1), Kind::Wipe).err(), Some(EnvelopeProblem::TooLong));
        assert_eq!(open("", Kind::Wipe).err(), Some(EnvelopeProblem::Malformed));
        assert_eq!(
            open(&text, Kind::Wipe).unwrap().verify(&other.public_key()).err(),
            Some(EnvelopeProblem::BadSignature)
        );
        assert_eq!(open(&text, Kind::Wipe).unwrap().verify("not-a-key").err(), Some(EnvelopeProblem::BadSignature));
        // Truncated at every byte: never accepted.
        for end in 0..text.len() {
            let verdict = open(&text[..end], Kind::Wipe).and_then(|o| o.verify(&key.public_key()));
            assert!(verdict.is_err(), "truncated at {end}");
        }
        // One bit flipped anywhere: never accepted.
        for i in 0..text.len() {
            for bit in 0..8 {
                let mut bytes = text.clone().into_bytes();
                bytes[i] ^= 1 << bit;
                let Ok(flipped) = String::from_utf8(bytes) else { continue };
                if flipped.trim() == text {
                    continue;
                }
                let verdict = open(&flipped, Kind::Wipe).and_then(|o| o.verify(&key.public_key()));
                assert!(verdict.is_err(), "bit {bit} of byte {i}");
            }
        }
        // A signature made for one kind does not verify as another.
        let policy = key.seal(Kind::Policy, br#"{"a":1}"#);
        let relabelled = policy.replacen(".policy.", ".wipe.", 1);
        assert_eq!(
            open(&relabelled, Kind::Wipe).unwrap().verify(&key.public_key()).err(),
            Some(EnvelopeProblem::BadSignature)
        );
    }

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Message {
        a: u32,
        b: String,
    }

    #[test]
    fn only_canonical_payloads_parse() {
        let ok: Message = parse_canonical("message", br#"{"a":1,"b":"x"}"#).unwrap();
        assert_eq!(ok, Message { a: 1, b: "x".into() });
        for bad in [
            &br#"{"b":"x","a":1}"#[..],
            br#"{"a":1, "b":"x"}"#,
            br#"{"a":1,"b":"x","a":2}"#,
            br#"{"a":1,"b":"\u0078"}"#,
            br#"{"a":4294967296,"b":"x"}"#,
            br#"{"a":1,"b":"Susan Smith","c":0}"#,
            b"\xff\xfe",
            b"",
        ] {
            let err = parse_canonical::<Message>("message", bad).unwrap_err().to_string();
            assert!(!err.contains("Susan") && !err.contains('`'), "{err}");
        }
    }
}
