//! The delivery half of `cairn bench-data`: projects with milestones and role slots, tasks
//! (with board positions, dependencies, tags and completion), and time entries, written with
//! multi-row `INSERT`s like the CRM half and, like it, without audit entries or versions.
//!
//! Distributions aim at what an agency's data looks like and at what the benchmarks need:
//! - projects go to clients with a skew (a fifth of them to twenty big clients; with
//!   `skewed`, a quarter to the twenty clients with the most contacts, the busiest most);
//! - the first project is "Bench board" with exactly [`BOARD_TASKS`] tasks, the board that
//!   `scripts/bench` measures; the others share the remaining tasks, each ±50 % of the mean;
//! - statuses: 55 % done, 5 % cancelled, 40 % open across backlog, todo, in progress and
//!   blocked; due dates spread over ±120 days around today, a tenth undated;
//! - assignees: the workspace's first owner (the user `scripts/bench` signs in as) gets about
//!   [`FOCUS_OPEN_TASKS`] open tasks, a tenth go to role slots, a fifth to nobody, the rest
//!   to the other members with a Zipf-like skew.

use std::time::{Duration, Instant};

use anyhow::Context;
use cairn_domain::delivery::TaskStatus;
use cairn_store::entities::{
    client, contact, membership, milestone, project, project_member, tagging, task,
    task_dependency, time_entry, workspace,
};
use cairn_store::sea_orm::prelude::Uuid;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use cairn_store::{Backend, Store};
use serde_json::json;

use super::{Rng, insert_chunks};

/// Tasks on the benchmarked board.
pub const BOARD_TASKS: u64 = 500;
/// Open tasks the focus user (the first owner) gets in My work.
pub const FOCUS_OPEN_TASKS: u64 = 2_000;
/// Projects (with all their rows) built and inserted at a time.
const PROJECTS_PER_BATCH: usize = 50;
/// Tasks per transaction, about. Each commit writes every page it dirtied to the WAL and then
/// into the database; rows reach most task indexes in random order, so a commit dirties pages
/// all over them, and fewer, larger commits write each page fewer times.
const TASKS_PER_COMMIT: u64 = 100_000;

const STATUSES: &[(TaskStatus, u64)] = &[
    (TaskStatus::Done, 55),
    (TaskStatus::Cancelled, 5),
    (TaskStatus::Backlog, 8),
    (TaskStatus::Todo, 16),
    (TaskStatus::InProgress, 12),
    (TaskStatus::Blocked, 4),
];
const OPEN_SHARE: f64 = 0.40;
const PRIORITIES: &[(&str, u64)] = &[("p0", 5), ("p1", 20), ("p2", 50), ("p3", 25)];
const PROJECT_STATUSES: &[(&str, u64)] = &[
    ("active", 55),
    ("pipeline", 10),
    ("on_hold", 10),
    ("completed", 20),
    ("cancelled", 5),
];
const PROJECT_TYPES: &[&str] = &[
    "discovery",
    "poc",
    "implementation",
    "training",
    "retainer",
    "production",
    "mixed",
];
const HEALTH: &[(Option<&str>, u64)] = &[
    (None, 30),
    (Some("on_track"), 50),
    (Some("at_risk"), 15),
    (Some("off_track"), 5),
];
const MILESTONES: &[&str] = &["Discovery", "Build", "Launch"];
const SLOTS: &[(&str, &str)] = &[("Lead", "Delivery"), ("Engineer", "Engineering")];
const VERBS: &[&str] = &[
    "Draft",
    "Review",
    "Ship",
    "Fix",
    "Plan",
    "Test",
    "Document",
    "Migrate",
    "Design",
    "Audit",
    "Prepare",
    "Update",
    "Clean up",
    "Benchmark",
    "Present",
];
const OBJECTS: &[&str] = &[
    "onboarding flow",
    "data pipeline",
    "prompt library",
    "kickoff agenda",
    "SSL certificates",
    "landing page",
    "evaluation set",
    "access review",
    "training deck",
    "retrieval index",
    "billing export",
    "shot list",
    "QA checklist",
    "status report",
    "roadmap",
];

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub workspace: String,
    pub projects: u64,
    pub tasks: u64,
    pub seed: u64,
    pub analyze: bool,
    /// Big clients are the twenty with the most contacts, and they get a quarter of the
    /// projects, the busiest most (weights 1/√rank: of 5,000 projects the first gets about 170
    /// and the twentieth about 40) (`cairn demo --scale`). Off: the twenty first by name share
    /// a fifth of the projects evenly (`bench-data`).
    pub skewed: bool,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub projects: u64,
    pub milestones: u64,
    pub slots: u64,
    pub tasks: u64,
    pub focus_open_tasks: u64,
    pub dependencies: u64,
    pub time_entries: u64,
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows = self.projects
            + self.milestones
            + self.slots
            + self.tasks
            + self.dependencies
            + self.time_entries;
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "generated {} projects, {} milestones, {} role slots, {} tasks ({} open for the first \
             owner), {} dependencies, {} time entries; {} rows in {:.2} s ({:.0} rows/s)",
            self.projects,
            self.milestones,
            self.slots,
            self.tasks,
            self.focus_open_tasks,
            self.dependencies,
            self.time_entries,
            rows,
            secs,
            rows as f64 / secs.max(1e-9)
        )
    }
}

