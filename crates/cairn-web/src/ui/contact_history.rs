//! A contact's version history with a field-level diff and revert. A contact's own page is
//! its edit form; `/contacts/{id}` opens it.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use cairn_domain::{Action, DomainError, Resource};

use super::fields::path_id;
use super::project_status::{HistoryQuery, RevertForm};
use super::{HistoryPage, Notice, Ui, error_page, not_found_page, redirect_notice, render};
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
        let to = q.to.unwrap_or(c.version);
        let from = q.from.unwrap_or((to - 1).max(1));
        let diff = state.cairn.diff_contact_versions(a, id, from, to).await?;
        Ok::<_, DomainError>((c, versions, diff, from, to))
    }
    .await;
    match loaded {
        Ok((c, versions, diff, from, to)) => render(&HistoryPage {
            shell: {
                let mut shell = ui.shell(format!("History of {}", c.name), "clients");
                shell.flash = n.flash();
                shell
            },
            title: c.name.clone(),
            base: format!("/contacts/{}", c.id),
            back_label: "Back to contact",
            current: c.version,
            versions,
            diff,
            from,
            to,
            can_edit: a.can(Action::Update, Resource::Contact),
        }),
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
    match state
        .cairn
        .revert_contact(ui.actor(), id, f.to, f.version)
        .await
    {
        Ok(c) => redirect_notice(
            &format!("/contacts/{}/history", c.id),
            &format!("Reverted to v{}; saved as v{}.", f.to, c.version),
        ),
        Err(e) => error_page(e),
    }
}
