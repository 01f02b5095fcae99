//! `cairn backup` and `cairn restore`: an online snapshot while writes go on, a round trip that
//! gives back exactly the same rows, no plaintext secret in the file, and refusals (truncated,
//! foreign, newer, server running) that leave the current data untouched.

use std::path::{Path, PathBuf};

use cairn::Paths;
use cairn::backup::{DataDirLock, backup, restore};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, Statement};
use serde_json::json;

use crate::harness::{PASSWORD, TestApp};

/// Every row of every table of a SQLite file, as text, in a stable order. Reads through a
/// normal read-only connection, so rows still in the write-ahead log count.
async fn dump(db_file: &Path) -> Vec<String> {
    let mut opts = ConnectOptions::new(format!("sqlite://{}?mode=ro", db_file.display()));
    opts.max_connections(1).sqlx_logging(false);
    let db = Database::connect(opts).await.expect("open for dump");
    let q = |sql: String| Statement::from_string(DbBackend::Sqlite, sql);
    let tables: Vec<String> = db
        .query_all_raw(q("SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name"
            .into()))
        .await
        .expect("tables")
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("name"))
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<String> = db
            .query_all_raw(q(format!("PRAGMA table_info(\"{t}\")")))
            .await
            .expect("columns")
            .iter()
            .map(|r| r.try_get::<String>("", "name").expect("column name"))
            .collect();
        let row_text = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        for r in db
            .query_all_raw(q(format!("SELECT {row_text} FROM \"{t}\" ORDER BY 1")))
            .await
            .expect("rows")
        {
            out.push(format!("{t}: {}", r.try_get_by_index::<String>(0).unwrap()));
        }
    }
    let _ = db.close().await;
    out
}

fn temp_dir(label: &str) -> PathBuf {
    std::env::temp_dir().join(format!("cairn-{label}-{}", uuid::Uuid::now_v7().simple()))
}

fn sqlite_paths(dir: &Path) -> Paths {
    Paths {
        data_dir: dir.to_path_buf(),
        database_url: None,
    }
}

