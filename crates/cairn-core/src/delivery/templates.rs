//! Project templates: the built-ins from the domain plus workspace templates saved from
//! projects; applying a plan creates its role slots, milestones and tasks.

use std::collections::HashMap;

use cairn_domain::delivery::templates::{
    self as plans, MilestonePlan, SlotPlan, TaskPlan, TemplatePlan,
};
use cairn_domain::delivery::{Priority, ProjectType, TaskStatus};
use cairn_domain::{Action, DomainError, FieldError, Resource, Result, validate};
use cairn_store::entities::{milestone, project, project_member, project_template, task};
use cairn_store::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};

use crate::actor::Actor;
use crate::{Cairn, check_version, collect_errors, db_err, versions};

/// The record type workspace templates are versioned and audited under.
pub const RECORD_TYPE: &str = "project_template";

/// A template as the API and the picker show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    /// The built-in key (`ai-discovery`) or the workspace template's id.
    pub key: String,
    /// The workspace template's id; `None` for built-ins.
    pub id: Option<uuid::Uuid>,
    pub name: String,
    pub description: String,
    pub project_type: String,
    pub builtin: bool,
    #[schema(value_type = Object)]
    pub plan: Value,
    pub milestones: usize,
    pub tasks: usize,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

/// A template resolved for use.
pub(crate) struct Resolved {
    pub key: String,
    pub description: String,
    pub project_type: String,
    pub plan: TemplatePlan,
}

fn builtin_view(b: plans::BuiltinTemplate) -> TemplateView {
    TemplateView {
        key: b.key.into(),
        id: None,
        name: b.name.into(),
        description: b.description.into(),
        project_type: b.project_type.as_str().into(),
        builtin: true,
        milestones: b.plan.milestones.len(),
        tasks: b.plan.tasks.len(),
        plan: serde_json::to_value(&b.plan).unwrap_or(Value::Null),
        archived_at: None,
        version: 1,
    }
}

fn workspace_view(t: project_template::Model) -> TemplateView {
    let plan: TemplatePlan = serde_json::from_value(t.plan.clone()).unwrap_or_default();
    TemplateView {
        key: t.id.to_string(),
        id: Some(t.id),
        name: t.name,
        description: t.description,
        project_type: t.project_type,
        builtin: false,
        milestones: plan.milestones.len(),
        tasks: plan.tasks.len(),
        plan: t.plan,
        archived_at: t.archived_at,
        version: t.version,
    }
}

/// Gap between board positions, so a task can move between two neighbours without
/// renumbering the column.
pub(crate) const POSITION_GAP: i64 = 1024;

