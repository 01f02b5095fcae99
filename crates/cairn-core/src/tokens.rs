//! API tokens: personal access tokens, and the token endpoint's short-lived access tokens
//! with rotating refresh tokens. Every token is bound to one workspace and stored hashed.

use cairn_domain::{
    Action, DomainError, FieldError, Resource, Result, UserId, WorkspaceId, validate,
};
use cairn_store::entities::{api_token, refresh_token, user};
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;

use crate::actor::{Actor, Credential, RequestMeta};
use crate::audit::{self, Event};
use crate::secrets::{hash_secret, new_token};
use crate::sessions::actor_for;
use crate::{Cairn, chrono_dur, collect_errors, db_err, totp};

/// Prefix of personal access tokens.
pub const PAT_PREFIX: &str = "cairn_pat_";
/// Prefix of access tokens from the token endpoint.
pub const ACCESS_PREFIX: &str = "cairn_at_";
/// Prefix of refresh tokens.
pub const REFRESH_PREFIX: &str = "cairn_rt_";
/// Longest PAT lifetime a user may choose.
pub const MAX_PAT_DAYS: i64 = 366;

/// A token's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    ReadWrite,
}

impl Scope {
    /// Parses `read` / `read_write`.
    pub fn parse(field: &str, s: &str) -> Result<Scope, FieldError> {
        match s {
            "read" => Ok(Scope::Read),
            "read_write" => Ok(Scope::ReadWrite),
            _ => Err(FieldError::new(field, "must be read or read_write")),
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::ReadWrite => "read_write",
        }
    }
}

