//! Exports of the CRM lists (CSV and JSON, with the list's filters) and vCards of contacts.
//! They read through the same visibility-aware queries as the lists, so a restricted client
//! and its contacts never reach someone who may not see them, and each export is audited.

mod delivery;
pub mod vcard;

pub use delivery::{MAX_TASK_ROWS, PROJECT_COLUMNS, TASK_COLUMNS};

use std::borrow::Cow;
use std::collections::HashMap;

use cairn_domain::{Action, DomainError, Resource, Result};
use cairn_store::entities::client;
use cairn_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::actor::Actor;
use crate::audit::{self, Event};
use crate::clients::{ClientFilter, ClientView};
use crate::contacts::{ContactFilter, ContactView};
use crate::page::{MAX_LIMIT, PageRequest};
use crate::{Cairn, db_err, each_once};

/// The format of a list export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    /// Parses `csv` or `json`; the error names `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            _ => Err(DomainError::invalid(field, "must be csv or json")),
        }
    }

    /// The name used in file extensions and the activity log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

/// A finished export, ready to be sent as a download.
#[derive(Debug, Clone)]
pub struct Export {
    /// A safe ASCII file name (letters, digits, `-`, `.`).
    pub filename: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Records in the file.
    pub rows: usize,
}

/// A contact as exported: the contact and the name of its client.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactExportRow {
    #[serde(flatten)]
    pub contact: ContactView,
    pub client_name: String,
}

/// Neutralises spreadsheet formula injection: a cell that begins with `=`, `+`, `-`, `@`, a
/// tab or a carriage return is prefixed with `'`, so spreadsheets show it as text.
pub fn neutralise_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Writes a header and rows as CSV, every cell neutralised.
pub(crate) fn write_csv(
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| DomainError::Internal(format!("writing CSV: {e}"));
    // CRLF row ends, as RFC 4180 specifies.
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(header).map_err(fail)?;
    for row in rows {
        w.write_record(row.iter().map(|c| neutralise_cell(c).into_owned()))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| DomainError::Internal(format!("writing CSV: {e}")))
}

pub(crate) fn write_json<T: Serialize>(rows: &[T]) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(rows).map_err(|e| DomainError::Internal(format!("writing JSON: {e}")))
}

pub(crate) fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

pub(crate) fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn opt_time(t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.as_ref().map(time).unwrap_or_default()
}

/// Columns of the client CSV.
pub const CLIENT_COLUMNS: &[&str] = &[
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
    "archived_at",
];

fn client_row(c: &ClientView) -> Vec<String> {
    vec![
        c.id.to_string(),
        c.name.clone(),
        c.status.clone(),
        opt(&c.industry),
        opt(&c.company_size),
        opt(&c.timezone),
        opt(&c.ai_maturity),
        opt(&c.website),
        opt(&c.email),
        opt(&c.phone),
        opt(&c.address),
        c.account_owner
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        c.visibility.clone(),
        c.tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        time(&c.created_at),
        time(&c.updated_at),
        opt_time(&c.archived_at),
    ]
}

/// Columns of the contact CSV.
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "client_id",
    "client_name",
    "name",
    "title",
    "email",
    "phone",
    "is_primary",
    "archived_at",
];

fn contact_row(r: &ContactExportRow) -> Vec<String> {
    let c = &r.contact;
    vec![
        c.id.to_string(),
        c.client_id.to_string(),
        r.client_name.clone(),
        c.name.clone(),
        opt(&c.title),
        opt(&c.email),
        opt(&c.phone),
        c.is_primary.to_string(),
        opt_time(&c.archived_at),
    ]
}

/// A file-name-safe form of `text`: lowercase ASCII letters and digits joined by `-`.
fn file_slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

pub(crate) fn list_filename(actor: &Actor, what: &str, format: ExportFormat) -> String {
    format!(
        "{what}-{}-{}.{}",
        file_slug(&actor.workspace_slug, "workspace"),
        cairn_domain::time::now().format("%Y-%m-%d"),
        format.as_str()
    )
}

/// The filters as recorded in the activity log: only those that were set.
pub(crate) fn filters_json(pairs: &[(&str, Option<String>)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
            m.insert((*k).to_string(), json!(v));
        }
    }
    Value::Object(m)
}

