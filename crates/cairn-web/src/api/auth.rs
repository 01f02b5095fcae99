//! `POST /api/v1/auth/token`: the password and refresh-token grants.

use axum::Json;
use cairn_core::tokens::TokenPair;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Meta};

/// A token request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TokenRequest {
    /// Email and password (and TOTP code when enrolled); `workspace` is a slug.
    Password {
        email: String,
        password: String,
        workspace: Option<String>,
        totp: Option<String>,
    },
    /// A refresh token; it is spent and replaced.
    RefreshToken { refresh_token: String },
}

/// Exchanges credentials or a refresh token for a 15-minute access token and a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", security(()),
    request_body = TokenRequest,
    responses((status = 200, body = TokenPair), (status = 400, body = Problem), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn token(
    axum::extract::State(state): axum::extract::State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenPair>> {
    let pair = match req {
        TokenRequest::Password {
            email,
            password,
            workspace,
            totp,
        } => {
            state
                .cairn
                .grant_password(
                    &email,
                    &password,
                    workspace.as_deref(),
                    totp.as_deref(),
                    &meta,
                )
                .await?
        }
        TokenRequest::RefreshToken { refresh_token } => {
            state.cairn.grant_refresh(&refresh_token, &meta).await?
        }
    };
    Ok(Json(pair))
}
