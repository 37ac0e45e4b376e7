//! Secret tokens for cookies and emailed links: 256 random bits, handed out
//! once, stored only as a SHA-256 hash.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub struct NewToken {
    /// Goes to the user (cookie, link). Never stored or logged.
    pub secret: String,
    /// Goes to the database.
    pub hash: Vec<u8>,
}

pub fn new_token() -> NewToken {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = to_hex(&bytes);
    let hash = hash_token(&secret);
    NewToken { secret, hash }
}

pub fn hash_token(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random number in `0..bound`, for jitter.
pub fn random_below(bound: u64) -> u64 {
    if bound == 0 {
        0
    } else {
        OsRng.next_u64() % bound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_and_stored_hashed() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.secret.len(), 64);
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, hash_token(&a.secret));
        assert_ne!(a.hash, a.secret.as_bytes());
    }
}
