//! Workspace members: list, invite or create with a temporary password, change roles,
//! disable, remove, and accept invites. A workspace always keeps at least one owner, and only
//! owners grant or take away the owner role.

use cairn_domain::{Action, DomainError, FieldError, Resource, Result, Role, UserId, validate};
use cairn_store::entities::{invite, membership, user};
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult,
    JoinType, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::accounts::{insert_membership, insert_user};
use crate::actor::{Actor, RequestMeta};
use crate::audit::{self, Event};
use crate::page::{Page, PageRequest};
use crate::secrets::{hash_secret, new_token};
use crate::sessions::{self, NewSession};
use crate::{
    Cairn, check_version, chrono_dur, collect_errors, db_err, passwords, tokens, versions,
};

/// A member as the API and the members page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub id: uuid::Uuid,
    pub user_id: uuid::Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub must_change_password: bool,
    pub two_factor: bool,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

/// Filters and sort of the members list.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// Matches name or email (case-insensitive substring).
    pub q: Option<String>,
    pub role: Option<String>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// `name`, `-name`, `email`, `-email`, `created_at`, `-created_at`.
    pub sort: Option<String>,
}

/// How a new member gets in.
#[derive(Debug, Clone)]
pub enum Onboarding {
    /// An expiring one-time invite link.
    Invite,
    /// A temporary password that must be changed at first login; generated when `None`.
    TemporaryPassword(Option<String>),
}

/// Input of "add member".
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: String,
    pub name: String,
    pub role: String,
    pub onboarding: Onboarding,
}

/// What "add member" returns: the member, or the invite; secrets shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AddedMember {
    pub member: Option<MemberView>,
    pub invite_id: Option<uuid::Uuid>,
    /// The invite token; the edge turns it into `<public url>/invite/<token>`.
    pub invite_token: Option<String>,
    pub invite_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The generated temporary password, when the caller did not choose one.
    pub temporary_password: Option<String>,
}

/// A change to a member.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberPatch {
    pub role: Option<String>,
    pub disabled: Option<bool>,
}

/// A pending invite as the members page lists it (never with its token).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingInvite {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A pending invite as shown to the invitee.
#[derive(Debug, Clone)]
pub struct InviteView {
    pub email: String,
    pub name: String,
    pub workspace_name: String,
    pub role: String,
    pub existing_account: bool,
}

fn view(m: &membership::Model, u: &user::Model) -> MemberView {
    MemberRow {
        id: m.id,
        user_id: u.id,
        name: u.name.clone(),
        email: u.email.clone(),
        role: m.role.clone(),
        disabled_at: m.disabled_at,
        user_disabled_at: u.disabled_at,
        must_change_password: u.must_change_password,
        totp_enabled_at: u.totp_enabled_at,
        last_login_at: u.last_login_at,
        created_at: m.created_at,
        version: m.version,
    }
    .into()
}

/// A membership joined to its user: only the columns a [`MemberView`] shows, so listing the
/// members (every page with a people picker does) is one query and never reads password
/// hashes or second-factor secrets.
#[derive(FromQueryResult)]
struct MemberRow {
    id: uuid::Uuid,
    user_id: uuid::Uuid,
    name: String,
    email: String,
    role: String,
    disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    user_disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    must_change_password: bool,
    totp_enabled_at: Option<chrono::DateTime<chrono::Utc>>,
    last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    created_at: chrono::DateTime<chrono::Utc>,
    version: i64,
}

