//! Signing in and out: login (with second factor), first-run setup, invites, and replacing a
//! temporary password.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use cairn_core::accounts::{LoginOutcome, NewOwner};
use cairn_core::members::InviteView;
use cairn_core::secrets::{csrf_token_for, new_token};
use cairn_domain::{DomainError, FieldError};
use serde::Deserialize;

use super::{
    AnySession, AssetUrls, FormErrors, Notice, error_page, message_page, render, session_cookie,
};
use crate::AppState;
use crate::extract::Meta;

/// The anti-CSRF token of a pre-login form, and the jar that carries its cookie. A stale
/// session cookie is dropped so the form's token matches what the next request sends.
fn pre_login_csrf(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    let jar = if jar.get(state.config.session_cookie()).is_some() {
        jar.remove(Cookie::build(state.config.session_cookie()).path("/"))
    } else {
        jar
    };
    if let Some(c) = jar.get(state.config.pre_cookie()) {
        let v = c.value().to_string();
        return (jar, v);
    }
    let token = new_token("");
    let cookie = Cookie::build((state.config.pre_cookie(), token.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.https())
        .build();
    (jar.add(cookie), token)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    title: String,
    assets: AssetUrls,
    errors: FormErrors,
    csrf: String,
    email: String,
    notice: Option<String>,
}

/// The login page; a live session goes straight to the dashboard.
pub async fn view_login_get(
    State(state): State<AppState>,
    Meta(meta): Meta,
    jar: CookieJar,
    Query(n): Query<Notice>,
) -> Response {
    if let Some(c) = jar.get(state.config.session_cookie())
        && state
            .cairn
            .authenticate_session(c.value(), &meta)
            .await
            .is_ok_and(|ctx| !ctx.mfa_pending)
    {
        return Redirect::to("/").into_response();
    }
    let (jar, csrf) = pre_login_csrf(&state, jar);
    let page = LoginPage {
        title: "Sign in".into(),
        assets: AssetUrls::get(),
        errors: FormErrors::default(),
        csrf,
        email: String::new(),
        notice: n.notice,
    };
    (jar, render(&page)).into_response()
}

/// The login form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// Checks the credentials; sets the session cookie or asks for the second factor.
pub async fn view_login_post(
    State(state): State<AppState>,
    Meta(meta): Meta,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Response {
    match state.cairn.login(&f.email, &f.password, &meta).await {
        Ok(LoginOutcome::SignedIn {
            session,
            must_change_password,
        }) => {
            let to = if must_change_password {
                "/password/new"
            } else {
                "/"
            };
            (jar.add(session_cookie(&state, &session)), Redirect::to(to)).into_response()
        }
        Ok(LoginOutcome::SecondFactorRequired { session }) => (
            jar.add(session_cookie(&state, &session)),
            Redirect::to("/login/2fa"),
        )
            .into_response(),
        Err(
            e @ (DomainError::Invalid(_)
            | DomainError::Unauthenticated(_)
            | DomainError::RateLimited { .. }
            | DomainError::Forbidden(_)),
        ) => {
            let status = crate::error::status_of(&e);
            let errors = match e {
                DomainError::Invalid(list) => list,
                other => vec![FieldError::new("login", other.to_string())],
            };
            let (jar, csrf) = pre_login_csrf(&state, jar);
            let page = LoginPage {
                title: "Sign in".into(),
                assets: AssetUrls::get(),
                errors: errors.into(),
                csrf,
                email: f.email,
                notice: None,
            };
            (status, jar, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "login_2fa.html")]
struct SecondFactorPage {
    title: String,
    assets: AssetUrls,
    errors: FormErrors,
    csrf: String,
}

/// Asks for the TOTP or recovery code of a pending login.
pub async fn view_2fa_get(s: AnySession) -> Response {
    if !s.ctx.mfa_pending {
        return Redirect::to("/").into_response();
    }
    render(&SecondFactorPage {
        title: "Two-factor authentication".into(),
        assets: AssetUrls::get(),
        errors: FormErrors::default(),
        csrf: s.csrf,
    })
}

/// The second-factor form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

/// Verifies the code and replaces the pending session by a signed-in one.
pub async fn view_2fa_post(
    State(state): State<AppState>,
    Meta(meta): Meta,
    jar: CookieJar,
    s: AnySession,
    Form(f): Form<CodeForm>,
) -> Response {
    match state
        .cairn
        .complete_second_factor(&s.ctx, &f.code, &meta)
        .await
    {
        Ok(session) => {
            (jar.add(session_cookie(&state, &session)), Redirect::to("/")).into_response()
        }
        Err(DomainError::Invalid(list)) => {
            let page = SecondFactorPage {
                title: "Two-factor authentication".into(),
                assets: AssetUrls::get(),
                errors: list.into(),
                csrf: s.csrf,
            };
            (StatusCode::BAD_REQUEST, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}

/// Signs out: the session row is revoked and the cookie cleared.
pub async fn view_logout_post(
    State(state): State<AppState>,
    Meta(meta): Meta,
    jar: CookieJar,
    s: AnySession,
) -> Response {
    if let Err(e) = state.cairn.logout(&s.ctx, &meta).await {
        return error_page(e);
    }
    (
        jar.remove(Cookie::build(state.config.session_cookie()).path("/")),
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    title: String,
    assets: AssetUrls,
    errors: FormErrors,
    csrf: String,
    token: String,
    workspace: String,
    name: String,
    email: String,
}

/// The setup link's query.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetupQuery {
    token: String,
}

/// The first-run page: only with the one-time token from the server log.
pub async fn view_setup_get(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<SetupQuery>,
) -> Response {
    if !state.cairn.setup_token_valid(&q.token) {
        return message_page(
            StatusCode::NOT_FOUND,
            "Setup",
            "This setup link is not valid. Use the link printed in the server log, or `cairn admin create-owner`.",
        );
    }
    let (jar, csrf) = pre_login_csrf(&state, jar);
    let page = SetupPage {
        title: "Welcome to Cairn".into(),
        assets: AssetUrls::get(),
        errors: FormErrors::default(),
        csrf,
        token: q.token,
        workspace: String::new(),
        name: String::new(),
        email: String::new(),
    };
    (jar, render(&page)).into_response()
}

/// The setup form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetupForm {
    token: String,
    workspace: String,
    name: String,
    email: String,
    password: String,
    password_confirm: String,
}

/// Creates the first workspace and owner, then signs the owner in.
pub async fn view_setup_post(
    State(state): State<AppState>,
    Meta(meta): Meta,
    jar: CookieJar,
    Form(f): Form<SetupForm>,
) -> Response {
    let input = NewOwner {
        workspace: f.workspace.clone(),
        name: f.name.clone(),
        email: f.email.clone(),
        password: f.password.clone(),
    };
    let result = if f.password != f.password_confirm {
        Err(DomainError::invalid(
            "password_confirm",
            "does not match the password",
        ))
    } else {
        state.cairn.complete_setup(&f.token, input, &meta).await
    };
    match result {
        Ok(()) => match state.cairn.login(&f.email, &f.password, &meta).await {
            Ok(LoginOutcome::SignedIn { session, .. }) => {
                (jar.add(session_cookie(&state, &session)), Redirect::to("/")).into_response()
            }
            _ => Redirect::to("/login").into_response(),
        },
        Err(DomainError::Invalid(list)) => {
            let (jar, csrf) = pre_login_csrf(&state, jar);
            let page = SetupPage {
                title: "Welcome to Cairn".into(),
                assets: AssetUrls::get(),
                errors: list.into(),
                csrf,
                token: f.token,
                workspace: f.workspace,
                name: f.name,
                email: f.email,
            };
            (StatusCode::BAD_REQUEST, jar, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    title: String,
    assets: AssetUrls,
    errors: FormErrors,
    csrf: String,
    token: String,
    invite: InviteView,
}

/// An invite link.
pub async fn view_invite_get(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    let invite = match state.cairn.describe_invite(&token).await {
        Ok(i) => i,
        Err(DomainError::NotFound(_)) => {
            return message_page(
                StatusCode::NOT_FOUND,
                "Invite",
                "This invite link has expired or was already used. Ask for a new one.",
            );
        }
        Err(e) => return error_page(e),
    };
    let (jar, csrf) = pre_login_csrf(&state, jar);
    (
        jar,
        render(&InvitePage {
            title: "Join Cairn".into(),
            assets: AssetUrls::get(),
            errors: FormErrors::default(),
            csrf,
            token,
            invite,
        }),
    )
        .into_response()
}

/// The invite form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    name: String,
    password: String,
}

/// Accepts an invite and signs the new member in.
pub async fn view_invite_post(
    State(state): State<AppState>,
    Meta(meta): Meta,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(f): Form<InviteForm>,
) -> Response {
    match state
        .cairn
        .accept_invite(&token, &f.name, &f.password, &meta)
        .await
    {
        Ok(session) => {
            (jar.add(session_cookie(&state, &session)), Redirect::to("/")).into_response()
        }
        Err(DomainError::Invalid(list)) => {
            let Ok(invite) = state.cairn.describe_invite(&token).await else {
                return super::not_found_page();
            };
            let (jar, csrf) = pre_login_csrf(&state, jar);
            (
                StatusCode::BAD_REQUEST,
                jar,
                render(&InvitePage {
                    title: "Join Cairn".into(),
                    assets: AssetUrls::get(),
                    errors: list.into(),
                    csrf,
                    token,
                    invite,
                }),
            )
                .into_response()
        }
        Err(DomainError::NotFound(_)) => message_page(
            StatusCode::NOT_FOUND,
            "Invite",
            "This invite link has expired or was already used. Ask for a new one.",
        ),
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "password_required.html")]
struct PasswordRequiredPage {
    title: String,
    assets: AssetUrls,
    errors: FormErrors,
    csrf: String,
}

/// Asks a user with a temporary password for their own.
pub async fn view_password_new_get(s: AnySession) -> Response {
    if !s.ctx.user.must_change_password {
        return Redirect::to("/").into_response();
    }
    render(&PasswordRequiredPage {
        title: "Choose your password".into(),
        assets: AssetUrls::get(),
        errors: FormErrors::default(),
        csrf: s.csrf,
    })
}

/// The new-password form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewPasswordForm {
    new_password: String,
    new_password_confirm: String,
}

/// Replaces the temporary password; the session id changes.
pub async fn view_password_new_post(
    State(state): State<AppState>,
    jar: CookieJar,
    s: AnySession,
    Form(f): Form<NewPasswordForm>,
) -> Response {
    if !s.ctx.user.must_change_password {
        return Redirect::to("/").into_response();
    }
    match state
        .cairn
        .replace_temporary_password(&s.ctx, &f.new_password, &f.new_password_confirm)
        .await
    {
        Ok(session) => {
            (jar.add(session_cookie(&state, &session)), Redirect::to("/")).into_response()
        }
        Err(DomainError::Invalid(list)) => {
            let page = PasswordRequiredPage {
                title: "Choose your password".into(),
                assets: AssetUrls::get(),
                errors: list.into(),
                csrf: csrf_token_for(
                    jar.get(state.config.session_cookie())
                        .map(|c| c.value())
                        .unwrap_or(""),
                ),
            };
            (StatusCode::BAD_REQUEST, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}
