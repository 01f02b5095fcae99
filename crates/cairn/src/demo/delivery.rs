//! The demo agency's delivery: a project from each built-in template (plus a retainer made by
//! hand), dated around today so work is overdue, due today and upcoming; role slots staffed by
//! the demo members so their My work is full; tasks moved through every status, with
//! dependencies that block, comments, quick captures, milestones, project health with a
//! history, and two weeks of time entries.

use anyhow::Context;
use cairn_core::delivery::milestones::MilestoneChanges;
use cairn_core::delivery::projects::ProjectChanges;
use cairn_core::delivery::slots::SlotChanges;
use cairn_core::delivery::tasks::{TaskChanges, TaskFilter, TaskView};
use cairn_core::delivery::time::TimeEntryChanges;
use cairn_core::page::PageRequest;
use cairn_core::{Actor, Cairn};
use cairn_domain::delivery::workdays::add_working_days;
use cairn_store::sea_orm::prelude::Uuid;
use chrono::NaiveDate;

use super::crm::DemoClients;
use super::team::Team;

/// Monday to Friday, the default working week of a workspace.
const WORKING_DAYS: [u32; 5] = [1, 2, 3, 4, 5];

/// A demo project.
struct ProjectSeed {
    client: &'static str,
    name: &'static str,
    /// A built-in template key; `None` for a project made by hand.
    template: Option<&'static str>,
    status: &'static str,
    /// Working days from today to the start (negative: started already).
    start: i32,
    budget_type: &'static str,
    budget: f64,
    goals: &'static str,
    /// Health settings, oldest first.
    health: &'static [(&'static str, &'static str)],
    /// Who fills the template's role slots, in order ("" leaves the slot open).
    staff: &'static [&'static str],
    tags: &'static [&'static str],
}

#[rustfmt::skip]
const PROJECTS: &[ProjectSeed] = &[
    ProjectSeed {
        client: "northwind", name: "Northwind AI roadmap", template: Some("ai-discovery"),
        status: "active", start: -9, budget_type: "fixed", budget: 24_000.0,
        goals: "A prioritised, costed AI roadmap the board can approve in its next meeting.",
        health: &[
            ("on_track", "Kickoff done; interviews booked for next week."),
            ("at_risk", "TMS data access came two days late: the data audit is behind, interviews are on schedule."),
        ],
        staff: &["owner", "member", "admin"], tags: &["AI"],
    },
    ProjectSeed {
        client: "northwind", name: "Route-planning pilot", template: Some("poc-pilot"),
        status: "pipeline", start: 12, budget_type: "fixed", budget: 38_000.0,
        goals: "Prove that AI route planning cuts empty kilometres by 10% in two depots.",
        health: &[], staff: &["owner", "admin", ""], tags: &["AI"],
    },
    ProjectSeed {
        client: "northwind", name: "Analytics retainer", template: None,
        status: "active", start: -60, budget_type: "retainer", budget: 4_500.0,
        goals: "Monthly KPI reporting and small dashboard changes, up to 30 hours a month.",
        health: &[("on_track", "Monthly reports delivered on time.")],
        staff: &[], tags: &["Retainer"],
    },
    ProjectSeed {
        client: "bluefin", name: "Support copilot rollout", template: Some("implementation"),
        status: "active", start: -22, budget_type: "time_and_materials", budget: 65_000.0,
        goals: "Answer drafts for 60% of tickets, reviewed by agents, live for all support teams.",
        health: &[
            ("on_track", "Solution design signed off."),
            ("on_track", "Core features on staging; integrations this week."),
        ],
        staff: &["admin", "member", "owner"], tags: &["AI"],
    },
    ProjectSeed {
        client: "copperleaf", name: "GenAI for clinicians workshop", template: Some("training-workshop"),
        status: "active", start: 4, budget_type: "fixed", budget: 9_500.0,
        goals: "18 clinicians leave able to judge where generative AI helps, and where it must not.",
        health: &[("on_track", "Venue booked; 18 clinicians confirmed.")],
        staff: &["member", "admin", "owner"], tags: &["AI"],
    },
    ProjectSeed {
        client: "harbor", name: "Website relaunch", template: Some("website-build"),
        status: "active", start: -13, budget_type: "fixed", budget: 42_000.0,
        goals: "A faster site that sells more direct bookings before the summer season.",
        health: &[
            ("at_risk", "Copy for the rooms pages is late."),
            ("on_track", "Copy received; designs are back on schedule."),
        ],
        staff: &["member", "owner", "admin", "member"], tags: &["Web"],
    },
    ProjectSeed {
        client: "meridian", name: "Low Tide title sequence VFX", template: Some("shot-production"),
        status: "active", start: -8, budget_type: "fixed", budget: 28_000.0,
        goals: "Twelve water-heavy shots for the title sequence, delivered to the DI on time.",
        health: &[
            ("on_track", "Plates in, bids approved."),
            ("at_risk", "Client notes on the temps doubled the roto work; finals at risk by two days."),
        ],
        staff: &["admin", "owner", "member", ""], tags: &["Studio"],
    },
    ProjectSeed {
        client: "quarry", name: "Vision inspection PoC", template: Some("poc-pilot"),
        status: "completed", start: -70, budget_type: "fixed", budget: 30_000.0,
        goals: "Detect surface defects on the stamping line with 95% recall.",
        health: &[("on_track", "Pilot met 3 of 4 criteria; the client continues in-house.")],
        staff: &["admin", "member", "owner"], tags: &["AI"],
    },
];

