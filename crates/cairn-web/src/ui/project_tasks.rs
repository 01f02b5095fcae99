//! A project's task list (filters, inline edit, batch actions) and its add-task form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::milestones::MilestoneView;
use cairn_core::delivery::tasks::{TaskChanges, TaskFilter, TaskView};
use cairn_core::page::PageRequest;
use cairn_domain::{Action, DomainError, Resource};
use serde::Deserialize;

use super::fields::{self, form_status, path_id};
use super::project_page::{ProjectHead, head};
use super::task_rows::{TaskLook, TaskRows, assignee_changes};
use super::vocab::Label;
use super::{FormErrors, Notice, Shell, Ui, error_page, not_found_page, redirect_notice, render};
use crate::AppState;

/// Filters of a project's task list, kept as strings so any input renders back.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct TasksQuery {
    q: String,
    status: String,
    priority: String,
    assignee: String,
    milestone: String,
    due: String,
    blocked: String,
    archived: String,
    sort: String,
    cursor: String,
}

impl TasksQuery {
    fn filter(&self, project: uuid::Uuid) -> Result<TaskFilter, DomainError> {
        let some = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
        let milestone = fields::optional_id("milestone", &self.milestone)
            .map_err(|e| DomainError::Invalid(vec![e]))?;
        Ok(TaskFilter {
            project: Some(project),
            status: some(&self.status),
            priority: some(&self.priority),
            assignee: some(&self.assignee),
            milestone,
            due: some(&self.due),
            blocked: (self.blocked == "true").then_some(true),
            q: some(&self.q),
            archived: some(&self.archived),
            sort: some(&self.sort),
            ..Default::default()
        })
    }

    /// The query string without the cursor.
    fn query_string(&self) -> String {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("priority", &self.priority),
            ("assignee", &self.assignee),
            ("milestone", &self.milestone),
            ("due", &self.due),
            ("blocked", &self.blocked),
            ("archived", &self.archived),
            ("sort", &self.sort),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", super::url_encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// The add-task form, as submitted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewTaskForm {
    title: String,
    status: String,
    priority: String,
    due_date: String,
    assignee: String,
    milestone_id: String,
}

#[derive(Template)]
#[template(path = "project_tasks.html")]
struct ProjectTasksPage {
    shell: Shell,
    head: ProjectHead,
    f: TasksQuery,
    query: String,
    back: String,
    tasks: Vec<TaskView>,
    next_cursor: Option<String>,
    rows: TaskRows,
    milestones: Vec<MilestoneView>,
    v: NewTaskForm,
    errors: FormErrors,
    can_create: bool,
}

async fn tasks_page(
    state: &AppState,
    ui: &Ui,
    id: uuid::Uuid,
    q: TasksQuery,
    v: NewTaskForm,
    errors: FormErrors,
    flash: Option<(bool, String)>,
) -> Response {
    let a = ui.actor();
    let loaded = async {
        let head = head(state, ui, id, "tasks").await?;
        let page = state
            .cairn
            .list_tasks(
                a,
                &q.filter(id)?,
                &PageRequest {
                    limit: Some(100),
                    cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
                },
            )
            .await?;
        let milestones = state.cairn.list_milestones(a, &head.seen, false).await?;
        Ok::<_, DomainError>((head, page, milestones))
    }
    .await;
    match loaded {
        Ok((head, page, milestones)) => {
            let mut shell = ui.shell(format!("Tasks · {}", head.p.name), "projects");
            shell.flash = flash;
            let query = q.query_string();
            let back = if query.is_empty() {
                format!("/projects/{id}/tasks")
            } else {
                format!("/projects/{id}/tasks?{query}")
            };
            let status = form_status(errors.is_empty());
            let page = ProjectTasksPage {
                shell,
                rows: TaskRows::load(state, ui, "project", Some(id)).await,
                head,
                f: q,
                query,
                back,
                tasks: page.items,
                next_cursor: page.next_cursor,
                milestones,
                v,
                errors,
                can_create: a.can(Action::Create, Resource::Task),
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}

/// A project's tasks.
pub async fn view_project_tasks_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(q): Query<TasksQuery>,
    Query(n): Query<Notice>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let v = NewTaskForm::default();
    tasks_page(&state, &ui, id, q, v, FormErrors::default(), n.flash()).await
}

/// Adds a task to the project.
pub async fn view_project_tasks_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<NewTaskForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    // The project answers 404 before the form is looked at.
    if let Err(e) = state.cairn.get_project(ui.actor(), id).await {
        return error_page(e);
    }
    let result = async {
        let mut ch =
            assignee_changes("assignee", &f.assignee).map_err(|e| DomainError::Invalid(vec![e]))?;
        let milestone = fields::optional_id("milestone_id", &f.milestone_id)
            .map_err(|e| DomainError::Invalid(vec![e]))?;
        ch = TaskChanges {
            project_id: Some(Some(id)),
            title: Some(f.title.clone()),
            status: Some(f.status.clone()).filter(|s| !s.is_empty()),
            priority: Some(f.priority.clone()).filter(|s| !s.is_empty()),
            due_date: Some(Some(f.due_date.clone())),
            milestone_id: Some(milestone),
            ..ch
        };
        state.cairn.create_task(ui.actor(), ch).await
    }
    .await;
    match result {
        Ok(t) => redirect_notice(
            &format!("/projects/{id}/tasks"),
            &format!("Added “{}”.", t.title),
        ),
        Err(DomainError::Invalid(list)) => {
            tasks_page(&state, &ui, id, TasksQuery::default(), f, list.into(), None).await
        }
        Err(e) => error_page(e),
    }
}
