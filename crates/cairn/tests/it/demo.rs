//! `cairn demo`: the demo workspace, its logins, idempotency, the refusal to touch anything
//! else, and the scale data.

use std::collections::{BTreeMap, BTreeSet};

use cairn::demo::{self, Options, Scale};
use cairn_core::delivery::tasks::TaskFilter;
use cairn_core::page::PageRequest;
use clap::Parser;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::harness::TestApp;

fn options(slug: &str) -> Options {
    Options {
        workspace: slug.into(),
        scale: None,
    }
}

/// Rows per table of interest, to compare two runs.
async fn counts(app: &TestApp) -> BTreeMap<&'static str, u64> {
    use cairn_store::entities::*;
    let db = app.cairn.store.reader();
    let mut out = BTreeMap::new();
    out.insert(
        "workspaces",
        workspace::Entity::find().count(db).await.unwrap(),
    );
    out.insert("users", user::Entity::find().count(db).await.unwrap());
    out.insert("clients", client::Entity::find().count(db).await.unwrap());
    out.insert("contacts", contact::Entity::find().count(db).await.unwrap());
    out.insert(
        "interactions",
        interaction::Entity::find().count(db).await.unwrap(),
    );
    out.insert("projects", project::Entity::find().count(db).await.unwrap());
    out.insert("tasks", task::Entity::find().count(db).await.unwrap());
    out.insert(
        "time_entries",
        time_entry::Entity::find().count(db).await.unwrap(),
    );
    out
}

fn page() -> PageRequest {
    PageRequest {
        limit: Some(200),
        cursor: None,
    }
}

#[tokio::test]
async fn demo_builds_an_agency_with_every_status_template_and_task_state() {
    let app = TestApp::spawn().await;
    let report = demo::run(&app.cairn, &options("demo")).await.unwrap();
    assert!(report.populated);
    assert_eq!(report.slug, "demo");
    let roles: Vec<&str> = report.logins.iter().map(|l| l.role).collect();
    assert_eq!(roles, ["owner", "admin", "member", "viewer"]);
    assert_eq!(
        app.cairn.workspace_is_demo("demo").await.unwrap(),
        Some(true)
    );

    // Every login signs in through the real app: the API's password grant and the form.
    let mut tokens = BTreeMap::new();
    for l in &report.logins {
        assert_eq!(l.email, format!("{}@demo.cairn.test", l.role));
        let (s, v) = app
            .grant(json!({"grant_type": "password", "email": l.email, "password": l.password}))
            .await;
        assert_eq!(s, StatusCode::OK, "{}: {v}", l.email);
        tokens.insert(l.role, v["access_token"].as_str().unwrap().to_string());
    }
    let member = &report.logins[2];
    let browser = app.browser_login(&member.email, &member.password).await;
    let home = browser.get("/").await;
    assert_eq!(home.status(), StatusCode::OK);

    // Clients in every status, one of them restricted and hidden from the viewer.
    let (s, clients) = app
        .call(
            Method::GET,
            "/api/v1/clients?limit=200",
            &tokens["owner"],
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let items = clients["items"].as_array().unwrap();
    let statuses: BTreeSet<&str> = items
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["active", "former", "lead", "paused"])
    );
    let restricted: Vec<&str> = items
        .iter()
        .filter(|c| c["visibility"] == "restricted")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(restricted, ["Copperleaf Health"]);
    let (_, seen) = app
        .call(
            Method::GET,
            "/api/v1/clients?limit=200",
            &tokens["viewer"],
            None,
        )
        .await;
    let seen = seen["items"].as_array().unwrap();
    assert_eq!(seen.len(), items.len() - 1);
    assert!(seen.iter().all(|c| c["name"] != "Copperleaf Health"));

    // Projects from each of the six built-in templates.
    let owner = app
        .cairn
        .cli_actor("demo", "owner@demo.cairn.test")
        .await
        .unwrap();
    let projects = app
        .cairn
        .list_projects(&owner, &Default::default(), &page())
        .await
        .unwrap()
        .items;
    let templates: BTreeSet<String> = projects.iter().filter_map(|p| p.template.clone()).collect();
    assert_eq!(
        templates,
        BTreeSet::from(
            [
                "ai-discovery",
                "implementation",
                "poc-pilot",
                "shot-production",
                "training-workshop",
                "website-build"
            ]
            .map(String::from)
        )
    );
    assert!(projects.iter().any(|p| p.health.is_some()));

    // Tasks in every status; some overdue, some due today, some blocked by a prerequisite.
    let tasks = |f: TaskFilter| {
        let (app, owner) = (&app, &owner);
        async move {
            app.cairn
                .list_tasks(owner, &f, &page())
                .await
                .unwrap()
                .items
        }
    };
    for status in [
        "backlog",
        "todo",
        "in_progress",
        "blocked",
        "done",
        "cancelled",
    ] {
        let found = tasks(TaskFilter {
            status: Some(status.into()),
            ..Default::default()
        })
        .await;
        assert!(!found.is_empty(), "no {status} task");
    }
    for due in ["overdue", "today", "upcoming"] {
        let found = tasks(TaskFilter {
            due: Some(due.into()),
            ..Default::default()
        })
        .await;
        assert!(!found.is_empty(), "nothing {due}");
    }
    let blocked = tasks(TaskFilter {
        blocked: Some(true),
        ..Default::default()
    })
    .await;
    assert!(blocked.iter().any(|t| !t.blocked_by.is_empty()));
    let inbox = tasks(TaskFilter::default())
        .await
        .into_iter()
        .filter(|t| t.project.is_none())
        .count();
    assert!(inbox >= 3, "quick captures: {inbox}");

    // The members' My work is full through their role slots; time was logged.
    for role in ["admin", "member"] {
        let me = app
            .cairn
            .cli_actor("demo", &format!("{role}@demo.cairn.test"))
            .await
            .unwrap();
        let mine = app
            .cairn
            .list_tasks(
                &me,
                &TaskFilter {
                    assignee: Some("me".into()),
                    status: Some("open".into()),
                    ..Default::default()
                },
                &page(),
            )
            .await
            .unwrap()
            .items;
        assert!(mine.len() >= 5, "{role} has {} open tasks", mine.len());
    }
    let c = counts(&app).await;
    assert!(c["time_entries"] >= 30, "{c:?}");
    assert!(c["interactions"] >= 15, "{c:?}");
    assert!(c["contacts"] >= 20, "{c:?}");
}

