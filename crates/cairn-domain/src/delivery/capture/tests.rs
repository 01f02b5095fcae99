use super::*;
use chrono::TimeZone;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Fixture {
    clients: Vec<Named>,
    projects: Vec<NamedProject>,
    tags: Vec<Named>,
    users: Vec<Person>,
}

fn named(n: u128, name: &str) -> Named {
    Named {
        id: id(n),
        name: name.into(),
    }
}

fn project(n: u128, name: &str, client: Option<u128>) -> NamedProject {
    NamedProject {
        id: id(n),
        name: name.into(),
        client_id: client.map(id),
    }
}

fn person(n: u128, name: &str, email: &str) -> Person {
    Person {
        id: id(n),
        name: name.into(),
        email: email.into(),
    }
}

fn fixture() -> Fixture {
    Fixture {
        clients: vec![
            named(1, "Acme"),
            named(2, "Acme Corp"),
            named(3, "Globex"),
            named(4, "X"),
            named(5, "Monday Studio"),
        ],
        projects: vec![
            project(11, "Website Redesign", Some(1)),
            project(12, "Brand Refresh", Some(3)),
            project(13, "Internal Tools", None),
            project(14, "Mobile App", Some(1)),
            project(15, "Mobile App", Some(3)),
        ],
        tags: vec![
            named(21, "ops"),
            named(22, "Client Work"),
            named(23, "Q4 Planning"),
        ],
        users: vec![
            person(31, "Jane Doe", "jane.doe@studio.test"),
            person(32, "John Smith", "jsmith@studio.test"),
            person(33, "Jane Austen", "ja@studio.test"),
            person(34, "Bob Lee", "robert@studio.test"),
        ],
    }
}

impl Fixture {
    fn ctx(&self, today: NaiveDate) -> CaptureContext<'_> {
        CaptureContext {
            today,
            clients: &self.clients,
            projects: &self.projects,
            tags: &self.tags,
            users: &self.users,
        }
    }

    /// The id of whatever is called `name`, to write expectations in names.
    fn id_of(&self, name: &str) -> Uuid {
        let all = self
            .clients
            .iter()
            .chain(&self.tags)
            .map(|n| (n.id, n.name.as_str()))
            .chain(self.projects.iter().map(|p| (p.id, p.name.as_str())))
            .chain(self.users.iter().map(|p| (p.id, p.name.as_str())));
        let found: Vec<Uuid> = all.filter(|(_, n)| *n == name).map(|(i, _)| i).collect();
        assert_eq!(found.len(), 1, "fixture name {name} is not unique");
        found[0]
    }
}

/// One expectation; unset fields expect nothing captured.
#[derive(Default)]
struct Case {
    input: &'static str,
    today: Option<NaiveDate>,
    title: &'static str,
    due: Option<&'static str>,
    priority: Option<Priority>,
    tags: &'static [&'static str],
    assignee: Option<&'static str>,
    client: Option<&'static str>,
    project: Option<&'static str>,
    /// Substrings that must each appear in some note.
    notes: &'static [&'static str],
}

fn case(input: &'static str, title: &'static str) -> Case {
    Case {
        input,
        title,
        ..Case::default()
    }
}

impl Case {
    fn today(mut self, d: &str) -> Self {
        self.today = Some(date(d));
        self
    }
    fn on(mut self, d: NaiveDate) -> Self {
        self.today = Some(d);
        self
    }
    fn due(mut self, d: &'static str) -> Self {
        self.due = Some(d);
        self
    }
    fn priority(mut self, p: Priority) -> Self {
        self.priority = Some(p);
        self
    }
    fn tags(mut self, t: &'static [&'static str]) -> Self {
        self.tags = t;
        self
    }
    fn assignee(mut self, a: &'static str) -> Self {
        self.assignee = Some(a);
        self
    }
    fn client(mut self, c: &'static str) -> Self {
        self.client = Some(c);
        self
    }
    fn project(mut self, p: &'static str, client: Option<&'static str>) -> Self {
        // A project always brings its own client.
        self.project = Some(p);
        self.client = client;
        self
    }
    fn notes(mut self, n: &'static [&'static str]) -> Self {
        self.notes = n;
        self
    }
}

/// The fixture's "today": Saturday 2026-11-21.
const SATURDAY: &str = "2026-11-21";

