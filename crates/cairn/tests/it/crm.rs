//! Clients, contacts, interactions, tags and client visibility.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::TestApp;

/// An app with an owner (ann), an admin (ada), two members (mia, max) and a viewer (vic).
async fn team() -> (TestApp, Tokens) {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "ada@acme.test", "admin").await;
    app.user("acme", "mia@acme.test", "member").await;
    app.user("acme", "max@acme.test", "member").await;
    app.user("acme", "vic@acme.test", "viewer").await;
    let t = Tokens {
        owner: app.token("ann@acme.test").await,
        admin: app.token("ada@acme.test").await,
        mia: app.token("mia@acme.test").await,
        max: app.token("max@acme.test").await,
        viewer: app.token("vic@acme.test").await,
    };
    (app, t)
}

struct Tokens {
    owner: String,
    admin: String,
    mia: String,
    max: String,
    viewer: String,
}

async fn user_id(app: &TestApp, token: &str) -> String {
    app.call(Method::GET, "/api/v1/me", token, None).await.1["user"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (s, v) = app
        .call(Method::POST, "/api/v1/clients", token, Some(body))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn clients_carry_every_field_and_bad_input_names_each_field() {
    let (app, t) = team().await;
    let mia = user_id(&app, &t.mia).await;
    let (_, tag) = app
        .call(
            Method::POST,
            "/api/v1/tags",
            &t.owner,
            Some(json!({"name": "Retainer", "colour": "#22c55e"})),
        )
        .await;
    let body = json!({
        "name": "Northwind Analytics", "status": "active", "industry": "Logistics", "company_size": "medium",
        "timezone": "Europe/Berlin", "ai_maturity": "low", "website": "northwind.example", "email": "Hello@Northwind.example",
        "phone": "+49 30 1234567", "address": "Unter den Linden 1\nBerlin", "notes": "# Key facts\n- pays on time",
        "account_owner_id": mia, "tags": [tag["id"]], "custom": {"crm_id": 42}
    });
    let c = create(&app, &t.mia, body).await;
    assert_eq!(c["website"], "https://northwind.example");
    assert_eq!(c["email"], "hello@northwind.example");
    assert_eq!(c["account_owner"]["name"], "User mia@acme.test");
    assert_eq!(c["tags"][0]["name"], "Retainer");
    assert_eq!(c["visibility"], "everyone");
    assert_eq!(c["version"], 1);

    let (s, v) = app
        .call(Method::POST, "/api/v1/clients", &t.mia, Some(json!({"status": "gold", "company_size": "huge", "email": "nope", "website": "javascript:alert(1)", "timezone": "Mars/Base", "phone": "call me"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        fields(&v),
        [
            "name",
            "status",
            "company_size",
            "timezone",
            "website",
            "email",
            "phone"
        ]
    );
    let outsider = app.owner("Other", "oz@other.test").await.0;
    let (_, other_tag) = app
        .call(
            Method::POST,
            "/api/v1/tags",
            &app.token("oz@other.test").await,
            Some(json!({"name": "theirs"})),
        )
        .await;
    let before = app.audit_count().await;
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/clients",
            &t.mia,
            Some(json!({"name": "X", "account_owner_id": outsider, "tags": [other_tag["id"]]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&v), ["account_owner_id", "tags"]);
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/clients",
            &t.mia,
            Some(json!({"name": "X", "colour": "red"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["colour"]);
    assert_eq!(app.audit_count().await, before, "bad input writes nothing");

    // PATCH: absent fields stay, null clears, stale versions are refused.
    let id = c["id"].as_str().unwrap();
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/clients/{id}")))
        .bearer_auth(&t.mia)
        .header("if-match", "\"1\"")
        .json(&json!({"industry": null, "status": "paused"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["industry"], Value::Null);
    assert_eq!(v["status"], "paused");
    assert_eq!(v["email"], "hello@northwind.example");
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/clients/{id}")))
        .bearer_auth(&t.mia)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "former"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        app.call(Method::GET, &format!("/api/v1/clients/{id}"), &t.mia, None)
            .await
            .1["status"],
        "paused"
    );
}

/// Expected status for an action: allowed → the success code, denied → 403.
fn expect(allowed: bool, ok: StatusCode) -> StatusCode {
    if allowed { ok } else { StatusCode::FORBIDDEN }
}

#[tokio::test]
async fn the_role_matrix_holds_for_every_crm_action() {
    use cairn_domain::permissions::allows;
    use cairn_domain::{Action, Resource, Role};
    let (app, t) = team().await;
    let (_, tag) = app
        .call(
            Method::POST,
            "/api/v1/tags",
            &t.owner,
            Some(json!({"name": "base"})),
        )
        .await;
    let tag_id = tag["id"].as_str().unwrap().to_string();
    for (role, token) in [
        (Role::Owner, &t.owner),
        (Role::Admin, &t.admin),
        (Role::Member, &t.mia),
        (Role::Viewer, &t.viewer),
    ] {
        let name = format!("Client of {role}");
        let target = create(&app, &t.owner, json!({"name": name})).await;
        let id = target["id"].as_str().unwrap().to_string();
        let before = app.audit_count().await;

        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/clients",
                token,
                Some(json!({"name": format!("{role} made")})),
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::Create, Resource::Client),
                StatusCode::CREATED
            ),
            "{role} create client"
        );
        let (s, _) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/clients/{id}"),
                token,
                Some(json!({"status": "active"})),
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::Update, Resource::Client),
                StatusCode::OK
            ),
            "{role} update client"
        );
        let (s, _) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/clients/{id}"),
                token,
                Some(json!({"tags": [tag_id]})),
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::Apply, Resource::Tag)
                    && allows(role, Action::Update, Resource::Client),
                StatusCode::OK
            ),
            "{role} apply tag"
        );
        let (s, _) = app
            .call(
                Method::PUT,
                &format!("/api/v1/clients/{id}/access"),
                token,
                Some(json!({"visibility": "everyone", "users": []})),
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::ManageAccess, Resource::Client),
                StatusCode::OK
            ),
            "{role} manage access"
        );
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/clients/{id}/contacts"),
                token,
                Some(json!({"name": "C"})),
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::Create, Resource::Contact),
                StatusCode::CREATED
            ),
            "{role} create contact"
        );
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/clients/{id}/interactions"),
                token,
                Some(json!({"kind": "call", "body": "b"})),
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::Create, Resource::Interaction),
                StatusCode::CREATED
            ),
            "{role} log interaction"
        );
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/tags",
                token,
                Some(json!({"name": format!("t-{role}")})),
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::Create, Resource::Tag),
                StatusCode::CREATED
            ),
            "{role} create tag"
        );
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/clients/{id}/archive"),
                token,
                None,
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::Archive, Resource::Client),
                StatusCode::OK
            ),
            "{role} archive"
        );
        let (s, _) = app
            .call(
                Method::DELETE,
                &format!(
                    "/api/v1/clients/{id}?confirm_name={}",
                    name.replace(' ', "%20")
                ),
                token,
                None,
            )
            .await;
        assert_eq!(
            s,
            expect(
                allows(role, Action::Delete, Resource::Client),
                StatusCode::NO_CONTENT
            ),
            "{role} delete"
        );
        // Everyone may read.
        assert_eq!(
            app.call(Method::GET, "/api/v1/clients", token, None)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            app.call(Method::GET, "/api/v1/tags", token, None).await.0,
            StatusCode::OK
        );
        if role == Role::Viewer {
            assert_eq!(
                app.audit_count().await,
                before,
                "a viewer's denied requests wrote nothing"
            );
        }
    }
}

