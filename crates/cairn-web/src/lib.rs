//! Cairn's HTTP edge: the JSON API under `/api/v1`, the server-rendered UI, static assets,
//! and the middleware every request passes (request ids, security headers, CSRF, limits).
//! Handlers parse, call one core function, and render; they hold no SQL and decide no
//! permissions.

pub mod api;
pub mod assets;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod ui;

use std::sync::Arc;

use axum::Router;
use cairn_core::Cairn;

/// Edge settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Public base URL, e.g. `https://cairn.example.com`; https turns on secure cookies and HSTS.
    pub public_url: String,
}

impl WebConfig {
    /// Whether the installation is served over https.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The session cookie's name: `__Host-` prefixed under https.
    pub fn session_cookie(&self) -> &'static str {
        if self.https() {
            "__Host-cairn_session"
        } else {
            "cairn_session"
        }
    }

    /// The pre-login anti-CSRF cookie's name.
    pub fn pre_cookie(&self) -> &'static str {
        if self.https() {
            "__Host-cairn_pre"
        } else {
            "cairn_pre"
        }
    }

    /// The scheme and host browsers send in `Origin` for same-origin requests.
    pub fn origin(&self) -> &str {
        let u = self.public_url.trim_end_matches('/');
        match u.find("://") {
            Some(i) => match u[i + 3..].find('/') {
                Some(j) => &u[..i + 3 + j],
                None => u,
            },
            None => u,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub cairn: Cairn,
    pub config: Arc<WebConfig>,
    pub openapi: Arc<String>,
}

/// Builds the whole application router.
pub fn app(cairn: Cairn, config: WebConfig) -> Router {
    let (api_router, openapi) = api::router();
    let state = AppState {
        cairn,
        config: Arc::new(config),
        openapi: Arc::new(openapi.to_pretty_json().unwrap_or_default()),
    };
    let routes = Router::new()
        .merge(api_router)
        .merge(ui::router())
        .with_state(state.clone())
        .merge(assets::router());
    middleware::wrap(routes, state)
}

/// The OpenAPI document, for the snapshot test and `cairn docs openapi`.
pub fn openapi_json() -> String {
    api::router().1.to_pretty_json().unwrap_or_default()
}
