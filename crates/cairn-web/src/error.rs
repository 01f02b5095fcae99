//! Mapping domain errors to HTTP at the edge: RFC 9457 problem+json for the API, a message
//! page or redirect for the UI.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_domain::{DomainError, FieldError};
use serde::Serialize;

/// An RFC 9457 problem document with Cairn's per-field list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
}

/// An API error: renders as problem+json.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<i64>,
}

impl ApiError {
    /// A problem with a status and a message.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            errors: vec![],
            retry_after: None,
        }
    }

    /// 400 naming one field.
    pub fn field(status: StatusCode, field: impl Into<String>, reason: impl Into<String>) -> Self {
        let e = FieldError::new(field, reason);
        Self {
            status,
            detail: e.to_string(),
            errors: vec![e],
            retry_after: None,
        }
    }

    /// 404 for any record the caller may not know about.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not found")
    }
}

/// The HTTP status a domain error maps to.
pub fn status_of(e: &DomainError) -> StatusCode {
    match e {
        DomainError::Invalid(_) => StatusCode::BAD_REQUEST,
        DomainError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_)
        | DomainError::PasswordChangeRequired
        | DomainError::WorkspaceSuspended => StatusCode::FORBIDDEN,
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::StaleVersion { .. } => StatusCode::PRECONDITION_FAILED,
        DomainError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = status_of(&e);
        let retry_after = match &e {
            DomainError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let errors = match &e {
            DomainError::Invalid(list) => list.clone(),
            _ => vec![],
        };
        let detail = match &e {
            DomainError::Internal(_) => {
                "something went wrong on our side; the request id identifies it in the logs"
                    .to_string()
            }
            other => other.to_string(),
        };
        Self {
            status,
            detail,
            errors,
            retry_after,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: "about:blank".into(),
            title: self.status.canonical_reason().unwrap_or("Error").into(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"cairn\""),
            );
        }
        res
    }
}

/// Result of API handlers.
pub type ApiResult<T> = Result<T, ApiError>;
