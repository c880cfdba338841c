//! The authorization endpoint (OIDC Core §3.1.2), validating in fosite's order
//! (`authorize_request_handler.go`) and delivering errors the way the profile does:
//! to the app by redirect once the redirect URI is trusted, to the provider's own error
//! page before that.

use super::{Req, pages};
use crate::dialect::{ErrorDialect, PageDelivery, QueryEncoding};
use crate::error::OAuthError;
use crate::journal::JournalEntry;
use crate::model::Client;
use crate::protocol::{Endpoint, Outcome, ResponseMode};
use crate::quirks::{AuthorizeError, Quirks};
use crate::tenant::{EndpointPaths, PendingLogin, Tenant};
use crate::tokens::{now, random_token};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// How long a login challenge stays valid.
const LOGIN_TTL: u64 = 600;

/// Where an authorization error goes.
#[derive(Debug)]
pub enum AuthzError {
    /// The request is not trustworthy enough to redirect: the provider's error page.
    Page(OAuthError),
    /// Back to the app's redirect URI.
    Redirect {
        /// The error.
        err: OAuthError,
        /// The validated redirect URI.
        redirect_uri: String,
        /// `state` as sent.
        state: Option<String>,
        /// How the response reaches the app.
        response_mode: ResponseMode,
    },
}

/// `GET|POST` the authorization endpoint.
pub fn authorize(tenant: &Tenant, req: Req) -> Response {
    let params = req.params();
    let mut entry = JournalEntry::new(Endpoint::Authorize, req.method.as_str(), &params.0);
    if req.method == axum::http::Method::POST && req.form.is_none() {
        let err = OAuthError::invalid_request()
            .hint("The request body must be 'application/x-www-form-urlencoded'.");
        return deliver(tenant, entry, AuthzError::Page(err));
    }
    let quirks = tenant.lock().quirks.clone();
    match validate(tenant, &quirks, &params) {
        Ok(pending) => {
            let challenge = random_token("", 24);
            let client_name = tenant
                .lock()
                .clients
                .get(&pending.client_id)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            tenant.lock().add_login(challenge.clone(), pending, now());
            entry.status = 200;
            entry.outcome = Outcome::LoginPage;
            tenant.record(entry);
            let action = tenant.url(EndpointPaths::of(quirks.endpoint_layout).login);
            pages::login_page(tenant, &action, &challenge, &client_name, None)
        }
        Err(e) => {
            entry.status = 0;
            deliver(tenant, entry, e)
        }
    }
}

