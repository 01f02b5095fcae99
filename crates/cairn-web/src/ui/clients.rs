//! The client pages: list (filters, saved views, inline edit, exports), card, forms, history,
//! contacts and tags. Each view parses its form, calls one core function and renders.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use cairn_core::activity::ActivityView;
use cairn_core::clients::{ClientChanges, ClientFilter, ClientView};
use cairn_core::contacts::{ContactChanges, ContactFilter, ContactView};
use cairn_core::exports::{Export, ExportFormat};
use cairn_core::interactions::{InteractionView, NewInteraction};
use cairn_core::page::PageRequest;
use cairn_core::tags::TagView;
use cairn_core::views::SavedView;
use cairn_domain::crm::{AiMaturity, ClientStatus, CompanySize, InteractionKind};
use cairn_domain::{Action, DomainError, FieldError, Resource};
use serde::Deserialize;

use super::vocab::Label;
use super::{FormErrors, Shell, Ui, error_page, markdown, redirect_notice, render};
use super::{HistoryOf, HistoryQuery, Notice, RevertForm, after_revert, history_page};
use crate::AppState;

/// Membership tests the templates need (askama templates cannot take closures).
trait Contains {
    /// Whether the list holds the record with this id.
    fn has_id(&self, id: &uuid::Uuid) -> bool;
    /// Whether the list holds this string.
    fn has_str(&self, s: &str) -> bool;
}

impl Contains for Vec<cairn_core::tags::TagRef> {
    fn has_id(&self, id: &uuid::Uuid) -> bool {
        self.iter().any(|t| t.id == *id)
    }
    fn has_str(&self, s: &str) -> bool {
        self.iter().any(|t| t.id.to_string() == s)
    }
}

impl Contains for Vec<String> {
    fn has_id(&self, id: &uuid::Uuid) -> bool {
        self.iter().any(|t| *t == id.to_string())
    }
    fn has_str(&self, s: &str) -> bool {
        self.iter().any(|t| t == s)
    }
}

fn words<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

fn statuses() -> Vec<&'static str> {
    words(ClientStatus::ALL, ClientStatus::as_str)
}

fn parse_uuid(field: &str, raw: &str) -> Result<Option<uuid::Uuid>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        t => uuid::Uuid::parse_str(t)
            .map(Some)
            .map_err(|_| FieldError::new(field, "is not a valid choice")),
    }
}

fn blank_to_none(raw: &str) -> Option<Option<String>> {
    Some(Some(raw.trim().to_string()).filter(|t| !t.is_empty()))
}

/// (user id, name) of the workspace's members, for owner and access pickers.
async fn member_choices(state: &AppState, ui: &Ui) -> Vec<(String, String)> {
    state
        .cairn
        .list_members(
            ui.actor(),
            &Default::default(),
            &PageRequest {
                limit: Some(200),
                cursor: None,
            },
        )
        .await
        .map(|p| {
            p.items
                .into_iter()
                .filter(|m| !m.disabled)
                .map(|m| (m.user_id.to_string(), m.name))
                .collect()
        })
        .unwrap_or_default()
}

fn can_edit(ui: &Ui) -> bool {
    ui.actor().can(Action::Update, Resource::Client)
}

/// Filters of the client list, kept as strings so any input renders back.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ClientsQuery {
    q: String,
    status: String,
    tag: String,
    owner: String,
    archived: String,
    sort: String,
    cursor: String,
}

impl ClientsQuery {
    fn filter(&self) -> Result<ClientFilter, DomainError> {
        let some = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
        let tag = parse_uuid("tag", &self.tag).map_err(|e| DomainError::Invalid(vec![e]))?;
        Ok(ClientFilter {
            status: some(&self.status),
            tag,
            owner: some(&self.owner),
            q: some(&self.q),
            archived: some(&self.archived),
            sort: some(&self.sort),
        })
    }

