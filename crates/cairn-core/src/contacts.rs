//! Contacts of a client. They inherit the client's visibility through the scope's
//! `client_filter`: a contact of a restricted client is "not found" to those who may not see it.

use cairn_domain::crm;
use cairn_domain::{Action, DomainError, FieldError, Resource, Result, validate};
use cairn_store::WorkspaceScope;
use cairn_store::entities::{client, contact};
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::actor::Actor;
use crate::audit::{self, Event};
use crate::page::{Page, PageRequest};
use crate::seen::Target;
use crate::{Cairn, check_version, collect_errors, db_err, versions};

/// The record type contacts are versioned and audited under.
pub const RECORD_TYPE: &str = "contact";

/// A contact as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub id: uuid::Uuid,
    pub client_id: uuid::Uuid,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: String,
    pub is_primary: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

impl From<contact::Model> for ContactView {
    fn from(c: contact::Model) -> Self {
        Self {
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            title: c.title,
            email: c.email,
            phone: c.phone,
            notes: c.notes,
            is_primary: c.is_primary,
            created_at: c.created_at,
            updated_at: c.updated_at,
            archived_at: c.archived_at,
            version: c.version,
        }
    }
}

/// Changes to a contact; `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub notes: Option<String>,
    pub is_primary: Option<bool>,
}

/// Filters of the workspace-wide contact list (exports).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactFilter {
    pub client: Option<uuid::Uuid>,
    pub q: Option<String>,
    /// `false` (default), `true` or `all`.
    pub archived: Option<String>,
}

fn snapshot(c: &contact::Model) -> Value {
    json!({"name": c.name, "title": c.title, "email": c.email, "phone": c.phone, "notes": c.notes,
           "is_primary": c.is_primary, "archived": c.archived_at.is_some()})
}

fn apply(base: &mut contact::Model, ch: &ContactChanges, creating: bool) -> Result<()> {
    let mut errors: Vec<FieldError> = Vec::new();
    match (&ch.name, creating) {
        (Some(n), _) => match validate::required_text("name", n, 200) {
            Ok(n) => base.name = n,
            Err(e) => errors.push(e),
        },
        (None, true) => errors.push(FieldError::new("name", "is required")),
        (None, false) => {}
    }
    if let Some(t) = &ch.title {
        match crm::optional_text("title", t.as_deref(), 120) {
            Ok(v) => base.title = v,
            Err(e) => errors.push(e),
        }
    }
    if let Some(e) = &ch.email {
        match e.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => base.email = None,
            Some(t) => match validate::email("email", t) {
                Ok(v) => base.email = Some(v),
                Err(err) => errors.push(err),
            },
        }
    }
    if let Some(p) = &ch.phone {
        match p.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => base.phone = None,
            Some(t) => match crm::phone("phone", t) {
                Ok(v) => base.phone = Some(v),
                Err(err) => errors.push(err),
            },
        }
    }
    if let Some(n) = &ch.notes {
        if n.chars().count() > 20_000 {
            errors.push(FieldError::new("notes", "must be at most 20000 characters"));
        } else {
            base.notes = n.clone();
        }
    }
    if let Some(p) = ch.is_primary {
        base.is_primary = p;
    }
    collect_errors(errors)
}

