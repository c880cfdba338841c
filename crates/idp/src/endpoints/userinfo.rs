//! The userinfo endpoint (OIDC Core §5.3): a bearer access token in, the user's claims
//! out; errors as RFC 6750 `WWW-Authenticate` challenges.

use super::{Req, finish_ok};
use crate::claims;
use crate::dialect::ErrorDialect;
use crate::error::OAuthError;
use crate::journal::JournalEntry;
use crate::protocol::ClientAuth;
use crate::tenant::Tenant;
use crate::tokens::now;
use axum::http::{HeaderValue, header};
use axum::response::Response;

/// `GET|POST` userinfo.
pub fn userinfo(tenant: &Tenant, req: Req) -> Response {
    let params = req.params();
    let mut entry = JournalEntry::new(
        crate::protocol::Endpoint::Userinfo,
        req.method.as_str(),
        &params.0,
    );
    let quirks = tenant.lock().quirks.clone();
    let dialect = quirks.error_style;
    let header_token = req
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string());
    let form_token = req
        .form
        .as_ref()
        .and_then(|f| f.get("access_token"))
        .map(str::to_string);
    entry.client_auth = Some(match (&header_token, &form_token) {
        (Some(_), Some(_)) => ClientAuth::Both,
        (Some(_), None) => ClientAuth::BearerHeader,
        (None, Some(_)) => ClientAuth::BearerBody,
        (None, None) => ClientAuth::None,
    });
    let bad = |hint: &str| dialect.bad_userinfo_token(hint);
    let token = match (header_token, form_token) {
        (Some(t), None) | (None, Some(t)) => t,
        (Some(_), Some(_)) => {
            let e = OAuthError::invalid_request()
                .hint("The access token was sent both in the header and in the body.");
            return challenge(tenant, entry, e, dialect);
        }
        (None, None) => return challenge(tenant, entry, bad("No access token was sent."), dialect),
    };
    let t = now();
    let found = {
        let s = tenant.lock();
        s.access_tokens
            .get(&token)
            .filter(|r| r.expires_at > t)
            .and_then(|r| {
                let user = s.users.get(&r.grant.username)?.clone();
                let client = s.clients.get(&r.grant.client_id)?.clone();
                Some((r.grant.clone(), user, client))
            })
    };
    let Some((grant, user, client)) = found else {
        let is_refresh = tenant.lock().refresh_tokens.contains_key(&token);
        let e = if is_refresh {
            OAuthError::invalid_token()
                .hint("Only access tokens are allowed in the authorization header.")
        } else {
            bad("The access token is unknown, expired or revoked.")
        };
        return challenge(tenant, entry, e, dialect);
    };
    entry.client_id = Some(client.client_id.clone());
    let mut body = claims::userinfo(
        &quirks,
        &tenant.token_issuer(&quirks),
        &user,
        &client,
        &grant,
        t,
    );
    crate::misbehaviour::tamper_userinfo(quirks.id_token_misbehaviour, &mut body);
    finish_ok(tenant, entry, serde_json::Value::Object(body))
}

fn challenge(
    tenant: &Tenant,
    entry: JournalEntry,
    e: OAuthError,
    dialect: ErrorDialect,
) -> Response {
    let value = format!(
        "Bearer error=\"{}\",error_description=\"{}\"",
        e.code,
        e.description_in(dialect).replace('"', "'")
    );
    let mut resp = super::finish_json(tenant, entry, e, dialect);
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}
