//! Error dialects: every difference in how a provider delivers and words errors, and
//! the few protocol choices that travel with the same server software, behind one
//! exhaustive type. Each method matches on every dialect without a wildcard, so adding a
//! dialect does not compile until each difference is decided for it.

use crate::error::OAuthError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// How a provider's errors look on the wire (the `error_style` quirk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorDialect {
    /// Ory fosite / Hydra (JumpCloud): `error_description` = description + " " + hint
    /// with `"` turned into `'`; authorize errors are `303` redirects that always carry
    /// `state=` (even empty); client and redirect-URI errors are a `302` to the
    /// provider's error page (quirks.md §1.4).
    Fosite,
    /// RFC 6749 as written: `302` redirects, `state` only when the client sent one, a
    /// short description, and the error page rendered directly.
    Rfc6749,
}

/// Where an authorization error that cannot go back to the app is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageDelivery {
    /// A `302` to the provider's error URL with `error` and `error_description` in the
    /// query (Hydra's `forwardError`, `oauth2/handler.go`).
    ForwardToErrorUrl,
    /// The error page itself, `400`, at the authorization endpoint's URL.
    RenderInPlace,
}

/// How the query of a redirect back to the app is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryEncoding {
    /// Go's `url.Values.Encode`: every parameter (the redirect URI's own too) sorted by
    /// key, `url.QueryEscape`d.
    GoSortedValues,
    /// The WHATWG form encoding, parameters appended in order.
    FormAppended,
}

impl ErrorDialect {
    /// The `error_description` of an error.
    pub fn describe(self, e: &OAuthError) -> String {
        match self {
            // fosite `RFC6749Error.GetDescription`: description + " " + hint, `"` → `'`.
            ErrorDialect::Fosite => {
                let mut d = e.description.to_string();
                if let Some(h) = &e.hint {
                    d.push(' ');
                    d.push_str(h);
                }
                d.replace('"', "'")
            }
            ErrorDialect::Rfc6749 => e.hint.clone().unwrap_or_else(|| e.description.to_string()),
        }
    }

    /// The status of a redirect back to the app, success or error.
    pub fn redirect_status(self) -> StatusCode {
        match self {
            // fosite `authorize_error.go`, `authorize_write.go`: 303 See Other.
            ErrorDialect::Fosite => StatusCode::SEE_OTHER,
            ErrorDialect::Rfc6749 => StatusCode::FOUND,
        }
    }

    /// Whether an error redirect carries `state` even when the app sent none (as
    /// `state=`; fosite `authorize_error.go:48`). RFC 6749 §4.1.2.1: only when sent.
    pub fn error_state_always(self) -> bool {
        match self {
            ErrorDialect::Fosite => true,
            ErrorDialect::Rfc6749 => false,
        }
    }

    /// Where an authorization error that cannot be trusted to the app is shown.
    pub fn page_delivery(self) -> PageDelivery {
        match self {
            ErrorDialect::Fosite => PageDelivery::ForwardToErrorUrl,
            ErrorDialect::Rfc6749 => PageDelivery::RenderInPlace,
        }
    }

    /// How the query of a redirect to the app is encoded.
    pub fn query_encoding(self) -> QueryEncoding {
        match self {
            ErrorDialect::Fosite => QueryEncoding::GoSortedValues,
            ErrorDialect::Rfc6749 => QueryEncoding::FormAppended,
        }
    }

    /// Whether an OpenID request must name its `redirect_uri` even when the client
    /// registered only one (fosite `authorize_helper.go`, quirks.md E-REDIR-MISSING);
    /// RFC 6749 §3.1.2.3 lets the single registered one stand in.
    pub fn redirect_uri_required_for_openid(self) -> bool {
        match self {
            ErrorDialect::Fosite => true,
            ErrorDialect::Rfc6749 => false,
        }
    }

    /// Whether unknown `prompt` values and `none` with others are refused after the
    /// login (fosite `handler/openid/validator.go`, quirks.md E-PROMPT).
    pub fn checks_prompt_after_login(self) -> bool {
        match self {
            ErrorDialect::Fosite => true,
            ErrorDialect::Rfc6749 => false,
        }
    }

    /// Whether the code redirect carries the granted `scope` (Hydra always does,
    /// quirks.md §1.6 "Authorization code"; RFC 6749 §4.1.2 has no `scope` there).
    pub fn scope_with_code(self) -> bool {
        match self {
            ErrorDialect::Fosite => true,
            ErrorDialect::Rfc6749 => false,
        }
    }

    /// The `Content-Type` of a successful token response, when the dialect fixes its
    /// exact bytes (fosite `WriteAccessResponse`: `application/json;charset=UTF-8`, no
    /// space); `None`: `application/json`.
    pub fn token_content_type(self) -> Option<&'static str> {
        match self {
            ErrorDialect::Fosite => Some("application/json;charset=UTF-8"),
            ErrorDialect::Rfc6749 => None,
        }
    }

    /// The hint for a token request whose body is not a form. fosite says only that the
    /// form is empty (quirks.md E-TOKEN-JSON); a plain RFC 6749 provider explains.
    pub fn empty_token_body_hint(self, non_form_body: bool) -> &'static str {
        match self {
            ErrorDialect::Rfc6749 if non_form_body => {
                "The POST body can not be empty. The body must be 'application/x-www-form-urlencoded'."
            }
            ErrorDialect::Fosite | ErrorDialect::Rfc6749 => "The POST body can not be empty.",
        }
    }

    /// The error for a bad or expired bearer token at userinfo: fosite's non-standard
    /// `request_unauthorized` (quirks.md E-USERINFO), else RFC 6750 §3.1 `invalid_token`.
    pub fn bad_userinfo_token(self, hint: &str) -> OAuthError {
        match self {
            ErrorDialect::Fosite => OAuthError::request_unauthorized()
                .hint("Check that you provided valid credentials in the right format."),
            ErrorDialect::Rfc6749 => OAuthError::invalid_token().hint(hint.to_string()),
        }
    }
}

/// Rendering an error in a dialect.
impl OAuthError {
    /// The `error_description` as the dialect words it.
    pub fn description_in(&self, dialect: ErrorDialect) -> String {
        dialect.describe(self)
    }

    /// The JSON body `{"error":…,"error_description":…}`.
    pub fn json_body(&self, dialect: ErrorDialect) -> serde_json::Value {
        serde_json::json!({ "error": self.code, "error_description": self.description_in(dialect) })
    }

    /// A JSON error response as the token, revocation and admin endpoints send it.
    pub fn into_json_response(self, dialect: ErrorDialect) -> Response {
        let body = self.json_body(dialect).to_string();
        let mut resp = (self.status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        resp
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}",
            self.code,
            self.description_in(ErrorDialect::Fosite)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fosite_joins_hint_and_swaps_quotes() {
        let e = OAuthError::invalid_state().hint("Request parameter \"state\" must be at least be 8 characters long to ensure sufficient entropy.");
        assert_eq!(
            ErrorDialect::Fosite.describe(&e),
            "The state is missing or does not have enough characters and is therefore considered too weak. Request parameter 'state' must be at least be 8 characters long to ensure sufficient entropy."
        );
    }

    #[test]
    fn rfc_style_prefers_the_hint() {
        let e = OAuthError::invalid_grant().hint("code expired");
        assert_eq!(ErrorDialect::Rfc6749.describe(&e), "code expired");
    }
}
