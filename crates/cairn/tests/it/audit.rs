//! The activity log: what is recorded, secrets redacted, the hash chain and its verification.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn security_events_are_logged_with_actor_ip_and_user_agent() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    let (s, _) = app.grant(json!({"grant_type": "password", "email": "ann@acme.test", "password": "wrong-password-123"})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let at = app.token("ann@acme.test").await;
    app.call(Method::POST, "/api/v1/members", &at, Some(json!({"email": "mia@acme.test", "name": "Mia", "role": "member", "method": "password", "password": "Fjord-Harbour-Lantern-7"}))).await;
    app.call(
        Method::POST,
        "/api/v1/tokens",
        &at,
        Some(json!({"name": "ci", "scope": "read"})),
    )
    .await;
    app.call(
        Method::PATCH,
        "/api/v1/workspace",
        &at,
        Some(json!({"name": "Acme Studio"})),
    )
    .await;

    let (s, log) = app
        .call(Method::GET, "/api/v1/activity?limit=200", &at, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "workspace.created",
        "auth.login",
        "member.created",
        "token.created",
        "workspace.settings_changed",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let created = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "member.created")
        .unwrap();
    assert_eq!(created["changes"]["password"], "[redacted]");
    assert!(
        !log.to_string().contains("Fjord-Harbour-Lantern-7"),
        "no secret in the log"
    );
    let login = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "auth.login")
        .unwrap();
    assert!(login["ip"].as_str().unwrap().starts_with("127.0.0.1"));
    assert!(login["actor"].as_str().unwrap().contains("ann@acme.test"));

    // Filters.
    let (_, only) = app
        .call(Method::GET, "/api/v1/activity?action=member.", &at, None)
        .await;
    assert!(
        only["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"].as_str().unwrap().starts_with("member."))
    );
    let (s, v) = app
        .call(Method::GET, "/api/v1/activity?since=yesterday", &at, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // Failed logins land in the platform chain.
    let report = cairn_core::audit::verify(&app.cairn.store).await.unwrap();
    assert!(report.first_break.is_none());
    assert!(report.chains >= 2);
}

#[tokio::test]
async fn members_and_viewers_cannot_read_the_activity_log() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "mia@acme.test", "member").await;
    let t = app.token("mia@acme.test").await;
    assert_eq!(
        app.call(Method::GET, "/api/v1/activity", &t, None).await.0,
        StatusCode::FORBIDDEN
    );
    let b = app.browser_login("mia@acme.test", PASSWORD).await;
    assert_eq!(b.get("/activity").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tampering_with_the_log_is_detected_at_the_first_broken_link() {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    for _ in 0..3 {
        app.token("ann@acme.test").await;
    }
    assert!(
        cairn_core::audit::verify(&app.cairn.store)
            .await
            .unwrap()
            .first_break
            .is_none()
    );
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let entries = cairn_store::entities::audit_entry::Entity::find()
        .filter(cairn_store::entities::audit_entry::Column::ChainKey.ne("platform"))
        .order_by_asc(cairn_store::entities::audit_entry::Column::Seq)
        .all(app.cairn.store.reader())
        .await
        .unwrap();
    let victim = &entries[2];
    cairn_store::entities::audit_entry::Entity::update_many()
        .col_expr(
            cairn_store::entities::audit_entry::Column::ActorLabel,
            Expr::value("someone else"),
        )
        .filter(cairn_store::entities::audit_entry::Column::Id.eq(victim.id))
        .exec(app.cairn.store.writer())
        .await
        .unwrap();
    let report = cairn_core::audit::verify(&app.cairn.store).await.unwrap();
    let (chain, seq, why) = report.first_break.expect("tampering detected");
    assert_eq!(chain, victim.chain_key);
    assert_eq!(seq, victim.seq);
    assert!(why.contains("hash"), "{why}");

    // Deleting an entry is detected too.
    cairn_store::entities::audit_entry::Entity::delete_by_id(entries[1].id)
        .exec(app.cairn.store.writer())
        .await
        .unwrap();
    let (_, seq, why) = cairn_core::audit::verify(&app.cairn.store)
        .await
        .unwrap()
        .first_break
        .unwrap();
    assert_eq!(seq, entries[2].seq);
    assert!(why.contains("removed"), "{why}");
}
