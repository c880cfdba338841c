//! Why a sign-in failed: each reason knows its HTTP status and renders itself as the
//! error page (4xx), except the server errors that bug switches ask for (500). Some
//! bugs make a refusal end the process instead: [`Refusal::handling`] decides.

use crate::bugs::{Bug, Bugs};
use crate::pages;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refused sign-in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The IdP redirected back with `error` (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6).
    #[error("{}", idp_text(.error, .description))]
    Idp {
        /// `error`.
        error: String,
        /// `error_description`, if any.
        description: Option<String>,
    },
    /// No pending flow for this browser: no, unknown, expired or already used cookie.
    #[error(
        "no sign-in is in progress in this browser (the flow cookie is missing, expired or already used)"
    )]
    NoFlow,
    /// The callback's `state` is not the one sent (OIDC Core §3.1.2.7).
    #[error("state mismatch: this callback does not belong to the sign-in this browser started")]
    StateMismatch,
    /// Neither `code` nor `error` on the callback.
    #[error("the callback carries neither a code nor an error")]
    NoCode,
    /// The token endpoint refused the code or could not be reached.
    #[error("the token request failed: {0}")]
    Token(String),
    /// The token response has no `id_token` (OIDC Core §3.1.3.3).
    #[error("the token response has no id_token")]
    NoIdToken,
    /// The ID token failed validation (OIDC Core §3.1.3.7).
    #[error("the ID token was refused: {0}")]
    IdToken(String),
    /// The userinfo request failed or spoke of another subject (OIDC Core §5.3.2).
    #[error("the userinfo request failed: {0}")]
    UserInfo(String),
    /// Discovery gave no usable metadata, e.g. the document names another issuer
    /// (OIDC Discovery §4.3): no sign-in can start.
    #[error("the app cannot start a sign-in: {0}")]
    Discovery(String),
    /// A claim the app needs has a shape it cannot read.
    #[error("{0}")]
    Claims(String),
    /// An unhandled error, as a bug switch simulates: HTTP 500 and the raw text.
    #[error("{0}")]
    Crash(String),
    /// An ID-token refusal shown as a generic server error page (bug
    /// `refuse-with-500`): HTTP 500, no `#error`, the reason only in the log.
    #[error("the ID token was refused: {0}")]
    ServerErrorPage(String),
    /// The app cannot start a sign-in at all (bug `no-sign-in`).
    #[error("sign-in is not configured")]
    NotConfigured,
}

/// What the app does with a refused sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handling {
    /// Answers it (an error page, whatever its status).
    Answer(Refusal),
    /// Ends the process: this line goes to stderr, then exit status 1 (the
    /// `crash-on-…` bugs).
    Exit(String),
}

fn idp_text(error: &str, description: &Option<String>) -> String {
    match description.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => format!("{error}: {d}"),
        None => error.to_string(),
    }
}

