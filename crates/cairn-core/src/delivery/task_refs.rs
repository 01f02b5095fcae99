//! What task rows name beyond their own columns — their tags, open prerequisites, project,
//! client, milestone, role slot and the people behind assignees and slots — read in ONE
//! statement for a whole list or board.
//!
//! Why one statement: the seven lookups used to be seven statements, and on a read-cache miss
//! they cost more than the list's own query. On SQLite each statement is a round trip to the
//! connection's worker thread (with its thread wake-ups), on PostgreSQL one over the socket;
//! a 50-task list spent 1.5-2 ms of its 2.5 ms in them (docs/benchmarks.md). So each lookup is
//! one arm of a `UNION ALL` with the same seven columns, the `kind` column saying which:
//!
//! | kind | owner | label | id | detail | user | flag |
//! |---|---|---|---|---|---|---|
//! | `t` tag | task | tag name | tag | colour | | |
//! | `d` open prerequisite | task | title | prerequisite | status | | reader may see it |
//! | `p` project, `c` client, `m` milestone, `u` person | its id | name | | | | |
//! | `s` role slot | slot | role | | | filled by | |
//!
//! Each arm keeps the filters of the lookup it replaces (the same builders serve
//! [`crate::tags::tags_for`], the name helpers and this), so the reader's scope decides what
//! is named exactly as before.

use std::collections::HashMap;

use cairn_domain::Result;
use cairn_domain::delivery::TaskStatus;
use cairn_store::WorkspaceScope;
use cairn_store::entities::{milestone, project_member, task, task_dependency, user};
use cairn_store::sea_orm::sea_query::{Expr, Query, SelectStatement, UnionType};
use cairn_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect,
    QueryTrait,
};

use super::tasks::{RECORD_TYPE, SlotRef, TaskRef, closed_statuses, is_open_status};
use super::{client_names_of, project_names_of};
use crate::clients::{UserRef, user_names_of, user_names_where, user_ref};
use crate::tags::{self, TagRef};
use crate::{db_err, each_once};

/// The ids a set of task rows refers to (rows often share them: each is looked up once).
#[derive(Debug, Default)]
pub(crate) struct Wanted {
    pub tasks: Vec<uuid::Uuid>,
    pub projects: Vec<uuid::Uuid>,
    pub clients: Vec<uuid::Uuid>,
    pub milestones: Vec<uuid::Uuid>,
    pub slots: Vec<uuid::Uuid>,
    /// Directly assigned people; whoever fills a wanted slot is looked up as well.
    pub people: Vec<uuid::Uuid>,
}

impl Wanted {
    /// The same ids, sorted and each once.
    fn each_once(&self) -> Wanted {
        Wanted {
            tasks: each_once(&self.tasks),
            projects: each_once(&self.projects),
            clients: each_once(&self.clients),
            milestones: each_once(&self.milestones),
            slots: each_once(&self.slots),
            people: each_once(&self.people),
        }
    }
}

/// A task's open prerequisites: whether it waits at all, and the ones the reader may see.
#[derive(Debug, Default)]
pub(crate) struct Waiting {
    /// Some prerequisite is open, visible to the reader or not: the task is blocked either way.
    pub any: bool,
    /// The open prerequisites on clients the reader may see; the others stay unnamed, as a
    /// restricted client's tasks do everywhere else.
    pub visible: Vec<TaskRef>,
}

/// Everything the task rows name, by id.
#[derive(Debug, Default)]
pub(crate) struct TaskRefs {
    pub tags: HashMap<uuid::Uuid, Vec<TagRef>>,
    pub waiting: HashMap<uuid::Uuid, Waiting>,
    pub projects: HashMap<uuid::Uuid, String>,
    pub clients: HashMap<uuid::Uuid, String>,
    pub milestones: HashMap<uuid::Uuid, String>,
    /// Role and the user filling it.
    pub slots: HashMap<uuid::Uuid, (String, Option<uuid::Uuid>)>,
    pub people: HashMap<uuid::Uuid, String>,
}

