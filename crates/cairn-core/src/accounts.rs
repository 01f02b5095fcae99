//! Accounts: first-run setup, login with throttling and a second factor, password changes,
//! and the CLI's user management.

use cairn_domain::{
    DomainError, FieldError, Result, Role, UserId, WorkspaceId, password, validate,
};
use cairn_store::entities::{membership, user, workspace};
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;

use crate::actor::{Actor, Credential, RequestMeta};
use crate::audit::{self, Event};
use crate::secrets::new_token;
use crate::sessions::{self, NewSession};
use crate::{Cairn, collect_errors, db_err, passwords, throttle, totp};

/// What the first-run page and `cairn admin create-owner` submit.
#[derive(Debug, Clone)]
pub struct NewOwner {
    pub workspace: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Default workspace settings (SPEC §3).
pub fn default_settings() -> serde_json::Value {
    json!({"renewal_lead_days": [30, 7, 1], "working_days": [1, 2, 3, 4, 5], "currency": "EUR"})
}

/// The result of a correct email and password.
#[derive(Debug)]
pub enum LoginOutcome {
    /// Signed in.
    SignedIn {
        session: NewSession,
        must_change_password: bool,
    },
    /// The account has a second factor: the session is pending until a code is given.
    SecondFactorRequired { session: NewSession },
}

/// A user that passed email, password and (if enrolled) second-factor checks.
pub(crate) struct VerifiedLogin {
    pub user: user::Model,
    pub workspace: Option<uuid::Uuid>,
}

/// The generic refusal: never says whether the email exists.
fn bad_credentials() -> DomainError {
    DomainError::Unauthenticated("email or password is incorrect".into())
}

impl Cairn {
    /// Whether any user exists (the first-run page is offered only when none does).
    pub async fn has_users(&self) -> Result<bool> {
        Ok(user::Entity::find()
            .count(self.store.reader())
            .await
            .map_err(db_err)?
            > 0)
    }

    /// Creates the one-time setup token when there is no user yet; returns it for the log.
    pub async fn prepare_setup(&self) -> Result<Option<String>> {
        if self.has_users().await? {
            return Ok(None);
        }
        let token = new_token("");
        *self.setup_token.lock().expect("setup token lock") = Some(token.clone());
        Ok(Some(token))
    }

    /// Whether `token` is the live setup token.
    pub fn setup_token_valid(&self, token: &str) -> bool {
        self.setup_token
            .lock()
            .expect("setup token lock")
            .as_deref()
            .is_some_and(|t| crate::secrets::secrets_equal(t, token))
    }

    /// First-run setup from the web page: needs the one-time token printed in the log.
    pub async fn complete_setup(
        &self,
        token: &str,
        input: NewOwner,
        meta: &RequestMeta,
    ) -> Result<()> {
        if !self.setup_token_valid(token) || self.has_users().await? {
            return Err(DomainError::Forbidden(
                "this setup link is no longer valid".into(),
            ));
        }
        self.create_owner(input, meta).await?;
        *self.setup_token.lock().expect("setup token lock") = None;
        Ok(())
    }

