//! Project templates: a plan of role slots, milestones and tasks placed in working days from
//! a project's start. The same owned, serde types describe the built-in templates and the
//! templates a workspace saves as JSON, so one validator and one instantiation path serve both.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::workdays::add_working_days;
use super::{DEFAULT_PRIORITY, Priority, ProjectType};
use crate::{FieldError, validate};

mod builtins;

pub use builtins::{builtin, builtins};

/// Most role slots a plan may have.
pub const MAX_SLOTS: usize = 50;
/// Most milestones a plan may have.
pub const MAX_MILESTONES: usize = 100;
/// Most tasks a plan may have: enough for a large rollout, small enough to instantiate in one
/// transaction.
pub const MAX_TASKS: usize = 1000;
/// Offsets are limited to about ten years either way, which no real plan needs to exceed.
pub const MAX_OFFSET_DAYS: i32 = 3650;
/// Longest title, name, role, department or key, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Largest task estimate: 10,000 hours, far beyond any single task, but it keeps totals in
/// range.
pub const MAX_ESTIMATE_MINUTES: i32 = 600_000;

/// A whole plan: who is needed, the milestones and the tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TemplatePlan {
    /// Role slots filled with people when the template is used.
    #[serde(default)]
    pub slots: Vec<SlotPlan>,
    /// Milestones, each due a number of working days from the start.
    #[serde(default)]
    pub milestones: Vec<MilestonePlan>,
    /// Tasks, each due a number of working days from the start.
    #[serde(default)]
    pub tasks: Vec<TaskPlan>,
    /// Whether offsets may be negative: a workshop's start date is the workshop day, and its
    /// preparation happens before it.
    #[serde(default)]
    pub allow_due_before_start: bool,
}

/// A role the project needs ("Lead consultant"), filled with a person at instantiation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotPlan {
    /// Stable key that tasks refer to.
    pub key: String,
    /// The role, as people say it.
    pub role: String,
    /// The department the role usually comes from, to suggest people.
    #[serde(default)]
    pub department: Option<String>,
}

/// A milestone due `offset_days` working days from the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestonePlan {
    /// Stable key that tasks refer to.
    pub key: String,
    /// The milestone's name.
    pub name: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Working days from the start to the due date.
    #[serde(default)]
    pub offset_days: i32,
}

/// A task due `offset_days` working days from the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPlan {
    /// The task's title.
    pub title: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Priority; the default priority when omitted.
    #[serde(default = "default_priority")]
    pub priority: Priority,
    /// Working days from the start to the due date.
    #[serde(default)]
    pub offset_days: i32,
    /// Key of the milestone the task belongs to.
    #[serde(default)]
    pub milestone: Option<String>,
    /// Key of the role slot whose person is assigned.
    #[serde(default)]
    pub slot: Option<String>,
    /// Estimate in minutes.
    #[serde(default)]
    pub estimate_minutes: Option<i32>,
}

fn default_priority() -> Priority {
    DEFAULT_PRIORITY
}

/// A template shipped with Cairn; its plan is the same type a workspace template stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuiltinTemplate {
    /// Stable key ("ai-discovery").
    pub key: &'static str,
    /// Display name ("AI Discovery & Roadmap").
    pub name: &'static str,
    /// One-line description for the template picker.
    pub description: &'static str,
    /// The project type a project made from it gets.
    pub project_type: ProjectType,
    /// The plan.
    pub plan: TemplatePlan,
}

impl MilestonePlan {
    /// The due date for a project starting on `start` with the given working week.
    pub fn due_on(&self, start: NaiveDate, working: &[u32]) -> NaiveDate {
        add_working_days(start, self.offset_days, working)
    }
}

impl TaskPlan {
    /// The due date for a project starting on `start` with the given working week.
    pub fn due_on(&self, start: NaiveDate, working: &[u32]) -> NaiveDate {
        add_working_days(start, self.offset_days, working)
    }
}

