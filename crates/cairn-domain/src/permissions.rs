//! The permission matrix: one table, role × action × resource. Core functions ask it;
//! handlers never decide permissions. `docs/permissions.md` is rendered from this table and a
//! test fails when the document is stale.
//!
//! Client visibility (restricted clients) is a second, record-level gate applied by the core
//! on top of this table; see `docs/permissions.md`.

use crate::Role;

/// What a member can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The workspace itself and its settings.
    Workspace,
    /// Memberships, invites and temporary passwords.
    Member,
    /// The member's own personal access tokens.
    ApiToken,
    /// The member's own browser sessions.
    Session,
    /// The hash-chained activity log.
    ActivityLog,
    /// Clients (and, through visibility, everything under them).
    Client,
    /// A client's contacts.
    Contact,
    /// A client's interactions (immutable once written).
    Interaction,
    /// The workspace tag list, and tags on records.
    Tag,
    /// Projects, their health, role slots and status summaries.
    Project,
    /// A project's milestones.
    Milestone,
    /// Tasks, their dependencies and board positions.
    Task,
    /// Comments on tasks.
    Comment,
    /// Workspace project templates (the built-ins are read-only).
    Template,
    /// Time entries.
    TimeEntry,
}

impl Resource {
    /// Name used in docs and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Workspace => "workspace",
            Resource::Member => "member",
            Resource::ApiToken => "api token",
            Resource::Session => "session",
            Resource::ActivityLog => "activity log",
            Resource::Client => "client",
            Resource::Contact => "contact",
            Resource::Interaction => "interaction",
            Resource::Tag => "tag",
            Resource::Project => "project",
            Resource::Milestone => "milestone",
            Resource::Task => "task",
            Resource::Comment => "comment",
            Resource::Template => "template",
            Resource::TimeEntry => "time entry",
        }
    }
}

/// What a member can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Create,
    Update,
    Disable,
    /// Soft-delete and restore.
    Archive,
    /// Permanent deletion.
    Delete,
    TransferOwnership,
    /// Choose who may see a restricted client.
    ManageAccess,
    /// Put existing tags on records or take them off.
    Apply,
    /// Download lists as CSV, JSON or vCard.
    Export,
}

impl Action {
    /// Name used in docs and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Disable => "disable",
            Action::Archive => "archive / restore",
            Action::Delete => "delete permanently",
            Action::TransferOwnership => "transfer ownership",
            Action::ManageAccess => "manage access",
            Action::Apply => "apply",
            Action::Export => "export",
        }
    }
}

use Action::*;
use Resource::{ActivityLog, ApiToken, Client, Contact, Interaction, Session, Tag, Workspace};
use Role::{Admin, Owner, Viewer};

/// One row of the matrix: who may do `action` on `resource`, and a note for the docs.
pub struct Rule {
    pub resource: Resource,
    pub action: Action,
    pub roles: &'static [Role],
    pub note: &'static str,
}

const ALL: &[Role] = &[Owner, Admin, Role::Member, Viewer];
const MANAGERS: &[Role] = &[Owner, Admin];
const OWNERS: &[Role] = &[Owner];
const EDITORS: &[Role] = &[Owner, Admin, Role::Member];

