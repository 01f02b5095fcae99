//! The demo agency's CRM: tags, a dozen clients in every status (one restricted, one
//! archived), their contacts with a primary each, and interactions of every kind written by
//! different people, including a correction.

use std::collections::HashMap;

use anyhow::Context;
use cairn_core::Cairn;
use cairn_core::clients::ClientChanges;
use cairn_core::contacts::ContactChanges;
use cairn_core::interactions::NewInteraction;
use cairn_store::sea_orm::prelude::Uuid;
use chrono::{Duration, NaiveTime};

use super::team::Team;

/// The workspace's tags: (name, colour).
const TAGS: &[(&str, &str)] = &[
    ("Retainer", "#2563eb"),
    ("Priority", "#dc2626"),
    ("Referral", "#16a34a"),
    ("AI", "#7c3aed"),
    ("Web", "#0891b2"),
    ("Studio", "#db2777"),
    ("Ops", "#475569"),
];

/// A demo client.
struct ClientSeed {
    key: &'static str,
    name: &'static str,
    status: &'static str,
    industry: &'static str,
    size: &'static str,
    timezone: &'static str,
    ai_maturity: &'static str,
    /// Domain of the website and of every email address.
    domain: &'static str,
    phone: &'static str,
    address: &'static str,
    /// Role of the account owner among the demo logins.
    owner: &'static str,
    tags: &'static [&'static str],
    /// Visible only to owners, admins and the demo member.
    restricted: bool,
    archived: bool,
    notes: &'static str,
    /// (name, title, phone); the first is the primary contact.
    contacts: &'static [(&'static str, &'static str, &'static str)],
}

