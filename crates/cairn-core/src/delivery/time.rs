//! Time entries: who spent how long on which project (and task), billable or not; the
//! weekly timesheet and project totals against budget.

use std::collections::BTreeMap;

use cairn_domain::{Action, DomainError, FieldError, Resource, Result};
use cairn_store::entities::{project, task, time_entry};
use cairn_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ProjectRef, parse_date};
use crate::actor::Actor;
use crate::clients::{UserRef, user_names, user_ref};
use crate::page::{Page, PageRequest};
use crate::seen::Target;
use crate::{Cairn, check_version, collect_errors, db_err, versions};

/// The record type time entries are versioned and audited under.
pub const RECORD_TYPE: &str = "time_entry";

/// A time entry as the API and the timesheet show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimeEntryView {
    pub id: uuid::Uuid,
    pub user: UserRef,
    pub project: ProjectRef,
    pub task: Option<super::tasks::TaskRef>,
    pub date: NaiveDate,
    pub minutes: i32,
    pub note: String,
    pub billable: bool,
    pub version: i64,
}

/// Changes to a time entry; on create `project_id`, `date` and `minutes` are required.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TimeEntryChanges {
    /// Whose time (owners and admins may log for others); the actor by default.
    pub user_id: Option<uuid::Uuid>,
    pub project_id: Option<uuid::Uuid>,
    pub task_id: Option<Option<uuid::Uuid>>,
    pub date: Option<String>,
    pub minutes: Option<i32>,
    pub note: Option<String>,
    pub billable: Option<bool>,
}

/// Filters of the time entry list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TimeFilter {
    pub project: Option<uuid::Uuid>,
    /// `me` or a user id.
    pub user: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One project's row on a weekly timesheet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimesheetRow {
    pub project: ProjectRef,
    /// Minutes per day, Monday first.
    pub minutes: [i64; 7],
    pub total: i64,
}

/// A user's week.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Timesheet {
    pub user: UserRef,
    /// The Monday of the week.
    pub week_start: NaiveDate,
    pub days: [NaiveDate; 7],
    pub rows: Vec<TimesheetRow>,
    pub day_totals: [i64; 7],
    pub total: i64,
    pub entries: Vec<TimeEntryView>,
}

/// A project's time against its budget.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectTime {
    pub minutes: i64,
    pub billable_minutes: i64,
    pub budget_type: Option<String>,
    pub budget_value: Option<f64>,
    /// Minutes per person, most first.
    pub by_user: Vec<UserMinutes>,
}

/// One person's minutes on a project.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserMinutes {
    pub user: UserRef,
    pub minutes: i64,
}

fn snapshot(e: &time_entry::Model) -> Value {
    json!({"user_id": e.user_id, "project_id": e.project_id, "task_id": e.task_id, "date": e.entry_date,
           "minutes": e.minutes, "note": e.note, "billable": e.billable})
}

