//! The workspace scope every workspace-data query is built from, carrying client visibility.

use cairn_domain::WorkspaceId;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};

use crate::entities::{client, client_access};

/// Proof that a query is bound to one workspace, and to the clients its actor may see.
///
/// The core builds it from the authenticated `Actor` only; store functions that touch
/// workspace data take it and add `workspace_id = scope` to every statement. Records that
/// belong to a client (contacts, interactions, and later projects, tasks, notes,
/// credentials) filter with [`WorkspaceScope::client_filter`], so a restricted client and
/// everything under it vanishes for everyone not on its access list, without each module
/// re-implementing the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkspaceScope {
    workspace: WorkspaceId,
    /// `None`: sees every client (owners, admins, platform use cases). `Some(user)`: sees
    /// clients open to everyone plus restricted ones that list this user.
    viewer: Option<uuid::Uuid>,
}

impl WorkspaceScope {
    /// A scope that sees every client of `workspace` (owners, admins, CLI, setup).
    pub fn new(workspace: WorkspaceId) -> Self {
        Self {
            workspace,
            viewer: None,
        }
    }

    /// A scope limited to the clients `user` may see.
    pub fn for_viewer(workspace: WorkspaceId, user: uuid::Uuid) -> Self {
        Self {
            workspace,
            viewer: Some(user),
        }
    }

    /// The workspace this scope is bound to.
    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace
    }

    /// The raw id, for query filters.
    pub fn uuid(&self) -> uuid::Uuid {
        self.workspace.0
    }

    /// Whether every client is visible.
    pub fn sees_all_clients(&self) -> bool {
        self.viewer.is_none()
    }

    /// The ids of the clients this scope may see, as a subquery.
    pub fn visible_client_ids(&self) -> SelectStatement {
        let mut q = Query::select();
        q.column(client::Column::Id)
            .from(client::Entity)
            .and_where(client::Column::WorkspaceId.eq(self.uuid()));
        if let Some(user) = self.viewer {
            q.cond_where(Self::open_or_listed(user));
        }
        q.to_owned()
    }

    fn open_or_listed(user: uuid::Uuid) -> Condition {
        Condition::any()
            .add(Expr::col((client::Entity, client::Column::Visibility)).eq("everyone"))
            .add(
                Expr::col((client::Entity, client::Column::Id)).in_subquery(
                    Query::select()
                        .column(client_access::Column::ClientId)
                        .from(client_access::Entity)
                        .and_where(client_access::Column::UserId.eq(user))
                        .to_owned(),
                ),
            )
    }

    /// The condition on the `clients` table itself: this workspace and visible.
    pub fn clients_filter(&self) -> Condition {
        let c = Condition::all().add(client::Column::WorkspaceId.eq(self.uuid()));
        match self.viewer {
            None => c,
            Some(user) => c.add(Self::open_or_listed(user)),
        }
    }

    /// The condition for a table whose rows belong to a client: this workspace, and the
    /// owning client (column `client_id`) is visible.
    pub fn client_filter<C: ColumnTrait>(&self, workspace_id: C, client_id: C) -> Condition {
        let c = Condition::all().add(workspace_id.eq(self.uuid()));
        match self.viewer {
            None => c,
            Some(_) => c.add(client_id.in_subquery(self.visible_client_ids())),
        }
    }

    /// Like [`Self::client_filter`] for tables where a row may belong to no client (a task
    /// captured without one): those rows are visible to every member of the workspace.
    pub fn optional_client_filter<C: ColumnTrait>(
        &self,
        workspace_id: C,
        client_id: C,
    ) -> Condition {
        let c = Condition::all().add(workspace_id.eq(self.uuid()));
        match self.viewer {
            None => c,
            Some(_) => c.add(
                Condition::any()
                    .add(client_id.is_null())
                    .add(client_id.in_subquery(self.visible_client_ids())),
            ),
        }
    }
}
