//! Static front-end assets (CSS, JS), embedded at build time and served
//! under `/assets/`.
//!
//! `build.rs` copies the files from `web/` (our own `web/src/*` plus pinned
//! vendor files from `web/node_modules`) and generates the [`ASSETS`] table
//! with a content hash in every file name. Templates link the hashed URL via
//! [`url`], so a changed file gets a new URL and old ones can be cached
//! forever.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Logical name, e.g. `cairn.css`.
    pub name: &'static str,
    /// Name with content hash, e.g. `cairn.3fa1b2c4.css`.
    pub hashed: &'static str,
    /// Public URL of the hashed name, e.g. `/assets/cairn.3fa1b2c4.css`.
    pub url: &'static str,
    /// Value of the `Content-Type` header.
    pub content_type: &'static str,
    /// File contents.
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// Looks up an asset by logical or hashed name.
pub fn get_asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name || a.hashed == name)
}

/// Returns `/assets/<hashed name>` for a logical name such as `cairn.css`.
///
/// An unknown name is a programming error: it panics in debug builds and
/// yields a URL that 404s in release builds rather than taking a page down.
pub fn url(name: &str) -> &'static str {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => asset.url,
        None => {
            debug_assert!(false, "unknown asset {name:?}");
            "/assets/unknown-asset"
        }
    }
}

/// Router serving `GET /assets/{file}` (HEAD is implied by axum).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/assets/{file}", get(serve))
}

/// Serves one asset. Hashed names never change content, so they are cached
/// for a year as immutable; logical names (kept for tools and bookmarks)
/// must be revalidated, which the ETag makes cheap.
async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = get_asset(&file) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::X_CONTENT_TYPE_OPTIONS, "nosniff")],
            "not found",
        )
            .into_response();
    };
    let immutable = file == asset.hashed;
    let cache_control = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    // The hash part of the hashed name identifies the content exactly.
    let etag = format!("\"{}\"", asset.hashed);

    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn fetch(path: &str) -> Response {
        router::<()>()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[test]
    fn every_expected_asset_is_embedded_with_a_hashed_url() {
        for name in [
            "htmx.min.js",
            "sortable.min.js",
            "swagger-ui-bundle.js",
            "swagger-ui.css",
            "cairn.css",
            "cairn.js",
            "swagger-init.js",
        ] {
            let u = url(name);
            assert!(
                u.starts_with("/assets/") && u != format!("/assets/{name}"),
                "{name} -> {u}"
            );
            assert!(
                !get_asset(name).unwrap().bytes.is_empty(),
                "{name} is empty"
            );
        }
    }

    #[tokio::test]
    async fn hashed_name_is_immutable_with_type_and_nosniff() {
        let res = fetch(url("cairn.css")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/css; charset=utf-8");
        assert_eq!(
            h[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], get_asset("cairn.css").unwrap().bytes);
    }

    #[tokio::test]
    async fn logical_name_is_served_but_revalidated() {
        let res = fetch("/assets/cairn.js").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    }

    #[tokio::test]
    async fn etag_match_gives_304() {
        let etag = format!("\"{}\"", get_asset("cairn.js").unwrap().hashed);
        let req = Request::get("/assets/cairn.js")
            .header(header::IF_NONE_MATCH, &etag)
            .body(Body::empty())
            .unwrap();
        let res = router::<()>().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    }

    #[tokio::test]
    async fn unknown_file_is_404() {
        for path in [
            "/assets/nope.css",
            "/assets/..%2FCargo.toml",
            "/assets/cairn.00000000.css",
        ] {
            let res = fetch(path).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        }
    }
}