impl From<MemberRow> for MemberView {
    fn from(r: MemberRow) -> Self {
        MemberView {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            role: r.role,
            disabled: r.disabled_at.is_some() || r.user_disabled_at.is_some(),
            must_change_password: r.must_change_password,
            two_factor: r.totp_enabled_at.is_some(),
            last_login_at: r.last_login_at,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

fn snapshot(m: &membership::Model) -> serde_json::Value {
    json!({"id": m.id, "user_id": m.user_id, "role": m.role, "disabled_at": m.disabled_at, "version": m.version})
}

impl Cairn {
    /// Members of the actor's workspace, filtered, sorted and paginated.
    pub async fn list_members(
        &self,
        actor: &Actor,
        filter: &MemberFilter,
        page: &PageRequest,
    ) -> Result<Page<MemberView>> {
        actor.require(Action::Read, Resource::Member)?;
        let limit = page.limit()?;
        let sort = filter.sort.clone().unwrap_or_else(|| "name".into());
        let (key, desc) = match sort.strip_prefix('-') {
            Some(k) => (k.to_string(), true),
            None => (sort.clone(), false),
        };
        if !["name", "email", "created_at"].contains(&key.as_str()) {
            return Err(DomainError::invalid(
                "sort",
                "must be one of name, email, created_at (prefix - for descending)",
            ));
        }
        if let Some(r) = &filter.role
            && Role::parse(r).is_none()
        {
            return Err(DomainError::invalid(
                "role",
                "must be one of owner, admin, member, viewer",
            ));
        }
        if let Some(s) = &filter.status
            && !["active", "disabled"].contains(&s.as_str())
        {
            return Err(DomainError::invalid("status", "must be active or disabled"));
        }
        let position: Option<(String, uuid::Uuid)> = page.position()?;
        // Members of one workspace are few (2-50 people): filter and sort in memory after one
        // scoped query, which keeps the keyset logic identical on both backends.
        let mut rows = self.member_rows(actor).await?;
        if let Some(q) = filter
            .q
            .as_ref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty())
        {
            rows.retain(|v| v.name.to_lowercase().contains(&q) || v.email.contains(&q));
        }
        if let Some(r) = &filter.role {
            rows.retain(|v| &v.role == r);
        }
        match filter.status.as_deref() {
            Some("active") => rows.retain(|v| !v.disabled),
            Some("disabled") => rows.retain(|v| v.disabled),
            _ => {}
        }
        let sort_value = |v: &MemberView| match key.as_str() {
            "email" => v.email.clone(),
            "created_at" => v.created_at.to_rfc3339(),
            _ => v.name.to_lowercase(),
        };
        rows.sort_by(|a, b| {
            let o = sort_value(a).cmp(&sort_value(b)).then(a.id.cmp(&b.id));
            if desc { o.reverse() } else { o }
        });
        if let Some((v, id)) = position {
            rows.retain(|r| {
                let o = sort_value(r).cmp(&v).then(r.id.cmp(&id));
                if desc { o.is_lt() } else { o.is_gt() }
            });
        }
        rows.truncate(limit as usize + 1);
        Ok(Page::from_rows(rows, limit, |r| (sort_value(r), r.id)))
    }

    async fn member_rows(&self, actor: &Actor) -> Result<Vec<MemberView>> {
        use membership::Column as M;
        use user::Column as U;
        let rows = membership::Entity::find()
            .select_only()
            .columns([
                M::Id,
                M::UserId,
                M::Role,
                M::DisabledAt,
                M::CreatedAt,
                M::Version,
            ])
            .columns([U::Name, U::Email, U::MustChangePassword, U::TotpEnabledAt])
            .column(U::LastLoginAt)
            .column_as(U::DisabledAt, "user_disabled_at")
            .join(
                JoinType::InnerJoin,
                membership::Entity::belongs_to(user::Entity)
                    .from(M::UserId)
                    .to(U::Id)
                    .into(),
            )
            .filter(M::WorkspaceId.eq(actor.scope().uuid()))
            .into_model::<MemberRow>()
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(MemberView::from).collect())
    }

    async fn membership_in_scope(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<(membership::Model, user::Model)> {
        let db = self.store.reader();
        let m = membership::Entity::find_by_id(id)
            .filter(membership::Column::WorkspaceId.eq(actor.scope().uuid()))
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("member"))?;
        let u = user::Entity::find_by_id(m.user_id)
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("member"))?;
        Ok((m, u))
    }

    /// One member of the actor's workspace.
    pub async fn get_member(&self, actor: &Actor, id: uuid::Uuid) -> Result<MemberView> {
        actor.require(Action::Read, Resource::Member)?;
        let (m, u) = self.membership_in_scope(actor, id).await?;
        Ok(view(&m, &u))
    }

