//! The project pages: list, new (from a template), the project's header and overview, edit,
//! health, status summary, history with revert, archive, delete and save as template. Each
//! view parses its form, calls one core function and renders.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::milestones::MilestoneView;
use cairn_core::delivery::projects::{HealthEntry, ProjectChanges, ProjectFilter, ProjectView};
use cairn_core::delivery::slots::SlotView;
use cairn_core::delivery::templates::TemplateView;
use cairn_core::page::PageRequest;
use cairn_core::tags::TagView;
use cairn_core::versions::{FieldDiff, VersionView};
use cairn_domain::{Action, DomainError, FieldError, Resource};
use serde::Deserialize;

use super::fields::{self, form_status, path_id};
use super::vocab::{self, Label};
use super::{FormErrors, HistoryPage, Notice, Shell, Ui, error_page, markdown, redirect_notice};
use super::{not_found_page, render};
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

/// What every project page shows above its tabs.
pub struct ProjectHead {
    pub p: ProjectView,
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
    let p = state.cairn.get_project(a, id).await?;
    let counts = state.cairn.project_task_counts(a, id).await?;
    let time = state.cairn.project_time(a, id).await?;
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
        budget,
        can_edit: a.can(Action::Update, Resource::Project),
        tab,
        p,
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
struct ProjectPage {
    shell: Shell,
    head: ProjectHead,
    goals_html: String,
    description_html: String,
    health_history: Vec<HealthEntry>,
    milestones: Vec<MilestoneView>,
    slots: Vec<SlotView>,
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
    let loaded = async {
        let head = head(state, ui, id, "overview").await?;
        let health_history = state.cairn.project_health_history(a, id).await?;
        let milestones = state.cairn.list_milestones(a, id, false).await?;
        let slots = state.cairn.list_slots(a, id).await?;
        Ok::<_, DomainError>((head, health_history, milestones, slots))
    }
    .await;
    match loaded {
        Ok((head, health_history, milestones, slots)) => {
            let mut shell = ui.shell(head.p.name.clone(), "projects");
            shell.flash = notice;
            let status = form_status(errors.is_empty());
            let page = ProjectPage {
                shell,
                goals_html: markdown::render(&head.p.goals),
                description_html: markdown::render(&head.p.description),
                head,
                health_history,
                milestones,
                slots,
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

#[derive(Template)]
#[template(path = "project_status.html")]
struct StatusPage {
    shell: Shell,
    head: ProjectHead,
    from: String,
    to: String,
    markdown: String,
    html: String,
    errors: FormErrors,
}

/// The date range of a status summary.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RangeQuery {
    from: String,
    to: String,
}

/// The status summary: rendered, and as Markdown to copy.
pub async fn view_project_status_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let head = match head(&state, &ui, id, "status").await {
        Ok(h) => h,
        Err(e) => return error_page(e),
    };
    let some = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
    let (from, to) = (some(&q.from), some(&q.to));
    let result = state
        .cairn
        .project_summary(ui.actor(), id, from.as_deref(), to.as_deref())
        .await;
    let (summary, errors) = match result {
        Ok(s) => (Some(s), FormErrors::default()),
        Err(DomainError::Invalid(list)) => (None, list.into()),
        Err(e) => return error_page(e),
    };
    let markdown = summary
        .as_ref()
        .map(|s| s.to_markdown())
        .unwrap_or_default();
    let status = form_status(errors.is_empty());
    let page = StatusPage {
        shell: ui.shell(format!("Status of {}", head.p.name), "projects"),
        from: summary
            .as_ref()
            .map(|s| s.from.to_string())
            .unwrap_or(q.from),
        to: summary.as_ref().map(|s| s.to.to_string()).unwrap_or(q.to),
        html: markdown::render(&markdown),
        markdown,
        head,
        errors,
    };
    (status, render(&page)).into_response()
}

/// Which versions to compare.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HistoryQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The project's version history with a field-level diff.
pub async fn view_project_history_get(
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
        let p = state.cairn.get_project(a, id).await?;
        let versions: Vec<VersionView> = state.cairn.project_versions(a, id).await?;
        let to = q.to.unwrap_or(p.version);
        let from = q.from.unwrap_or((to - 1).max(1));
        let diff: Vec<FieldDiff> = state.cairn.diff_project_versions(a, id, from, to).await?;
        Ok::<_, DomainError>((p, versions, diff, from, to))
    }
    .await;
    match loaded {
        Ok((p, versions, diff, from, to)) => render(&HistoryPage {
            shell: {
                let mut shell = ui.shell(format!("History of {}", p.name), "projects");
                shell.flash = n.flash();
                shell
            },
            title: p.name.clone(),
            base: format!("/projects/{}", p.id),
            back_label: "Back to project",
            current: p.version,
            versions,
            diff,
            from,
            to,
            can_edit: a.can(Action::Update, Resource::Project),
        }),
        Err(e) => error_page(e),
    }
}

/// The revert form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevertForm {
    pub version: Option<i64>,
    pub to: i64,
}

/// Reverts a project to a version.
pub async fn view_project_revert_post(
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
        .revert_project(ui.actor(), id, f.to, f.version)
        .await
    {
        Ok(p) => redirect_notice(
            &format!("/projects/{}/history", p.id),
            &format!("Reverted to v{}; saved as v{}.", f.to, p.version),
        ),
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
