//! The server-rendered UI. Views are named `view_<page>_<get|post>`; each parses the form,
//! calls one core function and renders a template. Domain errors become field messages or a
//! message page only here, at the edge.

mod account;
mod auth;
mod board;
mod capture;
mod choices;
mod clients;
mod comments;
mod contact_history;
mod dependencies;
mod fields;
mod markdown;
mod members;
mod milestones;
mod project_page;
mod project_status;
mod project_tasks;
mod projects;
mod slots;
mod task_rows;
mod tasks;
mod templates;
mod time;
mod vocab;
mod work;
mod workspace;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use cairn_core::Actor;
use cairn_core::secrets::csrf_token_for;
use cairn_core::sessions::{NewSession, SessionContext};
use cairn_core::versions::{FieldDiff, VersionView};
use cairn_domain::{DomainError, FieldError};

use crate::AppState;
use crate::extract::meta_of;

/// Every UI route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(workspace::view_dashboard_get))
        .route(
            "/login",
            get(auth::view_login_get).post(auth::view_login_post),
        )
        .route(
            "/login/2fa",
            get(auth::view_2fa_get).post(auth::view_2fa_post),
        )
        .route("/logout", post(auth::view_logout_post))
        .route(
            "/setup",
            get(auth::view_setup_get).post(auth::view_setup_post),
        )
        .route(
            "/invite/{token}",
            get(auth::view_invite_get).post(auth::view_invite_post),
        )
        .route(
            "/password/new",
            get(auth::view_password_new_get).post(auth::view_password_new_post),
        )
        .route("/switch", post(workspace::view_switch_post))
        .route(
            "/settings",
            get(|| async { Redirect::to("/settings/profile") }),
        )
        .route(
            "/settings/profile",
            get(account::view_profile_get).post(account::view_profile_post),
        )
        .route(
            "/settings/password",
            get(account::view_password_get).post(account::view_password_post),
        )
        .route("/settings/security", get(account::view_security_get))
        .route(
            "/settings/security/begin",
            post(account::view_security_begin_post),
        )
        .route(
            "/settings/security/confirm",
            post(account::view_security_confirm_post),
        )
        .route(
            "/settings/security/disable",
            post(account::view_security_disable_post),
        )
        .route("/settings/sessions", get(account::view_sessions_get))
        .route(
            "/settings/sessions/{id}/revoke",
            post(account::view_session_revoke_post),
        )
        .route(
            "/settings/tokens",
            get(account::view_tokens_get).post(account::view_tokens_post),
        )
        .route(
            "/settings/tokens/{id}/revoke",
            post(account::view_token_revoke_post),
        )
        .route(
            "/settings/workspace",
            get(workspace::view_workspace_get).post(workspace::view_workspace_post),
        )
        .route(
            "/members",
            get(members::view_members_get).post(members::view_members_post),
        )
        .route("/members/{id}", get(members::view_member_get))
        .route("/members/{id}/role", post(members::view_member_role_post))
        .route(
            "/members/{id}/disable",
            post(members::view_member_disable_post),
        )
        .route(
            "/members/{id}/enable",
            post(members::view_member_enable_post),
        )
        .route(
            "/members/{id}/remove",
            post(members::view_member_remove_post),
        )
        .route(
            "/members/invites/{id}/revoke",
            post(members::view_invite_revoke_post),
        )
        .route("/activity", get(workspace::view_activity_get))
        .route(
            "/clients",
            get(clients::view_clients_get).post(clients::view_clients_post),
        )
        .route("/clients/new", get(clients::view_client_new_get))
        .route("/clients/export.csv", get(clients::view_clients_csv_get))
        .route("/clients/export.json", get(clients::view_clients_json_get))
        .route("/clients/{id}", get(clients::view_client_get))
        .route(
            "/clients/{id}/edit",
            get(clients::view_client_edit_get).post(clients::view_client_edit_post),
        )
        .route(
            "/clients/{id}/inline",
            post(clients::view_client_inline_post),
        )
        .route(
            "/clients/{id}/archive",
            post(clients::view_client_archive_post),
        )
        .route(
            "/clients/{id}/restore",
            post(clients::view_client_restore_post),
        )
        .route(
            "/clients/{id}/delete",
            post(clients::view_client_delete_post),
        )
        .route(
            "/clients/{id}/access",
            post(clients::view_client_access_post),
        )
        .route(
            "/clients/{id}/contacts",
            post(clients::view_client_contacts_post),
        )
        .route(
            "/clients/{id}/interactions",
            post(clients::view_client_interactions_post),
        )
        .route(
            "/clients/{id}/history",
            get(clients::view_client_history_get),
        )
        .route(
            "/clients/{id}/revert",
            post(clients::view_client_revert_post),
        )
        .route(
            "/clients/{id}/contacts.vcf",
            get(clients::view_client_vcards_get),
        )
        .route("/contacts/{id}", get(contact_history::view_contact_get))
        .route(
            "/contacts/{id}/history",
            get(contact_history::view_contact_history_get),
        )
        .route(
            "/contacts/{id}/revert",
            post(contact_history::view_contact_revert_post),
        )
        .route(
            "/contacts/{id}/edit",
            get(clients::view_contact_edit_get).post(clients::view_contact_edit_post),
        )
        .route(
            "/contacts/{id}/archive",
            post(clients::view_contact_archive_post),
        )
        .route(
            "/contacts/{id}/restore",
            post(clients::view_contact_restore_post),
        )
        .route(
            "/contacts/{id}/vcard.vcf",
            get(clients::view_contact_vcard_get),
        )
        .route("/contacts/export.csv", get(clients::view_contacts_csv_get))
        .route(
            "/tags",
            get(clients::view_tags_get).post(clients::view_tags_post),
        )
        .route("/tags/{id}/edit", post(clients::view_tag_edit_post))
        .route("/tags/{id}/delete", post(clients::view_tag_delete_post))
        .route("/views", post(clients::view_views_post))
        .route("/views/{id}/delete", post(clients::view_view_delete_post))
        .route(
            "/projects",
            get(projects::view_projects_get).post(projects::view_projects_post),
        )
        .route("/projects/new", get(projects::view_project_new_get))
        .route("/projects/{id}", get(project_page::view_project_get))
        .route(
            "/projects/{id}/edit",
            get(projects::view_project_edit_get).post(projects::view_project_edit_post),
        )
        .route(
            "/projects/{id}/archive",
            post(projects::view_project_archive_post),
        )
        .route(
            "/projects/{id}/restore",
            post(projects::view_project_restore_post),
        )
        .route(
            "/projects/{id}/delete",
            post(project_page::view_project_delete_post),
        )
        .route(
            "/projects/{id}/health",
            post(project_page::view_project_health_post),
        )
        .route(
            "/projects/{id}/template",
            post(project_page::view_project_template_post),
        )
        .route(
            "/projects/{id}/status",
            get(project_status::view_project_status_get),
        )
        .route(
            "/projects/{id}/history",
            get(project_status::view_project_history_get),
        )
        .route(
            "/projects/{id}/revert",
            post(project_status::view_project_revert_post),
        )
        .route(
            "/projects/{id}/tasks",
            get(project_tasks::view_project_tasks_get).post(project_tasks::view_project_tasks_post),
        )
        .route(
            "/projects/{id}/milestones",
            post(milestones::view_project_milestones_post),
        )
        .route("/milestones/{id}", get(milestones::view_milestone_get))
        .route(
            "/milestones/{id}/history",
            get(milestones::view_milestone_history_get),
        )
        .route(
            "/milestones/{id}/revert",
            post(milestones::view_milestone_revert_post),
        )
        .route(
            "/milestones/{id}/edit",
            post(milestones::view_milestone_edit_post),
        )
        .route(
            "/milestones/{id}/delete",
            post(milestones::view_milestone_delete_post),
        )
        .route("/projects/{id}/slots", post(slots::view_project_slots_post))
        .route("/slots/{id}/edit", post(slots::view_slot_edit_post))
        .route("/slots/{id}/delete", post(slots::view_slot_delete_post))
        .route("/projects/{id}/board", get(board::view_project_board_get))
        .route(
            "/projects/{id}/board/move",
            post(board::view_project_board_move_post),
        )
        .route("/tasks/batch", post(task_rows::view_tasks_batch_post))
        .route("/tasks/{id}", get(tasks::view_task_get))
        .route("/tasks/{id}/edit", post(tasks::view_task_edit_post))
        .route("/tasks/{id}/archive", post(tasks::view_task_archive_post))
        .route("/tasks/{id}/restore", post(tasks::view_task_restore_post))
        .route("/tasks/{id}/delete", post(tasks::view_task_delete_post))
        .route("/tasks/{id}/history", get(tasks::view_task_history_get))
        .route("/tasks/{id}/revert", post(tasks::view_task_revert_post))
        .route(
            "/tasks/{id}/dependencies",
            post(dependencies::view_task_dependencies_post),
        )
        .route(
            "/tasks/{id}/dependencies/remove",
            post(dependencies::view_task_dependency_remove_post),
        )
        .route(
            "/tasks/{id}/dependency-options",
            get(dependencies::view_task_dependency_options_get),
        )
        .route(
            "/tasks/{id}/comments",
            post(comments::view_task_comments_post),
        )
        .route(
            "/comments/{id}/delete",
            post(comments::view_comment_delete_post),
        )
        .route("/tasks/{id}/inline", post(task_rows::view_task_inline_post))
        .route("/work", get(work::view_work_get))
        .route("/work/today", get(work::view_work_today_get))
        .route("/work/upcoming", get(work::view_work_upcoming_get))
        .route("/work/overdue", get(work::view_work_overdue_get))
        .route("/capture", post(capture::view_capture_post))
        .route("/capture/preview", post(capture::view_capture_preview_post))
        .route("/time", get(time::view_time_get).post(time::view_time_post))
        .route("/time/task-options", get(time::view_time_task_options_get))
        .route("/time/{id}/delete", post(time::view_time_delete_post))
        .route("/projects/{id}/time", get(time::view_project_time_get))
        .route("/templates", get(templates::view_templates_get))
        .route("/templates/{id}", get(templates::view_template_get))
        .route(
            "/templates/{id}/edit",
            post(templates::view_template_edit_post),
        )
        .route(
            "/templates/{id}/archive",
            post(templates::view_template_archive_post),
        )
        .route(
            "/templates/{id}/restore",
            post(templates::view_template_restore_post),
        )
        .route("/admin", get(workspace::view_admin_get))
        .route("/admin/workspaces", post(workspace::view_admin_create_post))
        .route(
            "/admin/{collection}/{id}/{action}",
            post(workspace::view_admin_action_post),
        )
        .route("/api/docs", get(view_api_docs_get))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
}