    /// The query string without the cursor: the list's identity for exports and saved views.
    fn query_string(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("status", &self.status),
            ("tag", &self.tag),
            ("owner", &self.owner),
            ("archived", &self.archived),
            ("sort", &self.sort),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", super::url_encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }
}

#[derive(Template)]
#[template(path = "clients.html")]
struct ClientsPage {
    shell: Shell,
    f: ClientsQuery,
    query: String,
    clients: Vec<ClientView>,
    next_cursor: Option<String>,
    statuses: Vec<&'static str>,
    tags: Vec<TagView>,
    members: Vec<(String, String)>,
    views: Vec<SavedView>,
    can_edit: bool,
    /// Whether the workspace has tags, so that rows offer to edit theirs.
    has_tags: bool,
}

/// The client list.
pub async fn view_clients_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<ClientsQuery>,
    Query(n): Query<super::Notice>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let page = state
            .cairn
            .list_clients(
                ui.actor(),
                &filter,
                &PageRequest {
                    limit: Some(50),
                    cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
                },
            )
            .await?;
        let tags = state.cairn.list_tags(ui.actor()).await?;
        let views = state.cairn.list_views(ui.actor(), "clients").await?;
        Ok::<_, DomainError>((page, tags, views))
    }
    .await;
    match result {
        Ok((page, tags, views)) => {
            let mut shell = ui.shell("Clients", "clients");
            shell.flash = n.notice.map(|m| (true, m));
            let page = ClientsPage {
                query: q.query_string(),
                f: q,
                clients: page.items,
                next_cursor: page.next_cursor,
                statuses: statuses(),
                has_tags: !tags.is_empty(),
                tags,
                members: member_choices(&state, &ui).await,
                views,
                can_edit: can_edit(&ui),
                shell,
            };
            render(&page)
        }
        Err(e) => error_page(e),
    }
}

/// The client form, as submitted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ClientForm {
    version: Option<i64>,
    name: String,
    status: String,
    account_owner_id: String,
    industry: String,
    company_size: String,
    ai_maturity: String,
    timezone: String,
    website: String,
    email: String,
    phone: String,
    address: String,
    notes: String,
    tags: Vec<String>,
}

impl ClientForm {
    fn from_view(c: &ClientView) -> Self {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        Self {
            version: Some(c.version),
            name: c.name.clone(),
            status: c.status.clone(),
            account_owner_id: c
                .account_owner
                .as_ref()
                .map(|o| o.id.to_string())
                .unwrap_or_default(),
            industry: s(&c.industry),
            company_size: s(&c.company_size),
            ai_maturity: s(&c.ai_maturity),
            timezone: s(&c.timezone),
            website: s(&c.website),
            email: s(&c.email),
            phone: s(&c.phone),
            address: s(&c.address),
            notes: c.notes.clone(),
            tags: c.tags.iter().map(|t| t.id.to_string()).collect(),
        }
    }

    fn changes(&self) -> Result<ClientChanges, DomainError> {
        let mut errors = Vec::new();
        let owner = parse_uuid("account_owner_id", &self.account_owner_id)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let tags: Vec<uuid::Uuid> = self
            .tags
            .iter()
            .filter_map(|t| {
                parse_uuid("tags", t)
                    .map_err(|e| errors.push(e))
                    .ok()
                    .flatten()
            })
            .collect();
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(ClientChanges {
            name: Some(self.name.clone()),
            status: Some(self.status.clone()).filter(|s| !s.is_empty()),
            industry: blank_to_none(&self.industry),
            company_size: blank_to_none(&self.company_size),
            timezone: blank_to_none(&self.timezone),
            ai_maturity: blank_to_none(&self.ai_maturity),
            website: blank_to_none(&self.website),
            email: blank_to_none(&self.email),
            phone: blank_to_none(&self.phone),
            address: blank_to_none(&self.address),
            notes: Some(self.notes.clone()),
            account_owner_id: Some(owner),
            tags: Some(tags),
            ..Default::default()
        })
    }
}

#[derive(Template)]
#[template(path = "client_form.html")]
struct ClientFormPage {
    shell: Shell,
    action: String,
    client: Option<ClientView>,
    v: ClientForm,
    errors: FormErrors,
    statuses: Vec<&'static str>,
    sizes: Vec<&'static str>,
    maturities: Vec<&'static str>,
    members: Vec<(String, String)>,
    tags: Vec<TagView>,
}

