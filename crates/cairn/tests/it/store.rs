//! The store's connection settings, as the server's own connections see them.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::harness::TestApp;

/// On PostgreSQL every session Cairn opens plans with an SSD's cost of a random read, so
/// index probes win over sequential scans of whole tables (docs/architecture.md). SQLite has
/// no such setting.
#[tokio::test]
async fn postgresql_sessions_cost_random_reads_as_on_ssd() {
    let app = TestApp::spawn().await;
    if app.cairn.store.backend() != cairn_store::Backend::Postgres {
        return;
    }
    for db in [app.cairn.store.reader(), app.cairn.store.writer()] {
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SHOW random_page_cost",
            ))
            .await
            .expect("SHOW")
            .expect("a row");
        let cost: String = row.try_get_by_index(0).expect("a text value");
        assert_eq!(cost, cairn_store::db::RANDOM_PAGE_COST);
    }
}

/// On PostgreSQL the pool holds about twice as many connections as the machine has cores
/// (docs/architecture.md); SQLite keeps its one writer and four readers.
#[tokio::test]
async fn the_postgresql_pool_is_sized_to_the_cores() {
    let app = TestApp::spawn().await;
    let max = |db: &sea_orm::DatabaseConnection| match app.cairn.store.backend() {
        cairn_store::Backend::Postgres => db
            .get_postgres_connection_pool()
            .options()
            .get_max_connections(),
        cairn_store::Backend::Sqlite => db
            .get_sqlite_connection_pool()
            .options()
            .get_max_connections(),
    };
    let (reader, writer) = (max(app.cairn.store.reader()), max(app.cairn.store.writer()));
    match app.cairn.store.backend() {
        cairn_store::Backend::Postgres => {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let expected = cairn_store::db::postgres_pool_size(cores);
            assert_eq!((reader, writer), (expected, expected));
        }
        cairn_store::Backend::Sqlite => assert_eq!((reader, writer), (4, 1)),
    }
    assert_eq!(
        [1, 2, 4, 7, 8, 64].map(cairn_store::db::postgres_pool_size),
        [4, 6, 10, 16, 16, 16]
    );
}
