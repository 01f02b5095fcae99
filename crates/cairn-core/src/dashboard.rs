//! The dashboard's figures. Owners and admins see the workspace's activity; members and
//! viewers see their own.

use cairn_domain::{DomainError, Result};
use cairn_store::entities::{membership, session, user};
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::activity::ActivityView;
use crate::actor::Actor;
use crate::delivery::tasks::{TaskFilter, TaskView};
use crate::page::PageRequest;
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

impl Cairn {
    /// Real figures for the actor's dashboard.
    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard> {
        let db = self.store.reader();
        let now = cairn_domain::time::now();
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
        let my_sessions = session::Entity::find()
            .filter(session::Column::UserId.eq(actor.user_id.0))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(session::Column::LastSeenAt.gt(now - chrono_dur(self.config.session_idle)))
            .count(db)
            .await
            .map_err(db_err)?;
        let manager = actor.role.is_admin_or_owner();
        let recent = if manager {
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
        let events_last_week = self
            .activity_count_since(actor, now - chrono::Duration::days(7))
            .await?;
        let clients = self.count_clients(actor).await?;
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
        let projects_at_risk = self.count_projects_at_risk(actor).await?;
        Ok(Dashboard {
            overdue_more: overdue.next_cursor.is_some(),
            overdue: overdue.items,
            due_today_more: due_today.next_cursor.is_some(),
            due_today: due_today.items,
            projects_at_risk,
            clients,
            active_members: members.len() as u64,
            temporary_passwords,
            events_last_week,
            my_sessions,
            recent,
        })
    }
}
