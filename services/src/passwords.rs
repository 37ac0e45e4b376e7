//! Argon2id hashing, off the async workers and bounded in concurrency so a
//! burst of sign-ins cannot stall every other request.

use std::sync::LazyLock;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use domain::Password;

/// OWASP's recommended Argon2id parameters: m=19456 KiB, t=2, p=1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("constant Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
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

pub async fn hash_password(password: &Password) -> Result<String, PasswordHashError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| PasswordHashError::Hash(e.to_string()))?;
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
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
    Ok(tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored_hash)
            .map(|parsed| argon2().verify_password(candidate.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let pw = Password::parse("correct horse battery").unwrap();
        let hash = hash_password(&pw).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery".into(), hash.clone())
            .await
            .unwrap());
        assert!(!verify_password("wrong horse battery".into(), hash).await.unwrap());
        assert!(!verify_password("x".into(), "not a hash".into()).await.unwrap());
    }
}
