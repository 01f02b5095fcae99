//! `/api/v1/tasks`, `/api/v1/projects/{id}/tasks`, `/api/v1/capture`, `/api/v1/comments`:
//! tasks, their board, dependencies, comments, batch edits and quick capture.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_core::delivery::capture::CaptureView;
use cairn_core::delivery::comments::CommentView;
use cairn_core::delivery::dependencies::DependencyView;
use cairn_core::delivery::tasks::{BoardCard, TaskChanges, TaskFilter, TaskView};
use cairn_core::page::PageRequest;
use cairn_core::versions::{FieldDiff, VersionView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::crm::{DiffParams, RevertBody, nullable};
use super::projects::created;
use super::{parse_id, with_etag};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery, IfMatch};

/// A task's fields. On create `title` is required, and the task belongs to `project_id`, or
/// only to `client_id`, or (an inbox capture) to neither. On PATCH absent fields are
/// unchanged and `null` clears.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub project_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub client_id: Option<Option<uuid::Uuid>>,
    pub title: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// backlog, todo, in_progress, blocked, done, cancelled
    pub status: Option<String>,
    /// p0, p1, p2, p3
    pub priority: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub due_date: Option<Option<String>>,
    /// A member who can see the task's client; clears the slot.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assignee_user_id: Option<Option<uuid::Uuid>>,
    /// A role slot of the task's project; clears the user.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assignee_slot_id: Option<Option<uuid::Uuid>>,
    /// A milestone of the task's project.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub milestone_id: Option<Option<uuid::Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub estimate_minutes: Option<Option<i32>>,
    /// Tag ids; replaces the task's tags.
    pub tags: Option<Vec<uuid::Uuid>>,
    #[schema(value_type = Option<Object>)]
    pub custom: Option<serde_json::Value>,
}

impl From<TaskBody> for TaskChanges {
    fn from(b: TaskBody) -> Self {
        Self {
            project_id: b.project_id,
            client_id: b.client_id,
            title: b.title,
            description: b.description,
            status: b.status,
            priority: b.priority,
            due_date: b.due_date,
            assignee_user_id: b.assignee_user_id,
            assignee_slot_id: b.assignee_slot_id,
            milestone_id: b.milestone_id,
            estimate_minutes: b.estimate_minutes,
            tags: b.tags,
            custom: b.custom,
        }
    }
}

/// List parameters of task lists and work views.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskListParams {
    pub project: Option<uuid::Uuid>,
    pub client: Option<uuid::Uuid>,
    /// Statuses separated by commas, or `open`.
    pub status: Option<String>,
    /// Priorities separated by commas.
    pub priority: Option<String>,
    /// me (directly or through a role slot), none, or a user id
    pub assignee: Option<String>,
    pub milestone: Option<uuid::Uuid>,
    /// today, overdue, upcoming (next 7 days), none; the first three imply open tasks
    pub due: Option<String>,
    pub tag: Option<uuid::Uuid>,
    /// true: only blocked tasks (status blocked or an open prerequisite); false: none of them
    pub blocked: Option<bool>,
    /// Text in the title.
    pub q: Option<String>,
    /// false (default), true, all
    pub archived: Option<String>,
    /// due (default; undated last), updated_at, -updated_at, priority
    pub sort: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl TaskListParams {
    fn split(self) -> (TaskFilter, PageRequest) {
        (
            TaskFilter {
                project: self.project,
                client: self.client,
                status: self.status,
                priority: self.priority,
                assignee: self.assignee,
                milestone: self.milestone,
                due: self.due,
                tag: self.tag,
                blocked: self.blocked,
                q: self.q,
                archived: self.archived,
                sort: self.sort,
            },
            PageRequest {
                limit: self.limit,
                cursor: self.cursor,
            },
        )
    }
}

/// A page of tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskView>,
    pub next_cursor: Option<String>,
}

