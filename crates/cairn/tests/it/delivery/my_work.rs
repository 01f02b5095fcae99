//! My work: tasks reach a person directly or through the role slot they fill, and the
//! today/overdue/upcoming views count days in the person's own time zone.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{
    all_items, client, create, far_from_utc, id, lists, project, set_timezone, task, team, titles,
    user_id,
};

#[tokio::test]
async fn staffing_a_role_slot_moves_its_tasks_into_my_work_and_emptying_it_takes_them_out() {
    let t = team().await;
    let app = &t.app;
    let mia = user_id(app, &t.mia).await;
    let cid = client(app, &t.owner, "Northwind").await;
    let pid = id(&project(app, &t.owner, &cid, "Pilot", json!({})).await);
    let slot = create(
        app,
        &t.owner,
        &format!("/api/v1/projects/{pid}/members"),
        json!({"role": "ML engineer", "department": "Engineering"}),
    )
    .await;
    assert_eq!(slot["user"], serde_json::Value::Null);
    let sid = id(&slot);
    let work = id(&task(
        app,
        &t.owner,
        &pid,
        "Build the evaluation set",
        json!({"assignee_slot_id": sid}),
    )
    .await);
    assert!(!lists(
        &all_items(app, &t.mia, "/api/v1/tasks?assignee=me").await,
        &work
    ));

    let (s, v) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/project-members/{sid}"),
            &t.owner,
            Some(json!({"user_id": mia})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["user"]["id"], mia.as_str());
    let mine = all_items(app, &t.mia, "/api/v1/tasks?assignee=me").await;
    assert_eq!(titles(&mine), ["Build the evaluation set"]);
    assert_eq!(mine[0]["assignee"]["id"], mia.as_str());
    assert_eq!(mine[0]["slot"]["id"], sid.as_str());
    assert!(!lists(
        &all_items(app, &t.max, "/api/v1/tasks?assignee=me").await,
        &work
    ));
    assert!(lists(
        &all_items(app, &t.owner, &format!("/api/v1/tasks?assignee={mia}")).await,
        &work
    ));

    let (s, v) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/project-members/{sid}"),
            &t.owner,
            Some(json!({"user_id": null})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!lists(
        &all_items(app, &t.mia, "/api/v1/tasks?assignee=me").await,
        &work
    ));
    let task = super::get(app, &t.mia, &format!("/api/v1/tasks/{work}")).await;
    assert_eq!(task["assignee"], serde_json::Value::Null);
    assert_eq!(task["slot"]["id"], sid.as_str(), "the task keeps its slot");
}

