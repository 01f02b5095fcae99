//! Middleware every request passes: request ids and structured request logs, security
//! headers, anti-CSRF checks for cookie-authenticated writes, body limits and timeouts.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use cairn_core::secrets::{csrf_token_for, secrets_equal};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::error::ApiError;

/// Largest request body accepted anywhere.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The form field that carries the anti-CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps the routes in every layer, outermost first.
pub fn wrap(routes: Router, state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request| {
        let id = req.headers().get(&X_REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
    });
    routes
        .layer(from_fn_with_state(state.clone(), csrf))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn_with_state(state, security_headers))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(
                    X_REQUEST_ID.clone(),
                    MakeRequestUuid,
                ))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(X_REQUEST_ID.clone()))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                ))
                .layer(from_fn(reject_oversize)),
        )
}

/// Refuses bodies whose declared length is over the limit before reading them.
async fn reject_oversize(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return ApiError::field(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
            "is larger than the 1 MiB limit",
        )
        .into_response();
    }
    next.run(req).await
}

const CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
/// Swagger UI's stylesheet draws its icons from data: URLs; only the docs page allows them.
const CSP_DOCS: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let docs = req.uri().path() == "/api/docs";
    let assets = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if docs { CSP_DOCS } else { CSP }),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if state.config.https() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if !assets && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn is_form(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

fn csrf_failure(req_is_api: bool) -> Response {
    let msg = "the anti-CSRF token is missing or wrong; reload the page and try again";
    if req_is_api {
        ApiError::field(StatusCode::FORBIDDEN, "_csrf", msg).into_response()
    } else {
        crate::ui::message_page(StatusCode::FORBIDDEN, "Request refused", msg)
    }
}

/// Cookie-authenticated unsafe requests need the session's anti-CSRF token (form field or
/// `X-CSRF-Token` header), or htmx's `HX-Request` header with a same-origin `Origin`.
/// Bearer-token requests are exempt: browsers never attach them on their own. Pre-login
/// forms (login, setup, invite) use a double-submit cookie.
async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    if crate::extract::bearer(req.headers()).is_some() {
        return next.run(req).await;
    }
    let jar = CookieJar::from_headers(req.headers());
    let expected = match (
        jar.get(state.config.session_cookie()),
        jar.get(state.config.pre_cookie()),
    ) {
        (Some(session), _) => Some(csrf_token_for(session.value())),
        (None, Some(pre)) if is_form(&req) => Some(pre.value().to_string()),
        (None, None) if is_form(&req) => return csrf_failure(api),
        _ => None,
    };
    let Some(expected) = expected else {
        return next.run(req).await;
    };
    let header_token = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if header_token
        .as_deref()
        .is_some_and(|t| secrets_equal(t, &expected))
    {
        return next.run(req).await;
    }
    let htmx = req.headers().contains_key("hx-request");
    let origin_ok = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|o| o == state.config.origin());
    if htmx && origin_ok {
        return next.run(req).await;
    }
    if !is_form(&req) {
        return csrf_failure(api);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return ApiError::field(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
            "is larger than the 1 MiB limit",
        )
        .into_response();
    };
    let token = form_urlencoded_field(&bytes, CSRF_FIELD);
    if !token
        .as_deref()
        .is_some_and(|t| secrets_equal(t, &expected))
    {
        return csrf_failure(api);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{}", String::from_utf8_lossy(body))
            .parse()
            .unwrap_or_default(),
    )
    .map(|q| q.0)
    .unwrap_or_default()
}
