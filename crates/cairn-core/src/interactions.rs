//! Interactions: the immutable history of a client. There is no update and no delete, here or
//! in the database (a trigger refuses both); a correction is a new interaction that points at
//! the one it corrects.

use cairn_domain::crm::InteractionKind;
use cairn_domain::{Action, DomainError, FieldError, Resource, Result};
use cairn_store::entities::{client, contact, interaction};
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::audit::{self, Event};
use crate::clients::UserRef;
use crate::page::{Page, PageRequest};
use crate::seen::Target;
use crate::{Cairn, collect_errors, db_err};

/// An interaction as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InteractionView {
    pub id: uuid::Uuid,
    pub client_id: uuid::Uuid,
    pub contact_id: Option<uuid::Uuid>,
    pub kind: String,
    pub body: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub author: UserRef,
    pub corrects_id: Option<uuid::Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<interaction::Model> for InteractionView {
    fn from(i: interaction::Model) -> Self {
        Self {
            id: i.id,
            client_id: i.client_id,
            contact_id: i.contact_id,
            kind: i.kind,
            body: i.body,
            occurred_at: i.occurred_at,
            author: UserRef {
                id: i.author_id,
                name: i.author_name,
            },
            corrects_id: i.corrects_id,
            created_at: i.created_at,
        }
    }
}

/// A new interaction.
#[derive(Debug, Clone, Default)]
pub struct NewInteraction {
    pub kind: String,
    pub body: String,
    /// Defaults to now.
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    pub contact_id: Option<uuid::Uuid>,
    pub corrects_id: Option<uuid::Uuid>,
}

impl Cairn {
    /// One interaction.
    pub async fn get_interaction(&self, actor: &Actor, id: uuid::Uuid) -> Result<InteractionView> {
        actor.require(Action::Read, Resource::Interaction)?;
        interaction::Entity::find_by_id(id)
            .filter(actor.scope().client_filter(
                interaction::Column::WorkspaceId,
                interaction::Column::ClientId,
            ))
            .one(self.store.reader())
            .await
            .map_err(db_err)?
            .map(Into::into)
            .ok_or(DomainError::NotFound("interaction"))
    }

    /// A client's interactions, newest first.
    pub async fn list_interactions<'a>(
        &self,
        actor: &Actor,
        client: impl Into<Target<'a, client::Model>>,
        page: &PageRequest,
    ) -> Result<Page<InteractionView>> {
        actor.require(Action::Read, Resource::Interaction)?;
        let c = self.seen_client(actor, client.into()).await?;
        let limit = page.limit()?;
        let mut q = interaction::Entity::find()
            .filter(interaction::Column::WorkspaceId.eq(actor.scope().uuid()))
            .filter(interaction::Column::ClientId.eq(c.id));
        if let Some((at, id)) = page.position::<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>()? {
            q = q.filter(
                Condition::any()
                    .add(interaction::Column::OccurredAt.lt(at))
                    .add(
                        Condition::all()
                            .add(interaction::Column::OccurredAt.eq(at))
                            .add(interaction::Column::Id.lt(id)),
                    ),
            );
        }
        let rows = q
            .order_by_desc(interaction::Column::OccurredAt)
            .order_by_desc(interaction::Column::Id)
            .limit(limit + 1)
            .all(self.store.reader())
            .await
            .map_err(db_err)?;
        Ok(Page::from_rows(
            rows.into_iter().map(InteractionView::from).collect(),
            limit,
            |i| (i.occurred_at, i.id),
        ))
    }

    /// Records an interaction; the author is the actor.
    pub async fn create_interaction(
        &self,
        actor: &Actor,
        client_id: uuid::Uuid,
        input: NewInteraction,
    ) -> Result<InteractionView> {
        actor.require(Action::Read, Resource::Client)?;
        let c = self
            .visible_client(self.store.reader(), actor, client_id)
            .await?;
        actor.require(Action::Create, Resource::Interaction)?;
        let mut errors = Vec::new();
        let kind = InteractionKind::parse("kind", &input.kind)
            .map_err(|e| errors.push(e))
            .ok();
        let body = input.body.trim().to_string();
        if body.is_empty() {
            errors.push(FieldError::new("body", "is required"));
        } else if body.chars().count() > 20_000 {
            errors.push(FieldError::new("body", "must be at most 20000 characters"));
        }
        let now = cairn_domain::time::now();
        let occurred_at = input
            .occurred_at
            .map(|t| chrono::SubsecRound::trunc_subsecs(t, 6))
            .unwrap_or(now);
        if occurred_at > now + chrono::Duration::days(1) {
            errors.push(FieldError::new("occurred_at", "must not be in the future"));
        }
        if let Some(contact_id) = input.contact_id {
            let ok = contact::Entity::find_by_id(contact_id)
                .filter(contact::Column::ClientId.eq(c.id))
                .filter(contact::Column::WorkspaceId.eq(actor.scope().uuid()))
                .one(self.store.reader())
                .await
                .map_err(db_err)?
                .is_some();
            if !ok {
                errors.push(FieldError::new(
                    "contact_id",
                    "must be a contact of this client",
                ));
            }
        }
        if let Some(corrects) = input.corrects_id {
            let ok = interaction::Entity::find_by_id(corrects)
                .filter(interaction::Column::ClientId.eq(c.id))
                .one(self.store.reader())
                .await
                .map_err(db_err)?
                .is_some();
            if !ok {
                errors.push(FieldError::new(
                    "corrects_id",
                    "must be an interaction of this client",
                ));
            }
        }
        collect_errors(errors)?;
        let model = interaction::Model {
            id: uuid::Uuid::now_v7(),
            workspace_id: actor.scope().uuid(),
            client_id: c.id,
            contact_id: input.contact_id,
            kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            body,
            occurred_at,
            author_id: actor.user_id.0,
            author_name: actor.name.clone(),
            corrects_id: input.corrects_id,
            created_at: now,
        };
        let tx = self.store.write().await.map_err(db_err)?;
        interaction::Entity::insert(interaction::ActiveModel::from(model.clone()))
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        let ev = Event::by(actor, "interaction.created", "interaction", model.id)
            .client(c.id)
            .changes(json!({"kind": [null, model.kind], "corrects": [null, model.corrects_id]}));
        audit::record(&tx, ev).await?;
        // Touch the client so "recently updated" and inactivity reflect the contact.
        cairn_store::entities::client::Entity::update_many()
            .col_expr(
                cairn_store::entities::client::Column::UpdatedAt,
                Expr::value(now),
            )
            .filter(cairn_store::entities::client::Column::Id.eq(c.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(model.into())
    }
}
