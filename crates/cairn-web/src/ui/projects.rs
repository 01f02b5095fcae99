//! Projects as records: the list with its filters, the new-project form (from a template) and
//! the edit form, archive and restore. The project's own pages are in `project_page`
//! (header, overview) and `project_status` (summary, history). Each view parses its form,
//! calls one core function and renders.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::projects::{ProjectChanges, ProjectFilter, ProjectView};
use cairn_core::delivery::templates::TemplateView;
use cairn_core::page::PageRequest;
use cairn_core::tags::TagView;
use cairn_domain::{Action, DomainError, FieldError, Resource};
use serde::Deserialize;

use super::fields::{self, form_status, path_id};
use super::vocab::{self, Label};
use super::{FormErrors, Notice, Shell, Ui, error_page, not_found_page, redirect_notice, render};
use crate::AppState;

/// Whether a list of strings holds `s` (askama templates cannot take closures).
pub trait Holds {
    /// Whether the list holds `s`.
    fn holds(&self, s: &str) -> bool;
}

impl Holds for Vec<String> {
    fn holds(&self, s: &str) -> bool {
        self.iter().any(|t| t == s)
    }
}

/// Filters of the project list, kept as strings so any input renders back.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProjectsQuery {
    q: String,
    client: String,
    status: String,
    #[serde(rename = "type")]
    kind: String,
    health: String,
    tag: String,
    archived: String,
    sort: String,
    cursor: String,
}

impl ProjectsQuery {
    fn filter(&self) -> Result<ProjectFilter, DomainError> {
        let some = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
        let mut errors = Vec::new();
        let client = fields::optional_id("client", &self.client)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let tag = fields::optional_id("tag", &self.tag)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(ProjectFilter {
            client,
            status: some(&self.status),
            project_type: some(&self.kind),
            health: some(&self.health),
            tag,
            q: some(&self.q),
            archived: some(&self.archived),
            sort: some(&self.sort),
        })
    }

    /// The query string without the cursor.
    fn query_string(&self) -> String {
        [
            ("q", &self.q),
            ("client", &self.client),
            ("status", &self.status),
            ("type", &self.kind),
            ("health", &self.health),
            ("tag", &self.tag),
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

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    shell: Shell,
    f: ProjectsQuery,
    query: String,
    projects: Vec<ProjectView>,
    next_cursor: Option<String>,
    clients: Vec<(String, String)>,
    tags: Vec<TagView>,
    statuses: Vec<&'static str>,
    types: Vec<&'static str>,
    healths: Vec<&'static str>,
    can_create: bool,
}

/// The project list.
pub async fn view_projects_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<ProjectsQuery>,
    Query(n): Query<Notice>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let page = state
            .cairn
            .list_projects(
                ui.actor(),
                &filter,
                &PageRequest {
                    limit: Some(50),
                    cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
                },
            )
            .await?;
        let tags = state.cairn.list_tags(ui.actor()).await?;
        Ok::<_, DomainError>((page, tags))
    }
    .await;
    match result {
        Ok((page, tags)) => {
            let mut shell = ui.shell("Projects", "projects");
            shell.flash = n.flash();
            render(&ProjectsPage {
                query: q.query_string(),
                f: q,
                projects: page.items,
                next_cursor: page.next_cursor,
                clients: super::choices::clients(&state, &ui).await,
                tags,
                statuses: vocab::project_statuses(),
                types: vocab::project_types(),
                healths: vocab::healths(),
                can_create: ui.actor().can(Action::Create, Resource::Project),
                shell,
            })
        }
        Err(e) => error_page(e),
    }
}

/// The project form, as submitted (new and edit).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProjectForm {
    version: Option<i64>,
    client_id: String,
    name: String,
    project_type: String,
    status: String,
    start_date: String,
    target_end_date: String,
    goals: String,
    description: String,
    budget_type: String,
    budget_value: String,
    tags: Vec<String>,
    template: String,
}

impl ProjectForm {
    fn from_view(p: &ProjectView) -> Self {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Self {
            version: Some(p.version),
            client_id: p.client.id.to_string(),
            name: p.name.clone(),
            project_type: p.project_type.clone(),
            status: p.status.clone(),
            start_date: date(p.start_date),
            target_end_date: date(p.target_end_date),
            goals: p.goals.clone(),
            description: p.description.clone(),
            budget_type: p.budget_type.clone().unwrap_or_default(),
            budget_value: p
                .budget_value
                .map(|v| format!("{v:.2}"))
                .unwrap_or_default(),
            tags: p.tags.iter().map(|t| t.id.to_string()).collect(),
            template: String::new(),
        }
    }

