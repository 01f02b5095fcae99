//! Comments on tasks: Markdown, with author and time; adding and deleting is audited.

use cairn_domain::{Action, DomainError, FieldError, Resource, Result};
use cairn_store::entities::task_comment;
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::clients::{UserRef, user_names, user_ref};
use crate::{Cairn, db_err};

/// The record type comments are audited under.
pub const RECORD_TYPE: &str = "task_comment";

/// A comment as the API and the task page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub id: uuid::Uuid,
    pub task_id: uuid::Uuid,
    pub author: Option<UserRef>,
    /// Markdown.
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Whether `actor` may delete a comment by `author`: its author, or an owner or admin, and
/// only with the matrix's comment-delete right. Pages ask it to show the control.
pub fn may_delete_comment(actor: &Actor, author: Option<uuid::Uuid>) -> bool {
    actor.can(Action::Delete, Resource::Comment)
        && (author == Some(actor.user_id.0) || actor.role.is_admin_or_owner())
}

impl Cairn {
    /// A task's comments, oldest first.
    pub async fn list_comments(
        &self,
        actor: &Actor,
        task_id: uuid::Uuid,
    ) -> Result<Vec<CommentView>> {
        actor.require(Action::Read, Resource::Comment)?;
        let db = self.store.reader();
        let t = self.visible_task(db, actor, task_id).await?;
        let rows = task_comment::Entity::find()
            .filter(task_comment::Column::TaskId.eq(t.id))
            .order_by_asc(task_comment::Column::CreatedAt)
            .order_by_asc(task_comment::Column::Id)
            .all(db)
            .await
            .map_err(db_err)?;
        let names = user_names(
            db,
            &rows.iter().filter_map(|c| c.author_id).collect::<Vec<_>>(),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|c| CommentView {
                author: c.author_id.map(|id| user_ref(id, &names)),
                id: c.id,
                task_id: c.task_id,
                body: c.body,
                created_at: c.created_at,
            })
            .collect())
    }

    /// Adds a comment to a task.
    pub async fn add_comment(
        &self,
        actor: &Actor,
        task_id: uuid::Uuid,
        body: &str,
    ) -> Result<CommentView> {
        actor.require(Action::Read, Resource::Task)?;
        let t = self
            .visible_task(self.store.reader(), actor, task_id)
            .await?;
        actor.require(Action::Create, Resource::Comment)?;
        let body = body.trim();
        if body.is_empty() {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "body",
                "is required",
            )]));
        }
        if body.chars().count() > 20_000 {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "body",
                "must be at most 20000 characters",
            )]));
        }
        let row = task_comment::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: actor.scope().uuid(),
            task_id: t.id,
            author_id: Some(actor.user_id.0),
            body: body.into(),
            created_at: cairn_domain::time::now(),
        };
        let tx = self.store.write().await.map_err(db_err)?;
        task_comment::Entity::insert(task_comment::ActiveModel::from(row.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        let mut event =
            crate::audit::Event::by(actor, "task.commented", super::tasks::RECORD_TYPE, t.id)
                .changes(json!({"comment": [null, row.id], "body": [null, row.body]}));
        if let Some(c) = t.client_id {
            event = event.client(c);
        }
        crate::audit::record(&tx, event).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(CommentView {
            id: row.id,
            task_id: t.id,
            author: Some(UserRef {
                id: actor.user_id.0,
                name: actor.name.clone(),
            }),
            body: row.body,
            created_at: row.created_at,
        })
    }

    /// Deletes a comment: its author, or an owner or admin.
    pub async fn delete_comment(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require(Action::Read, Resource::Comment)?;
        let db = self.store.reader();
        let c = task_comment::Entity::find_by_id(id)
            .filter(task_comment::Column::WorkspaceId.eq(actor.scope().uuid()))
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("comment"))?;
        let t = self
            .visible_task(db, actor, c.task_id)
            .await
            .map_err(|_| DomainError::NotFound("comment"))?;
        actor.require(Action::Delete, Resource::Comment)?;
        if !may_delete_comment(actor, c.author_id) {
            return Err(DomainError::Forbidden(
                "only its author, an owner or an admin may delete a comment".into(),
            ));
        }
        let tx = self.store.write().await.map_err(db_err)?;
        task_comment::Entity::delete_by_id(c.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let mut event = crate::audit::Event::by(
            actor,
            "task.comment_deleted",
            super::tasks::RECORD_TYPE,
            t.id,
        )
        .changes(json!({"comment": [c.id, null], "body": [c.body, null]}));
        if let Some(cl) = t.client_id {
            event = event.client(cl);
        }
        crate::audit::record(&tx, event).await?;
        tx.commit().await.map_err(db_err)
    }
}
