//! Projects: fields, list, health history, creation from a template, save as template,
//! archive, permanent delete, versions with diff and revert.

use std::collections::HashMap;

use cairn_domain::delivery::{BudgetType, Health, ProjectStatus, ProjectType};
use cairn_domain::{Action, DomainError, FieldError, Resource, Result, validate};
use cairn_store::entities::{milestone, project, project_health, record_version, task, time_entry};
use cairn_store::sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use cairn_store::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ClientRef, parse_date};
use crate::actor::Actor;
use crate::clients::UserRef;
use crate::page::{Page, PageRequest};
use crate::seen::Target;
use crate::tags::{self, TagRef};
use crate::versions::{self, FieldDiff, VersionView};
use crate::{Cairn, check_version, collect_errors, db_err};

/// The record type projects are tagged, versioned and audited under.
pub const RECORD_TYPE: &str = "project";

/// A project as the API and its page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    pub id: uuid::Uuid,
    pub client: ClientRef,
    pub name: String,
    pub project_type: String,
    pub status: String,
    pub start_date: Option<NaiveDate>,
    pub target_end_date: Option<NaiveDate>,
    /// Markdown.
    pub goals: String,
    /// Markdown.
    pub description: String,
    pub budget_type: Option<String>,
    /// In the workspace currency.
    pub budget_value: Option<f64>,
    pub health: Option<String>,
    pub health_summary: Option<String>,
    pub health_updated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The template it was created from (a built-in key or a workspace template id).
    pub template: Option<String>,
    pub tags: Vec<TagRef>,
    #[schema(value_type = Object)]
    pub custom: Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

/// Changes to a project. On create `client_id` and `name` are required; on update absent
/// fields stay and `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct ProjectChanges {
    pub client_id: Option<uuid::Uuid>,
    pub name: Option<String>,
    pub project_type: Option<String>,
    pub status: Option<String>,
    pub start_date: Option<Option<String>>,
    pub target_end_date: Option<Option<String>>,
    pub goals: Option<String>,
    pub description: Option<String>,
    pub budget_type: Option<Option<String>>,
    pub budget_value: Option<Option<f64>>,
    pub tags: Option<Vec<uuid::Uuid>>,
    pub custom: Option<Value>,
}

/// Filters and sort of the project list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProjectFilter {
    pub client: Option<uuid::Uuid>,
    /// One status or several separated by commas.
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub project_type: Option<String>,
    /// `on_track`, `at_risk`, `off_track` or `none`.
    pub health: Option<String>,
    pub tag: Option<uuid::Uuid>,
    /// Text in the name.
    pub q: Option<String>,
    /// `false` (default), `true` or `all`.
    pub archived: Option<String>,
    /// `name`, `updated_at`, `start_date`, `target_end_date`; `-` for descending.
    pub sort: Option<String>,
}

/// One entry of a project's health history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HealthEntry {
    pub health: String,
    pub summary: String,
    pub set_at: chrono::DateTime<chrono::Utc>,
    pub set_by: Option<UserRef>,
}

/// The snapshot versioned for a project: its editable fields, spelled as the API takes them
/// so a revert replays it as changes.
fn snapshot(p: &project::Model, tag_ids: &[uuid::Uuid]) -> Value {
    json!({
        "client_id": p.client_id, "name": p.name, "project_type": p.project_type, "status": p.status,
        "start_date": p.start_date, "target_end_date": p.target_end_date, "goals": p.goals,
        "description": p.description, "budget_type": p.budget_type,
        "budget_value": p.budget_cents.map(cents_to_value), "tags": tag_ids, "custom": p.custom,
        "archived": p.archived_at.is_some(),
    })
}

fn cents_to_value(c: i64) -> f64 {
    c as f64 / 100.0
}

