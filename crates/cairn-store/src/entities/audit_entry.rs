//! `audit_log` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// One hash chain per workspace (its id) plus `platform` for installation events.
    pub chain_key: String,
    pub seq: i64,
    pub workspace_id: Option<Uuid>,
    /// Set when the entry concerns a client's record, so client visibility can filter it.
    pub client_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: String,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    /// Field changes `{field: [before, after]}`, secrets already redacted.
    pub changes: Json,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub occurred_at: DateTimeUtc,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
