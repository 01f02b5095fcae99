//! Online snapshots of the embedded SQLite database, and the checks a file must pass before
//! it may replace the live database.
//!
//! A snapshot is `VACUUM INTO`: one read transaction on a running database, so the copy is
//! consistent (every committed write up to that moment, nothing half-written) while the server
//! goes on serving and writing. The copy is a plain SQLite file, compacted, without a WAL.
//!
//! What a snapshot holds is what the database holds: password hashes, hashed session and token
//! ids, and TOTP seeds encrypted with the installation key. The key itself lives outside the
//! database (`<data-dir>/secret.key` or `CAIRN_SECRET_KEY`) and is never part of a snapshot.
//!
//! PostgreSQL has its own tools for this (pg_dump, base backups and WAL archiving); see
//! docs/operations.md.

use std::io::Read;
use std::path::{Path, PathBuf};

use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};

use crate::{Backend, Store};

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Why a snapshot could not be taken or a file is not a usable backup.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "online snapshots are for the embedded SQLite database; on PostgreSQL use pg_dump or a base backup (docs/operations.md)"
    )]
    NotSqlite,
    #[error("{0} already exists; choose a new file name (a backup never overwrites a file)")]
    TargetExists(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a SQLite database, so it is not a Cairn backup")]
    NotSqliteFile(PathBuf),
    #[error("{path} is truncated: its header says {expected} bytes, the file has {actual}")]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error("{path} is damaged: integrity check says {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("{0} is a SQLite database but not a Cairn backup (no schema_migrations table)")]
    NotCairn(PathBuf),
    #[error(
        "{path} comes from a newer Cairn (it has migration {migration}, unknown to this version); upgrade Cairn first"
    )]
    Newer { path: PathBuf, migration: String },
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// What a checked backup file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// Migrations recorded in the file, in order. Fewer than this version knows is fine: they
    /// are applied when the restored database is opened.
    pub migrations: Vec<String>,
    pub workspaces: u64,
    pub users: u64,
    pub bytes: u64,
}

impl std::fmt::Display for BackupInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} workspaces, {} users, {} bytes, schema at {}",
            self.workspaces,
            self.users,
            self.bytes,
            self.migrations.last().map(String::as_str).unwrap_or("none")
        )
    }
}

/// Writes a consistent snapshot of the live SQLite database to `to`, which must not exist. The
/// snapshot is written next to `to` first and renamed into place, so `to` is either complete
/// or absent.
pub async fn snapshot(store: &Store, to: &Path) -> Result<BackupInfo, BackupError> {
    if store.backend() != Backend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if to.exists() {
        return Err(BackupError::TargetExists(to.to_path_buf()));
    }
    let partial = sibling(to, "partial");
    let _ = std::fs::remove_file(&partial);
    let io = |source| BackupError::Io {
        path: to.to_path_buf(),
        source,
    };
    store
        .reader()
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "VACUUM INTO ?",
            [partial.to_string_lossy().into_owned().into()],
        ))
        .await?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    let info = inspect(&partial).await;
    if info.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    let info = info?;
    std::fs::rename(&partial, to).map_err(io)?;
    Ok(info)
}

/// Checks that `path` is a complete, undamaged Cairn database this version can open, without
/// changing it.
pub async fn inspect(path: &Path) -> Result<BackupInfo, BackupError> {
    let bytes = check_header(path)?;
    let db = open_read_only(path).await?;
    let result = inspect_open(&db, path, bytes).await;
    let _ = db.close().await;
    result
}

/// Reads the 100-byte header: the magic string, and the page size × page count the file
/// claims, which a truncated copy cannot match.
fn check_header(path: &Path) -> Result<u64, BackupError> {
    let io = |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let actual = file.metadata().map_err(io)?.len();
    let mut header = [0u8; 100];
    if file.read_exact(&mut header).is_err() || &header[..16] != SQLITE_MAGIC {
        return Err(BackupError::NotSqliteFile(path.to_path_buf()));
    }
    // Page size: 2 bytes big-endian, where 1 means 65536.
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    let expected = page_size * pages;
    if expected != actual {
        return Err(BackupError::Truncated {
            path: path.to_path_buf(),
            expected,
            actual,
        });
    }
    Ok(actual)
}

async fn open_read_only(path: &Path) -> Result<DatabaseConnection, BackupError> {
    let mut opts = ConnectOptions::new(format!("sqlite://{}", path.display()));
    opts.max_connections(1)
        .min_connections(0)
        .sqlx_logging(false);
    // `immutable` opens the file without creating a WAL or shared-memory file beside it and
    // without taking locks: the file is only read.
    opts.map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
        o.read_only(true).immutable(true).create_if_missing(false)
    });
    Ok(Database::connect(opts).await?)
}

async fn inspect_open(
    db: &DatabaseConnection,
    path: &Path,
    bytes: u64,
) -> Result<BackupInfo, BackupError> {
    let damaged = |detail: String| BackupError::Damaged {
        path: path.to_path_buf(),
        detail,
    };
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check(20)",
        ))
        .await
        .map_err(|e| damaged(e.to_string()))?;
    let verdict: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    if verdict != ["ok"] {
        return Err(damaged(verdict.join("; ")));
    }
    let has_migrations = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        ))
        .await?
        .is_some();
    if !has_migrations {
        return Err(BackupError::NotCairn(path.to_path_buf()));
    }
    let migrations: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name FROM schema_migrations ORDER BY name",
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    let known = crate::migrations::names();
    if let Some(unknown) = migrations.iter().find(|m| !known.contains(&m.as_str())) {
        return Err(BackupError::Newer {
            path: path.to_path_buf(),
            migration: unknown.clone(),
        });
    }
    let count = |table: &'static str| async move {
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("SELECT COUNT(*) FROM {table}"),
            ))
            .await?;
        Ok::<u64, BackupError>(
            row.and_then(|r| r.try_get_by_index::<i64>(0).ok())
                .unwrap_or(0)
                .max(0) as u64,
        )
    };
    // A database whose first migration ran has these tables.
    let workspaces = count("workspaces")
        .await
        .map_err(|_| BackupError::NotCairn(path.to_path_buf()))?;
    let users = count("users")
        .await
        .map_err(|_| BackupError::NotCairn(path.to_path_buf()))?;
    Ok(BackupInfo {
        migrations,
        workspaces,
        users,
        bytes,
    })
}

/// `<path>.<suffix>` in the same directory (same file system, so a rename is atomic).
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}
