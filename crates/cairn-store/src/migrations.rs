//! Schema migrations, written in Rust with sea-query so one definition serves SQLite and
//! PostgreSQL. Applied in order at start-up and by `cairn migrate`; each runs in its own
//! transaction and is recorded in `schema_migrations`. Tables are designed up front because
//! SQLite cannot ALTER most things: add new tables and columns, never reshape old ones.

use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ExprTrait, ForeignKey, ForeignKeyAction, Index, IndexCreateStatement,
    Query, Table, TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DbErr};

use crate::Store;

/// One migration: a stable name and the statements it runs.
struct Migration {
    name: &'static str,
    tables: fn() -> Vec<TableCreateStatement>,
    indexes: fn() -> Vec<IndexCreateStatement>,
}

const MIGRATIONS: &[Migration] = &[Migration {
    name: "0001_foundation",
    tables: foundation_tables,
    indexes: foundation_indexes,
}];

/// Applies every migration not yet recorded; returns the names applied.
pub async fn migrate(store: &Store) -> Result<Vec<&'static str>, DbErr> {
    let db = store.writer();
    db.execute(
        Table::create()
            .table(Alias::new("schema_migrations"))
            .if_not_exists()
            .col(
                ColumnDef::new(Alias::new("name"))
                    .string()
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(Alias::new("applied_at"))
                    .timestamp_with_time_zone()
                    .not_null(),
            ),
    )
    .await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let done = db
            .query_one(
                Query::select()
                    .column(Alias::new("name"))
                    .from(Alias::new("schema_migrations"))
                    .and_where(Expr::col(Alias::new("name")).eq(m.name)),
            )
            .await?
            .is_some();
        if done {
            continue;
        }
        let tx = store.write().await?;
        for t in (m.tables)() {
            tx.execute(&t).await?;
        }
        for i in (m.indexes)() {
            tx.execute(&i).await?;
        }
        tx.execute(
            Query::insert()
                .into_table(Alias::new("schema_migrations"))
                .columns([Alias::new("name"), Alias::new("applied_at")])
                .values_panic([m.name.into(), cairn_domain::time::now().into()]),
        )
        .await?;
        tx.commit().await?;
        applied.push(m.name);
    }
    Ok(applied)
}

/// Whether every migration has been applied (for `/readyz` and start-up checks).
pub async fn pending(store: &Store) -> Result<usize, DbErr> {
    let db = store.reader();
    let mut n = 0;
    for m in MIGRATIONS {
        let done = db
            .query_one(
                Query::select()
                    .column(Alias::new("name"))
                    .from(Alias::new("schema_migrations"))
                    .and_where(Expr::col(Alias::new("name")).eq(m.name)),
            )
            .await
            .map(|r| r.is_some())
            .unwrap_or(false);
        if !done {
            n += 1;
        }
    }
    Ok(n)
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}
fn id() -> ColumnDef {
    ColumnDef::new(a("id"))
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}
fn uuid(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).uuid().not_null().to_owned()
}
fn uuid_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).uuid().null().to_owned()
}
fn text(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).text().not_null().to_owned()
}
fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).text().null().to_owned()
}
fn ts(name: &str) -> ColumnDef {
    ColumnDef::new(a(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
fn ts_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name))
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}
fn boolean(name: &str) -> ColumnDef {
    ColumnDef::new(a(name))
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}
fn bigint(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).big_integer().not_null().to_owned()
}
fn json(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).json_binary().not_null().to_owned()
}

/// The columns every workspace record carries (SPEC §4).
fn record_columns(t: &mut TableCreateStatement) {
    t.col(ts("created_at"))
        .col(uuid_null("created_by"))
        .col(ts("updated_at"))
        .col(uuid_null("updated_by"))
        .col(
            ColumnDef::new(a("version"))
                .big_integer()
                .not_null()
                .default(1),
        )
        .col(ts_null("archived_at"))
        .col(json("custom"));
}

