//! A task's dependencies, edited from its page: add one either way (a cycle is refused with
//! the tasks in it, shown beside the form), remove one, and the picker's search.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::Form;
use cairn_domain::DomainError;
use serde::Deserialize;

use super::choices::Choice;
use super::fields::path_id;
use super::tasks::{TaskPageState, task_page};
use super::{Ui, error_page, not_found_page, redirect_notice, render};
use crate::AppState;

/// A dependency between this task and another.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DependencyForm {
    /// The other task: its id, or a pasted link to it.
    other: String,
    /// `depends_on` (this waits for the other, the default) or `blocks` (the other waits).
    direction: String,
}

impl DependencyForm {
    /// The other task's id, also read from a pasted `/tasks/<id>` link.
    fn other(&self) -> Option<uuid::Uuid> {
        let raw = self.other.trim().trim_end_matches('/');
        let last = raw.rsplit('/').next().unwrap_or(raw);
        let last = last.split(['?', '#']).next().unwrap_or(last);
        uuid::Uuid::parse_str(last).ok()
    }

    /// (waiting task, prerequisite) for a dependency between `this` and `other`.
    fn edge(&self, this: uuid::Uuid, other: uuid::Uuid) -> (uuid::Uuid, uuid::Uuid) {
        if self.direction == "blocks" {
            (other, this)
        } else {
            (this, other)
        }
    }
}

async fn refused(state: &AppState, ui: &Ui, id: uuid::Uuid, e: DomainError) -> Response {
    let (status, text) = match e {
        DomainError::Conflict(m) => (StatusCode::CONFLICT, m),
        DomainError::Invalid(list) => (
            StatusCode::BAD_REQUEST,
            list.iter()
                .map(|f| format!("{}: {}", f.field.replace('_', " "), f.reason))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => return error_page(other),
    };
    let page = TaskPageState {
        dep_error: text,
        status: Some(status),
        ..Default::default()
    };
    task_page(state, ui, id, page).await
}

/// Adds a dependency; a cycle comes back as 409 with the cycle named beside the form.
pub async fn view_task_dependencies_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<DependencyForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    if let Err(e) = state.cairn.get_task(ui.actor(), id).await {
        return error_page(e);
    }
    let Some(other) = f.other() else {
        let e = DomainError::invalid("depends_on", "choose a task, or paste its link or id");
        return refused(&state, &ui, id, e).await;
    };
    let (task, prerequisite) = f.edge(id, other);
    match state
        .cairn
        .add_task_dependency(ui.actor(), task, prerequisite)
        .await
    {
        Ok(_) => redirect_notice(&format!("/tasks/{id}"), "Dependency added."),
        Err(e) => refused(&state, &ui, id, e).await,
    }
}

/// Removes a dependency between this task and another.
pub async fn view_task_dependency_remove_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<DependencyForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    if let Err(e) = state.cairn.get_task(ui.actor(), id).await {
        return error_page(e);
    }
    let Some(other) = f.other() else {
        return not_found_page();
    };
    let (task, prerequisite) = f.edge(id, other);
    match state
        .cairn
        .remove_task_dependency(ui.actor(), task, prerequisite)
        .await
    {
        Ok(_) => redirect_notice(&format!("/tasks/{id}"), "Dependency removed."),
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "task_options.html")]
struct TaskOptions {
    options: Vec<Choice>,
}

/// The dependency picker's search text.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OptionsQuery {
    q: String,
}

/// Tasks of the same project matching the search, as `<option>`s for the picker.
pub async fn view_task_dependency_options_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(q): Query<OptionsQuery>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let t = match state.cairn.get_task(ui.actor(), id).await {
        Ok(t) => t,
        Err(e) => return error_page(e),
    };
    let options = match &t.project {
        Some(p) => super::choices::project_tasks(&state, &ui, p.id, &q.q, 50)
            .await
            .into_iter()
            .filter(|(tid, _)| *tid != id.to_string())
            .collect(),
        None => vec![],
    };
    render(&TaskOptions { options })
}
