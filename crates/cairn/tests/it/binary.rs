//! The real `cairn` binary on an installation of its own (a data directory and, on the
//! PostgreSQL pass, a fresh database): start and kill servers, run commands, and check the
//! files. For tests that need a whole process (crash safety, the benchmark tools) rather than
//! the in-process [`crate::harness::TestApp`].

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use crate::harness::{PASSWORD, fresh_database};

/// The owner every installation is created with (password [`PASSWORD`]).
pub const OWNER: &str = "ann@crash.test";

pub fn http_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A bearer token for [`OWNER`] through the password grant.
pub async fn access_token(http: &Client, base: &str) -> String {
    let r = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"grant_type": "password", "email": OWNER, "password": PASSWORD}))
        .send()
        .await
        .expect("token request");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("token answer");
    v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// One installation on disk (and, for PostgreSQL, its database) that servers come and go on.
pub struct Installation {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

impl Installation {
    /// A fresh data directory (`cairn-<label>-…` under the temp dir) and, when the tests run
    /// on PostgreSQL, a fresh database.
    pub async fn new(label: &str) -> Self {
        Self {
            data_dir: std::env::temp_dir()
                .join(format!("cairn-{label}-{}", uuid::Uuid::now_v7().simple())),
            database_url: fresh_database().await,
        }
    }

    /// `cairn <args>` on this installation's data.
    pub fn cairn(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
        c.arg("--data-dir").arg(&self.data_dir);
        c.env_remove("CAIRN_DATABASE_URL")
            .env_remove("CAIRN_DATA_DIR");
        if let Some(url) = &self.database_url {
            c.arg("--database-url").arg(url);
        }
        c.args(args).kill_on_drop(true);
        c
    }

    pub async fn create_owner(&self) {
        let mut child = self
            .cairn(&[
                "admin",
                "create-owner",
                "--email",
                OWNER,
                "--name",
                "Ann",
                "--workspace",
                "Process Test",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cairn admin create-owner");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(PASSWORD.as_bytes())
            .await
            .expect("password");
        drop(stdin);
        let out = child.wait_with_output().await.expect("create-owner");
        assert!(out.status.success(), "create-owner failed: {out:?}");
    }

    /// Starts `cairn serve` (with `extra` serve options) on a free port and waits until it
    /// answers /healthz.
    pub async fn start(&self, extra: &[&str]) -> Server {
        let started = Instant::now();
        let mut args = vec!["--log-format", "json", "serve", "--bind", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = self
            .cairn(&args)
            .env("RUST_LOG", "warn,cairn=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cairn serve");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let mut seen = Vec::new();
        let address = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && v["message"] == "Cairn is listening"
                {
                    return v["address"].as_str().map(str::to_string);
                }
                seen.push(line);
            }
            None
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("cairn serve did not start; its log:\n{}", seen.join("\n")));
        // Keep reading the log so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let base = format!("http://{address}");
        let http = http_client();
        loop {
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await
                && r.status() == StatusCode::OK
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{base}/healthz never answered"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Server { child, base }
    }

    /// The database file as the crash left it: SQLite's own consistency checks.
    pub async fn check_files(&self) {
        if self.database_url.is_some() {
            return;
        }
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        let path = self.data_dir.join("cairn.db");
        let db = sea_orm::Database::connect(format!("sqlite://{}?mode=rw", path.display()))
            .await
            .expect("open the database file");
        let pragma = |sql: &'static str| Statement::from_string(DbBackend::Sqlite, sql);
        let rows = db
            .query_all_raw(pragma("PRAGMA integrity_check"))
            .await
            .expect("integrity_check");
        let verdict: Vec<String> = rows
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).expect("text"))
            .collect();
        assert_eq!(verdict, ["ok"], "PRAGMA integrity_check ");
        let broken = db
            .query_all_raw(pragma("PRAGMA foreign_key_check"))
            .await
            .expect("foreign_key_check");
        assert!(
            broken.is_empty(),
            "{} rows point at missing rows ",
            broken.len()
        );
        db.close().await.expect("close");
    }

    /// `cairn audit verify` must accept every hash chain.
    pub async fn verify_audit(&self) {
        let out = self
            .cairn(&["audit", "verify"])
            .env("RUST_LOG", "warn")
            .output()
            .await
            .expect("cairn audit verify");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.starts_with("ok:"),
            "cairn audit verify : {}\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub async fn remove(self) {
        let _ = tokio::fs::remove_dir_all(&self.data_dir).await;
    }
}

/// A running `cairn serve`.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// SIGKILL: no graceful shutdown, no flushing, no closing of connections.
    pub async fn kill(&mut self) {
        self.child.start_kill().expect("kill the server");
        let status: ExitStatus = self.child.wait().await.expect("wait for the server");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "the server died of SIGKILL: {status}"
        );
    }
}