/// Tasks of the hand-made retainer: (title, status, priority, days from today, assignee).
#[rustfmt::skip]
const RETAINER_TASKS: &[(&str, &str, &str, i64, &str)] = &[
    ("Add fuel costs to the margin report", "done", "p2", -8, "member"),
    ("Fix the late-deliveries chart after the TMS upgrade", "todo", "p1", -2, "admin"),
    ("Refresh the depot dashboard filters", "in_progress", "p2", 2, "member"),
    ("Monthly KPI report", "todo", "p1", 5, "admin"),
    ("Quarterly review deck", "backlog", "p3", 30, "owner"),
];

/// Quick captures typed into the header box: (who, line).
const CAPTURES: &[(&str, &str)] = &[
    (
        "owner",
        "Chase the signed NDA for Vantage Capital today !p1",
    ),
    (
        "owner",
        "Renew the SSL certificate for Harbor & Pine Hotels tomorrow !p1 #ops @marcus",
    ),
    (
        "member",
        "Send the PoC proposal for Juniper Foods friday !p2 @priya",
    ),
    ("admin", "Book the team offsite venue next week #ops"),
    (
        "member",
        "Update the portfolio page with Low Tide stills in 2 weeks",
    ),
];

/// Minutes of the demo's time entries, cycled.
const MINUTES: [i32; 9] = [90, 120, 240, 60, 180, 300, 45, 150, 210];

/// A project as written, for the time entries.
struct Made {
    id: Uuid,
    status: &'static str,
    start: NaiveDate,
    tasks: Vec<TaskView>,
}

/// Writes the projects and everything under them.
pub async fn populate(app: &Cairn, team: &Team, clients: &DemoClients) -> anyhow::Result<()> {
    let today = cairn_core::delivery::today_for(&team.owner);
    let mut made = Vec::new();
    for seed in PROJECTS {
        let p = project(app, team, clients, seed, today)
            .await
            .with_context(|| format!("project {}", seed.name))?;
        made.push(p);
    }
    for (who, line) in CAPTURES {
        app.capture(team.by_role(who), line, false)
            .await
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("capturing {line:?}"))?;
    }
    time_entries(app, team, &made, today).await
}