    async fn active_owner_count<C: ConnectionTrait>(&self, db: &C, actor: &Actor) -> Result<u64> {
        membership::Entity::find()
            .filter(membership::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(membership::Column::Role.eq("owner"))
            .filter(membership::Column::DisabledAt.is_null())
            .count(db)
            .await
            .map_err(db_err)
    }

    /// Adds a member by invite link or temporary password.
    pub async fn add_member(&self, actor: &Actor, input: NewMember) -> Result<AddedMember> {
        actor.require(Action::Create, Resource::Member)?;
        let mut errors = Vec::new();
        let email = validate::email("email", &input.email)
            .map_err(|e| errors.push(e))
            .ok();
        let name = validate::required_text("name", &input.name, 120)
            .map_err(|e| errors.push(e))
            .ok();
        let role = Role::parse(&input.role);
        if role.is_none() {
            errors.push(FieldError::new(
                "role",
                "must be one of owner, admin, member, viewer",
            ));
        }
        if let Onboarding::TemporaryPassword(Some(p)) = &input.onboarding
            && let Err(e) = cairn_domain::password::check_new_password(
                "password",
                p,
                &[&input.email, &input.name],
            )
        {
            errors.push(e);
        }
        collect_errors(errors)?;
        let (email, name, role) = (
            email.unwrap_or_default(),
            name.unwrap_or_default(),
            role.unwrap_or(Role::Viewer),
        );
        if role == Role::Owner {
            actor.require(Action::TransferOwnership, Resource::Workspace)?;
        }
        let db = self.store.reader();
        let existing = user::Entity::find()
            .filter(user::Column::Email.eq(email.clone()))
            .one(db)
            .await
            .map_err(db_err)?;
        if let Some(u) = &existing {
            let already = membership::Entity::find()
                .filter(membership::Column::WorkspaceId.eq(actor.scope().uuid()))
                .filter(membership::Column::UserId.eq(u.id))
                .count(db)
                .await
                .map_err(db_err)?;
            if already > 0 {
                return Err(DomainError::invalid(
                    "email",
                    "is already a member of this workspace",
                ));
            }
        }
        let now = cairn_domain::time::now();
        match input.onboarding {
            Onboarding::Invite => {
                let token = new_token("");
                let expires = now + chrono_dur(self.config.invite_ttl);
                let id = uuid::Uuid::now_v7();
                let tx = self.store.write().await.map_err(db_err)?;
                invite::Entity::insert(invite::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(actor.scope().uuid()),
                    email: Set(email.clone()),
                    name: Set(name.clone()),
                    role: Set(role.as_str().into()),
                    token_hash: Set(hash_secret(&token)),
                    expires_at: Set(expires),
                    accepted_at: Set(None),
                    revoked_at: Set(None),
                    created_at: Set(now),
                    created_by: Set(Some(actor.user_id.0)),
                })
                .exec_without_returning(&tx)
                .await
                .map_err(db_err)?;
                audit::record(
                    &tx,
                    Event::by(actor, "member.invited", "invite", id)
                        .changes(json!({"email": [null, email], "role": [null, role.as_str()]})),
                )
                .await?;
                tx.commit().await.map_err(db_err)?;
                Ok(AddedMember {
                    member: None,
                    invite_id: Some(id),
                    invite_token: Some(token),
                    invite_expires_at: Some(expires),
                    temporary_password: None,
                })
            }
            Onboarding::TemporaryPassword(chosen) => {
                if existing.is_some() {
                    return Err(DomainError::invalid(
                        "email",
                        "already has a Cairn account; send an invite instead",
                    ));
                }
                let generated = chosen.is_none().then(|| {
                    crate::secrets::new_token("")
                        .chars()
                        .take(20)
                        .collect::<String>()
                });
                let temp = chosen.or(generated.clone()).unwrap_or_default();
                let hash = passwords::hash_blocking(temp).await?;
                let tx = self.store.write().await.map_err(db_err)?;
                let uid = UserId::new();
                insert_user(&tx, uid, &email, &name, hash, true).await?;
                let mid =
                    insert_membership(&tx, actor.workspace_id, uid, role, Some(actor.user_id))
                        .await?;
                audit::record(
                    &tx,
                    Event::by(actor, "member.created", "membership", mid)
                        .changes(json!({"email": [null, email], "role": [null, role.as_str()], "password": [null, "temporary"]})),
                )
                .await?;
                tx.commit().await.map_err(db_err)?;
                let member = self.get_member(actor, mid).await?;
                Ok(AddedMember {
                    member: Some(member),
                    invite_id: None,
                    invite_token: None,
                    invite_expires_at: None,
                    temporary_password: generated,
                })
            }
        }
    }