    /// Creates a workspace and its first owner (setup page and CLI). If the email already
    /// has an account, it becomes the owner of the new workspace and keeps its password.
    pub async fn create_owner(
        &self,
        input: NewOwner,
        meta: &RequestMeta,
    ) -> Result<(UserId, WorkspaceId)> {
        let mut errors = Vec::new();
        let ws_name = validate::required_text("workspace", &input.workspace, 120)
            .map_err(|e| errors.push(e))
            .ok();
        let name = validate::required_text("name", &input.name, 120)
            .map_err(|e| errors.push(e))
            .ok();
        let email = validate::email("email", &input.email)
            .map_err(|e| errors.push(e))
            .ok();
        let existing = match &email {
            Some(e) => user::Entity::find()
                .filter(user::Column::Email.eq(e.clone()))
                .one(self.store.reader())
                .await
                .map_err(db_err)?,
            None => None,
        };
        if existing.is_none()
            && let Err(e) = password::check_new_password(
                "password",
                &input.password,
                &[&input.email, &input.name],
            )
        {
            errors.push(e);
        }
        collect_errors(errors)?;
        let (ws_name, name, email) = (
            ws_name.unwrap_or_default(),
            name.unwrap_or_default(),
            email.unwrap_or_default(),
        );
        let slug = self.free_slug(&validate::slugify(&ws_name)).await?;
        let hash = match &existing {
            Some(_) => None,
            None => Some(passwords::hash_blocking(input.password.clone()).await?),
        };
        let now = cairn_domain::time::now();
        let tx = self.store.write().await.map_err(db_err)?;
        let user_id = match &existing {
            Some(u) => UserId(u.id),
            None => {
                let id = UserId::new();
                insert_user(&tx, id, &email, &name, hash.unwrap_or_default(), false).await?;
                id
            }
        };
        let ws_id = WorkspaceId::new();
        workspace::Entity::insert(workspace::ActiveModel {
            id: Set(ws_id.0),
            name: Set(ws_name.clone()),
            slug: Set(slug.clone()),
            settings: Set(default_settings()),
            suspended_at: Set(None),
            created_at: Set(now),
            created_by: Set(Some(user_id.0)),
            updated_at: Set(now),
            updated_by: Set(Some(user_id.0)),
            version: Set(1),
            archived_at: Set(None),
            custom: Set(json!({})),
        })
        .exec_without_returning(&tx)
        .await
        .map_err(db_err)?;
        insert_membership(&tx, ws_id, user_id, Role::Owner, Some(user_id)).await?;
        let mut ev = Event::system(
            format!("{name} <{email}>"),
            "workspace.created",
            "workspace",
            meta,
        )
        .changes(json!({"name": [null, ws_name], "slug": [null, slug], "owner": [null, email]}));
        ev.workspace_id = Some(ws_id);
        ev.actor_user_id = Some(user_id);
        ev.record_id = Some(ws_id.to_string());
        audit::record(&tx, ev).await?;
        tx.commit().await.map_err(db_err)?;
        Ok((user_id, ws_id))
    }

    /// A slug not yet taken, derived from `base`.
    pub(crate) async fn free_slug(&self, base: &str) -> Result<String> {
        let mut candidate = base.to_string();
        for n in 2..1000 {
            let taken = workspace::Entity::find()
                .filter(workspace::Column::Slug.eq(candidate.clone()))
                .count(self.store.reader())
                .await
                .map_err(db_err)?
                > 0;
            if !taken {
                return Ok(candidate);
            }
            candidate = format!("{base}-{n}");
        }
        Err(DomainError::Conflict(
            "could not find a free workspace slug".into(),
        ))
    }

    /// Checks email, password and (when enrolled and given) the second factor, with
    /// throttling. Failures are counted and logged; the error never reveals whether the
    /// email exists.
    pub(crate) async fn verify_credentials(
        &self,
        email: &str,
        password: &str,
        workspace_slug: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<VerifiedLogin> {
        let mut errors = Vec::new();
        if email.trim().is_empty() {
            errors.push(FieldError::new("email", "is required"));
        }
        if password.is_empty() {
            errors.push(FieldError::new("password", "is required"));
        }
        collect_errors(errors)?;
        let keys = throttle::keys(email, meta.ip.as_deref());
        throttle::check(self.store.reader(), &keys).await?;
        let normalized = email.trim().to_lowercase();
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(normalized.clone()))
            .one(self.store.reader())
            .await
            .map_err(db_err)?;
        let ok = passwords::verify_blocking(
            password.to_string(),
            found.as_ref().map(|u| u.password_hash.clone()),
        )
        .await;
        let user = match found {
            Some(u) if ok && u.disabled_at.is_none() => u,
            _ => {
                let tx = self.store.write().await.map_err(db_err)?;
                throttle::record_failure(&tx, &keys).await?;
                let ev = Event::system(normalized.clone(), "auth.login_failed", "user", meta)
                    .changes(json!({"email": [null, normalized]}));
                audit::record(&tx, ev).await?;
                tx.commit().await.map_err(db_err)?;
                return Err(bad_credentials());
            }
        };
        let memberships = sessions::workspaces_of(self.store.reader(), user.id).await?;
        let workspace = match workspace_slug.map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => {
                let ws = workspace::Entity::find()
                    .filter(workspace::Column::Slug.eq(slug.to_lowercase()))
                    .one(self.store.reader())
                    .await
                    .map_err(db_err)?;
                match ws {
                    Some(w) if memberships.iter().any(|(s, _, _)| *s == w.slug) => Some(w.id),
                    _ => {
                        return Err(DomainError::invalid(
                            "workspace",
                            "you are not a member of this workspace",
                        ));
                    }
                }
            }
            None => match memberships.first() {
                Some((slug, _, _)) => workspace::Entity::find()
                    .filter(workspace::Column::Slug.eq(slug.clone()))
                    .one(self.store.reader())
                    .await
                    .map_err(db_err)?
                    .map(|w| w.id),
                None => None,
            },
        };
        if workspace.is_none() && !user.is_platform_admin {
            return Err(DomainError::Forbidden(
                "your account is not a member of any active workspace".into(),
            ));
        }
        Ok(VerifiedLogin { user, workspace })
    }