#[tokio::test]
async fn demo_twice_keeps_the_data_and_gives_the_logins_new_passwords() {
    let app = TestApp::spawn().await;
    let first = demo::run(&app.cairn, &options("demo")).await.unwrap();
    let before = counts(&app).await;
    let second = demo::run(&app.cairn, &options("demo")).await.unwrap();
    assert!(!second.populated);
    assert_eq!(counts(&app).await, before);
    for (old, new) in first.logins.iter().zip(&second.logins) {
        assert_eq!(old.email, new.email);
        assert_ne!(old.password, new.password);
        let (s, _) = app
            .grant(json!({"grant_type": "password", "email": old.email, "password": old.password}))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "old password of {}", old.email);
        let (s, v) = app
            .grant(json!({"grant_type": "password", "email": new.email, "password": new.password}))
            .await;
        assert_eq!(s, StatusCode::OK, "{}: {v}", new.email);
    }
    // The settings form keeps the demo mark.
    let owner = app
        .cairn
        .cli_actor("demo", "owner@demo.cairn.test")
        .await
        .unwrap();
    let mut settings = app.cairn.get_workspace(&owner).await.unwrap().settings;
    settings.currency = "GBP".into();
    app.cairn
        .update_workspace(
            &owner,
            cairn_core::workspaces::WorkspacePatch {
                name: None,
                settings: Some(settings),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        app.cairn.workspace_is_demo("demo").await.unwrap(),
        Some(true)
    );
    assert_eq!(
        app.cairn
            .get_workspace(&owner)
            .await
            .unwrap()
            .settings
            .currency,
        "GBP"
    );
}