// Runs once per request and the error is consumed at once; boxing it buys nothing.
#[allow(clippy::result_large_err)]
fn validate(
    tenant: &Tenant,
    q: &Quirks,
    params: &crate::params::Params,
) -> Result<PendingLogin, AuthzError> {
    params.reject_repeats().map_err(AuthzError::Page)?;
    // 1. The client.
    let client: Client = {
        let s = tenant.lock();
        match params.get("client_id").and_then(|id| s.clients.get(id)) {
            Some(c) => c.clone(),
            None => return Err(AuthzError::Page(q.error_style.unknown_client())),
        }
    };
    // 2. Request objects are not supported.
    if params.get("request").is_some() || params.get("request_uri").is_some() {
        return Err(AuthzError::Page(OAuthError::invalid_request().hint(
            "Request objects ('request' and 'request_uri') are not supported by this provider.",
        )));
    }
    // 3. response_mode, parsed before the redirect URI is trusted.
    let response_mode = match params.get("response_mode") {
        None => ResponseMode::Query,
        Some(m) => ResponseMode::parse(m).ok_or_else(|| {
            AuthzError::Page(
                OAuthError::unsupported_response_mode()
                    .hint(format!("Request with unsupported response_mode \"{m}\".")),
            )
        })?,
    };
    let scopes: Vec<String> = params
        .get("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let openid = scopes.iter().any(|s| s == "openid");
    // 4. Scopes the provider does not know at all, on its own page (Google, G3).
    const KNOWN_SCOPES: [&str; 3] = ["openid", "email", "profile"];
    if q.refuse_unknown_scopes && scopes.iter().any(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return Err(AuthzError::Page(
            q.error_style.unknown_scopes(&scopes, &KNOWN_SCOPES),
        ));
    }
    // 5. The redirect URI.
    let sent = params.get("redirect_uri").map(str::to_string);
    let redirect_uri = match &sent {
        Some(uri) => {
            if !client
                .redirect_uris
                .iter()
                .any(|r| redirect_matches(uri, r, q.redirect_uri_loopback_any_port))
            {
                return Err(AuthzError::Page(
                    q.error_style.redirect_mismatch(&client.client_id, uri),
                ));
            }
            uri.clone()
        }
        None if openid && q.error_style.redirect_uri_required_for_openid() => {
            return Err(AuthzError::Page(OAuthError::invalid_request().hint(
                "The 'redirect_uri' parameter is required when using OpenID Connect 1.0.",
            )));
        }
        None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
        None => {
            return Err(AuthzError::Page(OAuthError::invalid_request().hint(
                "The 'redirect_uri' parameter is required because the client registered several.",
            )));
        }
    };
    let state = params.get("state").map(str::to_string);
    let redirect = |err: OAuthError| AuthzError::Redirect {
        err,
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        response_mode,
    };
    // The forced error, once the app can be told.
    if let Some(err) = forced_error(q) {
        return Err(redirect(err));
    }
    // 6. Scopes the client may request (fosite `validateAuthorizeScope`).
    if let Some(scope) = client.forbidden_scope(&scopes) {
        return Err(redirect(OAuthError::invalid_scope().hint(format!(
            "The OAuth 2.0 Client is not allowed to request scope '{scope}'."
        ))));
    }
    // 8. registration
    if params.get("registration").is_some() {
        return Err(redirect(OAuthError::registration_not_supported()));
    }
    // 9. response_type
    match params.get("response_type") {
        None => {
            // The stray backtick is fosite's own.
            return Err(redirect(
                OAuthError::unsupported_response_type()
                    .hint("`The request is missing the 'response_type' parameter."),
            ));
        }
        Some("code") => {}
        Some(other) => {
            return Err(redirect(OAuthError::unsupported_response_type().hint(
                format!("The client is not allowed to request response_type '{other}'."),
            )));
        }
    }
    // 11. state entropy
    let min_state = q.min_state_length as usize;
    if min_state > 0 && state.as_deref().is_none_or(|s| s.len() < min_state) {
        return Err(redirect(short_state(min_state)));
    }
    if params.get("prompt") == Some("none") {
        // No SSO session is ever kept, so a silent request cannot succeed.
        return Err(redirect(
            OAuthError {
                code: "login_required",
                description: "The Authorization Server requires End-User authentication.",
                hint: None,
                status: StatusCode::BAD_REQUEST,
            }
            .hint("Prompt 'none' was requested, but no existing login session was found."),
        ));
    }
    let t = now();
    Ok(PendingLogin {
        client_id: client.client_id,
        redirect_uri,
        redirect_uri_sent: sent,
        scopes,
        state,
        nonce: params.get("nonce").map(str::to_string),
        code_challenge: params.get("code_challenge").map(str::to_string),
        code_challenge_method: params.get("code_challenge_method").map(str::to_string),
        response_mode,
        prompt: params.get("prompt").map(str::to_string),
        requested_at: t,
        expires_at: t + LOGIN_TTL,
    })
}

/// fosite's `invalid_state` for a state shorter than `min` (`authorize_request_handler.go`).
fn short_state(min: usize) -> OAuthError {
    OAuthError::invalid_state().hint(format!(
        "Request parameter 'state' must be at least be {min} characters long to ensure sufficient entropy."
    ))
}

/// The error the `authorize_error` quirk forces, in fosite's words: `invalid_state` as
/// for a short state (fosite's minimum, 8, when the tenant checks none), the others
/// with fosite's base description of the code (`errors.go`).
fn forced_error(q: &Quirks) -> Option<OAuthError> {
    Some(match q.authorize_error {
        AuthorizeError::None => return None,
        AuthorizeError::InvalidState => short_state(if q.min_state_length > 0 {
            q.min_state_length as usize
        } else {
            8
        }),
        AuthorizeError::AccessDenied => OAuthError::access_denied(),
        AuthorizeError::InvalidRequest => OAuthError::invalid_request(),
        AuthorizeError::InvalidScope => OAuthError::invalid_scope(),
        AuthorizeError::ServerError => OAuthError::server_error(),
        AuthorizeError::TemporarilyUnavailable => OAuthError::temporarily_unavailable(),
        AuthorizeError::UnsupportedResponseType => OAuthError::unsupported_response_type(),
    })
}

/// fosite's redirect URI comparison: byte-exact, except that for `http` on a loopback
/// IP the port may differ (RFC 8252 §7.3).
pub fn redirect_matches(requested: &str, registered: &str, loopback_any_port: bool) -> bool {
    if requested == registered {
        return true;
    }
    if !loopback_any_port {
        return false;
    }
    let (Ok(a), Ok(b)) = (url::Url::parse(requested), url::Url::parse(registered)) else {
        return false;
    };
    let loopback_ip = |u: &url::Url| match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    a.scheme() == "http"
        && b.scheme() == "http"
        && loopback_ip(&a)
        && a.host() == b.host()
        && a.path() == b.path()
        && a.query() == b.query()
        && a.fragment().is_none()
}

/// Sends an authorization error where the profile sends it, and journals it.
pub fn deliver(tenant: &Tenant, mut entry: JournalEntry, err: AuthzError) -> Response {
    let (dialect, layout) = {
        let s = tenant.lock();
        (s.quirks.error_style, s.quirks.endpoint_layout)
    };
    match err {
        AuthzError::Page(e) => {
            let description = e.description_in(dialect);
            entry.error = Some(e.code.into());
            entry.error_description = Some(description.clone());
            entry.outcome = Outcome::ErrorPage;
            match dialect.page_delivery() {
                PageDelivery::ForwardToErrorUrl => {
                    // Hydra forwards to its error URL with a 302 and no state.
                    let mut url =
                        url::Url::parse(&tenant.url(EndpointPaths::of(layout).error_page))
                            .expect("tenant URLs are absolute");
                    url.set_query(Some(&go_values_encode(&[
                        ("error".into(), e.code.into()),
                        ("error_description".into(), description.clone()),
                    ])));
                    entry.status = 302;
                    entry.location = Some(url.to_string());
                    tenant.record(entry);
                    redirect_response(StatusCode::FOUND, url.as_str())
                }
                PageDelivery::RenderInPlace => {
                    entry.status = 400;
                    tenant.record(entry);
                    pages::error_markup(e.code, &description)
                }
            }
        }
        AuthzError::Redirect {
            err,
            redirect_uri,
            state,
            response_mode,
        } => {
            let description = err.description_in(dialect);
            let mut fields = vec![
                ("error".to_string(), err.code.to_string()),
                ("error_description".to_string(), description.clone()),
            ];
            match state {
                Some(s) => fields.push(("state".into(), s)),
                // fosite always sends `state`, empty when the app sent none.
                None if dialect.error_state_always() => {
                    fields.push(("state".into(), String::new()))
                }
                None => {}
            }
            entry.error = Some(err.code.into());
            entry.error_description = Some(description);
            entry.outcome = Outcome::ErrorRedirect;
            respond_to_app(tenant, entry, dialect, &redirect_uri, response_mode, fields)
        }
    }
}

/// Sends the authorization response (success or error) to the app, journals it.
pub fn respond_to_app(
    tenant: &Tenant,
    mut entry: JournalEntry,
    dialect: ErrorDialect,
    redirect_uri: &str,
    response_mode: ResponseMode,
    fields: Vec<(String, String)>,
) -> Response {
    let status = dialect.redirect_status();
    if response_mode == ResponseMode::FormPost {
        entry.status = 200;
        entry.location = Some(redirect_uri.to_string());
        tenant.record(entry);
        return pages::form_post(redirect_uri, &fields);
    }
    let mut url = url::Url::parse(redirect_uri).expect("registered redirect URIs are absolute");
    if response_mode == ResponseMode::Fragment {
        let frag = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&fields)
            .finish();
        url.set_fragment(Some(&frag));
    } else {
        // Go's url.Values.Encode: existing and new parameters together, sorted by key.
        let mut all: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        all.extend(fields);
        // Nothing to send: no `?` at all rather than a dangling one.
        url.set_query(None);
        if !all.is_empty() {
            match dialect.query_encoding() {
                QueryEncoding::GoSortedValues => {
                    all.sort_by(|a, b| a.0.cmp(&b.0));
                    url.set_query(Some(&go_values_encode(&all)));
                }
                QueryEncoding::FormAppended => {
                    url.query_pairs_mut().extend_pairs(&all);
                }
            }
        }
    }
    entry.status = status.as_u16();
    entry.location = Some(url.to_string());
    tenant.record(entry);
    redirect_response(status, url.as_str())
}

/// Go's `url.Values.Encode` (in the given order): `url.QueryEscape` differs from the
/// WHATWG form encoding in keeping `~` and escaping `*`, so fosite's Locations match
/// byte for byte.
fn go_values_encode(pairs: &[(String, String)]) -> String {
    let escape = |s: &str, out: &mut String| {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    };
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        escape(k, &mut out);
        out.push('=');
        escape(v, &mut out);
    }
    out
}

fn redirect_response(status: StatusCode, location: &str) -> Response {
    let mut resp = status.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

#[cfg(test)]
mod tests {
    use super::redirect_matches;

    #[test]
    fn loopback_ip_ignores_port_only() {
        assert!(redirect_matches(
            "http://127.0.0.1:5/cb",
            "http://127.0.0.1:9/cb",
            true
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:5/cb/",
            "http://127.0.0.1:9/cb",
            true
        ));
        assert!(!redirect_matches(
            "http://localhost:5/cb",
            "http://localhost:9/cb",
            true
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:5/cb",
            "http://127.0.0.1:9/cb",
            false
        ));
        assert!(!redirect_matches(
            "https://127.0.0.1:5/cb",
            "https://127.0.0.1:9/cb",
            true
        ));
    }
}
