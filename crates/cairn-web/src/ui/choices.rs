//! Options for pickers (members, clients, projects, a project's tasks), each `(id, label)` and
//! limited to what the actor may see. A failing lookup gives an empty picker rather than
//! taking the page down: the page's own record has already been loaded.

use cairn_core::delivery::tasks::TaskFilter;
use cairn_core::page::PageRequest;

use super::Ui;
use crate::AppState;

/// (id, label) of one picker option.
pub type Choice = (String, String);

fn first(limit: u64) -> PageRequest {
    PageRequest {
        limit: Some(limit),
        cursor: None,
    }
}

/// Active members of the workspace, by user id.
pub async fn members(state: &AppState, ui: &Ui) -> Vec<Choice> {
    state
        .cairn
        .list_members(ui.actor(), &Default::default(), &first(200))
        .await
        .map(|p| {
            p.items
                .into_iter()
                .filter(|m| !m.disabled)
                .map(|m| (m.user_id.to_string(), m.name))
                .collect()
        })
        .unwrap_or_default()
}

/// Current clients the actor may see, by name.
pub async fn clients(state: &AppState, ui: &Ui) -> Vec<Choice> {
    state
        .cairn
        .client_choices(ui.actor(), 200)
        .await
        .map(|rows| {
            rows.into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect()
        })
        .unwrap_or_default()
}

/// Current projects the actor may see, labelled "Client · Project".
pub async fn projects(state: &AppState, ui: &Ui) -> Vec<Choice> {
    let mut out: Vec<Choice> = state
        .cairn
        .project_choices(ui.actor(), 200)
        .await
        .map(|rows| {
            rows.into_iter()
                .map(|(id, client, name)| (id.to_string(), format!("{client} · {name}")))
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|c| c.1.to_lowercase());
    out
}

/// Live tasks of a project matching `q` (all when blank), open ones first.
pub async fn project_tasks(
    state: &AppState,
    ui: &Ui,
    project: uuid::Uuid,
    q: &str,
    limit: u64,
) -> Vec<Choice> {
    let filter = TaskFilter {
        project: Some(project),
        q: Some(q.trim().to_string()).filter(|q| !q.is_empty()),
        ..Default::default()
    };
    let mut tasks = state
        .cairn
        .list_tasks(ui.actor(), &filter, &first(limit))
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    tasks.sort_by_key(|t| matches!(t.status.as_str(), "done" | "cancelled"));
    tasks
        .into_iter()
        .map(|t| (t.id.to_string(), t.title))
        .collect()
}