/// A personal access token as listed (never with its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: uuid::Uuid,
    pub name: String,
    pub scope: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<api_token::Model> for TokenView {
    fn from(t: api_token::Model) -> Self {
        Self {
            id: t.id,
            name: t.name,
            scope: t.scope,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// A new PAT: the secret is shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: TokenView,
    pub secret: String,
}

/// The token endpoint's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
}

/// How often `last_used_at` is written.
const TOUCH_EVERY_SECS: i64 = 60;

impl Cairn {
    /// Creates a personal access token for the actor in the current workspace.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        scope: &str,
        expires_in_days: Option<i64>,
    ) -> Result<CreatedToken> {
        actor.require(Action::Create, Resource::ApiToken)?;
        let mut errors = Vec::new();
        let name = validate::required_text("name", name, 80)
            .map_err(|e| errors.push(e))
            .ok();
        let scope = Scope::parse("scope", scope)
            .map_err(|e| errors.push(e))
            .ok();
        if let Some(d) = expires_in_days
            && !(1..=MAX_PAT_DAYS).contains(&d)
        {
            errors.push(FieldError::new(
                "expires_in_days",
                format!("must be between 1 and {MAX_PAT_DAYS}"),
            ));
        }
        collect_errors(errors)?;
        let (name, scope) = (name.unwrap_or_default(), scope.unwrap_or(Scope::Read));
        let now = cairn_domain::time::now();
        let secret = new_token(PAT_PREFIX);
        let model = api_token::Model {
            id: uuid::Uuid::now_v7(),
            user_id: actor.user_id.0,
            workspace_id: actor.workspace_id.0,
            kind: "personal".into(),
            name: name.clone(),
            scope: scope.as_str().into(),
            token_hash: hash_secret(&secret),
            family_id: None,
            expires_at: expires_in_days.map(|d| now + chrono::Duration::days(d)),
            last_used_at: None,
            revoked_at: None,
            created_at: now,
        };
        let tx = self.store.write().await.map_err(db_err)?;
        api_token::Entity::insert(api_token::ActiveModel::from(model.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        audit::record(
            &tx,
            Event::by(actor, "token.created", "api_token", model.id)
                .changes(json!({"name": [null, name], "scope": [null, scope.as_str()]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(CreatedToken {
            token: model.into(),
            secret,
        })
    }

    /// The actor's live personal access tokens in this workspace.
    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<TokenView>> {
        actor.require(Action::Read, Resource::ApiToken)?;
        let now = cairn_domain::time::now();
        let rows = api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(actor.user_id.0))
            .filter(api_token::Column::WorkspaceId.eq(actor.workspace_id.0))
            .filter(api_token::Column::Kind.eq("personal"))
            .filter(api_token::Column::RevokedAt.is_null())
            .order_by_desc(api_token::Column::CreatedAt)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .filter(|t| t.expires_at.is_none_or(|e| e > now))
            .map(Into::into)
            .collect())
    }

    /// Revokes one of the actor's tokens; any other id is "not found".
    pub async fn revoke_token(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require(Action::Delete, Resource::ApiToken)?;
        let t = api_token::Entity::find_by_id(id)
            .filter(api_token::Column::UserId.eq(actor.user_id.0))
            .filter(api_token::Column::WorkspaceId.eq(actor.workspace_id.0))
            .filter(api_token::Column::Kind.eq("personal"))
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .filter(|t| t.revoked_at.is_none())
            .ok_or(DomainError::NotFound("token"))?;
        let tx = self.store.write().await.map_err(db_err)?;
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::RevokedAt,
                Expr::value(cairn_domain::time::now()),
            )
            .filter(api_token::Column::Id.eq(t.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        audit::record(
            &tx,
            Event::by(actor, "token.revoked", "api_token", t.id)
                .changes(json!({"name": [t.name, null]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    /// Resolves a bearer token (PAT or access token) into an actor with one joined read.
    pub async fn authenticate_token(&self, bearer: &str, meta: &RequestMeta) -> Result<Actor> {
        let denied = || {
            DomainError::Unauthenticated("the bearer token is invalid, expired or revoked".into())
        };
        if !(bearer.starts_with(PAT_PREFIX) || bearer.starts_with(ACCESS_PREFIX)) {
            return Err(denied());
        }
        let now = cairn_domain::time::now();
        let p = cairn_store::auth::token_principal(self.store.reader(), &hash_secret(bearer))
            .await
            .map_err(db_err)?
            .ok_or_else(denied)?;
        if p.revoked_at.is_some()
            || p.expires_at.is_some_and(|e| e <= now)
            || p.user_disabled_at.is_some()
        {
            return Err(denied());
        }
        if p.suspended_at.is_some() {
            return Err(DomainError::WorkspaceSuspended);
        }
        let (Some(membership_id), Some(role), None) =
            (p.membership_id, p.role.as_deref(), p.member_disabled_at)
        else {
            return Err(DomainError::Unauthenticated(
                "you are no longer a member of this workspace".into(),
            ));
        };
        let role = cairn_domain::Role::parse(role)
            .ok_or_else(|| DomainError::Internal(format!("unknown role {role}")))?;
        if p.must_change_password {
            return Err(DomainError::PasswordChangeRequired);
        }
        if p.last_used_at
            .is_none_or(|l| (now - l).num_seconds() >= TOUCH_EVERY_SECS)
        {
            let tx = self.store.write().await.map_err(db_err)?;
            api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
                .filter(api_token::Column::Id.eq(p.token_id))
                .exec(&tx)
                .await
                .map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
        }
        Ok(Actor {
            user_id: UserId(p.user_id),
            email: p.email,
            name: p.name,
            timezone: p.timezone,
            workspace_id: WorkspaceId(p.workspace_id),
            workspace_name: p.workspace_name,
            workspace_slug: p.workspace_slug,
            membership_id: membership_id.into(),
            role,
            is_platform_admin: p.is_platform_admin,
            credential: Credential::Token {
                id: p.token_id,
                read_only: p.scope == "read",
            },
            meta: meta.clone(),
        })
    }

    /// The password grant: email, password, optional workspace slug and TOTP code.
    pub async fn grant_password(
        &self,
        email: &str,
        password: &str,
        workspace: Option<&str>,
        code: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<TokenPair> {
        let login = self
            .verify_credentials(email, password, workspace, meta)
            .await?;
        let Some(ws) = login.workspace else {
            return Err(DomainError::Forbidden(
                "tokens are bound to a workspace; this account has none".into(),
            ));
        };
        if login.user.must_change_password {
            return Err(DomainError::PasswordChangeRequired);
        }
        let tx = self.store.write().await.map_err(db_err)?;
        if login.user.totp_enabled_at.is_some() {
            match code.map(str::trim).filter(|c| !c.is_empty()) {
                None => {
                    return Err(DomainError::invalid(
                        "totp",
                        "is required: this account uses two-factor authentication",
                    ));
                }
                Some(c) => totp::consume_code(self, &tx, &login.user, c)
                    .await
                    .map_err(|_| {
                        DomainError::invalid(
                            "totp",
                            "is not a valid authentication or recovery code",
                        )
                    })?,
            }
        }
        self.record_login(&tx, &login, "token", meta).await?;
        let pair = self
            .issue_pair(
                &tx,
                UserId(login.user.id),
                WorkspaceId(ws),
                "read_write",
                uuid::Uuid::now_v7(),
            )
            .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(pair)
    }

    /// The refresh grant: a refresh token is spent on use and replaced. Presenting a spent
    /// one means it was stolen or replayed: the whole family is revoked.
    pub async fn grant_refresh(&self, refresh: &str, meta: &RequestMeta) -> Result<TokenPair> {
        let denied = || {
            DomainError::Unauthenticated("the refresh token is invalid, expired or revoked".into())
        };
        if !refresh.starts_with(REFRESH_PREFIX) {
            return Err(DomainError::invalid(
                "refresh_token",
                "is not a Cairn refresh token",
            ));
        }
        let now = cairn_domain::time::now();
        let tx = self.store.write().await.map_err(db_err)?;
        let rt = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(hash_secret(refresh)))
            .one(&tx)
            .await
            .map_err(db_err)?
            .ok_or_else(denied)?;
        if rt.used_at.is_some() && rt.revoked_at.is_none() {
            revoke_family(&tx, rt.family_id).await?;
            let mut ev = Event::system(
                "token endpoint",
                "token.refresh_reuse_detected",
                "refresh_token",
                meta,
            );
            ev.workspace_id = Some(WorkspaceId(rt.workspace_id));
            ev.actor_user_id = Some(UserId(rt.user_id));
            ev.record_id = Some(rt.family_id.to_string());
            audit::record(&tx, ev).await?;
            tx.commit().await.map_err(db_err)?;
            return Err(DomainError::Unauthenticated(
                "this refresh token was already used; every token of this sign-in has been revoked"
                    .into(),
            ));
        }
        if rt.revoked_at.is_some() || rt.expires_at <= now {
            return Err(denied());
        }
        let user = user::Entity::find_by_id(rt.user_id)
            .one(&tx)
            .await
            .map_err(db_err)?
            .filter(|u| u.disabled_at.is_none())
            .ok_or_else(denied)?;
        actor_for(
            &tx,
            &user,
            rt.workspace_id,
            Credential::Token {
                id: rt.id,
                read_only: false,
            },
            meta,
        )
        .await?;
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(rt.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let pair = self
            .issue_pair(
                &tx,
                UserId(rt.user_id),
                WorkspaceId(rt.workspace_id),
                &rt.scope,
                rt.family_id,
            )
            .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(pair)
    }

    async fn issue_pair<C: ConnectionTrait>(
        &self,
        tx: &C,
        user: UserId,
        ws: WorkspaceId,
        scope: &str,
        family: uuid::Uuid,
    ) -> Result<TokenPair> {
        let now = cairn_domain::time::now();
        let access = new_token(ACCESS_PREFIX);
        let refresh = new_token(REFRESH_PREFIX);
        api_token::Entity::insert(api_token::ActiveModel::from(api_token::Model {
            id: uuid::Uuid::now_v7(),
            user_id: user.0,
            workspace_id: ws.0,
            kind: "access".into(),
            name: "access token".into(),
            scope: scope.into(),
            token_hash: hash_secret(&access),
            family_id: Some(family),
            expires_at: Some(now + chrono_dur(self.config.access_token_ttl)),
            last_used_at: None,
            revoked_at: None,
            created_at: now,
        }))
        .exec_without_returning(tx)
        .await
        .map_err(db_err)?;
        refresh_token::Entity::insert(refresh_token::ActiveModel::from(refresh_token::Model {
            id: uuid::Uuid::now_v7(),
            family_id: family,
            user_id: user.0,
            workspace_id: ws.0,
            scope: scope.into(),
            token_hash: hash_secret(&refresh),
            expires_at: now + chrono_dur(self.config.refresh_token_ttl),
            used_at: None,
            revoked_at: None,
            created_at: now,
        }))
        .exec_without_returning(tx)
        .await
        .map_err(db_err)?;
        Ok(TokenPair {
            access_token: access,
            refresh_token: refresh,
            token_type: "Bearer",
            expires_in: self.config.access_token_ttl.as_secs(),
        })
    }
}

async fn revoke_family<C: ConnectionTrait>(tx: &C, family: uuid::Uuid) -> Result<()> {
    let now = cairn_domain::time::now();
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(tx)
        .await
        .map_err(db_err)?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::FamilyId.eq(family))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Revokes every token of a user (optionally only in one workspace).
pub(crate) async fn revoke_all_for_user<C: ConnectionTrait>(
    tx: &C,
    user: UserId,
    ws: Option<WorkspaceId>,
) -> Result<()> {
    let now = cairn_domain::time::now();
    let mut a = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::UserId.eq(user.0))
        .filter(api_token::Column::RevokedAt.is_null());
    let mut r = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(user.0))
        .filter(refresh_token::Column::RevokedAt.is_null());
    if let Some(w) = ws {
        a = a.filter(api_token::Column::WorkspaceId.eq(w.0));
        r = r.filter(refresh_token::Column::WorkspaceId.eq(w.0));
    }
    a.exec(tx).await.map_err(db_err)?;
    r.exec(tx).await.map_err(db_err)?;
    Ok(())
}
