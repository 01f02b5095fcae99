//! Login throttling per IP and per account, with a lockout that expires.
//!
//! Keys exist for emails without an account too, so a lockout never reveals whether an
//! email is registered.

use cairn_domain::{DomainError, Result};
use cairn_store::entities::login_throttle;
use cairn_store::sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use chrono::Duration;

use crate::db_err;

/// Failures allowed per account within the window before a lockout.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Failures allowed per IP within the window before a lockout.
pub const IP_LIMIT: i32 = 20;
/// Window in which failures count, and lockout length.
pub const WINDOW_MINUTES: i64 = 15;

/// The throttle keys of one attempt.
pub fn keys(email: &str, ip: Option<&str>) -> Vec<(String, i32)> {
    let mut k = vec![(
        format!("account:{}", email.trim().to_lowercase()),
        ACCOUNT_LIMIT,
    )];
    if let Some(ip) = ip {
        k.push((format!("ip:{ip}"), IP_LIMIT));
    }
    k
}

/// Fails with `RateLimited` when any key is locked out.
pub async fn check<C: ConnectionTrait>(db: &C, keys: &[(String, i32)]) -> Result<()> {
    let now = cairn_domain::time::now();
    for (key, _) in keys {
        if let Some(row) = login_throttle::Entity::find_by_id(key.clone())
            .one(db)
            .await
            .map_err(db_err)?
            && let Some(until) = row.locked_until
            && until > now
        {
            return Err(DomainError::RateLimited {
                retry_after_secs: (until - now).num_seconds().max(1),
            });
        }
    }
    Ok(())
}

/// Counts a failure on every key, locking a key out when it reaches its limit.
pub async fn record_failure<C: ConnectionTrait>(tx: &C, keys: &[(String, i32)]) -> Result<()> {
    let now = cairn_domain::time::now();
    for (key, limit) in keys {
        let row = login_throttle::Entity::find_by_id(key.clone())
            .one(tx)
            .await
            .map_err(db_err)?;
        let (failures, started) = match &row {
            Some(r) if now - r.window_started_at < Duration::minutes(WINDOW_MINUTES) => {
                (r.failures + 1, r.window_started_at)
            }
            _ => (1, now),
        };
        let locked_until = (failures >= *limit).then(|| now + Duration::minutes(WINDOW_MINUTES));
        let model = login_throttle::ActiveModel {
            key: Set(key.clone()),
            failures: Set(failures),
            window_started_at: Set(started),
            locked_until: Set(locked_until),
        };
        if row.is_some() {
            login_throttle::Entity::update(model)
                .exec(tx)
                .await
                .map_err(db_err)?;
        } else {
            login_throttle::Entity::insert(model)
                .exec_without_returning(tx)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}

/// Clears the account key after a successful login (the IP key keeps counting).
pub async fn clear_account<C: ConnectionTrait>(tx: &C, email: &str) -> Result<()> {
    login_throttle::Entity::delete_by_id(format!("account:{}", email.trim().to_lowercase()))
        .exec(tx)
        .await
        .map_err(db_err)?;
    Ok(())
}
