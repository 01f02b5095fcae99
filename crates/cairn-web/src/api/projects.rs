//! `/api/v1/projects`, `/api/v1/milestones`, `/api/v1/project-members`, `/api/v1/templates`:
//! delivery planning. PATCH bodies distinguish an absent field (unchanged) from `null`
//! (cleared).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_core::delivery::milestones::{MilestoneChanges, MilestoneView};
use cairn_core::delivery::projects::{HealthEntry, ProjectChanges, ProjectFilter, ProjectView};
use cairn_core::delivery::slots::{SlotChanges, SlotView};
use cairn_core::delivery::templates::TemplateView;
use cairn_core::delivery::time::ProjectTime;
use cairn_core::page::PageRequest;
use cairn_core::versions::{FieldDiff, VersionView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::crm::{DeleteParams, DiffParams, RevertBody, nullable};
use super::{parse_id, with_etag};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery, IfMatch};

/// A project's fields. On create `client_id` and `name` are required; `template` (a
/// built-in key such as `poc-pilot`, or a workspace template id) creates its role slots,
/// milestones and tasks dated from `start_date` (today by default) in working days.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectBody {
    pub client_id: Option<uuid::Uuid>,
    pub name: Option<String>,
    /// discovery, poc, implementation, training, retainer, production, mixed
    pub project_type: Option<String>,
    /// pipeline, active, on_hold, completed, cancelled
    pub status: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub start_date: Option<Option<String>>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub target_end_date: Option<Option<String>>,
    /// Markdown.
    pub goals: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// fixed, time_and_materials, retainer, hybrid
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub budget_type: Option<Option<String>>,
    /// In the workspace currency.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub budget_value: Option<Option<f64>>,
    /// Tag ids; replaces the project's tags.
    pub tags: Option<Vec<uuid::Uuid>>,
    #[schema(value_type = Option<Object>)]
    pub custom: Option<serde_json::Value>,
    /// Create only: a template key or id.
    pub template: Option<String>,
}

impl ProjectBody {
    fn split(self) -> (ProjectChanges, Option<String>) {
        (
            ProjectChanges {
                client_id: self.client_id,
                name: self.name,
                project_type: self.project_type,
                status: self.status,
                start_date: self.start_date,
                target_end_date: self.target_end_date,
                goals: self.goals,
                description: self.description,
                budget_type: self.budget_type,
                budget_value: self.budget_value,
                tags: self.tags,
                custom: self.custom,
            },
            self.template,
        )
    }
}

/// List parameters of `/api/v1/projects`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProjectListParams {
    pub client: Option<uuid::Uuid>,
    /// One status or several separated by commas.
    pub status: Option<String>,
    /// One type or several separated by commas.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub project_type: Option<String>,
    /// on_track, at_risk, off_track, none (several separated by commas)
    pub health: Option<String>,
    pub tag: Option<uuid::Uuid>,
    /// Text in the name.
    pub q: Option<String>,
    /// false (default), true, all
    pub archived: Option<String>,
    /// name, -name, updated_at, -updated_at
    pub sort: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of projects.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectPage {
    pub items: Vec<ProjectView>,
    pub next_cursor: Option<String>,
}

/// Lists the projects the caller may see.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectListParams),
    responses((status = 200, body = ProjectPage), (status = 400, body = Problem)))]