/// The (up to) twenty clients of `visible` with the most contacts, busiest first.
async fn busiest_clients(
    store: &Store,
    workspace: Uuid,
    visible: &[Uuid],
) -> anyhow::Result<Vec<Uuid>> {
    let open: std::collections::HashSet<Uuid> = visible.iter().copied().collect();
    let counts: Vec<(Uuid, i64)> = contact::Entity::find()
        .select_only()
        .column(contact::Column::ClientId)
        .column_as(contact::Column::Id.count(), "n")
        .filter(contact::Column::WorkspaceId.eq(workspace))
        .group_by(contact::Column::ClientId)
        .order_by_desc(contact::Column::Id.count())
        .order_by_asc(contact::Column::ClientId)
        .limit(200)
        .into_tuple()
        .all(store.reader())
        .await?;
    let mut big: Vec<Uuid> = counts
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| open.contains(c))
        .take(20)
        .collect();
    if big.is_empty() {
        big = visible.iter().take(20).copied().collect();
    }
    Ok(big)
}

/// Fills the workspace's delivery tables; the CRM half must have created its clients.
pub async fn generate(store: &Store, opts: &Options) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut summary = Summary::default();
    if opts.projects == 0 {
        return Ok(summary);
    }
    let slug = opts.workspace.trim().to_lowercase();
    let ws = workspace::Entity::find()
        .filter(workspace::Column::Slug.eq(slug.as_str()))
        .one(store.reader())
        .await?
        .with_context(|| format!("no workspace with the slug {slug:?}"))?;
    let members: Vec<membership::Model> = membership::Entity::find()
        .filter(membership::Column::WorkspaceId.eq(ws.id))
        .filter(membership::Column::DisabledAt.is_null())
        .order_by_asc(membership::Column::CreatedAt)
        .order_by_asc(membership::Column::UserId)
        .all(store.reader())
        .await?;
    let workers: Vec<Uuid> = members
        .iter()
        .filter(|m| m.role != "viewer")
        .map(|m| m.user_id)
        .collect();
    let focus = members
        .iter()
        .find(|m| m.role == "owner")
        .map(|m| m.user_id)
        .context("the workspace has no owner")?;
    let others: Vec<(Uuid, u64)> = workers
        .iter()
        .filter(|u| **u != focus)
        .enumerate()
        .map(|(i, u)| (*u, 1_000 / (i as u64 + 1)))
        .collect();
    // Only clients everyone sees: the focus user must see all of its work.
    let clients: Vec<Uuid> = client::Entity::find()
        .select_only()
        .column(client::Column::Id)
        .filter(client::Column::WorkspaceId.eq(ws.id))
        .filter(client::Column::Visibility.eq("everyone"))
        .filter(client::Column::ArchivedAt.is_null())
        .order_by_asc(client::Column::SortKey)
        .into_tuple()
        .all(store.reader())
        .await?;
    anyhow::ensure!(!clients.is_empty(), "generate clients first (--clients)");
    let (big, big_share) = if opts.skewed {
        (busiest_clients(store, ws.id, &clients).await?, 25)
    } else {
        (clients.iter().take(20).copied().collect(), 20)
    };
    let big: Vec<(Uuid, u64)> = big
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c,
                if opts.skewed {
                    (1_000.0 / ((i + 1) as f64).sqrt()) as u64
                } else {
                    1
                },
            )
        })
        .collect();
    let tags: Vec<Uuid> = cairn_store::entities::tag::Entity::find()
        .select_only()
        .column(cairn_store::entities::tag::Column::Id)
        .filter(cairn_store::entities::tag::Column::WorkspaceId.eq(ws.id))
        .into_tuple()
        .all(store.reader())
        .await?;

    let mut rng = Rng::new(opts.seed ^ 0xD311_7E27);
    let now = cairn_domain::time::now();
    let today = now.date_naive();
    let focus_share =
        ((FOCUS_OPEN_TASKS as f64) / (opts.tasks.max(1) as f64 * OPEN_SHARE)).min(0.3);
    let rest = opts.tasks.saturating_sub(BOARD_TASKS.min(opts.tasks));
    let mean = rest as f64 / (opts.projects.saturating_sub(1).max(1)) as f64;
    let mut remaining = opts.tasks;

    super::bulk_load_cache(store, true).await?;
    let mut tx = store.write().await?;
    let mut uncommitted = 0u64;
    let mut p = 0u64;
    while p < opts.projects {
        let batch = (opts.projects - p).min(PROJECTS_PER_BATCH as u64);
        let (mut projects, mut milestones, mut slots, mut tasks, mut deps, mut taggings, mut time) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for _ in 0..batch {
            let id = Uuid::now_v7();
            let client_id = if rng.chance(big_share) {
                if opts.skewed {
                    *rng.weighted(&big)
                } else {
                    big[rng.below(big.len() as u64) as usize].0
                }
            } else {
                *rng.pick(&clients)
            };
            let name = if p == 0 {
                "Bench board".to_string()
            } else {
                format!("{} {} #{}", rng.pick(VERBS), rng.pick(OBJECTS), p)
            };
            let start = today - chrono::Duration::days(rng.below(400) as i64);
            let health = *rng.weighted(HEALTH);
            projects.push(project::ActiveModel {
                id: Set(id),
                workspace_id: Set(ws.id),
                client_id: Set(client_id),
                sort_key: Set(name.to_lowercase()),
                name: Set(name),
                project_type: Set(rng.pick(PROJECT_TYPES).to_string()),
                status: Set(rng.weighted(PROJECT_STATUSES).to_string()),
                start_date: Set(Some(start)),
                target_end_date: Set(Some(
                    start + chrono::Duration::days(30 + rng.below(300) as i64),
                )),
                goals: Set(String::new()),
                description: Set(String::new()),
                budget_type: Set(Some("fixed".into())),
                budget_cents: Set(Some(100 * (5_000 + rng.below(95_000) as i64))),
                health: Set(health.map(str::to_string)),
                health_summary: Set(health.map(|_| "Generated".to_string())),
                health_updated_at: Set(health.map(|_| now)),
                template_key: Set(None),
                allow_due_before_start: Set(true),
                created_at: Set(now),
                created_by: Set(Some(focus)),
                updated_at: Set(now),
                updated_by: Set(Some(focus)),
                version: Set(1),
                archived_at: Set(None),
                custom: Set(json!({})),
            });
            let ms: Vec<Uuid> = MILESTONES.iter().map(|_| Uuid::now_v7()).collect();
            for (i, (mid, mname)) in ms.iter().zip(MILESTONES).enumerate() {
                milestones.push(milestone::ActiveModel {
                    id: Set(*mid),
                    workspace_id: Set(ws.id),
                    project_id: Set(id),
                    name: Set(mname.to_string()),
                    description: Set(String::new()),
                    due_date: Set(Some(start + chrono::Duration::days(30 * (i as i64 + 1)))),
                    status: Set("in_progress".into()),
                    progress_manual: Set(None),
                    position: Set(i as i64),
                    created_at: Set(now),
                    created_by: Set(Some(focus)),
                    updated_at: Set(now),
                    updated_by: Set(Some(focus)),
                    version: Set(1),
                    archived_at: Set(None),
                    custom: Set(json!({})),
                });
            }
            let sl: Vec<Uuid> = SLOTS.iter().map(|_| Uuid::now_v7()).collect();
            for (i, (sid, (role, dept))) in sl.iter().zip(SLOTS).enumerate() {
                slots.push(project_member::ActiveModel {
                    id: Set(*sid),
                    workspace_id: Set(ws.id),
                    project_id: Set(id),
                    role: Set(role.to_string()),
                    department: Set(Some(dept.to_string())),
                    user_id: Set((i == 0 && !others.is_empty()).then(|| *rng.weighted(&others))),
                    position: Set(i as i64),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
            let n = if p == 0 {
                BOARD_TASKS.min(remaining)
            } else if p + 1 == opts.projects {
                remaining
            } else {
                ((mean * (0.5 + rng.below(1_000) as f64 / 1_000.0)).round() as u64).min(remaining)
            };
            remaining -= n;
            let mut positions = [0i64; 6];
            let mut previous: Option<Uuid> = None;
            for _ in 0..n {
                let tid = Uuid::now_v7();
                let status = *rng.weighted(STATUSES);
                let col = TaskStatus::ALL
                    .iter()
                    .position(|s| *s == status)
                    .unwrap_or(0);
                positions[col] += 1024;
                let due = rng
                    .chance(90)
                    .then(|| today + chrono::Duration::days(rng.below(241) as i64 - 120));
                let roll = rng.below(1_000_000) as f64 / 1_000_000.0;
                let (user, slot) = if roll < focus_share {
                    (Some(focus), None)
                } else if roll < focus_share + 0.10 {
                    (None, Some(sl[rng.below(sl.len() as u64) as usize]))
                } else if roll < focus_share + 0.30 || others.is_empty() {
                    (None, None)
                } else {
                    (Some(*rng.weighted(&others)), None)
                };
                if user == Some(focus) && status.is_open() {
                    summary.focus_open_tasks += 1;
                }
                tasks.push(task::ActiveModel {
                    id: Set(tid),
                    workspace_id: Set(ws.id),
                    project_id: Set(Some(id)),
                    client_id: Set(Some(client_id)),
                    title: Set(format!("{} {}", rng.pick(VERBS), rng.pick(OBJECTS))),
                    description: Set(String::new()),
                    status: Set(status.as_str().into()),
                    priority: Set(rng.weighted(PRIORITIES).to_string()),
                    due_date: Set(due),
                    assignee_user_id: Set(user),
                    assignee_slot_id: Set(slot),
                    milestone_id: Set(rng
                        .chance(70)
                        .then(|| ms[rng.below(ms.len() as u64) as usize])),
                    source_meeting_id: Set(None),
                    linked_asset_id: Set(None),
                    linked_production_id: Set(None),
                    estimate_minutes: Set(rng.chance(50).then(|| 30 * (1 + rng.below(16) as i32))),
                    position: Set(positions[col]),
                    completed_at: Set((status == TaskStatus::Done).then_some(now)),
                    created_at: Set(now),
                    created_by: Set(Some(focus)),
                    updated_at: Set(now - chrono::Duration::seconds(rng.below(30_000_000) as i64)),
                    updated_by: Set(Some(focus)),
                    version: Set(1),
                    archived_at: Set(None),
                    custom: Set(json!({})),
                });
                if let Some(prev) = previous
                    && rng.chance(5)
                {
                    deps.push(task_dependency::ActiveModel {
                        task_id: Set(tid),
                        depends_on_id: Set(prev),
                        workspace_id: Set(ws.id),
                        created_at: Set(now),
                        created_by: Set(Some(focus)),
                    });
                }
                if !tags.is_empty() && rng.chance(10) {
                    taggings.push(tagging::ActiveModel {
                        tag_id: Set(*rng.pick(&tags)),
                        record_type: Set("task".into()),
                        record_id: Set(tid),
                        workspace_id: Set(ws.id),
                    });
                }
                previous = Some(tid);
            }
            summary.tasks += n;
            for _ in 0..2 {
                time.push(time_entry::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    workspace_id: Set(ws.id),
                    user_id: Set(focus),
                    project_id: Set(id),
                    client_id: Set(client_id),
                    task_id: Set(None),
                    entry_date: Set(today - chrono::Duration::days(rng.below(60) as i64)),
                    minutes: Set(15 * (1 + rng.below(32) as i32)),
                    note: Set(String::new()),
                    billable: Set(rng.chance(80)),
                    created_at: Set(now),
                    created_by: Set(Some(focus)),
                    updated_at: Set(now),
                    updated_by: Set(Some(focus)),
                    version: Set(1),
                    archived_at: Set(None),
                    custom: Set(json!({})),
                });
            }
            p += 1;
        }
        summary.projects += projects.len() as u64;
        summary.milestones += milestones.len() as u64;
        summary.slots += slots.len() as u64;
        summary.dependencies += deps.len() as u64;
        summary.time_entries += time.len() as u64;
        uncommitted += tasks.len() as u64;
        insert_chunks(&tx, projects).await?;
        insert_chunks(&tx, milestones).await?;
        insert_chunks(&tx, slots).await?;
        insert_chunks(&tx, tasks).await?;
        insert_chunks(&tx, deps).await?;
        insert_chunks(&tx, taggings).await?;
        insert_chunks(&tx, time).await?;
        if uncommitted >= TASKS_PER_COMMIT {
            tx.commit().await?;
            tx = store.write().await?;
            uncommitted = 0;
        }
    }
    tx.commit().await?;
    super::bulk_load_cache(store, false).await?;
    if opts.analyze || store.backend() == Backend::Postgres {
        for t in [
            "projects",
            "milestones",
            "project_members",
            "tasks",
            "task_dependencies",
            "taggings",
            "time_entries",
        ] {
            store
                .writer()
                .execute_unprepared(&format!("ANALYZE {t}"))
                .await?;
        }
    }
    super::record_generated(
        store,
        ws.id,
        serde_json::json!({"projects": summary.projects, "tasks": summary.tasks}),
    )
    .await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
