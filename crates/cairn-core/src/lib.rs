//! Cairn's use cases. Every mutation and query a user can make is a function here that takes
//! an [`Actor`] (or, before login, the request's [`RequestMeta`]), checks the permission
//! matrix and validates input BEFORE writing, and writes the change, its activity-log entry
//! and its version snapshot in one transaction. The core never sees HTTP.

pub mod accounts;
pub mod activity;
pub mod actor;
pub mod audit;
pub mod client_overview;
pub mod clients;
pub mod contacts;
pub mod dashboard;
pub mod delivery;
pub mod exports;
pub mod interactions;
pub mod members;
pub mod page;
pub mod passwords;
pub mod platform;
mod read_cache;
pub mod secrets;
pub mod seen;
pub mod sessions;
pub mod tags;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod versions;
pub mod views;
pub mod workspaces;

use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use actor::{Actor, Credential, RequestMeta};
pub use cairn_domain::{DomainError, FieldError, Result};
use cairn_store::Store;
use secrets::Cipher;

/// Tunables with the defaults of the issue; the binary fills them from flags and env.
#[derive(Debug, Clone)]
pub struct Config {
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub invite_ttl: Duration,
    /// The read cache's budget in bytes of cached results; 0 turns it off.
    pub read_cache_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            invite_ttl: Duration::from_secs(7 * 24 * 3600),
            // A 500-card board weighs about 150 KB: this holds over a hundred of them.
            read_cache_bytes: 24 * 1024 * 1024,
        }
    }
}

/// The application: the store, the installation cipher and configuration. Cheap to clone.
#[derive(Clone)]
pub struct Cairn {
    pub store: Store,
    pub cipher: Cipher,
    pub config: Config,
    /// The one-time first-run setup token, present while no user exists.
    setup_token: Arc<Mutex<Option<String>>>,
    /// Results of the heaviest reads, until the workspace changes.
    reads: read_cache::ReadCache,
}

impl Cairn {
    /// Wires the core.
    pub fn new(store: Store, cipher: Cipher, config: Config) -> Self {
        Self {
            reads: read_cache::ReadCache::new(config.read_cache_bytes),
            store,
            cipher,
            config,
            setup_token: Arc::new(Mutex::new(None)),
        }
    }
}

/// Maps a database error to the domain's internal error, keeping the detail for logs only.
pub(crate) fn db_err(e: cairn_store::DbErr) -> DomainError {
    tracing::error!(error = %e, "database error");
    DomainError::Internal("database error".into())
}

/// `ids` sorted, each once: rows often share an owner, project or client, and a lookup or a
/// batch needs each id only once.
pub(crate) fn each_once(ids: &[uuid::Uuid]) -> Vec<uuid::Uuid> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Converts a std duration to chrono's.
pub(crate) fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Checks an `If-Match` version against the current one.
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<()> {
    match expected {
        Some(v) if v != current => Err(DomainError::StaleVersion { current }),
        _ => Ok(()),
    }
}

/// Turns a list of field errors into `Invalid`, or `Ok` when empty.
pub(crate) fn collect_errors(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}
