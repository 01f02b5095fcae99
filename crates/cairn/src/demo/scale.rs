//! `cairn demo --scale large`: the data set of the quality bars on top of the demo. The demo
//! workspace gets staff and bulk clients, contacts, projects and tasks from the `bench-data`
//! generators (in their skewed mode: a few big clients, many small; work piled on a few
//! people), and smaller demo workspaces are created next to it, `<slug>-small-01`, ….
//!
//! Bulk rows bypass the use cases as `bench-data` does (no audit entries, no versions): a
//! million audited writes would take hours, and the history of generated rows tells nothing.
//! Accounts and workspaces still go through the use cases.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::Context;
use cairn_core::Cairn;
use cairn_store::Backend;
use cairn_store::sea_orm::ConnectionTrait;

use super::team;
use crate::seed::{self, Rng};

/// Sizes of the scale data.
#[derive(Debug, Clone)]
pub struct Scale {
    /// Generated clients in the demo workspace.
    pub clients: u64,
    /// Mean contacts per generated client.
    pub contacts_per_client: u64,
    /// Generated projects in the demo workspace (the first, "Bench board", gets 500 tasks).
    pub projects: u64,
    /// Generated tasks in the demo workspace.
    pub tasks: u64,
    /// Staff members added to the demo workspace to carry the work.
    pub staff: u64,
    /// Smaller demo workspaces next to the demo.
    pub workspaces: u64,
    /// Clients, projects and tasks of each smaller workspace.
    pub small_clients: u64,
    pub small_projects: u64,
    pub small_tasks: u64,
    /// Seed of the generators.
    pub seed: u64,
}

impl Scale {
    /// `--scale large`: the sizes of SPEC §6.
    pub fn large() -> Scale {
        Scale {
            clients: 10_000,
            contacts_per_client: 10,
            projects: 5_000,
            tasks: 1_000_000,
            staff: 24,
            workspaces: 50,
            small_clients: 300,
            small_projects: 40,
            small_tasks: 3_000,
            seed: 1,
        }
    }
}

/// Contacts per client of the smaller workspaces (their mean).
const SMALL_CONTACTS: u64 = 4;
/// Staff of each smaller workspace besides its owner.
const SMALL_STAFF: u64 = 3;

/// What the scale step wrote.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Summaries of the demo workspace's bulk data; `None` when it was there already.
    pub crm: Option<String>,
    pub delivery: Option<String>,
    pub small_created: Vec<String>,
    pub small_existing: u64,
    pub elapsed: Duration,
}

/// The slug of the `n`th smaller workspace.
pub fn small_slug(slug: &str, n: u64) -> String {
    format!("{slug}-small-{n:02}")
}

/// `count` staff of a workspace: (email, name), distinct and stable.
fn staff(slug: &str, count: u64) -> Vec<(String, String)> {
    let (first, last) = (seed::FIRST_NAMES, seed::LAST_NAMES);
    (0..count as usize)
        .map(|i| {
            let f = first[i % first.len()];
            let l = last[(i * 7 + 3 + i / first.len()) % last.len()];
            let local = format!("{}.{}", seed::slug(f, ""), seed::slug(l, ""));
            (team::email(&local, slug), format!("{f} {l}"))
        })
        .collect()
}

/// Refuses, before anything is written, smaller workspaces or staff accounts that are not the
/// demo's own.
pub async fn check(app: &Cairn, slug: &str, s: &Scale) -> anyhow::Result<()> {
    let emails: Vec<String> = staff(slug, s.staff).into_iter().map(|(e, _)| e).collect();
    super::check_target(app, slug, &emails).await?;
    for n in 1..=s.workspaces {
        let small = small_slug(slug, n);
        let mut emails = vec![team::email("owner", &small)];
        emails.extend(staff(&small, SMALL_STAFF).into_iter().map(|(e, _)| e));
        super::check_target(app, &small, &emails).await?;
    }
    Ok(())
}

