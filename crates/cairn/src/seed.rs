//! `cairn bench-data`: a synthetic CRM data set for benchmarks and scale tests.
//!
//! It writes clients, contacts, tags, taggings and access rows for restricted clients straight
//! into the store with multi-row `INSERT`s (500 rows per statement, one transaction per 1,000
//! clients). It bypasses the use cases on purpose: no audit entries and no versions are written
//! for generated rows, so the audit log and the version history do not grow with the data set.
//! One entry per run (`workspace.data_generated`) says that it happened; it also moves the
//! workspace's generation, so a running server's read cache does not keep serving what it
//! read before (see cairn-core's `read_cache`).
//!
//! The content (names, statuses, industries, owners, tags, visibility, contacts) is
//! deterministic for a given `--seed` and workspace membership; ids are fresh UUIDv7 and the
//! timestamps are spread over the three years before the run.
//!
//! Planner statistics: on PostgreSQL the generator runs `ANALYZE` on the tables it filled (as
//! any bulk load should; autovacuum would do it within a minute or so anyway). On SQLite it
//! does so only with `--analyze`: the server never runs `ANALYZE`, so a database that grew
//! through the application has no statistics, and the benchmark should see what it sees.

pub mod delivery;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cairn_store::entities::{client, client_access, contact, membership, tag, tagging, workspace};
use cairn_store::sea_orm::prelude::{DateTimeUtc, Uuid};
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use cairn_store::{Backend, Store};
use serde_json::json;

/// Rows per `INSERT` statement (23 columns × 500 stays far below the bind-parameter limits of
/// SQLite and PostgreSQL).
const CHUNK: usize = 500;
/// Clients (with their contacts, taggings and access rows) per transaction.
const CLIENTS_PER_TX: u64 = 1_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The workspace slug.
    pub workspace: String,
    pub clients: u64,
    pub contacts_per_client: u64,
    /// How many tags the workspace list holds (existing tags of the same name are reused).
    pub tags: usize,
    pub seed: u64,
    /// Also run `ANALYZE` on SQLite (always done on PostgreSQL).
    pub analyze: bool,
    /// Contacts spread like a real agency's: a few big clients with many contacts, many small
    /// ones with few, the same total (`cairn demo --scale`). Off: every client gets
    /// `contacts_per_client` (`bench-data`, whose measurements assume it).
    pub skewed: bool,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub clients: u64,
    pub contacts: u64,
    pub tags_created: u64,
    pub taggings: u64,
    pub restricted: u64,
    pub owners: usize,
    /// Whether `ANALYZE` ran.
    pub analyzed: bool,
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        let rows =
            self.clients + self.contacts + self.tags_created + self.taggings + self.restricted;
        write!(
            f,
            "generated {} clients ({} restricted), {} contacts, {} new tags, {} taggings; \
             owners among {} members; {} rows in {:.2} s ({:.0} rows/s){}",
            self.clients,
            self.restricted,
            self.contacts,
            self.tags_created,
            self.taggings,
            self.owners,
            rows,
            secs,
            rows as f64 / secs.max(1e-9),
            if self.analyzed {
                ", ANALYZE included"
            } else {
                ", no ANALYZE"
            }
        )
    }
}

/// splitmix64: tiny, fast and good enough for synthetic data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// One of `items` by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total);
        for (item, w) in items {
            if r < *w {
                return item;
            }
            r -= w;
        }
        &items[items.len() - 1].0
    }
}

const STATUSES: &[(&str, u64)] = &[("active", 50), ("lead", 25), ("paused", 15), ("former", 10)];
const SIZES: &[(&str, u64)] = &[("micro", 30), ("small", 40), ("medium", 20), ("large", 10)];
const AI_MATURITY: &[(Option<&str>, u64)] = &[
    (None, 25),
    (Some("none"), 20),
    (Some("low"), 30),
    (Some("medium"), 18),
    (Some("high"), 7),
];
/// Tags per client: none, one, two or three.
const TAG_COUNTS: &[(usize, u64)] = &[(0, 25), (1, 35), (2, 25), (3, 15)];

