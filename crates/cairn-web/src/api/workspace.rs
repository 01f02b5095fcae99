//! `/api/v1/workspace`: the current workspace and its settings.

use axum::extract::State;
use axum::response::Response;
use cairn_core::workspaces::{Settings, WorkspacePatch, WorkspaceView};
use serde::Deserialize;
use utoipa::ToSchema;

use super::with_etag;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson, IfMatch};

/// The current workspace.
#[utoipa::path(get, path = "/api/v1/workspace", tag = "workspace", responses((status = 200, body = WorkspaceView)))]
pub async fn get(State(state): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Response> {
    let w = state.cairn.get_workspace(&a).await?;
    Ok(with_etag(w.version, w))
}

/// A change to the workspace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspacePatchBody {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::optional_object")]
    pub settings: Option<Settings>,
}

/// Renames the workspace or changes its settings (owners and admins).
#[utoipa::path(patch, path = "/api/v1/workspace", tag = "workspace", request_body = WorkspacePatchBody,
    responses((status = 200, body = WorkspaceView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 412, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<WorkspacePatchBody>,
) -> ApiResult<Response> {
    let w = state
        .cairn
        .update_workspace(
            &a,
            WorkspacePatch {
                name: b.name,
                settings: b.settings,
            },
            v,
        )
        .await?;
    Ok(with_etag(w.version, w))
}
