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

/// Every operation lists the errors its extractors can give, as problem documents; the API
/// fuzzer (`scripts/fuzz-api`) fails on any status or content type the document does not list.
#[test]
fn every_operation_documents_the_errors_it_can_give() {
    let doc: serde_json::Value = serde_json::from_str(&cairn_web::openapi_json()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let responses = op["responses"].as_object().unwrap();
            let has = |status: &str| responses.contains_key(status);
            let public = op["security"] == serde_json::json!([{}]);
            if !public {
                assert!(has("401") && has("403"), "{name}: 401 and 403");
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params.iter().any(|p| p["in"] == "path") {
                assert!(has("404"), "{name}: 404 for an id that names nothing");
            }
            if params.iter().any(|p| p["in"] == "query") {
                assert!(has("400"), "{name}: 400 for a bad query parameter");
            }
            if op.get("requestBody").is_some() {
                for s in ["400", "413", "415", "422"] {
                    assert!(has(s), "{name}: {s} for a bad body");
                }
            }
            for (status, response) in responses {
                if status.starts_with('4') {
                    let response = match response["$ref"].as_str() {
                        Some(r) => {
                            let name = r.strip_prefix("#/components/responses/").unwrap();
                            &doc["components"]["responses"][name]
                        }
                        None => response,
                    };
                    let content = response["content"].as_object().unwrap();
                    assert_eq!(
                        content.keys().collect::<Vec<_>>(),
                        ["application/problem+json"],
                        "{name} {status}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} operations");
    // A version diff holds whatever the field holds: text, numbers, booleans, null.
    let diff = &doc["components"]["schemas"]["FieldDiff"]["properties"];
    assert!(diff["from"].get("type").is_none() && diff["to"].get("type").is_none());
}
