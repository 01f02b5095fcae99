//! Task dependencies: cycles are refused and write nothing; an open prerequisite blocks a
//! task until it is done.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{all_items, client, get, id, lists, project, task, team};

async fn depend(
    app: &crate::harness::TestApp,
    token: &str,
    task: &str,
    on: &str,
) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/tasks/{task}/dependencies"),
        token,
        Some(json!({"depends_on": on})),
    )
    .await
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_cycle_is_refused_naming_its_tasks_and_nothing_is_written() {
    let t = team().await;
    let app = &t.app;
    let cid = client(app, &t.mia, "Northwind").await;
    let pid = id(&project(app, &t.mia, &cid, "Launch", json!({})).await);
    let a = id(&task(app, &t.mia, &pid, "Write copy", json!({})).await);
    let b = id(&task(app, &t.mia, &pid, "Design page", json!({})).await);
    let c = id(&task(app, &t.mia, &pid, "Approve brand", json!({})).await);

    let (s, v) = depend(app, &t.mia, &a, &b).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(ids(&v, "depends_on"), [b.as_str()]);
    let (s, v) = depend(app, &t.mia, &b, &c).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let before = app.audit_count().await;
    let (s, v) = depend(app, &t.mia, &c, &a).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let detail = v["detail"].as_str().unwrap();
    for title in ["Write copy", "Design page", "Approve brand"] {
        assert!(detail.contains(title), "{detail} names {title}");
    }
    assert_eq!(app.audit_count().await, before, "nothing audited");
    let deps = get(app, &t.mia, &format!("/api/v1/tasks/{c}/dependencies")).await;
    assert!(ids(&deps, "depends_on").is_empty(), "{deps}");
    assert_eq!(ids(&deps, "blocks"), [b.as_str()]);
    let deps = get(app, &t.mia, &format!("/api/v1/tasks/{a}/dependencies")).await;
    assert_eq!(ids(&deps, "depends_on"), [b.as_str()]);
    assert!(ids(&deps, "blocks").is_empty(), "{deps}");

    // A task cannot wait for itself either.
    let (s, _) = depend(app, &t.mia, &a, &a).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_open_prerequisite_blocks_until_it_is_done() {
    let t = team().await;
    let app = &t.app;
    let cid = client(app, &t.mia, "Northwind").await;
    let pid = id(&project(app, &t.mia, &cid, "Launch", json!({})).await);
    let first = id(&task(app, &t.mia, &pid, "Get data access", json!({})).await);
    let then = id(&task(app, &t.mia, &pid, "Train the model", json!({})).await);
    let free = id(&task(app, &t.mia, &pid, "Book the venue", json!({})).await);
    let (s, _) = depend(app, &t.mia, &then, &first).await;
    assert_eq!(s, StatusCode::OK);

    let waiting = get(app, &t.mia, &format!("/api/v1/tasks/{then}")).await;
    assert_eq!(waiting["blocked"], true);
    assert_eq!(ids(&waiting, "blocked_by"), [first.as_str()]);
    assert_eq!(waiting["blocked_by"][0]["title"], "Get data access");
    let prerequisite = get(app, &t.mia, &format!("/api/v1/tasks/{first}")).await;
    assert_eq!(
        prerequisite["blocked"], false,
        "the prerequisite itself is free"
    );
    let blocked = all_items(app, &t.mia, "/api/v1/tasks?blocked=true").await;
    assert!(lists(&blocked, &then) && !lists(&blocked, &first) && !lists(&blocked, &free));
    let unblocked = all_items(app, &t.mia, "/api/v1/tasks?blocked=false").await;
    assert!(!lists(&unblocked, &then) && lists(&unblocked, &first) && lists(&unblocked, &free));

    let (s, v) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/tasks/{first}"),
            &t.mia,
            Some(json!({"status": "done"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let released = get(app, &t.mia, &format!("/api/v1/tasks/{then}")).await;
    assert_eq!(released["blocked"], false);
    assert!(ids(&released, "blocked_by").is_empty());
    assert!(!lists(
        &all_items(app, &t.mia, "/api/v1/tasks?blocked=true").await,
        &then
    ));

    // Removing the dependency of a task still waiting also frees it.
    let (s, _) = depend(app, &t.mia, &free, &then).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        get(app, &t.mia, &format!("/api/v1/tasks/{free}")).await["blocked"],
        true
    );
    let (s, v) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tasks/{free}/dependencies/{then}"),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        get(app, &t.mia, &format!("/api/v1/tasks/{free}")).await["blocked"],
        false
    );
}
