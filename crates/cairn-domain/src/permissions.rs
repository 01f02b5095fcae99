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
