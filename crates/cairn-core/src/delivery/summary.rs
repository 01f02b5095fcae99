//! A project's status summary for a date range (this week by default): what got done, what
//! is coming, what is blocked or at risk, health and time, as data and as Markdown.

use cairn_domain::delivery::summary::{
    StatusSummary, SummaryBlocked, SummaryMilestone, SummaryTask,
};
use cairn_domain::delivery::{Health, MilestoneStatus, Priority, TaskStatus};
use cairn_domain::{Action, Resource, Result};
use cairn_store::entities::{milestone, task, time_entry};
use cairn_store::sea_orm::sea_query::{Expr, ExprTrait};
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use chrono::{Datelike, NaiveDate};

use super::parse_date;
use crate::actor::Actor;
use crate::{Cairn, db_err};

/// Most tasks listed per section, so a huge project still gives a readable summary.
const SECTION_LIMIT: u64 = 50;

impl Cairn {
    /// The status summary of a project between `from` and `to` (inclusive; this Monday to
    /// Sunday in the actor's timezone by default).
    pub async fn project_summary(
        &self,
        actor: &Actor,
        project_id: uuid::Uuid,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<StatusSummary> {
        actor.require(Action::Read, Resource::Project)?;
        let db = self.store.reader();
        let p = self.visible_project(db, actor, project_id).await?;
        let today = super::today_for(actor);
        let monday = today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64);
        let mut errors = Vec::new();
        let mut date = |field: &str, raw: Option<&str>, default: NaiveDate| match raw
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            None => default,
            Some(r) => parse_date(field, r)
                .map_err(|e| errors.push(e))
                .unwrap_or(default),
        };
        let from = date("from", from, monday);
        let to = date("to", to, monday + chrono::Duration::days(6));
        if to < from {
            errors.push(cairn_domain::FieldError::new(
                "to",
                "must not be before from",
            ));
        }
        crate::collect_errors(errors)?;
        // Days are the reader's: "completed on Monday" means their Monday, as for "today".
        let tz: chrono_tz::Tz = actor.timezone.parse().unwrap_or(chrono_tz::UTC);
        let start = start_of_day(tz, from);
        let end = start_of_day(tz, to + chrono::Duration::days(1));
        let local_date = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&tz).date_naive();
        let live = || {
            task::Entity::find()
                .filter(task::Column::ProjectId.eq(p.id))
                .filter(task::Column::ArchivedAt.is_null())
        };
        let open = [TaskStatus::Done.as_str(), TaskStatus::Cancelled.as_str()];
        let completed = live()
            .filter(task::Column::CompletedAt.gte(start))
            .filter(task::Column::CompletedAt.lt(end))
            .order_by_asc(task::Column::CompletedAt)
            .limit(SECTION_LIMIT)
            .all(db)
            .await
            .map_err(db_err)?;
        let horizon = to + chrono::Duration::days(7);
        let upcoming = live()
            .filter(task::Column::Status.is_not_in(open))
            .filter(task::Column::DueDate.gte(std::cmp::max(today, from)))
            .filter(task::Column::DueDate.lte(horizon))
            .order_by_asc(task::Column::DueDate)
            .limit(SECTION_LIMIT)
            .all(db)
            .await
            .map_err(db_err)?;
        let overdue = live()
            .filter(task::Column::Status.is_not_in(open))
            .filter(task::Column::DueDate.lt(today))
            .order_by_asc(task::Column::DueDate)
            .limit(SECTION_LIMIT)
            .all(db)
            .await
            .map_err(db_err)?;
        let open_rows = live()
            .filter(task::Column::Status.is_not_in(open))
            .order_by_asc(task::Column::Position)
            .all(db)
            .await
            .map_err(db_err)?;
        let open_views = self.task_views(db, actor, open_rows).await?;
        let blocked: Vec<SummaryBlocked> = open_views
            .iter()
            .filter(|t| t.blocked)
            .take(SECTION_LIMIT as usize)
            .map(|t| SummaryBlocked {
                title: t.title.clone(),
                // Empty when marked blocked or waiting on tasks the reader may not see: the
                // Markdown then says only "blocked".
                blocked_by: t.blocked_by.iter().map(|b| b.title.clone()).collect(),
            })
            .collect();
        let milestones = milestone::Entity::find()
            .filter(milestone::Column::ProjectId.eq(p.id))
            .filter(milestone::Column::ArchivedAt.is_null())
            .order_by_asc(milestone::Column::Position)
            .all(db)
            .await
            .map_err(db_err)?;
        let milestones: Vec<SummaryMilestone> = super::milestones::views(db, milestones)
            .await?
            .into_iter()
            .filter(|m| {
                m.status != MilestoneStatus::Done.as_str()
                    || m.due_date.is_some_and(|d| d >= from && d <= to)
            })
            .filter(|m| {
                m.due_date.is_none_or(|d| d <= horizon)
                    || m.status != MilestoneStatus::Done.as_str()
            })
            .map(|m| SummaryMilestone {
                name: m.name,
                due: m.due_date,
                status: MilestoneStatus::parse("status", &m.status)
                    .unwrap_or(MilestoneStatus::NotStarted),
                progress: m.progress,
            })
            .collect();
        let minutes: Option<i64> = time_entry::Entity::find()
            .select_only()
            .column_as(Expr::col(time_entry::Column::Minutes).sum(), "m")
            .filter(time_entry::Column::ProjectId.eq(p.id))
            .filter(time_entry::Column::EntryDate.gte(from))
            .filter(time_entry::Column::EntryDate.lte(to))
            .into_tuple()
            .one(db)
            .await
            .map_err(db_err)?
            .flatten();
        let names = self
            .task_views(
                db,
                actor,
                [completed.clone(), upcoming.clone(), overdue.clone()].concat(),
            )
            .await?;
        let assignee = |id: uuid::Uuid| {
            names
                .iter()
                .find(|v| v.id == id)
                .and_then(|v| v.assignee.as_ref().map(|a| a.name.clone()))
        };
        let summary_task = |t: &task::Model| SummaryTask {
            title: t.title.clone(),
            due: t.due_date,
            assignee: assignee(t.id),
            completed: t.completed_at.map(local_date),
            priority: Priority::parse("priority", &t.priority)
                .unwrap_or(cairn_domain::delivery::DEFAULT_PRIORITY),
        };
        let currency = self.get_workspace(actor).await?.settings.currency;
        let client = self
            .client_names(db, actor, &[p.client_id])
            .await?
            .remove(&p.client_id);
        Ok(StatusSummary {
            project: p.name.clone(),
            client,
            from,
            to,
            health: p
                .health
                .as_deref()
                .and_then(|h| Health::parse("health", h).ok()),
            health_summary: p.health_summary.clone().filter(|s| !s.is_empty()),
            health_updated: p.health_updated_at.map(local_date),
            completed: completed.iter().map(summary_task).collect(),
            upcoming: upcoming.iter().map(summary_task).collect(),
            milestones,
            blocked,
            overdue: overdue.iter().map(summary_task).collect(),
            minutes_logged: minutes.unwrap_or(0),
            budget: p.budget_cents.map(|c| {
                let kind = p
                    .budget_type
                    .as_deref()
                    .map(|t| format!(" ({})", t.replace('_', " ")))
                    .unwrap_or_default();
                format!("{currency} {}.{:02}{kind}", c / 100, c % 100)
            }),
        })
    }

    /// The status summary as Markdown.
    pub async fn project_summary_markdown(
        &self,
        actor: &Actor,
        project_id: uuid::Uuid,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<String> {
        Ok(self
            .project_summary(actor, project_id, from, to)
            .await?
            .to_markdown())
    }
}

/// The instant `date` begins in `tz`; where a clock change skips midnight, the first moment
/// that exists that day.
fn start_of_day(tz: chrono_tz::Tz, date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    (0..24)
        .filter_map(|h| date.and_hms_opt(h, 0, 0))
        .find_map(|t| tz.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| date.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
}
