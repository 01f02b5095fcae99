//! The workspace itself: settings (versioned, audited) and switching between workspaces.

use cairn_domain::{
    Action, DomainError, FieldError, Resource, Result, UserId, WorkspaceId, validate,
};
use cairn_store::entities::workspace;
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actor::Actor;
use crate::audit::{self, Event};
use crate::sessions::{self, NewSession, SessionContext};
use crate::{Cairn, check_version, collect_errors, db_err, versions};

/// Workspace settings (SPEC §3).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Days before a renewal when reminders fire, e.g. [30, 7, 1].
    pub renewal_lead_days: Vec<i64>,
    /// ISO weekdays counted as working days (1 = Monday ... 7 = Sunday).
    pub working_days: Vec<i64>,
    /// ISO 4217 currency code for amounts without one.
    pub currency: String,
}

/// The workspace as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkspaceView {
    pub id: uuid::Uuid,
    pub name: String,
    pub slug: String,
    pub settings: Settings,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

/// A change to the workspace.
#[derive(Debug, Clone, Default)]
pub struct WorkspacePatch {
    pub name: Option<String>,
    pub settings: Option<Settings>,
}

/// The key in `workspaces.settings` that marks a demo workspace (`cairn demo`). It is not a
/// setting users edit: the settings form neither shows nor drops it.
const DEMO_KEY: &str = "demo";

fn settings_of(m: &workspace::Model) -> Settings {
    let mut raw = m.settings.clone();
    if let Some(o) = raw.as_object_mut() {
        o.remove(DEMO_KEY);
    }
    serde_json::from_value(raw).unwrap_or_else(|_| {
        serde_json::from_value(crate::accounts::default_settings())
            .expect("default settings are valid")
    })
}

fn view(m: &workspace::Model) -> WorkspaceView {
    WorkspaceView {
        id: m.id,
        name: m.name.clone(),
        slug: m.slug.clone(),
        settings: settings_of(m),
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    }
}

fn validate_settings(s: &Settings) -> Vec<FieldError> {
    let mut e = Vec::new();
    if s.renewal_lead_days.is_empty()
        || s.renewal_lead_days.len() > 10
        || s.renewal_lead_days.iter().any(|d| !(0..=365).contains(d))
    {
        e.push(FieldError::new(
            "settings.renewal_lead_days",
            "must list 1 to 10 day counts between 0 and 365",
        ));
    }
    if s.working_days.is_empty() || s.working_days.iter().any(|d| !(1..=7).contains(d)) {
        e.push(FieldError::new(
            "settings.working_days",
            "must list ISO weekdays 1 (Monday) to 7 (Sunday)",
        ));
    }
    if s.currency.len() != 3 || !s.currency.chars().all(|c| c.is_ascii_uppercase()) {
        e.push(FieldError::new(
            "settings.currency",
            "must be a three-letter ISO 4217 code such as EUR",
        ));
    }
    e
}

