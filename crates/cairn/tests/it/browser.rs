//! The browser journey in real headless Chromium: setup → dashboard → API token → API → logout.

use crate::harness::TestApp;

#[tokio::test]
async fn setup_login_token_api_logout_in_headless_chromium() {
    let app = TestApp::spawn().await;
    let token = app
        .cairn
        .prepare_setup()
        .await
        .unwrap()
        .expect("fresh installation");
    let web = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web");
    let out = tokio::process::Command::new("node")
        .current_dir(web)
        .arg("e2e/journey.mjs")
        .arg(&app.base)
        .arg(format!("/setup?token={token}"))
        .output()
        .await
        .expect("node must be installed to run the browser journey");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("journey ok"),
        "journey failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // The journey's token really reached the API.
    use sea_orm::{EntityTrait, PaginatorTrait};
    let tokens = cairn_store::entities::api_token::Entity::find()
        .count(app.cairn.store.reader())
        .await
        .unwrap();
    assert!(tokens >= 1);
}

#[tokio::test]
async fn crm_journey_restricting_a_client_hides_it_from_a_member_in_chromium() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "mia@acme.test", "member").await;
    let owner = app.token("ann@acme.test").await;
    let (s, tag) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/tags",
            &owner,
            Some(serde_json::json!({"name": "Retainer"})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{tag}");
    let web = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web");
    let out = tokio::process::Command::new("node")
        .current_dir(web)
        .args([
            "e2e/crm.mjs",
            &app.base,
            "ann@acme.test",
            "mia@acme.test",
            crate::harness::PASSWORD,
        ])
        .output()
        .await
        .expect("node must be installed to run the browser journey");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("crm journey ok"),
        "crm journey failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // What the browser did is really in the database, and audited.
    let (_, clients) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/clients?q=Harbour",
            &owner,
            None,
        )
        .await;
    let client = &clients["items"][0];
    assert_eq!(client["status"], "paused", "{clients}");
    assert_eq!(client["tags"][0]["id"], tag["id"], "{clients}");
    let (_, log) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/activity?action=client.",
            &owner,
            None,
        )
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"client.created") && actions.contains(&"client.access_changed"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn delivery_journey_template_board_drag_and_capture_in_chromium() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let owner = app.token("ann@acme.test").await;
    let client_name = "Harbour Lights";
    let (s, client) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/clients",
            &owner,
            Some(serde_json::json!({"name": client_name, "status": "active"})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{client}");
    let web = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web");
    let out = tokio::process::Command::new("node")
        .current_dir(web)
        .args([
            "e2e/delivery.mjs",
            &app.base,
            "ann@acme.test",
            crate::harness::PASSWORD,
            client_name,
        ])
        .output()
        .await
        .expect("node must be installed to run the browser journey");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("delivery journey ok"),
        "delivery journey failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // What the browser did is in the database.
    use cairn_core::delivery::tasks::TaskFilter;
    let ann = app.actor(&owner).await;
    let page = cairn_core::page::PageRequest {
        limit: Some(200),
        cursor: None,
    };
    let projects = app
        .cairn
        .list_projects(&ann, &Default::default(), &page)
        .await
        .unwrap()
        .items;
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0].template.as_deref(), Some("poc-pilot"));
    let board = app.cairn.project_board(&ann, projects[0].id).await.unwrap();
    let in_progress: Vec<&str> = board
        .columns
        .iter()
        .find(|c| c.status.as_str() == "in_progress")
        .unwrap()
        .cards
        .iter()
        .map(|t| t.title.as_str())
        .collect();
    assert_eq!(
        in_progress,
        [
            "Confirm data access and security review",
            "Set up the environment and repository",
            "Agree success criteria and metrics",
        ]
    );
    let captured = app
        .cairn
        .list_tasks(
            &ann,
            &TaskFilter {
                q: Some("Draft kickoff agenda".into()),
                ..Default::default()
            },
            &page,
        )
        .await
        .unwrap()
        .items;
    assert_eq!(captured.len(), 1);
    let t = &captured[0];
    assert_eq!(t.title, "Draft kickoff agenda");
    assert_eq!(
        t.client.as_ref().map(|c| c.name.as_str()),
        Some(client_name)
    );
    assert_eq!(t.priority, "p1");
    assert_eq!(
        t.due_date,
        Some(cairn_core::delivery::today_for(&ann) + chrono::Duration::days(1))
    );
}