impl Refusal {
    /// What the app does with this refusal, by its bugs: `crash-on-idp-error` and
    /// `crash-on-invalid-token` end the process (an unhandled rejection in Node.js);
    /// `refuse-with-500` answers an ID-token refusal with a bare 500 page. The crash
    /// wins when both apply.
    pub fn handling(self, bugs: &Bugs) -> Handling {
        let crash = match &self {
            Refusal::Idp { .. } => bugs.has(Bug::CrashOnIdpError),
            Refusal::IdToken(_) => bugs.has(Bug::CrashOnInvalidToken),
            _ => false,
        };
        if crash {
            return Handling::Exit(format!("unhandled error: {self}"));
        }
        match self {
            Refusal::IdToken(why) if bugs.has(Bug::RefuseWith500) => {
                Handling::Answer(Refusal::ServerErrorPage(why))
            }
            other => Handling::Answer(other),
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Crash(_) | Refusal::ServerErrorPage(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Refusal::IdToken(_) | Refusal::UserInfo(_) => StatusCode::UNAUTHORIZED,
            Refusal::Idp { error, .. } if error == "access_denied" => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            // What a framework's default handler shows for an unhandled exception.
            Refusal::Crash(detail) if detail.is_empty() => {
                (status, "Internal Server Error").into_response()
            }
            Refusal::Crash(detail) => {
                (status, format!("Internal Server Error\n\n{detail}")).into_response()
            }
            Refusal::ServerErrorPage(_) => pages::server_error(status),
            other => pages::error(status, &other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idp_errors_read_as_error_and_description() {
        let r = Refusal::Idp {
            error: "access_denied".into(),
            description: Some("not in a group".into()),
        };
        assert_eq!(r.to_string(), "access_denied: not in a group");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = Refusal::Idp {
            error: "invalid_state".into(),
            description: None,
        };
        assert_eq!(r.to_string(), "invalid_state");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    fn bugs(names: &str) -> Bugs {
        Bugs::parse([names]).unwrap()
    }

    async fn text(resp: Response) -> String {
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    fn idp_error() -> Refusal {
        Refusal::Idp {
            error: "access_denied".into(),
            description: Some("not in a group".into()),
        }
    }

    #[test]
    fn refusals_are_answered_unless_a_crash_bug_ends_the_process() {
        let id_token = || Refusal::IdToken("Invalid issuer".into());
        let answered = Handling::Answer;
        assert_eq!(id_token().handling(&Bugs::default()), answered(id_token()));
        assert_eq!(
            idp_error().handling(&Bugs::default()),
            answered(idp_error())
        );
        assert_eq!(
            id_token().handling(&bugs("crash-on-invalid-token")),
            Handling::Exit("unhandled error: the ID token was refused: Invalid issuer".into())
        );
        assert_eq!(
            idp_error().handling(&bugs("crash-on-idp-error")),
            Handling::Exit("unhandled error: access_denied: not in a group".into())
        );
        // Each crash bug is about its own refusal only.
        assert_eq!(
            idp_error().handling(&bugs("crash-on-invalid-token")),
            answered(idp_error())
        );
        assert_eq!(
            id_token().handling(&bugs("crash-on-idp-error")),
            answered(id_token())
        );
        for other in [
            Refusal::StateMismatch,
            Refusal::Token("invalid_grant".into()),
        ] {
            let all = bugs("crash-on-invalid-token,crash-on-idp-error,refuse-with-500");
            assert_eq!(other.clone().handling(&all), answered(other));
        }
    }

    #[tokio::test]
    async fn refuse_with_500_answers_id_token_refusals_with_a_bare_server_error() {
        let handled = Refusal::IdToken("Invalid issuer".into()).handling(&bugs("refuse-with-500"));
        assert_eq!(
            handled,
            Handling::Answer(Refusal::ServerErrorPage("Invalid issuer".into()))
        );
        let Handling::Answer(refusal) = handled else {
            unreachable!()
        };
        assert_eq!(
            refusal.to_string(),
            "the ID token was refused: Invalid issuer"
        );
        let resp = refusal.into_response();
        assert_eq!(resp.status(), 500);
        let page = text(resp).await;
        assert!(
            page.contains("Server error")
                && !page.contains("id=\"error\"")
                && !page.contains("Invalid issuer"),
            "{page}"
        );
        // Other refusals keep their page; the crash wins over the 500.
        assert_eq!(
            Refusal::StateMismatch.handling(&bugs("refuse-with-500")),
            Handling::Answer(Refusal::StateMismatch)
        );
        assert!(matches!(
            Refusal::IdToken("x".into()).handling(&bugs("refuse-with-500,crash-on-invalid-token")),
            Handling::Exit(_)
        ));
    }

    #[tokio::test]
    async fn not_configured_is_an_error_page() {
        let resp = Refusal::NotConfigured.into_response();
        assert!(resp.status().is_client_error());
        assert!(text(resp).await.contains(
            "<div id=\"error\" role=\"alert\">Sign-in failed: sign-in is not configured</div>"
        ));
    }

    #[test]
    fn only_crashes_are_server_errors() {
        assert_eq!(Refusal::Crash(String::new()).into_response().status(), 500);
        for r in [
            Refusal::NoFlow,
            Refusal::StateMismatch,
            Refusal::IdToken("x".into()),
            Refusal::Discovery("x".into()),
        ] {
            assert!(r.into_response().status().is_client_error());
        }
    }
}
