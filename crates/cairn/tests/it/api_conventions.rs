//! API conventions: problem+json errors naming the field, strict bodies, limits, headers,
//! pagination, ETags.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::TestApp;

async fn problem(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    (s, r.json().await.unwrap())
}

#[tokio::test]
async fn bad_bodies_get_problem_json_naming_the_field() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let url = app.url("/api/v1/auth/token");
    let send = |body: Vec<u8>, ct: &'static str| {
        app.client
            .post(url.clone())
            .header("content-type", ct)
            .body(body)
            .send()
    };

    let (s, v) = problem(
        send(b"{not json".to_vec(), "application/json")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "body");

    let (s, v) = problem(
        send(
            br#"{"grant_type":"password","email":"a@b.co","password":"x","admin":true}"#.to_vec(),
            "application/json",
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"][0]["field"], "admin");

    let (s, v) = problem(
        send(
            br#"{"grant_type":"password","email":5,"password":"x"}"#.to_vec(),
            "application/json",
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["detail"].as_str().unwrap().contains("invalid type"),
        "{v}"
    );

    let (s, _) = problem(send(b"email=a".to_vec(), "text/plain").await.unwrap()).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let (s, v) = problem(
        send(vec![b'"', 0xff, 0xfe, b'"'], "application/json")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["detail"].as_str().unwrap().contains("UTF-8"));

    let big = vec![b' '; 2 * 1024 * 1024];
    let (s, _) = problem(send(big, "application/json").await.unwrap()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn missing_expired_and_garbage_tokens_are_401() {
    let app = TestApp::spawn().await;
    let r = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(problem(r).await.0, StatusCode::UNAUTHORIZED);
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth("cairn_pat_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn responses_carry_security_headers_and_request_ids() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/login", "/api/v1/me"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        assert!(h["content-security-policy"].to_str().unwrap().contains(
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        ));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h.get("x-request-id").is_some());
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over http"
        );
    }
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn etags_and_if_match_guard_against_lost_updates() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let at = app.token("ann@acme.test").await;
    let r = app.api(Method::GET, "/api/v1/workspace", &at, None).await;
    assert_eq!(r.headers()["etag"], "\"1\"");
    let patch = json!({"name": "Acme Studio", "settings": {"renewal_lead_days": [30, 7], "working_days": [1,2,3,4], "currency": "GBP"}});
    let r = app
        .client
        .patch(app.url("/api/v1/workspace"))
        .bearer_auth(&at)
        .header("if-match", "\"1\"")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");
    // A stale version is refused and nothing changes.
    let stale = json!({"name": "Lost Update"});
    let r = app
        .client
        .patch(app.url("/api/v1/workspace"))
        .bearer_auth(&at)
        .header("if-match", "\"1\"")
        .json(&stale)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let (_, ws) = app.call(Method::GET, "/api/v1/workspace", &at, None).await;
    assert_eq!(ws["name"], "Acme Studio");
    assert_eq!(ws["settings"]["currency"], "GBP");
    assert_eq!(ws["version"], 2);
    // Invalid settings name the nested field.
    let (s, v) = app.call(Method::PATCH, "/api/v1/workspace", &at, Some(json!({"settings": {"renewal_lead_days": [], "working_days": [9], "currency": "euro"}}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "settings.renewal_lead_days",
            "settings.working_days",
            "settings.currency"
        ]
    );
    // The change was versioned.
    let history = cairn_core::versions::history(
        app.cairn.store.reader(),
        cairn_store::WorkspaceScope::new(cairn_domain::WorkspaceId(
            uuid::Uuid::parse_str(ws["id"].as_str().unwrap()).unwrap(),
        )),
        "workspace",
        uuid::Uuid::parse_str(ws["id"].as_str().unwrap()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].snapshot["settings"]["currency"], "GBP");
}

#[tokio::test]
async fn lists_paginate_with_cursors_and_validate_parameters() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    for i in 0..3 {
        app.user("acme", &format!("user{i}@acme.test"), "member")
            .await;
    }
    let at = app.token("ann@acme.test").await;
    let (s, p1) = app
        .call(Method::GET, "/api/v1/members?limit=2&sort=email", &at, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = app
        .call(
            Method::GET,
            &format!("/api/v1/members?limit=2&sort=email&cursor={cursor}"),
            &at,
            None,
        )
        .await;
    let emails: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["items"].as_array().unwrap())
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "ann@acme.test",
            "user0@acme.test",
            "user1@acme.test",
            "user2@acme.test"
        ]
    );
    assert!(p2["next_cursor"].is_null());

    let (s, v) = app
        .call(Method::GET, "/api/v1/members?limit=500", &at, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "limit");
    let (s, v) = app
        .call(Method::GET, "/api/v1/members?sort=password", &at, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "sort");
    let (s, v) = app
        .call(Method::GET, "/api/v1/members?colour=red", &at, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = app
        .call(
            Method::GET,
            "/api/v1/members?role=member&q=user1",
            &at,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
}

/// A workspace owner's token and one client of theirs, "Northwind".
async fn owner_with_client() -> (TestApp, String, Value) {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let at = app.token("ann@acme.test").await;
    let (s, client) = app
        .call(
            Method::POST,
            "/api/v1/clients",
            &at,
            Some(json!({"name": "Northwind"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{client}");
    (app, at, client)
}

#[tokio::test]
async fn methods_a_route_does_not_have_answer_405_with_allow_to_a_signed_in_caller() {
    let (app, at, client) = owner_with_client().await;
    let (_, note) = app
        .call(
            Method::POST,
            &format!(
                "/api/v1/clients/{}/interactions",
                client["id"].as_str().unwrap()
            ),
            &at,
            Some(json!({"kind": "note", "body": "Kick-off"})),
        )
        .await;
    let url = app.url(&format!(
        "/api/v1/interactions/{}",
        note["id"].as_str().unwrap()
    ));
    for m in [Method::PATCH, Method::PUT, Method::DELETE] {
        // Anonymous callers learn nothing, not even that interactions are immutable.
        let r = app.client.request(m.clone(), &url).send().await.unwrap();
        assert_eq!(problem(r).await.0, StatusCode::UNAUTHORIZED, "{m}");
        let r = app
            .client
            .request(m.clone(), &url)
            .bearer_auth(&at)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["allow"], "GET", "{m}");
        assert_eq!(problem(r).await.0, StatusCode::METHOD_NOT_ALLOWED, "{m}");
    }
}

#[tokio::test]
async fn bodies_must_be_json_objects_at_every_level() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let at = app.token("ann@acme.test").await;
    let (_, tag) = app
        .call(
            Method::POST,
            "/api/v1/tags",
            &at,
            Some(json!({"name": "Retainer", "colour": "#22c55e"})),
        )
        .await;
    let tag_url = format!("/api/v1/tags/{}", tag["id"].as_str().unwrap());
    // serde reads a struct from an array by position: `[null, null]` was a PATCH that
    // changed nothing and answered 200.
    for (path, body) in [
        ("/api/v1/workspace", json!([null, null])),
        (tag_url.as_str(), json!([null, null])),
        ("/api/v1/workspace", json!("Acme")),
        ("/api/v1/workspace", json!(5)),
        ("/api/v1/workspace", json!(null)),
    ] {
        let (s, v) = app.call(Method::PATCH, path, &at, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}: {v}");
        assert_eq!(v["errors"][0]["field"], "body", "{v}");
        assert_eq!(v["errors"][0]["reason"], "must be a JSON object", "{v}");
    }
    // Nested structs too, named by their field.
    let (s, v) = app
        .call(
            Method::PATCH,
            "/api/v1/workspace",
            &at,
            Some(json!({"settings": [[30], [1, 2, 3, 4, 5], "EUR"]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "settings", "{v}");
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/tasks/batch",
            &at,
            Some(json!({"ids": [uuid::Uuid::now_v7()], "changes": [null]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "changes", "{v}");
    // An unknown field inside a nested object still names its path.
    let (s, v) = app
        .call(
            Method::PATCH,
            "/api/v1/workspace",
            &at,
            Some(json!({"settings": {"renewal_lead_days": [30], "working_days": [1], "currency": "EUR", "colour": "red"}})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "settings.colour", "{v}");
    // Nothing was written.
    let (_, ws) = app.call(Method::GET, "/api/v1/workspace", &at, None).await;
    assert_eq!(ws["version"], 1);
    let (_, tags) = app.call(Method::GET, "/api/v1/tags", &at, None).await;
    assert_eq!(tags[0]["version"], 1);
}

#[tokio::test]
async fn query_errors_name_the_parameter_once() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let at = app.token("ann@acme.test").await;
    let (s, v) = app
        .call(Method::GET, "/api/v1/members?colour=red", &at, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["errors"],
        json!([{"field": "colour", "reason": "is not a known parameter"}])
    );
    assert_eq!(v["detail"], "colour: is not a known parameter");
    let (s, v) = app
        .call(Method::GET, "/api/v1/clients?limit=ten", &at, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "limit");
    assert_eq!(v["errors"][0]["reason"], "invalid digit found in string");
    let (s, v) = app.call(Method::GET, "/api/v1/clients?=x", &at, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "query", "{v}");
}

#[tokio::test]
async fn concurrent_writes_without_if_match_all_apply() {
    let (app, at, client) = owner_with_client().await;
    let url = app.url(&format!(
        "/api/v1/clients/{}",
        client["id"].as_str().unwrap()
    ));
    // Each write reads the client, then updates it only if its version is unchanged; the
    // callers sent no If-Match, so losing that race must not reach them as a 412.
    let writes = (0..8).map(|i| {
        let (url, at, http) = (url.clone(), at.clone(), app.client.clone());
        tokio::spawn(async move {
            http.patch(url)
                .bearer_auth(at)
                .json(&json!({"industry": format!("Industry {i}")}))
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    for w in writes.collect::<Vec<_>>() {
        assert_eq!(w.await.unwrap(), StatusCode::OK);
    }
    let r = app.client.get(&url).bearer_auth(&at).send().await.unwrap();
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["version"], 9);
    // A caller who did send If-Match still gets the 412 for a version that moved on.
    let r = app
        .client
        .patch(&url)
        .bearer_auth(&at)
        .header("if-match", "\"1\"")
        .json(&json!({"industry": "Lost update"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::PRECONDITION_FAILED);
}
