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
    client: String,
    contact: String,
    interaction: String,
    tag: String,
    project: String,
    milestone: String,
    slot: String,
    task: String,
    prerequisite: String,
    comment: String,
    template: String,
    time_entry: String,
}

impl Foreign {
    fn all(&self) -> [&String; 16] {
        [
            &self.member,
            &self.token,
            &self.session,
            &self.invite,
            &self.client,
            &self.contact,
            &self.interaction,
            &self.tag,
            &self.project,
            &self.milestone,
            &self.slot,
            &self.task,
            &self.prerequisite,
            &self.comment,
            &self.template,
            &self.time_entry,
        ]
    }
}

/// A minimal value satisfying an OpenAPI schema (required properties only), so a walk's
/// request passes body validation and reaches the record lookup.
fn example(spec: &Value, schema: &Value) -> Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return example(spec, &spec["components"]["schemas"][name]);
    }
    if let Some(options) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        return example(spec, &options[0]);
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_string(),
        _ => "object".to_string(),
    };
    match kind.as_str() {
        "object" => {
            let mut out = serde_json::Map::new();
            for name in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                out.insert(name.to_string(), example(spec, &schema["properties"][name]));
            }
            Value::Object(out)
        }
        "array" => json!([]),
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        _ => match schema["format"].as_str() {
            Some("uuid") => json!(uuid::Uuid::nil()),
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            _ => schema["enum"].get(0).cloned().unwrap_or(json!("x")),
        },
    }
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
    let (_, tag) = app
        .call(
            Method::POST,
            "/api/v1/tags",
            &b,
            Some(json!({"name": "vip"})),
        )
        .await;
    let tag = tag["id"].as_str().unwrap().to_string();
    let (_, client) = app
        .call(
            Method::POST,
            "/api/v1/clients",
            &b,
            Some(json!({"name": "Beta Client", "tags": [tag]})),
        )
        .await;
    let client = client["id"].as_str().unwrap().to_string();
    let (_, contact) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{client}/contacts"),
            &b,
            Some(json!({"name": "Bo"})),
        )
        .await;
    let contact = contact["id"].as_str().unwrap().to_string();
    let (_, interaction) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{client}/interactions"),
            &b,
            Some(json!({"kind": "call", "body": "hi"})),
        )
        .await;
    let interaction = interaction["id"].as_str().unwrap().to_string();
    let (_, project) = app
        .call(
            Method::POST,
            "/api/v1/projects",
            &b,
            Some(json!({"client_id": client, "name": "Beta Pilot", "template": "poc-pilot", "start_date": "2026-11-23"})),
        )
        .await;
    let project = project["id"].as_str().unwrap().to_string();
    let id_of = |v: &Value, i: usize| v[i]["id"].as_str().unwrap().to_string();
    let (_, milestones) = app
        .call(
            Method::GET,
            &format!("/api/v1/projects/{project}/milestones"),
            &b,
            None,
        )
        .await;
    let (_, slots) = app
        .call(
            Method::GET,
            &format!("/api/v1/projects/{project}/members"),
            &b,
            None,
        )
        .await;
    let (_, tasks) = app
        .call(
            Method::GET,
            &format!("/api/v1/projects/{project}/tasks"),
            &b,
            None,
        )
        .await;
    let (task, prerequisite) = (id_of(&tasks["items"], 1), id_of(&tasks["items"], 0));
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{task}/dependencies"),
            &b,
            Some(json!({"depends_on": prerequisite})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, comment) = app
        .call(
            Method::POST,
            &format!("/api/v1/tasks/{task}/comments"),
            &b,
            Some(json!({"body": "on it"})),
        )
        .await;
    let (_, template) = app
        .call(
            Method::POST,
            &format!("/api/v1/projects/{project}/save-as-template"),
            &b,
            Some(json!({"name": "Beta way"})),
        )
        .await;
    let (_, entry) = app
        .call(
            Method::POST,
            "/api/v1/time-entries",
            &b,
            Some(json!({"project_id": project, "task_id": task, "date": "2026-11-24", "minutes": 90})),
        )
        .await;
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
            client,
            contact,
            interaction,
            tag,
            milestone: id_of(&milestones, 0),
            slot: id_of(&slots, 0),
            project,
            task,
            prerequisite,
            comment: comment["id"].as_str().unwrap().to_string(),
            template: template["id"].as_str().unwrap().to_string(),
            time_entry: entry["id"].as_str().unwrap().to_string(),
        },
        b,
    )
}

