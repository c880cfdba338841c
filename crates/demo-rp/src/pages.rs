//! The demo app's HTML: the home page (signed in or not) and the error page. Every
//! user-visible fact sits in a stable id the scenario file names.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn layout(body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Stickler demo app</title></head><body><h1>Stickler demo app</h1>{body}</body></html>"
    )
}

/// The signed-in user as the home page shows it.
#[derive(Debug, Clone)]
pub struct Shown {
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Subject.
    pub sub: String,
    /// Groups.
    pub groups: Vec<String>,
}

/// `GET /`.
pub fn home(user: Option<&Shown>) -> Response {
    let body = match user {
        Some(u) => {
            let groups: String = u.groups.iter().map(|g| format!("<li class=\"group\">{}</li>", esc(g))).collect();
            format!(
                "<div id=\"user\">Signed in as <span id=\"user-name\">{}</span> (<span id=\"user-email\">{}</span>), sub <span id=\"user-sub\">{}</span></div><ul id=\"user-groups\">{groups}</ul><a id=\"logout\" href=\"/logout\">Sign out</a>",
                esc(&u.name),
                esc(&u.email),
                esc(&u.sub)
            )
        }
        None => "<p>You are not signed in.</p><a id=\"login\" href=\"/login\">Sign in with SSO</a>".into(),
    };
    Html(layout(&body)).into_response()
}

/// A refused sign-in, shown to the person.
pub fn error(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<div id=\"error\" role=\"alert\">Sign-in failed: {}</div><a id=\"login\" href=\"/login\">Try again</a>",
        esc(message)
    );
    (status, Html(layout(&body))).into_response()
}
