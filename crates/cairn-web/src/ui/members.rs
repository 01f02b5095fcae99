//! The members pages: list with filters, add (invite or temporary password), manage one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_core::members::{
    MemberFilter, MemberPatch, MemberView, NewMember, Onboarding, PendingInvite,
};
use cairn_core::page::PageRequest;
use cairn_domain::DomainError;
use serde::Deserialize;

use super::{FormErrors, Shell, Ui, error_page, redirect_notice, render};
use crate::AppState;

const ROLES: &[&str] = &["owner", "admin", "member", "viewer"];

/// Filters of the members page (all strings so any input renders back).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MembersQuery {
    q: String,
    role: String,
    status: String,
    sort: String,
    cursor: String,
    notice: Option<String>,
}

/// The add-member form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    email: String,
    name: String,
    role: String,
    method: String,
}

impl AddForm {
    /// An empty form: new people join as members by invite unless the admin chooses otherwise.
    fn blank() -> Self {
        Self {
            role: "member".into(),
            method: "invite".into(),
            ..Default::default()
        }
    }
}

/// What was just added, with the secret shown once.
pub struct Added {
    email: String,
    invite_url: Option<String>,
    temporary_password: Option<String>,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    shell: Shell,
    filter: MembersQuery,
    members: Vec<MemberView>,
    next_cursor: Option<String>,
    roles: &'static [&'static str],
    errors: FormErrors,
    form: AddForm,
    added: Option<Added>,
    invites: Vec<PendingInvite>,
}

fn some(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

async fn members_page(
    state: &AppState,
    ui: &Ui,
    q: MembersQuery,
    errors: FormErrors,
    form: AddForm,
    added: Option<Added>,
) -> Result<MembersPage, DomainError> {
    let filter = MemberFilter {
        q: some(&q.q),
        role: some(&q.role),
        status: some(&q.status),
        sort: some(&q.sort),
    };
    let page = state
        .cairn
        .list_members(
            ui.actor(),
            &filter,
            &PageRequest {
                limit: Some(100),
                cursor: some(&q.cursor),
            },
        )
        .await?;
    let invites = if ui.actor().role.is_admin_or_owner() {
        state.cairn.list_invites(ui.actor()).await?
    } else {
        vec![]
    };
    let mut shell = ui.shell("Members", "members");
    shell.flash = q.notice.clone().map(|n| (true, n));
    Ok(MembersPage {
        shell,
        filter: q,
        members: page.items,
        next_cursor: page.next_cursor,
        roles: ROLES,
        errors,
        form,
        added,
        invites,
    })
}

/// The members list.
pub async fn view_members_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<MembersQuery>,
) -> Response {
    match members_page(
        &state,
        &ui,
        q,
        FormErrors::default(),
        AddForm::blank(),
        None,
    )
    .await
    {
        Ok(p) => render(&p),
        Err(e) => error_page(e),
    }
}

/// Adds a member; shows the invite link or temporary password once.
pub async fn view_members_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<AddForm>,
) -> Response {
    let onboarding = if f.method == "password" {
        Onboarding::TemporaryPassword(None)
    } else {
        Onboarding::Invite
    };
    let input = NewMember {
        email: f.email.clone(),
        name: f.name.clone(),
        role: f.role.clone(),
        onboarding,
    };
    let (status, errors, form, added) = match state.cairn.add_member(ui.actor(), input).await {
        Ok(a) => {
            let invite_url = a.invite_token.map(|t| {
                format!(
                    "{}/invite/{t}",
                    state.config.public_url.trim_end_matches('/')
                )
            });
            (
                StatusCode::CREATED,
                FormErrors::default(),
                AddForm::blank(),
                Some(Added {
                    email: f.email,
                    invite_url,
                    temporary_password: a.temporary_password,
                }),
            )
        }
        Err(DomainError::Invalid(list)) => (StatusCode::BAD_REQUEST, list.into(), f, None),
        Err(e) => return error_page(e),
    };
    match members_page(&state, &ui, MembersQuery::default(), errors, form, added).await {
        Ok(p) => (status, render(&p)).into_response(),
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    shell: Shell,
    m: MemberView,
    roles: &'static [&'static str],
}

fn parse(id: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(id).ok()
}

/// One member.
pub async fn view_member_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse(&id) else {
        return super::not_found_page();
    };
    match state.cairn.get_member(ui.actor(), id).await {
        Ok(m) => render(&MemberPage {
            shell: ui.shell(m.name.clone(), "members"),
            m,
            roles: ROLES,
        }),
        Err(e) => error_page(e),
    }
}

/// A change form carrying the version the user saw.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangeForm {
    version: Option<i64>,
    role: String,
}

async fn apply(
    state: &AppState,
    ui: &Ui,
    id: &str,
    patch: MemberPatch,
    version: Option<i64>,
    done: &str,
) -> Response {
    let Some(id) = parse(id) else {
        return super::not_found_page();
    };
    match state
        .cairn
        .update_member(ui.actor(), id, patch, version)
        .await
    {
        Ok(_) => redirect_notice(&format!("/members/{id}"), done),
        Err(e) => error_page(e),
    }
}

/// Changes a member's role.
pub async fn view_member_role_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    apply(
        &state,
        &ui,
        &id,
        MemberPatch {
            role: Some(f.role),
            disabled: None,
        },
        f.version,
        "Role changed.",
    )
    .await
}

/// Disables a member (ends their sessions and tokens).
pub async fn view_member_disable_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    apply(
        &state,
        &ui,
        &id,
        MemberPatch {
            role: None,
            disabled: Some(true),
        },
        f.version,
        "Member disabled; their sessions and tokens ended.",
    )
    .await
}

/// Re-enables a member.
pub async fn view_member_enable_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    apply(
        &state,
        &ui,
        &id,
        MemberPatch {
            role: None,
            disabled: Some(false),
        },
        f.version,
        "Member enabled.",
    )
    .await
}

/// Removes a member from the workspace.
pub async fn view_member_remove_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    let Some(id) = parse(&id) else {
        return super::not_found_page();
    };
    match state.cairn.remove_member(ui.actor(), id, f.version).await {
        Ok(()) => redirect_notice("/members", "Member removed."),
        Err(e) => error_page(e),
    }
}

/// Withdraws a pending invite.
pub async fn view_invite_revoke_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse(&id) else {
        return super::not_found_page();
    };
    match state.cairn.revoke_invite(ui.actor(), id).await {
        Ok(()) => redirect_notice("/members", "Invite withdrawn."),
        Err(e) => error_page(e),
    }
}
