//! Quick capture from the header: a preview of what a line was read as while typing, and
//! saving it as a task. A line that means nothing special just becomes a title; problems are
//! shown in the capture panel, never as an error page.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::capture::CaptureView;
use cairn_domain::DomainError;
use serde::Deserialize;

use super::fields::is_htmx;
use super::{Ui, redirect_error, redirect_notice, render};
use crate::AppState;

/// The captured line.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CaptureForm {
    text: String,
}

#[derive(Template)]
#[template(path = "capture_panel.html")]
struct CapturePanel {
    /// What the line was read as (or the saved task).
    c: Option<CaptureView>,
    /// Why nothing was saved.
    error: String,
}

fn reason(e: &DomainError) -> String {
    match e {
        DomainError::Invalid(list) => list
            .iter()
            .map(|f| format!("{}: {}", f.field.replace('_', " "), f.reason))
            .collect::<Vec<_>>()
            .join("; "),
        DomainError::Forbidden(m) => m.clone(),
        _ => "the task could not be saved; please try again".into(),
    }
}

/// What the line would become, shown under the capture box while typing.
pub async fn view_capture_preview_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<CaptureForm>,
) -> Response {
    // Nothing to preview: 204 leaves the panel as it is (a saved task's link stays up; the
    // script clears the panel when the box is emptied by hand).
    if f.text.trim().is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    match state.cairn.capture(ui.actor(), &f.text, true).await {
        Ok(c) => render(&CapturePanel {
            c: Some(c),
            error: String::new(),
        }),
        Err(e) => render(&CapturePanel {
            c: None,
            error: reason(&e),
        }),
    }
}

/// Saves the line as a task: htmx gets a confirmation linking the task, a plain form goes to
/// the task.
pub async fn view_capture_post(
    State(state): State<AppState>,
    ui: Ui,
    headers: HeaderMap,
    Form(f): Form<CaptureForm>,
) -> Response {
    let htmx = is_htmx(&headers);
    let result = if f.text.trim().is_empty() {
        Err(DomainError::invalid("text", "type what needs doing"))
    } else {
        state.cairn.capture(ui.actor(), &f.text, false).await
    };
    match result {
        Ok(c) if htmx => render(&CapturePanel {
            c: Some(c),
            error: String::new(),
        }),
        Ok(c) => match &c.task {
            Some(t) => redirect_notice(&format!("/tasks/{}", t.id), "Captured."),
            None => Redirect::to("/work").into_response(),
        },
        Err(e) if htmx => render(&CapturePanel {
            c: None,
            error: reason(&e),
        }),
        Err(e) => redirect_error("/work", &format!("Nothing captured: {}", reason(&e))),
    }
}
