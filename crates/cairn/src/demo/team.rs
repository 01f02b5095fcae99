//! The demo's people: one login per role, each with a fresh random password on every run, and
//! the actors the demo writes as.

use anyhow::Context;
use cairn_core::accounts::NewOwner;
use cairn_core::workspaces::WorkspacePatch;
use cairn_core::{Actor, Cairn, RequestMeta};
use cairn_store::sea_orm::prelude::Uuid;

/// One login per role: (role, local part of the email, name). The viewer stands for a
/// client's sponsor or an auditor.
pub const LOGINS: [(&str, &str, &str); 4] = [
    ("owner", "owner", "Olivia Bennett"),
    ("admin", "admin", "Marcus Reid"),
    ("member", "member", "Priya Shah"),
    ("viewer", "viewer", "Daniel Okafor"),
];

/// A demo login as printed at the end.
#[derive(Debug, Clone)]
pub struct Login {
    pub role: &'static str,
    pub name: &'static str,
    pub email: String,
    pub password: String,
}

/// The demo's email for a local part: `owner@demo.cairn.test` (`.test` is reserved, so no
/// mail can ever reach anyone).
pub fn email(local: &str, slug: &str) -> String {
    format!("{local}@{slug}.cairn.test")
}

/// The emails of the demo logins of a workspace.
pub fn emails(slug: &str) -> Vec<String> {
    LOGINS.iter().map(|(_, l, _)| email(l, slug)).collect()
}

/// A random password that is easy to copy: four groups of five letters and digits (about
/// 100 bits).
pub fn new_password() -> String {
    let token = cairn_core::secrets::new_token("");
    token
        .as_bytes()
        .chunks(5)
        .take(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn cli_meta() -> RequestMeta {
    RequestMeta {
        ip: None,
        user_agent: Some("cairn demo".into()),
    }
}

/// Creates the workspace `slug` named `name`, marked as a demo, with its owner; returns the
/// owner's password. The caller has checked that the slug and the email are free.
pub async fn create_owner(
    app: &Cairn,
    slug: &str,
    name: &str,
    owner_email: &str,
    owner_name: &str,
) -> anyhow::Result<String> {
    let password = new_password();
    // The slug is derived from the workspace's name, so the workspace is created under its
    // slug and renamed.
    app.create_owner(
        NewOwner {
            workspace: slug.into(),
            name: owner_name.into(),
            email: owner_email.into(),
            password: password.clone(),
        },
        &cli_meta(),
    )
    .await
    .map_err(anyhow::Error::msg)
    .with_context(|| format!("creating the workspace {slug:?}"))?;
    let owner = app
        .cli_actor(slug, owner_email)
        .await
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("acting as the owner of {slug:?}"))?;
    app.mark_workspace_as_demo(&owner)
        .await
        .map_err(anyhow::Error::msg)?;
    app.update_workspace(
        &owner,
        WorkspacePatch {
            name: Some(name.into()),
            settings: None,
        },
        None,
    )
    .await
    .map_err(anyhow::Error::msg)?;
    Ok(password)
}

/// Adds a user with a role and a random password to a workspace.
pub async fn add_user(
    app: &Cairn,
    slug: &str,
    email: &str,
    name: &str,
    role: &str,
) -> anyhow::Result<String> {
    let password = new_password();
    app.cli_create_user(slug, email, name, role, &password)
        .await
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("creating {email}"))?;
    Ok(password)
}

/// Creates the demo workspace with one login per role.
pub async fn create_workspace(app: &Cairn, slug: &str, name: &str) -> anyhow::Result<Vec<Login>> {
    let mut logins = Vec::new();
    for (role, local, person) in LOGINS {
        let email = email(local, slug);
        let password = if role == "owner" {
            create_owner(app, slug, name, &email, person).await?
        } else {
            add_user(app, slug, &email, person, role).await?
        };
        logins.push(Login {
            role,
            name: person,
            email,
            password,
        });
    }
    Ok(logins)
}

/// Gives every demo login of an existing demo workspace a new password (ending their
/// sessions), and recreates a login that was removed.
pub async fn refresh_logins(app: &Cairn, slug: &str) -> anyhow::Result<Vec<Login>> {
    let mut logins = Vec::new();
    for (role, local, person) in LOGINS {
        let email = email(local, slug);
        let password = match app.cli_actor(slug, &email).await {
            Ok(_) => {
                let password = new_password();
                app.reset_password(&email, &password)
                    .await
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("resetting the password of {email}"))?;
                password
            }
            Err(_) => add_user(app, slug, &email, person, role).await?,
        };
        logins.push(Login {
            role,
            name: person,
            email,
            password,
        });
    }
    Ok(logins)
}

/// The demo's members as actors, to write as each of them.
pub struct Team {
    pub owner: Actor,
    pub admin: Actor,
    pub member: Actor,
    pub viewer: Actor,
}

impl Team {
    /// Loads the four demo members of `slug`.
    pub async fn load(app: &Cairn, slug: &str) -> anyhow::Result<Team> {
        let actor = |role: &str| {
            let (_, local, _) = LOGINS
                .iter()
                .find(|(r, _, _)| *r == role)
                .expect("a demo login per role");
            let email = email(local, slug);
            async move {
                app.cli_actor(slug, &email)
                    .await
                    .map_err(anyhow::Error::msg)
                    .with_context(|| format!("acting as {email}"))
            }
        };
        Ok(Team {
            owner: actor("owner").await?,
            admin: actor("admin").await?,
            member: actor("member").await?,
            viewer: actor("viewer").await?,
        })
    }

    /// The member who writes as `who` ("owner", "admin" or "member").
    pub fn by_role(&self, who: &str) -> &Actor {
        match who {
            "admin" => &self.admin,
            "member" => &self.member,
            "viewer" => &self.viewer,
            _ => &self.owner,
        }
    }

    /// The member with this user id, or the owner.
    pub fn by_user(&self, id: Option<Uuid>) -> &Actor {
        [&self.admin, &self.member]
            .into_iter()
            .find(|a| Some(a.user_id.0) == id)
            .unwrap_or(&self.owner)
    }
}
