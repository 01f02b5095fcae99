use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn task(title: &str, due: Option<&str>, assignee: Option<&str>, priority: Priority) -> SummaryTask {
    SummaryTask {
        title: title.into(),
        due: due.map(d),
        assignee: assignee.map(Into::into),
        completed: None,
        priority,
    }
}

fn done(title: &str, on: &str, assignee: Option<&str>, priority: Priority) -> SummaryTask {
    SummaryTask {
        completed: Some(d(on)),
        ..task(title, Some(on), assignee, priority)
    }
}

fn milestone(name: &str, due: &str, status: MilestoneStatus, progress: u8) -> SummaryMilestone {
    SummaryMilestone {
        name: name.into(),
        due: Some(d(due)),
        status,
        progress,
    }
}

/// A busy week on a website project, with titles that try to break the document.
fn busy_week() -> StatusSummary {
    use MilestoneStatus::*;
    use Priority::*;
    StatusSummary {
        project: "Website Redesign".into(),
        client: Some("Acme & Sons".into()),
        from: d("2026-11-16"),
        to: d("2026-11-22"),
        health: Some(Health::AtRisk),
        health_summary: Some("Design sign-off slipped a week;\nlaunch date at risk.".into()),
        health_updated: Some(d("2026-11-20")),
        completed: vec![
            done("Homepage wireframes", "2026-11-17", Some("Jane Doe"), P1),
            done("# Not a heading", "2026-11-18", None, P2),
            done(
                "*bold* _move_ [link](http://x) `code` <b>html</b>",
                "2026-11-19",
                Some("Bob Lee"),
                P3,
            ),
        ],
        upcoming: vec![
            task(
                "Build templates and components",
                Some("2026-11-27"),
                Some("Jane Doe"),
                P1,
            ),
            task("1. Write copy", Some("2026-11-25"), None, P2),
            task("- not a nested list", None, Some("John Smith"), P2),
        ],
        milestones: vec![
            milestone("Sitemap approved", "2026-11-18", Done, 100),
            milestone("Designs approved", "2026-11-27", InProgress, 60),
            milestone("Launch", "2026-12-11", NotStarted, 0),
        ],
        blocked: vec![
            SummaryBlocked {
                title: "Launch".into(),
                blocked_by: vec!["DNS access".into(), "Final copy".into()],
            },
            SummaryBlocked {
                title: "> quoted".into(),
                blocked_by: vec![],
            },
        ],
        overdue: vec![task(
            "Client feedback on copy",
            Some("2026-11-19"),
            Some("Jane Doe"),
            P0,
        )],
        minutes_logged: 750,
        budget: Some("52 of 120 hours used".into()),
    }
}

fn quiet_week() -> StatusSummary {
    StatusSummary {
        project: "Internal Tools".into(),
        client: None,
        from: d("2026-11-16"),
        to: d("2026-11-22"),
        health: None,
        health_summary: None,
        health_updated: None,
        completed: vec![],
        upcoming: vec![],
        milestones: vec![],
        blocked: vec![],
        overdue: vec![],
        minutes_logged: 0,
        budget: None,
    }
}

#[test]
fn status_summary_matches_the_golden_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/status_summary.md"
    );
    let got = busy_week().to_markdown();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &got).unwrap();
    }
    let want = std::fs::read_to_string(path)
        .expect("golden file missing: run with UPDATE_GOLDEN=1 to create it");
    assert_eq!(
        got, want,
        "run with UPDATE_GOLDEN=1 to accept the new output"
    );
}

#[test]
fn a_quiet_week_says_nothing_in_every_section() {
    let md = quiet_week().to_markdown();
    assert_eq!(
        md,
        "# Internal Tools — status 2026-11-16 to 2026-11-22\n\n\
         **Client:** none\n\n\
         **Health:** not set\n\
         \n## Done\n\n_Nothing._\n\
         \n## Coming up\n\n_Nothing._\n\
         \n## Blocked\n\n_Nothing._\n\
         \n## Risks\n\n_Nothing._\n\
         \n## Time\n\n- 0 hours logged\n- Budget: not set\n"
    );
}

