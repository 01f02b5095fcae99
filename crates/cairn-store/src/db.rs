//! Connecting to the database: SQLite (embedded, default) or PostgreSQL, chosen by URL.
//!
//! SQLite runs in WAL mode with foreign keys on, a busy timeout, `synchronous=FULL` (a write is
//! on disk before it is acknowledged), ONE writer connection that opens `BEGIN IMMEDIATE`
//! transactions, and a pool of read-only connections. PostgreSQL uses one pool for both.

use std::path::Path;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle: a writer and a reader connection set.
#[derive(Clone)]
pub struct Store {
    pub(crate) writer: DatabaseConnection,
    pub(crate) reader: DatabaseConnection,
    backend: Backend,
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `random_page_cost` of Cairn's PostgreSQL sessions (see [`Store::connect`]).
pub const RANDOM_PAGE_COST: &str = "1.1";

/// Connections to PostgreSQL for a machine with `cores` CPUs: twice the cores plus two,
/// between 4 and 16 (PostgreSQL's own rule of thumb for a busy pool). Cairn usually shares
/// its machine with the database, and more backends than that only take turns on the same
/// cores: on 2 cores, 6 connections instead of 16 took the p99 of creating clients at
/// concurrency 16 from 79-86 ms to 24-27 ms and the board's from 63-68 ms to 39-47 ms,
/// because requests wait in the pool's fair queue instead of in the CPU's run queue and on
/// the audit chain's row lock (docs/benchmarks.md).
pub fn postgres_pool_size(cores: usize) -> u32 {
    let cores = u32::try_from(cores).unwrap_or(u32::MAX);
    cores.saturating_mul(2).saturating_add(2).clamp(4, 16)
}

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://...`). SQLite files are created when
    /// missing.
    pub async fn connect(url: &str) -> Result<Store, DbErr> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let mut opts = ConnectOptions::new(url.to_string());
            opts.max_connections(postgres_pool_size(cores))
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .sqlx_logging(false)
                // PostgreSQL's default cost of a random page read (4, four times a sequential
                // one) models spinning disks. Cairn's working set sits in memory or on SSD,
                // and with the default the planner reads all 50,000 task dependencies
                // sequentially (6 ms) to find the prerequisites of a 500-card board instead of
                // 500 index probes (0.5 ms). 1.1 is the usual SSD setting; set per session,
                // it leaves the server's other databases alone.
                .map_sqlx_postgres_opts(|o| o.options([("random_page_cost", RANDOM_PAGE_COST)]));
            let pool = Database::connect(opts).await?;
            return Ok(Store {
                writer: pool.clone(),
                reader: pool,
                backend: Backend::Postgres,
            });
        }
        let writer = Self::sqlite_pool(url, 1, false).await?;
        let reader = Self::sqlite_pool(url, 4, true).await?;
        Ok(Store {
            writer,
            reader,
            backend: Backend::Sqlite,
        })
    }

    async fn sqlite_pool(
        url: &str,
        size: u32,
        read_only: bool,
    ) -> Result<DatabaseConnection, DbErr> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.max_connections(size)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(move |o| {
                o.create_if_missing(!read_only)
                    .read_only(read_only)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(BUSY_TIMEOUT)
                    .pragma("temp_store", "memory")
                    .pragma("cache_size", "-16000")
                    // Rows come back from the SQLite worker thread through a channel; the
                    // default of 50 parks the worker (a futex wake each time) on any page
                    // bigger than that, such as a 500-card board.
                    .row_buffer_size(1024)
            });
        Database::connect(opts).await
    }

    /// The SQLite URL for a data directory: `<dir>/cairn.db`, created if missing.
    pub fn sqlite_url_for(data_dir: &Path) -> std::io::Result<String> {
        std::fs::create_dir_all(data_dir)?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("cairn.db").display()
        ))
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Connection for reads. On SQLite these are read-only connections that never wait for
    /// the writer.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// Opens a write transaction. On SQLite it is `BEGIN IMMEDIATE` on the single writer
    /// connection, so writers queue instead of failing with SQLITE_BUSY half-way.
    pub async fn write(&self) -> Result<DatabaseTransaction, DbErr> {
        let mode = match self.backend {
            Backend::Sqlite => Some(SqliteTransactionMode::Immediate),
            Backend::Postgres => None,
        };
        self.writer
            .begin_with_options(TransactionOptions {
                isolation_level: None,
                access_mode: None,
                sqlite_transaction_mode: mode,
            })
            .await
    }

    /// The writer connection, for migrations.
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// Refreshes the query planner's statistics where they are missing or stale. SQLite does
    /// not gather statistics on its own; without them it can pick a workspace-wide index over
    /// a per-client one and read 100,000 contacts to show ten. PostgreSQL's autovacuum does
    /// this already. Gathering them reads the large tables through the writer's page cache,
    /// which then holds up to 16 MB that no write needs: `shrink_memory` gives it back.
    pub async fn optimize(&self) -> Result<(), DbErr> {
        if self.backend == Backend::Sqlite {
            self.writer
                .execute_unprepared("PRAGMA optimize=0x10002")
                .await?;
            self.writer
                .execute_unprepared("PRAGMA shrink_memory")
                .await?;
        }
        Ok(())
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> bool {
        self.reader.execute_unprepared("SELECT 1").await.is_ok()
    }

    /// Closes every connection (graceful shutdown, checkpointing the WAL on SQLite).
    pub async fn close(self) {
        let _ = self.reader.close().await;
        let _ = self.writer.close().await;
    }
}
