//! The token endpoint, refresh rotation, personal access tokens and their scopes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn password_grant_returns_bearer_pair_that_reads_me() {
    let app = TestApp::spawn().await;
    app.owner("Acme Studio", "ann@acme.test").await;
    let (s, v) = app
        .grant(json!({"grant_type": "password", "email": "ANN@acme.test", "password": PASSWORD}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 900);
    assert!(
        v["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("cairn_rt_")
    );
    let (s, me) = app
        .call(
            Method::GET,
            "/api/v1/me",
            v["access_token"].as_str().unwrap(),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["user"]["email"], "ann@acme.test");
    assert_eq!(me["role"], "owner");
    assert_eq!(me["workspace"]["slug"], "acme-studio");
    assert_eq!(me["workspaces"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let (s1, v1) = app.grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": "not-the-password-1"})).await;
    let (s2, v2) = app.grant(json!({"grant_type": "password", "email": "nobody@acme.test", "password": "not-the-password-1"})).await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, StatusCode::UNAUTHORIZED);
    assert_eq!(v1["detail"], v2["detail"]);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let (_, first) = app
        .grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": PASSWORD}))
        .await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_string();
    let (s, second) = app
        .grant(json!({"grant_type": "refresh_token", "refresh_token": rt1}))
        .await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let at2 = second["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", &at2, None).await.0,
        StatusCode::OK
    );

    // Replaying the spent refresh token revokes every token of this sign-in.
    let (s, v) = app
        .grant(json!({"grant_type": "refresh_token", "refresh_token": rt1}))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", &at2, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = app
        .grant(json!({"grant_type": "refresh_token", "refresh_token": second["refresh_token"]}))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn read_scope_token_cannot_write_and_writes_nothing() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let at = app.token("ann@acme.test").await;
    let (s, created) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            &at,
            Some(json!({"name": "reporting", "scope": "read", "expires_in_days": 30})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let pat = created["secret"].as_str().unwrap().to_string();
    assert!(pat.starts_with("cairn_pat_"));
    assert_eq!(
        app.call(Method::GET, "/api/v1/members", &pat, None).await.0,
        StatusCode::OK
    );

    let before = app.audit_count().await;
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/members",
            &pat,
            Some(
                json!({"email": "x@acme.test", "name": "X", "role": "member", "method": "invite"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(
        app.audit_count().await,
        before,
        "a denied request writes nothing"
    );

    // The list never shows the secret; revoking ends the token at once.
    let (_, list) = app.call(Method::GET, "/api/v1/tokens", &at, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(&pat));
    let id = created["token"]["id"].as_str().unwrap();
    assert_eq!(
        app.api(Method::DELETE, &format!("/api/v1/tokens/{id}"), &at, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", &pat, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let at = app.token("ann@acme.test").await;
    use sea_orm::EntityTrait;
    let rows = cairn_store::entities::api_token::Entity::find()
        .all(app.cairn.store.reader())
        .await
        .unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.token_hash != at && r.token_hash.len() == 64)
    );
}

#[tokio::test]
async fn token_validation_names_fields() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let at = app.token("ann@acme.test").await;
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            &at,
            Some(json!({"name": "", "scope": "admin", "expires_in_days": 1000})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "scope", "expires_in_days"]);
}

#[tokio::test]
async fn second_factor_is_required_and_each_code_works_once() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let at = app.token("ann@acme.test").await;
    let (s, en) = app.call(Method::POST, "/api/v1/me/totp", &at, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(en["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = en["secret"].as_str().unwrap().to_string();
    let code = cairn_core::totp::current_code(&secret, "ann@acme.test").unwrap();
    let (s, codes) = app
        .call(
            Method::POST,
            "/api/v1/me/totp/confirm",
            &at,
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{codes}");
    let recovery: Vec<String> = codes["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);

    // The seed is sealed, not stored in plaintext.
    let (_, me) = app.call(Method::GET, "/api/v1/me", &at, None).await;
    let user_id = uuid::Uuid::parse_str(me["user"]["id"].as_str().unwrap()).unwrap();
    let user = app.cairn.user(cairn_domain::UserId(user_id)).await.unwrap();
    assert!(!user.totp_secret_enc.unwrap().contains(&secret));

    let (s, v) = app
        .grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": PASSWORD}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "totp");
    // The code used for enrolment cannot be replayed.
    let (s, _) = app.grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": PASSWORD, "totp": code})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A recovery code works once.
    let (s, v) = app.grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": PASSWORD, "totp": recovery[0]})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = app.grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": PASSWORD, "totp": recovery[0]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Disabling needs the password.
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/me/totp/disable",
            &at,
            Some(json!({"password": "wrong-password-123"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/me/totp/disable",
            &at,
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": PASSWORD}))
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn login_throttling_locks_out_without_revealing_accounts() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    for email in ["ann@acme.test", "ghost@acme.test"] {
        for _ in 0..cairn_core::throttle::ACCOUNT_LIMIT {
            let (s, _) = app.grant(json!({"grant_type": "password", "email": email, "password": "wrong-password-123"})).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        let r = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"grant_type": "password", "email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{email} locked out, even with the right password"
        );
        assert!(r.headers().get("retry-after").is_some());
    }
}