async fn form_page(
    state: &AppState,
    ui: &Ui,
    client: Option<ClientView>,
    v: ClientForm,
    errors: FormErrors,
) -> Response {
    let tags = match state.cairn.list_tags(ui.actor()).await {
        Ok(t) => t,
        Err(e) => return error_page(e),
    };
    let (title, action) = match &client {
        Some(c) => (
            format!("Edit {}", c.name),
            format!("/clients/{}/edit", c.id),
        ),
        None => ("New client".to_string(), "/clients".to_string()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = ClientFormPage {
        shell: ui.shell(title, "clients"),
        action,
        client,
        v,
        errors,
        statuses: statuses(),
        sizes: words(CompanySize::ALL, CompanySize::as_str),
        maturities: words(AiMaturity::ALL, AiMaturity::as_str),
        members: member_choices(state, ui).await,
        tags,
    };
    (status, render(&page)).into_response()
}

/// The new-client form.
pub async fn view_client_new_get(State(state): State<AppState>, ui: Ui) -> Response {
    if let Err(e) = state.cairn.may_create_client(ui.actor()) {
        return error_page(e);
    }
    let v = ClientForm {
        status: "lead".into(),
        account_owner_id: ui.actor().user_id.to_string(),
        ..Default::default()
    };
    form_page(&state, &ui, None, v, FormErrors::default()).await
}

/// Creates a client.
pub async fn view_clients_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<ClientForm>,
) -> Response {
    let result = match f.changes() {
        Ok(ch) => state.cairn.create_client(ui.actor(), ch).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Redirect::to(&format!("/clients/{}", c.id)).into_response(),
        Err(DomainError::Invalid(list)) => form_page(&state, &ui, None, f, list.into()).await,
        Err(e) => error_page(e),
    }
}

fn parse_path(id: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(id).ok()
}

#[derive(Template)]
#[template(path = "client.html")]
struct ClientPage<'a> {
    shell: Shell,
    c: &'a ClientView,
    notes_html: String,
    contacts: &'a [ContactView],
    interactions: &'a [InteractionView],
    activity: &'a [ActivityView],
    members: Vec<(String, String)>,
    access: Vec<String>,
    kinds: Vec<&'static str>,
    can_edit: bool,
    can_log: bool,
    errors: FormErrors,
    projects: &'a [cairn_core::delivery::projects::ProjectView],
    can_create_project: bool,
}

async fn card(state: &AppState, ui: &Ui, id: uuid::Uuid, errors: FormErrors) -> Response {
    let a = ui.actor();
    let loaded = async {
        let seen = state.cairn.see_client(a, id).await?;
        state.cairn.client_overview(a, &seen).await
    }
    .await;
    match loaded {
        Ok(card) => {
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            let c = &card.client;
            let page = ClientPage {
                shell: ui.shell(c.name.clone(), "clients"),
                notes_html: markdown::render(&c.notes),
                c,
                contacts: &card.contacts,
                interactions: &card.interactions,
                activity: &card.activity,
                members: member_choices(state, ui).await,
                access: card.access.iter().map(|u| u.id.to_string()).collect(),
                kinds: words(InteractionKind::ALL, InteractionKind::as_str),
                can_edit: can_edit(ui),
                can_log: a.can(Action::Create, Resource::Interaction),
                errors,
                projects: &card.projects,
                can_create_project: a.can(Action::Create, Resource::Project),
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}

/// The client card.
pub async fn view_client_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    card(&state, &ui, id, FormErrors::default()).await
}

/// The edit form.
pub async fn view_client_edit_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state.cairn.client_for_edit(ui.actor(), id).await {
        Ok(c) => {
            let v = ClientForm::from_view(&c);
            form_page(&state, &ui, Some(c), v, FormErrors::default()).await
        }
        Err(e) => error_page(e),
    }
}

/// Saves the edit form (with the version the user saw).
pub async fn view_client_edit_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<ClientForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    let result = match f.changes() {
        Ok(ch) => {
            state
                .cairn
                .update_client(ui.actor(), id, ch, f.version)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => redirect_notice(&format!("/clients/{}", c.id), "Client saved."),
        Err(DomainError::Invalid(list)) => match state.cairn.get_client(ui.actor(), id).await {
            Ok(c) => form_page(&state, &ui, Some(c), f, list.into()).await,
            Err(e) => error_page(e),
        },
        Err(e) => error_page(e),
    }
}

/// One inline edit from the list: status, owner or tags.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InlineForm {
    version: Option<i64>,
    field: String,
    status: String,
    owner: String,
    tags: Vec<String>,
}

#[derive(Template)]
#[template(path = "client_row.html")]
struct ClientRow {
    shell: Shell,
    c: ClientView,
    can_edit: bool,
    has_tags: bool,
}

