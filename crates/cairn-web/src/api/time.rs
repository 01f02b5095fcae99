//! `/api/v1/time-entries` and `/api/v1/timesheet`: logged time.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cairn_core::delivery::time::{TimeEntryChanges, TimeEntryView, TimeFilter, Timesheet};
use cairn_core::page::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::crm::nullable;
use super::projects::created;
use super::{parse_id, with_etag};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery, IfMatch};

/// A time entry's fields. On create `project_id`, `date` and `minutes` are required.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeEntryBody {
    /// Whose time; owners and admins may log for others. The caller by default.
    pub user_id: Option<uuid::Uuid>,
    pub project_id: Option<uuid::Uuid>,
    /// A task of the project.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub task_id: Option<Option<uuid::Uuid>>,
    /// YYYY-MM-DD
    pub date: Option<String>,
    /// 1 to 1440.
    pub minutes: Option<i32>,
    pub note: Option<String>,
    /// Defaults to true.
    pub billable: Option<bool>,
}

impl From<TimeEntryBody> for TimeEntryChanges {
    fn from(b: TimeEntryBody) -> Self {
        Self {
            user_id: b.user_id,
            project_id: b.project_id,
            task_id: b.task_id,
            date: b.date,
            minutes: b.minutes,
            note: b.note,
            billable: b.billable,
        }
    }
}

/// Time entry list parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimeListParams {
    pub project: Option<uuid::Uuid>,
    /// me or a user id
    pub user: Option<String>,
    /// First day, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    pub to: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of time entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntryPage {
    pub items: Vec<TimeEntryView>,
    pub next_cursor: Option<String>,
}

/// Time entries on visible projects, newest first.
#[utoipa::path(get, path = "/api/v1/time-entries", tag = "time", params(TimeListParams),
    responses((status = 200, body = TimeEntryPage), (status = 400, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<TimeListParams>,
) -> ApiResult<Json<TimeEntryPage>> {
    let f = TimeFilter {
        project: p.project,
        user: p.user,
        from: p.from,
        to: p.to,
    };
    let page = state
        .cairn
        .list_time_entries(
            &a,
            &f,
            &PageRequest {
                limit: p.limit,
                cursor: p.cursor,
            },
        )
        .await?;
    Ok(Json(TimeEntryPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Logs time.
#[utoipa::path(post, path = "/api/v1/time-entries", tag = "time", request_body = TimeEntryBody,
    responses((status = 201, body = TimeEntryView), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<TimeEntryBody>,
) -> ApiResult<Response> {
    let e = state.cairn.create_time_entry(&a, b.into()).await?;
    Ok(created(e.version, e))
}

/// Changes a time entry (its owner, an owner or an admin).
#[utoipa::path(patch, path = "/api/v1/time-entries/{id}", tag = "time", params(("id" = String, Path)), request_body = TimeEntryBody,
    responses((status = 200, body = TimeEntryView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<TimeEntryBody>,
) -> ApiResult<Response> {
    let e = state
        .cairn
        .update_time_entry(&a, parse_id(&id)?, b.into(), v)
        .await?;
    Ok(with_etag(e.version, e))
}

/// Deletes a time entry (its owner, an owner or an admin).
#[utoipa::path(delete, path = "/api/v1/time-entries/{id}", tag = "time", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.delete_time_entry(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Timesheet parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimesheetParams {
    /// A user id (the caller by default).
    pub user: Option<uuid::Uuid>,
    /// Any day of the week, YYYY-MM-DD (this week by default).
    pub week: Option<String>,
}

/// A user's week by project, Monday first.
#[utoipa::path(get, path = "/api/v1/timesheet", tag = "time", params(TimesheetParams),
    responses((status = 200, body = Timesheet), (status = 400, body = Problem)))]
pub async fn timesheet(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<TimesheetParams>,
) -> ApiResult<Json<Timesheet>> {
    Ok(Json(
        state.cairn.timesheet(&a, p.user, p.week.as_deref()).await?,
    ))
}