const TAG_NAMES: &[(&str, &str)] = &[
    ("Retainer", "#2563eb"),
    ("Priority", "#dc2626"),
    ("Referral", "#16a34a"),
    ("Enterprise", "#7c3aed"),
    ("Inbound", "#0891b2"),
    ("Partner", "#ca8a04"),
    ("Nonprofit", "#db2777"),
    ("E-commerce", "#ea580c"),
    ("Public sector", "#475569"),
    ("Upsell", "#059669"),
    ("At risk", "#b91c1c"),
    ("Startup", "#4f46e5"),
    ("Healthcare", "#0d9488"),
    ("Fintech", "#9333ea"),
    ("Education", "#65a30d"),
    ("Hospitality", "#c2410c"),
    ("Newsletter", "#64748b"),
    ("Event lead", "#0284c7"),
    ("Fixed price", "#a16207"),
    ("Time & materials", "#be123c"),
    ("Workshop", "#15803d"),
    ("Audit", "#6d28d9"),
    ("Migration", "#0369a1"),
    ("Support plan", "#334155"),
];

const PREFIXES: &[&str] = &[
    "North",
    "South",
    "East",
    "West",
    "Blue",
    "Red",
    "Green",
    "Silver",
    "Golden",
    "Bright",
    "Clear",
    "Deep",
    "High",
    "Iron",
    "Stone",
    "River",
    "Lake",
    "Sea",
    "Sky",
    "Sun",
    "Moon",
    "Star",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Birch",
    "Fox",
    "Wolf",
    "Bear",
    "Hawk",
    "Falcon",
    "Swift",
    "Bold",
    "True",
    "Open",
    "Wild",
    "Quiet",
    "Rapid",
    "Copper",
    "Amber",
    "Coral",
    "Crystal",
    "Lumen",
    "Nova",
    "Terra",
    "Aero",
    "Helio",
    "Blackwood",
    "Harbor",
    "Summit",
    "Meadow",
    "Granite",
    "Velvet",
    "Cobalt",
    "Indigo",
    "Saffron",
    "Juniper",
    "Willow",
    "Ember",
];
const ROOTS: &[&str] = &[
    "wind", "fin", "field", "gate", "bridge", "light", "path", "stone", "brook", "ridge", "peak",
    "point", "wave", "leaf", "forge", "works", "line", "mark", "spring", "haven", "crest", "port",
    "vale", "ford", "well", "shore", "beam", "spark", "craft", "loop",
];
const WORDS: &[&str] = &[
    "Atlas",
    "Beacon",
    "Canvas",
    "Compass",
    "Delta",
    "Echo",
    "Elm",
    "Fathom",
    "Frontier",
    "Horizon",
    "Keystone",
    "Lantern",
    "Lighthouse",
    "Meridian",
    "Mosaic",
    "Orbit",
    "Paragon",
    "Pioneer",
    "Prism",
    "Quarry",
    "Relay",
    "Sextant",
    "Signal",
    "Tandem",
    "Vantage",
    "Vector",
    "Voyager",
    "Zenith",
    "Anchor",
    "Arbor",
    "Cascade",
    "Cinder",
    "Harvest",
    "Kestrel",
    "Larch",
    "Magnet",
    "Nimbus",
    "Oriel",
    "Pylon",
    "Rowan",
];
const KINDS: &[&str] = &[
    "Analytics",
    "Studio",
    "Labs",
    "Partners",
    "Group",
    "Consulting",
    "Digital",
    "Media",
    "Systems",
    "Ventures",
    "Logistics",
    "Foods",
    "Health",
    "Architects",
    "Design",
    "Solutions",
    "Capital",
    "Energy",
    "Robotics",
    "Software",
    "Collective",
    "Works",
    "Outfitters",
    "Brewing",
    "Clinic",
    "Foundation",
    "Academy",
    "Travel",
    "Realty",
    "Textiles",
];
const TLDS: &[&str] = &[
    ".com", ".com", ".com", ".io", ".co", ".co.uk", ".de", ".fr", ".nl", ".studio", ".agency",
];
const INDUSTRIES: &[&str] = &[
    "Software",
    "Retail",
    "E-commerce",
    "Healthcare",
    "Financial services",
    "Education",
    "Manufacturing",
    "Logistics",
    "Hospitality",
    "Real estate",
    "Media & publishing",
    "Non-profit",
    "Public sector",
    "Energy",
    "Food & beverage",
    "Travel",
    "Professional services",
    "Architecture",
    "Fashion",
    "Automotive",
];
const TIMEZONES: &[&str] = &[
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Stockholm",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
];
const STREETS: &[&str] = &[
    "High Street",
    "Station Road",
    "Harbour Way",
    "Mill Lane",
    "Church Street",
    "Park Avenue",
    "Market Square",
    "King Street",
    "Queen's Road",
    "Canal Walk",
    "Elm Grove",
    "Riverside",
];
const CITIES: &[&str] = &[
    "London",
    "Bristol",
    "Manchester",
    "Leeds",
    "Edinburgh",
    "Dublin",
    "Berlin",
    "Hamburg",
    "Munich",
    "Paris",
    "Lyon",
    "Amsterdam",
    "Rotterdam",
    "Madrid",
    "Barcelona",
    "Stockholm",
    "New York",
    "Chicago",
    "Austin",
    "Toronto",
    "Singapore",
    "Sydney",
];
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Isla",
    "Lucas",
    "Mia",
    "Mateo",
    "Ava",
    "Leo",
    "Freya",
    "Arjun",
    "Priya",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Fatima",
    "Omar",
    "Aisha",
    "Yusuf",
    "Chloe",
    "Hugo",
    "Lea",
    "Jonas",
    "Clara",
    "Lars",
    "Ingrid",
    "Mateus",
    "Camila",
    "Diego",
    "Lucia",
    "Kwame",
    "Amara",
    "Chidi",
    "Zainab",
    "Daniel",
    "Sarah",
    "James",
    "Grace",
    "Samuel",
    "Hannah",
    "Ethan",
    "Nora",
    "Felix",
    "Ruth",
    "Tomasz",
    "Agnieszka",
    "Niamh",
    "Sean",
    "Elena",
    "Marco",
    "Giulia",
    "Anders",
    "Sofia",
    "Rahul",
];
pub(crate) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Nguyen",
    "Chen",
    "Wang",
    "Kim",
    "Tanaka",
    "Sato",
    "Garcia",
    "Martinez",
    "Rossi",
    "Bianchi",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Dubois",
    "Moreau",
    "Laurent",
    "Jansen",
    "de Vries",
    "Bakker",
    "Nilsson",
    "Larsen",
    "Kowalski",
    "Nowak",
    "Murphy",
    "Kelly",
    "O'Brien",
    "Okafor",
    "Mensah",
    "Haddad",
    "Ali",
    "Hussain",
    "Silva",
    "Santos",
    "Costa",
    "Lopez",
    "Fernandez",
    "Novak",
    "Horvat",
    "Anderson",
    "Clarke",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "Evans",
    "Hughes",
    "Green",
    "Hall",
    "Wood",
];
const TITLES: &[&str] = &[
    "CEO",
    "Founder",
    "Managing Director",
    "COO",
    "CTO",
    "CFO",
    "Head of Marketing",
    "Marketing Manager",
    "Head of Product",
    "Product Manager",
    "Operations Manager",
    "Office Manager",
    "Brand Manager",
    "Head of Digital",
    "IT Manager",
    "Procurement Lead",
    "Communications Director",
    "Project Coordinator",
    "Sales Director",
    "Head of Growth",
];

