//! The JSON API under `/api/v1`. Routes are registered once through utoipa-axum, so the
//! OpenAPI document is generated from them and cannot drift.

mod account;
mod activity;
mod auth;
mod crm;
mod exports;
mod members;
mod openapi;
mod projects;
mod tasks;
mod time;
mod workspace;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(title = "Cairn API", version = "1", description = "Cairn's JSON API. Errors are RFC 9457 problem+json documents with a per-field `errors` list. Records carry a `version` and an `ETag`; send it back in `If-Match` on PATCH and DELETE."),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The API routes and the OpenAPI document generated from them.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::token))
        .routes(routes!(account::me))
        .routes(routes!(account::change_password))
        .routes(routes!(account::totp_begin))
        .routes(routes!(account::totp_confirm))
        .routes(routes!(account::totp_disable))
        .routes(routes!(account::list_sessions))
        .routes(routes!(account::revoke_session))
        .routes(routes!(account::list_tokens, account::create_token))
        .routes(routes!(account::revoke_token))
        .routes(routes!(members::list, members::create))
        .routes(routes!(members::get, members::update, members::remove))
        .routes(routes!(members::list_invites))
        .routes(routes!(members::revoke_invite))
        .routes(routes!(workspace::get, workspace::update))
        .routes(routes!(activity::list))
        .routes(routes!(crm::list_clients, crm::create_client))
        .routes(routes!(
            crm::get_client,
            crm::update_client,
            crm::delete_client
        ))
        .routes(routes!(crm::archive_client))
        .routes(routes!(crm::restore_client))
        .routes(routes!(crm::get_access, crm::put_access))
        .routes(routes!(crm::versions))
        .routes(routes!(crm::diff))
        .routes(routes!(crm::revert))
        .routes(routes!(crm::list_contacts, crm::create_contact))
        .routes(routes!(crm::get_contact, crm::update_contact))
        .routes(routes!(crm::archive_contact))
        .routes(routes!(crm::restore_contact))
        .routes(routes!(crm::contact_versions))
        .routes(routes!(crm::contact_diff))
        .routes(routes!(crm::contact_revert))
        .routes(routes!(crm::list_interactions, crm::create_interaction))
        .routes(routes!(
            crm::get_interaction,
            crm::patch_interaction,
            crm::put_interaction,
            crm::delete_interaction
        ))
        .routes(routes!(crm::list_tags, crm::create_tag))
        .routes(routes!(crm::update_tag, crm::delete_tag))
        .routes(routes!(exports::clients))
        .routes(routes!(exports::contacts))
        .routes(routes!(exports::projects))
        .routes(routes!(exports::tasks))
        .routes(routes!(exports::contact_vcard))
        .routes(routes!(exports::client_contacts_vcard))
        .routes(routes!(projects::list_projects, projects::create_project))
        .routes(routes!(
            projects::get_project,
            projects::update_project,
            projects::delete_project
        ))
        .routes(routes!(projects::archive_project))
        .routes(routes!(projects::restore_project))
        .routes(routes!(projects::health_history, projects::set_health))
        .routes(routes!(projects::summary))
        .routes(routes!(projects::project_time))
        .routes(routes!(projects::project_versions))
        .routes(routes!(projects::project_diff))
        .routes(routes!(projects::project_revert))
        .routes(routes!(projects::save_as_template))
        .routes(routes!(
            projects::list_milestones,
            projects::create_milestone
        ))
        .routes(routes!(
            projects::get_milestone,
            projects::update_milestone,
            projects::delete_milestone
        ))
        .routes(routes!(projects::archive_milestone))
        .routes(routes!(projects::restore_milestone))
        .routes(routes!(projects::milestone_versions))
        .routes(routes!(projects::milestone_diff))
        .routes(routes!(projects::milestone_revert))
        .routes(routes!(projects::list_slots, projects::create_slot))
        .routes(routes!(projects::update_slot, projects::delete_slot))
        .routes(routes!(projects::list_templates))
        .routes(routes!(projects::get_template, projects::update_template))
        .routes(routes!(projects::archive_template))
        .routes(routes!(projects::restore_template))
        .routes(routes!(tasks::list_tasks, tasks::create_task))
        .routes(routes!(
            tasks::list_project_tasks,
            tasks::create_project_task
        ))
        .routes(routes!(tasks::board))
        .routes(routes!(tasks::batch_update))
        .routes(routes!(tasks::batch_archive))
        .routes(routes!(tasks::batch_duplicate))
        .routes(routes!(
            tasks::get_task,
            tasks::update_task,
            tasks::delete_task
        ))
        .routes(routes!(tasks::archive_task))
        .routes(routes!(tasks::restore_task))
        .routes(routes!(tasks::move_task))
        .routes(routes!(tasks::list_dependencies, tasks::add_dependency))
        .routes(routes!(tasks::remove_dependency))
        .routes(routes!(tasks::list_comments, tasks::add_comment))
        .routes(routes!(tasks::delete_comment))
        .routes(routes!(tasks::task_versions))
        .routes(routes!(tasks::task_diff))
        .routes(routes!(tasks::task_revert))
        .routes(routes!(tasks::capture))
        .routes(routes!(time::list, time::create))
        .routes(routes!(time::update, time::delete))
        .routes(routes!(time::timesheet))
        .route("/api/v1/openapi.json", axum::routing::get(openapi_json))
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .fallback(fallback);
    let (router, mut doc) = router.split_for_parts();
    openapi::document_error_responses(&mut doc);
    (
        router.layer(axum::middleware::from_fn(retry_lost_race)),
        doc,
    )
}

/// How many times a write that lost a race is run again. Each lost race means another write
/// to the record succeeded, so this many retries see every request through when up to this
/// many others write the same record at the same moment.
const RACE_RETRIES: usize = 10;

/// Runs a write again when it lost a race it did not ask about.
///
/// A write reads the record, then updates it only if its version is still the one it read, so
/// a concurrent write in between is never overwritten. With `If-Match` the caller chose that
/// precondition and gets the 412. Without it a 412 can only mean another request wrote between
/// this one's read and its write; the failed write's transaction changed nothing, so the
/// request is simply run again on the new version, as if it had arrived a moment later.
async fn retry_lost_race(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if req.method().is_safe() || req.headers().contains_key(header::IF_MATCH) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::middleware::BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return crate::extract::unreadable_body(too_large).into_response();
        }
    };
    let again = |parts: &axum::http::request::Parts| {
        let mut req = axum::extract::Request::new(axum::body::Body::from(bytes.clone()));
        *req.method_mut() = parts.method.clone();
        *req.uri_mut() = parts.uri.clone();
        *req.version_mut() = parts.version;
        *req.headers_mut() = parts.headers.clone();
        *req.extensions_mut() = parts.extensions.clone();
        req
    };
    let mut res = next.clone().run(again(&parts)).await;
    for _ in 0..RACE_RETRIES {
        if res.status() != StatusCode::PRECONDITION_FAILED {
            break;
        }
        res = next.clone().run(again(&parts)).await;
    }
    res
}

async fn openapi_json(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    if state.cairn.store.ping().await {
        "ready".into_response()
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database is not reachable",
        )
        .into_response()
    }
}

async fn fallback(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no API route {}", uri.path()),
        )
        .into_response()
    } else {
        crate::ui::not_found_page()
    }
}

/// A JSON body with its record version as `ETag`.
pub(crate) fn with_etag<T: Serialize>(version: i64, body: T) -> Response {
    let mut res = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// Parses a path id; anything that is not a UUID is simply not found.
pub(crate) fn parse_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| ApiError::not_found())
}