impl TemplatePlan {
    /// Parses a stored or submitted plan and validates it; a JSON error is reported on the
    /// `plan` field.
    pub fn from_json(json: &str) -> Result<TemplatePlan, Vec<FieldError>> {
        let plan: TemplatePlan = serde_json::from_str(json)
            .map_err(|e| vec![FieldError::new("plan", format!("is not a valid plan: {e}"))])?;
        plan.validate()?;
        Ok(plan)
    }

    /// Checks everything instantiation relies on, reporting every problem with its path
    /// (`plan.tasks[3].title`): required texts, lengths, unique keys, references that
    /// resolve, offsets in range, and list sizes. A list over its size limit is reported once
    /// instead of item by item.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let slots_ok = within(
            &mut errors,
            "plan.slots",
            self.slots.len(),
            MAX_SLOTS,
            "slots",
        );
        let milestones_ok = within(
            &mut errors,
            "plan.milestones",
            self.milestones.len(),
            MAX_MILESTONES,
            "milestones",
        );
        let tasks_ok = within(
            &mut errors,
            "plan.tasks",
            self.tasks.len(),
            MAX_TASKS,
            "tasks",
        );

        if slots_ok {
            let mut keys = Vec::new();
            for (i, s) in self.slots.iter().enumerate() {
                let at = format!("plan.slots[{i}]");
                check_key(&mut errors, &format!("{at}.key"), &s.key, &mut keys);
                check_name(&mut errors, &format!("{at}.role"), &s.role);
                if let Some(dept) = s.department.as_deref().filter(|d| !d.trim().is_empty()) {
                    check_name(&mut errors, &format!("{at}.department"), dept);
                }
            }
        }
        if milestones_ok {
            let mut keys = Vec::new();
            for (i, m) in self.milestones.iter().enumerate() {
                let at = format!("plan.milestones[{i}]");
                check_key(&mut errors, &format!("{at}.key"), &m.key, &mut keys);
                check_name(&mut errors, &format!("{at}.name"), &m.name);
                check_description(&mut errors, &format!("{at}.description"), &m.description);
                self.check_offset(&mut errors, &format!("{at}.offset_days"), m.offset_days);
            }
        }
        if tasks_ok {
            for (i, t) in self.tasks.iter().enumerate() {
                let at = format!("plan.tasks[{i}]");
                check_name(&mut errors, &format!("{at}.title"), &t.title);
                check_description(&mut errors, &format!("{at}.description"), &t.description);
                self.check_offset(&mut errors, &format!("{at}.offset_days"), t.offset_days);
                if let Some(key) = &t.milestone
                    && milestones_ok
                    && !self.milestones.iter().any(|m| &m.key == key)
                {
                    errors.push(FieldError::new(
                        format!("{at}.milestone"),
                        format!("names no milestone in this plan ({key:?})"),
                    ));
                }
                if let Some(key) = &t.slot
                    && slots_ok
                    && !self.slots.iter().any(|s| &s.key == key)
                {
                    errors.push(FieldError::new(
                        format!("{at}.slot"),
                        format!("names no role slot in this plan ({key:?})"),
                    ));
                }
                if let Some(minutes) = t.estimate_minutes
                    && !(1..=MAX_ESTIMATE_MINUTES).contains(&minutes)
                {
                    errors.push(FieldError::new(
                        format!("{at}.estimate_minutes"),
                        format!("must be between 1 and {MAX_ESTIMATE_MINUTES} minutes"),
                    ));
                }
            }
        }

        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn check_offset(&self, errors: &mut Vec<FieldError>, field: &str, offset: i32) {
        if !(-MAX_OFFSET_DAYS..=MAX_OFFSET_DAYS).contains(&offset) {
            errors.push(FieldError::new(
                field,
                format!("must be between -{MAX_OFFSET_DAYS} and {MAX_OFFSET_DAYS} working days"),
            ));
        } else if offset < 0 && !self.allow_due_before_start {
            errors.push(FieldError::new(
                field,
                "must not be negative unless the plan allows due dates before the start",
            ));
        }
    }
}

fn within(errors: &mut Vec<FieldError>, field: &str, len: usize, max: usize, what: &str) -> bool {
    if len > max {
        errors.push(FieldError::new(
            field,
            format!("must have at most {max} {what}"),
        ));
        false
    } else {
        true
    }
}

