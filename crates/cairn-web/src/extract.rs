//! Extractors: who is calling, where from, and request bodies parsed strictly (unknown fields
//! rejected, every error naming its field).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum_extra::extract::CookieJar;
use cairn_core::{Actor, RequestMeta};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::AppState;
use crate::error::ApiError;

/// Where the request came from (peer address and user agent), for the activity log.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Meta(meta_of(parts)))
    }
}

/// Reads the peer address and user agent of a request.
pub fn meta_of(parts: &Parts) -> RequestMeta {
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(400).collect());
    RequestMeta { ip, user_agent }
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The authenticated actor of an API call: a bearer token, or a browser session (whose
/// unsafe requests the CSRF middleware has already checked).
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let meta = meta_of(parts);
        if let Some(token) = bearer(&parts.headers) {
            return Ok(ApiActor(
                state.cairn.authenticate_token(token, &meta).await?,
            ));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(state.config.session_cookie()) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authentication required: send Authorization: Bearer <token>",
            ));
        };
        let ctx = state
            .cairn
            .authenticate_session(cookie.value(), &meta)
            .await?;
        if ctx.user.must_change_password {
            return Err(cairn_domain::DomainError::PasswordChangeRequired.into());
        }
        ctx.actor.map(ApiActor).ok_or_else(|| {
            ApiError::new(StatusCode::FORBIDDEN, "this session is not in a workspace")
        })
    }
}

/// The `If-Match` version, when sent: `"3"`, `W/"3"` or `3`.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let raw = v.to_str().unwrap_or("").trim();
        if raw == "*" {
            return Ok(IfMatch(None));
        }
        raw.trim_start_matches("W/")
            .trim_matches('"')
            .parse::<i64>()
            .map(|n| IfMatch(Some(n)))
            .map_err(|_| {
                ApiError::field(
                    StatusCode::BAD_REQUEST,
                    "If-Match",
                    "must be the ETag of the record, e.g. \"3\"",
                )
            })
    }
}

/// A JSON body parsed strictly: `application/json` only, valid UTF-8, unknown fields refused,
/// and every error naming the field at fault.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::field(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type",
                "must be application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| unreadable_body(e.status() == StatusCode::PAYLOAD_TOO_LARGE))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The error for a request body that could not be read: over the size limit, or broken off.
pub(crate) fn unreadable_body(too_large: bool) -> ApiError {
    if too_large {
        ApiError::field(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
            "is larger than the 1 MiB limit",
        )
    } else {
        ApiError::field(StatusCode::BAD_REQUEST, "body", "could not be read")
    }
}

/// Parses a JSON document, turning serde's error into a field error.
///
/// Every request body is an object. serde would also read a struct from an array, by field
/// position (`[null, null]` as a PATCH that changes nothing), so anything else at the top is
/// refused here; a struct nested in a body takes `#[serde(deserialize_with = "object")]`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "body",
            "is not valid UTF-8",
        ));
    };
    match text.trim_start().chars().next() {
        Some('{') | None => {}
        Some('[' | '"' | 't' | 'f' | 'n' | '-' | '0'..='9') => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "body",
                "must be a JSON object",
            ));
        }
        // Not JSON at all: serde names the syntax error below.
        Some(_) => {}
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let msg = inner.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => ApiError::field(
                StatusCode::BAD_REQUEST,
                "body",
                format!("is not valid JSON ({msg})"),
            ),
            Category::Data => {
                if let Some(rest) = msg.strip_prefix("unknown field `") {
                    let name = rest.split('`').next().unwrap_or("");
                    let field = field_path(&path, name);
                    ApiError::field(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        field,
                        "is not a known field",
                    )
                } else if let Some(rest) = msg.strip_prefix("missing field `") {
                    let name = rest.split('`').next().unwrap_or("");
                    let field = field_path(&path, name);
                    ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, field, "is required")
                } else {
                    let field = if path == "." || path.is_empty() {
                        "body".to_string()
                    } else {
                        path
                    };
                    ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, field, msg)
                }
            }
        }
    })
}

/// Reads a struct nested in a body only from a JSON object (see [`parse_json`]).
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<T, D::Error> {
    let map = serde_json::Map::deserialize(d)?;
    T::deserialize(serde_json::Value::Object(map)).map_err(serde::de::Error::custom)
}

/// [`object`] for an optional field (with `#[serde(default)]`).
pub fn optional_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let map = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)?;
    map.map(|m| T::deserialize(serde_json::Value::Object(m)).map_err(serde::de::Error::custom))
        .transpose()
}

/// Joins the path serde reports with the field its message names; serde sometimes already
/// includes the field in the path.
fn field_path(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_string()
    } else if path == name || path.ends_with(&format!(".{name}")) {
        path.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// Query parameters parsed strictly, naming the parameter at fault.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        parse_query(q).map(ApiQuery)
    }
}

/// Parses a query string strictly; every error names the parameter at fault.
fn parse_query<T: DeserializeOwned>(q: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        // The path is the parameter at fault, an unknown one included (whatever characters
        // its name holds); serde's message names it again, so only the reason is kept.
        let path = err.path().to_string();
        let msg = err.into_inner().to_string();
        let named = |field: String| {
            if field.is_empty() || field == "." {
                "query".to_string()
            } else {
                field
            }
        };
        if msg.starts_with("unknown field `") {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                named(path),
                "is not a known parameter",
            )
        } else if let Some(rest) = msg.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or("").to_string();
            ApiError::field(StatusCode::BAD_REQUEST, named(name), "is required")
        } else {
            ApiError::field(StatusCode::BAD_REQUEST, named(path), msg)
        }
    })
}
