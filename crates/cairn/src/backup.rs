//! `cairn backup --to FILE` and `cairn restore --from FILE` for the embedded SQLite database,
//! and the lock that keeps a restore from pulling the database out from under a running server.
//!
//! A backup is an online snapshot (see `cairn_store::backup`): the server keeps running. A
//! restore needs the server stopped: it checks the file completely first (SQLite header and
//! length, integrity check, a Cairn schema no newer than this binary), keeps a snapshot of the
//! current database beside it, and only then swaps the file in with an atomic rename, so a
//! refused or failed restore leaves the current data as it was.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use cairn_store::Store;
use cairn_store::backup::{self as snapshots, BackupInfo};

use crate::Paths;

/// Name of the lock file in the data directory.
const LOCK_FILE: &str = "cairn.lock";

/// An exclusive lock on the data directory, held by `cairn serve` (on SQLite) for its whole
/// life and by `cairn restore` while it swaps the database. The operating system releases it
/// when the process ends, however it ends.
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock, or says who holds it.
    pub fn acquire(data_dir: &Path, purpose: &str) -> anyhow::Result<DataDirLock> {
        std::fs::create_dir_all(data_dir).context("creating the data directory")?;
        let path = data_dir.join(LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(DataDirLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another Cairn process is using {} (it holds {LOCK_FILE}); stop it before {purpose}",
                data_dir.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("locking {}", path.display()))
            }
        }
    }
}

/// The SQLite database file these paths point at, or an error naming the PostgreSQL way.
pub fn sqlite_file(paths: &Paths) -> anyhow::Result<PathBuf> {
    match &paths.database_url {
        None => Ok(paths.data_dir.join("cairn.db")),
        Some(url) => match url.strip_prefix("sqlite://") {
            Some(rest) => Ok(PathBuf::from(rest.split('?').next().unwrap_or(rest))),
            None => bail!(snapshots::BackupError::NotSqlite),
        },
    }
}

/// Writes a consistent snapshot of the live database to `to`.
pub async fn backup(paths: &Paths, to: &Path) -> anyhow::Result<BackupInfo> {
    let db = sqlite_file(paths)?;
    if !db.exists() {
        bail!("there is no database at {} to back up", db.display());
    }
    let store = Store::connect(&paths.database_url()?).await?;
    let result = snapshots::snapshot(&store, to).await;
    store.close().await;
    Ok(result?)
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub info: BackupInfo,
    /// Where the database that was replaced now lives, if there was one.
    pub previous: Option<PathBuf>,
    /// Migrations applied to bring an older backup up to this version.
    pub migrated: Vec<&'static str>,
}

/// Replaces the database with the backup at `from`, after checking it. The server must be
/// stopped.
pub async fn restore(paths: &Paths, from: &Path) -> anyhow::Result<Restored> {
    let db = sqlite_file(paths)?;
    snapshots::inspect(from).await?;
    let _lock = DataDirLock::acquire(&paths.data_dir, "restoring")?;

    // Stage a copy next to the database (same file system, so the final rename is atomic) and
    // check the copy itself: the file we swap in is the file we checked.
    let staged = snapshots::sibling(&db, "restoring");
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(from, &staged)
        .with_context(|| format!("copying {} to {}", from.display(), staged.display()))?;
    File::open(&staged).and_then(|f| f.sync_all())?;
    let info = match snapshots::inspect(&staged).await {
        Ok(info) => info,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.into());
        }
    };

    let previous = if db.exists() {
        Some(set_aside(paths, &db).await?)
    } else {
        None
    };
    // A write-ahead log left beside the old file would be replayed into the new one.
    for suffix in ["wal", "shm"] {
        let stale = companion(&db, suffix);
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", stale.display())),
        }
    }
    std::fs::rename(&staged, &db)
        .with_context(|| format!("moving {} into place", staged.display()))?;
    if let Some(dir) = db.parent() {
        File::open(dir).and_then(|d| d.sync_all())?;
    }

    // Bring an older backup up to this version's schema.
    let store = Store::connect(&paths.database_url()?).await?;
    let migrated = cairn_store::migrations::migrate(&store)
        .await
        .context("applying migrations to the restored database")?;
    store.close().await;
    Ok(Restored {
        info,
        previous,
        migrated,
    })
}

/// Keeps the current database as `<db>.before-restore-<time>`: a snapshot when it can be
/// read, else a plain copy of the file and its write-ahead log.
async fn set_aside(paths: &Paths, db: &Path) -> anyhow::Result<PathBuf> {
    let stamp = cairn_domain::time::now().format("%Y%m%dT%H%M%SZ");
    let aside = snapshots::sibling(db, &format!("before-restore-{stamp}"));
    let store = Store::connect(&paths.database_url()?).await?;
    let snapshot = snapshots::snapshot(&store, &aside).await;
    store.close().await;
    if let Err(e) = snapshot {
        tracing::warn!(error = %e, "the current database could not be snapshotted; copying its files instead");
        std::fs::copy(db, &aside).with_context(|| format!("copying {}", db.display()))?;
        let wal = companion(db, "wal");
        if wal.exists() {
            std::fs::copy(&wal, companion(&aside, "wal"))?;
        }
    }
    Ok(aside)
}

/// SQLite's companion file of a database: `<db>-wal` or `<db>-shm`.
fn companion(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}-{suffix}", db.display()))
}
