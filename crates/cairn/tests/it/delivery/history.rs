//! History: every task, project and milestone change is a version that can be compared and
//! reverted, and every delivery mutation lands in the activity log.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{client, create, get, id, project, task, team, user_id};
use crate::harness::TestApp;

/// PATCHes `path` twice (`first`, then `second`), compares versions 1 and 2, reverts to 1 and
/// returns the record after the revert.
async fn edit_compare_revert(
    app: &TestApp,
    token: &str,
    path: &str,
    first: Value,
    second: Value,
    changed: &str,
) -> Value {
    for body in [first, second] {
        let (s, v) = app.call(Method::PATCH, path, token, Some(body)).await;
        assert_eq!(s, StatusCode::OK, "PATCH {path}: {v}");
    }
    let versions = get(app, token, &format!("{path}/versions")).await;
    let numbers: Vec<i64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1], "{path}: newest first");
    let diff = get(app, token, &format!("{path}/versions/diff?from=1&to=2")).await;
    let names: Vec<&str> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(names, [changed], "{path}");
    let r = app
        .client
        .post(app.url(&format!("{path}/revert")))
        .bearer_auth(token)
        .header("if-match", "\"3\"")
        .json(&json!({"version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(r.headers()["etag"], "\"4\"");
    get(app, token, path).await
}

#[tokio::test]
async fn tasks_projects_and_milestones_compare_and_revert_versions() {
    let t = team().await;
    let app = &t.app;
    let cid = client(app, &t.mia, "Northwind").await;
    let pid = id(&project(app, &t.mia, &cid, "Pilot", json!({})).await);
    let tid = id(&task(app, &t.mia, &pid, "Draft plan", json!({})).await);
    let mid = id(&create(
        app,
        &t.mia,
        &format!("/api/v1/projects/{pid}/milestones"),
        json!({"name": "Beta", "due_date": "2026-12-01"}),
    )
    .await);

    let task = edit_compare_revert(
        app,
        &t.mia,
        &format!("/api/v1/tasks/{tid}"),
        json!({"title": "Draft plan v2"}),
        json!({"priority": "p0"}),
        "title",
    )
    .await;
    assert_eq!(
        (
            task["title"].as_str(),
            task["priority"].as_str(),
            task["version"].as_i64()
        ),
        (Some("Draft plan"), Some("p2"), Some(4))
    );

    let project = edit_compare_revert(
        app,
        &t.mia,
        &format!("/api/v1/projects/{pid}"),
        json!({"name": "Pilot renamed"}),
        json!({"status": "on_hold"}),
        "name",
    )
    .await;
    assert_eq!(
        (project["name"].as_str(), project["status"].as_str()),
        (Some("Pilot"), Some("active"))
    );

    let milestone = edit_compare_revert(
        app,
        &t.mia,
        &format!("/api/v1/milestones/{mid}"),
        json!({"due_date": "2026-12-15"}),
        json!({"name": "Beta 2"}),
        "due_date",
    )
    .await;
    assert_eq!(
        (milestone["name"].as_str(), milestone["due_date"].as_str()),
        (Some("Beta"), Some("2026-12-01"))
    );

    // A stale revert, or one to a version that never was, changes nothing.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/tasks/{tid}/revert")))
        .bearer_auth(&t.mia)
        .header("if-match", "\"3\"")
        .json(&json!({"version": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{tid}/revert"),
            &t.mia,
            Some(json!({"version": 9})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(
        get(app, &t.mia, &format!("/api/v1/tasks/{tid}")).await,
        task
    );
}

/// The newest activity entry (the owner reads the log).
async fn last_action(app: &TestApp, owner: &str) -> (String, String) {
    let log = get(app, owner, "/api/v1/activity?limit=1").await;
    let e = &log["items"][0];
    (
        e["action"].as_str().unwrap().to_string(),
        e["record_id"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn every_delivery_mutation_is_in_the_activity_log() {
    let t = team().await;
    let app = &t.app;
    let mia = user_id(app, &t.mia).await;
    let cid = client(app, &t.mia, "Northwind").await;
    let p = create(
        app,
        &t.mia,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Pilot", "template": "poc-pilot", "start_date": "2026-11-23"}),
    )
    .await;
    let pid = id(&p);
    assert_eq!(
        last_action(app, &t.owner).await,
        ("project.created".into(), pid.clone())
    );
    let slot = id(&get(app, &t.mia, &format!("/api/v1/projects/{pid}/members")).await[0]);
    let a = id(&task(app, &t.mia, &pid, "First", json!({})).await);
    assert_eq!(
        last_action(app, &t.owner).await,
        ("task.created".into(), a.clone())
    );
    let b = id(&task(app, &t.mia, &pid, "Second", json!({})).await);

    let steps: Vec<(Method, String, Option<Value>, &str, String)> = vec![
        (
            Method::PATCH,
            format!("/api/v1/projects/{pid}"),
            Some(json!({"goals": "Prove it"})),
            "project.updated",
            pid.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/health"),
            Some(json!({"health": "at_risk", "summary": "late"})),
            "project.health_set",
            pid.clone(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/project-members/{slot}"),
            Some(json!({"user_id": mia})),
            "project_member.updated",
            slot.clone(),
        ),
        (
            Method::PATCH,
            format!("/api/v1/tasks/{a}"),
            Some(json!({"title": "First!"})),
            "task.updated",
            a.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{a}/move"),
            Some(json!({"status": "in_progress"})),
            "task.moved",
            a.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{b}/dependencies"),
            Some(json!({"depends_on": a})),
            "task.dependency_added",
            b.clone(),
        ),
        (
            Method::DELETE,
            format!("/api/v1/tasks/{b}/dependencies/{a}"),
            None,
            "task.dependency_removed",
            b.clone(),
        ),
        (
            Method::POST,
            "/api/v1/tasks/batch".into(),
            Some(json!({"ids": [b], "changes": {"priority": "p1"}})),
            "task.batch_updated",
            b.clone(),
        ),
        (
            Method::POST,
            "/api/v1/tasks/batch/archive".into(),
            Some(json!({"ids": [b]})),
            "task.archived",
            b.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{b}/restore"),
            None,
            "task.restored",
            b.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/archive"),
            None,
            "project.archived",
            pid.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/restore"),
            None,
            "project.restored",
            pid.clone(),
        ),
    ];
    for (method, path, body, action, record) in steps {
        let before = app.audit_count().await;
        let (s, v) = app.call(method.clone(), &path, &t.mia, body).await;
        assert!(s.is_success(), "{method} {path}: {s} {v}");
        assert_eq!(
            last_action(app, &t.owner).await,
            (action.to_string(), record),
            "{method} {path}"
        );
        assert_eq!(
            app.audit_count().await,
            before + 1,
            "{method} {path}: one entry"
        );
    }
    // Creations made through other routes are logged too.
    let made: Vec<(String, Value, &str)> = vec![
        (
            "/api/v1/tasks/batch/duplicate".into(),
            json!({"ids": [a]}),
            "task.duplicated",
        ),
        (
            "/api/v1/capture".into(),
            json!({"text": "Call Northwind"}),
            "task.created",
        ),
        (
            format!("/api/v1/tasks/{a}/comments"),
            json!({"body": "Looks good"}),
            "task.commented",
        ),
        (
            "/api/v1/time-entries".into(),
            json!({"project_id": pid, "date": "2026-11-24", "minutes": 30}),
            "time_entry.created",
        ),
        (
            format!("/api/v1/projects/{pid}/milestones"),
            json!({"name": "Extra"}),
            "milestone.created",
        ),
        (
            format!("/api/v1/projects/{pid}/members"),
            json!({"role": "Reviewer"}),
            "project_member.created",
        ),
        (
            format!("/api/v1/projects/{pid}/save-as-template"),
            json!({"name": "Ours"}),
            "template.created",
        ),
    ];
    for (path, body, action) in made {
        let (s, v) = app.call(Method::POST, &path, &t.mia, Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{path}: {v}");
        let (logged, _) = last_action(app, &t.owner).await;
        assert_eq!(logged, action, "{path}");
    }
    // The owner's permanent deletes too.
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tasks/{a}"),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        last_action(app, &t.owner).await,
        ("task.deleted".into(), a.clone())
    );
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/projects/{pid}?confirm_name=Pilot"),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        last_action(app, &t.owner).await,
        ("project.deleted".into(), pid.clone())
    );
}
