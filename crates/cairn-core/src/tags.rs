//! Tags: one workspace list (managed by owners and admins) and one tagging mechanism for every
//! record type (clients now; projects, tasks, credentials and AI assets later).

use std::collections::HashMap;

use cairn_domain::{Action, DomainError, FieldError, Resource, Result, crm, validate};
use cairn_store::WorkspaceScope;
use cairn_store::entities::{tag, tagging};
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::audit::{self, Event};
use crate::{Cairn, check_version, collect_errors, db_err};

/// A tag as shown on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TagRef {
    pub id: uuid::Uuid,
    pub name: String,
    pub colour: String,
}

/// A tag in the workspace list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TagView {
    pub id: uuid::Uuid,
    pub name: String,
    pub colour: String,
    pub version: i64,
}

fn view(t: &tag::Model) -> TagView {
    TagView {
        id: t.id,
        name: t.name.clone(),
        colour: t.colour.clone(),
        version: t.version,
    }
}

/// The tags on each of `ids` (of one record type), for lists and cards.
pub async fn tags_for<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    record_type: &str,
    ids: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, Vec<TagRef>>> {
    let mut out: HashMap<uuid::Uuid, Vec<TagRef>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(uuid::Uuid, String, uuid::Uuid, String)> = taggings_of(scope, record_type, ids)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    for (record_id, name, id, colour) in rows {
        out.entry(record_id)
            .or_default()
            .push(TagRef { id, name, colour });
    }
    sort_by_name(&mut out);
    Ok(out)
}

/// One statement for the tags on `ids`: each link as (record id, tag name, tag id, colour).
/// Also an arm of the task rows' one lookup (`delivery::task_refs`).
pub(crate) fn taggings_of(
    scope: WorkspaceScope,
    record_type: &str,
    ids: &[uuid::Uuid],
) -> Select<tagging::Entity> {
    tagging::Entity::find()
        .select_only()
        .column(tagging::Column::RecordId)
        .column(tag::Column::Name)
        .column(tag::Column::Id)
        .column(tag::Column::Colour)
        .join(
            JoinType::InnerJoin,
            tagging::Entity::belongs_to(tag::Entity)
                .from(tagging::Column::TagId)
                .to(tag::Column::Id)
                .into(),
        )
        .filter(tagging::Column::WorkspaceId.eq(scope.uuid()))
        .filter(tagging::Column::RecordType.eq(record_type))
        .filter(tagging::Column::RecordId.is_in(ids.to_vec()))
        .filter(tag::Column::WorkspaceId.eq(scope.uuid()))
}

/// Each record's tags in name order, as every view lists them.
pub(crate) fn sort_by_name(tags: &mut HashMap<uuid::Uuid, Vec<TagRef>>) {
    for v in tags.values_mut() {
        v.sort_by_key(|t| t.name.to_lowercase());
    }
}

/// Checks that every id is a tag of this workspace; the error names `field`.
pub async fn check_tags<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    field: &str,
    ids: &[uuid::Uuid],
) -> Result<(), FieldError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = tag::Entity::find()
        .filter(tag::Column::WorkspaceId.eq(scope.uuid()))
        .filter(tag::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await
        .map_err(|_| FieldError::new(field, "could not be checked"))?;
    match ids.iter().find(|id| !found.iter().any(|t| t.id == **id)) {
        Some(missing) => Err(FieldError::new(
            field,
            format!("{missing} is not a tag of this workspace"),
        )),
        None => Ok(()),
    }
}

