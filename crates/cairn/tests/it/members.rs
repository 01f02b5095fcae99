//! Members: roles, invites, temporary passwords, the last owner, disabling.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Browser, PASSWORD, TestApp, extract_csrf};

async fn member_id(app: &TestApp, token: &str, email: &str) -> (String, i64) {
    let (_, v) = app
        .call(
            Method::GET,
            &format!("/api/v1/members?q={email}"),
            token,
            None,
        )
        .await;
    let m = &v["items"][0];
    (
        m["id"].as_str().unwrap().to_string(),
        m["version"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn members_and_viewers_cannot_manage_members_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "mia@acme.test", "member").await;
    app.user("acme", "vic@acme.test", "viewer").await;
    let owner = app.token("ann@acme.test").await;
    let (ann_id, _) = member_id(&app, &owner, "ann@acme.test").await;
    for email in ["mia@acme.test", "vic@acme.test"] {
        let t = app.token(email).await;
        let before = app.audit_count().await;
        let (s, _) = app.call(Method::POST, "/api/v1/members", &t, Some(json!({"email": "new@acme.test", "name": "New", "role": "member", "method": "invite"}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/members/{ann_id}"),
                &t,
                Some(json!({"role": "viewer"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/members/{ann_id}"),
                &t,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(app.audit_count().await, before);
        // But they can see their colleagues.
        assert_eq!(
            app.call(Method::GET, "/api/v1/members", &t, None).await.0,
            StatusCode::OK
        );
    }
    let (_, v) = app
        .call(
            Method::GET,
            &format!("/api/v1/members/{ann_id}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(v["role"], "owner");
}

#[tokio::test]
async fn the_last_owner_stays_and_only_owners_grant_ownership() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "ada@acme.test", "admin").await;
    app.user("acme", "mia@acme.test", "member").await;
    let owner = app.token("ann@acme.test").await;
    let admin = app.token("ada@acme.test").await;
    let (ann, v) = member_id(&app, &owner, "ann@acme.test").await;
    let (mia, mv) = member_id(&app, &owner, "mia@acme.test").await;

    let (s, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/members/{ann}"),
            &owner,
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/v1/members/{ann}"),
            &owner,
            None
        )
        .await
        .0,
        StatusCode::CONFLICT
    );

    // An admin cannot make an owner nor demote one.
    assert_eq!(
        app.call(
            Method::PATCH,
            &format!("/api/v1/members/{mia}"),
            &admin,
            Some(json!({"role": "owner"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(
            Method::PATCH,
            &format!("/api/v1/members/{ann}"),
            &admin,
            Some(json!({"role": "member"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // An admin changes ordinary roles.
    let (s, m) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/members/{mia}"),
            &admin,
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(m["version"], mv + 1);

    // The owner transfers ownership, then may step down.
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/members/{mia}"),
            &owner,
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/members/{ann}")))
        .bearer_auth(&owner)
        .header("if-match", format!("\"{v}\""))
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, me) = app.call(Method::GET, "/api/v1/me", &owner, None).await;
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn stale_if_match_on_member_changes_nothing() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "mia@acme.test", "member").await;
    let owner = app.token("ann@acme.test").await;
    let (mia, v) = member_id(&app, &owner, "mia@acme.test").await;
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/members/{mia}")))
        .bearer_auth(&owner)
        .header("if-match", format!("\"{}\"", v + 5))
        .json(&json!({"role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/members/{mia}")))
        .bearer_auth(&owner)
        .header("if-match", "\"99\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let r = app
        .api(Method::GET, &format!("/api/v1/members/{mia}"), &owner, None)
        .await;
    assert_eq!(r.headers()["etag"], format!("\"{v}\"").as_str());
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["role"], "member");
}

#[tokio::test]
async fn disabling_a_member_ends_their_tokens_and_sessions_at_once() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "mia@acme.test", "member").await;
    let owner = app.token("ann@acme.test").await;
    let mia_token = app.token("mia@acme.test").await;
    let mia_browser = app.browser_login("mia@acme.test", PASSWORD).await;
    assert_eq!(mia_browser.get("/").await.status(), StatusCode::OK);
    let (mia, _) = member_id(&app, &owner, "mia@acme.test").await;
    let (s, m) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/members/{mia}"),
            &owner,
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["disabled"], true);
    assert_eq!(
        listed(&app, &owner, "mia@acme.test").await["disabled"],
        true
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", &mia_token, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let r = mia_browser.get("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
    let (s, _) = app
        .grant(json!({"grant_type": "password", "email": "mia@acme.test", "password": PASSWORD}))
        .await;
    assert_ne!(s, StatusCode::OK);
}

#[tokio::test]
async fn temporary_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let owner = app.token("ann@acme.test").await;
    let (s, added) = app.call(Method::POST, "/api/v1/members", &owner, Some(json!({"email": "tim@acme.test", "name": "Tim", "role": "member", "method": "password"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    let temp = added["temporary_password"].as_str().unwrap().to_string();
    assert_eq!(added["member"]["must_change_password"], true);
    let tim = listed(&app, &owner, "tim@acme.test").await;
    assert_eq!(
        (
            &tim["must_change_password"],
            &tim["disabled"],
            &tim["two_factor"]
        ),
        (&json!(true), &json!(false), &json!(false))
    );
    let (s, v) = app
        .grant(json!({"grant_type": "password", "email": "tim@acme.test", "password": temp}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    let b = Browser::new(&app);
    let csrf = extract_csrf(&b.get("/login").await.text().await.unwrap());
    let r = b
        .post_form(
            "/login",
            &[
                ("_csrf", &csrf),
                ("email", "tim@acme.test"),
                ("password", &temp),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/password/new");
    assert_eq!(b.get("/").await.headers()["location"], "/password/new");
    let csrf = b.csrf("/password/new").await;
    let r = b
        .post_form(
            "/password/new",
            &[
                ("_csrf", &csrf),
                ("new_password", "password1234"),
                ("new_password_confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "common passwords are refused"
    );
    let r = b
        .post_form(
            "/password/new",
            &[
                ("_csrf", &csrf),
                ("new_password", "Fjord-Harbour-Lantern-7"),
                ("new_password_confirm", "Fjord-Harbour-Lantern-7"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get("/").await.status(), StatusCode::OK);
    let (s, _) = app.grant(json!({"grant_type": "password", "email": "tim@acme.test", "password": "Fjord-Harbour-Lantern-7"})).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn invite_links_work_once_and_join_an_existing_account() {
    let app = TestApp::spawn().await;
    let (_, acme) = app.owner("Acme", "ann@acme.test").await;
    let (_, beta) = app.owner("Beta", "bob@beta.test").await;
    let owner = app.token("ann@acme.test").await;
    // A brand-new person.
    let (s, inv) = app.call(Method::POST, "/api/v1/members", &owner, Some(json!({"email": "nia@acme.test", "name": "Nia", "role": "viewer", "method": "invite"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    let url = inv["invite_url"].as_str().unwrap();
    let path = url.strip_prefix(&app.base).unwrap().to_string();
    let b = Browser::new(&app);
    let page = b.get(&path).await.text().await.unwrap();
    assert!(page.contains("Acme"));
    let csrf = extract_csrf(&page);
    let r = b
        .post_form(
            &path,
            &[("_csrf", &csrf), ("name", "Nia N"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get("/").await.status(), StatusCode::OK);
    let r = Browser::new(&app).get(&path).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "an invite works once");

    // Someone who already has an account (in Beta) proves it with their password.
    let (_, inv) = app.call(Method::POST, "/api/v1/members", &owner, Some(json!({"email": "bob@beta.test", "name": "Bob", "role": "member", "method": "invite"}))).await;
    let path = inv["invite_url"]
        .as_str()
        .unwrap()
        .strip_prefix(&app.base)
        .unwrap()
        .to_string();
    let b = Browser::new(&app);
    let csrf = extract_csrf(&b.get(&path).await.text().await.unwrap());
    let r = b
        .post_form(
            &path,
            &[("_csrf", &csrf), ("password", "wrong-password-123")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = b
        .post_form(&path, &[("_csrf", &csrf), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bob = app.token("bob@beta.test").await;
    let (_, me) = app.call(Method::GET, "/api/v1/me", &bob, None).await;
    assert_eq!(me["workspaces"].as_array().unwrap().len(), 2);

    // Both workspaces show Bob's name, so a change to it is logged in each of them (and each
    // one's read cache lets go of the old name).
    let csrf = b.csrf("/settings/profile").await;
    let r = b
        .post_form(
            "/settings/profile",
            &[
                ("_csrf", &csrf),
                ("name", "Bob Builder"),
                ("timezone", "UTC"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    use cairn_store::entities::audit_entry;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut logged: Vec<Option<uuid::Uuid>> = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("user.profile_updated"))
        .all(app.cairn.store.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.workspace_id)
        .collect();
    logged.sort();
    let mut expected = vec![Some(acme), Some(beta)];
    expected.sort();
    assert_eq!(logged, expected);

    // A withdrawn invite's link stops working.
    let (_, inv) = app.call(Method::POST, "/api/v1/members", &owner, Some(json!({"email": "oops@acme.test", "name": "Oops", "role": "member", "method": "invite"}))).await;
    let (_, pending) = app.call(Method::GET, "/api/v1/invites", &owner, None).await;
    assert!(pending.to_string().contains("oops@acme.test"));
    assert!(
        !pending.to_string().contains(
            inv["invite_url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        ),
        "the list never shows the token"
    );
    let id = inv["invite_id"].as_str().unwrap();
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/v1/invites/{id}"),
            &owner,
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let path = inv["invite_url"]
        .as_str()
        .unwrap()
        .strip_prefix(&app.base)
        .unwrap()
        .to_string();
    assert_eq!(
        Browser::new(&app).get(&path).await.status(),
        StatusCode::NOT_FOUND
    );

    // Adding someone twice names the field.
    let (s, v) = app.call(Method::POST, "/api/v1/members", &owner, Some(json!({"email": "bob@beta.test", "name": "Bob", "role": "member", "method": "invite"}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "email");
}

/// A member as the member list shows them.
async fn listed(app: &TestApp, token: &str, email: &str) -> Value {
    let (s, list) = app.call(Method::GET, "/api/v1/members", token, None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .unwrap_or_else(|| panic!("{email} not listed: {list}"))
        .clone()
}
