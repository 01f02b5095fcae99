//! `cairn demo`: a realistic demo workspace to look around in, and with `--scale large` the
//! data set the quality bars are measured on.
//!
//! The demo is an agency ("Fernhill Studio") with clients in every status, contacts,
//! interactions, a project from each built-in template, tasks in every state (some overdue,
//! some blocked, some due today), staffed role slots, quick captures and time entries. It is
//! written through the same use cases as the UI and the API ([`team`], [`crm`], [`delivery`]),
//! so it is validated, versioned and audited like anything a user types.
//!
//! Safety: the command writes only into a workspace it created, which it marks with
//! `settings.demo = true`. It refuses a workspace without that mark, and accounts that belong
//! to anything else, before writing anything. Run again on a demo workspace it adds no data
//! and only gives the demo logins fresh passwords (they are stored hashed, so they cannot be
//! shown again).

pub mod crm;
pub mod delivery;
pub mod scale;
pub mod team;

use anyhow::{Context, bail};
use cairn_core::Cairn;
use cairn_store::entities::{membership, user, workspace};
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub use scale::Scale;
pub use team::Login;

/// The name the demo agency's workspace is given.
pub const AGENCY_NAME: &str = "Fernhill Studio";

/// What to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// Slug of the demo workspace (`demo` by default).
    pub workspace: String,
    /// Bulk data on top of the demo, if asked for.
    pub scale: Option<Scale>,
}

/// What the run did, for the summary it prints.
#[derive(Debug, Clone)]
pub struct Report {
    pub slug: String,
    pub name: String,
    /// False when the workspace already held the demo data and only the logins were reset.
    pub populated: bool,
    pub logins: Vec<Login>,
    pub scale: Option<scale::Report>,
}

/// Whether a slug is new or an existing demo workspace; anything else was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Fresh,
    Demo,
}

/// Builds (or refreshes) the demo. Every refusal happens before the first write.
pub async fn run(app: &Cairn, opts: &Options) -> anyhow::Result<Report> {
    let slug = checked_slug(&opts.workspace)?;
    let target = check_target(app, &slug, &team::emails(&slug)).await?;
    if let Some(s) = &opts.scale {
        scale::check(app, &slug, s).await?;
    }
    let logins = match target {
        Target::Fresh => team::create_workspace(app, &slug, AGENCY_NAME).await?,
        Target::Demo => team::refresh_logins(app, &slug).await?,
    };
    let team = team::Team::load(app, &slug).await?;
    let empty = app
        .count_clients(&team.owner)
        .await
        .map_err(anyhow::Error::msg)?
        == 0
        && app
            .list_projects(
                &team.owner,
                &Default::default(),
                &cairn_core::page::PageRequest {
                    limit: Some(1),
                    cursor: None,
                },
            )
            .await
            .map_err(anyhow::Error::msg)?
            .items
            .is_empty();
    if empty {
        let clients = crm::populate(app, &team)
            .await
            .context("writing the demo clients")?;
        delivery::populate(app, &team, &clients)
            .await
            .context("writing the demo projects")?;
    }
    let scale = match &opts.scale {
        Some(s) => Some(scale::run(app, &slug, s).await?),
        None => None,
    };
    let name = team.owner.workspace_name.clone();
    Ok(Report {
        slug,
        name,
        populated: empty,
        logins,
        scale,
    })
}

/// The slug as given, if it is one: lower-case letters, digits and dashes, 2 to 30 characters
/// (so `<slug>-small-NN` still fits in a slug).
fn checked_slug(raw: &str) -> anyhow::Result<String> {
    let slug = raw.trim().to_lowercase();
    if slug.len() > 30 || cairn_domain::validate::slugify(&slug) != slug {
        bail!(
            "--workspace: {raw:?} is not a workspace slug; use 2 to 30 lower-case letters, digits \
             and dashes, such as demo"
        );
    }
    Ok(slug)
}

/// Refuses a workspace that is not a demo, and demo logins whose emails belong to accounts
/// outside it: the command must never change someone's real data or password.
pub(crate) async fn check_target(
    app: &Cairn,
    slug: &str,
    emails: &[String],
) -> anyhow::Result<Target> {
    let target = match app
        .workspace_is_demo(slug)
        .await
        .map_err(anyhow::Error::msg)?
    {
        None => Target::Fresh,
        Some(true) => Target::Demo,
        Some(false) => bail!(
            "the workspace {slug:?} exists and is not a demo workspace; `cairn demo` only writes \
             into workspaces it created. Nothing was changed. Choose another slug with \
             --workspace"
        ),
    };
    let db = app.store.reader();
    let ws = workspace::Entity::find()
        .filter(workspace::Column::Slug.eq(slug))
        .one(db)
        .await?;
    for email in emails {
        let Some(u) = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(db)
            .await?
        else {
            continue;
        };
        let member = match &ws {
            Some(w) => membership::Entity::find()
                .filter(membership::Column::WorkspaceId.eq(w.id))
                .filter(membership::Column::UserId.eq(u.id))
                .one(db)
                .await?
                .is_some(),
            None => false,
        };
        if !member {
            bail!(
                "{email} already has an account outside the demo workspace {slug:?}; `cairn demo` \
                 does not touch it. Nothing was changed. Choose another slug with --workspace"
            );
        }
    }
    Ok(target)
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.populated {
            writeln!(
                f,
                "Created the demo workspace {:?} ({}).",
                self.name, self.slug
            )?;
        } else {
            writeln!(
                f,
                "The demo workspace {:?} ({}) already holds its data; the demo logins got new \
                 passwords.",
                self.name, self.slug
            )?;
        }
        if let Some(s) = &self.scale {
            write!(f, "{s}")?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "Start the server with `cairn serve` (same --data-dir or --database-url) and sign in \
             at http://127.0.0.1:8080/login with one of these logins:"
        )?;
        writeln!(f)?;
        let width = self.logins.iter().map(|l| l.email.len()).max().unwrap_or(0);
        for l in &self.logins {
            writeln!(
                f,
                "  {:<7} {:<width$}  {}",
                l.role,
                l.email,
                l.password,
                width = width
            )?;
        }
        writeln!(f)?;
        write!(
            f,
            "Passwords are stored hashed and cannot be shown again: run `cairn demo` again for \
             new ones."
        )
    }
}