/// One project: created from its template, staffed, its tasks moved along, its milestones and
/// health set.
async fn project(
    app: &Cairn,
    team: &Team,
    clients: &DemoClients,
    seed: &ProjectSeed,
    today: NaiveDate,
) -> anyhow::Result<Made> {
    let lead = team.by_role(seed.staff.first().copied().unwrap_or("owner"));
    let start = add_working_days(today, seed.start, &WORKING_DAYS);
    let changes = ProjectChanges {
        client_id: Some(clients.ids[seed.client]),
        name: Some(seed.name.into()),
        project_type: seed.template.is_none().then(|| "retainer".to_string()),
        status: Some(seed.status.into()),
        start_date: Some(Some(start.to_string())),
        target_end_date: seed
            .template
            .is_none()
            .then(|| Some((start + chrono::Duration::days(365)).to_string())),
        goals: Some(seed.goals.into()),
        budget_type: Some(Some(seed.budget_type.into())),
        budget_value: Some(Some(seed.budget)),
        tags: Some(seed.tags.iter().map(|t| clients.tags[t]).collect()),
        ..Default::default()
    };
    let p = app
        .create_project(&team.owner, changes, seed.template)
        .await
        .map_err(anyhow::Error::msg)?;
    let slots = app
        .list_slots(&team.owner, p.id)
        .await
        .map_err(anyhow::Error::msg)?;
    for (slot, who) in slots.iter().zip(seed.staff) {
        if who.is_empty() {
            continue;
        }
        app.update_slot(
            &team.owner,
            slot.id,
            SlotChanges {
                user_id: Some(Some(team.by_role(who).user_id.0)),
                ..Default::default()
            },
        )
        .await
        .map_err(anyhow::Error::msg)?;
    }
    if seed.template.is_none() {
        for (title, status, priority, days, who) in RETAINER_TASKS {
            app.create_task(
                team.by_role(who),
                TaskChanges {
                    project_id: Some(Some(p.id)),
                    title: Some((*title).into()),
                    status: Some((*status).into()),
                    priority: Some((*priority).into()),
                    due_date: Some(Some((today + chrono::Duration::days(*days)).to_string())),
                    assignee_user_id: Some(Some(team.by_role(who).user_id.0)),
                    ..Default::default()
                },
            )
            .await
            .map_err(anyhow::Error::msg)?;
        }
    } else {
        move_tasks(app, team, p.id, seed.status, today).await?;
        milestones(app, lead, p.id, today).await?;
    }
    for (health, summary) in seed.health {
        app.set_project_health(lead, p.id, health, summary)
            .await
            .map_err(anyhow::Error::msg)?;
    }
    Ok(Made {
        id: p.id,
        status: seed.status,
        start,
        tasks: project_tasks(app, &team.owner, p.id).await?,
    })
}

/// The project's tasks by due date (template order within a day).
async fn project_tasks(app: &Cairn, actor: &Actor, id: Uuid) -> anyhow::Result<Vec<TaskView>> {
    let filter = TaskFilter {
        project: Some(id),
        ..Default::default()
    };
    let page = PageRequest {
        limit: Some(200),
        cursor: None,
    };
    let mut tasks = app
        .list_tasks(actor, &filter, &page)
        .await
        .map_err(anyhow::Error::msg)?
        .items;
    tasks.sort_by_key(|t| t.due_date);
    Ok(tasks)
}

/// Sets a task's status (and any other change) as the person who does it.
async fn change(
    app: &Cairn,
    team: &Team,
    task: &TaskView,
    changes: TaskChanges,
) -> anyhow::Result<()> {
    let who = team.by_user(task.assignee.as_ref().map(|u| u.id));
    app.update_task(who, task.id, changes, None)
        .await
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("task {}", task.title))?;
    Ok(())
}

fn status(s: &str) -> TaskChanges {
    TaskChanges {
        status: Some(s.into()),
        ..Default::default()
    }
}

/// Moves a template project's tasks the way real work goes: most past work done, a third of it
/// still open (overdue), one task cancelled, today's work in progress, one upcoming task
/// blocked by hand and one blocked by an open prerequisite, far work in the backlog.
async fn move_tasks(
    app: &Cairn,
    team: &Team,
    project: Uuid,
    project_status: &str,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let tasks = project_tasks(app, &team.owner, project).await?;
    match project_status {
        "completed" => {
            for (i, t) in tasks.iter().enumerate() {
                let s = if i + 1 == tasks.len() {
                    "cancelled"
                } else {
                    "done"
                };
                change(app, team, t, status(s)).await?;
            }
            return Ok(());
        }
        "pipeline" => {
            for t in tasks.iter().skip(tasks.len() * 2 / 3) {
                change(app, team, t, status("backlog")).await?;
            }
            return Ok(());
        }
        _ => {}
    }
    let due = |t: &TaskView| t.due_date.unwrap_or(today);
    let past: Vec<&TaskView> = tasks.iter().filter(|t| due(t) < today).collect();
    let current: Vec<&TaskView> = tasks.iter().filter(|t| due(t) == today).collect();
    let future: Vec<&TaskView> = tasks.iter().filter(|t| due(t) > today).collect();
    let mut overdue = None;
    let mut last_done = None;
    for (i, t) in past.iter().enumerate() {
        let s = if i == 1 && past.len() >= 4 {
            "cancelled"
        } else if i % 3 == 2 {
            overdue = Some(t.id);
            if (i / 3) % 2 == 0 {
                "in_progress"
            } else {
                "todo"
            }
        } else {
            last_done = Some(t.id);
            "done"
        };
        change(app, team, t, status(s)).await?;
    }
    for t in &current {
        change(app, team, t, status("in_progress")).await?;
    }
    for (i, t) in future.iter().enumerate() {
        let far = due(t) > today + chrono::Duration::days(21);
        match i {
            // Something is due today in every running project.
            0 if current.is_empty() => {
                let ch = TaskChanges {
                    status: Some("in_progress".into()),
                    due_date: Some(Some(today.to_string())),
                    ..Default::default()
                };
                change(app, team, t, ch).await?;
            }
            1 => {
                let ch = TaskChanges {
                    status: Some("blocked".into()),
                    assignee_user_id: Some(Some(team.owner.user_id.0)),
                    ..Default::default()
                };
                change(app, team, t, ch).await?;
                app.add_comment(
                    &team.owner,
                    t.id,
                    "Blocked: waiting for the client to sign off the previous step. Chased by \
                     email on Monday; raising it at Thursday's check-in.",
                )
                .await
                .map_err(anyhow::Error::msg)?;
            }
            _ if far => change(app, team, t, status("backlog")).await?,
            _ => {}
        }
    }
    // Prerequisites: an upcoming task waits for an overdue one (so it shows as blocked), and
    // another for work already done (so it does not).
    let prerequisites = [(future.get(2), overdue), (future.get(3), last_done)];
    for (task, prerequisite) in prerequisites {
        if let (Some(t), Some(d)) = (task, prerequisite) {
            app.add_task_dependency(&team.owner, t.id, d)
                .await
                .map_err(anyhow::Error::msg)?;
        }
    }
    if let Some(id) = overdue {
        app.add_comment(
            &team.member,
            id,
            "Half done; the rest needs an hour with the client's IT team, booked for tomorrow.",
        )
        .await
        .map_err(anyhow::Error::msg)?;
    }
    Ok(())
}