/// Saves one field from the list; htmx swaps the row, plain forms come back to the list.
pub async fn view_client_inline_post(
    State(state): State<AppState>,
    ui: Ui,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<InlineForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    // A client the user cannot see is "not found" whatever the form says.
    if let Err(e) = state.cairn.get_client(ui.actor(), id).await {
        return error_page(e);
    }
    let changes = match f.field.as_str() {
        "status" => Ok(ClientChanges {
            status: Some(f.status.clone()),
            ..Default::default()
        }),
        "owner" => parse_uuid("owner", &f.owner)
            .map(|o| ClientChanges {
                account_owner_id: Some(o),
                ..Default::default()
            })
            .map_err(|e| DomainError::Invalid(vec![e])),
        "tags" => f
            .tags
            .iter()
            .map(|t| parse_uuid("tags", t).map(|o| o.unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()
            .map(|tags| ClientChanges {
                tags: Some(tags),
                ..Default::default()
            })
            .map_err(|e| DomainError::Invalid(vec![e])),
        _ => Err(DomainError::invalid(
            "field",
            "must be status, owner or tags",
        )),
    };
    let result = match changes {
        Ok(ch) => {
            state
                .cairn
                .update_client(ui.actor(), id, ch, f.version)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(c) if headers.contains_key("hx-request") => {
            // The row's pickers take their options from the list page around it.
            let tags = state.cairn.list_tags(ui.actor()).await.unwrap_or_default();
            render(&ClientRow {
                shell: ui.shell("Clients", "clients"),
                c,
                can_edit: true,
                has_tags: !tags.is_empty(),
            })
        }
        Ok(_) => Redirect::to("/clients").into_response(),
        Err(e) => error_page(e),
    }
}

/// A form carrying only the version the user saw.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VersionForm {
    version: Option<i64>,
}

/// Archives a client.
pub async fn view_client_archive_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    archive(&state, &ui, &id, true, f.version).await
}

/// Restores a client.
pub async fn view_client_restore_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    archive(&state, &ui, &id, false, f.version).await
}

async fn archive(
    state: &AppState,
    ui: &Ui,
    id: &str,
    archived: bool,
    version: Option<i64>,
) -> Response {
    let Some(id) = parse_path(id) else {
        return super::not_found_page();
    };
    match state
        .cairn
        .set_client_archived(ui.actor(), id, archived, version)
        .await
    {
        Ok(c) => redirect_notice(
            &format!("/clients/{}", c.id),
            if archived {
                "Client archived."
            } else {
                "Client restored."
            },
        ),
        Err(e) => error_page(e),
    }
}

/// The typed-name confirmation of a permanent delete.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    confirm_name: String,
}

/// Deletes a client permanently (owners and admins).
pub async fn view_client_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<DeleteForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state
        .cairn
        .delete_client(ui.actor(), id, &f.confirm_name)
        .await
    {
        Ok(()) => redirect_notice("/clients", "Client deleted permanently."),
        Err(DomainError::Invalid(list)) => card(&state, &ui, id, list.into()).await,
        Err(e) => error_page(e),
    }
}

/// The access form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccessForm {
    version: Option<i64>,
    visibility: String,
    users: Vec<String>,
}

/// Sets who may see a client (owners and admins).
pub async fn view_client_access_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<AccessForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    let users: Vec<uuid::Uuid> = f
        .users
        .iter()
        .filter_map(|u| uuid::Uuid::parse_str(u).ok())
        .collect();
    match state
        .cairn
        .set_client_access(ui.actor(), id, &f.visibility, users, f.version)
        .await
    {
        Ok(c) => redirect_notice(&format!("/clients/{}", c.id), "Access saved."),
        Err(e) => error_page(e),
    }
}

/// The contact form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    version: Option<i64>,
    name: String,
    title: String,
    email: String,
    phone: String,
    notes: String,
    is_primary: Option<String>,
}

impl ContactForm {
    fn changes(&self) -> ContactChanges {
        ContactChanges {
            name: Some(self.name.clone()),
            title: blank_to_none(&self.title),
            email: blank_to_none(&self.email),
            phone: blank_to_none(&self.phone),
            notes: Some(self.notes.clone()),
            is_primary: Some(self.is_primary.is_some()),
        }
    }
}

/// Adds a contact from the card.
pub async fn view_client_contacts_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<ContactForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state
        .cairn
        .create_contact(ui.actor(), id, f.changes())
        .await
    {
        Ok(_) => redirect_notice(&format!("/clients/{id}"), "Contact added."),
        Err(DomainError::Invalid(list)) => card(&state, &ui, id, list.into()).await,
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct ContactPage {
    shell: Shell,
    p: ContactView,
    v: ContactForm,
    errors: FormErrors,
}

/// Edits a contact.
pub async fn view_contact_edit_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state.cairn.get_contact(ui.actor(), id).await {
        Ok(p) => {
            let s = |o: &Option<String>| o.clone().unwrap_or_default();
            let v = ContactForm {
                version: Some(p.version),
                name: p.name.clone(),
                title: s(&p.title),
                email: s(&p.email),
                phone: s(&p.phone),
                notes: p.notes.clone(),
                is_primary: p.is_primary.then(|| "true".into()),
            };
            render(&ContactPage {
                shell: ui.shell(format!("Edit {}", p.name), "clients"),
                p,
                v,
                errors: FormErrors::default(),
            })
        }
        Err(e) => error_page(e),
    }
}

