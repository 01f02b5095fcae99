//! Projects from templates: the built-in plans land as exactly the planned role slots,
//! milestones and tasks, dated in the workspace's working days; saved workspace templates
//! reproduce a project.

use cairn_domain::delivery::templates::builtin;
use cairn_domain::delivery::workdays::add_working_days;
use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{all_items, client, create, date, fields, get, id, team};
use crate::harness::TestApp;

/// One task as planned or as created: title, due date, priority, milestone name, slot role,
/// estimate.
type TaskLine = (
    String,
    NaiveDate,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// What `key` should create for a project starting on `start`, computed here from the plan.
fn planned(
    key: &str,
    start: NaiveDate,
    working: &[u32],
) -> (Vec<(String, NaiveDate)>, Vec<TaskLine>) {
    let t = builtin(key).unwrap_or_else(|| panic!("built-in {key}"));
    let milestones = t
        .plan
        .milestones
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                add_working_days(start, m.offset_days, working),
            )
        })
        .collect();
    let name_of = |k: &str| {
        t.plan
            .milestones
            .iter()
            .find(|m| m.key == k)
            .unwrap()
            .name
            .clone()
    };
    let role_of = |k: &str| {
        t.plan
            .slots
            .iter()
            .find(|s| s.key == k)
            .unwrap()
            .role
            .clone()
    };
    let mut tasks: Vec<TaskLine> = t
        .plan
        .tasks
        .iter()
        .map(|x| {
            (
                x.title.clone(),
                add_working_days(start, x.offset_days, working),
                x.priority.as_str().to_string(),
                x.milestone.as_deref().map(name_of),
                x.slot.as_deref().map(role_of),
                x.estimate_minutes.map(i64::from),
            )
        })
        .collect();
    tasks.sort();
    (milestones, tasks)
}

/// What project `pid` has: its milestones in order and its tasks, with each task's
/// milestone and slot resolved through the project's own milestone and slot lists (so a link
/// to another project's record cannot pass).
async fn created(
    app: &TestApp,
    token: &str,
    pid: &str,
) -> (Vec<(String, NaiveDate)>, Vec<TaskLine>) {
    let milestones = get(app, token, &format!("/api/v1/projects/{pid}/milestones")).await;
    let milestones = milestones.as_array().unwrap();
    let slots = get(app, token, &format!("/api/v1/projects/{pid}/members")).await;
    let slots = slots.as_array().unwrap();
    let tasks = all_items(app, token, &format!("/api/v1/projects/{pid}/tasks")).await;
    let mut lines: Vec<TaskLine> = tasks
        .iter()
        .map(|t| {
            assert_eq!(t["status"], "todo", "{t}");
            assert_eq!(t["project"]["id"], pid);
            let milestone = t["milestone"]["id"].as_str().map(|m| {
                let found = milestones.iter().find(|x| x["id"] == m);
                found.unwrap_or_else(|| panic!("milestone {m} is not this project's"))["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            });
            let slot = t["slot"]["id"].as_str().map(|s| {
                let found = slots.iter().find(|x| x["id"] == s);
                found.unwrap_or_else(|| panic!("slot {s} is not this project's"))["role"]
                    .as_str()
                    .unwrap()
                    .to_string()
            });
            (
                t["title"].as_str().unwrap().to_string(),
                date(t["due_date"].as_str().unwrap()),
                t["priority"].as_str().unwrap().to_string(),
                milestone,
                slot,
                t["estimate_minutes"].as_i64(),
            )
        })
        .collect();
    lines.sort();
    let milestones = milestones
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                date(m["due_date"].as_str().unwrap()),
            )
        })
        .collect();
    (milestones, lines)
}

/// The workspace's working days, from the settings API.
async fn working_days(app: &TestApp, token: &str) -> Vec<u32> {
    get(app, token, "/api/v1/workspace").await["settings"]["working_days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as u32)
        .collect()
}

#[tokio::test]
async fn poc_pilot_creates_exactly_the_planned_slots_milestones_tasks_and_dates() {
    let t = team().await;
    let app = &t.app;
    let working = working_days(app, &t.owner).await;
    assert_eq!(working, [1, 2, 3, 4, 5], "Monday to Friday by default");
    let cid = client(app, &t.mia, "Northwind").await;
    let p = create(
        app,
        &t.mia,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Pilot", "template": "poc-pilot", "start_date": "2026-11-23"}),
    )
    .await;
    let plan = builtin("poc-pilot").unwrap();
    assert_eq!(p["template"], "poc-pilot");
    assert_eq!(p["project_type"], plan.project_type.as_str());
    assert_eq!(p["start_date"], "2026-11-23");
    let pid = id(&p);

    let start = date("2026-11-23");
    let (want_milestones, want_tasks) = planned("poc-pilot", start, &working);
    let (got_milestones, got_tasks) = created(app, &t.mia, &pid).await;
    assert_eq!(got_milestones, want_milestones);
    assert_eq!(got_tasks, want_tasks);
    assert_eq!(got_tasks.len(), plan.plan.tasks.len());

    // The slots are the plan's roles, in order, open until someone is staffed.
    let slots = get(app, &t.mia, &format!("/api/v1/projects/{pid}/members")).await;
    let roles: Vec<(String, Option<String>, Value)> = slots
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["role"].as_str().unwrap().to_string(),
                s["department"].as_str().map(str::to_string),
                s["user"].clone(),
            )
        })
        .collect();
    let want: Vec<(String, Option<String>, Value)> = plan
        .plan
        .slots
        .iter()
        .map(|s| (s.role.clone(), s.department.clone(), Value::Null))
        .collect();
    assert_eq!(roles, want);
}