/// Changes from a stored snapshot, for revert.
fn changes_from_snapshot(s: &Value) -> ProjectChanges {
    let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
    ProjectChanges {
        client_id: text("client_id").and_then(|c| uuid::Uuid::parse_str(&c).ok()),
        name: text("name"),
        project_type: text("project_type"),
        status: text("status"),
        start_date: Some(text("start_date")),
        target_end_date: Some(text("target_end_date")),
        goals: text("goals"),
        description: text("description"),
        budget_type: Some(text("budget_type")),
        budget_value: Some(s.get("budget_value").and_then(Value::as_f64)),
        tags: s.get("tags").and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(|t| uuid::Uuid::parse_str(t).ok())
                .collect()
        }),
        custom: s.get("custom").cloned().filter(Value::is_object),
    }
}

impl Cairn {
    /// Validates `ch` onto `p`, collecting every field error.
    async fn apply_project_changes<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        p: &mut project::Model,
        ch: &ProjectChanges,
        creating: bool,
    ) -> Result<()> {
        let mut errors: Vec<FieldError> = Vec::new();
        match (&ch.name, creating) {
            (Some(n), _) => match validate::required_text("name", n, 200) {
                Ok(n) => {
                    p.sort_key = n.to_lowercase();
                    p.name = n;
                }
                Err(e) => errors.push(e),
            },
            (None, true) => errors.push(FieldError::new("name", "is required")),
            (None, false) => {}
        }
        match (ch.client_id, creating) {
            (Some(c), _) => {
                if c != p.client_id || creating {
                    match self.visible_client(db, actor, c).await {
                        Ok(cl) if cl.archived_at.is_none() => p.client_id = c,
                        Ok(_) => {
                            errors.push(FieldError::new("client_id", "the client is archived"))
                        }
                        Err(DomainError::NotFound(_)) => {
                            errors.push(FieldError::new("client_id", "no such client"))
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            (None, true) => errors.push(FieldError::new("client_id", "is required")),
            (None, false) => {}
        }
        if let Some(t) = &ch.project_type {
            match ProjectType::parse("project_type", t) {
                Ok(t) => p.project_type = t.as_str().into(),
                Err(e) => errors.push(e),
            }
        }
        if let Some(s) = &ch.status {
            match ProjectStatus::parse("status", s) {
                Ok(s) => p.status = s.as_str().into(),
                Err(e) => errors.push(e),
            }
        }
        let mut date = |field: &str, v: &Option<Option<String>>, target: &mut Option<NaiveDate>| {
            if let Some(v) = v {
                match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    None => *target = None,
                    Some(t) => match parse_date(field, t) {
                        Ok(d) => *target = Some(d),
                        Err(e) => errors.push(e),
                    },
                }
            }
        };
        date("start_date", &ch.start_date, &mut p.start_date);
        date(
            "target_end_date",
            &ch.target_end_date,
            &mut p.target_end_date,
        );
        if let (Some(s), Some(e)) = (p.start_date, p.target_end_date)
            && e < s
        {
            errors.push(FieldError::new(
                "target_end_date",
                "must not be before the start date",
            ));
        }
        for (field, value, target) in [
            ("goals", &ch.goals, &mut p.goals),
            ("description", &ch.description, &mut p.description),
        ] {
            if let Some(v) = value {
                if v.chars().count() > 50_000 {
                    errors.push(FieldError::new(field, "must be at most 50000 characters"));
                } else {
                    *target = v.clone();
                }
            }
        }
        if let Some(b) = &ch.budget_type {
            match b.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                None => p.budget_type = None,
                Some(t) => match BudgetType::parse("budget_type", t) {
                    Ok(t) => p.budget_type = Some(t.as_str().into()),
                    Err(e) => errors.push(e),
                },
            }
        }
        if let Some(v) = ch.budget_value {
            match v {
                None => p.budget_cents = None,
                Some(v) if v.is_finite() && (0.0..1e12).contains(&v) => {
                    p.budget_cents = Some((v * 100.0).round() as i64)
                }
                Some(_) => errors.push(FieldError::new(
                    "budget_value",
                    "must be a number from 0 to 999999999999",
                )),
            }
        }
        if let Some(c) = &ch.custom {
            if !c.is_object() {
                errors.push(FieldError::new("custom", "must be a JSON object"));
            } else if c.to_string().len() > 16_384 {
                errors.push(FieldError::new("custom", "must be at most 16 KiB"));
            } else {
                p.custom = c.clone();
            }
        }
        if let Some(ids) = &ch.tags
            && let Err(e) = tags::check_tags(db, actor.scope(), "tags", ids).await
        {
            errors.push(e);
        }
        collect_errors(errors)
    }

    async fn project_views<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        rows: Vec<project::Model>,
    ) -> Result<Vec<ProjectView>> {
        let ids: Vec<uuid::Uuid> = rows.iter().map(|p| p.id).collect();
        let mut tag_map = tags::tags_for(db, actor.scope(), RECORD_TYPE, &ids).await?;
        let clients = self
            .client_names(
                db,
                actor,
                &rows.iter().map(|p| p.client_id).collect::<Vec<_>>(),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|p| ProjectView {
                client: ClientRef {
                    id: p.client_id,
                    name: clients.get(&p.client_id).cloned().unwrap_or_default(),
                },
                tags: tag_map.remove(&p.id).unwrap_or_default(),
                id: p.id,
                name: p.name,
                project_type: p.project_type,
                status: p.status,
                start_date: p.start_date,
                target_end_date: p.target_end_date,
                goals: p.goals,
                description: p.description,
                budget_type: p.budget_type,
                budget_value: p.budget_cents.map(cents_to_value),
                health: p.health,
                health_summary: p.health_summary,
                health_updated_at: p.health_updated_at,
                template: p.template_key,
                custom: p.custom,
                created_at: p.created_at,
                updated_at: p.updated_at,
                archived_at: p.archived_at,
                version: p.version,
            })
            .collect())
    }

    /// One project.
    pub async fn get_project<'a>(
        &self,
        actor: &Actor,
        project: impl Into<Target<'a, project::Model>>,
    ) -> Result<ProjectView> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let p = self.seen_project(actor, project.into()).await?.into_owned();
        Ok(self.project_views(db, actor, vec![p]).await?.remove(0))
    }

    /// Checks that the actor may create projects (before showing the form).
    pub fn may_create_project(&self, actor: &Actor) -> Result<()> {
        actor.require(Action::Create, Resource::Project)
    }

    /// A project for its edit form: visible, and the actor may edit it.
    pub async fn project_for_edit(&self, actor: &Actor, id: uuid::Uuid) -> Result<ProjectView> {
        let p = self.get_project(actor, id).await?;
        actor.require(Action::Update, Resource::Project)?;
        Ok(p)
    }

    /// The project list: filters, sort and keyset pagination.
    pub async fn list_projects(
        &self,
        actor: &Actor,
        f: &ProjectFilter,
        page: &PageRequest,
    ) -> Result<Page<ProjectView>> {
        actor.require(Action::Read, Resource::Project)?;
        let limit = page.limit()?;
        let scope = actor.scope();
        let mut q = project::Entity::find()
            .filter(scope.client_filter(project::Column::WorkspaceId, project::Column::ClientId));
        let mut errors = Vec::new();
        if let Some(c) = f.client {
            q = q.filter(project::Column::ClientId.eq(c));
        }
        let mut multi =
            |field: &str,
             raw: &Option<String>,
             parse: &dyn Fn(&str) -> Result<String, FieldError>| {
                raw.as_deref().filter(|s| !s.trim().is_empty()).map(|s| {
                    s.split(',')
                        .filter_map(|v| {
                            parse(v)
                                .map_err(|e| errors.push(FieldError::new(field, e.reason)))
                                .ok()
                        })
                        .collect::<Vec<String>>()
                })
            };
        let statuses = multi("status", &f.status, &|v| {
            ProjectStatus::parse("status", v).map(|s| s.as_str().into())
        });
        let types = multi("type", &f.project_type, &|v| {
            ProjectType::parse("type", v).map(|s| s.as_str().into())
        });
        let healths = multi("health", &f.health, &|v| {
            if v.trim() == "none" {
                Ok("none".into())
            } else {
                Health::parse("health", v).map(|s| s.as_str().into())
            }
        });
        if let Some(s) = statuses {
            q = q.filter(project::Column::Status.is_in(s));
        }
        if let Some(t) = types {
            q = q.filter(project::Column::ProjectType.is_in(t));
        }
        if let Some(h) = healths {
            let mut any = Condition::any();
            if h.iter().any(|x| x == "none") {
                any = any.add(project::Column::Health.is_null());
            }
            let set: Vec<String> = h.into_iter().filter(|x| x != "none").collect();
            if !set.is_empty() {
                any = any.add(project::Column::Health.is_in(set));
            }
            q = q.filter(any);
        }
        if let Some(tag) = f.tag {
            q = q.filter(tags::tagged_with(
                tag,
                RECORD_TYPE,
                (project::Entity, project::Column::Id),
            ));
        }
        if let Some(text) =
            f.q.as_deref()
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
        {
            q = q.filter(
                Expr::col(project::Column::SortKey)
                    .like(LikeExpr::new(contains_pattern(&text)).escape('\\')),
            );
        }
        match f.archived.as_deref().unwrap_or("false") {
            "false" | "" => q = q.filter(project::Column::ArchivedAt.is_null()),
            "true" => q = q.filter(project::Column::ArchivedAt.is_not_null()),
            "all" => {}
            _ => errors.push(FieldError::new("archived", "must be false, true or all")),
        }
        let sort = f
            .sort
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "name".into());
        let (key, desc) = match sort.strip_prefix('-') {
            Some(k) => (k.to_string(), true),
            None => (sort.clone(), false),
        };
        use project::Column as C;
        let first = match key.as_str() {
            "name" => C::SortKey,
            "updated_at" => C::UpdatedAt,
            _ => {
                errors.push(FieldError::new(
                    "sort",
                    "must be one of name, updated_at (prefix - for descending)",
                ));
                C::SortKey
            }
        };
        collect_errors(errors)?;
        let order = [first, C::Id];
        if let Some((a, id)) = page.position::<(String, uuid::Uuid)>()? {
            let v: cairn_store::sea_orm::Value = if key == "updated_at" {
                chrono::DateTime::parse_from_rfc3339(&a)
                    .map_err(|_| {
                        DomainError::invalid("cursor", "is not a cursor returned by this list")
                    })?
                    .with_timezone(&chrono::Utc)
                    .into()
            } else {
                a.into()
            };
            q = q.filter(crate::page::after(&order, &[v, id.into()], desc));
        }
        for col in order {
            q = if desc {
                q.order_by_desc(col)
            } else {
                q.order_by_asc(col)
            };
        }
        let db = self.store.reader();
        let rows = q.limit(limit + 1).all(db).await.map_err(db_err)?;
        let items = self.project_views(db, actor, rows).await?;
        Ok(Page::from_rows(items, limit, |p: &ProjectView| {
            if key == "updated_at" {
                (
                    p.updated_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    p.id,
                )
            } else {
                (p.name.to_lowercase(), p.id)
            }
        }))
    }

    /// Visible live projects whose health is at risk or off track, for the dashboard.
    pub async fn count_projects_at_risk(&self, actor: &Actor) -> Result<u64> {
        use cairn_store::sea_orm::PaginatorTrait;
        actor.require(Action::Read, Resource::Project)?;
        project::Entity::find()
            .filter(
                actor
                    .scope()
                    .client_filter(project::Column::WorkspaceId, project::Column::ClientId),
            )
            .filter(project::Column::ArchivedAt.is_null())
            .filter(
                project::Column::Health.is_in([Health::AtRisk.as_str(), Health::OffTrack.as_str()]),
            )
            .count(self.store.reader())
            .await
            .map_err(db_err)
    }

    /// Current projects the actor may see as (id, client name, project name), by name: the
    /// options of a picker.
    pub async fn project_choices(
        &self,
        actor: &Actor,
        limit: u64,
    ) -> Result<Vec<(uuid::Uuid, String, String)>> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let rows: Vec<(uuid::Uuid, uuid::Uuid, String)> = project::Entity::find()
            .select_only()
            .column(project::Column::Id)
            .column(project::Column::ClientId)
            .column(project::Column::Name)
            .filter(
                actor
                    .scope()
                    .client_filter(project::Column::WorkspaceId, project::Column::ClientId),
            )
            .filter(project::Column::ArchivedAt.is_null())
            .order_by_asc(project::Column::SortKey)
            .order_by_asc(project::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        let clients = self
            .client_names(db, actor, &rows.iter().map(|r| r.1).collect::<Vec<_>>())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, c, name)| (id, clients.get(&c).cloned().unwrap_or_default(), name))
            .collect())
    }

    /// Creates a project, from scratch or from a template (a built-in key or a workspace
    /// template id): the template's role slots, milestones and tasks are created in the same
    /// transaction, dated in working days from the start date (today when none is given).
    pub async fn create_project(
        &self,
        actor: &Actor,
        changes: ProjectChanges,
        template: Option<&str>,
    ) -> Result<ProjectView> {
        actor.require(Action::Create, Resource::Project)?;
        if changes.tags.as_ref().is_some_and(|t| !t.is_empty()) {
            actor.require(Action::Apply, Resource::Tag)?;
        }
        let db = self.store.reader();
        let scope = actor.scope();
        let now = cairn_domain::time::now();
        let chosen = match template.map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(self.resolve_template(actor, t).await?),
        };
        let mut p = project::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: scope.uuid(),
            client_id: uuid::Uuid::nil(),
            name: String::new(),
            sort_key: String::new(),
            project_type: chosen
                .as_ref()
                .map(|t| t.project_type.clone())
                .unwrap_or_else(|| ProjectType::Mixed.as_str().into()),
            status: ProjectStatus::Active.as_str().into(),
            start_date: None,
            target_end_date: None,
            goals: String::new(),
            description: chosen
                .as_ref()
                .map(|t| t.description.clone())
                .unwrap_or_default(),
            budget_type: None,
            budget_cents: None,
            health: None,
            health_summary: None,
            health_updated_at: None,
            template_key: chosen.as_ref().map(|t| t.key.clone()),
            allow_due_before_start: chosen
                .as_ref()
                .is_some_and(|t| t.plan.allow_due_before_start),
            created_at: now,
            created_by: Some(actor.user_id.0),
            updated_at: now,
            updated_by: Some(actor.user_id.0),
            version: 1,
            archived_at: None,
            custom: json!({}),
        };
        self.apply_project_changes(db, actor, &mut p, &changes, true)
            .await?;
        if chosen.is_some() && p.start_date.is_none() {
            p.start_date = Some(super::today_for(actor));
        }
        let working_days = self.working_days(actor).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        project::Entity::insert(project::ActiveModel::from(p.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        let tag_ids = changes.tags.clone().unwrap_or_default();
        let (_, tag_ids) = tags::set_tags(&tx, scope, RECORD_TYPE, p.id, &tag_ids).await?;
        let mut audit_changes = crate::audit::diff(&Value::Null, &snapshot(&p, &tag_ids));
        if let (Some(t), Some(start)) = (&chosen, p.start_date) {
            let made =
                super::templates::apply_plan(&tx, actor, &p, &t.plan, start, &working_days).await?;
            audit_changes["template"] = json!([null, t.key]);
            audit_changes["created"] =
                json!([null, {"slots": made.0, "milestones": made.1, "tasks": made.2}]);
        }
        versions::snapshot(
            &tx,
            scope,
            RECORD_TYPE,
            p.id,
            1,
            snapshot(&p, &tag_ids),
            Some(actor.user_id.0),
        )
        .await?;
        crate::audit::record(
            &tx,
            crate::audit::Event::by(actor, "project.created", RECORD_TYPE, p.id)
                .client(p.client_id)
                .changes(audit_changes),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_project(actor, p.id).await
    }

    /// The workspace's working days (ISO weekdays), for template dates.
    pub(crate) async fn working_days(&self, actor: &Actor) -> Result<Vec<u32>> {
        Ok(self
            .get_workspace(actor)
            .await?
            .settings
            .working_days
            .into_iter()
            .filter_map(|d| u32::try_from(d).ok())
            .collect())
    }

    /// Updates a project's fields.
    pub async fn update_project(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        changes: ProjectChanges,
        if_match: Option<i64>,
    ) -> Result<ProjectView> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let before = self.visible_project(db, actor, id).await?;
        actor.require(Action::Update, Resource::Project)?;
        if changes.tags.is_some() {
            actor.require(Action::Apply, Resource::Tag)?;
        }
        let mut after = before.clone();
        self.apply_project_changes(db, actor, &mut after, &changes, false)
            .await?;
        check_version(if_match, before.version)?;
        self.write_project(actor, before, after, changes.tags, "project.updated")
            .await
    }

    /// The single write path for project updates, archive, restore and revert: optimistic
    /// locking, tags, the tasks' and time entries' client when the project moves, a version
    /// and an audit entry.
    async fn write_project(
        &self,
        actor: &Actor,
        before: project::Model,
        mut after: project::Model,
        new_tags: Option<Vec<uuid::Uuid>>,
        action: &'static str,
    ) -> Result<ProjectView> {
        let scope = actor.scope();
        after.version = before.version + 1;
        after.updated_at = cairn_domain::time::now();
        after.updated_by = Some(actor.user_id.0);
        let tx = self.store.write().await.map_err(db_err)?;
        let mut am = project::ActiveModel::from(after.clone()).reset_all();
        am.id = cairn_store::sea_orm::ActiveValue::Unchanged(after.id);
        use project::Column as Col;
        versions::write_if_current::<project::Entity, _>(
            &tx,
            scope,
            am,
            (Col::Id, Col::WorkspaceId, Col::Version),
            before.id,
            before.version,
        )
        .await?;
        if after.client_id != before.client_id {
            // Visibility follows the client: the project's tasks and time move with it.
            task::Entity::update_many()
                .col_expr(task::Column::ClientId, Expr::val(after.client_id))
                .filter(task::Column::ProjectId.eq(after.id))
                .exec(&tx)
                .await
                .map_err(db_err)?;
            time_entry::Entity::update_many()
                .col_expr(time_entry::Column::ClientId, Expr::val(after.client_id))
                .filter(time_entry::Column::ProjectId.eq(after.id))
                .exec(&tx)
                .await
                .map_err(db_err)?;
        }
        let old_tags = tags::tag_ids(&tx, scope, RECORD_TYPE, before.id).await?;
        let tag_ids = match &new_tags {
            Some(ids) => {
                tags::set_tags(&tx, scope, RECORD_TYPE, before.id, ids)
                    .await?
                    .1
            }
            None => old_tags.clone(),
        };
        versions::record_change(
            &tx,
            actor,
            action,
            RECORD_TYPE,
            after.id,
            Some(after.client_id),
            Some(&snapshot(&before, &old_tags)),
            snapshot(&after, &tag_ids),
            after.version,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_project(actor, after.id).await
    }

    /// Sets a project's health with a summary; every setting is kept in its history.
    pub async fn set_project_health(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        health: &str,
        summary: &str,
    ) -> Result<ProjectView> {
        actor.require(Action::Read, Resource::Project)?;
        let p = self.visible_project(self.store.reader(), actor, id).await?;
        actor.require(Action::Update, Resource::Project)?;
        let mut errors = Vec::new();
        let health = Health::parse("health", health)
            .map_err(|e| errors.push(e))
            .ok();
        let summary = summary.trim();
        if summary.chars().count() > 5_000 {
            errors.push(FieldError::new(
                "summary",
                "must be at most 5000 characters",
            ));
        }
        collect_errors(errors)?;
        let health = health.expect("validated");
        let now = cairn_domain::time::now();
        let tx = self.store.write().await.map_err(db_err)?;
        project_health::Entity::insert(project_health::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            workspace_id: Set(actor.scope().uuid()),
            project_id: Set(p.id),
            health: Set(health.as_str().into()),
            summary: Set(summary.into()),
            set_at: Set(now),
            set_by: Set(Some(actor.user_id.0)),
        })
        .exec_without_returning(&tx)
        .await
        .map_err(db_err)?;
        project::Entity::update_many()
            .col_expr(project::Column::Health, Expr::val(health.as_str()))
            .col_expr(project::Column::HealthSummary, Expr::val(summary))
            .col_expr(project::Column::HealthUpdatedAt, Expr::val(now))
            .filter(project::Column::Id.eq(p.id))
            .filter(project::Column::WorkspaceId.eq(actor.scope().uuid()))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        crate::audit::record(
            &tx,
            crate::audit::Event::by(actor, "project.health_set", RECORD_TYPE, p.id)
                .client(p.client_id)
                .changes(json!({
                    "health": [p.health, health.as_str()],
                    "health_summary": [p.health_summary, summary],
                })),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_project(actor, p.id).await
    }

    /// A project's health history, newest first.
    pub async fn project_health_history<'a>(
        &self,
        actor: &Actor,
        project: impl Into<Target<'a, project::Model>>,
    ) -> Result<Vec<HealthEntry>> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let p = self.seen_project(actor, project.into()).await?;
        let rows = project_health::Entity::find()
            .filter(project_health::Column::ProjectId.eq(p.id))
            .order_by_desc(project_health::Column::SetAt)
            .order_by_desc(project_health::Column::Id)
            .all(db)
            .await
            .map_err(db_err)?;
        let names = crate::clients::user_names(
            db,
            &rows.iter().filter_map(|r| r.set_by).collect::<Vec<_>>(),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| HealthEntry {
                set_by: r.set_by.map(|id| UserRef {
                    id,
                    name: names.get(&id).cloned().unwrap_or_default(),
                }),
                health: r.health,
                summary: r.summary,
                set_at: r.set_at,
            })
            .collect())
    }

    /// Archives or restores a project.
    pub async fn set_project_archived(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        archived: bool,
        if_match: Option<i64>,
    ) -> Result<ProjectView> {
        actor.require(Action::Read, Resource::Project)?;
        let before = self.visible_project(self.store.reader(), actor, id).await?;
        actor.require(Action::Archive, Resource::Project)?;
        check_version(if_match, before.version)?;
        if before.archived_at.is_some() == archived {
            return Err(DomainError::Conflict(format!(
                "the project is already {}",
                if archived { "archived" } else { "active" }
            )));
        }
        let mut after = before.clone();
        after.archived_at = archived.then(cairn_domain::time::now);
        let action = if archived {
            "project.archived"
        } else {
            "project.restored"
        };
        self.write_project(actor, before, after, None, action).await
    }

    /// Permanently deletes a project with its milestones, slots, tasks and time (owners and
    /// admins), after the caller typed its name.
    pub async fn delete_project(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        confirm_name: &str,
    ) -> Result<()> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let p = self.visible_project(db, actor, id).await?;
        actor.require(Action::Delete, Resource::Project)?;
        if confirm_name.trim() != p.name {
            return Err(DomainError::invalid(
                "confirm_name",
                "must be the project's name exactly",
            ));
        }
        let scope = actor.scope();
        let task_ids: Vec<uuid::Uuid> = task::Entity::find()
            .select_only()
            .column(task::Column::Id)
            .filter(task::Column::ProjectId.eq(p.id))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        let milestone_ids: Vec<uuid::Uuid> = milestone::Entity::find()
            .select_only()
            .column(milestone::Column::Id)
            .filter(milestone::Column::ProjectId.eq(p.id))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        let tx = self.store.write().await.map_err(db_err)?;
        tags::clear_tags(&tx, scope, RECORD_TYPE, &[p.id]).await?;
        for chunk in task_ids.chunks(500) {
            tags::clear_tags(&tx, scope, super::tasks::RECORD_TYPE, chunk).await?;
            record_version::Entity::delete_many()
                .filter(record_version::Column::WorkspaceId.eq(scope.uuid()))
                .filter(record_version::Column::RecordId.is_in(chunk.to_vec()))
                .exec(&tx)
                .await
                .map_err(db_err)?;
        }
        record_version::Entity::delete_many()
            .filter(record_version::Column::WorkspaceId.eq(scope.uuid()))
            .filter(
                Condition::any()
                    .add(record_version::Column::RecordId.eq(p.id))
                    .add(record_version::Column::RecordId.is_in(milestone_ids.clone())),
            )
            .exec(&tx)
            .await
            .map_err(db_err)?;
        // Tasks, dependencies, comments, milestones, slots, health and time go with the
        // project (ON DELETE CASCADE).
        project::Entity::delete_by_id(p.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        crate::audit::record(
            &tx,
            crate::audit::Event::by(actor, "project.deleted", RECORD_TYPE, p.id)
                .client(p.client_id)
                .changes(json!({"name": [p.name, null], "tasks": [task_ids.len(), 0], "milestones": [milestone_ids.len(), 0]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    /// The versions of a project, newest first.
    pub async fn project_versions(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<Vec<VersionView>> {
        actor.require(Action::Read, Resource::Project)?;
        let p = self.visible_project(self.store.reader(), actor, id).await?;
        versions::views(self.store.reader(), actor.scope(), RECORD_TYPE, p.id).await
    }

    /// The differences between two versions of a project.
    pub async fn diff_project_versions(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        from: i64,
        to: i64,
    ) -> Result<Vec<FieldDiff>> {
        versions::diff(&self.project_versions(actor, id).await?, from, to)
    }

    /// Reverts a project's fields and tags to an earlier version, as a new version. Tags
    /// deleted since are skipped; a client no longer visible keeps the current one.
    pub async fn revert_project(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        to_version: i64,
        if_match: Option<i64>,
    ) -> Result<ProjectView> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let before = self.visible_project(db, actor, id).await?;
        actor.require(Action::Update, Resource::Project)?;
        check_version(if_match, before.version)?;
        let snap =
            versions::snapshot_at(db, actor.scope(), RECORD_TYPE, before.id, to_version).await?;
        let mut changes = changes_from_snapshot(&snap);
        if let Some(c) = changes.client_id
            && self.visible_client(db, actor, c).await.is_err()
        {
            changes.client_id = None;
        }
        if let Some(ids) = changes.tags.take() {
            changes.tags = Some(tags::existing(db, actor.scope(), &ids).await?);
        }
        let mut after = before.clone();
        self.apply_project_changes(db, actor, &mut after, &changes, false)
            .await?;
        self.write_project(actor, before, after, changes.tags, "project.reverted")
            .await
    }

    /// Counts of a project's open and done tasks, for the project page and lists.
    pub async fn project_task_counts<'a>(
        &self,
        actor: &Actor,
        project: impl Into<Target<'a, project::Model>>,
    ) -> Result<HashMap<String, u64>> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let p = self.seen_project(actor, project.into()).await?;
        let rows: Vec<(String, i64)> = task::Entity::find()
            .select_only()
            .column(task::Column::Status)
            .column_as(Expr::col(task::Column::Id).count(), "n")
            .filter(task::Column::ProjectId.eq(p.id))
            .filter(task::Column::ArchivedAt.is_null())
            .group_by(task::Column::Status)
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|(s, n)| (s, std::cmp::max(n, 0) as u64))
            .collect())
    }
}

/// `%text%` with LIKE wildcards in `text` escaped by `\`.
pub(crate) fn contains_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}
