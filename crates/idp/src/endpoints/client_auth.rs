//! Client authentication at the token and revocation endpoints (RFC 6749 §2.3), with
//! fosite's detection rules (`client_authentication.go`): body `client_id` plus a
//! non-empty `client_secret` means post, a Basic header with a non-empty password means
//! basic, and post is judged first.

use crate::error::OAuthError;
use crate::model::Client;
use crate::params::Params;
use crate::protocol::{ClientAuth, TokenAuthMethod};
use crate::quirks::Quirks;
use crate::tenant::Tenant;
use axum::http::{HeaderMap, header};
use base64::Engine;

/// How the request presented credentials, for the journal.
pub fn observed_method(headers: &HeaderMap, form: &Params) -> ClientAuth {
    let basic = basic_credentials(headers).is_some();
    let post = form.get("client_secret").is_some();
    match (basic, post) {
        (true, true) => ClientAuth::Both,
        (true, false) => ClientAuth::Basic,
        (false, true) => ClientAuth::Post,
        (false, false) => ClientAuth::None,
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// RFC 6749 §2.3.1: both parts are form-url-encoded before base64.
fn unescape(part: &str, what: &str) -> Result<String, OAuthError> {
    let bad = || {
        OAuthError::invalid_request().hint(format!(
            "The client {what} in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'."
        ))
    };
    // Go's url.QueryUnescape: '+' is a space; a malformed %-sequence is an error.
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !ok {
                return Err(bad());
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    let decoded: String = form_urlencoded::parse(format!("x={part}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok(decoded)
}

/// Authenticates the client. `enforce` applies the one-method rule.
pub fn authenticate(
    tenant: &Tenant,
    headers: &HeaderMap,
    form: &Params,
    q: &Quirks,
) -> Result<Client, OAuthError> {
    let enforce = q.enforce_token_auth_method;
    if q.refuse_multiple_client_credentials && observed_method(headers, form) == ClientAuth::Both {
        return Err(q.error_style.multiple_client_credentials());
    }
    let (client_id, secret) = match basic_credentials(headers) {
        Some((id, secret)) => (unescape(&id, "id")?, unescape(&secret, "secret")?),
        None => match form.get("client_id") {
            Some(id) => (
                id.to_string(),
                form.get("client_secret").unwrap_or("").to_string(),
            ),
            None => {
                return Err(OAuthError::invalid_request().hint(
                    "Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.",
                ));
            }
        },
    };
    let client = tenant
        .lock()
        .clients
        .get(&client_id)
        .cloned()
        .ok_or_else(|| q.error_style.bad_client_credentials())?;
    let method = client.token_endpoint_auth_method;
    let wrong = |requested: &str| {
        OAuthError::invalid_client().hint(format!(
            "The OAuth 2.0 Client supports client authentication method '{method}', but method '{requested}' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept '{requested}'."
        ))
    };
    let body_post = form.get("client_id").is_some() && form.get("client_secret").is_some();
    let basic_with_secret = basic_credentials(headers).is_some_and(|(_, s)| !s.is_empty());
    if enforce {
        if body_post && method != TokenAuthMethod::ClientSecretPost {
            return Err(wrong("client_secret_post"));
        }
        if basic_with_secret && method != TokenAuthMethod::ClientSecretBasic {
            return Err(wrong("client_secret_basic"));
        }
    } else if client.is_public() && (body_post || basic_with_secret) {
        // Even a tolerant provider cannot accept a secret for a client that has none.
        return Err(wrong(if body_post {
            "client_secret_post"
        } else {
            "client_secret_basic"
        }));
    }
    if client.is_public() {
        return Ok(client);
    }
    if secret.is_empty() || secret != client.client_secret {
        return Err(q.error_style.bad_client_credentials());
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn basic_parts_are_query_unescaped() {
        assert_eq!(unescape("a%2Bb+c", "secret").unwrap(), "a+b c");
        assert!(unescape("100%", "secret").is_err());
    }
}