/// Fills the demo workspace and creates the smaller ones; what exists already is kept.
pub async fn run(app: &Cairn, slug: &str, s: &Scale) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut report = Report::default();
    let owner = app
        .cli_actor(slug, &team::email("owner", slug))
        .await
        .map_err(anyhow::Error::msg)?;
    let clients = app
        .count_clients(&owner)
        .await
        .map_err(anyhow::Error::msg)?;
    if clients <= super::crm::CLIENT_COUNT as u64 {
        for (email, name) in staff(slug, s.staff) {
            if app.cli_actor(slug, &email).await.is_err() {
                team::add_user(app, slug, &email, &name, "member").await?;
            }
        }
        let (crm, delivery) = generate(
            app,
            slug,
            s.clients,
            s.contacts_per_client,
            s.projects,
            s.tasks,
            s.seed,
        )
        .await?;
        report.crm = Some(crm);
        report.delivery = Some(delivery);
    }
    let mut used = HashSet::new();
    let mut names = Rng::new(s.seed ^ 0x5A11);
    for n in 1..=s.workspaces {
        let small = small_slug(slug, n);
        let name = seed::company_name(&mut names, &mut used);
        if app
            .workspace_is_demo(&small)
            .await
            .map_err(anyhow::Error::msg)?
            .is_some()
        {
            report.small_existing += 1;
            continue;
        }
        let owner_name = {
            let (_, n) = &staff(&small, SMALL_STAFF + 1)[SMALL_STAFF as usize];
            n.clone()
        };
        team::create_owner(
            app,
            &small,
            &name,
            &team::email("owner", &small),
            &owner_name,
        )
        .await?;
        for (email, person) in staff(&small, SMALL_STAFF) {
            team::add_user(app, &small, &email, &person, "member").await?;
        }
        generate(
            app,
            &small,
            s.small_clients,
            SMALL_CONTACTS,
            s.small_projects,
            s.small_tasks,
            s.seed + n,
        )
        .await
        .with_context(|| format!("filling {small}"))?;
        report.small_created.push(small);
    }
    // A bulk load leaves the data in the write-ahead log; the server should not start from a
    // WAL of hundreds of megabytes that every read has to search.
    if app.store.backend() == Backend::Sqlite {
        app.store
            .writer()
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Runs both generators on one workspace; returns their summaries.
async fn generate(
    app: &Cairn,
    slug: &str,
    clients: u64,
    contacts_per_client: u64,
    projects: u64,
    tasks: u64,
    seed: u64,
) -> anyhow::Result<(String, String)> {
    let crm = seed::generate(
        &app.store,
        &seed::Options {
            workspace: slug.into(),
            clients,
            contacts_per_client,
            tags: 12,
            seed,
            analyze: false,
            skewed: true,
        },
    )
    .await?;
    let delivery = seed::delivery::generate(
        &app.store,
        &seed::delivery::Options {
            workspace: slug.into(),
            projects,
            tasks,
            seed,
            analyze: false,
            skewed: true,
        },
    )
    .await?;
    Ok((crm.to_string(), delivery.to_string()))
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.crm, &self.delivery) {
            (Some(c), Some(d)) => writeln!(f, "Scale data: {c}\nScale data: {d}")?,
            _ => writeln!(
                f,
                "Scale data: the demo workspace already holds its generated data; kept."
            )?,
        }
        if let (Some(first), Some(last)) = (self.small_created.first(), self.small_created.last()) {
            writeln!(
                f,
                "Created {} smaller demo workspaces, {first} to {last}: each has an owner \
                 owner@<slug>.cairn.test and three staff (set a password with `cairn admin \
                 reset-password`).",
                self.small_created.len()
            )?;
        }
        if self.small_existing > 0 {
            writeln!(
                f,
                "Kept {} smaller demo workspaces that existed already.",
                self.small_existing
            )?;
        }
        writeln!(f, "Scale step: {:.1} s.", self.elapsed.as_secs_f64())
    }
}
