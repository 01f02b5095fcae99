//! Tenant isolation, proven by walking every registered route that takes an id with ids from
//! another workspace: each answers 404 and nothing changes.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

/// Ids of records in workspace B that a member of A must never reach.
struct Foreign {
    member: String,
    token: String,
    session: String,
    invite: String,
}

async fn setup() -> (TestApp, String, crate::harness::Browser, Foreign, String) {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.owner("Beta", "bob@beta.test").await;
    app.user("beta", "bea@beta.test", "member").await;
    let a = app.token("ann@acme.test").await;
    let b = app.token("bob@beta.test").await;
    let (_, list) = app
        .call(Method::GET, "/api/v1/members?q=bea", &b, None)
        .await;
    let member = list["items"][0]["id"].as_str().unwrap().to_string();
    let (_, tok) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            &b,
            Some(json!({"name": "b", "scope": "read_write"})),
        )
        .await;
    let token = tok["token"]["id"].as_str().unwrap().to_string();
    let _bob_browser = app.browser_login("bob@beta.test", PASSWORD).await;
    let (_, sessions) = app.call(Method::GET, "/api/v1/sessions", &b, None).await;
    let session = sessions[0]["id"].as_str().unwrap().to_string();
    let (_, inv) = app
        .call(Method::POST, "/api/v1/members", &b, Some(json!({"email": "ivy@beta.test", "name": "Ivy", "role": "viewer", "method": "invite"})))
        .await;
    let invite = inv["invite_id"].as_str().unwrap().to_string();
    let ann_browser = app.browser_login("ann@acme.test", PASSWORD).await;
    (
        app,
        a,
        ann_browser,
        Foreign {
            member,
            token,
            session,
            invite,
        },
        b,
    )
}

async fn beta_state(app: &TestApp, b: &str) -> Value {
    let (_, members) = app.call(Method::GET, "/api/v1/members", b, None).await;
    let (_, tokens) = app.call(Method::GET, "/api/v1/tokens", b, None).await;
    let (_, sessions) = app.call(Method::GET, "/api/v1/sessions", b, None).await;
    let (_, invites) = app.call(Method::GET, "/api/v1/invites", b, None).await;
    json!({"members": members, "tokens": tokens, "sessions": sessions.as_array().map(|s| s.len()), "invites": invites})
}

#[tokio::test]
async fn every_api_route_with_an_id_answers_404_for_another_workspaces_records() {
    let (app, a, _ann, foreign, b) = setup().await;
    let before = beta_state(&app, &b).await;
    let spec: Value = serde_json::from_str(&cairn_web::openapi_json()).unwrap();
    let mut walked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        assert!(
            path.matches('{').count() == 1 && path.contains("{id}"),
            "route {path} takes an unexpected parameter: add it to this walk"
        );
        for method in item.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for id in [
                &foreign.member,
                &foreign.token,
                &foreign.session,
                &foreign.invite,
            ] {
                let url = path.replace("{id}", id);
                let body = (m == Method::PATCH).then(|| json!({"role": "viewer"}));
                let (s, v) = app.call(m.clone(), &url, &a, body).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{method} {url} leaked: {v}");
                walked += 1;
            }
        }
    }
    assert!(walked >= 15, "walked only {walked} route/id pairs");
    assert_eq!(
        beta_state(&app, &b).await,
        before,
        "nothing in the other workspace changed"
    );
}

/// UI routes that take a record id, with the form each needs.
const UI_ID_ROUTES: &[(&str, &str)] = &[
    ("GET", "/members/{id}"),
    ("POST", "/members/{id}/role"),
    ("POST", "/members/{id}/disable"),
    ("POST", "/members/{id}/enable"),
    ("POST", "/members/{id}/remove"),
    ("POST", "/settings/sessions/{id}/revoke"),
    ("POST", "/settings/tokens/{id}/revoke"),
    ("POST", "/members/invites/{id}/revoke"),
];

