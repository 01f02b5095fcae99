//! Quick capture: a preview shows what a line was read as and saves nothing; saving makes the
//! task; a line it cannot read still becomes a task with that line as its title.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    all_items, client, create, far_from_utc, fields, get, id, set_timezone, team, user_id,
};

#[tokio::test]
async fn a_preview_shows_the_reading_and_saving_makes_that_task() {
    let t = team().await;
    let app = &t.app;
    app.user("acme", "jane@acme.test", "member").await;
    let jane = user_id(app, &app.token("jane@acme.test").await).await;
    let (tz, today) = far_from_utc();
    set_timezone(app, "mia@acme.test", tz).await;
    let tomorrow = (today + Duration::days(1)).to_string();
    let acme = client(app, &t.owner, "Acme").await;
    client(app, &t.owner, "Globex").await;
    let ops = id(&create(app, &t.owner, "/api/v1/tags", json!({"name": "ops"})).await);
    let line = "Renew SSL for Acme tomorrow !p1 #ops @jane";

    let tasks_before = all_items(app, &t.mia, "/api/v1/tasks?archived=all")
        .await
        .len();
    let audit_before = app.audit_count().await;
    let (s, seen) = app
        .call(
            Method::POST,
            "/api/v1/capture",
            &t.mia,
            Some(json!({"text": line, "preview": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert_eq!(seen["saved"], false);
    assert_eq!(seen["title"], "Renew SSL");
    assert_eq!(seen["client"]["id"], acme.as_str());
    assert_eq!(seen["due_date"], tomorrow.as_str(), "tomorrow in {tz}");
    assert_eq!(seen["priority"], "p1");
    assert_eq!(seen["tags"][0]["id"], ops.as_str());
    assert_eq!(seen["assignee"]["id"], jane.as_str());
    assert_eq!(seen["task"], Value::Null);
    let kinds: Vec<&str> = seen["understood"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["client", "date", "priority", "tag", "assignee"]);
    assert_eq!(
        all_items(app, &t.mia, "/api/v1/tasks?archived=all")
            .await
            .len(),
        tasks_before,
        "a preview saves nothing"
    );
    assert_eq!(app.audit_count().await, audit_before);

    let (s, saved) = app
        .call(
            Method::POST,
            "/api/v1/capture",
            &t.mia,
            Some(json!({"text": line, "preview": false})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["saved"], true);
    let task = get(
        app,
        &t.mia,
        &format!("/api/v1/tasks/{}", id(&saved["task"])),
    )
    .await;
    assert_eq!(task["title"], "Renew SSL");
    assert_eq!(task["client"]["id"], acme.as_str());
    assert_eq!(task["project"], Value::Null);
    assert_eq!(task["due_date"], tomorrow.as_str());
    assert_eq!(task["priority"], "p1");
    assert_eq!(task["tags"].as_array().unwrap().len(), 1);
    assert_eq!(task["tags"][0]["id"], ops.as_str());
    assert_eq!(task["assignee_user_id"], jane.as_str());
}

#[tokio::test]
async fn a_line_it_cannot_read_becomes_a_plain_title() {
    let t = team().await;
    let app = &t.app;
    client(app, &t.owner, "Acme").await;
    let long = "word ".repeat(600);
    for line in [
        "!!! ??? ...",
        "@nobody #nothing !p9 ~~~",
        "for on at re by",
        "ünïcødé ✨ 🚀 <script>alert(1)</script>",
        "'; DROP TABLE tasks; --",
        long.as_str(),
    ] {
        let (s, v) = app
            .call(
                Method::POST,
                "/api/v1/capture",
                &t.mia,
                Some(json!({"text": line})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{line:?}: {v}");
        let task = get(app, &t.mia, &format!("/api/v1/tasks/{}", id(&v["task"]))).await;
        let plain: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let title = task["title"].as_str().unwrap();
        if plain.chars().count() <= 200 {
            assert_eq!(title, plain, "{line:?}");
        } else {
            assert!(plain.starts_with(title), "{title:?}");
            assert!((150..=200).contains(&title.chars().count()), "{title:?}");
        }
        assert_eq!(task["client"], Value::Null, "{line:?}");
        assert_eq!(task["due_date"], Value::Null, "{line:?}");
    }
    // A line with nothing in it has no title to save: the field at fault is the text.
    let before = app.audit_count().await;
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/capture",
            &t.mia,
            Some(json!({"text": " \t\u{0} "})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(fields(&v), ["text"]);
    assert_eq!(app.audit_count().await, before);
}
