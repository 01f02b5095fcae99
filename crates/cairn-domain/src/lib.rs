//! Cairn's domain: the vocabulary every other layer speaks. Typed ids, roles, the permission
//! matrix, validation that only builds valid values, and the domain error. No I/O lives here.

pub mod crm;
pub mod error;
pub mod ids;
pub mod password;
pub mod permissions;
pub mod role;
pub mod time;
pub mod validate;

pub use error::{DomainError, FieldError, Result};
pub use ids::*;
pub use permissions::{Action, Resource};
pub use role::Role;