/// Milestones follow their tasks: done when all their tasks are, in progress when due or next.
async fn milestones(
    app: &Cairn,
    lead: &Actor,
    project: Uuid,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let list = app
        .list_milestones(lead, project, false)
        .await
        .map_err(anyhow::Error::msg)?;
    let mut next_seen = false;
    for m in list {
        let finished = m.tasks_total > 0 && m.tasks_done == m.tasks_total;
        let status = if finished {
            "done"
        } else if m.due_date.is_some_and(|d| d < today) || !next_seen {
            next_seen = true;
            "in_progress"
        } else {
            continue;
        };
        app.update_milestone(
            lead,
            m.id,
            MilestoneChanges {
                status: Some(status.into()),
                ..Default::default()
            },
            None,
        )
        .await
        .map_err(anyhow::Error::msg)?;
    }
    Ok(())
}

/// Two weeks of time: every working day before today, each demo member logs one or two
/// entries on the running projects they staff, against one of their tasks.
async fn time_entries(
    app: &Cairn,
    team: &Team,
    made: &[Made],
    today: NaiveDate,
) -> anyhow::Result<()> {
    let people = [&team.owner, &team.admin, &team.member];
    for (u, person) in people.iter().enumerate() {
        let mine: Vec<(&Made, Vec<&TaskView>)> = made
            .iter()
            .filter(|p| p.status == "active" && p.start <= today + chrono::Duration::days(7))
            .map(|p| {
                let tasks = p
                    .tasks
                    .iter()
                    .filter(|t| t.assignee.as_ref().map(|a| a.id) == Some(person.user_id.0))
                    .collect::<Vec<_>>();
                (p, tasks)
            })
            .filter(|(_, tasks)| !tasks.is_empty())
            .collect();
        if mine.is_empty() {
            continue;
        }
        for k in 1..=10i32 {
            let date = add_working_days(today, -k, &WORKING_DAYS);
            let entries = 1 + (k as usize + u) % 2;
            for j in 0..entries {
                let n = k as usize * 3 + u * 5 + j;
                let (p, tasks) = &mine[(k as usize + u + j) % mine.len()];
                let task = tasks[n % tasks.len()];
                app.create_time_entry(
                    person,
                    TimeEntryChanges {
                        project_id: Some(p.id),
                        task_id: Some(Some(task.id)),
                        date: Some(date.to_string()),
                        minutes: Some(MINUTES[n % MINUTES.len()]),
                        note: Some(task.title.clone()),
                        billable: Some(!n.is_multiple_of(6)),
                        ..Default::default()
                    },
                )
                .await
                .map_err(anyhow::Error::msg)
                .context("time entry")?;
            }
        }
    }
    Ok(())
}
