//! Role slots ("project members"): the roles a project needs, planned before anyone is
//! staffed. Tasks assigned to a slot follow whoever fills it into their My work.

use cairn_domain::{Action, DomainError, FieldError, Resource, Result, Role, validate};
use cairn_store::entities::{client, client_access, membership, project, project_member};
use cairn_store::sea_orm::sea_query::{Expr, ExprTrait};
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::clients::{UserRef, user_names, user_ref};
use crate::seen::Target;
use crate::{Cairn, collect_errors, db_err};

/// The record type slots are audited under.
pub const RECORD_TYPE: &str = "project_member";

/// A role slot as the API and the project page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotView {
    pub id: uuid::Uuid,
    pub project_id: uuid::Uuid,
    pub role: String,
    pub department: Option<String>,
    /// Who fills the slot; `None` while it is open.
    pub user: Option<UserRef>,
}

/// Changes to a slot; `user_id: Some(None)` empties it.
#[derive(Debug, Clone, Default)]
pub struct SlotChanges {
    pub role: Option<String>,
    pub department: Option<Option<String>>,
    pub user_id: Option<Option<uuid::Uuid>>,
}

/// Whether `user` is an active member of the workspace who may see `client_id` (owners and
/// admins see every client; others need it open or to be on its access list). Assignees and
/// slot holders must pass, or they would be given work they cannot open.
pub(crate) async fn member_sees_client<C: ConnectionTrait>(
    db: &C,
    workspace: uuid::Uuid,
    user: uuid::Uuid,
    client_id: Option<uuid::Uuid>,
) -> Result<std::result::Result<(), &'static str>> {
    let Some(m) = membership::Entity::find()
        .filter(membership::Column::WorkspaceId.eq(workspace))
        .filter(membership::Column::UserId.eq(user))
        .filter(membership::Column::DisabledAt.is_null())
        .one(db)
        .await
        .map_err(db_err)?
    else {
        return Ok(Err("must be a member of this workspace"));
    };
    let Some(client_id) = client_id else {
        return Ok(Ok(()));
    };
    if Role::parse(&m.role).is_some_and(|r| r.is_admin_or_owner()) {
        return Ok(Ok(()));
    }
    let open = client::Entity::find_by_id(client_id)
        .filter(client::Column::Visibility.eq("everyone"))
        .count(db)
        .await
        .map_err(db_err)?
        > 0;
    let listed = open
        || client_access::Entity::find()
            .filter(client_access::Column::ClientId.eq(client_id))
            .filter(client_access::Column::UserId.eq(user))
            .count(db)
            .await
            .map_err(db_err)?
            > 0;
    Ok(if listed {
        Ok(())
    } else {
        Err("cannot see this client")
    })
}

pub(crate) async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<project_member::Model>,
) -> Result<Vec<SlotView>> {
    let names = user_names(
        db,
        &rows.iter().filter_map(|s| s.user_id).collect::<Vec<_>>(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|s| SlotView {
            user: s.user_id.map(|id| user_ref(id, &names)),
            id: s.id,
            project_id: s.project_id,
            role: s.role,
            department: s.department,
        })
        .collect())
}