#[rustfmt::skip]
const CLIENTS: &[ClientSeed] = &[
    ClientSeed {
        key: "northwind", name: "Northwind Logistics", status: "active", industry: "Logistics",
        size: "large", timezone: "Europe/London", ai_maturity: "medium",
        domain: "northwindlogistics.co.uk", phone: "+44 20 7946 0321",
        address: "14 Harbour Way, London E14 9GE", owner: "owner", tags: &["Retainer", "AI", "Priority"],
        restricted: false, archived: false,
        notes: "Freight forwarder with 40 depots across the UK and Benelux.\n\n- **Sponsor:** Hannah Clarke (COO)\n- Analytics retainer renews in March; the AI roadmap decides the next phase.",
        contacts: &[
            ("Hannah Clarke", "COO", "+44 20 7946 0322"),
            ("Tomasz Nowak", "Head of Data", "+44 20 7946 0388"),
            ("Grace Wilson", "IT Manager", ""),
        ],
    },
    ClientSeed {
        key: "bluefin", name: "Bluefin Analytics", status: "active", industry: "Software",
        size: "medium", timezone: "Europe/Amsterdam", ai_maturity: "high",
        domain: "bluefin-analytics.io", phone: "+31 20 794 6120",
        address: "Keizersgracht 220, 1016 DZ Amsterdam", owner: "admin", tags: &["AI", "Referral"],
        restricted: false, archived: false,
        notes: "B2B analytics SaaS, 120 people. Came to us through Northwind.",
        contacts: &[
            ("Lars Jansen", "CTO", "+31 20 794 6121"),
            ("Mei Chen", "Product Manager", ""),
            ("Samuel Bakker", "Head of Support", "+31 20 794 6135"),
        ],
    },
    ClientSeed {
        key: "harbor", name: "Harbor & Pine Hotels", status: "active", industry: "Hospitality",
        size: "medium", timezone: "Europe/Dublin", ai_maturity: "low",
        domain: "harborandpine.com", phone: "+353 1 555 0199",
        address: "8 Merrion Square, Dublin 2", owner: "member", tags: &["Web", "Retainer"],
        restricted: false, archived: false,
        notes: "Six boutique hotels in Ireland. Website relaunch before the summer season.",
        contacts: &[
            ("Niamh Murphy", "Marketing Director", "+353 1 555 0142"),
            ("Sean Kelly", "Operations Manager", ""),
        ],
    },
    ClientSeed {
        key: "copperleaf", name: "Copperleaf Health", status: "active", industry: "Healthcare",
        size: "large", timezone: "Europe/Berlin", ai_maturity: "low",
        domain: "copperleaf-health.de", phone: "+49 30 9018 2200",
        address: "Friedrichstraße 68, 10117 Berlin", owner: "owner", tags: &["AI", "Priority"],
        restricted: true, archived: false,
        notes: "**Restricted:** a patient-data programme under NDA. Only the delivery team sees this client.",
        contacts: &[
            ("Clara Schmidt", "Chief Medical Officer", "+49 30 9018 2201"),
            ("Jonas Fischer", "Head of Digital", "+49 30 9018 2230"),
        ],
    },
    ClientSeed {
        key: "meridian", name: "Meridian Pictures", status: "active", industry: "Media & publishing",
        size: "small", timezone: "America/Los_Angeles", ai_maturity: "medium",
        domain: "meridianpictures.com", phone: "+1 (323) 555-0147",
        address: "5555 Melrose Avenue, Los Angeles, CA 90038", owner: "admin", tags: &["Studio"],
        restricted: false, archived: false,
        notes: "Independent film production company. We do the VFX for their feature *Low Tide*.",
        contacts: &[
            ("Diego Martinez", "Producer", "+1 (323) 555-0148"),
            ("Sofia Rossi", "Post-production Supervisor", ""),
        ],
    },
    ClientSeed {
        key: "oakridge", name: "Oakridge Academy", status: "active", industry: "Education",
        size: "medium", timezone: "Europe/London", ai_maturity: "none",
        domain: "oakridge-academy.org.uk", phone: "+44 117 496 0750",
        address: "Oakridge Lane, Bristol BS8 1TH", owner: "member", tags: &["Web"],
        restricted: false, archived: false,
        notes: "",
        contacts: &[("Ruth Evans", "Head of Operations", "+44 117 496 0751")],
    },
    ClientSeed {
        key: "stonebridge", name: "Stonebridge Architects", status: "paused", industry: "Architecture",
        size: "small", timezone: "Europe/Stockholm", ai_maturity: "low",
        domain: "stonebridge-arkitekter.se", phone: "+46 8 555 012 30",
        address: "Götgatan 22, 118 46 Stockholm", owner: "admin", tags: &["Web"],
        restricted: false, archived: false,
        notes: "Paused until their Q3 budget is approved; Ingrid will call us.",
        contacts: &[
            ("Ingrid Nilsson", "Managing Partner", "+46 8 555 012 31"),
            ("Anders Larsen", "Office Manager", ""),
        ],
    },
    ClientSeed {
        key: "juniper", name: "Juniper Foods", status: "lead", industry: "Food & beverage",
        size: "medium", timezone: "Europe/Paris", ai_maturity: "none",
        domain: "juniperfoods.fr", phone: "+33 1 84 88 12 40",
        address: "21 rue de la Roquette, 75011 Paris", owner: "owner", tags: &["Referral"],
        restricted: false, archived: false,
        notes: "Met at the Food Tech Summit. Interested in demand forecasting.",
        contacts: &[("Hugo Laurent", "Head of Marketing", "+33 1 84 88 12 41")],
    },
    ClientSeed {
        key: "saffron", name: "Saffron Travel", status: "lead", industry: "Travel",
        size: "small", timezone: "Asia/Singapore", ai_maturity: "low",
        domain: "saffrontravel.sg", phone: "+65 6555 0172",
        address: "80 Robinson Road, Singapore 068898", owner: "member", tags: &[],
        restricted: false, archived: false,
        notes: "",
        contacts: &[("Arjun Patel", "Founder", "+65 6555 0173")],
    },
    ClientSeed {
        key: "vantage", name: "Vantage Capital", status: "lead", industry: "Financial services",
        size: "large", timezone: "America/New_York", ai_maturity: "medium",
        domain: "vantagecapital.com", phone: "+1 (212) 555-0110",
        address: "300 Park Avenue, New York, NY 10022", owner: "owner", tags: &["AI"],
        restricted: false, archived: false,
        notes: "Wants an AI discovery for their research desk; NDA first.",
        contacts: &[
            ("James Thompson", "Managing Director", "+1 (212) 555-0111"),
            ("Fatima Haddad", "Head of Innovation", ""),
        ],
    },
    ClientSeed {
        key: "quarry", name: "Quarry Robotics", status: "former", industry: "Manufacturing",
        size: "medium", timezone: "Europe/Berlin", ai_maturity: "high",
        domain: "quarry-robotics.de", phone: "+49 89 2050 7700",
        address: "Landsberger Straße 110, 80339 Munich", owner: "admin", tags: &["AI"],
        restricted: false, archived: false,
        notes: "Vision inspection PoC finished last quarter; they built the rest in-house.",
        contacts: &[("Felix Muller", "CTO", "+49 89 2050 7701")],
    },
    ClientSeed {
        key: "elmstreet", name: "Elm Street Bakery", status: "former", industry: "Food & beverage",
        size: "micro", timezone: "Europe/London", ai_maturity: "none",
        domain: "elmstreetbakery.co.uk", phone: "+44 161 496 0033",
        address: "3 Elm Street, Manchester M4 1HN", owner: "member", tags: &["Web"],
        restricted: false, archived: true,
        notes: "Closed their shop; archived.",
        contacts: &[("Amelia Wood", "Owner", "+44 161 496 0034")],
    },
];

