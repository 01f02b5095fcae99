//! Who is acting: made only by authentication, and the first argument of every core call.

use cairn_domain::{
    Action, DomainError, MembershipId, Resource, Result, Role, UserId, WorkspaceId, permissions,
};
use cairn_store::WorkspaceScope;

/// Where a request came from, recorded in the activity log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// How the actor authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session (cookie); `id` is the session row.
    Session { id: uuid::Uuid },
    /// A bearer token; `read_only` tokens may not change anything.
    Token { id: uuid::Uuid, read_only: bool },
    /// The command line on the server (`cairn demo`): whoever runs it already holds the
    /// database and the installation key, so it acts as a named member without signing in.
    Cli,
}

/// An authenticated member acting inside one workspace.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub timezone: String,
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub workspace_slug: String,
    pub membership_id: MembershipId,
    pub role: Role,
    pub is_platform_admin: bool,
    pub credential: Credential,
    pub meta: RequestMeta,
}

impl Actor {
    /// The scope every workspace-data query of this actor is bound to. Owners and admins see
    /// every client; members and viewers see open clients and restricted ones that list them.
    pub fn scope(&self) -> WorkspaceScope {
        if self.role.is_admin_or_owner() {
            WorkspaceScope::new(self.workspace_id)
        } else {
            WorkspaceScope::for_viewer(self.workspace_id, self.user_id.0)
        }
    }

    /// Fails with `Forbidden` unless the permission matrix allows it and, for writes, the
    /// credential is not a read-only token. Call before any write. Exports count as reads: a
    /// `read` token (GET only) may download what it may list.
    pub fn require(&self, action: Action, resource: Resource) -> Result<()> {
        if !matches!(action, Action::Read | Action::Export) {
            self.require_write()?;
        }
        if permissions::allows(self.role, action, resource) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "your role ({}) may not {} {}",
                self.role,
                action.as_str(),
                resource.as_str()
            )))
        }
    }

    /// Whether the matrix and the credential allow `action` on `resource`: for views deciding
    /// which controls to show. Enforcement stays in the use cases, which call [`Actor::require`].
    pub fn can(&self, action: Action, resource: Resource) -> bool {
        self.require(action, resource).is_ok()
    }

    /// Fails when the credential is a read-only token.
    pub fn require_write(&self) -> Result<()> {
        match self.credential {
            Credential::Token {
                read_only: true, ..
            } => Err(DomainError::Forbidden(
                "this token has read scope; a read_write token is needed".into(),
            )),
            _ => Ok(()),
        }
    }

    /// The label the activity log shows for this actor.
    pub fn label(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}
