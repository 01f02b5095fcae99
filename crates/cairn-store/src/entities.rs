//! SeaORM entities, one module per table. Columns are documented where their meaning is not
//! obvious from the name.

pub mod api_token;
pub mod audit_entry;
pub mod audit_head;
pub mod client;
pub mod client_access;
pub mod contact;
pub mod interaction;
pub mod invite;
pub mod login_throttle;
pub mod membership;
pub mod milestone;
pub mod project;
pub mod project_health;
pub mod project_member;
pub mod project_template;
pub mod record_version;
pub mod recovery_code;
pub mod refresh_token;
pub mod saved_view;
pub mod session;
pub mod tag;
pub mod tagging;
pub mod task;
pub mod task_comment;
pub mod task_dependency;
pub mod time_entry;
pub mod user;
pub mod workspace;
