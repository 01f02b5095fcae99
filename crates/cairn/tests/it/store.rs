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
