//! Record versions: a full snapshot per change, so any record can be diffed and reverted.
//! Later entities call [`snapshot`] in the same transaction as their update.

use cairn_domain::Result;
use cairn_store::WorkspaceScope;
use cairn_store::entities::record_version;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;

use crate::db_err;

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
