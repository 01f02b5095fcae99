//! Exports: CSV and JSON of the CRM lists as filtered and as visible, formula-safe CSV cells,
//! vCards that a real parser accepts, and an activity entry for every export.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::TestApp;

/// A workspace with its owner (ann) and a member (mo); returns their tokens.
async fn setup() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    app.owner("Acme", "ann@acme.test").await;
    app.user("acme", "mo@acme.test", "member").await;
    let owner = app.token("ann@acme.test").await;
    let member = app.token("mo@acme.test").await;
    (app, owner, member)
}

async fn client(app: &TestApp, token: &str, body: Value) -> String {
    let (s, v) = app
        .call(Method::POST, "/api/v1/clients", token, Some(body))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn contact(app: &TestApp, token: &str, client_id: &str, body: Value) -> String {
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{client_id}/contacts"),
            token,
            Some(body),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn restrict(app: &TestApp, owner: &str, client_id: &str) {
    let (s, v) = app
        .call(
            Method::PUT,
            &format!("/api/v1/clients/{client_id}/access"),
            owner,
            Some(json!({"visibility": "restricted", "users": []})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// A download: status, headers we check, and the body.
struct Download {
    status: StatusCode,
    content_type: String,
    disposition: String,
    body: String,
}

async fn download(app: &TestApp, path: &str, token: &str) -> Download {
    let r = app.api(Method::GET, path, token, None).await;
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    Download {
        status: r.status(),
        content_type: header("content-type"),
        disposition: header("content-disposition"),
        body: r.text().await.unwrap(),
    }
}

/// Parses a CSV export into its header and rows of cells.
fn csv_rows(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = header.iter().position(|h| h == name).expect(name);
    rows.iter().map(|r| r[i].clone()).collect()
}

#[tokio::test]
async fn client_export_follows_the_list_filters_in_csv_and_json() {
    let (app, owner, _) = setup().await;
    let (s, tag) = app
        .call(
            Method::POST,
            "/api/v1/tags",
            &owner,
            Some(json!({"name": "retainer", "colour": "#3b82f6"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tag}");
    let tag = tag["id"].as_str().unwrap().to_string();
    client(
        &app,
        &owner,
        json!({"name": "Birch Ltd", "status": "active", "tags": [tag]}),
    )
    .await;
    client(
        &app,
        &owner,
        json!({"name": "Alder & Co", "status": "active", "industry": "Retail"}),
    )
    .await;
    client(&app, &owner, json!({"name": "Cedar", "status": "lead"})).await;

    let d = download(
        &app,
        "/api/v1/exports/clients?format=csv&status=active",
        &owner,
    )
    .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    assert!(
        d.disposition
            .starts_with("attachment; filename=\"clients-acme-")
            && d.disposition.ends_with(".csv\""),
        "{}",
        d.disposition
    );
    assert!(!d.body.starts_with('\u{feff}'), "no byte-order mark");
    assert!(d.body.contains("\r\n"), "RFC 4180 line ends");
    let (header, rows) = csv_rows(&d.body);
    assert_eq!(
        header,
        [
            "id",
            "name",
            "status",
            "industry",
            "company_size",
            "timezone",
            "ai_maturity",
            "website",
            "email",
            "phone",
            "address",
            "account_owner",
            "visibility",
            "tags",
            "created_at",
            "updated_at",
            "archived_at"
        ]
    );
    assert_eq!(
        column(&header, &rows, "name"),
        ["Alder & Co", "Birch Ltd"],
        "the list's default sort, by name"
    );
    assert_eq!(column(&header, &rows, "industry"), ["Retail", ""]);
    assert_eq!(column(&header, &rows, "tags"), ["", "retainer"]);

    let d = download(
        &app,
        &format!("/api/v1/exports/clients?format=csv&tag={tag}"),
        &owner,
    )
    .await;
    let (header, rows) = csv_rows(&d.body);
    assert_eq!(column(&header, &rows, "name"), ["Birch Ltd"]);

    let d = download(&app, "/api/v1/exports/clients?format=json&q=cedar", &owner).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert_eq!(d.content_type, "application/json");
    assert!(d.disposition.ends_with(".json\""), "{}", d.disposition);
    let v: Value = serde_json::from_str(&d.body).unwrap();
    let items = v.as_array().expect("a JSON array");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], "Cedar");
    assert_eq!(items[0]["status"], "lead");

    let d = download(
        &app,
        "/api/v1/exports/clients?format=json&sort=-name",
        &owner,
    )
    .await;
    let v: Value = serde_json::from_str(&d.body).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cedar", "Birch Ltd", "Alder & Co"]);
}

#[tokio::test]
async fn an_export_holds_every_page_of_the_list() {
    let (app, owner, _) = setup().await;
    // The lists page at most 200 rows; the export walks the pages.
    let a = client(&app, &owner, json!({"name": "Many"})).await;
    for i in 0..201 {
        client(&app, &owner, json!({"name": format!("Client {i:03}")})).await;
        contact(&app, &owner, &a, json!({"name": format!("Person {i:03}")})).await;
    }
    let d = download(&app, "/api/v1/exports/clients", &owner).await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(d.content_type.starts_with("text/csv"), "CSV by default");
    let (header, rows) = csv_rows(&d.body);
    assert_eq!(rows.len(), 202);
    let mut ids = column(&header, &rows, "id");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 202, "no row twice");
    let d = download(&app, "/api/v1/exports/contacts?format=json", &owner).await;
    let v: Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 201);
}

#[tokio::test]
async fn contact_export_follows_filters_and_names_the_client() {
    let (app, owner, _) = setup().await;
    let a = client(&app, &owner, json!({"name": "Alder"})).await;
    let b = client(&app, &owner, json!({"name": "Birch"})).await;
    contact(
        &app,
        &owner,
        &a,
        json!({"name": "Ada Lovelace", "email": "ada@alder.test", "phone": "+44 20 7946 0958", "is_primary": true}),
    )
    .await;
    contact(&app, &owner, &a, json!({"name": "Charles Babbage"})).await;
    let gone = contact(&app, &owner, &b, json!({"name": "Grace Hopper"})).await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/contacts/{gone}/archive"),
            &owner,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    let d = download(&app, "/api/v1/exports/contacts?format=csv", &owner).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert!(d.disposition.contains("filename=\"contacts-acme-"));
    let (header, rows) = csv_rows(&d.body);
    assert_eq!(
        header,
        [
            "id",
            "client_id",
            "client_name",
            "name",
            "title",
            "email",
            "phone",
            "is_primary",
            "archived_at"
        ]
    );
    assert_eq!(
        column(&header, &rows, "name"),
        ["Ada Lovelace", "Charles Babbage"],
        "archived contacts stay out by default"
    );
    assert_eq!(column(&header, &rows, "client_name"), ["Alder", "Alder"]);
    assert_eq!(column(&header, &rows, "is_primary"), ["true", "false"]);
    assert_eq!(
        column(&header, &rows, "phone"),
        ["'+44 20 7946 0958", ""],
        "a leading + could start a formula"
    );

    let d = download(
        &app,
        &format!("/api/v1/exports/contacts?format=json&client={b}&archived=all"),
        &owner,
    )
    .await;
    let v: Value = serde_json::from_str(&d.body).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], "Grace Hopper");
    assert_eq!(items[0]["client_name"], "Birch");
    assert!(items[0]["archived_at"].is_string());

    let d = download(&app, "/api/v1/exports/contacts?format=json&q=babb", &owner).await;
    let v: Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn restricted_clients_and_their_contacts_stay_out_of_a_members_export() {
    let (app, owner, member) = setup().await;
    let open = client(&app, &owner, json!({"name": "Open Co"})).await;
    let secret = client(&app, &owner, json!({"name": "Secret Co"})).await;
    contact(&app, &owner, &open, json!({"name": "Olive Open"})).await;
    let hidden = contact(&app, &owner, &secret, json!({"name": "Sam Secret"})).await;
    restrict(&app, &owner, &secret).await;

    for (token, expect_secret) in [(&member, false), (&owner, true)] {
        for format in ["csv", "json"] {
            let d = download(
                &app,
                &format!("/api/v1/exports/clients?format={format}&archived=all"),
                token,
            )
            .await;
            assert_eq!(d.status, StatusCode::OK, "{}", d.body);
            assert!(d.body.contains("Open Co"));
            assert_eq!(d.body.contains("Secret Co"), expect_secret, "{}", d.body);
            assert_eq!(d.body.contains(&secret), expect_secret);

            let d = download(
                &app,
                &format!("/api/v1/exports/contacts?format={format}&archived=all"),
                token,
            )
            .await;
            assert_eq!(d.status, StatusCode::OK, "{}", d.body);
            assert!(d.body.contains("Olive Open"));
            assert_eq!(d.body.contains("Sam Secret"), expect_secret, "{}", d.body);
        }
    }

    // Naming the restricted client, or asking for its vCards, is simply not found.
    for path in [
        format!("/api/v1/exports/contacts?format=csv&client={secret}"),
        format!("/api/v1/contacts/{hidden}/vcard"),
        format!("/api/v1/clients/{secret}/contacts/vcard"),
    ] {
        let d = download(&app, &path, &member).await;
        assert_eq!(d.status, StatusCode::NOT_FOUND, "{path}: {}", d.body);
        assert!(!d.body.contains("Secret"));
        let d = download(&app, &path, &owner).await;
        assert_eq!(d.status, StatusCode::OK, "{path}: {}", d.body);
    }
}

#[tokio::test]
async fn formula_cells_come_out_neutralised() {
    let (app, owner, _) = setup().await;
    let id = client(
        &app,
        &owner,
        json!({"name": "=HYPERLINK(\"http://x\")", "address": "@SUM(A1)"}),
    )
    .await;
    contact(&app, &owner, &id, json!({"name": "-2+3", "title": "+cmd"})).await;

    let d = download(&app, "/api/v1/exports/clients?format=csv", &owner).await;
    let (header, rows) = csv_rows(&d.body);
    assert_eq!(
        column(&header, &rows, "name"),
        ["'=HYPERLINK(\"http://x\")"]
    );
    assert_eq!(column(&header, &rows, "address"), ["'@SUM(A1)"]);
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} could run as a formula"
            );
        }
    }

    let d = download(&app, "/api/v1/exports/contacts?format=csv", &owner).await;
    let (header, rows) = csv_rows(&d.body);
    assert_eq!(column(&header, &rows, "name"), ["'-2+3"]);
    assert_eq!(column(&header, &rows, "title"), ["'+cmd"]);
    assert_eq!(
        column(&header, &rows, "client_name"),
        ["'=HYPERLINK(\"http://x\")"]
    );

    // JSON is data, not a spreadsheet: values come out as they are.
    let d = download(&app, "/api/v1/exports/clients?format=json", &owner).await;
    let v: Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(v[0]["name"], "=HYPERLINK(\"http://x\")");
}