/// Saves a contact.
pub async fn view_contact_edit_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<ContactForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state
        .cairn
        .update_contact(ui.actor(), id, f.changes(), f.version)
        .await
    {
        Ok(p) => redirect_notice(&format!("/clients/{}", p.client_id), "Contact saved."),
        Err(DomainError::Invalid(list)) => match state.cairn.get_contact(ui.actor(), id).await {
            Ok(p) => (
                StatusCode::BAD_REQUEST,
                render(&ContactPage {
                    shell: ui.shell(format!("Edit {}", p.name), "clients"),
                    p,
                    v: f,
                    errors: list.into(),
                }),
            )
                .into_response(),
            Err(e) => error_page(e),
        },
        Err(e) => error_page(e),
    }
}

/// Archives a contact.
pub async fn view_contact_archive_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    contact_archive(&state, &ui, &id, true, f.version).await
}

/// Restores a contact.
pub async fn view_contact_restore_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    contact_archive(&state, &ui, &id, false, f.version).await
}

async fn contact_archive(
    state: &AppState,
    ui: &Ui,
    id: &str,
    archived: bool,
    version: Option<i64>,
) -> Response {
    let Some(id) = parse_path(id) else {
        return super::not_found_page();
    };
    match state
        .cairn
        .set_contact_archived(ui.actor(), id, archived, version)
        .await
    {
        Ok(p) => redirect_notice(
            &format!("/clients/{}", p.client_id),
            if archived {
                "Contact archived."
            } else {
                "Contact restored."
            },
        ),
        Err(e) => error_page(e),
    }
}

/// The interaction form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InteractionForm {
    kind: String,
    body: String,
    occurred_at: String,
    contact_id: String,
}

/// Logs an interaction from the card.
pub async fn view_client_interactions_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<InteractionForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    let mut errors = Vec::new();
    let occurred_at = match f.occurred_at.trim() {
        "" => None,
        t => chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
            .map(|n| Some(n.and_utc()))
            .unwrap_or_else(|_| {
                errors.push(FieldError::new("occurred_at", "must be a date and time"));
                None
            }),
    };
    let contact_id = parse_uuid("contact_id", &f.contact_id)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let result = if errors.is_empty() {
        state
            .cairn
            .create_interaction(
                ui.actor(),
                id,
                NewInteraction {
                    kind: f.kind,
                    body: f.body,
                    occurred_at,
                    contact_id,
                    corrects_id: None,
                },
            )
            .await
    } else {
        Err(DomainError::Invalid(errors))
    };
    match result {
        Ok(_) => redirect_notice(&format!("/clients/{id}"), "Interaction logged."),
        Err(DomainError::Invalid(list)) => card(&state, &ui, id, list.into()).await,
        Err(e) => error_page(e),
    }
}

/// Version history with a field-level diff.
pub async fn view_client_history_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(q): Query<HistoryQuery>,
    Query(n): Query<Notice>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    let a = ui.actor();
    let loaded = async {
        let c = state.cairn.get_client(a, id).await?;
        let versions = state.cairn.client_versions(a, id).await?;
        Ok::<_, DomainError>(HistoryOf {
            title: c.name,
            base: format!("/clients/{}", c.id),
            back_label: "Back to client",
            section: "clients",
            current: c.version,
            versions,
            can_edit: can_edit(&ui),
        })
    }
    .await;
    match loaded {
        Ok(h) => history_page(&ui, &q, n, h),
        Err(e) => error_page(e),
    }
}

/// Reverts a client to a version.
pub async fn view_client_revert_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<RevertForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    let result = state
        .cairn
        .revert_client(ui.actor(), id, f.to, f.version)
        .await
        .map(|c| c.version);
    after_revert(&format!("/clients/{id}"), f.to, result)
}

#[derive(Template)]
#[template(path = "tags.html")]
struct TagsPage {
    shell: Shell,
    tags: Vec<TagView>,
    errors: FormErrors,
}