    /// Changes a member's role or disabled state, honouring `If-Match`.
    pub async fn update_member(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        patch: MemberPatch,
        if_match: Option<i64>,
    ) -> Result<MemberView> {
        actor.require(Action::Read, Resource::Member)?;
        let (m, u) = self.membership_in_scope(actor, id).await?;
        let new_role = match &patch.role {
            Some(r) => Some(Role::parse(r).ok_or_else(|| {
                DomainError::invalid("role", "must be one of owner, admin, member, viewer")
            })?),
            None => None,
        };
        if new_role.is_some() {
            actor.require(Action::Update, Resource::Member)?;
        }
        if patch.disabled.is_some() {
            actor.require(Action::Disable, Resource::Member)?;
        }
        if new_role.is_none() && patch.disabled.is_none() {
            return Err(DomainError::invalid(
                "body",
                "nothing to change: give role and/or disabled",
            ));
        }
        check_version(if_match, m.version)?;
        let was_owner = m.role == "owner";
        if (was_owner || new_role == Some(Role::Owner))
            && new_role.is_some_and(|r| r.as_str() != m.role)
        {
            actor.require(Action::TransferOwnership, Resource::Workspace)?;
        }
        let loses_owner = was_owner
            && m.disabled_at.is_none()
            && (new_role.is_some_and(|r| r != Role::Owner) || patch.disabled == Some(true));
        if loses_owner && self.active_owner_count(self.store.reader(), actor).await? <= 1 {
            return Err(DomainError::Conflict(
                "a workspace must keep at least one owner; make someone else owner first".into(),
            ));
        }
        if patch.disabled == Some(true) && m.user_id == actor.user_id.0 {
            return Err(DomainError::invalid(
                "disabled",
                "you cannot disable yourself",
            ));
        }
        let now = cairn_domain::time::now();
        let role_str = new_role
            .map(|r| r.as_str().to_string())
            .unwrap_or(m.role.clone());
        let disabled_at = match patch.disabled {
            Some(true) => m.disabled_at.or(Some(now)),
            Some(false) => None,
            None => m.disabled_at,
        };
        let tx = self.store.write().await.map_err(db_err)?;
        let res = membership::Entity::update_many()
            .col_expr(membership::Column::Role, Expr::value(role_str.clone()))
            .col_expr(membership::Column::DisabledAt, Expr::value(disabled_at))
            .col_expr(membership::Column::UpdatedAt, Expr::value(now))
            .col_expr(membership::Column::UpdatedBy, Expr::value(actor.user_id.0))
            .col_expr(membership::Column::Version, Expr::value(m.version + 1))
            .filter(membership::Column::Id.eq(m.id))
            .filter(membership::Column::Version.eq(m.version))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(DomainError::StaleVersion {
                current: m.version + 1,
            });
        }
        // Recheck inside the transaction: two concurrent demotions must not leave no owner.
        if loses_owner && self.active_owner_count(&tx, actor).await? == 0 {
            return Err(DomainError::Conflict(
                "a workspace must keep at least one owner".into(),
            ));
        }
        if patch.disabled == Some(true) && m.disabled_at.is_none() {
            sessions::revoke_all_for_user(&tx, UserId(u.id), Some(actor.workspace_id), None)
                .await?;
            tokens::revoke_all_for_user(&tx, UserId(u.id), Some(actor.workspace_id)).await?;
        }
        let after = membership::Model {
            role: role_str,
            disabled_at,
            version: m.version + 1,
            updated_at: now,
            ..m.clone()
        };
        versions::snapshot(
            &tx,
            actor.scope(),
            "membership",
            m.id,
            after.version,
            snapshot(&after),
            Some(actor.user_id.0),
        )
        .await?;
        let action = match (patch.disabled, new_role) {
            (Some(true), _) if m.disabled_at.is_none() => "member.disabled",
            (Some(false), _) if m.disabled_at.is_some() => "member.enabled",
            _ => "member.role_changed",
        };
        let changes = audit::diff(
            &json!({"role": m.role, "disabled": m.disabled_at.is_some(), "email": u.email}),
            &json!({"role": after.role, "disabled": after.disabled_at.is_some(), "email": u.email}),
        );
        audit::record(
            &tx,
            Event::by(actor, action, "membership", m.id).changes(changes),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(view(&after, &u))
    }

