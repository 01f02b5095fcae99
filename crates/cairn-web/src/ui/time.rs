//! Time: the weekly timesheet (projects by day), a project's time against its budget, logging
//! time from either, and deleting an entry.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::time::{TimeEntryChanges, TimeEntryView, TimeFilter, Timesheet};
use cairn_core::page::PageRequest;
use cairn_domain::{Action, DomainError, Resource};
use chrono::NaiveDate;
use serde::Deserialize;

use super::choices::Choice;
use super::fields::{self, Hm, form_status, path_id};
use super::project_page::{ProjectHead, head};
use super::vocab::Label;
use super::{FormErrors, Notice, Shell, Ui, error_page, not_found_page, redirect_notice, render};
use crate::AppState;

/// A time entry, as submitted from the timesheet or a project.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TimeForm {
    project_id: String,
    task_id: String,
    date: String,
    /// Minutes, h:mm or hours.
    duration: String,
    note: String,
    billable: Option<String>,
    back: String,
}

impl TimeForm {
    fn changes(&self) -> Result<TimeEntryChanges, DomainError> {
        let mut errors = Vec::new();
        let project = fields::optional_id("project_id", &self.project_id)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let task = fields::optional_id("task_id", &self.task_id)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let minutes = fields::duration("minutes", &self.duration)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(TimeEntryChanges {
            user_id: None,
            project_id: project,
            task_id: Some(task),
            date: Some(self.date.clone()),
            minutes,
            note: Some(self.note.clone()),
            billable: Some(self.billable.is_some()),
        })
    }
}

/// Which week, and (owners and admins) whose.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct WeekQuery {
    week: String,
    user: String,
}

#[derive(Template)]
#[template(path = "timesheet.html")]
struct TimesheetPage {
    shell: Shell,
    ts: Timesheet,
    mine: bool,
    prev: NaiveDate,
    next: NaiveDate,
    user_q: String,
    members: Vec<Choice>,
    projects: Vec<Choice>,
    today: NaiveDate,
    v: TimeForm,
    errors: FormErrors,
    can_log: bool,
    manager: bool,
    /// The log form: where it goes back to, its fixed project (none here), its task choices.
    back: String,
    fixed_project: String,
    tasks: Vec<Choice>,
}

async fn timesheet_page(
    state: &AppState,
    ui: &Ui,
    q: WeekQuery,
    v: TimeForm,
    errors: FormErrors,
    flash: Option<(bool, String)>,
) -> Response {
    let a = ui.actor();
    let result = async {
        let user =
            fields::optional_id("user", &q.user).map_err(|e| DomainError::Invalid(vec![e]))?;
        state
            .cairn
            .timesheet(a, user, Some(q.week.as_str()).filter(|w| !w.is_empty()))
            .await
    }
    .await;
    let ts = match result {
        Ok(ts) => ts,
        Err(e) => return error_page(e),
    };
    let mut shell = ui.shell("Timesheet", "time");
    shell.flash = flash;
    let status = form_status(errors.is_empty());
    let page = TimesheetPage {
        shell,
        mine: ts.user.id == a.user_id.0,
        prev: ts.week_start - chrono::Duration::days(7),
        next: ts.week_start + chrono::Duration::days(7),
        user_q: if q.user.is_empty() {
            String::new()
        } else {
            format!("&user={}", super::url_encode(&q.user))
        },
        members: if a.role.is_admin_or_owner() {
            super::choices::members(state, ui).await
        } else {
            vec![]
        },
        projects: super::choices::projects(state, ui).await,
        today: cairn_core::delivery::today_for(a),
        v,
        errors,
        can_log: a.can(Action::Create, Resource::TimeEntry),
        manager: a.role.is_admin_or_owner(),
        back: format!("/time?week={}", ts.week_start),
        fixed_project: String::new(),
        tasks: vec![],
        ts,
    };
    (status, render(&page)).into_response()
}

/// The weekly timesheet.
pub async fn view_time_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<WeekQuery>,
    Query(n): Query<Notice>,
) -> Response {
    let v = TimeForm {
        billable: Some("true".into()),
        ..Default::default()
    };
    timesheet_page(&state, &ui, q, v, FormErrors::default(), n.flash()).await
}