/// URLs of the embedded assets a page links.
#[derive(Clone)]
pub struct AssetUrls {
    pub css: &'static str,
    pub js: &'static str,
    pub htmx: &'static str,
}

impl AssetUrls {
    fn get() -> Self {
        Self {
            css: crate::assets::url("cairn.css"),
            js: crate::assets::url("cairn.js"),
            htmx: crate::assets::url("htmx.min.js"),
        }
    }
}

/// Everything the shell layout (header, sidebar) needs.
pub struct Shell {
    pub title: String,
    pub nav: &'static str,
    pub csrf: String,
    pub assets: AssetUrls,
    pub user_name: String,
    pub user_email: String,
    pub workspace_name: String,
    pub workspace_slug: String,
    pub workspaces: Vec<(String, String, String)>,
    pub role: String,
    /// Owner or admin: sees management navigation.
    pub manager: bool,
    pub platform_admin: bool,
    /// May create tasks: the header offers quick capture.
    pub capture: bool,
    /// (success, message)
    pub flash: Option<(bool, String)>,
}

/// Field errors of a submitted form, looked up by field name in templates.
#[derive(Default)]
pub struct FormErrors {
    pub list: Vec<FieldError>,
}

impl FormErrors {
    /// The reason for `field`, or "" when it is fine.
    pub fn get(&self, field: &str) -> &str {
        self.list
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.reason.as_str())
            .unwrap_or("")
    }

    /// Whether there is no error.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl From<Vec<FieldError>> for FormErrors {
    fn from(list: Vec<FieldError>) -> Self {
        Self { list }
    }
}

