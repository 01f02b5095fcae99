//! Cairn's persistence layer: one set of SeaORM entities and Rust migrations for SQLite and
//! PostgreSQL, and queries. Every query on workspace data takes a [`WorkspaceScope`]; there is
//! no way to read a workspace's records without naming the workspace. The store never decides
//! permissions: that is the core's job.

pub mod auth;
pub mod backup;
pub mod db;
pub mod entities;
pub mod migrations;
pub mod scope;
pub mod trace;

pub use db::{Backend, Store};
pub use scope::WorkspaceScope;
pub use sea_orm;

/// Store errors are database errors; the core maps them to `DomainError::Internal`.
pub type DbErr = sea_orm::DbErr;