/// Tasks across projects and clients the caller may see: the global list and the work
/// views (`assignee=me&due=today|overdue|upcoming`).
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskListParams),
    responses((status = 200, body = TaskPage), (status = 400, body = Problem)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<TaskListParams>,
) -> ApiResult<Json<TaskPage>> {
    let (f, page) = p.split();
    let page = state.cairn.list_tasks(&a, &f, &page).await?;
    Ok(Json(TaskPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Creates a task (in a project, for a client only, or in nobody's inbox).
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = TaskBody,
    responses((status = 201, body = TaskView), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create_task(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<TaskBody>,
) -> ApiResult<Response> {
    let t = state.cairn.create_task(&a, b.into()).await?;
    Ok(created(t.version, t))
}

/// A project's tasks (the list parameters of `/api/v1/tasks`, `project` fixed).
#[utoipa::path(get, path = "/api/v1/projects/{id}/tasks", tag = "tasks", params(("id" = String, Path), TaskListParams),
    responses((status = 200, body = TaskPage), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list_project_tasks(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<TaskListParams>,
) -> ApiResult<Json<TaskPage>> {
    let id = parse_id(&id)?;
    state.cairn.get_project(&a, id).await?;
    let (mut f, page) = p.split();
    f.project = Some(id);
    let page = state.cairn.list_tasks(&a, &f, &page).await?;
    Ok(Json(TaskPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Creates a task in a project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/tasks", tag = "tasks", params(("id" = String, Path)), request_body = TaskBody,
    responses((status = 201, body = TaskView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn create_project_task(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(mut b): ApiJson<TaskBody>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    state.cairn.get_project(&a, id).await?;
    b.project_id = Some(Some(id));
    let t = state.cairn.create_task(&a, b.into()).await?;
    Ok(created(t.version, t))
}

/// One board column.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardColumn<'a> {
    pub status: &'static str,
    pub tasks: &'a [BoardCard],
}

/// A project's board: one column per status, tasks in board order.
#[utoipa::path(get, path = "/api/v1/projects/{id}/board", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = Vec<BoardColumn>), (status = 404, body = Problem)))]
pub async fn board(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let board = state.cairn.project_board(&a, parse_id(&id)?).await?;
    let columns: Vec<BoardColumn> = board
        .columns
        .iter()
        .map(|c| BoardColumn {
            status: c.status.as_str(),
            tasks: &c.cards,
        })
        .collect();
    Ok(Json(columns).into_response())
}

/// One task.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = TaskView), (status = 404, body = Problem)))]
pub async fn get_task(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let t = state.cairn.get_task(&a, parse_id(&id)?).await?;
    Ok(with_etag(t.version, t))
}

/// Updates a task (send the ETag in `If-Match`).
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)), request_body = TaskBody,
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn update_task(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<TaskBody>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .update_task(&a, parse_id(&id)?, b.into(), v)
        .await?;
    Ok(with_etag(t.version, t))
}

/// Permanently deletes a task (owners and admins).
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_task(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.delete_task(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archives a task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/archive", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = TaskView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn archive_task(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .set_task_archived(&a, parse_id(&id)?, true)
        .await?;
    Ok(with_etag(t.version, t))
}

/// Restores an archived task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/restore", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = TaskView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn restore_task(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .set_task_archived(&a, parse_id(&id)?, false)
        .await?;
    Ok(with_etag(t.version, t))
}

/// Where a task goes on its board.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The column.
    pub status: String,
    /// The task it lands below (none: top of the column).
    pub after: Option<uuid::Uuid>,
    /// The task it lands above (none: bottom of the column).
    pub before: Option<uuid::Uuid>,
}

/// Moves a task on its project's board (status and order).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/move", tag = "tasks", params(("id" = String, Path)), request_body = MoveBody,
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn move_task(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MoveBody>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .move_task(&a, parse_id(&id)?, &b.status, b.after, b.before)
        .await?;
    Ok(with_etag(t.version, t))
}

/// The same changes for many tasks, all or nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// At most 200.
    pub ids: Vec<uuid::Uuid>,
    #[serde(deserialize_with = "crate::extract::object")]
    pub changes: TaskBody,
}

/// Applies the same changes to many tasks; any invalid task or change writes nothing.
#[utoipa::path(post, path = "/api/v1/tasks/batch", tag = "tasks", request_body = BatchBody,
    responses((status = 200, body = Vec<TaskView>), (status = 400, body = Problem)))]
pub async fn batch_update(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<BatchBody>,
) -> ApiResult<Json<Vec<TaskView>>> {
    Ok(Json(
        state
            .cairn
            .batch_update_tasks(&a, &b.ids, b.changes.into())
            .await?,
    ))
}

/// Tasks to archive, restore or duplicate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdsBody {
    /// At most 200.
    pub ids: Vec<uuid::Uuid>,
    /// For archive: false restores. Defaults to true.
    pub archived: Option<bool>,
}

/// How many tasks changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Changed {
    pub changed: usize,
}

/// Archives (or with `archived: false` restores) many tasks, all or nothing.
#[utoipa::path(post, path = "/api/v1/tasks/batch/archive", tag = "tasks", request_body = IdsBody,
    responses((status = 200, body = Changed), (status = 400, body = Problem)))]
pub async fn batch_archive(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<IdsBody>,
) -> ApiResult<Json<Changed>> {
    let n = state
        .cairn
        .set_tasks_archived(&a, &b.ids, b.archived.unwrap_or(true))
        .await?;
    Ok(Json(Changed { changed: n }))
}

