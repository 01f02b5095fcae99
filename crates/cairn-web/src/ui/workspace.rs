//! Workspace pages: dashboard, switcher, workspace settings, activity log, platform admin.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use cairn_core::accounts::NewOwner;
use cairn_core::activity::{ActivityFilter, ActivityView};
use cairn_core::page::PageRequest;
use cairn_core::platform::{PlatformUser, PlatformWorkspace};
use cairn_core::workspaces::{Settings, WorkspacePatch, WorkspaceView};
use cairn_domain::{Action, DomainError, Resource};
use chrono::Timelike;
use serde::Deserialize;

use super::{
    AnySession, FormErrors, Notice, Shell, Ui, error_page, redirect_notice, render, session_cookie,
};
use crate::AppState;
use crate::extract::Meta;
use cairn_core::delivery::tasks::TaskView;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    greeting: &'static str,
    first_name: String,
    today: String,
    clients: u64,
    members: u64,
    invites_pending: u64,
    events_week: u64,
    /// Whether `events_week` counts only the reader's own entries (no activity log access).
    events_own: bool,
    my_sessions: u64,
    recent: Vec<ActivityView>,
    overdue: Vec<TaskView>,
    overdue_more: bool,
    due_today: Vec<TaskView>,
    due_today_more: bool,
    projects_at_risk: u64,
}

/// The dashboard: greeting, real figures, the user's overdue and today's tasks, recent
/// activity.
pub async fn view_dashboard_get(State(state): State<AppState>, ui: Ui) -> Response {
    let a = ui.actor();
    let d = match state.cairn.dashboard(a).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let tz: chrono_tz::Tz = a.timezone.parse().unwrap_or(chrono_tz::UTC);
    let local = chrono::Utc::now().with_timezone(&tz);
    let greeting = match local.hour() {
        5..=11 => "Good morning",
        12..=17 => "Good afternoon",
        _ => "Good evening",
    };
    let page = DashboardPage {
        shell: ui.shell("Dashboard", "dashboard"),
        greeting,
        first_name: a
            .name
            .split_whitespace()
            .next()
            .unwrap_or(&a.name)
            .to_string(),
        today: local.format("%A %-d %B %Y").to_string(),
        clients: d.clients,
        members: d.active_members,
        invites_pending: d.temporary_passwords,
        events_week: d.events_last_week,
        events_own: !a.can(Action::Read, Resource::ActivityLog),
        my_sessions: d.my_sessions,
        recent: d.recent,
        overdue: d.overdue,
        overdue_more: d.overdue_more,
        due_today: d.due_today,
        due_today_more: d.due_today_more,
        projects_at_risk: d.projects_at_risk,
    };
    render(&page)
}

/// The switcher form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SwitchForm {
    slug: String,
}

/// Switches the session to another workspace (new session id).
pub async fn view_switch_post(
    State(state): State<AppState>,
    jar: CookieJar,
    s: AnySession,
    Form(f): Form<SwitchForm>,
) -> Response {
    match state.cairn.switch_workspace(&s.ctx, &f.slug).await {
        Ok(session) => {
            (jar.add(session_cookie(&state, &session)), Redirect::to("/")).into_response()
        }
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "workspace_settings.html")]
struct WorkspacePage {
    shell: Shell,
    errors: FormErrors,
    ws: WorkspaceView,
    lead_days: String,
    working_days: String,
}

fn join(v: &[i64]) -> String {
    v.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Workspace name and settings (owners and admins).
pub async fn view_workspace_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(n): Query<Notice>,
) -> Response {
    match state.cairn.workspace_for_settings(ui.actor()).await {
        Ok(ws) => {
            let mut shell = ui.shell("Workspace settings", "workspace");
            shell.flash = n.notice.map(|m| (true, m));
            let (lead_days, working_days) = (
                join(&ws.settings.renewal_lead_days),
                join(&ws.settings.working_days),
            );
            render(&WorkspacePage {
                shell,
                errors: FormErrors::default(),
                ws,
                lead_days,
                working_days,
            })
        }
        Err(e) => error_page(e),
    }
}

