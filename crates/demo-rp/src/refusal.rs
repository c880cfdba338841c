//! Why a sign-in failed: each reason knows its HTTP status and renders itself as the
//! error page (4xx), except the crashes that bug switches ask for (500).

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
}

fn idp_text(error: &str, description: &Option<String>) -> String {
    match description.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => format!("{error}: {d}"),
        None => error.to_string(),
    }
}

impl Refusal {
    /// What an unhandled ID-token error looks like (bug `crash-on-invalid-token`): a
    /// panic message and a backtrace, as a framework's default 500 page shows them.
    pub fn unhandled_id_token_error(why: &str) -> Refusal {
        Refusal::Crash(format!(
            "thread 'tokio-runtime-worker' panicked at crates/demo-rp/src/oidc.rs:\n\
             called `Result::unwrap()` on an `Err` value: IdTokenError({why:?})\n\
             stack backtrace:\n\
             \x20  0: demo_rp::oidc::Provider::validate_id_token\n\
             \x20  1: demo_rp::oidc::Provider::sign_in\n\
             \x20  2: demo_rp::routes::finish\n\
             \x20  3: demo_rp::routes::callback\n\
             note: run with `RUST_BACKTRACE=full` for a verbose backtrace."
        ))
    }

    /// The HTTP status it is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Crash(_) => StatusCode::INTERNAL_SERVER_ERROR,
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

    #[tokio::test]
    async fn an_unhandled_id_token_error_is_a_500_with_a_trace_and_no_error_element() {
        let resp = Refusal::unhandled_id_token_error("Invalid issuer").into_response();
        assert_eq!(resp.status(), 500);
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            text.starts_with("Internal Server Error\n\nthread ")
                && text.contains("IdTokenError(\"Invalid issuer\")")
                && text.contains("\n   1: demo_rp::oidc::Provider::sign_in\n")
                && !text.contains("id=\"error\""),
            "{text}"
        );
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