/// Whether `token` can open client `id`, and whether it appears in its list.
async fn sees(app: &TestApp, token: &str, id: &str) -> (bool, bool) {
    let open = app
        .call(Method::GET, &format!("/api/v1/clients/{id}"), token, None)
        .await
        .0
        == StatusCode::OK;
    let mut listed = false;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/clients?limit=2&archived=all&cursor={c}"),
            None => "/api/v1/clients?limit=2&archived=all".to_string(),
        };
        let (_, page) = app.call(Method::GET, &url, token, None).await;
        listed |= page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    (open, listed)
}

#[tokio::test]
async fn visibility_is_consistent_across_detail_list_and_everything_under_a_client() {
    let (app, t) = team().await;
    let mia = user_id(&app, &t.mia).await;
    let open = create(&app, &t.mia, json!({"name": "Open Co"})).await;
    let secret = create(
        &app,
        &t.owner,
        json!({"name": "Secret Co", "visibility": "restricted", "access": [mia]}),
    )
    .await;
    let (sid, oid) = (secret["id"].as_str().unwrap(), open["id"].as_str().unwrap());
    let (_, contact) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{sid}/contacts"),
            &t.owner,
            Some(json!({"name": "Sam Secret", "email": "sam@secret.test"})),
        )
        .await;
    let (_, inter) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{sid}/interactions"),
            &t.owner,
            Some(json!({"kind": "meeting", "body": "board meeting"})),
        )
        .await;

    for (who, token, expect_secret) in [
        ("owner", &t.owner, true),
        ("admin", &t.admin, true),
        ("listed member", &t.mia, true),
        ("unlisted member", &t.max, false),
        ("viewer", &t.viewer, false),
    ] {
        assert_eq!(
            sees(&app, token, oid).await,
            (true, true),
            "{who} and the open client"
        );
        assert_eq!(
            sees(&app, token, sid).await,
            (expect_secret, expect_secret),
            "{who}: can open == is listed"
        );
        let code = if expect_secret {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(
            app.call(
                Method::GET,
                &format!("/api/v1/clients/{sid}/contacts"),
                token,
                None
            )
            .await
            .0,
            code,
            "{who} contacts"
        );
        assert_eq!(
            app.call(
                Method::GET,
                &format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap()),
                token,
                None
            )
            .await
            .0,
            code,
            "{who} contact"
        );
        assert_eq!(
            app.call(
                Method::GET,
                &format!("/api/v1/interactions/{}", inter["id"].as_str().unwrap()),
                token,
                None
            )
            .await
            .0,
            code,
            "{who} interaction"
        );
        assert_eq!(
            app.call(
                Method::GET,
                &format!("/api/v1/clients/{sid}/versions"),
                token,
                None
            )
            .await
            .0,
            code,
            "{who} history"
        );
        // Filters and text search never surface it either.
        let (_, found) = app
            .call(Method::GET, "/api/v1/clients?q=secret", token, None)
            .await;
        assert_eq!(
            found["items"].as_array().unwrap().len(),
            usize::from(expect_secret),
            "{who} search"
        );
        // Writes to an invisible client are 404 and change nothing.
        if !expect_secret {
            let (s, _) = app
                .call(
                    Method::PATCH,
                    &format!("/api/v1/clients/{sid}"),
                    token,
                    Some(json!({"name": "Pwned"})),
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND);
            let (s, _) = app
                .call(
                    Method::POST,
                    &format!("/api/v1/clients/{sid}/interactions"),
                    token,
                    Some(json!({"kind": "note", "body": "x"})),
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
    }
    assert_eq!(
        app.call(
            Method::GET,
            &format!("/api/v1/clients/{sid}"),
            &t.owner,
            None
        )
        .await
        .1["name"],
        "Secret Co"
    );
    // Opening the client up makes it visible to everyone at once.
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/clients/{sid}/access"),
            &t.admin,
            Some(json!({"visibility": "everyone", "users": []})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sees(&app, &t.max, sid).await, (true, true));
    let (_, access) = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{sid}/access"),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(access.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn interactions_are_immutable_in_the_api_and_the_database() {
    let (app, t) = team().await;
    let c = create(&app, &t.mia, json!({"name": "Acme Client"})).await;
    let cid = c["id"].as_str().unwrap();
    let (_, other) = app
        .call(
            Method::POST,
            "/api/v1/clients",
            &t.mia,
            Some(json!({"name": "Other"})),
        )
        .await;
    let (_, contact) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{cid}/contacts"),
            &t.mia,
            Some(json!({"name": "Pat"})),
        )
        .await;
    let (s, first) = app.call(Method::POST, &format!("/api/v1/clients/{cid}/interactions"), &t.mia, Some(json!({"kind": "call", "body": "Agreed on a Q3 start", "contact_id": contact["id"]}))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(first["author"]["name"], "User mia@acme.test");
    let iid = first["id"].as_str().unwrap();
    for m in [Method::PATCH, Method::PUT, Method::DELETE] {
        let (s, v) = app
            .call(
                m.clone(),
                &format!("/api/v1/interactions/{iid}"),
                &t.owner,
                Some(json!({"body": "rewritten"})),
            )
            .await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{m}: {v}");
    }
    // The database itself refuses.
    use cairn_store::entities::interaction;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let id = uuid::Uuid::parse_str(iid).unwrap();
    let update = interaction::Entity::update_many()
        .col_expr(interaction::Column::Body, Expr::value("forged"))
        .filter(interaction::Column::Id.eq(id))
        .exec(app.cairn.store.writer())
        .await;
    assert!(update.is_err(), "UPDATE must be refused");
    let delete = interaction::Entity::delete_by_id(id)
        .exec(app.cairn.store.writer())
        .await;
    assert!(delete.is_err(), "DELETE must be refused");
    // A correction is a new interaction pointing at the old one; it must be of the same client.
    let (s, fix) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{cid}/interactions"),
            &t.mia,
            Some(json!({"kind": "note", "body": "Correction: Q4 start", "corrects_id": iid})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(fix["corrects_id"], iid);
    let oid = other["id"].as_str().unwrap();
    let (s, v) = app.call(Method::POST, &format!("/api/v1/clients/{oid}/interactions"), &t.mia, Some(json!({"kind": "note", "body": "x", "corrects_id": iid, "contact_id": contact["id"]}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&v), ["contact_id", "corrects_id"]);
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{cid}/interactions"),
            &t.mia,
            Some(json!({"kind": "fax", "body": " "})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&v), ["kind", "body"]);
    let (_, page) = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{cid}/interactions"),
            &t.viewer,
            None,
        )
        .await;
    let bodies: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["Correction: Q4 start", "Agreed on a Q3 start"],
        "newest first, nothing rewritten"
    );

    // Permanent deletion of the client takes its interactions with it (and only then).
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{cid}?confirm_name=wrong"),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{cid}?confirm_name=Acme%20Client"),
            &t.owner,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        interaction::Entity::find_by_id(id)
            .one(app.cairn.store.reader())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        app.call(
            Method::GET,
            &format!("/api/v1/clients/{cid}"),
            &t.owner,
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (_, log) = app
        .call(
            Method::GET,
            "/api/v1/activity?action=client.deleted",
            &t.owner,
            None,
        )
        .await;
    assert_eq!(log["items"][0]["changes"]["name"][0], "Acme Client");
}

