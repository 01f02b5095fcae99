//! Clients: the centre of the CRM. Every read goes through the actor's scope, so restricted
//! clients (and, through `client_filter`, everything under them) are invisible to anyone not
//! on their access list, answering 404 rather than 403 so existence never leaks.

use std::borrow::Cow;
use std::collections::HashMap;

use cairn_domain::crm::{self, AiMaturity, ClientStatus, CompanySize, Visibility};
use cairn_domain::{Action, DomainError, FieldError, Resource, Result, validate};
use cairn_store::WorkspaceScope;
use cairn_store::entities::{client, client_access, membership, record_version, user};
use cairn_store::sea_orm::sea_query::{Expr, ExprTrait, Func};
use cairn_store::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::actor::Actor;
use crate::audit::{self, Event};
use crate::page::{Page, PageRequest};
use crate::read_cache::Weigh;
use crate::seen::{Seen, Target};
use crate::tags::{self, TagRef};
use crate::{Cairn, check_version, collect_errors, db_err, each_once, versions};

/// The record type clients are tagged, versioned and audited under.
pub const RECORD_TYPE: &str = "client";

/// A user as shown next to a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserRef {
    pub id: uuid::Uuid,
    pub name: String,
}

/// A client as the API and the card show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    pub id: uuid::Uuid,
    pub name: String,
    pub status: String,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub timezone: Option<String>,
    pub ai_maturity: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Markdown.
    pub notes: String,
    pub account_owner: Option<UserRef>,
    /// `everyone` or `restricted`.
    pub visibility: String,
    pub tags: Vec<TagRef>,
    #[schema(value_type = Object)]
    pub custom: Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

/// Changes to a client. On create, `name` is required and absent fields take defaults; on
/// update, absent fields stay as they are and `Some(None)` clears a field.
#[derive(Debug, Clone, Default)]
pub struct ClientChanges {
    pub name: Option<String>,
    pub status: Option<String>,
    pub industry: Option<Option<String>>,
    pub company_size: Option<Option<String>>,
    pub timezone: Option<Option<String>>,
    pub ai_maturity: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub notes: Option<String>,
    pub account_owner_id: Option<Option<uuid::Uuid>>,
    pub tags: Option<Vec<uuid::Uuid>>,
    pub custom: Option<Value>,
    pub visibility: Option<String>,
    /// Users who may see a restricted client (owners and admins always can).
    pub access: Option<Vec<uuid::Uuid>>,
}

impl Weigh for ClientView {
    fn weigh(&self) -> u64 {
        (768 + self.name.len() + self.notes.len() + self.address.as_ref().map_or(0, String::len))
            as u64
            + self.tags.weigh()
    }
}

/// Records for a picker: id and label.
pub(crate) struct Choices<T>(pub(crate) Vec<(uuid::Uuid, T)>);

impl<T: AsRef<str>> Weigh for Choices<T> {
    fn weigh(&self) -> u64 {
        self.0
            .iter()
            .map(|(_, label)| 48 + label.as_ref().len())
            .sum::<usize>() as u64
    }
}

/// Filters and sort of the client list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClientFilter {
    /// One status or several separated by commas.
    pub status: Option<String>,
    /// A tag id.
    pub tag: Option<uuid::Uuid>,
    /// A user id, `me`, or `none`.
    pub owner: Option<String>,
    /// Text in the name, email, website or industry.
    pub q: Option<String>,
    /// `false` (default), `true` (only archived) or `all`.
    pub archived: Option<String>,
    /// `name`, `-name`, `updated_at`, `-updated_at`, `status`, `-status`.
    pub sort: Option<String>,
}

pub use crate::versions::{FieldDiff, VersionView};

fn snapshot(c: &client::Model, tag_ids: &[uuid::Uuid]) -> Value {
    json!({
        "name": c.name, "status": c.status, "industry": c.industry, "company_size": c.company_size,
        "timezone": c.timezone, "ai_maturity": c.ai_maturity, "website": c.website, "email": c.email,
        "phone": c.phone, "address": c.address, "notes": c.notes, "account_owner_id": c.account_owner_id,
        "tags": tag_ids, "custom": c.custom, "visibility": c.visibility, "archived": c.archived_at.is_some(),
    })
}

