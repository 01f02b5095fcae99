//! `tasks` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// `None` for a client-only (or inbox) quick capture.
    pub project_id: Option<Uuid>,
    /// The project's client, or the client of a client-only capture; visibility filters on it.
    pub client_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub status: String,
    pub priority: String,
    pub due_date: Option<Date>,
    pub assignee_user_id: Option<Uuid>,
    /// A role slot of the task's project; the task follows whoever fills it.
    pub assignee_slot_id: Option<Uuid>,
    pub milestone_id: Option<Uuid>,
    pub source_meeting_id: Option<Uuid>,
    pub linked_asset_id: Option<Uuid>,
    pub linked_production_id: Option<Uuid>,
    pub estimate_minutes: Option<i32>,
    /// Order within its board column (status); gaps leave room to move between neighbours.
    pub position: i64,
    pub completed_at: Option<DateTimeUtc>,
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
