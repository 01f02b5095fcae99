//! `api_tokens` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub workspace_id: Uuid,
    /// `personal` (a PAT) or `access` (15-minute token from the token endpoint).
    pub kind: String,
    pub name: String,
    /// `read` or `read_write`.
    pub scope: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Refresh-token family that issued an access token; revoked together.
    pub family_id: Option<Uuid>,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