/// Validates `changes` onto `base` (a blank client on create). Collects every field error.
async fn apply_changes<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    base: &mut client::Model,
    ch: &ClientChanges,
    creating: bool,
) -> Result<()> {
    let mut errors: Vec<FieldError> = Vec::new();
    match (&ch.name, creating) {
        (Some(n), _) => match validate::required_text("name", n, 200) {
            Ok(n) => {
                base.sort_key = n.to_lowercase();
                base.name = n;
            }
            Err(e) => errors.push(e),
        },
        (None, true) => errors.push(FieldError::new("name", "is required")),
        (None, false) => {}
    }
    if let Some(s) = &ch.status {
        match ClientStatus::parse("status", s) {
            Ok(s) => base.status = s.as_str().into(),
            Err(e) => errors.push(e),
        }
    }
    let mut opt = |field: &str,
                   value: &Option<Option<String>>,
                   target: &mut Option<String>,
                   parse: &dyn Fn(&str, &str) -> Result<String, FieldError>| {
        if let Some(v) = value {
            match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                None => *target = None,
                Some(t) => match parse(field, t) {
                    Ok(p) => *target = Some(p),
                    Err(e) => errors.push(e),
                },
            }
        }
    };
    let text = |max: usize| {
        move |field: &str, t: &str| {
            crm::optional_text(field, Some(t), max).map(|o| o.unwrap_or_default())
        }
    };
    opt("industry", &ch.industry, &mut base.industry, &text(120));
    opt(
        "company_size",
        &ch.company_size,
        &mut base.company_size,
        &|f, t| CompanySize::parse(f, t).map(|v| v.as_str().into()),
    );
    opt("timezone", &ch.timezone, &mut base.timezone, &|f, t| {
        validate::timezone(f, t)
    });
    opt(
        "ai_maturity",
        &ch.ai_maturity,
        &mut base.ai_maturity,
        &|f, t| AiMaturity::parse(f, t).map(|v| v.as_str().into()),
    );
    opt("website", &ch.website, &mut base.website, &|f, t| {
        crm::website(f, t)
    });
    opt("email", &ch.email, &mut base.email, &|f, t| {
        validate::email(f, t)
    });
    opt("phone", &ch.phone, &mut base.phone, &|f, t| {
        crm::phone(f, t)
    });
    opt("address", &ch.address, &mut base.address, &text(500));
    if let Some(n) = &ch.notes {
        if n.chars().count() > 50_000 {
            errors.push(FieldError::new("notes", "must be at most 50000 characters"));
        } else {
            base.notes = n.clone();
        }
    }
    if let Some(v) = &ch.visibility {
        match Visibility::parse("visibility", v) {
            Ok(v) => base.visibility = v.as_str().into(),
            Err(e) => errors.push(e),
        }
    }
    if let Some(c) = &ch.custom {
        if !c.is_object() {
            errors.push(FieldError::new("custom", "must be a JSON object"));
        } else if c.to_string().len() > 16_384 {
            errors.push(FieldError::new("custom", "must be at most 16 KiB"));
        } else {
            base.custom = c.clone();
        }
    }
    if let Some(owner) = &ch.account_owner_id {
        match owner {
            None => base.account_owner_id = None,
            Some(u) => {
                if is_member(db, scope, *u).await? {
                    base.account_owner_id = Some(*u);
                } else {
                    errors.push(FieldError::new(
                        "account_owner_id",
                        "must be a member of this workspace",
                    ));
                }
            }
        }
    }
    if let Some(ids) = &ch.tags
        && let Err(e) = tags::check_tags(db, scope, "tags", ids).await
    {
        errors.push(e);
    }
    if let Some(users) = &ch.access {
        for u in users {
            if !is_member(db, scope, *u).await? {
                errors.push(FieldError::new(
                    "access",
                    format!("{u} is not a member of this workspace"),
                ));
                break;
            }
        }
    }
    collect_errors(errors)
}

