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
