//! `clients` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// Lower-cased name: the list sorts by it, case-insensitively, with an index.
    pub sort_key: String,
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
    pub account_owner_id: Option<Uuid>,
    /// `everyone` or `restricted` (to the users in `client_access`).
    pub visibility: String,
    pub created_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
    pub updated_by: Option<Uuid>,
    pub version: i64,
    pub archived_at: Option<DateTimeUtc>,
    pub custom: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
