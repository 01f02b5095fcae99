//! Records already checked against an actor's visibility in this request.
//!
//! A page shows several things about one record: a project's task counts, time, health,
//! milestones and slots; a client's contacts, interactions and activity. Each of those reads
//! checks that the record is visible to the actor, and each used to load the record again to
//! do it (seven loads of the same project on its overview). A read takes a [`Target`]: an id,
//! loaded and checked as before, or a [`Seen`] record that an earlier read of the same request
//! loaded and checked for the same actor, which it uses as it is.
//!
//! Only the core makes a [`Seen`], and only after the visibility check; a [`Seen`] made for
//! one actor is checked again when another passes it.

use std::borrow::Cow;

use cairn_domain::{Result, Role, UserId, WorkspaceId};

use crate::Actor;

/// A record the core loaded and found visible to one actor.
#[derive(Debug, Clone)]
pub struct Seen<M> {
    id: uuid::Uuid,
    model: M,
    workspace_id: WorkspaceId,
    user_id: UserId,
    role: Role,
}

impl<M> Seen<M> {
    /// Wraps `model` (record `id`), which the caller has just checked is visible to `actor`.
    pub(crate) fn new(actor: &Actor, id: uuid::Uuid, model: M) -> Self {
        Self {
            id,
            model,
            workspace_id: actor.workspace_id,
            user_id: actor.user_id,
            role: actor.role,
        }
    }

    /// Whether it was checked for this actor: same member, same workspace, same role, so the
    /// same visibility scope.
    fn is_for(&self, actor: &Actor) -> bool {
        self.user_id == actor.user_id
            && self.workspace_id == actor.workspace_id
            && self.role == actor.role
    }
}

/// The record a read is about: an id still to check, or a record seen earlier.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a, M> {
    Id(uuid::Uuid),
    Seen(&'a Seen<M>),
}

impl<'a, M: Clone> Target<'a, M> {
    /// The record: as it was seen, when that was for `actor`; otherwise what `load` (which
    /// checks visibility) gives for its id.
    pub(crate) async fn resolve<F, Fut>(self, actor: &Actor, load: F) -> Result<Cow<'a, M>>
    where
        F: FnOnce(uuid::Uuid) -> Fut,
        Fut: Future<Output = Result<M>>,
    {
        let id = match self {
            Target::Seen(s) if s.is_for(actor) => return Ok(Cow::Borrowed(&s.model)),
            Target::Seen(s) => s.id,
            Target::Id(id) => id,
        };
        load(id).await.map(Cow::Owned)
    }
}

impl<M> From<uuid::Uuid> for Target<'_, M> {
    fn from(id: uuid::Uuid) -> Self {
        Target::Id(id)
    }
}

impl<'a, M> From<&'a Seen<M>> for Target<'a, M> {
    fn from(seen: &'a Seen<M>) -> Self {
        Target::Seen(seen)
    }
}