pub async fn list_projects(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ProjectListParams>,
) -> ApiResult<Json<ProjectPage>> {
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
    let page = state
        .cairn
        .list_projects(
            &a,
            &f,
            &PageRequest {
                limit: p.limit,
                cursor: p.cursor,
            },
        )
        .await?;
    Ok(Json(ProjectPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Creates a project, optionally from a template.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectBody,
    responses((status = 201, body = ProjectView), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create_project(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<ProjectBody>,
) -> ApiResult<Response> {
    let (changes, template) = b.split();
    let p = state
        .cairn
        .create_project(&a, changes, template.as_deref())
        .await?;
    Ok(created(p.version, p))
}

/// A 201 with the record's ETag.
pub(crate) fn created<T: Serialize>(version: i64, body: T) -> Response {
    let mut res = with_etag(version, body);
    *res.status_mut() = StatusCode::CREATED;
    res
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem)))]
pub async fn get_project(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let p = state.cairn.get_project(&a, parse_id(&id)?).await?;
    Ok(with_etag(p.version, p))
}

/// Updates a project (send the ETag in `If-Match`); `template` is refused here.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = String, Path)), request_body = ProjectBody,
    responses((status = 200, body = ProjectView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn update_project(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ProjectBody>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let (changes, template) = b.split();
    if template.is_some() {
        return Err(cairn_core::DomainError::invalid(
            "template",
            "applies only when creating a project",
        )
        .into());
    }
    let p = state.cairn.update_project(&a, id, changes, v).await?;
    Ok(with_etag(p.version, p))
}

/// Permanently deletes a project with its milestones, tasks and time (owners and admins).
#[utoipa::path(delete, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = String, Path), DeleteParams),
    responses((status = 204), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_project(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DeleteParams>,
) -> ApiResult<StatusCode> {
    state
        .cairn
        .delete_project(&a, parse_id(&id)?, p.confirm_name.as_deref().unwrap_or(""))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archives a project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/archive", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn archive_project(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    let p = state
        .cairn
        .set_project_archived(&a, parse_id(&id)?, true, v)
        .await?;
    Ok(with_etag(p.version, p))
}

/// Restores an archived project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/restore", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn restore_project(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    let p = state
        .cairn
        .set_project_archived(&a, parse_id(&id)?, false, v)
        .await?;
    Ok(with_etag(p.version, p))
}

/// A health setting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthBody {
    /// on_track, at_risk, off_track
    pub health: String,
    #[serde(default)]
    pub summary: String,
}

/// A project's health history, newest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/health", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = Vec<HealthEntry>), (status = 404, body = Problem)))]
pub async fn health_history(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<HealthEntry>>> {
    Ok(Json(
        state
            .cairn
            .project_health_history(&a, parse_id(&id)?)
            .await?,
    ))
}

/// Sets a project's health with a summary (kept in its history).
#[utoipa::path(post, path = "/api/v1/projects/{id}/health", tag = "projects", params(("id" = String, Path)), request_body = HealthBody,
    responses((status = 200, body = ProjectView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn set_health(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<HealthBody>,
) -> ApiResult<Response> {
    let p = state
        .cairn
        .set_project_health(&a, parse_id(&id)?, &b.health, &b.summary)
        .await?;
    Ok(with_etag(p.version, p))
}

/// Status summary parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SummaryParams {
    /// First day, YYYY-MM-DD (this week's Monday by default).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (this week's Sunday by default).
    pub to: Option<String>,
    /// json (default) or markdown
    pub format: Option<String>,
}

/// A project's status summary for a date range, as JSON or Markdown.
#[utoipa::path(get, path = "/api/v1/projects/{id}/summary", tag = "projects", params(("id" = String, Path), SummaryParams),
    responses((status = 200, description = "The summary as JSON, or as text/markdown with format=markdown", body = Object), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn summary(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<SummaryParams>,
) -> ApiResult<Response> {
    let s = state
        .cairn
        .project_summary(&a, parse_id(&id)?, p.from.as_deref(), p.to.as_deref())
        .await?;
    match p.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(s).into_response()),
        "markdown" | "md" => Ok((
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            s.to_markdown(),
        )
            .into_response()),
        _ => Err(cairn_core::DomainError::invalid("format", "must be json or markdown").into()),
    }
}

/// A project's time against its budget.
#[utoipa::path(get, path = "/api/v1/projects/{id}/time", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectTime), (status = 404, body = Problem)))]
pub async fn project_time(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ProjectTime>> {
    Ok(Json(state.cairn.project_time(&a, parse_id(&id)?).await?))
}

/// The versions of a project, newest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/versions", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = Problem)))]
pub async fn project_versions(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VersionView>>> {
    Ok(Json(
        state.cairn.project_versions(&a, parse_id(&id)?).await?,
    ))
}

/// Field-level differences between two versions of a project.
#[utoipa::path(get, path = "/api/v1/projects/{id}/versions/diff", tag = "projects", params(("id" = String, Path), DiffParams),
    responses((status = 200, body = Vec<FieldDiff>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn project_diff(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> ApiResult<Json<Vec<FieldDiff>>> {
    Ok(Json(
        state
            .cairn
            .diff_project_versions(&a, parse_id(&id)?, p.from, p.to)
            .await?,
    ))
}

/// Reverts a project to an earlier version (a new version; audited).
#[utoipa::path(post, path = "/api/v1/projects/{id}/revert", tag = "projects", params(("id" = String, Path)), request_body = RevertBody,
    responses((status = 200, body = ProjectView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn project_revert(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<RevertBody>,
) -> ApiResult<Response> {
    let p = state
        .cairn
        .revert_project(&a, parse_id(&id)?, b.version, v)
        .await?;
    Ok(with_etag(p.version, p))
}

/// What to save a project as.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveTemplateBody {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Saves a project's slots, milestones and tasks as a workspace template.
#[utoipa::path(post, path = "/api/v1/projects/{id}/save-as-template", tag = "templates", params(("id" = String, Path)), request_body = SaveTemplateBody,
    responses((status = 201, body = TemplateView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn save_as_template(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SaveTemplateBody>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .save_project_as_template(&a, parse_id(&id)?, &b.name, &b.description)
        .await?;
    Ok(created(t.version, t))
}

/// A milestone's fields; PATCH semantics as for projects.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneBody {
    pub name: Option<String>,
    pub description: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub due_date: Option<Option<String>>,
    /// not_started, in_progress, done
    pub status: Option<String>,
    /// Percent set by hand; null derives it from the tasks again.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub progress: Option<Option<i32>>,
}

impl From<MilestoneBody> for MilestoneChanges {
    fn from(b: MilestoneBody) -> Self {
        Self {
            name: b.name,
            description: b.description,
            due_date: b.due_date,
            status: b.status,
            progress: b.progress,
        }
    }
}

/// Archived records too.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ArchivedParams {
    pub archived: Option<bool>,
}

/// A project's milestones in order.
#[utoipa::path(get, path = "/api/v1/projects/{id}/milestones", tag = "milestones", params(("id" = String, Path), ArchivedParams),
    responses((status = 200, body = Vec<MilestoneView>), (status = 404, body = Problem)))]
pub async fn list_milestones(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<ArchivedParams>,
) -> ApiResult<Json<Vec<MilestoneView>>> {
    Ok(Json(
        state
            .cairn
            .list_milestones(&a, parse_id(&id)?, p.archived.unwrap_or(false))
            .await?,
    ))
}

/// Adds a milestone to a project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/milestones", tag = "milestones", params(("id" = String, Path)), request_body = MilestoneBody,
    responses((status = 201, body = MilestoneView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn create_milestone(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MilestoneBody>,
) -> ApiResult<Response> {
    let m = state
        .cairn
        .create_milestone(&a, parse_id(&id)?, b.into())
        .await?;
    Ok(created(m.version, m))
}

/// One milestone.
#[utoipa::path(get, path = "/api/v1/milestones/{id}", tag = "milestones", params(("id" = String, Path)),
    responses((status = 200, body = MilestoneView), (status = 404, body = Problem)))]
pub async fn get_milestone(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = state.cairn.get_milestone(&a, parse_id(&id)?).await?;
    Ok(with_etag(m.version, m))
}

/// Updates a milestone.
#[utoipa::path(patch, path = "/api/v1/milestones/{id}", tag = "milestones", params(("id" = String, Path)), request_body = MilestoneBody,
    responses((status = 200, body = MilestoneView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn update_milestone(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<MilestoneBody>,
) -> ApiResult<Response> {
    let m = state
        .cairn
        .update_milestone(&a, parse_id(&id)?, b.into(), v)
        .await?;
    Ok(with_etag(m.version, m))
}

/// Deletes a milestone; its tasks stay, without a milestone.
#[utoipa::path(delete, path = "/api/v1/milestones/{id}", tag = "milestones", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_milestone(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.delete_milestone(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archives a milestone.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/archive", tag = "milestones", params(("id" = String, Path)),
    responses((status = 200, body = MilestoneView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn archive_milestone(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = state
        .cairn
        .set_milestone_archived(&a, parse_id(&id)?, true)
        .await?;
    Ok(with_etag(m.version, m))
}

/// Restores an archived milestone.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/restore", tag = "milestones", params(("id" = String, Path)),
    responses((status = 200, body = MilestoneView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn restore_milestone(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = state
        .cairn
        .set_milestone_archived(&a, parse_id(&id)?, false)
        .await?;
    Ok(with_etag(m.version, m))
}

/// The versions of a milestone, newest first.
#[utoipa::path(get, path = "/api/v1/milestones/{id}/versions", tag = "milestones", params(("id" = String, Path)),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = Problem)))]
pub async fn milestone_versions(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VersionView>>> {
    Ok(Json(
        state.cairn.milestone_versions(&a, parse_id(&id)?).await?,
    ))
}

/// Field-level differences between two versions of a milestone.
#[utoipa::path(get, path = "/api/v1/milestones/{id}/versions/diff", tag = "milestones", params(("id" = String, Path), DiffParams),
    responses((status = 200, body = Vec<FieldDiff>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn milestone_diff(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> ApiResult<Json<Vec<FieldDiff>>> {
    Ok(Json(
        state
            .cairn
            .diff_milestone_versions(&a, parse_id(&id)?, p.from, p.to)
            .await?,
    ))
}

/// Reverts a milestone to an earlier version.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/revert", tag = "milestones", params(("id" = String, Path)), request_body = RevertBody,
    responses((status = 200, body = MilestoneView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn milestone_revert(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<RevertBody>,
) -> ApiResult<Response> {
    let m = state
        .cairn
        .revert_milestone(&a, parse_id(&id)?, b.version, v)
        .await?;
    Ok(with_etag(m.version, m))
}

/// A role slot's fields; `user_id: null` empties the slot.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotBody {
    /// "Lead consultant"
    pub role: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub department: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub user_id: Option<Option<uuid::Uuid>>,
}

impl From<SlotBody> for SlotChanges {
    fn from(b: SlotBody) -> Self {
        Self {
            role: b.role,
            department: b.department,
            user_id: b.user_id,
        }
    }
}

/// A project's role slots.
#[utoipa::path(get, path = "/api/v1/projects/{id}/members", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = Vec<SlotView>), (status = 404, body = Problem)))]
pub async fn list_slots(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SlotView>>> {
    Ok(Json(state.cairn.list_slots(&a, parse_id(&id)?).await?))
}

/// Adds a role slot, staffed or open.
#[utoipa::path(post, path = "/api/v1/projects/{id}/members", tag = "projects", params(("id" = String, Path)), request_body = SlotBody,
    responses((status = 201, body = SlotView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn create_slot(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SlotBody>,
) -> ApiResult<Response> {
    let s = state
        .cairn
        .create_slot(&a, parse_id(&id)?, b.into())
        .await?;
    let mut res = Json(s).into_response();
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// Changes a role slot; its tasks follow whoever fills it.
#[utoipa::path(patch, path = "/api/v1/project-members/{id}", tag = "projects", params(("id" = String, Path)), request_body = SlotBody,
    responses((status = 200, body = SlotView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn update_slot(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SlotBody>,
) -> ApiResult<Json<SlotView>> {
    Ok(Json(
        state
            .cairn
            .update_slot(&a, parse_id(&id)?, b.into())
            .await?,
    ))
}

/// Removes a role slot; its tasks become unassigned.
#[utoipa::path(delete, path = "/api/v1/project-members/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_slot(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.delete_slot(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Built-in and workspace templates.
#[utoipa::path(get, path = "/api/v1/templates", tag = "templates", params(ArchivedParams),
    responses((status = 200, body = Vec<TemplateView>)))]
pub async fn list_templates(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ArchivedParams>,
) -> ApiResult<Json<Vec<TemplateView>>> {
    Ok(Json(
        state
            .cairn
            .list_templates(&a, p.archived.unwrap_or(false))
            .await?,
    ))
}

/// One template by built-in key or workspace template id.
#[utoipa::path(get, path = "/api/v1/templates/{key}", tag = "templates", params(("key" = String, Path)),
    responses((status = 200, body = TemplateView), (status = 404, body = Problem)))]
pub async fn get_template(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(key): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(state.cairn.get_template(&a, &key).await?))
}

/// A workspace template's editable fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub project_type: Option<String>,
    /// `{slots, milestones, tasks, allow_due_before_start}`; see a built-in for the shape.
    #[schema(value_type = Option<Object>)]
    pub plan: Option<serde_json::Value>,
}

/// Edits a workspace template (built-ins are fixed).
#[utoipa::path(patch, path = "/api/v1/templates/{key}", tag = "templates", params(("key" = String, Path)), request_body = TemplateBody,
    responses((status = 200, body = TemplateView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn update_template(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(key): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<TemplateBody>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .update_template(
            &a,
            parse_id(&key)?,
            b.name,
            b.description,
            b.project_type,
            b.plan,
            v,
        )
        .await?;
    Ok(with_etag(t.version, t))
}

/// Archives a workspace template.
#[utoipa::path(post, path = "/api/v1/templates/{key}/archive", tag = "templates", params(("key" = String, Path)),
    responses((status = 200, body = TemplateView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn archive_template(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(key): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        state
            .cairn
            .set_template_archived(&a, parse_id(&key)?, true)
            .await?,
    ))
}

/// Restores an archived workspace template.
#[utoipa::path(post, path = "/api/v1/templates/{key}/restore", tag = "templates", params(("key" = String, Path)),
    responses((status = 200, body = TemplateView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn restore_template(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(key): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        state
            .cairn
            .set_template_archived(&a, parse_id(&key)?, false)
            .await?,
    ))
}