/// A signed-in browser session acting in a workspace.
pub struct Ui {
    pub ctx: SessionContext,
    pub csrf: String,
}

impl Ui {
    /// The acting member.
    pub fn actor(&self) -> &Actor {
        self.ctx
            .actor
            .as_ref()
            .expect("Ui is only built with an actor")
    }

    /// The shell of a page titled `title`, highlighting `nav`.
    pub fn shell(&self, title: impl Into<String>, nav: &'static str) -> Shell {
        let a = self.actor();
        Shell {
            title: title.into(),
            nav,
            csrf: self.csrf.clone(),
            assets: AssetUrls::get(),
            user_name: a.name.clone(),
            user_email: a.email.clone(),
            workspace_name: a.workspace_name.clone(),
            workspace_slug: a.workspace_slug.clone(),
            workspaces: self.ctx.workspaces.clone(),
            role: a.role.to_string(),
            manager: a.role.is_admin_or_owner(),
            platform_admin: self.ctx.user.is_platform_admin,
            capture: a.can(cairn_domain::Action::Create, cairn_domain::Resource::Task),
            flash: None,
        }
    }
}

/// A session cookie's context whatever its state (pending second factor, temporary
/// password, no workspace): for the pages that resolve those states.
pub struct AnySession {
    pub ctx: SessionContext,
    pub csrf: String,
}

