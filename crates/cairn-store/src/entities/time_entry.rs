//! `time_entries` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "time_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub project_id: Uuid,
    /// The project's client, for visibility.
    pub client_id: Uuid,
    pub task_id: Option<Uuid>,
    pub entry_date: Date,
    pub minutes: i32,
    pub note: String,
    pub billable: bool,
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
