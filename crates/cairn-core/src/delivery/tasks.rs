//! Tasks: fields and validation, the global and per-project lists, work views (My work,
//! today, upcoming, overdue), the board with ordered columns, batch edits (all or nothing),
//! duplicates, archive, versions with diff and revert.

use std::collections::HashMap;
use std::sync::Arc;

use cairn_domain::delivery::{Priority, TaskStatus};
use cairn_domain::{Action, DomainError, FieldError, Resource, Result, validate};
use cairn_store::WorkspaceScope;
use cairn_store::entities::{
    milestone, project, project_member, record_version, task, task_dependency,
};
use cairn_store::sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use cairn_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::task_refs::{TaskRefs, Wanted};
use super::templates::POSITION_GAP;
use super::{ClientRef, ProjectRef, parse_date};
use crate::actor::Actor;
use crate::clients::UserRef;
use crate::page::{Page, PageRequest};
use crate::read_cache::Weigh;
use crate::seen::Target;
use crate::tags::{self, TagRef};
use crate::versions::{self, FieldDiff, VersionView};
use crate::{Cairn, check_version, collect_errors, db_err, each_once};

/// The record type tasks are tagged, versioned and audited under.
pub const RECORD_TYPE: &str = "task";

/// Most tasks one batch request may touch.
pub const MAX_BATCH: usize = 200;

/// A task's prerequisite or a small task reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TaskRef {
    pub id: uuid::Uuid,
    pub title: String,
    pub status: String,
}

/// A milestone next to a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MilestoneRef {
    pub id: uuid::Uuid,
    pub name: String,
}

/// A role slot next to a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SlotRef {
    pub id: uuid::Uuid,
    pub role: String,
}

/// A task as the API, lists and board show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: uuid::Uuid,
    pub project: Option<ProjectRef>,
    pub client: Option<ClientRef>,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub status: String,
    pub priority: String,
    pub due_date: Option<NaiveDate>,
    /// Who does it: the assigned user, or whoever fills the assigned slot.
    pub assignee: Option<UserRef>,
    pub assignee_user_id: Option<uuid::Uuid>,
    pub slot: Option<SlotRef>,
    pub milestone: Option<MilestoneRef>,
    pub source_meeting_id: Option<uuid::Uuid>,
    pub linked_asset_id: Option<uuid::Uuid>,
    pub linked_production_id: Option<uuid::Uuid>,
    pub estimate_minutes: Option<i32>,
    pub position: i64,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Status `blocked`, or an open prerequisite.
    pub blocked: bool,
    /// Open prerequisites.
    pub blocked_by: Vec<TaskRef>,
    pub tags: Vec<TagRef>,
    #[schema(value_type = Object)]
    pub custom: Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

/// A card on a project's board: what the card shows of a task.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardCard {
    pub id: uuid::Uuid,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub due_date: Option<NaiveDate>,
    /// Order within its column.
    pub position: i64,
    /// The assigned user, or whoever fills the assigned slot.
    pub assignee: Option<UserRef>,
    pub slot: Option<SlotRef>,
    /// Status `blocked`, or an open prerequisite.
    pub blocked: bool,
    /// Open prerequisites the reader may see.
    pub blocked_by: Vec<TaskRef>,
    pub tags: Vec<TagRef>,
}

/// A project's board: a column per status, in [`TaskStatus::ALL`] order.
#[derive(Debug)]
pub struct Board {
    pub columns: Vec<CardColumn>,
}

/// One status column of a board.
#[derive(Debug)]
pub struct CardColumn {
    pub status: TaskStatus,
    /// The cards in board order.
    pub cards: Vec<BoardCard>,
    /// How many cards the board's window leaves out of this column.
    pub hidden: usize,
}

impl Weigh for BoardCard {
    fn weigh(&self) -> u64 {
        (256 + self.title.len()) as u64 + self.blocked_by.weigh() + self.tags.weigh()
    }
}

impl Weigh for Board {
    fn weigh(&self) -> u64 {
        self.columns.iter().map(|c| c.cards.weigh()).sum()
    }
}

impl Weigh for TaskView {
    fn weigh(&self) -> u64 {
        (768 + self.title.len() + self.description.len()) as u64
            + self.blocked_by.weigh()
            + self.tags.weigh()
    }
}

/// Changes to a task; on update absent fields stay and `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    pub project_id: Option<Option<uuid::Uuid>>,
    pub client_id: Option<Option<uuid::Uuid>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub due_date: Option<Option<String>>,
    pub assignee_user_id: Option<Option<uuid::Uuid>>,
    pub assignee_slot_id: Option<Option<uuid::Uuid>>,
    pub milestone_id: Option<Option<uuid::Uuid>>,
    pub estimate_minutes: Option<Option<i32>>,
    pub tags: Option<Vec<uuid::Uuid>>,
    pub custom: Option<Value>,
}

impl TaskChanges {
    fn is_empty(&self) -> bool {
        self.project_id.is_none()
            && self.client_id.is_none()
            && self.title.is_none()
            && self.description.is_none()
            && self.status.is_none()
            && self.priority.is_none()
            && self.due_date.is_none()
            && self.assignee_user_id.is_none()
            && self.assignee_slot_id.is_none()
            && self.milestone_id.is_none()
            && self.estimate_minutes.is_none()
            && self.tags.is_none()
            && self.custom.is_none()
    }
}

/// Filters and sort of task lists and work views.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskFilter {
    pub project: Option<uuid::Uuid>,
    pub client: Option<uuid::Uuid>,
    /// Statuses separated by commas, or `open` (everything but done and cancelled).
    pub status: Option<String>,
    /// Priorities separated by commas.
    pub priority: Option<String>,
    /// `me` (directly or through a slot), `none`, or a user id.
    pub assignee: Option<String>,
    pub milestone: Option<uuid::Uuid>,
    /// `today`, `overdue`, `upcoming` (the next 7 days), `none`; these imply open tasks.
    pub due: Option<String>,
    pub tag: Option<uuid::Uuid>,
    /// `true`: only blocked tasks.
    pub blocked: Option<bool>,
    /// Text in the title.
    pub q: Option<String>,
    /// `false` (default), `true` or `all`.
    pub archived: Option<String>,
    /// `due` (default; undated last), `updated_at`, `-updated_at`, `priority`.
    pub sort: Option<String>,
}

/// A new task row with defaults, owned by the actor's workspace.
pub(crate) fn new_task(actor: &Actor, now: chrono::DateTime<chrono::Utc>) -> task::Model {
    task::Model {
        id: uuid::Uuid::now_v7(),
        workspace_id: actor.scope().uuid(),
        project_id: None,
        client_id: None,
        title: String::new(),
        description: String::new(),
        status: TaskStatus::Todo.as_str().into(),
        priority: cairn_domain::delivery::DEFAULT_PRIORITY.as_str().into(),
        due_date: None,
        assignee_user_id: None,
        assignee_slot_id: None,
        milestone_id: None,
        source_meeting_id: None,
        linked_asset_id: None,
        linked_production_id: None,
        estimate_minutes: None,
        position: 0,
        completed_at: None,
        created_at: now,
        created_by: Some(actor.user_id.0),
        updated_at: now,
        updated_by: Some(actor.user_id.0),
        version: 1,
        archived_at: None,
        custom: json!({}),
    }
}