/// Replaces the tags on a record (inside the caller's transaction). Returns (before, after)
/// tag ids for the audit entry.
pub async fn set_tags<C: ConnectionTrait>(
    tx: &C,
    scope: WorkspaceScope,
    record_type: &str,
    record_id: uuid::Uuid,
    ids: &[uuid::Uuid],
) -> Result<(Vec<uuid::Uuid>, Vec<uuid::Uuid>)> {
    let before: Vec<uuid::Uuid> = tagging::Entity::find()
        .filter(tagging::Column::WorkspaceId.eq(scope.uuid()))
        .filter(tagging::Column::RecordType.eq(record_type))
        .filter(tagging::Column::RecordId.eq(record_id))
        .all(tx)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|t| t.tag_id)
        .collect();
    let mut after: Vec<uuid::Uuid> = ids.to_vec();
    after.sort();
    after.dedup();
    tagging::Entity::delete_many()
        .filter(tagging::Column::WorkspaceId.eq(scope.uuid()))
        .filter(tagging::Column::RecordType.eq(record_type))
        .filter(tagging::Column::RecordId.eq(record_id))
        .exec(tx)
        .await
        .map_err(db_err)?;
    for tag_id in &after {
        tagging::Entity::insert(tagging::ActiveModel {
            tag_id: Set(*tag_id),
            record_type: Set(record_type.into()),
            record_id: Set(record_id),
            workspace_id: Set(scope.uuid()),
        })
        .exec_without_returning(tx)
        .await
        .map_err(db_err)?;
    }
    let mut b = before;
    b.sort();
    Ok((b, after))
}

/// Removes every tag from a record (when the record is permanently deleted).
pub async fn clear_tags<C: ConnectionTrait>(
    tx: &C,
    scope: WorkspaceScope,
    record_type: &str,
    record_ids: &[uuid::Uuid],
) -> Result<()> {
    tagging::Entity::delete_many()
        .filter(tagging::Column::WorkspaceId.eq(scope.uuid()))
        .filter(tagging::Column::RecordType.eq(record_type))
        .filter(tagging::Column::RecordId.is_in(record_ids.to_vec()))
        .exec(tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// A condition "the row of `record` carries `tag`", for list filters: a correlated EXISTS
/// that probes the taggings primary key per candidate row instead of materialising every row
/// that carries the tag.
pub fn tagged_with<T, C>(
    tag: uuid::Uuid,
    record_type: &str,
    record: (T, C),
) -> cairn_store::sea_orm::sea_query::SimpleExpr
where
    T: cairn_store::sea_orm::sea_query::IntoIden,
    C: cairn_store::sea_orm::sea_query::IntoIden,
{
    use cairn_store::sea_orm::sea_query::{Expr, ExprTrait, Query};
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(tagging::Entity)
            .and_where(Expr::col((tagging::Entity, tagging::Column::TagId)).eq(tag))
            .and_where(Expr::col((tagging::Entity, tagging::Column::RecordType)).eq(record_type))
            .and_where(Expr::col((tagging::Entity, tagging::Column::RecordId)).equals(record))
            .to_owned(),
    )
}

/// The sorted tag ids on one record.
pub async fn tag_ids<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    record_type: &str,
    id: uuid::Uuid,
) -> Result<Vec<uuid::Uuid>> {
    let mut ids: Vec<uuid::Uuid> = tags_for(db, scope, record_type, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.id)
        .collect();
    ids.sort();
    Ok(ids)
}

/// The ids among `ids` that are still tags of the workspace (a revert skips deleted tags).
pub async fn existing<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    ids: &[uuid::Uuid],
) -> Result<Vec<uuid::Uuid>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(tag::Entity::find()
        .filter(tag::Column::WorkspaceId.eq(scope.uuid()))
        .filter(tag::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|t| t.id)
        .collect())
}

impl Cairn {
    /// The workspace's tags, by name.
    pub async fn list_tags(&self, actor: &Actor) -> Result<Vec<TagView>> {
        actor.require(Action::Read, Resource::Tag)?;
        let rows = tag::Entity::find()
            .filter(tag::Column::WorkspaceId.eq(actor.scope().uuid()))
            .order_by_asc(tag::Column::NameKey)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(rows.iter().map(view).collect())
    }

    async fn tag_in_scope(&self, actor: &Actor, id: uuid::Uuid) -> Result<tag::Model> {
        tag::Entity::find_by_id(id)
            .filter(tag::Column::WorkspaceId.eq(actor.scope().uuid()))
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .ok_or(DomainError::NotFound("tag"))
    }