fn tokyo_today() -> NaiveDate {
    today_in(
        chrono_tz::Asia::Tokyo,
        Utc.with_ymd_and_hms(2026, 11, 21, 23, 30, 0).unwrap(),
    )
}

fn new_york_today() -> NaiveDate {
    today_in(
        chrono_tz::America::New_York,
        Utc.with_ymd_and_hms(2026, 11, 21, 23, 30, 0).unwrap(),
    )
}

fn cases() -> Vec<Case> {
    use Priority::*;
    vec![
        // The example from the capture box's placeholder.
        case("Renew SSL for Acme tomorrow !p1 #ops @john", "Renew SSL")
            .due("2026-11-22")
            .priority(P1)
            .tags(&["ops"])
            .assignee("John Smith")
            .client("Acme"),
        // Names: longest match first, word boundaries, case and punctuation.
        case("Call Acme Corp about the invoice", "Call about the invoice").client("Acme Corp"),
        case("Email acme, then call", "Email then call").client("Acme"),
        case("Acmes are great", "Acmes are great"),
        case("Ask X about the logo", "Ask X about the logo"),
        case("Review Website Redesign copy", "Review copy")
            .project("Website Redesign", Some("Acme")),
        case("Update acme website redesign page", "Update page")
            .project("Website Redesign", Some("Acme")),
        case("Sync on Website Redesign for Acme", "Sync").project("Website Redesign", Some("Acme")),
        case("Meet re Brand Refresh on monday", "Meet")
            .project("Brand Refresh", Some("Globex"))
            .due("2026-11-23"),
        case(
            "Fix Website Redesign footer for Globex",
            "Fix footer for Globex",
        )
        .project("Website Redesign", Some("Acme"))
        .notes(&["Globex stays in the title"]),
        case("Internal Tools cleanup for Acme", "cleanup for Acme")
            .project("Internal Tools", None)
            .notes(&["Acme stays in the title"]),
        case("Plan Mobile App sprint for Globex", "Plan sprint")
            .project("Mobile App", Some("Globex")),
        case("Plan Mobile App sprint", "Plan Mobile App sprint").notes(&["several projects"]),
        case("Globex and Acme sync", "and Acme sync")
            .client("Globex")
            .notes(&["Acme stays in the title: a client was already found"]),
        // A client's name outranks the date word inside it.
        case("Invoice Monday Studio tomorrow", "Invoice")
            .client("Monday Studio")
            .due("2026-11-22"),
        // Dates, relative to Saturday 2026-11-21.
        case("Renew domain today", "Renew domain").due(SATURDAY),
        case("Ship it tmrw", "Ship it").due("2026-11-22"),
        case("Prep deck friday", "Prep deck").due("2026-11-27"),
        case("Prep deck on Fri", "Prep deck").due("2026-11-27"),
        case("Send report saturday", "Send report").due("2026-11-28"),
        case("Kickoff next week", "Kickoff").due("2026-11-23"),
        case("Follow up in 3 days", "Follow up").due("2026-11-24"),
        case("Follow up in 2 weeks", "Follow up").due("2026-12-05"),
        case("Follow up in a week", "Follow up").due("2026-11-28"),
        case("Follow up in 9999999 days", "Follow up in 9999999 days"),
        case("Pay invoice due 2026-12-01", "Pay invoice").due("2026-12-01"),
        case("Pay invoice due by 2026-12-01", "Pay invoice").due("2026-12-01"),
        case("Pay invoice by 2026-02-30", "Pay invoice by 2026-02-30").notes(&["not a valid date"]),
        case("File taxes 2020-01-01", "File taxes")
            .due("2020-01-01")
            .notes(&["in the past"]),
        case("Ship tomorrow not friday", "Ship not friday")
            .due("2026-11-22")
            .notes(&["friday stays in the title: a due date was already found"]),
        // Dates relative to Wednesday 2026-11-18: "next" means next Monday-based week.
        case("Demo friday", "Demo")
            .today("2026-11-18")
            .due("2026-11-20"),
        case("Demo next friday", "Demo")
            .today("2026-11-18")
            .due("2026-11-27"),
        case("Retro next week", "Retro")
            .today("2026-11-18")
            .due("2026-11-23"),
        case("Retro next wednesday", "Retro")
            .today("2026-11-18")
            .due("2026-11-25"),
        case("Standup wed", "Standup")
            .today("2026-11-18")
            .due("2026-11-25"),
        // Timezones: 2026-11-21T23:30Z is already Sunday the 22nd in Tokyo.
        case("Call back tomorrow", "Call back")
            .on(tokyo_today())
            .due("2026-11-23"),
        case("Call back tomorrow", "Call back")
            .on(new_york_today())
            .due("2026-11-22"),
        case("Call back today", "Call back")
            .on(tokyo_today())
            .due("2026-11-22"),
        case("Call back sunday", "Call back")
            .on(tokyo_today())
            .due("2026-11-29"),
        // Priority.
        case("!P0 outage", "outage").priority(P0),
        case("!p1 !p2 cleanup", "!p2 cleanup")
            .priority(P1)
            .notes(&["!p2 stays in the title"]),
        case("!p7 cleanup", "!p7 cleanup").notes(&["!p7 is not a priority"]),
        case("Wow! cleanup", "Wow! cleanup"),
        // Tags.
        case("#client-work tidy files", "tidy files").tags(&["Client Work"]),
        case("#CLIENT_WORK #ops tidy", "tidy").tags(&["Client Work", "ops"]),
        case("Plan #q4-planning, then rest", "Plan then rest").tags(&["Q4 Planning"]),
        case("#foo tidy", "#foo tidy").notes(&["#foo is not a tag in this workspace"]),
        case("Fix crash #123", "Fix crash #123"),
        case("#acme tidy", "#acme tidy").notes(&["not a tag"]),
        // Assignees.
        case("@jane review", "@jane review").notes(&["@jane matches several members"]),
        case("@bob review", "review").assignee("Bob Lee"),
        case("@JaneDoe review", "review").assignee("Jane Doe"),
        case("review, @jane.doe @nobody", "review, @nobody")
            .assignee("Jane Doe")
            .notes(&["@nobody matches no member"]),
        case("@john @bob review", "@bob review")
            .assignee("John Smith")
            .notes(&["already has an assignee"]),
        // Degenerate lines.
        case("", ""),
        case("   tomorrow   !p1  ", "tomorrow !p1")
            .due("2026-11-22")
            .priority(P1),
        case(
            "Résumé für Zoë  nächste   Woche",
            "Résumé für Zoë nächste Woche",
        ),
        case("Tab\tseparated\u{0}words", "Tab separated words"),
    ]
}

