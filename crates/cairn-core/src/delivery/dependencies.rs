//! Task dependencies: "this task cannot finish before that one". Adding one that would close
//! a cycle is refused with a conflict naming the cycle.

use std::collections::{HashMap, HashSet};

use cairn_domain::delivery::graph::find_cycle;
use cairn_domain::{Action, DomainError, Resource, Result};
use cairn_store::entities::{task, task_dependency};
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;
use serde_json::json;

use super::tasks::{RECORD_TYPE, TaskRef};
use crate::actor::Actor;
use crate::{Cairn, db_err};

/// A task's dependencies in both directions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DependencyView {
    /// Tasks this one waits for.
    pub depends_on: Vec<TaskRef>,
    /// Tasks waiting for this one.
    pub blocks: Vec<TaskRef>,
}

/// The edges reachable backwards from `start` (its prerequisites, theirs, ...), found level
/// by level with one query per level, so a cycle check never loads the whole workspace.
async fn prerequisite_edges<C: ConnectionTrait>(
    db: &C,
    start: uuid::Uuid,
) -> Result<Vec<(uuid::Uuid, uuid::Uuid)>> {
    let mut edges = Vec::new();
    let mut seen: HashSet<uuid::Uuid> = HashSet::from([start]);
    let mut frontier = vec![start];
    while !frontier.is_empty() && seen.len() < 100_000 {
        let mut next = Vec::new();
        for chunk in frontier.chunks(500) {
            let rows: Vec<(uuid::Uuid, uuid::Uuid)> = task_dependency::Entity::find()
                .select_only()
                .column(task_dependency::Column::TaskId)
                .column(task_dependency::Column::DependsOnId)
                .filter(task_dependency::Column::TaskId.is_in(chunk.to_vec()))
                .into_tuple()
                .all(db)
                .await
                .map_err(db_err)?;
            for (t, d) in rows {
                edges.push((t, d));
                if seen.insert(d) {
                    next.push(d);
                }
            }
        }
        frontier = next;
    }
    Ok(edges)
}

impl Cairn {
    /// A task's prerequisites and dependents.
    pub async fn task_dependencies(&self, actor: &Actor, id: uuid::Uuid) -> Result<DependencyView> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let t = self.visible_task(db, actor, id).await?;
        let edges: Vec<(uuid::Uuid, uuid::Uuid)> = task_dependency::Entity::find()
            .select_only()
            .column(task_dependency::Column::TaskId)
            .column(task_dependency::Column::DependsOnId)
            .filter(
                cairn_store::sea_orm::Condition::any()
                    .add(task_dependency::Column::TaskId.eq(t.id))
                    .add(task_dependency::Column::DependsOnId.eq(t.id)),
            )
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        let others: Vec<uuid::Uuid> = edges
            .iter()
            .map(|(a, b)| if *a == t.id { *b } else { *a })
            .collect();
        // Only tasks the actor may see are listed.
        let visible: HashMap<uuid::Uuid, (String, String)> = task::Entity::find()
            .select_only()
            .column(task::Column::Id)
            .column(task::Column::Title)
            .column(task::Column::Status)
            .filter(
                actor
                    .scope()
                    .optional_client_filter(task::Column::WorkspaceId, task::Column::ClientId),
            )
            .filter(task::Column::Id.is_in(others))
            .into_tuple::<(uuid::Uuid, String, String)>()
            .all(db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|(i, a, b)| (i, (a, b)))
            .collect();
        let r = |id: uuid::Uuid| {
            visible.get(&id).map(|(title, status)| TaskRef {
                id,
                title: title.clone(),
                status: status.clone(),
            })
        };
        Ok(DependencyView {
            depends_on: edges
                .iter()
                .filter(|(a, _)| *a == t.id)
                .filter_map(|(_, b)| r(*b))
                .collect(),
            blocks: edges
                .iter()
                .filter(|(_, b)| *b == t.id)
                .filter_map(|(a, _)| r(*a))
                .collect(),
        })
    }

    /// Makes `id` depend on `depends_on`. Both must be visible tasks of the workspace; a
    /// cycle is refused with `Conflict` naming the tasks in it, and nothing is written.
    pub async fn add_task_dependency(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        depends_on: uuid::Uuid,
    ) -> Result<DependencyView> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let t = self.visible_task(db, actor, id).await?;
        let d = self
            .visible_task(db, actor, depends_on)
            .await
            .map_err(|_| DomainError::invalid("depends_on", "no such task"))?;
        actor.require(Action::Update, Resource::Task)?;
        let tx = self.store.write().await.map_err(db_err)?;
        // Checked inside the write transaction: with one writer, no concurrent insert can
        // slip a cycle in between the check and the write.
        let edges = prerequisite_edges(&tx, d.id).await?;
        if let Some(cycle) = find_cycle(&edges, t.id, d.id) {
            let titles: HashMap<uuid::Uuid, String> = task::Entity::find()
                .select_only()
                .column(task::Column::Id)
                .column(task::Column::Title)
                .filter(task::Column::Id.is_in(cycle.clone()))
                .into_tuple::<(uuid::Uuid, String)>()
                .all(&tx)
                .await
                .map_err(db_err)?
                .into_iter()
                .collect();
            let names: Vec<String> = cycle
                .iter()
                .map(|c| {
                    format!(
                        "\"{}\"",
                        titles.get(c).cloned().unwrap_or_else(|| c.to_string())
                    )
                })
                .collect();
            return Err(DomainError::Conflict(format!(
                "this dependency would create a cycle: {}",
                names.join(" → ")
            )));
        }
        let exists = task_dependency::Entity::find_by_id((t.id, d.id))
            .one(&tx)
            .await
            .map_err(db_err)?
            .is_some();
        if !exists {
            task_dependency::Entity::insert(task_dependency::ActiveModel {
                task_id: Set(t.id),
                depends_on_id: Set(d.id),
                workspace_id: Set(actor.scope().uuid()),
                created_at: Set(cairn_domain::time::now()),
                created_by: Set(Some(actor.user_id.0)),
            })
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
            let mut event =
                crate::audit::Event::by(actor, "task.dependency_added", RECORD_TYPE, t.id)
                    .changes(json!({"depends_on": [null, d.id]}));
            if let Some(c) = t.client_id {
                event = event.client(c);
            }
            crate::audit::record(&tx, event).await?;
        }
        tx.commit().await.map_err(db_err)?;
        self.task_dependencies(actor, t.id).await
    }

    /// Removes the dependency of `id` on `depends_on`.
    pub async fn remove_task_dependency(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        depends_on: uuid::Uuid,
    ) -> Result<DependencyView> {
        actor.require(Action::Read, Resource::Task)?;
        let db = self.store.reader();
        let t = self.visible_task(db, actor, id).await?;
        actor.require(Action::Update, Resource::Task)?;
        let tx = self.store.write().await.map_err(db_err)?;
        let res = task_dependency::Entity::delete_many()
            .filter(task_dependency::Column::TaskId.eq(t.id))
            .filter(task_dependency::Column::DependsOnId.eq(depends_on))
            .filter(task_dependency::Column::WorkspaceId.eq(actor.scope().uuid()))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected == 0 {
            return Err(DomainError::NotFound("dependency"));
        }
        let mut event =
            crate::audit::Event::by(actor, "task.dependency_removed", RECORD_TYPE, t.id)
                .changes(json!({"depends_on": [depends_on, null]}));
        if let Some(c) = t.client_id {
            event = event.client(c);
        }
        crate::audit::record(&tx, event).await?;
        tx.commit().await.map_err(db_err)?;
        self.task_dependencies(actor, t.id).await
    }
}