async fn tags_page(
    state: &AppState,
    ui: &Ui,
    errors: FormErrors,
    notice: Option<String>,
) -> Response {
    match state.cairn.list_tags(ui.actor()).await {
        Ok(tags) => {
            let mut shell = ui.shell("Tags", "tags");
            shell.flash = notice.map(|m| (true, m));
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            (
                status,
                render(&TagsPage {
                    shell,
                    tags,
                    errors,
                }),
            )
                .into_response()
        }
        Err(e) => error_page(e),
    }
}

/// The workspace tag list.
pub async fn view_tags_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(n): Query<super::Notice>,
) -> Response {
    tags_page(&state, &ui, FormErrors::default(), n.notice).await
}

/// A tag form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TagForm {
    version: Option<i64>,
    name: String,
    colour: String,
}

/// Adds a tag.
pub async fn view_tags_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<TagForm>,
) -> Response {
    match state
        .cairn
        .create_tag(
            ui.actor(),
            &f.name,
            Some(&f.colour)
                .filter(|c| !c.is_empty())
                .map(String::as_str),
        )
        .await
    {
        Ok(_) => redirect_notice("/tags", "Tag added."),
        Err(DomainError::Invalid(list)) => tags_page(&state, &ui, list.into(), None).await,
        Err(e) => error_page(e),
    }
}

/// Renames or recolours a tag.
pub async fn view_tag_edit_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<TagForm>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state
        .cairn
        .update_tag(
            ui.actor(),
            id,
            Some(&f.name),
            Some(&f.colour)
                .filter(|c| !c.is_empty())
                .map(String::as_str),
            f.version,
        )
        .await
    {
        Ok(_) => redirect_notice("/tags", "Tag saved."),
        Err(DomainError::Invalid(list)) => tags_page(&state, &ui, list.into(), None).await,
        Err(e) => error_page(e),
    }
}

/// Deletes a tag.
pub async fn view_tag_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state.cairn.delete_tag(ui.actor(), id).await {
        Ok(()) => redirect_notice("/tags", "Tag deleted."),
        Err(e) => error_page(e),
    }
}

/// The save-view form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ViewForm {
    list: String,
    name: String,
    query: String,
}

/// Saves the current list filter as a named view.
pub async fn view_views_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<ViewForm>,
) -> Response {
    match state
        .cairn
        .save_view(ui.actor(), &f.list, &f.name, &f.query)
        .await
    {
        Ok(v) => Redirect::to(&format!("/clients?{}", v.query)).into_response(),
        Err(e) => error_page(e),
    }
}

/// Deletes a saved view.
pub async fn view_view_delete_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state.cairn.delete_view(ui.actor(), id).await {
        Ok(()) => redirect_notice("/clients", "View deleted."),
        Err(e) => error_page(e),
    }
}

fn download(e: Export) -> Response {
    let mut res = (StatusCode::OK, e.body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(e.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", e.filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

async fn export_clients(
    state: &AppState,
    ui: &Ui,
    q: &ClientsQuery,
    format: ExportFormat,
) -> Response {
    let result = match q.filter() {
        Ok(f) => state.cairn.export_clients(ui.actor(), &f, format).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => download(e),
        Err(e) => error_page(e),
    }
}

/// Downloads the filtered client list as CSV.
pub async fn view_clients_csv_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<ClientsQuery>,
) -> Response {
    export_clients(&state, &ui, &q, ExportFormat::Csv).await
}

/// Downloads the filtered client list as JSON.
pub async fn view_clients_json_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<ClientsQuery>,
) -> Response {
    export_clients(&state, &ui, &q, ExportFormat::Json).await
}

/// Downloads all contacts of a client as vCards.
pub async fn view_client_vcards_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state.cairn.client_contacts_vcard(ui.actor(), id).await {
        Ok(e) => download(e),
        Err(e) => error_page(e),
    }
}

/// Downloads one contact as a vCard.
pub async fn view_contact_vcard_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_path(&id) else {
        return super::not_found_page();
    };
    match state.cairn.contact_vcard(ui.actor(), id).await {
        Ok(e) => download(e),
        Err(e) => error_page(e),
    }
}

/// Downloads every contact the user may see as CSV.
pub async fn view_contacts_csv_get(State(state): State<AppState>, ui: Ui) -> Response {
    match state
        .cairn
        .export_contacts(ui.actor(), &ContactFilter::default(), ExportFormat::Csv)
        .await
    {
        Ok(e) => download(e),
        Err(e) => error_page(e),
    }
}
