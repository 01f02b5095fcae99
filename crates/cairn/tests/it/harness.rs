//! `TestApp`: spawns the app the way `cairn serve` does, with helpers to act as users.

use std::path::PathBuf;
use std::time::Duration;

use cairn::Paths;
use cairn_core::{Cairn, Config, RequestMeta};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

/// A strong password that passes the policy.
pub const PASSWORD: &str = "lunar-tugboat-Quince-81";

pub struct TestApp {
    pub base: String,
    pub cairn: Cairn,
    pub client: Client,
    pub data_dir: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Creates a database of its own for one test and returns its URL (None = SQLite in the data dir).
pub async fn fresh_database() -> Option<String> {
    let base = std::env::var("CAIRN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let name = format!("cairn_test_{}", uuid::Uuid::now_v7().simple());
    let admin = sea_orm::Database::connect(base.clone())
        .await
        .expect("connect to CAIRN_TEST_DATABASE_URL");
    use sea_orm::ConnectionTrait;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let (head, _) = base.rsplit_once('/').expect("database URL with a path");
    Some(format!("{head}/{name}"))
}

impl TestApp {
    /// Starts the app with default configuration.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Config::default()).await
    }

    /// Starts the app with the given core configuration.
    pub async fn spawn_with(config: Config) -> TestApp {
        Self::spawn_full(config, None).await
    }

    /// Starts the app with a core configuration and, optionally, a public URL (https turns on
    /// secure cookies and HSTS).
    pub async fn spawn_full(config: Config, public_url: Option<&str>) -> TestApp {
        let data_dir =
            std::env::temp_dir().join(format!("cairn-it-{}", uuid::Uuid::now_v7().simple()));
        let paths = Paths {
            data_dir: data_dir.clone(),
            database_url: fresh_database().await,
        };
        let cairn = cairn::open(&paths, config).await.expect("open app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let router = cairn_web::app(
            cairn.clone(),
            cairn_web::WebConfig {
                public_url: public_url
                    .map(str::to_string)
                    .unwrap_or_else(|| base.clone()),
            },
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = cairn::server::serve(listener, router, async {
                let _ = rx.await;
            })
            .await;
        });
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        TestApp {
            base,
            cairn,
            client,
            data_dir,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a workspace and its owner through the same use case as the CLI.
    pub async fn owner(&self, workspace: &str, email: &str) -> (uuid::Uuid, uuid::Uuid) {
        let input = cairn_core::accounts::NewOwner {
            workspace: workspace.into(),
            name: format!("Owner of {workspace}"),
            email: email.into(),
            password: PASSWORD.into(),
        };
        let (u, w) = self
            .cairn
            .create_owner(input, &RequestMeta::default())
            .await
            .expect("create owner");
        (u.0, w.0)
    }

    /// Creates a user with a role in a workspace (by slug), as `cairn admin create-user` does.
    pub async fn user(&self, workspace_slug: &str, email: &str, role: &str) {
        self.cairn
            .cli_create_user(
                workspace_slug,
                email,
                &format!("User {email}"),
                role,
                PASSWORD,
            )
            .await
            .expect("create user");
    }

    /// Password grant; returns the JSON answer and status.
    pub async fn grant(&self, body: Value) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&body)
            .send()
            .await
            .expect("request");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// An access token for `email` (default password).
    pub async fn token(&self, email: &str) -> String {
        let (s, v) = self
            .grant(json!({"grant_type": "password", "email": email, "password": PASSWORD}))
            .await;
        assert_eq!(s, StatusCode::OK, "token for {email}: {v}");
        v["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// The actor behind an access token, to call the core directly.
    pub async fn actor(&self, token: &str) -> cairn_core::Actor {
        self.cairn
            .authenticate_token(token, &cairn_core::RequestMeta::default())
            .await
            .expect("actor of token")
    }

    /// Sends an API request with a bearer token and optional JSON body.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Response {
        let mut rb = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send().await.expect("request")
    }

    /// Like [`api`], returning status and JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let r = self.api(method, path, token, body).await;
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// Number of activity entries recorded in the whole installation.
    pub async fn audit_count(&self) -> u64 {
        use sea_orm::{EntityTrait, PaginatorTrait};
        cairn_store::entities::audit_entry::Entity::find()
            .count(self.cairn.store.reader())
            .await
            .expect("count")
    }

    /// A browser-like client with a cookie jar, signed in through the login form.
    pub async fn browser_login(&self, email: &str, password: &str) -> Browser {
        let b = Browser::new(self);
        let page = b.get("/login").await.text().await.expect("login page");
        let csrf = extract_csrf(&page);
        let r = b
            .post_form(
                "/login",
                &[
                    ("_csrf", csrf.as_str()),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login should redirect");
        b
    }
}

/// Pulls the `_csrf` hidden field out of a page.
pub fn extract_csrf(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let i = html.find(marker).expect("page has a csrf field") + marker.len();
    html[i..].split('"').next().expect("csrf value").to_string()
}

/// A cookie-keeping client that behaves like a browser (no redirects followed).
pub struct Browser {
    pub client: Client,
    base: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Self {
            client,
            base: app.base.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .expect("post")
    }

    /// The CSRF token of a page the session can open.
    pub async fn csrf(&self, path: &str) -> String {
        extract_csrf(&self.get(path).await.text().await.expect("page"))
    }
}
