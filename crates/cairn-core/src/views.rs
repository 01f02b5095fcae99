//! Saved views: a user's named filter and sort for a list, stored as the list's query string.

use cairn_domain::{DomainError, FieldError, Result, validate};
use cairn_store::entities::saved_view;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::actor::Actor;
use crate::{Cairn, collect_errors, db_err};

/// Lists that support saved views.
pub const LISTS: &[&str] = &["clients"];
/// How many views a user may keep per list.
pub const MAX_PER_LIST: u64 = 50;

/// A saved view.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SavedView {
    pub id: uuid::Uuid,
    pub name: String,
    /// The list's query string, e.g. `status=active&sort=-updated_at`.
    pub query: String,
}

impl Cairn {
    /// The actor's saved views of one list, by name.
    pub async fn list_views(&self, actor: &Actor, list: &str) -> Result<Vec<SavedView>> {
        let rows = saved_view::Entity::find()
            .filter(saved_view::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(saved_view::Column::UserId.eq(actor.user_id.0))
            .filter(saved_view::Column::List.eq(list))
            .order_by_asc(saved_view::Column::Name)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|v| SavedView {
                id: v.id,
                name: v.name,
                query: v.query,
            })
            .collect())
    }

    /// Saves the current filter and sort of a list under a name (personal, not audited: it
    /// changes no shared data).
    pub async fn save_view(
        &self,
        actor: &Actor,
        list: &str,
        name: &str,
        query: &str,
    ) -> Result<SavedView> {
        actor.require_write()?;
        let mut errors: Vec<FieldError> = Vec::new();
        if !LISTS.contains(&list) {
            errors.push(FieldError::new("list", "is not a list with saved views"));
        }
        let name = validate::required_text("name", name, 80)
            .map_err(|e| errors.push(e))
            .ok();
        let query = query.trim().trim_start_matches('?').to_string();
        if query.len() > 2000 || query.contains(['\n', '\r']) {
            errors.push(FieldError::new("query", "must be a list's query string"));
        }
        collect_errors(errors)?;
        let count = saved_view::Entity::find()
            .filter(saved_view::Column::UserId.eq(actor.user_id.0))
            .filter(saved_view::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(saved_view::Column::List.eq(list))
            .count(self.store.reader())
            .await
            .map_err(db_err)?;
        if count >= MAX_PER_LIST {
            return Err(DomainError::invalid(
                "name",
                format!("you already have {MAX_PER_LIST} saved views for this list"),
            ));
        }
        let view = SavedView {
            id: uuid::Uuid::now_v7(),
            name: name.unwrap_or_default(),
            query,
        };
        let tx = self.store.write().await.map_err(db_err)?;
        saved_view::Entity::insert(saved_view::ActiveModel {
            id: Set(view.id),
            workspace_id: Set(actor.scope().uuid()),
            user_id: Set(actor.user_id.0),
            list: Set(list.into()),
            name: Set(view.name.clone()),
            query: Set(view.query.clone()),
            created_at: Set(cairn_domain::time::now()),
        })
        .exec_without_returning(&tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(view)
    }

    /// Deletes one of the actor's saved views; anyone else's is "not found".
    pub async fn delete_view(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require_write()?;
        let tx = self.store.write().await.map_err(db_err)?;
        let res = saved_view::Entity::delete_many()
            .filter(saved_view::Column::Id.eq(id))
            .filter(saved_view::Column::UserId.eq(actor.user_id.0))
            .filter(saved_view::Column::WorkspaceId.eq(actor.scope().uuid()))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(DomainError::NotFound("saved view"));
        }
        tx.commit().await.map_err(db_err)
    }
}