#[test]
fn captures_read_like_the_user_meant() {
    let f = fixture();
    let cases = cases();
    assert!(cases.len() >= 30);
    for c in cases {
        let today = c.today.unwrap_or_else(|| date(SATURDAY));
        let got = parse(c.input, &f.ctx(today));
        let at = format!("{:?} → {got:#?}", c.input);
        assert_eq!(got.title, c.title, "title of {at}");
        assert_eq!(got.due, c.due.map(date), "due of {at}");
        assert_eq!(got.priority, c.priority, "priority of {at}");
        let tags: Vec<Uuid> = c.tags.iter().map(|t| f.id_of(t)).collect();
        assert_eq!(got.tags, tags, "tags of {at}");
        assert_eq!(
            got.assignee,
            c.assignee.map(|a| f.id_of(a)),
            "assignee of {at}"
        );
        assert_eq!(
            got.client_id,
            c.client.map(|n| f.id_of(n)),
            "client of {at}"
        );
        if c.project == Some("Mobile App") {
            // Two projects share the name; the client tells them apart.
            assert_eq!(got.project_id, Some(id(15)), "project of {at}");
        } else {
            assert_eq!(
                got.project_id,
                c.project.map(|n| f.id_of(n)),
                "project of {at}"
            );
        }
        for want in c.notes {
            assert!(
                got.notes.iter().any(|n| n.contains(want)),
                "note {want:?} in {at}"
            );
        }
        if c.notes.is_empty() {
            assert!(got.notes.is_empty(), "no notes in {at}");
        }
    }
}

#[test]
fn understood_lists_what_was_taken_in_the_order_typed() {
    let f = fixture();
    let got = parse(
        "Renew SSL for Acme on friday !p1 #ops @jane.doe",
        &f.ctx(date(SATURDAY)),
    );
    let seen: Vec<(&str, &str, &str)> = got
        .understood
        .iter()
        .map(|u| (u.kind, u.text.as_str(), u.value.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("client", "for Acme", "Acme"),
            ("date", "on friday", "2026-11-27 (Friday)"),
            ("priority", "!p1", "p1"),
            ("tag", "#ops", "ops"),
            ("assignee", "@jane.doe", "Jane Doe"),
        ]
    );
}

