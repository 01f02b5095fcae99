//! Quick capture: one line (`Renew SSL for Acme tomorrow !p1 #ops @jane`) parsed against what
//! the user can see, previewed, and saved as a task. Parsing never fails: anything not
//! understood stays in the title.

use cairn_domain::delivery::capture::{
    self, CaptureContext, Named, NamedProject, Person, Understood,
};
use cairn_domain::{Action, Resource, Result};
use cairn_store::entities::{client, membership, project, tag, user};
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use super::tasks::{TaskChanges, TaskView};
use super::{ClientRef, ProjectRef};
use crate::actor::Actor;
use crate::clients::UserRef;
use crate::tags::TagRef;
use crate::{Cairn, db_err};

/// What the line was read as.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaptureView {
    /// Whether the task was saved (false for a preview).
    pub saved: bool,
    pub title: String,
    pub due_date: Option<chrono::NaiveDate>,
    pub priority: Option<String>,
    pub tags: Vec<TagRef>,
    pub assignee: Option<UserRef>,
    pub client: Option<ClientRef>,
    pub project: Option<ProjectRef>,
    /// The words taken from the line and what they became.
    #[schema(value_type = Vec<Object>)]
    pub understood: Vec<Understood>,
    /// Why something that looked meaningful stayed in the title.
    pub notes: Vec<String>,
    /// The saved task.
    pub task: Option<TaskView>,
}

impl Cairn {
    /// Parses `text`; saves it as a task unless `preview`.
    pub async fn capture(&self, actor: &Actor, text: &str, preview: bool) -> Result<CaptureView> {
        actor.require(Action::Read, Resource::Task)?;
        if !preview {
            actor.require(Action::Create, Resource::Task)?;
        }
        let db = self.store.reader();
        let scope = actor.scope();
        let text: String = text.chars().take(2_000).collect();
        let clients: Vec<Named> = client::Entity::find()
            .select_only()
            .column(client::Column::Id)
            .column(client::Column::Name)
            .filter(scope.clients_filter())
            .filter(client::Column::ArchivedAt.is_null())
            .into_tuple::<(uuid::Uuid, String)>()
            .all(db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|(id, name)| Named { id, name })
            .collect();
        let projects: Vec<NamedProject> = project::Entity::find()
            .select_only()
            .column(project::Column::Id)
            .column(project::Column::Name)
            .column(project::Column::ClientId)
            .filter(scope.client_filter(project::Column::WorkspaceId, project::Column::ClientId))
            .filter(project::Column::ArchivedAt.is_null())
            .into_tuple::<(uuid::Uuid, String, uuid::Uuid)>()
            .all(db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|(id, name, c)| NamedProject {
                id,
                name,
                client_id: Some(c),
            })
            .collect();
        let tags: Vec<(uuid::Uuid, String, String)> = tag::Entity::find()
            .select_only()
            .column(tag::Column::Id)
            .column(tag::Column::Name)
            .column(tag::Column::Colour)
            .filter(tag::Column::WorkspaceId.eq(scope.uuid()))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        let member_ids: Vec<uuid::Uuid> = membership::Entity::find()
            .select_only()
            .column(membership::Column::UserId)
            .filter(membership::Column::WorkspaceId.eq(scope.uuid()))
            .filter(membership::Column::DisabledAt.is_null())
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        let users: Vec<Person> = user::Entity::find()
            .filter(user::Column::Id.is_in(member_ids))
            .all(db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|u| Person {
                id: u.id,
                name: u.name,
                email: u.email,
            })
            .collect();
        let tag_names: Vec<Named> = tags
            .iter()
            .map(|(id, n, _)| Named {
                id: *id,
                name: n.clone(),
            })
            .collect();
        let parsed = capture::parse(
            &text,
            &CaptureContext {
                today: super::today_for(actor),
                clients: &clients,
                projects: &projects,
                tags: &tag_names,
                users: &users,
            },
        );
        let mut view = CaptureView {
            saved: false,
            title: parsed.title.clone(),
            due_date: parsed.due,
            priority: parsed.priority.map(|p| p.as_str().into()),
            tags: parsed
                .tags
                .iter()
                .filter_map(|t| {
                    tags.iter()
                        .find(|x| x.0 == *t)
                        .map(|(id, name, colour)| TagRef {
                            id: *id,
                            name: name.clone(),
                            colour: colour.clone(),
                        })
                })
                .collect(),
            assignee: parsed.assignee.and_then(|a| {
                users.iter().find(|u| u.id == a).map(|u| UserRef {
                    id: u.id,
                    name: u.name.clone(),
                })
            }),
            client: parsed.client_id.and_then(|c| {
                clients.iter().find(|x| x.id == c).map(|x| ClientRef {
                    id: x.id,
                    name: x.name.clone(),
                })
            }),
            project: parsed.project_id.and_then(|p| {
                projects.iter().find(|x| x.id == p).map(|x| ProjectRef {
                    id: x.id,
                    name: x.name.clone(),
                })
            }),
            understood: parsed.understood.clone(),
            notes: parsed.notes.clone(),
            task: None,
        };
        if preview {
            return Ok(view);
        }
        if parsed.title.trim().is_empty() {
            // Only a line with nothing in it has no title; name the field the caller sent.
            return Err(cairn_domain::DomainError::invalid("text", "is required"));
        }
        if !parsed.tags.is_empty() && !actor.can(Action::Apply, Resource::Tag) {
            view.notes
                .push("tags were not applied: you may not apply tags".into());
        }
        let changes = TaskChanges {
            title: Some(parsed.title.clone()),
            project_id: parsed.project_id.map(Some),
            client_id: if parsed.project_id.is_none() {
                parsed.client_id.map(Some)
            } else {
                None
            },
            due_date: parsed.due.map(|d| Some(d.to_string())),
            priority: parsed.priority.map(|p| p.as_str().into()),
            assignee_user_id: parsed.assignee.map(Some),
            tags: (!parsed.tags.is_empty() && actor.can(Action::Apply, Resource::Tag))
                .then(|| parsed.tags.clone()),
            ..Default::default()
        };
        let task = match self.create_task(actor, changes.clone()).await {
            Ok(t) => t,
            // A capture never fails on what it understood: an assignee who cannot see the
            // client or a date before the project's start is dropped, with a note, and the
            // task is saved with the rest.
            Err(cairn_domain::DomainError::Invalid(errors)) => {
                let mut retry = changes;
                for e in &errors {
                    view.notes
                        .push(format!("{} was not applied: {}", e.field, e.reason));
                    match e.field.as_str() {
                        "assignee_user_id" => retry.assignee_user_id = None,
                        "due_date" => retry.due_date = None,
                        "tags" => retry.tags = None,
                        _ => {}
                    }
                }
                self.create_task(actor, retry).await?
            }
            Err(e) => return Err(e),
        };
        view.saved = true;
        view.assignee = task.assignee.clone();
        view.due_date = task.due_date;
        view.task = Some(task);
        Ok(view)
    }
}
