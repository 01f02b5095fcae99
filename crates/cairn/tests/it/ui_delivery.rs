//! The delivery pages over HTTP: forms and htmx fragments for tasks, dependencies, comments,
//! batch actions, quick capture, time, projects and templates, and which controls each role
//! is shown. The browser journey (browser.rs) covers drag and drop and the header in Chromium.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Browser, PASSWORD, TestApp};
use cairn_core::delivery::tasks::{TaskFilter, TaskView};

/// Ann (owner), Mia (member) and Vic (viewer) of Acme, the client Harbour Lights, and a
/// project from the PoC / Pilot template starting on Monday 2026-11-23.
struct World {
    app: TestApp,
    ann: Browser,
    owner: String,
    mia_id: String,
    client: String,
    project: String,
}

impl World {
    async fn new() -> World {
        let app = TestApp::spawn().await;
        app.owner("Acme", "ann@acme.test").await;
        app.user("acme", "mia@acme.test", "member").await;
        app.user("acme", "vic@acme.test", "viewer").await;
        let owner = app.token("ann@acme.test").await;
        let mia = app.token("mia@acme.test").await;
        let mia_id = app.call(Method::GET, "/api/v1/me", &mia, None).await.1["user"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, client) = app
            .call(
                Method::POST,
                "/api/v1/clients",
                &owner,
                Some(json!({"name": "Harbour Lights", "status": "active"})),
            )
            .await;
        let client = client["id"].as_str().unwrap().to_string();
        let ann = app.browser_login("ann@acme.test", PASSWORD).await;
        let csrf = ann.csrf("/projects/new").await;
        let r = ann
            .post_form(
                "/projects",
                &[
                    ("_csrf", &csrf),
                    ("client_id", &client),
                    ("name", "Claims triage pilot"),
                    ("status", "active"),
                    ("start_date", "2026-11-23"),
                    ("template", "poc-pilot"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let project = location
            .trim_start_matches("/projects/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        World {
            app,
            ann,
            owner,
            mia_id,
            client,
            project,
        }
    }

    async fn actor(&self) -> cairn_core::Actor {
        self.app.actor(&self.owner).await
    }

    async fn tasks(&self) -> Vec<TaskView> {
        let filter = TaskFilter {
            project: Some(self.project.parse().unwrap()),
            archived: Some("all".into()),
            ..Default::default()
        };
        let page = cairn_core::page::PageRequest {
            limit: Some(200),
            cursor: None,
        };
        let mut tasks = self
            .app
            .cairn
            .list_tasks(&self.actor().await, &filter, &page)
            .await
            .unwrap()
            .items;
        tasks.sort_by_key(|t| (t.due_date, t.title.clone()));
        tasks
    }

    async fn task(&self, id: &str) -> TaskView {
        self.app
            .cairn
            .get_task(&self.actor().await, id.parse().unwrap())
            .await
            .unwrap()
    }

    async fn login(&self, email: &str) -> Browser {
        self.app.browser_login(email, PASSWORD).await
    }
}

async fn text(b: &Browser, path: &str) -> String {
    let r = b.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// An htmx request: the header and the anti-CSRF token the page's script sends.
async fn htmx(
    b: &Browser,
    app: &TestApp,
    path: &str,
    csrf: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    b.client
        .post(app.url(path))
        .header("hx-request", "true")
        .header("x-csrf-token", csrf)
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_task_form_saves_every_field_and_a_cycle_is_refused_beside_the_dependency_form() {
    let w = World::new().await;
    let tasks = w.tasks().await;
    let (first, second) = (tasks[0].id.to_string(), tasks[1].id.to_string());
    let csrf = w.ann.csrf(&format!("/tasks/{first}")).await;
    let milestone = tasks[0].milestone.as_ref().unwrap().id.to_string();
    let r = w
        .ann
        .post_form(
            &format!("/tasks/{first}/edit"),
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("title", "Agree the success criteria"),
                ("description", "Write them **down**."),
                ("status", "in_progress"),
                ("priority", "p0"),
                ("due_date", "2026-12-01"),
                ("assignee", &format!("u:{}", w.mia_id)),
                ("project_id", &w.project),
                ("client_id", &w.client),
                ("milestone_id", &milestone),
                ("estimate", "1:30"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let t = w.task(&first).await;
    assert_eq!(t.title, "Agree the success criteria");
    assert_eq!(
        (t.status.as_str(), t.priority.as_str()),
        ("in_progress", "p0")
    );
    assert_eq!(t.due_date.unwrap().to_string(), "2026-12-01");
    assert_eq!(t.estimate_minutes, Some(90));
    assert_eq!(t.assignee_user_id.unwrap().to_string(), w.mia_id);
    assert!(t.slot.is_none(), "a person replaces the role slot");
    let page = text(&w.ann, &format!("/tasks/{first}")).await;
    assert!(page.contains("Write them <strong>down</strong>."));
    assert!(page.contains(r#"value="1h 30m""#));

    // A bad estimate names its field and keeps what was typed.
    let r = w
        .ann
        .post_form(
            &format!("/tasks/{first}/edit"),
            &[("_csrf", &csrf), ("title", "Kept"), ("estimate", "soon")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("must be minutes (90), h:mm (1:30) or hours (1.5h)"));
    assert!(page.contains(r#"value="Kept""#));

    // The second task waits for the first; the reverse would be a cycle.
    let r = w
        .ann
        .post_form(
            &format!("/tasks/{second}/dependencies"),
            &[("_csrf", &csrf), ("other", &first)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = text(&w.ann, &format!("/tasks/{second}")).await;
    assert!(page.contains("<strong>Blocked.</strong> Waits for"));
    assert!(page.contains("Agree the success criteria"));
    let r = w
        .ann
        .post_form(
            &format!("/tasks/{first}/dependencies"),
            &[
                ("_csrf", &csrf),
                ("other", &format!("http://cairn.example/tasks/{second}")),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(
            r#"<p class="field-error" role="alert">this dependency would create a cycle"#
        ),
        "the cycle is named beside the form"
    );
    // The picker searches the same project's tasks.
    let options = text(
        &w.ann,
        &format!("/tasks/{first}/dependency-options?q=evaluation"),
    )
    .await;
    assert!(options.contains("Build the evaluation set") && !options.contains("Agree the success"));
    let r = w
        .ann
        .post_form(
            &format!("/tasks/{first}/dependencies/remove"),
            &[
                ("_csrf", &csrf),
                ("other", &second),
                ("direction", "blocks"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(w.task(&second).await.blocked_by.is_empty());

    // History: the edit is v2; reverting to v1 brings the title back as v3.
    let history = text(&w.ann, &format!("/tasks/{first}/history")).await;
    assert!(history.contains("Agree success criteria and metrics"));
    let r = w
        .ann
        .post_form(
            &format!("/tasks/{first}/revert"),
            &[("_csrf", &csrf), ("version", "2"), ("to", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let t = w.task(&first).await;
    assert_eq!(
        (t.title.as_str(), t.version),
        ("Agree success criteria and metrics", 3)
    );
}

#[tokio::test]
async fn comments_are_added_and_only_their_author_or_an_admin_may_delete_them() {
    let w = World::new().await;
    let task = w.tasks().await[0].id.to_string();
    let mia = w.login("mia@acme.test").await;
    let csrf = mia.csrf("/work").await;
    let r = mia
        .post_form(
            &format!("/tasks/{task}/comments"),
            &[("_csrf", &csrf), ("body", "Drafted the *criteria*.")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = mia
        .post_form(
            &format!("/tasks/{task}/comments"),
            &[("_csrf", &csrf), ("body", "  ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("is required"));
    let ann_csrf = w.ann.csrf("/work").await;
    w.ann
        .post_form(
            &format!("/tasks/{task}/comments"),
            &[("_csrf", &ann_csrf), ("body", "Thanks!")],
        )
        .await;
    let comments = w
        .app
        .cairn
        .list_comments(&w.actor().await, task.parse().unwrap())
        .await
        .unwrap();
    let (mias, anns) = (comments[0].id.to_string(), comments[1].id.to_string());
    let page = text(&mia, &format!("/tasks/{task}")).await;
    assert!(page.contains("Drafted the <em>criteria</em>."));
    assert!(page.contains(&format!("/comments/{mias}/delete")));
    assert!(!page.contains(&format!("/comments/{anns}/delete")));
    let r = mia
        .post_form(&format!("/comments/{anns}/delete"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = text(&w.ann, &format!("/tasks/{task}")).await;
    assert!(
        page.contains(&format!("/comments/{mias}/delete")),
        "owners delete any"
    );
    let r = mia
        .post_form(
            &format!("/comments/{mias}/delete"),
            &[
                ("_csrf", &csrf),
                ("back", &format!("/tasks/{task}#comments")),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with(&format!("/tasks/{task}?notice=")));
}

#[tokio::test]
async fn list_rows_edit_inline_through_htmx_and_a_stale_row_gets_a_plain_message() {
    let w = World::new().await;
    let task = w.tasks().await[0].id.to_string();
    let csrf = w.ann.csrf("/work").await;
    let path = format!("/tasks/{task}/inline");
    // A list sends the pickers' options once; each row carries its current one, so a task on
    // a role slot shows that slot even where the picker lists no slots (My work).
    let before = w.task(&task).await;
    let slot = before
        .slot
        .as_ref()
        .expect("template tasks start on a role slot");
    let page = text(&w.ann, &format!("/projects/{}/tasks", w.project)).await;
    for kind in ["status", "priority", "assignee"] {
        let template = format!(r#"<template data-options-for="{kind}">"#);
        assert_eq!(page.matches(&template).count(), 1, "{kind}");
    }
    assert!(page.contains(&format!(r#"<option value="s:{}">{}"#, slot.id, slot.role)));
    assert!(page.contains(&format!(r#"<option value="u:{}">"#, w.mia_id)));
    let current = format!(
        r#"<option value="s:{}" selected>{} (open)</option>"#,
        slot.id, slot.role
    );
    assert!(page.contains(&current), "{page}");
    assert!(
        text(&w.ann, "/work?assignee=anyone")
            .await
            .contains(&current)
    );
    let r = htmx(
        &w.ann,
        &w.app,
        &path,
        &csrf,
        &[
            ("version", "1"),
            ("field", "status"),
            ("status", "done"),
            ("context", "project"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let row = r.text().await.unwrap();
    assert!(row.starts_with(&format!("<tr id=\"task-{task}\"")), "{row}");
    // Each picker carries its current option; the page holds the rest (task_row_options).
    assert!(row.contains(r#"<option value="done" selected>Done</option></select>"#));
    assert!(
        row.contains(r#"hx-vals='{"version": 2, "context": "project"}'"#)
            && row.contains(r#"hx-post="/tasks/"#)
            && row.contains(r#"hx-vals='{"field": "status"}'"#),
        "the row's controls post the new version: {row}"
    );
    for (field, value) in [
        ("priority", "p3"),
        ("due_date", "2026-12-24"),
        ("assignee", ""),
    ] {
        let version = w.task(&task).await.version.to_string();
        let r = htmx(
            &w.ann,
            &w.app,
            &path,
            &csrf,
            &[
                ("version", &version),
                ("field", field),
                (field, value),
                ("context", "work"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK, "{field}");
    }
    let t = w.task(&task).await;
    assert_eq!(
        (t.priority.as_str(), t.due_date.unwrap().to_string()),
        ("p3", "2026-12-24".into())
    );
    assert!(t.assignee.is_none() && t.slot.is_none());
    let r = htmx(
        &w.ann,
        &w.app,
        &path,
        &csrf,
        &[("version", "1"), ("field", "priority"), ("priority", "p0")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(r.text().await.unwrap().contains("Reload the page"));
}

async fn post_batch(w: &World, form: Vec<(&'static str, String)>) -> reqwest::Response {
    w.ann
        .client
        .post(w.app.url("/tasks/batch"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn batch_actions_change_duplicate_and_archive_the_ticked_tasks_all_or_nothing() {
    let w = World::new().await;
    let tasks = w.tasks().await;
    let (a, b) = (tasks[0].id.to_string(), tasks[1].id.to_string());
    let back = format!("/projects/{}/tasks?status=open", w.project);
    let csrf = w.ann.csrf("/work").await;
    let batch = |op: &'static str, extra: Vec<(&'static str, String)>| {
        let mut form: Vec<(&str, String)> = vec![
            ("_csrf", csrf.clone()),
            ("op", op.into()),
            ("back", back.clone()),
            ("ids", a.clone()),
            ("ids", b.clone()),
        ];
        form.extend(extra);
        form
    };
    let r = post_batch(&w, batch("priority", vec![("priority", "p0".into())])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&r).starts_with(&format!("{back}&notice=2+tasks+set+to+p0")),
        "{}",
        location(&r)
    );
    assert!(w.task(&a).await.priority == "p0" && w.task(&b).await.priority == "p0");
    let r = post_batch(
        &w,
        batch("assignee", vec![("assignee", format!("u:{}", w.mia_id))]),
    )
    .await;
    assert!(location(&r).contains("notice="));
    assert_eq!(
        w.task(&b).await.assignee_user_id.unwrap().to_string(),
        w.mia_id
    );
    let r = post_batch(&w, batch("status", vec![("status", "sideways".into())])).await;
    assert!(location(&r).contains("error=status"), "{}", location(&r));
    assert_eq!(w.task(&a).await.status, "todo", "nothing changed");
    post_batch(&w, batch("duplicate", vec![])).await;
    assert_eq!(
        w.tasks()
            .await
            .iter()
            .filter(|t| t.title.ends_with("(copy)"))
            .count(),
        2
    );
    post_batch(&w, batch("archive", vec![])).await;
    assert!(w.task(&a).await.archived_at.is_some() && w.task(&b).await.archived_at.is_some());
    let page = text(
        &w.ann,
        &format!("/projects/{}/tasks?archived=true", w.project),
    )
    .await;
    assert!(page.contains(&format!("task-{a}")));
    let r = w
        .ann
        .post_form(
            "/tasks/batch",
            &[("_csrf", &csrf), ("op", "archive"), ("back", "/work")],
        )
        .await;
    assert!(location(&r).starts_with("/work?error=ids"));
}

#[tokio::test]
async fn quick_capture_previews_what_it_understood_and_never_answers_with_an_error_page() {
    let w = World::new().await;
    let csrf = w.ann.csrf("/work").await;
    let r = htmx(
        &w.ann,
        &w.app,
        "/capture/preview",
        &csrf,
        &[(
            "text",
            "Draft kickoff agenda for Harbour Lights tomorrow !p1 #nope",
        )],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let panel = r.text().await.unwrap();
    for chip in ["chip-client", "chip-date", "chip-priority"] {
        assert!(panel.contains(chip), "{chip} in {panel}");
    }
    assert!(panel.contains("<strong>Draft kickoff agenda #nope</strong>"));
    assert!(panel.contains("#nope is not a tag"));
    let r = htmx(&w.ann, &w.app, "/capture/preview", &csrf, &[("text", " ")]).await;
    assert_eq!(
        r.status(),
        StatusCode::NO_CONTENT,
        "an empty box leaves the panel alone"
    );

    let r = htmx(
        &w.ann,
        &w.app,
        "/capture",
        &csrf,
        &[("text", "Renew the SSL certificate")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let panel = r.text().await.unwrap();
    assert!(panel.contains("capture-saved") && panel.contains("Renew the SSL certificate"));
    let r = htmx(&w.ann, &w.app, "/capture", &csrf, &[("text", "   ")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("capture-error"));
    let r = w
        .ann
        .post_form(
            "/capture",
            &[("_csrf", &csrf), ("text", "Call Harbour Lights friday")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/tasks/"));
    let r = w
        .ann
        .post_form("/capture", &[("_csrf", &csrf), ("text", "")])
        .await;
    assert!(location(&r).starts_with("/work?error="));
}

#[tokio::test]
async fn time_is_logged_in_hours_and_minutes_and_a_bad_duration_names_its_field() {
    let w = World::new().await;
    let csrf = w.ann.csrf("/time").await;
    let task = w.tasks().await[0].id.to_string();
    let r = w
        .ann
        .post_form(
            "/time",
            &[
                ("_csrf", &csrf),
                ("project_id", &w.project),
                ("task_id", &task),
                ("date", "2026-11-24"),
                ("duration", "1:30"),
                ("note", "Workshop"),
                ("billable", "true"),
                ("back", "/time?week=2026-11-24"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/time?week=2026-11-24&notice=Logged+1h+30m"));
    let sheet = text(&w.ann, "/time?week=2026-11-24").await;
    assert!(sheet.contains("Mon 23 Nov – Sun 29 Nov 2026"));
    assert!(sheet.contains(r#"<td class="num">1h 30m</td>"#));
    let next = text(&w.ann, "/time?week=2026-11-30").await;
    assert!(next.contains("No time logged this week."));
    let project_time = text(&w.ann, &format!("/projects/{}/time", w.project)).await;
    assert!(
        project_time.contains("Workshop")
            && project_time.contains(r#"<span class="n">1h 30m</span>"#)
    );
    let r = w
        .ann
        .post_form(
            "/time",
            &[
                ("_csrf", &csrf),
                ("project_id", &w.project),
                ("date", "2026-11-24"),
                ("duration", "a while"),
                ("back", &format!("/projects/{}/time", w.project)),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("must be minutes (90), h:mm (1:30) or hours (1.5h)"));
    assert!(
        page.contains("Recent entries"),
        "the project's time page comes back"
    );
}

#[tokio::test]
async fn project_forms_set_health_milestones_slots_and_save_an_editable_template() {
    let w = World::new().await;
    let p = &w.project;
    let csrf = w.ann.csrf("/projects").await;
    let overview = text(&w.ann, &format!("/projects/{p}")).await;
    assert!(
        overview.contains("Scope and success criteria agreed") && overview.contains("2026-11-26")
    );
    let r = w
        .ann
        .post_form(
            &format!("/projects/{p}/health"),
            &[
                ("_csrf", &csrf),
                ("health", "at_risk"),
                ("summary", "Data access is late."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = w
        .ann
        .post_form(
            &format!("/projects/{p}/health"),
            &[("_csrf", &csrf), ("health", "meh")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let overview = text(&w.ann, &format!("/projects/{p}")).await;
    assert!(overview.contains(r#"<span class="pill pill-warn">At risk</span>"#));
    assert!(overview.contains("Data access is late."));

    let r = w
        .ann
        .post_form(
            &format!("/projects/{p}/milestones"),
            &[
                ("_csrf", &csrf),
                ("name", "Board sign-off"),
                ("due_date", "2027-01-15"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ms = w
        .app
        .cairn
        .list_milestones(&w.actor().await, p.parse::<uuid::Uuid>().unwrap(), false)
        .await
        .unwrap();
    let added = ms.iter().find(|m| m.name == "Board sign-off").unwrap();
    let r = w
        .ann
        .post_form(
            &format!("/milestones/{}/edit", added.id),
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("name", "Board sign-off"),
                ("due_date", "2027-01-15"),
                ("status", "in_progress"),
                ("progress", "40%"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let overview = text(&w.ann, &format!("/projects/{p}")).await;
    assert!(overview.contains(r#"<progress max="100" value="40""#));
    assert!(overview.contains("set by hand"));

    // The milestone's history shows the edit, and reverting to version 1 restores it.
    let history = text(&w.ann, &format!("/milestones/{}/history", added.id)).await;
    assert!(history.contains("Board sign-off") && history.contains("in_progress"));
    let r = w
        .ann
        .post_form(
            &format!("/milestones/{}/revert", added.id),
            &[("_csrf", &csrf), ("version", "2"), ("to", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = w
        .app
        .cairn
        .get_milestone(&w.actor().await, added.id)
        .await
        .unwrap();
    assert_eq!(
        (back.status.as_str(), back.progress_manual, back.version),
        ("not_started", false, 3)
    );
    let r = w.ann.get(&format!("/milestones/{}", added.id)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Filling the lead's slot assigns its tasks to Mia.
    let slots = w
        .app
        .cairn
        .list_slots(&w.actor().await, p.parse::<uuid::Uuid>().unwrap())
        .await
        .unwrap();
    let r = w
        .ann
        .post_form(
            &format!("/slots/{}/edit", slots[0].id),
            &[("_csrf", &csrf), ("field", "user"), ("user_id", &w.mia_id)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let first = &w.tasks().await[0];
    assert_eq!(first.slot.as_ref().unwrap().id, slots[0].id);
    assert_eq!(first.assignee.as_ref().unwrap().id.to_string(), w.mia_id);

    // The status summary carries the health and copies as Markdown.
    let status = text(
        &w.ann,
        &format!("/projects/{p}/status?from=2026-11-23&to=2026-11-29"),
    )
    .await;
    assert!(
        status.contains(r#"<textarea id="summary-md""#)
            && status.contains(r##"data-copy="#summary-md""##)
    );
    assert!(status.contains("status 2026-11-23 to 2026-11-29"));
    let r = w
        .ann
        .get(&format!(
            "/projects/{p}/status?from=2026-11-29&to=2026-11-23"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let r = w
        .ann
        .post_form(
            &format!("/projects/{p}/template"),
            &[
                ("_csrf", &csrf),
                ("name", "Our pilot"),
                ("description", "With sign-off."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let tpl = location(&r).split('?').next().unwrap().to_string();
    let page = text(&w.ann, &tpl).await;
    assert!(page.contains("Board sign-off") && page.contains("workspace"));
    let csrf = w.ann.csrf(&tpl).await;
    let r = w
        .ann
        .post_form(
            &format!("{tpl}/edit"),
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("name", "Our pilot v2"),
                ("description", ""),
                ("project_type", "poc"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The plan is edited as JSON: bad JSON and an invalid plan are refused on the field and
    // change nothing; a valid plan replaces the old one.
    let r = w
        .ann
        .post_form(
            &format!("{tpl}/edit"),
            &[
                ("_csrf", &csrf),
                ("version", "2"),
                ("name", "Our pilot v2"),
                ("plan", "{not json"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("is not valid JSON"));
    let bad = r#"{"tasks": [{"title": "", "milestone": "nope"}]}"#;
    let r = w
        .ann
        .post_form(
            &format!("{tpl}/edit"),
            &[
                ("_csrf", &csrf),
                ("version", "2"),
                ("name", "Our pilot v2"),
                ("plan", bad),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("plan.tasks[0]"));
    let good = r#"{"milestones": [{"key": "go", "name": "Go-live", "offset_days": 10}],
        "tasks": [{"title": "Cut over", "priority": "p1", "offset_days": 9, "milestone": "go"}]}"#;
    let r = w
        .ann
        .post_form(
            &format!("{tpl}/edit"),
            &[
                ("_csrf", &csrf),
                ("version", "2"),
                ("name", "Our pilot v2"),
                ("plan", good),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = text(&w.ann, &tpl).await;
    assert!(
        page.contains("Go-live") && page.contains("Cut over") && !page.contains("Board sign-off")
    );
    let r = w
        .ann
        .post_form(&format!("{tpl}/archive"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!text(&w.ann, "/templates").await.contains("Our pilot v2"));
    assert!(
        text(&w.ann, "/templates?archived=true")
            .await
            .contains("Our pilot v2")
    );
    let filtered = text(&w.ann, "/templates?q=pilot&type=poc&archived=true").await;
    assert!(filtered.contains("Our pilot v2") && filtered.contains("PoC / Pilot"));
    assert!(!filtered.contains("Website Build"), "the list is filtered");
    assert!(
        !text(&w.ann, "/projects/new").await.contains("Our pilot v2"),
        "archived templates are not offered"
    );

    // Edit, then revert from the history.
    let r = w
        .ann
        .post_form(
            &format!("/projects/{p}/edit"),
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("client_id", &w.client),
                ("name", "Claims triage"),
                ("status", "on_hold"),
                ("project_type", "poc"),
                ("start_date", "2026-11-23"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let history = text(&w.ann, &format!("/projects/{p}/history")).await;
    assert!(history.contains("Claims triage pilot") && history.contains("on_hold"));
    let r = w
        .ann
        .post_form(
            &format!("/projects/{p}/revert"),
            &[("_csrf", &csrf), ("version", "2"), ("to", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        text(&w.ann, &format!("/projects/{p}"))
            .await
            .contains("<h1>Claims triage pilot")
    );
}

#[tokio::test]
async fn each_role_is_shown_only_the_controls_it_may_use() {
    let w = World::new().await;
    let p = &w.project;
    let task = w.tasks().await[0].id.to_string();
    let owner_page = text(&w.ann, &format!("/projects/{p}")).await;
    assert!(owner_page.contains(&format!("/projects/{p}/edit")));
    assert!(owner_page.contains("Delete permanently"));
    let mia = w.login("mia@acme.test").await;
    let member_page = text(&mia, &format!("/projects/{p}")).await;
    assert!(
        !member_page.contains("Delete permanently"),
        "members do not delete projects"
    );
    let vic = w.login("vic@acme.test").await;
    let viewer_page = text(&vic, &format!("/projects/{p}")).await;
    assert!(!viewer_page.contains(&format!("/projects/{p}/edit")));
    assert!(owner_page.contains("data-capture") && !viewer_page.contains("data-capture"));
    assert!(!viewer_page.contains("Add milestone") && !viewer_page.contains("Update health"));
    let board = text(&vic, &format!("/projects/{p}/board")).await;
    assert!(board.contains("board-card") && !board.contains("data-move-url"));
    let tasks = text(&vic, &format!("/projects/{p}/tasks")).await;
    assert!(!tasks.contains("/inline") && !tasks.contains(r#"id="batch""#));
    let task_page = text(&vic, &format!("/tasks/{task}")).await;
    assert!(!task_page.contains(&format!("/tasks/{task}/edit")));
    assert!(!text(&vic, "/projects").await.contains("/projects/new"));
    // A viewer's hand-made post is refused by the core, not by the page.
    let csrf = vic.csrf("/work").await;
    let r = vic
        .post_form(
            &format!("/projects/{p}/board/move"),
            &[("_csrf", &csrf), ("task", &task), ("status", "done")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn work_views_group_open_tasks_by_project_or_due_date() {
    let w = World::new().await;
    let tasks = w.tasks().await;
    let csrf = w.ann.csrf("/work").await;
    let me = w
        .app
        .call(Method::GET, "/api/v1/me", &w.owner, None)
        .await
        .1["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut form = vec![
        ("_csrf", csrf.clone()),
        ("op", "assignee".to_string()),
        ("assignee", format!("u:{me}")),
        ("back", "/work".into()),
    ];
    for t in &tasks[..3] {
        form.push(("ids", t.id.to_string()));
    }
    w.ann
        .client
        .post(w.app.url("/tasks/batch"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let mine = text(&w.ann, "/work").await;
    assert!(mine.contains(r#"<tr class="group-row">"#) && mine.contains("Claims triage pilot"));
    assert_eq!(mine.matches("<tr id=\"task-").count(), 3);
    let by_due = text(&w.ann, "/work?group=due").await;
    assert!(by_due.matches("<tr id=\"task-").count() == 3);
    let anyone = text(&w.ann, "/work?assignee=anyone").await;
    assert_eq!(anyone.matches("<tr id=\"task-").count(), 13);
    for view in ["/work/today", "/work/upcoming", "/work/overdue"] {
        text(&w.ann, view).await;
    }
    let r = w.ann.get("/work?priority=p9").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_dashboard_lists_my_overdue_and_todays_tasks_and_counts_projects_at_risk() {
    let w = World::new().await;
    let me = w
        .app
        .call(Method::GET, "/api/v1/me", &w.owner, None)
        .await
        .1["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let today = cairn_core::delivery::today_for(&w.actor().await);
    for (title, due, assignee) in [
        (
            "Chase the signed SOW",
            today - chrono::Duration::days(2),
            me.as_str(),
        ),
        ("Send the weekly update", today, me.as_str()),
        ("Mia's own chore", today, w.mia_id.as_str()),
    ] {
        let (s, v) = w
            .app
            .call(
                Method::POST,
                "/api/v1/tasks",
                &w.owner,
                Some(json!({"client_id": w.client, "title": title, "due_date": due.to_string(), "assignee_user_id": assignee})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let page = text(&w.ann, "/").await;
    // Each task sits in its own list: the overdue one with its date, today's marked today.
    let row_of = |title: &str| {
        page.split("<tr ")
            .find(|row| row.contains(title))
            .unwrap_or_else(|| panic!("no row for {title}"))
            .split("</tr>")
            .next()
            .unwrap()
            .to_string()
    };
    let overdue = row_of("Chase the signed SOW");
    assert!(
        overdue.contains(&format!(
            r#"due overdue">{}<"#,
            today - chrono::Duration::days(2)
        )),
        "{overdue}"
    );
    let due_today = row_of("Send the weekly update");
    assert!(due_today.contains(r#"due today">today<"#), "{due_today}");
    assert!(!page.contains("Mia&#x27;s own chore") && !page.contains("Mia's own chore"));
    assert!(page.contains(r#"<span class="n">0</span><span class="l">projects at risk</span>"#));
    let (s, _) = w
        .app
        .call(
            Method::POST,
            &format!("/api/v1/projects/{}/health", w.project),
            &w.owner,
            Some(json!({"health": "off_track", "summary": "Blocked on data"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = text(&w.ann, "/").await;
    assert!(page.contains(r#"<span class="n">1</span><span class="l">projects at risk</span>"#));
}

#[tokio::test]
async fn the_board_page_shows_the_last_fifty_done_cards_and_all_on_request() {
    let w = World::new().await;
    for i in 1..=53 {
        let (s, v) = w
            .app
            .call(
                Method::POST,
                &format!("/api/v1/projects/{}/tasks", w.project),
                &w.owner,
                Some(json!({"title": format!("Finished item {i:02}"), "status": "done"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let page = text(&w.ann, &format!("/projects/{}/board", w.project)).await;
    assert!(
        page.contains("Show 3 earlier"),
        "the three oldest are left out"
    );
    assert!(!page.contains("Finished item 01") && !page.contains("Finished item 03"));
    assert!(page.contains("Finished item 04") && page.contains("Finished item 53"));
    assert!(
        page.contains(r#"data-hidden="3">53</span>"#),
        "the count includes them"
    );
    let all = text(&w.ann, &format!("/projects/{}/board?closed=all", w.project)).await;
    assert!(all.contains("Finished item 01") && !all.contains("earlier</a>"));
    // The API board always carries every card.
    let (_, board) = w
        .app
        .call(
            Method::GET,
            &format!("/api/v1/projects/{}/board", w.project),
            &w.owner,
            None,
        )
        .await;
    let done = board
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "done")
        .unwrap();
    assert_eq!(done["tasks"].as_array().unwrap().len(), 53);
}