#[test]
fn date_values_say_how_they_were_read() {
    let f = fixture();
    let ctx = f.ctx(date(SATURDAY));
    let table = [
        ("tomorrow", "2026-11-22 (tomorrow)"),
        ("today", "2026-11-21 (today)"),
        ("next week", "2026-11-23 (next week)"),
        ("next fri", "2026-11-27 (next Friday)"),
        ("in 3 days", "2026-11-24 (in 3 days)"),
        ("in a week", "2026-11-28 (in a week)"),
        ("2026-12-01", "2026-12-01 (Tuesday)"),
    ];
    for (input, want) in table {
        let got = parse(&format!("Task {input}"), &ctx);
        assert_eq!(got.understood[0].value, want, "{input}");
        assert_eq!(got.understood[0].text, input, "{input}");
    }
}

#[test]
fn a_project_and_its_client_are_both_understood() {
    let f = fixture();
    let got = parse("Sync on Website Redesign for Acme", &f.ctx(date(SATURDAY)));
    let kinds: Vec<(&str, &str)> = got
        .understood
        .iter()
        .map(|u| (u.kind, u.text.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![("project", "on Website Redesign"), ("client", "for Acme")]
    );
}

#[test]
fn today_follows_the_users_timezone() {
    assert_eq!(tokyo_today(), date("2026-11-22"));
    assert_eq!(new_york_today(), date("2026-11-21"));
    let utc_midnight = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
    assert_eq!(today_in(chrono_tz::UTC, utc_midnight), date("2026-11-22"));
    assert_eq!(
        today_in(chrono_tz::Pacific::Honolulu, utc_midnight),
        date("2026-11-21")
    );
}

#[test]
fn any_line_yields_a_capture_with_a_bounded_title() {
    let f = fixture();
    let ctx = f.ctx(date(SATURDAY));
    let long = "word ".repeat(2000);
    let long_names = "Acme Corp Website Redesign #ops @jane ".repeat(300);
    let inputs = [
        "",
        "   ",
        "!",
        "#",
        "@",
        "! # @ !! ## @@",
        "!p1 #ops @bob tomorrow for Acme",
        "next",
        "in",
        "in 3",
        "in a",
        "due",
        "on",
        "for",
        "9999-12-31",
        "0000-01-01",
        "🙂🙂 ✨ #🙂 @🙂 !🙂",
        "\u{202e}reversed\u{200b}zero width",
        "e\u{301}\u{301}\u{301} combining",
        "\0\0\0",
        &long,
        &long_names,
    ];
    for input in inputs {
        let got = parse(input, &ctx);
        assert!(got.title.chars().count() <= MAX_TITLE_CHARS, "{input:.40}");
        assert!(!got.title.chars().any(char::is_control), "{input:.40}");
        assert_eq!(got.title, got.title.trim());
    }
    let got = parse(&long, &ctx);
    assert!(got.notes.iter().any(|n| n.contains("shortened")));
}

#[test]
fn a_line_of_only_tokens_keeps_its_text_as_the_title() {
    let f = fixture();
    let got = parse("  for Acme   tomorrow ", &f.ctx(date(SATURDAY)));
    assert_eq!(got.title, "for Acme tomorrow");
    assert_eq!(got.client_id, Some(id(1)));
    assert_eq!(got.due, Some(date("2026-11-22")));
}

#[test]
fn an_empty_workspace_still_understands_dates_and_priorities() {
    let ctx = CaptureContext {
        today: date(SATURDAY),
        clients: &[],
        projects: &[],
        tags: &[],
        users: &[],
    };
    let got = Capture::parse("Water plants tomorrow !p3 #home @me", &ctx);
    assert_eq!(got.title, "Water plants #home @me");
    assert_eq!(got.due, Some(date("2026-11-22")));
    assert_eq!(got.priority, Some(Priority::P3));
    assert_eq!(got.notes.len(), 2);
}

#[test]
fn capture_serializes_for_the_api() {
    let f = fixture();
    let got = parse("Call Acme !p0", &f.ctx(date(SATURDAY)));
    let json = serde_json::to_value(&got).unwrap();
    assert_eq!(json["priority"], "p0");
    assert_eq!(json["understood"][0]["kind"], "client");
    assert_eq!(json["client_id"], id(1).to_string());
}