    /// Records a successful sign-in (clears the account throttle, stamps last login, logs it).
    pub(crate) async fn record_login<C: ConnectionTrait>(
        &self,
        tx: &C,
        login: &VerifiedLogin,
        via: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        throttle::clear_account(tx, &login.user.email).await?;
        user::Entity::update_many()
            .col_expr(
                user::Column::LastLoginAt,
                cairn_store::sea_orm::sea_query::Expr::value(cairn_domain::time::now()),
            )
            .filter(user::Column::Id.eq(login.user.id))
            .exec(tx)
            .await
            .map_err(db_err)?;
        let mut ev = Event::system(
            format!("{} <{}>", login.user.name, login.user.email),
            "auth.login",
            "user",
            meta,
        )
        .changes(json!({"via": [null, via]}));
        ev.actor_user_id = Some(UserId(login.user.id));
        ev.workspace_id = login.workspace.map(WorkspaceId);
        ev.record_id = Some(login.user.id.to_string());
        audit::record(tx, ev).await
    }

    /// Browser login. With a second factor enrolled the session starts pending.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome> {
        let login = self.verify_credentials(email, password, None, meta).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        if login.user.totp_enabled_at.is_some() {
            let session = sessions::issue(
                self,
                &tx,
                UserId(login.user.id),
                login.workspace.map(WorkspaceId),
                true,
                meta,
            )
            .await?;
            tx.commit().await.map_err(db_err)?;
            return Ok(LoginOutcome::SecondFactorRequired { session });
        }
        self.record_login(&tx, &login, "password", meta).await?;
        let session = sessions::issue(
            self,
            &tx,
            UserId(login.user.id),
            login.workspace.map(WorkspaceId),
            false,
            meta,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(LoginOutcome::SignedIn {
            session,
            must_change_password: login.user.must_change_password,
        })
    }

