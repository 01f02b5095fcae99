//! The delivery vocabulary as pages show it: option lists, human labels ("on_hold" reads
//! "On hold") and the pill colour that goes with a health, priority or status.

use cairn_domain::delivery::{
    BudgetType, Health, MilestoneStatus, Priority, ProjectStatus, ProjectType, TaskStatus,
};

fn words<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

/// Project statuses, in display order.
pub fn project_statuses() -> Vec<&'static str> {
    words(ProjectStatus::ALL, ProjectStatus::as_str)
}

/// Project types.
pub fn project_types() -> Vec<&'static str> {
    words(ProjectType::ALL, ProjectType::as_str)
}

/// Budget types.
pub fn budget_types() -> Vec<&'static str> {
    words(BudgetType::ALL, BudgetType::as_str)
}

/// Health values.
pub fn healths() -> Vec<&'static str> {
    words(Health::ALL, Health::as_str)
}

/// Milestone statuses.
pub fn milestone_statuses() -> Vec<&'static str> {
    words(MilestoneStatus::ALL, MilestoneStatus::as_str)
}

/// Task statuses, which are also the board's columns.
pub fn task_statuses() -> Vec<&'static str> {
    words(TaskStatus::ALL, TaskStatus::as_str)
}

/// Priorities, most urgent first.
pub fn priorities() -> Vec<&'static str> {
    words(Priority::ALL, Priority::as_str)
}

/// Human labels and pill classes for delivery words, callable from templates.
pub trait Label {
    /// "in_progress" reads "In progress"; task statuses use their own labels ("To do").
    fn label(&self) -> String;
    /// The pill class of a health, priority or status word.
    fn pill(&self) -> &'static str;
}

impl Label for str {
    fn label(&self) -> String {
        if let Ok(s) = TaskStatus::parse("status", self) {
            return s.label().to_string();
        }
        if self == "poc" {
            return "PoC".into();
        }
        let spaced = self.replace('_', " ");
        let mut chars = spaced.chars();
        match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    fn pill(&self) -> &'static str {
        match self {
            "on_track" | "done" | "completed" => "pill pill-ok",
            "at_risk" | "p1" | "blocked" | "on_hold" => "pill pill-warn",
            "off_track" | "p0" => "pill pill-bad",
            "in_progress" | "active" => "pill pill-admin",
            _ => "pill",
        }
    }
}

impl Label for String {
    fn label(&self) -> String {
        self.as_str().label()
    }
    fn pill(&self) -> &'static str {
        self.as_str().pill()
    }
}

impl Label for &str {
    fn label(&self) -> String {
        (**self).label()
    }
    fn pill(&self) -> &'static str {
        (**self).pill()
    }
}

#[cfg(test)]
mod tests {
    use super::Label;

    #[test]
    fn labels_read_like_words() {
        assert_eq!("on_hold".label(), "On hold");
        assert_eq!("todo".label(), "To do");
        assert_eq!("time_and_materials".label(), "Time and materials");
        assert_eq!("p0".pill(), "pill pill-bad");
    }
}
