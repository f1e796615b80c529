//! Key material: the data key that opens the store and the subkeys derived from it.

use crate::error::{Error, Result};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{hkdf, hmac};
use zeroize::{Zeroize, ZeroizeOnDrop};

pub const KEY_LEN: usize = 32;
pub const SALT_LEN: usize = 16;

/// The SQLCipher key and the salt of the database it belongs to. Keeping the salt beside the
/// key lets the core tell "this file was made with another key" from "this file is damaged",
/// and is what the iOS plaintext-header setting needs later.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct DataKey {
    key: [u8; KEY_LEN],
    salt: [u8; SALT_LEN],
}

impl DataKey {
    /// A fresh key and salt from the system's RNG.
    pub fn generate() -> Result<Self> {
        let rng = SystemRandom::new();
        let mut key = DataKey { key: [0; KEY_LEN], salt: [0; SALT_LEN] };
        rng.fill(&mut key.key).map_err(|_| Error::Storage("the system RNG failed".into()))?;
        rng.fill(&mut key.salt).map_err(|_| Error::Storage("the system RNG failed".into()))?;
        Ok(key)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != KEY_LEN + SALT_LEN {
            return Err(Error::SecretStore(format!(
                "the stored data key has {} bytes, {} expected",
                bytes.len(),
                KEY_LEN + SALT_LEN
            )));
        }
        let mut key = DataKey { key: [0; KEY_LEN], salt: [0; SALT_LEN] };
        key.key.copy_from_slice(&bytes[..KEY_LEN]);
        key.salt.copy_from_slice(&bytes[KEY_LEN..]);
        Ok(key)
    }

    pub fn to_bytes(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(KEY_LEN + SALT_LEN));
        out.extend_from_slice(&self.key);
        out.extend_from_slice(&self.salt);
        out
    }

    pub fn salt(&self) -> &[u8; SALT_LEN] {
        &self.salt
    }

    /// SQLCipher's raw key-and-salt form: `x'<64 hex key><32 hex salt>'`. A raw key skips the
    /// passphrase KDF (the key is already random), and the explicit salt makes the file's salt
    /// the one we keep.
    ///
    /// The whole statement, built in one buffer of its final size (a growing `String` would
    /// free copies of the key on the way) that is cleared when dropped.
    pub(crate) fn sqlcipher_pragma_statement(&self) -> zeroize::Zeroizing<String> {
        const PREFIX: &str = "PRAGMA key = \"x'";
        const SUFFIX: &str = "'\";";
        let mut hex_key = zeroize::Zeroizing::new([0u8; 2 * (KEY_LEN + SALT_LEN)]);
        let (key_hex, salt_hex) = hex_key.split_at_mut(2 * KEY_LEN);
        // Both lengths are fixed by the types; the encodings cannot fail.
        let _ = hex::encode_to_slice(self.key, key_hex);
        let _ = hex::encode_to_slice(self.salt, salt_hex);
        hex_key.make_ascii_uppercase();
        let mut statement = zeroize::Zeroizing::new(String::with_capacity(PREFIX.len() + hex_key.len() + SUFFIX.len()));
        statement.push_str(PREFIX);
        statement.push_str(std::str::from_utf8(hex_key.as_slice()).unwrap_or_default());
        statement.push_str(SUFFIX);
        statement
    }

    /// Whether `tag` is SQLCipher 4's HMAC of one page (ciphertext and IV, then the page number
    /// little-endian) under this key, with SQLCipher's default HMAC key derivation:
    /// PBKDF2-HMAC-SHA512 of the raw key over the salt XOR 0x3a, 2 iterations, 32 bytes. Lets
    /// the store tell whose file it is when the file does not carry the salt (the plaintext
    /// header of Apple platforms).
    pub(crate) fn page_hmac_matches(&self, ciphertext_and_iv: &[u8], pgno: u32, tag: &[u8]) -> bool {
        let mut hmac_salt = self.salt;
        for byte in hmac_salt.iter_mut() {
            *byte ^= 0x3a;
        }
        let mut hmac_key = zeroize::Zeroizing::new([0u8; KEY_LEN]);
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA512,
            std::num::NonZeroU32::new(2).expect("2 is not zero"),
            &hmac_salt,
            &self.key,
            hmac_key.as_mut_slice(),
        );
        let key = hmac::Key::new(hmac::HMAC_SHA512, hmac_key.as_slice());
        let mut message = Vec::with_capacity(ciphertext_and_iv.len() + 4);
        message.extend_from_slice(ciphertext_and_iv);
        message.extend_from_slice(&pgno.to_le_bytes());
        hmac::verify(&key, &message, tag).is_ok()
    }

    /// The activity log's MAC key: HKDF-SHA256 of the data key, so that one secret is kept and
    /// the log key is never the cipher key.
    pub fn log_mac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, self.log_mac_key_bytes().as_slice())
    }

    /// The log MAC key's bytes: a sealed export carries them, so that IT can verify the chain
    /// (they authenticate the log; they open nothing).
    pub fn log_mac_key_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        self.derive(b"televisit log chain v1")
    }

    fn derive(&self, info: &'static [u8]) -> zeroize::Zeroizing<[u8; 32]> {
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, b"televisit.subkeys");
        let prk = salt.extract(&self.key);
        let info = [info];
        let mut out = zeroize::Zeroizing::new([0u8; 32]);
        prk.expand(&info, hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(out.as_mut_slice()))
            .expect("32 bytes is a valid HKDF-SHA256 length");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_round_trip() {
        let a = DataKey::generate().unwrap();
        let b = DataKey::generate().unwrap();
        assert_ne!(a.to_bytes().as_slice(), b.to_bytes().as_slice());
        let back = DataKey::from_bytes(&a.to_bytes()).unwrap();
        assert_eq!(back.to_bytes().as_slice(), a.to_bytes().as_slice());
    }

    #[test]
    fn wrong_length_is_refused() {
        assert!(matches!(DataKey::from_bytes(&[0; 32]), Err(Error::SecretStore(_))));
    }

    #[test]
    fn log_key_depends_on_data_key() {
        let a = DataKey::generate().unwrap();
        let b = DataKey::generate().unwrap();
        let ta = hmac::sign(&a.log_mac_key(), b"x");
        let tb = hmac::sign(&b.log_mac_key(), b"x");
        assert_ne!(ta.as_ref(), tb.as_ref());
        assert_eq!(ta.as_ref(), hmac::sign(&a.log_mac_key(), b"x").as_ref());
    }
}
