//! A client card's records in one read: the client, its contacts, the latest interactions and
//! activity, its projects and (for owners and admins) its access list. The card needs all of
//! them at once and they change only when the workspace does, so they come from the read
//! cache as one result instead of a dozen statements.

use std::sync::Arc;

use cairn_domain::{Action, Resource, Result};

use crate::Cairn;
use crate::activity::ActivityView;
use crate::actor::Actor;
use crate::clients::{ClientView, SeenClient, UserRef};
use crate::contacts::ContactView;
use crate::delivery::projects::{ProjectFilter, ProjectView};
use crate::interactions::InteractionView;
use crate::page::PageRequest;
use crate::read_cache::Weigh;

/// Interactions on the card, newest first.
const CARD_INTERACTIONS: u64 = 100;
/// Activity entries on the card.
const CARD_ACTIVITY: u64 = 20;
/// Projects on the card, most recently updated first.
const CARD_PROJECTS: u64 = 50;

/// What a client card shows.
#[derive(Debug)]
pub struct ClientOverview {
    pub client: ClientView,
    /// Live contacts.
    pub contacts: Vec<ContactView>,
    pub interactions: Vec<InteractionView>,
    pub activity: Vec<ActivityView>,
    /// Empty for roles that may not read projects.
    pub projects: Vec<ProjectView>,
    /// Who may see the client when it is restricted; empty for members and viewers.
    pub access: Vec<UserRef>,
}

impl Weigh for ClientOverview {
    fn weigh(&self) -> u64 {
        let interactions: usize = self.interactions.iter().map(|i| 256 + i.body.len()).sum();
        self.client.weigh()
            + (1024
                + interactions
                + 384 * self.contacts.len()
                + 1024 * self.activity.len()
                + 768 * self.projects.len()
                + 64 * self.access.len()) as u64
    }
}

impl Cairn {
    /// The client card's records. The permissions and the client's visibility are checked on
    /// every call (free for a client seen for this actor); the records come from the read
    /// cache while the workspace is unchanged.
    pub async fn client_overview(
        &self,
        actor: &Actor,
        seen: &SeenClient,
    ) -> Result<Arc<ClientOverview>> {
        for resource in [Resource::Client, Resource::Contact, Resource::Interaction] {
            actor.require(Action::Read, resource)?;
        }
        let client = self.seen_client(actor, seen.into()).await?;
        let (projects, access) = (
            actor.can(Action::Read, Resource::Project),
            actor.role.is_admin_or_owner(),
        );
        let first = |limit| PageRequest {
            limit: Some(limit),
            cursor: None,
        };
        let load = async {
            Ok(ClientOverview {
                client: self.get_client(actor, seen).await?,
                contacts: self.list_contacts(actor, seen, false).await?,
                interactions: self
                    .list_interactions(actor, seen, &first(CARD_INTERACTIONS))
                    .await?
                    .items,
                activity: self.client_activity(actor, seen, CARD_ACTIVITY).await?,
                projects: if projects {
                    let filter = ProjectFilter {
                        client: Some(client.id),
                        sort: Some("-updated_at".into()),
                        ..Default::default()
                    };
                    self.list_projects(actor, &filter, &first(CARD_PROJECTS))
                        .await?
                        .items
                } else {
                    vec![]
                },
                access: if access {
                    self.client_access(actor, seen).await?
                } else {
                    vec![]
                },
            })
        };
        self.cached(
            actor,
            "client_overview",
            format!("{}/{projects}/{access}", client.id),
            load,
        )
        .await
    }
}
