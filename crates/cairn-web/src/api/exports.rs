//! Downloads: `/api/v1/exports/{clients,contacts,projects,tasks}` (CSV or JSON of the filtered lists) and
//! vCards of one contact or of a client's contacts. Visibility, permissions and the audit
//! entry are the core's; this module only turns an `Export` into a response.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use cairn_core::clients::{ClientFilter, ClientView};
use cairn_core::contacts::ContactFilter;
use cairn_core::delivery::projects::{ProjectFilter, ProjectView};
use cairn_core::delivery::tasks::{TaskFilter, TaskView};
use cairn_core::exports::{ContactExportRow, Export, ExportFormat};
use serde::Deserialize;
use utoipa::IntoParams;

use super::parse_id;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiQuery};

/// Turns an export into a download.
pub(crate) fn download(export: Export) -> Response {
    let mut res = export.body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(export.content_type),
    );
    // The core makes file names from ASCII letters, digits, `-` and `.` only.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn format_of(raw: Option<&str>) -> ApiResult<ExportFormat> {
    Ok(ExportFormat::parse("format", raw.unwrap_or("csv"))?)
}

/// Parameters of the client export: the client list's filters and a format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClientExportParams {
    /// csv (default) or json
    pub format: Option<String>,
    /// One status or several separated by commas.
    pub status: Option<String>,
    /// A tag id.
    pub tag: Option<uuid::Uuid>,
    /// A user id, `me` or `none`.
    pub owner: Option<String>,
    /// Text in name, email, website or industry.
    pub q: Option<String>,
    /// false (default), true, all
    pub archived: Option<String>,
    /// name, -name, updated_at, -updated_at, status, -status
    pub sort: Option<String>,
}

/// Every client of the filtered list the caller may see, as CSV or JSON (audited).
#[utoipa::path(get, path = "/api/v1/exports/clients", tag = "exports", params(ClientExportParams),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`)",
            content((String = "text/csv"), (Vec<ClientView> = "application/json"))),
        (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn clients(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ClientExportParams>,
) -> ApiResult<Response> {
    let format = format_of(p.format.as_deref())?;
    let f = ClientFilter {
        status: p.status,
        tag: p.tag,
        owner: p.owner,
        q: p.q,
        archived: p.archived,
        sort: p.sort,
    };
    Ok(download(state.cairn.export_clients(&a, &f, format).await?))
}

/// Parameters of the contact export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactExportParams {
    /// csv (default) or json
    pub format: Option<String>,
    /// Only the contacts of this client.
    pub client: Option<uuid::Uuid>,
    /// Text in name or email.
    pub q: Option<String>,
    /// false (default), true, all
    pub archived: Option<String>,
}

/// Contacts of every client the caller may see, filtered, as CSV or JSON (audited). Each row
/// carries its `client_name`.
#[utoipa::path(get, path = "/api/v1/exports/contacts", tag = "exports", params(ContactExportParams),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`)",
            content((String = "text/csv"), (Vec<ContactExportRow> = "application/json"))),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn contacts(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ContactExportParams>,
) -> ApiResult<Response> {
    let format = format_of(p.format.as_deref())?;
    let f = ContactFilter {
        client: p.client,
        q: p.q,
        archived: p.archived,
    };
    Ok(download(state.cairn.export_contacts(&a, &f, format).await?))
}

/// The vCard 4.0 of one contact (audited).
#[utoipa::path(get, path = "/api/v1/contacts/{id}/vcard", tag = "exports", params(("id" = String, Path)),
    responses((status = 200, description = "A vCard 4.0 download", content_type = "text/vcard", body = String),
        (status = 404, body = Problem)))]
pub async fn contact_vcard(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(download(
        state.cairn.contact_vcard(&a, parse_id(&id)?).await?,
    ))
}

/// The vCards of a client's current contacts in one file (audited).
#[utoipa::path(get, path = "/api/v1/clients/{id}/contacts/vcard", tag = "exports", params(("id" = String, Path)),
    responses((status = 200, description = "A vCard 4.0 download", content_type = "text/vcard", body = String),
        (status = 404, body = Problem)))]
pub async fn client_contacts_vcard(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(download(
        state
            .cairn
            .client_contacts_vcard(&a, parse_id(&id)?)
            .await?,
    ))
}

/// Parameters of the project export: the project list's filters and a format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProjectExportParams {
    /// csv (default) or json
    pub format: Option<String>,
    pub client: Option<uuid::Uuid>,
    pub status: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub project_type: Option<String>,
    pub health: Option<String>,
    pub tag: Option<uuid::Uuid>,
    pub q: Option<String>,
    pub archived: Option<String>,
    pub sort: Option<String>,
}

/// Every project of the filtered list the caller may see, as CSV or JSON (audited).
#[utoipa::path(get, path = "/api/v1/exports/projects", tag = "exports", params(ProjectExportParams),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`)",
            content((String = "text/csv"), (Vec<ProjectView> = "application/json"))),
        (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn projects(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ProjectExportParams>,
) -> ApiResult<Response> {
    let format = format_of(p.format.as_deref())?;
    let f = ProjectFilter {
        client: p.client,
        status: p.status,
        project_type: p.project_type,
        health: p.health,
        tag: p.tag,
        q: p.q,
        archived: p.archived,
        sort: p.sort,
    };
    Ok(download(state.cairn.export_projects(&a, &f, format).await?))
}

/// Parameters of the task export: the task list's filters and a format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskExportParams {
    /// csv (default) or json
    pub format: Option<String>,
    pub project: Option<uuid::Uuid>,
    pub client: Option<uuid::Uuid>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assignee: Option<String>,
    pub milestone: Option<uuid::Uuid>,
    pub due: Option<String>,
    pub tag: Option<uuid::Uuid>,
    pub blocked: Option<bool>,
    pub q: Option<String>,
    pub archived: Option<String>,
    pub sort: Option<String>,
}

/// Every task of the filtered list the caller may see (at most 50,000), as CSV or JSON
/// (audited).
#[utoipa::path(get, path = "/api/v1/exports/tasks", tag = "exports", params(TaskExportParams),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`)",
            content((String = "text/csv"), (Vec<TaskView> = "application/json"))),
        (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn tasks(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<TaskExportParams>,
) -> ApiResult<Response> {
    let format = format_of(p.format.as_deref())?;
    let f = TaskFilter {
        project: p.project,
        client: p.client,
        status: p.status,
        priority: p.priority,
        assignee: p.assignee,
        milestone: p.milestone,
        due: p.due,
        tag: p.tag,
        blocked: p.blocked,
        q: p.q,
        archived: p.archived,
        sort: p.sort,
    };
    Ok(download(state.cairn.export_tasks(&a, &f, format).await?))
}