fn fk(table: &str, col: &str, target: &str) -> sea_orm::sea_query::ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(table), a(col))
        .to(a(target), a("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn foundation_tables() -> Vec<TableCreateStatement> {
    let mut workspaces = Table::create();
    workspaces
        .table(a("workspaces"))
        .col(id())
        .col(text("name"))
        .col(
            ColumnDef::new(a("slug"))
                .string_len(64)
                .not_null()
                .unique_key(),
        )
        .col(json("settings"))
        .col(ts_null("suspended_at"));
    record_columns(&mut workspaces);

    let users = Table::create()
        .table(a("users"))
        .col(id())
        .col(
            ColumnDef::new(a("email"))
                .string_len(320)
                .not_null()
                .unique_key(),
        )
        .col(text("name"))
        .col(text("password_hash"))
        .col(text("timezone"))
        .col(text_null("totp_secret_enc"))
        .col(ts_null("totp_enabled_at"))
        .col(ColumnDef::new(a("totp_last_step")).big_integer().null())
        .col(boolean("is_platform_admin"))
        .col(ts_null("disabled_at"))
        .col(boolean("must_change_password"))
        .col(ts_null("last_login_at"))
        .col(ts("created_at"))
        .col(ts("updated_at"))
        .col(
            ColumnDef::new(a("version"))
                .big_integer()
                .not_null()
                .default(1),
        )
        .to_owned();

    let mut memberships = Table::create();
    memberships
        .table(a("memberships"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("user_id"))
        .col(ColumnDef::new(a("role")).string_len(16).not_null())
        .col(ts_null("disabled_at"))
        .foreign_key(&mut fk("memberships", "workspace_id", "workspaces"))
        .foreign_key(&mut fk("memberships", "user_id", "users"));
    record_columns(&mut memberships);

    let invites = Table::create()
        .table(a("invites"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(text("email"))
        .col(text("name"))
        .col(ColumnDef::new(a("role")).string_len(16).not_null())
        .col(
            ColumnDef::new(a("token_hash"))
                .string_len(64)
                .not_null()
                .unique_key(),
        )
        .col(ts("expires_at"))
        .col(ts_null("accepted_at"))
        .col(ts_null("revoked_at"))
        .col(ts("created_at"))
        .col(uuid_null("created_by"))
        .foreign_key(&mut fk("invites", "workspace_id", "workspaces"))
        .to_owned();

    let sessions = Table::create()
        .table(a("sessions"))
        .col(id())
        .col(uuid("user_id"))
        .col(uuid_null("workspace_id"))
        .col(
            ColumnDef::new(a("token_hash"))
                .string_len(64)
                .not_null()
                .unique_key(),
        )
        .col(boolean("mfa_pending"))
        .col(text_null("ip"))
        .col(text_null("user_agent"))
        .col(ts("created_at"))
        .col(ts("last_seen_at"))
        .col(ts("expires_at"))
        .col(ts_null("revoked_at"))
        .foreign_key(&mut fk("sessions", "user_id", "users"))
        .to_owned();

    let api_tokens = Table::create()
        .table(a("api_tokens"))
        .col(id())
        .col(uuid("user_id"))
        .col(uuid("workspace_id"))
        .col(ColumnDef::new(a("kind")).string_len(16).not_null())
        .col(text("name"))
        .col(ColumnDef::new(a("scope")).string_len(16).not_null())
        .col(
            ColumnDef::new(a("token_hash"))
                .string_len(64)
                .not_null()
                .unique_key(),
        )
        .col(uuid_null("family_id"))
        .col(ts_null("expires_at"))
        .col(ts_null("last_used_at"))
        .col(ts_null("revoked_at"))
        .col(ts("created_at"))
        .foreign_key(&mut fk("api_tokens", "user_id", "users"))
        .foreign_key(&mut fk("api_tokens", "workspace_id", "workspaces"))
        .to_owned();

    let refresh_tokens = Table::create()
        .table(a("refresh_tokens"))
        .col(id())
        .col(uuid("family_id"))
        .col(uuid("user_id"))
        .col(uuid("workspace_id"))
        .col(ColumnDef::new(a("scope")).string_len(16).not_null())
        .col(
            ColumnDef::new(a("token_hash"))
                .string_len(64)
                .not_null()
                .unique_key(),
        )
        .col(ts("expires_at"))
        .col(ts_null("used_at"))
        .col(ts_null("revoked_at"))
        .col(ts("created_at"))
        .foreign_key(&mut fk("refresh_tokens", "user_id", "users"))
        .foreign_key(&mut fk("refresh_tokens", "workspace_id", "workspaces"))
        .to_owned();

    let recovery_codes = Table::create()
        .table(a("recovery_codes"))
        .col(id())
        .col(uuid("user_id"))
        .col(ColumnDef::new(a("code_hash")).string_len(64).not_null())
        .col(ts_null("used_at"))
        .col(ts("created_at"))
        .foreign_key(&mut fk("recovery_codes", "user_id", "users"))
        .to_owned();

    let login_throttle = Table::create()
        .table(a("login_throttle"))
        .col(
            ColumnDef::new(a("key"))
                .string_len(400)
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(a("failures")).integer().not_null())
        .col(ts("window_started_at"))
        .col(ts_null("locked_until"))
        .to_owned();

    let audit_log = Table::create()
        .table(a("audit_log"))
        .col(id())
        .col(ColumnDef::new(a("chain_key")).string_len(64).not_null())
        .col(bigint("seq"))
        .col(uuid_null("workspace_id"))
        .col(uuid_null("client_id"))
        .col(uuid_null("actor_user_id"))
        .col(text("actor_label"))
        .col(ColumnDef::new(a("action")).string_len(64).not_null())
        .col(ColumnDef::new(a("record_type")).string_len(64).not_null())
        .col(text_null("record_id"))
        .col(json("changes"))
        .col(text_null("ip"))
        .col(text_null("user_agent"))
        .col(ts("occurred_at"))
        .col(ColumnDef::new(a("prev_hash")).string_len(64).not_null())
        .col(ColumnDef::new(a("hash")).string_len(64).not_null())
        .to_owned();

    let audit_heads = Table::create()
        .table(a("audit_heads"))
        .col(
            ColumnDef::new(a("chain_key"))
                .string_len(64)
                .not_null()
                .primary_key(),
        )
        .col(bigint("seq"))
        .col(ColumnDef::new(a("hash")).string_len(64).not_null())
        .to_owned();

    let record_versions = Table::create()
        .table(a("record_versions"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(ColumnDef::new(a("record_type")).string_len(64).not_null())
        .col(uuid("record_id"))
        .col(bigint("version"))
        .col(json("snapshot"))
        .col(uuid_null("changed_by"))
        .col(ts("changed_at"))
        .foreign_key(&mut fk("record_versions", "workspace_id", "workspaces"))
        .to_owned();

    vec![
        workspaces.to_owned(),
        users,
        memberships.to_owned(),
        invites,
        sessions,
        api_tokens,
        refresh_tokens,
        recovery_codes,
        login_throttle,
        audit_log,
        audit_heads,
        record_versions,
    ]
}

fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(a(table));
    for c in cols {
        i.col(a(c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

fn foundation_indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(
            "ux_memberships_ws_user",
            "memberships",
            &["workspace_id", "user_id"],
            true,
        ),
        index("ix_memberships_user", "memberships", &["user_id"], false),
        index("ix_sessions_user", "sessions", &["user_id"], false),
        index(
            "ix_api_tokens_user",
            "api_tokens",
            &["user_id", "workspace_id"],
            false,
        ),
        index("ix_api_tokens_family", "api_tokens", &["family_id"], false),
        index("ix_refresh_family", "refresh_tokens", &["family_id"], false),
        index("ix_recovery_user", "recovery_codes", &["user_id"], false),
        index("ix_invites_ws", "invites", &["workspace_id"], false),
        index(
            "ux_audit_chain_seq",
            "audit_log",
            &["chain_key", "seq"],
            true,
        ),
        index(
            "ix_audit_ws_time",
            "audit_log",
            &["workspace_id", "occurred_at"],
            false,
        ),
        index(
            "ux_versions_record",
            "record_versions",
            &["record_type", "record_id", "version"],
            true,
        ),
    ]
}
