//! The board: one column per status; moves persist status and order, even after so many
//! moves into the same place that the positions between two neighbours run out.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{client, create, get, id, patch, project, restrict, task, team, user_id};
use crate::harness::{PASSWORD, TestApp};

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

/// The card of `task` on the board as `token` sees it.
async fn card(app: &TestApp, token: &str, pid: &str, task: &str) -> Value {
    let board = get(app, token, &format!("/api/v1/projects/{pid}/board")).await;
    board
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tasks"].as_array().unwrap())
        .find(|c| c["id"] == task)
        .cloned()
        .unwrap_or_else(|| panic!("{task} on the board: {board}"))
}

/// Boards come from a read cache that lasts until the workspace changes. Every change that
/// shows on a card, including ones made outside the board's project, reaches the next read,
/// and each reader gets the board as they may see it, never one loaded for someone else.
#[tokio::test]
async fn the_board_shows_every_change_that_touches_its_cards_to_each_reader_as_they_may_see_it() {
    let t = team().await;
    let app = &t.app;
    let open = client(app, &t.owner, "Northwind").await;
    let pid = id(&project(app, &t.owner, &open, "Website", json!({})).await);
    // A prerequisite in another client's project, which mia may not see.
    let secret = client(app, &t.owner, "Secret").await;
    restrict(app, &t.owner, &secret).await;
    let other = id(&project(app, &t.owner, &secret, "Audit", json!({})).await);
    let prerequisite = id(&task(app, &t.owner, &other, "Sign the NDA", json!({})).await);
    let tag = create(
        app,
        &t.owner,
        "/api/v1/tags",
        json!({"name": "ops", "colour": "#22c55e"}),
    )
    .await;
    let slot = id(&create(
        app,
        &t.owner,
        &format!("/api/v1/projects/{pid}/members"),
        json!({"role": "Designer"}),
    )
    .await);
    let work = id(&task(
        app,
        &t.owner,
        &pid,
        "Launch",
        json!({"tags": [id(&tag)], "assignee_slot_id": slot}),
    )
    .await);
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{work}/dependencies"),
            &t.owner,
            Some(json!({"depends_on": prerequisite})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The owner's board is loaded first; mia's must not be the owner's.
    let owners = card(app, &t.owner, &pid, &work).await;
    assert_eq!(owners["blocked"], true);
    assert_eq!(owners["blocked_by"][0]["title"], "Sign the NDA");
    let mias = card(app, &t.mia, &pid, &work).await;
    assert_eq!(
        mias["blocked"], true,
        "blocked, by something mia may not see"
    );
    assert_eq!(mias["blocked_by"], json!([]), "{mias}");
    assert_eq!(mias["tags"][0]["name"], "ops");
    assert_eq!(mias["assignee"], Value::Null);

    // The prerequisite, in another project, is done: the card is no longer blocked.
    patch(
        app,
        &t.owner,
        &format!("/api/v1/tasks/{prerequisite}"),
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(card(app, &t.mia, &pid, &work).await["blocked"], false);
    assert_eq!(
        card(app, &t.owner, &pid, &work).await["blocked_by"],
        json!([])
    );

    // A workspace tag renamed, a slot filled, then its person renamed.
    patch(
        app,
        &t.owner,
        &format!("/api/v1/tags/{}", id(&tag)),
        json!({"name": "infra"}),
    )
    .await;
    assert_eq!(
        card(app, &t.mia, &pid, &work).await["tags"][0]["name"],
        "infra"
    );
    let max = user_id(app, &t.max).await;
    patch(
        app,
        &t.owner,
        &format!("/api/v1/project-members/{slot}"),
        json!({"user_id": max}),
    )
    .await;
    let staffed = card(app, &t.mia, &pid, &work).await;
    assert_eq!(staffed["assignee"]["id"], max.as_str());
    assert_eq!(staffed["assignee"]["name"], "User max@acme.test");
    let b = app.browser_login("max@acme.test", PASSWORD).await;
    let csrf = b.csrf("/settings/profile").await;
    let r = b
        .post_form(
            "/settings/profile",
            &[
                ("_csrf", &csrf),
                ("name", "Max Power"),
                ("timezone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "profile saved");
    assert_eq!(
        card(app, &t.mia, &pid, &work).await["assignee"]["name"],
        "Max Power"
    );

    // Restricting the board's own client takes the board away from mia at once.
    restrict(app, &t.owner, &open).await;
    let (s, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/projects/{pid}/board"),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
