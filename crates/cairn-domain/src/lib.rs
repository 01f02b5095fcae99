//! Cairn's domain: the vocabulary every other layer speaks. Typed ids, roles, the permission
//! matrix, validation that only builds valid values, and the domain error. No I/O lives here.

/// Declares an enum of fixed words with its wire spelling, `ALL`, `as_str`, a `parse` that
/// names the field and the allowed values, and `Display`.
macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),* }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The wire and database spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            /// Parses the wire spelling, naming `field` and the allowed values on failure.
            pub fn parse(field: &str, s: &str) -> Result<Self, $crate::FieldError> {
                match s.trim() {
                    $($text => Ok($name::$variant),)*
                    _ => Err($crate::FieldError::new(field, format!("must be one of {}", [$($text),*].join(", ")))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

pub mod crm;
pub mod delivery;
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