async fn is_member<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    user: uuid::Uuid,
) -> Result<bool> {
    Ok(membership::Entity::find()
        .filter(membership::Column::WorkspaceId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user))
        .count(db)
        .await
        .map_err(db_err)?
        > 0)
}

/// Names of users by id, for display.
pub(crate) async fn user_names<C: ConnectionTrait>(
    db: &C,
    ids: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user_names_of(ids)
        .into_tuple::<(uuid::Uuid, String)>()
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .collect())
}

/// One statement for users' names: (id, name) of each of `ids`.
pub(crate) fn user_names_of(ids: &[uuid::Uuid]) -> Select<user::Entity> {
    user_names_where(Condition::all().add(user::Column::Id.is_in(each_once(ids))))
}

/// One statement for the names of the users `which` selects: (id, name).
pub(crate) fn user_names_where(which: Condition) -> Select<user::Entity> {
    // Only the two columns a name needs, never the password hash and TOTP seed of a whole row.
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Name)
        .filter(which)
}

/// The user `id` named from `names` (from [`user_names`]); a user row that is gone reads
/// "former member".
pub(crate) fn user_ref(id: uuid::Uuid, names: &HashMap<uuid::Uuid, String>) -> UserRef {
    UserRef {
        id,
        name: names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "former member".into()),
    }
}

async fn views<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    rows: Vec<client::Model>,
) -> Result<Vec<ClientView>> {
    let ids: Vec<uuid::Uuid> = rows.iter().map(|c| c.id).collect();
    let mut tag_map = tags::tags_for(db, scope, RECORD_TYPE, &ids).await?;
    let owners: Vec<uuid::Uuid> = rows.iter().filter_map(|c| c.account_owner_id).collect();
    let names = user_names(db, &owners).await?;
    Ok(rows
        .into_iter()
        .map(|c| ClientView {
            account_owner: c.account_owner_id.map(|id| user_ref(id, &names)),
            tags: tag_map.remove(&c.id).unwrap_or_default(),
            id: c.id,
            name: c.name,
            status: c.status,
            industry: c.industry,
            company_size: c.company_size,
            timezone: c.timezone,
            ai_maturity: c.ai_maturity,
            website: c.website,
            email: c.email,
            phone: c.phone,
            address: c.address,
            notes: c.notes,
            visibility: c.visibility,
            custom: c.custom,
            created_at: c.created_at,
            updated_at: c.updated_at,
            archived_at: c.archived_at,
            version: c.version,
        })
        .collect())
}

/// A client checked once for the several reads of its card (see [`crate::seen`]).
pub type SeenClient = Seen<client::Model>;

/// Keyset position of a row in the list: (primary sort value, secondary value, id).
type Position = (String, String, uuid::Uuid);