/// An interaction: (client, kind, author role, days ago, contact index, body).
type InteractionSeed = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<usize>,
    &'static str,
);

#[rustfmt::skip]
const INTERACTIONS: &[InteractionSeed] = &[
    ("northwind", "meeting", "owner", 16, Some(0), "Kickoff with Hannah and Tomasz. Goal: a costed AI roadmap for the board in four weeks. Interviews with depot managers, planning and finance."),
    ("northwind", "call", "admin", 6, Some(1), "Tomasz confirmed read-only access to the TMS database by Friday; the security review is done."),
    ("northwind", "email", "owner", 2, Some(0), "Sent Hannah the interview summary and the long list of use cases; she wants route planning on top."),
    ("northwind", "note", "member", 1, None, "Depot managers are keen on the route-planning idea; finance is sceptical about the data quality."),
    ("bluefin", "meeting", "admin", 25, Some(0), "Solution design review with Lars: RAG over the help centre and past tickets, Zendesk integration, human review of every answer in week one."),
    ("bluefin", "email", "member", 9, Some(2), "Samuel shared 18 months of anonymised tickets for the evaluation set."),
    ("bluefin", "call", "admin", 3, Some(1), "Mei asked whether the copilot can draft answers in Dutch too; added to the backlog for after go-live."),
    ("harbor", "meeting", "member", 14, Some(0), "Requirements workshop: booking engine stays, new photography in May, six hotel pages plus offers."),
    ("harbor", "email", "member", 4, Some(0), "Niamh sent the final copy for the rooms pages; the offers copy follows next week."),
    ("copperleaf", "meeting", "member", 12, Some(0), "Briefing with Dr. Schmidt: 18 clinicians, half a day, hands-on with synthetic data only."),
    ("copperleaf", "note", "owner", 5, None, "Legal approved the workshop under the existing NDA; no patient data leaves their tenant."),
    ("meridian", "call", "admin", 8, Some(0), "Diego moved the picture lock by a week; temps are still due on the original date."),
    ("meridian", "email", "admin", 2, Some(1), "Sofia sent notes on the temps: the water interaction in shots 040–060 needs more work."),
    ("oakridge", "email", "member", 10, Some(0), "Ruth asked for a quote to refresh the admissions pages before the open day."),
    ("stonebridge", "call", "admin", 21, Some(0), "Ingrid asked us to pause the intranet work until their Q3 budget is approved."),
    ("juniper", "event", "owner", 24, Some(0), "Met Hugo at the Food Tech Summit in Paris: they waste 8% of fresh stock and want better demand forecasts."),
    ("juniper", "call", "owner", 4, Some(0), "Follow-up call: Hugo will share two years of sales data; proposal for a PoC due Friday."),
    ("saffron", "email", "member", 7, Some(0), "Arjun asked whether we build itinerary chatbots; sent two case studies."),
    ("vantage", "meeting", "owner", 11, Some(1), "Intro with Fatima: research desk drowning in filings; they want a discovery before any build."),
    ("quarry", "note", "admin", 60, None, "PoC closed: 3 of 4 success criteria met; they continue in-house with our evaluation set."),
];

/// What the CRM step made, for the delivery step.
pub struct DemoClients {
    /// Client ids by key ("northwind", ...).
    pub ids: HashMap<&'static str, Uuid>,
    /// Tag ids by name.
    pub tags: HashMap<&'static str, Uuid>,
}

