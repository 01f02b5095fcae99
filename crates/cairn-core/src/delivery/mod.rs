//! Delivery: projects (from templates), role slots, milestones, tasks with dependencies and
//! comments, boards and work views, quick capture, status summaries and time.
//!
//! Visibility follows the client: every query filters projects and tasks through the actor's
//! [`cairn_store::WorkspaceScope`] on their `client_id`, so a restricted client's projects,
//! tasks and time vanish for anyone not on its access list, answering 404 like the client.

pub mod capture;
pub mod comments;
pub mod dependencies;
pub mod milestones;
pub mod overview;
pub mod projects;
pub mod slots;
pub mod summary;
pub mod task_refs;
pub mod tasks;
pub mod templates;
pub mod time;

use std::borrow::Cow;

use cairn_domain::{Action, DomainError, Resource, Result};
use cairn_store::WorkspaceScope;
use cairn_store::entities::{client, project};
use cairn_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Select,
};
use serde::Serialize;

use crate::actor::Actor;
use crate::seen::{Seen, Target};
use crate::{Cairn, db_err, each_once};

/// A project checked once for the several reads of one page (see [`crate::seen`]).
pub type SeenProject = Seen<project::Model>;

/// A client as shown next to a project or task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClientRef {
    pub id: uuid::Uuid,
    pub name: String,
}

/// A project as shown next to a task or time entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectRef {
    pub id: uuid::Uuid,
    pub name: String,
}

/// Parses an optional `YYYY-MM-DD` date field.
pub(crate) fn parse_date(
    field: &str,
    raw: &str,
) -> std::result::Result<chrono::NaiveDate, cairn_domain::FieldError> {
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| cairn_domain::FieldError::new(field, "must be a date like 2026-03-31"))
}

/// Today in the actor's timezone: "today", "overdue" and capture dates are the user's days,
/// and pages mark due dates against the same day.
pub fn today_for(actor: &Actor) -> chrono::NaiveDate {
    let tz: chrono_tz::Tz = actor.timezone.parse().unwrap_or(chrono_tz::UTC);
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

impl Cairn {
    /// A project the actor may see, or `NotFound` (also for restricted and foreign ones).
    pub(crate) async fn visible_project<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<project::Model> {
        project::Entity::find_by_id(id)
            .filter(
                actor
                    .scope()
                    .client_filter(project::Column::WorkspaceId, project::Column::ClientId),
            )
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("project"))
    }

    /// The project a read is about (see [`crate::seen`]): a project seen earlier in this
    /// request by the same actor as it is; otherwise loaded, or `NotFound` when not visible.
    pub(crate) async fn seen_project<'a>(
        &self,
        actor: &Actor,
        target: Target<'a, project::Model>,
    ) -> Result<Cow<'a, project::Model>> {
        let db = self.store.reader();
        target
            .resolve(actor, |id| self.visible_project(db, actor, id))
            .await
    }

    /// A project the actor may see, loaded once for the several reads of a page about it.
    pub async fn see_project(&self, actor: &Actor, id: uuid::Uuid) -> Result<SeenProject> {
        actor.require(Action::Read, Resource::Project)?;
        let p = self.visible_project(self.store.reader(), actor, id).await?;
        Ok(Seen::new(actor, p.id, p))
    }

    /// Names of clients by id, for display.
    pub(crate) async fn client_names<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        ids: &[uuid::Uuid],
    ) -> Result<std::collections::HashMap<uuid::Uuid, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        Ok(client_names_of(actor.scope(), ids)
            .into_tuple::<(uuid::Uuid, String)>()
            .all(db)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect())
    }

    /// Names of projects by id, for display.
    pub(crate) async fn project_names<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        ids: &[uuid::Uuid],
    ) -> Result<std::collections::HashMap<uuid::Uuid, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        Ok(project_names_of(actor.scope(), ids)
            .into_tuple::<(uuid::Uuid, String)>()
            .all(db)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect())
    }
}

/// One statement for the names of the clients among `ids` that `scope` may see: (id, name).
pub(crate) fn client_names_of(scope: WorkspaceScope, ids: &[uuid::Uuid]) -> Select<client::Entity> {
    client::Entity::find()
        .select_only()
        .column(client::Column::Id)
        .column(client::Column::Name)
        .filter(scope.clients_filter())
        .filter(client::Column::Id.is_in(each_once(ids)))
}

/// One statement for the names of the projects among `ids` that `scope` may see (through
/// their client): (id, name).
pub(crate) fn project_names_of(
    scope: WorkspaceScope,
    ids: &[uuid::Uuid],
) -> Select<project::Entity> {
    project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .column(project::Column::Name)
        .filter(scope.client_filter(project::Column::WorkspaceId, project::Column::ClientId))
        .filter(project::Column::Id.is_in(each_once(ids)))
}