/// Duplicates many tasks, all or nothing.
#[utoipa::path(post, path = "/api/v1/tasks/batch/duplicate", tag = "tasks", request_body = IdsBody,
    responses((status = 201, body = Vec<TaskView>), (status = 400, body = Problem)))]
pub async fn batch_duplicate(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<IdsBody>,
) -> ApiResult<(StatusCode, Json<Vec<TaskView>>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.cairn.duplicate_tasks(&a, &b.ids).await?),
    ))
}

/// A prerequisite to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DependencyBody {
    /// The task this one waits for.
    pub depends_on: uuid::Uuid,
}

/// A task's prerequisites and dependents.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/dependencies", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = DependencyView), (status = 404, body = Problem)))]
pub async fn list_dependencies(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<DependencyView>> {
    Ok(Json(
        state.cairn.task_dependencies(&a, parse_id(&id)?).await?,
    ))
}

/// Makes the task wait for another; a cycle is refused with 409 naming it.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/dependencies", tag = "tasks", params(("id" = String, Path)), request_body = DependencyBody,
    responses((status = 200, body = DependencyView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn add_dependency(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DependencyBody>,
) -> ApiResult<Json<DependencyView>> {
    Ok(Json(
        state
            .cairn
            .add_task_dependency(&a, parse_id(&id)?, b.depends_on)
            .await?,
    ))
}

/// Removes a prerequisite.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/dependencies/{depends_on}", tag = "tasks", params(("id" = String, Path), ("depends_on" = String, Path)),
    responses((status = 200, body = DependencyView), (status = 404, body = Problem)))]
pub async fn remove_dependency(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path((id, dep)): Path<(String, String)>,
) -> ApiResult<Json<DependencyView>> {
    Ok(Json(
        state
            .cairn
            .remove_task_dependency(&a, parse_id(&id)?, parse_id(&dep)?)
            .await?,
    ))
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// Markdown.
    pub body: String,
}

/// A task's comments, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/comments", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = Vec<CommentView>), (status = 404, body = Problem)))]
pub async fn list_comments(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<CommentView>>> {
    Ok(Json(state.cairn.list_comments(&a, parse_id(&id)?).await?))
}

/// Comments on a task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/comments", tag = "tasks", params(("id" = String, Path)), request_body = CommentBody,
    responses((status = 201, body = CommentView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn add_comment(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CommentBody>,
) -> ApiResult<(StatusCode, Json<CommentView>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.cairn.add_comment(&a, parse_id(&id)?, &b.body).await?),
    ))
}

/// Deletes a comment (its author, an owner or an admin).
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_comment(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.delete_comment(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The versions of a task, newest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/versions", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = Problem)))]
pub async fn task_versions(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VersionView>>> {
    Ok(Json(state.cairn.task_versions(&a, parse_id(&id)?).await?))
}

/// Field-level differences between two versions of a task.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/versions/diff", tag = "tasks", params(("id" = String, Path), DiffParams),
    responses((status = 200, body = Vec<FieldDiff>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn task_diff(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> ApiResult<Json<Vec<FieldDiff>>> {
    Ok(Json(
        state
            .cairn
            .diff_task_versions(&a, parse_id(&id)?, p.from, p.to)
            .await?,
    ))
}

/// Reverts a task to an earlier version.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/revert", tag = "tasks", params(("id" = String, Path)), request_body = RevertBody,
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn task_revert(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<RevertBody>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .revert_task(&a, parse_id(&id)?, b.version, v)
        .await?;
    Ok(with_etag(t.version, t))
}

/// A line to capture.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureBody {
    /// e.g. `Renew SSL for Acme tomorrow !p1 #ops @jane`
    pub text: String,
    /// true: only show what was understood; false (default): save the task.
    #[serde(default)]
    pub preview: bool,
}

/// Parses a one-line capture (client or project by name, dates in the caller's timezone,
/// `!p0`–`!p3`, `#tag`, `@user`) and saves it as a task unless `preview`. Words not
/// understood stay in the title; it never fails on what it cannot read.
#[utoipa::path(post, path = "/api/v1/capture", tag = "tasks", request_body = CaptureBody,
    responses((status = 200, description = "Preview", body = CaptureView), (status = 201, description = "Saved", body = CaptureView), (status = 400, body = Problem)))]
pub async fn capture(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<CaptureBody>,
) -> ApiResult<(StatusCode, Json<CaptureView>)> {
    let v = state.cairn.capture(&a, &b.text, b.preview).await?;
    Ok((
        if v.saved {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(v),
    ))
}