/// Creates a plan's slots, milestones and tasks under `p` (inside the caller's transaction);
/// returns how many of each.
pub(crate) async fn apply_plan<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    p: &project::Model,
    plan: &TemplatePlan,
    start: NaiveDate,
    working_days: &[u32],
) -> Result<(usize, usize, usize)> {
    let now = cairn_domain::time::now();
    let scope = actor.scope();
    let mut slot_ids: HashMap<&str, uuid::Uuid> = HashMap::new();
    for (i, s) in plan.slots.iter().enumerate() {
        let id = uuid::Uuid::now_v7();
        slot_ids.insert(s.key.as_str(), id);
        project_member::Entity::insert(project_member::ActiveModel {
            id: Set(id),
            workspace_id: Set(scope.uuid()),
            project_id: Set(p.id),
            role: Set(s.role.clone()),
            department: Set(s.department.clone()),
            user_id: Set(None),
            position: Set(i as i64),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(tx)
        .await
        .map_err(db_err)?;
    }
    let mut milestone_ids: HashMap<&str, uuid::Uuid> = HashMap::new();
    for (i, m) in plan.milestones.iter().enumerate() {
        let row = super::milestones::new_milestone(actor, p.id, i as i64, now);
        let row = milestone::Model {
            name: m.name.clone(),
            description: m.description.clone(),
            due_date: Some(m.due_on(start, working_days)),
            ..row
        };
        milestone_ids.insert(m.key.as_str(), row.id);
        milestone::Entity::insert(milestone::ActiveModel::from(row.clone()))
            .exec_without_returning(tx)
            .await
            .map_err(db_err)?;
        versions::snapshot(
            tx,
            scope,
            super::milestones::RECORD_TYPE,
            row.id,
            1,
            super::milestones::snapshot(&row),
            Some(actor.user_id.0),
        )
        .await?;
    }
    let mut rows = Vec::with_capacity(plan.tasks.len());
    for (i, t) in plan.tasks.iter().enumerate() {
        let mut row = super::tasks::new_task(actor, now);
        row.project_id = Some(p.id);
        row.client_id = Some(p.client_id);
        row.title = t.title.clone();
        row.description = t.description.clone();
        row.priority = t.priority.as_str().into();
        row.status = TaskStatus::Todo.as_str().into();
        row.due_date = Some(t.due_on(start, working_days));
        row.milestone_id = t
            .milestone
            .as_deref()
            .and_then(|k| milestone_ids.get(k).copied());
        row.assignee_slot_id = t.slot.as_deref().and_then(|k| slot_ids.get(k).copied());
        row.estimate_minutes = t.estimate_minutes;
        row.position = (i as i64 + 1) * POSITION_GAP;
        rows.push(row);
    }
    for chunk in rows.chunks(100) {
        task::Entity::insert_many(chunk.iter().cloned().map(task::ActiveModel::from))
            .exec_without_returning(tx)
            .await
            .map_err(db_err)?;
    }
    for row in &rows {
        versions::snapshot(
            tx,
            scope,
            super::tasks::RECORD_TYPE,
            row.id,
            1,
            super::tasks::snapshot(row, &[]),
            Some(actor.user_id.0),
        )
        .await?;
    }
    Ok((plan.slots.len(), plan.milestones.len(), rows.len()))
}

impl Cairn {
    /// A built-in key or a live workspace template id, or a field error on `template`.
    pub(crate) async fn resolve_template(&self, actor: &Actor, key: &str) -> Result<Resolved> {
        if let Some(b) = plans::builtin(key) {
            return Ok(Resolved {
                key: b.key.into(),
                description: b.description.into(),
                project_type: b.project_type.as_str().into(),
                plan: b.plan,
            });
        }
        let unknown = || {
            DomainError::invalid(
                "template",
                format!("{key} is not a template of this workspace"),
            )
        };
        let id = uuid::Uuid::parse_str(key).map_err(|_| unknown())?;
        let t = self
            .workspace_template(actor, id)
            .await
            .map_err(|_| unknown())?;
        if t.archived_at.is_some() {
            return Err(DomainError::invalid("template", "the template is archived"));
        }
        Ok(Resolved {
            key: t.id.to_string(),
            description: t.description.clone(),
            project_type: t.project_type.clone(),
            plan: serde_json::from_value(t.plan).map_err(|_| unknown())?,
        })
    }

    async fn workspace_template(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<project_template::Model> {
        project_template::Entity::find_by_id(id)
            .filter(project_template::Column::WorkspaceId.eq(actor.scope().uuid()))
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("template"))
    }

    /// Built-in templates, then the workspace's own (archived ones only when asked).
    pub async fn list_templates(
        &self,
        actor: &Actor,
        include_archived: bool,
    ) -> Result<Vec<TemplateView>> {
        actor.require(Action::Read, Resource::Template)?;
        let mut out: Vec<TemplateView> = plans::builtins().into_iter().map(builtin_view).collect();
        let mut q = project_template::Entity::find()
            .filter(project_template::Column::WorkspaceId.eq(actor.scope().uuid()))
            .order_by_asc(project_template::Column::Name);
        if !include_archived {
            q = q.filter(project_template::Column::ArchivedAt.is_null());
        }
        out.extend(
            q.all(self.store.reader())
                .await
                .map_err(db_err)?
                .into_iter()
                .map(workspace_view),
        );
        Ok(out)
    }

    /// One template by built-in key or workspace template id.
    pub async fn get_template(&self, actor: &Actor, key: &str) -> Result<TemplateView> {
        actor.require(Action::Read, Resource::Template)?;
        if let Some(b) = plans::builtin(key) {
            return Ok(builtin_view(b));
        }
        let id = uuid::Uuid::parse_str(key).map_err(|_| DomainError::NotFound("template"))?;
        Ok(workspace_view(self.workspace_template(actor, id).await?))
    }

    /// Saves a project's current role slots, milestones and live tasks (cancelled ones left
    /// out; done ones become plain tasks of the plan) as a workspace template, with offsets in
    /// working days from the project's start.
    pub async fn save_project_as_template(
        &self,
        actor: &Actor,
        project_id: uuid::Uuid,
        name: &str,
        description: &str,
    ) -> Result<TemplateView> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let p = self.visible_project(db, actor, project_id).await?;
        actor.require(Action::Create, Resource::Template)?;
        let mut errors = Vec::new();
        let name = validate::required_text("name", name, 200)
            .map_err(|e| errors.push(e))
            .ok();
        if description.chars().count() > 2_000 {
            errors.push(FieldError::new(
                "description",
                "must be at most 2000 characters",
            ));
        }
        collect_errors(errors)?;
        let working = self.working_days(actor).await?;
        let start = p.start_date.unwrap_or_else(|| p.created_at.date_naive());
        let offset =
            |d: Option<NaiveDate>| d.map(|d| working_offset(start, d, &working)).unwrap_or(0);
        let slots = project_member::Entity::find()
            .filter(project_member::Column::ProjectId.eq(p.id))
            .order_by_asc(project_member::Column::Position)
            .all(db)
            .await
            .map_err(db_err)?;
        let milestones = milestone::Entity::find()
            .filter(milestone::Column::ProjectId.eq(p.id))
            .filter(milestone::Column::ArchivedAt.is_null())
            .order_by_asc(milestone::Column::Position)
            .all(db)
            .await
            .map_err(db_err)?;
        let tasks = task::Entity::find()
            .filter(task::Column::ProjectId.eq(p.id))
            .filter(task::Column::ArchivedAt.is_null())
            .filter(task::Column::Status.ne(TaskStatus::Cancelled.as_str()))
            .order_by_asc(task::Column::Position)
            .all(db)
            .await
            .map_err(db_err)?;
        let slot_key = |id: uuid::Uuid| {
            format!(
                "slot-{}",
                slots.iter().position(|s| s.id == id).unwrap_or(0) + 1
            )
        };
        let ms_key = |id: uuid::Uuid| {
            format!(
                "m{}",
                milestones.iter().position(|m| m.id == id).unwrap_or(0) + 1
            )
        };
        let mut plan = TemplatePlan {
            slots: slots
                .iter()
                .map(|s| SlotPlan {
                    key: slot_key(s.id),
                    role: s.role.clone(),
                    department: s.department.clone(),
                })
                .collect(),
            milestones: milestones
                .iter()
                .map(|m| MilestonePlan {
                    key: ms_key(m.id),
                    name: m.name.clone(),
                    description: m.description.clone(),
                    offset_days: offset(m.due_date),
                })
                .collect(),
            tasks: tasks
                .iter()
                .map(|t| TaskPlan {
                    title: t.title.clone(),
                    description: t.description.clone(),
                    priority: Priority::parse("priority", &t.priority)
                        .unwrap_or(cairn_domain::delivery::DEFAULT_PRIORITY),
                    offset_days: offset(t.due_date),
                    milestone: t
                        .milestone_id
                        .filter(|m| milestones.iter().any(|x| x.id == *m))
                        .map(ms_key),
                    slot: t
                        .assignee_slot_id
                        .filter(|s| slots.iter().any(|x| x.id == *s))
                        .map(slot_key),
                    estimate_minutes: t.estimate_minutes,
                })
                .collect(),
            allow_due_before_start: p.allow_due_before_start,
        };
        if plan.milestones.iter().any(|m| m.offset_days < 0)
            || plan.tasks.iter().any(|t| t.offset_days < 0)
        {
            plan.allow_due_before_start = true;
        }
        plan.validate().map_err(DomainError::Invalid)?;
        let now = cairn_domain::time::now();
        let row = project_template::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: actor.scope().uuid(),
            name: name.expect("validated"),
            description: description.trim().into(),
            project_type: p.project_type.clone(),
            plan: serde_json::to_value(&plan).map_err(|e| DomainError::Internal(e.to_string()))?,
            created_at: now,
            created_by: Some(actor.user_id.0),
            updated_at: now,
            updated_by: Some(actor.user_id.0),
            version: 1,
            archived_at: None,
            custom: json!({}),
        };
        let tx = self.store.write().await.map_err(db_err)?;
        project_template::Entity::insert(project_template::ActiveModel::from(row.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        versions::record_change(
            &tx,
            actor,
            "template.created",
            RECORD_TYPE,
            row.id,
            None,
            None,
            template_snapshot(&row),
            1,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(workspace_view(row))
    }

    /// Edits a workspace template's name, description, type or plan (built-ins are fixed).
    #[allow(clippy::too_many_arguments)]
    pub async fn update_template(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        name: Option<String>,
        description: Option<String>,
        project_type: Option<String>,
        plan: Option<Value>,
        if_match: Option<i64>,
    ) -> Result<TemplateView> {
        actor.require(Action::Read, Resource::Template)?;
        let before = self.workspace_template(actor, id).await?;
        actor.require(Action::Update, Resource::Template)?;
        let mut after = before.clone();
        let mut errors = Vec::new();
        if let Some(n) = name {
            match validate::required_text("name", &n, 200) {
                Ok(n) => after.name = n,
                Err(e) => errors.push(e),
            }
        }
        if let Some(d) = description {
            if d.chars().count() > 2_000 {
                errors.push(FieldError::new(
                    "description",
                    "must be at most 2000 characters",
                ));
            } else {
                after.description = d.trim().into();
            }
        }
        if let Some(t) = project_type {
            match ProjectType::parse("project_type", &t) {
                Ok(t) => after.project_type = t.as_str().into(),
                Err(e) => errors.push(e),
            }
        }
        if let Some(p) = plan {
            match TemplatePlan::from_json(&p.to_string()) {
                Ok(p) => after.plan = serde_json::to_value(&p).unwrap_or(Value::Null),
                Err(e) => errors.extend(e),
            }
        }
        collect_errors(errors)?;
        check_version(if_match, before.version)?;
        self.write_template(actor, before, after, "template.updated")
            .await
    }

    /// Archives or restores a workspace template.
    pub async fn set_template_archived(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        archived: bool,
    ) -> Result<TemplateView> {
        actor.require(Action::Read, Resource::Template)?;
        let before = self.workspace_template(actor, id).await?;
        actor.require(Action::Archive, Resource::Template)?;
        if before.archived_at.is_some() == archived {
            return Err(DomainError::Conflict(format!(
                "the template is already {}",
                if archived { "archived" } else { "active" }
            )));
        }
        let mut after = before.clone();
        after.archived_at = archived.then(cairn_domain::time::now);
        self.write_template(
            actor,
            before,
            after,
            if archived {
                "template.archived"
            } else {
                "template.restored"
            },
        )
        .await
    }

    async fn write_template(
        &self,
        actor: &Actor,
        before: project_template::Model,
        mut after: project_template::Model,
        action: &'static str,
    ) -> Result<TemplateView> {
        after.version = before.version + 1;
        after.updated_at = cairn_domain::time::now();
        after.updated_by = Some(actor.user_id.0);
        let tx = self.store.write().await.map_err(db_err)?;
        let mut am = project_template::ActiveModel::from(after.clone()).reset_all();
        am.id = cairn_store::sea_orm::ActiveValue::Unchanged(after.id);
        use project_template::Column as Col;
        versions::write_if_current::<project_template::Entity, _>(
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
            None,
            Some(&template_snapshot(&before)),
            template_snapshot(&after),
            after.version,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(workspace_view(after))
    }
}

fn template_snapshot(t: &project_template::Model) -> Value {
    json!({"name": t.name, "description": t.description, "project_type": t.project_type, "plan": t.plan, "archived": t.archived_at.is_some()})
}

/// Working days from `start` to `date` (negative when before), the inverse of
/// `add_working_days` for dates that are working days.
fn working_offset(start: NaiveDate, date: NaiveDate, working: &[u32]) -> i32 {
    use cairn_domain::delivery::workdays::is_working_day;
    let (lo, hi, sign) = if date >= start {
        (start, date, 1)
    } else {
        (date, start, -1)
    };
    let mut n = 0i32;
    let mut d = lo;
    while d < hi && n < 3650 {
        d = d.succ_opt().unwrap_or(d);
        if is_working_day(d, working) {
            n += 1;
        }
    }
    sign * n
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_domain::delivery::workdays::add_working_days;

    #[test]
    fn working_offset_inverts_add_working_days() {
        let start = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(); // a Monday
        let week = [1, 2, 3, 4, 5];
        for off in [0, 1, 4, 5, 12, 40] {
            let d = add_working_days(start, off, &week);
            assert_eq!(working_offset(start, d, &week), off, "offset {off}");
        }
    }
}
