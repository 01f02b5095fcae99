//! The dashboard's figures. Owners and admins see the workspace's activity; members and
//! viewers see their own.

use cairn_domain::{DomainError, Result};
use cairn_store::entities::{membership, session, user};
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::activity::ActivityView;
use crate::actor::Actor;
use crate::delivery::tasks::{TaskFilter, TaskView};
use crate::page::PageRequest;
use crate::read_cache::Weigh;
use crate::{Cairn, chrono_dur, db_err};

/// What the dashboard shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Clients the actor can see (restricted ones only when listed).
    pub clients: u64,
    pub active_members: u64,
    pub temporary_passwords: u64,
    pub events_last_week: u64,
    pub my_sessions: u64,
    pub recent: Vec<ActivityView>,
    /// The actor's open tasks that are overdue, then due today (a few of each), and whether
    /// there are more than shown.
    pub overdue: Vec<TaskView>,
    pub overdue_more: bool,
    pub due_today: Vec<TaskView>,
    pub due_today_more: bool,
    /// Visible live projects whose health is at risk or off track.
    pub projects_at_risk: u64,
}

/// Tasks per list on the dashboard.
const DASHBOARD_TASKS: u64 = 8;

/// The part of the dashboard that changes only when the workspace does, so it comes from
/// the read cache: the counts over clients, members and projects, and the recent activity.
#[derive(Debug)]
struct WorkspaceFigures {
    clients: u64,
    active_members: u64,
    temporary_passwords: u64,
    projects_at_risk: u64,
    recent: Vec<ActivityView>,
}

impl Weigh for WorkspaceFigures {
    fn weigh(&self) -> u64 {
        256 + 1024 * self.recent.len() as u64
    }
}

impl Cairn {
    /// Real figures for the actor's dashboard.
    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard> {
        let db = self.store.reader();
        let now = cairn_domain::time::now();
        // Members see their own recent activity: the reader is part of the key.
        let figures = self
            .cached(
                actor,
                "dashboard",
                actor.user_id.to_string(),
                self.workspace_figures(actor),
            )
            .await?;
        // Sessions and last week's events change with the clock, not only with the data.
        let my_sessions = session::Entity::find()
            .filter(session::Column::UserId.eq(actor.user_id.0))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(session::Column::LastSeenAt.gt(now - chrono_dur(self.config.session_idle)))
            .count(db)
            .await
            .map_err(db_err)?;
        let events_last_week = self
            .activity_count_since(actor, now - chrono::Duration::days(7))
            .await?;
        let mine = |due: &str| TaskFilter {
            assignee: Some("me".into()),
            due: Some(due.into()),
            ..Default::default()
        };
        let first = PageRequest {
            limit: Some(DASHBOARD_TASKS),
            cursor: None,
        };
        let (overdue, today) = (mine("overdue"), mine("today"));
        let [overdue, due_today]: [_; 2] = self
            .list_task_pages(actor, &[(&overdue, &first), (&today, &first)])
            .await?
            .try_into()
            .map_err(|_| DomainError::Internal("one page per task list".into()))?;
        Ok(Dashboard {
            overdue_more: overdue.next_cursor.is_some(),
            overdue: overdue.items,
            due_today_more: due_today.next_cursor.is_some(),
            due_today: due_today.items,
            projects_at_risk: figures.projects_at_risk,
            clients: figures.clients,
            active_members: figures.active_members,
            temporary_passwords: figures.temporary_passwords,
            events_last_week,
            my_sessions,
            recent: figures.recent.clone(),
        })
    }

    async fn workspace_figures(&self, actor: &Actor) -> Result<WorkspaceFigures> {
        let db = self.store.reader();
        let members = membership::Entity::find()
            .filter(membership::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(membership::Column::DisabledAt.is_null())
            .all(db)
            .await
            .map_err(db_err)?;
        let temporary_passwords = user::Entity::find()
            .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id).collect::<Vec<_>>()))
            .filter(user::Column::MustChangePassword.eq(true))
            .count(db)
            .await
            .map_err(db_err)?;
        let recent = if actor.role.is_admin_or_owner() {
            self.list_activity(
                actor,
                &Default::default(),
                &crate::page::PageRequest {
                    limit: Some(10),
                    cursor: None,
                },
            )
            .await?
            .items
        } else {
            self.my_recent_activity(actor, 10).await?
        };
        Ok(WorkspaceFigures {
            clients: self.count_clients(actor).await?,
            active_members: members.len() as u64,
            temporary_passwords,
            projects_at_risk: self.count_projects_at_risk(actor).await?,
            recent,
        })
    }
}
