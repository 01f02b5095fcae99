//! The error answers every operation shares, added to the generated OpenAPI document.
//!
//! They come from the extractors, not from the handlers: `ApiActor` answers 401 and 403,
//! `ApiJson` 400, 413, 415 and 422, `ApiQuery` 400, and an id in the path that names nothing
//! the caller may see 404. Writing them on each of the hundred-odd `#[utoipa::path]`s would
//! drift the first time someone forgot one; deriving them from the operation's shape (its
//! security, body and parameters) cannot. They are shared responses under
//! `components/responses`. Error bodies are RFC 9457 problem documents, so every 4xx is
//! declared as `application/problem+json`.

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};

const PROBLEM_JSON: &str = "application/problem+json";

/// The shared error answers: status, name under `components/responses`, description.
const SHARED: [(&str, &str, &str); 6] = [
    (
        "400",
        "BadRequest",
        "The input failed validation (every invalid field or query parameter is listed), or the body is not JSON.",
    ),
    (
        "401",
        "Unauthorized",
        "No token, or a wrong, expired or revoked one.",
    ),
    (
        "403",
        "Forbidden",
        "The role or the token's scope does not allow this, or the account must change its password first.",
    ),
    (
        "404",
        "NotFound",
        "The record does not exist, or is in a workspace or client the caller cannot see.",
    ),
    ("413", "ContentTooLarge", "The body is larger than 1 MiB."),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not `application/json`.",
    ),
];
const UNPROCESSABLE: (&str, &str, &str) = (
    "422",
    "UnprocessableContent",
    "The body is JSON but not of the expected shape: not an object, an unknown field, a wrong type or a missing field.",
);

/// Adds the shared error answers to every operation and declares error bodies as
/// `application/problem+json`.
pub(super) fn document_error_responses(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in operations_mut(item) {
            for (status, response) in op.responses.responses.iter_mut() {
                if !status.starts_with('4') {
                    continue;
                }
                if let RefOr::T(r) = response {
                    // An answer the operation describes itself stays; a bare one is the
                    // shared answer.
                    match shared(status) {
                        Some(name) if r.description.is_empty() && r.headers.is_empty() => {
                            *response = RefOr::Ref(Ref::from_response_name(name));
                        }
                        _ => as_problem(r),
                    }
                }
            }
            add_shared_responses(op);
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description) in SHARED.iter().chain([&UNPROCESSABLE]) {
        components.responses.insert(
            name.to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(*description)
                    .content(PROBLEM_JSON, problem_content())
                    .build(),
            ),
        );
    }
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn add_shared_responses(op: &mut Operation) {
    // `security(())` on an operation (the token endpoint) means no authentication.
    let public = op.security.as_ref().is_some_and(|reqs| {
        reqs.iter()
            .all(|r| serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({})))
    });
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| {
        params
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
    };
    let body = op.request_body.is_some();
    let mut statuses = vec![];
    if !public {
        statuses.extend(["401", "403"]);
    }
    if has(ParameterIn::Path) {
        statuses.push("404");
    }
    if body || has(ParameterIn::Query) {
        statuses.push("400");
    }
    if body {
        statuses.extend(["413", "415", "422"]);
    }
    for status in statuses {
        let name = shared(status).expect("a shared response for every status");
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

/// The name of the shared answer for a status, if there is one.
fn shared(status: &str) -> Option<&'static str> {
    SHARED
        .iter()
        .chain([&UNPROCESSABLE])
        .find(|(s, _, _)| *s == status)
        .map(|(_, name, _)| *name)
}

fn problem_content() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}

/// Declares a 4xx body as the problem document it is.
fn as_problem(response: &mut Response) {
    if let Some(content) = response.content.shift_remove("application/json") {
        response.content.insert(PROBLEM_JSON.to_string(), content);
    } else if response.content.is_empty() {
        response
            .content
            .insert(PROBLEM_JSON.to_string(), problem_content().into());
    }
}
