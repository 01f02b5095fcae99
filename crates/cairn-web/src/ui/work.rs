//! Work views across projects: My work (open tasks assigned to me), today, upcoming and
//! overdue, grouped by client and project or by due date, with the task rows' inline edit and
//! batch actions.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use cairn_core::delivery::tasks::{TaskFilter, TaskView};
use cairn_core::page::PageRequest;
use cairn_domain::DomainError;
use chrono::NaiveDate;
use serde::Deserialize;

use super::fields;
use super::task_rows::{TaskLook, TaskRows};
use super::vocab::Label;
use super::{Notice, Shell, Ui, error_page, render};
use crate::AppState;

/// Filters, sort and grouping of a work view, kept as strings so any input renders back.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct WorkQuery {
    /// `me` (default), `anyone`, `none` or a user id.
    assignee: String,
    q: String,
    priority: String,
    client: String,
    /// `project` (default), `due` or `none`.
    group: String,
    sort: String,
    cursor: String,
}

impl WorkQuery {
    fn filter(&self, view: &str) -> Result<TaskFilter, DomainError> {
        let some = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
        let client = fields::optional_id("client", &self.client)
            .map_err(|e| DomainError::Invalid(vec![e]))?;
        let assignee = match self.assignee.trim() {
            "" => Some("me".to_string()),
            "anyone" => None,
            other => Some(other.to_string()),
        };
        let (status, due) = match view {
            "today" | "upcoming" | "overdue" => (None, Some(view.to_string())),
            _ => (Some("open".to_string()), None),
        };
        Ok(TaskFilter {
            client,
            status,
            priority: some(&self.priority),
            assignee,
            due,
            q: some(&self.q),
            sort: some(&self.sort),
            ..Default::default()
        })
    }

    /// The query string without the cursor.
    fn query_string(&self) -> String {
        [
            ("assignee", &self.assignee),
            ("q", &self.q),
            ("priority", &self.priority),
            ("client", &self.client),
            ("group", &self.group),
            ("sort", &self.sort),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", super::url_encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// A heading and its tasks.
pub struct Group {
    pub title: String,
    pub sub: String,
    pub link: String,
    pub tasks: Vec<TaskView>,
}

/// Groups by client and project (alphabetically; tasks keep their sorted order inside).
fn by_project(tasks: Vec<TaskView>) -> Vec<Group> {
    let mut groups: Vec<((String, String), Group)> = Vec::new();
    for t in tasks {
        let client = t
            .client
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let project = t
            .project
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let key = (client.to_lowercase(), project.to_lowercase());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.tasks.push(t),
            None => {
                let (title, link) = match (&t.project, &t.client) {
                    (Some(p), _) => (p.name.clone(), format!("/projects/{}", p.id)),
                    (None, Some(c)) => ("No project".to_string(), format!("/clients/{}", c.id)),
                    (None, None) => ("Inbox".to_string(), String::new()),
                };
                let sub = if t.client.is_some() {
                    client
                } else {
                    "No client".into()
                };
                groups.push((
                    key,
                    Group {
                        title,
                        sub,
                        link,
                        tasks: vec![t],
                    },
                ));
            }
        }
    }
    // Captures without a client (the inbox) first, then by client and project.
    groups.sort_by(|a, b| {
        let inbox = |g: &Group| !g.link.is_empty();
        (inbox(&a.1), &a.0).cmp(&(inbox(&b.1), &b.0))
    });
    groups.into_iter().map(|(_, g)| g).collect()
}

/// Groups by due date relative to today.
fn by_due(tasks: Vec<TaskView>, today: NaiveDate) -> Vec<Group> {
    let names = [
        "Overdue",
        "Today",
        "Tomorrow",
        "Next 7 days",
        "Later",
        "No due date",
    ];
    let mut buckets: Vec<Vec<TaskView>> = names.iter().map(|_| Vec::new()).collect();
    for t in tasks {
        let i = match t.due_date {
            Some(d) if d < today => 0,
            Some(d) if d == today => 1,
            Some(d) if d == today + chrono::Duration::days(1) => 2,
            Some(d) if d <= today + chrono::Duration::days(7) => 3,
            Some(_) => 4,
            None => 5,
        };
        buckets[i].push(t);
    }
    names
        .iter()
        .zip(buckets)
        .filter(|(_, tasks)| !tasks.is_empty())
        .map(|(name, tasks)| Group {
            title: name.to_string(),
            sub: String::new(),
            link: String::new(),
            tasks,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage {
    shell: Shell,
    view: &'static str,
    path: &'static str,
    f: WorkQuery,
    query: String,
    back: String,
    groups: Vec<Group>,
    count: usize,
    next_cursor: Option<String>,
    rows: TaskRows,
    clients: Vec<(String, String)>,
}

async fn work(state: &AppState, ui: &Ui, view: &'static str, q: WorkQuery, n: Notice) -> Response {
    let path = match view {
        "today" => "/work/today",
        "upcoming" => "/work/upcoming",
        "overdue" => "/work/overdue",
        _ => "/work",
    };
    let result = async {
        let filter = q.filter(view)?;
        state
            .cairn
            .list_tasks(
                ui.actor(),
                &filter,
                &PageRequest {
                    limit: Some(100),
                    cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
                },
            )
            .await
    }
    .await;
    let page = match result {
        Ok(p) => p,
        Err(e) => return error_page(e),
    };
    let mut rows = TaskRows::load(state, ui, "work", None).await;
    rows.show_where = matches!(q.group.as_str(), "due" | "none");
    let count = page.items.len();
    let groups = match q.group.as_str() {
        "due" => by_due(page.items, rows.today),
        "none" => vec![Group {
            title: String::new(),
            sub: String::new(),
            link: String::new(),
            tasks: page.items,
        }],
        _ => by_project(page.items),
    };
    let title = match view {
        "today" => "Due today",
        "upcoming" => "Upcoming",
        "overdue" => "Overdue",
        _ => "My work",
    };
    let mut shell = ui.shell(title, "work");
    shell.flash = n.flash();
    let query = q.query_string();
    let back = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    };
    render(&WorkPage {
        shell,
        view,
        path,
        query,
        back,
        f: q,
        groups,
        count,
        next_cursor: page.next_cursor,
        rows,
        clients: super::choices::clients(state, ui).await,
    })
}

/// My work: open tasks assigned to me.
pub async fn view_work_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<WorkQuery>,
    Query(n): Query<Notice>,
) -> Response {
    work(&state, &ui, "mine", q, n).await
}

/// Open tasks due today.
pub async fn view_work_today_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<WorkQuery>,
    Query(n): Query<Notice>,
) -> Response {
    work(&state, &ui, "today", q, n).await
}

/// Open tasks due in the next seven days.
pub async fn view_work_upcoming_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<WorkQuery>,
    Query(n): Query<Notice>,
) -> Response {
    work(&state, &ui, "upcoming", q, n).await
}

/// Open tasks past their due date.
pub async fn view_work_overdue_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<WorkQuery>,
    Query(n): Query<Notice>,
) -> Response {
    work(&state, &ui, "overdue", q, n).await
}