fn check_name(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if let Err(e) = validate::required_text(field, value, MAX_NAME_CHARS) {
        errors.push(e);
    }
}

fn check_description(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(FieldError::new(
            field,
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
}

/// Keys are compared exactly, so references resolve without guessing; surrounding spaces
/// are refused rather than trimmed away.
fn check_key<'a>(errors: &mut Vec<FieldError>, field: &str, key: &'a str, seen: &mut Vec<&'a str>) {
    if key.trim().is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if key.trim() != key {
        errors.push(FieldError::new(field, "must not start or end with spaces"));
    } else if key.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    } else if seen.contains(&key) {
        errors.push(FieldError::new(field, format!("repeats the key {key:?}")));
    } else {
        seen.push(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(key: &str) -> SlotPlan {
        SlotPlan {
            key: key.into(),
            role: "Engineer".into(),
            department: Some("Engineering".into()),
        }
    }

    fn milestone(key: &str, offset: i32) -> MilestonePlan {
        MilestonePlan {
            key: key.into(),
            name: "Build complete".into(),
            description: String::new(),
            offset_days: offset,
        }
    }

    fn task(title: &str, offset: i32) -> TaskPlan {
        TaskPlan {
            title: title.into(),
            description: "Do the thing.".into(),
            priority: Priority::P2,
            offset_days: offset,
            milestone: Some("build".into()),
            slot: Some("eng".into()),
            estimate_minutes: Some(60),
        }
    }

    fn valid() -> TemplatePlan {
        TemplatePlan {
            slots: vec![slot("eng")],
            milestones: vec![milestone("build", 10)],
            tasks: vec![task("Write code", 5), task("Test code", 8)],
            allow_due_before_start: false,
        }
    }

    fn errors_of(plan: &TemplatePlan) -> Vec<String> {
        match plan.validate() {
            Ok(()) => vec![],
            Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_small_plan_and_an_empty_plan_are_valid() {
        assert_eq!(valid().validate(), Ok(()));
        assert_eq!(TemplatePlan::default().validate(), Ok(()));
    }

    #[test]
    fn each_rule_names_the_field_and_the_reason() {
        type Break = fn(&mut TemplatePlan);
        let table: &[(Break, &str)] = &[
            (
                |p| p.tasks[1].title = "  ".into(),
                "plan.tasks[1].title: is required",
            ),
            (
                |p| p.tasks[0].title = "x".repeat(201),
                "plan.tasks[0].title: must be at most 200 characters",
            ),
            (
                |p| p.tasks[0].title = "a\u{7}b".into(),
                "plan.tasks[0].title: must not contain control characters",
            ),
            (
                |p| p.tasks[0].description = "x".repeat(20_001),
                "plan.tasks[0].description: must be at most 20000 characters",
            ),
            (
                |p| p.milestones[0].description = "x".repeat(20_001),
                "plan.milestones[0].description: must be at most 20000 characters",
            ),
            (
                |p| p.milestones[0].name = String::new(),
                "plan.milestones[0].name: is required",
            ),
            (
                |p| p.slots[0].role = "\t".into(),
                "plan.slots[0].role: is required",
            ),
            (
                |p| p.slots[0].department = Some("d".repeat(201)),
                "plan.slots[0].department: must be at most 200 characters",
            ),
            (|p| p.slots.push(slot("")), "plan.slots[1].key: is required"),
            (
                |p| p.milestones.push(milestone(" launch", 12)),
                "plan.milestones[1].key: must not start or end with spaces",
            ),
            (
                |p| p.slots.push(slot("eng")),
                "plan.slots[1].key: repeats the key \"eng\"",
            ),
            (
                |p| p.milestones.push(milestone("build", 3)),
                "plan.milestones[1].key: repeats the key \"build\"",
            ),
            (
                |p| p.tasks[1].milestone = Some("launch".into()),
                "plan.tasks[1].milestone: names no milestone in this plan (\"launch\")",
            ),
            (
                |p| p.tasks[0].slot = Some("designer".into()),
                "plan.tasks[0].slot: names no role slot in this plan (\"designer\")",
            ),
            (
                |p| p.tasks[0].offset_days = -1,
                "plan.tasks[0].offset_days: must not be negative unless the plan allows due dates before the start",
            ),
            (
                |p| p.milestones[0].offset_days = -2,
                "plan.milestones[0].offset_days: must not be negative unless the plan allows due dates before the start",
            ),
            (
                |p| p.tasks[0].offset_days = 3651,
                "plan.tasks[0].offset_days: must be between -3650 and 3650 working days",
            ),
            (
                |p| {
                    p.allow_due_before_start = true;
                    p.tasks[0].offset_days = -3651;
                },
                "plan.tasks[0].offset_days: must be between -3650 and 3650 working days",
            ),
            (
                |p| p.tasks[0].estimate_minutes = Some(0),
                "plan.tasks[0].estimate_minutes: must be between 1 and 600000 minutes",
            ),
            (
                |p| p.slots = (0..51).map(|i| slot(&format!("s{i}"))).collect(),
                "plan.slots: must have at most 50 slots",
            ),
            (
                |p| p.milestones = (0..101).map(|i| milestone(&format!("m{i}"), 1)).collect(),
                "plan.milestones: must have at most 100 milestones",
            ),
            (
                |p| p.tasks = (0..1001).map(|_| task("t", 1)).collect(),
                "plan.tasks: must have at most 1000 tasks",
            ),
        ];
        for (i, (break_it, want)) in table.iter().enumerate() {
            let mut plan = valid();
            break_it(&mut plan);
            assert_eq!(errors_of(&plan), vec![want.to_string()], "case {i}");
        }
    }

    #[test]
    fn negative_offsets_are_fine_when_the_plan_allows_them() {
        let mut plan = valid();
        plan.allow_due_before_start = true;
        plan.tasks[0].offset_days = -10;
        plan.milestones[0].offset_days = -3650;
        assert_eq!(plan.validate(), Ok(()));
    }

    #[test]
    fn a_blank_department_is_treated_as_none_and_tasks_need_no_slot_or_milestone() {
        let mut plan = valid();
        plan.slots[0].department = Some("  ".into());
        plan.tasks[0].slot = None;
        plan.tasks[0].milestone = None;
        plan.tasks[0].estimate_minutes = None;
        assert_eq!(plan.validate(), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut plan = valid();
        plan.tasks[0].title = String::new();
        plan.tasks[1].title = String::new();
        plan.slots[0].role = String::new();
        assert_eq!(
            errors_of(&plan),
            vec![
                "plan.slots[0].role: is required",
                "plan.tasks[0].title: is required",
                "plan.tasks[1].title: is required",
            ]
        );
    }

    #[test]
    fn plans_round_trip_through_json_and_omitted_fields_default() {
        let plan = valid();
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(TemplatePlan::from_json(&json), Ok(plan));

        let minimal = r#"{"tasks":[{"title":"Call the client"}]}"#;
        let parsed = TemplatePlan::from_json(minimal).unwrap();
        assert_eq!(parsed.tasks[0].priority, DEFAULT_PRIORITY);
        assert_eq!(parsed.tasks[0].offset_days, 0);
        assert!(!parsed.allow_due_before_start);
    }

    #[test]
    fn from_json_reports_bad_json_and_invalid_plans_on_fields() {
        let bad = TemplatePlan::from_json("{").unwrap_err();
        assert_eq!(bad[0].field, "plan");
        let bad = TemplatePlan::from_json(r#"{"tasks":[{"title":"x","priority":"p9"}]}"#);
        assert_eq!(bad.unwrap_err()[0].field, "plan");
        let invalid = TemplatePlan::from_json(r#"{"tasks":[{"title":""}]}"#).unwrap_err();
        assert_eq!(invalid[0].field, "plan.tasks[0].title");
    }

    #[test]
    fn due_dates_count_working_days_from_the_start() {
        let start = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(); // a Friday
        let plan = valid();
        assert_eq!(
            plan.milestones[0].due_on(start, &[1, 2, 3, 4, 5]),
            NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
        );
        assert_eq!(
            plan.tasks[0].due_on(start, &[]),
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
        );
    }
}
