//! A contact's version history with a field-level diff and revert. A contact's own page is
//! its edit form; `/contacts/{id}` opens it.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use cairn_domain::{Action, DomainError, Resource};

use super::after_revert;
use super::fields::path_id;
use super::not_found_page;
use super::{HistoryOf, HistoryQuery, Notice, RevertForm, Ui, error_page, history_page};
use crate::AppState;

/// `/contacts/{id}` opens the contact's page (its edit form).
pub async fn view_contact_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state.cairn.get_contact(ui.actor(), id).await {
        Ok(c) => Redirect::to(&format!("/contacts/{}/edit", c.id)).into_response(),
        Err(e) => error_page(e),
    }
}

/// The contact's version history.
pub async fn view_contact_history_get(
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
        let c = state.cairn.get_contact(a, id).await?;
        let versions = state.cairn.contact_versions(a, id).await?;
        Ok::<_, DomainError>(HistoryOf {
            title: c.name,
            base: format!("/contacts/{}", c.id),
            back_label: "Back to contact",
            section: "clients",
            current: c.version,
            versions,
            can_edit: a.can(Action::Update, Resource::Contact),
        })
    }
    .await;
    match loaded {
        Ok(h) => history_page(&ui, &q, n, h),
        Err(e) => error_page(e),
    }
}

/// Reverts a contact to a version.
pub async fn view_contact_revert_post(
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
        .revert_contact(ui.actor(), id, f.to, f.version)
        .await
        .map(|r| r.version);
    after_revert(&format!("/contacts/{id}"), f.to, result)
}
