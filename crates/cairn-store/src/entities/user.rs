//! `users` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub timezone: String,
    /// TOTP seed, AES-256-GCM encrypted with the installation key; never plaintext.
    pub totp_secret_enc: Option<String>,
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// Last accepted TOTP time step: a code is accepted once.
    pub totp_last_step: Option<i64>,
    pub is_platform_admin: bool,
    pub disabled_at: Option<DateTimeUtc>,
    pub must_change_password: bool,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
