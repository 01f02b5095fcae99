//! A cache for the heaviest reads (a project's board, task lists), valid for as long as
//! nothing in the workspace has changed.
//!
//! Every committed change to a workspace's data appends an entry to that workspace's
//! activity chain in the same transaction (installation-level changes, such as a disabled
//! account, append to the `platform` chain). The pair of chain lengths is therefore a
//! generation number that moves exactly when something a read could show may have changed.
//! A cached read keys its result by that generation, read fresh for every call, so a change
//! committed by this process, another process or the command line is visible to the next
//! read; entries of older generations are never served again and age out of the cache.
//!
//! Results are keyed by the reader's [`WorkspaceScope`], so a member never receives what was
//! loaded for an owner or for another member. Permission checks and the record's own
//! visibility check still run on every call, before the cache is consulted.
//!
//! What a cached read may draw on: tables whose every change is audited. Saved views,
//! templates and sessions are not, and no cached read shows them.

use std::any::Any;
use std::future::Future;
use std::sync::Arc;

use cairn_store::WorkspaceScope;
use cairn_store::entities::audit_head;
use cairn_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::actor::Actor;
use crate::delivery::tasks::TaskRef;
use crate::page::Page;
use crate::tags::TagRef;
use crate::{Cairn, Result, audit, db_err};

/// The chain lengths of the workspace and of the platform when a result was loaded.
type Generation = (i64, i64);

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    scope: WorkspaceScope,
    generation: Generation,
    /// Which read, such as `board`.
    read: &'static str,
    /// The read's arguments, such as the project and the window.
    args: String,
}

#[derive(Clone)]
struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    weight: u64,
}

#[derive(Clone)]
struct ByWeight;

impl quick_cache::Weighter<Key, Entry> for ByWeight {
    fn weight(&self, key: &Key, entry: &Entry) -> u64 {
        entry.weight + key.args.len() as u64 + 64
    }
}

/// The shared cache; cheap to clone. `None` when turned off.
#[derive(Clone)]
pub(crate) struct ReadCache {
    entries: Option<Arc<quick_cache::sync::Cache<Key, Entry, ByWeight>>>,
}

impl ReadCache {
    /// A cache holding about `budget_bytes` of results (see each read's [`Weigh`]); 0 turns
    /// it off, and every read goes to the database.
    pub(crate) fn new(budget_bytes: u64) -> Self {
        Self {
            entries: (budget_bytes > 0).then(|| {
                Arc::new(quick_cache::sync::Cache::with_weighter(
                    256,
                    budget_bytes,
                    ByWeight,
                ))
            }),
        }
    }
}

/// What a cached result costs to keep, roughly in bytes.
pub(crate) trait Weigh {
    fn weigh(&self) -> u64;
}

impl<T: Weigh> Weigh for [T] {
    fn weigh(&self) -> u64 {
        self.iter().map(Weigh::weigh).sum()
    }
}

impl<T: Weigh> Weigh for Vec<T> {
    fn weigh(&self) -> u64 {
        self.as_slice().weigh()
    }
}

impl<T: Weigh> Weigh for Page<T> {
    fn weigh(&self) -> u64 {
        self.items.weigh()
    }
}

impl Weigh for TagRef {
    fn weigh(&self) -> u64 {
        96 + self.name.len() as u64
    }
}

impl Weigh for TaskRef {
    fn weigh(&self) -> u64 {
        96 + self.title.len() as u64
    }
}

impl Cairn {
    /// [`ReadCache::get_or_load`] on the read connection, in the actor's scope: what every
    /// cached read of the core calls after its own permission and visibility checks.
    pub(crate) async fn cached<T, F>(
        &self,
        actor: &Actor,
        read: &'static str,
        args: String,
        load: F,
    ) -> Result<Arc<T>>
    where
        T: Weigh + Send + Sync + 'static,
        F: Future<Output = Result<T>>,
    {
        self.reads
            .get_or_load(self.store.reader(), actor.scope(), read, args, load)
            .await
    }
}

impl ReadCache {
    /// The result of `load` for `scope`, `read` and `args` at the workspace's current
    /// generation: from the cache, or loaded once however many callers ask at the same time.
    pub(crate) async fn get_or_load<T, F>(
        &self,
        db: &impl ConnectionTrait,
        scope: WorkspaceScope,
        read: &'static str,
        args: String,
        load: F,
    ) -> Result<Arc<T>>
    where
        T: Weigh + Send + Sync + 'static,
        F: Future<Output = Result<T>>,
    {
        let Some(entries) = &self.entries else {
            return Ok(Arc::new(load.await?));
        };
        let key = Key {
            scope,
            generation: generation(db, scope).await?,
            read,
            args,
        };
        let entry = entries
            .get_or_insert_async(&key, async {
                let value = load.await?;
                Ok::<_, crate::DomainError>(Entry {
                    weight: value.weigh(),
                    value: Arc::new(value),
                })
            })
            .await?;
        // A key names one read, and one read has one result type.
        entry
            .value
            .downcast::<T>()
            .map_err(|_| crate::DomainError::Internal("read cache type mismatch".into()))
    }
}

/// The workspace's generation: the lengths of its activity chain and of the platform's.
async fn generation(db: &impl ConnectionTrait, scope: WorkspaceScope) -> Result<Generation> {
    let workspace = audit::chain_key(Some(scope.workspace_id()));
    let platform = audit::chain_key(None);
    let heads: Vec<(String, i64)> = audit_head::Entity::find()
        .select_only()
        .column(audit_head::Column::ChainKey)
        .column(audit_head::Column::Seq)
        .filter(audit_head::Column::ChainKey.is_in([workspace.as_str(), platform.as_str()]))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let seq = |key: &str| {
        heads
            .iter()
            .find(|(k, _)| k == key)
            .map_or(0, |(_, seq)| *seq)
    };
    Ok((seq(&workspace), seq(&platform)))
}
