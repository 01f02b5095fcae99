//! The domain error: what went wrong in the product's words. The web edge maps it to a
//! problem+json response or an HTML message; nothing below the edge knows about HTTP.

use serde::Serialize;

/// One invalid field and why: `email: already used in this workspace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Everything a use case can refuse with.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input failed validation; nothing was written.
    #[error("invalid input: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// No credentials, or credentials that are wrong, expired or revoked.
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated but not allowed. Used only where existence is not secret.
    #[error("{0}")]
    Forbidden(String),
    /// The record does not exist or the actor may not know it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state (duplicate, last owner, ...).
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` named a version that is no longer current.
    #[error("the record was changed by someone else (current version {current})")]
    StaleVersion { current: i64 },
    /// Too many attempts; try again later.
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: i64 },
    /// The account must set a new password before doing anything else.
    #[error("a new password must be set before continuing")]
    PasswordChangeRequired,
    /// The workspace is suspended by the platform admin.
    #[error("this workspace is suspended")]
    WorkspaceSuspended,
    /// A fault that is not the caller's: database down, bug.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DomainError::Invalid(vec![FieldError::new(field, reason)])
    }
}

/// Result of every domain and core call.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;
