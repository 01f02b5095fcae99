//! Time: entries, the weekly timesheet, project totals against budget, and whose entries a
//! member may change.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{all_items, client, create, get, id, project, task, team, user_id};

#[tokio::test]
async fn time_adds_up_on_the_timesheet_and_against_the_budget() {
    let t = team().await;
    let app = &t.app;
    let mia = user_id(app, &t.mia).await;
    let max = user_id(app, &t.max).await;
    let cid = client(app, &t.owner, "Northwind").await;
    let pid = id(&project(
        app,
        &t.owner,
        &cid,
        "Pilot",
        json!({"budget_type": "time_and_materials", "budget_value": 4800.5}),
    )
    .await);
    let side = id(&project(app, &t.owner, &cid, "Side", json!({})).await);
    let tid = id(&task(app, &t.owner, &pid, "Build", json!({})).await);
    for (token, body) in [
        (
            &t.mia,
            json!({"project_id": pid, "task_id": tid, "date": "2026-11-24", "minutes": 90, "note": "pairing"}),
        ),
        (
            &t.mia,
            json!({"project_id": pid, "date": "2026-11-26", "minutes": 30, "billable": false}),
        ),
        (
            &t.mia,
            json!({"project_id": side, "date": "2026-11-29", "minutes": 15}),
        ),
        (
            &t.mia,
            json!({"project_id": pid, "date": "2026-11-30", "minutes": 60}),
        ),
        (
            &t.max,
            json!({"project_id": pid, "date": "2026-11-24", "minutes": 45}),
        ),
    ] {
        create(app, token, "/api/v1/time-entries", body).await;
    }

    // Mia's week of Monday 23 November, asked for by any day in it.
    let sheet = get(app, &t.mia, "/api/v1/timesheet?week=2026-11-26").await;
    assert_eq!(sheet["week_start"], "2026-11-23");
    assert_eq!(sheet["user"]["id"], mia.as_str());
    let rows: Vec<(&str, Vec<i64>, i64)> = sheet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["project"]["name"].as_str().unwrap(),
                r["minutes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_i64().unwrap())
                    .collect(),
                r["total"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Pilot", vec![0, 90, 0, 30, 0, 0, 0], 120),
            ("Side", vec![0, 0, 0, 0, 0, 0, 15], 15)
        ]
    );
    assert_eq!(sheet["day_totals"], json!([0, 90, 0, 30, 0, 0, 15]));
    assert_eq!(sheet["total"], 135);
    assert_eq!(sheet["entries"].as_array().unwrap().len(), 3);
    let pairing = sheet["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["note"] == "pairing")
        .unwrap();
    assert_eq!(pairing["task"]["id"], tid.as_str());

    let totals = get(app, &t.viewer, &format!("/api/v1/projects/{pid}/time")).await;
    assert_eq!(totals["minutes"], 90 + 30 + 60 + 45);
    assert_eq!(totals["billable_minutes"], 90 + 60 + 45);
    assert_eq!(totals["budget_type"], "time_and_materials");
    assert_eq!(totals["budget_value"], 4800.5);
    let by_user: Vec<(&str, i64)> = totals["by_user"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["user"]["id"].as_str().unwrap(),
                u["minutes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_user, [(mia.as_str(), 180), (max.as_str(), 45)]);

    // Lists filter by project, person and dates.
    let mine = all_items(
        app,
        &t.max,
        &format!("/api/v1/time-entries?user={mia}&project={pid}&from=2026-11-25"),
    )
    .await;
    let dates: Vec<&str> = mine.iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-11-30", "2026-11-26"], "newest first");
}

#[tokio::test]
async fn a_member_cannot_change_or_delete_someone_elses_time_and_nothing_changes() {
    let t = team().await;
    let app = &t.app;
    let max = user_id(app, &t.max).await;
    let cid = client(app, &t.owner, "Northwind").await;
    let pid = id(&project(app, &t.owner, &cid, "Pilot", json!({})).await);
    let entry = create(
        app,
        &t.mia,
        "/api/v1/time-entries",
        json!({"project_id": pid, "date": "2026-11-24", "minutes": 90}),
    )
    .await;
    let eid = id(&entry);
    let listed = |items: Vec<Value>| items.into_iter().find(|e| e["id"] == eid.as_str()).unwrap();
    let audit = app.audit_count().await;
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/time-entries/{eid}"),
            &t.max,
            Some(json!({"minutes": 5})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/time-entries/{eid}"),
            &t.max,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Nor log time in someone else's name.
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/time-entries",
            &t.mia,
            Some(json!({"project_id": pid, "date": "2026-11-24", "minutes": 10, "user_id": max})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, audit);
    assert_eq!(
        listed(all_items(app, &t.owner, "/api/v1/time-entries").await),
        entry
    );
    assert_eq!(
        all_items(app, &t.owner, "/api/v1/time-entries").await.len(),
        1
    );

    // Its author and an owner may.
    let (s, v) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/time-entries/{eid}"),
            &t.mia,
            Some(json!({"minutes": 75})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/time-entries/{eid}"),
            &t.owner,
            Some(json!({"note": "checked"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let now = listed(all_items(app, &t.owner, "/api/v1/time-entries").await);
    assert_eq!(
        (
            now["minutes"].as_i64(),
            now["note"].as_str(),
            now["version"].as_i64()
        ),
        (Some(75), Some("checked"), Some(3))
    );
}