/// A workspace with an owner, a client, a project from a template; returns the owner's token.
async fn populated() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    app.owner("acme", "owner@acme.test").await;
    let token = app.token("owner@acme.test").await;
    let (s, client) = app
        .call(
            Method::POST,
            "/api/v1/clients",
            &token,
            Some(json!({"name": "Northwind", "status": "active"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{client}");
    let (s, project) = app
        .call(
            Method::POST,
            "/api/v1/projects",
            &token,
            Some(
                json!({"client_id": client["id"], "name": "Pilot", "template": "poc-pilot",
                        "start_date": "2026-11-02"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{project}");
    (app, token)
}

async fn create_client(app: &TestApp, token: &str, name: &str) -> StatusCode {
    app.call(
        Method::POST,
        "/api/v1/clients",
        token,
        Some(json!({ "name": name })),
    )
    .await
    .0
}

#[tokio::test]
async fn online_backup_restores_to_the_same_rows_and_holds_no_plaintext_secret() {
    let (app, token) = populated().await;
    let live = sqlite_paths(&app.data_dir);
    let out = temp_dir("backup").with_extension("db");

    if app.cairn.store.backend() == cairn_store::Backend::Postgres {
        // On PostgreSQL the command points to pg_dump instead of writing anything.
        let err = backup(
            &Paths {
                database_url: Some("postgres://x@127.0.0.1/y".into()),
                ..live
            },
            &out,
        )
        .await
        .expect_err("no SQLite snapshot of PostgreSQL");
        assert!(err.to_string().contains("pg_dump"), "{err}");
        assert!(!out.exists());
        return;
    }

    // Writes keep going while the snapshot is taken.
    let writer = {
        let (client, base, token) = (app.client.clone(), app.base.clone(), token.clone());
        tokio::spawn(async move {
            for i in 0..40 {
                let r = client
                    .post(format!("{base}/api/v1/clients"))
                    .bearer_auth(&token)
                    .json(&json!({ "name": format!("Concurrent {i}") }))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(r.status(), StatusCode::CREATED);
            }
        })
    };
    let info = backup(&live, &out).await.expect("online backup");
    writer.await.expect("writer");
    assert_eq!((info.workspaces, info.users), (1, 1), "{info}");

    // Nothing secret in the file: not the password, not the bearer token, not the key.
    let bytes = std::fs::read(&out).unwrap();
    let key = std::fs::read_to_string(app.data_dir.join("secret.key")).unwrap();
    for secret in [PASSWORD, token.as_str(), key.trim()] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the backup holds a plaintext secret"
        );
    }

    // The snapshot restores into an empty data directory, row for row.
    let restored_dir = temp_dir("restored");
    let restored = restore(&sqlite_paths(&restored_dir), &out)
        .await
        .expect("restore");
    assert!(restored.previous.is_none());
    assert!(restored.migrated.is_empty(), "same schema version");
    let snapshot_rows = dump(&out).await;
    assert_eq!(dump(&restored_dir.join("cairn.db")).await, snapshot_rows);
    // A consistent snapshot: its audit chain verifies.
    let reopened = cairn::open(&sqlite_paths(&restored_dir), Default::default())
        .await
        .expect("open restored");
    let verdict = cairn_core::audit::verify(&reopened.store).await.unwrap();
    assert!(verdict.first_break.is_none(), "{verdict:?}");
    reopened.store.close().await;

    // Quiesced, a second backup equals the live database exactly.
    let quiet = temp_dir("quiet").with_extension("db");
    backup(&live, &quiet).await.expect("second backup");
    assert_eq!(
        dump(&quiet).await,
        dump(&app.data_dir.join("cairn.db")).await
    );
    assert!(
        dump(&quiet).await.len() > snapshot_rows.len(),
        "the live database went on growing after the first snapshot"
    );

    // A backup never overwrites a file.
    let err = backup(&live, &out).await.expect_err("target exists");
    assert!(err.to_string().contains("already exists"), "{err}");

    for p in [&out, &quiet] {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir_all(&restored_dir);
}

#[tokio::test]
async fn restore_replaces_a_diverged_database_and_keeps_the_old_one_aside() {
    let (app, token) = populated().await;
    if app.cairn.store.backend() == cairn_store::Backend::Postgres {
        let err = restore(
            &Paths {
                database_url: Some("postgres://x@127.0.0.1/y".into()),
                data_dir: app.data_dir.clone(),
            },
            Path::new("/nonexistent"),
        )
        .await
        .expect_err("no SQLite restore onto PostgreSQL");
        assert!(err.to_string().contains("pg_dump"), "{err}");
        return;
    }
    let out = temp_dir("backup").with_extension("db");
    backup(&sqlite_paths(&app.data_dir), &out).await.unwrap();
    let snapshot_rows = dump(&out).await;

    // A second installation that has moved on since.
    let dir = temp_dir("diverged");
    restore(&sqlite_paths(&dir), &out).await.unwrap();
    {
        let cairn = cairn::open(&sqlite_paths(&dir), Default::default())
            .await
            .unwrap();
        cairn.store.close().await;
    }
    assert_eq!(
        create_client(&app, &token, "After the backup").await,
        StatusCode::CREATED
    );
    let later = temp_dir("later").with_extension("db");
    backup(&sqlite_paths(&app.data_dir), &later).await.unwrap();
    restore(&sqlite_paths(&dir), &later).await.unwrap();
    let diverged_rows = dump(&dir.join("cairn.db")).await;
    assert_ne!(diverged_rows, snapshot_rows);

    let r = restore(&sqlite_paths(&dir), &out).await.expect("restore");
    assert_eq!(dump(&dir.join("cairn.db")).await, snapshot_rows);
    let previous = r.previous.expect("the replaced database is kept");
    assert_eq!(dump(&previous).await, diverged_rows);
    assert!(!dir.join("cairn.db.restoring").exists());

    for p in [&out, &later] {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_bad_backup_or_a_running_server_is_refused_and_changes_nothing() {
    let (app, _token) = populated().await;
    if app.cairn.store.backend() == cairn_store::Backend::Postgres {
        // The SQLite checks below are backend-independent files; one pass is enough, and the
        // PostgreSQL refusal is covered above.
        let err = backup(
            &Paths {
                database_url: Some("postgresql://x@127.0.0.1/y".into()),
                data_dir: app.data_dir.clone(),
            },
            Path::new("/tmp/never"),
        )
        .await
        .expect_err("refused");
        assert!(err.to_string().contains("PostgreSQL"), "{err}");
        return;
    }
    let good = temp_dir("good").with_extension("db");
    backup(&sqlite_paths(&app.data_dir), &good).await.unwrap();
    let dir = temp_dir("target");
    restore(&sqlite_paths(&dir), &good).await.unwrap();
    let before = dump(&dir.join("cairn.db")).await;
    let bytes = std::fs::read(&good).unwrap();

    let truncated = temp_dir("truncated");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let foreign = temp_dir("foreign");
    std::fs::write(&foreign, "name,email\nAda,ada@example.com\n").unwrap();
    let empty = temp_dir("empty");
    std::fs::write(&empty, "").unwrap();
    // A SQLite database that is not Cairn's.
    let other = temp_dir("other").with_extension("db");
    {
        let db = Database::connect(format!("sqlite://{}?mode=rwc", other.display()))
            .await
            .unwrap();
        db.execute_unprepared("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')")
            .await
            .unwrap();
        db.close().await.unwrap();
    }
    // A backup from a newer version: a migration this binary does not know.
    let newer = temp_dir("newer").with_extension("db");
    std::fs::copy(&good, &newer).unwrap();
    {
        let db = Database::connect(format!("sqlite://{}", newer.display()))
            .await
            .unwrap();
        db.execute_unprepared(
            "INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_future', '2030-01-01')",
        )
        .await
        .unwrap();
        db.execute_unprepared("PRAGMA journal_mode=DELETE")
            .await
            .unwrap();
        db.close().await.unwrap();
    }
    // A file whose pages are damaged but whose length is right.
    let damaged = temp_dir("damaged").with_extension("db");
    let mut broken = bytes.clone();
    let page = usize::from(u16::from_be_bytes([broken[16], broken[17]]));
    for b in &mut broken[page * 2..page * 3] {
        *b = 0x5a;
    }
    std::fs::write(&damaged, &broken).unwrap();

    for (file, why) in [
        (&truncated, "truncated"),
        (&foreign, "not a SQLite database"),
        (&empty, "not a SQLite database"),
        (&other, "not a Cairn backup"),
        (&newer, "9999_future"),
        (&damaged, "damaged"),
    ] {
        let err = restore(&sqlite_paths(&dir), file)
            .await
            .expect_err("a bad file is refused");
        assert!(
            err.to_string().contains(why),
            "{}: expected {why:?} in {err}",
            file.display()
        );
        assert_eq!(dump(&dir.join("cairn.db")).await, before, "{why}");
    }

    // A running server holds the data directory: a restore beneath it is refused.
    let lock = DataDirLock::acquire(&dir, "testing").unwrap();
    let err = restore(&sqlite_paths(&dir), &good)
        .await
        .expect_err("server running");
    assert!(err.to_string().contains("another Cairn process"), "{err}");
    drop(lock);
    assert_eq!(dump(&dir.join("cairn.db")).await, before);

    // The command line says the same, with a failing exit status.
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["--data-dir"])
        .arg(&dir)
        .args(["restore", "--from"])
        .arg(&truncated)
        .env_remove("CAIRN_DATABASE_URL")
        .output()
        .expect("run cairn restore");
    assert!(!cli.status.success());
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(stderr.contains("truncated"), "{stderr}");
    assert_eq!(dump(&dir.join("cairn.db")).await, before);

    for p in [
        &good, &truncated, &foreign, &empty, &other, &newer, &damaged,
    ] {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
