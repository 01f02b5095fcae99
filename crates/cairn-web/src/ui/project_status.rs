//! A project's status summary (rendered, and as Markdown to copy) and its version history
//! with diff and revert.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use cairn_domain::{Action, DomainError, Resource};
use serde::Deserialize;

use super::after_revert;
use super::fields::{form_status, path_id};
use super::project_page::{ProjectHead, head};
use super::render;
use super::vocab::Label;
use super::{FormErrors, HistoryOf, HistoryQuery, Notice, RevertForm, Shell, Ui, error_page};
use super::{history_page, markdown, not_found_page};
use crate::AppState;

#[derive(Template)]
#[template(path = "project_status.html")]
struct StatusPage {
    shell: Shell,
    head: ProjectHead,
    from: String,
    to: String,
    markdown: String,
    html: String,
    errors: FormErrors,
}

/// The date range of a status summary.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RangeQuery {
    from: String,
    to: String,
}

/// The status summary: rendered, and as Markdown to copy.
pub async fn view_project_status_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let head = match head(&state, &ui, id, "status").await {
        Ok(h) => h,
        Err(e) => return error_page(e),
    };
    let some = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
    let (from, to) = (some(&q.from), some(&q.to));
    let result = state
        .cairn
        .project_summary(ui.actor(), id, from.as_deref(), to.as_deref())
        .await;
    let (summary, errors) = match result {
        Ok(s) => (Some(s), FormErrors::default()),
        Err(DomainError::Invalid(list)) => (None, list.into()),
        Err(e) => return error_page(e),
    };
    let markdown = summary
        .as_ref()
        .map(|s| s.to_markdown())
        .unwrap_or_default();
    let status = form_status(errors.is_empty());
    let page = StatusPage {
        shell: ui.shell(format!("Status of {}", head.p.name), "projects"),
        from: summary
            .as_ref()
            .map(|s| s.from.to_string())
            .unwrap_or(q.from),
        to: summary.as_ref().map(|s| s.to.to_string()).unwrap_or(q.to),
        html: markdown::render(&markdown),
        markdown,
        head,
        errors,
    };
    (status, render(&page)).into_response()
}

/// The project's version history with a field-level diff.
pub async fn view_project_history_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(q): Query<HistoryQuery>,
    Query(n): Query<Notice>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let a = ui.actor();
    let loaded = async {
        let p = state.cairn.get_project(a, id).await?;
        let versions = state.cairn.project_versions(a, id).await?;
        Ok::<_, DomainError>(HistoryOf {
            title: p.name,
            base: format!("/projects/{}", p.id),
            back_label: "Back to project",
            section: "projects",
            current: p.version,
            versions,
            can_edit: a.can(Action::Update, Resource::Project),
        })
    }
    .await;
    match loaded {
        Ok(h) => history_page(&ui, &q, n, h),
        Err(e) => error_page(e),
    }
}

/// Reverts a project to a version.
pub async fn view_project_revert_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<RevertForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let result = state
        .cairn
        .revert_project(ui.actor(), id, f.to, f.version)
        .await
        .map(|r| r.version);
    after_revert(&format!("/projects/{id}"), f.to, result)
}