impl Cairn {
    /// Records an export in the activity log.
    pub(crate) async fn audit_export(&self, event: Event) -> Result<()> {
        let tx = self.store.write().await.map_err(db_err)?;
        audit::record(&tx, event).await?;
        tx.commit().await.map_err(db_err)
    }

    /// Names of the visible clients among `ids`.
    async fn visible_client_names(
        &self,
        actor: &Actor,
        ids: &[uuid::Uuid],
    ) -> Result<HashMap<uuid::Uuid, String>> {
        let ids = each_once(ids);
        let mut names = HashMap::new();
        // Chunked to stay far below the bind-parameter limits of both backends.
        for chunk in ids.chunks(500) {
            let rows: Vec<(uuid::Uuid, String)> = client::Entity::find()
                .select_only()
                .column(client::Column::Id)
                .column(client::Column::Name)
                .filter(actor.scope().clients_filter())
                .filter(client::Column::Id.is_in(chunk.to_vec()))
                .into_tuple()
                .all(self.store.reader())
                .await
                .map_err(db_err)?;
            names.extend(rows);
        }
        Ok(names)
    }

    /// Every client of the filtered list the actor may see, in the list's order, as CSV or
    /// JSON. Audited as `export.clients`.
    pub async fn export_clients(
        &self,
        actor: &Actor,
        filter: &ClientFilter,
        format: ExportFormat,
    ) -> Result<Export> {
        actor.require(Action::Export, Resource::Client)?;
        let mut all = Vec::new();
        let mut page = PageRequest {
            limit: Some(MAX_LIMIT),
            cursor: None,
        };
        loop {
            let p = self.load_client_page(actor, filter, &page).await?;
            all.extend(p.items);
            match p.next_cursor {
                Some(c) => page.cursor = Some(c),
                None => break,
            }
        }
        let body = match format {
            ExportFormat::Csv => write_csv(CLIENT_COLUMNS, all.iter().map(client_row))?,
            ExportFormat::Json => write_json(&all)?,
        };
        let filters = filters_json(&[
            ("status", filter.status.clone()),
            ("tag", filter.tag.map(|t| t.to_string())),
            ("owner", filter.owner.clone()),
            ("q", filter.q.clone()),
            ("archived", filter.archived.clone()),
            ("sort", filter.sort.clone()),
        ]);
        self.audit_export(
            Event::by(actor, "export.clients", "export", "clients")
                .changes(json!({"format": format.as_str(), "filters": filters, "rows": all.len()})),
        )
        .await?;
        Ok(Export {
            filename: list_filename(actor, "clients", format),
            content_type: format.content_type(),
            body,
            rows: all.len(),
        })
    }

    /// Every contact of the visible clients that matches the filter, by name, as CSV or JSON.
    /// A `client` filter naming a client the actor cannot see is not found. Audited as
    /// `export.contacts`.
    pub async fn export_contacts(
        &self,
        actor: &Actor,
        filter: &ContactFilter,
        format: ExportFormat,
    ) -> Result<Export> {
        actor.require(Action::Export, Resource::Contact)?;
        if let Some(id) = filter.client {
            self.visible_client(self.store.reader(), actor, id).await?;
        }
        let mut contacts = Vec::new();
        let mut page = PageRequest {
            limit: Some(MAX_LIMIT),
            cursor: None,
        };
        loop {
            let p = self.list_all_contacts(actor, filter, &page).await?;
            contacts.extend(p.items);
            match p.next_cursor {
                Some(c) => page.cursor = Some(c),
                None => break,
            }
        }
        let ids: Vec<uuid::Uuid> = contacts.iter().map(|c| c.client_id).collect();
        let names = self.visible_client_names(actor, &ids).await?;
        let rows: Vec<ContactExportRow> = contacts
            .into_iter()
            .filter_map(|c| {
                // A client restricted between the two reads drops out rather than leaking.
                let client_name = names.get(&c.client_id)?.clone();
                Some(ContactExportRow {
                    contact: c,
                    client_name,
                })
            })
            .collect();
        let body = match format {
            ExportFormat::Csv => write_csv(CONTACT_COLUMNS, rows.iter().map(contact_row))?,
            ExportFormat::Json => write_json(&rows)?,
        };
        let filters = filters_json(&[
            ("client", filter.client.map(|c| c.to_string())),
            ("q", filter.q.clone()),
            ("archived", filter.archived.clone()),
        ]);
        let mut event = Event::by(actor, "export.contacts", "export", "contacts")
            .changes(json!({"format": format.as_str(), "filters": filters, "rows": rows.len()}));
        if let Some(c) = filter.client {
            event = event.client(c);
        }
        self.audit_export(event).await?;
        Ok(Export {
            filename: list_filename(actor, "contacts", format),
            content_type: format.content_type(),
            body,
            rows: rows.len(),
        })
    }

