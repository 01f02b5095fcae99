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
    let owner = app.token("ann@acme.test").await;
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
