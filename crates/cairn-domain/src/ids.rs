//! Typed ids: a `UserId` can never be passed where a `WorkspaceId` is expected.
//! All ids are UUIDv7, so they sort by creation time and index well.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    )*};
}

typed_id!(
    /// A global user account.
    UserId,
    /// A tenant.
    WorkspaceId,
    /// A user's membership of one workspace.
    MembershipId,
    /// A browser session.
    SessionId,
    /// A personal access token or a short-lived access token.
    TokenId,
    /// An invitation to join a workspace.
    InviteId,
    /// An activity log entry.
    AuditEntryId,
);