#[tokio::test]
async fn exports_are_recorded_in_the_activity_log() {
    let (app, owner, member) = setup().await;
    let a = client(&app, &owner, json!({"name": "Alder", "status": "active"})).await;
    let c = contact(&app, &owner, &a, json!({"name": "Ada"})).await;

    let ok = |d: Download| assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    ok(download(
        &app,
        "/api/v1/exports/clients?format=csv&status=active",
        &member,
    )
    .await);
    ok(download(&app, "/api/v1/exports/contacts?format=json&q=ada", &member).await);
    ok(download(&app, &format!("/api/v1/contacts/{c}/vcard"), &member).await);
    ok(download(
        &app,
        &format!("/api/v1/clients/{a}/contacts/vcard"),
        &member,
    )
    .await);

    let (s, v) = app
        .call(Method::GET, "/api/v1/activity?action=export.", &owner, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "export.vcard",
            "export.vcard",
            "export.contacts",
            "export.clients"
        ],
        "newest first"
    );
    let clients = &items[3];
    assert_eq!(clients["actor"], "User mo@acme.test <mo@acme.test>");
    assert_eq!(clients["changes"]["format"], "csv");
    assert_eq!(clients["changes"]["rows"], 1);
    assert_eq!(clients["changes"]["filters"], json!({"status": "active"}));
    let contacts = &items[2];
    assert_eq!(contacts["changes"]["format"], "json");
    assert_eq!(contacts["changes"]["filters"], json!({"q": "ada"}));
    assert_eq!(contacts["changes"]["rows"], 1);
    assert_eq!(items[1]["record_type"], "contact");
    assert_eq!(items[1]["record_id"], c.as_str());
    assert_eq!(items[0]["record_type"], "client");
    assert_eq!(items[0]["record_id"], a.as_str());
    assert_eq!(items[0]["changes"]["rows"], 1);
}

