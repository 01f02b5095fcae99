//! A project's header (shared by all its sections) and its overview: goals, description,
//! milestones, role slots, health, save as template and delete. Sub-forms that fail come back
//! to the overview with their errors.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::SeenProject;
use cairn_core::delivery::milestones::MilestoneView;
use cairn_core::delivery::overview::ProjectOverview;
use cairn_core::delivery::projects::{HealthEntry, ProjectView};
use cairn_core::delivery::slots::SlotView;
use cairn_core::delivery::time::ProjectTime;
use cairn_domain::{Action, DomainError, FieldError, Resource};
use serde::Deserialize;

use super::fields::{self, form_status, path_id};
use super::render;
use super::vocab::{self, Label};
use super::{FormErrors, Notice, Shell, Ui, error_page, markdown, not_found_page, redirect_notice};
use crate::AppState;

/// What every project page shows above its tabs.
pub struct ProjectHead {
    pub p: ProjectView,
    /// The project as checked for the actor: the tab's own reads take it instead of the id,
    /// so the page loads the project once.
    pub seen: SeenProject,
    /// The page's figures as one cached read (the overview tab shows its milestones, slots
    /// and health history).
    pub overview: Arc<ProjectOverview>,
    /// Time logged against the budget (the time tab shows it in full).
    pub time: ProjectTime,
    /// The current tab: overview, tasks, board, time, status or history.
    pub tab: &'static str,
    pub open_tasks: u64,
    pub logged: String,
    pub billable: String,
    pub budget: Option<String>,
    pub can_edit: bool,
}

/// Loads the project and its header figures; `NotFound` for anything the actor may not see.
pub async fn head(
    state: &AppState,
    ui: &Ui,
    id: uuid::Uuid,
    tab: &'static str,
) -> Result<ProjectHead, DomainError> {
    let a = ui.actor();
    let seen = state.cairn.see_project(a, id).await?;
    let overview = state.cairn.project_overview(a, &seen).await?;
    let (p, time) = (overview.project.clone(), overview.time.clone());
    let counts = &overview.task_counts;
    let currency = state
        .cairn
        .get_workspace(a)
        .await
        .map(|w| w.settings.currency)
        .unwrap_or_default();
    let open_tasks = counts
        .iter()
        .filter(|(s, _)| !matches!(s.as_str(), "done" | "cancelled"))
        .map(|(_, n)| n)
        .sum();
    let budget = p.budget_value.map(|v| {
        let kind = p
            .budget_type
            .as_deref()
            .map(|t| format!(" {}", t.replace('_', " ")))
            .unwrap_or_default();
        format!("{currency} {}{kind}", money(v))
    });
    Ok(ProjectHead {
        open_tasks,
        logged: fields::hours(time.minutes),
        billable: fields::hours(time.billable_minutes),
        time,
        budget,
        can_edit: a.can(Action::Update, Resource::Project),
        tab,
        p,
        seen,
        overview,
    })
}

/// `12500.5` as `12,500.50`.
fn money(v: f64) -> String {
    let cents = (v * 100.0).round() as i64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", cents % 100)
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage<'a> {
    shell: Shell,
    head: ProjectHead,
    goals_html: String,
    description_html: String,
    health_history: &'a [HealthEntry],
    milestones: &'a [MilestoneView],
    slots: &'a [SlotView],
    members: Vec<(String, String)>,
    healths: Vec<&'static str>,
    milestone_statuses: Vec<&'static str>,
    can_archive: bool,
    can_delete: bool,
    can_template: bool,
    can_milestones: bool,
    errors: FormErrors,
}

/// Renders the overview; sub-forms (health, milestones, slots, save as template, delete) come
/// back here with their errors, keyed `form.field`.
pub async fn overview(
    state: &AppState,
    ui: &Ui,
    id: uuid::Uuid,
    errors: FormErrors,
    notice: Option<(bool, String)>,
) -> Response {
    let a = ui.actor();
    let loaded = async { head(state, ui, id, "overview").await }.await;
    match loaded {
        Ok(head) => {
            let overview = head.overview.clone();
            let mut shell = ui.shell(head.p.name.clone(), "projects");
            shell.flash = notice;
            let status = form_status(errors.is_empty());
            let page = ProjectPage {
                shell,
                goals_html: markdown::render(&head.p.goals),
                description_html: markdown::render(&head.p.description),
                head,
                health_history: &overview.health_history,
                milestones: &overview.milestones,
                slots: &overview.slots,
                members: super::choices::members(state, ui).await,
                healths: vocab::healths(),
                milestone_statuses: vocab::milestone_statuses(),
                can_archive: a.can(Action::Archive, Resource::Project),
                can_delete: a.can(Action::Delete, Resource::Project),
                can_template: a.can(Action::Create, Resource::Template),
                can_milestones: a.can(Action::Update, Resource::Milestone),
                errors,
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}

/// Field errors of one sub-form, keyed `form.field` so forms on one page keep them apart.
pub fn errors_of(form: &str, list: Vec<FieldError>) -> FormErrors {
    list.into_iter()
        .map(|e| FieldError::new(format!("{form}.{}", e.field), e.reason))
        .collect::<Vec<_>>()
        .into()
}

/// The project page (overview).
pub async fn view_project_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    overview(&state, &ui, id, FormErrors::default(), n.flash()).await
}

/// The typed-name confirmation of a permanent delete.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    confirm_name: String,
}

/// Deletes a project permanently (owners and admins).
pub async fn view_project_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<DeleteForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state
        .cairn
        .delete_project(ui.actor(), id, &f.confirm_name)
        .await
    {
        Ok(()) => redirect_notice("/projects", "Project deleted permanently."),
        Err(DomainError::Invalid(list)) => {
            overview(&state, &ui, id, errors_of("delete", list), None).await
        }
        Err(e) => error_page(e),
    }
}

/// The health form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HealthForm {
    health: String,
    summary: String,
}

/// Sets the project's health with a summary.
pub async fn view_project_health_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<HealthForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state
        .cairn
        .set_project_health(ui.actor(), id, &f.health, &f.summary)
        .await
    {
        Ok(p) => redirect_notice(&format!("/projects/{}", p.id), "Health updated."),
        Err(DomainError::Invalid(list)) => {
            overview(&state, &ui, id, errors_of("health", list), None).await
        }
        Err(e) => error_page(e),
    }
}

/// The save-as-template form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SaveTemplateForm {
    name: String,
    description: String,
}

/// Saves the project's slots, milestones and open tasks as a workspace template.
pub async fn view_project_template_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<SaveTemplateForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state
        .cairn
        .save_project_as_template(ui.actor(), id, &f.name, &f.description)
        .await
    {
        Ok(t) => redirect_notice(&format!("/templates/{}", t.key), "Template saved."),
        Err(DomainError::Invalid(list)) => {
            overview(&state, &ui, id, errors_of("template", list), None).await
        }
        Err(e) => error_page(e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_groups_thousands() {
        assert_eq!(super::money(12500.5), "12,500.50");
        assert_eq!(super::money(999.0), "999.00");
        assert_eq!(super::money(1_000_000.0), "1,000,000.00");
    }
}
