//! Authentication lookups: the joined reads every authenticated request makes. They resolve
//! a credential to its user, workspace and membership in ONE statement (instead of four),
//! which is what keeps per-request authentication cheap. They take no workspace scope
//! because they are what establishes it.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};

/// A bearer token with everything needed to build an actor, or to refuse it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct TokenPrincipal {
    pub token_id: uuid::Uuid,
    pub scope: String,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub user_id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub timezone: String,
    pub is_platform_admin: bool,
    pub user_disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub must_change_password: bool,
    pub workspace_id: uuid::Uuid,
    pub workspace_name: String,
    pub workspace_slug: String,
    pub suspended_at: Option<chrono::DateTime<chrono::Utc>>,
    pub membership_id: Option<uuid::Uuid>,
    pub role: Option<String>,
    pub member_disabled_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn placeholder(db: &impl ConnectionTrait, n: usize) -> String {
    match db.get_database_backend() {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}

/// The token whose SHA-256 is `token_hash`, joined to its user, workspace and membership.
pub async fn token_principal<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<Option<TokenPrincipal>, DbErr> {
    let sql = format!(
        "SELECT t.id AS token_id, t.scope, t.expires_at, t.revoked_at, t.last_used_at, \
                u.id AS user_id, u.email, u.name, u.timezone, u.is_platform_admin, \
                u.disabled_at AS user_disabled_at, u.must_change_password, \
                w.id AS workspace_id, w.name AS workspace_name, w.slug AS workspace_slug, w.suspended_at, \
                m.id AS membership_id, m.role, m.disabled_at AS member_disabled_at \
         FROM api_tokens t \
         JOIN users u ON u.id = t.user_id \
         JOIN workspaces w ON w.id = t.workspace_id \
         LEFT JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id \
         WHERE t.token_hash = {}",
        placeholder(db, 1)
    );
    let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, [token_hash.into()]);
    TokenPrincipal::find_by_statement(stmt).one(db).await
}

/// One workspace a user can act in.
#[derive(Debug, Clone, FromQueryResult)]
pub struct UserWorkspace {
    pub slug: String,
    pub name: String,
    pub role: String,
}

/// The active memberships of a user in unsuspended workspaces, by workspace name.
pub async fn user_workspaces<C: ConnectionTrait>(
    db: &C,
    user_id: uuid::Uuid,
) -> Result<Vec<UserWorkspace>, DbErr> {
    let sql = format!(
        "SELECT w.slug, w.name, m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = {} AND m.disabled_at IS NULL AND w.suspended_at IS NULL \
         ORDER BY LOWER(w.name), w.slug",
        placeholder(db, 1)
    );
    let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, [user_id.into()]);
    UserWorkspace::find_by_statement(stmt).all(db).await
}

/// A browser session with its user, and the workspace and membership it is in (if any).
#[derive(Debug, Clone)]
pub struct SessionPrincipal {
    pub session: crate::entities::session::Model,
    pub user: crate::entities::user::Model,
    /// `(name, slug, suspended_at)` of the session's workspace, if it still exists.
    pub workspace: Option<(String, String, Option<chrono::DateTime<chrono::Utc>>)>,
    /// `(id, role, disabled_at)` of the user's membership there, if any.
    pub membership: Option<(uuid::Uuid, String, Option<chrono::DateTime<chrono::Utc>>)>,
}

/// `t.col AS pfx_col` for every column of an entity, so one row carries several models.
fn prefixed<E: sea_orm::EntityTrait>(alias: &str, prefix: &str) -> String {
    use sea_orm::{IdenStatic, Iterable};
    E::Column::iter()
        .map(|c| format!("{alias}.{0} AS {prefix}{0}", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The session whose SHA-256 is `token_hash`, joined to its user, workspace and membership.
pub async fn session_principal<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<Option<SessionPrincipal>, DbErr> {
    use crate::entities::{session, user};
    let sql = format!(
        "SELECT {}, {}, w.name AS w_name, w.slug AS w_slug, w.suspended_at AS w_suspended_at, \
                m.id AS m_id, m.role AS m_role, m.disabled_at AS m_disabled_at \
         FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         LEFT JOIN workspaces w ON w.id = s.workspace_id \
         LEFT JOIN memberships m ON m.workspace_id = s.workspace_id AND m.user_id = s.user_id \
         WHERE s.token_hash = {}",
        prefixed::<session::Entity>("s", "s_"),
        prefixed::<user::Entity>("u", "u_"),
        placeholder(db, 1)
    );
    let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, [token_hash.into()]);
    let Some(row) = db.query_one_raw(stmt).await? else {
        return Ok(None);
    };
    let workspace = match row.try_get::<Option<String>>("", "w_name")? {
        Some(name) => Some((
            name,
            row.try_get("", "w_slug")?,
            row.try_get("", "w_suspended_at")?,
        )),
        None => None,
    };
    let membership = match row.try_get::<Option<uuid::Uuid>>("", "m_id")? {
        Some(id) => Some((
            id,
            row.try_get("", "m_role")?,
            row.try_get("", "m_disabled_at")?,
        )),
        None => None,
    };
    Ok(Some(SessionPrincipal {
        session: session::Model::from_query_result(&row, "s_")?,
        user: user::Model::from_query_result(&row, "u_")?,
        workspace,
        membership,
    }))
}
