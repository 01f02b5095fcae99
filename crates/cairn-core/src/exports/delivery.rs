//! Exports of the project and task lists (CSV or JSON, with the list's filters), read
//! through the same visibility-aware list queries and audited like the CRM exports.

use cairn_domain::{Action, DomainError, Resource, Result};
use serde_json::json;

use super::{
    Export, ExportFormat, filters_json, list_filename, opt, opt_time, time, write_csv, write_json,
};
use crate::Cairn;
use crate::actor::Actor;
use crate::audit::Event;
use crate::delivery::projects::{ProjectFilter, ProjectView};
use crate::delivery::tasks::{TaskFilter, TaskView};
use crate::page::{MAX_LIMIT, PageRequest};

/// Most tasks one export may hold: a whole workspace can hold a million, and a download that
/// size helps nobody; narrower filters can.
pub const MAX_TASK_ROWS: usize = 50_000;

/// Columns of the project CSV.
pub const PROJECT_COLUMNS: &[&str] = &[
    "id",
    "client",
    "name",
    "type",
    "status",
    "start_date",
    "target_end_date",
    "budget_type",
    "budget_value",
    "health",
    "health_summary",
    "tags",
    "created_at",
    "updated_at",
    "archived_at",
];

fn project_row(p: &ProjectView) -> Vec<String> {
    vec![
        p.id.to_string(),
        p.client.name.clone(),
        p.name.clone(),
        p.project_type.clone(),
        p.status.clone(),
        p.start_date.map(|d| d.to_string()).unwrap_or_default(),
        p.target_end_date.map(|d| d.to_string()).unwrap_or_default(),
        opt(&p.budget_type),
        p.budget_value
            .map(|v| format!("{v:.2}"))
            .unwrap_or_default(),
        opt(&p.health),
        opt(&p.health_summary),
        tag_names(&p.tags),
        time(&p.created_at),
        time(&p.updated_at),
        opt_time(&p.archived_at),
    ]
}

/// Columns of the task CSV.
pub const TASK_COLUMNS: &[&str] = &[
    "id",
    "client",
    "project",
    "title",
    "status",
    "priority",
    "due_date",
    "assignee",
    "role_slot",
    "milestone",
    "blocked",
    "estimate_minutes",
    "completed_at",
    "tags",
    "created_at",
    "updated_at",
    "archived_at",
];

fn task_row(t: &TaskView) -> Vec<String> {
    vec![
        t.id.to_string(),
        t.client
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        t.project
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        t.title.clone(),
        t.status.clone(),
        t.priority.clone(),
        t.due_date.map(|d| d.to_string()).unwrap_or_default(),
        t.assignee
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        t.slot.as_ref().map(|s| s.role.clone()).unwrap_or_default(),
        t.milestone
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        t.blocked.to_string(),
        t.estimate_minutes
            .map(|m| m.to_string())
            .unwrap_or_default(),
        opt_time(&t.completed_at),
        tag_names(&t.tags),
        time(&t.created_at),
        time(&t.updated_at),
        opt_time(&t.archived_at),
    ]
}

fn tag_names(tags: &[crate::tags::TagRef]) -> String {
    tags.iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

impl Cairn {
    /// Every project of the filtered list the actor may see, in the list's order, as CSV or
    /// JSON. Audited as `export.projects`.
    pub async fn export_projects(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        format: ExportFormat,
    ) -> Result<Export> {
        actor.require(Action::Export, Resource::Project)?;
        let mut all = Vec::new();
        let mut page = PageRequest {
            limit: Some(MAX_LIMIT),
            cursor: None,
        };
        loop {
            let p = self.list_projects(actor, filter, &page).await?;
            all.extend(p.items);
            match p.next_cursor {
                Some(c) => page.cursor = Some(c),
                None => break,
            }
        }
        let body = match format {
            ExportFormat::Csv => write_csv(PROJECT_COLUMNS, all.iter().map(project_row))?,
            ExportFormat::Json => write_json(&all)?,
        };
        let filters = filters_json(&[
            ("client", filter.client.map(|c| c.to_string())),
            ("status", filter.status.clone()),
            ("type", filter.project_type.clone()),
            ("health", filter.health.clone()),
            ("tag", filter.tag.map(|t| t.to_string())),
            ("q", filter.q.clone()),
            ("archived", filter.archived.clone()),
            ("sort", filter.sort.clone()),
        ]);
        self.audit_export(
            Event::by(actor, "export.projects", "export", "projects")
                .changes(json!({"format": format.as_str(), "filters": filters, "rows": all.len()})),
        )
        .await?;
        Ok(Export {
            filename: list_filename(actor, "projects", format),
            content_type: format.content_type(),
            body,
            rows: all.len(),
        })
    }

    /// Every task of the filtered list the actor may see, in the list's order, as CSV or
    /// JSON; at most [`MAX_TASK_ROWS`]. Audited as `export.tasks`.
    pub async fn export_tasks(
        &self,
        actor: &Actor,
        filter: &TaskFilter,
        format: ExportFormat,
    ) -> Result<Export> {
        actor.require(Action::Export, Resource::Task)?;
        let mut all = Vec::new();
        let mut page = PageRequest {
            limit: Some(MAX_LIMIT),
            cursor: None,
        };
        loop {
            let p = self
                .load_task_pages(actor, &[(filter, &page)])
                .await?
                .remove(0);
            all.extend(p.items);
            if all.len() > MAX_TASK_ROWS {
                return Err(DomainError::invalid(
                    "filters",
                    format!("more than {MAX_TASK_ROWS} tasks match: narrow the filters"),
                ));
            }
            match p.next_cursor {
                Some(c) => page.cursor = Some(c),
                None => break,
            }
        }
        let body = match format {
            ExportFormat::Csv => write_csv(TASK_COLUMNS, all.iter().map(task_row))?,
            ExportFormat::Json => write_json(&all)?,
        };
        let filters = filters_json(&[
            ("project", filter.project.map(|c| c.to_string())),
            ("client", filter.client.map(|c| c.to_string())),
            ("status", filter.status.clone()),
            ("priority", filter.priority.clone()),
            ("assignee", filter.assignee.clone()),
            ("milestone", filter.milestone.map(|c| c.to_string())),
            ("due", filter.due.clone()),
            ("tag", filter.tag.map(|t| t.to_string())),
            ("blocked", filter.blocked.map(|b| b.to_string())),
            ("q", filter.q.clone()),
            ("archived", filter.archived.clone()),
            ("sort", filter.sort.clone()),
        ]);
        self.audit_export(
            Event::by(actor, "export.tasks", "export", "tasks")
                .changes(json!({"format": format.as_str(), "filters": filters, "rows": all.len()})),
        )
        .await?;
        Ok(Export {
            filename: list_filename(actor, "tasks", format),
            content_type: format.content_type(),
            body,
            rows: all.len(),
        })
    }
}
