//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2-3): back to a
//! registered `post_logout_redirect_uri` with `state`, or a signed-out page.

use super::authorize::{AuthzError, deliver, respond_to_app};
use super::{Req, pages};
use crate::error::OAuthError;
use crate::journal::JournalEntry;
use crate::tenant::Tenant;
use axum::response::Response;

/// `GET|POST` the end-session endpoint.
pub fn end_session(tenant: &Tenant, req: Req) -> Response {
    let params = req.params();
    let mut entry = JournalEntry::new(
        crate::protocol::Endpoint::EndSession,
        req.method.as_str(),
        &params.0,
    );
    let Some(target) = params.get("post_logout_redirect_uri") else {
        entry.status = 200;
        entry.outcome = crate::protocol::Outcome::Ok;
        tenant.record(entry);
        return pages::signed_out_page();
    };
    entry.redirect_uri = Some(crate::journal::cap(target));
    let hint_client = params.get("id_token_hint").and_then(audience_of);
    let client_id = params.get("client_id").map(str::to_string).or(hint_client);
    let (registered, dialect) = {
        let s = tenant.lock();
        let registered = s.clients.values().any(|c| {
            client_id.as_deref().is_none_or(|id| id == c.client_id)
                && c.post_logout_redirect_uris.iter().any(|u| u == target)
        });
        (registered, s.quirks.error_style)
    };
    if !registered {
        let err = OAuthError::invalid_request().hint(
            "Logout failed because query parameter post_logout_redirect_uri is not a whitelisted as a post_logout_redirect_uri for the client.",
        );
        return deliver(tenant, entry, AuthzError::Page(err));
    }
    let mut fields = Vec::new();
    if let Some(s) = params.get("state") {
        fields.push(("state".to_string(), s.to_string()));
    }
    entry.outcome = crate::protocol::Outcome::Redirect;
    respond_to_app(
        tenant,
        entry,
        dialect,
        target,
        crate::protocol::ResponseMode::Query,
        fields,
    )
}

/// The first `aud` of an ID token, read without verifying it (only to find the client).
fn audience_of(jwt: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match &v["aud"] {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => a.first()?.as_str().map(str::to_string),
        _ => None,
    }
}