/// One row of the union (see the module's table).
type RefRow = (
    uuid::Uuid,
    String,
    Option<uuid::Uuid>,
    Option<String>,
    Option<uuid::Uuid>,
    Option<bool>,
    String,
);

impl TaskRefs {
    /// Reads everything `wanted` names, as `scope` may see it, in one statement (none when
    /// nothing is wanted).
    pub(crate) async fn load<C: ConnectionTrait>(
        db: &C,
        scope: WorkspaceScope,
        wanted: &Wanted,
    ) -> Result<TaskRefs> {
        let mut out = TaskRefs::default();
        let wanted = wanted.each_once();
        let Some(query) = union_of(arms(scope, &wanted)) else {
            return Ok(out);
        };
        let rows = db.query_all(&query).await.map_err(db_err)?;
        for row in rows {
            let (owner, label, id, detail, user, flag, kind): RefRow =
                row.try_get_many_by_index().map_err(db_err)?;
            match (kind.as_str(), id) {
                ("t", Some(id)) => out.tags.entry(owner).or_default().push(TagRef {
                    id,
                    name: label,
                    colour: detail.unwrap_or_default(),
                }),
                ("d", Some(id)) => {
                    let w = out.waiting.entry(owner).or_default();
                    w.any = true;
                    if flag == Some(true) {
                        w.visible.push(TaskRef {
                            id,
                            title: label,
                            status: detail.unwrap_or_default(),
                        });
                    }
                }
                ("p", _) => drop(out.projects.insert(owner, label)),
                ("c", _) => drop(out.clients.insert(owner, label)),
                ("m", _) => drop(out.milestones.insert(owner, label)),
                ("s", _) => drop(out.slots.insert(owner, (label, user))),
                ("u", _) => drop(out.people.insert(owner, label)),
                _ => {}
            }
        }
        tags::sort_by_name(&mut out.tags);
        Ok(out)
    }

    /// Whoever does a task: its assigned user, or whoever fills its slot ("former member"
    /// for a user row that is gone).
    pub(crate) fn assignee(
        &self,
        user: Option<uuid::Uuid>,
        slot: Option<uuid::Uuid>,
    ) -> Option<UserRef> {
        user.or_else(|| slot.and_then(|s| self.slots.get(&s).and_then(|x| x.1)))
            .map(|id| user_ref(id, &self.people))
    }

    /// The task's role slot, with its role.
    pub(crate) fn slot(&self, slot: Option<uuid::Uuid>) -> Option<SlotRef> {
        slot.and_then(|id| {
            self.slots.get(&id).map(|(role, _)| SlotRef {
                id,
                role: role.clone(),
            })
        })
    }
}

impl Waiting {
    /// Whether a task in `status` is blocked: set so, or open with an open prerequisite.
    pub(crate) fn blocks(&self, status: &str) -> bool {
        status == TaskStatus::Blocked.as_str() || (self.any && is_open_status(status))
    }
}