async fn session_of(parts: &Parts, state: &AppState) -> Result<(SessionContext, String), Response> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(cookie) = jar.get(state.config.session_cookie()) else {
        return Err(Redirect::to("/login").into_response());
    };
    match state
        .cairn
        .authenticate_session(cookie.value(), &meta_of(parts))
        .await
    {
        Ok(ctx) => Ok((ctx, csrf_token_for(cookie.value()))),
        Err(DomainError::Unauthenticated(_)) => {
            let jar = jar.remove(Cookie::build(state.config.session_cookie()).path("/"));
            Err((jar, Redirect::to("/login")).into_response())
        }
        Err(e) => Err(error_page(e)),
    }
}

impl FromRequestParts<AppState> for AnySession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (ctx, csrf) = session_of(parts, state).await?;
        Ok(AnySession { ctx, csrf })
    }
}

impl FromRequestParts<AppState> for Ui {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (ctx, csrf) = session_of(parts, state).await?;
        if ctx.mfa_pending {
            return Err(Redirect::to("/login/2fa").into_response());
        }
        if ctx.user.must_change_password {
            return Err(Redirect::to("/password/new").into_response());
        }
        if ctx.actor.is_none() {
            return Err(if ctx.user.is_platform_admin {
                Redirect::to("/admin").into_response()
            } else {
                message_page(
                    StatusCode::FORBIDDEN,
                    "No workspace",
                    "Your account is not an active member of any workspace.",
                )
            });
        }
        Ok(Ui { ctx, csrf })
    }
}

/// Sets the session cookie for a freshly issued session.
pub fn session_cookie(state: &AppState, s: &NewSession) -> Cookie<'static> {
    Cookie::build((state.config.session_cookie(), s.secret.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.https())
        .build()
}

/// The buffer a page starts rendering into.
const RENDER_BUFFER: usize = 64 * 1024;

/// Renders a template into an HTML response.
pub fn render<T: Template>(t: &T) -> Response {
    // askama's own first guess is the template's literal text, a few KB; list pages run to
    // hundreds of KB, and each doubling of the buffer copies everything written so far.
    let mut html = String::with_capacity(RENDER_BUFFER.max(T::SIZE_HINT));
    match t.render_into(&mut html) {
        Ok(()) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    title: String,
    message: String,
    assets: AssetUrls,
    errors: FormErrors,
}

/// A small page with a title and a message (errors and notices outside the shell).
pub fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = MessagePage {
        title: title.into(),
        message: message.into(),
        assets: AssetUrls::get(),
        errors: FormErrors::default(),
    };
    (status, render(&page)).into_response()
}

/// The HTML 404.
pub fn not_found_page() -> Response {
    message_page(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing here, or you may not see it.",
    )
}

/// A domain error as a message page.
pub fn error_page(e: DomainError) -> Response {
    let status = crate::error::status_of(&e);
    match e {
        DomainError::NotFound(_) => not_found_page(),
        DomainError::Internal(_) => message_page(
            status,
            "Something went wrong",
            "Something went wrong on our side. Please try again.",
        ),
        other => message_page(
            status,
            status.canonical_reason().unwrap_or("Error"),
            &other.to_string(),
        ),
    }
}

/// A redirect carrying a one-line notice in the query string.
pub fn redirect_notice(path: &str, notice: &str) -> Response {
    redirect_with(path, "notice", notice)
}