    async fn tag_name_taken(
        &self,
        actor: &Actor,
        key: &str,
        except: Option<uuid::Uuid>,
    ) -> Result<bool> {
        let existing = tag::Entity::find()
            .filter(tag::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(tag::Column::NameKey.eq(key))
            .one(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(existing.is_some_and(|t| Some(t.id) != except))
    }

    /// Adds a tag to the workspace list.
    pub async fn create_tag(
        &self,
        actor: &Actor,
        name: &str,
        colour: Option<&str>,
    ) -> Result<TagView> {
        actor.require(Action::Create, Resource::Tag)?;
        let mut errors = Vec::new();
        let name = validate::required_text("name", name, 60)
            .map_err(|e| errors.push(e))
            .ok();
        let colour = crm::colour("colour", colour.unwrap_or("#64748b"))
            .map_err(|e| errors.push(e))
            .ok();
        collect_errors(errors)?;
        let (name, colour) = (name.unwrap_or_default(), colour.unwrap_or_default());
        let key = name.to_lowercase();
        if self.tag_name_taken(actor, &key, None).await? {
            return Err(DomainError::invalid(
                "name",
                "is already a tag in this workspace",
            ));
        }
        let now = cairn_domain::time::now();
        let model = tag::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: actor.scope().uuid(),
            name: name.clone(),
            name_key: key,
            colour: colour.clone(),
            created_at: now,
            created_by: Some(actor.user_id.0),
            updated_at: now,
            updated_by: Some(actor.user_id.0),
            version: 1,
            archived_at: None,
            custom: json!({}),
        };
        let tx = self.store.write().await.map_err(db_err)?;
        tag::Entity::insert(tag::ActiveModel::from(model.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        audit::record(
            &tx,
            Event::by(actor, "tag.created", "tag", model.id)
                .changes(json!({"name": [null, name], "colour": [null, colour]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(view(&model))
    }

    /// Renames or recolours a tag.
    pub async fn update_tag(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        name: Option<&str>,
        colour: Option<&str>,
        if_match: Option<i64>,
    ) -> Result<TagView> {
        let t = self.tag_in_scope(actor, id).await?;
        actor.require(Action::Update, Resource::Tag)?;
        let mut errors = Vec::new();
        let name = name
            .map(|n| validate::required_text("name", n, 60))
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let colour = colour
            .map(|c| crm::colour("colour", c))
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        collect_errors(errors)?;
        check_version(if_match, t.version)?;
        let mut after = t.clone();
        if let Some(n) = name {
            if self
                .tag_name_taken(actor, &n.to_lowercase(), Some(t.id))
                .await?
            {
                return Err(DomainError::invalid(
                    "name",
                    "is already a tag in this workspace",
                ));
            }
            after.name_key = n.to_lowercase();
            after.name = n;
        }
        if let Some(c) = colour {
            after.colour = c;
        }
        after.version += 1;
        after.updated_at = cairn_domain::time::now();
        after.updated_by = Some(actor.user_id.0);
        let tx = self.store.write().await.map_err(db_err)?;
        let res = tag::Entity::update_many()
            .col_expr(tag::Column::Name, Expr::value(after.name.clone()))
            .col_expr(tag::Column::NameKey, Expr::value(after.name_key.clone()))
            .col_expr(tag::Column::Colour, Expr::value(after.colour.clone()))
            .col_expr(tag::Column::Version, Expr::value(after.version))
            .col_expr(tag::Column::UpdatedAt, Expr::value(after.updated_at))
            .col_expr(tag::Column::UpdatedBy, Expr::value(actor.user_id.0))
            .filter(tag::Column::Id.eq(t.id))
            .filter(tag::Column::Version.eq(t.version))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(DomainError::StaleVersion {
                current: t.version + 1,
            });
        }
        let changes = audit::diff(
            &json!({"name": t.name, "colour": t.colour}),
            &json!({"name": after.name, "colour": after.colour}),
        );
        audit::record(
            &tx,
            Event::by(actor, "tag.updated", "tag", t.id).changes(changes),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(view(&after))
    }

    /// Deletes a tag and takes it off every record.
    pub async fn delete_tag(&self, actor: &Actor, id: uuid::Uuid) -> Result<()> {
        let t = self.tag_in_scope(actor, id).await?;
        actor.require(Action::Delete, Resource::Tag)?;
        let tx = self.store.write().await.map_err(db_err)?;
        tagging::Entity::delete_many()
            .filter(tagging::Column::TagId.eq(t.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        tag::Entity::delete_by_id(t.id)
            .exec(&tx)
            .await
            .map_err(db_err)?;
        audit::record(
            &tx,
            Event::by(actor, "tag.deleted", "tag", t.id).changes(json!({"name": [t.name, null]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }
}
