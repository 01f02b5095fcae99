//! Browser sessions: cookies, CSRF, idle timeout, password change, revoke, switching.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Browser, PASSWORD, TestApp, extract_csrf};

#[tokio::test]
async fn session_cookie_is_httponly_samesite_and_rotates_at_login() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let b = Browser::new(&app);
    let page = b.get("/login").await.text().await.unwrap();
    let csrf = extract_csrf(&page);
    let r = b
        .post_form(
            "/login",
            &[
                ("_csrf", &csrf),
                ("email", "ann@acme.test"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("cairn_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    let secret = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("cairn_session=")
        .to_string();
    assert!(secret.len() >= 52, "256-bit secret");
    use sea_orm::EntityTrait;
    let rows = cairn_store::entities::session::Entity::find()
        .all(app.cairn.store.reader())
        .await
        .unwrap();
    assert!(
        rows.iter().all(|s| s.token_hash != secret),
        "only the hash is stored"
    );
}

#[tokio::test]
async fn unsafe_requests_without_the_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let b = app.browser_login("ann@acme.test", PASSWORD).await;
    let before = app.audit_count().await;
    let r = b
        .post_form(
            "/settings/tokens",
            &[("name", "sneaky"), ("scope", "read_write")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b
        .post_form(
            "/settings/tokens",
            &[
                ("_csrf", "wrong"),
                ("name", "sneaky"),
                ("scope", "read_write"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Cookie-authenticated API writes need it too.
    let r = b
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"name": "sneaky", "scope": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // htmx requests pass with a same-origin Origin, not a foreign one.
    let r = b
        .client
        .post(app.url("/api/v1/tokens"))
        .header("hx-request", "true")
        .header("origin", "https://evil.test")
        .json(&json!({"name": "sneaky", "scope": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, before);
    let r = b
        .client
        .post(app.url("/api/v1/tokens"))
        .header("hx-request", "true")
        .header("origin", app.base.clone())
        .json(&json!({"name": "htmx", "scope": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let csrf = b.csrf("/settings/tokens").await;
    let r = b
        .post_form(
            "/settings/tokens",
            &[("_csrf", &csrf), ("name", "form"), ("scope", "read")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.text().await.unwrap().contains("cairn_pat_"));
    // The login form itself is protected (double-submit cookie).
    let fresh = Browser::new(&app);
    let r = fresh
        .post_form(
            "/login",
            &[("email", "ann@acme.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_needs_the_current_one() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let laptop = app.browser_login("ann@acme.test", PASSWORD).await;
    let phone = app.browser_login("ann@acme.test", PASSWORD).await;
    let csrf = laptop.csrf("/settings/password").await;
    let r = laptop
        .post_form(
            "/settings/password",
            &[
                ("_csrf", &csrf),
                ("current_password", "not-my-password-1"),
                ("new_password", "Fjord-Harbour-Lantern-7"),
                ("new_password_confirm", "Fjord-Harbour-Lantern-7"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("is incorrect"));
    assert_eq!(
        phone.get("/").await.status(),
        StatusCode::OK,
        "a failed change ends nothing"
    );
    let r = laptop
        .post_form(
            "/settings/password",
            &[
                ("_csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "Fjord-Harbour-Lantern-7"),
                ("new_password_confirm", "Fjord-Harbour-Lantern-7"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/").await.status(),
        StatusCode::OK,
        "this session continues with a new id"
    );
    assert_eq!(
        phone.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
}

#[tokio::test]
async fn idle_sessions_expire() {
    let config = cairn_core::Config {
        session_idle: Duration::from_secs(1),
        ..Default::default()
    };
    let app = TestApp::spawn_with(config).await;
    app.owner("Acme", "ann@acme.test").await;
    let b = app.browser_login("ann@acme.test", PASSWORD).await;
    assert_eq!(b.get("/").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = b.get("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
}

#[tokio::test]
async fn sessions_are_listed_and_revocable_and_logout_ends_the_session() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let laptop = app.browser_login("ann@acme.test", PASSWORD).await;
    let phone = app.browser_login("ann@acme.test", PASSWORD).await;
    let page = laptop.get("/settings/sessions").await.text().await.unwrap();
    assert!(page.contains("this session"));
    let token = app.token("ann@acme.test").await;
    let (_, list) = app
        .call(Method::GET, "/api/v1/sessions", &token, None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(list[0]["ip"].as_str().unwrap().starts_with("127.0.0.1"));
    // Revoke the phone from the laptop: find the one that is not "current" from the laptop's view.
    let other = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .find(|id| page.contains(&format!("/settings/sessions/{id}/revoke")))
        .unwrap();
    let csrf = laptop.csrf("/settings/sessions").await;
    let r = laptop
        .post_form(
            &format!("/settings/sessions/{other}/revoke"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/").await.status(), StatusCode::SEE_OTHER);
    let r = laptop.post_form("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(r.headers()["location"], "/login");
    assert_eq!(laptop.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn switching_workspace_changes_role_and_session_id() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.owner("Beta", "bob@beta.test").await;
    app.user("acme", "vi@x.test", "member").await;
    let bob = app.token("bob@beta.test").await;
    let (_, inv) = app
        .call(
            Method::POST,
            "/api/v1/members",
            &bob,
            Some(json!({"email": "vi@x.test", "name": "Vi", "role": "viewer", "method": "invite"})),
        )
        .await;
    let path = inv["invite_url"]
        .as_str()
        .unwrap()
        .strip_prefix(&app.base)
        .unwrap()
        .to_string();
    let join = Browser::new(&app);
    let csrf = extract_csrf(&join.get(&path).await.text().await.unwrap());
    assert_eq!(
        join.post_form(&path, &[("_csrf", &csrf), ("password", PASSWORD)])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let b = app.browser_login("vi@x.test", PASSWORD).await;
    let me: serde_json::Value = b.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["workspace"]["slug"], "acme");
    assert_eq!(me["role"], "member");
    let csrf = b.csrf("/").await;
    let r = b
        .post_form("/switch", &[("_csrf", &csrf), ("slug", "beta")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers().get("set-cookie").is_some(),
        "a new session id on privilege change"
    );
    let me: serde_json::Value = b.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["workspace"]["slug"], "beta");
    assert_eq!(me["role"], "viewer");
    let csrf = b.csrf("/").await;
    let r = b
        .post_form("/switch", &[("_csrf", &csrf), ("slug", "gamma")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "cannot switch into a workspace one is not a member of"
    );
}

#[tokio::test]
async fn setup_link_creates_the_first_owner_once() {
    let app = TestApp::spawn().await;
    let token = app
        .cairn
        .prepare_setup()
        .await
        .unwrap()
        .expect("no users yet");
    let b = Browser::new(&app);
    assert_eq!(
        b.get("/setup?token=wrong").await.status(),
        StatusCode::NOT_FOUND
    );
    let page = b
        .get(&format!("/setup?token={token}"))
        .await
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&page);
    let form = |pw: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("token", token.clone()),
            ("workspace", "Acme".into()),
            ("name", "Ann".into()),
            ("email", "ann@acme.test".into()),
            ("password", pw.into()),
            ("password_confirm", pw.into()),
        ]
    };
    let weak: Vec<(&str, String)> = form("password1234");
    let r = b
        .client
        .post(app.url("/setup"))
        .form(&weak)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!app.cairn.has_users().await.unwrap());
    let r = b
        .client
        .post(app.url("/setup"))
        .form(&form(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get("/").await.status(), StatusCode::OK);
    assert_eq!(
        Browser::new(&app)
            .get(&format!("/setup?token={token}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn under_https_cookies_are_secure_host_prefixed_and_hsts_is_sent() {
    let app = TestApp::spawn_full(
        cairn_core::Config::default(),
        Some("https://cairn.example.com"),
    )
    .await;
    app.owner("Acme", "ann@acme.test").await;
    let r = app.client.get(app.url("/login")).send().await.unwrap();
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let pre = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        pre.starts_with("__Host-cairn_pre=") && pre.contains("Secure") && pre.contains("Path=/"),
        "{pre}"
    );
    let pre_value = pre
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-cairn_pre=")
        .to_string();
    let csrf = extract_csrf(&r.text().await.unwrap());
    assert_eq!(csrf, pre_value);
    let r = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("__Host-cairn_pre={pre_value}"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "ann@acme.test"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-cairn_session="))
        .expect("session cookie");
    for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attr), "{attr} missing from {session}");
    }
    assert!(
        !session.contains("Domain="),
        "__Host- cookies carry no Domain"
    );
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime_even_when_active() {
    let config = cairn_core::Config {
        session_absolute: Duration::from_secs(2),
        ..Default::default()
    };
    let app = TestApp::spawn_with(config).await;
    app.owner("Acme", "ann@acme.test").await;
    let b = app.browser_login("ann@acme.test", PASSWORD).await;
    for _ in 0..3 {
        assert_eq!(b.get("/").await.status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(b.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn expired_access_tokens_are_refused_and_refresh_still_works() {
    let config = cairn_core::Config {
        access_token_ttl: Duration::from_secs(1),
        ..Default::default()
    };
    let app = TestApp::spawn_with(config).await;
    app.owner("Acme", "ann@acme.test").await;
    let (_, pair) = app
        .grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": PASSWORD}))
        .await;
    let at = pair["access_token"].as_str().unwrap();
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", at, None).await.0,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (s, v) = app.call(Method::GET, "/api/v1/me", at, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(v["detail"].as_str().unwrap().contains("expired"), "{v}");
    let (s, fresh) = app
        .grant(json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        app.call(
            Method::GET,
            "/api/v1/me",
            fresh["access_token"].as_str().unwrap(),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
}
