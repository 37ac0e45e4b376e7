//! Argon2id hashing, off the async workers and bounded in concurrency so a
//! burst of sign-ins cannot stall every other request.

use std::sync::LazyLock;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use domain::Password;

/// What hashing a new password costs (Argon2id, one lane). Verifying
/// reads the cost from the stored hash, so changing it affects only
/// passwords set afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl HashCost {
    /// OWASP's recommended Argon2id parameters: m=19456 KiB, t=2, p=1.
    pub const OWASP: HashCost = HashCost {
        memory_kib: 19_456,
        iterations: 2,
    };
}

fn argon2(cost: HashCost) -> Result<Argon2<'static>, PasswordHashError> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| PasswordHashError::Hash(format!("Argon2 parameters {cost:?}: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// At most this many hashes run at once; each takes ~19 MiB and one core.
pub fn max_concurrent_hashes() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(max_concurrent_hashes()));

#[derive(Debug, thiserror::Error)]
pub enum PasswordHashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing task failed")]
    Join(#[from] tokio::task::JoinError),
}

/// A PHC string of `password` hashed at `cost` (the configuration's,
/// `Deps::password_cost`).
pub async fn hash_password(password: &Password, cost: HashCost) -> Result<String, PasswordHashError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| PasswordHashError::Hash(e.to_string()))?;
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2(cost)?
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PasswordHashError::Hash(e.to_string()))
    })
    .await?
}

/// True when `candidate` matches the stored PHC string. A malformed stored
/// hash never matches.
pub async fn verify_password(candidate: String, stored_hash: String) -> Result<bool, PasswordHashError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| PasswordHashError::Hash(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        // The cost is read from the stored hash, whatever it was made with.
        let verifier = argon2(HashCost::OWASP)?;
        Ok(PasswordHash::new(&stored_hash)
            .map(|parsed| verifier.verify_password(candidate.as_bytes(), &parsed).is_ok())
            .unwrap_or(false))
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let pw = Password::parse("correct horse battery").unwrap();
        let hash = hash_password(&pw, HashCost::OWASP).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery".into(), hash.clone())
            .await
            .unwrap());
        assert!(!verify_password("wrong horse battery".into(), hash).await.unwrap());
        assert!(!verify_password("x".into(), "not a hash".into()).await.unwrap());
    }
}