/// The matrix. A (resource, action) pair missing from this table is denied to everyone.
pub const MATRIX: &[Rule] = &[
    Rule {
        resource: Workspace,
        action: Read,
        roles: ALL,
        note: "name, slug, settings",
    },
    Rule {
        resource: Workspace,
        action: Update,
        roles: MANAGERS,
        note: "name and settings",
    },
    Rule {
        resource: Workspace,
        action: TransferOwnership,
        roles: OWNERS,
        note: "grant or revoke the owner role",
    },
    Rule {
        resource: Resource::Member,
        action: Read,
        roles: ALL,
        note: "names, emails and roles of colleagues",
    },
    Rule {
        resource: Resource::Member,
        action: Create,
        roles: MANAGERS,
        note: "invite link or temporary password; only owners create owners",
    },
    Rule {
        resource: Resource::Member,
        action: Update,
        roles: MANAGERS,
        note: "change role between admin, member and viewer",
    },
    Rule {
        resource: Resource::Member,
        action: Disable,
        roles: MANAGERS,
        note: "ends the member's sessions and tokens at once",
    },
    Rule {
        resource: Resource::Member,
        action: Delete,
        roles: MANAGERS,
        note: "remove from the workspace; the last owner stays",
    },
    Rule {
        resource: ApiToken,
        action: Read,
        roles: ALL,
        note: "own tokens only",
    },
    Rule {
        resource: ApiToken,
        action: Create,
        roles: ALL,
        note: "a token never exceeds its owner's role",
    },
    Rule {
        resource: ApiToken,
        action: Delete,
        roles: ALL,
        note: "revoke own tokens",
    },
    Rule {
        resource: Session,
        action: Read,
        roles: ALL,
        note: "own sessions only",
    },
    Rule {
        resource: Session,
        action: Delete,
        roles: ALL,
        note: "revoke own sessions",
    },
    Rule {
        resource: ActivityLog,
        action: Read,
        roles: MANAGERS,
        note: "filtered by client visibility",
    },
    Rule {
        resource: Client,
        action: Read,
        roles: ALL,
        note: "only clients visible to the member",
    },
    Rule {
        resource: Client,
        action: Create,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Client,
        action: Update,
        roles: EDITORS,
        note: "fields, owner, tags; revert to a version",
    },
    Rule {
        resource: Client,
        action: Archive,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Client,
        action: Delete,
        roles: MANAGERS,
        note: "typed-name confirmation; removes contacts and interactions",
    },
    Rule {
        resource: Client,
        action: ManageAccess,
        roles: MANAGERS,
        note: "visibility and the list of users of a restricted client",
    },
    Rule {
        resource: Client,
        action: Export,
        roles: ALL,
        note: "CSV and JSON of visible clients; audited",
    },
    Rule {
        resource: Contact,
        action: Read,
        roles: ALL,
        note: "contacts of visible clients",
    },
    Rule {
        resource: Contact,
        action: Create,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Contact,
        action: Update,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Contact,
        action: Archive,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Contact,
        action: Export,
        roles: ALL,
        note: "CSV, JSON and vCard; audited",
    },
    Rule {
        resource: Interaction,
        action: Read,
        roles: ALL,
        note: "interactions of visible clients",
    },
    Rule {
        resource: Interaction,
        action: Create,
        roles: EDITORS,
        note: "immutable: corrections are new interactions",
    },
    Rule {
        resource: Tag,
        action: Read,
        roles: ALL,
        note: "",
    },
    Rule {
        resource: Tag,
        action: Create,
        roles: MANAGERS,
        note: "the workspace tag list",
    },
    Rule {
        resource: Tag,
        action: Update,
        roles: MANAGERS,
        note: "rename, recolour",
    },
    Rule {
        resource: Tag,
        action: Delete,
        roles: MANAGERS,
        note: "removes the tag from every record",
    },
    Rule {
        resource: Tag,
        action: Apply,
        roles: EDITORS,
        note: "put tags on records they may edit",
    },
    Rule {
        resource: Resource::Project,
        action: Read,
        roles: ALL,
        note: "projects of visible clients",
    },
    Rule {
        resource: Resource::Project,
        action: Create,
        roles: EDITORS,
        note: "from scratch or from a template",
    },
    Rule {
        resource: Resource::Project,
        action: Update,
        roles: EDITORS,
        note: "fields, health, role slots; revert to a version",
    },
    Rule {
        resource: Resource::Project,
        action: Archive,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Resource::Project,
        action: Delete,
        roles: MANAGERS,
        note: "removes milestones, tasks and time entries",
    },
    Rule {
        resource: Resource::Project,
        action: Export,
        roles: ALL,
        note: "CSV and JSON of visible projects",
    },
    Rule {
        resource: Resource::Milestone,
        action: Read,
        roles: ALL,
        note: "milestones of visible projects",
    },
    Rule {
        resource: Resource::Milestone,
        action: Create,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Resource::Milestone,
        action: Update,
        roles: EDITORS,
        note: "fields, manual progress; revert to a version",
    },
    Rule {
        resource: Resource::Milestone,
        action: Archive,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Resource::Milestone,
        action: Delete,
        roles: EDITORS,
        note: "its tasks stay, without a milestone",
    },
    Rule {
        resource: Resource::Task,
        action: Read,
        roles: ALL,
        note: "tasks of visible clients and projects",
    },
    Rule {
        resource: Resource::Task,
        action: Create,
        roles: EDITORS,
        note: "including quick capture and duplicates",
    },
    Rule {
        resource: Resource::Task,
        action: Update,
        roles: EDITORS,
        note: "fields, board moves, dependencies, batch edits; revert to a version",
    },
    Rule {
        resource: Resource::Task,
        action: Archive,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Resource::Task,
        action: Delete,
        roles: MANAGERS,
        note: "",
    },
    Rule {
        resource: Resource::Task,
        action: Export,
        roles: ALL,
        note: "CSV and JSON of visible tasks",
    },
    Rule {
        resource: Resource::Comment,
        action: Read,
        roles: ALL,
        note: "comments on visible tasks",
    },
    Rule {
        resource: Resource::Comment,
        action: Create,
        roles: EDITORS,
        note: "",
    },
    Rule {
        resource: Resource::Comment,
        action: Delete,
        roles: EDITORS,
        note: "own comments; owners and admins any",
    },
    Rule {
        resource: Resource::Template,
        action: Read,
        roles: ALL,
        note: "built-in and workspace templates",
    },
    Rule {
        resource: Resource::Template,
        action: Create,
        roles: EDITORS,
        note: "save a project as a template",
    },
    Rule {
        resource: Resource::Template,
        action: Update,
        roles: EDITORS,
        note: "workspace templates only",
    },
    Rule {
        resource: Resource::Template,
        action: Archive,
        roles: EDITORS,
        note: "workspace templates only",
    },
    Rule {
        resource: Resource::TimeEntry,
        action: Read,
        roles: ALL,
        note: "entries on visible projects",
    },
    Rule {
        resource: Resource::TimeEntry,
        action: Create,
        roles: EDITORS,
        note: "own time; owners and admins for anyone",
    },
    Rule {
        resource: Resource::TimeEntry,
        action: Update,
        roles: EDITORS,
        note: "own entries; owners and admins any",
    },
    Rule {
        resource: Resource::TimeEntry,
        action: Delete,
        roles: EDITORS,
        note: "own entries; owners and admins any",
    },
];

