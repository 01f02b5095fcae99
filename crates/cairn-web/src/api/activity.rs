//! `/api/v1/activity`: the workspace's activity log (owners and admins).

use axum::Json;
use axum::extract::State;
use cairn_core::activity::{ActivityFilter, ActivityView};
use cairn_core::page::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiQuery};

/// Filters of the activity log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActivityParams {
    /// Exact action, or a prefix ending in `.` such as `member.`.
    pub action: Option<String>,
    /// User id of the actor.
    pub actor: Option<uuid::Uuid>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    /// RFC 3339 lower bound (inclusive).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// RFC 3339 upper bound (exclusive).
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of activity, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityPage {
    pub items: Vec<ActivityView>,
    pub next_cursor: Option<String>,
}

/// Lists the activity log, newest first.
#[utoipa::path(get, path = "/api/v1/activity", tag = "activity", params(ActivityParams),
    responses((status = 200, body = ActivityPage), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ActivityParams>,
) -> ApiResult<Json<ActivityPage>> {
    let f = ActivityFilter {
        action: p.action,
        actor_user_id: p.actor,
        record_type: p.record_type,
        record_id: p.record_id,
        since: p.since,
        until: p.until,
    };
    let page = state
        .cairn
        .list_activity(
            &a,
            &f,
            &PageRequest {
                limit: p.limit,
                cursor: p.cursor,
            },
        )
        .await?;
    Ok(Json(ActivityPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}
