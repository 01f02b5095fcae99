//! `sessions` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// The workspace the session is currently in; switched by the workspace switcher.
    pub workspace_id: Option<Uuid>,
    /// SHA-256 of the 256-bit session secret; the secret itself lives only in the cookie.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Password accepted, second factor still required.
    pub mfa_pending: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
