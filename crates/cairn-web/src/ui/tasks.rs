//! The task page: every field in one form, the description as Markdown, the blocked banner,
//! dependencies and comments (their own modules post here), archive, delete, history with
//! revert.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::comments::CommentView;
use cairn_core::delivery::dependencies::DependencyView;
use cairn_core::delivery::milestones::MilestoneView;
use cairn_core::delivery::slots::SlotView;
use cairn_core::delivery::tasks::{TaskChanges, TaskView};
use cairn_core::tags::TagView;
use cairn_domain::{Action, DomainError, Resource};
use chrono::NaiveDate;
use serde::Deserialize;

use super::after_revert;
use super::choices::Choice;
use super::fields::{self, path_id};
use super::projects::Holds;
use super::task_rows::{TaskLook, assignee_changes};
use super::vocab::{self, Label};
use super::{FormErrors, HistoryOf, HistoryQuery, Notice, RevertForm, Shell, Ui, error_page};
use super::{history_page, markdown, not_found_page};
use super::{redirect_notice, render};
use crate::AppState;

/// The task form, as submitted; values stay strings so any input renders back.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskForm {
    version: Option<i64>,
    title: String,
    description: String,
    status: String,
    priority: String,
    due_date: String,
    /// `u:<user>`, `s:<slot>` or blank.
    assignee: String,
    milestone_id: String,
    project_id: String,
    client_id: String,
    /// Minutes, h:mm or hours.
    estimate: String,
    tags: Vec<String>,
}

impl TaskForm {
    fn from_view(t: &TaskView) -> Self {
        Self {
            version: Some(t.version),
            title: t.title.clone(),
            description: t.description.clone(),
            status: t.status.clone(),
            priority: t.priority.clone(),
            due_date: t.due_date.map(|d| d.to_string()).unwrap_or_default(),
            assignee: t.assignee_key(),
            milestone_id: t
                .milestone
                .as_ref()
                .map(|m| m.id.to_string())
                .unwrap_or_default(),
            project_id: t
                .project
                .as_ref()
                .map(|p| p.id.to_string())
                .unwrap_or_default(),
            client_id: t
                .client
                .as_ref()
                .map(|c| c.id.to_string())
                .unwrap_or_default(),
            estimate: t
                .estimate_minutes
                .map(|m| fields::hours(i64::from(m)))
                .unwrap_or_default(),
            tags: t.tags.iter().map(|g| g.id.to_string()).collect(),
        }
    }

    /// The changes against the task as it is: a new project takes the client with it and
    /// leaves the old project's milestone and slot behind.
    fn changes(&self, current: &TaskView) -> Result<TaskChanges, DomainError> {
        let mut errors = Vec::new();
        let mut id = |field: &str, raw: &str| {
            fields::optional_id(field, raw)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten()
        };
        let project = id("project_id", &self.project_id);
        let client = id("client_id", &self.client_id);
        let milestone = id("milestone_id", &self.milestone_id);
        let tags = fields::ids("tags", &self.tags)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let estimate = fields::duration("estimate", &self.estimate)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let assignee = assignee_changes("assignee", &self.assignee)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let moved = project != current.project.as_ref().map(|p| p.id);
        let slot = if moved && assignee.assignee_slot_id.flatten().is_some() {
            Some(None)
        } else {
            assignee.assignee_slot_id
        };
        Ok(TaskChanges {
            project_id: Some(project),
            client_id: if project.is_some() {
                None
            } else {
                Some(client)
            },
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            status: Some(self.status.clone()).filter(|s| !s.is_empty()),
            priority: Some(self.priority.clone()).filter(|s| !s.is_empty()),
            due_date: Some(Some(self.due_date.clone())),
            assignee_user_id: assignee.assignee_user_id,
            assignee_slot_id: slot,
            milestone_id: if moved { None } else { Some(milestone) },
            estimate_minutes: Some(estimate),
            tags: Some(tags),
            custom: None,
        })
    }
}

/// A comment with its rendered body and whether the actor may delete it.
pub struct CommentItem {
    pub c: CommentView,
    pub html: String,
    pub can_delete: bool,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    shell: Shell,
    t: TaskView,
    description_html: String,
    deps: DependencyView,
    dep_options: Vec<Choice>,
    dep_error: String,
    comments: Vec<CommentItem>,
    v: TaskForm,
    errors: FormErrors,
    statuses: Vec<&'static str>,
    priorities: Vec<&'static str>,
    members: Vec<Choice>,
    slots: Vec<SlotView>,
    milestones: Vec<MilestoneView>,
    projects: Vec<Choice>,
    clients: Vec<Choice>,
    tags: Vec<TagView>,
    today: NaiveDate,
    estimate: String,
    can_edit: bool,
    can_archive: bool,
    can_delete: bool,
    can_comment: bool,
}

/// What the task page shows besides the task: a form that came back, its errors, a
/// dependency refusal, and the flash.
#[derive(Default)]
pub struct TaskPageState {
    pub form: Option<TaskForm>,
    pub errors: FormErrors,
    pub dep_error: String,
    pub flash: Option<(bool, String)>,
    pub status: Option<StatusCode>,
}

