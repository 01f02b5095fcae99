//! Settings pages of the signed-in user: profile, password, two-factor, sessions, tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use cairn_core::sessions::SessionView;
use cairn_core::tokens::{CreatedToken, TokenView};
use cairn_core::totp::Enrolment;
use cairn_domain::DomainError;
use serde::Deserialize;

use super::{FormErrors, Notice, Shell, Ui, error_page, redirect_notice, render, session_cookie};
use crate::AppState;

/// Renders a page, or the error page when building it failed.
fn page_or_error<T: Template>(status: StatusCode, r: Result<T, DomainError>) -> Response {
    match r {
        Ok(p) => (status, render(&p)).into_response(),
        Err(e) => error_page(e),
    }
}

/// Splits a domain error into field errors (re-render the form) or any other error.
fn form_errors(e: DomainError) -> Result<FormErrors, DomainError> {
    match e {
        DomainError::Invalid(list) => Ok(list.into()),
        other => Err(other),
    }
}

fn with_notice(mut shell: Shell, n: Notice) -> Shell {
    shell.flash = n.notice.map(|m| (true, m));
    shell
}

#[derive(Template)]
#[template(path = "settings_profile.html")]
struct ProfilePage {
    shell: Shell,
    tab: &'static str,
    errors: FormErrors,
    name: String,
    timezone: String,
    timezones: &'static [&'static str],
}

/// Common zones offered in the time-zone picker (any IANA name is accepted).
const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Africa/Johannesburg",
];

/// Profile: name and time zone.
pub async fn view_profile_get(ui: Ui, Query(n): Query<Notice>) -> Response {
    let a = ui.actor();
    render(&ProfilePage {
        shell: with_notice(ui.shell("Profile", "settings"), n),
        tab: "profile",
        errors: FormErrors::default(),
        name: a.name.clone(),
        timezone: a.timezone.clone(),
        timezones: COMMON_ZONES,
    })
}

/// The profile form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    name: String,
    timezone: String,
}

/// Saves the profile.
pub async fn view_profile_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<ProfileForm>,
) -> Response {
    match state
        .cairn
        .update_profile(ui.actor(), &f.name, &f.timezone)
        .await
    {
        Ok(_) => redirect_notice("/settings/profile", "Profile saved."),
        Err(e) => match form_errors(e) {
            Ok(errors) => page_or_error(
                StatusCode::BAD_REQUEST,
                Ok(ProfilePage {
                    shell: ui.shell("Profile", "settings"),
                    tab: "profile",
                    errors,
                    name: f.name,
                    timezone: f.timezone,
                    timezones: COMMON_ZONES,
                }),
            ),
            Err(e) => error_page(e),
        },
    }
}

#[derive(Template)]
#[template(path = "settings_password.html")]
struct PasswordPage {
    shell: Shell,
    tab: &'static str,
    errors: FormErrors,
}

/// The change-password form.
pub async fn view_password_get(ui: Ui, Query(n): Query<Notice>) -> Response {
    render(&PasswordPage {
        shell: with_notice(ui.shell("Password", "settings"), n),
        tab: "password",
        errors: FormErrors::default(),
    })
}

/// The change-password form's fields.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

/// Changes the password; other sessions end and this one gets a new id.
pub async fn view_password_post(
    State(state): State<AppState>,
    jar: CookieJar,
    ui: Ui,
    Form(f): Form<PasswordForm>,
) -> Response {
    match state
        .cairn
        .change_password(
            ui.actor(),
            &f.current_password,
            &f.new_password,
            Some(&f.new_password_confirm),
        )
        .await
    {
        Ok(Some(session)) => (
            jar.add(session_cookie(&state, &session)),
            redirect_notice(
                "/settings/password",
                "Password changed. Your other sessions were signed out.",
            ),
        )
            .into_response(),
        Ok(None) => redirect_notice("/settings/password", "Password changed."),
        Err(e) => match form_errors(e) {
            Ok(errors) => (
                StatusCode::BAD_REQUEST,
                render(&PasswordPage {
                    shell: ui.shell("Password", "settings"),
                    tab: "password",
                    errors,
                }),
            )
                .into_response(),
            Err(e) => error_page(e),
        },
    }
}

#[derive(Template)]
#[template(path = "settings_security.html")]
struct SecurityPage {
    shell: Shell,
    tab: &'static str,
    errors: FormErrors,
    enabled: bool,
    codes_left: u64,
    enrolment: Option<Enrolment>,
    recovery_codes: Vec<String>,
}

async fn security_page(
    state: &AppState,
    ui: &Ui,
    errors: FormErrors,
    enrolment: Option<Enrolment>,
    recovery_codes: Vec<String>,
) -> Result<SecurityPage, DomainError> {
    let user = state.cairn.user(ui.actor().user_id).await?;
    let codes_left = state.cairn.recovery_codes_left(ui.actor().user_id).await?;
    Ok(SecurityPage {
        shell: ui.shell("Two-factor authentication", "settings"),
        tab: "security",
        errors,
        enabled: user.totp_enabled_at.is_some(),
        codes_left,
        enrolment,
        recovery_codes,
    })
}