    /// Completes a pending login with a TOTP or recovery code: the pending session is
    /// replaced by a new one (new id on privilege change).
    pub async fn complete_second_factor(
        &self,
        pending: &sessions::SessionContext,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<NewSession> {
        if !pending.mfa_pending {
            return Err(DomainError::Conflict(
                "this session is already signed in".into(),
            ));
        }
        let keys = throttle::keys(&pending.user.email, meta.ip.as_deref());
        throttle::check(self.store.reader(), &keys).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        if let Err(e) = totp::consume_code(self, &tx, &pending.user, code).await {
            drop(tx);
            let tx = self.store.write().await.map_err(db_err)?;
            throttle::record_failure(&tx, &keys).await?;
            let mut ev = Event::system(
                pending.user.email.clone(),
                "auth.second_factor_failed",
                "user",
                meta,
            );
            ev.actor_user_id = Some(UserId(pending.user.id));
            audit::record(&tx, ev).await?;
            tx.commit().await.map_err(db_err)?;
            return Err(e);
        }
        let ws = session_workspace(&tx, pending.session_id).await?;
        let login = VerifiedLogin {
            user: pending.user.clone(),
            workspace: ws,
        };
        self.record_login(&tx, &login, "password+totp", meta)
            .await?;
        sessions::revoke_row(&tx, pending.session_id).await?;
        let session = sessions::issue(
            self,
            &tx,
            UserId(pending.user.id),
            ws.map(WorkspaceId),
            false,
            meta,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(session)
    }

    /// Changes the actor's password: needs the current one, ends every other session, and
    /// rotates the current session's id. Returns the new session when the actor used one.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        confirm: Option<&str>,
    ) -> Result<Option<NewSession>> {
        actor.require_write()?;
        let user = self.user(actor.user_id).await?;
        let mut errors = Vec::new();
        if let Err(e) =
            password::check_new_password("new_password", new, &[&user.email, &user.name])
        {
            errors.push(e);
        }
        if confirm.is_some_and(|c| c != new) {
            errors.push(FieldError::new(
                "new_password_confirm",
                "does not match the new password",
            ));
        }
        if new == current {
            errors.push(FieldError::new(
                "new_password",
                "must differ from the current password",
            ));
        }
        if !passwords::verify_blocking(current.to_string(), Some(user.password_hash.clone())).await
        {
            errors = vec![FieldError::new("current_password", "is incorrect")];
        }
        collect_errors(errors)?;
        let hash = passwords::hash_blocking(new.to_string()).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        set_password(&tx, &user, hash, false).await?;
        let current_session = match actor.credential {
            Credential::Session { id } => Some(id),
            _ => None,
        };
        sessions::revoke_all_for_user(&tx, actor.user_id, None, current_session).await?;
        let new_session = match current_session {
            Some(id) => {
                sessions::revoke_row(&tx, id).await?;
                Some(
                    sessions::issue(
                        self,
                        &tx,
                        actor.user_id,
                        Some(actor.workspace_id),
                        false,
                        &actor.meta,
                    )
                    .await?,
                )
            }
            None => None,
        };
        audit::record(
            &tx,
            Event::by(actor, "user.password_changed", "user", actor.user_id)
                .changes(json!({"password": ["", ""]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(new_session)
    }

    /// Sets a new password on a session that must change its temporary password. The
    /// session has no actor yet checks, so it takes the user id from the session context.
    pub async fn replace_temporary_password(
        &self,
        ctx: &sessions::SessionContext,
        new: &str,
        confirm: &str,
    ) -> Result<NewSession> {
        let user = &ctx.user;
        let mut errors = Vec::new();
        if let Err(e) =
            password::check_new_password("new_password", new, &[&user.email, &user.name])
        {
            errors.push(e);
        }
        if confirm != new {
            errors.push(FieldError::new(
                "new_password_confirm",
                "does not match the new password",
            ));
        }
        collect_errors(errors)?;
        let hash = passwords::hash_blocking(new.to_string()).await?;
        let meta = ctx
            .actor
            .as_ref()
            .map(|a| a.meta.clone())
            .unwrap_or_default();
        let tx = self.store.write().await.map_err(db_err)?;
        set_password(&tx, user, hash, false).await?;
        sessions::revoke_all_for_user(&tx, UserId(user.id), None, None).await?;
        let ws = ctx.actor.as_ref().map(|a| a.workspace_id);
        let session = sessions::issue(self, &tx, UserId(user.id), ws, false, &meta).await?;
        let mut ev = Event::system(
            format!("{} <{}>", user.name, user.email),
            "user.password_changed",
            "user",
            &meta,
        );
        ev.actor_user_id = Some(UserId(user.id));
        ev.workspace_id = ws;
        ev.record_id = Some(user.id.to_string());
        audit::record(&tx, ev).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(session)
    }

    /// Updates the actor's profile (name, timezone).
    pub async fn update_profile(
        &self,
        actor: &Actor,
        name: &str,
        timezone: &str,
    ) -> Result<user::Model> {
        actor.require_write()?;
        let mut errors = Vec::new();
        let name = validate::required_text("name", name, 120)
            .map_err(|e| errors.push(e))
            .ok();
        let tz = validate::timezone("timezone", timezone)
            .map_err(|e| errors.push(e))
            .ok();
        collect_errors(errors)?;
        let user = self.user(actor.user_id).await?;
        let (name, tz) = (name.unwrap_or_default(), tz.unwrap_or_default());
        let tx = self.store.write().await.map_err(db_err)?;
        let updated = user::Entity::update(user::ActiveModel {
            id: Set(user.id),
            name: Set(name.clone()),
            timezone: Set(tz.clone()),
            updated_at: Set(cairn_domain::time::now()),
            version: Set(user.version + 1),
            ..Default::default()
        })
        .exec(&tx)
        .await
        .map_err(db_err)?;
        let changes = audit::diff(
            &json!({"name": user.name, "timezone": user.timezone}),
            &json!({"name": name, "timezone": tz}),
        );
        // Every workspace the user belongs to shows their name, so each one's activity log
        // records the change (and each one's cached reads see it: see read_cache).
        let workspaces: Vec<uuid::Uuid> = membership::Entity::find()
            .select_only()
            .column(membership::Column::WorkspaceId)
            .filter(membership::Column::UserId.eq(user.id))
            .into_tuple()
            .all(&tx)
            .await
            .map_err(db_err)?;
        for ws in workspaces {
            let mut ev = Event::by(actor, "user.profile_updated", "user", actor.user_id)
                .changes(changes.clone());
            ev.workspace_id = Some(WorkspaceId(ws));
            audit::record(&tx, ev).await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(updated)
    }

    /// Loads a user by id.
    pub async fn user(&self, id: UserId) -> Result<user::Model> {
        user::Entity::find_by_id(id.0)
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("user"))
    }

    /// CLI: sets a user's password without the current one, ending all their sessions.
    pub async fn reset_password(&self, email: &str, new: &str) -> Result<()> {
        let email = validate::email("email", email).map_err(|e| DomainError::Invalid(vec![e]))?;
        let user = user::Entity::find()
            .filter(user::Column::Email.eq(email.clone()))
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("user"))?;
        password::check_new_password("password", new, &[&email])
            .map_err(|e| DomainError::Invalid(vec![e]))?;
        let hash = passwords::hash_blocking(new.to_string()).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        set_password(&tx, &user, hash, false).await?;
        sessions::revoke_all_for_user(&tx, UserId(user.id), None, None).await?;
        let mut ev = Event::system(
            "cli",
            "user.password_reset",
            "user",
            &RequestMeta::default(),
        );
        ev.record_id = Some(user.id.to_string());
        audit::record(&tx, ev).await?;
        tx.commit().await.map_err(db_err)
    }

    /// CLI: acts as the member `email` of the workspace `workspace_slug`, for commands that
    /// run use cases on a member's behalf (`cairn demo`). Every permission and visibility rule
    /// of the member's role still applies.
    pub async fn cli_actor(&self, workspace_slug: &str, email: &str) -> Result<Actor> {
        let db = self.store.reader();
        let user = user::Entity::find()
            .filter(user::Column::Email.eq(email.trim().to_lowercase()))
            .one(db)
            .await
            .map_err(db_err)?
            .filter(|u| u.disabled_at.is_none())
            .ok_or(DomainError::NotFound("user"))?;
        let ws = workspace::Entity::find()
            .filter(workspace::Column::Slug.eq(workspace_slug.trim().to_lowercase()))
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("workspace"))?;
        let meta = RequestMeta {
            ip: None,
            user_agent: Some("cairn cli".into()),
        };
        sessions::actor_for(db, &user, ws.id, Credential::Cli, &meta).await
    }

    /// CLI: creates a user in a workspace (by slug or name) with a role and password.
    pub async fn cli_create_user(
        &self,
        workspace: &str,
        email: &str,
        name: &str,
        role: &str,
        password_plain: &str,
    ) -> Result<UserId> {
        let mut errors = Vec::new();
        let email_v = validate::email("email", email)
            .map_err(|e| errors.push(e))
            .ok();
        let name_v = validate::required_text("name", name, 120)
            .map_err(|e| errors.push(e))
            .ok();
        let role_v = Role::parse(role);
        if role_v.is_none() {
            errors.push(FieldError::new(
                "role",
                "must be one of owner, admin, member, viewer",
            ));
        }
        if let Err(e) = password::check_new_password("password", password_plain, &[email, name]) {
            errors.push(e);
        }
        collect_errors(errors)?;
        let ws = workspace::Entity::find()
            .filter(
                cairn_store::sea_orm::Condition::any()
                    .add(workspace::Column::Slug.eq(workspace.to_lowercase()))
                    .add(workspace::Column::Name.eq(workspace)),
            )
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("workspace"))?;
        let email_v = email_v.unwrap_or_default();
        if user::Entity::find()
            .filter(user::Column::Email.eq(email_v.clone()))
            .count(self.store.reader())
            .await
            .map_err(db_err)?
            > 0
        {
            return Err(DomainError::invalid("email", "already has an account"));
        }
        let hash = passwords::hash_blocking(password_plain.to_string()).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        let id = UserId::new();
        insert_user(&tx, id, &email_v, &name_v.unwrap_or_default(), hash, false).await?;
        let role_v = role_v.unwrap_or(Role::Viewer);
        insert_membership(&tx, WorkspaceId(ws.id), id, role_v, None).await?;
        let mut ev = Event::system(
            "cli",
            "member.created",
            "membership",
            &RequestMeta::default(),
        )
        .changes(json!({"email": [null, email_v], "role": [null, role_v.as_str()]}));
        ev.workspace_id = Some(WorkspaceId(ws.id));
        ev.record_id = Some(id.to_string());
        audit::record(&tx, ev).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(id)
    }
}

async fn session_workspace<C: ConnectionTrait>(
    db: &C,
    session_id: uuid::Uuid,
) -> Result<Option<uuid::Uuid>> {
    Ok(
        cairn_store::entities::session::Entity::find_by_id(session_id)
            .one(db)
            .await
            .map_err(db_err)?
            .and_then(|s| s.workspace_id),
    )
}

async fn set_password<C: ConnectionTrait>(
    tx: &C,
    user: &user::Model,
    hash: String,
    must_change: bool,
) -> Result<()> {
    user::Entity::update(user::ActiveModel {
        id: Set(user.id),
        password_hash: Set(hash),
        must_change_password: Set(must_change),
        updated_at: Set(cairn_domain::time::now()),
        version: Set(user.version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Inserts a user row.
pub(crate) async fn insert_user<C: ConnectionTrait>(
    tx: &C,
    id: UserId,
    email: &str,
    name: &str,
    hash: String,
    must_change: bool,
) -> Result<()> {
    let now = cairn_domain::time::now();
    user::Entity::insert(user::ActiveModel {
        id: Set(id.0),
        email: Set(email.to_string()),
        name: Set(name.to_string()),
        password_hash: Set(hash),
        timezone: Set("UTC".into()),
        totp_secret_enc: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
        is_platform_admin: Set(false),
        disabled_at: Set(None),
        must_change_password: Set(must_change),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Inserts a membership row.
pub(crate) async fn insert_membership<C: ConnectionTrait>(
    tx: &C,
    ws: WorkspaceId,
    user: UserId,
    role: Role,
    by: Option<UserId>,
) -> Result<uuid::Uuid> {
    let now = cairn_domain::time::now();
    let id = uuid::Uuid::now_v7();
    membership::Entity::insert(membership::ActiveModel {
        id: Set(id),
        workspace_id: Set(ws.0),
        user_id: Set(user.0),
        role: Set(role.as_str().into()),
        disabled_at: Set(None),
        created_at: Set(now),
        created_by: Set(by.map(|b| b.0)),
        updated_at: Set(now),
        updated_by: Set(by.map(|b| b.0)),
        version: Set(1),
        archived_at: Set(None),
        custom: Set(json!({})),
    })
    .exec_without_returning(tx)
    .await
    .map_err(db_err)?;
    Ok(id)
}
