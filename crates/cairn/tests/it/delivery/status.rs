//! Project status: the Markdown summary against a golden file, days counted in the reader's
//! time zone, and the health history.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    client, create, far_from_utc, get, id, patch, project, set_timezone, task, team, user_id,
};
use crate::harness::TestApp;

async fn set_health(app: &TestApp, token: &str, pid: &str, health: &str, summary: &str) -> Value {
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/projects/{pid}/health"),
            token,
            Some(json!({"health": health, "summary": summary})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

#[tokio::test]
async fn the_markdown_summary_matches_the_golden_file() {
    let t = team().await;
    let app = &t.app;
    assert_eq!(
        get(app, &t.owner, "/api/v1/me").await["user"]["timezone"],
        "UTC"
    );
    let mia = user_id(app, &t.mia).await;
    let cid = client(app, &t.owner, "Northwind Analytics").await;
    let pid = id(&project(
        app,
        &t.owner,
        &cid,
        "Pilot Alpha",
        json!({"start_date": "2020-01-06", "budget_type": "fixed", "budget_value": 12000}),
    )
    .await);
    let kickoff = id(&create(
        app,
        &t.owner,
        &format!("/api/v1/projects/{pid}/milestones"),
        json!({"name": "Kick-off", "due_date": "2020-01-10"}),
    )
    .await);
    patch(
        app,
        &t.owner,
        &format!("/api/v1/milestones/{kickoff}"),
        json!({"status": "done"}),
    )
    .await;
    let launch = id(&create(
        app,
        &t.owner,
        &format!("/api/v1/projects/{pid}/milestones"),
        json!({"name": "Launch", "due_date": "2099-06-30"}),
    )
    .await);

    let brief = id(&task(
        app,
        &t.owner,
        &pid,
        "Write the brief",
        json!({"due_date": "2020-01-08"}),
    )
    .await);
    let review = id(&task(
        app,
        &t.owner,
        &pid,
        "Review *draft* #1",
        json!({"assignee_user_id": mia, "priority": "p1", "milestone_id": launch}),
    )
    .await);
    task(
        app,
        &t.owner,
        &pid,
        "Collect feedback",
        json!({"due_date": "2020-02-03", "assignee_user_id": mia}),
    )
    .await;
    let prepare = id(&task(
        app,
        &t.owner,
        &pid,
        "Prepare launch",
        json!({"due_date": "2099-06-01", "priority": "p0", "milestone_id": launch}),
    )
    .await);
    let train = id(&task(
        app,
        &t.owner,
        &pid,
        "Train users",
        json!({"due_date": "2099-06-15", "milestone_id": launch}),
    )
    .await);
    task(
        app,
        &t.owner,
        &pid,
        "Fix login",
        json!({"status": "blocked", "priority": "p3"}),
    )
    .await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{train}/dependencies"),
            &t.owner,
            Some(json!({"depends_on": prepare})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for done in [&brief, &review] {
        patch(
            app,
            &t.owner,
            &format!("/api/v1/tasks/{done}"),
            json!({"status": "done"}),
        )
        .await;
    }
    set_health(app, &t.owner, &pid, "on_track", "Kick-off went well").await;
    set_health(app, &t.owner, &pid, "at_risk", "Data access is late").await;
    for (day, minutes) in [("2020-03-02", 90), ("2020-03-03", 45)] {
        create(
            app,
            &t.owner,
            "/api/v1/time-entries",
            json!({"project_id": pid, "date": day, "minutes": minutes}),
        )
        .await;
    }

    let r = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/projects/{pid}/summary?from=2020-01-01&to=2099-12-31&format=markdown"
            ),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown"),
        "{:?}",
        r.headers()["content-type"]
    );
    // Completion and health dates are today's; every other date is fixed far away.
    let today = chrono::Utc::now().date_naive().to_string();
    let markdown = r.text().await.unwrap().replace(&today, "{today}");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/golden/project_summary.md"
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, &markdown).unwrap();
    }
    let golden = std::fs::read_to_string(path)
        .expect("golden file missing: run with UPDATE_GOLDEN=1 to create it");
    assert!(
        markdown == golden,
        "the summary differs from {path}; review, then run with UPDATE_GOLDEN=1:\n{markdown}"
    );
    for must in [
        "Write the brief",
        "Review \\*draft\\* #1",
        "Prepare launch",
        "Train users",
        "Collect feedback",
        "At risk",
    ] {
        assert!(markdown.contains(must), "{must} in\n{markdown}");
    }
}

#[tokio::test]
async fn a_summary_counts_days_in_the_readers_time_zone() {
    let t = team().await;
    let app = &t.app;
    let (tz, today) = far_from_utc();
    set_timezone(app, "mia@acme.test", tz).await;
    let cid = client(app, &t.mia, "Northwind").await;
    let pid = id(&project(app, &t.mia, &cid, "Pilot", json!({})).await);
    let done = id(&task(app, &t.mia, &pid, "Finished just now", json!({})).await);
    patch(
        app,
        &t.mia,
        &format!("/api/v1/tasks/{done}"),
        json!({"status": "done"}),
    )
    .await;
    set_health(app, &t.mia, &pid, "on_track", "Fine").await;

    let s = get(
        app,
        &t.mia,
        &format!("/api/v1/projects/{pid}/summary?from={today}&to={today}"),
    )
    .await;
    let completed: Vec<(&str, &str)> = s["completed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["title"].as_str().unwrap(),
                c["completed"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        completed,
        [("Finished just now", today.to_string().as_str())],
        "{tz}"
    );
    assert_eq!(s["health_updated"], today.to_string(), "{tz}");
    // The default range is the reader's current week.
    let week = get(app, &t.mia, &format!("/api/v1/projects/{pid}/summary")).await;
    assert_eq!(week["completed"].as_array().unwrap().len(), 1, "{week}");
}

#[tokio::test]
async fn health_history_lists_every_setting_newest_first() {
    let t = team().await;
    let app = &t.app;
    let mia = user_id(app, &t.mia).await;
    let cid = client(app, &t.mia, "Northwind").await;
    let pid = id(&project(app, &t.mia, &cid, "Pilot", json!({})).await);
    assert_eq!(
        get(app, &t.mia, &format!("/api/v1/projects/{pid}/health")).await,
        json!([])
    );
    set_health(app, &t.mia, &pid, "on_track", "All good").await;
    let p = set_health(app, &t.mia, &pid, "off_track", "Vendor went bust").await;
    assert_eq!(
        (p["health"].as_str(), p["health_summary"].as_str()),
        (Some("off_track"), Some("Vendor went bust"))
    );
    let history = get(app, &t.viewer, &format!("/api/v1/projects/{pid}/health")).await;
    let entries: Vec<(&str, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["health"].as_str().unwrap(),
                h["summary"].as_str().unwrap(),
                h["set_by"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("off_track", "Vendor went bust", mia.as_str()),
            ("on_track", "All good", mia.as_str())
        ]
    );
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/projects/{pid}/health"),
            &t.mia,
            Some(json!({"health": "fine"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(super::fields(&v), ["health"]);
    assert_eq!(
        get(app, &t.mia, &format!("/api/v1/projects/{pid}/health")).await,
        history
    );
}