    /// The vCard 4.0 of one contact. Audited as `export.vcard`.
    pub async fn contact_vcard(&self, actor: &Actor, contact_id: uuid::Uuid) -> Result<Export> {
        actor.require(Action::Export, Resource::Contact)?;
        let c = self.get_contact(actor, contact_id).await?;
        let client = self
            .visible_client(self.store.reader(), actor, c.client_id)
            .await?;
        let body = vcard::contact_card(&c, &client.name);
        self.audit_export(
            Event::by(actor, "export.vcard", crate::contacts::RECORD_TYPE, c.id)
                .client(client.id)
                .changes(json!({"format": "vcard", "rows": 1})),
        )
        .await?;
        Ok(Export {
            filename: format!("{}.vcf", file_slug(&c.name, "contact")),
            content_type: "text/vcard; charset=utf-8",
            body: body.into_bytes(),
            rows: 1,
        })
    }

    /// The vCards of a client's contacts (not archived), primary first, in one file.
    /// Audited as `export.vcard`.
    pub async fn client_contacts_vcard(
        &self,
        actor: &Actor,
        client_id: uuid::Uuid,
    ) -> Result<Export> {
        actor.require(Action::Export, Resource::Contact)?;
        let client = self.get_client(actor, client_id).await?;
        let contacts = self.list_contacts(actor, client.id, false).await?;
        let body: String = contacts
            .iter()
            .map(|c| vcard::contact_card(c, &client.name))
            .collect();
        self.audit_export(
            Event::by(
                actor,
                "export.vcard",
                crate::clients::RECORD_TYPE,
                client.id,
            )
            .client(client.id)
            .changes(json!({"format": "vcard", "rows": contacts.len()})),
        )
        .await?;
        Ok(Export {
            filename: format!("{}-contacts.vcf", file_slug(&client.name, "client")),
            content_type: "text/vcard; charset=utf-8",
            body: body.into_bytes(),
            rows: contacts.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_a_formula_are_neutralised() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise_cell(bad), format!("'{bad}"));
        }
        for fine in ["Acme", "", "a=b", " =x", "'quoted", "ümlaut"] {
            assert_eq!(neutralise_cell(fine), fine);
        }
    }

    #[test]
    fn csv_quotes_and_neutralises() {
        let body = write_csv(
            &["name", "note"],
            vec![vec!["=1+1".to_string(), "a, \"b\"\nc".to_string()]].into_iter(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "name,note\r\n'=1+1,\"a, \"\"b\"\"\nc\"\r\n"
        );
    }

    #[test]
    fn file_names_are_safe_ascii() {
        assert_eq!(file_slug("Zoë & Co. (UK)", "x"), "zo-co-uk");
        assert_eq!(file_slug("\"; rm -rf", "x"), "rm-rf");
        assert_eq!(file_slug("日本", "contact"), "contact");
    }

    #[test]
    fn formats_parse_and_name_the_field() {
        assert_eq!(
            ExportFormat::parse("format", "CSV").unwrap(),
            ExportFormat::Csv
        );
        assert_eq!(
            ExportFormat::parse("format", "json").unwrap(),
            ExportFormat::Json
        );
        match ExportFormat::parse("format", "xlsx") {
            Err(DomainError::Invalid(e)) => assert_eq!(e[0].field, "format"),
            other => panic!("{other:?}"),
        }
    }
}