/// The versioned snapshot of a task, spelled as the API takes changes.
pub(crate) fn snapshot(t: &task::Model, tag_ids: &[uuid::Uuid]) -> Value {
    json!({
        "project_id": t.project_id, "client_id": t.client_id, "title": t.title,
        "description": t.description, "status": t.status, "priority": t.priority,
        "due_date": t.due_date, "assignee_user_id": t.assignee_user_id,
        "assignee_slot_id": t.assignee_slot_id, "milestone_id": t.milestone_id,
        "estimate_minutes": t.estimate_minutes, "tags": tag_ids, "custom": t.custom,
        "archived": t.archived_at.is_some(),
    })
}

fn changes_from_snapshot(s: &Value) -> TaskChanges {
    let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
    let id = |k: &str| text(k).and_then(|v| uuid::Uuid::parse_str(&v).ok());
    TaskChanges {
        project_id: Some(id("project_id")),
        client_id: Some(id("client_id")),
        title: text("title"),
        description: text("description"),
        status: text("status"),
        priority: text("priority"),
        due_date: Some(text("due_date")),
        assignee_user_id: Some(id("assignee_user_id")),
        assignee_slot_id: Some(id("assignee_slot_id")),
        milestone_id: Some(id("milestone_id")),
        estimate_minutes: Some(
            s.get("estimate_minutes")
                .and_then(Value::as_i64)
                .map(|v| v as i32),
        ),
        tags: s.get("tags").and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(|t| uuid::Uuid::parse_str(t).ok())
                .collect()
        }),
        custom: s.get("custom").cloned().filter(Value::is_object),
    }
}

/// The condition "has a prerequisite that is still open".
fn has_open_prerequisite() -> cairn_store::sea_orm::sea_query::SimpleExpr {
    let dep = cairn_store::sea_orm::sea_query::Alias::new("dep");
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(task_dependency::Entity)
            .join_as(
                cairn_store::sea_orm::sea_query::JoinType::InnerJoin,
                task::Entity,
                dep.clone(),
                Expr::col((dep.clone(), task::Column::Id)).equals((
                    task_dependency::Entity,
                    task_dependency::Column::DependsOnId,
                )),
            )
            .and_where(
                Expr::col((task_dependency::Entity, task_dependency::Column::TaskId))
                    .equals((task::Entity, task::Column::Id)),
            )
            .and_where(Expr::col((dep, task::Column::Status)).is_not_in(closed_statuses()))
            .to_owned(),
    )
}

pub(crate) fn is_open_status(status: &str) -> bool {
    TaskStatus::parse("status", status).is_ok_and(|s| s.is_open())
}

/// The statuses in which a task is finished and no longer holds back the tasks after it.
pub(crate) fn closed_statuses() -> [&'static str; 2] {
    [TaskStatus::Done.as_str(), TaskStatus::Cancelled.as_str()]
}

