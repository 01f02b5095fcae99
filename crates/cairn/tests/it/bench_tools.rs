//! The benchmark's hidden tools, end to end through the real binary on both databases:
//! `serve --trace-sql` records the statements a request runs with their parameters, and
//! `bench-replay` runs the read statements again straight through the driver.

use serde_json::Value;

use crate::binary::{Installation, OWNER, access_token, http_client};

#[tokio::test]
async fn a_traced_request_replays_its_reads_and_skips_its_writes() {
    let install = Installation::new("trace").await;
    install.create_owner().await;
    std::fs::create_dir_all(&install.data_dir).unwrap();
    let trace = install.data_dir.join("trace.jsonl");
    let trace_arg = trace.to_string_lossy().into_owned();
    let mut server = install.start(&["--trace-sql", &trace_arg]).await;

    // A password grant (reads the user, writes a token) and one authenticated read.
    let http = http_client();
    let token = access_token(&http, &server.base).await;
    let me = http
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    server.kill().await;

    let lines: Vec<Value> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["values"].to_string().contains(OWNER)),
        "statements are traced with their parameters"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["sql"].as_str().unwrap().starts_with("INSERT"))
    );

    let out = install
        .cairn(&["bench-replay", "--runs", "3", "--trace", &trace_arg])
        .output()
        .await
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
    install.remove().await;
}
