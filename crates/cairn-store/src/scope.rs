//! The workspace scope every workspace-data query is built from.

use cairn_domain::WorkspaceId;

/// Proof that a query is bound to one workspace. The core builds it from the authenticated
/// `Actor` only; store functions that touch workspace data take it as their first argument
/// and add `workspace_id = scope` to every statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkspaceScope(WorkspaceId);

impl WorkspaceScope {
    /// Binds queries to `workspace`. Called by the core when it builds an `Actor`, and by
    /// platform-level use cases (setup, CLI) that act on one named workspace.
    pub fn new(workspace: WorkspaceId) -> Self {
        Self(workspace)
    }

    /// The workspace this scope is bound to.
    pub fn workspace_id(&self) -> WorkspaceId {
        self.0
    }

    /// The raw id, for query filters.
    pub fn uuid(&self) -> uuid::Uuid {
        self.0.0
    }
}