/// Routes with parameters that are not workspace record ids, and why.
const UI_OTHER_PARAM_ROUTES: &[&str] = &[
    "/invite/{token}",                   // an unguessable one-time secret, not an id
    "/admin/{collection}/{id}/{action}", // platform admins act across workspaces by design
];

#[tokio::test]
async fn every_ui_route_with_an_id_answers_404_for_another_workspaces_records() {
    let (app, _a, ann, foreign, b) = setup().await;
    // Meta-check: the walk covers every parameterised path literal in the UI router, however
    // rustfmt wraps the `.route(` calls.
    let source = include_str!("../../../cairn-web/src/ui/mod.rs");
    let paths: Vec<&str> = source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|lit| lit.starts_with('/') && lit.contains('{'))
        .collect();
    assert!(paths.len() >= UI_ID_ROUTES.len(), "found only {paths:?}");
    for path in paths {
        assert!(
            UI_ID_ROUTES.iter().any(|(_, p)| *p == path) || UI_OTHER_PARAM_ROUTES.contains(&path),
            "UI route {path} takes a parameter but is not in the tenancy walk"
        );
    }
    let before = beta_state(&app, &b).await;
    let csrf = ann.csrf("/members").await;
    for (method, path) in UI_ID_ROUTES {
        for id in [
            &foreign.member,
            &foreign.token,
            &foreign.session,
            &foreign.invite,
        ] {
            let url = path.replace("{id}", id);
            let r = if *method == "GET" {
                ann.get(&url).await
            } else {
                ann.post_form(&url, &[("_csrf", &csrf), ("role", "viewer")])
                    .await
            };
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {url}");
        }
    }
    assert_eq!(
        beta_state(&app, &b).await,
        before,
        "nothing in the other workspace changed"
    );
    let (_, me) = app.call(Method::GET, "/api/v1/me", &b, None).await;
    assert_eq!(me["workspace"]["slug"], "beta");
}

#[tokio::test]
async fn a_suspended_workspace_answers_403_and_platform_admins_see_no_business_data() {
    let app = TestApp::spawn().await;
    let (_, acme) = app.owner("Acme", "ann@acme.test").await;
    app.owner("Ops", "root@ops.test").await;
    app.cairn
        .set_platform_admin("root@ops.test", true)
        .await
        .unwrap();
    let ann = app.token("ann@acme.test").await;
    let root = app.browser_login("root@ops.test", PASSWORD).await;
    let page = root.get("/admin").await.text().await.unwrap();
    assert!(page.contains("Acme"));
    let csrf = root.csrf("/admin").await;
    let r = root
        .post_form(
            &format!("/admin/workspaces/{acme}/suspend"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, v) = app.call(Method::GET, "/api/v1/me", &ann, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // The platform admin's own token is bound to their workspace, not Acme's.
    let root_token = app.token("root@ops.test").await;
    let (_, members) = app
        .call(Method::GET, "/api/v1/members", &root_token, None)
        .await;
    assert!(!members.to_string().contains("ann@acme.test"));
    let r = root
        .post_form(
            &format!("/admin/workspaces/{acme}/reinstate"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", &ann, None).await.0,
        StatusCode::OK
    );

    // Disabling a user installation-wide ends every token at once.
    let (_, me) = app.call(Method::GET, "/api/v1/me", &ann, None).await;
    let ann_id = me["user"]["id"].as_str().unwrap().to_string();
    let page = root.get("/admin").await.text().await.unwrap();
    assert!(page.contains("ann@acme.test"));
    let r = root
        .post_form(
            &format!("/admin/users/{ann_id}/disable"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", &ann, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = app
        .grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": PASSWORD}))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn ordinary_users_cannot_use_platform_admin_pages() {
    let app = TestApp::spawn().await;
    let (_, acme) = app.owner("Acme", "ann@acme.test").await;
    let ann = app.browser_login("ann@acme.test", PASSWORD).await;
    assert_eq!(ann.get("/admin").await.status(), StatusCode::FORBIDDEN);
    let csrf = ann.csrf("/members").await;
    let before = app.audit_count().await;
    let r = ann
        .post_form(
            &format!("/admin/workspaces/{acme}/suspend"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, before);
}