impl Cairn {
    /// A task the actor may see (through its client), or `NotFound`.
    pub(crate) async fn visible_task<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<task::Model> {
        task::Entity::find_by_id(id)
            .filter(
                actor
                    .scope()
                    .optional_client_filter(task::Column::WorkspaceId, task::Column::ClientId),
            )
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("task"))
    }

    /// Builds views for task rows with their project, client, assignee, slot, milestone, tags
    /// and open prerequisites, in a fixed number of queries whatever the page size.
    pub(crate) async fn task_views<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        rows: Vec<task::Model>,
    ) -> Result<Vec<TaskView>> {
        let wanted = Wanted {
            tasks: rows.iter().map(|t| t.id).collect(),
            projects: rows.iter().filter_map(|t| t.project_id).collect(),
            clients: rows.iter().filter_map(|t| t.client_id).collect(),
            milestones: rows.iter().filter_map(|t| t.milestone_id).collect(),
            slots: rows.iter().filter_map(|t| t.assignee_slot_id).collect(),
            people: rows.iter().filter_map(|t| t.assignee_user_id).collect(),
        };
        let mut refs = TaskRefs::load(db, actor.scope(), &wanted).await?;
        Ok(rows
            .into_iter()
            .map(|t| {
                let waiting = refs.waiting.remove(&t.id).unwrap_or_default();
                TaskView {
                    project: t.project_id.map(|id| ProjectRef {
                        id,
                        name: refs.projects.get(&id).cloned().unwrap_or_default(),
                    }),
                    client: t.client_id.map(|id| ClientRef {
                        id,
                        name: refs.clients.get(&id).cloned().unwrap_or_default(),
                    }),
                    assignee: refs.assignee(t.assignee_user_id, t.assignee_slot_id),
                    milestone: t.milestone_id.map(|id| MilestoneRef {
                        id,
                        name: refs.milestones.get(&id).cloned().unwrap_or_default(),
                    }),
                    slot: refs.slot(t.assignee_slot_id),
                    blocked: waiting.blocks(&t.status),
                    blocked_by: waiting.visible,
                    tags: refs.tags.remove(&t.id).unwrap_or_default(),
                    id: t.id,
                    title: t.title,
                    description: t.description,
                    status: t.status,
                    priority: t.priority,
                    due_date: t.due_date,
                    assignee_user_id: t.assignee_user_id,
                    source_meeting_id: t.source_meeting_id,
                    linked_asset_id: t.linked_asset_id,
                    linked_production_id: t.linked_production_id,
                    estimate_minutes: t.estimate_minutes,
                    position: t.position,
                    completed_at: t.completed_at,
                    custom: t.custom,
                    created_at: t.created_at,
                    updated_at: t.updated_at,
                    archived_at: t.archived_at,
                    version: t.version,
                }
            })
            .collect())
    }

    /// Validates `ch` onto `t`, collecting every field error: the project and client must be
    /// visible, the milestone and slot must belong to the task's project, the assignee must
    /// be a member who can see the client, and the due date may not precede the project's
    /// start unless its template allows it.
    async fn apply_task_changes<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        t: &mut task::Model,
        ch: &TaskChanges,
        creating: bool,
    ) -> Result<()> {
        let mut errors: Vec<FieldError> = Vec::new();
        match (&ch.title, creating) {
            (Some(n), _) => match validate::required_text("title", n, 300) {
                Ok(n) => t.title = n,
                Err(e) => errors.push(e),
            },
            (None, true) => errors.push(FieldError::new("title", "is required")),
            (None, false) => {}
        }
        if let Some(d) = &ch.description {
            if d.chars().count() > 50_000 {
                errors.push(FieldError::new(
                    "description",
                    "must be at most 50000 characters",
                ));
            } else {
                t.description = d.clone();
            }
        }
        let project_before = t.project_id;
        let mut project: Option<project::Model> = None;
        if let Some(p) = ch.project_id {
            match p {
                None => t.project_id = None,
                Some(pid) => match self.visible_project(db, actor, pid).await {
                    Ok(p) if p.archived_at.is_some() && Some(pid) != project_before => {
                        errors.push(FieldError::new("project_id", "the project is archived"))
                    }
                    Ok(p) => {
                        t.project_id = Some(p.id);
                        t.client_id = Some(p.client_id);
                        project = Some(p);
                    }
                    Err(DomainError::NotFound(_)) => {
                        errors.push(FieldError::new("project_id", "no such project"))
                    }
                    Err(e) => return Err(e),
                },
            }
        } else if let Some(pid) = t.project_id {
            project = self.visible_project(db, actor, pid).await.ok();
        }
        if t.project_id != project_before {
            // A task that changes project leaves its old milestone, slot and board column order.
            if ch.milestone_id.is_none() {
                t.milestone_id = None;
            }
            if ch.assignee_slot_id.is_none() {
                t.assignee_slot_id = None;
            }
        }
        if let Some(c) = ch.client_id {
            match (c, &project) {
                (Some(c), Some(p)) if c != p.client_id => errors.push(FieldError::new(
                    "client_id",
                    "must be the client of the task's project",
                )),
                (_, Some(_)) => {}
                (None, None) => t.client_id = None,
                (Some(c), None) => match self.visible_client(db, actor, c).await {
                    Ok(_) => t.client_id = Some(c),
                    Err(DomainError::NotFound(_)) => {
                        errors.push(FieldError::new("client_id", "no such client"))
                    }
                    Err(e) => return Err(e),
                },
            }
        } else if ch.project_id == Some(None) && t.project_id.is_none() {
            // Leaving a project keeps the client: the task stays with whom it is for.
        }
        if let Some(s) = &ch.status {
            match TaskStatus::parse("status", s) {
                Ok(s) => {
                    if s == TaskStatus::Done && t.status != TaskStatus::Done.as_str() {
                        t.completed_at = Some(cairn_domain::time::now());
                    } else if s != TaskStatus::Done {
                        t.completed_at = None;
                    }
                    t.status = s.as_str().into();
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(p) = &ch.priority {
            match Priority::parse("priority", p) {
                Ok(p) => t.priority = p.as_str().into(),
                Err(e) => errors.push(e),
            }
        }
        if let Some(d) = &ch.due_date {
            match d.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
                None => t.due_date = None,
                Some(x) => match parse_date("due_date", x) {
                    Ok(d) => t.due_date = Some(d),
                    Err(e) => errors.push(e),
                },
            }
        }
        if let (Some(p), Some(due)) = (&project, t.due_date)
            && (ch.due_date.is_some() || ch.project_id.is_some())
            && !p.allow_due_before_start
            && p.start_date.is_some_and(|s| due < s)
        {
            errors.push(FieldError::new(
                "due_date",
                format!(
                    "must not be before the project's start date ({})",
                    p.start_date.expect("checked")
                ),
            ));
        }
        if let Some(m) = ch.milestone_id {
            match m {
                None => t.milestone_id = None,
                Some(mid) => {
                    let found = milestone::Entity::find_by_id(mid)
                        .filter(milestone::Column::WorkspaceId.eq(actor.scope().uuid()))
                        .one(db)
                        .await
                        .map_err(db_err)?;
                    match found {
                        Some(m) if Some(m.project_id) == t.project_id => t.milestone_id = Some(mid),
                        Some(_) if t.project_id.is_some() => errors.push(FieldError::new(
                            "milestone_id",
                            "belongs to another project",
                        )),
                        Some(_) => errors.push(FieldError::new(
                            "milestone_id",
                            "a task without a project has no milestone",
                        )),
                        None => errors.push(FieldError::new("milestone_id", "no such milestone")),
                    }
                }
            }
        }
        if ch.assignee_user_id.flatten().is_some() && ch.assignee_slot_id.flatten().is_some() {
            errors.push(FieldError::new(
                "assignee_slot_id",
                "assign a user or a role slot, not both",
            ));
        }
        if let Some(s) = ch.assignee_slot_id {
            match s {
                None => t.assignee_slot_id = None,
                Some(sid) => {
                    let found = project_member::Entity::find_by_id(sid)
                        .filter(project_member::Column::WorkspaceId.eq(actor.scope().uuid()))
                        .one(db)
                        .await
                        .map_err(db_err)?;
                    match found {
                        Some(s) if Some(s.project_id) == t.project_id => {
                            t.assignee_slot_id = Some(sid);
                            t.assignee_user_id = None;
                        }
                        Some(_) => errors.push(FieldError::new(
                            "assignee_slot_id",
                            "is a role slot of another project",
                        )),
                        None => {
                            errors.push(FieldError::new("assignee_slot_id", "no such role slot"))
                        }
                    }
                }
            }
        }
        if let Some(u) = ch.assignee_user_id {
            match u {
                None => t.assignee_user_id = None,
                Some(u) => {
                    match super::slots::member_sees_client(db, actor.scope().uuid(), u, t.client_id)
                        .await?
                    {
                        Ok(()) => {
                            t.assignee_user_id = Some(u);
                            t.assignee_slot_id = None;
                        }
                        Err(reason) => errors.push(FieldError::new("assignee_user_id", reason)),
                    }
                }
            }
        }
        if let Some(e) = ch.estimate_minutes {
            match e {
                None => t.estimate_minutes = None,
                Some(m) if (0..=600_000).contains(&m) => t.estimate_minutes = Some(m),
                Some(_) => errors.push(FieldError::new(
                    "estimate_minutes",
                    "must be between 0 and 600000",
                )),
            }
        }
        if let Some(c) = &ch.custom {
            if !c.is_object() {
                errors.push(FieldError::new("custom", "must be a JSON object"));
            } else if c.to_string().len() > 16_384 {
                errors.push(FieldError::new("custom", "must be at most 16 KiB"));
            } else {
                t.custom = c.clone();
            }
        }
        if let Some(ids) = &ch.tags
            && let Err(e) = tags::check_tags(db, actor.scope(), "tags", ids).await
        {
            errors.push(e);
        }
        collect_errors(errors)
    }

    /// The next board position at the end of a column.
    async fn end_of_column<C: ConnectionTrait>(
        &self,
        db: &C,
        project_id: Option<uuid::Uuid>,
        status: &str,
    ) -> Result<i64> {
        let Some(pid) = project_id else { return Ok(0) };
        let last: Option<i64> = task::Entity::find()
            .select_only()
            .column_as(Expr::col(task::Column::Position).max(), "m")
            .filter(task::Column::ProjectId.eq(pid))
            .filter(task::Column::Status.eq(status))
            .into_tuple()
            .one(db)
            .await
            .map_err(db_err)?
            .flatten();
        Ok(last.unwrap_or(0) + POSITION_GAP)
    }

    /// One task.
    pub async fn get_task(&self, actor: &Actor, id: uuid::Uuid) -> Result<TaskView> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let t = self.visible_task(db, actor, id).await?;
        Ok(self.task_views(db, actor, vec![t]).await?.remove(0))
    }

    /// A task for its edit form.
    pub async fn task_for_edit(&self, actor: &Actor, id: uuid::Uuid) -> Result<TaskView> {
        let t = self.get_task(actor, id).await?;
        actor.require(Action::Update, Resource::Task)?;
        Ok(t)
    }

    /// Creates a task in a project, for a client only, or (quick capture) for nobody yet.
    pub async fn create_task(&self, actor: &Actor, ch: TaskChanges) -> Result<TaskView> {
        actor.require(Action::Create, Resource::Task)?;
        if ch.tags.as_ref().is_some_and(|t| !t.is_empty()) {
            actor.require(Action::Apply, Resource::Tag)?;
        }
        let db = self.store.reader();
        let mut t = new_task(actor, cairn_domain::time::now());
        self.apply_task_changes(db, actor, &mut t, &ch, true)
            .await?;
        if t.status == TaskStatus::Done.as_str() {
            t.completed_at = Some(t.created_at);
        }
        t.position = self.end_of_column(db, t.project_id, &t.status).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        task::Entity::insert(task::ActiveModel::from(t.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        let (_, tag_ids) = tags::set_tags(
            &tx,
            actor.scope(),
            RECORD_TYPE,
            t.id,
            &ch.tags.clone().unwrap_or_default(),
        )
        .await?;
        versions::record_change(
            &tx,
            actor,
            "task.created",
            RECORD_TYPE,
            t.id,
            t.client_id,
            None,
            snapshot(&t, &tag_ids),
            1,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_task(actor, t.id).await
    }

    /// Updates a task.
    pub async fn update_task(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        ch: TaskChanges,
        if_match: Option<i64>,
    ) -> Result<TaskView> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let before = self.visible_task(db, actor, id).await?;
        actor.require(Action::Update, Resource::Task)?;
        if ch.tags.is_some() {
            actor.require(Action::Apply, Resource::Tag)?;
        }
        let mut after = before.clone();
        self.apply_task_changes(db, actor, &mut after, &ch, false)
            .await?;
        check_version(if_match, before.version)?;
        if after.status != before.status || after.project_id != before.project_id {
            after.position = self
                .end_of_column(db, after.project_id, &after.status)
                .await?;
        }
        let tx = self.store.write().await.map_err(db_err)?;
        self.write_task(
            &tx,
            actor,
            &before,
            after.clone(),
            ch.tags.clone(),
            "task.updated",
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_task(actor, id).await
    }

    /// Writes `after` over `before` inside `tx`: optimistic locking, tags, a version and an
    /// audit entry. The single write path for updates, moves, batch edits, archive and revert.
    async fn write_task<C: ConnectionTrait>(
        &self,
        tx: &C,
        actor: &Actor,
        before: &task::Model,
        mut after: task::Model,
        new_tags: Option<Vec<uuid::Uuid>>,
        action: &'static str,
    ) -> Result<task::Model> {
        let scope = actor.scope();
        after.version = before.version + 1;
        after.updated_at = cairn_domain::time::now();
        after.updated_by = Some(actor.user_id.0);
        let mut am = task::ActiveModel::from(after.clone()).reset_all();
        am.id = cairn_store::sea_orm::ActiveValue::Unchanged(after.id);
        use task::Column as Col;
        versions::write_if_current::<task::Entity, _>(
            tx,
            scope,
            am,
            (Col::Id, Col::WorkspaceId, Col::Version),
            before.id,
            before.version,
        )
        .await?;
        let old_tags = tags::tag_ids(tx, scope, RECORD_TYPE, before.id).await?;
        let tag_ids = match &new_tags {
            Some(ids) => {
                tags::set_tags(tx, scope, RECORD_TYPE, before.id, ids)
                    .await?
                    .1
            }
            None => old_tags.clone(),
        };
        versions::record_change(
            tx,
            actor,
            action,
            RECORD_TYPE,
            after.id,
            after.client_id,
            Some(&snapshot(before, &old_tags)),
            snapshot(&after, &tag_ids),
            after.version,
        )
        .await?;
        Ok(after)
    }

    /// Moves a task on its project's board: into column `status`, between the tasks `after`
    /// (above it) and `before` (below it); either may be absent at a column's end. Positions
    /// keep gaps; when two neighbours have none left the column is renumbered.
    pub async fn move_task(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        status: &str,
        above: Option<uuid::Uuid>,
        below: Option<uuid::Uuid>,
    ) -> Result<TaskView> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let before = self.visible_task(db, actor, id).await?;
        actor.require(Action::Update, Resource::Task)?;
        let status =
            TaskStatus::parse("status", status).map_err(|e| DomainError::Invalid(vec![e]))?;
        let Some(project_id) = before.project_id else {
            return Err(DomainError::invalid(
                "id",
                "only tasks of a project are on a board",
            ));
        };
        let neighbour = |field: &'static str, n: Option<uuid::Uuid>| async move {
            match n {
                None => Ok(None),
                Some(n) => {
                    let t = task::Entity::find_by_id(n)
                        .filter(task::Column::ProjectId.eq(project_id))
                        .filter(task::Column::Status.eq(status.as_str()))
                        .one(db)
                        .await
                        .map_err(db_err)?;
                    t.map(|t| Some(t.position)).ok_or_else(|| {
                        DomainError::invalid(field, "is not a task in that column of this project")
                    })
                }
            }
        };
        let mut lo = neighbour("after", above).await?;
        let mut hi = neighbour("before", below).await?;
        let mut above = above;
        // With one neighbour named, the other is whatever sits next to it in the column, so
        // "below X" never overtakes the task that follows X.
        let column = || {
            task::Entity::find()
                .select_only()
                .column(task::Column::Id)
                .column(task::Column::Position)
                .filter(task::Column::ProjectId.eq(project_id))
                .filter(task::Column::Status.eq(status.as_str()))
                .filter(task::Column::Id.ne(id))
        };
        match (lo, hi) {
            (Some(a), None) => {
                hi = column()
                    .filter(task::Column::Position.gt(a))
                    .order_by_asc(task::Column::Position)
                    .into_tuple::<(uuid::Uuid, i64)>()
                    .one(db)
                    .await
                    .map_err(db_err)?
                    .map(|(_, p)| p);
            }
            (None, Some(b)) => {
                if let Some((prev, p)) = column()
                    .filter(task::Column::Position.lt(b))
                    .order_by_desc(task::Column::Position)
                    .into_tuple::<(uuid::Uuid, i64)>()
                    .one(db)
                    .await
                    .map_err(db_err)?
                {
                    lo = Some(p);
                    above = Some(prev);
                }
            }
            _ => {}
        }
        let tx = self.store.write().await.map_err(db_err)?;
        let position = match (lo, hi) {
            (Some(a), Some(b)) if b - a > 1 => a + (b - a) / 2,
            (Some(_), Some(_)) => {
                // No room: renumber the column with fresh gaps, then place between.
                let ids: Vec<(uuid::Uuid, i64)> = task::Entity::find()
                    .select_only()
                    .column(task::Column::Id)
                    .column(task::Column::Position)
                    .filter(task::Column::ProjectId.eq(project_id))
                    .filter(task::Column::Status.eq(status.as_str()))
                    .filter(task::Column::Id.ne(id))
                    .order_by_asc(task::Column::Position)
                    .order_by_asc(task::Column::Id)
                    .into_tuple()
                    .all(&tx)
                    .await
                    .map_err(db_err)?;
                let mut placed = 0;
                for (i, (tid, _)) in ids.iter().enumerate() {
                    let pos = (i as i64 + 1) * POSITION_GAP * 2;
                    task::Entity::update_many()
                        .col_expr(task::Column::Position, Expr::val(pos))
                        .filter(task::Column::Id.eq(*tid))
                        .exec(&tx)
                        .await
                        .map_err(db_err)?;
                    if Some(*tid) == above {
                        placed = pos + POSITION_GAP;
                    }
                }
                placed
            }
            (Some(a), None) => a + POSITION_GAP,
            (None, Some(b)) => b - POSITION_GAP,
            (None, None) => {
                self.end_of_column(&tx, Some(project_id), status.as_str())
                    .await?
            }
        };
        let mut after = before.clone();
        if status.as_str() != before.status {
            if status == TaskStatus::Done {
                after.completed_at = Some(cairn_domain::time::now());
            } else {
                after.completed_at = None;
            }
        }
        after.status = status.as_str().into();
        after.position = position;
        // The renumbering may have changed this row's position but not its version.
        let current = task::Entity::find_by_id(id)
            .one(&tx)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("task"))?;
        self.write_task(&tx, actor, &current, after, None, "task.moved")
            .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_task(actor, id).await
    }

    /// Moves a card on `project_id`'s board (the board page's drop): the project must be
    /// visible and the task one of its cards, else not found; then as [`Self::move_task`].
    pub async fn move_task_on_board(
        &self,
        actor: &Actor,
        project_id: uuid::Uuid,
        task: Option<uuid::Uuid>,
        status: &str,
        above: Option<uuid::Uuid>,
        below: Option<uuid::Uuid>,
    ) -> Result<TaskView> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let p = self.visible_project(db, actor, project_id).await?;
        let Some(task) = task else {
            return Err(DomainError::invalid("task", "is required"));
        };
        let t = self.visible_task(db, actor, task).await?;
        if t.project_id != Some(p.id) {
            return Err(DomainError::NotFound("task"));
        }
        self.move_task(actor, t.id, status, above, below).await
    }

    /// Applies the same changes to many tasks: every task must be visible and every change
    /// valid for each, or nothing is written.
    pub async fn batch_update_tasks(
        &self,
        actor: &Actor,
        ids: &[uuid::Uuid],
        ch: TaskChanges,
    ) -> Result<Vec<TaskView>> {
        actor.require(Action::Read, Resource::Task)?;
        let ids = batch_ids(ids)?;
        if ch.is_empty() {
            return Err(DomainError::invalid(
                "changes",
                "name at least one field to change",
            ));
        }
        let db = self.store.reader();
        let mut befores = Vec::with_capacity(ids.len());
        for id in &ids {
            befores.push(self.visible_task(db, actor, *id).await.map_err(|_| {
                DomainError::invalid("ids", format!("{id} is not a task you can see"))
            })?);
        }
        actor.require(Action::Update, Resource::Task)?;
        if ch.tags.is_some() {
            actor.require(Action::Apply, Resource::Tag)?;
        }
        let mut afters = Vec::with_capacity(ids.len());
        for b in &befores {
            let mut a = b.clone();
            self.apply_task_changes(db, actor, &mut a, &ch, false)
                .await
                .map_err(|e| match e {
                    DomainError::Invalid(errs) => DomainError::Invalid(
                        errs.into_iter()
                            .map(|f| {
                                FieldError::new(
                                    f.field.clone(),
                                    format!("{} (task {})", f.reason, b.id),
                                )
                            })
                            .collect(),
                    ),
                    other => other,
                })?;
            if a.status != b.status || a.project_id != b.project_id {
                a.position =
                    self.end_of_column(db, a.project_id, &a.status).await? + afters.len() as i64;
            }
            afters.push(a);
        }
        let tx = self.store.write().await.map_err(db_err)?;
        for (b, a) in befores.iter().zip(afters) {
            self.write_task(&tx, actor, b, a, ch.tags.clone(), "task.batch_updated")
                .await?;
        }
        tx.commit().await.map_err(db_err)?;
        let rows = task::Entity::find()
            .filter(task::Column::Id.is_in(ids.clone()))
            .all(db)
            .await
            .map_err(db_err)?;
        self.task_views(db, actor, rows).await
    }

    /// Archives or restores one task; a task the actor cannot see is not found.
    pub async fn set_task_archived(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        archived: bool,
    ) -> Result<TaskView> {
        actor.require(Action::Read, Resource::Task)?;
        let t = self.visible_task(self.store.reader(), actor, id).await?;
        if t.archived_at.is_some() == archived {
            return Err(DomainError::Conflict(format!(
                "the task is already {}",
                if archived { "archived" } else { "active" }
            )));
        }
        self.set_tasks_archived(actor, &[t.id], archived).await?;
        self.get_task(actor, t.id).await
    }

    /// Archives or restores many tasks, all or nothing.
    pub async fn set_tasks_archived(
        &self,
        actor: &Actor,
        ids: &[uuid::Uuid],
        archived: bool,
    ) -> Result<usize> {
        actor.require(Action::Read, Resource::Task)?;
        let ids = batch_ids(ids)?;
        let db = self.store.reader();
        let mut befores = Vec::with_capacity(ids.len());
        for id in &ids {
            befores.push(self.visible_task(db, actor, *id).await.map_err(|_| {
                DomainError::invalid("ids", format!("{id} is not a task you can see"))
            })?);
        }
        actor.require(Action::Archive, Resource::Task)?;
        let tx = self.store.write().await.map_err(db_err)?;
        let mut n = 0;
        for b in befores
            .iter()
            .filter(|b| b.archived_at.is_some() != archived)
        {
            let mut a = b.clone();
            a.archived_at = archived.then(cairn_domain::time::now);
            self.write_task(
                &tx,
                actor,
                b,
                a,
                None,
                if archived {
                    "task.archived"
                } else {
                    "task.restored"
                },
            )
            .await?;
            n += 1;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(n)
    }

    /// Duplicates tasks (fields and tags; not comments, dependencies or completion), all or
    /// nothing. Copies land at the end of their column with "(copy)" appended.
    pub async fn duplicate_tasks(
        &self,
        actor: &Actor,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<TaskView>> {
        actor.require(Action::Read, Resource::Task)?;
        let ids = batch_ids(ids)?;
        let db = self.store.reader();
        let mut sources = Vec::with_capacity(ids.len());
        for id in &ids {
            sources.push(self.visible_task(db, actor, *id).await.map_err(|_| {
                DomainError::invalid("ids", format!("{id} is not a task you can see"))
            })?);
        }
        actor.require(Action::Create, Resource::Task)?;
        let now = cairn_domain::time::now();
        let tx = self.store.write().await.map_err(db_err)?;
        let mut new_ids = Vec::with_capacity(sources.len());
        for (i, s) in sources.iter().enumerate() {
            let mut t = s.clone();
            t.id = uuid::Uuid::now_v7();
            let suffix = " (copy)";
            t.title = format!(
                "{}{}",
                s.title.chars().take(300 - suffix.len()).collect::<String>(),
                suffix
            );
            if !is_open_status(&s.status) {
                t.status = TaskStatus::Todo.as_str().into();
            }
            t.completed_at = None;
            t.archived_at = None;
            t.created_at = now;
            t.created_by = Some(actor.user_id.0);
            t.updated_at = now;
            t.updated_by = Some(actor.user_id.0);
            t.version = 1;
            t.position = self.end_of_column(&tx, t.project_id, &t.status).await? + i as i64;
            task::Entity::insert(task::ActiveModel::from(t.clone()))
                .exec_without_returning(&tx)
                .await
                .map_err(db_err)?;
            let src_tags = tags::tag_ids(&tx, actor.scope(), RECORD_TYPE, s.id).await?;
            tags::set_tags(&tx, actor.scope(), RECORD_TYPE, t.id, &src_tags).await?;
            let mut snap = snapshot(&t, &src_tags);
            snap["duplicated_from"] = json!(s.id);
            versions::record_change(
                &tx,
                actor,
                "task.duplicated",
                RECORD_TYPE,
                t.id,
                t.client_id,
                None,
                snap,
                1,
            )
            .await?;
            new_ids.push(t.id);
        }
        tx.commit().await.map_err(db_err)?;
        let rows = task::Entity::find()
            .filter(task::Column::Id.is_in(new_ids))
            .order_by_asc(task::Column::Id)
            .all(db)
            .await
            .map_err(db_err)?;
        self.task_views(db, actor, rows).await
    }

    /// Permanently deletes a task (owners and admins).
    pub async fn delete_task(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require(Action::Read, Resource::Task)?;
        let t = self.visible_task(self.store.reader(), actor, id).await?;
        actor.require(Action::Delete, Resource::Task)?;
        let scope = actor.scope();
        let tx = self.store.write().await.map_err(db_err)?;
        tags::clear_tags(&tx, scope, RECORD_TYPE, &[t.id]).await?;
        record_version::Entity::delete_many()
            .filter(record_version::Column::WorkspaceId.eq(scope.uuid()))
            .filter(record_version::Column::RecordId.eq(t.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        task::Entity::delete_by_id(t.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let mut event = crate::audit::Event::by(actor, "task.deleted", RECORD_TYPE, t.id)
            .changes(json!({"title": [t.title, null]}));
        if let Some(c) = t.client_id {
            event = event.client(c);
        }
        crate::audit::record(&tx, event).await?;
        tx.commit().await.map_err(db_err)
    }

    /// Task lists and work views: filters, sort and keyset pagination. `due` filters use the
    /// actor's today (their timezone) and imply open tasks.
    pub async fn list_tasks(
        &self,
        actor: &Actor,
        f: &TaskFilter,
        page: &PageRequest,
    ) -> Result<Page<TaskView>> {
        let mut pages = self.list_task_pages(actor, &[(f, page)]).await?;
        Ok(pages.remove(0))
    }

    /// Several task lists for one page (the dashboard's overdue and due today): each list is
    /// fetched as by [`Self::list_tasks`], and their projects, clients, slots, milestones, tags
    /// and prerequisites are looked up once for all of them.
    pub async fn list_task_pages(
        &self,
        actor: &Actor,
        lists: &[(&TaskFilter, &PageRequest)],
    ) -> Result<Vec<Page<TaskView>>> {
        actor.require(Action::Read, Resource::Task)?;
        // `assignee=me` and the due filters depend on who asks and on their today, so both
        // are part of the key beside the filters; the scope keys what they may see.
        let args = format!("{}/{}/{lists:?}", actor.user_id, super::today_for(actor));
        let pages = self
            .cached(
                actor,
                "task_pages",
                args,
                self.load_task_pages(actor, lists),
            )
            .await?;
        Ok(pages.as_ref().clone())
    }

    /// The task lists from the database (exports read every page this way, so that they do
    /// not fill the read cache).
    pub(crate) async fn load_task_pages(
        &self,
        actor: &Actor,
        lists: &[(&TaskFilter, &PageRequest)],
    ) -> Result<Vec<Page<TaskView>>> {
        let mut fetched = Vec::with_capacity(lists.len());
        let mut rows = Vec::new();
        for (f, page) in lists {
            let (list, limit, key) = self.task_rows(actor, f, page).await?;
            fetched.push((list.len(), limit, key));
            rows.extend(list);
        }
        let mut views = self
            .task_views(self.store.reader(), actor, rows)
            .await?
            .into_iter();
        Ok(fetched
            .into_iter()
            .map(|(n, limit, key)| {
                Page::from_rows(
                    views.by_ref().take(n).collect(),
                    limit,
                    |t: &TaskView| match key {
                        "due" => json!([t.due_date, t.id]),
                        "priority" => json!([t.priority, t.id]),
                        _ => json!([
                            t.updated_at
                                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                            t.id
                        ]),
                    },
                )
            })
            .collect())
    }

    /// The rows of one task list (one more than the page when there are more), its page size
    /// and the sort key its cursor follows.
    async fn task_rows(
        &self,
        actor: &Actor,
        f: &TaskFilter,
        page: &PageRequest,
    ) -> Result<(Vec<task::Model>, u64, &'static str)> {
        actor.require(Action::Read, Resource::Task)?;
        let limit = page.limit()?;
        let scope = actor.scope();
        let mut q = task::Entity::find().filter(
            scope.optional_client_filter(task::Column::WorkspaceId, task::Column::ClientId),
        );
        let mut errors = Vec::new();
        if let Some(p) = f.project {
            q = q.filter(task::Column::ProjectId.eq(p));
        }
        if let Some(c) = f.client {
            q = q.filter(task::Column::ClientId.eq(c));
        }
        if let Some(m) = f.milestone {
            q = q.filter(task::Column::MilestoneId.eq(m));
        }
        let mut open_only = false;
        match f.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {}
            Some("open") => open_only = true,
            Some(list) => {
                let parsed: Vec<&str> = list
                    .split(',')
                    .filter_map(|s| {
                        TaskStatus::parse("status", s)
                            .map_err(|e| errors.push(e))
                            .ok()
                    })
                    .map(|s| s.as_str())
                    .collect();
                q = q.filter(task::Column::Status.is_in(parsed));
            }
        }
        if let Some(list) = f
            .priority
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let parsed: Vec<&str> = list
                .split(',')
                .filter_map(|s| {
                    Priority::parse("priority", s)
                        .map_err(|e| errors.push(e))
                        .ok()
                })
                .map(|s| s.as_str())
                .collect();
            q = q.filter(task::Column::Priority.is_in(parsed));
        }
        let mut assignee: Option<uuid::Uuid> = None;
        match f
            .assignee
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {}
            Some("me") => assignee = Some(actor.user_id.0),
            Some("none") => {
                q = q
                    .filter(task::Column::AssigneeUserId.is_null())
                    .filter(task::Column::AssigneeSlotId.is_null())
            }
            Some(other) => match uuid::Uuid::parse_str(other) {
                Ok(u) => assignee = Some(u),
                Err(_) => errors.push(FieldError::new("assignee", "must be me, none or a user id")),
            },
        }
        let today = super::today_for(actor);
        let mut due_sorted_only = false;
        match f.due.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {}
            Some("today") => {
                q = q.filter(task::Column::DueDate.eq(today));
                open_only = true;
            }
            Some("overdue") => {
                q = q.filter(task::Column::DueDate.lt(today));
                open_only = true;
                due_sorted_only = true;
            }
            Some("upcoming") => {
                q = q
                    .filter(task::Column::DueDate.gt(today))
                    .filter(task::Column::DueDate.lte(today + chrono::Duration::days(7)));
                open_only = true;
                due_sorted_only = true;
            }
            Some("none") => q = q.filter(task::Column::DueDate.is_null()),
            Some(_) => errors.push(FieldError::new(
                "due",
                "must be today, overdue, upcoming or none",
            )),
        }
        if open_only {
            q = q.filter(task::Column::Status.is_not_in(closed_statuses()));
        }
        if let Some(tag) = f.tag {
            q = q.filter(tags::tagged_with(
                tag,
                RECORD_TYPE,
                (task::Entity, task::Column::Id),
            ));
        }
        match f.blocked {
            Some(true) => {
                q = q.filter(
                    Condition::any()
                        .add(task::Column::Status.eq(TaskStatus::Blocked.as_str()))
                        .add(
                            Condition::all()
                                .add(task::Column::Status.is_not_in(closed_statuses()))
                                .add(has_open_prerequisite()),
                        ),
                )
            }
            Some(false) => {
                q = q
                    .filter(task::Column::Status.ne(TaskStatus::Blocked.as_str()))
                    .filter(has_open_prerequisite().not())
            }
            None => {}
        }
        if let Some(text) =
            f.q.as_deref()
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
        {
            q = q.filter(
                Expr::expr(Func::lower(Expr::col(task::Column::Title)))
                    .like(LikeExpr::new(super::projects::contains_pattern(&text)).escape('\\')),
            );
        }
        match f.archived.as_deref().unwrap_or("false") {
            "false" | "" => q = q.filter(task::Column::ArchivedAt.is_null()),
            "true" => q = q.filter(task::Column::ArchivedAt.is_not_null()),
            "all" => {}
            _ => errors.push(FieldError::new("archived", "must be false, true or all")),
        }
        let sort = f
            .sort
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "due".into());
        if !["due", "updated_at", "-updated_at", "priority"].contains(&sort.as_str()) {
            errors.push(FieldError::new(
                "sort",
                "must be one of due, updated_at, -updated_at, priority",
            ));
        }
        collect_errors(errors)?;
        let db = self.store.reader();
        let rows = match assignee {
            None => fetch_sorted(db, q, &sort, page, limit, due_sorted_only).await?,
            // Assigned to a user directly or through a slot they fill: two index-ordered
            // queries (by assignee, and by the user's slots) merged here, instead of one OR
            // that the planner serves by walking every task in due order.
            Some(user) => {
                let slots: Vec<uuid::Uuid> = project_member::Entity::find()
                    .select_only()
                    .column(project_member::Column::Id)
                    .filter(project_member::Column::WorkspaceId.eq(scope.uuid()))
                    .filter(project_member::Column::UserId.eq(user))
                    .into_tuple()
                    .all(db)
                    .await
                    .map_err(db_err)?;
                let mut rows = fetch_sorted(
                    db,
                    q.clone().filter(task::Column::AssigneeUserId.eq(user)),
                    &sort,
                    page,
                    limit,
                    due_sorted_only,
                )
                .await?;
                if !slots.is_empty() {
                    rows.extend(
                        fetch_sorted(
                            db,
                            q.filter(task::Column::AssigneeSlotId.is_in(slots)),
                            &sort,
                            page,
                            limit,
                            due_sorted_only,
                        )
                        .await?,
                    );
                    rows.sort_by(|a, b| compare_in_list(&sort, a, b));
                    rows.dedup_by_key(|t| t.id);
                    rows.truncate(limit as usize + 1);
                }
                rows
            }
        };
        let key = match sort.as_str() {
            "due" => "due",
            "priority" => "priority",
            _ => "updated_at",
        };
        Ok((rows, limit, key))
    }

    /// A project's board: every live task by status column, in board order, as cards (the
    /// fields a card shows; a board holds hundreds, so long fields stay out).
    pub async fn project_board(&self, actor: &Actor, project_id: uuid::Uuid) -> Result<Arc<Board>> {
        self.project_board_window(actor, project_id, None).await
    }

    /// The board with at most `closed_limit` cards in the done and cancelled columns (the
    /// last ones moved there; a finished project's history would otherwise fill the page),
    /// and how many each column leaves out. Served from the read cache while the workspace
    /// is unchanged; the permission and the project's visibility are checked every time.
    pub async fn project_board_window<'a>(
        &self,
        actor: &Actor,
        project: impl Into<Target<'a, project::Model>>,
        closed_limit: Option<usize>,
    ) -> Result<Arc<Board>> {
        actor.require(Action::Read, Resource::Task)?;
        let p = self.seen_project(actor, project.into()).await?;
        self.cached(
            actor,
            "board",
            format!("{}/{closed_limit:?}", p.id),
            self.load_board(actor.scope(), p.id, closed_limit),
        )
        .await
    }

    /// Reads a board: its cards, then their tags, open prerequisites, slots and people.
    async fn load_board(
        &self,
        scope: WorkspaceScope,
        project_id: uuid::Uuid,
        closed_limit: Option<usize>,
    ) -> Result<Board> {
        let db = self.store.reader();
        type CardRow = (
            uuid::Uuid,
            String,
            String,
            String,
            Option<NaiveDate>,
            Option<uuid::Uuid>,
            Option<uuid::Uuid>,
            i64,
        );
        use task::Column as C;
        let rows: Vec<CardRow> = task::Entity::find()
            .select_only()
            .columns([
                C::Id,
                C::Title,
                C::Status,
                C::Priority,
                C::DueDate,
                C::AssigneeUserId,
                C::AssigneeSlotId,
                C::Position,
            ])
            .filter(C::ProjectId.eq(project_id))
            .filter(C::ArchivedAt.is_null())
            .order_by_asc(C::Status)
            .order_by_asc(C::Position)
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        // Keep the newest `closed_limit` cards of each closed column (the highest positions:
        // a task moved there lands at the end) before looking anything up for them.
        let mut hidden: HashMap<String, usize> = HashMap::new();
        let rows: Vec<CardRow> = match closed_limit {
            None => rows,
            Some(limit) => {
                let mut per_status: HashMap<String, usize> = HashMap::new();
                for r in rows.iter().filter(|r| !is_open_status(&r.2)) {
                    *per_status.entry(r.2.clone()).or_default() += 1;
                }
                let mut seen: HashMap<String, usize> = HashMap::new();
                rows.into_iter()
                    .filter(|r| {
                        let Some(total) = per_status.get(&r.2) else {
                            return true;
                        };
                        let i = seen.entry(r.2.clone()).or_default();
                        *i += 1;
                        let keep = *i + limit > *total;
                        if !keep {
                            *hidden.entry(r.2.clone()).or_default() += 1;
                        }
                        keep
                    })
                    .collect()
            }
        };
        let wanted = Wanted {
            tasks: rows.iter().map(|r| r.0).collect(),
            slots: rows.iter().filter_map(|r| r.6).collect(),
            people: rows.iter().filter_map(|r| r.5).collect(),
            ..Wanted::default()
        };
        let mut refs = TaskRefs::load(db, scope, &wanted).await?;
        let mut columns: Vec<CardColumn> = TaskStatus::ALL
            .iter()
            .map(|s| CardColumn {
                status: *s,
                cards: Vec::new(),
                hidden: hidden.get(s.as_str()).copied().unwrap_or(0),
            })
            .collect();
        for (id, title, status, priority, due_date, user, slot, position) in rows {
            let w = refs.waiting.remove(&id).unwrap_or_default();
            let card = BoardCard {
                assignee: refs.assignee(user, slot),
                slot: refs.slot(slot),
                blocked: w.blocks(&status),
                blocked_by: w.visible,
                tags: refs.tags.remove(&id).unwrap_or_default(),
                id,
                title,
                priority,
                due_date,
                position,
                status,
            };
            if let Some(col) = columns
                .iter_mut()
                .find(|c| c.status.as_str() == card.status)
            {
                col.cards.push(card);
            }
        }
        Ok(Board { columns })
    }

    /// The versions of a task, newest first.
    pub async fn task_versions(&self, actor: &Actor, id: uuid::Uuid) -> Result<Vec<VersionView>> {
        actor.require(Action::Read, Resource::Task)?;
        let t = self.visible_task(self.store.reader(), actor, id).await?;
        versions::views(self.store.reader(), actor.scope(), RECORD_TYPE, t.id).await
    }

    /// The differences between two versions of a task.
    pub async fn diff_task_versions(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        from: i64,
        to: i64,
    ) -> Result<Vec<FieldDiff>> {
        versions::diff(&self.task_versions(actor, id).await?, from, to)
    }

    /// Reverts a task to an earlier version, as a new version; references that no longer
    /// hold (a deleted milestone, a member who left) are refused with the field named.
    pub async fn revert_task(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        to_version: i64,
        if_match: Option<i64>,
    ) -> Result<TaskView> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let before = self.visible_task(db, actor, id).await?;
        actor.require(Action::Update, Resource::Task)?;
        check_version(if_match, before.version)?;
        let snap =
            versions::snapshot_at(db, actor.scope(), RECORD_TYPE, before.id, to_version).await?;
        let mut ch = changes_from_snapshot(&snap);
        if ch.project_id.flatten().is_some() {
            ch.client_id = None;
        }
        if let Some(ids) = ch.tags.take() {
            ch.tags = Some(tags::existing(db, actor.scope(), &ids).await?);
        }
        let mut after = before.clone();
        self.apply_task_changes(db, actor, &mut after, &ch, false)
            .await?;
        let tx = self.store.write().await.map_err(db_err)?;
        self.write_task(&tx, actor, &before, after, ch.tags.clone(), "task.reverted")
            .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_task(actor, id).await
    }
}