/// Writes tags, clients, contacts and interactions.
pub async fn populate(app: &Cairn, team: &Team) -> anyhow::Result<DemoClients> {
    // Tags survive a run that stopped half-way, so they are reused by name.
    let existing: HashMap<String, Uuid> = app
        .list_tags(&team.owner)
        .await
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .map(|t| (t.name, t.id))
        .collect();
    let mut tags = HashMap::new();
    for (name, colour) in TAGS {
        if let Some(id) = existing.get(*name) {
            tags.insert(*name, *id);
            continue;
        }
        let t = app
            .create_tag(&team.owner, name, Some(colour))
            .await
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("tag {name}"))?;
        tags.insert(*name, t.id);
    }
    let mut ids = HashMap::new();
    let mut contacts: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for c in CLIENTS {
        let owner = team.by_role(c.owner);
        let changes = ClientChanges {
            name: Some(c.name.into()),
            status: Some(c.status.into()),
            industry: Some(Some(c.industry.into())),
            company_size: Some(Some(c.size.into())),
            timezone: Some(Some(c.timezone.into())),
            ai_maturity: Some(Some(c.ai_maturity.into())),
            website: Some(Some(format!("https://www.{}", c.domain))),
            email: Some(Some(format!("hello@{}", c.domain))),
            phone: Some(Some(c.phone.into())),
            address: Some(Some(c.address.into())),
            notes: Some(c.notes.into()),
            account_owner_id: Some(Some(owner.user_id.0)),
            tags: Some(c.tags.iter().map(|t| tags[t]).collect()),
            visibility: c.restricted.then(|| "restricted".to_string()),
            access: c.restricted.then(|| vec![team.member.user_id.0]),
            ..Default::default()
        };
        let client = app
            .create_client(&team.owner, changes)
            .await
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("client {}", c.name))?;
        ids.insert(c.key, client.id);
        for (i, (name, title, phone)) in c.contacts.iter().enumerate() {
            let local = name.to_lowercase().replace(' ', ".");
            let contact = app
                .create_contact(
                    owner,
                    client.id,
                    ContactChanges {
                        name: Some((*name).into()),
                        title: Some(Some((*title).into())),
                        email: Some(Some(format!("{local}@{}", c.domain))),
                        phone: Some((!phone.is_empty()).then(|| phone.to_string())),
                        notes: None,
                        is_primary: Some(i == 0),
                    },
                )
                .await
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("contact {name}"))?;
            contacts.entry(c.key).or_default().push(contact.id);
        }
    }
    let today = cairn_core::delivery::today_for(&team.owner);
    let mut corrected = None;
    for (i, (client, kind, author, days, contact, body)) in INTERACTIONS.iter().enumerate() {
        let hour = NaiveTime::from_hms_opt(9 + (i % 8) as u32, 15 * (i % 4) as u32, 0)
            .expect("a valid time");
        let at = (today - Duration::days(*days)).and_time(hour).and_utc();
        let made = app
            .create_interaction(
                team.by_role(author),
                ids[client],
                NewInteraction {
                    kind: (*kind).into(),
                    body: (*body).into(),
                    occurred_at: Some(at),
                    contact_id: contact.map(|k| contacts[client][k]),
                    corrects_id: None,
                },
            )
            .await
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("interaction with {client}"))?;
        if *client == "northwind" && *kind == "call" {
            corrected = Some((made.id, at));
        }
    }
    // Interactions are never edited: a mistake is corrected by a new one that points to it.
    if let Some((id, at)) = corrected {
        app.create_interaction(
            &team.admin,
            ids["northwind"],
            NewInteraction {
                kind: "note".into(),
                body: "Correction: the TMS access comes on Monday, not Friday; the security \
                       review needed one more sign-off."
                    .into(),
                occurred_at: Some(at + Duration::hours(2)),
                contact_id: None,
                corrects_id: Some(id),
            },
        )
        .await
        .map_err(anyhow::Error::msg)?;
    }
    for c in CLIENTS.iter().filter(|c| c.archived) {
        app.set_client_archived(&team.owner, ids[c.key], true, None)
            .await
            .map_err(anyhow::Error::msg)?;
    }
    Ok(DemoClients { ids, tags })
}

/// The number of demo clients (archived included).
pub const CLIENT_COUNT: usize = CLIENTS.len();
