//! Delivery through the API: projects from templates, tasks and their dependencies, boards,
//! work views, quick capture, status summaries, time, history, client visibility and the role
//! matrix. One subject per submodule; the team and request helpers they share live here.

mod batch;
mod board;
mod capture;
mod dependencies;
mod history;
mod input;
mod my_work;
mod roles;
mod status;
mod templates;
mod time;
mod visibility;

use chrono::{NaiveDate, Timelike};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

/// An app with an owner (ann), two members (mia, max) and a viewer (vic) in Acme.
pub struct Team {
    pub app: TestApp,
    pub owner: String,
    pub mia: String,
    pub max: String,
    pub viewer: String,
}

pub async fn team() -> Team {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "mia@acme.test", "member").await;
    app.user("acme", "max@acme.test", "member").await;
    app.user("acme", "vic@acme.test", "viewer").await;
    Team {
        owner: app.token("ann@acme.test").await,
        mia: app.token("mia@acme.test").await,
        max: app.token("max@acme.test").await,
        viewer: app.token("vic@acme.test").await,
        app,
    }
}

/// The caller's user id.
pub async fn user_id(app: &TestApp, token: &str) -> String {
    get(app, token, "/api/v1/me").await["user"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The fields a problem document names, in order.
pub fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A record's id.
pub fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

/// GET that must answer 200.
pub async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (s, v) = app.call(Method::GET, path, token, None).await;
    assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
    v
}

/// POST that must answer 201.
pub async fn create(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, v) = app.call(Method::POST, path, token, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "POST {path}: {v}");
    v
}

/// PATCHes `body` to `path`, expecting 200; returns the answer.
pub async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, v) = app.call(Method::PATCH, path, token, Some(body)).await;
    assert_eq!(s, StatusCode::OK, "PATCH {path}: {v}");
    v
}

/// Restricts client `id` to owners and admins, expecting 200.
pub async fn restrict(app: &TestApp, token: &str, id: &str) {
    let path = format!("/api/v1/clients/{id}/access");
    let body = json!({"visibility": "restricted", "users": []});
    let (s, v) = app.call(Method::PUT, &path, token, Some(body)).await;
    assert_eq!(s, StatusCode::OK, "PUT {path}: {v}");
}

/// A client visible to everyone; returns its id.
pub async fn client(app: &TestApp, token: &str, name: &str) -> String {
    id(&create(app, token, "/api/v1/clients", json!({"name": name})).await)
}

/// A project of `client_id` without a template; `extra` fields are merged into the body.
pub async fn project(
    app: &TestApp,
    token: &str,
    client_id: &str,
    name: &str,
    extra: Value,
) -> Value {
    let mut body = json!({"client_id": client_id, "name": name});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    create(app, token, "/api/v1/projects", body).await
}

/// A task in project `project_id`; `extra` fields are merged into the body.
pub async fn task(
    app: &TestApp,
    token: &str,
    project_id: &str,
    title: &str,
    extra: Value,
) -> Value {
    let mut body = json!({"title": title});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    create(
        app,
        token,
        &format!("/api/v1/projects/{project_id}/tasks"),
        body,
    )
    .await
}

/// Every item of a cursor-paginated list, 200 at a time.
pub async fn all_items(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=200&cursor={c}"),
            None => format!("{path}{sep}limit=200"),
        };
        let page = get(app, token, &url).await;
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    out
}

/// The `title`s of tasks, in list order.
pub fn titles(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

/// Whether a list holds the record with `id`.
pub fn lists(items: &[Value], id: &str) -> bool {
    items.iter().any(|x| x["id"] == id)
}

/// Sets a user's time zone. The JSON API has no profile endpoint, so this goes through the
/// profile form like a person would.
pub async fn set_timezone(app: &TestApp, email: &str, tz: &str) {
    let b = app.browser_login(email, PASSWORD).await;
    let csrf = b.csrf("/settings/profile").await;
    let name = format!("User {email}");
    let r = b
        .post_form(
            "/settings/profile",
            &[("_csrf", &csrf), ("name", &name), ("timezone", tz)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "profile saved");
}

/// A time zone whose calendar date differs from UTC's right now, and that date: Kiritimati
/// (UTC+14, no daylight saving) from 10:00 UTC, Pago Pago (UTC−11) before. A view computing
/// "today" in UTC instead of the user's zone picks the wrong day with either.
pub fn far_from_utc() -> (&'static str, NaiveDate) {
    let now = chrono::Utc::now();
    let (tz, hours) = if now.hour() >= 10 {
        ("Pacific/Kiritimati", 14)
    } else {
        ("Pacific/Pago_Pago", -11)
    };
    let today = (now + chrono::Duration::hours(hours)).date_naive();
    assert_ne!(today, now.date_naive(), "{tz} is on another day than UTC");
    (tz, today)
}

/// Parses `YYYY-MM-DD`.
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
