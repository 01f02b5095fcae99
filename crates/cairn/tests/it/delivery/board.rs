//! The board: one column per status; moves persist status and order, even after so many
//! moves into the same place that the positions between two neighbours run out.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{client, get, id, project, task, team};
use crate::harness::TestApp;

/// Titles per column of the project's board, in board order.
async fn columns(app: &TestApp, token: &str, pid: &str) -> Vec<(String, Vec<String>)> {
    let board = get(app, token, &format!("/api/v1/projects/{pid}/board")).await;
    board
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_string(),
                super::titles(c["tasks"].as_array().unwrap()),
            )
        })
        .collect()
}

async fn column(app: &TestApp, token: &str, pid: &str, status: &str) -> Vec<String> {
    columns(app, token, pid)
        .await
        .into_iter()
        .find(|(s, _)| s == status)
        .unwrap()
        .1
}

async fn move_task(app: &TestApp, token: &str, task: &str, body: Value) -> Value {
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{task}/move"),
            token,
            Some(body),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

#[tokio::test]
async fn moves_persist_status_and_order_through_renumbering() {
    let t = team().await;
    let app = &t.app;
    let cid = client(app, &t.mia, "Northwind").await;
    let pid = id(&project(app, &t.mia, &cid, "Website", json!({})).await);
    let names = ["A", "B", "C", "D", "E", "F"];
    let mut ids = std::collections::HashMap::new();
    for n in names {
        ids.insert(
            n.to_string(),
            id(&task(app, &t.mia, &pid, n, json!({})).await),
        );
    }
    let cols = columns(app, &t.mia, &pid).await;
    let statuses: Vec<&str> = cols.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "backlog",
            "todo",
            "in_progress",
            "blocked",
            "done",
            "cancelled"
        ]
    );
    assert_eq!(column(app, &t.mia, &pid, "todo").await, names);

    // Into another column: status and completion follow.
    let moved = move_task(app, &t.mia, &ids["F"], json!({"status": "done"})).await;
    assert_eq!(moved["status"], "done");
    assert!(moved["completed_at"].is_string());
    assert_eq!(column(app, &t.mia, &pid, "done").await, ["F"]);
    assert_eq!(
        get(app, &t.mia, &format!("/api/v1/tasks/{}", ids["F"])).await["status"],
        "done"
    );

    // Over and over, the last task of the column goes right below A: each move halves the
    // room between A and its neighbour until the column must be renumbered.
    let mut model: Vec<String> = ["A", "B", "C", "D", "E"].map(String::from).to_vec();
    for round in 0..24 {
        let last = model.pop().unwrap();
        let below = model[1].clone();
        move_task(
            app,
            &t.mia,
            &ids[&last],
            json!({"status": "todo", "after": ids["A"], "before": ids[&below]}),
        )
        .await;
        model.insert(1, last);
        assert_eq!(
            column(app, &t.mia, &pid, "todo").await,
            model,
            "after move {round}"
        );
    }

    // To the top and to the bottom of a column.
    let second = model[1].clone();
    move_task(
        app,
        &t.mia,
        &ids[&second],
        json!({"status": "todo", "before": ids["A"]}),
    )
    .await;
    let last = model.last().unwrap().clone();
    move_task(
        app,
        &t.mia,
        &ids["A"],
        json!({"status": "todo", "after": ids[&last]}),
    )
    .await;
    let got = column(app, &t.mia, &pid, "todo").await;
    assert_eq!(got.first(), Some(&second));
    assert_eq!(got.last().map(String::as_str), Some("A"));

    // A neighbour from another column is refused and moves nothing.
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{}/move", ids["B"]),
            &t.mia,
            Some(json!({"status": "todo", "after": ids["F"]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(super::fields(&v), ["after"]);
    assert_eq!(column(app, &t.mia, &pid, "todo").await, got);
}