/// The workspace settings form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WorkspaceForm {
    version: Option<i64>,
    name: String,
    renewal_lead_days: String,
    working_days: String,
    currency: String,
}

fn parse_list(field: &str, raw: &str) -> Result<Vec<i64>, cairn_domain::FieldError> {
    raw.split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim().parse::<i64>().map_err(|_| {
                cairn_domain::FieldError::new(field, "must be whole numbers separated by commas")
            })
        })
        .collect()
}

/// Saves the workspace settings.
pub async fn view_workspace_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<WorkspaceForm>,
) -> Response {
    let lead = parse_list("settings.renewal_lead_days", &f.renewal_lead_days);
    let days = parse_list("settings.working_days", &f.working_days);
    let result = match (lead, days) {
        (Ok(lead), Ok(days)) => {
            let settings = Settings {
                renewal_lead_days: lead,
                working_days: days,
                currency: f.currency.trim().to_uppercase(),
            };
            state
                .cairn
                .update_workspace(
                    ui.actor(),
                    WorkspacePatch {
                        name: Some(f.name.clone()),
                        settings: Some(settings),
                    },
                    f.version,
                )
                .await
        }
        (a, b) => Err(DomainError::Invalid(
            [a.err(), b.err()].into_iter().flatten().collect(),
        )),
    };
    match result {
        Ok(_) => redirect_notice("/settings/workspace", "Workspace settings saved."),
        Err(DomainError::Invalid(list)) => match state.cairn.get_workspace(ui.actor()).await {
            Ok(ws) => (
                StatusCode::BAD_REQUEST,
                render(&WorkspacePage {
                    shell: ui.shell("Workspace settings", "workspace"),
                    errors: list.into(),
                    ws,
                    lead_days: f.renewal_lead_days,
                    working_days: f.working_days,
                }),
            )
                .into_response(),
            Err(e) => error_page(e),
        },
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    shell: Shell,
    filter: ActivityQuery,
    /// Each entry with its changes as (field, before, after) lines.
    entries: Vec<(ActivityView, Vec<ChangeLine>)>,
    next_cursor: Option<String>,
    record_types: &'static [&'static str],
    people: Vec<(String, String)>,
}

/// Filters of the activity page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActivityQuery {
    action: String,
    record_type: String,
    actor: String,
    cursor: String,
}

/// The activity log with filters (owners and admins).
pub async fn view_activity_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(q): Query<ActivityQuery>,
) -> Response {
    let actor_id = match q.actor.as_str() {
        "" => None,
        s => match uuid::Uuid::parse_str(s) {
            Ok(u) => Some(u),
            Err(_) => return error_page(DomainError::invalid("actor", "is not a user id")),
        },
    };
    let filter = ActivityFilter {
        action: Some(q.action.clone()),
        actor_user_id: actor_id,
        record_type: Some(q.record_type.clone()),
        ..Default::default()
    };
    let page = PageRequest {
        limit: Some(100),
        cursor: (!q.cursor.is_empty()).then(|| q.cursor.clone()),
    };
    let result = state.cairn.list_activity(ui.actor(), &filter, &page).await;
    let people = match state
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
    {
        Ok(p) => p
            .items
            .into_iter()
            .map(|m| (m.user_id.to_string(), m.name))
            .collect(),
        Err(_) => vec![],
    };
    match result {
        Ok(p) => render(&ActivityPage {
            shell: ui.shell("Activity log", "activity"),
            filter: q,
            entries: p
                .items
                .into_iter()
                .map(|e| {
                    let lines = change_lines(&e.changes);
                    (e, lines)
                })
                .collect(),
            next_cursor: p.next_cursor,
            record_types: &[
                "workspace",
                "membership",
                "invite",
                "user",
                "session",
                "api_token",
                "refresh_token",
            ],
            people,
        }),
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    shell: Shell,
    workspaces: Vec<PlatformWorkspace>,
    users: Vec<PlatformUser>,
}

fn admin_shell(s: &AnySession, title: &str) -> Shell {
    match &s.ctx.actor {
        Some(_) => Ui {
            ctx: s.ctx.clone(),
            csrf: s.csrf.clone(),
        }
        .shell(title, "admin"),
        None => Shell {
            title: title.into(),
            nav: "admin",
            csrf: s.csrf.clone(),
            assets: super::AssetUrls::get(),
            user_name: s.ctx.user.name.clone(),
            user_email: s.ctx.user.email.clone(),
            workspace_name: "No workspace".into(),
            workspace_slug: String::new(),
            workspaces: s.ctx.workspaces.clone(),
            role: "platform admin".into(),
            manager: false,
            platform_admin: true,
            capture: false,
            flash: None,
        },
    }
}

/// Platform admin: every workspace, create and suspend.
pub async fn view_admin_get(
    State(state): State<AppState>,
    s: AnySession,
    Query(n): Query<Notice>,
) -> Response {
    if s.ctx.mfa_pending {
        return Redirect::to("/login/2fa").into_response();
    }
    let workspaces = match state.cairn.platform_workspaces(&s.ctx).await {
        Ok(w) => w,
        Err(e) => return error_page(e),
    };
    match state.cairn.platform_users(&s.ctx).await {
        Ok(users) => {
            let mut shell = admin_shell(&s, "Platform admin");
            shell.flash = n.notice.map(|m| (true, m));
            render(&AdminPage {
                shell,
                workspaces,
                users,
            })
        }
        Err(e) => error_page(e),
    }
}

/// The new-workspace form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewWorkspaceForm {
    workspace: String,
    name: String,
    email: String,
    password: String,
}

