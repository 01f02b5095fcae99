//! Browser sessions: server-side rows keyed by the SHA-256 of a 256-bit secret that lives only
//! in the cookie. Idle timeout and absolute lifetime; a new secret at login and whenever
//! privileges change.

use cairn_domain::{Action, DomainError, Resource, Result, UserId, WorkspaceId};
use cairn_store::entities::{membership, session, user, workspace};
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::actor::{Actor, Credential, RequestMeta};
use crate::audit::{self, Event};
use crate::secrets::{hash_secret, new_token};
use crate::{Cairn, chrono_dur, db_err};

/// How often `last_seen_at` is written: coarse, so reads stay reads.
const TOUCH_EVERY_SECS: i64 = 60;

/// A freshly issued session: the secret goes into the cookie and nowhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: uuid::Uuid,
    pub secret: String,
}

/// What a valid session cookie resolves to.
#[derive(Debug, Clone)]
pub struct SessionContext {
    pub session_id: uuid::Uuid,
    pub user: user::Model,
    /// Password accepted, second factor outstanding: only the 2FA page is reachable.
    pub mfa_pending: bool,
    /// The member acting in the session's workspace; `None` when the user has no active
    /// workspace (a platform admin without memberships).
    pub actor: Option<Actor>,
    /// Workspaces the user may switch to: (slug, name, role).
    pub workspaces: Vec<(String, String, String)>,
}

/// A session as listed on the settings page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub id: uuid::Uuid,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub current: bool,
}

/// Inserts a session row inside `tx` and returns its secret.
pub(crate) async fn issue<C: ConnectionTrait>(
    app: &Cairn,
    tx: &C,
    user_id: UserId,
    workspace: Option<WorkspaceId>,
    mfa_pending: bool,
    meta: &RequestMeta,
) -> Result<NewSession> {
    let now = cairn_domain::time::now();
    let secret = new_token("");
    let id = uuid::Uuid::now_v7();
    session::Entity::insert(session::ActiveModel {
        id: Set(id),
        user_id: Set(user_id.0),
        workspace_id: Set(workspace.map(|w| w.0)),
        token_hash: Set(hash_secret(&secret)),
        mfa_pending: Set(mfa_pending),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta
            .user_agent
            .as_ref()
            .map(|u| u.chars().take(400).collect())),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + chrono_dur(app.config.session_absolute)),
        revoked_at: Set(None),
    })
    .exec_without_returning(tx)
    .await
    .map_err(db_err)?;
    Ok(NewSession { id, secret })
}

/// Revokes one session row inside `tx`.
pub(crate) async fn revoke_row<C: ConnectionTrait>(tx: &C, id: uuid::Uuid) -> Result<()> {
    session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            Expr::value(cairn_domain::time::now()),
        )
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Revokes every session of a user (optionally only those in one workspace, optionally
/// sparing one).
pub(crate) async fn revoke_all_for_user<C: ConnectionTrait>(
    tx: &C,
    user_id: UserId,
    workspace: Option<WorkspaceId>,
    except: Option<uuid::Uuid>,
) -> Result<()> {
    let mut q = session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            Expr::value(cairn_domain::time::now()),
        )
        .filter(session::Column::UserId.eq(user_id.0))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(w) = workspace {
        q = q.filter(session::Column::WorkspaceId.eq(w.0));
    }
    if let Some(e) = except {
        q = q.filter(session::Column::Id.ne(e));
    }
    q.exec(tx).await.map_err(db_err)?;
    Ok(())
}

/// Builds the actor for `user` in `workspace_id`, or explains why it cannot act there.
pub(crate) async fn actor_for<C: ConnectionTrait>(
    db: &C,
    user: &user::Model,
    workspace_id: uuid::Uuid,
    credential: Credential,
    meta: &RequestMeta,
) -> Result<Actor> {
    let ws = workspace::Entity::find_by_id(workspace_id)
        .one(db)
        .await
        .map_err(db_err)?
        .ok_or_else(|| DomainError::Unauthenticated("the workspace no longer exists".into()))?;
    if ws.suspended_at.is_some() {
        return Err(DomainError::WorkspaceSuspended);
    }
    let m = membership::Entity::find()
        .filter(membership::Column::WorkspaceId.eq(workspace_id))
        .filter(membership::Column::UserId.eq(user.id))
        .one(db)
        .await
        .map_err(db_err)?
        .filter(|m| m.disabled_at.is_none())
        .ok_or_else(|| {
            DomainError::Unauthenticated("you are no longer a member of this workspace".into())
        })?;
    let role = cairn_domain::Role::parse(&m.role)
        .ok_or_else(|| DomainError::Internal(format!("unknown role {}", m.role)))?;
    Ok(Actor {
        user_id: UserId(user.id),
        email: user.email.clone(),
        name: user.name.clone(),
        timezone: user.timezone.clone(),
        workspace_id: WorkspaceId(ws.id),
        workspace_name: ws.name,
        workspace_slug: ws.slug,
        membership_id: m.id.into(),
        role,
        is_platform_admin: user.is_platform_admin,
        credential,
        meta: meta.clone(),
    })
}