/// Renders the task page.
pub async fn task_page(state: &AppState, ui: &Ui, id: uuid::Uuid, page: TaskPageState) -> Response {
    let a = ui.actor();
    let loaded = async {
        let t = state.cairn.get_task(a, id).await?;
        let deps = state.cairn.task_dependencies(a, id).await?;
        let comments = state.cairn.list_comments(a, id).await?;
        let tags = state.cairn.list_tags(a).await?;
        let (slots, milestones) = match &t.project {
            Some(p) => (
                state.cairn.list_slots(a, p.id).await?,
                state.cairn.list_milestones(a, p.id, false).await?,
            ),
            None => (vec![], vec![]),
        };
        Ok::<_, DomainError>((t, deps, comments, tags, slots, milestones))
    }
    .await;
    let (t, deps, comments, tags, slots, milestones) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(e),
    };
    let dep_options = match &t.project {
        Some(p) => super::choices::project_tasks(state, ui, p.id, "", 100)
            .await
            .into_iter()
            .filter(|(tid, _)| *tid != t.id.to_string())
            .collect(),
        None => vec![],
    };
    let comments = comments
        .into_iter()
        .map(|c| CommentItem {
            html: markdown::render(&c.body),
            can_delete: cairn_core::delivery::comments::may_delete_comment(
                a,
                c.author.as_ref().map(|u| u.id),
            ),
            c,
        })
        .collect();
    let mut shell = ui.shell(t.title.clone(), "projects");
    shell.flash = page.flash;
    let status = page.status.unwrap_or(if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    });
    let body = TaskPage {
        shell,
        description_html: markdown::render(&t.description),
        v: page.form.unwrap_or_else(|| TaskForm::from_view(&t)),
        estimate: t
            .estimate_minutes
            .map(|m| fields::hours(i64::from(m)))
            .unwrap_or_default(),
        deps,
        dep_options,
        dep_error: page.dep_error,
        comments,
        errors: page.errors,
        statuses: vocab::task_statuses(),
        priorities: vocab::priorities(),
        members: super::choices::members(state, ui).await,
        projects: super::choices::projects(state, ui).await,
        clients: super::choices::clients(state, ui).await,
        slots,
        milestones,
        tags,
        today: cairn_core::delivery::today_for(a),
        can_edit: a.can(Action::Update, Resource::Task),
        can_archive: a.can(Action::Archive, Resource::Task),
        can_delete: a.can(Action::Delete, Resource::Task),
        can_comment: a.can(Action::Create, Resource::Comment),
        t,
    };
    (status, render(&body)).into_response()
}

/// The task page.
pub async fn view_task_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let page = TaskPageState {
        flash: n.flash(),
        ..Default::default()
    };
    task_page(&state, &ui, id, page).await
}

/// Saves the task form (with the version the user saw).
pub async fn view_task_edit_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<TaskForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let current = match state.cairn.get_task(ui.actor(), id).await {
        Ok(t) => t,
        Err(e) => return error_page(e),
    };
    let result = match f.changes(&current) {
        Ok(ch) => state.cairn.update_task(ui.actor(), id, ch, f.version).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => redirect_notice(&format!("/tasks/{}", t.id), "Task saved."),
        Err(DomainError::Invalid(list)) => {
            let page = TaskPageState {
                form: Some(f),
                errors: list.into(),
                ..Default::default()
            };
            task_page(&state, &ui, id, page).await
        }
        Err(e) => error_page(e),
    }
}

/// Archives a task.
pub async fn view_task_archive_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    archive(&state, &ui, &id, true).await
}

/// Restores a task.
pub async fn view_task_restore_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    archive(&state, &ui, &id, false).await
}

async fn archive(state: &AppState, ui: &Ui, id: &str, archived: bool) -> Response {
    let Some(id) = path_id(id) else {
        return not_found_page();
    };
    // The task answers 404 itself, not as a batch field error.
    if let Err(e) = state.cairn.get_task(ui.actor(), id).await {
        return error_page(e);
    }
    match state
        .cairn
        .set_tasks_archived(ui.actor(), &[id], archived)
        .await
    {
        Ok(_) => redirect_notice(
            &format!("/tasks/{id}"),
            if archived {
                "Task archived."
            } else {
                "Task restored."
            },
        ),
        Err(e) => error_page(e),
    }
}

/// Deletes a task permanently (owners and admins).
pub async fn view_task_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let t = match state.cairn.get_task(ui.actor(), id).await {
        Ok(t) => t,
        Err(e) => return error_page(e),
    };
    match state.cairn.delete_task(ui.actor(), id).await {
        Ok(()) => redirect_notice(
            &match &t.project {
                Some(p) => format!("/projects/{}/tasks", p.id),
                None => "/work".to_string(),
            },
            &format!("“{}” deleted permanently.", t.title),
        ),
        Err(e) => error_page(e),
    }
}

/// A task's version history with a field-level diff.
pub async fn view_task_history_get(
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
        let t = state.cairn.get_task(a, id).await?;
        let versions = state.cairn.task_versions(a, id).await?;
        Ok::<_, DomainError>(HistoryOf {
            title: t.title,
            base: format!("/tasks/{}", t.id),
            back_label: "Back to task",
            section: "projects",
            current: t.version,
            versions,
            can_edit: a.can(Action::Update, Resource::Task),
        })
    }
    .await;
    match loaded {
        Ok(h) => history_page(&ui, &q, n, h),
        Err(e) => error_page(e),
    }
}

/// Reverts a task to a version.
pub async fn view_task_revert_post(
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
        .revert_task(ui.actor(), id, f.to, f.version)
        .await
        .map(|r| r.version);
    after_revert(&format!("/tasks/{id}"), f.to, result)
}
