//! Record versions: a full snapshot per change, so any record can be diffed and reverted.
//! Later entities call [`snapshot`] in the same transaction as their update.

use cairn_domain::{DomainError, Result};
use cairn_store::WorkspaceScope;
use cairn_store::entities::record_version;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::Value;

use crate::actor::Actor;
use crate::audit::{self, Event};
use crate::clients::{UserRef, user_names};
use crate::db_err;

/// One version of a record's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub changed_at: chrono::DateTime<chrono::Utc>,
    pub changed_by: Option<UserRef>,
    #[schema(value_type = Object)]
    pub snapshot: Value,
}

/// A field that differs between two versions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldDiff {
    pub field: String,
    /// The field's value in the older version: whatever JSON the field holds (`null` when unset).
    #[schema(value_type = Value)]
    pub from: Value,
    /// The field's value in the newer version.
    #[schema(value_type = Value)]
    pub to: Value,
}

/// Records a change in the same transaction as the write: the new snapshot as version
/// `version`, and an activity-log entry with the field-level differences from `before`
/// (`None` on create). `client` files the entry under a client, so the log hides it from
/// anyone who may not see that client.
#[allow(clippy::too_many_arguments)]
pub async fn record_change<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    action: &'static str,
    record_type: &'static str,
    record_id: uuid::Uuid,
    client: Option<uuid::Uuid>,
    before: Option<&Value>,
    after: Value,
    version: i64,
) -> Result<()> {
    let changes = audit::diff(before.unwrap_or(&Value::Null), &after);
    snapshot(
        tx,
        actor.scope(),
        record_type,
        record_id,
        version,
        after,
        Some(actor.user_id.0),
    )
    .await?;
    let mut event = Event::by(actor, action, record_type, record_id).changes(changes);
    if let Some(c) = client {
        event = event.client(c);
    }
    audit::record(tx, event).await
}

/// A record's versions, newest first, with who made each.
pub async fn views<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    record_type: &str,
    record_id: uuid::Uuid,
) -> Result<Vec<VersionView>> {
    let rows = history(db, scope, record_type, record_id).await?;
    let names = user_names(
        db,
        &rows.iter().filter_map(|r| r.changed_by).collect::<Vec<_>>(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| VersionView {
            version: r.version,
            changed_at: r.changed_at,
            changed_by: r.changed_by.map(|id| UserRef {
                id,
                name: names.get(&id).cloned().unwrap_or_default(),
            }),
            snapshot: r.snapshot,
        })
        .collect())
}

/// The fields that differ between versions `from` and `to` of `all`.
pub fn diff(all: &[VersionView], from: i64, to: i64) -> Result<Vec<FieldDiff>> {
    let find = |v: i64, field: &str| {
        all.iter()
            .find(|x| x.version == v)
            .map(|x| x.snapshot.clone())
            .ok_or_else(|| DomainError::invalid(field, format!("version {v} does not exist")))
    };
    let (a, b) = (find(from, "from")?, find(to, "to")?);
    let empty = serde_json::Map::new();
    let (ao, bo) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = ao.keys().chain(bo.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter(|k| ao.get(*k) != bo.get(*k))
        .map(|k| FieldDiff {
            field: k.clone(),
            from: ao.get(k).cloned().unwrap_or(Value::Null),
            to: bo.get(k).cloned().unwrap_or(Value::Null),
        })
        .collect())
}

/// The snapshot stored as `version` of a record, or an error naming the version.
pub async fn snapshot_at<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    record_type: &str,
    record_id: uuid::Uuid,
    version: i64,
) -> Result<Value> {
    record_version::Entity::find()
        .filter(record_version::Column::WorkspaceId.eq(scope.uuid()))
        .filter(record_version::Column::RecordType.eq(record_type))
        .filter(record_version::Column::RecordId.eq(record_id))
        .filter(record_version::Column::Version.eq(version))
        .one(db)
        .await
        .map_err(db_err)?
        .map(|v| v.snapshot)
        .ok_or_else(|| DomainError::invalid("version", format!("version {version} does not exist")))
}

/// Stores `snapshot` as version `version` of the record.
pub async fn snapshot<C: ConnectionTrait>(
    tx: &C,
    scope: WorkspaceScope,
    record_type: &'static str,
    record_id: uuid::Uuid,
    version: i64,
    snapshot: Value,
    changed_by: Option<uuid::Uuid>,
) -> Result<()> {
    record_version::Entity::insert(record_version::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        workspace_id: Set(scope.uuid()),
        record_type: Set(record_type.into()),
        record_id: Set(record_id),
        version: Set(version),
        snapshot: Set(snapshot),
        changed_by: Set(changed_by),
        changed_at: Set(cairn_domain::time::now()),
    })
    .exec_without_returning(tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Every stored version of a record, newest first.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    scope: WorkspaceScope,
    record_type: &str,
    record_id: uuid::Uuid,
) -> Result<Vec<record_version::Model>> {
    record_version::Entity::find()
        .filter(record_version::Column::WorkspaceId.eq(scope.uuid()))
        .filter(record_version::Column::RecordType.eq(record_type))
        .filter(record_version::Column::RecordId.eq(record_id))
        .order_by_desc(record_version::Column::Version)
        .all(db)
        .await
        .map_err(db_err)
}

/// Writes a whole row over the stored one only if the stored one is still at
/// `expected_version` in the scope's workspace (optimistic locking); `StaleVersion` otherwise.
/// `am` is the new row with every field set; the caller bumps its version.
pub async fn write_if_current<E, C>(
    tx: &C,
    scope: WorkspaceScope,
    am: E::ActiveModel,
    (id_col, workspace_col, version_col): (E::Column, E::Column, E::Column),
    id: uuid::Uuid,
    expected_version: i64,
) -> Result<()>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let res = E::update_many()
        .set(am)
        .filter(id_col.eq(id))
        .filter(workspace_col.eq(scope.uuid()))
        .filter(version_col.eq(expected_version))
        .exec(tx)
        .await
        .map_err(db_err)?;
    if res.rows_affected != 1 {
        return Err(cairn_domain::DomainError::StaleVersion {
            current: expected_version + 1,
        });
    }
    Ok(())
}