impl Cairn {
    /// A project's role slots in order.
    pub async fn list_slots<'a>(
        &self,
        actor: &Actor,
        project: impl Into<Target<'a, project::Model>>,
    ) -> Result<Vec<SlotView>> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let p = self.seen_project(actor, project.into()).await?;
        let rows = project_member::Entity::find()
            .filter(project_member::Column::ProjectId.eq(p.id))
            .order_by_asc(project_member::Column::Position)
            .all(db)
            .await
            .map_err(db_err)?;
        views(db, rows).await
    }

    async fn visible_slot<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<(project_member::Model, uuid::Uuid)> {
        let s = project_member::Entity::find_by_id(id)
            .filter(project_member::Column::WorkspaceId.eq(actor.scope().uuid()))
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("role slot"))?;
        let p = self
            .visible_project(db, actor, s.project_id)
            .await
            .map_err(|_| DomainError::NotFound("role slot"))?;
        Ok((s, p.client_id))
    }

    async fn apply_slot<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        client_id: uuid::Uuid,
        s: &mut project_member::Model,
        ch: &SlotChanges,
        creating: bool,
    ) -> Result<()> {
        let mut errors = Vec::new();
        match (&ch.role, creating) {
            (Some(r), _) => match validate::required_text("role", r, 120) {
                Ok(r) => s.role = r,
                Err(e) => errors.push(e),
            },
            (None, true) => errors.push(FieldError::new("role", "is required")),
            (None, false) => {}
        }
        if let Some(d) = &ch.department {
            s.department = d
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| d.chars().take(120).collect());
        }
        if let Some(u) = ch.user_id {
            match u {
                None => s.user_id = None,
                Some(u) => {
                    match member_sees_client(db, actor.scope().uuid(), u, Some(client_id)).await? {
                        Ok(()) => s.user_id = Some(u),
                        Err(reason) => errors.push(FieldError::new("user_id", reason)),
                    }
                }
            }
        }
        collect_errors(errors)
    }

    /// Adds a role slot to a project.
    pub async fn create_slot(
        &self,
        actor: &Actor,
        project_id: uuid::Uuid,
        ch: SlotChanges,
    ) -> Result<SlotView> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let p = self.visible_project(db, actor, project_id).await?;
        actor.require(Action::Update, Resource::Project)?;
        let last: Option<i64> = project_member::Entity::find()
            .select_only()
            .column_as(Expr::col(project_member::Column::Position).max(), "m")
            .filter(project_member::Column::ProjectId.eq(p.id))
            .into_tuple()
            .one(db)
            .await
            .map_err(db_err)?
            .flatten();
        let now = cairn_domain::time::now();
        let mut s = project_member::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: actor.scope().uuid(),
            project_id: p.id,
            role: String::new(),
            department: None,
            user_id: None,
            position: last.map_or(0, |l| l + 1),
            created_at: now,
            updated_at: now,
        };
        self.apply_slot(db, actor, p.client_id, &mut s, &ch, true)
            .await?;
        let tx = self.store.write().await.map_err(db_err)?;
        project_member::Entity::insert(project_member::ActiveModel::from(s.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        crate::audit::record(
            &tx,
            crate::audit::Event::by(actor, "project_member.created", RECORD_TYPE, s.id)
                .client(p.client_id)
                .changes(json!({"project_id": [null, p.id], "role": [null, s.role], "department": [null, s.department], "user_id": [null, s.user_id]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(views(self.store.reader(), vec![s]).await?.remove(0))
    }

    /// Changes a slot's role, department or the person filling it; the slot's tasks follow.
    pub async fn update_slot(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        ch: SlotChanges,
    ) -> Result<SlotView> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let (before, client_id) = self.visible_slot(db, actor, id).await?;
        actor.require(Action::Update, Resource::Project)?;
        let mut after = before.clone();
        self.apply_slot(db, actor, client_id, &mut after, &ch, false)
            .await?;
        after.updated_at = cairn_domain::time::now();
        let tx = self.store.write().await.map_err(db_err)?;
        project_member::Entity::update_many()
            .set(project_member::ActiveModel {
                role: Set(after.role.clone()),
                department: Set(after.department.clone()),
                user_id: Set(after.user_id),
                updated_at: Set(after.updated_at),
                ..Default::default()
            })
            .filter(project_member::Column::Id.eq(after.id))
            .filter(project_member::Column::WorkspaceId.eq(actor.scope().uuid()))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        crate::audit::record(
            &tx,
            crate::audit::Event::by(actor, "project_member.updated", RECORD_TYPE, after.id)
                .client(client_id)
                .changes(crate::audit::diff(
                    &json!({"role": before.role, "department": before.department, "user_id": before.user_id}),
                    &json!({"role": after.role, "department": after.department, "user_id": after.user_id}),
                )),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(views(self.store.reader(), vec![after]).await?.remove(0))
    }

    /// Removes a slot; its tasks become unassigned.
    pub async fn delete_slot(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let (s, client_id) = self.visible_slot(db, actor, id).await?;
        actor.require(Action::Update, Resource::Project)?;
        let tx = self.store.write().await.map_err(db_err)?;
        use cairn_store::entities::task;
        task::Entity::update_many()
            .col_expr(
                task::Column::AssigneeSlotId,
                Expr::value(Option::<uuid::Uuid>::None),
            )
            .filter(task::Column::AssigneeSlotId.eq(s.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        project_member::Entity::delete_by_id(s.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        crate::audit::record(
            &tx,
            crate::audit::Event::by(actor, "project_member.deleted", RECORD_TYPE, s.id)
                .client(client_id)
                .changes(json!({"role": [s.role, null], "user_id": [s.user_id, null]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }
}
