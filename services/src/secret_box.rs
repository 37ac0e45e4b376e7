//! Secrets at rest (TOTP seeds) sealed with AES-256-GCM under the key from
//! `KSF_SECRET_KEY`. A database dump alone does not reveal them.

use std::sync::Arc;

use aes_gcm::{
    aead::{Aead, KeyInit, OsRng},
    AeadCore, Aes256Gcm, Key, Nonce,
};

const NONCE_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("it must be 64 hexadecimal characters (32 bytes); make one with `ksf generate-key`")]
    Malformed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a secret could not be sealed")]
pub struct SealError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a sealed secret could not be opened (wrong KSF_SECRET_KEY, or damaged data)")]
pub struct OpenError;

/// The key that seals secrets. Its `Debug` hides it.
#[derive(Clone)]
pub struct SecretKey(Arc<Key<Aes256Gcm>>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<hidden>)")
    }
}

impl SecretKey {
    /// A key written as 64 hex digits.
    pub fn parse(hex: &str) -> Result<Self, KeyError> {
        let hex = hex.trim();
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(KeyError::Malformed);
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).map_err(|_| KeyError::Malformed)?;
        }
        Ok(Self(Arc::new(*Key::<Aes256Gcm>::from_slice(&bytes))))
    }

    /// A fixed, publicly known key for development only: production refuses
    /// to start without a real one.
    pub fn development() -> Self {
        Self(Arc::new(*Key::<Aes256Gcm>::from_slice(
            b"ksf-development-key-not-a-secret",
        )))
    }

    /// A new random key, as 64 hex digits (for `ksf generate-key`).
    pub fn generate_hex() -> String {
        Aes256Gcm::generate_key(OsRng)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// nonce || ciphertext-with-tag. A failure is an error for the caller
    /// to refuse the change with, never a value stored that cannot open.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let cipher = Aes256Gcm::new(&self.0);
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = cipher.encrypt(&nonce, plain).map_err(|_| SealError)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() <= NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, data) = sealed.split_at(NONCE_LEN);
        Aes256Gcm::new(&self.0)
            .decrypt(Nonce::from_slice(nonce), data)
            .map_err(|_| OpenError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_with_the_same_key_only() {
        let key = SecretKey::parse(&SecretKey::generate_hex()).unwrap();
        let sealed = key.seal(b"totp seed").unwrap();
        assert_eq!(
            sealed.len(),
            NONCE_LEN + 9 + 16,
            "nonce, text and tag: never empty"
        );
        assert!(!sealed.windows(9).any(|w| w == b"totp seed"));
        assert_eq!(key.open(&sealed).unwrap(), b"totp seed");
        let other = SecretKey::parse(&SecretKey::generate_hex()).unwrap();
        assert_eq!(other.open(&sealed), Err(OpenError));
        assert_eq!(key.open(&sealed[..5]), Err(OpenError));
    }

    #[test]
    fn keys_must_be_64_hex_digits() {
        assert!(SecretKey::parse(&"ab".repeat(32)).is_ok());
        assert_eq!(SecretKey::parse("abc").unwrap_err(), KeyError::Malformed);
        assert_eq!(
            SecretKey::parse(&"zz".repeat(32)).unwrap_err(),
            KeyError::Malformed
        );
        assert_eq!(
            SecretKey::parse(&"é".repeat(32)).unwrap_err(),
            KeyError::Malformed
        );
        assert!(!format!("{:?}", SecretKey::development()).contains("ksf-development"));
    }
}