#[test]
fn health_reads_as_words_and_only_bad_health_is_a_risk() {
    let table = [
        (
            Health::OnTrack,
            "**Health:** On track — All good. (updated 2026-11-20)",
            false,
        ),
        (
            Health::AtRisk,
            "**Health:** At risk — All good. (updated 2026-11-20)",
            true,
        ),
        (
            Health::OffTrack,
            "**Health:** Off track — All good. (updated 2026-11-20)",
            true,
        ),
    ];
    for (health, line, risk) in table {
        let summary = StatusSummary {
            health: Some(health),
            health_summary: Some("All good.".into()),
            health_updated: Some(d("2026-11-20")),
            ..quiet_week()
        };
        let md = summary.to_markdown();
        assert!(md.contains(line), "{health}: {md}");
        let risk_line = format!(
            "- Health is {}: All good.",
            health_label(health).to_lowercase()
        );
        assert_eq!(md.contains(&risk_line), risk, "{health}: {md}");
    }
}

#[test]
fn a_blank_health_summary_is_left_out() {
    let summary = StatusSummary {
        health: Some(Health::OffTrack),
        health_summary: Some("  \n ".into()),
        ..quiet_week()
    };
    let md = summary.to_markdown();
    assert!(md.contains("**Health:** Off track\n"), "{md}");
    assert!(md.contains("- Health is off track\n"), "{md}");
}

#[test]
fn user_text_cannot_change_the_document_structure() {
    let table = [
        ("Plain title", "Plain title"),
        ("# Heading", "\\# Heading"),
        ("## Done", "\\## Done"),
        ("> quote", "\\> quote"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("= underline", "\\= underline"),
        ("1. First", "1\\. First"),
        ("12) Twelfth", "12\\) Twelfth"),
        ("2026 plan. Q1", "2026 plan. Q1"),
        ("Fix bug #123 - now", "Fix bug #123 - now"),
        ("*bold* and _it_", "\\*bold\\* and \\_it\\_"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("![img](x)", "!\\[img\\](x)"),
        ("`code`", "\\`code\\`"),
        ("<script>", "\\<script>"),
        ("</b>", "\\</b>"),
        ("a < b & c", "a < b & c"),
        ("&#42;", "\\&#42;"),
        ("back\\slash", "back\\\\slash"),
        ("~~struck~~", "\\~\\~struck\\~\\~"),
        ("&amp;", "\\&amp;"),
        ("two\nlines\r\n\n# here", "two lines # here"),
        ("tab\there\u{0}nul", "tab here nul"),
        ("   ", ""),
        ("Café — naïve ✓", "Café — naïve ✓"),
    ];
    for (text, want) in table {
        assert_eq!(escape_markdown(text), want, "{text:?}");
    }
}

#[test]
fn hours_are_rounded_to_tenths() {
    let table = [
        (0, "0 hours"),
        (2, "0 hours"),
        (3, "0.1 hours"),
        (30, "0.5 hours"),
        (60, "1 hour"),
        (61, "1 hour"),
        (90, "1.5 hours"),
        (750, "12.5 hours"),
        (6000, "100 hours"),
        (-90, "-1.5 hours"),
        (i64::MIN, "-153722867280912930.1 hours"),
    ];
    for (minutes, want) in table {
        assert_eq!(hours(minutes), want, "{minutes}");
    }
}

#[test]
fn done_milestones_are_reported_as_done() {
    let md = busy_week().to_markdown();
    let done = md.split("## Coming up").next().unwrap();
    assert!(done.contains("Milestone: Sitemap approved"));
    assert!(!done.contains("Milestone: Launch"));
}

#[test]
fn summaries_serialize_for_the_api() {
    let json = serde_json::to_value(busy_week()).unwrap();
    assert_eq!(json["health"], "at_risk");
    assert_eq!(json["milestones"][1]["status"], "in_progress");
    assert_eq!(json["completed"][0]["completed"], "2026-11-17");
    let back: StatusSummary = serde_json::from_value(json).unwrap();
    assert_eq!(back, busy_week());
}