#[tokio::test]
async fn demo_refuses_a_workspace_it_did_not_create_and_writes_nothing() {
    let app = TestApp::spawn().await;
    app.owner("Demo", "ann@example.com").await;
    let (before, audit) = (counts(&app).await, app.audit_count().await);
    let err = demo::run(&app.cairn, &options("demo")).await.unwrap_err();
    assert!(
        err.to_string().contains("is not a demo workspace"),
        "{err:#}"
    );
    assert_eq!(counts(&app).await, before);
    assert_eq!(app.audit_count().await, audit);
    assert_eq!(
        app.cairn.workspace_is_demo("demo").await.unwrap(),
        Some(false)
    );

    // An account with a demo login's email elsewhere is not taken over either.
    app.owner("Acme", "owner@fresh.cairn.test").await;
    let (before, audit) = (counts(&app).await, app.audit_count().await);
    let err = demo::run(&app.cairn, &options("fresh")).await.unwrap_err();
    assert!(
        err.to_string().contains("owner@fresh.cairn.test"),
        "{err:#}"
    );
    assert_eq!(counts(&app).await, before);
    assert_eq!(app.audit_count().await, audit);
    assert_eq!(app.cairn.workspace_is_demo("fresh").await.unwrap(), None);

    // And a slug that is not one is refused before anything else.
    let err = demo::run(&app.cairn, &options("Not a slug!"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--workspace"), "{err:#}");
}

#[tokio::test]
async fn demo_scale_fills_the_workspace_and_creates_smaller_demo_workspaces() {
    let app = TestApp::spawn().await;
    let scale = Scale {
        clients: 50,
        contacts_per_client: 3,
        projects: 6,
        tasks: 600,
        staff: 3,
        workspaces: 2,
        small_clients: 10,
        small_projects: 2,
        small_tasks: 30,
        seed: 1,
    };
    let opts = Options {
        workspace: "demo".into(),
        scale: Some(scale),
    };
    let report = demo::run(&app.cairn, &opts).await.unwrap();
    let scaled = report.scale.as_ref().unwrap();
    assert_eq!(scaled.small_created, ["demo-small-01", "demo-small-02"]);

    use cairn_store::entities::{client, contact, membership, task, workspace};
    let db = app.cairn.store.reader();
    let ws_id = |slug: &'static str| async move {
        workspace::Entity::find()
            .filter(workspace::Column::Slug.eq(slug))
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let demo_ws = ws_id("demo").await;
    let clients_in = |ws| async move {
        client::Entity::find()
            .filter(client::Column::WorkspaceId.eq(ws))
            .count(db)
            .await
            .unwrap()
    };
    assert_eq!(
        clients_in(demo_ws).await,
        50 + cairn::demo::crm::CLIENT_COUNT as u64
    );
    let generated_contacts = contact::Entity::find()
        .filter(contact::Column::WorkspaceId.eq(demo_ws))
        .count(db)
        .await
        .unwrap();
    assert!(generated_contacts >= 150, "{generated_contacts}");
    let tasks = task::Entity::find()
        .filter(task::Column::WorkspaceId.eq(demo_ws))
        .count(db)
        .await
        .unwrap();
    assert!(tasks >= 600, "{tasks}");
    let members = membership::Entity::find()
        .filter(membership::Column::WorkspaceId.eq(demo_ws))
        .count(db)
        .await
        .unwrap();
    assert_eq!(members, 4 + 3);
    for slug in ["demo-small-01", "demo-small-02"] {
        assert_eq!(app.cairn.workspace_is_demo(slug).await.unwrap(), Some(true));
        assert_eq!(clients_in(ws_id(slug).await).await, 10);
    }

    // Again: nothing is added.
    let before = counts(&app).await;
    let again = demo::run(&app.cairn, &opts).await.unwrap();
    assert!(again.scale.as_ref().unwrap().small_created.is_empty());
    assert_eq!(again.scale.as_ref().unwrap().small_existing, 2);
    assert_eq!(counts(&app).await, before);
}

#[test]
fn demo_scale_sizes_default_to_large_and_take_flags() {
    let cli = cairn::cli::Cli::try_parse_from([
        "cairn",
        "demo",
        "--scale",
        "large",
        "--clients",
        "50",
        "--workspaces",
        "2",
    ])
    .unwrap();
    let cairn::cli::Command::Demo(args) = cli.command else {
        panic!("not the demo command");
    };
    let s = args.options().scale.unwrap();
    assert_eq!((s.clients, s.workspaces), (50, 2));
    assert_eq!((s.projects, s.tasks), (5_000, 1_000_000));
    assert_eq!(args.options().workspace, "demo");
    // Sizes make sense only with a scale.
    assert!(cairn::cli::Cli::try_parse_from(["cairn", "demo", "--clients", "5"]).is_err());
}
