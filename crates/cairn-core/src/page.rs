//! Cursor pagination shared by every list.

use cairn_domain::{DomainError, Result};
use data_encoding::BASE64URL_NOPAD;
use serde::{Serialize, de::DeserializeOwned};

/// Largest page a client may ask for.
pub const MAX_LIMIT: u64 = 200;
/// Page size when none is given.
pub const DEFAULT_LIMIT: u64 = 50;

/// A page request: how many, and where the previous page ended.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The effective limit, validated (1..=200).
    pub fn limit(&self) -> Result<u64> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(DomainError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            )),
        }
    }

    /// Decodes the cursor into the keyset position it carries.
    pub fn position<P: DeserializeOwned>(&self) -> Result<Option<P>> {
        let Some(c) = &self.cursor else {
            return Ok(None);
        };
        let bad = || DomainError::invalid("cursor", "is not a cursor returned by this list");
        let raw = BASE64URL_NOPAD.decode(c.as_bytes()).map_err(|_| bad())?;
        serde_json::from_slice(&raw).map(Some).map_err(|_| bad())
    }
}

/// Encodes a keyset position as an opaque cursor.
pub fn cursor<P: Serialize>(position: &P) -> String {
    BASE64URL_NOPAD.encode(serde_json::to_vec(position).unwrap_or_default().as_slice())
}

/// One page of results and the cursor of the next one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only signals a next page.
    pub fn from_rows<P: Serialize>(
        mut rows: Vec<T>,
        limit: u64,
        position_of: impl Fn(&T) -> P,
    ) -> Self {
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| cursor(&position_of(r)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

/// The keyset condition "strictly after `values` in the order of `order`": for columns
/// (c1, c2, c3) ascending, `c1 > v1 OR (c1 = v1 AND c2 > v2) OR (c1 = v1 AND c2 = v2 AND
/// c3 > v3)`; descending flips every comparison. Every list that pages by cursor uses it, with
/// an index on the same columns.
pub fn after<C>(
    order: &[C],
    values: &[cairn_store::sea_orm::Value],
    desc: bool,
) -> cairn_store::sea_orm::Condition
where
    C: cairn_store::sea_orm::ColumnTrait,
{
    use cairn_store::sea_orm::Condition;
    use cairn_store::sea_orm::sea_query::{Expr, ExprTrait};
    let mut any = Condition::any();
    for i in 0..order.len().min(values.len()) {
        let mut all = Condition::all();
        for j in 0..i {
            all = all.add(Expr::col(order[j]).eq(values[j].clone()));
        }
        let cmp = if desc {
            Expr::col(order[i]).lt(values[i].clone())
        } else {
            Expr::col(order[i]).gt(values[i].clone())
        };
        any = any.add(all.add(cmp));
    }
    any
}
