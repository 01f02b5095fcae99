//! Milestones: a project's checkpoints, with progress derived from their tasks (done ÷ all,
//! cancelled excluded) unless set by hand.

use std::collections::HashMap;

use cairn_domain::delivery::{MilestoneStatus, TaskStatus};
use cairn_domain::{Action, DomainError, FieldError, Resource, Result, validate};
use cairn_store::entities::{milestone, project, task};
use cairn_store::sea_orm::sea_query::{Expr, ExprTrait};
use cairn_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};

use super::parse_date;
use crate::actor::Actor;
use crate::seen::Target;
use crate::versions::{self, FieldDiff, VersionView};
use crate::{Cairn, check_version, collect_errors, db_err};

/// The record type milestones are versioned and audited under.
pub const RECORD_TYPE: &str = "milestone";

/// A milestone as the API and the project page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MilestoneView {
    pub id: uuid::Uuid,
    pub project_id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub due_date: Option<NaiveDate>,
    pub status: String,
    /// Percent done.
    pub progress: u8,
    /// Whether `progress` was set by hand rather than derived from tasks.
    pub progress_manual: bool,
    /// Tasks counted for progress (cancelled excluded) and how many are done.
    pub tasks_total: u64,
    pub tasks_done: u64,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

/// Changes to a milestone; on update absent fields stay, `Some(None)` clears.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MilestoneChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub due_date: Option<Option<String>>,
    pub status: Option<String>,
    /// A percentage set by hand; `Some(None)` goes back to deriving it from tasks.
    pub progress: Option<Option<i32>>,
}

/// A blank milestone row for `project`.
pub(crate) fn new_milestone(
    actor: &Actor,
    project: uuid::Uuid,
    position: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> milestone::Model {
    milestone::Model {
        id: uuid::Uuid::now_v7(),
        workspace_id: actor.scope().uuid(),
        project_id: project,
        name: String::new(),
        description: String::new(),
        due_date: None,
        status: MilestoneStatus::NotStarted.as_str().into(),
        progress_manual: None,
        position,
        created_at: now,
        created_by: Some(actor.user_id.0),
        updated_at: now,
        updated_by: Some(actor.user_id.0),
        version: 1,
        archived_at: None,
        custom: json!({}),
    }
}

/// The versioned snapshot of a milestone.
pub(crate) fn snapshot(m: &milestone::Model) -> Value {
    json!({"name": m.name, "description": m.description, "due_date": m.due_date, "status": m.status,
           "progress": m.progress_manual, "archived": m.archived_at.is_some()})
}

fn apply(m: &mut milestone::Model, ch: &MilestoneChanges, creating: bool) -> Result<()> {
    let mut errors = Vec::new();
    match (&ch.name, creating) {
        (Some(n), _) => match validate::required_text("name", n, 200) {
            Ok(n) => m.name = n,
            Err(e) => errors.push(e),
        },
        (None, true) => errors.push(FieldError::new("name", "is required")),
        (None, false) => {}
    }
    if let Some(d) = &ch.description {
        if d.chars().count() > 20_000 {
            errors.push(FieldError::new(
                "description",
                "must be at most 20000 characters",
            ));
        } else {
            m.description = d.clone();
        }
    }
    if let Some(d) = &ch.due_date {
        match d.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => m.due_date = None,
            Some(t) => match parse_date("due_date", t) {
                Ok(d) => m.due_date = Some(d),
                Err(e) => errors.push(e),
            },
        }
    }
    if let Some(s) = &ch.status {
        match MilestoneStatus::parse("status", s) {
            Ok(s) => m.status = s.as_str().into(),
            Err(e) => errors.push(e),
        }
    }
    if let Some(p) = ch.progress {
        match p {
            None => m.progress_manual = None,
            Some(p) if (0..=100).contains(&p) => m.progress_manual = Some(p),
            Some(_) => errors.push(FieldError::new("progress", "must be between 0 and 100")),
        }
    }
    collect_errors(errors)
}

/// Done and counted (not cancelled) tasks per milestone.
async fn task_counts<C: ConnectionTrait>(
    db: &C,
    ids: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, (u64, u64)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(uuid::Uuid, String, i64)> = task::Entity::find()
        .select_only()
        .column(task::Column::MilestoneId)
        .column(task::Column::Status)
        .column_as(Expr::col(task::Column::Id).count(), "n")
        .filter(task::Column::MilestoneId.is_in(ids.to_vec()))
        .filter(task::Column::ArchivedAt.is_null())
        .group_by(task::Column::MilestoneId)
        .group_by(task::Column::Status)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let mut out: HashMap<uuid::Uuid, (u64, u64)> = HashMap::new();
    for (m, status, n) in rows {
        let n = std::cmp::max(n, 0) as u64;
        let e = out.entry(m).or_default();
        if status == TaskStatus::Cancelled.as_str() {
            continue;
        }
        e.0 += n;
        if status == TaskStatus::Done.as_str() {
            e.1 += n;
        }
    }
    Ok(out)
}