/// Logs time, then goes back where the form was (the timesheet or a project's time).
pub async fn view_time_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<TimeForm>,
) -> Response {
    let result = match f.changes() {
        Ok(ch) => state.cairn.create_time_entry(ui.actor(), ch).await,
        Err(e) => Err(e),
    };
    let back = fields::back_path(&f.back, "/time");
    match result {
        Ok(e) => redirect_notice(
            &back,
            &format!(
                "Logged {} on {}.",
                fields::hours(i64::from(e.minutes)),
                e.project.name
            ),
        ),
        Err(DomainError::Invalid(list)) => {
            let project = back
                .strip_prefix("/projects/")
                .and_then(|r| r.split('/').next())
                .and_then(path_id);
            match project {
                Some(id) => project_time_page(&state, &ui, id, f, list.into(), None).await,
                None => {
                    let week = WeekQuery {
                        week: f.date.clone(),
                        user: String::new(),
                    };
                    timesheet_page(&state, &ui, week, f, list.into(), None).await
                }
            }
        }
        Err(e) => error_page(e),
    }
}

/// Where to go after deleting an entry.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BackForm {
    back: String,
}

/// Deletes a time entry (its owner, or an owner or admin).
pub async fn view_time_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<BackForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    match state.cairn.delete_time_entry(ui.actor(), id).await {
        Ok(()) => redirect_notice(&fields::back_path(&f.back, "/time"), "Time entry deleted."),
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "task_options.html")]
struct TaskOptions {
    options: Vec<Choice>,
}

/// The project whose tasks to offer.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskOptionsQuery {
    project_id: String,
}

/// A project's tasks as `<option>`s for the log form's task picker.
pub async fn view_time_task_options_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<TaskOptionsQuery>,
) -> Response {
    let options = match path_id(&q.project_id) {
        Some(p) => super::choices::project_tasks(&state, &ui, p, "", 200).await,
        None => vec![],
    };
    let mut out = vec![(String::new(), "No task".to_string())];
    out.extend(options);
    render(&TaskOptions { options: out })
}

#[derive(Template)]
#[template(path = "project_time.html")]
struct ProjectTimePage {
    shell: Shell,
    head: ProjectHead,
    entries: Vec<TimeEntryView>,
    next_cursor: Option<String>,
    tasks: Vec<Choice>,
    today: NaiveDate,
    v: TimeForm,
    errors: FormErrors,
    can_log: bool,
    me: String,
    manager: bool,
    /// The log form: where it goes back to, its fixed project, and no project picker.
    back: String,
    fixed_project: String,
    projects: Vec<Choice>,
}

async fn project_time_page(
    state: &AppState,
    ui: &Ui,
    id: uuid::Uuid,
    v: TimeForm,
    errors: FormErrors,
    flash: Option<(bool, String)>,
) -> Response {
    let a = ui.actor();
    let loaded = async {
        let head = head(state, ui, id, "time").await?;
        let entries = state
            .cairn
            .list_time_entries(
                a,
                &TimeFilter {
                    project: Some(id),
                    ..Default::default()
                },
                &PageRequest {
                    limit: Some(50),
                    cursor: None,
                },
            )
            .await?;
        Ok::<_, DomainError>((head, entries))
    }
    .await;
    match loaded {
        Ok((head, entries)) => {
            let mut shell = ui.shell(format!("Time · {}", head.p.name), "projects");
            shell.flash = flash;
            let status = form_status(errors.is_empty());
            let page = ProjectTimePage {
                shell,
                head,
                entries: entries.items,
                next_cursor: entries.next_cursor,
                tasks: super::choices::project_tasks(state, ui, id, "", 200).await,
                today: cairn_core::delivery::today_for(a),
                v,
                errors,
                can_log: a.can(Action::Create, Resource::TimeEntry),
                me: a.user_id.0.to_string(),
                manager: a.role.is_admin_or_owner(),
                back: format!("/projects/{id}/time"),
                fixed_project: id.to_string(),
                projects: vec![],
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}

/// A project's time: totals against the budget, per person, recent entries, and logging.
pub async fn view_project_time_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let v = TimeForm {
        billable: Some("true".into()),
        ..Default::default()
    };
    project_time_page(&state, &ui, id, v, FormErrors::default(), n.flash()).await
}