#[tokio::test]
async fn today_overdue_and_upcoming_use_the_users_time_zone_and_skip_done_tasks() {
    let t = team().await;
    let app = &t.app;
    let (tz, today) = far_from_utc();
    set_timezone(app, "mia@acme.test", tz).await;
    assert_eq!(
        super::get(app, &t.mia, "/api/v1/me").await["user"]["timezone"],
        tz
    );
    let mia = user_id(app, &t.mia).await;
    let max = user_id(app, &t.max).await;
    let cid = client(app, &t.owner, "Northwind").await;
    let pid = id(&project(app, &t.owner, &cid, "Retainer", json!({})).await);
    let day = |n: i64| (today + Duration::days(n)).to_string();
    for (title, due, who, status) in [
        ("Yesterday's", day(-1), &mia, "todo"),
        ("Today's", day(0), &mia, "in_progress"),
        ("In three days", day(3), &mia, "todo"),
        ("In ten days", day(10), &mia, "todo"),
        ("Done today", day(0), &mia, "done"),
        ("Done yesterday", day(-1), &mia, "done"),
        ("Cancelled soon", day(2), &mia, "cancelled"),
        ("Max's today", day(0), &max, "todo"),
        ("Undated", String::new(), &mia, "todo"),
    ] {
        let due = if due.is_empty() {
            json!(null)
        } else {
            json!(due)
        };
        task(
            app,
            &t.owner,
            &pid,
            title,
            json!({"due_date": due, "assignee_user_id": who, "status": status}),
        )
        .await;
    }
    for (due, want) in [
        ("today", "Today's"),
        ("overdue", "Yesterday's"),
        ("upcoming", "In three days"),
    ] {
        let path = format!("/api/v1/tasks?assignee=me&due={due}");
        assert_eq!(
            titles(&all_items(app, &t.mia, &path).await),
            [want],
            "{due}"
        );
    }
    // Without a due filter My work lists every task of hers, dated ones first by date.
    assert_eq!(
        titles(&all_items(app, &t.mia, "/api/v1/tasks?assignee=me&status=open").await),
        [
            "Yesterday's",
            "Today's",
            "In three days",
            "In ten days",
            "Undated"
        ]
    );
    let (s, v) = app
        .call(
            Method::GET,
            "/api/v1/tasks?assignee=me&due=someday",
            &t.mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(super::fields(&v), ["due"]);
}

/// The task, the task lists and the board name what a task points at in the same way: its
/// project, client and milestone, its slot's role, and its assignee (set directly, or
/// whoever fills the slot).
#[tokio::test]
async fn every_task_view_names_the_project_client_milestone_slot_and_assignee() {
    let t = team().await;
    let app = &t.app;
    let me = |token| async move { super::get(app, token, "/api/v1/me").await["user"].clone() };
    let (mia, max) = (me(&t.mia).await, me(&t.max).await);
    assert!(mia["name"].is_string() && mia["name"] != max["name"]);
    let cid = client(app, &t.owner, "Northwind").await;
    let pid = id(&project(app, &t.owner, &cid, "Pilot", json!({})).await);
    let milestone = id(&create(
        app,
        &t.owner,
        &format!("/api/v1/projects/{pid}/milestones"),
        json!({"name": "Beta"}),
    )
    .await);
    let sid = id(&create(
        app,
        &t.owner,
        &format!("/api/v1/projects/{pid}/members"),
        json!({"role": "ML engineer", "user_id": mia["id"]}),
    )
    .await);
    let through_slot = id(&task(
        app,
        &t.owner,
        &pid,
        "Through the slot",
        json!({"assignee_slot_id": sid, "milestone_id": milestone}),
    )
    .await);
    let direct = id(&task(
        app,
        &t.owner,
        &pid,
        "Direct",
        json!({"assignee_user_id": max["id"]}),
    )
    .await);

    let board = super::get(app, &t.owner, &format!("/api/v1/projects/{pid}/board")).await;
    let on_board: Vec<serde_json::Value> = board
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tasks"].as_array().unwrap().clone())
        .collect();
    let listed = all_items(app, &t.owner, &format!("/api/v1/tasks?project={pid}")).await;
    let find = |items: &[serde_json::Value], id: &str| {
        items.iter().find(|t| t["id"] == id).cloned().unwrap()
    };
    // The same task as the task API, the task list and the board show it.
    let views = async |id: &str| {
        [
            (
                "task",
                super::get(app, &t.owner, &format!("/api/v1/tasks/{id}")).await,
            ),
            ("list", find(&listed, id)),
            ("board", find(&on_board, id)),
        ]
    };
    for (label, view) in views(&through_slot).await {
        assert_eq!(view["slot"]["role"], "ML engineer", "{label}: {view}");
        assert_eq!(view["assignee"]["id"], mia["id"], "{label}: {view}");
        assert_eq!(view["assignee"]["name"], mia["name"], "{label}: {view}");
        if label != "board" {
            // A card names no project, client or milestone: the board is the project's.
            assert_eq!(view["project"]["name"], "Pilot", "{label}: {view}");
            assert_eq!(view["client"]["name"], "Northwind", "{label}: {view}");
            assert_eq!(view["milestone"]["name"], "Beta", "{label}: {view}");
        }
    }
    for (label, view) in views(&direct).await {
        assert_eq!(view["slot"], serde_json::Value::Null, "{label}: {view}");
        assert_eq!(view["assignee"]["id"], max["id"], "{label}: {view}");
        assert_eq!(view["assignee"]["name"], max["name"], "{label}: {view}");
        if label != "board" {
            assert_eq!(
                view["milestone"],
                serde_json::Value::Null,
                "{label}: {view}"
            );
        }
    }
}
