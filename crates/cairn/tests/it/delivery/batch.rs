//! Batch edit, archive and duplicate are all or nothing: one bad id or one change that does
//! not hold for one task writes nothing at all.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{all_items, client, create, fields, id, project, task, team};
use crate::harness::TestApp;

/// Every task the caller can see (archived too), by id, for before/after comparisons.
async fn snapshot(app: &TestApp, token: &str) -> Vec<Value> {
    let mut all = all_items(app, token, "/api/v1/tasks?archived=all").await;
    all.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    all
}

#[tokio::test]
async fn a_batch_with_one_bad_id_or_change_writes_nothing_and_a_good_one_changes_all() {
    let t = team().await;
    let app = &t.app;
    let cid = client(app, &t.owner, "Northwind").await;
    let hidden = create(
        app,
        &t.owner,
        "/api/v1/clients",
        json!({"name": "Hidden Co", "visibility": "restricted", "access": []}),
    )
    .await;
    let one = id(&project(app, &t.owner, &cid, "One", json!({})).await);
    let two = id(&project(app, &t.owner, &cid, "Two", json!({})).await);
    let secret = id(&project(app, &t.owner, &id(&hidden), "Secret", json!({})).await);
    let milestone = id(&create(
        app,
        &t.owner,
        &format!("/api/v1/projects/{one}/milestones"),
        json!({"name": "Beta"}),
    )
    .await);
    let a = id(&task(app, &t.mia, &one, "Alpha", json!({})).await);
    let b = id(&task(app, &t.mia, &one, "Bravo", json!({})).await);
    let c = id(&task(app, &t.mia, &two, "Charlie", json!({})).await);
    let invisible = id(&task(app, &t.owner, &secret, "Hidden work", json!({})).await);
    let other_ws = {
        app.owner("Other", "oz@other.test").await;
        let oz = app.token("oz@other.test").await;
        let ocid = client(app, &oz, "Theirs").await;
        let op = id(&project(app, &oz, &ocid, "Theirs", json!({})).await);
        id(&task(app, &oz, &op, "Their task", json!({})).await)
    };
    let nonexistent = "0190f5f0-0000-7000-8000-000000000000".to_string();

    let before = snapshot(app, &t.owner).await;
    let audit = app.audit_count().await;
    let refused: Vec<(Value, &str)> = vec![
        (
            json!({"ids": [a, b, other_ws], "changes": {"priority": "p0"}}),
            "ids",
        ),
        (
            json!({"ids": [a, b, invisible], "changes": {"priority": "p0"}}),
            "ids",
        ),
        (
            json!({"ids": [a, nonexistent, b], "changes": {"priority": "p0"}}),
            "ids",
        ),
        // The milestone is project One's: valid for Alpha and Bravo, not for Charlie.
        (
            json!({"ids": [a, b, c], "changes": {"milestone_id": milestone, "priority": "p0"}}),
            "milestone_id",
        ),
        (
            json!({"ids": [a, b], "changes": {"priority": "p7"}}),
            "priority",
        ),
        (json!({"ids": [a, b], "changes": {}}), "changes"),
    ];
    for (body, field) in refused {
        let (s, v) = app
            .call(
                Method::POST,
                "/api/v1/tasks/batch",
                &t.mia,
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(fields(&v), [field], "{body}");
    }
    for path in [
        "/api/v1/tasks/batch/archive",
        "/api/v1/tasks/batch/duplicate",
    ] {
        for bad in [&other_ws, &invisible, &nonexistent] {
            let (s, v) = app
                .call(
                    Method::POST,
                    path,
                    &t.mia,
                    Some(json!({"ids": [a, b, bad]})),
                )
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path} {bad}: {v}");
            assert_eq!(fields(&v), ["ids"], "{path}");
        }
    }
    assert_eq!(
        snapshot(app, &t.owner).await,
        before,
        "versions and fields unchanged"
    );
    assert_eq!(app.audit_count().await, audit);

    // Good batches change every task named.
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/tasks/batch",
            &t.mia,
            Some(json!({"ids": [a, b, c], "changes": {"priority": "p0", "status": "in_progress"}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = snapshot(app, &t.owner).await;
    for (was, now) in before.iter().zip(&after) {
        let named = [&a, &b, &c].iter().any(|x| was["id"] == x.as_str());
        if named {
            assert_eq!(now["version"], was["version"].as_i64().unwrap() + 1);
            assert_eq!(
                (now["priority"].as_str(), now["status"].as_str()),
                (Some("p0"), Some("in_progress"))
            );
        } else {
            assert_eq!(now, was, "a task outside the batch");
        }
    }

    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/tasks/batch/duplicate",
            &t.mia,
            Some(json!({"ids": [a, c]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mut copies: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["title"].as_str().unwrap())
        .collect();
    copies.sort();
    assert_eq!(copies, ["Alpha (copy)", "Charlie (copy)"]);

    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/tasks/batch/archive",
            &t.mia,
            Some(json!({"ids": [a, b]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["changed"], 2);
    let live = all_items(app, &t.mia, "/api/v1/tasks").await;
    assert!(!super::lists(&live, &a) && !super::lists(&live, &b) && super::lists(&live, &c));
    let archived = all_items(app, &t.mia, "/api/v1/tasks?archived=true").await;
    assert_eq!(archived.len(), 2);
}
