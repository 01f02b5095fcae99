//! Delivery inherits client visibility: once a client is restricted, its projects, tasks,
//! milestones, board, summary and time vanish for members not on its list, in every detail,
//! list, work view and capture, while owners keep seeing all of it.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{all_items, client, create, get, id, lists, project, restrict, task, team, user_id};

#[tokio::test]
async fn a_restricted_clients_delivery_disappears_for_members_everywhere() {
    let t = team().await;
    let app = &t.app;
    let mia = user_id(app, &t.mia).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let open = client(app, &t.owner, "Open Co").await;
    let hidden = client(app, &t.owner, "Hidden Co").await;
    let hp = create(
        app,
        &t.owner,
        "/api/v1/projects",
        json!({"client_id": hidden, "name": "Secret pilot", "template": "poc-pilot", "start_date": "2026-01-05"}),
    )
    .await;
    let hp = id(&hp);
    let slot = id(&get(app, &t.owner, &format!("/api/v1/projects/{hp}/members")).await[0]);
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/project-members/{slot}"),
            &t.owner,
            Some(json!({"user_id": mia})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let milestone = id(&get(app, &t.owner, &format!("/api/v1/projects/{hp}/milestones")).await[0]);
    let ht = id(&task(
        app,
        &t.owner,
        &hp,
        "Secret task",
        json!({"assignee_user_id": mia, "due_date": today}),
    )
    .await);
    let client_task = id(&create(
        app,
        &t.owner,
        "/api/v1/tasks",
        json!({"client_id": hidden, "title": "Secret errand", "assignee_user_id": mia}),
    )
    .await);
    create(
        app,
        &t.mia,
        "/api/v1/time-entries",
        json!({"project_id": hp, "date": today, "minutes": 60}),
    )
    .await;
    let op = id(&project(app, &t.owner, &open, "Open pilot", json!({})).await);
    let ot = id(&task(
        app,
        &t.owner,
        &op,
        "Open task",
        json!({"assignee_user_id": mia, "due_date": today}),
    )
    .await);
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{ot}/dependencies"),
            &t.owner,
            Some(json!({"depends_on": ht})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    create(
        app,
        &t.mia,
        "/api/v1/time-entries",
        json!({"project_id": op, "date": today, "minutes": 15}),
    )
    .await;

    restrict(app, &t.owner, &hidden).await;

    let details = [
        format!("/api/v1/projects/{hp}"),
        format!("/api/v1/projects/{hp}/milestones"),
        format!("/api/v1/projects/{hp}/members"),
        format!("/api/v1/projects/{hp}/tasks"),
        format!("/api/v1/projects/{hp}/board"),
        format!("/api/v1/projects/{hp}/summary"),
        format!("/api/v1/projects/{hp}/summary?format=markdown"),
        format!("/api/v1/projects/{hp}/time"),
        format!("/api/v1/projects/{hp}/health"),
        format!("/api/v1/projects/{hp}/versions"),
        format!("/api/v1/milestones/{milestone}"),
        format!("/api/v1/milestones/{milestone}/versions"),
        format!("/api/v1/tasks/{ht}"),
        format!("/api/v1/tasks/{ht}/dependencies"),
        format!("/api/v1/tasks/{ht}/comments"),
        format!("/api/v1/tasks/{ht}/versions"),
        format!("/api/v1/tasks/{client_task}"),
    ];
    for (who, token, sees) in [
        ("owner", &t.owner, true),
        ("member", &t.mia, false),
        ("viewer", &t.viewer, false),
    ] {
        for path in &details {
            let (s, _) = app.call(Method::GET, path, token, None).await;
            let want = if sees {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(s, want, "{who} GET {path}");
        }
        let projects = all_items(app, token, "/api/v1/projects").await;
        assert_eq!(lists(&projects, &hp), sees, "{who} project list");
        assert!(lists(&projects, &op), "{who} sees the open project");
        let mine = token == &t.mia;
        for (path, has_open_task) in [
            ("/api/v1/tasks".to_string(), true),
            ("/api/v1/tasks?assignee=me".to_string(), mine),
            ("/api/v1/tasks?assignee=me&due=today".to_string(), mine),
            (format!("/api/v1/tasks?assignee={mia}"), true),
            ("/api/v1/tasks?blocked=true".to_string(), true),
            (format!("/api/v1/tasks?client={hidden}"), false),
        ] {
            let items = all_items(app, token, &path).await;
            assert_eq!(lists(&items, &ot), has_open_task, "{who} {path}");
            let hidden_listed = lists(&items, &ht) || lists(&items, &client_task);
            assert!(sees || !hidden_listed, "{who} {path} lists a hidden task");
        }
        let all = all_items(app, token, "/api/v1/tasks").await;
        assert_eq!(
            lists(&all, &ht) && lists(&all, &client_task),
            sees,
            "{who} task list"
        );
        let entries = all_items(app, token, "/api/v1/time-entries").await;
        let on_hidden = entries
            .iter()
            .filter(|e| e["project"]["id"] == hp.as_str())
            .count();
        assert_eq!(on_hidden, usize::from(sees), "{who} time entries");
        assert_eq!(entries.len(), 1 + usize::from(sees), "{who} time entries");
        let sheet = get(
            app,
            token,
            &format!("/api/v1/timesheet?user={mia}&week={today}"),
        )
        .await;
        assert_eq!(
            sheet["total"],
            if sees { 75 } else { 15 },
            "{who} timesheet"
        );
        // The open task waits for the hidden one; only those who may see it learn of it.
        let waiting = get(app, token, &format!("/api/v1/tasks/{ot}")).await;
        assert_eq!(
            waiting["blocked"], true,
            "{who}: the open task is still blocked"
        );
        assert_eq!(
            waiting.to_string().contains("Secret task"),
            sees,
            "{who}: {waiting}"
        );
        let summary = app
            .api(
                Method::GET,
                &format!("/api/v1/projects/{op}/summary?format=markdown"),
                token,
                None,
            )
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(summary.contains("Secret task"), sees, "{who}: {summary}");
    }

    // Mia's own work: the hidden tasks are gone even though they are assigned to her.
    let mine = all_items(app, &t.mia, "/api/v1/tasks?assignee=me").await;
    assert_eq!(super::titles(&mine), ["Open task"]);

    // Capture never links what she cannot see; the owner's does.
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/capture",
            &t.mia,
            Some(json!({"text": "Call Hidden Co tomorrow"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["client"], serde_json::Value::Null);
    assert_eq!(v["task"]["client"], serde_json::Value::Null);
    assert!(v["title"].as_str().unwrap().contains("Hidden Co"));
    let (_, v) = app
        .call(
            Method::POST,
            "/api/v1/capture",
            &t.owner,
            Some(json!({"text": "Call Hidden Co tomorrow", "preview": true})),
        )
        .await;
    assert_eq!(v["client"]["id"], hidden.as_str());

    // Nor can she write to it.
    let audit = app.audit_count().await;
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/tasks/{ht}"),
            json!({"title": "x"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/projects/{hp}"),
            json!({"name": "x"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/milestones/{milestone}"),
            json!({"name": "x"}),
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{hp}/tasks"),
            json!({"title": "x"}),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{ht}/move"),
            json!({"status": "done"}),
        ),
    ] {
        let (s, _) = app.call(method.clone(), &path, &t.mia, Some(body)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/time-entries",
            &t.mia,
            Some(json!({"project_id": hp, "date": today, "minutes": 5})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(super::fields(&v), ["project_id"]);
    assert_eq!(app.audit_count().await, audit);
}
