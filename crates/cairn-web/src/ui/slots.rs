//! A project's role slots, edited from its overview: add a role, fill it with a member (the
//! slot's tasks follow), remove it.

use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::Form;
use cairn_core::delivery::slots::SlotChanges;
use cairn_domain::DomainError;
use serde::Deserialize;

use super::fields::{self, path_id};
use super::project_page::{errors_of, overview};
use super::{Ui, error_page, not_found_page, redirect_notice};
use crate::AppState;

/// The slot form: a new role, or one field of an existing slot (`field=user|role`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SlotForm {
    field: String,
    role: String,
    department: String,
    user_id: String,
    back: String,
}

/// Adds a role slot to a project.
pub async fn view_project_slots_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<SlotForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let result = match fields::optional_id("user_id", &f.user_id) {
        Ok(user) => {
            let ch = SlotChanges {
                role: Some(f.role.clone()),
                department: fields::clearable(&f.department),
                user_id: Some(user),
            };
            state.cairn.create_slot(ui.actor(), id, ch).await
        }
        Err(e) => Err(DomainError::Invalid(vec![e])),
    };
    match result {
        Ok(s) => redirect_notice(
            &format!("/projects/{}", s.project_id),
            &format!("Role “{}” added.", s.role),
        ),
        Err(DomainError::Invalid(list)) => {
            overview(&state, &ui, id, errors_of("slot", list), None).await
        }
        Err(e) => error_page(e),
    }
}

/// Fills, empties or renames a slot.
pub async fn view_slot_edit_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<SlotForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let ch = match f.field.as_str() {
        "role" => Ok(SlotChanges {
            role: Some(f.role.clone()),
            department: fields::clearable(&f.department),
            user_id: None,
        }),
        _ => fields::optional_id("user_id", &f.user_id)
            .map(|u| SlotChanges {
                user_id: Some(u),
                ..Default::default()
            })
            .map_err(|e| DomainError::Invalid(vec![e])),
    };
    let result = match ch {
        Ok(ch) => state.cairn.update_slot(ui.actor(), id, ch).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => redirect_notice(
            &format!("/projects/{}", s.project_id),
            &match &s.user {
                Some(u) => format!("{} fills {}.", u.name, s.role),
                None => format!("{} is open.", s.role),
            },
        ),
        Err(DomainError::Invalid(list)) => {
            // Field errors only come after the slot was found: name them on the page.
            super::message_page(
                axum::http::StatusCode::BAD_REQUEST,
                "Role not saved",
                &list
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.reason))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }
        Err(e) => error_page(e),
    }
}

/// Removes a slot; its tasks become unassigned.
pub async fn view_slot_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<SlotForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state.cairn.delete_slot(ui.actor(), id).await {
        Ok(()) => redirect_notice(&fields::back_path(&f.back, "/projects"), "Role removed."),
        Err(e) => error_page(e),
    }
}
