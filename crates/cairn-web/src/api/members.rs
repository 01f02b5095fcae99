//! `/api/v1/members`: the workspace's people (owners and admins manage them).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_core::members::{
    AddedMember, MemberFilter, MemberPatch, MemberView, NewMember, Onboarding, PendingInvite,
};
use cairn_core::page::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{parse_id, with_etag};
use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery, IfMatch};

/// List parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Substring of name or email.
    pub q: Option<String>,
    pub role: Option<String>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// `name`, `email`, `created_at`; prefix `-` for descending.
    pub sort: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberView>,
    pub next_cursor: Option<String>,
}

impl From<Page<MemberView>> for MemberPage {
    fn from(p: Page<MemberView>) -> Self {
        Self {
            items: p.items,
            next_cursor: p.next_cursor,
        }
    }
}

/// Lists members with filters, sorting and cursor pagination.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(ListParams),
    responses((status = 200, body = MemberPage), (status = 400, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<MemberPage>> {
    let filter = MemberFilter {
        q: p.q,
        role: p.role,
        status: p.status,
        sort: p.sort,
    };
    let page = PageRequest {
        limit: p.limit,
        cursor: p.cursor,
    };
    Ok(Json(
        state.cairn.list_members(&a, &filter, &page).await?.into(),
    ))
}

/// Adding a member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemberBody {
    pub email: String,
    pub name: String,
    /// owner, admin, member or viewer (only owners add owners).
    pub role: String,
    /// `invite` (an expiring one-time link) or `password` (a temporary password that must
    /// be changed at first login).
    pub method: String,
    /// The temporary password; generated and returned once when omitted.
    pub password: Option<String>,
}

/// The added member or invite, with the invite link or generated password shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedMemberBody {
    #[serde(flatten)]
    pub added: AddedMember,
    pub invite_url: Option<String>,
}

/// Adds a member by invite link or temporary password.
#[utoipa::path(post, path = "/api/v1/members", tag = "members", request_body = NewMemberBody,
    responses((status = 201, body = AddedMemberBody), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewMemberBody>,
) -> ApiResult<Response> {
    let onboarding = match b.method.as_str() {
        "invite" if b.password.is_some() => {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "password",
                "is only used with method password",
            ));
        }
        "invite" => Onboarding::Invite,
        "password" => Onboarding::TemporaryPassword(b.password),
        _ => {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "method",
                "must be invite or password",
            ));
        }
    };
    let added = state
        .cairn
        .add_member(
            &a,
            NewMember {
                email: b.email,
                name: b.name,
                role: b.role,
                onboarding,
            },
        )
        .await?;
    let invite_url = added.invite_token.as_ref().map(|t| {
        format!(
            "{}/invite/{t}",
            state.config.public_url.trim_end_matches('/')
        )
    });
    Ok((
        StatusCode::CREATED,
        Json(AddedMemberBody { added, invite_url }),
    )
        .into_response())
}

/// One member.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)),
    responses((status = 200, body = MemberView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = state.cairn.get_member(&a, parse_id(&id)?).await?;
    Ok(with_etag(m.version, m))
}

/// A change to a member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatchBody {
    pub role: Option<String>,
    pub disabled: Option<bool>,
}

/// Changes a member's role or disables them (ending their sessions and tokens).
#[utoipa::path(patch, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)), request_body = MemberPatchBody,
    responses((status = 200, body = MemberView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<MemberPatchBody>,
) -> ApiResult<Response> {
    let m = state
        .cairn
        .update_member(
            &a,
            parse_id(&id)?,
            MemberPatch {
                role: b.role,
                disabled: b.disabled,
            },
            v,
        )
        .await?;
    Ok(with_etag(m.version, m))
}

/// Removes a member from the workspace.
#[utoipa::path(delete, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    state.cairn.remove_member(&a, parse_id(&id)?, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pending invites (owners and admins).
#[utoipa::path(get, path = "/api/v1/invites", tag = "members", responses((status = 200, body = Vec<PendingInvite>), (status = 403, body = Problem)))]
pub async fn list_invites(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<PendingInvite>>> {
    Ok(Json(state.cairn.list_invites(&a).await?))
}

/// Withdraws a pending invite; its link stops working.
#[utoipa::path(delete, path = "/api/v1/invites/{id}", tag = "members", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_invite(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.revoke_invite(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
