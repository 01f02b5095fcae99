//! Delivery vocabulary: projects, milestones, tasks and their enums. The pure logic of the
//! delivery module lives in the submodules: working-day arithmetic, the built-in templates,
//! quick-capture parsing and dependency-cycle detection.

pub mod capture;
pub mod graph;
pub mod summary;
pub mod templates;
pub mod workdays;

word_enum!(
    /// What kind of engagement a project is.
    ProjectType {
        Discovery => "discovery", Poc => "poc", Implementation => "implementation",
        Training => "training", Retainer => "retainer", Production => "production", Mixed => "mixed",
    }
);
word_enum!(
    /// Where a project stands.
    ProjectStatus {
        Pipeline => "pipeline", Active => "active", OnHold => "on_hold",
        Completed => "completed", Cancelled => "cancelled",
    }
);
word_enum!(
    /// How a project is billed.
    BudgetType {
        Fixed => "fixed", TimeAndMaterials => "time_and_materials", Retainer => "retainer",
        Hybrid => "hybrid",
    }
);
word_enum!(
    /// A project's health, set by a person with a summary.
    Health { OnTrack => "on_track", AtRisk => "at_risk", OffTrack => "off_track" }
);
word_enum!(
    /// A milestone's status.
    MilestoneStatus { NotStarted => "not_started", InProgress => "in_progress", Done => "done" }
);
word_enum!(
    /// A task's status; also the columns of a project board, in order.
    TaskStatus {
        Backlog => "backlog", Todo => "todo", InProgress => "in_progress", Blocked => "blocked",
        Done => "done", Cancelled => "cancelled",
    }
);
word_enum!(
    /// A task's priority, p0 most urgent.
    Priority { P0 => "p0", P1 => "p1", P2 => "p2", P3 => "p3" }
);

impl TaskStatus {
    /// Done and cancelled tasks are closed: they no longer block, count as overdue or appear
    /// in work views.
    pub fn is_open(self) -> bool {
        !matches!(self, TaskStatus::Done | TaskStatus::Cancelled)
    }

    /// A human label ("In progress").
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Backlog => "Backlog",
            TaskStatus::Todo => "To do",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Blocked => "Blocked",
            TaskStatus::Done => "Done",
            TaskStatus::Cancelled => "Cancelled",
        }
    }
}

/// The default priority of a new task.
pub const DEFAULT_PRIORITY: Priority = Priority::P2;
