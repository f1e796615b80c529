//! The signed envelope every message between IT and a device travels in: a policy, an
//! enrollment code, a wipe command, a wipe receipt. One line of text, so that any channel
//! carries it (MDM managed configuration, a QR code, e-mail, a pasted string):
//!
//! `tv1.<kind>.<base64url(payload JSON)>.<base64url(Ed25519 signature)>`
//!
//! The signature covers a domain string, the kind and the payload bytes, so a signature made for
//! one kind never verifies as another.

use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

pub const PREFIX: &str = "tv1";
/// Longer than any real envelope (a policy fits in a few kB); refuses megabyte pastes early.
pub const MAX_LEN: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Policy,
    Enroll,
    Wipe,
    Receipt,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Enroll => "enroll",
            Kind::Wipe => "wipe",
            Kind::Receipt => "receipt",
        }
    }
}

/// Why an envelope was refused, before its content is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeProblem {
    TooLong,
    Malformed,
    WrongKind,
    UnsupportedVersion,
    BadSignature,
}

impl EnvelopeProblem {
    pub fn describe(self) -> &'static str {
        match self {
            EnvelopeProblem::TooLong => "is far too long",
            EnvelopeProblem::Malformed => "is not a Televisit message (damaged, truncated or not base64)",
            EnvelopeProblem::WrongKind => "is another kind of Televisit message",
            EnvelopeProblem::UnsupportedVersion => "is in a format this app does not know",
            EnvelopeProblem::BadSignature => "is not signed by the expected key",
        }
    }
}

fn signed_bytes(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut bytes = format!("televisit-v1\0{}\0", kind.code()).into_bytes();
    bytes.extend_from_slice(payload);
    bytes
}

/// An Ed25519 key pair kept as PKCS#8 (ring's format).
pub struct SigningKey(Ed25519KeyPair);

impl SigningKey {
    /// A new key and its PKCS#8 bytes, to be kept secret.
    pub fn generate() -> Result<(SigningKey, Vec<u8>)> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| Error::Storage("the system RNG failed".into()))?;
        let bytes = pkcs8.as_ref().to_vec();
        Ok((SigningKey::from_pkcs8(&bytes)?, bytes))
    }

    pub fn from_pkcs8(bytes: &[u8]) -> Result<SigningKey> {
        Ed25519KeyPair::from_pkcs8(bytes)
            .map(SigningKey)
            .map_err(|_| Error::invalid("signing key", "is not an Ed25519 PKCS#8 key"))
    }

    /// The public half, base64url: what the other side pins.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.public_key().as_ref())
    }

    pub fn seal(&self, kind: Kind, payload: &[u8]) -> String {
        let signature = self.0.sign(&signed_bytes(kind, payload));
        format!(
            "{PREFIX}.{}.{}.{}",
            kind.code(),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }
}

/// The parts of an envelope, not yet verified.
pub struct Opened {
    pub payload: Vec<u8>,
    signature: Vec<u8>,
    kind: Kind,
}

/// Splits and decodes; says what is wrong with the form. Verification is a separate step
/// (`verify`), because an enrollment code carries the key it is verified with.
pub fn open(text: &str, kind: Kind) -> std::result::Result<Opened, EnvelopeProblem> {
    let text = text.trim();
    if text.len() > MAX_LEN {
        return Err(EnvelopeProblem::TooLong);
    }
    let parts: Vec<&str> = text.split('.').collect();
    let [prefix, found_kind, payload, signature] = parts.as_slice() else {
        return Err(EnvelopeProblem::Malformed);
    };
    if !prefix.starts_with("tv") {
        return Err(EnvelopeProblem::Malformed);
    }
    if *prefix != PREFIX {
        return Err(EnvelopeProblem::UnsupportedVersion);
    }
    if *found_kind != kind.code() {
        return Err(EnvelopeProblem::WrongKind);
    }
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| EnvelopeProblem::Malformed)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| EnvelopeProblem::Malformed)?;
    if signature.len() != 64 {
        return Err(EnvelopeProblem::Malformed);
    }
    Ok(Opened { payload, signature, kind })
}

impl Opened {
    /// Checks the signature against a base64url Ed25519 public key.
    pub fn verify(self, public_key: &str) -> std::result::Result<Vec<u8>, EnvelopeProblem> {
        let key = URL_SAFE_NO_PAD.decode(public_key).map_err(|_| EnvelopeProblem::BadSignature)?;
        UnparsedPublicKey::new(&ED25519, key)
            .verify(&signed_bytes(self.kind, &self.payload), &self.signature)
            .map_err(|_| EnvelopeProblem::BadSignature)?;
        Ok(self.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_verify_round_trip() {
        let (key, _) = SigningKey::generate().unwrap();
        let text = key.seal(Kind::Wipe, br#"{"a":1}"#);
        assert!(text.starts_with("tv1.wipe."));
        let payload = open(&text, Kind::Wipe).unwrap().verify(&key.public_key()).unwrap();
        assert_eq!(payload, br#"{"a":1}"#);
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
        assert_eq!(open(&"a".repeat(MAX_LEN + 1), Kind::Wipe).err(), Some(EnvelopeProblem::TooLong));
        assert_eq!(
            open(&text, Kind::Wipe).unwrap().verify(&other.public_key()).err(),
            Some(EnvelopeProblem::BadSignature)
        );
        // One bit flipped anywhere in the payload or signature.
        for i in 9..text.len() {
            let mut bytes = text.clone().into_bytes();
            if bytes[i] == b'.' {
                continue;
            }
            bytes[i] ^= 0x01;
            let Ok(flipped) = String::from_utf8(bytes) else { continue };
            let verdict = open(&flipped, Kind::Wipe).and_then(|o| o.verify(&key.public_key()));
            assert!(
                verdict.is_err() || verdict.as_deref() == Ok(br#"{"a":1}"#.as_slice()) && flipped == text,
                "flip at {i}"
            );
        }
        // A signature made for one kind does not verify as another.
        let policy = key.seal(Kind::Policy, br#"{"a":1}"#);
        let relabelled = policy.replacen(".policy.", ".wipe.", 1);
        assert_eq!(
            open(&relabelled, Kind::Wipe).unwrap().verify(&key.public_key()).err(),
            Some(EnvelopeProblem::BadSignature)
        );
    }
}
