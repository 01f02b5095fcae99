//! Comments on a task: add one, delete your own (owners and admins delete any).

use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::Form;
use cairn_domain::{DomainError, FieldError};
use serde::Deserialize;

use super::fields::{self, path_id};
use super::tasks::{TaskPageState, task_page};
use super::{Ui, error_page, not_found_page, redirect_notice};
use crate::AppState;

/// A comment, as submitted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    body: String,
    back: String,
}

/// Adds a comment to a task.
pub async fn view_task_comments_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<CommentForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state.cairn.add_comment(ui.actor(), id, &f.body).await {
        Ok(_) => redirect_notice(&format!("/tasks/{id}#comments"), "Comment added."),
        Err(DomainError::Invalid(list)) => {
            let errors: Vec<FieldError> = list
                .into_iter()
                .map(|e| FieldError::new(format!("comment.{}", e.field), e.reason))
                .collect();
            let page = TaskPageState {
                errors: errors.into(),
                ..Default::default()
            };
            task_page(&state, &ui, id, page).await
        }
        Err(e) => error_page(e),
    }
}

/// Deletes a comment.
pub async fn view_comment_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<CommentForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state.cairn.delete_comment(ui.actor(), id).await {
        Ok(()) => redirect_notice(&fields::back_path(&f.back, "/work"), "Comment deleted."),
        Err(e) => error_page(e),
    }
}