impl Cairn {
    /// The actor's workspace.
    pub async fn get_workspace(&self, actor: &Actor) -> Result<WorkspaceView> {
        actor.require(Action::Read, Resource::Workspace)?;
        let m = workspace::Entity::find_by_id(actor.scope().uuid())
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("workspace"))?;
        Ok(view(&m))
    }

    /// The workspace for its settings form (owners and admins only).
    pub async fn workspace_for_settings(&self, actor: &Actor) -> Result<WorkspaceView> {
        actor.require(Action::Update, Resource::Workspace)?;
        self.get_workspace(actor).await
    }

    /// Renames the workspace or changes its settings, honouring `If-Match`.
    pub async fn update_workspace(
        &self,
        actor: &Actor,
        patch: WorkspacePatch,
        if_match: Option<i64>,
    ) -> Result<WorkspaceView> {
        actor.require(Action::Update, Resource::Workspace)?;
        let mut errors = Vec::new();
        let name = match &patch.name {
            Some(n) => validate::required_text("name", n, 120)
                .map_err(|e| errors.push(e))
                .ok(),
            None => None,
        };
        if let Some(s) = &patch.settings {
            errors.extend(validate_settings(s));
        }
        collect_errors(errors)?;
        let before = workspace::Entity::find_by_id(actor.scope().uuid())
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("workspace"))?;
        check_version(if_match, before.version)?;
        let mut after = before.clone();
        if let Some(n) = name {
            after.name = n;
        }
        if let Some(s) = patch.settings {
            after.settings =
                serde_json::to_value(s).map_err(|e| DomainError::Internal(e.to_string()))?;
            if let (Some(flag), Some(o)) = (
                before.settings.get(DEMO_KEY).cloned(),
                after.settings.as_object_mut(),
            ) {
                o.insert(DEMO_KEY.into(), flag);
            }
        }
        let after = self
            .save_workspace(actor, &before, after, "workspace.settings_changed", true)
            .await?;
        Ok(view(&after))
    }

    /// Whether the workspace with this slug is a demo workspace (`settings.demo`); `None`
    /// when no workspace has the slug. `cairn demo` writes only into demo workspaces.
    pub async fn workspace_is_demo(&self, slug: &str) -> Result<Option<bool>> {
        Ok(workspace::Entity::find()
            .filter(workspace::Column::Slug.eq(slug.trim().to_lowercase()))
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .map(|w| w.settings.get(DEMO_KEY) == Some(&serde_json::Value::Bool(true))))
    }

    /// Marks the actor's workspace as a demo workspace: `cairn demo` may then fill it again
    /// and reset its demo logins. Versioned and audited like any settings change.
    pub async fn mark_workspace_as_demo(&self, actor: &Actor) -> Result<()> {
        actor.require(Action::Update, Resource::Workspace)?;
        let before = workspace::Entity::find_by_id(actor.scope().uuid())
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("workspace"))?;
        let mut after = before.clone();
        match after.settings.as_object_mut() {
            Some(o) => {
                o.insert(DEMO_KEY.into(), json!(true));
            }
            None => {
                after.settings = crate::accounts::default_settings();
                after.settings[DEMO_KEY] = json!(true);
            }
        }
        if after.settings == before.settings {
            return Ok(());
        }
        self.save_workspace(actor, &before, after, "workspace.marked_demo", false)
            .await?;
        Ok(())
    }

    /// Writes a changed workspace row (name and settings) if nobody changed it since `before`,
    /// with its version and audit entry, in one transaction. `diff_name` puts the name into the
    /// audited changes too.
    async fn save_workspace(
        &self,
        actor: &Actor,
        before: &workspace::Model,
        mut after: workspace::Model,
        event: &'static str,
        diff_name: bool,
    ) -> Result<workspace::Model> {
        let now = cairn_domain::time::now();
        after.version = before.version + 1;
        after.updated_at = now;
        after.updated_by = Some(actor.user_id.0);
        let tx = self.store.write().await.map_err(db_err)?;
        let res = workspace::Entity::update_many()
            .col_expr(workspace::Column::Name, Expr::value(after.name.clone()))
            .col_expr(
                workspace::Column::Settings,
                Expr::value(after.settings.clone()),
            )
            .col_expr(workspace::Column::Version, Expr::value(after.version))
            .col_expr(workspace::Column::UpdatedAt, Expr::value(now))
            .col_expr(workspace::Column::UpdatedBy, Expr::value(actor.user_id.0))
            .filter(workspace::Column::Id.eq(before.id))
            .filter(workspace::Column::Version.eq(before.version))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(DomainError::StaleVersion {
                current: before.version + 1,
            });
        }
        let snap = json!({"name": after.name, "slug": after.slug, "settings": after.settings});
        versions::snapshot(
            &tx,
            actor.scope(),
            "workspace",
            after.id,
            after.version,
            snap,
            Some(actor.user_id.0),
        )
        .await?;
        let (old, new) = if diff_name {
            (
                json!({"name": before.name, "settings": before.settings}),
                json!({"name": after.name, "settings": after.settings}),
            )
        } else {
            (
                json!({"settings": before.settings}),
                json!({"settings": after.settings}),
            )
        };
        audit::record(
            &tx,
            Event::by(actor, event, "workspace", after.id).changes(audit::diff(&old, &new)),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(after)
    }

    /// Moves a session to another workspace the user belongs to. The session id changes,
    /// because the role (privilege) may change with it.
    pub async fn switch_workspace(&self, ctx: &SessionContext, slug: &str) -> Result<NewSession> {
        let target = ctx
            .workspaces
            .iter()
            .find(|(s, _, _)| s == slug)
            .ok_or(DomainError::NotFound("workspace"))?;
        let ws = workspace::Entity::find()
            .filter(workspace::Column::Slug.eq(target.0.clone()))
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("workspace"))?;
        let meta = ctx
            .actor
            .as_ref()
            .map(|a| a.meta.clone())
            .unwrap_or_default();
        let tx = self.store.write().await.map_err(db_err)?;
        sessions::revoke_row(&tx, ctx.session_id).await?;
        let s = sessions::issue(
            self,
            &tx,
            UserId(ctx.user.id),
            Some(WorkspaceId(ws.id)),
            false,
            &meta,
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(s)
    }
}