/// A company name not used yet in this run, e.g. "Northwind Analytics" or "Bluefin Studio".
pub(crate) fn company_name(rng: &mut Rng, used: &mut HashSet<String>) -> String {
    for attempt in 0..20 {
        let name = match rng.below(10) {
            0..=3 => format!(
                "{}{} {}",
                rng.pick(PREFIXES),
                rng.pick(ROOTS),
                rng.pick(KINDS)
            ),
            4..=5 => format!(
                "{} {} {}",
                rng.pick(PREFIXES),
                rng.pick(WORDS),
                rng.pick(KINDS)
            ),
            6 => format!("{} & {}", rng.pick(LAST_NAMES), rng.pick(LAST_NAMES)),
            7 => format!("{} {}", rng.pick(LAST_NAMES), rng.pick(KINDS)),
            _ => format!("{} {}", rng.pick(WORDS), rng.pick(KINDS)),
        };
        let name = if attempt >= 10 {
            format!("{name} {}", rng.pick(CITIES))
        } else {
            name
        };
        if used.insert(name.to_lowercase()) {
            return name;
        }
    }
    // The word lists are exhausted for this many clients: number the name.
    let base = format!(
        "{}{} {}",
        rng.pick(PREFIXES),
        rng.pick(ROOTS),
        rng.pick(KINDS)
    );
    let mut n = 2;
    loop {
        let name = format!("{base} {n}");
        if used.insert(name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

/// How many contacts each of `clients` clients gets. Uniform: `per_client` each. Skewed: 2 %
/// big clients weigh 8–16, 18 % middling 1.5–3, the rest 0.2–0.6; every client keeps its
/// primary contact and the rest of the same total is shared by weight, so the big clients end
/// up with about a hundred contacts and most with three to five.
fn contact_counts(seed: u64, clients: u64, per_client: u64, skewed: bool) -> Vec<u64> {
    if !skewed || per_client == 0 {
        return vec![per_client; clients as usize];
    }
    let mut rng = Rng::new(seed ^ 0xC047_AC75);
    let weights: Vec<f64> = (0..clients)
        .map(|_| {
            let (lo, hi) = match rng.below(100) {
                0..=1 => (8.0, 16.0),
                2..=19 => (1.5, 3.0),
                _ => (0.2, 0.6),
            };
            lo + (hi - lo) * rng.below(1_000) as f64 / 1_000.0
        })
        .collect();
    let total_weight: f64 = weights.iter().sum();
    let rest = (clients * (per_client - 1)) as f64;
    // Cumulative rounding: the shares add up to exactly `rest`.
    let mut cumulative = 0.0;
    let mut given = 0u64;
    weights
        .iter()
        .map(|w| {
            cumulative += w;
            let upto = (rest * cumulative / total_weight).round() as u64;
            let share = upto - given;
            given = upto;
            1 + share
        })
        .collect()
}

/// Lower-case ASCII letters and digits of `s`, words joined by `sep`.
pub(crate) fn slug(s: &str, sep: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(sep)
}

fn phone(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!(
            "+44 20 {:04} {:04}",
            1000 + rng.below(9000),
            rng.below(10000)
        ),
        1 => format!(
            "+49 30 {:04} {:04}",
            1000 + rng.below(9000),
            rng.below(10000)
        ),
        2 => format!("+1 ({}) 555-{:04}", 200 + rng.below(800), rng.below(10000)),
        _ => format!(
            "+33 1 {:02} {:02} {:02} {:02}",
            rng.below(100),
            rng.below(100),
            rng.below(100),
            rng.below(100)
        ),
    }
}

/// A time between `from` and `to` (inclusive of `from`), at second precision.
fn between(rng: &mut Rng, from: DateTimeUtc, to: DateTimeUtc) -> DateTimeUtc {
    let span = (to - from).num_seconds().max(0) as u64;
    from + Duration::from_secs(rng.below(span + 1))
}

/// Generates the data set into `store`.
pub async fn generate(store: &Store, opts: &Options) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let slug_name = opts.workspace.trim().to_lowercase();
    let ws = workspace::Entity::find()
        .filter(workspace::Column::Slug.eq(slug_name.as_str()))
        .one(store.reader())
        .await?
        .with_context(|| format!("no workspace with the slug {slug_name:?}"))?;
    // Members who may own clients, in a stable order so a seed always gives the same owners.
    let members: Vec<membership::Model> = membership::Entity::find()
        .filter(membership::Column::WorkspaceId.eq(ws.id))
        .filter(membership::Column::DisabledAt.is_null())
        .filter(membership::Column::ArchivedAt.is_null())
        .order_by_asc(membership::Column::CreatedAt)
        .order_by_asc(membership::Column::UserId)
        .all(store.reader())
        .await?;
    let owners: Vec<Uuid> = members
        .iter()
        .filter(|m| m.role != "viewer")
        .map(|m| m.user_id)
        .collect();
    if owners.is_empty() {
        bail!("workspace {slug_name:?} has no active member to own clients");
    }
    let author = members
        .iter()
        .find(|m| m.role == "owner")
        .map(|m| m.user_id)
        .unwrap_or(owners[0]);

    let mut rng = Rng::new(opts.seed);
    let now = cairn_domain::time::now();
    let three_years = Duration::from_secs(3 * 365 * 24 * 3600);
    let mut summary = Summary {
        owners: owners.len(),
        ..Summary::default()
    };

    // --- tags: reuse the ones already there by name, create the rest ---------------------
    let existing: HashMap<String, Uuid> = tag::Entity::find()
        .filter(tag::Column::WorkspaceId.eq(ws.id))
        .all(store.reader())
        .await?
        .into_iter()
        .map(|t| (t.name_key, t.id))
        .collect();
    let mut tag_ids = Vec::with_capacity(opts.tags);
    let mut new_tags = Vec::new();
    for i in 0..opts.tags {
        let (name, colour) = match TAG_NAMES.get(i) {
            Some((n, c)) => (n.to_string(), c.to_string()),
            None => (format!("Segment {}", i + 1), "#64748b".to_string()),
        };
        let key = name.to_lowercase();
        if let Some(id) = existing.get(&key) {
            tag_ids.push(*id);
            continue;
        }
        let id = Uuid::now_v7();
        tag_ids.push(id);
        new_tags.push(tag::ActiveModel {
            id: Set(id),
            workspace_id: Set(ws.id),
            name: Set(name),
            name_key: Set(key),
            colour: Set(colour),
            created_at: Set(now),
            created_by: Set(Some(author)),
            updated_at: Set(now),
            updated_by: Set(Some(author)),
            version: Set(1),
            archived_at: Set(None),
            custom: Set(json!({})),
        });
    }
    summary.tags_created = new_tags.len() as u64;
    if !new_tags.is_empty() {
        let tx = store.write().await?;
        tag::Entity::insert_many(new_tags)
            .exec_without_returning(&tx)
            .await?;
        tx.commit().await?;
    }
    // Zipf-like popularity: the first tag is on about a third of the clients.
    let tag_weights: Vec<(usize, u64)> = (0..tag_ids.len())
        .map(|i| (i, 1_000_000 / (i as u64 + 1)))
        .collect();

    // --- clients and their rows, one transaction per CLIENTS_PER_TX ------------------------
    let mut used_names: HashSet<String> = client::Entity::find()
        .filter(client::Column::WorkspaceId.eq(ws.id))
        .all(store.reader())
        .await?
        .into_iter()
        .map(|c| c.sort_key)
        .collect();
    let contact_counts = contact_counts(
        opts.seed,
        opts.clients,
        opts.contacts_per_client,
        opts.skewed,
    );
    let mut done = 0u64;
    while done < opts.clients {
        let n = (opts.clients - done).min(CLIENTS_PER_TX);
        let mut clients = Vec::with_capacity(n as usize);
        let mut contacts = Vec::with_capacity((n * opts.contacts_per_client) as usize);
        let mut taggings = Vec::new();
        let mut access = Vec::new();
        for k in 0..n {
            let id = Uuid::now_v7();
            let name = company_name(&mut rng, &mut used_names);
            let domain = format!("{}{}", slug(&name, "-"), rng.pick(TLDS));
            let status = *rng.weighted(STATUSES);
            let owner = if rng.chance(90) {
                Some(*rng.pick(&owners))
            } else {
                None
            };
            let restricted = rng.chance(10);
            let created_at = between(&mut rng, now - three_years, now);
            let updated_at = between(&mut rng, created_at, now);
            let archived_at = if rng.chance(2) {
                Some(between(&mut rng, updated_at, now))
            } else {
                None
            };
            let address = if rng.chance(70) {
                Some(format!(
                    "{} {}, {}",
                    1 + rng.below(240),
                    rng.pick(STREETS),
                    rng.pick(CITIES)
                ))
            } else {
                None
            };
            let email_box = *rng.pick(&["hello", "info", "contact", "office", "team"]);
            let client_phone = rng.chance(80).then(|| phone(&mut rng));
            clients.push(client::ActiveModel {
                id: Set(id),
                workspace_id: Set(ws.id),
                sort_key: Set(name.to_lowercase()),
                name: Set(name),
                status: Set(status.to_string()),
                industry: Set(rng.chance(90).then(|| rng.pick(INDUSTRIES).to_string())),
                company_size: Set(Some(rng.weighted(SIZES).to_string())),
                timezone: Set(rng.chance(85).then(|| rng.pick(TIMEZONES).to_string())),
                ai_maturity: Set(rng.weighted(AI_MATURITY).map(str::to_string)),
                website: Set(rng.chance(95).then(|| format!("https://www.{domain}"))),
                email: Set(Some(format!("{email_box}@{domain}"))),
                phone: Set(client_phone),
                address: Set(address),
                notes: Set(String::new()),
                account_owner_id: Set(owner),
                visibility: Set(if restricted { "restricted" } else { "everyone" }.into()),
                created_at: Set(created_at),
                created_by: Set(Some(author)),
                updated_at: Set(updated_at),
                updated_by: Set(Some(owner.unwrap_or(author))),
                version: Set(1),
                archived_at: Set(archived_at),
                custom: Set(json!({})),
            });
            if restricted {
                summary.restricted += 1;
                access.push(client_access::ActiveModel {
                    client_id: Set(id),
                    user_id: Set(owner.unwrap_or_else(|| *rng.pick(&owners))),
                    workspace_id: Set(ws.id),
                });
            }
            if !tag_ids.is_empty() {
                let k = (*rng.weighted(TAG_COUNTS)).min(tag_ids.len());
                let mut chosen: Vec<usize> = Vec::with_capacity(k);
                while chosen.len() < k {
                    let t = *rng.weighted(&tag_weights);
                    if !chosen.contains(&t) {
                        chosen.push(t);
                    }
                }
                for t in chosen {
                    taggings.push(tagging::ActiveModel {
                        tag_id: Set(tag_ids[t]),
                        record_type: Set("client".into()),
                        record_id: Set(id),
                        workspace_id: Set(ws.id),
                    });
                }
            }
            for i in 0..contact_counts[(done + k) as usize] {
                let first = *rng.pick(FIRST_NAMES);
                let last = *rng.pick(LAST_NAMES);
                let local = format!("{}.{}", slug(first, ""), slug(last, ""));
                let at = between(&mut rng, created_at, updated_at);
                contacts.push(contact::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    workspace_id: Set(ws.id),
                    client_id: Set(id),
                    name: Set(format!("{first} {last}")),
                    title: Set(rng.chance(85).then(|| rng.pick(TITLES).to_string())),
                    email: Set(rng.chance(95).then(|| format!("{local}@{domain}"))),
                    phone: Set(rng.chance(60).then(|| phone(&mut rng))),
                    notes: Set(String::new()),
                    is_primary: Set(i == 0),
                    created_at: Set(at),
                    created_by: Set(Some(author)),
                    updated_at: Set(at),
                    updated_by: Set(Some(author)),
                    version: Set(1),
                    archived_at: Set(None),
                    custom: Set(json!({})),
                });
            }
        }
        summary.clients += clients.len() as u64;
        summary.contacts += contacts.len() as u64;
        summary.taggings += taggings.len() as u64;

        let tx = store.write().await?;
        insert_chunks(&tx, clients).await?;
        insert_chunks(&tx, contacts).await?;
        insert_chunks(&tx, taggings).await?;
        insert_chunks(&tx, access).await?;
        tx.commit().await?;
        done += n;
        tracing::debug!(clients = done, "bench data batch committed");
    }
    if opts.analyze || store.backend() == Backend::Postgres {
        let tables = ["clients", "contacts", "tags", "taggings", "client_access"];
        for t in tables {
            store
                .writer()
                .execute_unprepared(&format!("ANALYZE {t}"))
                .await?;
        }
        summary.analyzed = true;
    }
    record_generated(store, ws.id, json!({"clients": summary.clients})).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The one activity-log entry of a generator run, in the workspace's chain.
pub(crate) async fn record_generated(
    store: &Store,
    workspace: Uuid,
    what: serde_json::Value,
) -> anyhow::Result<()> {
    let tx = store.write().await?;
    let mut event = cairn_core::audit::Event::system(
        "bench-data",
        "workspace.data_generated",
        "workspace",
        &cairn_core::RequestMeta::default(),
    );
    event.workspace_id = Some(cairn_domain::WorkspaceId(workspace));
    event.record_id = Some(workspace.to_string());
    event.changes = what;
    cairn_core::audit::record(&tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives SQLite's writer connection a page cache for a bulk load (512 MB instead of the
/// server's 16 MB), or back the server's. A million tasks put about 360 MB into the five
/// indexes that rows reach in random order (due date, status, assignee, client, last update);
/// with a smaller cache every insert evicts index pages the next one reads back from the OS.
/// The cache grows only as pages are used, and is given back at the end.
pub(crate) async fn bulk_load_cache(store: &Store, on: bool) -> anyhow::Result<()> {
    if store.backend() == Backend::Sqlite {
        let kib = if on { 524_288 } else { 16_000 };
        store
            .writer()
            .execute_unprepared(&format!("PRAGMA cache_size=-{kib}"))
            .await?;
    }
    Ok(())
}

/// Inserts `rows` with one multi-row `INSERT` per [`CHUNK`] rows.
pub(crate) async fn insert_chunks<A, C>(db: &C, rows: Vec<A>) -> anyhow::Result<()>
where
    A: cairn_store::sea_orm::ActiveModelTrait,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_spreads_statuses() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..10).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..10).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);

        let mut r = Rng::new(42);
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for _ in 0..10_000 {
            *counts.entry(*r.weighted(STATUSES)).or_default() += 1;
        }
        let active = counts["active"];
        assert!((4_700..5_300).contains(&active), "active: {active}");
        assert!(counts["former"] > 800 && counts["former"] < 1_200);
    }

    #[test]
    fn names_are_unique_and_derive_valid_addresses() {
        let mut r = Rng::new(1);
        let mut used = HashSet::new();
        let names: Vec<String> = (0..20_000)
            .map(|_| company_name(&mut r, &mut used))
            .collect();
        let distinct: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(distinct.len(), names.len());
        for n in names.iter().take(500) {
            let domain = format!("{}.com", slug(n, "-"));
            assert!(cairn_domain::crm::website("w", &format!("https://www.{domain}")).is_ok());
            assert!(cairn_domain::validate::email("e", &format!("hello@{domain}")).is_ok());
        }
        for _ in 0..200 {
            assert!(cairn_domain::crm::phone("p", &phone(&mut r)).is_ok());
        }
    }

    #[test]
    fn skewed_contacts_keep_the_total_and_a_primary_each_with_a_few_big_clients() {
        assert_eq!(contact_counts(1, 5, 10, false), vec![10; 5]);
        let counts = contact_counts(1, 10_000, 10, true);
        assert_eq!(counts.iter().sum::<u64>(), 100_000);
        assert!(counts.iter().all(|c| *c >= 1));
        let big = counts.iter().filter(|c| **c >= 60).count();
        let small = counts.iter().filter(|c| **c <= 6).count();
        assert!((100..400).contains(&big), "big clients: {big}");
        assert!(small > 7_000, "small clients: {small}");
    }
}
