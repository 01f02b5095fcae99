//! `projects` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    /// Lower-cased name, the list's sort order.
    pub sort_key: String,
    pub project_type: String,
    pub status: String,
    pub start_date: Option<Date>,
    pub target_end_date: Option<Date>,
    pub goals: String,
    pub description: String,
    pub budget_type: Option<String>,
    /// Budget in minor units of the workspace currency (cents).
    pub budget_cents: Option<i64>,
    pub health: Option<String>,
    pub health_summary: Option<String>,
    pub health_updated_at: Option<DateTimeUtc>,
    /// The template the project was created from (a built-in key or a template id).
    pub template_key: Option<String>,
    /// Whether tasks may be due before the start date (the template decides).
    pub allow_due_before_start: bool,
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
