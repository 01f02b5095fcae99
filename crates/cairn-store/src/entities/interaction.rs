//! `interactions` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "interactions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub client_id: Uuid,
    pub contact_id: Option<Uuid>,
    /// note, call, email, meeting, event
    pub kind: String,
    pub body: String,
    pub occurred_at: DateTimeUtc,
    pub author_id: Uuid,
    pub author_name: String,
    /// The interaction this one corrects (interactions are never edited).
    pub corrects_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