/// The arms for what is wanted; a kind with no ids has none.
fn arms(scope: WorkspaceScope, wanted: &Wanted) -> Vec<SelectStatement> {
    let mut arms = Vec::new();
    if !wanted.tasks.is_empty() {
        let tagged = tags::taggings_of(scope, RECORD_TYPE, &wanted.tasks).into_query();
        arms.push(pad(tagged, &[NULL_UUID, NULL_BOOL], "t"));
        arms.push(open_prerequisites(scope, &wanted.tasks));
    }
    if !wanted.projects.is_empty() {
        let q = project_names_of(scope, &wanted.projects).into_query();
        arms.push(pad(q, NAME_PADDING, "p"));
    }
    if !wanted.clients.is_empty() {
        let q = client_names_of(scope, &wanted.clients).into_query();
        arms.push(pad(q, NAME_PADDING, "c"));
    }
    if !wanted.milestones.is_empty() {
        let q = milestone::Entity::find()
            .select_only()
            .column(milestone::Column::Id)
            .column(milestone::Column::Name)
            .filter(milestone::Column::WorkspaceId.eq(scope.uuid()))
            .filter(milestone::Column::Id.is_in(wanted.milestones.clone()))
            .into_query();
        arms.push(pad(q, NAME_PADDING, "m"));
    }
    if !wanted.slots.is_empty() {
        let q = project_member::Entity::find()
            .select_only()
            .column(project_member::Column::Id)
            .column(project_member::Column::Role)
            .expr(Expr::cust(NULL_UUID))
            .expr(Expr::cust(NULL_TEXT))
            .column(project_member::Column::UserId)
            .filter(project_member::Column::WorkspaceId.eq(scope.uuid()))
            .filter(project_member::Column::Id.is_in(wanted.slots.clone()))
            .into_query();
        arms.push(pad(q, &[NULL_BOOL], "s"));
    }
    if !wanted.people.is_empty() {
        let q = user_names_of(&wanted.people).into_query();
        arms.push(pad(q, NAME_PADDING, "u"));
    }
    if !wanted.slots.is_empty() {
        // Whoever fills the wanted slots: an arm of its own, as an OR with the direct
        // assignees would make SQLite scan every user of the installation.
        let fillers = Query::select()
            .column(project_member::Column::UserId)
            .from(project_member::Entity)
            .and_where(project_member::Column::WorkspaceId.eq(scope.uuid()))
            .and_where(project_member::Column::Id.is_in(wanted.slots.clone()))
            .and_where(project_member::Column::UserId.is_not_null())
            .to_owned();
        let q = user_names_where(Condition::all().add(user::Column::Id.in_subquery(fillers)))
            .into_query();
        arms.push(pad(q, NAME_PADDING, "u"));
    }
    arms
}

/// Typed NULLs for the columns an arm does not fill: PostgreSQL needs each column of a union
/// to have one type, and SQLite accepts any type name in a cast.
const NULL_UUID: &str = "CAST(NULL AS uuid)";
const NULL_TEXT: &str = "CAST(NULL AS text)";
const NULL_BOOL: &str = "CAST(NULL AS boolean)";
/// After (id, name): no id, detail, user or flag.
const NAME_PADDING: &[&str] = &[NULL_UUID, NULL_TEXT, NULL_UUID, NULL_BOOL];

/// An arm: its own columns, then `nulls` and the `kind` column.
fn pad(mut q: SelectStatement, nulls: &[&'static str], kind: &'static str) -> SelectStatement {
    for n in nulls {
        q.expr(Expr::cust(*n));
    }
    q.expr(Expr::val(kind));
    q
}

/// Each edge from a wanted task to an open prerequisite: (task, title, prerequisite, status,
/// -, whether the reader may see the prerequisite's client, "d").
fn open_prerequisites(scope: WorkspaceScope, ids: &[uuid::Uuid]) -> SelectStatement {
    let visible = scope.optional_client_filter(task::Column::WorkspaceId, task::Column::ClientId);
    let q = task::Entity::find()
        .select_only()
        .column(task_dependency::Column::TaskId)
        .column(task::Column::Title)
        .column(task::Column::Id)
        .column(task::Column::Status)
        .expr(Expr::cust(NULL_UUID))
        .expr(Expr::case(visible, true).finally(false))
        .join_rev(
            JoinType::InnerJoin,
            task_dependency::Entity::belongs_to(task::Entity)
                .from(task_dependency::Column::DependsOnId)
                .to(task::Column::Id)
                .into(),
        )
        .filter(task_dependency::Column::TaskId.is_in(ids.to_vec()))
        .filter(task::Column::Status.is_not_in(closed_statuses()))
        .into_query();
    pad(q, &[], "d")
}

/// The arms as one `UNION ALL`.
fn union_of(arms: Vec<SelectStatement>) -> Option<SelectStatement> {
    let mut arms = arms.into_iter();
    let mut first = arms.next()?;
    for arm in arms {
        first.union(UnionType::All, arm);
    }
    Some(first)
}