#[tokio::test]
async fn history_shows_field_diffs_and_revert_makes_a_new_version() {
    let (app, t) = team().await;
    let c = create(
        &app,
        &t.mia,
        json!({"name": "Bluefin", "status": "lead", "industry": "Media"}),
    )
    .await;
    let id = c["id"].as_str().unwrap();
    app.call(
        Method::PATCH,
        &format!("/api/v1/clients/{id}"),
        &t.mia,
        Some(json!({"status": "active"})),
    )
    .await;
    app.call(
        Method::PATCH,
        &format!("/api/v1/clients/{id}"),
        &t.mia,
        Some(json!({"name": "Bluefin Studio", "industry": null})),
    )
    .await;
    let (_, versions) = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{id}/versions"),
            &t.viewer,
            None,
        )
        .await;
    let numbers: Vec<i64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    let (_, diff) = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{id}/versions/diff?from=1&to=3"),
            &t.viewer,
            None,
        )
        .await;
    let changed: Vec<&str> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["industry", "name", "status"]);
    let (s, v) = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{id}/versions/diff?from=1&to=9"),
            &t.viewer,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&v), ["to"]);
    // Viewers cannot revert; members can.
    assert_eq!(
        app.call(
            Method::POST,
            &format!("/api/v1/clients/{id}/revert"),
            &t.viewer,
            Some(json!({"version": 1}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, reverted) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{id}/revert"),
            &t.mia,
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{reverted}");
    assert_eq!(reverted["version"], 4);
    assert_eq!(reverted["name"], "Bluefin");
    assert_eq!(reverted["status"], "lead");
    assert_eq!(reverted["industry"], "Media");
    let (_, log) = app
        .call(
            Method::GET,
            "/api/v1/activity?action=client.reverted",
            &t.owner,
            None,
        )
        .await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn client_list_filters_sorts_and_paginates_on_the_server() {
    let (app, t) = team().await;
    let mia = user_id(&app, &t.mia).await;
    let (_, vip) = app
        .call(
            Method::POST,
            "/api/v1/tags",
            &t.owner,
            Some(json!({"name": "VIP"})),
        )
        .await;
    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/tags",
            &t.owner,
            Some(json!({"name": "vip"})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "tag names are unique case-insensitively: {v}"
    );
    for (name, status, owned, tagged) in [
        ("delta", "active", true, true),
        ("Alpha", "lead", false, true),
        ("charlie", "active", true, false),
        ("Bravo", "former", false, false),
        ("echo", "active", false, true),
    ] {
        let mut body = json!({"name": name, "status": status});
        if owned {
            body["account_owner_id"] = json!(mia);
        }
        if tagged {
            body["tags"] = json!([vip["id"]]);
        }
        create(&app, &t.owner, body).await;
    }
    let names = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let (_, all) = app.call(Method::GET, "/api/v1/clients", &t.mia, None).await;
    assert_eq!(
        names(&all),
        ["Alpha", "Bravo", "charlie", "delta", "echo"],
        "case-insensitive name order"
    );
    let (_, v) = app
        .call(Method::GET, "/api/v1/clients?sort=-name", &t.mia, None)
        .await;
    assert_eq!(names(&v), ["echo", "delta", "charlie", "Bravo", "Alpha"]);
    let (_, v) = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/clients?status=active&tag={}",
                vip["id"].as_str().unwrap()
            ),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(names(&v), ["delta", "echo"]);
    let (_, v) = app
        .call(Method::GET, "/api/v1/clients?owner=me", &t.mia, None)
        .await;
    assert_eq!(names(&v), ["charlie", "delta"]);
    let (_, v) = app
        .call(
            Method::GET,
            "/api/v1/clients?status=lead,former&q=a",
            &t.mia,
            None,
        )
        .await;
    assert_eq!(names(&v), ["Alpha", "Bravo"]);
    // Pagination by status then name, two at a time, returns each client exactly once.
    let mut seen = vec![];
    let mut url = "/api/v1/clients?sort=status&limit=2".to_string();
    loop {
        let (s, page) = app.call(Method::GET, &url, &t.mia, None).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        seen.extend(names(&page));
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/clients?sort=status&limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["charlie", "delta", "echo", "Bravo", "Alpha"]);
    let (s, v) = app
        .call(
            Method::GET,
            "/api/v1/clients?status=gold&sort=size&owner=someone",
            &t.mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&v), ["status", "owner", "sort"]);
    // Archived clients leave the default list and come back on restore.
    let delta = all["items"][3]["id"].as_str().unwrap().to_string();
    app.call(
        Method::POST,
        &format!("/api/v1/clients/{delta}/archive"),
        &t.mia,
        None,
    )
    .await;
    assert_eq!(
        names(
            &app.call(Method::GET, "/api/v1/clients", &t.mia, None)
                .await
                .1
        )
        .len(),
        4
    );
    assert_eq!(
        names(
            &app.call(Method::GET, "/api/v1/clients?archived=true", &t.mia, None)
                .await
                .1
        ),
        ["delta"]
    );
    assert_eq!(
        app.call(
            Method::POST,
            &format!("/api/v1/clients/{delta}/archive"),
            &t.mia,
            None
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    app.call(
        Method::POST,
        &format!("/api/v1/clients/{delta}/restore"),
        &t.mia,
        None,
    )
    .await;
    assert_eq!(
        names(
            &app.call(Method::GET, "/api/v1/clients", &t.mia, None)
                .await
                .1
        )
        .len(),
        5
    );
    // Deleting a tag takes it off every client.
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/v1/tags/{}", vip["id"].as_str().unwrap()),
            &t.owner,
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (_, v) = app.call(Method::GET, "/api/v1/clients", &t.mia, None).await;
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["tags"].as_array().unwrap().is_empty())
    );
}

#[tokio::test]
async fn one_primary_contact_per_client_and_contact_validation() {
    let (app, t) = team().await;
    let c = create(&app, &t.mia, json!({"name": "Primary Co"})).await;
    let cid = c["id"].as_str().unwrap();
    let (_, a) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{cid}/contacts"),
            &t.mia,
            Some(json!({"name": "Ana", "is_primary": true})),
        )
        .await;
    let (_, b) = app.call(Method::POST, &format!("/api/v1/clients/{cid}/contacts"), &t.mia, Some(json!({"name": "Ben", "email": "BEN@x.test", "phone": "+1 555 0100", "title": "CTO"}))).await;
    assert_eq!(b["email"], "ben@x.test");
    let bid = b["id"].as_str().unwrap();
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/contacts/{bid}"),
            &t.mia,
            Some(json!({"is_primary": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{cid}/contacts"),
            &t.mia,
            None,
        )
        .await;
    let primaries: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["is_primary"] == true)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(primaries, ["Ben"]);
    assert_eq!(list[0]["name"], "Ben", "primary first");
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{cid}/contacts"),
            &t.mia,
            Some(json!({"name": "", "email": "x", "phone": "abc"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&v), ["name", "email", "phone"]);
    let aid = a["id"].as_str().unwrap();
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/contacts/{aid}/archive"),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, list) = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{cid}/contacts"),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, list) = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{cid}/contacts?archived=true"),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn client_pages_inline_edit_saved_views_and_dashboard_respect_visibility() {
    let (app, t) = team().await;
    let mia_id = user_id(&app, &t.mia).await;
    let open = create(&app, &t.owner, json!({"name": "Open Co", "status": "lead"})).await;
    create(
        &app,
        &t.owner,
        json!({"name": "Hidden Co", "visibility": "restricted", "access": []}),
    )
    .await;
    let oid = open["id"].as_str().unwrap().to_string();

    // The member's pages never mention the restricted client.
    let mia = app
        .browser_login("mia@acme.test", crate::harness::PASSWORD)
        .await;
    let list = mia.get("/clients").await.text().await.unwrap();
    assert!(list.contains("Open Co") && !list.contains("Hidden Co"));
    let dash = dash_of(&mia).await;
    assert!(
        dash.contains(r#"<span class="n">1</span><span class="l">clients</span>"#),
        "the dashboard counts only visible clients"
    );
    let owner = app
        .browser_login("ann@acme.test", crate::harness::PASSWORD)
        .await;
    let dash = dash_of(&owner).await;
    assert!(dash.contains(r#"<span class="n">2</span><span class="l">clients</span>"#));
    // Last week's events: the whole log for the owner, only their own for a member, who
    // must not see activity on a hidden client even as a number.
    let events = |page: &str, label: &str| -> u64 {
        let end = page
            .find(&format!(r#"</span><span class="l">{label}, last 7 days"#))
            .unwrap_or_else(|| panic!("no {label} figure"));
        let start = page[..end].rfind('>').unwrap() + 1;
        page[start..end].parse().unwrap()
    };
    let (mia_before, owner_before) = (
        events(&dash_of(&mia).await, "your logged events"),
        events(&dash, "logged events"),
    );
    create(
        &app,
        &t.owner,
        json!({"name": "Hidden Too", "visibility": "restricted", "access": []}),
    )
    .await;
    assert_eq!(
        events(&dash_of(&mia).await, "your logged events"),
        mia_before
    );
    assert!(events(&dash_of(&owner).await, "logged events") > owner_before);

    // Inline edit through htmx swaps the row; a plain form comes back to the list.
    let csrf = mia.csrf("/clients").await;
    let r = mia
        .client
        .post(app.url(&format!("/clients/{oid}/inline")))
        .header("hx-request", "true")
        .header("x-csrf-token", &csrf)
        .form(&[("version", "1"), ("field", "status"), ("status", "active")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let row = r.text().await.unwrap();
    assert!(
        row.starts_with(&format!("<tr id=\"client-{oid}\"")),
        "{row}"
    );
    assert!(row.contains(r#"<option value="active" selected>"#));
    let r = mia
        .post_form(
            &format!("/clients/{oid}/inline"),
            &[
                ("_csrf", &csrf),
                ("version", "2"),
                ("field", "owner"),
                ("owner", &mia_id),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c = app
        .call(Method::GET, &format!("/api/v1/clients/{oid}"), &t.mia, None)
        .await
        .1;
    assert_eq!(c["status"], "active");
    assert_eq!(c["account_owner"]["id"], mia_id.as_str());
    // A stale inline edit is refused.
    let r = mia
        .post_form(
            &format!("/clients/{oid}/inline"),
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("field", "status"),
                ("status", "former"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);

    // Saved views are personal.
    let r = mia
        .post_form(
            "/views",
            &[
                ("_csrf", &csrf),
                ("list", "clients"),
                ("name", "My active"),
                ("query", "status=active&owner=me"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let list = mia
        .get("/clients?status=active&owner=me")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("My active") && list.contains("Open Co"));
    let other = app
        .browser_login("max@acme.test", crate::harness::PASSWORD)
        .await;
    assert!(
        !other
            .get("/clients")
            .await
            .text()
            .await
            .unwrap()
            .contains("My active")
    );
    let view_id = list
        .split("/views/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let max_csrf = other.csrf("/clients").await;
    assert_eq!(
        other
            .post_form(&format!("/views/{view_id}/delete"), &[("_csrf", &max_csrf)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        mia.post_form(&format!("/views/{view_id}/delete"), &[("_csrf", &csrf)])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    // Creating through the form validates and names fields.
    let r = mia
        .post_form(
            "/clients",
            &[
                ("_csrf", &csrf),
                ("name", ""),
                ("status", "lead"),
                ("email", "nope"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(body.contains("is required") && body.contains("must be an email address"));
    let r = mia
        .post_form(
            "/clients",
            &[
                ("_csrf", &csrf),
                ("name", "Form Co"),
                ("status", "active"),
                ("notes", "**bold** <b>raw</b>"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let card = mia
        .get(r.headers()["location"].to_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        card.contains("<strong>bold</strong>") && card.contains("&lt;b&gt;raw&lt;/b&gt;"),
        "notes render as safe Markdown"
    );
    for path in [
        "/clients/new",
        "/tags",
        &format!("/clients/{oid}/history"),
        &format!("/clients/{oid}/edit"),
    ] {
        let r = mia.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(
            !r.text().await.unwrap().contains("style=\""),
            "no inline styles on {path}"
        );
    }
    // A viewer can read the card but gets no edit form.
    let vic = app
        .browser_login("vic@acme.test", crate::harness::PASSWORD)
        .await;
    let card = vic
        .get(&format!("/clients/{oid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        card.contains("Open Co") && !card.contains("Log interaction") && !card.contains("/edit\"")
    );
    assert_eq!(
        vic.get(&format!("/clients/{oid}/edit")).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn ui_downloads_exports_and_vcards_within_visibility() {
    let (app, t) = team().await;
    let open = create(&app, &t.owner, json!({"name": "Open Co"})).await;
    let hidden = create(
        &app,
        &t.owner,
        json!({"name": "Hidden Co", "visibility": "restricted", "access": []}),
    )
    .await;
    let oid = open["id"].as_str().unwrap();
    let hid = hidden["id"].as_str().unwrap();
    let (_, c) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{oid}/contacts"),
            &t.owner,
            Some(json!({"name": "Olive Open", "email": "olive@open.test"})),
        )
        .await;
    app.call(
        Method::POST,
        &format!("/api/v1/clients/{hid}/contacts"),
        &t.owner,
        Some(json!({"name": "Hugo Hidden"})),
    )
    .await;
    let mia = app
        .browser_login("mia@acme.test", crate::harness::PASSWORD)
        .await;
    let r = mia.get("/clients/export.csv?sort=name").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.contains("Open Co") && !csv.contains("Hidden Co"));
    let contacts = mia.get("/contacts/export.csv").await.text().await.unwrap();
    assert!(contacts.contains("Olive Open") && !contacts.contains("Hugo Hidden"));
    let card = mia
        .get(&format!(
            "/contacts/{}/vcard.vcf",
            c["id"].as_str().unwrap()
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(card.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n") && card.contains("FN:Olive Open"));
    assert_eq!(
        mia.get(&format!("/clients/{hid}/contacts.vcf"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn stale_contact_updates_are_refused_and_change_nothing() {
    let (app, t) = team().await;
    let c = create(&app, &t.mia, json!({"name": "Versioned Co"})).await;
    let cid = c["id"].as_str().unwrap();
    let (_, p) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{cid}/contacts"),
            &t.mia,
            Some(json!({"name": "Vera"})),
        )
        .await;
    let pid = p["id"].as_str().unwrap();
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/contacts/{pid}")))
        .bearer_auth(&t.mia)
        .header("if-match", "\"1\"")
        .json(&json!({"title": "CEO"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/contacts/{pid}")))
        .bearer_auth(&t.mia)
        .header("if-match", "\"1\"")
        .json(&json!({"title": "Intern"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let (_, now) = app
        .call(
            Method::GET,
            &format!("/api/v1/contacts/{pid}"),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(now["title"], "CEO");
    assert_eq!(now["version"], 2);
}

#[tokio::test]
async fn a_contacts_history_diffs_and_reverts_and_a_viewer_cannot_revert() {
    let (app, t) = team().await;
    let c = create(&app, &t.mia, json!({"name": "Bluefin"})).await;
    let client = c["id"].as_str().unwrap();
    let (s, contact) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{client}/contacts"),
            &t.mia,
            Some(json!({"name": "Dana", "title": "CTO", "email": "dana@bluefin.test"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{contact}");
    let id = contact["id"].as_str().unwrap();
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/contacts/{id}"),
            &t.mia,
            Some(json!({"title": "COO", "phone": "+44 20 7946 0958"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, diff) = app
        .call(
            Method::GET,
            &format!("/api/v1/contacts/{id}/versions/diff?from=1&to=2"),
            &t.viewer,
            None,
        )
        .await;
    let changed: Vec<&str> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["phone", "title"]);
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/contacts/{id}/revert"),
            &t.viewer,
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, reverted) = app
        .call(
            Method::POST,
            &format!("/api/v1/contacts/{id}/revert"),
            &t.mia,
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{reverted}");
    assert_eq!(reverted["version"], 3);
    assert_eq!(reverted["title"], "CTO");
    assert_eq!(reverted["phone"], Value::Null);
    let (_, versions) = app
        .call(
            Method::GET,
            &format!("/api/v1/contacts/{id}/versions"),
            &t.mia,
            None,
        )
        .await;
    assert_eq!(versions.as_array().unwrap().len(), 3);
    // The page: reachable from the contact, listing the three versions.
    let mia = app
        .browser_login("mia@acme.test", crate::harness::PASSWORD)
        .await;
    let page = mia
        .get(&format!("/contacts/{id}/history"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("History of Dana") && page.contains("v3"),
        "{page}"
    );
    let edit = mia
        .get(&format!("/contacts/{id}/edit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(edit.contains(&format!("/contacts/{id}/history")));
}

/// A page checks its client or project once and hands the checked record to its other reads
/// (`cairn_core::seen`). Handed to anyone else, the record is checked again: a member who may
/// not see the client, or a member of another workspace, gets "not found" from every read.
#[tokio::test]
async fn a_record_checked_for_one_actor_is_checked_again_for_another() {
    use cairn_core::DomainError;
    use cairn_core::page::PageRequest;

    let (app, t) = team().await;
    app.owner("Beta", "bob@beta.test").await;
    let bob = app.actor(&app.token("bob@beta.test").await).await;
    let hidden = create(
        &app,
        &t.owner,
        json!({"name": "Hidden Co", "visibility": "restricted", "access": []}),
    )
    .await;
    let hid: uuid::Uuid = hidden["id"].as_str().unwrap().parse().unwrap();
    let (s, project) = app
        .call(
            Method::POST,
            "/api/v1/projects",
            &t.owner,
            Some(json!({"client_id": hid, "name": "Hidden pilot"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{project}");
    let pid: uuid::Uuid = project["id"].as_str().unwrap().parse().unwrap();

    let ann = app.actor(&t.owner).await;
    let client = app.cairn.see_client(&ann, hid).await.unwrap();
    let project = app.cairn.see_project(&ann, pid).await.unwrap();
    assert_eq!(
        app.cairn.get_client(&ann, &client).await.unwrap().name,
        "Hidden Co"
    );
    assert_eq!(
        app.cairn.get_project(&ann, &project).await.unwrap().name,
        "Hidden pilot"
    );

    let mia = app.actor(&t.mia).await;
    assert!(matches!(
        app.cairn.see_client(&mia, hid).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        app.cairn.see_project(&mia, pid).await,
        Err(DomainError::NotFound(_))
    ));
    let page = PageRequest::default();
    for other in [&mia, &bob] {
        let who = &other.email;
        let c = &client;
        let p = &project;
        let cairn = &app.cairn;
        let refused = [
            cairn.get_client(other, c).await.err(),
            cairn.list_contacts(other, c, true).await.err(),
            cairn.list_interactions(other, c, &page).await.err(),
            cairn.client_activity(other, c, 5).await.err(),
            cairn.client_access(other, c).await.err(),
            cairn.get_project(other, p).await.err(),
            cairn.project_task_counts(other, p).await.err(),
            cairn.project_time(other, p).await.err(),
            cairn.project_health_history(other, p).await.err(),
            cairn.list_milestones(other, p, true).await.err(),
            cairn.list_slots(other, p).await.err(),
            cairn.project_board_window(other, p, None).await.err(),
        ];
        for (i, e) in refused.iter().enumerate() {
            assert!(
                matches!(e, Some(DomainError::NotFound(_))),
                "read {i} for {who}: {e:?}"
            );
        }
    }
}

async fn dash_of(b: &crate::harness::Browser) -> String {
    b.get("/").await.text().await.unwrap()
}