/// Creates a workspace with its owner.
pub async fn view_admin_create_post(
    State(state): State<AppState>,
    Meta(meta): Meta,
    s: AnySession,
    Form(f): Form<NewWorkspaceForm>,
) -> Response {
    if s.ctx.mfa_pending {
        return Redirect::to("/login/2fa").into_response();
    }
    let input = NewOwner {
        workspace: f.workspace,
        name: f.name,
        email: f.email,
        password: f.password,
    };
    match state
        .cairn
        .platform_create_workspace(&s.ctx, input, &meta)
        .await
    {
        Ok(_) => redirect_notice("/admin", "Workspace created."),
        Err(e) => error_page(e),
    }
}

/// Suspends or reinstates a workspace, or disables or re-enables a user account
/// installation-wide: `/admin/{workspaces|users}/{id}/{action}`.
pub async fn view_admin_action_post(
    State(state): State<AppState>,
    Meta(meta): Meta,
    s: AnySession,
    Path((collection, id, action)): Path<(String, String, String)>,
) -> Response {
    if s.ctx.mfa_pending {
        return Redirect::to("/login/2fa").into_response();
    }
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return super::not_found_page();
    };
    let cairn = &state.cairn;
    let (result, done) = match (collection.as_str(), action.as_str()) {
        ("workspaces", "suspend") => (
            cairn.platform_set_suspended(&s.ctx, id, true, &meta).await,
            "Workspace suspended.",
        ),
        ("workspaces", "reinstate") => (
            cairn.platform_set_suspended(&s.ctx, id, false, &meta).await,
            "Workspace reinstated.",
        ),
        ("users", "disable") => (
            cairn
                .platform_set_user_disabled(&s.ctx, id, true, &meta)
                .await,
            "User disabled; their sessions and tokens ended.",
        ),
        ("users", "enable") => (
            cairn
                .platform_set_user_disabled(&s.ctx, id, false, &meta)
                .await,
            "User enabled.",
        ),
        _ => return super::not_found_page(),
    };
    match result {
        Ok(()) => redirect_notice("/admin", done),
        Err(e) => error_page(e),
    }
}

/// One changed field as shown: (field, before, after).
type ChangeLine = (String, String, String);

/// Renders `{field: [before, after]}` as readable (field, before, after) lines.
fn change_lines(changes: &serde_json::Value) -> Vec<ChangeLine> {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) if s.is_empty() => "—".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    changes
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(field, pair)| match pair.as_array().map(Vec::as_slice) {
                    Some([before, after]) => (field.clone(), show(before), show(after)),
                    _ => (field.clone(), "—".to_string(), show(pair)),
                })
                .collect()
        })
        .unwrap_or_default()
}
