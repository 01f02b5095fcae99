//! Project templates: the built-ins and the workspace's own, each with its role slots,
//! milestones and tasks placed in working days from the start; workspace templates can be
//! renamed, retyped, archived and restored.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::templates::TemplateView;
use cairn_domain::delivery::templates::TemplatePlan;
use cairn_domain::{Action, DomainError, FieldError, Resource};
use serde::Deserialize;

use super::fields::{Hm, form_status, path_id};
use super::vocab::{self, Label};
use super::{FormErrors, Notice, Shell, Ui, error_page, not_found_page, redirect_notice, render};
use crate::AppState;

/// Filters of the template list: text in the name or description, a project type, and
/// whether archived templates are listed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplatesQuery {
    q: String,
    #[serde(rename = "type")]
    kind: String,
    archived: String,
}

impl TemplatesQuery {
    /// Whether `t` passes the filters (the list is the built-ins plus a workspace's few).
    fn keeps(&self, t: &TemplateView) -> bool {
        let q = self.q.trim().to_lowercase();
        (q.is_empty()
            || t.name.to_lowercase().contains(&q)
            || t.description.to_lowercase().contains(&q))
            && (self.kind.is_empty() || t.project_type == self.kind)
    }
}

#[derive(Template)]
#[template(path = "templates.html")]
struct TemplatesPage {
    shell: Shell,
    templates: Vec<TemplateView>,
    f: TemplatesQuery,
    types: Vec<&'static str>,
    archived: bool,
    can_use: bool,
}

/// Built-in and workspace templates.
pub async fn view_templates_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<TemplatesQuery>,
    Query(n): Query<Notice>,
) -> Response {
    let archived = q.archived == "true";
    match state.cairn.list_templates(ui.actor(), archived).await {
        Ok(templates) => {
            let mut shell = ui.shell("Templates", "templates");
            shell.flash = n.flash();
            render(&TemplatesPage {
                shell,
                templates: templates.into_iter().filter(|t| q.keeps(t)).collect(),
                f: q,
                types: vocab::project_types(),
                archived,
                can_use: ui.actor().can(Action::Create, Resource::Project),
            })
        }
        Err(e) => error_page(e),
    }
}

/// A template's name, description, type and plan (JSON), as submitted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateForm {
    version: Option<i64>,
    name: String,
    description: String,
    project_type: String,
    /// The plan as JSON: roles, milestones and tasks with their offsets.
    plan: String,
}

#[derive(Template)]
#[template(path = "template.html")]
struct TemplatePage {
    shell: Shell,
    t: TemplateView,
    plan: TemplatePlan,
    v: TemplateForm,
    errors: FormErrors,
    types: Vec<&'static str>,
    can_edit: bool,
    can_archive: bool,
    can_use: bool,
}

impl TemplatePage {
    /// A milestone's name by its plan key.
    fn milestone_name(&self, key: &Option<String>) -> String {
        key.as_ref()
            .and_then(|k| self.plan.milestones.iter().find(|m| &m.key == k))
            .map(|m| m.name.clone())
            .unwrap_or_default()
    }

    /// A slot's role by its plan key.
    fn slot_role(&self, key: &Option<String>) -> String {
        key.as_ref()
            .and_then(|k| self.plan.slots.iter().find(|s| &s.key == k))
            .map(|s| s.role.clone())
            .unwrap_or_default()
    }

    /// A plan description rendered from Markdown.
    fn md(&self, source: &str) -> String {
        super::markdown::render(source)
    }

    /// The plan's total estimate.
    fn total_estimate(&self) -> i64 {
        self.plan
            .tasks
            .iter()
            .filter_map(|t| t.estimate_minutes)
            .map(i64::from)
            .sum()
    }
}

async fn template_page(
    state: &AppState,
    ui: &Ui,
    key: &str,
    form: Option<TemplateForm>,
    errors: FormErrors,
    flash: Option<(bool, String)>,
) -> Response {
    let a = ui.actor();
    let t = match state.cairn.get_template(a, key).await {
        Ok(t) => t,
        Err(e) => return error_page(e),
    };
    let plan: TemplatePlan = serde_json::from_value(t.plan.clone()).unwrap_or_default();
    let mut shell = ui.shell(t.name.clone(), "templates");
    shell.flash = flash;
    let status = form_status(errors.is_empty());
    let page = TemplatePage {
        shell,
        v: form.unwrap_or_else(|| TemplateForm {
            version: Some(t.version),
            name: t.name.clone(),
            description: t.description.clone(),
            project_type: t.project_type.clone(),
            plan: serde_json::to_string_pretty(&t.plan).unwrap_or_default(),
        }),
        plan,
        errors,
        types: vocab::project_types(),
        can_edit: !t.builtin && a.can(Action::Update, Resource::Template),
        can_archive: !t.builtin && a.can(Action::Archive, Resource::Template),
        can_use: a.can(Action::Create, Resource::Project),
        t,
    };
    (status, render(&page)).into_response()
}

/// One template: its slots, milestones and tasks with their offsets.
pub async fn view_template_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(key): Path<String>,
    Query(n): Query<Notice>,
) -> Response {
    template_page(&state, &ui, &key, None, FormErrors::default(), n.flash()).await
}

/// Saves a workspace template's name, description and type.
pub async fn view_template_edit_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(key): Path<String>,
    Form(f): Form<TemplateForm>,
) -> Response {
    let Some(id) = path_id(&key) else {
        return not_found_page();
    };
    // A blank plan leaves it as it is; text that is not JSON is refused on the field.
    let plan = match f.plan.trim() {
        "" => None,
        raw => match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let error = FieldError::new("plan", format!("is not valid JSON: {e}"));
                return template_page(&state, &ui, &key, Some(f), vec![error].into(), None).await;
            }
        },
    };
    match state
        .cairn
        .update_template(
            ui.actor(),
            id,
            Some(f.name.clone()),
            Some(f.description.clone()),
            Some(f.project_type.clone()).filter(|t| !t.is_empty()),
            plan,
            f.version,
        )
        .await
    {
        Ok(t) => redirect_notice(&format!("/templates/{}", t.key), "Template saved."),
        Err(DomainError::Invalid(list)) => {
            // The plan's errors name paths inside it (plan.tasks[3].title): show them all
            // under the plan field.
            let (plan_errors, mut rest): (Vec<FieldError>, Vec<FieldError>) = list
                .into_iter()
                .partition(|e| e.field == "plan" || e.field.starts_with("plan."));
            if !plan_errors.is_empty() {
                rest.push(FieldError::new(
                    "plan",
                    plan_errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.reason))
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
            }
            template_page(&state, &ui, &key, Some(f), rest.into(), None).await
        }
        Err(e) => error_page(e),
    }
}

/// Archives a workspace template.
pub async fn view_template_archive_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(key): Path<String>,
) -> Response {
    archive(&state, &ui, &key, true).await
}

/// Restores a workspace template.
pub async fn view_template_restore_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(key): Path<String>,
) -> Response {
    archive(&state, &ui, &key, false).await
}

async fn archive(state: &AppState, ui: &Ui, key: &str, archived: bool) -> Response {
    let Some(id) = path_id(key) else {
        return not_found_page();
    };
    match state
        .cairn
        .set_template_archived(ui.actor(), id, archived)
        .await
    {
        Ok(t) => redirect_notice(
            &format!("/templates/{}", t.key),
            if archived {
                "Template archived."
            } else {
                "Template restored."
            },
        ),
        Err(e) => error_page(e),
    }
}
