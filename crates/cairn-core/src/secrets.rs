//! Random secrets, their hashes, and the installation cipher.
//!
//! Every bearer secret (session ids, tokens, invite links, recovery codes) is 256 bits (or 80
//! for recovery codes) from the OS RNG and stored only as its SHA-256: they are high-entropy,
//! so a fast hash is enough and lookups stay O(1). Secrets that must be read back (TOTP seeds,
//! later vault credentials) are sealed with AES-256-GCM under a key kept outside the database.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use cairn_domain::{DomainError, Result};
use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `n` random bytes from the OS generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

/// A 256-bit random token with a readable prefix, e.g. `cairn_pat_...`.
pub fn new_token(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        BASE32_NOPAD.encode(&random_bytes::<32>()).to_lowercase()
    )
}

/// Hex SHA-256 of a secret: what the database stores instead of the secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Constant-time equality for secrets.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The anti-CSRF token of a session: derived from the session secret, which only the browser
/// holds, so nothing extra is stored and a token from one session is useless in another.
pub fn csrf_token_for(session_secret: &str) -> String {
    hex::encode(Sha256::digest(
        format!("cairn-csrf:{session_secret}").as_bytes(),
    ))[..40]
        .to_string()
}

/// AES-256-GCM with the installation key; each value gets its own random 96-bit nonce.
#[derive(Clone)]
pub struct Cipher {
    aead: Aes256Gcm,
}

impl Cipher {
    /// Builds the cipher from a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            aead: Aes256Gcm::new(key.into()),
        }
    }

    /// Seals `plain` into `v1.<base64url(nonce || ciphertext)>`.
    pub fn seal(&self, plain: &[u8]) -> Result<String> {
        let nonce_bytes = random_bytes::<12>();
        let ct = self
            .aead
            .encrypt(&Nonce::from(nonce_bytes), plain)
            .map_err(|_| DomainError::Internal("encryption failed".into()))?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("v1.{}", BASE64URL_NOPAD.encode(&out)))
    }

    /// Opens a value sealed by [`Cipher::seal`]; fails if it was tampered with or the key differs.
    pub fn open(&self, sealed: &str) -> Result<Vec<u8>> {
        let fail = || {
            DomainError::Internal(
                "a sealed value could not be decrypted (wrong installation key?)".into(),
            )
        };
        let body = sealed.strip_prefix("v1.").ok_or_else(fail)?;
        let raw = BASE64URL_NOPAD
            .decode(body.as_bytes())
            .map_err(|_| fail())?;
        if raw.len() < 13 {
            return Err(fail());
        }
        let (nonce, ct) = raw.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| fail())?;
        self.aead
            .decrypt(&Nonce::from(nonce), ct)
            .map_err(|_| fail())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_round_trip_and_differ_each_time() {
        let c = Cipher::new(&[7u8; 32]);
        let a = c.seal(b"seed").unwrap();
        let b = c.seal(b"seed").unwrap();
        assert_ne!(a, b);
        assert_eq!(c.open(&a).unwrap(), b"seed");
        assert!(Cipher::new(&[8u8; 32]).open(&a).is_err());
    }
}
