//! The role matrix for delivery: viewers read everything and change nothing; members do the
//! work but cannot delete permanently; owners can, after typing the project's name.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{all_items, client, create, get, id, task, team, user_id};
use crate::harness::TestApp;

/// Everything a project shows, to prove that refused requests changed nothing.
async fn state(app: &TestApp, token: &str, pid: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        format!("/api/v1/projects/{pid}"),
        format!("/api/v1/projects/{pid}/milestones"),
        format!("/api/v1/projects/{pid}/members"),
        format!("/api/v1/projects/{pid}/board"),
        format!("/api/v1/projects/{pid}/health"),
        format!("/api/v1/projects/{pid}/time"),
        "/api/v1/templates".to_string(),
    ] {
        out.push(get(app, token, &path).await);
    }
    out.push(Value::Array(
        all_items(app, token, "/api/v1/tasks?archived=all").await,
    ));
    out.push(Value::Array(
        all_items(app, token, "/api/v1/time-entries").await,
    ));
    out
}

#[tokio::test]
async fn a_viewer_reads_everything_and_every_delivery_write_is_refused() {
    let t = team().await;
    let app = &t.app;
    let vic = user_id(app, &t.viewer).await;
    let cid = client(app, &t.owner, "Northwind").await;
    let p = create(
        app,
        &t.owner,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Pilot", "template": "poc-pilot", "start_date": "2026-01-05"}),
    )
    .await;
    let pid = id(&p);
    let milestone = id(&get(app, &t.owner, &format!("/api/v1/projects/{pid}/milestones")).await[0]);
    let slot = id(&get(app, &t.owner, &format!("/api/v1/projects/{pid}/members")).await[0]);
    let a = id(&task(app, &t.owner, &pid, "First", json!({})).await);
    let b = id(&task(app, &t.owner, &pid, "Second", json!({})).await);
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{b}/dependencies"),
            &t.owner,
            Some(json!({"depends_on": a})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let comment = id(&create(
        app,
        &t.owner,
        &format!("/api/v1/tasks/{a}/comments"),
        json!({"body": "Hi"}),
    )
    .await);
    let entry = id(&create(
        app,
        &t.owner,
        "/api/v1/time-entries",
        json!({"project_id": pid, "date": "2026-11-24", "minutes": 30}),
    )
    .await);
    let template = create(
        app,
        &t.owner,
        &format!("/api/v1/projects/{pid}/save-as-template"),
        json!({"name": "Ours"}),
    )
    .await["key"]
        .as_str()
        .unwrap()
        .to_string();

    // Reading works.
    for path in [
        "/api/v1/projects".to_string(),
        format!("/api/v1/projects/{pid}/summary?format=markdown"),
        format!("/api/v1/projects/{pid}/versions"),
        format!("/api/v1/milestones/{milestone}"),
        format!("/api/v1/tasks/{a}"),
        format!("/api/v1/tasks/{b}/dependencies"),
        format!("/api/v1/tasks/{a}/comments"),
        format!("/api/v1/templates/{template}"),
        "/api/v1/timesheet".to_string(),
    ] {
        let (s, v) = app.call(Method::GET, &path, &t.viewer, None).await;
        assert_eq!(s, StatusCode::OK, "viewer GET {path}: {v}");
    }
    let before = state(app, &t.owner, &pid).await;
    assert_eq!(
        state(app, &t.viewer, &pid).await,
        before,
        "the viewer sees what the owner sees"
    );
    let audit = app.audit_count().await;

    let writes: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            "/api/v1/projects".into(),
            Some(json!({"client_id": cid, "name": "Mine"})),
        ),
        (
            Method::POST,
            "/api/v1/projects".into(),
            Some(json!({"client_id": cid, "name": "Mine", "template": "poc-pilot"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/projects/{pid}"),
            Some(json!({"name": "Renamed"})),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/archive"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/projects/{pid}?confirm_name=Pilot"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/health"),
            Some(json!({"health": "off_track"})),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/revert"),
            Some(json!({"version": 1})),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/save-as-template"),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/members"),
            Some(json!({"role": "Intern"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/project-members/{slot}"),
            Some(json!({"user_id": vic})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/project-members/{slot}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/milestones"),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/milestones/{milestone}"),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::POST,
            format!("/api/v1/milestones/{milestone}/archive"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/milestones/{milestone}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/milestones/{milestone}/revert"),
            Some(json!({"version": 1})),
        ),
        (
            Method::POST,
            "/api/v1/tasks".into(),
            Some(json!({"title": "Mine"})),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{pid}/tasks"),
            Some(json!({"title": "Mine"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/tasks/{a}"),
            Some(json!({"title": "Mine"})),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{a}/move"),
            Some(json!({"status": "done"})),
        ),
        (Method::POST, format!("/api/v1/tasks/{a}/archive"), None),
        (Method::DELETE, format!("/api/v1/tasks/{a}"), None),
        (
            Method::POST,
            format!("/api/v1/tasks/{a}/revert"),
            Some(json!({"version": 1})),
        ),
        (
            Method::POST,
            "/api/v1/tasks/batch".into(),
            Some(json!({"ids": [a, b], "changes": {"priority": "p0"}})),
        ),
        (
            Method::POST,
            "/api/v1/tasks/batch/archive".into(),
            Some(json!({"ids": [a, b]})),
        ),
        (
            Method::POST,
            "/api/v1/tasks/batch/duplicate".into(),
            Some(json!({"ids": [a, b]})),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{a}/dependencies"),
            Some(json!({"depends_on": b})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/tasks/{b}/dependencies/{a}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{a}/comments"),
            Some(json!({"body": "Mine"})),
        ),
        (Method::DELETE, format!("/api/v1/comments/{comment}"), None),
        (
            Method::POST,
            "/api/v1/capture".into(),
            Some(json!({"text": "Call Northwind tomorrow"})),
        ),
        (
            Method::POST,
            "/api/v1/time-entries".into(),
            Some(json!({"project_id": pid, "date": "2026-11-24", "minutes": 5})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/time-entries/{entry}"),
            Some(json!({"minutes": 5})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/time-entries/{entry}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/v1/templates/{template}"),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::POST,
            format!("/api/v1/templates/{template}/archive"),
            None,
        ),
    ];
    for (method, path, body) in writes {
        let (s, v) = app.call(method.clone(), &path, &t.viewer, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "viewer {method} {path}: {v}");
    }
    assert_eq!(app.audit_count().await, audit, "nothing was written");
    assert_eq!(state(app, &t.owner, &pid).await, before);

    // A preview is only reading, so a viewer may ask for one.
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/capture",
            &t.viewer,
            Some(json!({"text": "Call Northwind", "preview": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["client"]["id"], cid.as_str());
}

#[tokio::test]
async fn members_cannot_delete_permanently_and_owners_confirm_by_name() {
    let t = team().await;
    let app = &t.app;
    let cid = client(app, &t.mia, "Northwind").await;
    let p = create(
        app,
        &t.mia,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Pilot one", "template": "poc-pilot", "start_date": "2026-01-05"}),
    )
    .await;
    let pid = id(&p);
    let a = id(&task(app, &t.mia, &pid, "First", json!({})).await);
    let audit = app.audit_count().await;
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/projects/{pid}?confirm_name=Pilot%20one"),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .call(Method::DELETE, &format!("/api/v1/tasks/{a}"), &t.mia, None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, audit);
    get(app, &t.mia, &format!("/api/v1/projects/{pid}")).await;
    get(app, &t.mia, &format!("/api/v1/tasks/{a}")).await;

    // The owner deletes a task outright.
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tasks/{a}"),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .call(Method::GET, &format!("/api/v1/tasks/{a}"), &t.mia, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A project only with its exact name typed; then everything under it is gone.
    let planned: Vec<String> = all_items(app, &t.owner, &format!("/api/v1/projects/{pid}/tasks"))
        .await
        .iter()
        .map(id)
        .collect();
    assert!(!planned.is_empty());
    for wrong in ["", "?confirm_name=Pilot", "?confirm_name=pilot%20one"] {
        let (s, v) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/projects/{pid}{wrong}"),
                &t.owner,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{wrong}: {v}");
        assert_eq!(super::fields(&v), ["confirm_name"]);
    }
    get(app, &t.owner, &format!("/api/v1/projects/{pid}")).await;
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/projects/{pid}?confirm_name=Pilot%20one"),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/projects/{pid}"),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for task in planned {
        let (s, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/tasks/{task}"),
                &t.owner,
                None,
            )
            .await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "task {task} went with its project"
        );
    }
    assert!(
        all_items(app, &t.owner, "/api/v1/tasks?archived=all")
            .await
            .is_empty()
    );
}
