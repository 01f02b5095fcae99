//! One clock for the whole product.

use chrono::{DateTime, SubsecRound, Utc};

/// Now, truncated to microseconds: PostgreSQL keeps microseconds, so a value written and read
/// back compares equal on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