/// Clears the primary flag on the client's other contacts (one primary per client).
async fn clear_other_primaries<C: ConnectionTrait>(
    tx: &C,
    scope: WorkspaceScope,
    client_id: uuid::Uuid,
    keep: uuid::Uuid,
) -> Result<()> {
    contact::Entity::update_many()
        .col_expr(contact::Column::IsPrimary, Expr::value(false))
        .filter(contact::Column::WorkspaceId.eq(scope.uuid()))
        .filter(contact::Column::ClientId.eq(client_id))
        .filter(contact::Column::Id.ne(keep))
        .filter(contact::Column::IsPrimary.eq(true))
        .exec(tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

impl Cairn {
    async fn visible_contact(&self, actor: &Actor, id: uuid::Uuid) -> Result<contact::Model> {
        contact::Entity::find_by_id(id)
            .filter(
                actor
                    .scope()
                    .client_filter(contact::Column::WorkspaceId, contact::Column::ClientId),
            )
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("contact"))
    }

    /// One contact.
    pub async fn get_contact(&self, actor: &Actor, id: uuid::Uuid) -> Result<ContactView> {
        actor.require(Action::Read, Resource::Contact)?;
        Ok(self.visible_contact(actor, id).await?.into())
    }

    /// The contacts of a client: primary first, then by name.
    pub async fn list_contacts<'a>(
        &self,
        actor: &Actor,
        client: impl Into<Target<'a, client::Model>>,
        include_archived: bool,
    ) -> Result<Vec<ContactView>> {
        actor.require(Action::Read, Resource::Contact)?;
        let c = self.seen_client(actor, client.into()).await?;
        let mut q = contact::Entity::find()
            .filter(contact::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(contact::Column::ClientId.eq(c.id));
        if !include_archived {
            q = q.filter(contact::Column::ArchivedAt.is_null());
        }
        let rows = q
            .order_by_desc(contact::Column::IsPrimary)
            .order_by_asc(contact::Column::Name)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Contacts across every visible client (exports), by name, paginated.
    pub async fn list_all_contacts(
        &self,
        actor: &Actor,
        f: &ContactFilter,
        page: &PageRequest,
    ) -> Result<Page<ContactView>> {
        actor.require(Action::Read, Resource::Contact)?;
        let limit = page.limit()?;
        let mut q = contact::Entity::find().filter(
            actor
                .scope()
                .client_filter(contact::Column::WorkspaceId, contact::Column::ClientId),
        );
        if let Some(c) = f.client {
            q = q.filter(contact::Column::ClientId.eq(c));
        }
        if let Some(text) =
            f.q.as_deref()
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
        {
            let pattern = format!(
                "%{}%",
                text.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            use cairn_store::sea_orm::sea_query::{ExprTrait, Func, LikeExpr};
            let like = |col: contact::Column| {
                Expr::expr(Func::lower(Expr::col(col)))
                    .like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            q = q.filter(
                cairn_store::sea_orm::Condition::any()
                    .add(like(contact::Column::Name))
                    .add(like(contact::Column::Email)),
            );
        }
        match f.archived.as_deref().unwrap_or("false") {
            "false" | "" => q = q.filter(contact::Column::ArchivedAt.is_null()),
            "true" => q = q.filter(contact::Column::ArchivedAt.is_not_null()),
            "all" => {}
            _ => {
                return Err(DomainError::invalid(
                    "archived",
                    "must be false, true or all",
                ));
            }
        }
        if let Some((name, id)) = page.position::<(String, uuid::Uuid)>()? {
            q = q.filter(
                cairn_store::sea_orm::Condition::any()
                    .add(contact::Column::Name.gt(name.clone()))
                    .add(
                        cairn_store::sea_orm::Condition::all()
                            .add(contact::Column::Name.eq(name))
                            .add(contact::Column::Id.gt(id)),
                    ),
            );
        }
        let rows = q
            .order_by_asc(contact::Column::Name)
            .order_by_asc(contact::Column::Id)
            .limit(limit + 1)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(Page::from_rows(
            rows.into_iter().map(ContactView::from).collect(),
            limit,
            |c| (c.name.clone(), c.id),
        ))
    }

    /// Adds a contact to a client. Making it primary clears the others.
    pub async fn create_contact(
        &self,
        actor: &Actor,
        client_id: uuid::Uuid,
        ch: ContactChanges,
    ) -> Result<ContactView> {
        actor.require(Action::Read, Resource::Client)?;
        let client = self
            .visible_client(self.store.reader(), actor, client_id)
            .await?;
        actor.require(Action::Create, Resource::Contact)?;
        let scope = actor.scope();
        let now = cairn_domain::time::now();
        let mut c = contact::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: scope.uuid(),
            client_id: client.id,
            name: String::new(),
            title: None,
            email: None,
            phone: None,
            notes: String::new(),
            is_primary: false,
            created_at: now,
            created_by: Some(actor.user_id.0),
            updated_at: now,
            updated_by: Some(actor.user_id.0),
            version: 1,
            archived_at: None,
            custom: json!({}),
        };
        apply(&mut c, &ch, true)?;
        let tx = self.store.write().await.map_err(db_err)?;
        contact::Entity::insert(contact::ActiveModel::from(c.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        if c.is_primary {
            clear_other_primaries(&tx, scope, client.id, c.id).await?;
        }
        let snap = snapshot(&c);
        versions::snapshot(
            &tx,
            scope,
            RECORD_TYPE,
            c.id,
            1,
            snap.clone(),
            Some(actor.user_id.0),
        )
        .await?;
        audit::record(
            &tx,
            Event::by(actor, "contact.created", RECORD_TYPE, c.id)
                .client(client.id)
                .changes(audit::diff(&json!({}), &snap)),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(c.into())
    }

    /// Updates a contact, honouring `If-Match`.
    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        ch: ContactChanges,
        if_match: Option<i64>,
    ) -> Result<ContactView> {
        actor.require(Action::Read, Resource::Contact)?;
        let before = self.visible_contact(actor, id).await?;
        actor.require(Action::Update, Resource::Contact)?;
        let mut after = before.clone();
        apply(&mut after, &ch, false)?;
        check_version(if_match, before.version)?;
        self.write_contact(actor, before, after, "contact.updated")
            .await
    }

    /// Archives or restores a contact.
    pub async fn set_contact_archived(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        archived: bool,
        if_match: Option<i64>,
    ) -> Result<ContactView> {
        actor.require(Action::Read, Resource::Contact)?;
        let before = self.visible_contact(actor, id).await?;
        actor.require(Action::Archive, Resource::Contact)?;
        check_version(if_match, before.version)?;
        let mut after = before.clone();
        after.archived_at = archived.then(cairn_domain::time::now);
        if archived {
            after.is_primary = false;
        }
        self.write_contact(
            actor,
            before,
            after,
            if archived {
                "contact.archived"
            } else {
                "contact.restored"
            },
        )
        .await
    }

    /// The versions of a contact, newest first.
    pub async fn contact_versions(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<Vec<versions::VersionView>> {
        actor.require(Action::Read, Resource::Contact)?;
        let c = self.visible_contact(actor, id).await?;
        versions::views(self.store.reader(), actor.scope(), RECORD_TYPE, c.id).await
    }

    /// The field-level differences between two versions of a contact.
    pub async fn diff_contact_versions(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        from: i64,
        to: i64,
    ) -> Result<Vec<versions::FieldDiff>> {
        versions::diff(&self.contact_versions(actor, id).await?, from, to)
    }

    /// Reverts a contact's fields to an earlier version, as a new version (the archived
    /// state is not reverted: archive and restore are their own actions).
    pub async fn revert_contact(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        to_version: i64,
        if_match: Option<i64>,
    ) -> Result<ContactView> {
        actor.require(Action::Read, Resource::Contact)?;
        let before = self.visible_contact(actor, id).await?;
        actor.require(Action::Update, Resource::Contact)?;
        check_version(if_match, before.version)?;
        let s = versions::snapshot_at(
            self.store.reader(),
            actor.scope(),
            RECORD_TYPE,
            before.id,
            to_version,
        )
        .await?;
        let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
        let ch = ContactChanges {
            name: text("name"),
            title: Some(text("title")),
            email: Some(text("email")),
            phone: Some(text("phone")),
            notes: text("notes"),
            is_primary: s
                .get("is_primary")
                .and_then(Value::as_bool)
                .map(|p| p && before.archived_at.is_none()),
        };
        let mut after = before.clone();
        apply(&mut after, &ch, false)?;
        self.write_contact(actor, before, after, "contact.reverted")
            .await
    }

    async fn write_contact(
        &self,
        actor: &Actor,
        before: contact::Model,
        mut after: contact::Model,
        action: &'static str,
    ) -> Result<ContactView> {
        let scope = actor.scope();
        after.version = before.version + 1;
        after.updated_at = cairn_domain::time::now();
        after.updated_by = Some(actor.user_id.0);
        let tx = self.store.write().await.map_err(db_err)?;
        let mut am = contact::ActiveModel::from(after.clone()).reset_all();
        am.id = cairn_store::sea_orm::ActiveValue::Unchanged(after.id);
        use contact::Column as Col;
        versions::write_if_current::<contact::Entity, _>(
            &tx,
            scope,
            am,
            (Col::Id, Col::WorkspaceId, Col::Version),
            before.id,
            before.version,
        )
        .await?;
        if after.is_primary && !before.is_primary {
            clear_other_primaries(&tx, scope, after.client_id, after.id).await?;
        }
        let snap = snapshot(&after);
        versions::snapshot(
            &tx,
            scope,
            RECORD_TYPE,
            after.id,
            after.version,
            snap.clone(),
            Some(actor.user_id.0),
        )
        .await?;
        audit::record(
            &tx,
            Event::by(actor, action, RECORD_TYPE, after.id)
                .client(after.client_id)
                .changes(audit::diff(&snapshot(&before), &snap)),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(after.into())
    }
}
