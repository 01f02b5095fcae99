//! Accounts: password policy, profile, login page behaviour.

use reqwest::StatusCode;

use crate::harness::{Browser, PASSWORD, TestApp, extract_csrf};

#[tokio::test]
async fn login_page_errors_never_reveal_whether_an_email_exists() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let mut bodies = vec![];
    for email in ["ann@acme.test", "nobody@acme.test"] {
        let b = Browser::new(&app);
        let csrf = extract_csrf(&b.get("/login").await.text().await.unwrap());
        let r = b
            .post_form(
                "/login",
                &[
                    ("_csrf", &csrf),
                    ("email", email),
                    ("password", "wrong-password-123"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body = r.text().await.unwrap();
        assert!(body.contains("email or password is incorrect"));
        bodies.push(body.replace(email, "EMAIL"));
    }
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("_csrf"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&bodies[0]), strip(&bodies[1]));
}

#[tokio::test]
async fn profile_validates_time_zone_and_name() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let b = app.browser_login("ann@acme.test", PASSWORD).await;
    let csrf = b.csrf("/settings/profile").await;
    let r = b
        .post_form(
            "/settings/profile",
            &[("_csrf", &csrf), ("name", ""), ("timezone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("is required") && body.contains("IANA time zone"));
    let r = b
        .post_form(
            "/settings/profile",
            &[
                ("_csrf", &csrf),
                ("name", "Ann Smith"),
                ("timezone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let t = app.token("ann@acme.test").await;
    let (_, me) = app.call(reqwest::Method::GET, "/api/v1/me", &t, None).await;
    assert_eq!(me["user"]["timezone"], "Europe/Berlin");
    assert_eq!(me["user"]["name"], "Ann Smith");
}

#[tokio::test]
async fn cli_refuses_weak_passwords_and_duplicate_users() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let e = app
        .cairn
        .cli_create_user("acme", "x@acme.test", "X", "member", "password1234")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("password"));
    let e = app
        .cairn
        .cli_create_user("acme", "ann@acme.test", "A", "member", PASSWORD)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("email"));
    app.cairn
        .reset_password("ann@acme.test", "Fjord-Harbour-Lantern-7")
        .await
        .unwrap();
    let (s, _) = app.grant(serde_json::json!({"grant_type": "password", "email": "ann@acme.test", "password": "Fjord-Harbour-Lantern-7"})).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn ui_pages_render_for_every_role() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "vic@acme.test", "viewer").await;
    let owner = app.browser_login("ann@acme.test", PASSWORD).await;
    for path in [
        "/",
        "/members",
        "/activity",
        "/settings/profile",
        "/settings/password",
        "/settings/security",
        "/settings/sessions",
        "/settings/tokens",
        "/settings/workspace",
    ] {
        let r = owner.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        assert!(!html.contains("<script>"), "no inline scripts on {path}");
        assert!(!html.contains("style=\""), "no inline styles on {path}");
    }
    let viewer = app.browser_login("vic@acme.test", PASSWORD).await;
    assert_eq!(viewer.get("/members").await.status(), StatusCode::OK);
    assert_eq!(
        viewer.get("/settings/workspace").await.status(),
        StatusCode::FORBIDDEN
    );
    let html = viewer.get("/").await.text().await.unwrap();
    assert!(
        !html.contains("Activity log"),
        "viewers do not see admin navigation"
    );
}