/// Two-factor status and enrolment.
pub async fn view_security_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(n): Query<Notice>,
) -> Response {
    page_or_error(
        StatusCode::OK,
        security_page(&state, &ui, FormErrors::default(), None, vec![])
            .await
            .map(|mut p| {
                p.shell = with_notice(p.shell, n);
                p
            }),
    )
}

/// Starts enrolment: shows the QR code.
pub async fn view_security_begin_post(State(state): State<AppState>, ui: Ui) -> Response {
    match state.cairn.totp_begin(ui.actor()).await {
        Ok(e) => page_or_error(
            StatusCode::OK,
            security_page(&state, &ui, FormErrors::default(), Some(e), vec![]).await,
        ),
        Err(e) => error_page(e),
    }
}

/// Confirms enrolment with a code; shows the recovery codes once.
pub async fn view_security_confirm_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<CodeForm>,
) -> Response {
    match state.cairn.totp_confirm(ui.actor(), &f.code).await {
        Ok(codes) => page_or_error(
            StatusCode::OK,
            security_page(&state, &ui, FormErrors::default(), None, codes).await,
        ),
        Err(e) => match form_errors(e) {
            // A wrong code restarts enrolment so the page can show a QR code again.
            Ok(errors) => match state.cairn.totp_begin(ui.actor()).await {
                Ok(en) => page_or_error(
                    StatusCode::BAD_REQUEST,
                    security_page(&state, &ui, errors, Some(en), vec![]).await,
                ),
                Err(e) => error_page(e),
            },
            Err(e) => error_page(e),
        },
    }
}

/// A one-field code form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

/// A one-field password form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordConfirmForm {
    password: String,
}

/// Turns two-factor off (needs the password).
pub async fn view_security_disable_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<PasswordConfirmForm>,
) -> Response {
    match state.cairn.totp_disable(ui.actor(), &f.password).await {
        Ok(()) => redirect_notice("/settings/security", "Two-factor authentication is off."),
        Err(e) => match form_errors(e) {
            Ok(errors) => page_or_error(
                StatusCode::BAD_REQUEST,
                security_page(&state, &ui, errors, None, vec![]).await,
            ),
            Err(e) => error_page(e),
        },
    }
}

#[derive(Template)]
#[template(path = "settings_sessions.html")]
struct SessionsPage {
    shell: Shell,
    tab: &'static str,
    sessions: Vec<SessionView>,
}

/// The user's sessions with revoke buttons.
pub async fn view_sessions_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(n): Query<Notice>,
) -> Response {
    match state.cairn.list_sessions(ui.actor()).await {
        Ok(sessions) => render(&SessionsPage {
            shell: with_notice(ui.shell("Sessions", "settings"), n),
            tab: "sessions",
            sessions,
        }),
        Err(e) => error_page(e),
    }
}

/// Revokes one session.
pub async fn view_session_revoke_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return super::not_found_page();
    };
    match state.cairn.revoke_session(ui.actor(), id).await {
        Ok(()) => redirect_notice("/settings/sessions", "Session revoked."),
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "settings_tokens.html")]
struct TokensPage {
    shell: Shell,
    tab: &'static str,
    errors: FormErrors,
    tokens: Vec<TokenView>,
    created: Option<CreatedToken>,
}

/// The user's personal access tokens.
pub async fn view_tokens_get(
    State(state): State<AppState>,
    ui: Ui,
    Query(n): Query<Notice>,
) -> Response {
    match state.cairn.list_tokens(ui.actor()).await {
        Ok(tokens) => render(&TokensPage {
            shell: with_notice(ui.shell("API tokens", "settings"), n),
            tab: "tokens",
            errors: FormErrors::default(),
            tokens,
            created: None,
        }),
        Err(e) => error_page(e),
    }
}

/// The new-token form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
    scope: String,
    expires_in_days: String,
}

/// Creates a token and shows its secret once.
pub async fn view_tokens_post(
    State(state): State<AppState>,
    ui: Ui,
    Form(f): Form<TokenForm>,
) -> Response {
    let days = match f.expires_in_days.trim() {
        "" => Ok(None),
        d => d
            .parse::<i64>()
            .map(Some)
            .map_err(|_| DomainError::invalid("expires_in_days", "must be a whole number of days")),
    };
    let result = match days {
        Ok(d) => {
            state
                .cairn
                .create_token(ui.actor(), &f.name, &f.scope, d)
                .await
        }
        Err(e) => Err(e),
    };
    let (created, errors, status) = match result {
        Ok(c) => (Some(c), FormErrors::default(), StatusCode::CREATED),
        Err(e) => match form_errors(e) {
            Ok(errors) => (None, errors, StatusCode::BAD_REQUEST),
            Err(e) => return error_page(e),
        },
    };
    match state.cairn.list_tokens(ui.actor()).await {
        Ok(tokens) => (
            status,
            render(&TokensPage {
                shell: ui.shell("API tokens", "settings"),
                tab: "tokens",
                errors,
                tokens,
                created,
            }),
        )
            .into_response(),
        Err(e) => error_page(e),
    }
}

/// Revokes a token.
pub async fn view_token_revoke_post(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return super::not_found_page();
    };
    match state.cairn.revoke_token(ui.actor(), id).await {
        Ok(()) => redirect_notice("/settings/tokens", "Token revoked."),
        Err(e) => error_page(e),
    }
}
