//! Bad task input names the field at fault and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{all_items, client, create, fields, get, id, project, task, team};

#[tokio::test]
async fn each_bad_reference_or_date_names_its_field_and_changes_nothing() {
    let t = team().await;
    let app = &t.app;
    let outsider = app.owner("Other", "oz@other.test").await.0.to_string();
    let cid = client(app, &t.mia, "Northwind").await;
    let pilot = create(
        app,
        &t.mia,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Pilot", "template": "poc-pilot", "start_date": "2026-11-23"}),
    )
    .await;
    let pid = id(&pilot);
    let other = id(&project(app, &t.mia, &cid, "Other project", json!({})).await);
    let foreign_milestone = id(&create(
        app,
        &t.mia,
        &format!("/api/v1/projects/{other}/milestones"),
        json!({"name": "Elsewhere"}),
    )
    .await);
    let foreign_slot = id(&create(
        app,
        &t.mia,
        &format!("/api/v1/projects/{other}/members"),
        json!({"role": "Elsewhere"}),
    )
    .await);
    let target = task(
        app,
        &t.mia,
        &pid,
        "Kick-off call",
        json!({"due_date": "2026-11-24"}),
    )
    .await;
    let tid = id(&target);

    let cases: [(Value, &str); 4] = [
        (json!({"due_date": "2026-11-20"}), "due_date"),
        (json!({"milestone_id": foreign_milestone}), "milestone_id"),
        (json!({"assignee_user_id": outsider}), "assignee_user_id"),
        (
            json!({"assignee_slot_id": foreign_slot}),
            "assignee_slot_id",
        ),
    ];
    let count = all_items(app, &t.mia, "/api/v1/tasks?archived=all")
        .await
        .len();
    let audit = app.audit_count().await;
    for (body, field) in cases {
        let mut create_body = body.clone();
        create_body["title"] = json!("Should not exist");
        let (s, v) = app
            .call(
                Method::POST,
                &format!("/api/v1/projects/{pid}/tasks"),
                &t.mia,
                Some(create_body),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "create {body}: {v}");
        assert_eq!(fields(&v), [field], "create {body}");
        let (s, v) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/tasks/{tid}"),
                &t.mia,
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "update {body}: {v}");
        assert_eq!(fields(&v), [field], "update {body}");
    }
    assert_eq!(
        get(app, &t.mia, &format!("/api/v1/tasks/{tid}")).await,
        target
    );
    assert_eq!(
        all_items(app, &t.mia, "/api/v1/tasks?archived=all")
            .await
            .len(),
        count
    );
    assert_eq!(app.audit_count().await, audit);

    // The same date is fine in a workshop, whose preparation comes before its start.
    let workshop = create(
        app,
        &t.mia,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Workshop", "template": "training-workshop", "start_date": "2026-11-23"}),
    )
    .await;
    let prep = task(
        app,
        &t.mia,
        &id(&workshop),
        "Print handouts",
        json!({"due_date": "2026-11-20"}),
    )
    .await;
    assert_eq!(prep["due_date"], "2026-11-20");
}
