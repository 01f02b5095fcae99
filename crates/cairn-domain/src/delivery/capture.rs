//! Quick capture: one typed line such as `Renew SSL for Acme tomorrow !p1 #ops @jane` becomes a
//! task title plus the due date, priority, tags, assignee, client and project it mentions.
//!
//! The parser is deliberately forgiving: it never fails and never panics, because a capture box
//! must always save what was typed. Whatever it does not understand stays in the title, and it
//! reports what it took (`understood`) and what it left alone and why (`notes`), so the UI can
//! show its reading before the task is saved.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Priority;
use dates::DateWords;

mod dates;

/// Longest title a capture produces, matching the task title limit.
pub const MAX_TITLE_CHARS: usize = 200;

/// A client or tag the line may mention by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

/// A project the line may mention; mentioning it also sets its client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedProject {
    pub id: Uuid,
    pub name: String,
    pub client_id: Option<Uuid>,
}

/// A workspace member the line may assign with `@handle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// What the parser may recognise: the caller passes only what the user can see.
#[derive(Debug, Clone, Copy)]
pub struct CaptureContext<'a> {
    /// Today in the user's timezone (see [`today_in`]): "tomorrow" means the user's tomorrow.
    pub today: NaiveDate,
    /// Clients the user may see.
    pub clients: &'a [Named],
    /// Projects the user may see.
    pub projects: &'a [NamedProject],
    /// The workspace's tags.
    pub tags: &'a [Named],
    /// Members who may be assigned.
    pub users: &'a [Person],
}

/// The parsed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capture {
    /// The words that were not understood, in their order, single-spaced; at most
    /// [`MAX_TITLE_CHARS`].
    pub title: String,
    pub due: Option<NaiveDate>,
    pub priority: Option<Priority>,
    /// Tags in the order typed, each once.
    pub tags: Vec<Uuid>,
    pub assignee: Option<Uuid>,
    /// The client named, or the client of the project named.
    pub client_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// What was taken from the line, in the order it appeared.
    pub understood: Vec<Understood>,
    /// Why something that looked meaningful was left in the title.
    pub notes: Vec<String>,
}

/// One thing taken from the line, for the UI to show as a chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Understood {
    /// "date", "priority", "tag", "assignee", "client" or "project".
    pub kind: &'static str,
    /// The words consumed, as typed ("on Friday").
    pub text: String,
    /// What they were read as ("2026-11-27 (Friday)", "p1", "Jane Doe").
    pub value: String,
}