    /// Removes a member from the workspace (their account stays), honouring `If-Match`.
    pub async fn remove_member(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        if_match: Option<i64>,
    ) -> Result<()> {
        actor.require(Action::Read, Resource::Member)?;
        let (m, u) = self.membership_in_scope(actor, id).await?;
        actor.require(Action::Delete, Resource::Member)?;
        if m.role == "owner" {
            actor.require(Action::TransferOwnership, Resource::Workspace)?;
        }
        check_version(if_match, m.version)?;
        if m.role == "owner"
            && m.disabled_at.is_none()
            && self.active_owner_count(self.store.reader(), actor).await? <= 1
        {
            return Err(DomainError::Conflict(
                "a workspace must keep at least one owner; make someone else owner first".into(),
            ));
        }
        let tx = self.store.write().await.map_err(db_err)?;
        membership::Entity::delete_by_id(m.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        sessions::revoke_all_for_user(&tx, UserId(u.id), Some(actor.workspace_id), None).await?;
        tokens::revoke_all_for_user(&tx, UserId(u.id), Some(actor.workspace_id)).await?;
        audit::record(
            &tx,
            Event::by(actor, "member.removed", "membership", m.id)
                .changes(json!({"email": [u.email, null], "role": [m.role, null]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    /// Invites of the workspace not yet accepted, revoked or expired (owners and admins).
    pub async fn list_invites(&self, actor: &Actor) -> Result<Vec<PendingInvite>> {
        actor.require(Action::Create, Resource::Member)?;
        let rows = invite::Entity::find()
            .filter(invite::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(invite::Column::AcceptedAt.is_null())
            .filter(invite::Column::RevokedAt.is_null())
            .filter(invite::Column::ExpiresAt.gt(cairn_domain::time::now()))
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|i| PendingInvite {
                id: i.id,
                email: i.email,
                name: i.name,
                role: i.role,
                created_at: i.created_at,
                expires_at: i.expires_at,
            })
            .collect())
    }

    /// Withdraws a pending invite: its link stops working.
    pub async fn revoke_invite(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        actor.require(Action::Read, Resource::Member)?;
        let inv = invite::Entity::find_by_id(id)
            .filter(invite::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(invite::Column::AcceptedAt.is_null())
            .filter(invite::Column::RevokedAt.is_null())
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("invite"))?;
        actor.require(Action::Delete, Resource::Member)?;
        let tx = self.store.write().await.map_err(db_err)?;
        invite::Entity::update_many()
            .col_expr(
                invite::Column::RevokedAt,
                Expr::value(cairn_domain::time::now()),
            )
            .filter(invite::Column::Id.eq(inv.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        audit::record(
            &tx,
            Event::by(actor, "member.invite_revoked", "invite", inv.id)
                .changes(json!({"email": [inv.email, null]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    async fn live_invite(
        &self,
        token: &str,
    ) -> Result<(invite::Model, cairn_store::entities::workspace::Model)> {
        let db = self.store.reader();
        let gone = || DomainError::NotFound("invite");
        let inv = invite::Entity::find()
            .filter(invite::Column::TokenHash.eq(hash_secret(token)))
            .filter(
                Condition::all()
                    .add(invite::Column::AcceptedAt.is_null())
                    .add(invite::Column::RevokedAt.is_null()),
            )
            .one(db)
            .await
            .map_err(db_err)?
            .filter(|i| i.expires_at > cairn_domain::time::now())
            .ok_or_else(gone)?;
        let ws = cairn_store::entities::workspace::Entity::find_by_id(inv.workspace_id)
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or_else(gone)?;
        if ws.suspended_at.is_some() {
            return Err(DomainError::WorkspaceSuspended);
        }
        Ok((inv, ws))
    }

    /// What an invite link offers (for the acceptance page).
    pub async fn describe_invite(&self, token: &str) -> Result<InviteView> {
        let (inv, ws) = self.live_invite(token).await?;
        let existing = user::Entity::find()
            .filter(user::Column::Email.eq(inv.email.clone()))
            .count(self.store.reader())
            .await
            .map_err(db_err)?
            > 0;
        Ok(InviteView {
            email: inv.email,
            name: inv.name,
            workspace_name: ws.name,
            role: inv.role,
            existing_account: existing,
        })
    }

    /// Accepts an invite: a new account sets its name and password; an existing account
    /// proves itself with its password. Returns a signed-in session in the workspace.
    pub async fn accept_invite(
        &self,
        token: &str,
        name: &str,
        password_plain: &str,
        meta: &RequestMeta,
    ) -> Result<NewSession> {
        let (inv, ws) = self.live_invite(token).await?;
        let db = self.store.reader();
        let existing = user::Entity::find()
            .filter(user::Column::Email.eq(inv.email.clone()))
            .one(db)
            .await
            .map_err(db_err)?;
        let role = Role::parse(&inv.role).unwrap_or(Role::Viewer);
        let (uid, new_user) = match &existing {
            Some(u) => {
                if !passwords::verify_blocking(
                    password_plain.to_string(),
                    Some(u.password_hash.clone()),
                )
                .await
                    || u.disabled_at.is_some()
                {
                    return Err(DomainError::invalid(
                        "password",
                        "is incorrect for this account",
                    ));
                }
                (UserId(u.id), None)
            }
            None => {
                let mut errors = Vec::new();
                let n = validate::required_text("name", name, 120)
                    .map_err(|e| errors.push(e))
                    .ok();
                if let Err(e) = cairn_domain::password::check_new_password(
                    "password",
                    password_plain,
                    &[&inv.email, name],
                ) {
                    errors.push(e);
                }
                collect_errors(errors)?;
                (
                    UserId::new(),
                    Some((
                        n.unwrap_or_default(),
                        passwords::hash_blocking(password_plain.to_string()).await?,
                    )),
                )
            }
        };
        let tx = self.store.write().await.map_err(db_err)?;
        let claimed = invite::Entity::update_many()
            .col_expr(
                invite::Column::AcceptedAt,
                Expr::value(cairn_domain::time::now()),
            )
            .filter(invite::Column::Id.eq(inv.id))
            .filter(invite::Column::AcceptedAt.is_null())
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if claimed.rows_affected != 1 {
            return Err(DomainError::NotFound("invite"));
        }
        if let Some((n, hash)) = new_user {
            insert_user(&tx, uid, &inv.email, &n, hash, false).await?;
        }
        let ws_id = cairn_domain::WorkspaceId(ws.id);
        let mid = insert_membership(&tx, ws_id, uid, role, inv.created_by.map(UserId)).await?;
        let mut ev = Event::system(
            inv.email.clone(),
            "member.invite_accepted",
            "membership",
            meta,
        )
        .changes(json!({"role": [null, role.as_str()]}));
        ev.workspace_id = Some(ws_id);
        ev.actor_user_id = Some(uid);
        ev.record_id = Some(mid.to_string());
        audit::record(&tx, ev).await?;
        let session = sessions::issue(self, &tx, uid, Some(ws_id), false, meta).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(session)
    }
}
