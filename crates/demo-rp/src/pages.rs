//! The demo app's HTML: the home page (signed in or not) and the error page. Every
//! user-visible fact sits in a stable id the scenario files and steps name.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// The signed-in user as the home page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// `name`, else `preferred_username`, else `email`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `sub`.
    pub sub: String,
    /// The groups claim, normalised to a list.
    pub groups: Vec<String>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn layout(body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Stickler demo app</title></head>\n\
         <body><h1>Stickler demo app</h1>\n{body}\n</body></html>\n"
    )
}

/// `GET /`: the user and a sign-out link, or a sign-in link.
pub fn home(user: Option<&User>) -> Response {
    let body = match user {
        Some(u) => {
            let groups: String = u
                .groups
                .iter()
                .map(|g| format!("<li class=\"group\">{}</li>", esc(g)))
                .collect();
            format!(
                "<div id=\"user\">Signed in as <span id=\"user-name\">{}</span> (<span id=\"user-email\">{}</span>), \
                 sub <span id=\"user-sub\">{}</span></div>\n<ul id=\"user-groups\">{groups}</ul>\n\
                 <a id=\"logout\" href=\"/logout\">Sign out</a>",
                esc(&u.name),
                esc(&u.email),
                esc(&u.sub)
            )
        }
        None => "<p id=\"signed-out\">You are not signed in.</p>\n<a id=\"login\" href=\"/login\">Sign in with SSO</a>".into(),
    };
    Html(layout(&body)).into_response()
}

/// A refused sign-in, shown to the person: `#error` says why.
pub fn error(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<div id=\"error\" role=\"alert\">Sign-in failed: {}</div>\n<a id=\"home\" href=\"/\">Back to the start page</a>",
        esc(message)
    );
    (status, Html(layout(&body))).into_response()
}

/// A generic server error page without `#error` (bug `refuse-with-500`), worded as
/// Auth.js's built-in error page for `error=Configuration`: the reason is only logged.
pub fn server_error(status: StatusCode) -> Response {
    let page = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error</title></head>\n\
                <body><div><h1>Server error</h1>\n\
                <p>There is a problem with the server configuration.</p>\n\
                <p>Check the server logs for more information.</p></div></body></html>\n";
    (status, Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    async fn text(resp: Response) -> String {
        String::from_utf8(to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn signed_in_page_shows_the_user_escaped() {
        let u = User {
            name: "Carol <Admin>".into(),
            email: "carol@example.com".into(),
            sub: "u-3".into(),
            groups: vec!["Engineering".into(), "Admins".into()],
        };
        let html = text(home(Some(&u))).await;
        assert!(
            html.contains("<span id=\"user-name\">Carol &lt;Admin&gt;</span>"),
            "{html}"
        );
        assert!(html.contains("<span id=\"user-email\">carol@example.com</span>"));
        assert!(html.contains("<ul id=\"user-groups\"><li class=\"group\">Engineering</li><li class=\"group\">Admins</li></ul>"));
        assert!(html.contains("<a id=\"logout\" href=\"/logout\">"));
        assert!(
            html.contains("<title>Stickler demo app</title>")
                && html.contains("<h1>Stickler demo app</h1>")
        );
    }

    #[tokio::test]
    async fn signed_out_page_has_no_user() {
        let html = text(home(None)).await;
        assert!(html.contains("<a id=\"login\" href=\"/login\">Sign in with SSO</a>"));
        assert!(!html.contains("id=\"user\""));
    }

    #[tokio::test]
    async fn error_page_says_why() {
        let resp = error(StatusCode::BAD_REQUEST, "access_denied: no group");
        assert_eq!(resp.status(), 400);
        assert!(text(resp).await.contains(
            "<div id=\"error\" role=\"alert\">Sign-in failed: access_denied: no group</div>"
        ));
    }
}
