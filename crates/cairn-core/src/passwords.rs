//! Password hashing with Argon2id.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use cairn_domain::{DomainError, Result};
use std::sync::LazyLock;

/// Hashes a password (Argon2id, default parameters, random salt) into a PHC string.
pub fn hash(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| DomainError::Internal("password hashing failed".into()))
}

/// Verifies a password against a stored PHC string.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the email has no account, so a wrong email takes as long
/// as a wrong password and timing does not reveal which emails exist.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash("cairn-timing-equaliser").unwrap_or_default());

/// Burns the same time as a real verification.
pub fn verify_dummy(password: &str) {
    let _ = verify(password, &DUMMY);
}

/// Runs a CPU-heavy hash off the async runtime.
pub async fn hash_blocking(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|_| DomainError::Internal("hashing task failed".into()))?
}

/// Runs a verification off the async runtime; `None` phc verifies against the dummy.
pub async fn verify_blocking(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(p) => verify(&password, &p),
        None => {
            verify_dummy(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}