#[tokio::test]
async fn a_read_scope_token_and_a_viewer_may_export() {
    let (app, owner, _) = setup().await;
    app.user("acme", "vic@acme.test", "viewer").await;
    client(&app, &owner, json!({"name": "Alder"})).await;
    let (s, created) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            &owner,
            Some(json!({"name": "reporting", "scope": "read"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let pat = created["secret"].as_str().unwrap().to_string();
    let viewer = app.token("vic@acme.test").await;
    for token in [&pat, &viewer] {
        let d = download(&app, "/api/v1/exports/clients?format=json", token).await;
        assert_eq!(d.status, StatusCode::OK, "{}", d.body);
        assert!(d.body.contains("Alder"));
    }
}

#[tokio::test]
async fn a_bad_format_or_filter_is_a_400_naming_the_field() {
    let (app, owner, _) = setup().await;
    let before = app.audit_count().await;
    for (path, field) in [
        ("/api/v1/exports/clients?format=xlsx", "format"),
        ("/api/v1/exports/contacts?format=pdf", "format"),
        ("/api/v1/exports/clients?format=csv&status=gone", "status"),
        ("/api/v1/exports/clients?format=csv&colour=red", "colour"),
        (
            "/api/v1/exports/contacts?format=csv&archived=maybe",
            "archived",
        ),
    ] {
        let (s, v) = app.call(Method::GET, path, &owner, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_eq!(v["errors"][0]["field"], field, "{path}: {v}");
    }
    assert_eq!(
        app.audit_count().await,
        before,
        "a refused export is not logged"
    );
}

/// The checks a strict reader makes of a vCard 4.0 stream; returns the unfolded lines.
fn strict_vcard_lines(body: &str) -> Vec<String> {
    assert!(body.ends_with("\r\n"), "ends with CRLF");
    let physical: Vec<&str> = body[..body.len() - 2].split("\r\n").collect();
    for line in &physical {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare CR or LF in {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let mut lines: Vec<String> = Vec::new();
    for line in physical {
        match line.strip_prefix(' ') {
            Some(rest) => lines
                .last_mut()
                .expect("a fold continues a line")
                .push_str(rest),
            None => lines.push(line.to_string()),
        }
    }
    let mut open = false;
    for (i, line) in lines.iter().enumerate() {
        match line.as_str() {
            "BEGIN:VCARD" => {
                assert!(!open, "nested BEGIN");
                assert_eq!(lines[i + 1], "VERSION:4.0", "VERSION follows BEGIN");
                open = true;
            }
            "END:VCARD" => {
                assert!(open, "END without BEGIN");
                open = false;
            }
            other => {
                assert!(open, "{other:?} outside a card");
                assert!(other.contains(':'), "{other:?} has no value");
            }
        }
    }
    assert!(!open, "the last card is closed");
    lines
}

/// Reverses RFC 6350 §3.4 escaping.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn property<'a>(card: &'a ical::parser::vcard::component::VcardContact, name: &str) -> &'a str {
    card.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[tokio::test]
async fn a_contacts_vcard_is_well_formed_and_a_real_parser_reads_it() {
    let (app, owner, _) = setup().await;
    let a = client(&app, &owner, json!({"name": "Smith, Jones; Partners"})).await;
    let name =
        r"Zoë Ångström-Łukasiewicz, Countess; of \ Analytical Engines and Difference Machines";
    let notes = "Met at the conference.\nPrefers email; never calls, ever.\n\nLong line: "
        .to_string()
        + &"λ".repeat(60);
    let c = contact(
        &app,
        &owner,
        &a,
        json!({"name": name, "title": "Chief, Engines", "email": "zoe@smith.test",
               "phone": "+44 20 7946 0958", "notes": notes}),
    )
    .await;
    contact(&app, &owner, &a, json!({"name": "Bob Other"})).await;

    let d = download(&app, &format!("/api/v1/contacts/{c}/vcard"), &owner).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert_eq!(d.content_type, "text/vcard; charset=utf-8");
    assert!(
        d.disposition
            .starts_with("attachment; filename=\"zo-ngstr-m-")
    );
    assert!(d.disposition.ends_with(".vcf\""), "{}", d.disposition);

    let lines = strict_vcard_lines(&d.body);
    assert!(
        d.body.contains("\r\n "),
        "the long name and notes are folded"
    );
    let fn_line = lines.iter().find(|l| l.starts_with("FN:")).unwrap();
    assert_eq!(
        fn_line,
        r"FN:Zoë Ångström-Łukasiewicz\, Countess\; of \\ Analytical Engines and Difference Machines"
    );
    assert_eq!(unescape(&fn_line["FN:".len()..]), name);
    let note = lines.iter().find(|l| l.starts_with("NOTE:")).unwrap();
    assert_eq!(unescape(&note["NOTE:".len()..]), notes);
    assert!(lines.contains(&r"ORG:Smith\, Jones\; Partners".to_string()));
    assert!(lines.contains(&"TEL;VALUE=uri;TYPE=work:tel:+44-20-7946-0958".to_string()));
    assert!(lines.contains(&format!("UID:urn:uuid:{c}")));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("REV:") && l.ends_with('Z'))
    );

    // A real parser (the `ical` crate) reads the same card.
    let cards: Vec<_> = ical::VcardParser::new(std::io::BufReader::new(d.body.as_bytes()))
        .collect::<Result<_, _>>()
        .expect("ical parses the vCard");
    assert_eq!(cards.len(), 1);
    let card = &cards[0];
    assert_eq!(property(card, "VERSION"), "4.0");
    assert_eq!(unescape(property(card, "FN")), name);
    assert_eq!(property(card, "EMAIL"), "zoe@smith.test");
    assert_eq!(unescape(property(card, "TITLE")), "Chief, Engines");
    assert_eq!(unescape(property(card, "NOTE")), notes);
    assert_eq!(property(card, "UID"), format!("urn:uuid:{c}"));

    // All the client's contacts in one file: primary first, then by name.
    let d = download(&app, &format!("/api/v1/clients/{a}/contacts/vcard"), &owner).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert!(
        d.disposition
            .contains("filename=\"smith-jones-partners-contacts.vcf\"")
    );
    strict_vcard_lines(&d.body);
    let cards: Vec<_> = ical::VcardParser::new(std::io::BufReader::new(d.body.as_bytes()))
        .collect::<Result<_, _>>()
        .expect("ical parses the vCards");
    let names: Vec<String> = cards.iter().map(|c| unescape(property(c, "FN"))).collect();
    assert_eq!(names, ["Bob Other", name]);
}

#[tokio::test]
async fn project_and_task_exports_follow_filters_visibility_and_are_audited() {
    let (app, owner, member) = setup().await;
    let open = client(&app, &owner, json!({"name": "Open Co"})).await;
    let secret = client(&app, &owner, json!({"name": "Secret Co"})).await;
    let mut projects = vec![];
    for (c, name) in [(&open, "Website relaunch"), (&secret, "Merger prep")] {
        let (s, v) = app
            .call(
                Method::POST,
                "/api/v1/projects",
                &owner,
                Some(json!({"client_id": c, "name": name, "status": "active"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        projects.push(v["id"].as_str().unwrap().to_string());
    }
    for (p, title, priority) in [
        (&projects[0], "=HYPERLINK(\"x\")", "p1"),
        (&projects[0], "Write copy", "p3"),
        (&projects[1], "Data room", "p1"),
    ] {
        let (s, v) = app
            .call(
                Method::POST,
                &format!("/api/v1/projects/{p}/tasks"),
                &owner,
                Some(json!({"title": title, "priority": priority})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    restrict(&app, &owner, &secret).await;

    // The owner sees both projects; the member only the open client's.
    let d = download(&app, "/api/v1/exports/projects", &owner).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert!(d.content_type.starts_with("text/csv"));
    assert!(
        d.disposition.contains("projects-acme-"),
        "{}",
        d.disposition
    );
    let (header, rows) = csv_rows(&d.body);
    assert_eq!(header[..3], ["id", "client", "name"]);
    let names: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, ["Merger prep", "Website relaunch"]);
    let d = download(&app, "/api/v1/exports/projects?format=json", &member).await;
    let v: Value = serde_json::from_str(&d.body).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Website relaunch"]);

    // Tasks: the priority filter applies, cells that start a formula are neutralised, and
    // the restricted client's task is absent for the member.
    let d = download(&app, "/api/v1/exports/tasks?priority=p1", &member).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    let (header, rows) = csv_rows(&d.body);
    let title = header.iter().position(|h| h == "title").unwrap();
    let titles: Vec<&str> = rows.iter().map(|r| r[title].as_str()).collect();
    assert_eq!(titles, ["'=HYPERLINK(\"x\")"]);
    let d = download(&app, "/api/v1/exports/tasks?priority=p1", &owner).await;
    assert_eq!(csv_rows(&d.body).1.len(), 2);
    let d = download(&app, "/api/v1/exports/tasks?priority=p9", &owner).await;
    assert_eq!(d.status, StatusCode::BAD_REQUEST, "{}", d.body);
    assert!(d.body.contains("priority"), "{}", d.body);

    let (_, log) = app
        .call(Method::GET, "/api/v1/activity?limit=50", &owner, None)
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "export.projects").count(),
        2
    );
    assert_eq!(actions.iter().filter(|a| **a == "export.tasks").count(), 2);
}
