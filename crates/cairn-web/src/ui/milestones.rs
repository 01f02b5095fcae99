//! A project's milestones, edited from its overview: add, edit (progress by hand or from its
//! tasks), delete, and their version history with revert.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::milestones::MilestoneChanges;
use cairn_domain::{Action, DomainError, FieldError, Resource};
use serde::Deserialize;

use super::after_revert;
use super::fields::path_id;
use super::project_page::{errors_of, overview};
use super::{HistoryOf, HistoryQuery, Notice, RevertForm, Ui, error_page, history_page};
use super::{not_found_page, redirect_notice};
use crate::AppState;

/// The milestone form, as submitted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MilestoneForm {
    version: Option<i64>,
    name: String,
    description: Option<String>,
    due_date: String,
    status: String,
    /// Blank: derived from the milestone's tasks.
    progress: Option<String>,
}

impl MilestoneForm {
    fn changes(&self) -> Result<MilestoneChanges, DomainError> {
        let progress = match self.progress.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(p) => match p.trim_end_matches('%').trim().parse::<i32>() {
                Ok(n) => Some(Some(n)),
                Err(_) => {
                    return Err(DomainError::Invalid(vec![FieldError::new(
                        "progress",
                        "must be a whole percentage, or blank to follow the tasks",
                    )]));
                }
            },
        };
        Ok(MilestoneChanges {
            name: Some(self.name.clone()),
            description: self.description.clone(),
            due_date: Some(Some(self.due_date.clone())),
            status: Some(self.status.clone()).filter(|s| !s.trim().is_empty()),
            progress,
        })
    }
}

/// Adds a milestone to a project.
pub async fn view_project_milestones_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<MilestoneForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let result = match f.changes() {
        Ok(ch) => state.cairn.create_milestone(ui.actor(), id, ch).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => redirect_notice(
            &format!("/projects/{}", m.project_id),
            &format!("Milestone “{}” added.", m.name),
        ),
        Err(DomainError::Invalid(list)) => {
            overview(&state, &ui, id, errors_of("milestone", list), None).await
        }
        Err(e) => error_page(e),
    }
}

/// Saves a milestone.
pub async fn view_milestone_edit_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<MilestoneForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let m = match state.cairn.get_milestone(ui.actor(), id).await {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    let result = match f.changes() {
        Ok(ch) => {
            state
                .cairn
                .update_milestone(ui.actor(), id, ch, f.version)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => redirect_notice(
            &format!("/projects/{}", m.project_id),
            &format!("Milestone “{}” saved.", m.name),
        ),
        Err(DomainError::Invalid(list)) => {
            overview(
                &state,
                &ui,
                m.project_id,
                errors_of("milestone", list),
                None,
            )
            .await
        }
        Err(e) => error_page(e),
    }
}

/// Deletes a milestone; its tasks stay.
pub async fn view_milestone_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let m = match state.cairn.get_milestone(ui.actor(), id).await {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    match state.cairn.delete_milestone(ui.actor(), id).await {
        Ok(()) => redirect_notice(
            &format!("/projects/{}", m.project_id),
            &format!("Milestone “{}” deleted.", m.name),
        ),
        Err(e) => error_page(e),
    }
}

/// A milestone has no page of its own: its address opens its project's overview.
pub async fn view_milestone_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state.cairn.get_milestone(ui.actor(), id).await {
        Ok(m) => {
            Redirect::to(&format!("/projects/{}#milestone-{}", m.project_id, m.id)).into_response()
        }
        Err(e) => error_page(e),
    }
}

/// A milestone's version history with a field-level diff.
pub async fn view_milestone_history_get(
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
        let m = state.cairn.get_milestone(a, id).await?;
        let versions = state.cairn.milestone_versions(a, id).await?;
        Ok::<_, DomainError>(HistoryOf {
            title: m.name,
            base: format!("/milestones/{}", m.id),
            back_label: "Back to project",
            section: "projects",
            current: m.version,
            versions,
            can_edit: a.can(Action::Update, Resource::Milestone),
        })
    }
    .await;
    match loaded {
        Ok(h) => history_page(&ui, &q, n, h),
        Err(e) => error_page(e),
    }
}

/// Reverts a milestone to a version.
pub async fn view_milestone_revert_post(
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
        .revert_milestone(ui.actor(), id, f.to, f.version)
        .await
        .map(|r| r.version);
    after_revert(&format!("/milestones/{id}"), f.to, result)
}
