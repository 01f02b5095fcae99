//! Generated documents stay in step with the code.

/// `docs/permissions.md` is rendered from the permission matrix.
#[test]
fn permissions_doc_is_generated_from_the_matrix() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/permissions.md");
    let expected = cairn_domain::permissions::render_markdown();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(path, &expected).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == expected,
        "docs/permissions.md is stale: run `cargo run -- docs permissions > docs/permissions.md`"
    );
}

/// The OpenAPI document is snapshotted so API changes show up in review.
#[test]
fn openapi_matches_its_snapshot() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let generated = cairn_web::openapi_json();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(path, format!("{generated}\n")).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current.trim_end() == generated,
        "docs/openapi.json differs from the routes: review, then run with UPDATE_SNAPSHOTS=1"
    );
    let v: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/members",
        "/api/v1/members/{id}",
    ] {
        assert!(
            v["paths"].get(p).is_some(),
            "{p} missing from the OpenAPI document"
        );
    }
}

#[tokio::test]
async fn the_binary_serves_the_openapi_document_and_the_docs_page() {
    let app = crate::harness::TestApp::spawn().await;
    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["info"]["title"], "Cairn API");
    let page = app
        .client
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let js = page
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        js.starts_with("/assets/swagger-ui-bundle"),
        "served locally, no CDN: {js}"
    );
    let asset = app.client.get(app.url(&js)).send().await.unwrap();
    assert_eq!(asset.status(), 200);
    assert!(
        asset.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
}
