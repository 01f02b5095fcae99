//! A project status summary: what was done, what is coming, what is stuck and what it cost, for
//! a date range. The core gathers the facts; this module only renders them as Markdown that a
//! lead can paste into an email or a client update, so the wording lives in one tested place.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Health, MilestoneStatus, Priority};

/// Everything a status summary says about one project over `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSummary {
    /// The project's name.
    pub project: String,
    /// The client's name; `None` for internal projects.
    pub client: Option<String>,
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: NaiveDate,
    /// The latest health a person set, if any.
    pub health: Option<Health>,
    /// What they wrote with it.
    pub health_summary: Option<String>,
    /// When they set it.
    pub health_updated: Option<NaiveDate>,
    /// Tasks completed in the range.
    pub completed: Vec<SummaryTask>,
    /// Open tasks due soon.
    pub upcoming: Vec<SummaryTask>,
    /// Milestones worth mentioning; done ones are reported under "Done".
    pub milestones: Vec<SummaryMilestone>,
    /// Open tasks waiting on others.
    pub blocked: Vec<SummaryBlocked>,
    /// Open tasks past their due date.
    pub overdue: Vec<SummaryTask>,
    /// Time logged in the range.
    pub minutes_logged: i64,
    /// The budget position, already worded by the caller ("32 of 80 hours used").
    pub budget: Option<String>,
}

/// A task as the summary mentions it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryTask {
    pub title: String,
    pub due: Option<NaiveDate>,
    /// The assignee's name.
    pub assignee: Option<String>,
    /// When it was completed, for completed tasks.
    pub completed: Option<NaiveDate>,
    pub priority: Priority,
}

/// A milestone as the summary mentions it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryMilestone {
    pub name: String,
    pub due: Option<NaiveDate>,
    pub status: MilestoneStatus,
    /// Percent of its tasks done, 0-100.
    pub progress: u8,
}

/// A blocked task and the titles of the tasks it waits on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryBlocked {
    pub title: String,
    pub blocked_by: Vec<String>,
}

const NOTHING: &str = "_Nothing._";

impl StatusSummary {
    /// Renders the summary as Markdown. User text is escaped so a title such as `# Done` or
    /// `*urgent*` reads as typed instead of changing the document's structure.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# {} — status {} to {}\n\n",
            escape_markdown(&self.project),
            self.from,
            self.to
        );
        let client = self
            .client
            .as_deref()
            .map_or("none".into(), escape_markdown);
        out.push_str(&format!("**Client:** {client}\n\n"));
        out.push_str(&format!("**Health:** {}\n", self.health_line()));

        let done_milestones = self
            .milestones
            .iter()
            .filter(|m| m.status == MilestoneStatus::Done);
        let done: Vec<String> = self
            .completed
            .iter()
            .map(task_line)
            .chain(done_milestones.map(milestone_line))
            .collect();
        section(&mut out, "Done", &done);

        let open_milestones = self
            .milestones
            .iter()
            .filter(|m| m.status != MilestoneStatus::Done);
        let coming: Vec<String> = self
            .upcoming
            .iter()
            .map(task_line)
            .chain(open_milestones.map(milestone_line))
            .collect();
        section(&mut out, "Coming up", &coming);

        let blocked: Vec<String> = self.blocked.iter().map(blocked_line).collect();
        section(&mut out, "Blocked", &blocked);

        let mut risks = Vec::new();
        if let Some(health @ (Health::AtRisk | Health::OffTrack)) = self.health {
            let mut line = format!("Health is {}", health_label(health).to_lowercase());
            if let Some(summary) = self.health_text() {
                line.push_str(&format!(": {summary}"));
            }
            risks.push(line);
        }
        risks.extend(
            self.overdue
                .iter()
                .map(|t| format!("Overdue: {}", task_line(t))),
        );
        section(&mut out, "Risks", &risks);

        let time = vec![
            format!("{} logged", hours(self.minutes_logged)),
            format!(
                "Budget: {}",
                self.budget
                    .as_deref()
                    .map_or("not set".into(), escape_markdown)
            ),
        ];
        section(&mut out, "Time", &time);
        out
    }

    fn health_text(&self) -> Option<String> {
        self.health_summary
            .as_deref()
            .map(escape_markdown)
            .filter(|s| !s.is_empty())
    }

    fn health_line(&self) -> String {
        let Some(health) = self.health else {
            return "not set".into();
        };
        let mut line = health_label(health).to_string();
        if let Some(summary) = self.health_text() {
            line.push_str(&format!(" — {summary}"));
        }
        if let Some(updated) = self.health_updated {
            line.push_str(&format!(" (updated {updated})"));
        }
        line
    }
}