impl Cairn {
    /// A client the actor may see, or `NotFound` (also for restricted and foreign ones).
    pub(crate) async fn visible_client<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> Result<client::Model> {
        client::Entity::find_by_id(id)
            .filter(actor.scope().clients_filter())
            .one(db)
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("client"))
    }

    /// The client a read is about (see [`crate::seen`]): a client seen earlier in this
    /// request by the same actor as it is; otherwise loaded, or `NotFound` when not visible.
    pub(crate) async fn seen_client<'a>(
        &self,
        actor: &Actor,
        target: Target<'a, client::Model>,
    ) -> Result<Cow<'a, client::Model>> {
        let db = self.store.reader();
        target
            .resolve(actor, |id| self.visible_client(db, actor, id))
            .await
    }

    /// A client the actor may see, loaded once for the several reads of its card.
    pub async fn see_client(&self, actor: &Actor, id: uuid::Uuid) -> Result<SeenClient> {
        actor.require(Action::Read, Resource::Client)?;
        let c = self.visible_client(self.store.reader(), actor, id).await?;
        Ok(Seen::new(actor, c.id, c))
    }

    /// One client.
    pub async fn get_client<'a>(
        &self,
        actor: &Actor,
        client: impl Into<Target<'a, client::Model>>,
    ) -> Result<ClientView> {
        actor.require(Action::Read, Resource::Client)?;
        let c = self.seen_client(actor, client.into()).await?.into_owned();
        Ok(views(self.store.reader(), actor.scope(), vec![c])
            .await?
            .remove(0))
    }

    /// A client for its edit form: it must be visible and the actor may edit it.
    pub async fn client_for_edit(&self, actor: &Actor, id: uuid::Uuid) -> Result<ClientView> {
        let c = self.get_client(actor, id).await?;
        actor.require(Action::Update, Resource::Client)?;
        Ok(c)
    }

    /// Checks that the actor may create clients (before showing the new-client form).
    pub fn may_create_client(&self, actor: &Actor) -> Result<()> {
        actor.require(Action::Create, Resource::Client)
    }

    /// The client list: server-side filters, sort and keyset pagination. Served from the
    /// read cache while the workspace is unchanged.
    pub async fn list_clients(
        &self,
        actor: &Actor,
        f: &ClientFilter,
        page: &PageRequest,
    ) -> Result<Page<ClientView>> {
        actor.require(Action::Read, Resource::Client)?;
        // `owner=me` depends on who asks.
        let args = format!("{}/{f:?}/{page:?}", actor.user_id);
        let page = self
            .cached(
                actor,
                "clients",
                args,
                self.load_client_page(actor, f, page),
            )
            .await?;
        Ok(page.as_ref().clone())
    }

    /// One page of the client list from the database (exports read every page this way, so
    /// that they do not fill the read cache).
    pub(crate) async fn load_client_page(
        &self,
        actor: &Actor,
        f: &ClientFilter,
        page: &PageRequest,
    ) -> Result<Page<ClientView>> {
        actor.require(Action::Read, Resource::Client)?;
        let limit = page.limit()?;
        let scope = actor.scope();
        let mut q = client::Entity::find().filter(scope.clients_filter());
        let mut errors = Vec::new();
        if let Some(statuses) = f.status.as_deref().filter(|s| !s.trim().is_empty()) {
            let parsed: Vec<String> = statuses
                .split(',')
                .filter_map(|s| {
                    ClientStatus::parse("status", s)
                        .map_err(|e| errors.push(e))
                        .ok()
                })
                .map(|s| s.as_str().to_string())
                .collect();
            q = q.filter(client::Column::Status.is_in(parsed));
        }
        if let Some(tag) = f.tag {
            q = q.filter(tags::tagged_with(
                tag,
                RECORD_TYPE,
                (client::Entity, client::Column::Id),
            ));
        }
        match f.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            None => {}
            Some("none") => q = q.filter(client::Column::AccountOwnerId.is_null()),
            Some("me") => q = q.filter(client::Column::AccountOwnerId.eq(actor.user_id.0)),
            Some(other) => match uuid::Uuid::parse_str(other) {
                Ok(u) => q = q.filter(client::Column::AccountOwnerId.eq(u)),
                Err(_) => errors.push(FieldError::new("owner", "must be a user id, me or none")),
            },
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
            let like = |col: client::Column| {
                Expr::expr(Func::lower(Expr::col(col))).like(
                    cairn_store::sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'),
                )
            };
            q = q.filter(
                Condition::any()
                    .add(like(client::Column::Name))
                    .add(like(client::Column::Email))
                    .add(like(client::Column::Website))
                    .add(like(client::Column::Industry)),
            );
        }
        match f.archived.as_deref().unwrap_or("false") {
            "false" | "" => q = q.filter(client::Column::ArchivedAt.is_null()),
            "true" => q = q.filter(client::Column::ArchivedAt.is_not_null()),
            "all" => {}
            _ => errors.push(FieldError::new("archived", "must be false, true or all")),
        }
        let sort = f
            .sort
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "name".into());
        let (key, desc) = match sort.strip_prefix('-') {
            Some(k) => (k.to_string(), true),
            None => (sort.clone(), false),
        };
        if !["name", "updated_at", "status"].contains(&key.as_str()) {
            errors.push(FieldError::new(
                "sort",
                "must be one of name, updated_at, status (prefix - for descending)",
            ));
        }
        collect_errors(errors)?;
        let position: Option<Position> = page.position()?;
        use client::Column as C;
        // The columns the list is ordered by, matching an index each: (sort_key, id),
        // (updated_at, id) or (status, sort_key, id). Repeating a column in ORDER BY makes
        // SQLite ignore the index and sort.
        let order: Vec<C> = match key.as_str() {
            "updated_at" => vec![C::UpdatedAt, C::Id],
            "status" => vec![C::Status, C::SortKey, C::Id],
            _ => vec![C::SortKey, C::Id],
        };
        if let Some((a, b, id)) = position {
            let first_val: cairn_store::sea_orm::Value = if key == "updated_at" {
                chrono::DateTime::parse_from_rfc3339(&a)
                    .map_err(|_| {
                        DomainError::invalid("cursor", "is not a cursor returned by this list")
                    })?
                    .with_timezone(&chrono::Utc)
                    .into()
            } else {
                a.clone().into()
            };
            let values: Vec<cairn_store::sea_orm::Value> = match key.as_str() {
                "status" => vec![first_val, b.into(), id.into()],
                _ => vec![first_val, id.into()],
            };
            q = q.filter(crate::page::after(&order, &values, desc));
        }
        for col in &order {
            q = if desc {
                q.order_by_desc(*col)
            } else {
                q.order_by_asc(*col)
            };
        }
        let rows = q
            .limit(limit + 1)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        let key_of = |c: &ClientView| -> Position {
            match key.as_str() {
                "updated_at" => (
                    c.updated_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    String::new(),
                    c.id,
                ),
                "status" => (c.status.clone(), c.name.to_lowercase(), c.id),
                _ => (c.name.to_lowercase(), String::new(), c.id),
            }
        };
        let items = views(self.store.reader(), scope, rows).await?;
        Ok(Page::from_rows(items, limit, key_of))
    }

    /// Current clients the actor may see as (id, name), by name: the options of a picker,
    /// read without the tags and owners a list row carries.
    pub async fn client_choices(
        &self,
        actor: &Actor,
        limit: u64,
    ) -> Result<Vec<(uuid::Uuid, String)>> {
        actor.require(Action::Read, Resource::Client)?;
        let load = async {
            client::Entity::find()
                .select_only()
                .column(client::Column::Id)
                .column(client::Column::Name)
                .filter(actor.scope().clients_filter())
                .filter(client::Column::ArchivedAt.is_null())
                .order_by_asc(client::Column::SortKey)
                .order_by_asc(client::Column::Id)
                .limit(limit)
                .into_tuple()
                .all(self.store.reader())
                .await
                .map_err(db_err)
                .map(Choices)
        };
        let choices = self
            .cached(actor, "client_choices", limit.to_string(), load)
            .await?;
        Ok(choices.0.clone())
    }

    /// Number of clients the actor can see (not archived), for dashboards.
    pub async fn count_clients(&self, actor: &Actor) -> Result<u64> {
        client::Entity::find()
            .filter(actor.scope().clients_filter())
            .filter(client::Column::ArchivedAt.is_null())
            .count(self.store.reader())
            .await
            .map_err(db_err)
    }

    /// Creates a client.
    pub async fn create_client(&self, actor: &Actor, changes: ClientChanges) -> Result<ClientView> {
        actor.require(Action::Create, Resource::Client)?;
        if changes.visibility.is_some() || changes.access.is_some() {
            actor.require(Action::ManageAccess, Resource::Client)?;
        }
        if changes.tags.as_ref().is_some_and(|t| !t.is_empty()) {
            actor.require(Action::Apply, Resource::Tag)?;
        }
        let scope = actor.scope();
        let now = cairn_domain::time::now();
        let mut c = client::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: scope.uuid(),
            name: String::new(),
            sort_key: String::new(),
            status: ClientStatus::Lead.as_str().into(),
            industry: None,
            company_size: None,
            timezone: None,
            ai_maturity: None,
            website: None,
            email: None,
            phone: None,
            address: None,
            notes: String::new(),
            account_owner_id: None,
            visibility: Visibility::Everyone.as_str().into(),
            created_at: now,
            created_by: Some(actor.user_id.0),
            updated_at: now,
            updated_by: Some(actor.user_id.0),
            version: 1,
            archived_at: None,
            custom: json!({}),
        };
        apply_changes(self.store.reader(), scope, &mut c, &changes, true).await?;
        let tx = self.store.write().await.map_err(db_err)?;
        client::Entity::insert(client::ActiveModel::from(c.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        let tag_ids = changes.tags.clone().unwrap_or_default();
        let (_, tag_ids) = tags::set_tags(&tx, scope, RECORD_TYPE, c.id, &tag_ids).await?;
        if let Some(users) = &changes.access {
            set_access(&tx, scope, c.id, users).await?;
        }
        let snap = snapshot(&c, &tag_ids);
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
            Event::by(actor, "client.created", RECORD_TYPE, c.id)
                .client(c.id)
                .changes(audit::diff(&json!({}), &snap)),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_client(actor, c.id).await
    }

    /// Updates a client, honouring `If-Match`; stores a version and logs the field changes.
    pub async fn update_client(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        changes: ClientChanges,
        if_match: Option<i64>,
    ) -> Result<ClientView> {
        actor.require(Action::Read, Resource::Client)?;
        let before = self.visible_client(self.store.reader(), actor, id).await?;
        actor.require(Action::Update, Resource::Client)?;
        if changes.visibility.is_some() || changes.access.is_some() {
            actor.require(Action::ManageAccess, Resource::Client)?;
        }
        if changes.tags.is_some() {
            actor.require(Action::Apply, Resource::Tag)?;
        }
        let scope = actor.scope();
        let mut after = before.clone();
        apply_changes(self.store.reader(), scope, &mut after, &changes, false).await?;
        check_version(if_match, before.version)?;
        self.write_client(
            actor,
            before,
            after,
            changes.tags.clone(),
            changes.access.clone(),
            "client.updated",
        )
        .await
    }

    /// Writes `after` over `before` with optimistic locking, tags, access, a version and an
    /// audit entry; the single path for updates, archive, restore and revert.
    async fn write_client(
        &self,
        actor: &Actor,
        before: client::Model,
        mut after: client::Model,
        new_tags: Option<Vec<uuid::Uuid>>,
        access: Option<Vec<uuid::Uuid>>,
        action: &'static str,
    ) -> Result<ClientView> {
        let scope = actor.scope();
        after.version = before.version + 1;
        after.updated_at = cairn_domain::time::now();
        after.updated_by = Some(actor.user_id.0);
        let tx = self.store.write().await.map_err(db_err)?;
        let mut am = client::ActiveModel::from(after.clone()).reset_all();
        am.id = cairn_store::sea_orm::ActiveValue::Unchanged(after.id);
        use client::Column as Col;
        versions::write_if_current::<client::Entity, _>(
            &tx,
            scope,
            am,
            (Col::Id, Col::WorkspaceId, Col::Version),
            before.id,
            before.version,
        )
        .await?;
        let old_tags = tags::tag_ids(&tx, scope, RECORD_TYPE, before.id).await?;
        let tag_ids = match &new_tags {
            Some(ids) => {
                tags::set_tags(&tx, scope, RECORD_TYPE, before.id, ids)
                    .await?
                    .1
            }
            None => old_tags.clone(),
        };
        if let Some(users) = &access {
            set_access(&tx, scope, before.id, users).await?;
        }
        let snap_before = snapshot(&before, &old_tags);
        let snap_after = snapshot(&after, &tag_ids);
        versions::snapshot(
            &tx,
            scope,
            RECORD_TYPE,
            after.id,
            after.version,
            snap_after.clone(),
            Some(actor.user_id.0),
        )
        .await?;
        let mut changes = audit::diff(&snap_before, &snap_after);
        if let Some(users) = access {
            changes["access"] = json!([null, users]);
        }
        audit::record(
            &tx,
            Event::by(actor, action, RECORD_TYPE, after.id)
                .client(after.id)
                .changes(changes),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        self.get_client(actor, after.id).await
    }

    /// Archives (soft-deletes) or restores a client.
    pub async fn set_client_archived(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        archived: bool,
        if_match: Option<i64>,
    ) -> Result<ClientView> {
        actor.require(Action::Read, Resource::Client)?;
        let before = self.visible_client(self.store.reader(), actor, id).await?;
        actor.require(Action::Archive, Resource::Client)?;
        check_version(if_match, before.version)?;
        if before.archived_at.is_some() == archived {
            return Err(DomainError::Conflict(format!(
                "the client is already {}",
                if archived { "archived" } else { "active" }
            )));
        }
        let mut after = before.clone();
        after.archived_at = archived.then(cairn_domain::time::now);
        self.write_client(
            actor,
            before,
            after,
            None,
            None,
            if archived {
                "client.archived"
            } else {
                "client.restored"
            },
        )
        .await
    }

    /// Permanently deletes a client and everything under it (owners and admins), after the
    /// caller typed the client's name.
    pub async fn delete_client(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        confirm_name: &str,
    ) -> Result<()> {
        actor.require(Action::Read, Resource::Client)?;
        let c = self.visible_client(self.store.reader(), actor, id).await?;
        actor.require(Action::Delete, Resource::Client)?;
        if confirm_name.trim() != c.name {
            return Err(DomainError::invalid(
                "confirm_name",
                "must be the client's name exactly",
            ));
        }
        let scope = actor.scope();
        let contact_ids: Vec<uuid::Uuid> = cairn_store::entities::contact::Entity::find()
            .filter(cairn_store::entities::contact::Column::ClientId.eq(c.id))
            .all(self.store.reader())
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|x| x.id)
            .collect();
        let tx = self.store.write().await.map_err(db_err)?;
        tags::clear_tags(&tx, scope, RECORD_TYPE, &[c.id]).await?;
        tags::clear_tags(&tx, scope, crate::contacts::RECORD_TYPE, &contact_ids).await?;
        record_version::Entity::delete_many()
            .filter(record_version::Column::WorkspaceId.eq(scope.uuid()))
            .filter(
                Condition::any()
                    .add(record_version::Column::RecordId.eq(c.id))
                    .add(record_version::Column::RecordId.is_in(contact_ids.clone())),
            )
            .exec(&tx)
            .await
            .map_err(db_err)?;
        // Contacts, interactions and the access list go with the client (ON DELETE CASCADE);
        // the interaction trigger allows that delete only because the client row is gone.
        client::Entity::delete_by_id(c.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        audit::record(
            &tx,
            Event::by(actor, "client.deleted", RECORD_TYPE, c.id)
                .client(c.id)
                .changes(json!({"name": [c.name, null], "contacts": [contact_ids.len(), 0]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    /// Who may see a restricted client (owners and admins always can).
    pub async fn client_access<'a>(
        &self,
        actor: &Actor,
        client: impl Into<Target<'a, client::Model>>,
    ) -> Result<Vec<UserRef>> {
        actor.require(Action::Read, Resource::Client)?;
        let c = self.seen_client(actor, client.into()).await?;
        let ids: Vec<uuid::Uuid> = client_access::Entity::find()
            .filter(client_access::Column::ClientId.eq(c.id))
            .all(self.store.reader())
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|a| a.user_id)
            .collect();
        let names = user_names(self.store.reader(), &ids).await?;
        let mut out: Vec<UserRef> = ids
            .into_iter()
            .map(|id| UserRef {
                id,
                name: names.get(&id).cloned().unwrap_or_default(),
            })
            .collect();
        out.sort_by_key(|u| u.name.to_lowercase());
        Ok(out)
    }

    /// Sets visibility and the access list of a client (owners and admins).
    pub async fn set_client_access(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        visibility: &str,
        users: Vec<uuid::Uuid>,
        if_match: Option<i64>,
    ) -> Result<ClientView> {
        let changes = ClientChanges {
            visibility: Some(visibility.into()),
            access: Some(users),
            ..Default::default()
        };
        actor.require(Action::Read, Resource::Client)?;
        let before = self.visible_client(self.store.reader(), actor, id).await?;
        actor.require(Action::ManageAccess, Resource::Client)?;
        let mut after = before.clone();
        apply_changes(
            self.store.reader(),
            actor.scope(),
            &mut after,
            &changes,
            false,
        )
        .await?;
        check_version(if_match, before.version)?;
        self.write_client(
            actor,
            before,
            after,
            None,
            changes.access,
            "client.access_changed",
        )
        .await
    }

    /// The versions of a client, newest first.
    pub async fn client_versions(&self, actor: &Actor, id: uuid::Uuid) -> Result<Vec<VersionView>> {
        actor.require(Action::Read, Resource::Client)?;
        let c = self.visible_client(self.store.reader(), actor, id).await?;
        versions::views(self.store.reader(), actor.scope(), RECORD_TYPE, c.id).await
    }

    /// The field-level differences between two versions of a client.
    pub async fn diff_client_versions(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        from: i64,
        to: i64,
    ) -> Result<Vec<FieldDiff>> {
        versions::diff(&self.client_versions(actor, id).await?, from, to)
    }

    /// Reverts a client's fields and tags to an earlier version; the revert is a new version.
    pub async fn revert_client(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        to_version: i64,
        if_match: Option<i64>,
    ) -> Result<ClientView> {
        actor.require(Action::Read, Resource::Client)?;
        let before = self.visible_client(self.store.reader(), actor, id).await?;
        actor.require(Action::Update, Resource::Client)?;
        check_version(if_match, before.version)?;
        let target = versions::history(self.store.reader(), actor.scope(), RECORD_TYPE, before.id)
            .await?
            .into_iter()
            .find(|v| v.version == to_version)
            .ok_or_else(|| {
                DomainError::invalid("version", format!("version {to_version} does not exist"))
            })?;
        let s = &target.snapshot;
        let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
        let mut after = before.clone();
        after.name = text("name").unwrap_or(before.name.clone());
        after.sort_key = after.name.to_lowercase();
        after.status = text("status").unwrap_or(before.status.clone());
        after.industry = text("industry");
        after.company_size = text("company_size");
        after.timezone = text("timezone");
        after.ai_maturity = text("ai_maturity");
        after.website = text("website");
        after.email = text("email");
        after.phone = text("phone");
        after.address = text("address");
        after.notes = text("notes").unwrap_or_default();
        // An owner who has since left the workspace is not restored.
        after.account_owner_id = match s
            .get("account_owner_id")
            .and_then(Value::as_str)
            .and_then(|u| uuid::Uuid::parse_str(u).ok())
        {
            Some(u) if is_member(self.store.reader(), actor.scope(), u).await? => Some(u),
            _ => None,
        };
        after.custom = s
            .get("custom")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        let snapshot_tags: Vec<uuid::Uuid> = s
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .filter_map(|v| uuid::Uuid::parse_str(v).ok())
                    .collect()
            })
            .unwrap_or_default();
        // Tags deleted since then are skipped.
        let live = tags::existing(self.store.reader(), actor.scope(), &snapshot_tags).await?;
        self.write_client(actor, before, after, Some(live), None, "client.reverted")
            .await
    }
}

async fn set_access<C: ConnectionTrait>(
    tx: &C,
    scope: WorkspaceScope,
    client_id: uuid::Uuid,
    users: &[uuid::Uuid],
) -> Result<()> {
    client_access::Entity::delete_many()
        .filter(client_access::Column::ClientId.eq(client_id))
        .exec(tx)
        .await
        .map_err(db_err)?;
    for u in each_once(users) {
        client_access::Entity::insert(client_access::ActiveModel {
            client_id: Set(client_id),
            user_id: Set(u),
            workspace_id: Set(scope.uuid()),
        })
        .exec_without_returning(tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}