#[tokio::test]
async fn all_six_builtin_templates_are_listed_with_their_plans() {
    let t = team().await;
    let list = get(&t.app, &t.viewer, "/api/v1/templates").await;
    let list = list.as_array().unwrap();
    for key in [
        "ai-discovery",
        "poc-pilot",
        "implementation",
        "training-workshop",
        "website-build",
        "shot-production",
    ] {
        let plan = builtin(key).unwrap_or_else(|| panic!("domain has {key}"));
        let listed = list
            .iter()
            .find(|x| x["key"] == key)
            .unwrap_or_else(|| panic!("{key} listed"));
        assert_eq!(listed["builtin"], true, "{key}");
        assert_eq!(listed["name"], plan.name, "{key}");
        assert_eq!(listed["tasks"], plan.plan.tasks.len(), "{key}");
        assert_eq!(listed["milestones"], plan.plan.milestones.len(), "{key}");
        let one = get(&t.app, &t.viewer, &format!("/api/v1/templates/{key}")).await;
        assert_eq!(
            one["plan"]["tasks"].as_array().unwrap().len(),
            plan.plan.tasks.len()
        );
    }
}

#[tokio::test]
async fn the_workspace_working_week_moves_template_dates() {
    let t = team().await;
    let app = &t.app;
    let ws = get(app, &t.owner, "/api/v1/workspace").await;
    let mut settings = ws["settings"].clone();
    settings["working_days"] = json!([1, 2, 3, 4]);
    let (s, v) = app
        .call(
            Method::PATCH,
            "/api/v1/workspace",
            &t.owner,
            Some(json!({"settings": settings})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let working = working_days(app, &t.owner).await;
    assert_eq!(working, [1, 2, 3, 4]);

    let cid = client(app, &t.mia, "Northwind").await;
    let p = create(
        app,
        &t.mia,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Four-day pilot", "template": "poc-pilot", "start_date": "2026-11-23"}),
    )
    .await;
    let start = date("2026-11-23");
    let (want_milestones, want_tasks) = planned("poc-pilot", start, &working);
    let (got_milestones, got_tasks) = created(app, &t.mia, &id(&p)).await;
    assert_eq!(got_milestones, want_milestones);
    assert_eq!(got_tasks, want_tasks);
    // A four-day week really moves the plan: no Friday, and later dates than Monday–Friday.
    let (five_day, _) = planned("poc-pilot", start, &[1, 2, 3, 4, 5]);
    assert_ne!(got_milestones, five_day);
    assert!(
        got_tasks
            .iter()
            .all(|l| l.1.format("%u").to_string() != "5"),
        "no task falls on a Friday"
    );
}

#[tokio::test]
async fn a_project_saved_as_template_recreates_its_plan_from_another_start() {
    let t = team().await;
    let app = &t.app;
    let cid = client(app, &t.mia, "Northwind").await;
    let first = create(
        app,
        &t.mia,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Pilot one", "template": "poc-pilot", "start_date": "2026-11-23"}),
    )
    .await;
    let saved = create(
        app,
        &t.mia,
        &format!("/api/v1/projects/{}/save-as-template", id(&first)),
        json!({"name": "Our pilot", "description": "How we run pilots"}),
    )
    .await;
    assert_eq!(saved["builtin"], false);
    let key = saved["key"].as_str().unwrap().to_string();
    assert_eq!(saved["id"], key.as_str());
    let listed = get(app, &t.mia, "/api/v1/templates").await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["key"] == key.as_str() && x["name"] == "Our pilot")
    );

    let second = create(
        app,
        &t.mia,
        "/api/v1/projects",
        json!({"client_id": cid, "name": "Pilot two", "template": key, "start_date": "2027-01-04"}),
    )
    .await;
    assert_eq!(second["template"], key.as_str());
    let (want_milestones, want_tasks) = planned("poc-pilot", date("2027-01-04"), &[1, 2, 3, 4, 5]);
    let (got_milestones, got_tasks) = created(app, &t.mia, &id(&second)).await;
    assert_eq!(got_milestones, want_milestones);
    assert_eq!(got_tasks, want_tasks);
}

#[tokio::test]
async fn an_unknown_template_names_the_field_and_creates_nothing() {
    let t = team().await;
    let app = &t.app;
    let cid = client(app, &t.mia, "Northwind").await;
    let before = app.audit_count().await;
    for template in ["no-such-template", "0190f5f0-0000-7000-8000-000000000000"] {
        let (s, v) = app
            .call(
                Method::POST,
                "/api/v1/projects",
                &t.mia,
                Some(json!({"client_id": cid, "name": "Ghost", "template": template})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(fields(&v), ["template"], "{template}");
    }
    assert!(
        all_items(app, &t.mia, "/api/v1/projects?archived=all")
            .await
            .is_empty()
    );
    assert!(
        all_items(app, &t.mia, "/api/v1/tasks?archived=all")
            .await
            .is_empty()
    );
    assert_eq!(app.audit_count().await, before);
}