/// The words for a health, free of emoji so the summary reads the same in plain text.
fn health_label(health: Health) -> &'static str {
    match health {
        Health::OnTrack => "On track",
        Health::AtRisk => "At risk",
        Health::OffTrack => "Off track",
    }
}

fn section(out: &mut String, heading: &str, items: &[String]) {
    out.push_str(&format!("\n## {heading}\n\n"));
    if items.is_empty() {
        out.push_str(NOTHING);
        out.push('\n');
    }
    for item in items {
        out.push_str(&format!("- {item}\n"));
    }
}

fn task_line(t: &SummaryTask) -> String {
    let mut details = Vec::new();
    if let Some(done) = t.completed {
        details.push(format!("done {done}"));
    } else if let Some(due) = t.due {
        details.push(format!("due {due}"));
    }
    if let Some(who) = &t.assignee {
        details.push(escape_markdown(who));
    }
    details.push(t.priority.as_str().to_string());
    format!("{} — {}", escape_markdown(&t.title), details.join(" · "))
}

fn milestone_line(m: &SummaryMilestone) -> String {
    let mut details = Vec::new();
    if let Some(due) = m.due {
        details.push(format!("due {due}"));
    }
    details.push(match m.status {
        MilestoneStatus::NotStarted => format!("not started · {}% done", m.progress.min(100)),
        MilestoneStatus::InProgress => format!("in progress · {}% done", m.progress.min(100)),
        MilestoneStatus::Done => "done".to_string(),
    });
    format!(
        "Milestone: {} — {}",
        escape_markdown(&m.name),
        details.join(" · ")
    )
}

fn blocked_line(b: &SummaryBlocked) -> String {
    if b.blocked_by.is_empty() {
        return format!("{} — blocked", escape_markdown(&b.title));
    }
    let by: Vec<String> = b.blocked_by.iter().map(|t| escape_markdown(t)).collect();
    format!(
        "{} — blocked by {}",
        escape_markdown(&b.title),
        by.join(", ")
    )
}

/// "1 hour", "12.5 hours", "0 hours": tenths of an hour, rounded, without a trailing ".0".
fn hours(minutes: i64) -> String {
    let tenths = (u128::from(minutes.unsigned_abs()) * 10 + 30) / 60;
    let sign = if minutes < 0 && tenths > 0 { "-" } else { "" };
    let number = if tenths % 10 == 0 {
        format!("{sign}{}", tenths / 10)
    } else {
        format!("{sign}{}.{}", tenths / 10, tenths % 10)
    };
    let unit = if tenths == 10 { "hour" } else { "hours" };
    format!("{number} {unit}")
}

/// Makes user text inert inside a heading or list item: one line (whitespace collapsed,
/// control characters made spaces), inline markers backslash-escaped, and a leading character
/// that would start a block (heading, quote, list, numbered list) escaped too.
pub fn escape_markdown(text: &str) -> String {
    let line = text
        .replace(|c: char| c.is_control(), " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let leading_digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let inline = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' => true,
            // Only where they could start an HTML tag or an entity: "a < b & c" stays as is.
            '<' => next.is_ascii_alphabetic() || matches!(next, '/' | '!' | '?'),
            '&' => next.is_ascii_alphanumeric() || next == '#',
            _ => false,
        };
        let block_start = i == 0 && matches!(c, '#' | '>' | '-' | '+' | '=');
        let numbered = i == leading_digits && i > 0 && matches!(c, '.' | ')');
        if inline || block_start || numbered {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