impl Cairn {
    async fn time_views<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        rows: Vec<time_entry::Model>,
    ) -> Result<Vec<TimeEntryView>> {
        let users = user_names(db, &rows.iter().map(|e| e.user_id).collect::<Vec<_>>()).await?;
        let projects = self
            .project_names(
                db,
                actor,
                &rows.iter().map(|e| e.project_id).collect::<Vec<_>>(),
            )
            .await?;
        let task_ids: Vec<uuid::Uuid> = rows.iter().filter_map(|e| e.task_id).collect();
        let tasks: std::collections::HashMap<uuid::Uuid, (String, String)> = if task_ids.is_empty()
        {
            Default::default()
        } else {
            task::Entity::find()
                .select_only()
                .column(task::Column::Id)
                .column(task::Column::Title)
                .column(task::Column::Status)
                .filter(task::Column::Id.is_in(task_ids))
                .into_tuple::<(uuid::Uuid, String, String)>()
                .all(db)
                .await
                .map_err(db_err)?
                .into_iter()
                .map(|(i, t, s)| (i, (t, s)))
                .collect()
        };
        Ok(rows
            .into_iter()
            .map(|e| TimeEntryView {
                user: user_ref(e.user_id, &users),
                project: ProjectRef {
                    id: e.project_id,
                    name: projects.get(&e.project_id).cloned().unwrap_or_default(),
                },
                task: e.task_id.and_then(|t| {
                    tasks.get(&t).map(|(title, status)| super::tasks::TaskRef {
                        id: t,
                        title: title.clone(),
                        status: status.clone(),
                    })
                }),
                id: e.id,
                date: e.entry_date,
                minutes: e.minutes,
                note: e.note,
                billable: e.billable,
                version: e.version,
            })
            .collect())
    }

    async fn apply_time<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        e: &mut time_entry::Model,
        ch: &TimeEntryChanges,
        creating: bool,
    ) -> Result<()> {
        let mut errors = Vec::new();
        if let Some(u) = ch.user_id
            && u != e.user_id
        {
            if !actor.role.is_admin_or_owner() {
                return Err(DomainError::Forbidden(
                    "only owners and admins log time for someone else".into(),
                ));
            }
            e.user_id = u;
        }
        match (ch.project_id, creating) {
            (Some(p), _) => match self.visible_project(db, actor, p).await {
                Ok(p) => {
                    e.project_id = p.id;
                    e.client_id = p.client_id;
                }
                Err(DomainError::NotFound(_)) => {
                    errors.push(FieldError::new("project_id", "no such project"))
                }
                Err(x) => return Err(x),
            },
            (None, true) => errors.push(FieldError::new("project_id", "is required")),
            (None, false) => {}
        }
        if let Some(t) = ch.task_id {
            match t {
                None => e.task_id = None,
                Some(t) => match self.visible_task(db, actor, t).await {
                    Ok(t) if t.project_id == Some(e.project_id) => e.task_id = Some(t.id),
                    Ok(_) => errors.push(FieldError::new("task_id", "belongs to another project")),
                    Err(_) => errors.push(FieldError::new("task_id", "no such task")),
                },
            }
        }
        match (&ch.date, creating) {
            (Some(d), _) => match parse_date("date", d) {
                Ok(d) => e.entry_date = d,
                Err(x) => errors.push(x),
            },
            (None, true) => errors.push(FieldError::new("date", "is required")),
            (None, false) => {}
        }
        match (ch.minutes, creating) {
            (Some(m), _) if (1..=1440).contains(&m) => e.minutes = m,
            (Some(_), _) => errors.push(FieldError::new("minutes", "must be between 1 and 1440")),
            (None, true) => errors.push(FieldError::new("minutes", "is required")),
            (None, false) => {}
        }
        if let Some(n) = &ch.note {
            if n.chars().count() > 2_000 {
                errors.push(FieldError::new("note", "must be at most 2000 characters"));
            } else {
                e.note = n.trim().into();
            }
        }
        if let Some(b) = ch.billable {
            e.billable = b;
        }
        // Whose time it is matters only once the project (and so its client) is known; an
        // unknown project is reported on `project_id` alone.
        let project_known = !errors.iter().any(|e| e.field == "project_id");
        if project_known && (creating || ch.user_id.is_some() || ch.project_id.is_some()) {
            match super::slots::member_sees_client(
                db,
                actor.scope().uuid(),
                e.user_id,
                Some(e.client_id),
            )
            .await?
            {
                Ok(()) => {}
                Err(reason) => errors.push(FieldError::new("user_id", reason)),
            }
        }
        collect_errors(errors)
    }

    async fn visible_time_entry<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<time_entry::Model> {
        time_entry::Entity::find_by_id(id)
            .filter(actor.scope().client_filter(
                time_entry::Column::WorkspaceId,
                time_entry::Column::ClientId,
            ))
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("time entry"))
    }

    /// Logs time.
    pub async fn create_time_entry(
        &self,
        actor: &Actor,
        ch: TimeEntryChanges,
    ) -> Result<TimeEntryView> {
        actor.require(Action::Create, Resource::TimeEntry)?;
        let db = self.store.reader();
        let now = cairn_domain::time::now();
        let mut e = time_entry::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: actor.scope().uuid(),
            user_id: actor.user_id.0,
            project_id: uuid::Uuid::nil(),
            client_id: uuid::Uuid::nil(),
            task_id: None,
            entry_date: super::today_for(actor),
            minutes: 0,
            note: String::new(),
            billable: true,
            created_at: now,
            created_by: Some(actor.user_id.0),
            updated_at: now,
            updated_by: Some(actor.user_id.0),
            version: 1,
            archived_at: None,
            custom: json!({}),
        };
        self.apply_time(db, actor, &mut e, &ch, true).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        time_entry::Entity::insert(time_entry::ActiveModel::from(e.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        versions::record_change(
            &tx,
            actor,
            "time_entry.created",
            RECORD_TYPE,
            e.id,
            Some(e.client_id),
            None,
            snapshot(&e),
            1,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(self.time_views(db, actor, vec![e]).await?.remove(0))
    }

    /// Changes a time entry: its owner, or an owner or admin.
    pub async fn update_time_entry(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        ch: TimeEntryChanges,
        if_match: Option<i64>,
    ) -> Result<TimeEntryView> {
        actor.require(Action::Read, Resource::TimeEntry)?;
        let db = self.store.reader();
        let before = self.visible_time_entry(db, actor, id).await?;
        actor.require(Action::Update, Resource::TimeEntry)?;
        if before.user_id != actor.user_id.0 && !actor.role.is_admin_or_owner() {
            return Err(DomainError::Forbidden(
                "only its owner, an owner or an admin may change a time entry".into(),
            ));
        }
        let mut after = before.clone();
        self.apply_time(db, actor, &mut after, &ch, false).await?;
        check_version(if_match, before.version)?;
        after.version = before.version + 1;
        after.updated_at = cairn_domain::time::now();
        after.updated_by = Some(actor.user_id.0);
        let tx = self.store.write().await.map_err(db_err)?;
        let mut am = time_entry::ActiveModel::from(after.clone()).reset_all();
        am.id = cairn_store::sea_orm::ActiveValue::Unchanged(after.id);
        use time_entry::Column as Col;
        versions::write_if_current::<time_entry::Entity, _>(
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
            "time_entry.updated",
            RECORD_TYPE,
            after.id,
            Some(after.client_id),
            Some(&snapshot(&before)),
            snapshot(&after),
            after.version,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(self.time_views(db, actor, vec![after]).await?.remove(0))
    }

    /// Deletes a time entry: its owner, or an owner or admin.
    pub async fn delete_time_entry(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require(Action::Read, Resource::TimeEntry)?;
        let e = self
            .visible_time_entry(self.store.reader(), actor, id)
            .await?;
        actor.require(Action::Delete, Resource::TimeEntry)?;
        if e.user_id != actor.user_id.0 && !actor.role.is_admin_or_owner() {
            return Err(DomainError::Forbidden(
                "only its owner, an owner or an admin may delete a time entry".into(),
            ));
        }
        let tx = self.store.write().await.map_err(db_err)?;
        time_entry::Entity::delete_by_id(e.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        crate::audit::record(
            &tx,
            crate::audit::Event::by(actor, "time_entry.deleted", RECORD_TYPE, e.id)
                .client(e.client_id)
                .changes(crate::audit::diff(&snapshot(&e), &Value::Null)),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    /// Time entries, newest first, by project, user and date range.
    pub async fn list_time_entries(
        &self,
        actor: &Actor,
        f: &TimeFilter,
        page: &PageRequest,
    ) -> Result<Page<TimeEntryView>> {
        actor.require(Action::Read, Resource::TimeEntry)?;
        let limit = page.limit()?;
        let mut q = time_entry::Entity::find().filter(actor.scope().client_filter(
            time_entry::Column::WorkspaceId,
            time_entry::Column::ClientId,
        ));
        let mut errors = Vec::new();
        if let Some(p) = f.project {
            q = q.filter(time_entry::Column::ProjectId.eq(p));
        }
        match f.user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => {}
            Some("me") => q = q.filter(time_entry::Column::UserId.eq(actor.user_id.0)),
            Some(u) => match uuid::Uuid::parse_str(u) {
                Ok(u) => q = q.filter(time_entry::Column::UserId.eq(u)),
                Err(_) => errors.push(FieldError::new("user", "must be me or a user id")),
            },
        }
        for (field, raw, lower) in [("from", &f.from, true), ("to", &f.to, false)] {
            if let Some(r) = raw.as_deref().filter(|r| !r.trim().is_empty()) {
                match parse_date(field, r) {
                    Ok(d) if lower => q = q.filter(time_entry::Column::EntryDate.gte(d)),
                    Ok(d) => q = q.filter(time_entry::Column::EntryDate.lte(d)),
                    Err(e) => errors.push(e),
                }
            }
        }
        collect_errors(errors)?;
        let order = [time_entry::Column::EntryDate, time_entry::Column::Id];
        if let Some((d, id)) = page.position::<(NaiveDate, uuid::Uuid)>()? {
            q = q.filter(crate::page::after(&order, &[d.into(), id.into()], true));
        }
        let db = self.store.reader();
        let rows = q
            .order_by_desc(order[0])
            .order_by_desc(order[1])
            .limit(limit + 1)
            .all(db)
            .await
            .map_err(db_err)?;
        let items = self.time_views(db, actor, rows).await?;
        Ok(Page::from_rows(items, limit, |e: &TimeEntryView| {
            (e.date, e.id)
        }))
    }

    /// A user's week (the actor's by default), Monday first, by project.
    pub async fn timesheet(
        &self,
        actor: &Actor,
        user: Option<uuid::Uuid>,
        week_of: Option<&str>,
    ) -> Result<Timesheet> {
        actor.require(Action::Read, Resource::TimeEntry)?;
        let day = match week_of.map(str::trim).filter(|w| !w.is_empty()) {
            Some(w) => parse_date("week", w).map_err(|e| DomainError::Invalid(vec![e]))?,
            None => super::today_for(actor),
        };
        let start = day - chrono::Duration::days(day.weekday().num_days_from_monday() as i64);
        let days: [NaiveDate; 7] =
            std::array::from_fn(|i| start + chrono::Duration::days(i as i64));
        let user = user.unwrap_or(actor.user_id.0);
        let db = self.store.reader();
        let rows = time_entry::Entity::find()
            .filter(actor.scope().client_filter(
                time_entry::Column::WorkspaceId,
                time_entry::Column::ClientId,
            ))
            .filter(time_entry::Column::UserId.eq(user))
            .filter(time_entry::Column::EntryDate.gte(days[0]))
            .filter(time_entry::Column::EntryDate.lte(days[6]))
            .order_by_asc(time_entry::Column::EntryDate)
            .order_by_asc(time_entry::Column::Id)
            .all(db)
            .await
            .map_err(db_err)?;
        let entries = self.time_views(db, actor, rows).await?;
        let mut by_project: BTreeMap<(String, uuid::Uuid), [i64; 7]> = BTreeMap::new();
        let mut day_totals = [0i64; 7];
        for e in &entries {
            let i = (e.date - start).num_days() as usize;
            by_project
                .entry((e.project.name.to_lowercase(), e.project.id))
                .or_default()[i] += e.minutes as i64;
            day_totals[i] += e.minutes as i64;
        }
        let names = user_names(db, &[user]).await?;
        Ok(Timesheet {
            user: UserRef {
                id: user,
                name: names.get(&user).cloned().unwrap_or_default(),
            },
            week_start: start,
            days,
            rows: by_project
                .into_iter()
                .map(|((_, id), minutes)| TimesheetRow {
                    project: ProjectRef {
                        id,
                        name: entries
                            .iter()
                            .find(|e| e.project.id == id)
                            .map(|e| e.project.name.clone())
                            .unwrap_or_default(),
                    },
                    total: minutes.iter().sum(),
                    minutes,
                })
                .collect(),
            total: day_totals.iter().sum(),
            day_totals,
            entries,
        })
    }

    /// A project's logged time against its budget.
    pub async fn project_time<'a>(
        &self,
        actor: &Actor,
        project: impl Into<Target<'a, project::Model>>,
    ) -> Result<ProjectTime> {
        actor.require(Action::Read, Resource::TimeEntry)?;
        let db = self.store.reader();
        let p = self.seen_project(actor, project.into()).await?;
        let rows: Vec<(uuid::Uuid, bool, i64)> = time_entry::Entity::find()
            .select_only()
            .column(time_entry::Column::UserId)
            .column(time_entry::Column::Billable)
            .column_as(
                cairn_store::sea_orm::sea_query::ExprTrait::sum(
                    cairn_store::sea_orm::sea_query::Expr::col(time_entry::Column::Minutes),
                ),
                "m",
            )
            .filter(time_entry::Column::ProjectId.eq(p.id))
            .group_by(time_entry::Column::UserId)
            .group_by(time_entry::Column::Billable)
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        let mut per_user: BTreeMap<uuid::Uuid, i64> = BTreeMap::new();
        let (mut total, mut billable) = (0, 0);
        for (u, b, m) in rows {
            total += m;
            if b {
                billable += m;
            }
            *per_user.entry(u).or_default() += m;
        }
        let names = user_names(db, &per_user.keys().copied().collect::<Vec<_>>()).await?;
        let mut by_user: Vec<UserMinutes> = per_user
            .into_iter()
            .map(|(id, m)| UserMinutes {
                user: user_ref(id, &names),
                minutes: m,
            })
            .collect();
        by_user.sort_by_key(|u| std::cmp::Reverse(u.minutes));
        Ok(ProjectTime {
            minutes: total,
            billable_minutes: billable,
            budget_type: p.budget_type.clone(),
            budget_value: p.budget_cents.map(|c| c as f64 / 100.0),
            by_user,
        })
    }
}