    fn changes(&self) -> Result<ProjectChanges, DomainError> {
        let mut errors = Vec::new();
        let client = fields::optional_id("client_id", &self.client_id)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let tags = fields::ids("tags", &self.tags)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let budget_value = match self.budget_value.trim().replace([',', ' '], "") {
            t if t.is_empty() => None,
            t => match t.parse::<f64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.push(FieldError::new("budget_value", "must be a number"));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let kind = Some(self.project_type.trim().to_string()).filter(|t| !t.is_empty());
        Ok(ProjectChanges {
            client_id: client,
            name: Some(self.name.clone()),
            // A blank type takes the template's (or "mixed") on create and stays on edit.
            project_type: kind,
            status: Some(self.status.trim().to_string()).filter(|s| !s.is_empty()),
            start_date: Some(Some(self.start_date.clone())),
            target_end_date: Some(Some(self.target_end_date.clone())),
            goals: Some(self.goals.clone()),
            description: Some(self.description.clone()),
            budget_type: fields::clearable(&self.budget_type),
            budget_value: Some(budget_value),
            tags: Some(tags),
            custom: None,
        })
    }
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct ProjectFormPage {
    shell: Shell,
    action: String,
    project: Option<ProjectView>,
    v: ProjectForm,
    errors: FormErrors,
    clients: Vec<(String, String)>,
    templates: Vec<TemplateView>,
    statuses: Vec<&'static str>,
    types: Vec<&'static str>,
    budget_types: Vec<&'static str>,
    tags: Vec<TagView>,
}

async fn form_page(
    state: &AppState,
    ui: &Ui,
    project: Option<ProjectView>,
    v: ProjectForm,
    errors: FormErrors,
) -> Response {
    let a = ui.actor();
    let loaded = async {
        let tags = state.cairn.list_tags(a).await?;
        let templates = match project {
            None => state.cairn.list_templates(a, false).await?,
            Some(_) => vec![],
        };
        Ok::<_, DomainError>((tags, templates))
    }
    .await;
    let (tags, templates) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(e),
    };
    let (title, action) = match &project {
        Some(p) => (
            format!("Edit {}", p.name),
            format!("/projects/{}/edit", p.id),
        ),
        None => ("New project".to_string(), "/projects".to_string()),
    };
    let status = form_status(errors.is_empty());
    let page = ProjectFormPage {
        shell: ui.shell(title, "projects"),
        action,
        project,
        v,
        errors,
        clients: super::choices::clients(state, ui).await,
        templates,
        statuses: vocab::project_statuses(),
        types: vocab::project_types(),
        budget_types: vocab::budget_types(),
        tags,
    };
    (status, render(&page)).into_response()
}

/// Prefills of the new-project form (`/projects/new?client=…&template=…`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewProjectQuery {
    client: String,
    template: String,
}

/// The new-project form.
pub async fn view_project_new_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<NewProjectQuery>,
) -> Response {
    if let Err(e) = state.cairn.may_create_project(ui.actor()) {
        return error_page(e);
    }
    let v = ProjectForm {
        client_id: q.client,
        template: q.template,
        status: "active".into(),
        ..Default::default()
    };
    form_page(&state, &ui, None, v, FormErrors::default()).await
}

/// Creates a project, from a template when one was picked.
pub async fn view_projects_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<ProjectForm>,
) -> Response {
    let result = match f.changes() {
        Ok(mut ch) => {
            let template = Some(f.template.as_str()).filter(|t| !t.trim().is_empty());
            // A blank description keeps the template's.
            if ch
                .description
                .as_deref()
                .is_some_and(|d| d.trim().is_empty())
            {
                ch.description = None;
            }
            state.cairn.create_project(ui.actor(), ch, template).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => redirect_notice(
            &format!("/projects/{}", p.id),
            if p.template.is_some() {
                "Project created from the template."
            } else {
                "Project created."
            },
        ),
        Err(DomainError::Invalid(list)) => form_page(&state, &ui, None, f, list.into()).await,
        Err(e) => error_page(e),
    }
}

/// The edit form.
pub async fn view_project_edit_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state.cairn.project_for_edit(ui.actor(), id).await {
        Ok(p) => {
            let v = ProjectForm::from_view(&p);
            form_page(&state, &ui, Some(p), v, FormErrors::default()).await
        }
        Err(e) => error_page(e),
    }
}

/// Saves the edit form (with the version the user saw).
pub async fn view_project_edit_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<ProjectForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let result = match f.changes() {
        Ok(ch) => {
            state
                .cairn
                .update_project(ui.actor(), id, ch, f.version)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => redirect_notice(&format!("/projects/{}", p.id), "Project saved."),
        Err(DomainError::Invalid(list)) => match state.cairn.get_project(ui.actor(), id).await {
            Ok(p) => form_page(&state, &ui, Some(p), f, list.into()).await,
            Err(e) => error_page(e),
        },
        Err(e) => error_page(e),
    }
}

/// A form carrying only the version the user saw.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VersionForm {
    version: Option<i64>,
}

/// Archives a project.
pub async fn view_project_archive_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    archive(&state, &ui, &id, true, f.version).await
}

/// Restores a project.
pub async fn view_project_restore_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    archive(&state, &ui, &id, false, f.version).await
}

async fn archive(
    state: &AppState,
    ui: &Ui,
    id: &str,
    archived: bool,
    version: Option<i64>,
) -> Response {
    let Some(id) = path_id(id) else {
        return not_found_page();
    };
    match state
        .cairn
        .set_project_archived(ui.actor(), id, archived, version)
        .await
    {
        Ok(p) => redirect_notice(
            &format!("/projects/{}", p.id),
            if archived {
                "Project archived."
            } else {
                "Project restored."
            },
        ),
        Err(e) => error_page(e),
    }
}