async fn beta_state(app: &TestApp, b: &str) -> Value {
    let (_, members) = app.call(Method::GET, "/api/v1/members", b, None).await;
    let (_, tokens) = app.call(Method::GET, "/api/v1/tokens", b, None).await;
    let (_, sessions) = app.call(Method::GET, "/api/v1/sessions", b, None).await;
    let (_, invites) = app.call(Method::GET, "/api/v1/invites", b, None).await;
    let (_, clients) = app
        .call(Method::GET, "/api/v1/clients?archived=all", b, None)
        .await;
    let (_, tags) = app.call(Method::GET, "/api/v1/tags", b, None).await;
    let mut contacts = vec![];
    let mut interactions = vec![];
    for c in clients["items"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        contacts.push(
            app.call(
                Method::GET,
                &format!("/api/v1/clients/{id}/contacts?archived=true"),
                b,
                None,
            )
            .await
            .1,
        );
        interactions.push(
            app.call(
                Method::GET,
                &format!("/api/v1/clients/{id}/interactions"),
                b,
                None,
            )
            .await
            .1,
        );
    }
    let mut delivery = vec![];
    let (_, projects) = app
        .call(Method::GET, "/api/v1/projects?archived=all", b, None)
        .await;
    for p in projects["items"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        for part in [
            "milestones?archived=true",
            "members",
            "tasks?archived=all&limit=200",
            "health",
            "time",
        ] {
            delivery.push(
                app.call(
                    Method::GET,
                    &format!("/api/v1/projects/{id}/{part}"),
                    b,
                    None,
                )
                .await
                .1,
            );
        }
    }
    let (_, tasks) = app
        .call(Method::GET, "/api/v1/tasks?archived=all&limit=200", b, None)
        .await;
    for t in tasks["items"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        for part in ["dependencies", "comments"] {
            delivery.push(
                app.call(Method::GET, &format!("/api/v1/tasks/{id}/{part}"), b, None)
                    .await
                    .1,
            );
        }
    }
    let (_, templates) = app
        .call(Method::GET, "/api/v1/templates?archived=true", b, None)
        .await;
    let (_, time) = app.call(Method::GET, "/api/v1/time-entries", b, None).await;
    json!({"members": members, "tokens": tokens, "sessions": sessions.as_array().map(|s| s.len()), "invites": invites,
           "clients": clients, "tags": tags, "contacts": contacts, "interactions": interactions,
           "projects": projects, "tasks": tasks, "delivery": delivery, "templates": templates, "time": time})
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
        // `{key}` is a template key or id; `{depends_on}` a second task id.
        let params: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .collect();
        assert!(
            params
                .iter()
                .all(|p| ["id", "key", "depends_on"].contains(p)),
            "route {path} takes an unexpected parameter: add it to this walk"
        );
        for (method, op) in item.as_object().unwrap() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| example(&spec, &Value::Object(s.clone())));
            let query: Vec<String> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| {
                    format!(
                        "{}={}",
                        p["name"].as_str().unwrap(),
                        example(&spec, &p["schema"]).to_string().trim_matches('"')
                    )
                })
                .collect();
            // Operations that refuse every call (immutable records) answer 405 whatever the id.
            let only_405 = op["responses"]
                .as_object()
                .is_some_and(|r| r.contains_key("405") && !r.keys().any(|k| k.starts_with('2')));
            for id in foreign.all() {
                let mut url = path
                    .replace("{id}", id)
                    .replace("{key}", id)
                    .replace("{depends_on}", &foreign.prerequisite);
                if !query.is_empty() {
                    url = format!("{url}?{}", query.join("&"));
                }
                let (s, v) = app.call(m.clone(), &url, &a, body.clone()).await;
                let expected = if only_405 {
                    StatusCode::METHOD_NOT_ALLOWED
                } else {
                    StatusCode::NOT_FOUND
                };
                assert_eq!(s, expected, "{method} {url} with {body:?}: {v}");
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
    ("GET", "/clients/{id}"),
    ("GET", "/clients/{id}/edit"),
    ("POST", "/clients/{id}/edit"),
    ("POST", "/clients/{id}/inline"),
    ("POST", "/clients/{id}/archive"),
    ("POST", "/clients/{id}/restore"),
    ("POST", "/clients/{id}/delete"),
    ("POST", "/clients/{id}/access"),
    ("POST", "/clients/{id}/contacts"),
    ("POST", "/clients/{id}/interactions"),
    ("GET", "/clients/{id}/history"),
    ("POST", "/clients/{id}/revert"),
    ("GET", "/clients/{id}/contacts.vcf"),
    ("GET", "/contacts/{id}"),
    ("GET", "/contacts/{id}/history"),
    ("POST", "/contacts/{id}/revert"),
    ("GET", "/contacts/{id}/edit"),
    ("POST", "/contacts/{id}/edit"),
    ("POST", "/contacts/{id}/archive"),
    ("POST", "/contacts/{id}/restore"),
    ("GET", "/contacts/{id}/vcard.vcf"),
    ("POST", "/tags/{id}/edit"),
    ("POST", "/tags/{id}/delete"),
    ("POST", "/views/{id}/delete"),
    ("GET", "/projects/{id}"),
    ("GET", "/projects/{id}/edit"),
    ("POST", "/projects/{id}/edit"),
    ("POST", "/projects/{id}/archive"),
    ("POST", "/projects/{id}/restore"),
    ("POST", "/projects/{id}/delete"),
    ("POST", "/projects/{id}/health"),
    ("POST", "/projects/{id}/template"),
    ("GET", "/projects/{id}/status"),
    ("GET", "/projects/{id}/history"),
    ("POST", "/projects/{id}/revert"),
    ("GET", "/projects/{id}/tasks"),
    ("POST", "/projects/{id}/tasks"),
    ("POST", "/projects/{id}/milestones"),
    ("POST", "/projects/{id}/slots"),
    ("GET", "/projects/{id}/board"),
    ("POST", "/projects/{id}/board/move"),
    ("GET", "/projects/{id}/time"),
    ("GET", "/milestones/{id}"),
    ("GET", "/milestones/{id}/history"),
    ("POST", "/milestones/{id}/revert"),
    ("POST", "/milestones/{id}/edit"),
    ("POST", "/milestones/{id}/delete"),
    ("POST", "/slots/{id}/edit"),
    ("POST", "/slots/{id}/delete"),
    ("GET", "/tasks/{id}"),
    ("POST", "/tasks/{id}/edit"),
    ("POST", "/tasks/{id}/inline"),
    ("POST", "/tasks/{id}/archive"),
    ("POST", "/tasks/{id}/restore"),
    ("POST", "/tasks/{id}/delete"),
    ("GET", "/tasks/{id}/history"),
    ("POST", "/tasks/{id}/revert"),
    ("POST", "/tasks/{id}/dependencies"),
    ("POST", "/tasks/{id}/dependencies/remove"),
    ("GET", "/tasks/{id}/dependency-options"),
    ("POST", "/tasks/{id}/comments"),
    ("POST", "/comments/{id}/delete"),
    ("POST", "/time/{id}/delete"),
    ("GET", "/templates/{id}"),
    ("POST", "/templates/{id}/edit"),
    ("POST", "/templates/{id}/archive"),
    ("POST", "/templates/{id}/restore"),
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
    // A path listed for GET and POST is one literal in the router.
    let listed: std::collections::BTreeSet<&str> = UI_ID_ROUTES.iter().map(|(_, p)| *p).collect();
    assert!(paths.len() >= listed.len(), "found only {paths:?}");
    for path in paths {
        assert!(
            UI_ID_ROUTES.iter().any(|(_, p)| *p == path) || UI_OTHER_PARAM_ROUTES.contains(&path),
            "UI route {path} takes a parameter but is not in the tenancy walk"
        );
    }
    let before = beta_state(&app, &b).await;
    let csrf = ann.csrf("/members").await;
    for (method, path) in UI_ID_ROUTES {
        for id in foreign.all() {
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

#[tokio::test]
async fn ui_forms_refuse_another_workspaces_ids_in_their_fields() {
    let (app, a, ann, foreign, b) = setup().await;
    // Ann's own project and tasks, so only the form fields point elsewhere.
    let ann_actor = app.actor(&a).await;
    let (_, client) = app
        .call(
            Method::POST,
            "/api/v1/clients",
            &a,
            Some(json!({"name": "Acme Client"})),
        )
        .await;
    let project = app
        .cairn
        .create_project(
            &ann_actor,
            cairn_core::delivery::projects::ProjectChanges {
                client_id: Some(client["id"].as_str().unwrap().parse().unwrap()),
                name: Some("Acme pilot".into()),
                ..Default::default()
            },
            Some("poc-pilot"),
        )
        .await
        .unwrap();
    let task = app
        .cairn
        .list_tasks(
            &ann_actor,
            &cairn_core::delivery::tasks::TaskFilter {
                project: Some(project.id),
                ..Default::default()
            },
            &cairn_core::page::PageRequest {
                limit: Some(1),
                cursor: None,
            },
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let before = beta_state(&app, &b).await;
    let csrf = ann.csrf("/work").await;
    let board = ann
        .post_form(
            &format!("/projects/{}/board/move", project.id),
            &[
                ("_csrf", &csrf),
                ("task", &foreign.task),
                ("status", "done"),
            ],
        )
        .await;
    assert_eq!(board.status(), StatusCode::NOT_FOUND);
    let neighbour = ann
        .post_form(
            &format!("/projects/{}/board/move", project.id),
            &[
                ("_csrf", &csrf),
                ("task", &task.to_string()),
                ("status", "todo"),
                ("after", &foreign.task),
            ],
        )
        .await;
    assert_eq!(neighbour.status(), StatusCode::BAD_REQUEST);
    let dep = ann
        .post_form(
            &format!("/tasks/{task}/dependencies"),
            &[("_csrf", &csrf), ("other", &foreign.task)],
        )
        .await;
    assert_eq!(dep.status(), StatusCode::BAD_REQUEST);
    let batch = ann
        .post_form(
            "/tasks/batch",
            &[
                ("_csrf", &csrf),
                ("op", "archive"),
                ("ids", &foreign.task),
                ("back", "/work"),
            ],
        )
        .await;
    assert!(
        batch
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("error="),
        "the batch is refused"
    );
    let time = ann
        .post_form(
            "/time",
            &[
                ("_csrf", &csrf),
                ("project_id", &project.id.to_string()),
                ("task_id", &foreign.task),
                ("date", "2026-01-05"),
                ("duration", "30"),
            ],
        )
        .await;
    assert_eq!(time.status(), StatusCode::BAD_REQUEST);
    let new = ann
        .post_form(
            "/projects",
            &[
                ("_csrf", &csrf),
                ("client_id", &foreign.client),
                ("name", "Sneaky"),
                ("template", &foreign.template),
            ],
        )
        .await;
    assert_eq!(new.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        beta_state(&app, &b).await,
        before,
        "nothing in the other workspace changed"
    );
}