/// A redirect carrying a one-line error in the query string, shown as an error flash.
pub fn redirect_error(path: &str, error: &str) -> Response {
    redirect_with(path, "error", error)
}

fn redirect_with(path: &str, key: &str, text: &str) -> Response {
    let q: String = url_encode(text);
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (path, String::new()),
    };
    // Replace an earlier notice or error rather than stacking them.
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("notice=") && !p.starts_with("error="))
        .collect();
    let sep = if kept.is_empty() {
        String::from("?")
    } else {
        format!("?{}&", kept.join("&"))
    };
    Redirect::to(&format!("{base}{sep}{key}={q}{fragment}")).into_response()
}

/// Percent-encodes a query-string value.
pub(crate) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The notice (`?notice=`) or error (`?error=`) of a redirect, shown as a flash.
#[derive(serde::Deserialize, Default)]
pub struct Notice {
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl Notice {
    /// The flash to show: an error wins over a notice.
    pub fn flash(self) -> Option<(bool, String)> {
        match (self.error, self.notice) {
            (Some(e), _) => Some((false, e)),
            (None, Some(n)) => Some((true, n)),
            (None, None) => None,
        }
    }
}

/// Which versions a history page compares.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct HistoryQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// A history page's revert form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RevertForm {
    pub version: Option<i64>,
    pub to: i64,
}

/// What a history page shows of its record, loaded by the record's own handler.
pub struct HistoryOf {
    pub title: String,
    /// The record's page; history is at `{base}/history`, revert at `{base}/revert`.
    pub base: String,
    pub back_label: &'static str,
    /// The sidebar section the page belongs to.
    pub section: &'static str,
    pub current: i64,
    pub versions: Vec<VersionView>,
    pub can_edit: bool,
}

/// Renders a record's history: versions `from` to `to` of the query (by default the one
/// before the current and the current) with their field-level diff.
pub fn history_page(ui: &Ui, q: &HistoryQuery, n: Notice, h: HistoryOf) -> Response {
    let to = q.to.unwrap_or(h.current);
    let from = q.from.unwrap_or((to - 1).max(1));
    let diff = match cairn_core::versions::diff(&h.versions, from, to) {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let mut shell = ui.shell(format!("History of {}", h.title), h.section);
    shell.flash = n.flash();
    render(&HistoryPage {
        shell,
        title: h.title,
        base: h.base,
        back_label: h.back_label,
        current: h.current,
        versions: h.versions,
        diff,
        from,
        to,
        can_edit: h.can_edit,
    })
}

/// Where a revert lands: back on the record's history (`{base}/history`) saying which version
/// it became, with the reasons when the old version no longer validates, or an error page.
pub fn after_revert(base: &str, to: i64, result: Result<i64, cairn_core::DomainError>) -> Response {
    let history = format!("{base}/history");
    match result {
        Ok(version) => redirect_notice(
            &history,
            &format!("Reverted to v{to}; saved as v{version}."),
        ),
        Err(cairn_core::DomainError::Invalid(list)) => redirect_error(
            &history,
            &list
                .iter()
                .map(|e| format!("{}: {}", e.field.replace('_', " "), e.reason))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(e) => error_page(e),
    }
}

/// A record's version history with a field-level diff and revert, for any versioned record
/// whose page is `base` (history at `{base}/history`, revert at `{base}/revert`).
#[derive(Template)]
#[template(path = "record_history.html")]
pub struct HistoryPage {
    pub shell: Shell,
    pub title: String,
    pub base: String,
    pub back_label: &'static str,
    pub current: i64,
    pub versions: Vec<VersionView>,
    pub diff: Vec<FieldDiff>,
    pub from: i64,
    pub to: i64,
    pub can_edit: bool,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocs {
    swagger_css: &'static str,
    swagger_js: &'static str,
    swagger_init: &'static str,
}

async fn view_api_docs_get(State(_): State<AppState>) -> Response {
    let page = ApiDocs {
        swagger_css: crate::assets::url("swagger-ui.css"),
        swagger_js: crate::assets::url("swagger-ui-bundle.js"),
        swagger_init: crate::assets::url("swagger-init.js"),
    };
    let mut res = render(&page);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-cache".parse().expect("static header"),
    );
    res
}
