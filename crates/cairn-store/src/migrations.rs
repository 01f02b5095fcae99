//! Schema migrations, written in Rust with sea-query so one definition serves SQLite and
//! PostgreSQL. Applied in order at start-up and by `cairn migrate`; each runs in its own
//! transaction and is recorded in `schema_migrations`. Tables are designed up front because
//! SQLite cannot ALTER most things: add new tables and columns, never reshape old ones.

use sea_orm::sea_query::{
    Alias, ColumnDef, ConditionalStatement, Expr, ExprTrait, ForeignKey, ForeignKeyAction, Index,
    IndexCreateStatement, Query, Table, TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DbErr};

use crate::{Backend, Store};

/// One migration: a stable name and the statements it runs.
struct Migration {
    name: &'static str,
    tables: fn() -> Vec<TableCreateStatement>,
    indexes: fn() -> Vec<IndexCreateStatement>,
    /// Backend-specific statements (triggers) that sea-query cannot express.
    raw: fn(Backend) -> Vec<&'static str>,
}

fn no_raw(_: Backend) -> Vec<&'static str> {
    vec![]
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_foundation",
        tables: foundation_tables,
        indexes: foundation_indexes,
        raw: no_raw,
    },
    Migration {
        name: "0002_crm",
        tables: crm_tables,
        indexes: crm_indexes,
        raw: crm_triggers,
    },
    Migration {
        name: "0003_crm_list_indexes",
        tables: no_tables,
        indexes: crm_list_indexes,
        raw: drop_name_indexes,
    },
    Migration {
        name: "0004_delivery",
        tables: delivery_tables,
        indexes: delivery_indexes,
        raw: no_raw,
    },
    Migration {
        name: "0005_task_status_index",
        tables: no_tables,
        indexes: task_status_indexes,
        raw: no_raw,
    },
    Migration {
        name: "0006_dashboard_count_indexes",
        tables: no_tables,
        indexes: dashboard_count_indexes,
        raw: no_raw,
    },
];

fn no_tables() -> Vec<TableCreateStatement> {
    vec![]
}

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
        for sql in (m.raw)(store.backend()) {
            tx.execute_unprepared(sql).await?;
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

/// The names of every migration this version knows, in order (a database recording a name
/// not in this list was written by a newer version).
pub fn names() -> Vec<&'static str> {
    MIGRATIONS.iter().map(|m| m.name).collect()
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
fn date_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).date().null().to_owned()
}
fn word(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).string_len(32).not_null().to_owned()
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

