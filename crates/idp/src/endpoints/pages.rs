//! The HTML the IdP shows a person during a sign-in: the login form, the error page and
//! the signed-out page. (The home pages, the built-in callback and the journal view are
//! in [`crate::debugger`].)
//!
//! Stable element ids (documented in the README) let people's own browser tests drive
//! these pages: `#stickler-login` (form), `#username`, `#password`, `#sign-in` (submit),
//! `#login-error`, `#idp-error`, `#error-code`, `#error-description`, `#signed-out`.

use crate::journal::JournalEntry;
use crate::params::Params;
use crate::tenant::Tenant;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

pub(super) fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " · Stickler IdP" }
                style { "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.6rem 0}input{width:100%;padding:.4rem}button{margin-top:1rem;padding:.5rem 1.2rem}.err{color:#a00}code{word-break:break-all}" }
            }
            body { (body) }
        }
    }
}

/// The login form for a pending authorization request.
pub fn login_page(
    tenant: &Tenant,
    action: &str,
    challenge: &str,
    client_name: &str,
    error: Option<&str>,
) -> Response {
    let page = layout(
        "Sign in",
        html! {
            h1 { "Sign in" }
            p { "to " strong { (client_name) } " through the Stickler IdP (tenant " code { (tenant.name) } ")" }
            (login_form(action, &[("login_challenge", challenge)], error, false))
        },
    );
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    (status, Html(page.into_string())).into_response()
}

/// The login form (`#stickler-login`) with its hidden fields; `device` adds the
/// device verification's `#deny` button and names the buttons' `action`.
pub(super) fn login_form(
    action: &str,
    hidden: &[(&str, &str)],
    error: Option<&str>,
    device: bool,
) -> Markup {
    html! {
        @if let Some(e) = error { p id="login-error" class="err" role="alert" { (e) } }
        form id="stickler-login" method="post" action=(action) {
            @for (name, value) in hidden { input type="hidden" name=(name) value=(value); }
            label for="username" { "Username" input id="username" name="username" autocomplete="username" autofocus; }
            label for="password" { "Password" input id="password" name="password" type="password" autocomplete="current-password"; }
            @if device {
                button id="sign-in" type="submit" name="action" value="sign_in" { "Sign in and allow" }
                " "
                button id="deny" type="submit" name="action" value="deny" formnovalidate { "Deny" }
            } @else {
                button id="sign-in" type="submit" { "Sign in" }
            }
        }
    }
}

/// The provider's own error page: where errors go that must not reach the app
/// (unknown client, unregistered redirect URI).
pub fn error_page(tenant: &Tenant, query: &Params) -> Response {
    let code = query.get("error").unwrap_or("unknown_error");
    let description = query.get("error_description").unwrap_or("");
    let mut entry = JournalEntry::new(crate::protocol::Endpoint::ErrorPage, "GET", &query.0);
    entry.status = 400;
    entry.outcome = crate::protocol::Outcome::ErrorPage;
    entry.error = Some(code.into());
    entry.error_description = Some(description.into());
    tenant.record(entry);
    error_markup(code, description)
}

/// Renders an error page with status 400.
pub fn error_markup(code: &str, description: &str) -> Response {
    let page = layout(
        "Error",
        html! {
            h1 { "The sign-in request was refused" }
            div id="idp-error" role="alert" {
                p { "Error: " code id="error-code" { (code) } }
                p id="error-description" { (description) }
            }
            p { "The identity provider did not send you back to the application because the request itself could not be trusted." }
        },
    );
    (StatusCode::BAD_REQUEST, Html(page.into_string())).into_response()
}

/// Shown after end-session when there is nowhere to send the browser back to.
pub fn signed_out_page() -> Response {
    let page = layout(
        "Signed out",
        html! { h1 id="signed-out" { "You are signed out." } },
    );
    Html(page.into_string()).into_response()
}

/// A form that posts the authorization response to the app (`response_mode=form_post`).
pub fn form_post(action: &str, fields: &[(String, String)]) -> Response {
    let page = layout(
        "Redirecting",
        html! {
            form id="form-post" method="post" action=(action) {
                @for (k, v) in fields { input type="hidden" name=(k) value=(v); }
                noscript { button type="submit" { "Continue" } }
            }
            script { "document.getElementById('form-post').submit()" }
        },
    );
    Html(page.into_string()).into_response()
}
