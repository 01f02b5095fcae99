//! Task rows as every task list shows them (a project's tasks, the work views): inline edit of
//! status, priority, assignee and due date through htmx, and multi-select batch actions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::slots::SlotView;
use cairn_core::delivery::tasks::{TaskChanges, TaskView};
use cairn_domain::{Action, DomainError, FieldError, Resource};
use chrono::NaiveDate;
use serde::Deserialize;

use super::choices::Choice;
use super::fields::{self, fragment_error, is_htmx, path_id};
use super::vocab::{self, Label};
use super::{Ui, error_page, not_found_page};
use crate::AppState;

/// What a row needs besides its task: the pickers, today and which columns to show.
pub struct TaskRows {
    pub csrf: String,
    pub statuses: Vec<&'static str>,
    pub priorities: Vec<&'static str>,
    pub members: Vec<Choice>,
    /// A project's role slots; empty in cross-project views.
    pub slots: Vec<SlotView>,
    pub today: NaiveDate,
    pub can_edit: bool,
    /// `project` (milestone column) or `work` (project and client under the title).
    pub context: &'static str,
    /// Whether the title shows its project and client (not when rows are grouped by them).
    pub show_where: bool,
}

impl TaskRows {
    /// Rows for `context`, with the pickers' members and (for one project) its slots.
    pub async fn load(
        state: &AppState,
        ui: &Ui,
        context: &'static str,
        project: Option<uuid::Uuid>,
    ) -> Self {
        let slots = match project {
            Some(p) => state
                .cairn
                .list_slots(ui.actor(), p)
                .await
                .unwrap_or_default(),
            None => vec![],
        };
        Self {
            members: super::choices::members(state, ui).await,
            slots,
            ..Self::without_pickers(ui, context)
        }
    }

    /// Enough to render rows alone (one swapped row): a row carries only its current
    /// options, the page keeps the pickers' full lists.
    pub fn without_pickers(ui: &Ui, context: &'static str) -> Self {
        Self {
            csrf: ui.csrf.clone(),
            statuses: vocab::task_statuses(),
            priorities: vocab::priorities(),
            members: vec![],
            slots: vec![],
            today: cairn_core::delivery::today_for(ui.actor()),
            can_edit: ui.actor().can(Action::Update, Resource::Task),
            show_where: context == "work",
            context,
        }
    }
}

/// Row-level readings of a task the templates need.
pub trait TaskLook {
    /// The assignee picker's value: `s:<slot>`, `u:<user>` or blank.
    fn assignee_key(&self) -> String;
    /// `due overdue`, `due today` or `due` for the due-date cell.
    fn due_class<D: std::borrow::Borrow<NaiveDate>>(&self, today: D) -> &'static str;
    /// Whether the task is done or cancelled.
    fn closed(&self) -> bool;
}

impl TaskLook for TaskView {
    fn assignee_key(&self) -> String {
        match (&self.slot, self.assignee_user_id) {
            (Some(s), _) => format!("s:{}", s.id),
            (None, Some(u)) => format!("u:{u}"),
            (None, None) => String::new(),
        }
    }

    fn due_class<D: std::borrow::Borrow<NaiveDate>>(&self, today: D) -> &'static str {
        due_class(self.due_date, self.closed(), *today.borrow())
    }

    fn closed(&self) -> bool {
        matches!(self.status.as_str(), "done" | "cancelled")
    }
}

impl TaskLook for cairn_core::delivery::tasks::BoardCard {
    fn assignee_key(&self) -> String {
        match (&self.slot, &self.assignee) {
            (Some(s), _) => format!("s:{}", s.id),
            (None, Some(u)) => format!("u:{}", u.id),
            (None, None) => String::new(),
        }
    }

    fn due_class<D: std::borrow::Borrow<NaiveDate>>(&self, today: D) -> &'static str {
        due_class(self.due_date, self.closed(), *today.borrow())
    }

    fn closed(&self) -> bool {
        matches!(self.status.as_str(), "done" | "cancelled")
    }
}

/// The due-date cell's class: overdue and due today only count for open tasks.
fn due_class(due: Option<NaiveDate>, closed: bool, today: NaiveDate) -> &'static str {
    match due {
        Some(d) if !closed && d < today => "due overdue",
        Some(d) if !closed && d == today => "due today",
        _ => "due",
    }
}

/// An assignee picker value as changes: a user, a role slot, or nobody.
pub fn assignee_changes(field: &str, raw: &str) -> Result<TaskChanges, FieldError> {
    let bad = || FieldError::new(field, "is not a valid choice");
    let raw = raw.trim();
    let parse = |id: &str| uuid::Uuid::parse_str(id).map_err(|_| bad());
    Ok(match raw.split_once(':') {
        None if raw.is_empty() => TaskChanges {
            assignee_user_id: Some(None),
            assignee_slot_id: Some(None),
            ..Default::default()
        },
        Some(("u", id)) => TaskChanges {
            assignee_user_id: Some(Some(parse(id)?)),
            assignee_slot_id: Some(None),
            ..Default::default()
        },
        Some(("s", id)) => TaskChanges {
            assignee_slot_id: Some(Some(parse(id)?)),
            assignee_user_id: Some(None),
            ..Default::default()
        },
        // A bare id is a user.
        None => TaskChanges {
            assignee_user_id: Some(Some(parse(raw)?)),
            assignee_slot_id: Some(None),
            ..Default::default()
        },
        Some(_) => return Err(bad()),
    })
}

