//! A project page's figures in one read: the project, its task counts and time (the header of
//! every tab), and the overview's health history, milestones and role slots. The page needs
//! all of them at once and they change only when the workspace does, so they come from the
//! read cache as one result instead of a dozen statements.

use std::collections::HashMap;
use std::sync::Arc;

use cairn_domain::{Action, Resource, Result};

use super::SeenProject;
use super::milestones::MilestoneView;
use super::projects::{HealthEntry, ProjectView};
use super::slots::SlotView;
use super::time::ProjectTime;
use crate::Cairn;
use crate::actor::Actor;
use crate::read_cache::Weigh;

/// What a project page shows about its project.
#[derive(Debug)]
pub struct ProjectOverview {
    pub project: ProjectView,
    /// Live tasks per status.
    pub task_counts: HashMap<String, u64>,
    pub time: ProjectTime,
    pub health_history: Vec<HealthEntry>,
    /// Live milestones.
    pub milestones: Vec<MilestoneView>,
    pub slots: Vec<SlotView>,
}

impl Weigh for ProjectOverview {
    fn weigh(&self) -> u64 {
        let p = &self.project;
        (2048
            + p.goals.len()
            + p.description.len()
            + 512 * (self.health_history.len() + self.milestones.len() + self.time.by_user.len())
            + 256 * self.slots.len()) as u64
    }
}

impl Cairn {
    /// The project page's figures. The permissions and the project's visibility are checked
    /// on every call (free for a project seen for this actor); the figures come from the read
    /// cache while the workspace is unchanged.
    pub async fn project_overview(
        &self,
        actor: &Actor,
        seen: &SeenProject,
    ) -> Result<Arc<ProjectOverview>> {
        for resource in [
            Resource::Project,
            Resource::Task,
            Resource::TimeEntry,
            Resource::Milestone,
        ] {
            actor.require(Action::Read, resource)?;
        }
        let project = self.seen_project(actor, seen.into()).await?;
        let load = async {
            Ok(ProjectOverview {
                project: self.get_project(actor, seen).await?,
                task_counts: self.project_task_counts(actor, seen).await?,
                time: self.project_time(actor, seen).await?,
                health_history: self.project_health_history(actor, seen).await?,
                milestones: self.list_milestones(actor, seen, false).await?,
                slots: self.list_slots(actor, seen).await?,
            })
        };
        self.cached(actor, "project_overview", project.id.to_string(), load)
            .await
    }
}
