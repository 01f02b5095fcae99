//! The caller's own account: who am I, password, second factor, sessions, tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_core::sessions::SessionView;
use cairn_core::tokens::{CreatedToken, TokenView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_id;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: MeUser,
    pub workspace: MeWorkspace,
    pub role: String,
    /// Every workspace the user can switch to.
    pub workspaces: Vec<MeWorkspaceRef>,
}

/// The user part of [`Me`].
#[derive(Debug, Serialize, ToSchema)]
pub struct MeUser {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub timezone: String,
    pub platform_admin: bool,
}

/// The current workspace.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeWorkspace {
    pub id: uuid::Uuid,
    pub name: String,
    pub slug: String,
}

/// A workspace the user belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeWorkspaceRef {
    pub slug: String,
    pub name: String,
    pub role: String,
}

/// Who the caller is, in which workspace, with which role.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Me>> {
    let workspaces =
        cairn_core::sessions::workspaces_of(state.cairn.store.reader(), a.user_id.0).await?;
    Ok(Json(Me {
        user: MeUser {
            id: a.user_id.0,
            email: a.email.clone(),
            name: a.name.clone(),
            timezone: a.timezone.clone(),
            platform_admin: a.is_platform_admin,
        },
        workspace: MeWorkspace {
            id: a.workspace_id.0,
            name: a.workspace_name.clone(),
            slug: a.workspace_slug.clone(),
        },
        role: a.role.to_string(),
        workspaces: workspaces
            .into_iter()
            .map(|(slug, name, role)| MeWorkspaceRef { slug, name, role })
            .collect(),
    }))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password; every other session ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", request_body = PasswordChange,
    responses((status = 204), (status = 400, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    state
        .cairn
        .change_password(&a, &body.current_password, &body.new_password, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A started TOTP enrolment.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

/// Starts TOTP enrolment.
#[utoipa::path(post, path = "/api/v1/me/totp", tag = "account", responses((status = 200, body = TotpEnrolment), (status = 409, body = Problem)))]
pub async fn totp_begin(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<TotpEnrolment>> {
    let e = state.cairn.totp_begin(&a).await?;
    Ok(Json(TotpEnrolment {
        secret: e.secret_base32,
        otpauth_url: e.otpauth_url,
        qr_svg: e.qr_svg,
    }))
}

/// A code from the authenticator app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

/// Recovery codes, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Confirms enrolment with a code; returns 10 single-use recovery codes.
#[utoipa::path(post, path = "/api/v1/me/totp/confirm", tag = "account", request_body = TotpCode,
    responses((status = 200, body = RecoveryCodes), (status = 400, body = Problem)))]
pub async fn totp_confirm(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<TotpCode>,
) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(RecoveryCodes {
        recovery_codes: state.cairn.totp_confirm(&a, &body.code).await?,
    }))
}

/// The account password, to confirm a sensitive change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfirm {
    pub password: String,
}

/// Turns the second factor off.
#[utoipa::path(post, path = "/api/v1/me/totp/disable", tag = "account", request_body = PasswordConfirm,
    responses((status = 204), (status = 400, body = Problem)))]
pub async fn totp_disable(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<PasswordConfirm>,
) -> ApiResult<StatusCode> {
    state.cairn.totp_disable(&a, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's live browser sessions.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "account", responses((status = 200, body = Vec<SessionView>)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<SessionView>>> {
    Ok(Json(state.cairn.list_sessions(&a).await?))
}

/// Revokes one of the caller's sessions.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "account", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_session(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.revoke_session(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's personal access tokens in this workspace.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "account", responses((status = 200, body = Vec<TokenView>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<TokenView>>> {
    Ok(Json(state.cairn.list_tokens(&a).await?))
}

/// A new personal access token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    /// `read` or `read_write`.
    pub scope: String,
    /// 1 to 366; omit for no expiry.
    pub expires_in_days: Option<i64>,
}

/// Creates a personal access token; the secret is in the response and never again.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "account", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .create_token(&a, &body.name, &body.scope, body.expires_in_days)
        .await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "account", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.revoke_token(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