/// Today's date in `tz` at the instant `now`: the calendar day a user means by "today".
pub fn today_in(tz: chrono_tz::Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Parses one captured line. Never fails: see the module documentation.
pub fn parse(text: &str, ctx: &CaptureContext<'_>) -> Capture {
    Parser::new(text, ctx).run()
}

impl Capture {
    /// Parses one captured line; the same as [`parse`].
    pub fn parse(text: &str, ctx: &CaptureContext<'_>) -> Capture {
        parse(text, ctx)
    }
}

/// A whitespace-separated word of the line.
struct Token {
    /// As typed.
    text: String,
    /// Lower-cased without surrounding punctuation, for matching ("Acme," → "acme").
    word: String,
    /// Starts with `!`, `#` or `@`: never part of a name or a date, even when not understood.
    sigil: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    // Projects sort first: on an equal match a project wins, since it also gives the client.
    Project,
    Client,
}

/// A client or project name as the words that spell it.
struct KnownName {
    kind: Kind,
    /// Index into `ctx.clients` or `ctx.projects`.
    entity: usize,
    words: Vec<String>,
}

/// A run of tokens naming one or more same-named clients or projects.
struct NameMatch {
    start: usize,
    len: usize,
    kind: Kind,
    /// Indexes into `ctx.projects` or `ctx.clients`; several when names repeat.
    entities: Vec<usize>,
}

/// An accepted name: its span, an optional connective before it, and what it names.
struct Taken {
    /// First token taken, the connective's when there is one.
    from: usize,
    /// One past the last token of the name.
    end: usize,
    /// First token of the name itself.
    start: usize,
    entities: Vec<usize>,
}

struct Parser<'c, 'a> {
    ctx: &'c CaptureContext<'a>,
    cleaned: String,
    tokens: Vec<Token>,
    used: Vec<bool>,
    understood: Vec<(usize, Understood)>,
    notes: Vec<String>,
    capture: Capture,
}

const NAME_CONNECTIVES: &[&str] = &["for", "on", "at", "re"];
const DATE_CONNECTIVES: &[&str] = &["on", "due", "by"];

impl<'c, 'a> Parser<'c, 'a> {
    fn new(text: &str, ctx: &'c CaptureContext<'a>) -> Self {
        // Control characters would make the title invalid; they become spaces.
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let tokens: Vec<Token> = cleaned
            .split_whitespace()
            .map(|t| Token {
                text: t.to_string(),
                word: word(t),
                sigil: t.len() > 1 && t.starts_with(['!', '#', '@']),
            })
            .collect();
        let used = vec![false; tokens.len()];
        Parser {
            ctx,
            cleaned,
            tokens,
            used,
            understood: Vec::new(),
            notes: Vec::new(),
            capture: Capture {
                title: String::new(),
                due: None,
                priority: None,
                tags: Vec::new(),
                assignee: None,
                client_id: None,
                project_id: None,
                understood: Vec::new(),
                notes: Vec::new(),
            },
        }
    }

    fn run(mut self) -> Capture {
        // Sigils first, so `#acme` is never read as the client Acme; then names, which are the
        // workspace's own words and outrank the generic date words ("Monday Studio").
        self.sigils();
        self.names();
        self.dates();
        self.finish()
    }

    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    fn take(&mut self, kind: &'static str, from: usize, end: usize, value: String) {
        for u in &mut self.used[from..end] {
            *u = true;
        }
        let text = self.text(from, end);
        self.understood
            .push((from, Understood { kind, text, value }));
    }

    fn text(&self, from: usize, end: usize) -> String {
        self.tokens[from..end]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn free(&self, i: usize) -> bool {
        !self.used[i] && !self.tokens[i].sigil
    }

    fn sigils(&mut self) {
        for i in 0..self.tokens.len() {
            if !self.tokens[i].sigil {
                continue;
            }
            let text = self.tokens[i].text.clone();
            let body = trim_trailing_punctuation(&text[1..]);
            if body.is_empty() {
                self.tokens[i].sigil = false;
                continue;
            }
            match text.as_bytes()[0] {
                b'!' => self.priority(i, &text, body),
                b'#' => self.tag(i, &text, body),
                _ => self.assignee(i, &text, body),
            }
        }
    }

    fn priority(&mut self, i: usize, text: &str, body: &str) {
        let wanted = body.to_lowercase();
        match Priority::ALL.iter().find(|p| p.as_str() == wanted) {
            Some(&p) => match self.capture.priority {
                None => {
                    self.capture.priority = Some(p);
                    self.take("priority", i, i + 1, p.as_str().to_string());
                }
                Some(first) => self.note(format!(
                    "{text} stays in the title: the priority is already {first}"
                )),
            },
            None if body.starts_with(char::is_alphanumeric) => {
                self.note(format!("{text} is not a priority (use !p0 to !p3)"));
            }
            None => {}
        }
    }

    fn tag(&mut self, i: usize, text: &str, body: &str) {
        let wanted = tag_key(body);
        match self.ctx.tags.iter().find(|t| tag_key(&t.name) == wanted) {
            Some(tag) => {
                // A tag typed twice is simply the same tag.
                if !self.capture.tags.contains(&tag.id) {
                    self.capture.tags.push(tag.id);
                    self.take("tag", i, i + 1, tag.name.clone());
                } else {
                    self.used[i] = true;
                }
            }
            // "#123" reads as an issue number, not a tag someone forgot to create.
            None if body.chars().all(|c| c.is_ascii_digit()) => {}
            None => self.note(format!("{text} is not a tag in this workspace")),
        }
    }

    fn assignee(&mut self, i: usize, text: &str, body: &str) {
        let handle = body.to_lowercase();
        let mut found: Vec<&Person> = Vec::new();
        for p in self.ctx.users {
            if handle_matches(p, &handle) && !found.iter().any(|f| f.id == p.id) {
                found.push(p);
            }
        }
        match found.as_slice() {
            [] => self.note(format!("{text} matches no member")),
            [person] => match self.capture.assignee {
                None => {
                    self.capture.assignee = Some(person.id);
                    let value = if person.name.trim().is_empty() {
                        person.email.clone()
                    } else {
                        person.name.clone()
                    };
                    self.take("assignee", i, i + 1, value);
                }
                Some(_) => self.note(format!(
                    "{text} stays in the title: the task already has an assignee"
                )),
            },
            _ => self.note(format!("{text} matches several members")),
        }
    }

    /// Finds every run of free tokens spelling a client or project name.
    fn name_matches(&self) -> Vec<NameMatch> {
        let clients = self.ctx.clients.iter().map(|c| (Kind::Client, &c.name));
        let projects = self.ctx.projects.iter().map(|p| (Kind::Project, &p.name));
        let names: Vec<KnownName> = clients
            .enumerate()
            .chain(projects.enumerate())
            .filter_map(|(entity, (kind, name))| {
                name_words(name).map(|words| KnownName {
                    kind,
                    entity,
                    words,
                })
            })
            .collect();
        // Indexed by first word, so a long line costs one lookup per word.
        let mut index: HashMap<&str, Vec<&KnownName>> = HashMap::new();
        for n in &names {
            index.entry(n.words[0].as_str()).or_default().push(n);
        }

        let mut found: Vec<NameMatch> = Vec::new();
        for start in 0..self.tokens.len() {
            if !self.free(start) {
                continue;
            }
            let Some(candidates) = index.get(self.tokens[start].word.as_str()) else {
                continue;
            };
            for &&KnownName {
                kind,
                entity,
                ref words,
            } in candidates
            {
                let end = start + words.len();
                let fits = end <= self.tokens.len()
                    && (start..end)
                        .all(|j| self.free(j) && self.tokens[j].word == words[j - start]);
                if !fits {
                    continue;
                }
                match found
                    .iter_mut()
                    .find(|m| m.start == start && m.len == words.len() && m.kind == kind)
                {
                    Some(m) => m.entities.push(entity),
                    None => found.push(NameMatch {
                        start,
                        len: words.len(),
                        kind,
                        entities: vec![entity],
                    }),
                }
            }
        }
        // Longest first, then leftmost, then projects before clients.
        found.sort_by_key(|m| (std::cmp::Reverse(m.len), m.start, m.kind));
        found
    }

    fn names(&mut self) {
        let matches = self.name_matches();
        // Every client the line might name, to tell same-named projects apart.
        let mentioned_clients: Vec<Uuid> = matches
            .iter()
            .filter(|m| m.kind == Kind::Client)
            .flat_map(|m| m.entities.iter().map(|&c| self.ctx.clients[c].id))
            .collect();

        let mut project: Option<Taken> = None;
        let mut client: Option<Taken> = None;
        for m in matches {
            let end = m.start + m.len;
            if (m.start..end).any(|j| self.used[j]) {
                continue;
            }
            let words = self.text(m.start, end);
            let already = match m.kind {
                Kind::Project => project.is_some(),
                Kind::Client => client.is_some(),
            };
            if already {
                let what = match m.kind {
                    Kind::Project => "project",
                    Kind::Client => "client",
                };
                self.note(format!(
                    "{words} stays in the title: a {what} was already found"
                ));
                continue;
            }
            let mut entities = m.entities;
            if m.kind == Kind::Project && entities.len() > 1 {
                entities.retain(|&p| {
                    self.ctx.projects[p]
                        .client_id
                        .is_some_and(|c| mentioned_clients.contains(&c))
                });
                if entities.len() != 1 {
                    self.note(format!("{words} matches several projects"));
                    continue;
                }
            }
            let from = self.connective_before(m.start, NAME_CONNECTIVES, 1);
            for u in &mut self.used[from..end] {
                *u = true;
            }
            let taken = Taken {
                from,
                end,
                start: m.start,
                entities,
            };
            match m.kind {
                Kind::Project => project = Some(taken),
                Kind::Client => client = Some(taken),
            }
        }
        self.settle_names(project, client);
    }

    /// Decides the project and client from the accepted names: a project brings its own
    /// client, and a client that is not the project's goes back into the title.
    fn settle_names(&mut self, project: Option<Taken>, client: Option<Taken>) {
        let project_client = project
            .as_ref()
            .map(|p| self.ctx.projects[p.entities[0]].client_id);
        if let Some(p) = &project {
            let named = &self.ctx.projects[p.entities[0]];
            self.capture.project_id = Some(named.id);
            self.capture.client_id = named.client_id;
            self.take("project", p.from, p.end, named.name.clone());
        }
        let Some(c) = client else { return };
        let chosen = match project_client {
            Some(of_project) => c
                .entities
                .iter()
                .copied()
                .find(|&i| Some(self.ctx.clients[i].id) == of_project),
            None if c.entities.len() == 1 => Some(c.entities[0]),
            None => None,
        };
        match chosen {
            Some(i) => {
                let named = &self.ctx.clients[i];
                self.capture.client_id = Some(named.id);
                self.take("client", c.from, c.end, named.name.clone());
            }
            None => {
                for u in &mut self.used[c.from..c.end] {
                    *u = false;
                }
                let words = self.text(c.start, c.end);
                let note = match &project {
                    Some(p) => format!(
                        "{words} stays in the title: the project {} is not {words}'s",
                        self.ctx.projects[p.entities[0]].name
                    ),
                    None => format!("{words} matches several clients"),
                };
                self.note(note);
            }
        }
    }

    /// Where a match starting at `start` really starts, taking up to `max` free connective
    /// words ("for", "due by") just before it.
    fn connective_before(&self, start: usize, connectives: &[&str], max: usize) -> usize {
        let mut from = start;
        while from > 0
            && start - from < max
            && self.free(from - 1)
            && connectives.contains(&self.tokens[from - 1].word.as_str())
        {
            from -= 1;
        }
        from
    }

    fn dates(&mut self) {
        let mut i = 0;
        while i < self.tokens.len() {
            if !self.free(i) {
                i += 1;
                continue;
            }
            match self.date_at(i) {
                DateWords::Date { len, date, label } => {
                    let end = i + len;
                    let words = self.text(i, end);
                    if self.capture.due.is_none() {
                        self.capture.due = Some(date);
                        if date < self.ctx.today {
                            self.note(format!("the due date {date} is in the past"));
                        }
                        let from = self.connective_before(i, DATE_CONNECTIVES, 2);
                        self.take("date", from, end, format!("{date} ({label})"));
                    } else {
                        self.note(format!(
                            "{words} stays in the title: a due date was already found"
                        ));
                    }
                    i = end;
                }
                DateWords::Invalid => {
                    let text = self.tokens[i].text.clone();
                    self.note(format!("{text} is not a valid date"));
                    i += 1;
                }
                DateWords::None => i += 1,
            }
        }
    }

    /// Reads a date expression starting at token `i`; words that are taken or sigils end it.
    fn date_at(&self, i: usize) -> DateWords {
        let word = |k: usize| match self.tokens.get(k) {
            Some(t) if self.free(k) => t.word.as_str(),
            _ => "",
        };
        dates::read([word(i), word(i + 1), word(i + 2)], self.ctx.today)
    }

    fn finish(mut self) -> Capture {
        let rest: Vec<&str> = self
            .tokens
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|(t, _)| t.text.as_str())
            .collect();
        let title = if rest.is_empty() {
            self.cleaned
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            rest.join(" ")
        };
        if title.chars().count() > MAX_TITLE_CHARS {
            let cut: String = title.chars().take(MAX_TITLE_CHARS).collect();
            self.capture.title = cut.trim_end().to_string();
            self.note(format!(
                "the title was shortened to {MAX_TITLE_CHARS} characters"
            ));
        } else {
            self.capture.title = title;
        }
        self.understood.sort_by_key(|(at, _)| *at);
        self.capture.understood = self.understood.into_iter().map(|(_, u)| u).collect();
        self.capture.notes = self.notes;
        self.capture
    }
}

/// A token lower-cased without the punctuation around it.
fn word(token: &str) -> String {
    token
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

fn trim_trailing_punctuation(s: &str) -> &str {
    s.trim_end_matches([',', '.', ';', ':', '!', '?', ')', '"', '\''])
}

/// Tag names compare ignoring case, with `-` and `_` standing for spaces (`#client-work`
/// finds "Client Work").
fn tag_key(name: &str) -> String {
    name.to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name as the words it must match; names under two characters never match, since "X" or
/// "A" would swallow ordinary words.
fn name_words(name: &str) -> Option<Vec<String>> {
    if name.trim().chars().count() < 2 {
        return None;
    }
    let words: Vec<String> = name.split_whitespace().map(word).collect();
    if words.iter().all(|w| w.is_empty()) {
        return None;
    }
    Some(words)
}

/// `@handle` names a person by email local part, first name or full name without spaces.
fn handle_matches(person: &Person, handle: &str) -> bool {
    let local = person.email.split('@').next().unwrap_or("").to_lowercase();
    let first = person
        .name
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    let full: String = person
        .name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    [local, first, full]
        .iter()
        .any(|n| !n.is_empty() && n == handle)
}

#[cfg(test)]
mod tests;