/// The workspaces a user can act in: (slug, name, role), active memberships of
/// unsuspended workspaces, by name.
pub async fn workspaces_of<C: ConnectionTrait>(
    db: &C,
    user_id: uuid::Uuid,
) -> Result<Vec<(String, String, String)>> {
    let rows = cairn_store::auth::user_workspaces(db, user_id)
        .await
        .map_err(db_err)?;
    Ok(rows.into_iter().map(|w| (w.slug, w.name, w.role)).collect())
}

impl Cairn {
    /// Resolves a session cookie. Expired, idle, revoked sessions and disabled users fail
    /// with `Unauthenticated`.
    pub async fn authenticate_session(
        &self,
        secret: &str,
        meta: &RequestMeta,
    ) -> Result<SessionContext> {
        let db = self.store.reader();
        let now = cairn_domain::time::now();
        // One joined read resolves the cookie to its session, user, workspace and membership.
        let p = cairn_store::auth::session_principal(db, &hash_secret(secret))
            .await
            .map_err(db_err)?
            .ok_or_else(|| DomainError::Unauthenticated("please sign in".into()))?;
        let s = p.session;
        let idle_limit = s.last_seen_at + chrono_dur(self.config.session_idle);
        if s.revoked_at.is_some() || s.expires_at <= now || idle_limit <= now {
            return Err(DomainError::Unauthenticated(
                "your session has ended; please sign in again".into(),
            ));
        }
        let user = Some(p.user)
            .filter(|u| u.disabled_at.is_none())
            .ok_or_else(|| DomainError::Unauthenticated("please sign in".into()))?;
        if (now - s.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
            let tx = self.store.write().await.map_err(db_err)?;
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::Id.eq(s.id))
                .exec(&tx)
                .await
                .map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
        }
        let actor = match (s.workspace_id, s.mfa_pending) {
            (Some(w), false) => {
                let (name, slug, suspended) = p.workspace.ok_or_else(|| {
                    DomainError::Unauthenticated("the workspace no longer exists".into())
                })?;
                if suspended.is_some() {
                    return Err(DomainError::WorkspaceSuspended);
                }
                let (membership_id, role, _) =
                    p.membership.filter(|m| m.2.is_none()).ok_or_else(|| {
                        DomainError::Unauthenticated(
                            "you are no longer a member of this workspace".into(),
                        )
                    })?;
                let role = cairn_domain::Role::parse(&role)
                    .ok_or_else(|| DomainError::Internal(format!("unknown role {role}")))?;
                Some(Actor {
                    user_id: UserId(user.id),
                    email: user.email.clone(),
                    name: user.name.clone(),
                    timezone: user.timezone.clone(),
                    workspace_id: WorkspaceId(w),
                    workspace_name: name,
                    workspace_slug: slug,
                    membership_id: membership_id.into(),
                    role,
                    is_platform_admin: user.is_platform_admin,
                    credential: Credential::Session { id: s.id },
                    meta: meta.clone(),
                })
            }
            _ => None,
        };
        let workspaces = if s.mfa_pending {
            vec![]
        } else {
            workspaces_of(db, user.id).await?
        };
        Ok(SessionContext {
            session_id: s.id,
            user,
            mfa_pending: s.mfa_pending,
            actor,
            workspaces,
        })
    }

    /// Ends a session (logout).
    pub async fn logout(&self, ctx: &SessionContext, meta: &RequestMeta) -> Result<()> {
        let tx = self.store.write().await.map_err(db_err)?;
        revoke_row(&tx, ctx.session_id).await?;
        let mut ev = Event::system(
            format!("{} <{}>", ctx.user.name, ctx.user.email),
            "auth.logout",
            "session",
            meta,
        );
        ev.actor_user_id = Some(UserId(ctx.user.id));
        ev.workspace_id = ctx.actor.as_ref().map(|a| a.workspace_id);
        ev.record_id = Some(ctx.session_id.to_string());
        audit::record(&tx, ev).await?;
        tx.commit().await.map_err(db_err)
    }

    /// The actor's own live sessions, newest first.
    pub async fn list_sessions(&self, actor: &Actor) -> Result<Vec<SessionView>> {
        actor.require(Action::Read, Resource::Session)?;
        let now = cairn_domain::time::now();
        let current = match actor.credential {
            Credential::Session { id } => Some(id),
            _ => None,
        };
        let rows = session::Entity::find()
            .filter(session::Column::UserId.eq(actor.user_id.0))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(session::Column::LastSeenAt.gt(now - chrono_dur(self.config.session_idle)))
            .order_by_desc(session::Column::LastSeenAt)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|s| SessionView {
                id: s.id,
                current: Some(s.id) == current,
                ip: s.ip,
                user_agent: s.user_agent,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
            })
            .collect())
    }

    /// Revokes one of the actor's own sessions; another user's id is "not found".
    pub async fn revoke_session(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require(Action::Delete, Resource::Session)?;
        let s = session::Entity::find_by_id(id)
            .filter(session::Column::UserId.eq(actor.user_id.0))
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .filter(|s| s.revoked_at.is_none())
            .ok_or(DomainError::NotFound("session"))?;
        let tx = self.store.write().await.map_err(db_err)?;
        revoke_row(&tx, s.id).await?;
        audit::record(&tx, Event::by(actor, "session.revoked", "session", s.id)).await?;
        tx.commit().await.map_err(db_err)
    }
}