/// Runs a task list query in the order of `sort`, with keyset pagination from `page`;
/// returns up to `limit + 1` rows (the extra one only signals a next page).
async fn fetch_sorted<C: ConnectionTrait>(
    db: &C,
    mut q: cairn_store::sea_orm::Select<task::Entity>,
    sort: &str,
    page: &PageRequest,
    limit: u64,
    due_sorted_only: bool,
) -> Result<Vec<task::Model>> {
    let rows = match sort {
        "due" => {
            // Dated tasks by (due_date, id) from the index, then undated ones by id: two
            // index-ordered queries instead of a NULLS LAST sort that neither database
            // can serve from an index.
            let pos: Option<(Option<NaiveDate>, uuid::Uuid)> = page.position()?;
            let mut rows = Vec::new();
            if !matches!(pos, Some((None, _))) {
                let mut dq = q.clone().filter(task::Column::DueDate.is_not_null());
                if let Some((Some(d), id)) = pos {
                    dq = dq.filter(crate::page::after(
                        &[task::Column::DueDate, task::Column::Id],
                        &[d.into(), id.into()],
                        false,
                    ));
                }
                rows = dq
                    .order_by_asc(task::Column::DueDate)
                    .order_by_asc(task::Column::Id)
                    .limit(limit + 1)
                    .all(db)
                    .await
                    .map_err(db_err)?;
            }
            if (rows.len() as u64) <= limit && !due_sorted_only {
                let mut nq = q.filter(task::Column::DueDate.is_null());
                if let Some((None, id)) = pos {
                    nq = nq.filter(task::Column::Id.gt(id));
                }
                let more = nq
                    .order_by_asc(task::Column::Id)
                    .limit(limit + 1 - rows.len() as u64)
                    .all(db)
                    .await
                    .map_err(db_err)?;
                rows.extend(more);
            }
            rows
        }
        "priority" => {
            let order = [task::Column::Priority, task::Column::Id];
            if let Some((p, id)) = page.position::<(String, uuid::Uuid)>()? {
                q = q.filter(crate::page::after(&order, &[p.into(), id.into()], false));
            }
            q.order_by_asc(order[0])
                .order_by_asc(order[1])
                .limit(limit + 1)
                .all(db)
                .await
                .map_err(db_err)?
        }
        s => {
            let desc = s.starts_with('-');
            let order = [task::Column::UpdatedAt, task::Column::Id];
            if let Some((at, id)) = page.position::<(String, uuid::Uuid)>()? {
                let at = chrono::DateTime::parse_from_rfc3339(&at)
                    .map_err(|_| {
                        DomainError::invalid("cursor", "is not a cursor returned by this list")
                    })?
                    .with_timezone(&chrono::Utc);
                q = q.filter(crate::page::after(&order, &[at.into(), id.into()], desc));
            }
            for c in order {
                q = if desc {
                    q.order_by_desc(c)
                } else {
                    q.order_by_asc(c)
                };
            }
            q.limit(limit + 1).all(db).await.map_err(db_err)?
        }
    };
    Ok(rows)
}

/// The order of [`fetch_sorted`], for merging two of its results.
fn compare_in_list(sort: &str, a: &task::Model, b: &task::Model) -> std::cmp::Ordering {
    match sort {
        "due" => {
            (a.due_date.is_none(), a.due_date, a.id).cmp(&(b.due_date.is_none(), b.due_date, b.id))
        }
        "priority" => (&a.priority, a.id).cmp(&(&b.priority, b.id)),
        "-updated_at" => (b.updated_at, b.id).cmp(&(a.updated_at, a.id)),
        _ => (a.updated_at, a.id).cmp(&(b.updated_at, b.id)),
    }
}

fn batch_ids(ids: &[uuid::Uuid]) -> Result<Vec<uuid::Uuid>> {
    let ids = each_once(ids);
    if ids.is_empty() {
        return Err(DomainError::invalid("ids", "name at least one task"));
    }
    if ids.len() > MAX_BATCH {
        return Err(DomainError::invalid(
            "ids",
            format!("at most {MAX_BATCH} tasks at once"),
        ));
    }
    Ok(ids)
}
