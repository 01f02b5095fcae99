//! The benchmark's hidden tools, end to end through the real binary: `serve --trace-sql`
//! records the statements a request runs with their parameters, and `bench-replay` runs the
//! read statements again straight through the driver.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::PASSWORD;

fn cairn() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
    c.env_remove("CAIRN_DATABASE_URL")
        .env_remove("CAIRN_DATA_DIR");
    c
}

#[tokio::test]
async fn a_traced_request_replays_its_reads_and_skips_its_writes() {
    let dir = std::env::temp_dir().join(format!("cairn-trace-{}", uuid::Uuid::now_v7().simple()));
    let trace = dir.join("trace.jsonl");
    let mut owner = cairn()
        .arg("--data-dir")
        .arg(&dir)
        .args([
            "admin",
            "create-owner",
            "--email",
            "t@example.com",
            "--name",
            "T",
        ])
        .args(["--workspace", "Trace", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    owner
        .stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    assert!(owner.wait().unwrap().success());

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = cairn()
        .arg("--data-dir")
        .arg(&dir)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--trace-sql",
        ])
        .arg(&trace)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server did not start");

    // A password grant (reads the user, writes a token) and one authenticated read.
    let grant: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"grant_type": "password", "email": "t@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = grant["access_token"].as_str().expect("token").to_string();
    let me = http
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    server.kill().unwrap();
    server.wait().unwrap();

    let lines: Vec<Value> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["values"].to_string().contains("t@example.com")),
        "statements are traced with their parameters"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["sql"].as_str().unwrap().starts_with("INSERT"))
    );

    let out = cairn()
        .arg("--data-dir")
        .arg(&dir)
        .args(["bench-replay", "--runs", "3", "--trace"])
        .arg(&trace)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replay: Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    let reads = lines
        .iter()
        .filter(|l| {
            let sql = l["sql"].as_str().unwrap().trim_start().to_ascii_uppercase();
            sql.starts_with("SELECT") || sql.starts_with("WITH")
        })
        .count();
    assert_eq!(replay["statements"].as_u64().unwrap() as usize, reads);
    assert!(replay["skipped_writes"].as_u64().unwrap() >= 1);
    assert!(replay["main_ms"].as_f64().unwrap() > 0.0);
    assert!(replay["all_ms"].as_f64().unwrap() >= replay["main_ms"].as_f64().unwrap());
    assert!(replay["main_sql"].as_str().unwrap().starts_with("SELECT"));
    let _ = std::fs::remove_dir_all(&dir);
}
