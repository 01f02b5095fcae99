//! Reading the activity log: the admin page and `GET /api/v1/activity`.

use cairn_domain::{Action, DomainError, Resource, Result};
use cairn_store::entities::{audit_entry, client};
use cairn_store::sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::actor::Actor;
use crate::page::{Page, PageRequest};
use crate::seen::Target;
use crate::{Cairn, db_err};

/// One log entry as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityView {
    pub id: uuid::Uuid,
    pub seq: i64,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub actor_user_id: Option<uuid::Uuid>,
    pub actor: String,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub hash: String,
}

/// Filters of the activity list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Exact action (`member.role_changed`) or a prefix ending in `.` (`member.`).
    pub action: Option<String>,
    pub actor_user_id: Option<uuid::Uuid>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<audit_entry::Model> for ActivityView {
    fn from(e: audit_entry::Model) -> Self {
        Self {
            id: e.id,
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor_user_id: e.actor_user_id,
            actor: e.actor_label,
            action: e.action,
            record_type: e.record_type,
            record_id: e.record_id,
            changes: e.changes,
            ip: e.ip,
            user_agent: e.user_agent,
            hash: e.hash,
        }
    }
}

impl Cairn {
    /// The workspace's activity, newest first (owners and admins).
    pub async fn list_activity(
        &self,
        actor: &Actor,
        f: &ActivityFilter,
        page: &PageRequest,
    ) -> Result<Page<ActivityView>> {
        actor.require(Action::Read, Resource::ActivityLog)?;
        let limit = page.limit()?;
        let mut q = audit_entry::Entity::find()
            .filter(audit_entry::Column::WorkspaceId.eq(actor.scope().uuid()));
        if let Some(a) = f.action.as_ref().filter(|a| !a.is_empty()) {
            q = if a.ends_with('.') {
                q.filter(audit_entry::Column::Action.starts_with(a))
            } else {
                q.filter(audit_entry::Column::Action.eq(a.clone()))
            };
        }
        if let Some(u) = f.actor_user_id {
            q = q.filter(audit_entry::Column::ActorUserId.eq(u));
        }
        if let Some(t) = f.record_type.as_ref().filter(|t| !t.is_empty()) {
            q = q.filter(audit_entry::Column::RecordType.eq(t.clone()));
        }
        if let Some(r) = f.record_id.as_ref().filter(|t| !t.is_empty()) {
            q = q.filter(audit_entry::Column::RecordId.eq(r.clone()));
        }
        if let (Some(s), Some(u)) = (f.since, f.until)
            && s > u
        {
            return Err(DomainError::invalid("since", "must be before until"));
        }
        if let Some(s) = f.since {
            q = q.filter(audit_entry::Column::OccurredAt.gte(s));
        }
        if let Some(u) = f.until {
            q = q.filter(audit_entry::Column::OccurredAt.lt(u));
        }
        // The chain sequence orders a workspace's entries exactly.
        if let Some(seq) = page.position::<i64>()? {
            q = q.filter(audit_entry::Column::Seq.lt(seq));
        }
        let rows = q
            .order_by_desc(audit_entry::Column::Seq)
            .limit(limit + 1)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        let views: Vec<ActivityView> = rows.into_iter().map(Into::into).collect();
        Ok(Page::from_rows(views, limit, |v| v.seq))
    }

    /// The activity of one client (its record and everything under it), for anyone who may
    /// see the client; newest first.
    pub async fn client_activity<'a>(
        &self,
        actor: &Actor,
        client: impl Into<Target<'a, client::Model>>,
        limit: u64,
    ) -> Result<Vec<ActivityView>> {
        actor.require(Action::Read, Resource::Client)?;
        let c = self.seen_client(actor, client.into()).await?;
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(audit_entry::Column::ClientId.eq(c.id))
            .order_by_desc(audit_entry::Column::Seq)
            .limit(limit)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The actor's own most recent actions (the dashboard of members and viewers).
    pub async fn my_recent_activity(&self, actor: &Actor, limit: u64) -> Result<Vec<ActivityView>> {
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(audit_entry::Column::ActorUserId.eq(actor.user_id.0))
            .order_by_desc(audit_entry::Column::Seq)
            .limit(limit)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// How many entries were logged since `since`: the workspace's, for those who may read
    /// its activity log; otherwise only the actor's own, since the others may concern clients
    /// the actor may not see.
    pub async fn activity_count_since(
        &self,
        actor: &Actor,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64> {
        let mut entries = audit_entry::Entity::find()
            .filter(audit_entry::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(audit_entry::Column::OccurredAt.gte(since));
        if !actor.can(Action::Read, Resource::ActivityLog) {
            entries = entries.filter(audit_entry::Column::ActorUserId.eq(actor.user_id.0));
        }
        entries.count(self.store.reader()).await.map_err(db_err)
    }
}