pub(crate) async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<milestone::Model>,
) -> Result<Vec<MilestoneView>> {
    let counts = task_counts(db, &rows.iter().map(|m| m.id).collect::<Vec<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let (total, done) = counts.get(&m.id).copied().unwrap_or((0, 0));
            let derived = (done * 100).checked_div(total).unwrap_or(0) as u8;
            MilestoneView {
                progress: m
                    .progress_manual
                    .map(|p| p.clamp(0, 100) as u8)
                    .unwrap_or(derived),
                progress_manual: m.progress_manual.is_some(),
                tasks_total: total,
                tasks_done: done,
                id: m.id,
                project_id: m.project_id,
                name: m.name,
                description: m.description,
                due_date: m.due_date,
                status: m.status,
                archived_at: m.archived_at,
                version: m.version,
            }
        })
        .collect())
}

impl Cairn {
    /// A milestone the actor may see (through its project's client), or `NotFound`.
    pub(crate) async fn visible_milestone<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<milestone::Model> {
        let m = milestone::Entity::find_by_id(id)
            .filter(milestone::Column::WorkspaceId.eq(actor.scope().uuid()))
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("milestone"))?;
        self.visible_project(db, actor, m.project_id)
            .await
            .map_err(|_| DomainError::NotFound("milestone"))?;
        Ok(m)
    }

    /// A project's milestones in order (archived ones only when asked).
    pub async fn list_milestones<'a>(
        &self,
        actor: &Actor,
        project: impl Into<Target<'a, project::Model>>,
        include_archived: bool,
    ) -> Result<Vec<MilestoneView>> {
        actor.require(Action::Read, Resource::Milestone)?;
        let db = self.store.reader();
        let p = self.seen_project(actor, project.into()).await?;
        let mut q = milestone::Entity::find()
            .filter(milestone::Column::ProjectId.eq(p.id))
            .order_by_asc(milestone::Column::Position)
            .order_by_asc(milestone::Column::Id);
        if !include_archived {
            q = q.filter(milestone::Column::ArchivedAt.is_null());
        }
        views(db, q.all(db).await.map_err(db_err)?).await
    }

    /// One milestone.
    pub async fn get_milestone(&self, actor: &Actor, id: uuid::Uuid) -> Result<MilestoneView> {
        actor.require(Action::Read, Resource::Milestone)?;
        let db = self.store.reader();
        let m = self.visible_milestone(db, actor, id).await?;
        Ok(views(db, vec![m]).await?.remove(0))
    }

    /// Adds a milestone to a project.
    pub async fn create_milestone(
        &self,
        actor: &Actor,
        project_id: uuid::Uuid,
        ch: MilestoneChanges,
    ) -> Result<MilestoneView> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let p = self.visible_project(db, actor, project_id).await?;
        actor.require(Action::Create, Resource::Milestone)?;
        let last: Option<i64> = milestone::Entity::find()
            .select_only()
            .column_as(Expr::col(milestone::Column::Position).max(), "m")
            .filter(milestone::Column::ProjectId.eq(p.id))
            .into_tuple()
            .one(db)
            .await
            .map_err(db_err)?
            .flatten();
        let mut m = new_milestone(
            actor,
            p.id,
            last.map_or(0, |l| l + 1),
            cairn_domain::time::now(),
        );
        apply(&mut m, &ch, true)?;
        let tx = self.store.write().await.map_err(db_err)?;
        milestone::Entity::insert(milestone::ActiveModel::from(m.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        versions::record_change(
            &tx,
            actor,
            "milestone.created",
            RECORD_TYPE,
            m.id,
            Some(p.client_id),
            None,
            snapshot(&m),
            1,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_milestone(actor, m.id).await
    }

    /// Updates a milestone.
    pub async fn update_milestone(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        ch: MilestoneChanges,
        if_match: Option<i64>,
    ) -> Result<MilestoneView> {
        actor.require(Action::Read, Resource::Milestone)?;
        let before = self
            .visible_milestone(self.store.reader(), actor, id)
            .await?;
        actor.require(Action::Update, Resource::Milestone)?;
        let mut after = before.clone();
        apply(&mut after, &ch, false)?;
        check_version(if_match, before.version)?;
        self.write_milestone(actor, before, after, "milestone.updated")
            .await
    }

    async fn write_milestone(
        &self,
        actor: &Actor,
        before: milestone::Model,
        mut after: milestone::Model,
        action: &'static str,
    ) -> Result<MilestoneView> {
        let p = self
            .visible_project(self.store.reader(), actor, before.project_id)
            .await?;
        after.version = before.version + 1;
        after.updated_at = cairn_domain::time::now();
        after.updated_by = Some(actor.user_id.0);
        let tx = self.store.write().await.map_err(db_err)?;
        let mut am = milestone::ActiveModel::from(after.clone()).reset_all();
        am.id = cairn_store::sea_orm::ActiveValue::Unchanged(after.id);
        use milestone::Column as Col;
        versions::write_if_current::<milestone::Entity, _>(
            &tx,
            actor.scope(),
            am,
            (Col::Id, Col::WorkspaceId, Col::Version),
            before.id,
            before.version,
        )
        .await?;
        versions::record_change(
            &tx,
            actor,
            action,
            RECORD_TYPE,
            after.id,
            Some(p.client_id),
            Some(&snapshot(&before)),
            snapshot(&after),
            after.version,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_milestone(actor, after.id).await
    }

    /// Archives or restores a milestone.
    pub async fn set_milestone_archived(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        archived: bool,
    ) -> Result<MilestoneView> {
        actor.require(Action::Read, Resource::Milestone)?;
        let before = self
            .visible_milestone(self.store.reader(), actor, id)
            .await?;
        actor.require(Action::Archive, Resource::Milestone)?;
        if before.archived_at.is_some() == archived {
            return Err(DomainError::Conflict(format!(
                "the milestone is already {}",
                if archived { "archived" } else { "active" }
            )));
        }
        let mut after = before.clone();
        after.archived_at = archived.then(cairn_domain::time::now);
        self.write_milestone(
            actor,
            before,
            after,
            if archived {
                "milestone.archived"
            } else {
                "milestone.restored"
            },
        )
        .await
    }

    /// Deletes a milestone; its tasks stay, without a milestone.
    pub async fn delete_milestone(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require(Action::Read, Resource::Milestone)?;
        let db = self.store.reader();
        let m = self.visible_milestone(db, actor, id).await?;
        actor.require(Action::Delete, Resource::Milestone)?;
        let p = self.visible_project(db, actor, m.project_id).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        task::Entity::update_many()
            .col_expr(
                task::Column::MilestoneId,
                Expr::value(Option::<uuid::Uuid>::None),
            )
            .filter(task::Column::MilestoneId.eq(m.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        milestone::Entity::delete_by_id(m.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        crate::audit::record(
            &tx,
            crate::audit::Event::by(actor, "milestone.deleted", RECORD_TYPE, m.id)
                .client(p.client_id)
                .changes(json!({"name": [m.name, null]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    /// The versions of a milestone, newest first.
    pub async fn milestone_versions(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<Vec<VersionView>> {
        actor.require(Action::Read, Resource::Milestone)?;
        let m = self
            .visible_milestone(self.store.reader(), actor, id)
            .await?;
        versions::views(self.store.reader(), actor.scope(), RECORD_TYPE, m.id).await
    }

    /// The differences between two versions of a milestone.
    pub async fn diff_milestone_versions(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        from: i64,
        to: i64,
    ) -> Result<Vec<FieldDiff>> {
        versions::diff(&self.milestone_versions(actor, id).await?, from, to)
    }

    /// Reverts a milestone to an earlier version, as a new version.
    pub async fn revert_milestone(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        to_version: i64,
        if_match: Option<i64>,
    ) -> Result<MilestoneView> {
        actor.require(Action::Read, Resource::Milestone)?;
        let db = self.store.reader();
        let before = self.visible_milestone(db, actor, id).await?;
        actor.require(Action::Update, Resource::Milestone)?;
        check_version(if_match, before.version)?;
        let s =
            versions::snapshot_at(db, actor.scope(), RECORD_TYPE, before.id, to_version).await?;
        let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
        let ch = MilestoneChanges {
            name: text("name"),
            description: text("description"),
            due_date: Some(text("due_date")),
            status: text("status"),
            progress: Some(s.get("progress").and_then(Value::as_i64).map(|p| p as i32)),
        };
        let mut after = before.clone();
        apply(&mut after, &ch, false)?;
        self.write_milestone(actor, before, after, "milestone.reverted")
            .await
    }
}
