//! Platform administration: creating and suspending workspaces, disabling users. The
//! platform-admin flag grants no access to any workspace's business data.

use cairn_domain::{DomainError, Result, UserId, WorkspaceId};
use cairn_store::entities::{user, workspace};
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;

use crate::accounts::NewOwner;
use crate::actor::RequestMeta;
use crate::audit::{self, Event};
use crate::sessions::SessionContext;
use crate::{Cairn, db_err, sessions, tokens};

/// A workspace as the platform admin sees it: no business data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlatformWorkspace {
    pub id: uuid::Uuid,
    pub name: String,
    pub slug: String,
    pub suspended: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A user account as the platform admin sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformUser {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub platform_admin: bool,
    pub disabled: bool,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn require_platform_admin(ctx: &SessionContext) -> Result<()> {
    if ctx.user.is_platform_admin {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "platform administrators only".into(),
        ))
    }
}

fn platform_event(
    ctx: &SessionContext,
    action: &'static str,
    record_type: &'static str,
    id: impl ToString,
    meta: &RequestMeta,
) -> Event {
    let mut ev = Event::system(
        format!("{} <{}>", ctx.user.name, ctx.user.email),
        action,
        record_type,
        meta,
    );
    ev.actor_user_id = Some(UserId(ctx.user.id));
    ev.record_id = Some(id.to_string());
    ev
}

impl Cairn {
    /// Every workspace on the installation.
    pub async fn platform_workspaces(
        &self,
        ctx: &SessionContext,
    ) -> Result<Vec<PlatformWorkspace>> {
        require_platform_admin(ctx)?;
        let rows = workspace::Entity::find()
            .order_by_asc(workspace::Column::Name)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|w| PlatformWorkspace {
                id: w.id,
                name: w.name,
                slug: w.slug,
                suspended: w.suspended_at.is_some(),
                created_at: w.created_at,
            })
            .collect())
    }

    /// Every user account on the installation (no business data).
    pub async fn platform_users(&self, ctx: &SessionContext) -> Result<Vec<PlatformUser>> {
        require_platform_admin(ctx)?;
        let rows = user::Entity::find()
            .order_by_asc(user::Column::Email)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|u| PlatformUser {
                id: u.id,
                email: u.email,
                name: u.name,
                platform_admin: u.is_platform_admin,
                disabled: u.disabled_at.is_some(),
                last_login_at: u.last_login_at,
            })
            .collect())
    }

    /// Creates a workspace with its first owner.
    pub async fn platform_create_workspace(
        &self,
        ctx: &SessionContext,
        input: NewOwner,
        meta: &RequestMeta,
    ) -> Result<WorkspaceId> {
        require_platform_admin(ctx)?;
        let (_, ws) = self.create_owner(input, meta).await?;
        Ok(ws)
    }

    /// Suspends or reinstates a workspace; a suspended one answers 403 to its members.
    pub async fn platform_set_suspended(
        &self,
        ctx: &SessionContext,
        id: uuid::Uuid,
        suspended: bool,
        meta: &RequestMeta,
    ) -> Result<()> {
        require_platform_admin(ctx)?;
        let w = workspace::Entity::find_by_id(id)
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("workspace"))?;
        let tx = self.store.write().await.map_err(db_err)?;
        workspace::Entity::update_many()
            .col_expr(
                workspace::Column::SuspendedAt,
                Expr::value(suspended.then(cairn_domain::time::now)),
            )
            .filter(workspace::Column::Id.eq(w.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let action = if suspended {
            "workspace.suspended"
        } else {
            "workspace.reinstated"
        };
        audit::record(
            &tx,
            platform_event(ctx, action, "workspace", w.id, meta)
                .changes(json!({"suspended": [w.suspended_at.is_some(), suspended]})),
        )
        .await?;
        let mut in_ws = platform_event(ctx, action, "workspace", w.id, meta);
        in_ws.workspace_id = Some(WorkspaceId(w.id));
        audit::record(&tx, in_ws).await?;
        tx.commit().await.map_err(db_err)
    }

    /// Disables or re-enables a user installation-wide; disabling ends every session and
    /// token at once.
    pub async fn platform_set_user_disabled(
        &self,
        ctx: &SessionContext,
        id: uuid::Uuid,
        disabled: bool,
        meta: &RequestMeta,
    ) -> Result<()> {
        require_platform_admin(ctx)?;
        if id == ctx.user.id && disabled {
            return Err(DomainError::invalid("id", "you cannot disable yourself"));
        }
        let u = user::Entity::find_by_id(id)
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("user"))?;
        let tx = self.store.write().await.map_err(db_err)?;
        user::Entity::update_many()
            .col_expr(
                user::Column::DisabledAt,
                Expr::value(disabled.then(cairn_domain::time::now)),
            )
            .filter(user::Column::Id.eq(u.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if disabled {
            sessions::revoke_all_for_user(&tx, UserId(u.id), None, None).await?;
            tokens::revoke_all_for_user(&tx, UserId(u.id), None).await?;
        }
        let action = if disabled {
            "user.disabled"
        } else {
            "user.enabled"
        };
        audit::record(
            &tx,
            platform_event(ctx, action, "user", u.id, meta)
                .changes(json!({"email": [u.email.clone(), u.email]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    /// CLI: grants or removes the platform-admin flag.
    pub async fn set_platform_admin(&self, email: &str, on: bool) -> Result<()> {
        let tx = self.store.write().await.map_err(db_err)?;
        let res = user::Entity::update_many()
            .col_expr(user::Column::IsPlatformAdmin, Expr::value(on))
            .filter(user::Column::Email.eq(email.trim().to_lowercase()))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(DomainError::NotFound("user"));
        }
        let mut ev = Event::system(
            "cli",
            if on {
                "user.platform_admin_granted"
            } else {
                "user.platform_admin_revoked"
            },
            "user",
            &RequestMeta::default(),
        );
        ev.record_id = Some(email.to_string());
        audit::record(&tx, ev).await?;
        tx.commit().await.map_err(db_err)
    }
}