/// Whether `role` may do `action` on `resource`.
pub fn allows(role: Role, action: Action, resource: Resource) -> bool {
    MATRIX
        .iter()
        .any(|r| r.resource == resource && r.action == action && r.roles.contains(&role))
}

/// Renders the matrix as the Markdown document `docs/permissions.md`.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Permission matrix\n\n\
         Generated from `crates/cairn-domain/src/permissions.rs` by `cairn docs permissions`; \
         a test fails when this file is stale. Do not edit by hand.\n\n\
         Roles, most to least power: owner, admin, member, viewer. The platform-admin flag is \
         not a workspace role: it creates and suspends workspaces and users and sees no \
         business data unless the user is also a member.\n\n\
         | resource | action | owner | admin | member | viewer | note |\n\
         |---|---|:-:|:-:|:-:|:-:|---|\n",
    );
    for rule in MATRIX {
        let cells: Vec<&str> = Role::ALL
            .iter()
            .map(|r| if rule.roles.contains(r) { "yes" } else { "—" })
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            rule.resource.as_str(),
            rule.action.as_str(),
            cells.join(" | "),
            rule.note
        ));
    }
    out.push_str(
        "\n## Rules beyond the table\n\n\
         - Every request is scoped to one workspace: records of another workspace answer 404.\n\
         - A workspace always keeps at least one owner; only an owner grants or removes the \
         owner role.\n\
         - Personal access tokens carry a scope: `read` tokens may only call safe methods.\n\
         - A suspended workspace answers 403 to everyone but platform admins.\n\
         - A disabled user or member loses every session and token at once.\n\
         - Client visibility: a client is open to every member or restricted to listed users; \
         owners and admins see all. A restricted client and everything under it (contacts, \
         interactions, and later projects, tasks, notes, credentials) is invisible to others in \
         lists, details, counts, exports and the API, and answers 404.\n\
         - Interactions are never edited or deleted; the database itself refuses it.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_transfer_ownership_and_nobody_else() {
        for role in Role::ALL {
            assert_eq!(allows(role, TransferOwnership, Workspace), role == Owner);
        }
    }

    #[test]
    fn viewers_and_members_cannot_manage_members() {
        for action in [Create, Update, Disable, Delete] {
            assert!(!allows(Role::Member, action, Resource::Member));
            assert!(!allows(Viewer, action, Resource::Member));
            assert!(allows(Admin, action, Resource::Member));
        }
    }
}