fn crm_tables() -> Vec<TableCreateStatement> {
    let mut clients = Table::create();
    clients
        .table(a("clients"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(text("name"))
        .col(text("sort_key"))
        .col(ColumnDef::new(a("status")).string_len(16).not_null())
        .col(text_null("industry"))
        .col(ColumnDef::new(a("company_size")).string_len(16).null())
        .col(text_null("timezone"))
        .col(ColumnDef::new(a("ai_maturity")).string_len(16).null())
        .col(text_null("website"))
        .col(text_null("email"))
        .col(text_null("phone"))
        .col(text_null("address"))
        .col(ColumnDef::new(a("notes")).text().not_null().default(""))
        .col(uuid_null("account_owner_id"))
        .col(ColumnDef::new(a("visibility")).string_len(16).not_null())
        .foreign_key(&mut fk("clients", "workspace_id", "workspaces"));
    record_columns(&mut clients);

    let client_access = Table::create()
        .table(a("client_access"))
        .col(uuid("client_id"))
        .col(uuid("user_id"))
        .col(uuid("workspace_id"))
        .primary_key(Index::create().col(a("client_id")).col(a("user_id")))
        .foreign_key(&mut fk("client_access", "client_id", "clients"))
        .foreign_key(&mut fk("client_access", "user_id", "users"))
        .to_owned();

    let mut contacts = Table::create();
    contacts
        .table(a("contacts"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("client_id"))
        .col(text("name"))
        .col(text_null("title"))
        .col(text_null("email"))
        .col(text_null("phone"))
        .col(ColumnDef::new(a("notes")).text().not_null().default(""))
        .col(boolean("is_primary"))
        .foreign_key(&mut fk("contacts", "client_id", "clients"));
    record_columns(&mut contacts);

    let interactions = Table::create()
        .table(a("interactions"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("client_id"))
        .col(uuid_null("contact_id"))
        .col(ColumnDef::new(a("kind")).string_len(16).not_null())
        .col(text("body"))
        .col(ts("occurred_at"))
        .col(uuid("author_id"))
        .col(text("author_name"))
        .col(uuid_null("corrects_id"))
        .col(ts("created_at"))
        .foreign_key(&mut fk("interactions", "client_id", "clients"))
        .to_owned();

    let mut tags = Table::create();
    tags.table(a("tags"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(text("name"))
        .col(ColumnDef::new(a("name_key")).string_len(120).not_null())
        .col(ColumnDef::new(a("colour")).string_len(7).not_null())
        .foreign_key(&mut fk("tags", "workspace_id", "workspaces"));
    record_columns(&mut tags);

    let taggings = Table::create()
        .table(a("taggings"))
        .col(uuid("tag_id"))
        .col(ColumnDef::new(a("record_type")).string_len(32).not_null())
        .col(uuid("record_id"))
        .col(uuid("workspace_id"))
        .primary_key(
            Index::create()
                .col(a("tag_id"))
                .col(a("record_type"))
                .col(a("record_id")),
        )
        .foreign_key(&mut fk("taggings", "tag_id", "tags"))
        .to_owned();

    let saved_views = Table::create()
        .table(a("saved_views"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("user_id"))
        .col(ColumnDef::new(a("list")).string_len(32).not_null())
        .col(text("name"))
        .col(text("query"))
        .col(ts("created_at"))
        .foreign_key(&mut fk("saved_views", "workspace_id", "workspaces"))
        .foreign_key(&mut fk("saved_views", "user_id", "users"))
        .to_owned();

    vec![
        clients.to_owned(),
        client_access,
        contacts.to_owned(),
        interactions,
        tags.to_owned(),
        taggings,
        saved_views,
    ]
}

fn crm_indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(
            "ix_clients_ws_name",
            "clients",
            &["workspace_id", "name"],
            false,
        ),
        index(
            "ix_clients_ws_status",
            "clients",
            &["workspace_id", "status", "name"],
            false,
        ),
        index(
            "ix_clients_ws_updated",
            "clients",
            &["workspace_id", "updated_at"],
            false,
        ),
        index(
            "ix_clients_ws_owner",
            "clients",
            &["workspace_id", "account_owner_id"],
            false,
        ),
        index(
            "ix_client_access_user",
            "client_access",
            &["user_id", "client_id"],
            false,
        ),
        index(
            "ix_contacts_client",
            "contacts",
            &["client_id", "name"],
            false,
        ),
        index(
            "ix_contacts_ws_name",
            "contacts",
            &["workspace_id", "name"],
            false,
        ),
        index(
            "ix_interactions_client",
            "interactions",
            &["client_id", "occurred_at"],
            false,
        ),
        index(
            "ux_tags_ws_key",
            "tags",
            &["workspace_id", "name_key"],
            true,
        ),
        index(
            "ix_taggings_record",
            "taggings",
            &["record_type", "record_id"],
            false,
        ),
        index(
            "ix_taggings_ws_tag",
            "taggings",
            &["workspace_id", "tag_id", "record_type"],
            false,
        ),
        index(
            "ix_saved_views_user",
            "saved_views",
            &["user_id", "list"],
            false,
        ),
        index(
            "ix_audit_ws_client",
            "audit_log",
            &["workspace_id", "client_id"],
            false,
        ),
    ]
}

/// Interactions are immutable in the database itself: no UPDATE ever, and DELETE only as
/// the cascade of a client's permanent deletion (the parent row is already gone then).
fn crm_triggers(backend: Backend) -> Vec<&'static str> {
    match backend {
        Backend::Sqlite => vec![
            "CREATE TRIGGER interactions_immutable_update BEFORE UPDATE ON interactions \
             BEGIN SELECT RAISE(ABORT, 'interactions are immutable'); END",
            "CREATE TRIGGER interactions_immutable_delete BEFORE DELETE ON interactions \
             WHEN EXISTS (SELECT 1 FROM clients WHERE id = OLD.client_id) \
             BEGIN SELECT RAISE(ABORT, 'interactions are immutable'); END",
        ],
        Backend::Postgres => vec![
            "CREATE FUNCTION cairn_interactions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM clients WHERE id = OLD.client_id) THEN \
                 RETURN OLD; \
               END IF; \
               RAISE EXCEPTION 'interactions are immutable'; \
             END $$",
            "CREATE TRIGGER interactions_immutable BEFORE UPDATE OR DELETE ON interactions \
             FOR EACH ROW EXECUTE FUNCTION cairn_interactions_immutable()",
        ],
    }
}

/// Indexes that serve the client list's real sort order (`sort_key, id`; `status, sort_key,
/// id`; `updated_at, id`) and a client's contacts; found by `scripts/bench` at 10,000 clients
/// and 100,000 contacts, where 0002's name indexes left every list request sorting thousands
/// of rows.
fn crm_list_indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(
            "ix_clients_ws_sort_id",
            "clients",
            &["workspace_id", "sort_key", "id"],
            false,
        ),
        index(
            "ix_clients_ws_status_sort_id",
            "clients",
            &["workspace_id", "status", "sort_key", "id"],
            false,
        ),
        index(
            "ix_clients_ws_updated_id",
            "clients",
            &["workspace_id", "updated_at", "id"],
            false,
        ),
        index(
            "ix_contacts_ws_client_name",
            "contacts",
            &["workspace_id", "client_id", "name"],
            false,
        ),
    ]
}

/// 0002's indexes on `name`, which no query orders by, only cost writes.
fn drop_name_indexes(_: Backend) -> Vec<&'static str> {
    vec![
        "DROP INDEX IF EXISTS ix_clients_ws_name",
        "DROP INDEX IF EXISTS ix_clients_ws_status",
        "DROP INDEX IF EXISTS ix_clients_ws_updated",
    ]
}

/// Delivery: projects, their health history and role slots, milestones, tasks with
/// dependencies and comments, time entries and workspace project templates.
///
/// `tasks.client_id` repeats the project's client (or holds the client of a client-only
/// capture) so visibility filters tasks directly by client, without joining projects, at a
/// million rows. The core keeps it in step when a project moves to another client.
fn delivery_tables() -> Vec<TableCreateStatement> {
    let mut projects = Table::create();
    projects
        .table(a("projects"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("client_id"))
        .col(text("name"))
        .col(text("sort_key"))
        .col(word("project_type"))
        .col(word("status"))
        .col(date_null("start_date"))
        .col(date_null("target_end_date"))
        .col(ColumnDef::new(a("goals")).text().not_null().default(""))
        .col(
            ColumnDef::new(a("description"))
                .text()
                .not_null()
                .default(""),
        )
        .col(ColumnDef::new(a("budget_type")).string_len(32).null())
        .col(ColumnDef::new(a("budget_cents")).big_integer().null())
        .col(ColumnDef::new(a("health")).string_len(32).null())
        .col(text_null("health_summary"))
        .col(ts_null("health_updated_at"))
        .col(ColumnDef::new(a("template_key")).string_len(64).null())
        .col(boolean("allow_due_before_start"))
        .foreign_key(&mut fk("projects", "workspace_id", "workspaces"))
        .foreign_key(&mut fk("projects", "client_id", "clients"));
    record_columns(&mut projects);

    let project_health = Table::create()
        .table(a("project_health"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("project_id"))
        .col(word("health"))
        .col(text("summary"))
        .col(ts("set_at"))
        .col(uuid_null("set_by"))
        .foreign_key(&mut fk("project_health", "project_id", "projects"))
        .to_owned();

    let project_members = Table::create()
        .table(a("project_members"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("project_id"))
        .col(text("role"))
        .col(text_null("department"))
        .col(uuid_null("user_id"))
        .col(bigint("position"))
        .col(ts("created_at"))
        .col(ts("updated_at"))
        .foreign_key(&mut fk("project_members", "project_id", "projects"))
        .to_owned();

    let mut milestones = Table::create();
    milestones
        .table(a("milestones"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("project_id"))
        .col(text("name"))
        .col(
            ColumnDef::new(a("description"))
                .text()
                .not_null()
                .default(""),
        )
        .col(date_null("due_date"))
        .col(word("status"))
        .col(ColumnDef::new(a("progress_manual")).integer().null())
        .col(bigint("position"))
        .foreign_key(&mut fk("milestones", "project_id", "projects"));
    record_columns(&mut milestones);

    let mut tasks = Table::create();
    tasks
        .table(a("tasks"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid_null("project_id"))
        .col(uuid_null("client_id"))
        .col(text("title"))
        .col(
            ColumnDef::new(a("description"))
                .text()
                .not_null()
                .default(""),
        )
        .col(word("status"))
        .col(word("priority"))
        .col(date_null("due_date"))
        .col(uuid_null("assignee_user_id"))
        .col(uuid_null("assignee_slot_id"))
        .col(uuid_null("milestone_id"))
        .col(uuid_null("source_meeting_id"))
        .col(uuid_null("linked_asset_id"))
        .col(uuid_null("linked_production_id"))
        .col(ColumnDef::new(a("estimate_minutes")).integer().null())
        .col(bigint("position"))
        .col(ts_null("completed_at"))
        .foreign_key(&mut fk("tasks", "workspace_id", "workspaces"))
        .foreign_key(&mut fk("tasks", "project_id", "projects"))
        .foreign_key(&mut fk("tasks", "client_id", "clients"))
        .foreign_key(
            ForeignKey::create()
                .from(a("tasks"), a("milestone_id"))
                .to(a("milestones"), a("id"))
                .on_delete(ForeignKeyAction::SetNull),
        )
        .foreign_key(
            ForeignKey::create()
                .from(a("tasks"), a("assignee_slot_id"))
                .to(a("project_members"), a("id"))
                .on_delete(ForeignKeyAction::SetNull),
        );
    record_columns(&mut tasks);

    let task_dependencies = Table::create()
        .table(a("task_dependencies"))
        .col(uuid("task_id"))
        .col(uuid("depends_on_id"))
        .col(uuid("workspace_id"))
        .col(ts("created_at"))
        .col(uuid_null("created_by"))
        .primary_key(Index::create().col(a("task_id")).col(a("depends_on_id")))
        .foreign_key(&mut fk("task_dependencies", "task_id", "tasks"))
        .foreign_key(
            ForeignKey::create()
                .from(a("task_dependencies"), a("depends_on_id"))
                .to(a("tasks"), a("id"))
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned();

    let task_comments = Table::create()
        .table(a("task_comments"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("task_id"))
        .col(uuid_null("author_id"))
        .col(text("body"))
        .col(ts("created_at"))
        .foreign_key(&mut fk("task_comments", "task_id", "tasks"))
        .to_owned();

    let mut time_entries = Table::create();
    time_entries
        .table(a("time_entries"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(uuid("user_id"))
        .col(uuid("project_id"))
        .col(uuid("client_id"))
        .col(uuid_null("task_id"))
        .col(ColumnDef::new(a("entry_date")).date().not_null())
        .col(ColumnDef::new(a("minutes")).integer().not_null())
        .col(ColumnDef::new(a("note")).text().not_null().default(""))
        .col(boolean("billable"))
        .foreign_key(&mut fk("time_entries", "project_id", "projects"))
        .foreign_key(
            ForeignKey::create()
                .from(a("time_entries"), a("task_id"))
                .to(a("tasks"), a("id"))
                .on_delete(ForeignKeyAction::SetNull),
        );
    record_columns(&mut time_entries);

    let mut templates = Table::create();
    templates
        .table(a("project_templates"))
        .col(id())
        .col(uuid("workspace_id"))
        .col(text("name"))
        .col(
            ColumnDef::new(a("description"))
                .text()
                .not_null()
                .default(""),
        )
        .col(word("project_type"))
        .col(json("plan"))
        .foreign_key(&mut fk("project_templates", "workspace_id", "workspaces"));
    record_columns(&mut templates);

    vec![
        projects.to_owned(),
        project_health,
        project_members,
        milestones.to_owned(),
        tasks.to_owned(),
        task_dependencies,
        task_comments,
        time_entries.to_owned(),
        templates.to_owned(),
    ]
}

/// Indexes for the delivery views at 5,000 projects and 1,000,000 tasks: a project's board
/// (status, position), My work (assignee, due), the global list by due date, a task's
/// dependents, and time per project and per user and week.
fn delivery_indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(
            "ix_projects_ws_sort_id",
            "projects",
            &["workspace_id", "sort_key", "id"],
            false,
        ),
        index("ix_projects_client", "projects", &["client_id"], false),
        index(
            "ix_project_health_project",
            "project_health",
            &["project_id", "set_at"],
            false,
        ),
        index(
            "ix_project_members_project",
            "project_members",
            &["project_id", "position"],
            false,
        ),
        index(
            "ix_project_members_user",
            "project_members",
            &["user_id"],
            false,
        ),
        index(
            "ix_milestones_project",
            "milestones",
            &["project_id", "position"],
            false,
        ),
        index(
            "ix_tasks_project_status_pos",
            "tasks",
            &["project_id", "status", "position"],
            false,
        ),
        index(
            "ix_tasks_ws_assignee_due",
            "tasks",
            &["workspace_id", "assignee_user_id", "due_date", "id"],
            false,
        ),
        index(
            "ix_tasks_slot_due",
            "tasks",
            &["assignee_slot_id", "due_date"],
            false,
        ),
        index(
            "ix_tasks_ws_due_id",
            "tasks",
            &["workspace_id", "due_date", "id"],
            false,
        ),
        index(
            "ix_tasks_ws_updated_id",
            "tasks",
            &["workspace_id", "updated_at", "id"],
            false,
        ),
        index("ix_tasks_client", "tasks", &["client_id"], false),
        index("ix_tasks_milestone", "tasks", &["milestone_id"], false),
        index(
            "ix_task_dependencies_depends_on",
            "task_dependencies",
            &["depends_on_id"],
            false,
        ),
        index(
            "ix_task_comments_task",
            "task_comments",
            &["task_id", "created_at"],
            false,
        ),
        index(
            "ix_time_entries_project_date",
            "time_entries",
            &["project_id", "entry_date"],
            false,
        ),
        index(
            "ix_time_entries_ws_user_date",
            "time_entries",
            &["workspace_id", "user_id", "entry_date"],
            false,
        ),
        index("ix_time_entries_task", "time_entries", &["task_id"], false),
        index(
            "ix_project_templates_ws",
            "project_templates",
            &["workspace_id", "name"],
            false,
        ),
    ]
}

/// The global task list filtered by status (the common filter: "in progress", "blocked")
/// in due order: without it, a filter matching a few percent of a million tasks walks the
/// due-date index and reads thousands of rows per page (found by `scripts/bench`).
fn task_status_indexes() -> Vec<IndexCreateStatement> {
    vec![index(
        "ix_tasks_ws_status_due_id",
        "tasks",
        &["workspace_id", "status", "due_date", "id"],
        false,
    )]
}

/// The dashboard's counts (live clients; live projects at risk or off track) from the index
/// alone. Without them SQLite reads every client row of the workspace (2.4 ms at 10,000
/// clients) and every project row (1.3 ms at 5,000). `visibility`, `id` and `client_id` serve
/// the counts of members and viewers, which only count the clients they can see.
///
/// Partial (live rows only) rather than led by `archived_at`: with `archived_at` as a key
/// column, SQLite's statistics made "workspace and not archived" look selective, and the
/// client list by name picked this index and sorted every client (16 ms) instead of walking
/// the name index. `archived_at` stays as the last column so the count is answered from the
/// index alone.
fn dashboard_count_indexes() -> Vec<IndexCreateStatement> {
    let live = |name: &str, table: &str, cols: &[&str]| {
        let mut i = index(name, table, cols, false);
        i.and_where(Expr::col(a("archived_at")).is_null());
        i
    };
    vec![
        live(
            "ix_clients_live_ws_visibility",
            "clients",
            &["workspace_id", "visibility", "id", "archived_at"],
        ),
        live(
            "ix_projects_live_ws_health",
            "projects",
            &["workspace_id", "health", "client_id", "archived_at"],
        ),
    ]
}
