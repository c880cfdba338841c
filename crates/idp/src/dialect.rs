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
    /// Okta (quirks.md §2): RFC 6749 delivery, Okta's texts where the catalogue has them
    /// (O5, O6, O7), JSON errors with `error_description` before `error` (O7).
    Okta,
    /// Microsoft Entra ID (quirks.md §3): `AADSTS` texts on Microsoft's own page (E9,
    /// E10).
    Entra,
    /// Google (quirks.md §4): refused scopes on Google's page (G3); a terse
    /// `Bad Request` for a bad code (G6, inferred).
    Google,
    /// Keycloak (quirks.md §6): its code-grant (K3), client (K4), redirect (K5) and PKCE
    /// (K6) texts.
    Keycloak,
    /// Authentik (quirks.md §7): its redirect and client-id page texts (AK4).
    Authentik,
}

/// A token request refused over its authorization code, as each dialect words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeFailure {
    /// No such code.
    Unknown,
    /// The code was redeemed before.
    Reused,
    /// The code expired.
    Expired,
    /// Another client's code.
    OtherClient,
    /// `redirect_uri` differs from the authorization request's.
    RedirectMismatch,
    /// The PKCE verifier does not match the challenge.
    PkceMismatch,
}

/// Where the refusal of a user not assigned to the app is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAssigned {
    /// Sent back to the app as an error redirect.
    ToApp(OAuthError),
    /// Shown on the provider's own page.
    OnPage(OAuthError),
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
            // The vendors' own texts are whole sentences: the hint alone, else the base.
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => {
                e.hint.clone().unwrap_or_else(|| e.description.to_string())
            }
        }
    }

    /// The bytes of a JSON error body.
    pub fn json_text(self, e: &OAuthError) -> String {
        match self {
            // quirks.md O7: `{"error_description":"…","error":"…"}`, in that order.
            ErrorDialect::Okta => format!(
                "{{\"error_description\":{},\"error\":{}}}",
                serde_json::Value::String(self.describe(e)),
                serde_json::Value::String(e.code.to_string())
            ),
            ErrorDialect::Fosite
            | ErrorDialect::Rfc6749
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => e.json_body(self).to_string(),
        }
    }

    /// The status of a redirect back to the app, success or error.
    pub fn redirect_status(self) -> StatusCode {
        match self {
            // fosite `authorize_error.go`, `authorize_write.go`: 303 See Other.
            ErrorDialect::Fosite => StatusCode::SEE_OTHER,
            // RFC 6749 §4.1.2.1 shows 302; the vendors' status is not catalogued [I].
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => StatusCode::FOUND,
        }
    }

    /// Whether an error redirect carries `state` even when the app sent none (as
    /// `state=`; fosite `authorize_error.go:48`). RFC 6749 §4.1.2.1: only when sent.
    pub fn error_state_always(self) -> bool {
        match self {
            ErrorDialect::Fosite => true,
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => false,
        }
    }

    /// Where an authorization error that cannot be trusted to the app is shown.
    pub fn page_delivery(self) -> PageDelivery {
        match self {
            ErrorDialect::Fosite => PageDelivery::ForwardToErrorUrl,
            // quirks.md O6 (HTML 400), E9, K5, AK4: the vendor's own page, no redirect.
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => PageDelivery::RenderInPlace,
        }
    }

    /// How the query of a redirect to the app is encoded.
    pub fn query_encoding(self) -> QueryEncoding {
        match self {
            ErrorDialect::Fosite => QueryEncoding::GoSortedValues,
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => QueryEncoding::FormAppended,
        }
    }

    /// Whether an OpenID request must name its `redirect_uri` even when the client
    /// registered only one (fosite `authorize_helper.go`, quirks.md E-REDIR-MISSING);
    /// RFC 6749 §3.1.2.3 lets the single registered one stand in.
    pub fn redirect_uri_required_for_openid(self) -> bool {
        match self {
            ErrorDialect::Fosite => true,
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => false,
        }
    }

    /// Whether unknown `prompt` values and `none` with others are refused after the
    /// login (fosite `handler/openid/validator.go`, quirks.md E-PROMPT).
    pub fn checks_prompt_after_login(self) -> bool {
        match self {
            ErrorDialect::Fosite => true,
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => false,
        }
    }

    /// Whether the code redirect carries the granted `scope` (Hydra always does,
    /// quirks.md §1.6 "Authorization code"; RFC 6749 §4.1.2 has no `scope` there).
    pub fn scope_with_code(self) -> bool {
        match self {
            ErrorDialect::Fosite => true,
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => false,
        }
    }

    /// The `Content-Type` of a successful token response, when the dialect fixes its
    /// exact bytes (fosite `WriteAccessResponse`: `application/json;charset=UTF-8`, no
    /// space); `None`: `application/json`.
    pub fn token_content_type(self) -> Option<&'static str> {
        match self {
            ErrorDialect::Fosite => Some("application/json;charset=UTF-8"),
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => None,
        }
    }

    /// The hint for a token request whose body is not a form. fosite says only that the
    /// form is empty (quirks.md E-TOKEN-JSON); a plain RFC 6749 provider explains.
    pub fn empty_token_body_hint(self, non_form_body: bool) -> &'static str {
        match self {
            ErrorDialect::Fosite => "The POST body can not be empty.",
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => {
                if non_form_body {
                    "The POST body can not be empty. The body must be 'application/x-www-form-urlencoded'."
                } else {
                    "The POST body can not be empty."
                }
            }
        }
    }

    /// The error for a bad or expired bearer token at userinfo: fosite's non-standard
    /// `request_unauthorized` (quirks.md E-USERINFO), else RFC 6750 §3.1 `invalid_token`.
    pub fn bad_userinfo_token(self, hint: &str) -> OAuthError {
        match self {
            ErrorDialect::Fosite => OAuthError::request_unauthorized()
                .hint("Check that you provided valid credentials in the right format."),
            ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => OAuthError::invalid_token().hint(hint.to_string()),
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
        let body = dialect.json_text(&self);
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

/// The texts each dialect words its errors with.
impl ErrorDialect {
    /// An unknown `client_id` at the authorization endpoint (shown on a page).
    pub fn unknown_client(self) -> OAuthError {
        match self {
            // quirks.md E-CLIENT-UNKNOWN.
            ErrorDialect::Fosite
            | ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google => {
                OAuthError::invalid_client().hint("The requested OAuth 2.0 Client does not exist.")
            }
            // quirks.md K5: `Client not found.` on Keycloak's page.
            ErrorDialect::Keycloak => OAuthError::invalid_client().hint("Client not found."),
            // quirks.md AK4: "Client ID Error".
            ErrorDialect::Authentik => OAuthError::invalid_client()
                .hint("The client identifier (client_id) is missing or invalid."),
        }
    }

    /// A `redirect_uri` that matches none of the client's (shown on a page).
    pub fn redirect_mismatch(self, client_id: &str, redirect_uri: &str) -> OAuthError {
        let hint = match self {
            // quirks.md E-REDIR-MISMATCH.
            ErrorDialect::Fosite | ErrorDialect::Rfc6749 | ErrorDialect::Google => {
                "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.".to_string()
            }
            // quirks.md O6 (the org is `stickler`).
            ErrorDialect::Okta => format!(
                "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: https://stickler-admin.okta.com/admin/app/oidc_client/instance/{client_id}#tab-general"
            ),
            // quirks.md E9.
            ErrorDialect::Entra => format!(
                "AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
            ),
            // quirks.md K5.
            ErrorDialect::Keycloak => "Invalid parameter: redirect_uri".to_string(),
            // quirks.md AK4 ("Redirect URI Error").
            ErrorDialect::Authentik => "The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).".to_string(),
        };
        OAuthError::invalid_request().hint(hint)
    }

    /// A user who signed in but is not assigned to the app.
    pub fn not_assigned(self, username: &str, client_id: &str, app_name: &str) -> NotAssigned {
        match self {
            // JumpCloud's own text is not public (quirks.md J3): fosite's base text and
            // a hint, back to the app.
            ErrorDialect::Fosite
            | ErrorDialect::Rfc6749
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => NotAssigned::ToApp(OAuthError::access_denied().hint(
                format!(
                    "The user '{username}' is not a member of any group assigned to the application '{app_name}'."
                ),
            )),
            // quirks.md O5: `error_description=User+is+not+assigned+to+the+client+application`.
            ErrorDialect::Okta => NotAssigned::ToApp(
                OAuthError::access_denied().hint("User is not assigned to the client application"),
            ),
            // quirks.md E10, on Microsoft's page (the UPN is the username here).
            ErrorDialect::Entra => NotAssigned::OnPage(OAuthError::access_denied().hint(format!(
                "AADSTS50105: The signed in user '{username}' is not assigned to a role for the application '{client_id}'({app_name})."
            ))),
        }
    }

    /// Wrong, missing or unknown client credentials at the token endpoint.
    pub fn bad_client_credentials(self) -> OAuthError {
        match self {
            // quirks.md E-AUTH-BAD: the base text only.
            ErrorDialect::Fosite
            | ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Authentik => OAuthError::invalid_client(),
            // quirks.md K4.
            ErrorDialect::Keycloak => {
                OAuthError::invalid_client().hint("Invalid client or Invalid client credentials")
            }
        }
    }

    /// Credentials in the `Authorization` header and in the body at once, where the
    /// `refuse_multiple_client_credentials` quirk refuses them.
    pub fn multiple_client_credentials(self) -> OAuthError {
        match self {
            // quirks.md O7: HTTP 401 `invalid_request`.
            ErrorDialect::Okta => OAuthError::invalid_request()
                .hint("Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.")
                .status(StatusCode::UNAUTHORIZED),
            // RFC 6749 §2.3: "MUST NOT use more than one authentication method in each
            // request"; the others' wording is not catalogued.
            ErrorDialect::Fosite
            | ErrorDialect::Rfc6749
            | ErrorDialect::Entra
            | ErrorDialect::Google
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => OAuthError::invalid_request()
                .hint("The client used more than one authentication method in the request."),
        }
    }

    /// A refused authorization code.
    pub fn code_failure(self, failure: CodeFailure) -> OAuthError {
        let fosite = || {
            match failure {
            // quirks.md E-CODE-BAD / EXPIRED: base text only.
            CodeFailure::Unknown | CodeFailure::Expired => OAuthError::invalid_grant(),
            CodeFailure::Reused => {
                OAuthError::invalid_grant().hint("The authorization code has already been used.")
            }
            CodeFailure::OtherClient => OAuthError::invalid_grant().hint(
                "The OAuth 2.0 Client ID from this request does not match the one from the authorize request.",
            ),
            CodeFailure::RedirectMismatch => OAuthError::invalid_grant().hint(
                "The 'redirect_uri' from this request does not match the one from the authorize request.",
            ),
            CodeFailure::PkceMismatch => OAuthError::invalid_grant()
                .hint("The PKCE code challenge did not match the code verifier."),
        }
        };
        match self {
            ErrorDialect::Fosite
            | ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Authentik => fosite(),
            // quirks.md G6 [I]: `{"error":"invalid_grant","error_description":"Bad Request"}`.
            ErrorDialect::Google => match failure {
                CodeFailure::Unknown | CodeFailure::Reused | CodeFailure::Expired => {
                    OAuthError::invalid_grant().hint("Bad Request")
                }
                _ => fosite(),
            },
            // quirks.md K3, K6.
            ErrorDialect::Keycloak => OAuthError::invalid_grant().hint(match failure {
                CodeFailure::Unknown | CodeFailure::Reused => "Code not valid",
                CodeFailure::Expired => "Code is expired",
                CodeFailure::OtherClient => {
                    "Auth error: Found different client_id in clientSession"
                }
                CodeFailure::RedirectMismatch => "Incorrect redirect_uri",
                CodeFailure::PkceMismatch => "PKCE verification failed: Code mismatch",
            }),
        }
    }

    /// A scope the provider does not know, refused on its own page before the login,
    /// where the `refuse_unknown_scopes` quirk is on. `known` are the scopes it knows.
    pub fn unknown_scopes(self, requested: &[String], known: &[&str]) -> OAuthError {
        let (valid, invalid): (Vec<&String>, Vec<&String>) =
            requested.iter().partition(|s| known.contains(&s.as_str()));
        match self {
            // quirks.md G3: Google names `profile` and `email` by their URLs (the email
            // URL is [I]).
            ErrorDialect::Google => {
                let google = |s: &String| match s.as_str() {
                    "profile" => "https://www.googleapis.com/auth/userinfo.profile".to_string(),
                    "email" => "https://www.googleapis.com/auth/userinfo.email".to_string(),
                    other => other.to_string(),
                };
                let list =
                    |v: &[&String]| v.iter().map(|s| google(s)).collect::<Vec<_>>().join(", ");
                OAuthError::invalid_scope().hint(format!(
                    "Some requested scopes were invalid. {{valid=[{}], invalid=[{}]}}",
                    list(&valid),
                    list(&invalid)
                ))
            }
            ErrorDialect::Fosite
            | ErrorDialect::Rfc6749
            | ErrorDialect::Okta
            | ErrorDialect::Entra
            | ErrorDialect::Keycloak
            | ErrorDialect::Authentik => {
                let names: Vec<&str> = invalid.iter().map(|s| s.as_str()).collect();
                OAuthError::invalid_scope().hint(format!(
                    "The requested scope is not supported: '{}'.",
                    names.join(" ")
                ))
            }
        }
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