#[derive(Template)]
#[template(path = "task_row.html")]
struct TaskRowPartial {
    t: TaskView,
    rows: TaskRows,
}

/// One inline edit from a list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InlineForm {
    version: Option<i64>,
    field: String,
    status: String,
    priority: String,
    assignee: String,
    due_date: String,
    context: String,
    back: String,
}

/// Saves one field from a list row; htmx swaps the row, plain forms go back to the list.
pub async fn view_task_inline_post(
    State(state): State<AppState>,
    ui: Ui,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<InlineForm>,
) -> Response {
    let htmx = is_htmx(&headers);
    let fail = |e| {
        if htmx {
            fragment_error(e)
        } else {
            error_page(e)
        }
    };
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    // A task the user cannot see is "not found" whatever the form says.
    if let Err(e) = state.cairn.get_task(ui.actor(), id).await {
        return fail(e);
    }
    let changes = match f.field.as_str() {
        "status" => Ok(TaskChanges {
            status: Some(f.status.clone()),
            ..Default::default()
        }),
        "priority" => Ok(TaskChanges {
            priority: Some(f.priority.clone()),
            ..Default::default()
        }),
        "due_date" => Ok(TaskChanges {
            due_date: Some(Some(f.due_date.clone())),
            ..Default::default()
        }),
        "assignee" => {
            assignee_changes("assignee", &f.assignee).map_err(|e| DomainError::Invalid(vec![e]))
        }
        _ => Err(DomainError::invalid(
            "field",
            "must be status, priority, assignee or due_date",
        )),
    };
    let result = match changes {
        Ok(ch) => state.cairn.update_task(ui.actor(), id, ch, f.version).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) if htmx => {
            let context = if f.context == "project" {
                "project"
            } else {
                "work"
            };
            super::render(&TaskRowPartial {
                t,
                rows: TaskRows::without_pickers(&ui, context),
            })
        }
        Ok(t) => {
            Redirect::to(&fields::back_path(&f.back, &format!("/tasks/{}", t.id))).into_response()
        }
        Err(e) => fail(e),
    }
}

/// A batch action over checked rows.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BatchForm {
    ids: Vec<String>,
    /// status, priority, assignee, due_date, archive, restore or duplicate.
    op: String,
    status: String,
    priority: String,
    assignee: String,
    due_date: String,
    back: String,
}

/// Applies one action to every checked task, all or nothing, then goes back to the list.
pub async fn view_tasks_batch_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<BatchForm>,
) -> Response {
    let back = fields::back_path(&f.back, "/work");
    let a = ui.actor();
    let result: Result<String, DomainError> = async {
        let ids = fields::ids("ids", &f.ids).map_err(|e| DomainError::Invalid(vec![e]))?;
        if ids.is_empty() {
            return Err(DomainError::invalid("ids", "tick at least one task"));
        }
        let plural = |n: usize| if n == 1 { "task" } else { "tasks" };
        let edit = match f.op.as_str() {
            "status" => Some((
                TaskChanges {
                    status: Some(f.status.clone()),
                    ..Default::default()
                },
                format!("set to {}", f.status.label()),
            )),
            "priority" => Some((
                TaskChanges {
                    priority: Some(f.priority.clone()),
                    ..Default::default()
                },
                format!("set to {}", f.priority),
            )),
            "assignee" => Some((
                assignee_changes("assignee", &f.assignee)
                    .map_err(|e| DomainError::Invalid(vec![e]))?,
                "reassigned".to_string(),
            )),
            "due_date" => Some((
                TaskChanges {
                    due_date: Some(Some(f.due_date.clone())),
                    ..Default::default()
                },
                "rescheduled".to_string(),
            )),
            _ => None,
        };
        if let Some((ch, done)) = edit {
            let n = state.cairn.batch_update_tasks(a, &ids, ch).await?.len();
            return Ok(format!("{n} {} {done}.", plural(n)));
        }
        match f.op.as_str() {
            "archive" | "restore" => {
                let archived = f.op == "archive";
                let n = state.cairn.set_tasks_archived(a, &ids, archived).await?;
                Ok(format!(
                    "{n} {} {}.",
                    plural(n),
                    if archived { "archived" } else { "restored" }
                ))
            }
            "duplicate" => {
                let n = state.cairn.duplicate_tasks(a, &ids).await?.len();
                Ok(format!("{n} {} duplicated.", plural(n)))
            }
            _ => Err(DomainError::invalid(
                "op",
                format!(
                    "choose what to do with the {} selected {}",
                    ids.len(),
                    plural(ids.len())
                ),
            )),
        }
    }
    .await;
    match result {
        Ok(msg) => super::redirect_notice(&back, &msg),
        Err(DomainError::Invalid(list)) => super::redirect_error(
            &back,
            &list
                .iter()
                .map(|e| format!("{}: {}", e.field.replace('_', " "), e.reason))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(e @ DomainError::Conflict(_)) => super::redirect_error(&back, &e.to_string()),
        Err(e) => error_page(e),
    }
}
